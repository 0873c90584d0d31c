//! Results as data: what every analysis hands to the generic parts of the app.
//!
//! A load case's [`Results`] are named fields with units on one or more steps (a static
//! or heat load case has one step; a modal one a step per mode, whose value is its
//! frequency in Hz; a buckling one a step per mode, valued by its load factor), scalar
//! tables, and key results by name. Output files, criteria, probes, the summary and
//! `vproto regress` read only this description, so none of them knows the analyses.

use serde::Serialize;
use std::any::Any;
use std::sync::Arc;

/// A physical quantity: its SI unit and the unit the verdict table shows.
#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Quantity {
    Stress,
    Strain,
    Displacement,
    Force,
    Frequency,
    Fraction,
    /// A load multiplier.
    Factor,
    /// Temperature, in the unit the case file uses (K or °C).
    Temperature,
    HeatFlux,
    Power,
    Energy,
    Mass,
    Moment,
    Acceleration,
    /// An angle (rad).
    Angle,
    /// Time (s).
    Time,
    /// A pure number (a residual, a count).
    Number,
}

impl Quantity {
    pub fn si_unit(self) -> &'static str {
        match self {
            Self::Stress => "Pa",
            Self::Displacement => "m",
            Self::Force => "N",
            Self::Frequency => "Hz",
            Self::Strain | Self::Fraction | Self::Factor | Self::Number => "1",
            Self::Temperature => "K or degC (as given)",
            Self::HeatFlux => "W/m^2",
            Self::Power => "W",
            Self::Energy => "J",
            Self::Mass => "kg",
            Self::Moment => "N m",
            Self::Acceleration => "m/s^2",
            Self::Angle => "rad",
            Self::Time => "s",
        }
    }
}

/// Where a field's values sit.
#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Location {
    Node,
}

/// The components of a field, which also say how to take invariants of it.
#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Shape {
    Scalar,
    /// x, y, z (and the magnitude).
    Vector,
    /// Symmetric tensor in Voigt order xx, yy, zz, xy, yz, xz (tensor shear); von Mises,
    /// Tresca and principal values are its invariants.
    SymmetricTensor,
}

impl Shape {
    pub fn components(self) -> usize {
        match self {
            Self::Scalar => 1,
            Self::Vector => 3,
            Self::SymmetricTensor => 6,
        }
    }

    /// Names of the stored components.
    pub fn component_names(self) -> &'static [&'static str] {
        match self {
            Self::Scalar => &[],
            Self::Vector => &["x", "y", "z"],
            Self::SymmetricTensor => &["xx", "yy", "zz", "xy", "yz", "xz"],
        }
    }
}

/// A named field of one step: `shape.components()` values per node, node-major.
#[derive(Clone, Debug)]
pub struct Field {
    pub name: &'static str,
    pub location: Location,
    pub shape: Shape,
    pub quantity: Quantity,
    pub values: Vec<f64>,
}

impl Field {
    pub fn nodal(name: &'static str, shape: Shape, quantity: Quantity, values: Vec<f64>) -> Self {
        Self {
            name,
            location: Location::Node,
            shape,
            quantity,
            values,
        }
    }

    /// The stored components of node `n`.
    pub fn at(&self, n: usize) -> &[f64] {
        let c = self.shape.components();
        &self.values[c * n..c * n + c]
    }
}

/// The scalar by which an analysis solved to a tolerance (an augmented Lagrangian's
/// multipliers) states that tolerance, relative: its answers are known no finer, so
/// `vproto regress` compares them no finer.
pub const RESOLUTION: &str = "resolution";

/// A named number with its quantity.
#[derive(Clone, Debug, Serialize)]
pub struct Scalar {
    pub name: String,
    pub value: f64,
    pub quantity: Quantity,
}

impl Scalar {
    pub fn new(name: impl Into<String>, value: f64, quantity: Quantity) -> Self {
        Self {
            name: name.into(),
            value,
            quantity,
        }
    }
}

/// One step of a load case's results.
#[derive(Clone, Debug)]
pub struct Step {
    pub name: String,
    /// The step's value in the results' [`StepAxis`] (a mode's frequency, a buckling load
    /// factor); `None` for a single-step load case.
    pub value: Option<f64>,
    /// A rigid-body mode: criteria on step values skip it.
    pub rigid_body: bool,
    pub fields: Vec<Field>,
    /// Numbers of this step (a mode's effective masses, its residual).
    pub scalars: Vec<Scalar>,
}

impl Step {
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name == name)
    }

    pub fn scalar(&self, name: &str) -> Option<f64> {
        self.scalars
            .iter()
            .find(|s| s.name == name)
            .map(|s| s.value)
    }
}

/// What the steps of a multi-step load case are, e.g. modes by frequency (Hz).
#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
pub struct StepAxis {
    /// `frequency`, `load_factor`, `time`.
    pub name: &'static str,
    pub quantity: Quantity,
    /// The label of one step in file names and groups: `mode`, `buckling_mode`.
    pub label: &'static str,
}

/// A table written beside the fields (mode tables, integration-point values).
#[derive(Clone, Debug)]
pub struct Table {
    /// A path below the load case's group, e.g. `frequencies` or
    /// `integration_points/stress`.
    pub path: String,
    pub columns: usize,
    pub values: Vec<f64>,
    /// A note stored with it (its unit or meaning), if any.
    pub note: Option<String>,
    /// Whole numbers (indices, offsets), stored as integers.
    pub integer: bool,
    /// Also listed in the JSON summary: a small table a reader needs beside the verdict.
    pub summary: bool,
}

impl Table {
    pub fn new(path: impl Into<String>, columns: usize, values: Vec<f64>) -> Self {
        Self {
            path: path.into(),
            columns,
            values,
            note: None,
            integer: false,
            summary: false,
        }
    }

    pub fn in_summary(mut self) -> Self {
        self.summary = true;
        self
    }

    pub fn integers(mut self) -> Self {
        self.integer = true;
        self
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into());
        self
    }
}

/// A key result: in the summary, in the regress baseline (as `<load case>/<name>`) and
/// with its place in the table.
#[derive(Clone, Debug, Serialize)]
pub struct KeyResult {
    pub name: String,
    pub value: f64,
    pub quantity: Quantity,
    /// Where it occurs (node label and coordinates), for a field extreme.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
}

/// Everything one load case produced.
pub struct Results {
    pub name: String,
    /// The analysis keyword (`static`, `modal`, …).
    pub analysis: &'static str,
    pub steps: Vec<Step>,
    /// What the steps stand for, when there are several.
    pub axis: Option<StepAxis>,
    /// The range of step values in which every step was found (the modes between the
    /// shift and the highest computed one): criteria outside it cannot decide.
    pub covered: Option<(f64, f64)>,
    /// Set when the load case stopped short of what it was asked (a nonlinear load
    /// path it could not carry to the end): its results are those of the last state it
    /// reached, every criterion but `load_capacity` cannot decide on them.
    pub incomplete: Option<Incomplete>,
    /// Numbers of the whole load case (written as attributes, listed in the summary).
    pub scalars: Vec<Scalar>,
    pub tables: Vec<Table>,
    pub key_results: Vec<KeyResult>,
    /// One line for the report above the verdict table.
    pub headline: String,
    /// SVG plots (name, document), written as `<case>_<load case>_<name>.svg`.
    pub plots: Vec<(String, String)>,
    /// Steps shown besides the load case's own (a transient's fields at output times,
    /// whose envelope is the load case's step): written to the HDF5 file and an XDMF
    /// time series of their own, read by no criterion.
    pub series: Option<(StepAxis, Vec<Step>)>,
    /// The solver's own result, for load cases that depend on this one.
    pub raw: Arc<dyn Any + Send + Sync>,
}

impl Results {
    /// The solver's own result of the type `T`, if that is what it holds.
    pub fn raw<T: Any>(&self) -> Option<&T> {
        self.raw.downcast_ref()
    }

    pub fn scalar(&self, name: &str) -> Option<f64> {
        self.scalars
            .iter()
            .find(|s| s.name == name)
            .map(|s| s.value)
    }
}

/// Where and why a load case stopped short.
#[derive(Clone, Debug)]
pub struct Incomplete {
    /// The load factor reached, and the one asked for.
    pub reached: f64,
    pub goal: f64,
    pub why: String,
}

/// What a kind of analysis produces, known before it solves (criteria are checked
/// against it when the case is read).
#[derive(Clone, Copy, Debug)]
pub struct Produces {
    pub fields: &'static [&'static str],
    pub axis: Option<StepAxis>,
    /// Scalars of every step, e.g. `effective_mass_x`.
    pub step_scalars: &'static [&'static str],
    /// Time histories at the probes (`history/<probe>` tables: t, u_x, u_y, u_z).
    pub histories: bool,
}

/// Size and timing of the stiffness solve shared by a run's load cases.
#[derive(Clone, Debug, Serialize)]
pub struct SolverSummary {
    pub equations: usize,
    pub matrix_nonzeros: usize,
    pub factor_nonzeros: usize,
    /// "double" (direct), "mixed" (single-precision factor + conjugate gradients) or
    /// "multigrid" (multigrid-preconditioned conjugate gradients).
    pub precision: &'static str,
    /// Which method solved, and why.
    pub method: String,
    /// Entries of the factor per equation (fill; 0 for the iterative method).
    pub factor_per_equation: f64,
    /// Conjugate-gradient iterations of the worst load case (mixed and multigrid).
    pub iterations: usize,
    /// Smallest pivot ratio L_jj²/K_jj of the factor: tiny values flag ill-conditioning.
    pub min_pivot_ratio: f64,
    pub assembly_seconds: f64,
    pub factor_seconds: f64,
    /// Summed over the load cases.
    pub solve_seconds: f64,
    pub recovery_seconds: f64,
}
