//! The `vproto` application: case files in, verdicts and ParaView-ready results out.
//!
//! The physics lives in [`vproto_solver`]; this crate owns every file format and all
//! printing: case files ([`case`]), the materials library ([`materials`]), Gmsh meshes
//! ([`gmsh`]), acceptance criteria ([`criteria`]), result files ([`output`]) and the
//! verdict table ([`report`]). [`run`] ties them together for `vproto run`.

pub mod analysis;
pub mod case;
pub mod component;
pub mod criteria;
pub mod distributed;
pub mod expr;
pub mod gmsh;
pub mod inp;
pub mod materials;
pub mod mechanism;
pub mod model;
pub mod output;
pub mod params;
pub mod plot;
pub mod probe;
pub mod regress;
pub mod report;
pub mod results;
pub mod run;
pub mod schema;
pub mod sweep;

pub use vproto_solver as solver;
