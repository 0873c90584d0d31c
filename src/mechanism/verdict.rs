//! What a mechanism run means for the verdict: its criteria as checks of the load
//! case "motion", and the summary written to JSON (peaks, ranges, solver figures).

use super::MotionRun;
use crate::case::Case;
use crate::criteria::{Bound, Check, Quantity};
use crate::schema::mechanism::{CriterionSpec, MechanismSpec};
use anyhow::Result;
use serde::Serialize;
use vproto_solver::multibody::JointKind;

impl MotionRun {
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
