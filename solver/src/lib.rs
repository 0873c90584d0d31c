//! vproto's physics core: plain data in, plain results out. It never reads case files,
//! never writes result files and never prints — the `vproto` application owns all of
//! that.
//!
//! # Analyses
//!
//! Each analysis is one module with its options, its entry point and its result type:
//!
//! | analysis | module | entry point | result |
//! |---|---|---|---|
//! | linear statics, many load cases on one factor | [`statics`] | [`StaticModel::solve`], [`StaticModel::factor`] | [`StaticResults`] |
//! | natural frequencies and modes | [`modal`] | [`StaticModel::modes`] | [`modal::ModalSolution`] |
//! | steady-state harmonic response (modal superposition) | [`harmonic`] | [`StaticModel::harmonic`] | [`harmonic::HarmonicSolution`] |
//! | random vibration (PSD input, modal superposition) | [`random`] | [`StaticModel::random`] | [`random::RandomSolution`] |
//! | shock: SRS of pulses and histories, response-spectrum analysis | [`shock`] | [`StaticModel::response_spectrum`] | [`shock::SpectrumResponse`] |
//! | linear transient dynamics (HHT-α direct integration) | [`transient`] | [`StaticModel::transient`] | [`transient::TransientSolution`] |
//! | linear (eigenvalue) buckling | [`buckling`] | [`StaticModel::buckling`] | [`buckling::BucklingSolution`] |
//! | steady heat conduction | [`thermal`] | [`thermal::ThermalModel::solve`] | [`thermal::HeatResults`] |
//! | fatigue life per node from load histories (rainflow, S–N, Miner) | [`fatigue`] | [`fatigue::nodal_damage`] | [`fatigue::NodalDamage`] |
//! | rigid multibody motion | [`multibody`] | [`multibody::simulate`] | [`multibody::MotionSolution`] |
//!
//! # How a solid analysis reads
//!
//! Set up degrees of freedom ([`dofs`]) → check for free rigid-body motion ([`rigid`]) →
//! assemble with one generic kernel over element data ([`element`]: shape functions
//! and quadrature tables; [`assembly`]) → order and factor ([`ordering`], [`linsolve`]:
//! symbolic analysis once, numeric factor per matrix) → solve (one column at a time
//! over the elimination tree's independent subtrees in parallel) → recover strains and
//! stresses ([`recovery`]). Meshes ([`mesh`], [`generate`]), loads ([`loads`],
//! [`coupling`]), eigen-solvers ([`eigen`]) and points inside the body ([`probe`]) are
//! shared by all. [`plasticity`] is the material-point update (J2 return mapping and
//! its consistent tangent) the nonlinear static solution will build on.

pub mod amg;
pub mod assembly;
pub mod bolt;
pub mod buckling;
pub mod compressed;
pub mod contact;
pub mod correlation;
pub mod coupling;
pub mod dofs;
pub mod eigen;
pub mod element;
pub mod error;
pub mod fatigue;
pub mod generate;
pub mod harmonic;
pub mod hyperelastic;
pub mod linsolve;
pub mod loads;
pub mod lobpcg;
pub mod material;
pub mod memory;
pub mod mesh;
pub mod modal;
pub mod multibody;
pub mod nonlinear;
pub mod ordering;
pub mod plasticity;
pub mod probe;
pub mod quadrature;
pub mod random;
pub mod recovery;
pub mod rigid;
pub mod sensitivity;
pub mod sensor;
pub mod shock;
pub mod statics;
pub mod thermal;
pub mod tie;
pub mod transient;
mod trisolve;

pub use element::{ElementKind, FaceKind};
pub use error::SolverError;
pub use material::Isotropic;
pub use mesh::{ElementBlock, FaceRef, Mesh};
pub use statics::{
    Constraint, Load, LoadCase, Precision, SolveTiming, SolverOptions, StaticFactor, StaticModel,
    StaticResults, StaticSolution,
};
