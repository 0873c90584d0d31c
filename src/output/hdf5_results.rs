//! The case's HDF5 result file: `/mesh` (points, one group per element block with
//! connectivity and material ids) and `/load_cases/<name>` for every load case — its
//! scalars as attributes, its tables, and its fields: directly in the group for a
//! single-step load case, in one group `<label>_<k>` per step otherwise (`mode_3`,
//! with the step value as an attribute). Symmetric tensors are stored in Voigt order
//! and also as full 3×3 (`<field>_tensor`) for XDMF.

use super::h5::H5;
use super::{step_times, Step, StepField};
use crate::results::{Field, Results, Shape};
use anyhow::Result;
use vproto_solver::Mesh;

pub fn points(mesh: &Mesh) -> Vec<f64> {
    mesh.nodes.iter().flat_map(|p| [p.x, p.y, p.z]).collect()
}

/// The XDMF steps of a load case's time series, if it has one.
pub type SeriesSteps = Option<Vec<Step>>;

/// Writes the file and returns, per load case, the XDMF steps it holds and those of
/// its time series.
pub fn build(
    mesh: &Mesh,
    material_of_element: &[usize],
    results: &[Results],
) -> Result<(H5, Vec<Vec<Step>>, Vec<SeriesSteps>)> {
    let mut h = H5::new();
    h.text("", "units", "SI: m, N, Pa, kg, s, Hz");
    h.text("", "tensor_order", "Voigt (xx, yy, zz, xy, yz, xz), tensor shear components; *_tensor datasets are full 3x3 row-major");
    write_mesh(&mut h, mesh, material_of_element)?;
    let steps = results
        .iter()
        .map(|r| write_load_case(&mut h, r))
        .collect::<Result<_>>()?;
    let series = results
        .iter()
        .map(|r| write_series(&mut h, r))
        .collect::<Result<_>>()?;
    Ok((h, steps, series))
}

fn write_mesh(h: &mut H5, mesh: &Mesh, material_of_element: &[usize]) -> Result<()> {
    h.f64("mesh/points", points(mesh), 3)?;
    if !mesh.node_labels.is_empty() {
        h.i64("mesh/node_labels", mesh.node_labels.as_slice(), 1)?;
    }
    if !mesh.element_labels.is_empty() {
        h.i64("mesh/element_labels", mesh.element_labels.as_slice(), 1)?;
    }
    for ((i, b), offset) in mesh.blocks.iter().enumerate().zip(mesh.block_offsets()) {
        let g = format!("mesh/block{i}");
        let conn: Vec<i64> = b.connectivity.iter().map(|&n| n as i64).collect();
        h.i64(&format!("{g}/connectivity"), conn, b.kind.node_count())?;
        let mat: Vec<i32> = material_of_element[offset..offset + b.len()]
            .iter()
            .map(|&m| m as i32)
            .collect();
        h.i32(&format!("{g}/material"), mat)?;
        h.text(&g, "element_type", b.kind.name());
    }
    Ok(())
}

/// One load case's group; returns its XDMF steps (time: the step value, else 0).
fn write_load_case(h: &mut H5, r: &Results) -> Result<Vec<Step>> {
    let base = format!("load_cases/{}", r.name);
    for t in &r.tables {
        let path = format!("{base}/{}", t.path);
        if t.integer {
            let v: Vec<i64> = t.values.iter().map(|&x| x as i64).collect();
            h.i64(&path, v, t.columns)?;
        } else {
            h.f64(&path, t.values.as_slice(), t.columns)?;
        }
        if let Some(note) = &t.note {
            h.text(&path, "unit", note);
        }
    }
    let Some(axis) = r.axis else {
        let step = r
            .steps
            .first()
            .ok_or_else(|| anyhow::anyhow!("load case '{}' has no results", r.name))?;
        let fields = write_fields(h, &base, &step.fields)?;
        scalars(h, &base, r);
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
        let g = format!("{base}/{}_{}", axis.label, k + 1);
        let fields = write_fields(h, &g, &s.fields)?;
        h.number(&g, axis.name, s.value.unwrap_or(f64::NAN));
        for sc in &s.scalars {
            h.number(&g, &sc.name, sc.value);
        }
        steps.push(Step {
            name: s.name.clone(),
            time,
            fields,
        });
    }
    scalars(h, &base, r);
    Ok(steps)
}

/// A load case's series of extra steps (`<label>_<k>` groups below its own), with
/// their XDMF steps at the steps' values as times.
fn write_series(h: &mut H5, r: &Results) -> Result<Option<Vec<Step>>> {
    let Some((axis, series)) = &r.series else {
        return Ok(None);
    };
    let base = format!("load_cases/{}", r.name);
    let mut steps = Vec::with_capacity(series.len());
    for (k, s) in series.iter().enumerate() {
        let g = format!("{base}/{}_{}", axis.label, k + 1);
        let fields = write_fields(h, &g, &s.fields)?;
        h.number(&g, axis.name, s.value.unwrap_or(f64::NAN));
        steps.push(Step {
            name: s.name.clone(),
            time: s.value.unwrap_or(k as f64),
            fields,
        });
    }
    Ok(Some(steps))
}

/// The analysis and the load case's scalars, as attributes of its group.
fn scalars(h: &mut H5, base: &str, r: &Results) {
    h.text(base, "analysis", r.analysis);
    for s in &r.scalars {
        h.number(base, &s.name, s.value);
    }
}

/// Writes fields into the group at `path` and describes them for XDMF.
fn write_fields(h: &mut H5, path: &str, fields: &[Field]) -> Result<Vec<StepField>> {
    let mut out = Vec::with_capacity(fields.len());
    for f in fields {
        let dataset = format!("{path}/{}", f.name);
        h.f64(&dataset, f.values.as_slice(), f.shape.components())?;
        h.text(&dataset, "unit", f.quantity.si_unit());
        let dataset = format!("/{dataset}");
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
                h.f64(
                    &format!("{path}/{}_tensor", f.name),
                    full_tensors(&f.values),
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
