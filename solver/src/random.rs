//! Random vibration: the stationary response to a load or a base acceleration whose
//! power spectral density (PSD) is given, as on a shaker running an IEC 60068-2-64 or
//! MIL-STD-810 Method 514 profile.
//!
//! Why this way. The response of any linear quantity q to an input of PSD S(f) has PSD
//! |h_q(f)|² S(f), h_q the harmonic response per unit input (the modal superposition of
//! [`crate::harmonic`]); its mean square is the integral over f. The von Mises stress is
//! not linear in the input: its mean square is E(sᵀQs) = ∫ h_sᴴ Q h_s S df, from the
//! cross-spectra of the stress components (Segalman et al. 2000) — never the von Mises
//! of the components' RMS values, which can be far off either way. The same integrand
//! weighted by f² and f⁴ gives the expected zero-crossing rate ν₀ = √(m₂/m₀) and peak
//! rate √(m₄/m₂) that fatigue and peak-factor estimates need (and by f, the m₁ of
//! Dirlik's spectral fatigue).
//!
//! The integrals are taken once for the modal coordinates — the cross-spectral matrices
//! Σ⁽ⁿ⁾ = ∫ fⁿ c cᴴ S df of the superposition's columns (modes and static correction) —
//! so each node costs a few small products, not a pass over the frequencies: a fine
//! grid (log-spaced points, the PSD's breakpoints, 201 points at each mode in equal
//! steps of phase) with the trapezoidal rule.

use crate::error::{Result, SolverError};
use crate::harmonic::{frequency_points, ModalDamping, Spacing, Superposition};
use crate::modal::ModalSolution;
use crate::{LoadCase, StaticModel, StaticResults};
use nalgebra::{Complex, DMatrix, DVector};
use std::f64::consts::PI;

type C64 = Complex<f64>;

/// A PSD table: (Hz, value per Hz) points at increasing frequencies, straight lines on
/// log–log axes in between (constant dB per octave, as test standards state profiles),
/// zero outside.
#[derive(Clone, Debug, PartialEq)]
pub struct Psd {
    points: Vec<(f64, f64)>,
}

impl Psd {
    /// Checks the table: at least two points, frequencies > 0 and increasing, values
    /// finite and > 0 (a log–log segment through zero has no slope).
    pub fn new(points: Vec<(f64, f64)>) -> std::result::Result<Self, String> {
        if points.len() < 2 {
            return Err("a PSD needs at least two (Hz, value) points".into());
        }
        for (i, &(f, v)) in points.iter().enumerate() {
            if !(f.is_finite() && f > 0.0) {
                return Err(format!("PSD point {}: frequency {f} Hz must be > 0", i + 1));
            }
            if !(v.is_finite() && v > 0.0) {
                return Err(format!(
                    "PSD point {} ({f} Hz): value {v} must be > 0 (log–log interpolation)",
                    i + 1
                ));
            }
            if i > 0 && f <= points[i - 1].0 {
                return Err(format!(
                    "PSD point {}: frequencies must increase ({f} Hz after {} Hz)",
                    i + 1,
                    points[i - 1].0
                ));
            }
        }
        Ok(Self { points })
    }

    pub fn points(&self) -> &[(f64, f64)] {
        &self.points
    }

    /// The band the PSD covers (Hz).
    pub fn band(&self) -> (f64, f64) {
        (self.points[0].0, self.points[self.points.len() - 1].0)
    }

    /// The value at `f`: log–log interpolation, zero outside the band.
    pub fn at(&self, f: f64) -> f64 {
        let (lo, hi) = self.band();
        if !(lo..=hi).contains(&f) {
            return 0.0;
        }
        let k = self.points.partition_point(|p| p.0 < f).max(1);
        let ((f0, s0), (f1, s1)) = (self.points[k - 1], self.points[k]);
        s0 * (f / f0).powf((s1 / s0).ln() / (f1 / f0).ln())
    }

    /// The integral over the band (the input's mean square): exact on each log–log
    /// segment S₀ (f/f₀)^b.
    pub fn mean_square(&self) -> f64 {
        self.points
            .windows(2)
            .map(|w| {
                let ((f0, s0), (f1, s1)) = (w[0], w[1]);
                let b = (s1 / s0).ln() / (f1 / f0).ln();
                if (b + 1.0).abs() < 1e-12 {
                    s0 * f0 * (f1 / f0).ln()
                } else {
                    s0 * f0 / (b + 1.0) * ((f1 / f0).powf(b + 1.0) - 1.0)
                }
            })
            .sum()
    }
}

/// Options of a random response.
#[derive(Clone, Debug)]
pub struct RandomOptions {
    /// The input PSD, in (multiples of the load case's loads)² per Hz: with a base
    /// acceleration of 1 g in the load case, g²/Hz.
    pub psd: Psd,
    /// The damping of the modes ([`StaticModel::modal_damping`]).
    pub damping: ModalDamping,
    /// The base acceleration of the load case (m/s², per unit input), added to the
    /// relative acceleration for absolute acceleration (zero for a force input).
    pub base_acceleration: [f64; 3],
    /// Log-spaced points over the band besides the breakpoints and mode clusters.
    pub points: usize,
}

/// RMS (1σ) values per node.
#[derive(Clone, Debug, Default)]
pub struct Rms {
    /// Relative to the base, 3 per node.
    pub displacement: Vec<f64>,
    /// Absolute, 3 per node.
    pub acceleration: Vec<f64>,
    /// Voigt components, 6 per node.
    pub stress: Vec<f64>,
    /// From the components' cross-spectra.
    pub von_mises: Vec<f64>,
    /// √(m₂/m₀) and √(m₄/m₂) of the von Mises stress's spectrum (Hz).
    pub von_mises_zero_crossing: Vec<f64>,
    pub von_mises_peak_rate: Vec<f64>,
    /// The moments m₀, m₁, m₂, m₄ of the equivalent von Mises stress's PSD (the trace
    /// of Q times the stress cross-spectra, Pa² Hzⁿ): what spectral fatigue needs.
    pub von_mises_moments: Vec<crate::fatigue::spectral::Moments>,
}

#[derive(Clone, Debug)]
pub struct RandomSolution {
    pub sweep: Superposition,
    /// The input PSD at each frequency of the sweep.
    pub input: Vec<f64>,
    /// Trapezoidal weights (Hz) of the frequencies.
    pub weights: Vec<f64>,
    pub rms: Rms,
}

/// Points either side of a mode (201 a mode) and log-spaced points at least: the
/// integrals cost (modes)² per point, so the grid can be fine.
const CLUSTER: usize = 100;
const MIN_POINTS: usize = 1000;

/// Spectral moments of the modal coordinates: Σ⁽ⁿ⁾ = Σ_k w_k S_k f_kⁿ c_k c_kᴴ (real
/// parts; the imaginary parts cancel against real column values), and the sums the
/// absolute acceleration needs.
struct Moments {
    m0: DMatrix<f64>,
    m1: DMatrix<f64>,
    m2: DMatrix<f64>,
    m4: DMatrix<f64>,
    /// Σ_k w_k S_k ω_k² Re c_k.
    accel: DVector<f64>,
    /// Σ_k w_k S_k: the input's mean square over the grid.
    input: f64,
}

fn moments(c: &DMatrix<C64>, hz: &[f64], w: &[f64]) -> Moments {
    let n = c.nrows();
    let mut m = [
        DMatrix::zeros(n, n),
        DMatrix::zeros(n, n),
        DMatrix::zeros(n, n),
        DMatrix::zeros(n, n),
    ];
    let mut accel = DVector::zeros(n);
    for (k, (&f, &wk)) in hz.iter().zip(w).enumerate() {
        let col = c.column(k);
        let (re, im) = (col.map(|z| z.re), col.map(|z| z.im));
        let outer = &re * re.transpose() + &im * im.transpose();
        for (mk, p) in m.iter_mut().zip([0, 1, 2, 4]) {
            *mk += &outer * (wk * f.powi(p));
        }
        accel += re * (wk * (2.0 * PI * f).powi(2));
    }
    let [m0, m1, m2, m4] = m;
    Moments {
        m0,
        m1,
        m2,
        m4,
        accel,
        input: w.iter().sum(),
    }
}

impl StaticModel<'_> {
    /// The random response to `case` (the loads per unit input; for a base
    /// excitation the body load −M r a_b) driven by `options.psd`.
    pub fn random(
        &self,
        modes: &ModalSolution,
        case: &LoadCase,
        static_response: &StaticResults,
        options: &RandomOptions,
    ) -> Result<RandomSolution> {
        let band = options.psd.band();
        let resonances = options.damping.resonances();
        let points = options.points.max(MIN_POINTS);
        let mut f = frequency_points(band, points, Spacing::Log, &resonances, CLUSTER);
        f.extend(options.psd.points().iter().map(|p| p.0));
        f.sort_by(f64::total_cmp);
        f.dedup_by(|a, b| (*a - *b).abs() <= 1e-12 * b.abs());
        let weights = trapezoid(&f);
        let input: Vec<f64> = f.iter().map(|&x| options.psd.at(x)).collect();
        let sweep = self.superpose(modes, case, static_response, f, &options.damping)?;
        let w: Vec<f64> = weights.iter().zip(&input).map(|(a, b)| a * b).collect();
        let mo = moments(&sweep.coefficients, &sweep.frequencies, &w);
        let base = options.base_acceleration;
        let blocks = sweep.node_blocks(modes, |u, s| block_rms(u, s, &mo, base));
        let mut rms = Rms::default();
        for b in blocks {
            rms.displacement.extend(b.displacement);
            rms.acceleration.extend(b.acceleration);
            rms.stress.extend(b.stress);
            rms.von_mises.extend(b.von_mises);
            rms.von_mises_zero_crossing
                .extend(b.von_mises_zero_crossing);
            rms.von_mises_peak_rate.extend(b.von_mises_peak_rate);
            rms.von_mises_moments.extend(b.von_mises_moments);
        }
        if let Some(bad) = rms.von_mises.iter().find(|v| !v.is_finite()) {
            return Err(SolverError::LinearSolver(format!(
                "random response: a non-finite RMS stress ({bad}) — check the PSD and damping"
            )));
        }
        Ok(RandomSolution {
            sweep,
            input,
            weights,
            rms,
        })
    }
}

/// Trapezoidal weights of increasing points.
fn trapezoid(f: &[f64]) -> Vec<f64> {
    (0..f.len())
        .map(|k| {
            let left = if k > 0 { f[k] - f[k - 1] } else { 0.0 };
            let right = f.get(k + 1).map_or(0.0, |n| n - f[k]);
            0.5 * (left + right)
        })
        .collect()
}

/// The RMS values of one block of nodes from its column values: displacements `u`
/// (3 rows a node) and stresses `s` (6 rows a node).
fn block_rms(u: &DMatrix<f64>, s: &DMatrix<f64>, mo: &Moments, base: [f64; 3]) -> Rms {
    let count = u.nrows() / 3;
    let (u0, u4) = (u * &mo.m0, u * &mo.m4);
    let ua = u * &mo.accel;
    let (s0, s1, s2, s4) = (s * &mo.m0, s * &mo.m1, s * &mo.m2, s * &mo.m4);
    let row_dot = |a: &DMatrix<f64>, b: &DMatrix<f64>, i: usize| a.row(i).dot(&b.row(i));
    // Σ_ab Q_ab (S Σ Sᵀ)_ab over one node's six stress rows: its von Mises mean square.
    let vm = |t: &DMatrix<f64>, n: usize| {
        let p = |a: usize, b: usize| row_dot_pair(t, s, 6 * n + a, 6 * n + b);
        p(0, 0) + p(1, 1) + p(2, 2)
            - 0.5 * (p(0, 1) + p(1, 0) + p(1, 2) + p(2, 1) + p(0, 2) + p(2, 0))
            + 3.0 * (p(3, 3) + p(4, 4) + p(5, 5))
    };
    let mut out = Rms::default();
    for n in 0..count {
        for (c, d) in base.iter().enumerate() {
            let i = 3 * n + c;
            out.displacement.push(row_dot(&u0, u, i).max(0.0).sqrt());
            let a2 = d * d * mo.input - 2.0 * d * ua[i] + row_dot(&u4, u, i) * (2.0 * PI).powi(4);
            out.acceleration.push(a2.max(0.0).sqrt());
        }
        for c in 0..6 {
            out.stress.push(row_dot(&s0, s, 6 * n + c).max(0.0).sqrt());
        }
        let (m0, m2, m4) = (vm(&s0, n), vm(&s2, n), vm(&s4, n));
        out.von_mises_moments
            .push(crate::fatigue::spectral::Moments {
                m0: m0.max(0.0),
                m1: vm(&s1, n).max(0.0),
                m2: m2.max(0.0),
                m4: m4.max(0.0),
            });
        out.von_mises.push(m0.max(0.0).sqrt());
        let ratio = |p: f64, q: f64| {
            if q > 0.0 && p > 0.0 {
                (p / q).sqrt()
            } else {
                0.0
            }
        };
        out.von_mises_zero_crossing.push(ratio(m2, m0));
        out.von_mises_peak_rate.push(ratio(m4, m2));
    }
    out
}

/// Row `a` of T·(row `b` of S): (S Σ Sᵀ)_ab with T = S Σ.
fn row_dot_pair(t: &DMatrix<f64>, s: &DMatrix<f64>, a: usize, b: usize) -> f64 {
    t.row(a).dot(&s.row(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn psd_interpolates_log_log_and_integrates_exactly() {
        // +3 dB/oct from 20 to 80 Hz (S ∝ f), flat to 350, −6 dB/oct (S ∝ f⁻²) to 2000.
        let psd = Psd::new(vec![
            (20.0, 0.01),
            (80.0, 0.04),
            (350.0, 0.04),
            (2000.0, 0.04 * (350.0f64 / 2000.0).powi(2)),
        ])
        .unwrap();
        assert!((psd.at(40.0) - 0.02).abs() < 1e-15);
        assert_eq!(psd.at(10.0), 0.0);
        let exact = 0.01 / 20.0 * (80.0f64.powi(2) - 400.0) / 2.0
            + 0.04 * 270.0
            + 0.04 * 350.0f64.powi(2) * (1.0 / 350.0 - 1.0 / 2000.0);
        assert!((psd.mean_square() / exact - 1.0).abs() < 1e-12);
        assert!(Psd::new(vec![(20.0, 0.01), (10.0, 0.02)]).is_err());
        assert!(Psd::new(vec![(20.0, 0.01), (80.0, 0.0)]).is_err());
    }
}
