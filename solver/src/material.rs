//! Isotropic linear-elastic material.

use crate::error::{Result, SolverError};
use nalgebra::{Matrix3, SVector};

/// Voigt vector of a symmetric tensor: xx, yy, zz, xy, yz, xz (tensor shears, not γ).
pub type Voigt = SVector<f64, 6>;

/// Young's moduli of solids, from soft elastomer foams (kPa) to diamond (1.2 TPa), Pa.
pub const YOUNGS_MODULUS_RANGE: (f64, f64) = (1e3, 2e12);
/// Densest solid (osmium, 22 590 kg/m³) with margin, kg/m³.
pub const MAX_DENSITY: f64 = 3e4;

/// Isotropic linear-elastic solid in SI units (Pa, kg/m³).
#[derive(Clone, Debug, PartialEq)]
pub struct Isotropic {
    pub youngs_modulus: f64,
    pub poisson_ratio: f64,
    pub density: f64,
}

impl Isotropic {
    /// Checks the constants are physical (E > 0, -1 < ν < 0.5, ρ ≥ 0).
    pub fn validate(&self, region: &str) -> Result<()> {
        let bad = |reason: String| {
            Err(SolverError::Material {
                region: region.to_string(),
                reason,
            })
        };
        let (e, nu, rho) = (self.youngs_modulus, self.poisson_ratio, self.density);
        if !(e.is_finite() && e > 0.0) {
            return bad(format!("Young's modulus must be positive, got {e}"));
        }
        if !(YOUNGS_MODULUS_RANGE.0..=YOUNGS_MODULUS_RANGE.1).contains(&e) {
            return bad(format!(
                "Young's modulus {e:e} Pa is outside the range of solids ({:e} to {:e} Pa): check the units (SI: Pa)",
                YOUNGS_MODULUS_RANGE.0, YOUNGS_MODULUS_RANGE.1
            ));
        }
        if !(nu > -1.0 && nu < 0.5) {
            return bad(format!(
                "Poisson's ratio must lie in (-1, 0.5), got {nu}{}",
                if nu == 0.5 {
                    " (incompressible: a displacement formulation locks; use 0.49 or less)"
                } else {
                    ""
                }
            ));
        }
        if !(rho.is_finite() && rho >= 0.0) {
            return bad(format!("density must be non-negative, got {rho}"));
        }
        if rho > MAX_DENSITY {
            return bad(format!(
                "density {rho:e} kg/m³ is above that of any solid ({MAX_DENSITY:e}): check the units (SI: kg/m³)"
            ));
        }
        Ok(())
    }

    /// Lamé constants (λ, μ).
    pub fn lame(&self) -> (f64, f64) {
        let (e, nu) = (self.youngs_modulus, self.poisson_ratio);
        (
            e * nu / ((1.0 + nu) * (1.0 - 2.0 * nu)),
            e / (2.0 * (1.0 + nu)),
        )
    }

    /// Stress from a displacement gradient H = ∂u/∂x: σ = λ tr(ε) I + 2μ ε.
    pub fn stress(&self, grad_u: &Matrix3<f64>) -> (Voigt, Voigt) {
        let (lambda, mu) = self.lame();
        let eps = 0.5 * (grad_u + grad_u.transpose());
        let sigma = Matrix3::identity() * (lambda * eps.trace()) + eps * (2.0 * mu);
        (to_voigt(&eps), to_voigt(&sigma))
    }
}

pub fn to_voigt(t: &Matrix3<f64>) -> Voigt {
    Voigt::from([
        t[(0, 0)],
        t[(1, 1)],
        t[(2, 2)],
        t[(0, 1)],
        t[(1, 2)],
        t[(0, 2)],
    ])
}

pub fn from_voigt(v: &Voigt) -> Matrix3<f64> {
    Matrix3::new(v[0], v[3], v[5], v[3], v[1], v[4], v[5], v[4], v[2])
}

/// Von Mises equivalent stress of a Voigt stress.
pub fn von_mises(s: &Voigt) -> f64 {
    let d = (s[0] - s[1]).powi(2) + (s[1] - s[2]).powi(2) + (s[2] - s[0]).powi(2);
    (0.5 * d + 3.0 * (s[3] * s[3] + s[4] * s[4] + s[5] * s[5])).sqrt()
}

/// Principal values, largest first.
pub fn principal(s: &Voigt) -> [f64; 3] {
    let mut e: Vec<f64> = from_voigt(s)
        .symmetric_eigenvalues()
        .iter()
        .copied()
        .collect();
    e.sort_by(|a, b| b.total_cmp(a));
    [e[0], e[1], e[2]]
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn uniaxial_stress_invariants() {
        let s = Voigt::from([100.0, 0., 0., 0., 0., 0.]);
        assert_relative_eq!(von_mises(&s), 100.0, epsilon = 1e-12);
        assert_eq!(principal(&s), [100.0, 0.0, 0.0]);
        let shear = Voigt::from([0., 0., 0., 50.0, 0., 0.]);
        assert_relative_eq!(von_mises(&shear), 50.0 * 3f64.sqrt(), epsilon = 1e-12);
        let p = principal(&shear);
        assert_relative_eq!(p[0], 50.0, epsilon = 1e-12);
        assert_relative_eq!(p[2], -50.0, epsilon = 1e-12);
    }

    #[test]
    fn rejects_unphysical_constants() {
        let m = Isotropic {
            youngs_modulus: 1e9,
            poisson_ratio: 0.5,
            density: 1.0,
        };
        assert!(m.validate("r").is_err());
    }
}
