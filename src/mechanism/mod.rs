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

mod spec;
mod verdict;

pub use crate::schema::MechanismSpec;
pub use verdict::{BodyPeak, JointPeak, MotionSummary};

use crate::case::Case;
use crate::model::Part as FePart;
use anyhow::{anyhow, bail, Result};
use nalgebra::{Point3, Vector3};
use vproto_solver::multibody::{simulate, Mechanism, MotionOptions, MotionSolution, Part};

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
    let mechanism = spec::build(case, spec, part)?;
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
}
