//! The `vproto` application: case files in, verdicts and ParaView-ready results out.
//!
//! # Design in two minutes
//!
//! **Where an analysis lives.** Each kind of load case (`analysis = "static"`, `modal`,
//! `buckling`, `heat`) is one module of [`analysis`] that implements
//! [`analysis::Kind`]: its case-file options, which loads it takes, what its results
//! hold, and how a load case of it is built; the built load case implements
//! [`analysis::Analysis`]: what it depends on and how it solves, through the matching
//! module of the solver crate ([`vproto_solver`]). [`analysis::Registry::standard`]
//! lists them — a new analysis is one module here, one in the solver and one line there.
//!
//! **How data flows.**
//! 1. [`case`] reads the TOML into the [`schema`] types (plain serde, strict, spanned:
//!    every later error names its file and line); parameters are substituted first.
//! 2. [`model`] builds the mesh ([`gmsh`], [`inp`] or a generator), materials
//!    ([`materials`]) and constraints; a `[mechanism]` runs first ([`mechanism`]) when its
//!    joint loads feed load cases.
//! 3. [`analysis::build`] turns each `[[load_case]]` into an [`analysis::Analysis`] with
//!    its kind; [`analysis::solve`] solves them in dependency order (a buckling load case
//!    after its preload, a thermal-stress one after its heat load case), sharing one
//!    stiffness factorisation.
//! 4. Every load case returns [`results::Results`]: named fields with units on one or
//!    more steps (a mode is a step valued by its frequency), tables and key results.
//!    Everything after this point reads only that description: [`criteria`] (checks and
//!    margins, on fields over sets or at [`probe`]s), [`output`] (HDF5, XDMF3, VTKHDF),
//!    [`report`] (table and JSON summary) and [`regress`] (baselines).
//! 5. [`run`] ties the steps together for `vproto run`; [`sweep`] runs it per design
//!    point.
//!
//! The schema imports nothing else of the app, and no two modules import each other
//! (held by `tests/architecture.rs`).

pub mod analysis;
pub mod case;
pub mod component;
pub mod criteria;
pub mod distributed;
pub mod expr;
pub mod files;
pub mod gmsh;
pub mod inp;
pub mod materials;
pub mod measurement;
pub mod mechanism;
pub mod model;
pub mod output;
pub mod params;
pub mod parts;
pub mod plausibility;
pub mod plot;
pub mod probe;
pub mod progress;
pub mod regress;
pub mod report;
pub mod results;
pub mod run;
pub mod schema;
pub mod sweep;
pub mod units;

pub use vproto_solver as solver;
