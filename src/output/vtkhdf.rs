//! VTKHDF 1.0 unstructured grid, one file per load case (ParaView ≥ 5.11 opens it
//! directly; it ignores VTKHDF time steps, hence one file per load case; a multi-step
//! load case holds its steps as arrays `mode_1`, `mode_2`, … — `<label>_<k>`, with
//! `_<field>` appended when a step has several fields). The `Type` attribute must be a
//! fixed-length 16-byte ASCII string for ParaView 5.11.

use super::cell_type;
use super::h5::H5;
use super::hdf5_results::points;
use crate::results::{Field, Results};
use anyhow::{anyhow, Result};
use hdf5_pure::AttrValue;
use vproto_solver::Mesh;

pub fn build(mesh: &Mesh, material_of_element: &[usize], r: &Results) -> Result<H5> {
    let mut h = H5::new();
    let mut connectivity: Vec<i64> = Vec::new();
    let mut offsets: Vec<i64> = vec![0];
    let mut types: Vec<u8> = Vec::new();
    for b in &mesh.blocks {
        let (vtk, _) = cell_type(b.kind);
        for e in 0..b.len() {
            connectivity.extend(b.element(e).iter().map(|&n| n as i64));
            offsets.push(connectivity.len() as i64);
            types.push(vtk);
        }
    }
    h.i64("VTKHDF/NumberOfPoints", [mesh.nodes.len() as i64], 1)?;
    h.i64("VTKHDF/NumberOfCells", [types.len() as i64], 1)?;
    h.i64(
        "VTKHDF/NumberOfConnectivityIds",
        [connectivity.len() as i64],
        1,
    )?;
    h.f64("VTKHDF/Points", points(mesh), 3)?;
    h.i64("VTKHDF/Connectivity", connectivity, 1)?;
    h.i64("VTKHDF/Offsets", offsets, 1)?;
    h.u8("VTKHDF/Types", types)?;
    for (name, f) in point_arrays(r) {
        h.f64(
            &format!("VTKHDF/PointData/{name}"),
            f.values.as_slice(),
            f.shape.components(),
        )?;
    }
    let mat: Vec<i32> = material_of_element.iter().map(|&m| m as i32).collect();
    h.i32("VTKHDF/CellData/material", mat)?;
    h.attr("VTKHDF", "Version", AttrValue::I64Array(vec![1, 0]));
    let kind = AttrValue::ascii_string_sized("UnstructuredGrid", 16).map_err(|e| anyhow!("{e}"))?;
    h.attr("VTKHDF", "Type", kind);
    Ok(h)
}

/// The point arrays of a load case: its fields by name, or for a multi-step load case
/// each step's fields as `<label>_<k>[_<field>]`.
fn point_arrays(r: &Results) -> Vec<(String, &Field)> {
    match (r.axis, r.steps.as_slice()) {
        (None, [step]) => step
            .fields
            .iter()
            .map(|f| (f.name.to_string(), f))
            .collect(),
        (axis, steps) => {
            let label = axis.map_or("step", |a| a.label);
            steps
                .iter()
                .enumerate()
                .flat_map(|(k, s)| {
                    let one = s.fields.len() == 1;
                    s.fields.iter().map(move |f| {
                        let name = if one {
                            format!("{label}_{}", k + 1)
                        } else {
                            format!("{label}_{}_{}", k + 1, f.name)
                        };
                        (name, f)
                    })
                })
                .collect()
        }
    }
}
