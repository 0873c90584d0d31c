//! J2 (von Mises) plasticity at a material point: the radial return of Simo & Hughes
//! (Computational Inelasticity, 1998, §3.3) with isotropic hardening along a tabular
//! flow curve and linear kinematic (Prager) hardening, and its consistent tangent.
//!
//! Why this way: the radial return is exact for J2 with linear kinematic hardening — the
//! return direction is the trial one, and one scalar equation gives the plastic
//! multiplier — and its algorithmic tangent is what makes a global Newton iteration
//! converge quadratically (the continuum tangent would not). The flow curve is a table
//! of (equivalent plastic strain, flow stress) points, linear in between and flat after
//! the last (as Abaqus's and CalculiX's `*PLASTIC` read it); a bilinear curve is two
//! points. Strains are small: the large-deformation formulation will feed this update
//! a logarithmic or Green–Lagrange strain.

use crate::material::Voigt;
use nalgebra::{Matrix6, SMatrix};

/// A J2 plastic material: elastic constants, the flow curve and kinematic hardening.
#[derive(Clone, Debug, PartialEq)]
pub struct J2 {
    pub youngs_modulus: f64,
    pub poisson_ratio: f64,
    /// (equivalent plastic strain, true flow stress in Pa) from (0, yield stress), the
    /// plastic strain increasing and the stress not falling; flat after the last point.
    /// [(0, ∞)]: a material that never yields.
    pub curve: Vec<(f64, f64)>,
    /// Linear kinematic hardening modulus H_k (Pa): the back stress moves by
    /// (2/3) H_k dε^p. Zero: isotropic hardening alone.
    pub kinematic_modulus: f64,
}

/// What a material point remembers between increments.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct PlasticState {
    /// Plastic strain (Voigt, tensor shears).
    pub plastic_strain: Voigt,
    /// Equivalent plastic strain ∫ √(2/3 dε^p : dε^p).
    pub equivalent_plastic_strain: f64,
    /// Back stress (Voigt; deviatoric).
    pub back_stress: Voigt,
}

/// The result of a strain update: the stress, the new state and the consistent tangent
/// dσ/dε (6 × 6: stress in tensor components, strain in engineering shears γ = 2ε, the
/// convention of B-matrix element kernels).
#[derive(Clone, Copy, Debug)]
pub struct Update {
    pub stress: Voigt,
    pub state: PlasticState,
    pub tangent: Matrix6<f64>,
    /// Whether the point yielded in this increment.
    pub plastic: bool,
}

/// Voigt inner product of tensors (shears counted twice).
fn inner(a: &Voigt, b: &Voigt) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2] + 2.0 * (a[3] * b[3] + a[4] * b[4] + a[5] * b[5])
}

fn deviator(v: &Voigt) -> Voigt {
    let m = (v[0] + v[1] + v[2]) / 3.0;
    Voigt::from([v[0] - m, v[1] - m, v[2] - m, v[3], v[4], v[5]])
}

impl J2 {
    /// Checks the constants: E > 0, −1 < ν < 0.5, a curve that starts at zero plastic
    /// strain with a positive yield stress, plastic strain increasing and stress not
    /// falling (softening has no unique solution here), H_k ≥ 0.
    /// Elastic for ever: no yield.
    pub fn elastic(youngs_modulus: f64, poisson_ratio: f64) -> Self {
        Self {
            youngs_modulus,
            poisson_ratio,
            curve: vec![(0.0, f64::INFINITY)],
            kinematic_modulus: 0.0,
        }
    }

    pub fn check(&self) -> Result<(), String> {
        let (e, nu) = (self.youngs_modulus, self.poisson_ratio);
        if !(e.is_finite() && e > 0.0 && nu > -1.0 && nu < 0.5) {
            return Err(format!(
                "E = {e}, ν = {nu}: E must be > 0 and ν in (−1, 0.5)"
            ));
        }
        let Some(&(p0, s0)) = self.curve.first() else {
            return Err("the flow curve has no points".into());
        };
        // An infinite yield stress: a material that stays elastic.
        if p0 != 0.0 || s0.is_nan() || s0 <= 0.0 {
            return Err(format!(
                "the flow curve must start at plastic strain 0 with the yield stress > 0, not ({p0}, {s0})"
            ));
        }
        for (k, w) in self.curve.windows(2).enumerate() {
            let ((p0, s0), (p1, s1)) = (w[0], w[1]);
            if !(p1.is_finite() && s1.is_finite() && p1 > p0) {
                return Err(format!(
                    "flow curve point {}: plastic strain {p1} must be larger than the one before ({p0})",
                    k + 2
                ));
            }
            if s1 < s0 {
                return Err(format!(
                    "flow curve point {}: stress {s1} is below the one before ({s0}): softening is not supported",
                    k + 2
                ));
            }
        }
        if !(self.kinematic_modulus.is_finite() && self.kinematic_modulus >= 0.0) {
            return Err(format!(
                "kinematic hardening modulus {} must be ≥ 0",
                self.kinematic_modulus
            ));
        }
        Ok(())
    }

    fn moduli(&self) -> (f64, f64) {
        let (e, nu) = (self.youngs_modulus, self.poisson_ratio);
        (e / (3.0 * (1.0 - 2.0 * nu)), e / (2.0 * (1.0 + nu)))
    }

    /// The flow stress and its slope at equivalent plastic strain `p` (the slope of the
    /// segment `p` lies on, the right one at a point; zero past the last point).
    pub fn flow_stress(&self, p: f64) -> (f64, f64) {
        let c = &self.curve;
        let k = c.partition_point(|q| q.0 <= p);
        if k >= c.len() {
            return (c[c.len() - 1].1, 0.0);
        }
        let ((p0, s0), (p1, s1)) = (c[k - 1], c[k]);
        let slope = (s1 - s0) / (p1 - p0);
        (s0 + slope * (p - p0), slope)
    }

    /// The stress, state and consistent tangent at total strain `strain` (Voigt, tensor
    /// shears) from the converged state `old`.
    pub fn update(&self, strain: &Voigt, old: &PlasticState) -> Update {
        let (bulk, mu) = self.moduli();
        let hk = self.kinematic_modulus;
        let volumetric = strain[0] + strain[1] + strain[2];
        let trial = deviator(&(strain - old.plastic_strain)) * (2.0 * mu);
        let xi = trial - old.back_stress;
        let norm = inner(&xi, &xi).sqrt();
        let r23 = (2.0f64 / 3.0).sqrt();
        let (flow, _) = self.flow_stress(old.equivalent_plastic_strain);
        let elastic_tangent = tangent(bulk, mu, 1.0, 0.0, &Voigt::zeros());
        let pressure = Voigt::from([
            bulk * volumetric,
            bulk * volumetric,
            bulk * volumetric,
            0.0,
            0.0,
            0.0,
        ]);
        if norm - r23 * flow <= 1e-12 * flow {
            return Update {
                stress: pressure + trial,
                state: *old,
                tangent: elastic_tangent,
                plastic: false,
            };
        }
        // g(Δγ) = ‖ξ_tr‖ − (2μ + 2/3 H_k) Δγ − √(2/3) σ_y(ε̄p + √(2/3) Δγ): piecewise
        // linear and falling, so Newton lands on the root segment by segment.
        let stiff = 2.0 * mu + 2.0 / 3.0 * hk;
        let mut dg = 0.0;
        let mut slope = 0.0;
        for _ in 0..100 {
            let (s, h) = self.flow_stress(old.equivalent_plastic_strain + r23 * dg);
            slope = h;
            let g = norm - stiff * dg - r23 * s;
            let dgdx = stiff + 2.0 / 3.0 * h;
            let step = g / dgdx;
            dg += step;
            if step.abs() <= 1e-15 * dg.abs().max(f64::MIN_POSITIVE) {
                break;
            }
        }
        let n = xi / norm;
        let state = PlasticState {
            plastic_strain: old.plastic_strain + n * dg,
            equivalent_plastic_strain: old.equivalent_plastic_strain + r23 * dg,
            back_stress: old.back_stress + n * (2.0 / 3.0 * hk * dg),
        };
        let theta = 1.0 - 2.0 * mu * dg / norm;
        let theta_bar = 1.0 / (1.0 + (slope + hk) / (3.0 * mu)) - (1.0 - theta);
        Update {
            stress: pressure + trial - n * (2.0 * mu * dg),
            state,
            tangent: tangent(bulk, mu, theta, theta_bar, &n),
            plastic: true,
        }
    }
}

/// K 1⊗1 + 2μθ I_dev − 2μθ̄ n⊗n in the engineering-shear Voigt form.
fn tangent(bulk: f64, mu: f64, theta: f64, theta_bar: f64, n: &Voigt) -> Matrix6<f64> {
    let mut c = Matrix6::zeros();
    for i in 0..3 {
        for j in 0..3 {
            let dev = if i == j { 2.0 / 3.0 } else { -1.0 / 3.0 };
            c[(i, j)] = bulk + 2.0 * mu * theta * dev;
        }
    }
    for i in 3..6 {
        c[(i, i)] = mu * theta;
    }
    let nn: SMatrix<f64, 6, 6> = n * n.transpose();
    c - nn * (2.0 * mu * theta_bar)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn steel(curve: Vec<(f64, f64)>, hk: f64) -> J2 {
        J2 {
            youngs_modulus: 200e9,
            poisson_ratio: 0.3,
            curve,
            kinematic_modulus: hk,
        }
    }

    /// Uniaxial stress at axial strain `e11` from `old`: the lateral strains found by
    /// Newton on σ₂₂ = σ₃₃ = 0 with the consistent tangent itself (quadratic: few steps).
    fn uniaxial(m: &J2, e11: f64, old: &PlasticState, lateral: &mut f64) -> Update {
        let mut u = m.update(&Voigt::from([e11, *lateral, *lateral, 0.0, 0.0, 0.0]), old);
        for _ in 0..50 {
            let r = u.stress[1];
            if r.abs() < 1e-6 {
                break;
            }
            let d = u.tangent[(1, 1)] + u.tangent[(1, 2)];
            *lateral -= r / d;
            u = m.update(&Voigt::from([e11, *lateral, *lateral, 0.0, 0.0, 0.0]), old);
        }
        u
    }

    /// Bilinear isotropic hardening in uniaxial tension: σ = σ_y + E_t (ε − σ_y/E) with
    /// E_t = E H/(E + H), H the flow curve's slope; exact at every increment size.
    #[test]
    fn bilinear_tension_follows_the_closed_form() {
        let (sy, h) = (250e6, 2e9);
        let m = steel(vec![(0.0, sy), (0.1, sy + 0.1 * h)], 0.0);
        let et = 200e9 * h / (200e9 + h);
        let mut state = PlasticState::default();
        let mut lateral = 0.0;
        for k in 1..=40 {
            let e = 0.0005 * k as f64;
            let u = uniaxial(&m, e, &state, &mut lateral);
            let exact = if e <= sy / 200e9 {
                200e9 * e
            } else {
                sy + et * (e - sy / 200e9)
            };
            assert!(
                (u.stress[0] - exact).abs() < 1e-6 * exact,
                "{e}: {} vs {exact}",
                u.stress[0]
            );
            let p = (e - u.stress[0] / 200e9).max(0.0);
            assert!((u.state.equivalent_plastic_strain - p).abs() < 1e-12);
            state = u.state;
        }
        // Past the table: perfectly plastic at the last stress.
        let u = uniaxial(&m, 0.2, &state, &mut lateral);
        assert!((u.stress[0] / (sy + 0.1 * h) - 1.0).abs() < 1e-9);
    }

    /// Linear kinematic hardening, tension then compression: yield again after a
    /// reversal of 2σ_y (Bauschinger), and the loop's corners by hand: the back stress
    /// (2/3 H_k ε^p in the axial direction, 1.5× it in σ).
    #[test]
    fn kinematic_hardening_reverses_yield_after_twice_the_yield_stress() {
        let (sy, hk) = (250e6, 10e9);
        let m = steel(vec![(0.0, sy)], hk);
        let e = 200e9;
        let et = e * hk / (e + hk);
        let mut state = PlasticState::default();
        let mut lateral = 0.0;
        let top = 0.01;
        let up = uniaxial(&m, top, &state, &mut lateral);
        let smax = sy + et * (top - sy / e);
        assert!((up.stress[0] / smax - 1.0).abs() < 1e-9);
        state = up.state;
        // Unloading is elastic until σ = σ_max − 2σ_y.
        let elastic_down = top - 2.0 * sy / e * 0.999;
        let down = uniaxial(&m, elastic_down, &state, &mut lateral);
        assert!(!down.plastic && (down.stress[0] - (smax - 2.0 * sy * 0.999)).abs() < 1e-3 * sy);
        let past = uniaxial(&m, top - 2.0 * sy / e - 0.002, &state, &mut lateral);
        assert!(past.plastic);
        let expected = smax - 2.0 * sy - et * 0.002;
        assert!(
            (past.stress[0] / expected - 1.0).abs() < 1e-9,
            "{} vs {expected}",
            past.stress[0]
        );
    }

    /// The consistent tangent is the derivative of the update (central differences) at a
    /// plastic state under a general strain, with both hardenings on a tabular curve.
    #[test]
    fn consistent_tangent_is_the_derivative_of_the_update() {
        let m = steel(
            vec![(0.0, 250e6), (0.002, 300e6), (0.02, 380e6), (0.2, 450e6)],
            5e9,
        );
        let old = PlasticState {
            plastic_strain: Voigt::from([0.001, -0.0004, -0.0006, 0.0002, 0.0, 0.0001]),
            equivalent_plastic_strain: 0.003,
            back_stress: Voigt::from([2e6, -1e6, -1e6, 0.5e6, 0.0, 0.2e6]),
        };
        let strain = Voigt::from([0.006, -0.001, -0.0015, 0.0012, -0.0007, 0.0009]);
        let u = m.update(&strain, &old);
        assert!(u.plastic);
        let h = 1e-9;
        for j in 0..6 {
            // Engineering shear: a step dγ moves the tensor shear by dγ/2.
            let step = if j < 3 { h } else { 0.5 * h };
            let mut plus = strain;
            plus[j] += step;
            let mut minus = strain;
            minus[j] -= step;
            let fd = (m.update(&plus, &old).stress - m.update(&minus, &old).stress) / (2.0 * h);
            for i in 0..6 {
                assert!(
                    (fd[i] - u.tangent[(i, j)]).abs() < 1e-5 * 200e9,
                    "({i}, {j}): {} vs {}",
                    fd[i],
                    u.tangent[(i, j)]
                );
            }
        }
        // On the yield surface after the return.
        let xi = deviator(&u.stress) - u.state.back_stress;
        let (flow, _) = m.flow_stress(u.state.equivalent_plastic_strain);
        assert!((inner(&xi, &xi).sqrt() / ((2.0f64 / 3.0).sqrt() * flow) - 1.0).abs() < 1e-12);
    }

    /// A strain-controlled tension–compression history (three cycles of ±1 %, then a
    /// smaller ±0.4 % one) with combined linear isotropic and kinematic hardening: the
    /// uniaxial stress at every step is the one-dimensional model's exactly,
    /// |σ − H_k ε^p| ≤ σ_y + H_i p with p = ∫|dε^p| (its return is exact for linear
    /// hardening at any step size), so the loops — their Bauschinger corners and the
    /// growing yield surface — are reproduced at the integration point.
    #[test]
    fn cyclic_strain_history_reproduces_the_hardening_loop() {
        let (e, sy, hi, hk) = (200e9, 250e6, 1e9, 5e9);
        let m = steel(vec![(0.0, sy), (1.0, sy + hi)], hk);
        let mut path = Vec::new();
        for (amp, cycles) in [(0.01, 3), (0.004, 1)] {
            for _ in 0..cycles {
                for k in 0..=40 {
                    path.push(amp * (1.0 - k as f64 / 20.0));
                }
                for k in 1..=40 {
                    path.push(amp * (-1.0 + k as f64 / 20.0));
                }
            }
        }
        let (mut state, mut lateral) = (PlasticState::default(), 0.0);
        let (mut ep, mut p) = (0.0f64, 0.0f64);
        let mut extremes = (0.0f64, 0.0f64);
        for &eps in &path {
            let u = uniaxial(&m, eps, &state, &mut lateral);
            state = u.state;
            // The one-dimensional model.
            let trial = e * (eps - ep);
            let f = (trial - hk * ep).abs() - (sy + hi * p);
            if f > 0.0 {
                let d = f / (e + hk + hi) * (trial - hk * ep).signum();
                ep += d;
                p += d.abs();
            }
            let exact = e * (eps - ep);
            assert!(
                (u.stress[0] - exact).abs() < 1e-6 * sy,
                "ε = {eps}: {} vs {exact}",
                u.stress[0]
            );
            assert!((u.state.equivalent_plastic_strain - p).abs() < 1e-12);
            extremes = (extremes.0.max(exact), extremes.1.min(exact));
        }
        // The loops grew (isotropic) and shifted (kinematic) as the model says.
        assert!(extremes.0 > sy + hk * 0.009 && extremes.1 < -(sy + hk * 0.009));
    }

    #[test]
    fn bad_curves_are_refused() {
        let bad = [
            steel(vec![], 0.0),
            steel(vec![(0.01, 250e6)], 0.0),
            steel(vec![(0.0, 250e6), (0.0, 300e6)], 0.0),
            steel(vec![(0.0, 250e6), (0.01, 200e6)], 0.0),
            steel(vec![(0.0, 250e6)], -1.0),
            steel(vec![(0.0, -5.0)], 0.0),
        ];
        for m in bad {
            assert!(m.check().is_err(), "{m:?}");
        }
        assert!(steel(vec![(0.0, 250e6), (0.1, 400e6)], 1e9).check().is_ok());
    }
}
