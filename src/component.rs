//! What a criterion or probe reads of a field: the field itself, one stored component
//! (`stress.yy`, `displacement.z`) or an invariant (`displacement.magnitude`,
//! `stress.von_mises`, `stress.tresca`, `stress.principal_1` … `_3`, largest first).
//! Works on any field by its [`Shape`], so a new analysis' fields are readable too.

use crate::results::{Field, Shape};
use anyhow::{bail, Result};
use vproto_solver::material::{principal, von_mises, Voigt};

/// A field and how to reduce one node's components to a number.
#[derive(Clone, Debug, PartialEq)]
pub struct Pick {
    pub field: String,
    how: How,
    /// Its absolute value (a displacement limit holds either way).
    absolute: bool,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum How {
    /// A scalar field's value.
    Value,
    Component(usize),
    Magnitude,
    VonMises,
    Tresca,
    Principal(usize),
}

impl Pick {
    /// Reads `field` or `field.component`; the component is checked against the
    /// field's shape by [`Pick::check`].
    pub fn parse(text: &str) -> Result<Self> {
        let (field, part) = match text.split_once('.') {
            Some((f, p)) => (f, Some(p)),
            None => (text, None),
        };
        if field.is_empty() {
            bail!(
                "empty quantity: write a field, e.g. `von_mises`, `stress.yy` or `displacement.z`"
            );
        }
        let how = match part {
            None => How::Value,
            Some("magnitude") => How::Magnitude,
            Some("von_mises") => How::VonMises,
            Some("tresca") => How::Tresca,
            Some("principal_1") => How::Principal(0),
            Some("principal_2") => How::Principal(1),
            Some("principal_3") => How::Principal(2),
            Some(c) => match ["x", "y", "z"].iter().position(|n| *n == c) {
                Some(i) => How::Component(i),
                None => match Shape::SymmetricTensor.component_names().iter().position(|n| *n == c) {
                    Some(i) => How::Component(10 + i),
                    None => bail!("unknown component '{c}' of '{field}' (x, y, z, magnitude for vectors; xx, yy, zz, xy, yz, xz, von_mises, tresca, principal_1..3 for tensors)"),
                },
            },
        };
        Ok(Self {
            field: field.to_string(),
            how,
            absolute: false,
        })
    }

    /// Whether this pick can read a field of the given shape.
    pub fn check(&self, shape: Shape) -> Result<()> {
        let ok = match (self.how, shape) {
            (How::Value, Shape::Scalar) => true,
            (How::Component(i), Shape::Vector) => i < 3,
            (How::Magnitude, Shape::Vector) => true,
            (How::Component(i), Shape::SymmetricTensor) => i >= 10,
            (How::VonMises | How::Tresca | How::Principal(_), Shape::SymmetricTensor) => true,
            _ => false,
        };
        if !ok {
            let shown = match shape {
                Shape::Scalar => "a scalar: name it without a component".to_string(),
                _ => format!("of components {}", shape.component_names().join(", ")),
            };
            bail!(
                "'{}' cannot be read that way: the field is {shown}",
                self.field
            );
        }
        Ok(())
    }

    /// The same pick, as an absolute value.
    pub fn absolute(mut self) -> Self {
        self.absolute = true;
        self
    }

    /// The picked number of the components `c` of one node (or one interpolated point).
    pub fn of(&self, c: &[f64]) -> f64 {
        let v = self.raw(c);
        if self.absolute {
            v.abs()
        } else {
            v
        }
    }

    fn raw(&self, c: &[f64]) -> f64 {
        let tensor = || Voigt::from_column_slice(c);
        match self.how {
            How::Value => c[0],
            How::Component(i) if i >= 10 => c[i - 10],
            How::Component(i) => c[i],
            How::Magnitude => c.iter().map(|v| v * v).sum::<f64>().sqrt(),
            How::VonMises => von_mises(&tensor()),
            How::Tresca => {
                let p = principal(&tensor());
                p[0] - p[2]
            }
            How::Principal(k) => principal(&tensor())[k],
        }
    }

    /// The picked value at node `n` of a field.
    pub fn at(&self, field: &Field, n: usize) -> f64 {
        self.of(field.at(n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn components_and_invariants_by_name() {
        let s = [100.0, 40.0, 10.0, 0.0, 0.0, 0.0];
        let p = |t: &str| Pick::parse(t).unwrap();
        assert_eq!(p("stress.yy").of(&s), 40.0);
        assert!((p("stress.tresca").of(&s) - 90.0).abs() < 1e-9);
        assert!((p("stress.principal_1").of(&s) - 100.0).abs() < 1e-9);
        assert!((p("displacement.magnitude").of(&[3.0, 4.0, 0.0]) - 5.0).abs() < 1e-12);
        assert_eq!(p("displacement.z").of(&[3.0, 4.0, 7.0]), 7.0);
        assert!(p("stress.yy").check(Shape::Vector).is_err());
        assert!(p("displacement.x").check(Shape::Vector).is_ok());
        assert!(p("temperature").check(Shape::Scalar).is_ok());
        assert!(p("stress").check(Shape::SymmetricTensor).is_err());
        assert!(Pick::parse("stress.qq").is_err());
    }
}
