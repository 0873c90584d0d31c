//! Spectral fatigue: the damage rate of a stationary Gaussian stress from the moments
//! of its power spectral density, without a time history — what a random-vibration
//! response gives (`crate::random`).
//!
//! Why these methods: the narrow-band formula (Bendat 1964) is exact for a process
//! whose every peak is a cycle, with Rayleigh amplitudes at the zero up-crossing rate,
//! and conservative for broad-band ones; Dirlik's (1985) empirical amplitude density,
//! from m₀, m₁, m₂ and m₄, is the one that matches rainflow counts of broad-band
//! signals best in the published comparisons (Bishop & Sherratt; Halfpenny 1999), at
//! the peak rate. Both are integrated numerically over the S–N curve, so that an
//! endurance limit (below which a cycle does no damage) is honoured; without one the
//! narrow-band integral has the closed form ν₀ T 2 (√(2m₀)/σ'_f)^k Γ(1 + k/2), k = −1/b,
//! the check of the integration.
//!
//! The multiaxial stress is taken as its equivalent von Mises process, the Gaussian
//! process whose PSD is the trace of Q times the stress cross-spectra (Preumont &
//! Piefort 1994): its mean square is the von Mises mean square; it has zero mean, so no
//! mean-stress correction applies.

use super::sn::SnCurve;

/// Spectral moments mₙ = ∫ fⁿ S(f) df of a one-sided stress PSD (Pa² Hzⁿ).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Moments {
    pub m0: f64,
    pub m1: f64,
    pub m2: f64,
    pub m4: f64,
}

impl Moments {
    /// The moments of a sampled PSD: (Hz, value) points, trapezoidal rule.
    pub fn of_table(points: &[(f64, f64)]) -> Self {
        let mut m = Self::default();
        for w in points.windows(2) {
            let ((f0, s0), (f1, s1)) = (w[0], w[1]);
            let h = 0.5 * (f1 - f0);
            m.m0 += h * (s0 + s1);
            m.m1 += h * (f0 * s0 + f1 * s1);
            m.m2 += h * (f0 * f0 * s0 + f1 * f1 * s1);
            m.m4 += h * (f0.powi(4) * s0 + f1.powi(4) * s1);
        }
        m
    }

    /// Expected zero up-crossings a second, √(m₂/m₀) (Hz).
    pub fn zero_crossing_rate(&self) -> f64 {
        (self.m2 / self.m0).sqrt()
    }

    /// Expected peaks a second, √(m₄/m₂) (Hz).
    pub fn peak_rate(&self) -> f64 {
        (self.m4 / self.m2).sqrt()
    }

    /// The irregularity factor γ = m₂/√(m₀m₄) ∈ (0, 1]: 1 for a narrow band.
    pub fn irregularity(&self) -> f64 {
        self.m2 / (self.m0 * self.m4).sqrt()
    }

    fn check(&self) -> Result<(), String> {
        let all = [self.m0, self.m1, self.m2, self.m4];
        if all.iter().any(|m| !(m.is_finite() && *m >= 0.0)) {
            return Err(format!("spectral moments must be finite and ≥ 0: {self:?}"));
        }
        Ok(())
    }
}

/// How the distribution of cycle amplitudes is estimated from the moments.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Method {
    /// Rayleigh amplitudes at the zero up-crossing rate (exact for a narrow band,
    /// conservative otherwise).
    NarrowBand,
    /// Dirlik's empirical density of rainflow ranges at the peak rate.
    #[default]
    Dirlik,
}

/// Above this irregularity factor Dirlik's constants degenerate (0/0) and his density
/// is the Rayleigh one: the narrow-band formula is used.
const NARROW: f64 = 1.0 - 1e-6;

/// The expected damage a second (Miner's sum of one second of the process) of a
/// stationary Gaussian stress with moments `m`, its amplitudes scaled by
/// `stress_factor`, on `curve`.
pub fn damage_rate(
    m: &Moments,
    curve: &SnCurve,
    stress_factor: f64,
    method: Method,
) -> Result<f64, String> {
    m.check()?;
    curve.check()?;
    if m.m0 == 0.0 || m.m2 == 0.0 {
        return Ok(0.0);
    }
    // The amplitude density as terms w·e^(−z/Q)/Q (exponential) or w·z/s²·e^(−z²/2s²)
    // (Rayleigh) of z = a/√m₀ (Dirlik's Z: half the range over √m₀), at the rate of
    // cycles: Dirlik's at the peak rate, Rayleigh's alone at the zero up-crossing rate.
    let gamma = m.irregularity();
    let (rate, terms) = match method {
        Method::Dirlik if gamma.is_finite() && gamma < NARROW => {
            let Dirlik { d1, d2, d3, q, r } = dirlik_constants(m)?;
            let terms = [
                (d1, Term::Exponential(q)),
                (d2, Term::Rayleigh(r)),
                (d3, Term::Rayleigh(1.0)),
            ];
            (m.peak_rate(), terms)
        }
        _ => {
            let rayleigh = (0.0, Term::Rayleigh(1.0));
            (
                m.zero_crossing_rate(),
                [(1.0, Term::Rayleigh(1.0)), rayleigh, rayleigh],
            )
        }
    };
    // 1/N(a) = 2 (a/σ'_f)^k at a = z √m₀ × stress factor, zero below the endurance limit.
    let scale = stress_factor * m.m0.sqrt();
    let k = -1.0 / curve.exponent;
    let z_low = curve.endurance_limit.map_or(0.0, |e| e / scale);
    let per_cycle = |z: f64| {
        if z > 0.0 {
            2.0 * (k * (z * scale / curve.coefficient).ln()).exp()
        } else {
            0.0
        }
    };
    let mut integral = 0.0;
    for (weight, term) in terms {
        let z_high = term.upper(k);
        if weight != 0.0 && z_low < z_high {
            integral += weight * simpson(|z| term.density(z) * per_cycle(z), z_low, z_high, 1000);
        }
    }
    let d = rate * integral;
    if d.is_finite() {
        Ok(d)
    } else {
        Err(format!("damage rate {d} is not finite ({m:?})"))
    }
}

/// A term of an amplitude density (see [`damage_rate`]).
#[derive(Clone, Copy)]
enum Term {
    Exponential(f64),
    Rayleigh(f64),
}

impl Term {
    fn density(self, z: f64) -> f64 {
        match self {
            Self::Exponential(q) => (-z / q).exp() / q,
            Self::Rayleigh(s) => z / (s * s) * (-z * z / (2.0 * s * s)).exp(),
        }
    }

    /// Far enough that z^k times the term's tail is below 1e-25 of its peak.
    fn upper(self, k: f64) -> f64 {
        match self {
            Self::Exponential(q) => q * (k + 80.0),
            Self::Rayleigh(s) => s * (2.0 * (k + 1.0).sqrt() + 12.0),
        }
    }
}

/// Dirlik's constants.
struct Dirlik {
    d1: f64,
    d2: f64,
    d3: f64,
    q: f64,
    r: f64,
}

fn dirlik_constants(m: &Moments) -> Result<Dirlik, String> {
    let gamma = m.irregularity();
    let xm = m.m1 / m.m0 * (m.m2 / m.m4).sqrt();
    let d1 = 2.0 * (xm - gamma * gamma) / (1.0 + gamma * gamma);
    let r = (gamma - xm - d1 * d1) / (1.0 - gamma - d1 + d1 * d1);
    let d2 = (1.0 - gamma - d1 + d1 * d1) / (1.0 - r);
    let d3 = 1.0 - d1 - d2;
    let q = 1.25 * (gamma - d3 - d2 * r) / d1;
    // R enters the density as R² (a Rayleigh scale |R|): a spectrum whose m₄ comes
    // mostly from a high-frequency tail can make R slightly negative, and the density
    // is still a density. It is one as long as the weights are ≥ 0 and Q, R ≠ 0.
    let c = Dirlik {
        d1,
        d2,
        d3,
        q,
        r: r.abs(),
    };
    let weights_ok = [d1, d2, d3].iter().all(|w| *w >= 0.0);
    if [d1, d2, d3, q, r].iter().all(|v| v.is_finite()) && weights_ok && q > 0.0 && r != 0.0 {
        Ok(c)
    } else {
        Err(format!(
            "Dirlik's density is not defined for these moments ({m:?}: D1 {d1}, D2 {d2}, D3 {d3}, Q {q}, R {r}); method = \"narrow_band\" is (conservatively)"
        ))
    }
}

/// Composite Simpson's rule with `n` (even) intervals.
fn simpson(f: impl Fn(f64) -> f64, a: f64, b: f64, n: usize) -> f64 {
    let h = (b - a) / n as f64;
    let inner: f64 = (1..n)
        .map(|i| f(a + i as f64 * h) * if i % 2 == 1 { 4.0 } else { 2.0 })
        .sum();
    h / 3.0 * (f(a) + inner + f(b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fatigue::rainflow::{count, turning_points, Residue};
    use crate::fatigue::sn::{damage, MeanStress, Strengths};

    const CURVE: SnCurve = SnCurve {
        coefficient: 900e6,
        exponent: -0.2, // k = 5
        endurance_limit: None,
    };

    fn gamma(x: f64) -> f64 {
        // Lanczos (g = 7, n = 9), 1e-15 for x > 0.5.
        const G: [f64; 9] = [
            0.999_999_999_999_809_9,
            676.520_368_121_885_1,
            -1_259.139_216_722_402_8,
            771.323_428_777_653_1,
            -176.615_029_162_140_6,
            12.507_343_278_686_905,
            -0.138_571_095_265_720_12,
            9.984_369_578_019_572e-6,
            1.505_632_735_149_311_6e-7,
        ];
        let x = x - 1.0;
        let t = x + 7.5;
        let s: f64 = G[0] + (1..9).map(|i| G[i] / (x + i as f64)).sum::<f64>();
        (2.0 * std::f64::consts::PI).sqrt() * t.powf(x + 0.5) * (-t).exp() * s
    }

    /// The narrow-band integral against its closed form ν₀ 2 (√(2m₀)/σ'_f)^k Γ(1 + k/2).
    #[test]
    fn narrow_band_integral_is_the_closed_form() {
        let m = Moments::of_table(&[(95.0, 1e12), (105.0, 1e12)]);
        for exponent in [-0.1, -0.2, -1.0 / 3.0] {
            let curve = SnCurve { exponent, ..CURVE };
            let k = -1.0 / exponent;
            let exact = m.zero_crossing_rate()
                * 2.0
                * ((2.0 * m.m0).sqrt() / curve.coefficient).powf(k)
                * gamma(1.0 + k / 2.0);
            let ours = damage_rate(&m, &curve, 1.0, Method::NarrowBand).unwrap();
            eprintln!("k {k}: {:.1e}", ours / exact - 1.0);
            assert!(
                (ours / exact - 1.0).abs() < 1e-9,
                "k {k}: {ours} vs {exact}"
            );
        }
    }

    /// The same moments through FLife 2.3 (Slavič et al., `pip install FLife`; its
    /// Dirlik and narrow-band with N = C S^−k, C = ½σ'_f^k, S the amplitude): a PSD of
    /// 10¹⁵ Pa²/Hz over 10–20 Hz and 10¹⁴ over 100–200 Hz. FLife's moments are in
    /// powers of rad/s; here in Hz.
    #[test]
    fn dirlik_and_narrow_band_match_an_independent_implementation() {
        let w = 2.0 * std::f64::consts::PI;
        let m = Moments {
            m0: 2.00110000e16,
            m1: 1.03691407e19 / w,
            m2: 9.30483275e21 / w.powi(2),
            m4: 9.66527425e27 / w.powi(4),
        };
        let dirlik = damage_rate(&m, &CURVE, 1.0, Method::Dirlik).unwrap();
        let narrow = damage_rate(&m, &CURVE, 1.0, Method::NarrowBand).unwrap();
        eprintln!(
            "FLife: Dirlik {:.1e}, narrow band {:.1e}",
            dirlik / 1.9041188047e-1 - 1.0,
            narrow / 3.9145392079e-1 - 1.0
        );
        assert!((dirlik / 1.9041188047e-1 - 1.0).abs() < 1e-6, "{dirlik}");
        assert!((narrow / 3.9145392079e-1 - 1.0).abs() < 1e-6, "{narrow}");
    }

    /// A Gaussian signal of one-sided PSD `bands` (Hz from, Hz to, Pa²/Hz): random
    /// phases on jittered frequencies (not periodic), `fs` samples a second for
    /// `seconds`; and the moments of the same discrete spectrum.
    fn synthesise(
        bands: &[(f64, f64, f64)],
        fs: f64,
        seconds: f64,
        seed: u64,
    ) -> (Vec<f64>, Moments) {
        let mut x = seed;
        let mut uniform = move || {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (x >> 11) as f64 / (1u64 << 53) as f64
        };
        let mut lines = Vec::new();
        let mut m = Moments::default();
        for &(lo, hi, s) in bands {
            let n = 100;
            let df = (hi - lo) / n as f64;
            for j in 0..n {
                let f = lo + (j as f64 + uniform()) * df;
                let power = s * df;
                (m.m0, m.m1, m.m2, m.m4) = (
                    m.m0 + power,
                    m.m1 + power * f,
                    m.m2 + power * f * f,
                    m.m4 + power * f.powi(4),
                );
                let phase = 2.0 * std::f64::consts::PI * uniform();
                lines.push((
                    (2.0 * power).sqrt(),
                    2.0 * std::f64::consts::PI * f / fs,
                    phase,
                ));
            }
        }
        let samples = (fs * seconds) as usize;
        let mut signal = vec![0.0; samples];
        for (a, w, p) in lines {
            // A rotating phasor, renormalised now and then.
            let (c, s) = (w.cos(), w.sin());
            let (mut re, mut im) = (p.cos(), p.sin());
            for (i, v) in signal.iter_mut().enumerate() {
                *v += a * re;
                (re, im) = (re * c - im * s, re * s + im * c);
                if i % 4096 == 0 {
                    let norm = (re * re + im * im).sqrt();
                    (re, im) = (re / norm, im / norm);
                }
            }
        }
        (signal, m)
    }

    fn time_domain_rate(signal: &[f64], seconds: f64, curve: &SnCurve) -> f64 {
        let mut cycles = Vec::new();
        count(
            &turning_points(signal.iter().copied()),
            Residue::Repeated,
            |c| cycles.push(c),
        );
        let s = Strengths {
            ultimate: f64::INFINITY,
            yield_strength: f64::INFINITY,
        };
        damage(cycles, curve, MeanStress::None, s, 1.0) / seconds
    }

    /// Against the rainflow count of synthesised signals (3 seeds × 200 s, k = 5):
    /// a narrow band (every peak a cycle): both within 3 % (measured 0.02 %, 0.2 %);
    /// a flat wide band: Dirlik within 8 % (measured −6.4 %), narrow-band conservative
    /// (+20 %); two well-separated bands: narrow-band conservative (×1.6–2.1), Dirlik
    /// 23–28 % low — its known weakness on bimodal spectra, which FLife 2.3's Dirlik
    /// shows on its own signals too (×0.70, ×0.77): the README says so.
    #[test]
    fn spectral_damage_against_rainflow_of_synthesised_signals() {
        let cases = [
            ("narrow", vec![(95.0, 105.0, 1e14)], 10_000.0),
            ("wide", vec![(20.0, 500.0, 1e13)], 10_000.0),
            (
                "bimodal",
                vec![(5.0, 10.0, 4e15), (80.0, 120.0, 2.5e14)],
                4000.0,
            ),
            (
                "bimodal_even",
                vec![(10.0, 20.0, 1e15), (100.0, 200.0, 1e14)],
                4000.0,
            ),
        ];
        let seconds = 200.0;
        for (name, bands, fs) in cases {
            let (mut td, mut nb, mut dk) = (0.0, 0.0, 0.0);
            for seed in 1..=3 {
                let (signal, m) = synthesise(&bands, fs, seconds, seed);
                td += time_domain_rate(&signal, seconds, &CURVE);
                nb += damage_rate(&m, &CURVE, 1.0, Method::NarrowBand).unwrap();
                dk += damage_rate(&m, &CURVE, 1.0, Method::Dirlik).unwrap();
            }
            let (nb, dk) = (nb / td, dk / td);
            eprintln!("{name}: time domain {td:.4e}, narrow band {nb:.4} ×, Dirlik {dk:.4} ×");
            let (dirlik_within, narrow_band_at_least) = match name {
                "narrow" => (0.03, 0.97),
                "wide" => (0.08, 1.0),
                _ => (0.35, 1.0),
            };
            assert!((dk - 1.0).abs() < dirlik_within, "{name}: Dirlik {dk}");
            assert!(nb >= narrow_band_at_least, "{name}: narrow band {nb}");
            if name == "narrow" {
                assert!((nb - 1.0).abs() < 0.03, "{name}: narrow band {nb}");
            }
        }
    }
}
