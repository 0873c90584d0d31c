//! Shock: the shock response spectrum (SRS) of a base acceleration history, the
//! classical pulses of IEC 60068-2-27 and MIL-STD-810 Method 516, and the peak response
//! of a structure to a shock given by its SRS (response-spectrum analysis).
//!
//! The SRS is the largest absolute acceleration of a single-degree-of-freedom
//! oscillator on the shaken base, against its natural frequency (maximax: the larger of
//! the largest positive and negative values, during and after the pulse). It is found
//! with Smallwood's ramp-invariant recursive filter (ISO 18431-4), exact for a
//! piecewise-linear history; the history is resampled so every oscillator has at least
//! 10 samples a period, and followed by zeros long enough for the residual response.
//!
//! Response-spectrum analysis takes the SRS as each mode's peak: the mode's peak
//! coordinate is p_r S(f_r) / ω_r² (p_r the modal force of the unit load), and the
//! peaks of a quantity are combined over the modes by SRSS, CQC (Der Kiureghian's
//! correlation with the modal damping), or the 10 % rule (modes within 10 % of each
//! other add absolutely, US NRC Regulatory Guide 1.92); the static correction scaled by
//! the spectrum's highest-frequency value (the zero-period acceleration) adds as the
//! missing-mass term. The von Mises stress is combined from the stress components'
//! quadratic form, Σ ρ_ij s_iᵀ Q s_j, as a random response would be.

use crate::error::{Result, SolverError};
use crate::harmonic::{von_mises_form, ModalDamping, Superposition};
use crate::modal::ModalSolution;
use crate::{LoadCase, StaticModel, StaticResults};
use nalgebra::DMatrix;
use std::f64::consts::PI;

/// A classical shock pulse of base acceleration.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Pulse {
    HalfSine {
        peak: f64,
        duration: f64,
    },
    /// Rising linearly to its peak at the end (terminal-peak sawtooth).
    TerminalSawtooth {
        peak: f64,
        duration: f64,
    },
    /// Rising linearly over `rise`, flat, falling over `rise`; `duration` in all.
    Trapezoid {
        peak: f64,
        duration: f64,
        rise: f64,
    },
}

impl Pulse {
    pub fn duration(&self) -> f64 {
        match *self {
            Self::HalfSine { duration, .. }
            | Self::TerminalSawtooth { duration, .. }
            | Self::Trapezoid { duration, .. } => duration,
        }
    }

    /// The acceleration at time t (zero outside the pulse).
    pub fn at(&self, t: f64) -> f64 {
        if !(0.0..=self.duration()).contains(&t) {
            return 0.0;
        }
        match *self {
            Self::HalfSine { peak, duration } => peak * (PI * t / duration).sin(),
            Self::TerminalSawtooth { peak, duration } => peak * t / duration,
            Self::Trapezoid {
                peak,
                duration,
                rise,
            } => peak * (t / rise).min(1.0).min((duration - t) / rise),
        }
    }

    /// The pulse sampled every `dt` from 0 to its end.
    pub fn history(&self, dt: f64) -> Vec<(f64, f64)> {
        let n = (self.duration() / dt).ceil() as usize;
        (0..=n)
            .map(|k| {
                let t = (k as f64 * dt).min(self.duration());
                (t, self.at(t))
            })
            .collect()
    }
}

/// Checks a history: at least two samples, finite, strictly increasing times.
pub fn check_history(h: &[(f64, f64)]) -> std::result::Result<(), String> {
    if h.len() < 2 {
        return Err("an acceleration history needs at least two samples".into());
    }
    if let Some(i) = h.iter().position(|p| !(p.0.is_finite() && p.1.is_finite())) {
        return Err(format!("sample {} is not finite", i + 1));
    }
    for (i, w) in h.windows(2).enumerate() {
        if w[1].0 <= w[0].0 {
            return Err(format!("times must increase (sample {})", i + 2));
        }
    }
    Ok(())
}

/// Linear interpolation of a history at t (zero outside it).
fn sample(h: &[(f64, f64)], t: f64) -> f64 {
    if t < h[0].0 || t > h[h.len() - 1].0 {
        return 0.0;
    }
    let k = h.partition_point(|p| p.0 < t).max(1).min(h.len() - 1);
    let ((t0, a0), (t1, a1)) = (h[k - 1], h[k]);
    a0 + (a1 - a0) * (t - t0) / (t1 - t0)
}

/// Most samples an SRS resamples a history to.
const MAX_SAMPLES: usize = 20_000_000;

/// The maximax absolute-acceleration SRS of a base acceleration history at
/// `frequencies` (Hz) with damping ratio `zeta`.
pub fn srs(
    history: &[(f64, f64)],
    frequencies: &[f64],
    zeta: f64,
) -> std::result::Result<Vec<f64>, String> {
    check_history(history)?;
    let (start, end) = (history[0].0, history[history.len() - 1].0);
    let f_max = frequencies.iter().copied().fold(0.0, f64::max);
    let f_min = frequencies.iter().copied().fold(f64::INFINITY, f64::min);
    if !(f_min > 0.0 && f_max.is_finite()) {
        return Err("SRS frequencies must be finite and > 0".into());
    }
    if !(0.0..1.0).contains(&zeta) {
        return Err(format!("SRS damping ratio {zeta} must lie in [0, 1)"));
    }
    // At least 10 samples a period of the highest oscillator, and of the history's own
    // finest spacing; then a tail of zeros for the residual response (half a period of
    // the lowest oscillator reaches its residual peak; 1.5 periods to be sure).
    let finest = history
        .windows(2)
        .map(|w| w[1].0 - w[0].0)
        .fold(f64::INFINITY, f64::min);
    let dt = (0.1 / f_max).min(finest);
    let span = end - start + 1.5 / f_min;
    let n = (span / dt).ceil() as usize + 1;
    if n > MAX_SAMPLES {
        return Err(format!(
            "the SRS would need {n} samples ({} s at {dt:e} s): shorten the history or narrow the frequencies",
            span
        ));
    }
    let x: Vec<f64> = (0..n)
        .map(|k| sample(history, start + k as f64 * dt))
        .collect();
    Ok(frequencies
        .iter()
        .map(|&f| peak_response(&x, dt, f, zeta))
        .collect())
}

/// The largest |absolute acceleration| of one oscillator: Smallwood's ramp-invariant
/// filter y_k = b₀x_k + b₁x_{k−1} + b₂x_{k−2} + 2C y_{k−1} − E² y_{k−2}.
fn peak_response(x: &[f64], dt: f64, f: f64, zeta: f64) -> f64 {
    let w = 2.0 * PI * f;
    let wd = w * (1.0 - zeta * zeta).sqrt();
    let e = (-zeta * w * dt).exp();
    let k = wd * dt;
    let (c, s) = (e * k.cos(), e * k.sin());
    let sp = s / k;
    let (b0, b1, b2) = (1.0 - sp, 2.0 * (sp - c), e * e - sp);
    let (mut y1, mut y2, mut x1, mut x2) = (0.0, 0.0, 0.0, 0.0);
    let mut peak = 0.0f64;
    for &xk in x {
        let y = b0 * xk + b1 * x1 + b2 * x2 + 2.0 * c * y1 - e * e * y2;
        peak = peak.max(y.abs());
        (y2, y1, x2, x1) = (y1, y, x1, xk);
    }
    peak
}

/// How the peaks of the modes combine.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Combination {
    /// Square root of the sum of squares: modes independent.
    Srss,
    /// Complete quadratic combination with Der Kiureghian's correlation coefficients.
    #[default]
    Cqc,
    /// SRSS, plus the absolute sum of modes within 10 % of each other (NRC RG 1.92).
    TenPercent,
}

/// The correlation matrix of the modes (frequencies Hz, damping ratios) under a
/// combination rule.
pub fn correlation(rule: Combination, hz: &[f64], zeta: &[f64]) -> Vec<Vec<f64>> {
    let n = hz.len();
    (0..n)
        .map(|i| {
            (0..n)
                .map(|j| {
                    if i == j {
                        return 1.0;
                    }
                    match rule {
                        Combination::Srss => 0.0,
                        Combination::TenPercent => {
                            let (lo, hi) = (hz[i].min(hz[j]), hz[i].max(hz[j]));
                            // |R_i R_j| added: the sign is applied by the caller.
                            if hi <= 1.1 * lo {
                                f64::NAN
                            } else {
                                0.0
                            }
                        }
                        Combination::Cqc => {
                            let r = hz[j] / hz[i];
                            let (zi, zj) = (zeta[i], zeta[j]);
                            let num = 8.0 * (zi * zj).sqrt() * (zi + r * zj) * r.powf(1.5);
                            let den = (1.0 - r * r).powi(2)
                                + 4.0 * zi * zj * r * (1.0 + r * r)
                                + 4.0 * (zi * zi + zj * zj) * r * r;
                            num / den
                        }
                    }
                })
                .collect()
        })
        .collect()
}

/// Σ_ij ρ_ij a_i b_j with the 10 % rule's marked pairs (NaN) taken as |a_i b_j|.
pub fn combine(rho: &[Vec<f64>], a: &[f64], b: &[f64]) -> f64 {
    let mut sum = 0.0;
    for (i, row) in rho.iter().enumerate() {
        for (j, &r) in row.iter().enumerate() {
            sum += if r.is_nan() {
                (a[i] * b[j]).abs()
            } else {
                r * a[i] * b[j]
            };
        }
    }
    sum
}

/// The input of a response-spectrum analysis: each mode's peak, in multiples of the
/// load case's loads, and the zero-period value the missing mass responds to.
#[derive(Clone, Debug)]
pub enum Spectrum {
    /// A design spectrum: (Hz, value) points, log–log in between; modes above the last
    /// point take its value (the rigid range).
    Table(Vec<(f64, f64)>),
    /// The SRS of a base acceleration history, at each mode's own damping.
    History(Vec<(f64, f64)>),
}

impl Spectrum {
    /// The value at each of `modes` (Hz, damping ratio), and the zero-period value.
    pub fn values(&self, modes: &[(f64, f64)]) -> std::result::Result<(Vec<f64>, f64), String> {
        match self {
            Self::Table(t) => {
                let zpa = t.last().map_or(0.0, |p| p.1);
                let v = modes
                    .iter()
                    .map(|&(f, _)| {
                        if f < t[0].0 {
                            return Err(format!(
                                "a mode at {f:.4} Hz lies below the spectrum's first frequency ({} Hz): extend the spectrum down to it",
                                t[0].0
                            ));
                        }
                        let k = t.partition_point(|p| p.0 < f);
                        Ok(match t.get(k) {
                            None => zpa,
                            Some(_) if k == 0 => t[0].1,
                            Some(&(f1, v1)) => {
                                let (f0, v0) = t[k - 1];
                                v0 * (f / f0).powf((v1 / v0).ln() / (f1 / f0).ln())
                            }
                        })
                    })
                    .collect::<std::result::Result<Vec<_>, String>>()?;
                Ok((v, zpa))
            }
            Self::History(h) => {
                let zpa = h.iter().map(|p| p.1.abs()).fold(0.0, f64::max);
                let mut v = Vec::with_capacity(modes.len());
                for &(f, z) in modes {
                    v.push(srs(h, &[f], z.min(0.99))?[0]);
                }
                Ok((v, zpa))
            }
        }
    }
}

/// Checks a design spectrum table: two points or more, frequencies > 0 and increasing,
/// values > 0.
pub fn check_table(t: &[(f64, f64)]) -> std::result::Result<(), String> {
    if t.len() < 2 {
        return Err("a spectrum needs at least two (Hz, value) points".into());
    }
    for (i, &(f, v)) in t.iter().enumerate() {
        if !(f.is_finite() && f > 0.0 && v.is_finite() && v > 0.0) {
            return Err(format!(
                "spectrum point {}: frequency and value must be > 0",
                i + 1
            ));
        }
        if i > 0 && f <= t[i - 1].0 {
            return Err(format!(
                "spectrum point {}: frequencies must increase",
                i + 1
            ));
        }
    }
    Ok(())
}

/// Peak responses of a response-spectrum analysis, per node.
#[derive(Clone, Debug, Default)]
pub struct SpectrumResponse {
    /// Each mode's peak coordinate p_r S(f_r) / ω_r², and S(f_r).
    pub peak_coordinates: Vec<f64>,
    pub spectrum_values: Vec<f64>,
    pub zero_period: f64,
    /// Combined peaks: 3 per node (relative to the base), 6 per node, 1 per node.
    pub displacement: Vec<f64>,
    pub stress: Vec<f64>,
    pub von_mises: Vec<f64>,
}

impl StaticModel<'_> {
    /// The peak response to a shock given as a spectrum: the load case holds the loads
    /// per unit of the spectrum (for a base excitation, −M r × its unit), `modes` the
    /// modes to combine, `static_response` its static solution (for the missing mass).
    pub fn response_spectrum(
        &self,
        modes: &ModalSolution,
        case: &LoadCase,
        static_response: &StaticResults,
        spectrum: &Spectrum,
        (damping, rule): (&ModalDamping, Combination),
    ) -> Result<(Superposition, SpectrumResponse)> {
        let sweep = self.superpose(modes, case, static_response, Vec::new(), damping)?;
        let hz = &sweep.mode_frequencies;
        let at = damping.resonances();
        let (values, zpa) = spectrum.values(&at).map_err(SolverError::Dynamics)?;
        let q: Vec<f64> = (0..hz.len())
            .map(|r| sweep.modal_forces[r] * values[r] / (2.0 * PI * hz[r]).powi(2))
            .collect();
        let zeta: Vec<f64> = at.iter().map(|p| p.1).collect();
        let rho = correlation(rule, hz, &zeta);
        let blocks = sweep.node_blocks(modes, |u, s| block_peaks(u, s, &q, zpa, &rho));
        let mut out = SpectrumResponse {
            peak_coordinates: q,
            spectrum_values: values,
            zero_period: zpa,
            ..Default::default()
        };
        for b in blocks {
            out.displacement.extend(b.displacement);
            out.stress.extend(b.stress);
            out.von_mises.extend(b.von_mises);
        }
        if let Some(bad) = out.von_mises.iter().find(|v| !v.is_finite()) {
            return Err(SolverError::Dynamics(format!(
                "response spectrum: a non-finite stress ({bad}) — check the spectrum"
            )));
        }
        Ok((sweep, out))
    }
}

/// Combined peaks of one block of nodes from its column values (`u`: 3 rows a node,
/// `s`: 6 rows a node; modes, then the static correction).
fn block_peaks(
    u: &DMatrix<f64>,
    s: &DMatrix<f64>,
    q: &[f64],
    zpa: f64,
    rho: &[Vec<f64>],
) -> SpectrumResponse {
    let m = q.len();
    let modal =
        |x: &DMatrix<f64>, i: usize| -> Vec<f64> { (0..m).map(|r| q[r] * x[(i, r)]).collect() };
    let peak = |x: &DMatrix<f64>, i: usize| {
        let a = modal(x, i);
        (combine(rho, &a, &a) + (zpa * x[(i, m)]).powi(2))
            .max(0.0)
            .sqrt()
    };
    let mut out = SpectrumResponse::default();
    for n in 0..u.nrows() / 3 {
        out.displacement.extend((0..3).map(|c| peak(u, 3 * n + c)));
        out.stress.extend((0..6).map(|c| peak(s, 6 * n + c)));
        let modes: Vec<[f64; 6]> = (0..m)
            .map(|r| std::array::from_fn(|c| q[r] * s[(6 * n + c, r)]))
            .collect();
        let missing: [f64; 6] = std::array::from_fn(|c| zpa * s[(6 * n + c, m)]);
        let mut vm2 = von_mises_form(&missing, &missing);
        for (i, row) in rho.iter().enumerate() {
            for (j, &r) in row.iter().enumerate() {
                let f = von_mises_form(&modes[i], &modes[j]);
                vm2 += if r.is_nan() { f.abs() } else { r * f };
            }
        }
        out.von_mises.push(vm2.max(0.0).sqrt());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The undamped half-sine SRS in closed form: during the pulse the oscillator's
    /// absolute acceleration is A ω²/(ω² − Ω²) (sin Ωt − (Ω/ω) sin ωt), Ω = π/T; after
    /// it, free vibration of amplitude A · 4r |cos πr| / |4r² − 1|, r = fT.
    fn half_sine_exact(f: f64, a: f64, t_pulse: f64) -> f64 {
        let (w, big) = (2.0 * PI * f, PI / t_pulse);
        let during = (0..=20000)
            .map(|k| {
                let t = t_pulse * k as f64 / 20000.0;
                (a * w * w / (w * w - big * big) * ((big * t).sin() - big / w * (w * t).sin()))
                    .abs()
            })
            .fold(0.0, f64::max);
        let r = f * t_pulse;
        let residual = a * 4.0 * r * (PI * r).cos().abs() / (4.0 * r * r - 1.0).abs();
        during.max(residual)
    }

    #[test]
    fn half_sine_srs_matches_its_closed_form() {
        let pulse = Pulse::HalfSine {
            peak: 100.0,
            duration: 0.011,
        };
        let f = [10.0, 30.0, 60.0, 100.0, 250.0, 700.0, 2000.0];
        let s = srs(&pulse.history(1e-5), &f, 0.0).unwrap();
        for (&fi, &si) in f.iter().zip(&s) {
            let exact = half_sine_exact(fi, 100.0, 0.011);
            assert!((si / exact - 1.0).abs() < 5e-3, "{fi} Hz: {si} vs {exact}");
        }
        // High frequency: the oscillator follows the base, A (1 + 1/2fT); the classic
        // maximum is about 1.77 A near f T ≈ 0.8.
        assert!((s[6] / 100.0 - (1.0 + 1.0 / (2.0 * 2000.0 * 0.011))).abs() < 0.005);
        let peak = srs(&pulse.history(1e-5), &[0.8 / 0.011], 0.0).unwrap()[0];
        assert!((peak / 100.0 - 1.77).abs() < 0.02, "{peak}");
    }

    #[test]
    fn cqc_tends_to_srss_for_separated_modes_and_to_the_sum_for_equal_ones() {
        let rho = correlation(Combination::Cqc, &[10.0, 100.0], &[0.05, 0.05]);
        assert!(rho[0][1] < 1e-3);
        let rho = correlation(Combination::Cqc, &[10.0, 10.0], &[0.05, 0.05]);
        assert!((rho[0][1] - 1.0).abs() < 1e-12);
        let ten = correlation(Combination::TenPercent, &[10.0, 10.5, 20.0], &[0.05; 3]);
        assert_eq!(combine(&ten, &[1.0, -1.0, 1.0], &[1.0, -1.0, 1.0]), 5.0);
    }
}
