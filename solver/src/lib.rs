//! vproto's physics core.
//!
//! The core takes plain data (a [`Mesh`], materials, constraints and loads) and returns
//! plain results. It never reads case files, never writes result files and never prints:
//! the `vproto` application owns all input and output. Analyses read like the method:
//! set up degrees of freedom → assemble → factor → solve → recover stresses.

pub mod assembly;
pub mod buckling;
pub mod coupling;
pub mod dofs;
pub mod eigen;
pub mod element;
pub mod error;
pub mod generate;
pub mod linsolve;
pub mod loads;
pub mod material;
pub mod mesh;
pub mod modal;
pub mod multibody;
pub mod ordering;
pub mod probe;
pub mod quadrature;
pub mod recovery;
pub mod rigid;
pub mod statics;
pub mod thermal;

pub use element::{ElementKind, FaceKind};
pub use error::SolverError;
pub use material::Isotropic;
pub use mesh::{ElementBlock, FaceRef, Mesh};
pub use statics::{
    Constraint, Load, LoadCase, Precision, SolveTiming, SolverOptions, StaticFactor, StaticModel,
    StaticResults, StaticSolution,
};
