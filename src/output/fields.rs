//! Result fields of one load case, flattened for writing (SI units).

use vproto_solver::material::{principal, von_mises};
use vproto_solver::StaticResults;

/// A named nodal field: `components` values per node, row-major.
pub struct NodalField {
    pub name: &'static str,
    pub components: usize,
    pub values: Vec<f64>,
    pub unit: &'static str,
}

/// Nodal fields written for every static load case.
pub fn nodal_fields(r: &StaticResults) -> Vec<NodalField> {
    let stress = &r.fields.nodal_stress;
    let voigt = |v: &[vproto_solver::material::Voigt]| {
        v.iter().flat_map(|s| s.iter().copied()).collect::<Vec<_>>()
    };
    vec![
        NodalField {
            name: "displacement",
            components: 3,
            values: r.displacement.clone(),
            unit: "m",
        },
        NodalField {
            name: "stress",
            components: 6,
            values: voigt(stress),
            unit: "Pa",
        },
        NodalField {
            name: "strain",
            components: 6,
            values: voigt(&r.fields.nodal_strain),
            unit: "1",
        },
        NodalField {
            name: "von_mises",
            components: 1,
            values: stress.iter().map(von_mises).collect(),
            unit: "Pa",
        },
        NodalField {
            name: "principal_stress",
            components: 3,
            values: stress.iter().flat_map(principal).collect(),
            unit: "Pa",
        },
        NodalField {
            name: "reaction_force",
            components: 3,
            values: r.reactions.clone(),
            unit: "N",
        },
        NodalField {
            name: "applied_force",
            components: 3,
            values: r.applied.clone(),
            unit: "N",
        },
    ]
}

/// Expands Voigt (xx, yy, zz, xy, yz, xz) to full row-major 3×3 tensors.
pub fn full_tensors(voigt: &[f64]) -> Vec<f64> {
    voigt
        .chunks_exact(6)
        .flat_map(|s| [s[0], s[3], s[5], s[3], s[1], s[4], s[5], s[4], s[2]])
        .collect()
}
