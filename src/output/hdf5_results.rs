//! The case's HDF5 result file: `/mesh` (points, one group per element block with
//! connectivity and material ids) and `/load_cases/<name>` (nodal fields, tensors as
//! 3×3 for XDMF, integration-point values, scalar results as attributes).

use super::fields::{full_tensors, nodal_fields};
use anyhow::Result;
use hdf5::types::VarLenUnicode;
use ndarray::{ArrayView1, ArrayView2};
use std::path::Path;
use vproto_solver::{Mesh, StaticResults};

pub fn write_f64(
    g: &hdf5::Group,
    name: &str,
    values: &[f64],
    columns: usize,
) -> Result<hdf5::Dataset> {
    Ok(if columns == 1 {
        g.new_dataset_builder()
            .with_data(ArrayView1::from(values))
            .create(name)?
    } else {
        g.new_dataset_builder()
            .with_data(ArrayView2::from_shape(
                (values.len() / columns, columns),
                values,
            )?)
            .create(name)?
    })
}

pub fn text_attr(loc: &hdf5::Location, name: &str, value: &str) -> Result<()> {
    let v: VarLenUnicode = value.parse().map_err(|e| anyhow::anyhow!("{e:?}"))?;
    loc.new_attr::<VarLenUnicode>()
        .create(name)?
        .write_scalar(&v)?;
    Ok(())
}

pub fn points(mesh: &Mesh) -> Vec<f64> {
    mesh.nodes.iter().flat_map(|p| [p.x, p.y, p.z]).collect()
}

pub fn write(
    path: &Path,
    mesh: &Mesh,
    material_of_element: &[usize],
    results: &[StaticResults],
) -> Result<()> {
    let file = hdf5::File::create(path)?;
    text_attr(&file, "units", "SI: m, N, Pa, kg, s")?;
    text_attr(&file, "tensor_order", "Voigt (xx, yy, zz, xy, yz, xz), tensor shear components; *_tensor datasets are full 3x3 row-major")?;
    let m = file.create_group("mesh")?;
    write_f64(&m, "points", &points(mesh), 3)?;
    for ((i, b), offset) in mesh.blocks.iter().enumerate().zip(mesh.block_offsets()) {
        let g = m.create_group(&format!("block{i}"))?;
        text_attr(&g, "element_type", b.kind.name())?;
        let conn: Vec<i64> = b.connectivity.iter().map(|&n| n as i64).collect();
        g.new_dataset_builder()
            .with_data(ArrayView2::from_shape(
                (b.len(), b.kind.node_count()),
                &conn,
            )?)
            .create("connectivity")?;
        let mat: Vec<i32> = material_of_element[offset..offset + b.len()]
            .iter()
            .map(|&m| m as i32)
            .collect();
        g.new_dataset_builder()
            .with_data(ArrayView1::from(&mat))
            .create("material")?;
    }
    let lcs = file.create_group("load_cases")?;
    for r in results {
        let g = lcs.create_group(&r.name)?;
        g.new_attr::<f64>()
            .create("strain_energy")?
            .write_scalar(&r.strain_energy)?;
        g.new_attr::<f64>()
            .create("relative_residual")?
            .write_scalar(&r.relative_residual)?;
        for f in nodal_fields(r) {
            let ds = write_f64(&g, f.name, &f.values, f.components)?;
            text_attr(&ds, "unit", f.unit)?;
            if f.components == 6 {
                write_f64(
                    &g,
                    &format!("{}_tensor", f.name),
                    &full_tensors(&f.values),
                    9,
                )?;
            }
        }
        let ip = g.create_group("integration_points")?;
        let flat = |v: &[vproto_solver::material::Voigt]| {
            v.iter().flat_map(|s| s.iter().copied()).collect::<Vec<_>>()
        };
        write_f64(
            &ip,
            "coordinates",
            &r.fields
                .gauss_points
                .iter()
                .flat_map(|p| [p.x, p.y, p.z])
                .collect::<Vec<_>>(),
            3,
        )?;
        write_f64(&ip, "stress", &flat(&r.fields.gauss_stress), 6)?;
        write_f64(&ip, "strain", &flat(&r.fields.gauss_strain), 6)?;
        let offsets: Vec<i64> = r.fields.gauss_offsets.iter().map(|&o| o as i64).collect();
        ip.new_dataset_builder()
            .with_data(ArrayView1::from(&offsets))
            .create("element_offsets")?;
    }
    file.close()?;
    Ok(())
}
