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
