//! Rigid multibody dynamics: mechanisms and fixtures in motion, and the joint loads
//! they put on their parts.
//!
//! A [`Mechanism`] is plain data (bodies, joints, springs, loads, gravity) given at its
//! initial pose. [`simulate`] compiles it into natural coordinates (centre of mass and
//! rotation-matrix columns per body: constant mass matrix, bilinear constraints),
//! assembles a consistent initial state, removes redundant equations, and then either
//! solves the driven kinematics or integrates the index-3 equations of motion with
//! Radau IIA. It never reads case files and never prints.

mod constraint;
mod model;
mod motion;
mod pose;
mod radau;
mod system;

pub use model::{
    AppliedLoad, Driver, Joint, JointKind, Mechanism, Motion, Part, RigidBody, SpringDamper,
    TorsionSpring,
};
pub use motion::{simulate, BodyState, JointState, MotionOptions, MotionSolution, Sample};
pub use radau::RadauStats;
