//! A material: elastic constants, density, strengths, thermal properties.

use serde::{Deserialize, Serialize};
use vproto_solver::Isotropic;

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MaterialSpec {
    #[serde(default)]
    pub description: String,
    /// Pa. The elastic constants and the density may be left out of a material only
    /// heat load cases use (NaN marks them absent; an analysis that needs them says so).
    #[serde(default = "absent")]
    pub youngs_modulus: f64,
    #[serde(default = "absent")]
    pub poisson_ratio: f64,
    /// kg/m³
    #[serde(default = "absent")]
    pub density: f64,
    /// Pa; needed by criteria given as a safety factor on yield.
    pub yield_strength: Option<f64>,
    /// Pa
    pub ultimate_strength: Option<f64>,
    /// Thermal expansion coefficient (1/K), for thermal loads.
    pub expansion_coefficient: Option<f64>,
    /// Thermal conductivity (W/(m·K)), for heat load cases.
    pub conductivity: Option<f64>,
    /// Structural (hysteretic) loss factor η: this material's stiffness is K(1 + iη) in
    /// harmonic, random and response-spectrum load cases (Abaqus/CalculiX
    /// `*DAMPING, STRUCTURAL=η`). It adds to the load case's damping.
    pub loss_factor: Option<f64>,
    /// Fatigue strength coefficient σ'_f (Pa) of the Basquin S–N curve
    /// σ_a = σ'_f (2N)^b, for fatigue load cases.
    pub fatigue_strength_coefficient: Option<f64>,
    /// Fatigue strength exponent b (< 0) of the same curve.
    pub fatigue_strength_exponent: Option<f64>,
    /// Fully reversed stress amplitude (Pa) below which a cycle does no damage (none:
    /// the S–N line goes on).
    pub endurance_limit: Option<f64>,
    /// Strain-life (Coffin–Manson) fatigue ductility coefficient ε'_f, for fatigue
    /// load cases with `life = "strain"` (with σ'_f and b above).
    pub fatigue_ductility_coefficient: Option<f64>,
    /// Fatigue ductility exponent c (< 0).
    pub fatigue_ductility_exponent: Option<f64>,
    /// Cyclic stress–strain curve ε = σ/E + (σ/K')^(1/n'): K' (Pa) and n'.
    pub cyclic_strength_coefficient: Option<f64>,
    pub cyclic_hardening_exponent: Option<f64>,
    /// Plasticity for nonlinear load cases: the flow curve as [equivalent plastic
    /// strain, true stress (Pa)] points from [0, yield stress], flat after the last.
    /// Without it a material stays elastic in a nonlinear load case.
    pub plastic: Option<Vec<[f64; 2]>>,
    /// Linear kinematic (Prager) hardening modulus H_k (Pa) for nonlinear load cases.
    pub kinematic_hardening_modulus: Option<f64>,
    /// A hyperelastic law for nonlinear load cases with `large_deformation`:
    /// `"neo_hookean"` (Abaqus/CalculiX NEO HOOKE, C₁₀ = μ/2 and D₁ = 2/K from the
    /// initial E and ν here).
    pub hyperelastic: Option<Hyperelastic>,
    #[serde(default)]
    pub source: String,
}

/// The hyperelastic laws a material may follow.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Hyperelastic {
    NeoHookean,
}

fn absent() -> f64 {
    f64::NAN
}

impl MaterialSpec {
    /// The elastic constants (and density) this material leaves out.
    pub fn missing_elastic(&self) -> Vec<&'static str> {
        [
            ("Young's modulus (youngs_modulus)", self.youngs_modulus),
            ("Poisson's ratio (poisson_ratio)", self.poisson_ratio),
            ("density", self.density),
        ]
        .into_iter()
        .filter(|(_, v)| v.is_nan())
        .map(|(k, _)| k)
        .collect()
    }

    pub fn elastic(&self) -> Isotropic {
        Isotropic {
            youngs_modulus: self.youngs_modulus,
            poisson_ratio: self.poisson_ratio,
            density: self.density,
        }
    }
}
