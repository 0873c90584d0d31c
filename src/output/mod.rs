//! Result files. One HDF5 file per case holds the mesh and every load case; an XDMF3
//! sidecar lets ParaView open it with each load case as a time step; one VTKHDF 1.0
//! file per load case opens in ParaView without a sidecar; a JSON summary serves CI.
//! Every file is written under a temporary name and renamed when complete.

pub mod fields;
pub mod hdf5_results;
pub mod motion;
pub mod vtkhdf;
pub mod xdmf;

use anyhow::{Context, Result};
use std::path::{Path, PathBuf};
use vproto_solver::buckling::BucklingSolution;
use vproto_solver::modal::ModalSolution;
use vproto_solver::thermal::HeatResults;
use vproto_solver::StaticResults;

/// The results of one load case, as written.
#[derive(Clone, Copy)]
pub enum LoadCaseResults<'a> {
    Static(&'a StaticResults),
    Modal {
        name: &'a str,
        solution: &'a ModalSolution,
    },
    Buckling {
        name: &'a str,
        solution: &'a BucklingSolution,
    },
    Heat(&'a HeatResults),
}

impl LoadCaseResults<'_> {
    pub fn name(&self) -> &str {
        match self {
            Self::Static(r) => &r.name,
            Self::Heat(h) => &h.name,
            Self::Modal { name, .. } | Self::Buckling { name, .. } => name,
        }
    }
}

/// One step of the XDMF time series: a static load case or one mode.
pub struct Step {
    pub name: String,
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

/// Writes a file through `write(tmp_path)` and renames it into place on success.
pub fn atomically(path: &Path, write: impl FnOnce(&Path) -> Result<()>) -> Result<()> {
    let tmp: PathBuf = {
        let mut name = path.file_name().unwrap_or_default().to_os_string();
        name.push(".tmp");
        path.with_file_name(name)
    };
    let result = write(&tmp);
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
        return result.with_context(|| format!("writing {}", path.display()));
    }
    std::fs::rename(&tmp, path)
        .with_context(|| format!("renaming {} to {}", tmp.display(), path.display()))
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
