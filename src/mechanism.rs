//! The `[mechanism]` of a case: rigid bodies, joints, springs, loads and drivers in
//! TOML, built into the solver's [`Mechanism`], run, and read back as histories,
//! checks, a summary and the loads a mechanism puts on a finite-element part.
//!
//! Histories have path names used alike by the HDF5 file and by plots:
//! `joint/<name>/force` (magnitude; `force_x` … for components), `joint/<name>/moment`,
//! `joint/<name>/angle`, `joint/<name>/slide`, `body/<name>/position_x` …,
//! `body/<name>/speed`, `body/<name>/acceleration`, `spring/<name>/tension`,
//! `spring/<name>/length`, `energy/kinetic`, `energy/potential`, `energy/work`,
//! `energy/error`.

use crate::case::Case;
use crate::criteria::{Bound, Check, Quantity};
use crate::expr::Expr;
use crate::model::Part as FePart;
use anyhow::{anyhow, bail, Result};
use nalgebra::{Matrix3, Point3, Vector3};
use serde::{Deserialize, Serialize};
use toml::Spanned;
use vproto_solver::coupling::mass_properties;
use vproto_solver::multibody::{
    simulate, AppliedLoad, Driver, Joint, JointKind, Mechanism, Motion, MotionOptions,
    MotionSolution, Part, RigidBody, SpringDamper, TorsionSpring,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MechanismSpec {
    /// Simulated time (s), from 0.
    pub end_time: f64,
    /// Interval between result samples (s).
    pub output_step: f64,
    /// Integrator tolerance (relative and absolute; default 1e-8).
    #[serde(default = "default_tolerance")]
    pub tolerance: f64,
    /// m/s², e.g. [0, -9.81, 0]; default none.
    #[serde(default)]
    pub gravity: [f64; 3],
    pub body: Vec<Spanned<BodySpec>>,
    #[serde(default)]
    pub joint: Vec<Spanned<JointSpec>>,
    #[serde(default)]
    pub spring: Vec<Spanned<SpringSpec>>,
    #[serde(default)]
    pub torsion_spring: Vec<Spanned<TorsionSpec>>,
    #[serde(default)]
    pub load: Vec<Spanned<LoadSpec>>,
    #[serde(default)]
    pub criterion: Vec<Spanned<CriterionSpec>>,
    /// History plots written as SVG (default: one of every joint's force).
    #[serde(default)]
    pub plot: Vec<Spanned<PlotSpec>>,
}

fn default_tolerance() -> f64 {
    1e-8
}

/// A rigid body: mass properties given, or computed from a region of the case's mesh
/// and its material density (the part's mesh is then the body, at its initial pose).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BodySpec {
    pub name: String,
    pub region: Option<String>,
    pub mass: Option<f64>,
    pub center_of_mass: Option<[f64; 3]>,
    /// About the centre of mass: [Ixx, Iyy, Izz] or [Ixx, Iyy, Izz, Ixy, Iyz, Ixz] (kg m²).
    pub inertia: Option<Vec<f64>>,
    #[serde(default)]
    pub velocity: [f64; 3],
    #[serde(default)]
    pub angular_velocity: [f64; 3],
}

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum JointType {
    Fixed,
    Revolute,
    Prismatic,
    Cylindrical,
    Spherical,
    Universal,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JointSpec {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: JointType,
    /// Two body names, or "ground".
    pub parts: [String; 2],
    pub point: [f64; 3],
    /// Rotation / sliding axis (default z); universal: the first part's pin.
    pub axis: Option<[f64; 3]>,
    /// The joint frame's x direction; universal: the second part's pin.
    pub reference: Option<[f64; 3]>,
    /// Prescribed motion of the joint, an expression of `t` from the initial pose:
    /// `{ rotation = "2*pi*t" }` (rad) or `{ translation = "0.01*sin(t)" }` (m).
    pub drive: Option<DriveSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DriveSpec {
    pub rotation: Option<String>,
    pub translation: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpringSpec {
    pub name: String,
    pub parts: [String; 2],
    pub points: [[f64; 3]; 2],
    pub stiffness: f64,
    #[serde(default)]
    pub damping: f64,
    /// Default: the initial distance between the points.
    pub free_length: Option<f64>,
    /// Tension at the free length (N).
    #[serde(default)]
    pub preload: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TorsionSpec {
    pub name: String,
    pub joint: String,
    pub stiffness: f64,
    #[serde(default)]
    pub damping: f64,
    #[serde(default)]
    pub free_angle: f64,
    #[serde(default)]
    pub preload: f64,
}

/// A force and/or torque (world directions) on a body at a point, scaled by an
/// expression of `t` (default 1).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoadSpec {
    pub name: String,
    pub body: String,
    #[serde(default)]
    pub point: Option<[f64; 3]>,
    #[serde(default)]
    pub force: [f64; 3],
    #[serde(default)]
    pub torque: [f64; 3],
    pub scale: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum CriterionSpec {
    /// The largest joint reaction force (N) over the motion ≤ limit.
    MaxJointForce { joint: String, limit: f64 },
    /// The largest joint reaction moment (N m) over the motion ≤ limit.
    MaxJointMoment { joint: String, limit: f64 },
    /// The largest acceleration of a body's centre of mass (m/s²) ≤ limit.
    MaxAcceleration { body: String, limit: f64 },
    /// A joint's angle (rad) or slide (m) stays within [min, max].
    RangeOfMotion {
        joint: String,
        min: Option<f64>,
        max: Option<f64>,
    },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlotSpec {
    /// File name stem of the SVG.
    pub name: String,
    /// History paths, e.g. "joint/crank_pin/force".
    pub series: Vec<String>,
}

/// A mechanism run: the solver input, the names and the solution.
pub struct MotionRun {
    pub mechanism: Mechanism,
    pub solution: MotionSolution,
    /// Region of the FE mesh each body is, if any.
    pub regions: Vec<Option<String>>,
    pub spring_names: Vec<String>,
    pub wall_seconds: f64,
}

/// Builds the mechanism of a case (bodies on mesh regions take their mass properties
/// from `part`) and runs the motion analysis.
pub fn run(case: &Case, spec: &MechanismSpec, part: Option<&FePart>) -> Result<MotionRun> {
    let start = std::time::Instant::now();
    let mechanism = build(case, spec, part)?;
    let options = MotionOptions {
        end_time: spec.end_time,
        output_step: spec.output_step,
        tolerance: spec.tolerance,
    };
    let solution = simulate(&mechanism, &options)
        .map_err(|e| anyhow!("{}: [mechanism]: {e}", case.path.display()))?;
    let run = MotionRun {
        regions: spec
            .body
            .iter()
            .map(|b| b.get_ref().region.clone())
            .collect(),
        spring_names: spec
            .spring
            .iter()
            .map(|s| s.get_ref().name.clone())
            .collect(),
        mechanism,
        solution,
        wall_seconds: start.elapsed().as_secs_f64(),
    };
    for plot in &spec.plot {
        for series in &plot.get_ref().series {
            run.history(series).map_err(|e| case.error_at(plot, e))?;
        }
    }
    tracing::info!(
        dof = run.solution.degrees_of_freedom,
        kinematic = run.solution.kinematic,
        steps = run.solution.stats.accepted,
        "motion analysed"
    );
    Ok(run)
}

fn vec3(a: [f64; 3]) -> Vector3<f64> {
    Vector3::from(a)
}

/// A motion from an expression of `t`, with exact derivatives.
fn motion(at: &dyn Fn() -> String, text: &str) -> Result<Motion> {
    let e =
        Expr::parse(text, &["t"]).map_err(|err| anyhow!("{}: expression '{text}': {err}", at()))?;
    Ok(Motion::new(move |t| e.jet(&[t], 0)))
}

/// Rejects names that cannot name an HDF5 group or a history path, or that repeat.
fn check_names<'a>(
    case: &Case,
    what: &str,
    items: impl Iterator<Item = (&'a str, std::ops::Range<usize>)>,
) -> Result<()> {
    let mut seen = std::collections::BTreeSet::new();
    for (name, span) in items {
        let ok = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c));
        if !ok {
            bail!(
                "{}: {what} name '{name}' may only use letters, digits, '_', '-' and '.'",
                case.at(span)
            );
        }
        if !seen.insert(name) || (what == "body" && name == "ground") {
            bail!(
                "{}: {what} name '{name}' is used twice (or reserved)",
                case.at(span)
            );
        }
    }
    Ok(())
}

fn build(case: &Case, spec: &MechanismSpec, part: Option<&FePart>) -> Result<Mechanism> {
    check_names(
        case,
        "body",
        spec.body
            .iter()
            .map(|b| (b.get_ref().name.as_str(), b.span())),
    )?;
    check_names(
        case,
        "joint",
        spec.joint
            .iter()
            .map(|b| (b.get_ref().name.as_str(), b.span())),
    )?;
    check_names(
        case,
        "spring",
        spec.spring
            .iter()
            .map(|b| (b.get_ref().name.as_str(), b.span())),
    )?;
    let names: Vec<&str> = spec
        .body
        .iter()
        .map(|b| b.get_ref().name.as_str())
        .collect();
    let part_of = |name: &str, at: &dyn Fn() -> String| -> Result<Part> {
        if name == "ground" {
            return Ok(Part::Ground);
        }
        names
            .iter()
            .position(|n| *n == name)
            .map(Part::Body)
            .ok_or_else(|| {
                anyhow!(
                    "{}: unknown body '{name}'; bodies: ground, {}",
                    at(),
                    names.join(", ")
                )
            })
    };
    let body_index = |name: &str, at: &dyn Fn() -> String| match part_of(name, at)? {
        Part::Body(b) => Ok(b),
        Part::Ground => bail!("{}: the ground cannot take this", at()),
    };
    let mut bodies = Vec::new();
    for b in &spec.body {
        let at = || case.at(b.span());
        let s = b.get_ref();
        let (mass, centre, inertia) = match (&s.region, s.mass, s.center_of_mass, &s.inertia) {
            (Some(region), None, None, None) => {
                let Some(part) = part else {
                    bail!("{}: body '{}' takes its mass from region '{region}', but the case has no [model]", at(), s.name);
                };
                let elements = part.mesh.region_elements(region).map_err(|e| anyhow!("{}: {e}", at()))?;
                let p = mass_properties(&part.mesh, &part.materials, &elements);
                (p.mass, p.center, p.inertia)
            }
            (_, Some(m), Some(c), Some(i)) => {
                let inertia = match i.as_slice() {
                    [a, b, c] => Matrix3::from_diagonal(&Vector3::new(*a, *b, *c)),
                    [xx, yy, zz, xy, yz, xz] => Matrix3::new(*xx, *xy, *xz, *xy, *yy, *yz, *xz, *yz, *zz),
                    _ => bail!("{}: inertia takes 3 values (principal) or 6 (xx, yy, zz, xy, yz, xz)", at()),
                };
                (m, Point3::from(c), inertia)
            }
            _ => bail!(
                "{}: body '{}' needs either `region` (mass properties from the mesh) or all of `mass`, `center_of_mass` and `inertia`",
                at(),
                s.name
            ),
        };
        let mut body = RigidBody::new(&s.name, mass, centre, inertia);
        body.velocity = vec3(s.velocity);
        body.angular_velocity = vec3(s.angular_velocity);
        bodies.push(body);
    }
    let mut joints = Vec::new();
    for j in &spec.joint {
        let at = || case.at(j.span());
        let s = j.get_ref();
        let kind = match s.kind {
            JointType::Fixed => JointKind::Fixed,
            JointType::Revolute => JointKind::Revolute,
            JointType::Prismatic => JointKind::Prismatic,
            JointType::Cylindrical => JointKind::Cylindrical,
            JointType::Spherical => JointKind::Spherical,
            JointType::Universal => JointKind::Universal,
        };
        let parts = [part_of(&s.parts[0], &at)?, part_of(&s.parts[1], &at)?];
        let mut joint = Joint::new(
            &s.name,
            kind,
            parts,
            Point3::from(s.point),
            vec3(s.axis.unwrap_or([0.0, 0.0, 1.0])),
        );
        joint.reference = s.reference.map(vec3);
        joint.driver = match &s.drive {
            None => None,
            Some(DriveSpec {
                rotation: Some(r),
                translation: None,
            }) => Some(Driver::Rotation(motion(&at, r)?)),
            Some(DriveSpec {
                rotation: None,
                translation: Some(t),
            }) => Some(Driver::Translation(motion(&at, t)?)),
            Some(_) => bail!("{}: drive takes one of `rotation` or `translation`", at()),
        };
        joints.push(joint);
    }
    let springs = spec
        .spring
        .iter()
        .map(|sp| {
            let at = || case.at(sp.span());
            let s = sp.get_ref();
            Ok(SpringDamper {
                name: s.name.clone(),
                parts: [part_of(&s.parts[0], &at)?, part_of(&s.parts[1], &at)?],
                points: s.points.map(Point3::from),
                stiffness: s.stiffness,
                damping: s.damping,
                free_length: s.free_length,
                preload: s.preload,
            })
        })
        .collect::<Result<_>>()?;
    let torsion_springs = spec
        .torsion_spring
        .iter()
        .map(|sp| {
            let s = sp.get_ref();
            let joint = spec
                .joint
                .iter()
                .position(|j| j.get_ref().name == s.joint)
                .ok_or_else(|| anyhow!("{}: unknown joint '{}'", case.at(sp.span()), s.joint))?;
            Ok(TorsionSpring {
                name: s.name.clone(),
                joint,
                stiffness: s.stiffness,
                damping: s.damping,
                free_angle: s.free_angle,
                preload: s.preload,
            })
        })
        .collect::<Result<_>>()?;
    let loads = spec
        .load
        .iter()
        .map(|l| {
            let at = || case.at(l.span());
            let s = l.get_ref();
            let body = body_index(&s.body, &at)?;
            Ok(AppliedLoad {
                name: s.name.clone(),
                body,
                point: s.point.map_or(bodies[body].center_of_mass, Point3::from),
                force: vec3(s.force),
                torque: vec3(s.torque),
                scale: match &s.scale {
                    Some(e) => motion(&at, e)?,
                    None => Motion::constant(1.0),
                },
            })
        })
        .collect::<Result<_>>()?;
    Ok(Mechanism {
        bodies,
        joints,
        springs,
        torsion_springs,
        loads,
        gravity: vec3(spec.gravity),
    })
}

impl MotionRun {
    pub fn body(&self, name: &str) -> Option<usize> {
        self.mechanism.bodies.iter().position(|b| b.name == name)
    }
    pub fn joint(&self, name: &str) -> Option<usize> {
        self.mechanism.joints.iter().position(|j| j.name == name)
    }

    /// Where the point that sat at `initial` on `part` at t = 0 is at sample `k` (world).
    pub fn world_point(&self, part: Part, initial: &Point3<f64>, k: usize) -> Vector3<f64> {
        match part {
            Part::Ground => initial.coords,
            Part::Body(b) => {
                let s = &self.solution.samples[k].bodies[b];
                s.position
                    + s.rotation * (initial.coords - self.mechanism.bodies[b].center_of_mass.coords)
            }
        }
    }

    /// A history by path name (see the module docs), one value per sample.
    pub fn history(&self, path: &str) -> Result<Vec<f64>> {
        let parts: Vec<&str> = path.split('/').collect();
        let samples = &self.solution.samples;
        let component = |v: Vector3<f64>, c: &str| match c {
            "x" => v.x,
            "y" => v.y,
            "z" => v.z,
            _ => v.norm(),
        };
        let split = |q: &str| -> (String, String) {
            match q.rsplit_once('_') {
                Some((base, c)) if ["x", "y", "z"].contains(&c) => {
                    (base.to_string(), c.to_string())
                }
                _ => (q.to_string(), String::new()),
            }
        };
        let unknown = || {
            anyhow!("unknown history '{path}' (see `joint/<name>/force`, `body/<name>/acceleration`, `energy/kinetic` …)")
        };
        match parts.as_slice() {
            ["joint", name, quantity] => {
                let j = self
                    .joint(name)
                    .ok_or_else(|| anyhow!("history '{path}': unknown joint '{name}'"))?;
                let (base, c) = split(quantity);
                samples
                    .iter()
                    .map(|s| {
                        let js = &s.joints[j];
                        match base.as_str() {
                            "force" => Ok(component(js.force, &c)),
                            "moment" => Ok(component(js.moment, &c)),
                            "angle" => js
                                .angle
                                .ok_or_else(|| anyhow!("joint '{name}' has no angle")),
                            "slide" => js
                                .slide
                                .ok_or_else(|| anyhow!("joint '{name}' does not slide")),
                            _ => Err(unknown()),
                        }
                    })
                    .collect()
            }
            ["body", name, quantity] => {
                let b = self
                    .body(name)
                    .ok_or_else(|| anyhow!("history '{path}': unknown body '{name}'"))?;
                let (base, c) = split(quantity);
                samples
                    .iter()
                    .map(|s| {
                        let bs = &s.bodies[b];
                        let v = match base.as_str() {
                            "position" => bs.position,
                            "velocity" | "speed" => bs.velocity,
                            "acceleration" => bs.acceleration,
                            "angular_velocity" => bs.angular_velocity,
                            "angular_acceleration" => bs.angular_acceleration,
                            _ => return Err(unknown()),
                        };
                        Ok(component(v, &c))
                    })
                    .collect()
            }
            ["spring", name, quantity] => {
                let k = self
                    .spring_names
                    .iter()
                    .position(|n| n == name)
                    .ok_or_else(|| anyhow!("history '{path}': unknown spring '{name}'"))?;
                match *quantity {
                    "length" => Ok(samples.iter().map(|s| s.springs[k].0).collect()),
                    "tension" => Ok(samples.iter().map(|s| s.springs[k].1).collect()),
                    _ => Err(unknown()),
                }
            }
            ["energy", quantity] => {
                let first = &samples[0];
                Ok(samples
                    .iter()
                    .map(|s| match *quantity {
                        "kinetic" => Ok(s.kinetic),
                        "potential" => Ok(s.potential),
                        "work" => Ok(s.work),
                        "error" => Ok(s.energy_error(first)),
                        _ => Err(unknown()),
                    })
                    .collect::<Result<_>>()?)
            }
            _ => Err(unknown()),
        }
    }

    /// Index of the sample where `values` is largest.
    fn peak(values: &[f64]) -> usize {
        values
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(b.1))
            .map_or(0, |(i, _)| i)
    }

    /// The sample a static load case reads: at a time, or at a joint's peak force.
    pub fn instant(&self, at_time: Option<f64>, at_peak: Option<&str>) -> Result<usize> {
        let samples = &self.solution.samples;
        match (at_time, at_peak) {
            (Some(t), None) => {
                let end = samples.last().map_or(0.0, |s| s.time);
                if !(0.0..=end * (1.0 + 1e-12)).contains(&t) {
                    bail!("at_time = {t} s is outside the motion (0 to {end} s)");
                }
                Ok(samples.iter().enumerate().min_by(|a, b| (a.1.time - t).abs().total_cmp(&(b.1.time - t).abs())).map_or(0, |x| x.0))
            }
            (None, Some(joint)) => Ok(Self::peak(&self.history(&format!("joint/{joint}/force"))?)),
            _ => bail!("a load case with mechanism loads needs exactly one of `at_time` (s) or `at_peak` (a joint name)"),
        }
    }

    /// The criteria of the `[mechanism]`, as checks of the load case "motion".
    pub fn checks(&self, case: &Case, spec: &MechanismSpec) -> Result<Vec<Check>> {
        let mut checks = Vec::new();
        let times: Vec<f64> = self.solution.samples.iter().map(|s| s.time).collect();
        for c in &spec.criterion {
            let here = |e: anyhow::Error| case.error_at(c, e);
            let at = |i: usize| Some(format!("t = {:.6} s", times[i]));
            let max_of = |path: String, what: String, quantity, limit: f64| -> Result<Check> {
                let h = self.history(&path).map_err(here)?;
                let i = Self::peak(&h);
                Ok(Check::new(
                    "motion",
                    what,
                    quantity,
                    h[i],
                    Bound::Upper,
                    limit,
                    at(i),
                ))
            };
            match c.get_ref() {
                CriterionSpec::MaxJointForce { joint, limit } => checks.push(max_of(
                    format!("joint/{joint}/force"),
                    format!("max joint force ({joint})"),
                    Quantity::Force,
                    *limit,
                )?),
                CriterionSpec::MaxJointMoment { joint, limit } => checks.push(max_of(
                    format!("joint/{joint}/moment"),
                    format!("max joint moment ({joint})"),
                    Quantity::Moment,
                    *limit,
                )?),
                CriterionSpec::MaxAcceleration { body, limit } => checks.push(max_of(
                    format!("body/{body}/acceleration"),
                    format!("max acceleration ({body})"),
                    Quantity::Acceleration,
                    *limit,
                )?),
                CriterionSpec::RangeOfMotion { joint, min, max } => {
                    let j = self
                        .joint(joint)
                        .ok_or_else(|| case.error_at(c, format!("unknown joint '{joint}'")))?;
                    let (path, quantity) = match self.mechanism.joints[j].kind {
                        JointKind::Revolute | JointKind::Cylindrical => {
                            (format!("joint/{joint}/angle"), Quantity::Angle)
                        }
                        JointKind::Prismatic => {
                            (format!("joint/{joint}/slide"), Quantity::Displacement)
                        }
                        k => {
                            return Err(case.error_at(
                                c,
                                format!(
                                    "a {} joint has no single coordinate to range over",
                                    k.name()
                                ),
                            ))
                        }
                    };
                    if min.is_none() && max.is_none() {
                        return Err(case.error_at(c, "range_of_motion needs `min`, `max` or both"));
                    }
                    let h = self.history(&path).map_err(here)?;
                    let what = format!("range of motion ({joint})");
                    if let Some(lo) = min {
                        let i = h
                            .iter()
                            .enumerate()
                            .min_by(|a, b| a.1.total_cmp(b.1))
                            .map_or(0, |x| x.0);
                        checks.push(Check::new(
                            "motion",
                            what.clone(),
                            quantity,
                            h[i],
                            Bound::Lower,
                            *lo,
                            at(i),
                        ));
                    }
                    if let Some(hi) = max {
                        let i = Self::peak(&h);
                        checks.push(Check::new(
                            "motion",
                            what,
                            quantity,
                            h[i],
                            Bound::Upper,
                            *hi,
                            at(i),
                        ));
                    }
                }
            }
        }
        Ok(checks)
    }

    pub fn summary(&self) -> MotionSummary {
        let s = &self.solution;
        let samples = &s.samples;
        let first = &samples[0];
        let peak_of = |values: Vec<f64>| {
            let i = Self::peak(&values);
            (values[i], samples[i].time)
        };
        let range = |values: Vec<f64>| {
            [
                values.iter().copied().fold(f64::INFINITY, f64::min),
                values.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            ]
        };
        MotionSummary {
            analysis: if s.kinematic { "kinematic" } else { "dynamic" },
            degrees_of_freedom: s.degrees_of_freedom,
            redundant_equations: s.redundant.clone(),
            end_time: samples.last().map_or(0.0, |x| x.time),
            samples: samples.len(),
            steps: s.stats.accepted,
            rejected_steps: s.stats.rejected,
            wall_seconds: self.wall_seconds,
            max_position_violation: samples
                .iter()
                .map(|x| x.position_violation)
                .fold(0.0, f64::max),
            max_energy_error: samples
                .iter()
                .map(|x| x.energy_error(first).abs())
                .fold(0.0, f64::max),
            joints: self
                .mechanism
                .joints
                .iter()
                .enumerate()
                .map(|(j, joint)| {
                    let (peak_force, peak_force_time) =
                        peak_of(samples.iter().map(|x| x.joints[j].force.norm()).collect());
                    let (peak_moment, _) =
                        peak_of(samples.iter().map(|x| x.joints[j].moment.norm()).collect());
                    JointPeak {
                        name: joint.name.clone(),
                        peak_force,
                        peak_force_time,
                        peak_moment,
                        angle_range: first.joints[j].angle.map(|_| {
                            range(
                                samples
                                    .iter()
                                    .map(|x| x.joints[j].angle.unwrap_or(0.0))
                                    .collect(),
                            )
                        }),
                        slide_range: first.joints[j].slide.map(|_| {
                            range(
                                samples
                                    .iter()
                                    .map(|x| x.joints[j].slide.unwrap_or(0.0))
                                    .collect(),
                            )
                        }),
                    }
                })
                .collect(),
            bodies: self
                .mechanism
                .bodies
                .iter()
                .enumerate()
                .map(|(b, body)| {
                    let (max_acceleration, max_acceleration_time) = peak_of(
                        samples
                            .iter()
                            .map(|x| x.bodies[b].acceleration.norm())
                            .collect(),
                    );
                    BodyPeak {
                        name: body.name.clone(),
                        mass: body.mass,
                        max_speed: samples
                            .iter()
                            .map(|x| x.bodies[b].velocity.norm())
                            .fold(0.0, f64::max),
                        max_acceleration,
                        max_acceleration_time,
                    }
                })
                .collect(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct MotionSummary {
    /// "kinematic" (fully driven) or "dynamic".
    pub analysis: &'static str,
    pub degrees_of_freedom: usize,
    pub redundant_equations: Vec<String>,
    pub end_time: f64,
    pub samples: usize,
    pub steps: usize,
    pub rejected_steps: usize,
    pub wall_seconds: f64,
    pub max_position_violation: f64,
    /// max |(T + V) − (T₀ + V₀) − W| (J).
    pub max_energy_error: f64,
    pub joints: Vec<JointPeak>,
    pub bodies: Vec<BodyPeak>,
}

#[derive(Debug, Serialize)]
pub struct JointPeak {
    pub name: String,
    pub peak_force: f64,
    pub peak_force_time: f64,
    pub peak_moment: f64,
    pub angle_range: Option<[f64; 2]>,
    pub slide_range: Option<[f64; 2]>,
}

#[derive(Debug, Serialize)]
pub struct BodyPeak {
    pub name: String,
    pub mass: f64,
    pub max_speed: f64,
    pub max_acceleration: f64,
    pub max_acceleration_time: f64,
}
