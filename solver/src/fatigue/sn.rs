//! Stress-life: the S–N curve, the mean-stress corrections that turn a counted cycle
//! into the fully reversed amplitude the curve is for, and Palmgren–Miner damage.
//!
//! Why these forms: Basquin's σ_a = σ'_f (2N)^b with an endurance limit is how material
//! data sheets and the standards (e.g. MMPDS, Shigley) give high-cycle data, and the
//! five corrections are the ones durability tools offer; each is stated with what it
//! does to compressive means, where they differ.

use super::rainflow::Cycle;

/// A stress-life curve: σ_a = σ'_f (2N)^b, no damage below the endurance limit.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SnCurve {
    /// Fatigue strength coefficient σ'_f (Pa).
    pub coefficient: f64,
    /// Fatigue strength (Basquin) exponent b (< 0).
    pub exponent: f64,
    /// Fully reversed amplitude (Pa) below which a cycle does no damage; `None`: the
    /// Basquin line goes on (conservative for materials without a knee).
    pub endurance_limit: Option<f64>,
}

impl SnCurve {
    /// Checks the constants: σ'_f > 0, −1 < b < 0, endurance limit > 0.
    pub fn check(&self) -> Result<(), String> {
        if !(self.coefficient.is_finite() && self.coefficient > 0.0) {
            return Err(format!(
                "fatigue strength coefficient {} must be > 0",
                self.coefficient
            ));
        }
        if !(self.exponent.is_finite() && self.exponent < 0.0 && self.exponent > -1.0) {
            return Err(format!(
                "fatigue strength exponent {} must lie in (−1, 0)",
                self.exponent
            ));
        }
        if let Some(e) = self
            .endurance_limit
            .filter(|e| !(e.is_finite() && *e > 0.0))
        {
            return Err(format!("endurance limit {e} must be > 0"));
        }
        Ok(())
    }

    /// Cycles to failure at the fully reversed amplitude `amplitude` (∞ below the
    /// endurance limit or at zero amplitude).
    pub fn cycles(&self, amplitude: f64) -> f64 {
        if amplitude <= 0.0 || self.endurance_limit.is_some_and(|e| amplitude < e) {
            return f64::INFINITY;
        }
        0.5 * (amplitude / self.coefficient).powf(1.0 / self.exponent)
    }
}

/// How a cycle's mean stress changes its effect.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub enum MeanStress {
    /// The amplitude alone.
    None,
    /// σ_ar = σ_a / (1 − σ_m / S_u) for tensile means; compressive means are given no
    /// benefit (σ_ar = σ_a), the usual conservative reading.
    #[default]
    Goodman,
    /// σ_ar = σ_a / (1 − (σ_m / S_u)²) for tensile means; σ_a for compressive ones.
    Gerber,
    /// σ_ar = σ_a / (1 − σ_m / S_y) for tensile means; σ_a for compressive ones.
    Soderberg,
    /// Smith–Watson–Topper: σ_ar = √(σ_max σ_a); no damage when σ_max ≤ 0.
    SmithWatsonTopper,
    /// Walker: σ_ar = σ_max^(1−γ) σ_a^γ; no damage when σ_max ≤ 0.
    Walker { gamma: f64 },
}

/// Strengths the corrections divide by (Pa).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Strengths {
    pub ultimate: f64,
    pub yield_strength: f64,
}

impl MeanStress {
    /// The fully reversed amplitude equivalent to a cycle of amplitude `a` and mean
    /// `m` (∞ when the mean reaches the strength the rule divides by: failure).
    pub fn equivalent(&self, a: f64, m: f64, s: Strengths) -> f64 {
        let over = |x: f64, strength: f64| {
            if x <= 0.0 {
                a
            } else if x >= strength {
                f64::INFINITY
            } else {
                a / (1.0 - x / strength)
            }
        };
        match *self {
            Self::None => a,
            Self::Goodman => over(m, s.ultimate),
            Self::Soderberg => over(m, s.yield_strength),
            Self::Gerber if m <= 0.0 => a,
            Self::Gerber if m >= s.ultimate => f64::INFINITY,
            Self::Gerber => a / (1.0 - (m / s.ultimate).powi(2)),
            Self::SmithWatsonTopper if m + a <= 0.0 => 0.0,
            Self::SmithWatsonTopper => ((m + a) * a).sqrt(),
            Self::Walker { .. } if m + a <= 0.0 => 0.0,
            Self::Walker { gamma } => (m + a).powf(1.0 - gamma) * a.powf(gamma),
        }
    }

    /// The largest equivalent amplitude any cycle within ±`bound` can have: what the
    /// screening compares with the endurance limit.
    pub fn bound(&self, bound: f64, s: Strengths) -> f64 {
        match self {
            Self::SmithWatsonTopper | Self::Walker { .. } | Self::None => bound,
            _ => self.equivalent(bound, bound, s),
        }
    }
}

impl MeanStress {
    /// The smallest amplitude of a cycle that can reach the equivalent amplitude `limit`
    /// when its largest stress is at most `bound`: smaller cycles do no damage, and the
    /// count may leave them out (the rainflow gate). Goodman: a/(1 − σ_m/S_u) ≤
    /// a/(1 − bound/S_u); SWT: √(σ_max a) ≤ √(bound a); and so on.
    pub fn gate_amplitude(&self, limit: f64, bound: f64, s: Strengths) -> f64 {
        let below =
            |strength: f64, power: i32| (1.0 - (bound / strength).min(1.0).powi(power)).max(0.0);
        let a = match *self {
            Self::None => limit,
            Self::Goodman => limit * below(s.ultimate, 1),
            Self::Soderberg => limit * below(s.yield_strength, 1),
            Self::Gerber => limit * below(s.ultimate, 2),
            Self::SmithWatsonTopper if bound > 0.0 => limit * limit / bound,
            Self::Walker { gamma } if gamma > 0.0 && bound > 0.0 => {
                (limit / bound.powf(1.0 - gamma)).powf(1.0 / gamma)
            }
            Self::SmithWatsonTopper | Self::Walker { .. } => 0.0,
        };
        // Rounding of the history's sums must not carry a damaging cycle below it.
        a * (1.0 - 1e-9)
    }
}

/// A machined surface's finish, for Marin's surface factor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Surface {
    Ground,
    /// Machined or cold-drawn.
    Machined,
    HotRolled,
    AsForged,
}

/// Marin's modifying factors (Shigley's Mechanical Engineering Design, 10th ed., §6-9):
/// the test specimen's S–N curve is scaled by k_a k_b k_e for the part's surface, size
/// and reliability. vproto scales the whole curve (σ'_f and the endurance limit), the
/// same as dividing every amplitude by the product — Shigley applies them at the
/// endurance limit and joins 0.9 S_u at 10³ cycles: the whole-curve scaling is the more
/// conservative at short lives.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Marin {
    pub surface: Option<Surface>,
    /// Diameter (m) of a round section in bending or torsion (k_b); none: k_b = 1 (axial
    /// loading, or a size the specimen already had).
    pub diameter: Option<f64>,
    /// Survival probability (0.5, 0.9, 0.95, 0.99, 0.999, 0.9999, 0.99999, 0.999999).
    pub reliability: Option<f64>,
}

impl Marin {
    /// k_a k_b k_e for a material of ultimate strength `ultimate` (Pa; needed for k_a).
    pub fn factor(&self, ultimate: Option<f64>) -> Result<f64, String> {
        let ka = match self.surface {
            None => 1.0,
            Some(surface) => {
                // Table 6-2: k_a = a S_ut^b, S_ut in MPa.
                let (a, b) = match surface {
                    Surface::Ground => (1.58, -0.085),
                    Surface::Machined => (4.51, -0.265),
                    Surface::HotRolled => (57.7, -0.718),
                    Surface::AsForged => (272.0, -0.995),
                };
                let su =
                    ultimate.ok_or("the surface factor needs the material's ultimate_strength")?;
                (a * (su * 1e-6).powf(b)).min(1.0)
            }
        };
        // Eq. (6-20), d in mm, bending and torsion of a round section.
        let kb = match self.diameter {
            None => 1.0,
            Some(d) => {
                let mm = d * 1e3;
                if (2.79..=51.0).contains(&mm) {
                    1.24 * mm.powf(-0.107)
                } else if (51.0..=254.0).contains(&mm) {
                    1.51 * mm.powf(-0.157)
                } else {
                    return Err(format!(
                        "diameter {d} m is outside the size factor's 2.79–254 mm"
                    ));
                }
            }
        };
        // Table 6-5.
        const RELIABILITY: [(f64, f64); 8] = [
            (0.5, 1.0),
            (0.9, 0.897),
            (0.95, 0.868),
            (0.99, 0.814),
            (0.999, 0.753),
            (0.9999, 0.702),
            (0.99999, 0.659),
            (0.999999, 0.620),
        ];
        let ke = match self.reliability {
            None => 1.0,
            Some(r) => RELIABILITY
                .iter()
                .find(|(p, _)| (p - r).abs() < 1e-12)
                .map(|(_, k)| *k)
                .ok_or_else(|| format!("reliability {r} is not in Shigley's table 6-5 (0.5, 0.9, 0.95, 0.99, 0.999, 0.9999, 0.99999, 0.999999)"))?,
        };
        Ok(ka * kb * ke)
    }
}

/// Palmgren–Miner damage of cycles: Σ count / N(σ_ar), with the amplitude scaled by
/// `stress_factor` (a fatigue safety or surface/size factor on stress).
pub fn damage(
    cycles: impl IntoIterator<Item = Cycle>,
    curve: &SnCurve,
    rule: MeanStress,
    strengths: Strengths,
    stress_factor: f64,
) -> f64 {
    cycles
        .into_iter()
        .map(|c| cycle_damage(&c, curve, rule, strengths, stress_factor))
        .sum()
}

/// The damage of one cycle, count / N(σ_ar).
#[inline]
pub fn cycle_damage(
    c: &Cycle,
    curve: &SnCurve,
    rule: MeanStress,
    strengths: Strengths,
    stress_factor: f64,
) -> f64 {
    let a = stress_factor * rule.equivalent(0.5 * c.range, c.mean, strengths);
    c.count / curve.cycles(a)
}

#[cfg(test)]
mod tests {
    use super::*;

    const STEEL: SnCurve = SnCurve {
        coefficient: 1000e6,
        exponent: -0.1,
        endurance_limit: Some(200e6),
    };
    const S: Strengths = Strengths {
        ultimate: 600e6,
        yield_strength: 400e6,
    };

    fn cycle(a: f64, m: f64) -> Cycle {
        Cycle {
            range: 2.0 * a,
            mean: m,
            count: 1.0,
        }
    }

    /// Fully reversed constant amplitude: the curve itself, N = ½ (σ_a/σ'_f)^(1/b).
    #[test]
    fn constant_amplitude_life_is_the_curve() {
        let a = 400e6;
        let n = 0.5 * (0.4f64).powf(-10.0);
        assert!((STEEL.cycles(a) / n - 1.0).abs() < 1e-12);
        let d = damage([cycle(a, 0.0)], &STEEL, MeanStress::Goodman, S, 1.0);
        assert!((d * n - 1.0).abs() < 1e-12);
        assert_eq!(STEEL.cycles(199e6), f64::INFINITY);
    }

    /// Each correction against its hand calculation at σ_a = 300, σ_m = 150 MPa.
    #[test]
    fn mean_stress_corrections_by_hand() {
        let (a, m) = (300e6, 150e6);
        let cases = [
            (MeanStress::None, 300e6),
            (MeanStress::Goodman, 300e6 / (1.0 - 150.0 / 600.0)),
            (MeanStress::Gerber, 300e6 / (1.0 - 0.0625)),
            (MeanStress::Soderberg, 300e6 / (1.0 - 150.0 / 400.0)),
            (MeanStress::SmithWatsonTopper, (450e6f64 * 300e6).sqrt()),
            (MeanStress::Walker { gamma: 0.5 }, (450e6f64 * 300e6).sqrt()),
        ];
        for (rule, expected) in cases {
            let got = rule.equivalent(a, m, S);
            assert!(
                (got / expected - 1.0).abs() < 1e-12,
                "{rule:?}: {got} vs {expected}"
            );
        }
        // Compressive means: no benefit for the strength-based rules.
        assert_eq!(MeanStress::Goodman.equivalent(a, -200e6, S), a);
        assert_eq!(MeanStress::SmithWatsonTopper.equivalent(a, -400e6, S), 0.0);
        assert_eq!(MeanStress::Goodman.equivalent(a, 600e6, S), f64::INFINITY);
    }

    /// Two blocks of constant amplitude: Miner's sum n₁/N₁ + n₂/N₂ by hand.
    #[test]
    fn two_level_blocks_sum_by_miner() {
        let (a1, a2) = (400e6, 300e6);
        let (n1, n2) = (0.5 * 0.4f64.powf(-10.0), 0.5 * 0.3f64.powf(-10.0));
        let blocks = std::iter::repeat_n(cycle(a1, 0.0), 100)
            .chain(std::iter::repeat_n(cycle(a2, 0.0), 1000));
        let d = damage(blocks, &STEEL, MeanStress::None, S, 1.0);
        assert!((d / (100.0 / n1 + 1000.0 / n2) - 1.0).abs() < 1e-12);
    }

    /// Marin's factors against Shigley's worked values: a machined surface of S_ut =
    /// 520 MPa (Ex. 6-3: k_a = 4.51 · 520^−0.265 = 0.860), a 32 mm round in bending
    /// (Ex. 6-4 style: 1.24 · 32^−0.107 = 0.859), 99 % reliability 0.814.
    #[test]
    fn marin_factors_follow_shigley() {
        let machined = Marin {
            surface: Some(Surface::Machined),
            ..Default::default()
        };
        let ka = machined.factor(Some(520e6)).unwrap();
        assert!((ka - 4.51 * 520f64.powf(-0.265)).abs() < 1e-12 && (ka - 0.860).abs() < 5e-4);
        let round = Marin {
            diameter: Some(0.032),
            ..Default::default()
        };
        assert!((round.factor(None).unwrap() - 1.24 * 32f64.powf(-0.107)).abs() < 1e-12);
        let reliable = Marin {
            reliability: Some(0.99),
            ..Default::default()
        };
        assert_eq!(reliable.factor(None).unwrap(), 0.814);
        assert!(machined.factor(None).is_err());
        assert!(Marin {
            reliability: Some(0.98),
            ..Default::default()
        }
        .factor(None)
        .is_err());
        assert!(Marin {
            diameter: Some(0.5),
            ..Default::default()
        }
        .factor(None)
        .is_err());
        let all = Marin {
            surface: Some(Surface::Machined),
            diameter: Some(0.032),
            reliability: Some(0.99),
        };
        assert!(
            (all.factor(Some(520e6)).unwrap() - ka * 1.24 * 32f64.powf(-0.107) * 0.814).abs()
                < 1e-12
        );
    }
}
