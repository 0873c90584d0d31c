//! The materials library: named materials with elastic constants, density and the
//! strengths that acceptance criteria refer to. The built-in library is
//! `models/materials.toml`, compiled into the binary so names work from anywhere.

use anyhow::{anyhow, Context, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;
use vproto_solver::Isotropic;

/// The text of `models/materials.toml`.
pub const BUILT_IN: &str = include_str!("../models/materials.toml");

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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LibraryFile {
    materials: BTreeMap<String, MaterialSpec>,
}

/// Named materials, later definitions overriding earlier ones.
#[derive(Clone, Debug, Default)]
pub struct Library {
    pub materials: BTreeMap<String, MaterialSpec>,
}

impl Library {
    pub fn built_in() -> Self {
        let mut lib = Self::default();
        lib.add_text(BUILT_IN, "models/materials.toml (built in)")
            .expect("the built-in materials library parses");
        lib
    }

    pub fn add_text(&mut self, text: &str, origin: &str) -> Result<()> {
        let file: LibraryFile =
            toml::from_str(text).map_err(|e| anyhow!("{origin}: {}", e.to_string().trim_end()))?;
        self.materials.extend(file.materials);
        Ok(())
    }

    pub fn add_file(&mut self, path: &Path) -> Result<()> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read material library {}", path.display()))?;
        self.add_text(&text, &path.display().to_string())
    }

    pub fn get(&self, name: &str) -> Result<&MaterialSpec> {
        self.materials.get(name).ok_or_else(|| {
            anyhow!(
                "unknown material '{name}'; known materials: {}",
                self.materials
                    .keys()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_library_is_physical() {
        let lib = Library::built_in();
        assert!(lib.materials.len() >= 8);
        for (name, m) in &lib.materials {
            m.elastic().validate(name).unwrap();
            assert!(!m.source.is_empty(), "{name} cites no source");
            assert!(
                m.yield_strength.or(m.ultimate_strength).is_some(),
                "{name} has no strength"
            );
        }
    }
}
