//! The case's HDF5 result file: `/mesh` (points, one group per element block with
//! connectivity and material ids) and `/load_cases/<name>` for every load case — its
//! scalars as attributes, its tables, and its fields: directly in the group for a
//! single-step load case, in one group `<label>_<k>` per step otherwise (`mode_3`,
//! with the step value as an attribute). Symmetric tensors are stored in Voigt order
//! and also as full 3×3 (`<field>_tensor`) for XDMF.

use super::{step_times, Step, StepField};
use crate::results::{Field, Results, Shape};
use anyhow::Result;
use hdf5::types::VarLenUnicode;
use ndarray::{ArrayView1, ArrayView2};
use std::path::Path;
use vproto_solver::Mesh;

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

fn f64_attr(loc: &hdf5::Location, name: &str, value: f64) -> Result<()> {
    loc.new_attr::<f64>().create(name)?.write_scalar(&value)?;
    Ok(())
}

pub fn points(mesh: &Mesh) -> Vec<f64> {
    mesh.nodes.iter().flat_map(|p| [p.x, p.y, p.z]).collect()
}

/// Writes the file and returns, per load case, the XDMF steps it holds.
pub fn write(
    path: &Path,
    mesh: &Mesh,
    material_of_element: &[usize],
    results: &[Results],
) -> Result<Vec<Vec<Step>>> {
    let file = hdf5::File::create(path)?;
    text_attr(&file, "units", "SI: m, N, Pa, kg, s, Hz")?;
    text_attr(&file, "tensor_order", "Voigt (xx, yy, zz, xy, yz, xz), tensor shear components; *_tensor datasets are full 3x3 row-major")?;
    write_mesh(&file, mesh, material_of_element)?;
    let lcs = file.create_group("load_cases")?;
    let steps = results
        .iter()
        .map(|r| write_load_case(&lcs.create_group(&r.name)?, r))
        .collect::<Result<_>>()?;
    file.close()?;
    Ok(steps)
}

fn write_mesh(file: &hdf5::File, mesh: &Mesh, material_of_element: &[usize]) -> Result<()> {
    let m = file.create_group("mesh")?;
    write_f64(&m, "points", &points(mesh), 3)?;
    if !mesh.node_labels.is_empty() {
        m.new_dataset_builder()
            .with_data(ArrayView1::from(&mesh.node_labels))
            .create("node_labels")?;
    }
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
    Ok(())
}

/// One load case's group; returns its XDMF steps (time: the step value, else 0).
fn write_load_case(g: &hdf5::Group, r: &Results) -> Result<Vec<Step>> {
    text_attr(g, "analysis", r.analysis)?;
    for s in &r.scalars {
        f64_attr(g, &s.name, s.value)?;
    }
    for t in &r.tables {
        let (parent, name) = match t.path.rsplit_once('/') {
            Some((p, n)) => (group_at(g, p)?, n),
            None => (g.clone(), t.path.as_str()),
        };
        let ds = if t.integer {
            let v: Vec<i64> = t.values.iter().map(|&x| x as i64).collect();
            parent
                .new_dataset_builder()
                .with_data(ArrayView1::from(&v))
                .create(name)?
        } else {
            write_f64(&parent, name, &t.values, t.columns)?
        };
        if let Some(note) = &t.note {
            text_attr(&ds, "unit", note)?;
        }
    }
    let base = format!("/load_cases/{}", r.name);
    let Some(axis) = r.axis else {
        let step = r
            .steps
            .first()
            .ok_or_else(|| anyhow::anyhow!("load case '{}' has no results", r.name))?;
        let fields = write_fields(g, &base, &step.fields)?;
        return Ok(vec![Step {
            name: step.name.clone(),
            time: 0.0,
            fields,
        }]);
    };
    let values: Vec<f64> = r
        .steps
        .iter()
        .map(|s| s.value.unwrap_or(f64::NAN))
        .collect();
    let times = step_times(&values);
    let mut steps = Vec::with_capacity(r.steps.len());
    for (k, (s, time)) in r.steps.iter().zip(times).enumerate() {
        let label = format!("{}_{}", axis.label, k + 1);
        let sg = g.create_group(&label)?;
        f64_attr(&sg, axis.name, s.value.unwrap_or(f64::NAN))?;
        for sc in &s.scalars {
            f64_attr(&sg, &sc.name, sc.value)?;
        }
        let fields = write_fields(&sg, &format!("{base}/{label}"), &s.fields)?;
        steps.push(Step {
            name: s.name.clone(),
            time,
            fields,
        });
    }
    Ok(steps)
}

/// The group at a relative path below `g`, created as needed.
fn group_at(g: &hdf5::Group, path: &str) -> Result<hdf5::Group> {
    let mut at = g.clone();
    for part in path.split('/') {
        at = match at.group(part) {
            Ok(sub) => sub,
            Err(_) => at.create_group(part)?,
        };
    }
    Ok(at)
}

/// Writes fields into `g` (whose path is `path`) and describes them for XDMF.
fn write_fields(g: &hdf5::Group, path: &str, fields: &[Field]) -> Result<Vec<StepField>> {
    let mut out = Vec::with_capacity(fields.len());
    for f in fields {
        let ds = write_f64(g, f.name, &f.values, f.shape.components())?;
        text_attr(&ds, "unit", f.quantity.si_unit())?;
        let dataset = format!("{path}/{}", f.name);
        out.push(match f.shape {
            Shape::Scalar => StepField {
                name: f.name,
                kind: "Scalar",
                components: 1,
                dataset,
            },
            Shape::Vector => StepField {
                name: f.name,
                kind: "Vector",
                components: 3,
                dataset,
            },
            Shape::SymmetricTensor => {
                write_f64(
                    g,
                    &format!("{}_tensor", f.name),
                    &full_tensors(&f.values),
                    9,
                )?;
                StepField {
                    name: f.name,
                    kind: "Tensor",
                    components: 9,
                    dataset: format!("{dataset}_tensor"),
                }
            }
        });
    }
    Ok(out)
}

/// Expands Voigt (xx, yy, zz, xy, yz, xz) to full row-major 3×3 tensors.
pub fn full_tensors(voigt: &[f64]) -> Vec<f64> {
    voigt
        .chunks_exact(6)
        .flat_map(|s| [s[0], s[3], s[5], s[3], s[1], s[4], s[5], s[4], s[2]])
        .collect()
}
