//! Rigid multibody dynamics: mechanisms and fixtures in motion, and the joint loads
//! they put on their parts.
//!
//! A [`Mechanism`] is plain data (bodies, joints, springs, loads, gravity) given at its
//! initial pose. [`simulate`] compiles it into natural coordinates (centre of mass and
//! rotation-matrix columns per body: constant mass matrix, bilinear constraints),
//! assembles a consistent initial state, removes redundant equations, and then either
//! solves the driven kinematics or integrates the index-3 equations of motion with
//! Radau IIA. It never reads case files and never prints.
//!
//! ```
//! use nalgebra::{Matrix3, Point3, Vector3};
//! use vproto_solver::multibody::{simulate, Joint, JointKind, Mechanism, MotionOptions, Part, RigidBody};
//! // A 1 kg point-like bob on a 1 m massless-like rod, hinged at the origin, released
//! // at rest horizontally: at the bottom its speed is √(2 g L).
//! let bob = RigidBody::new("bob", 1.0, Point3::new(1.0, 0.0, 0.0), Matrix3::identity() * 1e-6);
//! let hinge = Joint::new("hinge", JointKind::Revolute, [Part::Ground, Part::Body(0)], Point3::origin(), Vector3::z());
//! let mech = Mechanism { bodies: vec![bob], joints: vec![hinge], gravity: Vector3::new(0.0, -9.81, 0.0), ..Default::default() };
//! let m = simulate(&mech, &MotionOptions { end_time: 0.6, output_step: 0.01, tolerance: 1e-9 }).unwrap();
//! let fastest = m.samples.iter().map(|s| s.bodies[0].velocity.norm()).fold(0.0, f64::max);
//! assert!((fastest - (2.0 * 9.81_f64).sqrt()).abs() < 1e-3);
//! ```

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
