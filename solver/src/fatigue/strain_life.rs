//! Strain-life: the local stress and strain at a notch root from the linear FE stress
//! (Neuber's or Glinka's rule on the cyclic stress–strain curve), hysteresis loops with
//! Masing's rule and material memory, and the Coffin–Manson–Basquin strain-life curve.
//!
//! Why this way: where a notch yields, the elastic FE stress S overstates the stress
//! and understates the strain, and stress-life (fitted in the high-cycle, elastic
//! regime) misjudges lives of 10²–10⁵ cycles. The linear FE stress at a node is the
//! pseudo-elastic notch stress K_t S_nominal the notch rules start from, so no
//! plastic FE analysis is needed: each reversal's local state follows from the one its
//! branch starts at, by the rule applied to the range (Masing: the branch is the cyclic
//! curve doubled). The branch's origin is the rainflow stack's: when a loop closes, the
//! material returns to the branch it left (memory), which is exactly what the
//! three-point rule does with the points it drops. The history is read from its largest
//! absolute peak round again to it (a repeated duty cycle), the first peak reached on
//! the cyclic curve itself; every loop is then closed and counted once.

/// The cyclic and strain-life constants of a material (SAE J1099 names; Pa).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StrainLife {
    /// Young's modulus E.
    pub modulus: f64,
    /// Fatigue strength coefficient σ'_f and exponent b (< 0).
    pub strength_coefficient: f64,
    pub strength_exponent: f64,
    /// Fatigue ductility coefficient ε'_f and exponent c (< 0).
    pub ductility_coefficient: f64,
    pub ductility_exponent: f64,
    /// Cyclic stress–strain curve ε = σ/E + (σ/K')^(1/n').
    pub cyclic_coefficient: f64,
    pub cyclic_exponent: f64,
}

/// The notch rule relating the elastic stress S to the local stress and strain.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Notch {
    /// Neuber: σ ε = S²/E (equal total strain energy product; conservative).
    #[default]
    Neuber,
    /// Glinka: the strain energy density ∫σ dε equals the elastic S²/(2E) (local
    /// plasticity contained; the lower strain of the two).
    Glinka,
}

/// How a loop's mean stress enters the strain-life curve.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum StrainMean {
    /// Coffin–Manson–Basquin as it is: ε_a = σ'_f/E (2N)^b + ε'_f (2N)^c.
    None,
    /// Morrow: σ'_f − σ_m in the elastic term.
    Morrow,
    /// Smith–Watson–Topper: σ_max ε_a = σ'_f²/E (2N)^2b + σ'_f ε'_f (2N)^(b+c); no
    /// damage when σ_max ≤ 0.
    #[default]
    SmithWatsonTopper,
}

/// A strain-life calculation's rules.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LocalStrain {
    pub notch: Notch,
    pub mean: StrainMean,
}

/// A reversal point: its elastic stress and the local stress and strain there.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Local {
    pub elastic: f64,
    pub stress: f64,
    pub strain: f64,
}

/// One closed hysteresis loop.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Loop {
    /// Its elastic stress range (Pa), as the rainflow count of the history has it.
    pub elastic_range: f64,
    /// Local strain amplitude Δε/2, largest local stress and mean local stress.
    pub strain_amplitude: f64,
    pub max_stress: f64,
    pub mean_stress: f64,
}

impl StrainLife {
    /// Checks the constants (all finite; E, σ'_f, ε'_f, K' > 0; b, c in (−1, 0);
    /// n' in (0, 1)).
    pub fn check(&self) -> Result<(), String> {
        let positive = [
            ("Young's modulus", self.modulus),
            ("fatigue strength coefficient", self.strength_coefficient),
            ("fatigue ductility coefficient", self.ductility_coefficient),
            ("cyclic strength coefficient", self.cyclic_coefficient),
        ];
        if let Some((name, v)) = positive.iter().find(|(_, v)| !(v.is_finite() && *v > 0.0)) {
            return Err(format!("{name} {v} must be > 0"));
        }
        let exponents = [
            (
                "fatigue strength exponent",
                self.strength_exponent,
                -1.0,
                0.0,
            ),
            (
                "fatigue ductility exponent",
                self.ductility_exponent,
                -1.0,
                0.0,
            ),
            ("cyclic hardening exponent", self.cyclic_exponent, 0.0, 1.0),
        ];
        for (name, v, lo, hi) in exponents {
            if !(v.is_finite() && v > lo && v < hi) {
                return Err(format!("{name} {v} must lie in ({lo}, {hi})"));
            }
        }
        Ok(())
    }

    /// The local stress and strain ranges (Δσ, Δε) of a branch whose elastic stress
    /// range is `range` ≥ 0: the notch rule on Masing's doubled cyclic curve,
    /// Δε = Δσ/E + 2 (Δσ/2K')^(1/n').
    pub fn branch(&self, range: f64, notch: Notch) -> (f64, f64) {
        if range <= 0.0 {
            return (0.0, 0.0);
        }
        let (e, k, p) = (
            self.modulus,
            self.cyclic_coefficient,
            1.0 / self.cyclic_exponent,
        );
        // Both rules: x²/(κE) + w x (x/2K')^p = ΔS²/(κE).
        let (kappa, w) = match notch {
            Notch::Neuber => (1.0, 2.0),
            Notch::Glinka => (2.0, 2.0 / (1.0 + self.cyclic_exponent)),
        };
        let target = (range * range / (kappa * e)).ln();
        // Newton on u = ln x: ln g(eᵘ) is convex and increasing (a log-sum-exp), so from
        // a point where it is ≥ the target the steps fall monotonically to the root. The
        // smaller of the roots of each term alone is one, and close: elastic x = ΔS;
        // plastic w x^(1+p) (2K')^−p = ΔS²/(κE).
        let plastic_root = (target - w.ln() + p * (2.0 * k).ln()) / (1.0 + p);
        let mut u = range.ln().min(plastic_root);
        for _ in 0..100 {
            let x = u.exp();
            let (elastic, plastic) = (x * x / (kappa * e), w * x * (x / (2.0 * k)).powf(p));
            let g = elastic + plastic;
            let slope = (2.0 * elastic + (1.0 + p) * plastic) / g;
            let step = (g.ln() - target) / slope;
            u -= step;
            if step.abs() < 1e-13 {
                break;
            }
        }
        let x = u.exp();
        (x, x / e + 2.0 * (x / (2.0 * k)).powf(p))
    }

    /// The fully reversed strain amplitude whose life is `reversals` (2N): the
    /// Coffin–Manson–Basquin curve.
    pub fn reversed_amplitude(&self, reversals: f64) -> f64 {
        self.strength_coefficient / self.modulus * reversals.powf(self.strength_exponent)
            + self.ductility_coefficient * reversals.powf(self.ductility_exponent)
    }

    /// Reversals to failure of a fully reversed strain amplitude.
    pub fn reversals_at(&self, amplitude: f64) -> f64 {
        let l = Loop {
            elastic_range: 0.0,
            strain_amplitude: amplitude,
            max_stress: 0.0,
            mean_stress: 0.0,
        };
        self.reversals(&l, StrainMean::None)
    }

    /// Reversals to failure 2N of a loop (∞ when it does no damage).
    pub fn reversals(&self, l: &Loop, mean: StrainMean) -> f64 {
        let (e, sf, b) = (
            self.modulus,
            self.strength_coefficient,
            self.strength_exponent,
        );
        let (ef, c) = (self.ductility_coefficient, self.ductility_exponent);
        // F(x) = A x^α + B x^β = L, x = 2N.
        let (a, alpha, bb, beta, target) = match mean {
            StrainMean::None => (sf / e, b, ef, c, l.strain_amplitude),
            StrainMean::Morrow => ((sf - l.mean_stress) / e, b, ef, c, l.strain_amplitude),
            StrainMean::SmithWatsonTopper => {
                if l.max_stress <= 0.0 {
                    return f64::INFINITY;
                }
                (
                    sf * sf / e,
                    2.0 * b,
                    sf * ef,
                    b + c,
                    l.max_stress * l.strain_amplitude,
                )
            }
        };
        if target <= 0.0 {
            return f64::INFINITY;
        }
        // A mean stress at σ'_f leaves only the plastic term (Morrow's limit).
        let a = a.max(0.0);
        if a + bb <= target {
            return 1.0;
        }
        // Newton on y = ln x for ln F(eʸ) = ln L, convex and decreasing: from a point
        // left of the root the steps rise monotonically to it. Where the larger term
        // alone reaches L, F ≥ L: the later of the two terms' own roots is such a point,
        // within ln 2 / |slope| of the root.
        let single = |coef: f64, exp: f64| {
            if coef > 0.0 {
                (target / coef).ln() / exp
            } else {
                f64::NEG_INFINITY
            }
        };
        let mut y = single(a, alpha).max(single(bb, beta)).max(0.0);
        let ln_target = target.ln();
        for _ in 0..200 {
            let (t1, t2) = (a * (alpha * y).exp(), bb * (beta * y).exp());
            let f = t1 + t2;
            let step = (f.ln() - ln_target) / ((alpha * t1 + beta * t2) / f);
            y -= step;
            if step.abs() < 1e-13 * y.abs().max(1.0) {
                break;
            }
        }
        y.exp()
    }
}

/// Buffers a count reuses (one per thread).
#[derive(Default)]
pub struct Scratch {
    closed: Vec<f64>,
    stack: Vec<Local>,
}

/// The closed hysteresis loops of a repeated history's turning points (elastic stress,
/// `scale` applied), `visit`ed as they close.
pub fn loops(
    points: &[f64],
    scale: f64,
    material: &StrainLife,
    notch: Notch,
    scratch: &mut Scratch,
    mut visit: impl FnMut(Loop),
) {
    if points.len() < 2 {
        return;
    }
    let closed = &mut scratch.closed;
    super::rainflow::close(points, scale, closed);
    let stack = &mut scratch.stack;
    stack.clear();
    for &s in closed.iter() {
        stack.push(Local {
            elastic: s,
            ..Default::default()
        });
        // The three-point rule: the range before the latest is a loop when the latest
        // is at least as large; its two points are dropped (the start's too: in a
        // closed history the loop through it is full).
        while let [.., a, b, c] = stack[..] {
            if (c.elastic - b.elastic).abs() < (b.elastic - a.elastic).abs() {
                break;
            }
            visit(hysteresis(&a, &b));
            let n = stack.len();
            stack[n - 3] = stack[n - 1];
            stack.truncate(n - 2);
        }
        // The new point's branch starts at the point under it (after the closed loops
        // are gone: memory); the first, at zero on the cyclic curve itself (the doubled
        // curve at twice the stress, halved).
        let n = stack.len();
        stack[n - 1] = match n {
            1 => {
                let (ds, de) = material.branch(2.0 * s.abs(), notch);
                Local {
                    elastic: s,
                    stress: 0.5 * ds.copysign(s),
                    strain: 0.5 * de.copysign(s),
                }
            }
            _ => {
                let o = stack[n - 2];
                let (ds, de) = material.branch((s - o.elastic).abs(), notch);
                let sign = if s > o.elastic { 1.0 } else { -1.0 };
                Local {
                    elastic: s,
                    stress: o.stress + sign * ds,
                    strain: o.strain + sign * de,
                }
            }
        };
    }
}

/// The loop between two reversal points.
fn hysteresis(a: &Local, b: &Local) -> Loop {
    Loop {
        elastic_range: (a.elastic - b.elastic).abs(),
        strain_amplitude: 0.5 * (a.strain - b.strain).abs(),
        max_stress: a.stress.max(b.stress),
        mean_stress: 0.5 * (a.stress + b.stress),
    }
}

/// Palmgren–Miner damage of one pass of a repeated history (its turning points).
pub fn damage(
    points: &[f64],
    scale: f64,
    material: &StrainLife,
    rules: LocalStrain,
    scratch: &mut Scratch,
) -> f64 {
    let mut d = 0.0;
    loops(points, scale, material, rules.notch, scratch, |l| {
        d += 2.0 / material.reversals(&l, rules.mean);
    });
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The Uniform Material Law's steel (Bäumel & Seeger) for S_u = 500 MPa.
    const STEEL: StrainLife = StrainLife {
        modulus: 210e9,
        strength_coefficient: 750e6,
        strength_exponent: -0.087,
        ductility_coefficient: 0.59,
        ductility_exponent: -0.58,
        cyclic_coefficient: 825e6,
        cyclic_exponent: 0.15,
    };

    fn cyclic_strain(m: &StrainLife, s: f64) -> f64 {
        s / m.modulus + (s / m.cyclic_coefficient).powf(1.0 / m.cyclic_exponent)
    }

    /// The local state of a first peak lies on the cyclic curve and satisfies each rule:
    /// Neuber σε = S²/E; Glinka σ²/2E + σ/(n'+1) (σ/K')^(1/n') = S²/2E. Glinka's strain
    /// is the smaller; far below yield both give σ = S.
    #[test]
    fn notch_rules_hold_on_the_cyclic_curve() {
        let m = STEEL;
        for s in [50e6, 300e6, 600e6, 1200e6] {
            let (ds, de) = m.branch(2.0 * s, Notch::Neuber);
            let (sigma, eps) = (ds / 2.0, de / 2.0);
            assert!((eps / cyclic_strain(&m, sigma) - 1.0).abs() < 1e-12);
            assert!(
                (sigma * eps / (s * s / m.modulus) - 1.0).abs() < 1e-12,
                "{s}"
            );
            let (gs, ge) = m.branch(2.0 * s, Notch::Glinka);
            let (gs, ge) = (gs / 2.0, ge / 2.0);
            let n = m.cyclic_exponent;
            let energy = gs * gs / (2.0 * m.modulus)
                + gs / (n + 1.0) * (gs / m.cyclic_coefficient).powf(1.0 / n);
            assert!((energy / (s * s / (2.0 * m.modulus)) - 1.0).abs() < 1e-12);
            // The same curve: Glinka's point lies below Neuber's on it.
            assert!(ge < eps && gs < sigma, "{s}");
        }
        let (ds, _) = m.branch(2.0 * 50e6, Notch::Neuber);
        assert!((ds / 100e6 - 1.0).abs() < 1e-4);
    }

    /// Reversals to failure satisfy each curve's equation, by substitution.
    #[test]
    fn reversals_solve_the_strain_life_curve() {
        let m = STEEL;
        let e = m.modulus;
        for (ea, smax, sm) in [
            (0.01, 500e6, 100e6),
            (0.002, 300e6, -50e6),
            (0.0008, 160e6, 0.0),
        ] {
            let l = Loop {
                elastic_range: 0.0,
                strain_amplitude: ea,
                max_stress: smax,
                mean_stress: sm,
            };
            let lhs = |x: f64, mean: StrainMean| match mean {
                StrainMean::None => {
                    m.strength_coefficient / e * x.powf(m.strength_exponent)
                        + m.ductility_coefficient * x.powf(m.ductility_exponent)
                }
                StrainMean::Morrow => {
                    (m.strength_coefficient - sm) / e * x.powf(m.strength_exponent)
                        + m.ductility_coefficient * x.powf(m.ductility_exponent)
                }
                StrainMean::SmithWatsonTopper => {
                    (m.strength_coefficient.powi(2) / e * x.powf(2.0 * m.strength_exponent)
                        + m.strength_coefficient
                            * m.ductility_coefficient
                            * x.powf(m.strength_exponent + m.ductility_exponent))
                        / smax
                }
            };
            for mean in [
                StrainMean::None,
                StrainMean::Morrow,
                StrainMean::SmithWatsonTopper,
            ] {
                let x = m.reversals(&l, mean);
                assert!(
                    x > 1.0 && (lhs(x, mean) / ea - 1.0).abs() < 1e-10,
                    "{mean:?}"
                );
            }
        }
        // Beyond the curve's start: failure in the first reversal; SWT with σ_max ≤ 0: none.
        let huge = Loop {
            elastic_range: 0.0,
            strain_amplitude: 5.0,
            max_stress: 1e9,
            mean_stress: 0.0,
        };
        assert_eq!(m.reversals(&huge, StrainMean::None), 1.0);
        let compressive = Loop {
            max_stress: -1.0,
            ..huge
        };
        assert_eq!(
            m.reversals(&compressive, StrainMean::SmithWatsonTopper),
            f64::INFINITY
        );
    }

    /// In the elastic regime (K' so large that nothing yields, ε'_f negligible) the
    /// strain-life damage of fully reversed cycles is the stress-life damage of the
    /// same Basquin curve.
    #[test]
    fn elastic_strain_life_is_stress_life() {
        let m = StrainLife {
            ductility_coefficient: 1e-30,
            cyclic_coefficient: 1e30,
            ..STEEL
        };
        let s = 400e6;
        let h: Vec<f64> = (0..=20).map(|k| if k % 2 == 0 { s } else { -s }).collect();
        let rules = LocalStrain {
            notch: Notch::Neuber,
            mean: StrainMean::None,
        };
        let d = damage(&h, 1.0, &m, rules, &mut Scratch::default());
        let curve = super::super::sn::SnCurve {
            coefficient: m.strength_coefficient,
            exponent: m.strength_exponent,
            endurance_limit: None,
        };
        assert!((d * curve.cycles(s) / 10.0 - 1.0).abs() < 1e-9, "{d}");
    }

    /// Material memory: a small loop inside a large one leaves the large loop as it
    /// is without it (same strain amplitude and stresses), and the small loop's
    /// range follows from its own elastic range alone.
    #[test]
    fn an_inner_loop_does_not_change_the_outer_one() {
        let m = STEEL;
        let mut big = Vec::new();
        loops(
            &[900e6, -700e6, 900e6],
            1.0,
            &m,
            Notch::Neuber,
            &mut Scratch::default(),
            |l| big.push(l),
        );
        let mut both = Vec::new();
        let h = [900e6, -700e6, 100e6, -300e6, 900e6];
        loops(&h, 1.0, &m, Notch::Neuber, &mut Scratch::default(), |l| {
            both.push(l)
        });
        assert_eq!((big.len(), both.len()), (1, 2));
        let outer = both.iter().find(|l| l.elastic_range > 1e9).unwrap();
        for (x, y) in [
            (outer.strain_amplitude, big[0].strain_amplitude),
            (outer.max_stress, big[0].max_stress),
            (outer.mean_stress, big[0].mean_stress),
        ] {
            assert!((x / y - 1.0).abs() < 1e-12, "{x} vs {y}");
        }
        let inner = both.iter().find(|l| l.elastic_range < 1e9).unwrap();
        let (_, de) = m.branch(400e6, Notch::Neuber);
        assert!((inner.strain_amplitude / (0.5 * de) - 1.0).abs() < 1e-12);
        // The outer loop's peak is the first peak's state on the cyclic curve.
        let (ds, _) = m.branch(1800e6, Notch::Neuber);
        assert!((big[0].max_stress / (0.5 * ds) - 1.0).abs() < 1e-12);
    }

    /// A tensile overload shifts the later loops' mean stress down (the notch root
    /// yields in tension and unloads to a compressive residual stress): SWT then gives
    /// them a longer life than the same cycles about zero. The local mean of a
    /// zero-to-tension history that yields is below the elastic mean S/2.
    #[test]
    fn yielding_relaxes_the_local_mean_stress() {
        let m = STEEL;
        let s = 1000e6;
        let h: Vec<f64> = (0..=20).map(|k| if k % 2 == 0 { s } else { 0.0 }).collect();
        let mut seen = Vec::new();
        loops(&h, 1.0, &m, Notch::Neuber, &mut Scratch::default(), |l| {
            seen.push(l)
        });
        assert_eq!(seen.len(), 10);
        for l in &seen {
            assert!(l.mean_stress < 0.5 * l.max_stress && l.mean_stress < 0.5 * s);
        }
    }
}
