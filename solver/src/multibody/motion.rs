//! Motion analysis of a mechanism: assemble a consistent initial state, then either
//! solve the driven kinematics position by position (no degrees of freedom left) or
//! integrate the index-3 equations of motion with Radau IIA. Both report the same
//! samples: body motion, joint reactions, springs, energy and constraint violation.

use super::constraint::BODY_COORDS;
use super::model::{JointKind, Mechanism};
use super::pose::{assemble, describe, independent, Constraints};
use super::radau::{integrate, Dae, RadauOptions, RadauStats};
use super::system::System;
use crate::error::{Result, SolverError};
use nalgebra::{DMatrix, Matrix3, Vector3};
use std::f64::consts::PI;

#[derive(Clone, Copy, Debug)]
pub struct MotionOptions {
    pub end_time: f64,
    /// Interval between reported samples (s).
    pub output_step: f64,
    /// Relative and absolute tolerance of the integrator.
    pub tolerance: f64,
}

#[derive(Clone, Debug)]
pub struct BodyState {
    /// Centre of mass (m).
    pub position: Vector3<f64>,
    /// Rotation from the initial pose.
    pub rotation: Matrix3<f64>,
    pub velocity: Vector3<f64>,
    pub angular_velocity: Vector3<f64>,
    pub acceleration: Vector3<f64>,
    pub angular_acceleration: Vector3<f64>,
}

#[derive(Clone, Debug)]
pub struct JointState {
    /// Force exerted by the joint's first part on its second (N, world axes).
    pub force: Vector3<f64>,
    /// Moment of that reaction about the joint point (N m, world axes).
    pub moment: Vector3<f64>,
    /// Rotation about the axis from the initial pose (rad, continuous over turns):
    /// revolute and cylindrical joints.
    pub angle: Option<f64>,
    /// Translation along the axis from the initial pose (m): prismatic and cylindrical.
    pub slide: Option<f64>,
}

#[derive(Clone, Debug)]
pub struct Sample {
    pub time: f64,
    pub bodies: Vec<BodyState>,
    pub joints: Vec<JointState>,
    /// (length m, tension N) per spring-damper.
    pub springs: Vec<(f64, f64)>,
    pub kinetic: f64,
    /// Gravity and spring potential (J).
    pub potential: f64,
    /// Work done on the mechanism by loads, dampers and drivers since t = 0 (J).
    pub work: f64,
    /// max |Φ| over all equations.
    pub position_violation: f64,
    /// max |G v + Φ_t| over all equations.
    pub velocity_violation: f64,
}

impl Sample {
    /// (T + V) − (T₀ + V₀) − W: zero for an exact solution.
    pub fn energy_error(&self, first: &Sample) -> f64 {
        self.kinetic + self.potential - first.kinetic - first.potential - self.work
    }
}

#[derive(Clone, Debug)]
pub struct MotionSolution {
    pub samples: Vec<Sample>,
    /// Degrees of freedom left after joints and drivers.
    pub degrees_of_freedom: usize,
    /// Equations dropped as redundant ("joint 'x' (rotation about y)"); their share of
    /// the reactions is carried by the others.
    pub redundant: Vec<String>,
    /// True when the drivers fix every degree of freedom (kinematic analysis).
    pub kinematic: bool,
    pub stats: RadauStats,
}

/// Fewest output intervals a motion may ask for: the integrator's step and every
/// history are bounded by the output step.
pub const MIN_SAMPLES: usize = 10;

/// Most result samples a motion may ask for (each holds every body, joint and spring).
pub const MAX_SAMPLES: usize = 1_000_000;

/// Most integration steps: a motion that needs more is too stiff or ill-posed, and
/// stops with an error instead of running for hours.
pub const MAX_STEPS: usize = 1_000_000;

/// Runs the motion analysis.
pub fn simulate(mech: &Mechanism, options: &MotionOptions) -> Result<MotionSolution> {
    if !(options.end_time > 0.0 && options.output_step > 0.0 && options.tolerance > 0.0) {
        return Err(SolverError::Mechanism(
            "end time, output step and tolerance must be positive".into(),
        ));
    }
    let sys = System::new(mech)?;
    let q = assemble(&sys, &sys.initial, 0.0)?;
    let (active, redundant) = independent(&sys, &q, 0.0)?;
    let dof = sys.n - active.len();
    let c = Constraints { sys: &sys, active };
    let v = c.project_velocity(&q, 0.0, &sys.initial_rates)?;
    let samples = options.end_time / options.output_step;
    if samples < MIN_SAMPLES as f64 - 1e-9 {
        return Err(SolverError::Mechanism(format!(
            "output_step {:e} s gives {samples:.3e} intervals over end_time {:e} s: at least {MIN_SAMPLES} are needed, or the histories (and every criterion on them) would miss the motion between samples",
            options.output_step, options.end_time
        )));
    }
    if samples > MAX_SAMPLES as f64 {
        return Err(SolverError::Mechanism(format!(
            "end_time / output_step asks for {samples:.3e} result samples, more than {MAX_SAMPLES}: make output_step larger"
        )));
    }
    // At least the end: an output step longer than the motion gives its two ends.
    let count = ((samples - 1e-9).ceil() as usize).max(1);
    let times: Vec<f64> = (0..=count)
        .map(|k| (k as f64 * options.output_step).min(options.end_time))
        .collect();
    let kinds: Vec<JointKind> = mech.joints.iter().map(|j| j.kind).collect();
    let mut recorder = Recorder {
        c: &c,
        kinds,
        angles: vec![0.0; mech.joints.len()],
        samples: Vec::new(),
        worst: (0.0, 0, 0.0),
    };
    let redundant = redundant.iter().map(|&i| describe(&sys, i)).collect();
    let (kinematic, stats) = if dof == 0 {
        kinematics(&mut recorder, &times, q, v)?;
        (true, RadauStats::default())
    } else {
        (false, dynamics(&mut recorder, &times, q, v, options)?)
    };
    // Equations dropped as redundant must stay satisfied; if one does not, the initial
    // pose was a singular position (the rank of G dropped only there).
    let (violation, equation, time) = recorder.worst;
    if violation > 1e-6 * sys.length_scale.max(1.0) {
        return Err(SolverError::Integration {
            time,
            reason: format!(
                "{} is violated by {violation:.3e}: it looked redundant at the initial pose, which must be a singular position of the mechanism (two assembly branches meet there, e.g. a link square to its slide). Start from a nearby pose.",
                describe(&sys, equation)
            ),
        });
    }
    Ok(MotionSolution {
        samples: recorder.samples,
        degrees_of_freedom: dof,
        redundant,
        kinematic,
        stats,
    })
}

/// Position, velocity and acceleration analysis at each output time; the work of the
/// drivers is integrated by the trapezoidal rule over the samples.
fn kinematics(rec: &mut Recorder, times: &[f64], mut q: Vec<f64>, mut v: Vec<f64>) -> Result<()> {
    let c = rec.c;
    let mut a = vec![0.0; q.len()];
    let (mut work, mut last_power, mut last_t) = (0.0, 0.0, 0.0);
    for (k, &t) in times.iter().enumerate() {
        if k > 0 {
            let dt = t - last_t;
            for i in 0..q.len() {
                q[i] += v[i] * dt + 0.5 * a[i] * dt * dt;
            }
            q = newton(c, q, t)?;
            let g = c.jacobian(&q, t);
            v = g
                .lu()
                .solve(&-c.time_rate(&q, t))
                .map(|x| x.iter().copied().collect())
                .ok_or_else(|| SolverError::Integration {
                    time: t,
                    reason: "the drivers lose control of the mechanism here (singular position)"
                        .into(),
                })?;
        }
        let (acc, lambda) = c.accelerations(t, &q, &v)?;
        a = acc;
        let full = c.expand(&lambda);
        let power = c.sys.power(t, &q, &v, &full);
        if k > 0 {
            work += 0.5 * (power + last_power) * (t - last_t);
        }
        (last_power, last_t) = (power, t);
        rec.record(t, &q, &v, &a, &full, work);
    }
    Ok(())
}

/// Newton on the independent equations (square when nothing is free).
fn newton(c: &Constraints, mut q: Vec<f64>, t: f64) -> Result<Vec<f64>> {
    let tol = 1e-12 * c.sys.length_scale.max(1.0);
    for _ in 0..25 {
        let phi = c.phi(&q, t);
        if phi.amax() <= tol {
            return Ok(q);
        }
        let dq = c
            .jacobian(&q, t)
            .lu()
            .solve(&-phi)
            .ok_or_else(|| SolverError::Integration {
                time: t,
                reason: "the driven mechanism reaches a singular position".into(),
            })?;
        for (qi, d) in q.iter_mut().zip(dq.iter()) {
            *qi += d;
        }
    }
    let phi = c.phi(&q, t);
    let worst = c.active[phi.iamax()];
    Err(SolverError::Integration {
        time: t,
        reason: format!(
            "the drivers cannot be met: {} stays off by {:.3e}",
            describe(c.sys, worst),
            phi.amax()
        ),
    })
}

impl Dae for Constraints<'_> {
    fn sizes(&self) -> (usize, usize) {
        (self.sys.n, self.active.len())
    }
    fn mass(&self) -> &DMatrix<f64> {
        &self.sys.mass
    }
    fn residual(
        &self,
        t: f64,
        q: &[f64],
        v: &[f64],
        lambda: &[f64],
        r: &mut [f64],
        phi: &mut [f64],
    ) {
        self.sys.forces(t, q, v, r);
        for ((&i, l), p) in self.active.iter().zip(lambda).zip(phi.iter_mut()) {
            let row = &self.sys.equations[i].row;
            row.add_gradient(q, t, -l, r);
            *p = row.value(q, t);
        }
    }
    fn constraint_jacobian(&self, t: f64, q: &[f64]) -> DMatrix<f64> {
        self.jacobian(q, t)
    }
    /// Forward differences of the applied forces, plus the exact −Σ λᵢ ∂²Φᵢ/∂q².
    fn tangent(
        &self,
        t: f64,
        q: &[f64],
        v: &[f64],
        lambda: &[f64],
    ) -> (DMatrix<f64>, DMatrix<f64>) {
        let n = self.sys.n;
        let mut base = vec![0.0; n];
        self.sys.forces(t, q, v, &mut base);
        let mut k = DMatrix::zeros(n, n);
        let mut c = DMatrix::zeros(n, n);
        let mut f = vec![0.0; n];
        for (wrt_v, matrix) in [(false, &mut k), (true, &mut c)] {
            let (mut qq, mut vv) = (q.to_vec(), v.to_vec());
            for j in 0..n {
                let x = if wrt_v { &mut vv[j] } else { &mut qq[j] };
                let x0 = *x;
                let delta = (f64::EPSILON * 1e-5f64.max(x0.abs())).sqrt();
                *x = x0 + delta;
                self.sys.forces(t, &qq, &vv, &mut f);
                if wrt_v {
                    vv[j] = x0
                } else {
                    qq[j] = x0
                }
                for i in 0..n {
                    matrix[(i, j)] = (f[i] - base[i]) / delta;
                }
            }
        }
        for (&i, l) in self.active.iter().zip(lambda) {
            self.sys.equations[i].row.add_hessian(t, -l, &mut k);
        }
        (k, c)
    }
}

/// Integrates with Radau IIA; samples are taken from the dense output, projected onto
/// the position and velocity constraints and completed with consistent accelerations
/// and multipliers. The work of loads, dampers and drivers
/// is integrated by the trapezoidal rule over the integrator's steps.
fn dynamics(
    rec: &mut Recorder,
    times: &[f64],
    q: Vec<f64>,
    v: Vec<f64>,
    options: &MotionOptions,
) -> Result<RadauStats> {
    let c = rec.c;
    let (n, m) = (q.len(), c.active.len());
    let (a, lambda) = c.accelerations(0.0, &q, &v)?;
    rec.record(0.0, &q, &v, &a, &c.expand(&lambda), 0.0);
    let y0: Vec<f64> = q.iter().chain(&v).chain(&lambda).copied().collect();
    let power = |t: f64, y: &[f64]| {
        c.sys
            .power(t, &y[..n], &y[n..2 * n], &c.expand(&y[2 * n..2 * n + m]))
    };
    let radau = RadauOptions {
        rtol: options.tolerance,
        atol: options.tolerance,
        initial_step: 1e-6 * options.end_time,
        max_step: options.output_step,
        max_steps: MAX_STEPS,
    };
    let step = std::cell::Cell::new((0.0, 0.0, power(0.0, &y0))); // (t, work, power) at the last accepted step
    let mut failure = None;
    let rec_cell = std::cell::RefCell::new(rec);
    let stats = integrate(
        c,
        (0.0, &y0),
        &times[1..],
        &radau,
        |t, y| {
            let (t0, w0, p0) = step.get();
            let work = w0 + 0.5 * (p0 + power(t, y)) * (t - t0);
            // Dense output is exact only at the steps: project the sample onto the constraints.
            let consistent = c
                .project_position(&y[..n], t)
                .and_then(|q| Ok((c.project_velocity(&q, t, &y[n..2 * n])?, q)))
                .and_then(|(v, q)| Ok((c.accelerations(t, &q, &v)?, q, v)));
            match consistent {
                Ok(((a, l), q, v)) => {
                    rec_cell
                        .borrow_mut()
                        .record(t, &q, &v, &a, &c.expand(&l), work)
                }
                Err(e) => failure = failure.take().or(Some(e)),
            }
        },
        |t, y| {
            let (t0, w0, p0) = step.get();
            let p = power(t, y);
            step.set((t, w0 + 0.5 * (p0 + p) * (t - t0), p));
            rec_cell.borrow_mut().track_angles(&y[..n]);
        },
    )?;
    match failure {
        Some(e) => Err(e),
        None => Ok(stats),
    }
}

/// Turns states into samples, keeping joint angles continuous over full turns.
struct Recorder<'a> {
    c: &'a Constraints<'a>,
    kinds: Vec<JointKind>,
    angles: Vec<f64>,
    samples: Vec<Sample>,
    /// Largest |Φ| seen: (value, equation, time).
    worst: (f64, usize, f64),
}

impl Recorder<'_> {
    fn track_angles(&mut self, q: &[f64]) {
        for (j, kind) in self.kinds.iter().enumerate() {
            if matches!(kind, JointKind::Revolute | JointKind::Cylindrical) {
                let raw = self.c.sys.joint_rotation(j, q);
                let last = self.angles[j];
                self.angles[j] = last + (raw - last + PI).rem_euclid(2.0 * PI) - PI;
            }
        }
    }

    fn record(&mut self, t: f64, q: &[f64], v: &[f64], a: &[f64], lambda: &[f64], work: f64) {
        self.track_angles(q);
        let sys = self.c.sys;
        let bodies = (0..sys.bodies()).map(|b| body_state(b, q, v, a)).collect();
        let joints = self
            .kinds
            .iter()
            .enumerate()
            .map(|(j, kind)| {
                let (force, moment) = sys.joint_reaction(j, q, t, lambda);
                let turns = matches!(kind, JointKind::Revolute | JointKind::Cylindrical);
                let slides = matches!(kind, JointKind::Prismatic | JointKind::Cylindrical);
                JointState {
                    force,
                    moment,
                    angle: turns.then(|| self.angles[j]),
                    slide: slides.then(|| sys.joint_slide(j, q, v).0),
                }
            })
            .collect();
        let springs = (0..sys.spring_count())
            .map(|i| sys.spring_force(i, q, v))
            .collect();
        let (kinetic, potential) = sys.energy(q, v);
        let mut grad = vec![0.0; sys.n];
        let (mut position_violation, mut velocity_violation) = (0.0f64, 0.0f64);
        for (i, eq) in sys.equations.iter().enumerate() {
            grad.fill(0.0);
            eq.row.add_gradient(q, t, 1.0, &mut grad);
            let rate: f64 =
                grad.iter().zip(v).map(|(g, v)| g * v).sum::<f64>() + eq.row.time_rate(q, t);
            let value = eq.row.value(q, t).abs();
            if value > self.worst.0 {
                self.worst = (value, i, t);
            }
            position_violation = position_violation.max(value);
            velocity_violation = velocity_violation.max(rate.abs());
        }
        self.samples.push(Sample {
            time: t,
            bodies,
            joints,
            springs,
            kinetic,
            potential,
            work,
            position_violation,
            velocity_violation,
        });
    }
}

fn body_state(b: usize, q: &[f64], v: &[f64], a: &[f64]) -> BodyState {
    let o = b * BODY_COORDS;
    let vec3 = |x: &[f64], k: usize| Vector3::from_column_slice(&x[o + 3 * k..o + 3 * k + 3]);
    let frame = |x: &[f64]| Matrix3::from_columns(&[vec3(x, 1), vec3(x, 2), vec3(x, 3)]);
    let (r, dr, ddr) = (frame(q), frame(v), frame(a));
    let vee = |s: Matrix3<f64>| {
        let k = 0.5 * (s - s.transpose());
        Vector3::new(k[(2, 1)], k[(0, 2)], k[(1, 0)])
    };
    BodyState {
        position: vec3(q, 0),
        rotation: r,
        velocity: vec3(v, 0),
        angular_velocity: vee(dr * r.transpose()),
        acceleration: vec3(a, 0),
        angular_acceleration: vee(ddr * r.transpose()),
    }
}
