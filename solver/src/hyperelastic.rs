//! The compressible neo-Hookean solid of Abaqus and CalculiX (`*HYPERELASTIC, NEO
//! HOOKE`): W = C₁₀ (Ī₁ − 3) + (J − 1)²/D₁ with Ī₁ = J^(−2/3) tr C, for elastomer parts
//! (seals, bumpers) that stretch far beyond where linear elasticity holds.
//!
//! Why this form: it is the one the peer codes and material data sheets use, so C₁₀ and
//! D₁ carry over; its initial shear and bulk moduli are μ = 2C₁₀ and K = 2/D₁, which is
//! how the constants are given here (from E and ν), so a small-strain analysis of the same
//! part agrees with it. The second Piola–Kirchhoff stress and its material tangent
//! ℂ = 2 ∂S/∂C (Holzapfel, Nonlinear Solid Mechanics, 2000, §6.4–6.6) feed the total
//! Lagrangian kernel of [`crate::nonlinear`].

use crate::material::{from_voigt, to_voigt, Voigt};
use nalgebra::{Matrix3, Matrix6};

/// A neo-Hookean solid by its initial shear and bulk moduli (Pa).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NeoHookean {
    pub shear_modulus: f64,
    pub bulk_modulus: f64,
}

/// The Voigt index pairs (tensor components) in the solver's order xx, yy, zz, xy, yz, zx.
const PAIRS: [(usize, usize); 6] = [(0, 0), (1, 1), (2, 2), (0, 1), (1, 2), (0, 2)];

impl NeoHookean {
    /// From the initial Young's modulus and Poisson ratio; ν = 0.5 (incompressible) has
    /// no bulk modulus and locks a displacement formulation, so it is refused.
    pub fn from_elastic(youngs_modulus: f64, poisson_ratio: f64) -> Result<Self, String> {
        let (e, nu) = (youngs_modulus, poisson_ratio);
        if !(e.is_finite() && e > 0.0) {
            return Err(format!("Young's modulus {e} must be > 0"));
        }
        if !(nu > -1.0 && nu < 0.5) {
            return Err(format!(
                "ν = {nu}: a hyperelastic solid needs ν in (−1, 0.5); ν = 0.5 is incompressible, which this displacement formulation cannot represent (it locks) — use ν ≤ 0.49"
            ));
        }
        Ok(Self {
            shear_modulus: e / (2.0 * (1.0 + nu)),
            bulk_modulus: e / (3.0 * (1.0 - 2.0 * nu)),
        })
    }

    /// The second Piola–Kirchhoff stress (Voigt, tensor components) and the material
    /// tangent dS/dE (engineering shears in E) at Green–Lagrange strain `e` (tensor
    /// shears). `None` when the element is inverted (J ≤ 0).
    pub fn update(&self, e: &Voigt) -> Option<(Voigt, Matrix6<f64>)> {
        let c = Matrix3::identity() + from_voigt(e) * 2.0;
        let j2 = c.determinant();
        if !(j2.is_finite() && j2 > 0.0) {
            return None;
        }
        let j = j2.sqrt();
        let ci = c.try_inverse()?;
        let i1 = c.trace();
        let (c10, mu_j) = (0.5 * self.shear_modulus, j.powf(-2.0 / 3.0));
        let d1 = 2.0 / self.bulk_modulus;
        let p = 2.0 / d1 * (j - 1.0);
        let p_tilde = p + j * 2.0 / d1;
        let s = (Matrix3::identity() - ci * (i1 / 3.0)) * (2.0 * c10 * mu_j) + ci * (p * j);
        let iso = 4.0 * c10 * mu_j / 3.0;
        let delta = |a: usize, b: usize| if a == b { 1.0 } else { 0.0 };
        let sym = |i: usize, k: usize, jj: usize, l: usize| {
            0.5 * (ci[(i, k)] * ci[(jj, l)] + ci[(i, l)] * ci[(jj, k)])
        };
        let tangent = Matrix6::from_fn(|r, q| {
            let ((i, jj), (k, l)) = (PAIRS[r], PAIRS[q]);
            let (cc, ss) = (ci[(i, jj)] * ci[(k, l)], sym(i, k, jj, l));
            iso * (-delta(i, jj) * ci[(k, l)] - ci[(i, jj)] * delta(k, l) + i1 / 3.0 * cc + i1 * ss)
                + j * p_tilde * cc
                - 2.0 * j * p * ss
        });
        Some((to_voigt(&s), tangent))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tangent is the derivative of the stress (central differences) at a general
    /// large strain; at zero strain it is the isotropic elastic matrix of (E, ν).
    #[test]
    fn tangent_is_the_derivative_of_the_stress() {
        let m = NeoHookean::from_elastic(10e6, 0.45).unwrap();
        let e = Voigt::from([0.3, -0.12, -0.08, 0.15, -0.05, 0.07]);
        let (_, t) = m.update(&e).unwrap();
        let h = 1e-7;
        for q in 0..6 {
            let step = if q < 3 { h } else { 0.5 * h };
            let (mut plus, mut minus) = (e, e);
            plus[q] += step;
            minus[q] -= step;
            let fd = (m.update(&plus).unwrap().0 - m.update(&minus).unwrap().0) / (2.0 * h);
            for r in 0..6 {
                assert!(
                    (fd[r] - t[(r, q)]).abs() < 1e-6 * m.bulk_modulus,
                    "({r}, {q}): {} vs {}",
                    fd[r],
                    t[(r, q)]
                );
            }
        }
        let (s0, t0) = m.update(&Voigt::zeros()).unwrap();
        assert!(s0.norm() < 1e-9);
        let (k, g) = (m.bulk_modulus, m.shear_modulus);
        assert!((t0[(0, 0)] - (k + 4.0 / 3.0 * g)).abs() < 1e-6 * k);
        assert!((t0[(0, 1)] - (k - 2.0 / 3.0 * g)).abs() < 1e-6 * k);
        assert!((t0[(3, 3)] - g).abs() < 1e-6 * g);
    }

    #[test]
    fn incompressible_and_inverted_are_refused() {
        assert!(NeoHookean::from_elastic(1e6, 0.5).is_err());
        let m = NeoHookean::from_elastic(1e6, 0.3).unwrap();
        assert!(m
            .update(&Voigt::from([-0.5, 0.0, 0.0, 0.0, 0.0, 0.0]))
            .is_none());
    }
}
