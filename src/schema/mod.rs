//! The case-file schema: the plain serde types of a case file, strict (unknown keys are
//! errors) and spanned where a later error must name the line. It depends on nothing
//! else in the app: every feature module reads these types, none is read by them.

pub mod material;
pub mod mechanism;
pub mod sweep;

pub use material::MaterialSpec;
pub use mechanism::MechanismSpec;
pub use sweep::SweepSpec;

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::PathBuf;
use toml::Spanned;

/// A parameter value: a number or a name.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(untagged)]
pub enum Value {
    Number(f64),
    Text(String),
}

impl std::fmt::Display for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Number(v) => write!(f, "{v}"),
            Self::Text(s) => f.write_str(s),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseSpec {
    /// Defaults to the file stem.
    pub name: Option<String>,
    #[serde(default)]
    pub description: String,
    /// The finite-element model (optional when the case is a mechanism only).
    pub model: Option<ModelSpec>,
    /// Extra material library files (relative to the case file), read after the
    /// built-in library `models/materials.toml`.
    #[serde(default)]
    pub material_library: Vec<PathBuf>,
    /// Materials defined in the case file itself.
    #[serde(default)]
    pub materials: BTreeMap<String, MaterialSpec>,
    /// Region (element set) name → material name; `all` covers every element.
    #[serde(default)]
    pub regions: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    pub constraint: Vec<ConstraintSpec>,
    #[serde(default)]
    pub load_case: Vec<LoadCaseSpec>,
    /// A mechanism in motion: rigid bodies, joints, drivers, springs, loads.
    pub mechanism: Option<MechanismSpec>,
    /// Named points where every field is reported (and criteria may read it).
    #[serde(default)]
    pub probe: Vec<Spanned<ProbeSpec>>,
    /// Test data the model is correlated with (a modal test's frequencies and shapes).
    #[serde(default)]
    pub measurement: Vec<Spanned<MeasurementSpec>>,
    /// Criteria checked in every load case whose results they can read.
    #[serde(default)]
    pub criterion: Vec<Spanned<CriterionSpec>>,
    #[serde(default)]
    pub output: OutputSpec,
    #[serde(default)]
    pub solver: SolverSpec,
    /// Damping of every dynamic load case that does not set its own.
    pub damping: Option<Spanned<DampingSpec>>,
    /// Design parameters (already substituted where `${…}` uses them).
    #[serde(default)]
    pub parameters: toml::Table,
    /// A parameter sweep, run by `vproto sweep`.
    pub sweep: Option<SweepSpec>,
}

/// `[damping]` (or a dynamic load case's `damping = { … }`): the contributions add.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DampingSpec {
    /// Modal damping ratio ζ: a number, or a table of [Hz, ζ] rows (linear in between,
    /// constant beyond the ends).
    pub modal_ratio: Option<ModalRatio>,
    /// Rayleigh damping C = αM + βK.
    pub rayleigh: Option<RayleighSpec>,
    /// Structural (hysteretic) loss factor η: stiffness K(1 + iη).
    pub loss_factor: Option<f64>,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum ModalRatio {
    Constant(f64),
    Table(Vec<[f64; 2]>),
}

#[derive(Clone, Copy, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RayleighSpec {
    /// 1/s.
    pub alpha: f64,
    /// s.
    pub beta: f64,
}

/// The unit of an acceleration amplitude.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
pub enum AccelerationUnit {
    #[default]
    #[serde(rename = "m/s^2", alias = "m/s2")]
    MetresPerSecondSquared,
    /// Standard gravity, 9.80665 m/s².
    #[serde(rename = "g")]
    G,
}

impl AccelerationUnit {
    /// m/s² per unit.
    pub fn si(self) -> f64 {
        match self {
            Self::MetresPerSecondSquared => 1.0,
            Self::G => 9.80665,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SolverSpec {
    #[serde(default)]
    pub precision: PrecisionSpec,
    #[serde(default)]
    pub method: MethodSpec,
}

/// `auto` (default): the direct factor when it fits in the available memory, else
/// multigrid-preconditioned conjugate gradients; `direct` or `iterative` force one.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum MethodSpec {
    #[default]
    Auto,
    Direct,
    Iterative,
}

impl From<MethodSpec> for vproto_solver::statics::Method {
    fn from(m: MethodSpec) -> Self {
        match m {
            MethodSpec::Auto => Self::Auto,
            MethodSpec::Direct => Self::Direct,
            MethodSpec::Iterative => Self::Iterative,
        }
    }
}

/// `auto` (default): double precision unless the factor would be very large, then a
/// single-precision factor preconditioning double-precision conjugate gradients.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum PrecisionSpec {
    #[default]
    Auto,
    Double,
    Mixed,
}

impl From<PrecisionSpec> for vproto_solver::Precision {
    fn from(p: PrecisionSpec) -> Self {
        match p {
            PrecisionSpec::Auto => Self::Auto,
            PrecisionSpec::Double => Self::Double,
            PrecisionSpec::Mixed => Self::Mixed,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelSpec {
    /// A Gmsh `.msh` file (4.1, ASCII or binary), relative to the case file.
    pub mesh: Option<Spanned<PathBuf>>,
    /// A parametric Gmsh `.geo` file, meshed by the `gmsh` executable with the case's
    /// numeric parameters set (`-setnumber`) for its `DefineConstant`s of the same names.
    pub geo: Option<Spanned<PathBuf>>,
    /// A built-in parametric generator.
    pub generate: Option<GeneratorSpec>,
    /// An Abaqus/CalculiX input deck: its mesh, sets, surfaces, materials and sections
    /// (unless `[regions]` assigns materials), boundary conditions and step loads
    /// (`type = "deck_step"`).
    pub inp: Option<Spanned<PathBuf>>,
    /// The length unit of the mesh's coordinates (`m` default, `mm`, `cm`, `in`): they
    /// are scaled to metres on import. Everything else in the case stays SI (face-set
    /// boxes and probe points in metres).
    #[serde(default)]
    pub unit: LengthUnit,
    /// The temperature scale the case's temperatures are in (`°C` default, or `K`):
    /// the physics is the same (only differences and the reference matter), the
    /// reports say which.
    #[serde(default)]
    pub temperature_unit: TemperatureUnit,
    /// Extra face sets: the boundary faces inside a box.
    #[serde(default)]
    pub face_set: Vec<Spanned<FaceSetSpec>>,
    /// Parts meshed apart (instead of one mesh): each with its own source and
    /// placement; their sets are renamed `part.set`, their elements form region `part`.
    #[serde(default)]
    pub part: Vec<Spanned<PartSpec>>,
    /// Bonded interfaces between parts (or regions) meshed apart.
    #[serde(default)]
    pub tie: Vec<Spanned<TieSpec>>,
    /// Contact pairs between parts (nonlinear load cases).
    #[serde(default)]
    pub contact: Vec<Spanned<ContactSpec>>,
    /// Bolts pretensioned through a section (nonlinear load cases).
    #[serde(default)]
    pub bolt: Vec<Spanned<BoltSpec>>,
}

/// `[[model.bolt]]`: a pretension section (Abaqus's and CalculiX's `*PRE-TENSION
/// SECTION`): the bolt cut on a plane, pulled together by `force`, then locked for the
/// load cases' loads.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BoltSpec {
    pub name: String,
    /// The bolt's elements: a part or an element set (region).
    pub region: String,
    /// A point of the section plane (m); the mesh needs a layer of nodes on it.
    pub point: [f64; 3],
    /// The plane's normal, along the bolt.
    pub axis: [f64; 3],
    /// The pretension (N, > 0).
    pub force: f64,
}

/// `[[model.part]]`: one part of an assembly, meshed on its own.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartSpec {
    pub name: String,
    pub mesh: Option<Spanned<PathBuf>>,
    pub geo: Option<Spanned<PathBuf>>,
    pub generate: Option<GeneratorSpec>,
    /// The length unit of this part's mesh (default the model's).
    pub unit: Option<LengthUnit>,
    /// Rotation applied first (about `about`), then the translation (m).
    pub rotate: Option<RotationSpec>,
    #[serde(default)]
    pub translate: [f64; 3],
}

/// A rotation by `angle_deg` about `axis` through the point `about` (m).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RotationSpec {
    pub axis: [f64; 3],
    pub angle_deg: f64,
    #[serde(default)]
    pub about: [f64; 3],
}

/// `[[model.tie]]`: slave surface bonded to master surface (Abaqus's `*TIE`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TieSpec {
    pub name: String,
    /// A face set (surface-to-surface, mortar weights) or a node set (node-to-surface).
    pub slave: String,
    /// A face set.
    pub master: String,
    /// Largest distance (m) of a tied slave node from the master surface (default 5 %
    /// of the nearest master face's diagonal).
    pub position_tolerance: Option<f64>,
    /// Move tied slave nodes onto the master surface (default true).
    #[serde(default = "yes")]
    pub adjust: bool,
}

/// `[[model.contact]]`: a slave face set that may press on, slide along and lift off
/// a master face set (Abaqus's `*CONTACT PAIR`, surface-to-surface, finite sliding
/// unless `sliding = "small"`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContactSpec {
    pub name: String,
    /// A face set: the finer or softer surface, covered by the master where it touches.
    pub slave: String,
    /// A face set.
    pub master: String,
    /// Coulomb's friction coefficient (default 0: frictionless).
    #[serde(default)]
    pub friction: f64,
    /// Normal penalty stiffness (Pa/m; default 10 E / h, made exact by augmentation).
    pub penalty: Option<f64>,
    /// Soft contact: a linear pressure–overclosure law (Pa/m), the surfaces overlapping
    /// by p / k (CalculiX's `LINEAR`); default hard contact, exact.
    pub normal_stiffness: Option<f64>,
    /// Master faces farther than this (m) from a slave face are not paired (default
    /// each master face's diagonal).
    pub search_distance: Option<f64>,
    /// The elastic slip (m) at the friction limit: the stick's compliance (default
    /// 1e-4 of the slave faces' size).
    pub elastic_slip: Option<f64>,
    /// A constant stick stiffness (Pa/m), CalculiX's stick slope, instead of the
    /// elastic slip's μ p / γ.
    pub stick_slope: Option<f64>,
    /// The surfaces start overlapping on purpose (a press fit), pushed apart by the
    /// solution; otherwise an initial penetration beyond 1 % of the face size is an
    /// error.
    #[serde(default)]
    pub interference: bool,
    /// `"finite"` (default): paired again as the surfaces move; `"small"`: paired once,
    /// undeformed (cheaper, for motion small against a face).
    #[serde(default)]
    pub sliding: SlidingSpec,
}

/// A contact pair's sliding.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum SlidingSpec {
    #[default]
    Finite,
    Small,
}

fn yes() -> bool {
    true
}

/// The scale of a case's temperatures.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
pub enum TemperatureUnit {
    #[default]
    #[serde(rename = "°C", alias = "C", alias = "degC")]
    Celsius,
    #[serde(rename = "K")]
    Kelvin,
}

impl TemperatureUnit {
    pub fn symbol(self) -> &'static str {
        match self {
            Self::Celsius => "°C",
            Self::Kelvin => "K",
        }
    }
}

/// A length unit of mesh coordinates.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
pub enum LengthUnit {
    #[default]
    #[serde(rename = "m")]
    Metre,
    #[serde(rename = "mm")]
    Millimetre,
    #[serde(rename = "cm")]
    Centimetre,
    #[serde(rename = "in")]
    Inch,
}

impl LengthUnit {
    /// Metres per unit.
    pub fn metres(self) -> f64 {
        match self {
            Self::Metre => 1.0,
            Self::Millimetre => 1e-3,
            Self::Centimetre => 1e-2,
            Self::Inch => 0.0254,
        }
    }
}

/// `[[model.face_set]]`: the boundary faces whose nodes all lie in [min, max].
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaceSetSpec {
    pub name: String,
    pub min: [f64; 3],
    pub max: [f64; 3],
}

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum ElementSpec {
    Tet4,
    Tet10,
    Hex8,
    Hex20,
    /// Hex20 with reduced (2×2×2) integration, as C3D20R.
    Hex20r,
}

impl From<ElementSpec> for vproto_solver::ElementKind {
    fn from(e: ElementSpec) -> Self {
        use vproto_solver::ElementKind as K;
        match e {
            ElementSpec::Tet4 => K::Tet4,
            ElementSpec::Tet10 => K::Tet10,
            ElementSpec::Hex8 => K::Hex8,
            ElementSpec::Hex20 => K::Hex20,
            ElementSpec::Hex20r => K::Hex20R,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(tag = "shape", rename_all = "snake_case", deny_unknown_fields)]
pub enum GeneratorSpec {
    /// `[0,Lx]×[0,Ly]×[0,Lz]`; face sets xmin … zmax, region `body`.
    Box {
        size: [f64; 3],
        divisions: [usize; 3],
        element: ElementSpec,
        /// The corner with the smallest coordinates (default the origin).
        #[serde(default)]
        origin: [f64; 3],
    },
    /// Quarter plate with a central hole (symmetry planes x = 0 and y = 0).
    PlateWithHole {
        width: f64,
        height: f64,
        thickness: f64,
        hole_radius: f64,
        divisions: [usize; 3],
        element: ElementSpec,
    },
    /// Sector of a thick-walled tube about z.
    Tube {
        inner_radius: f64,
        outer_radius: f64,
        angle_deg: f64,
        length: f64,
        divisions: [usize; 3],
        element: ElementSpec,
    },
}

/// Prescribed displacements on a set (m). `fixed = true` clamps every component.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConstraintSpec {
    pub set: Spanned<String>,
    #[serde(default)]
    pub fixed: bool,
    pub ux: Option<f64>,
    pub uy: Option<f64>,
    pub uz: Option<f64>,
}

/// A load case. The keys named here are common to every analysis; any other key is an
/// option of the load case's analysis, read (strictly, with its line) by that analysis'
/// module (`Case::options` in the app).
#[derive(Debug, Deserialize)]
pub struct LoadCaseSpec {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// The analysis keyword (`static` when absent): see `vproto::analysis::Registry`.
    pub analysis: Option<Spanned<String>>,
    #[serde(default)]
    pub load: Vec<Spanned<LoadSpec>>,
    /// Criteria checked in this load case only.
    #[serde(default)]
    pub criterion: Vec<Spanned<CriterionSpec>>,
}

/// The keys of a `[[load_case]]` that belong to every analysis.
pub const COMMON_LOAD_CASE_KEYS: [&str; 5] =
    ["name", "description", "analysis", "load", "criterion"];

impl LoadCaseSpec {
    /// The analysis keyword, `static` by default.
    pub fn analysis(&self) -> &str {
        self.analysis.as_ref().map_or("static", |a| a.get_ref())
    }
}

#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum LoadSpec {
    /// A total force (N) spread over a face set as a uniform traction.
    Force { set: String, total: [f64; 3] },
    /// A force (N) on every node of a set.
    NodalForce { set: String, force: [f64; 3] },
    /// Pressure (Pa) on a face set, positive pushing into the solid.
    Pressure { set: String, value: f64 },
    /// Traction (N/m²) on a face set in a fixed direction.
    Traction { set: String, value: [f64; 3] },
    /// Body acceleration (m/s²), e.g. gravity [0, 0, -9.81]; optionally on one region.
    Gravity {
        acceleration: [f64; 3],
        region: Option<String>,
    },
    /// Static: thermal expansion from a uniform temperature change `delta_t` (K), or
    /// from temperatures — of heat load case `from`, or given by an `expression` of
    /// x, y, z — relative to the stress-free `reference_temperature`.
    Thermal {
        delta_t: Option<f64>,
        from: Option<String>,
        expression: Option<String>,
        reference_temperature: Option<f64>,
    },
    /// Static: the reaction of a mechanism joint on `body` (force and moment about the
    /// joint point, in the part's initial pose) spread over a face set like an RBE3
    /// coupling, at the load case's instant.
    JointLoad {
        joint: String,
        body: String,
        set: String,
    },
    /// Static: the d'Alembert inertia forces and gravity of `body`'s motion at the load
    /// case's instant, on its region (default every element).
    MotionInertia { body: String },
    /// Static: the force of a mechanism spring on `body`, spread over a face set, at the
    /// load case's instant.
    SpringLoad {
        spring: String,
        body: String,
        set: String,
    },
    /// Static or heat: the loads of step `step` (1-based) of the model's `.inp` deck.
    DeckStep { step: usize },
    /// Dynamic: the supports, all moving together, accelerate with this amplitude (as a
    /// shaker table drives them); `set` must be among the constrained nodes.
    BaseAcceleration {
        set: String,
        acceleration: [f64; 3],
        #[serde(default)]
        unit: AccelerationUnit,
    },
    /// Heat: a fixed temperature on a set.
    Temperature { set: String, value: f64 },
    /// Heat: heat flux into the body through a face set (W/m²).
    HeatFlux { set: String, value: f64 },
    /// Heat: convection from a face set to a sink (film coefficient W/(m²·K)).
    Convection {
        set: String,
        film_coefficient: f64,
        sink_temperature: f64,
    },
    /// Heat: volumetric heat generation (W/m³), optionally in one region.
    HeatSource { value: f64, region: Option<String> },
}

impl LoadSpec {
    /// A force, pressure, traction or gravity: a load of the part itself, not of a
    /// mechanism, a deck, heat or a base.
    pub fn is_mechanical(&self) -> bool {
        matches!(
            self,
            Self::Force { .. }
                | Self::NodalForce { .. }
                | Self::Pressure { .. }
                | Self::Traction { .. }
                | Self::Gravity { .. }
        )
    }

    /// The `type` keyword, for messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::Force { .. } => "force",
            Self::NodalForce { .. } => "nodal_force",
            Self::Pressure { .. } => "pressure",
            Self::Traction { .. } => "traction",
            Self::Gravity { .. } => "gravity",
            Self::Thermal { .. } => "thermal",
            Self::JointLoad { .. } => "joint_load",
            Self::MotionInertia { .. } => "motion_inertia",
            Self::SpringLoad { .. } => "spring_load",
            Self::DeckStep { .. } => "deck_step",
            Self::BaseAcceleration { .. } => "base_acceleration",
            Self::Temperature { .. } => "temperature",
            Self::HeatFlux { .. } => "heat_flux",
            Self::Convection { .. } => "convection",
            Self::HeatSource { .. } => "heat_source",
        }
    }
}

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Component {
    X,
    Y,
    Z,
    Magnitude,
}

#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum CriterionSpec {
    /// Maximum nodal von Mises stress ≤ allowable, given directly (Pa) or as the
    /// lowest yield strength in the region divided by a safety factor.
    MaxVonMises {
        region: Option<String>,
        allowable: Option<f64>,
        safety_factor: Option<f64>,
    },
    /// Maximum displacement (m) on a set (default: every node) ≤ limit.
    MaxDisplacement {
        set: Option<String>,
        #[serde(default = "magnitude")]
        component: Component,
        limit: f64,
    },
    /// Resultant reaction force (N) on a constrained set within [min, max].
    ReactionForce {
        set: String,
        component: Component,
        min: Option<f64>,
        max: Option<f64>,
    },
    /// Random: σ-level (`sigma` × RMS) von Mises stress ≤ allowable (Pa) or the lowest
    /// yield strength in the region over `safety_factor`. The RMS von Mises stress comes
    /// from the stress components' cross-spectra.
    MaxRmsStress {
        region: Option<String>,
        sigma: f64,
        allowable: Option<f64>,
        safety_factor: Option<f64>,
    },
    /// Random: σ-level absolute acceleration (m/s²) on a set (default every node) ≤ limit.
    MaxRmsAcceleration {
        set: Option<String>,
        #[serde(default = "magnitude")]
        component: Component,
        sigma: f64,
        limit: f64,
    },
    /// Random: σ-level displacement relative to the base (m) on a set ≤ limit (a
    /// clearance).
    MaxRmsDisplacement {
        set: Option<String>,
        #[serde(default = "magnitude")]
        component: Component,
        sigma: f64,
        limit: f64,
    },
    /// Transient: the time (s) after which the displacement at a probe stays within
    /// `band` (a fraction of its largest excursion, default 5 %) of its value at the end
    /// of the run ≤ limit.
    MaxSettlingTime {
        probe: String,
        band: Option<f64>,
        limit: f64,
    },
    /// Modal: the first elastic natural frequency (Hz) ≥ min.
    FirstFrequency { min: f64 },
    /// Modal: no elastic natural frequency inside [min, max] Hz.
    ForbiddenBand { min: f64, max: f64 },
    /// Modal: the computed modes' effective mass in a direction ≥ min_fraction of the
    /// mass that can move in it.
    EffectiveMass {
        direction: Component,
        min_fraction: f64,
    },
    /// Buckling: the lowest buckling factor (multiple of the preload) ≥ min.
    BucklingFactor { min: f64 },
    /// Heat: the highest temperature on a set (default every node) ≤ limit.
    MaxTemperature { set: Option<String>, limit: f64 },
    /// Fatigue: the largest damage of one pass of the histories on a set (default every
    /// node) ≤ limit.
    MaxDamage { set: Option<String>, limit: f64 },
    /// Nonlinear: the largest equivalent plastic strain on a set (default every node)
    /// ≤ limit (the largest of a node's neighbouring integration points).
    MaxPlasticStrain { set: Option<String>, limit: f64 },
    /// Nonlinear with contact: the smallest contact pressure (Pa) at the slave nodes of
    /// a set ≥ min (min > 0: no lift-off, with that margin).
    MinContactPressure { set: String, min: f64 },
    /// Modal, with a `[[measurement]]`: every measured mode's MAC with the computed
    /// mode it is paired with ≥ min.
    MinMac { measurement: String, min: f64 },
    /// Modal, with a `[[measurement]]`: every paired mode's |computed / measured − 1| ≤
    /// limit (a fraction).
    MaxFrequencyError { measurement: String, limit: f64 },
    /// Nonlinear with contact: the contact force (N) a set's slave nodes carry ≥ min
    /// (a locator stays loaded: the part stays located).
    MinContactForce { set: String, min: f64 },
    /// Nonlinear with contact: the friction force a set's slave nodes carry over what
    /// they can carry, |Σ τ A| / Σ μ p A ≤ max < 1 (the part does not slide there;
    /// single points at the edges may micro-slip).
    MaxFrictionUtilisation { set: String, max: f64 },
    /// Nonlinear with contact: the largest gap (m) at the slave nodes of a set ≤ max
    /// (how far a flange or seat opens; also called `max_separation`).
    #[serde(alias = "max_separation")]
    MaxGap { set: String, max: f64 },
    /// Nonlinear with bolts: |force − pretension| / pretension ≤ max for a bolt (default
    /// every bolt) — the clamping a joint keeps under its service load.
    MaxBoltForceChange { bolt: Option<String>, max: f64 },
    /// Nonlinear with `unload = true`: the largest displacement magnitude left on a set
    /// (default every node) once the load is removed ≤ limit (m).
    MaxPermanentSet { set: Option<String>, limit: f64 },
    /// Nonlinear: the load factor carried before Newton found no equilibrium (the load
    /// path's end, `max_load_factor`, when it carried it all) ≥ min — a limit-load
    /// estimate.
    LoadCapacity { min: f64 },
    /// Fatigue: the life on a set (default every node) ≥ `passes` repeats of the
    /// histories, or `hours` of them (CSV channels: a pass lasts their time span),
    /// times `scatter_factor` (default 1): Miner's sum over that life ≤ 1.
    MinFatigueLife {
        set: Option<String>,
        passes: Option<f64>,
        hours: Option<f64>,
        scatter_factor: Option<f64>,
    },
    /// A result at a `[[probe]]` point within [min, max]: `quantity` is a field
    /// (`temperature`, `von_mises`), a component (`stress.yy`, `displacement.z`) or an
    /// invariant (`stress.tresca`, `stress.principal_1`, `displacement.magnitude`).
    ValueAtProbe {
        probe: String,
        quantity: String,
        min: Option<f64>,
        max: Option<f64>,
    },
    /// The largest value of a component or invariant (as for `value_at_probe`) over the
    /// nodes of a set (default every node) ≤ `max` and/or the smallest ≥ `min`.
    MaxComponent {
        set: Option<String>,
        quantity: String,
        min: Option<f64>,
        max: Option<f64>,
    },
}

/// `[[probe]]`: a named point of the body, like a strain gauge or a benchmark's target.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProbeSpec {
    pub name: String,
    pub point: [f64; 3],
}

/// `[[measurement]]`: a modal test (CSV: measured frequencies and mode shape
/// components at sensor points) correlated with a modal load case's modes.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeasurementSpec {
    pub name: String,
    /// The modal load case whose modes are compared with the measured ones.
    pub load_case: String,
    /// The test data file (relative to the case file).
    pub file: PathBuf,
    /// How far (m) a sensor may lie off the meshed surface (default 1 % of the model's
    /// bounding-box diagonal).
    pub sensor_tolerance: Option<f64>,
}

fn magnitude() -> Component {
    Component::Magnitude
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutputSpec {
    /// Result directory, relative to the case file (default: `out/<case name>` in the
    /// working directory).
    pub directory: Option<PathBuf>,
}
