//! Typed errors of the core. Each carries the numerical or topological context a user
//! needs to find the problem in the model (element id, node id, free motion).

use thiserror::Error;

/// A point for a message: `(x, y, z) m`.
fn xyz(p: &[f64; 3]) -> String {
    format!("({:.6e}, {:.6e}, {:.6e}) m", p[0], p[1], p[2])
}

#[derive(Debug, Error)]
pub enum SolverError {
    #[error("mesh: {0}")]
    Mesh(String),
    #[error(
        "element {element} ({kind}, centre {}) is inverted or degenerate: Jacobian determinant {det_j:.3e} at integration point {point}",
        xyz(at)
    )]
    BadElement {
        /// The element's label (deck number, Gmsh tag; else its 0-based index).
        element: i64,
        kind: &'static str,
        at: [f64; 3],
        det_j: f64,
        point: usize,
    },
    #[error(
        "element {element} ({kind}, centre {}) folds over at its local node {node}: Jacobian determinant {det_j:.3e} there (corners in the wrong order, or a mid-side node out of place)",
        xyz(at)
    )]
    FoldedElement {
        /// The element's label.
        element: i64,
        kind: &'static str,
        at: [f64; 3],
        det_j: f64,
        node: usize,
    },
    #[error("unknown set '{name}' ({what}); known sets: {known}")]
    UnknownSet {
        name: String,
        what: &'static str,
        known: String,
    },
    #[error("the model is under-constrained: free rigid-body motion: {motions}. Add constraints that stop it.")]
    UnderConstrained { motions: String },
    #[error(
        "the stiffness matrix is singular or indefinite at node {label} {}, degree of freedom {component} (pivot ratio {ratio:.2e}): a mechanism, a disconnected part or a node attached to no element",
        xyz(at)
    )]
    Singular {
        /// The node's 0-based index.
        node: usize,
        /// Its label (deck number, Gmsh tag).
        label: i64,
        at: [f64; 3],
        component: &'static str,
        ratio: f64,
    },
    #[error("material for region '{region}': {reason}")]
    Material { region: String, reason: String },
    #[error("linear solver: {0}")]
    LinearSolver(String),
    #[error("mechanism: {0}")]
    Mechanism(String),
    #[error("motion analysis stopped at t = {time:.6e} s: {reason}")]
    Integration { time: f64, reason: String },
    #[error("{0}")]
    OutsideBody(String),
    #[error(
        "{what} would need about {needed} of memory, and {available} are available: refused before it starts (use a coarser mesh, or a machine with more memory)"
    )]
    OutOfMemory {
        what: &'static str,
        needed: String,
        available: String,
    },
    /// A dynamic analysis's input that cannot give an answer (no damping, a band
    /// above the modes).
    #[error("{0}")]
    Dynamics(String),
    #[error("the model has no free degrees of freedom")]
    NothingToSolve,
}

pub type Result<T> = std::result::Result<T, SolverError>;
