//! The materials library: named materials with elastic constants, density and the
//! strengths that acceptance criteria refer to. The built-in library is
//! `models/materials.toml`, compiled into the binary so names work from anywhere.

pub use crate::schema::material::MaterialSpec;
use anyhow::{anyhow, Context, Result};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

/// The text of `models/materials.toml`.
pub const BUILT_IN: &str = include_str!("../models/materials.toml");

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
        // The message and line only: a file that is not a library is never echoed.
        let file: LibraryFile = toml::from_str(text).map_err(|e| {
            let line = e.span().map_or(1, |s| {
                text[..s.start.min(text.len())].matches('\n').count() + 1
            });
            anyhow!(
                "{origin}:{line}: not a material library: {}",
                e.message().trim_end()
            )
        })?;
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

/// The library as a table for people: one material a line, with units in the header.
pub fn table(lib: &Library) -> String {
    let mut s = format!(
        "{:<20} {:>7} {:>6} {:>11} {:>9} {:>9} {:>11} {:>11}  source\n",
        "name", "E [GPa]", "nu", "rho [kg/m³]", "Sy [MPa]", "Su [MPa]", "α [µm/m/K]", "k [W/m/K]"
    );
    let show = |v: Option<f64>, scale: f64| {
        v.filter(|v| v.is_finite())
            .map_or("-".to_string(), |v| crate::units::sig_n(v * scale, 4))
    };
    for (name, m) in &lib.materials {
        s += &format!(
            "{name:<20} {:>7} {:>6} {:>11} {:>9} {:>9} {:>11} {:>11}  {}\n",
            show(Some(m.youngs_modulus), 1e-9),
            show(Some(m.poisson_ratio), 1.0),
            show(Some(m.density), 1.0),
            show(m.yield_strength, 1e-6),
            show(m.ultimate_strength, 1e-6),
            show(m.expansion_coefficient, 1e6),
            show(m.conductivity, 1.0),
            m.source
        );
    }
    s
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
