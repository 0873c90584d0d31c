//! The case's HDF5 result file: `/mesh` (points, one group per element block with
//! connectivity and material ids) and `/load_cases/<name>` — for a static load case its
//! nodal fields (tensors also as 3×3 for XDMF), integration-point values and scalar
//! results as attributes; for a modal one its frequencies, effective masses and one
//! group per mode with the mass-normalised shape.

use super::fields::{full_tensors, nodal_fields};
use super::{LoadCaseResults, Step, StepField};
use anyhow::Result;
use hdf5::types::VarLenUnicode;
use ndarray::{ArrayView1, ArrayView2};
use std::path::Path;
use vproto_solver::buckling::BucklingSolution;
use vproto_solver::modal::ModalSolution;
use vproto_solver::thermal::HeatResults;
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

fn f64_attr(loc: &hdf5::Location, name: &str, value: f64) -> Result<()> {
    loc.new_attr::<f64>().create(name)?.write_scalar(&value)?;
    Ok(())
}

pub fn points(mesh: &Mesh) -> Vec<f64> {
    mesh.nodes.iter().flat_map(|p| [p.x, p.y, p.z]).collect()
}

/// Writes the file and returns the steps it holds, for the XDMF sidecar.
pub fn write(
    path: &Path,
    mesh: &Mesh,
    material_of_element: &[usize],
    results: &[LoadCaseResults],
) -> Result<Vec<Step>> {
    let file = hdf5::File::create(path)?;
    text_attr(&file, "units", "SI: m, N, Pa, kg, s, Hz")?;
    text_attr(&file, "tensor_order", "Voigt (xx, yy, zz, xy, yz, xz), tensor shear components; *_tensor datasets are full 3x3 row-major")?;
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
    let lcs = file.create_group("load_cases")?;
    let mut steps = Vec::new();
    for r in results {
        let g = lcs.create_group(r.name())?;
        match *r {
            LoadCaseResults::Static(s) => steps.push(write_static(&g, s)?),
            LoadCaseResults::Modal { name, solution } => {
                steps.extend(write_modal(&g, name, solution)?)
            }
            LoadCaseResults::Heat(h) => steps.push(write_heat(&g, h)?),
            LoadCaseResults::Buckling { name, solution } => {
                steps.extend(write_buckling(&g, name, solution)?)
            }
        }
    }
    file.close()?;
    Ok(steps)
}

fn write_static(g: &hdf5::Group, r: &StaticResults) -> Result<Step> {
    text_attr(g, "analysis", "static")?;
    f64_attr(g, "strain_energy", r.strain_energy)?;
    f64_attr(g, "relative_residual", r.relative_residual)?;
    let mut step = Step {
        name: r.name.clone(),
        fields: vec![],
    };
    for f in nodal_fields(r) {
        let ds = write_f64(g, f.name, &f.values, f.components)?;
        text_attr(&ds, "unit", f.unit)?;
        let dataset = format!("/load_cases/{}/{}", r.name, f.name);
        let field = match f.components {
            1 => StepField {
                name: f.name,
                kind: "Scalar",
                components: 1,
                dataset,
            },
            3 => StepField {
                name: f.name,
                kind: "Vector",
                components: 3,
                dataset,
            },
            _ => {
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
        };
        step.fields.push(field);
    }
    let ip = g.create_group("integration_points")?;
    let flat = |v: &[vproto_solver::material::Voigt]| {
        v.iter().flat_map(|s| s.iter().copied()).collect::<Vec<_>>()
    };
    let coords: Vec<f64> = r
        .fields
        .gauss_points
        .iter()
        .flat_map(|p| [p.x, p.y, p.z])
        .collect();
    write_f64(&ip, "coordinates", &coords, 3)?;
    write_f64(&ip, "stress", &flat(&r.fields.gauss_stress), 6)?;
    write_f64(&ip, "strain", &flat(&r.fields.gauss_strain), 6)?;
    let offsets: Vec<i64> = r.fields.gauss_offsets.iter().map(|&o| o as i64).collect();
    ip.new_dataset_builder()
        .with_data(ArrayView1::from(&offsets))
        .create("element_offsets")?;
    Ok(step)
}

fn write_modal(g: &hdf5::Group, name: &str, m: &ModalSolution) -> Result<Vec<Step>> {
    text_attr(g, "analysis", "modal")?;
    let column = |f: &dyn Fn(&vproto_solver::modal::Mode) -> f64| {
        m.modes.iter().map(f).collect::<Vec<f64>>()
    };
    let ds = write_f64(g, "frequencies", &column(&|x| x.frequency), 1)?;
    text_attr(&ds, "unit", "Hz")?;
    write_f64(g, "eigenvalues", &column(&|x| x.eigenvalue), 1)?;
    write_f64(g, "residuals", &column(&|x| x.residual), 1)?;
    write_f64(
        g,
        "rigid_body",
        &column(&|x| f64::from(u8::from(x.rigid_body))),
        1,
    )?;
    let per_dir = |f: &dyn Fn(&vproto_solver::modal::Mode) -> [f64; 3]| {
        m.modes.iter().flat_map(f).collect::<Vec<f64>>()
    };
    let ds = write_f64(
        g,
        "participation_factors",
        &per_dir(&|x| x.participation),
        3,
    )?;
    text_attr(&ds, "unit", "kg^0.5 (x, y, z)")?;
    let ds = write_f64(g, "effective_mass", &per_dir(&|x| x.effective_mass), 3)?;
    text_attr(&ds, "unit", "kg (x, y, z)")?;
    write_f64(g, "participating_mass", &m.participating_mass, 1)?;
    let shapes: Vec<(f64, &[f64])> = m
        .modes
        .iter()
        .map(|x| (x.frequency, x.shape.as_slice()))
        .collect();
    write_shapes(
        g,
        name,
        &shapes,
        "frequency",
        "mass: shape^T M shape = 1",
        |k, f| format!("{name}_mode{k}_{f:.4}Hz"),
    )
}

fn write_buckling(g: &hdf5::Group, name: &str, b: &BucklingSolution) -> Result<Vec<Step>> {
    text_attr(g, "analysis", "buckling")?;
    let factors: Vec<f64> = b.modes.iter().map(|m| m.factor).collect();
    let ds = write_f64(g, "factors", &factors, 1)?;
    text_attr(
        &ds,
        "meaning",
        "multiples of the preload at which the structure buckles",
    )?;
    let shapes: Vec<(f64, &[f64])> = b
        .modes
        .iter()
        .map(|x| (x.factor, x.shape.as_slice()))
        .collect();
    write_shapes(
        g,
        name,
        &shapes,
        "factor",
        "largest component = 1",
        |k, f| format!("{name}_buckling{k}_{f:.4}x"),
    )
}

/// Writes one group `mode_<k>` per shape with its value as attribute `attr`, and
/// returns one XDMF step per shape, named by `label(k, value)`.
fn write_shapes(
    g: &hdf5::Group,
    name: &str,
    shapes: &[(f64, &[f64])],
    attr: &str,
    normalisation: &str,
    label: impl Fn(usize, f64) -> String,
) -> Result<Vec<Step>> {
    let mut steps = Vec::with_capacity(shapes.len());
    for (i, (value, shape)) in shapes.iter().enumerate() {
        let k = i + 1;
        let mg = g.create_group(&format!("mode_{k}"))?;
        f64_attr(&mg, attr, *value)?;
        let ds = write_f64(&mg, "displacement", shape, 3)?;
        text_attr(&ds, "normalisation", normalisation)?;
        steps.push(Step {
            name: label(k, *value),
            fields: vec![StepField {
                name: "displacement",
                kind: "Vector",
                components: 3,
                dataset: format!("/load_cases/{name}/mode_{k}/displacement"),
            }],
        });
    }
    Ok(steps)
}

fn write_heat(g: &hdf5::Group, h: &HeatResults) -> Result<Step> {
    text_attr(g, "analysis", "heat")?;
    f64_attr(g, "relative_residual", h.relative_residual)?;
    let ds = write_f64(g, "temperature", &h.temperature, 1)?;
    text_attr(&ds, "unit", "as given in the case file (K or degC)")?;
    let ds = write_f64(g, "heat_flux", &h.heat_flux, 3)?;
    text_attr(&ds, "unit", "W/m^2")?;
    let ds = write_f64(g, "reaction_heat", &h.reaction, 1)?;
    text_attr(&ds, "unit", "W, into the body at fixed-temperature nodes")?;
    let path = |f: &str| format!("/load_cases/{}/{f}", h.name);
    Ok(Step {
        name: h.name.clone(),
        fields: vec![
            StepField {
                name: "temperature",
                kind: "Scalar",
                components: 1,
                dataset: path("temperature"),
            },
            StepField {
                name: "heat_flux",
                kind: "Vector",
                components: 3,
                dataset: path("heat_flux"),
            },
        ],
    })
}
