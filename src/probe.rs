//! `[[probe]]`: named points of the body. Each is located once (its element and the
//! interpolation weights there); every field of every load case is then reported at it
//! (summary, regress) and criteria can read it (`value_at_probe`). A point outside the
//! body is an error at its line.

use crate::case::Case;
use crate::results::{Field, KeyResult, Results};
use anyhow::Result;
use nalgebra::Vector3;
use vproto_solver::probe::{locate, Located};
use vproto_solver::Mesh;

pub struct Probe {
    pub name: String,
    pub point: [f64; 3],
    at: Located,
}

impl Probe {
    /// The field's components interpolated at the probe.
    pub fn interpolate(&self, f: &Field) -> Vec<f64> {
        let c = f.shape.components();
        let mut v = vec![0.0; c];
        for (&n, w) in self.at.nodes.iter().zip(&self.at.weights) {
            for (a, b) in v.iter_mut().zip(f.at(n)) {
                *a += w * b;
            }
        }
        v
    }

    /// The nodes of the probe's element and their interpolation weights.
    pub fn weights(&self) -> (&[usize], &[f64]) {
        (&self.at.nodes, &self.at.weights)
    }

    /// "probe D (x, y, z)".
    pub fn place(&self) -> String {
        let [x, y, z] = self.point;
        let s = crate::units::sig;
        format!("probe {} ({}, {}, {}) m", self.name, s(x), s(y), s(z))
    }
}

/// The probes of a case, located in its mesh.
#[derive(Default)]
pub struct Probes(Vec<Probe>);

impl Probes {
    pub fn locate(case: &Case, mesh: &Mesh) -> Result<Self> {
        let mut probes = Vec::new();
        for p in &case.spec.probe {
            let spec = p.get_ref();
            if probes.iter().any(|q: &Probe| q.name == spec.name) {
                return Err(case.error_at(p, format!("two probes are named '{}'", spec.name)));
            }
            let at = locate(mesh, Vector3::from(spec.point))
                .map_err(|e| case.error_at(p, format!("probe '{}': {e}", spec.name)))?;
            probes.push(Probe {
                name: spec.name.clone(),
                point: spec.point,
                at,
            });
        }
        Ok(Self(probes))
    }

    pub fn iter(&self) -> impl Iterator<Item = &Probe> {
        self.0.iter()
    }

    pub fn get(&self, name: &str) -> Option<&Probe> {
        self.0.iter().find(|p| p.name == name)
    }

    /// Every stored component of every field of a single-step load case at every
    /// probe, named `probe/<probe>/<field>[/<component>]`.
    pub fn values(&self, r: &Results) -> Vec<KeyResult> {
        let mut out = Vec::new();
        let [step] = r.steps.as_slice() else {
            return out;
        };
        for p in &self.0 {
            for f in &step.fields {
                let v = p.interpolate(f);
                let names = f.shape.component_names();
                let key = |name: String, value: f64| KeyResult {
                    name,
                    value,
                    quantity: f.quantity,
                    location: Some(p.place()),
                };
                if names.is_empty() {
                    out.push(key(format!("probe/{}/{}", p.name, f.name), v[0]));
                }
                for (c, x) in names.iter().zip(v) {
                    out.push(key(format!("probe/{}/{}/{c}", p.name, f.name), x));
                }
            }
        }
        out
    }
}
