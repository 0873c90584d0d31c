//! VTKHDF 1.0 unstructured grid, one file per load case (ParaView ≥ 5.11 opens it
//! directly; it ignores VTKHDF time steps, hence one file per load case; a multi-step
//! load case holds its steps as arrays `mode_1`, `mode_2`, … — `<label>_<k>`, with
//! `_<field>` appended when a step has several fields). The `Type`
//! attribute must be a fixed-length 16-byte ASCII string for ParaView 5.11.

use super::cell_type;
use super::hdf5_results::{points, write_f64};
use crate::results::{Field, Results};
use anyhow::Result;
use hdf5::types::FixedAscii;
use ndarray::ArrayView1;
use std::path::Path;
use vproto_solver::Mesh;

pub fn write(path: &Path, mesh: &Mesh, material_of_element: &[usize], r: &Results) -> Result<()> {
    let file = hdf5::File::create(path)?;
    let root = file.create_group("VTKHDF")?;
    root.new_attr_builder()
        .with_data(ArrayView1::from(&[1i64, 0][..]))
        .create("Version")?;
    let kind =
        FixedAscii::<16>::from_ascii(b"UnstructuredGrid").map_err(|e| anyhow::anyhow!("{e:?}"))?;
    root.new_attr::<FixedAscii<16>>()
        .create("Type")?
        .write_scalar(&kind)?;

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
    let scalar = |name: &str, v: i64| -> Result<()> {
        root.new_dataset_builder()
            .with_data(ArrayView1::from(&[v][..]))
            .create(name)?;
        Ok(())
    };
    scalar("NumberOfPoints", mesh.nodes.len() as i64)?;
    scalar("NumberOfCells", types.len() as i64)?;
    scalar("NumberOfConnectivityIds", connectivity.len() as i64)?;
    write_f64(&root, "Points", &points(mesh), 3)?;
    root.new_dataset_builder()
        .with_data(ArrayView1::from(&connectivity))
        .create("Connectivity")?;
    root.new_dataset_builder()
        .with_data(ArrayView1::from(&offsets))
        .create("Offsets")?;
    root.new_dataset_builder()
        .with_data(ArrayView1::from(&types))
        .create("Types")?;

    let pd = root.create_group("PointData")?;
    for (name, f) in point_arrays(r) {
        write_f64(&pd, &name, &f.values, f.shape.components())?;
    }
    let cd = root.create_group("CellData")?;
    let mat: Vec<i32> = material_of_element.iter().map(|&m| m as i32).collect();
    cd.new_dataset_builder()
        .with_data(ArrayView1::from(&mat))
        .create("material")?;
    file.close()?;
    Ok(())
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
