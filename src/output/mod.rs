//! Result files, written from the generic [`Results`] of every load case. One HDF5 file
//! per case holds the mesh and every load case; XDMF3 sidecars let ParaView open it —
//! `<case>.xdmf` with each single-step load case as a time step, and one
//! `<case>_<load case>.xdmf` per multi-step load case whose time is the step value (a
//! mode's frequency in Hz, a buckling load factor); one VTKHDF 1.0 file per load case
//! opens in ParaView without a sidecar; a JSON summary serves CI. Every file is written
//! under a unique temporary name and renamed when complete ([`crate::files`]), through
//! one [`RunFiles`] that stamps it with the run's id: a run killed midway can leave new
//! files beside old ones, and the id (an HDF5 root attribute `run_id`, a first-line
//! comment in XDMF and SVG, `run_id` in the summary) tells which belong together.

pub mod h5;
pub mod hdf5_results;
pub mod motion;
pub mod vtkhdf;
pub mod xdmf;

pub use crate::files::atomically;
use crate::results::Results;

use anyhow::Result;
use h5::H5;
use std::path::{Path, PathBuf};
use vproto_solver::Mesh;

/// The files of one run: written into one folder, each stamped with the run's id,
/// listed in the order written.
pub struct RunFiles {
    dir: PathBuf,
    name: String,
    run_id: String,
    written: Vec<String>,
}

impl RunFiles {
    /// A run of case `name` writing into `dir`, with a fresh id (UTC time, process id,
    /// a counter and random bits).
    pub fn new(dir: &Path, name: &str) -> Self {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Self {
            dir: dir.to_path_buf(),
            name: name.to_string(),
            run_id: format!("{secs}-{}", crate::files::unique_suffix()),
            written: Vec::new(),
        }
    }

    pub fn run_id(&self) -> &str {
        &self.run_id
    }

    /// The case name, which every file name starts with.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The path of `file` in the run's folder.
    pub fn path(&self, file: &str) -> PathBuf {
        self.dir.join(file)
    }

    /// Writes an HDF5 file with the run id as a root attribute.
    pub fn h5(&mut self, file: &str, mut h: H5) -> Result<()> {
        h.text("", "run_id", &self.run_id);
        self.write(file, |tmp| h.write(tmp))
    }

    /// Writes an XML text file (XDMF, SVG) with the run id in a comment after its
    /// declaration.
    pub fn xml(&mut self, file: &str, text: &str) -> Result<()> {
        let stamp = format!("<!-- vproto run {} -->\n", self.run_id);
        let text = match text.split_once("?>\n") {
            Some((declaration, rest)) if text.starts_with("<?xml") => {
                format!("{declaration}?>\n{stamp}{rest}")
            }
            _ => format!("{stamp}{text}"),
        };
        self.write(file, |tmp| Ok(std::fs::write(tmp, text)?))
    }

    /// Writes a file whose format has no place for the id (the summary records it).
    pub fn write(&mut self, file: &str, write: impl FnOnce(&Path) -> Result<()>) -> Result<()> {
        let path = self.dir.join(file);
        atomically(&path, write)?;
        self.written.push(path.display().to_string());
        Ok(())
    }

    /// The paths written so far.
    pub fn written(&self) -> &[String] {
        &self.written
    }
}

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
/// per load case.
pub fn write_results(
    files: &mut RunFiles,
    mesh: &Mesh,
    material_of_element: &[usize],
    results: &[Results],
    vtkhdf: bool,
) -> Result<()> {
    let name = files.name().to_string();
    let h5_name = format!("{name}.h5");
    let (h, series, extra) = hdf5_results::build(mesh, material_of_element, results)?;
    files.h5(&h5_name, h)?;
    let (single, multi): (Vec<_>, Vec<_>) = results
        .iter()
        .zip(series)
        .partition(|(r, _)| r.axis.is_none());
    if !single.is_empty() {
        let mut steps: Vec<Step> = single.into_iter().flat_map(|(_, s)| s).collect();
        for (i, s) in steps.iter_mut().enumerate() {
            s.time = i as f64;
        }
        files.xml(
            &format!("{name}.xdmf"),
            &xdmf::document(&h5_name, mesh, &steps),
        )?;
    }
    for (r, steps) in multi {
        files.xml(
            &format!("{name}_{}.xdmf", r.name),
            &xdmf::document(&h5_name, mesh, &steps),
        )?;
    }
    for (r, steps) in results.iter().zip(&extra) {
        if let Some(steps) = steps {
            files.xml(
                &format!("{name}_{}.xdmf", r.name),
                &xdmf::document(&h5_name, mesh, steps),
            )?;
        }
    }
    for r in results {
        for (plot, svg) in &r.plots {
            files.xml(&format!("{name}_{}_{plot}.svg", r.name), svg)?;
        }
    }
    for r in results.iter().filter(|_| vtkhdf) {
        let h = vtkhdf::build(mesh, material_of_element, r)?;
        files.h5(&format!("{name}_{}.hdf", r.name), h)?;
    }
    Ok(())
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
