//! Plausibility of a model and its results: the signs of a unit mistake (a part drawn in
//! millimetres read as metres) or of a linear analysis pushed past its validity. They
//! are warnings in the table and the JSON summary, not errors: a 2 km bridge is possible.
//! They read fields by their quantity, so they hold for every analysis.

use crate::model::Model;
use crate::results::{Quantity, Results, Shape};

/// Largest part size (bounding-box diagonal, m) and mass (kg) taken as plausible.
const SIZE_RANGE: (f64, f64) = (1e-4, 1e3);
const MAX_MASS: f64 = 1e6;
/// Displacement as a fraction of the part size beyond which small-displacement theory
/// fails, and stress as a fraction of Young's modulus beyond which strains are not small.
const MAX_DISPLACEMENT_RATIO: f64 = 0.05;
const MAX_STRAIN: f64 = 0.01;

/// The part's size: the diagonal of its bounding box (m).
pub fn size(model: &Model) -> f64 {
    let nodes = &model.mesh.nodes;
    let lo = nodes
        .iter()
        .fold(nalgebra::Vector3::repeat(f64::INFINITY), |a, p| a.inf(p));
    let hi = nodes
        .iter()
        .fold(nalgebra::Vector3::repeat(f64::NEG_INFINITY), |a, p| {
            a.sup(p)
        });
    (hi - lo).norm()
}

/// Warnings about the model (size, mass) and each single-step load case's results.
pub fn warnings(model: &Model, mass: f64, results: &[Results]) -> Vec<String> {
    let mut out = Vec::new();
    let size = size(model);
    if !(SIZE_RANGE.0..=SIZE_RANGE.1).contains(&size) {
        out.push(format!(
            "the part is {size:.3e} m across: coordinates are read in metres — for a mesh in millimetres set [model] unit = \"mm\""
        ));
    }
    if mass > MAX_MASS {
        out.push(format!(
            "the part's mass is {mass:.3e} kg: check the units of the mesh and the density (kg/m³)"
        ));
    }
    let stiffest = model
        .materials
        .materials
        .iter()
        .map(|m| m.youngs_modulus)
        .fold(f64::NAN, f64::max);
    for r in results.iter().filter(|r| r.axis.is_none()) {
        // A large-deformation load case is valid at any displacement.
        let large = r.scalar("large_deformation") == Some(1.0);
        for f in r.steps.iter().flat_map(|s| &s.fields) {
            let largest = (0..model.mesh.nodes.len())
                .map(|n| f.at(n).iter().map(|v| v * v).sum::<f64>().sqrt())
                .fold(0.0, f64::max);
            match (f.quantity, f.shape, f.name) {
                (Quantity::Displacement, Shape::Vector, _) if largest > MAX_DISPLACEMENT_RATIO * size && !large => out.push(format!(
                    "{}: displacements reach {:.1} % of the part size: a small-displacement analysis is not valid this far (check loads and units, or use a nonlinear load case with large_deformation = true)",
                    r.name,
                    100.0 * largest / size
                )),
                (Quantity::Stress, Shape::Scalar, "von_mises") if largest > MAX_STRAIN * stiffest => out.push(format!(
                    "{}: stresses reach {:.1} % of Young's modulus: strains are not small (check loads and units)",
                    r.name,
                    100.0 * largest / stiffest
                )),
                _ => {}
            }
        }
    }
    out
}
