//! Result files, written from the generic [`Results`] of every load case. One HDF5 file
//! per case holds the mesh and every load case; XDMF3 sidecars let ParaView open it —
//! `<case>.xdmf` with each single-step load case as a time step, and one
//! `<case>_<load case>.xdmf` per multi-step load case whose time is the step value (a
//! mode's frequency in Hz, a buckling load factor); one VTKHDF 1.0 file per load case
//! opens in ParaView without a sidecar; a JSON summary serves CI. Every file is written
//! under a unique temporary name and renamed when complete ([`crate::files`]).

pub mod h5;
pub mod hdf5_results;
pub mod motion;
pub mod vtkhdf;
pub mod xdmf;

pub use crate::files::atomically;
use crate::results::Results;

use anyhow::Result;
use std::path::Path;
use vproto_solver::Mesh;

/// One step of an XDMF time series: its time value and nodal fields.
pub struct Step {
    pub name: String,
    pub time: f64,
    pub fields: Vec<StepField>,
}

/// A nodal field of a step: its XDMF attribute name and type and its HDF5 dataset.
pub struct StepField {
    pub name: &'static str,
    /// XDMF AttributeType: Scalar, Vector or Tensor.
    pub kind: &'static str,
    pub components: usize,
    pub dataset: String,
}

/// VTK cell type and XDMF topology name of an element kind.
pub fn cell_type(kind: vproto_solver::ElementKind) -> (u8, &'static str) {
    use vproto_solver::ElementKind::*;
    match kind {
        Tet4 => (10, "Tetrahedron"),
        Hex8 => (12, "Hexahedron"),
        Tet10 => (24, "Tetrahedron_10"),
        Hex20 | Hex20R => (25, "Hexahedron_20"),
    }
}

/// Writes the case's HDF5 file, its XDMF sidecars and (with `vtkhdf`) one VTKHDF file
/// per load case into `dir`; returns the paths written.
pub fn write_results(
    dir: &Path,
    name: &str,
    mesh: &Mesh,
    material_of_element: &[usize],
    results: &[Results],
    vtkhdf: bool,
) -> Result<Vec<String>> {
    let h5 = dir.join(format!("{name}.h5"));
    let mut series = Vec::new();
    atomically(&h5, |tmp| {
        series = hdf5_results::write(tmp, mesh, material_of_element, results)?;
        Ok(())
    })?;
    let mut files = vec![h5.display().to_string()];
    let h5_name = format!("{name}.h5");
    let (single, multi): (Vec<_>, Vec<_>) = results
        .iter()
        .zip(series)
        .partition(|(r, _)| r.axis.is_none());
    let mut doc = |file: String, steps: &[Step]| -> Result<()> {
        let path = dir.join(file);
        let text = xdmf::document(&h5_name, mesh, steps);
        atomically(&path, |tmp| Ok(std::fs::write(tmp, text)?))?;
        files.push(path.display().to_string());
        Ok(())
    };
    if !single.is_empty() {
        let mut steps: Vec<Step> = single.into_iter().flat_map(|(_, s)| s).collect();
        for (i, s) in steps.iter_mut().enumerate() {
            s.time = i as f64;
        }
        doc(format!("{name}.xdmf"), &steps)?;
    }
    for (r, steps) in multi {
        doc(format!("{name}_{}.xdmf", r.name), &steps)?;
    }
    for r in results.iter().filter(|_| vtkhdf) {
        let p = dir.join(format!("{name}_{}.hdf", r.name));
        atomically(&p, |tmp| vtkhdf::write(tmp, mesh, material_of_element, r))?;
        files.push(p.display().to_string());
    }
    Ok(files)
}

/// Distinct, increasing time values for steps valued `values` (rigid-body modes all
/// sit at 0 Hz): each value, or a hair above the previous time where it would repeat.
pub fn step_times(values: &[f64]) -> Vec<f64> {
    let scale = values.iter().fold(1.0_f64, |a, v| a.max(v.abs()));
    let mut times: Vec<f64> = Vec::with_capacity(values.len());
    for &v in values {
        let t = match times.last() {
            Some(&last) if v <= last => last + 1e-6 * scale,
            _ => v,
        };
        times.push(t);
    }
    times
}
