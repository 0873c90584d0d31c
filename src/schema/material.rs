//! A material: elastic constants, density, strengths, thermal properties.

use serde::{Deserialize, Serialize};
use vproto_solver::Isotropic;

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MaterialSpec {
    #[serde(default)]
    pub description: String,
    /// Pa
    pub youngs_modulus: f64,
    pub poisson_ratio: f64,
    /// kg/m³
    pub density: f64,
    /// Pa; needed by criteria given as a safety factor on yield.
    pub yield_strength: Option<f64>,
    /// Pa
    pub ultimate_strength: Option<f64>,
    /// Thermal expansion coefficient (1/K), for thermal loads.
    pub expansion_coefficient: Option<f64>,
    /// Thermal conductivity (W/(m·K)), for heat load cases.
    pub conductivity: Option<f64>,
    #[serde(default)]
    pub source: String,
}

impl MaterialSpec {
    pub fn elastic(&self) -> Isotropic {
        Isotropic {
            youngs_modulus: self.youngs_modulus,
            poisson_ratio: self.poisson_ratio,
            density: self.density,
        }
    }
}
