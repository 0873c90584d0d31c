//! Case files: the TOML a user writes to describe a design, its load cases and the
//! acceptance criteria. Parsing is strict (unknown keys are errors) and references to
//! sets and materials keep their position so later errors can name the line.

use crate::params::Parameters;
use anyhow::{bail, Context, Result};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// A parsed case file together with its path and text (for error positions).
#[derive(Debug)]
pub struct Case {
    pub path: PathBuf,
    /// The text after parameter substitution.
    pub text: String,
    pub spec: CaseSpec,
    /// The parameter values used.
    pub parameters: Parameters,
    /// A deck already read (for `vproto run deck.inp`), taken by the model.
    pub deck: std::cell::RefCell<Option<crate::inp::Deck>>,
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
    pub materials: BTreeMap<String, crate::materials::MaterialSpec>,
    /// Region (element set) name → material name; `all` covers every element.
    #[serde(default)]
    pub regions: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    pub constraint: Vec<ConstraintSpec>,
    #[serde(default)]
    pub load_case: Vec<LoadCaseSpec>,
    /// A mechanism in motion: rigid bodies, joints, drivers, springs, loads.
    pub mechanism: Option<crate::mechanism::MechanismSpec>,
    /// Criteria checked in every load case.
    #[serde(default)]
    pub criterion: Vec<Spanned<CriterionSpec>>,
    #[serde(default)]
    pub output: OutputSpec,
    #[serde(default)]
    pub solver: SolverSpec,
    /// Design parameters (already substituted where `${…}` uses them).
    #[serde(default)]
    pub parameters: toml::Table,
    /// A parameter sweep, run by `vproto sweep`.
    pub sweep: Option<crate::sweep::SweepSpec>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SolverSpec {
    #[serde(default)]
    pub precision: PrecisionSpec,
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
    /// Extra face sets: the boundary faces inside a box.
    #[serde(default)]
    pub face_set: Vec<Spanned<FaceSetSpec>>,
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
    /// [0,Lx]×[0,Ly]×[0,Lz]; face sets xmin … zmax, region `body`.
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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoadCaseSpec {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// `static` (default), `modal` or `buckling`.
    #[serde(default)]
    pub analysis: AnalysisSpec,
    /// Modal and buckling: number of modes to compute (default 10 modal, 4 buckling).
    pub modes: Option<usize>,
    /// Buckling: the static load case whose stresses may buckle the structure.
    pub preload: Option<Spanned<String>>,
    /// Modal: find the modes above this frequency (Hz).
    pub shift_hz: Option<f64>,
    /// Static with mechanism loads: the instant (s) of the motion they are taken at.
    pub at_time: Option<f64>,
    /// Static with mechanism loads: take them when this joint's reaction force peaks.
    pub at_peak: Option<Spanned<String>>,
    #[serde(default)]
    pub load: Vec<Spanned<LoadSpec>>,
    /// Criteria checked in this load case only.
    #[serde(default)]
    pub criterion: Vec<Spanned<CriterionSpec>>,
}

#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum AnalysisSpec {
    #[default]
    Static,
    Modal,
    Buckling,
    Heat,
}

impl AnalysisSpec {
    pub fn name(self) -> &'static str {
        match self {
            Self::Static => "static",
            Self::Modal => "modal",
            Self::Buckling => "buckling",
            Self::Heat => "heat",
        }
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
    /// The analysis this load belongs to.
    pub fn analysis(&self) -> AnalysisSpec {
        match self {
            Self::Temperature { .. }
            | Self::HeatFlux { .. }
            | Self::Convection { .. }
            | Self::HeatSource { .. } => AnalysisSpec::Heat,
            _ => AnalysisSpec::Static,
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
}

impl CriterionSpec {
    /// The analysis whose results the criterion reads.
    pub fn analysis(&self) -> AnalysisSpec {
        match self {
            Self::MaxVonMises { .. }
            | Self::MaxDisplacement { .. }
            | Self::ReactionForce { .. } => AnalysisSpec::Static,
            Self::FirstFrequency { .. }
            | Self::ForbiddenBand { .. }
            | Self::EffectiveMass { .. } => AnalysisSpec::Modal,
            Self::BucklingFactor { .. } => AnalysisSpec::Buckling,
            Self::MaxTemperature { .. } => AnalysisSpec::Heat,
        }
    }
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

impl Case {
    /// Reads and parses a case file; syntax and schema errors name the file and line.
    pub fn load(path: &Path) -> Result<Self> {
        Self::load_with(path, &Parameters::new())
    }

    /// Reads a case file with some of its `[parameters]` set to other values.
    pub fn load_with(path: &Path, overrides: &Parameters) -> Result<Self> {
        if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("inp"))
        {
            return Self::from_deck(path);
        }
        let raw = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read case file {}", path.display()))?;
        let mut parameters = crate::params::declared(path, &raw)?;
        for (k, v) in overrides {
            match parameters.get_mut(k) {
                Some(p) => *p = v.clone(),
                None => bail!(
                    "{}: no parameter '{k}' is declared in [parameters]",
                    path.display()
                ),
            }
        }
        let text = crate::params::substitute(path, &raw, &parameters)?;
        let spec: CaseSpec = toml::from_str(&text).map_err(|e| syntax_error(path, &text, &e))?;
        if spec.load_case.is_empty() && spec.mechanism.is_none() {
            bail!(
                "{}: the case defines no [[load_case]] and no [mechanism]",
                path.display()
            );
        }
        if !spec.load_case.is_empty() && spec.model.is_none() {
            bail!(
                "{}: load cases need a [model] (a mesh, a .geo or a generator)",
                path.display()
            );
        }
        let valid = |n: &str| {
            !n.is_empty()
                && n.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c))
        };
        let name_ok = spec.name.as_deref().is_none_or(valid);
        if let Some(bad) = spec
            .load_case
            .iter()
            .map(|l| l.name.as_str())
            .chain((!name_ok).then_some(spec.name.as_deref().unwrap_or("")))
            .find(|n| !valid(n))
        {
            bail!(
                "{}: name '{bad}' may only use letters, digits, '_', '-' and '.' (it names result files and HDF5 groups)",
                path.display()
            );
        }
        for lc in &spec.load_case {
            let kind = lc.analysis.name();
            let misplaced = |key: &str, allowed: &[AnalysisSpec]| -> Result<()> {
                if allowed.contains(&lc.analysis) {
                    Ok(())
                } else {
                    let need: Vec<&str> = allowed.iter().map(|a| a.name()).collect();
                    bail!(
                        "{}: load case '{}' is {kind}: `{key}` needs analysis = \"{}\"",
                        path.display(),
                        lc.name,
                        need.join("\" or \"")
                    )
                }
            };
            if let Some(l) = lc.load.iter().find(|l| {
                // A deck step's loads are static or heat, whichever the step is.
                !matches!(l.get_ref(), LoadSpec::DeckStep { .. })
                    && l.get_ref().analysis() != lc.analysis
            }) {
                let line = text[..l.span().start].matches('\n').count() + 1;
                bail!(
                    "{}:{line}: this load belongs to a {} load case, but '{}' is {kind}",
                    path.display(),
                    l.get_ref().analysis().name(),
                    lc.name
                );
            }
            for l in &lc.load {
                if let LoadSpec::Thermal {
                    delta_t,
                    from,
                    expression,
                    reference_temperature,
                } = l.get_ref()
                {
                    let line = text[..l.span().start].matches('\n').count() + 1;
                    match (delta_t, from, expression, reference_temperature) {
                        (Some(_), None, None, None) => {}
                        (None, Some(f), None, Some(_)) => {
                            if !spec.load_case.iter().any(|o| o.name == *f && o.analysis == AnalysisSpec::Heat) {
                                bail!("{}:{line}: thermal load from '{f}', which is not a heat load case of this file", path.display());
                            }
                        }
                        (None, None, Some(e), Some(_)) => {
                            crate::expr::Expr::parse(e, &["x", "y", "z"]).map_err(|err| anyhow::anyhow!("{}:{line}: expression: {err}", path.display()))?;
                        }
                        _ => bail!(
                            "{}:{line}: a thermal load needs `delta_t`, or `reference_temperature` with one of `from` (a heat load case) or `expression` (of x, y, z)",
                            path.display()
                        ),
                    }
                }
            }
            if lc.modes.is_some() {
                misplaced("modes", &[AnalysisSpec::Modal, AnalysisSpec::Buckling])?;
            }
            if lc.shift_hz.is_some() {
                misplaced("shift_hz", &[AnalysisSpec::Modal])?;
            }
            if lc.preload.is_some() {
                misplaced("preload", &[AnalysisSpec::Buckling])?;
            }
            let from_motion = lc.load.iter().find(|l| {
                matches!(
                    l.get_ref(),
                    LoadSpec::JointLoad { .. }
                        | LoadSpec::MotionInertia { .. }
                        | LoadSpec::SpringLoad { .. }
                )
            });
            if let Some(l) = from_motion {
                let line = text[..l.span().start].matches('\n').count() + 1;
                if spec.mechanism.is_none() {
                    bail!("{}:{line}: this load comes from a mechanism, but the case has no [mechanism]", path.display());
                }
                if lc.at_time.is_some() == lc.at_peak.is_some() {
                    bail!(
                        "{}:{line}: load case '{}' takes loads from the mechanism: give it exactly one of `at_time = <s>` or `at_peak = \"<joint>\"`",
                        path.display(),
                        lc.name
                    );
                }
            } else if lc.at_time.is_some() || lc.at_peak.is_some() {
                bail!(
                    "{}: load case '{}': `at_time`/`at_peak` pick the instant of mechanism loads (joint_load, motion_inertia), and it has none",
                    path.display(),
                    lc.name
                );
            }
            if lc.analysis == AnalysisSpec::Buckling {
                let Some(pre) = &lc.preload else {
                    bail!(
                        "{}: buckling load case '{}' needs `preload = \"<static load case>\"`",
                        path.display(),
                        lc.name
                    );
                };
                if !spec
                    .load_case
                    .iter()
                    .any(|o| o.name == *pre.get_ref() && o.analysis == AnalysisSpec::Static)
                {
                    let line = text[..pre.span().start].matches('\n').count() + 1;
                    bail!(
                        "{}:{line}: preload '{}' is not a static load case of this file",
                        path.display(),
                        pre.get_ref()
                    );
                }
            }
            if let Some(c) = lc
                .criterion
                .iter()
                .find(|c| c.get_ref().analysis() != lc.analysis)
            {
                let line = text[..c.span().start].matches('\n').count() + 1;
                bail!(
                    "{}:{line}: this criterion reads {} results but load case '{}' is {}",
                    path.display(),
                    c.get_ref().analysis().name(),
                    lc.name,
                    lc.analysis.name()
                );
            }
        }
        let mut names: Vec<&str> = spec.load_case.iter().map(|l| l.name.as_str()).collect();
        names.sort_unstable();
        if let Some(w) = names.windows(2).find(|w| w[0] == w[1]) {
            bail!("{}: two load cases are named '{}'", path.display(), w[0]);
        }
        Ok(Self {
            path: path.to_path_buf(),
            text,
            spec,
            parameters,
            deck: std::cell::RefCell::new(None),
        })
    }

    /// A case that runs every step of an Abaqus/CalculiX deck (see [`crate::inp::case_text`]).
    pub fn from_deck(path: &Path) -> Result<Self> {
        let deck = crate::inp::read(path)?;
        for w in &deck.warnings {
            tracing::warn!("{w}");
        }
        if deck.steps.is_empty() {
            bail!("{}: the deck has no *STEP to run", path.display());
        }
        let text = crate::inp::case_text(path, &deck);
        let spec: CaseSpec = toml::from_str(&text).map_err(|e| syntax_error(path, &text, &e))?;
        Ok(Self {
            path: path.to_path_buf(),
            text,
            spec,
            parameters: Parameters::new(),
            deck: std::cell::RefCell::new(Some(deck)),
        })
    }

    pub fn name(&self) -> String {
        self.spec.name.clone().unwrap_or_else(|| {
            self.path
                .file_stem()
                .map_or("case".into(), |s| s.to_string_lossy().into_owned())
        })
    }

    /// Resolves a path written in the case file against the case file's directory.
    pub fn resolve(&self, p: &Path) -> PathBuf {
        self.path.parent().unwrap_or(Path::new(".")).join(p)
    }

    /// "file:line" for a span of the case text.
    pub fn at(&self, span: std::ops::Range<usize>) -> String {
        let line = self.text[..span.start.min(self.text.len())]
            .matches('\n')
            .count()
            + 1;
        format!("{}:{line}", self.path.display())
    }

    /// Wraps an error with the position of a spanned value.
    pub fn error_at<T>(&self, value: &Spanned<T>, err: impl std::fmt::Display) -> anyhow::Error {
        anyhow::anyhow!("{}: {err}", self.at(value.span()))
    }
}

/// Formats a TOML error as `file:line: message` with the offending line. Errors inside
/// tagged tables (loads, criteria, generators) come from serde pointing at the table
/// header; the key or value the message names is then looked up inside that table.
fn syntax_error(path: &Path, text: &str, e: &toml::de::Error) -> anyhow::Error {
    let msg = e.message().trim_end();
    let mut pos = e.span().map_or(0, |s| s.start);
    let named = msg
        .split('`')
        .nth(1)
        .filter(|_| msg.starts_with("unknown") || msg.starts_with("missing"));
    if let Some(word) = named.filter(|_| text[pos..].starts_with('[')) {
        let table_end = text[pos + 1..]
            .find("\n[")
            .map_or(text.len(), |i| pos + 1 + i);
        let table = &text[pos..table_end];
        let hit = table
            .match_indices(word)
            .find(|(i, _)| {
                let line_start = table[..*i].rfind('\n').map_or(0, |j| j + 1);
                let before = table[line_start..*i]
                    .trim()
                    .trim_end_matches(['"', '\''])
                    .trim_end();
                before.is_empty() || before.ends_with('=')
            })
            .map(|(i, _)| i);
        if let Some(i) = hit {
            pos += i;
        }
    }
    let line_no = text[..pos].matches('\n').count() + 1;
    let line = text.lines().nth(line_no - 1).unwrap_or("");
    anyhow::anyhow!(
        "{}:{line_no}: {msg}\n    {line_no} | {line}",
        path.display()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> std::result::Result<CaseSpec, String> {
        toml::from_str::<CaseSpec>(s)
            .map_err(|e| syntax_error(Path::new("c.toml"), s, &e).to_string())
    }

    const MINIMAL: &str = r#"
[model.generate]
shape = "box"
size = [1.0, 0.1, 0.1]
divisions = [10, 1, 1]
element = "hex8"

[regions]
all = "steel_s355"

[[constraint]]
set = "xmin"
fixed = true

[[load_case]]
name = "tip"
[[load_case.load]]
type = "force"
set = "xmax"
total = [0.0, 0.0, -100.0]
"#;

    #[test]
    fn minimal_case_parses() {
        let c = parse(MINIMAL).unwrap();
        assert_eq!(c.load_case[0].load.len(), 1);
        assert!(matches!(
            c.model.unwrap().generate,
            Some(GeneratorSpec::Box { .. })
        ));
    }

    #[test]
    fn unknown_keys_name_the_line_and_key() {
        let bad = MINIMAL.replace("total = [0.0, 0.0, -100.0]", "totl = [0.0, 0.0, -100.0]");
        let e = parse(&bad).unwrap_err();
        assert!(e.starts_with("c.toml:20:") && e.contains("totl"), "{e}");
        let bad = MINIMAL.replace(
            "divisions = [10, 1, 1]",
            "divisions = [10, 1, 1]\ncolour = 3",
        );
        let e = parse(&bad).unwrap_err();
        assert!(e.contains("colour"), "{e}");
    }

    #[test]
    fn wrong_types_name_the_line() {
        let bad = MINIMAL.replace("element = \"hex8\"", "element = \"hex9\"");
        let e = parse(&bad).unwrap_err();
        assert!(e.starts_with("c.toml:6:") && e.contains("hex9"), "{e}");
    }
}
