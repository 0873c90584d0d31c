//! Linear transient dynamics: M ü + C u̇ + K u = a(t) F, by direct integration (here)
//! or by modal superposition ([`modal`]: `StaticModel::modal_transient`). The direct
//! method takes Rayleigh damping C = αM + βK; F is a load case scaled by an amplitude
//! a(t) (for a base excitation, the body load −M r of a unit base acceleration and a(t)
//! its history: the motion relative to the supports).
//!
//! Why HHT-α. It is unconditionally stable, second-order accurate, and damps the
//! highest, spurious mesh modes without touching the low ones (α = −0.05 by default;
//! α = 0 is the trapezoidal rule, which dissipates nothing). With a constant step the
//! effective matrix M + (1+α)γΔt C + (1+α)βΔt² K is factored once and each step costs
//! one solve and two matrix products. The energy balance — input work against kinetic
//! plus strain energy plus viscous dissipation — is tracked at every step with the
//! trapezoidal sums the method itself implies, so for α = 0 it closes to round-off and
//! otherwise shows the numerical dissipation.

use crate::assembly::{assemble_mass, assemble_stiffness, matrix};
use crate::dofs::DofMap;
use crate::error::{Result, SolverError};
use crate::harmonic::Damping;
use crate::linsolve::{symmetric_matvec, StiffnessSolver};
use crate::recovery::NodalStress;
use crate::statics::{factor_error, Method, System};
use crate::{LoadCase, StaticModel};
use faer::Mat;

mod modal;

/// Options of a direct transient integration.
#[derive(Clone, Debug)]
pub struct TransientOptions {
    /// Time step (s) and number of steps.
    pub step: f64,
    pub steps: usize,
    /// HHT α in [−1/3, 0] (the direct method).
    pub alpha: f64,
    /// Damping. The direct method takes Rayleigh damping C = αM + βK only (it has no
    /// modes to give ratios to); the modal method takes modal ratios and Rayleigh (as
    /// each mode's ratio), and no loss factor (it has no time-domain form).
    pub damping: Damping,
    /// The load case's amplitude against time: (s, factor) points, linear in between,
    /// zero outside.
    pub amplitude: Vec<(f64, f64)>,
    /// Full displacement fields are kept every this many steps (and at the last).
    pub output_every: usize,
    /// Degrees of freedom (3 × node + component) recorded at every step.
    pub watch: Vec<usize>,
    /// The base acceleration (m/s²) of a unit amplitude (zero for loads): absolute
    /// acceleration is the relative one plus it × the amplitude.
    pub base_acceleration: [f64; 3],
    /// The modal method: add the static correction of the modes left out (true unless
    /// reproducing a peer that adds none).
    pub static_correction: bool,
    /// Recover the nodal stresses at every step for the von Mises envelope (a stress
    /// recovery a step: the price of an envelope that misses no peak between outputs).
    pub stress_envelope: bool,
}

/// Energies at every step (J).
#[derive(Clone, Debug, Default)]
pub struct Energy {
    pub kinetic: Vec<f64>,
    pub strain: Vec<f64>,
    pub dissipated: Vec<f64>,
    pub work: Vec<f64>,
}

#[derive(Clone, Debug)]
pub struct TransientSolution {
    /// Every step's time, from 0.
    pub times: Vec<f64>,
    /// Displacement of each watched dof at every step.
    pub watched: Vec<Vec<f64>>,
    /// (time, displacement of every dof) at the output steps.
    pub snapshots: Vec<(f64, Vec<f64>)>,
    /// The largest |u| over the nodes at every step.
    pub peak_displacement: Vec<f64>,
    /// Per node: the largest |u_x|, |u_y|, |u_z| over the run (3 per node).
    pub max_displacement: Vec<f64>,
    /// Per node: the largest absolute |a_x|, |a_y|, |a_z| over the run (3 per node; the
    /// modal method leaves out the static correction's share, which has no inertia).
    pub max_acceleration: Vec<f64>,
    /// Per node: the largest von Mises stress over every step, and its time (empty
    /// without `stress_envelope`).
    pub max_von_mises: Vec<f64>,
    pub max_von_mises_time: Vec<f64>,
    /// Nodal von Mises stress at the output steps (with `stress_envelope`).
    pub snapshot_von_mises: Vec<Vec<f64>>,
    pub energy: Energy,
    /// max |work − kinetic − strain − dissipated| / max work over the run.
    pub energy_error: f64,
    /// The modal method's stress as a superposition (none from the direct method).
    pub modal_stress: Option<ModalStress>,
}

/// The stress of a modal transient at every step without a field per step: per column
/// (each superposed mode, then the static correction) its nodal stress (Voigt per
/// node) and its factor at every step. σ(t_k) = Σ_c factors[c][k] stresses[c] — what a
/// fatigue count superposes.
#[derive(Clone, Debug)]
pub struct ModalStress {
    pub stresses: Vec<Vec<f64>>,
    pub factors: Vec<Vec<f64>>,
}

/// Piecewise-linear amplitude, zero outside the table.
fn amplitude(table: &[(f64, f64)], t: f64) -> f64 {
    match table {
        [] => 0.0,
        [(t0, v)] => {
            if (t - t0).abs() < 1e-15 {
                *v
            } else {
                0.0
            }
        }
        _ if t < table[0].0 || t > table[table.len() - 1].0 => 0.0,
        _ => {
            let k = table.partition_point(|p| p.0 < t).clamp(1, table.len() - 1);
            let ((t0, a0), (t1, a1)) = (table[k - 1], table[k]);
            if t1 > t0 {
                a0 + (a1 - a0) * (t - t0) / (t1 - t0)
            } else {
                a1
            }
        }
    }
}

impl TransientOptions {
    /// Bytes the solution keeps for a model of `nodes`: the fields at the output steps,
    /// the envelopes, and the watched and per-step histories.
    fn solution_bytes(&self, nodes: usize) -> u64 {
        let every = self.output_every.max(1) as u64;
        let steps = self.steps as u64 + 1;
        let outputs = steps / every + 1;
        let per_node = 3 + u64::from(self.stress_envelope);
        8 * (outputs * per_node * nodes as u64
            + 8 * nodes as u64
            + steps * (self.watch.len() as u64 + 6))
    }

    fn check(&self) -> Result<()> {
        let bad = |m: String| Err(SolverError::Dynamics(m));
        if !(self.step.is_finite() && self.step > 0.0) || self.steps == 0 {
            return bad(format!(
                "transient: step {} s and {} steps: both must be positive",
                self.step, self.steps
            ));
        }
        if !(-1.0 / 3.0..=0.0).contains(&self.alpha) {
            return bad(format!(
                "transient: HHT α = {} must lie in [−1/3, 0]",
                self.alpha
            ));
        }
        let d = &self.damping;
        if let Err(e) = d.check_values() {
            return bad(format!("transient: {e}"));
        }
        if d.loss_factor != 0.0 || d.has_material_loss() {
            return bad("transient: a loss factor has no time-domain form; give modal ratios or Rayleigh α/β".into());
        }
        if self.amplitude.windows(2).any(|w| w[1].0 < w[0].0) {
            return bad("transient: amplitude times must not decrease".into());
        }
        Ok(())
    }
}

/// One HHT-α run's matrices, factors and constants.
struct Hht<'a> {
    k: faer::sparse::SparseColMatRef<'a, usize, f64>,
    m: faer::sparse::SparseColMatRef<'a, usize, f64>,
    effective: StiffnessSolver,
    /// The load vector on the free dofs.
    f: Vec<f64>,
    dt: f64,
    alpha: f64,
    beta: f64,
    gamma: f64,
    rayleigh: (f64, f64),
}

/// The state at a step, with the products the next step needs (tracked by the same
/// linear updates as the state, so a step costs two matrix products: K a and M a).
struct State {
    u: Vec<f64>,
    v: Vec<f64>,
    a: Vec<f64>,
    ku: Vec<f64>,
    kv: Vec<f64>,
    ka: Vec<f64>,
    mv: Vec<f64>,
    ma: Vec<f64>,
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// x + s y, elementwise.
fn axpy(x: &[f64], s: f64, y: &[f64]) -> Vec<f64> {
    x.iter().zip(y).map(|(a, b)| a + s * b).collect()
}

impl Hht<'_> {
    fn solve(&self, s: &StiffnessSolver, rhs: &[f64]) -> Result<Vec<f64>> {
        let n = rhs.len();
        let mut y = Mat::<f64>::from_fn(n, 1, |i, _| rhs[i]);
        s.solve(None, y.as_mut())?;
        Ok((0..n).map(|i| y[(i, 0)]).collect())
    }

    /// Advances `x` by one step with load factors `fa` (at its start) and `fb` (end);
    /// returns the step's input work and viscous dissipation (the trapezoidal sums
    /// Δu·F̄ and Δu·C v̄ the rule implies).
    fn step(&self, x: &mut State, (fa, fb): (f64, f64)) -> Result<(f64, f64)> {
        let (dt, al, beta, gamma) = (self.dt, self.alpha, self.beta, self.gamma);
        let (ra, rb) = self.rayleigh;
        let c_u = dt * dt * (0.5 - beta);
        let ut = axpy(&axpy(&x.u, dt, &x.v), c_u, &x.a);
        let vt = axpy(&x.v, dt * (1.0 - gamma), &x.a);
        let kut = axpy(&axpy(&x.ku, dt, &x.kv), c_u, &x.ka);
        let kvt = axpy(&x.kv, dt * (1.0 - gamma), &x.ka);
        let mvt = axpy(&x.mv, dt * (1.0 - gamma), &x.ma);
        let load = (1.0 + al) * fb - al * fa;
        let rhs: Vec<f64> = (0..self.f.len())
            .map(|i| {
                load * self.f[i] - (1.0 + al) * (kut[i] + rb * kvt[i])
                    + al * (x.ku[i] + rb * x.kv[i])
                    - ra * ((1.0 + al) * mvt[i] - al * x.mv[i])
            })
            .collect();
        let a = self.solve(&self.effective, &rhs)?;
        let (ka, ma) = (symmetric_matvec(self.k, &a), symmetric_matvec(self.m, &a));
        let u = axpy(&ut, beta * dt * dt, &a);
        let v = axpy(&vt, gamma * dt, &a);
        let kv = axpy(&kvt, gamma * dt, &ka);
        let mv = axpy(&mvt, gamma * dt, &ma);
        let du: Vec<f64> = u.iter().zip(&x.u).map(|(p, q)| p - q).collect();
        let work = 0.5 * (fa + fb) * dot(&du, &self.f);
        let cv: Vec<f64> = (0..du.len())
            .map(|i| 0.5 * (ra * (x.mv[i] + mv[i]) + rb * (x.kv[i] + kv[i])))
            .collect();
        let dissipated = dot(&du, &cv);
        *x = State {
            ku: axpy(&kut, beta * dt * dt, &ka),
            u,
            v,
            a,
            kv,
            ka,
            mv,
            ma,
        };
        Ok((work, dissipated))
    }
}

impl StaticModel<'_> {
    /// Direct integration of the load case `case` scaled by `options.amplitude`, from
    /// rest (u = u̇ = 0) on the constrained model.
    pub fn transient(
        &self,
        case: &LoadCase,
        options: &TransientOptions,
    ) -> Result<TransientSolution> {
        options.check()?;
        let (fixed, prescribed) = self.prescribed();
        if prescribed.iter().any(|v| *v != 0.0) {
            return Err(SolverError::Dynamics(
                "transient: prescribed non-zero displacements are not supported (supports must be held)".into(),
            ));
        }
        self.require_constrained(&fixed)?;
        let (
            Some(System {
                dofs,
                pattern,
                symbolic,
                ..
            }),
            _,
        ) = self.choose(&fixed, Method::Direct)?
        else {
            return Err(SolverError::Dynamics(
                "transient: the direct factor does not fit in memory".into(),
            ));
        };
        let k = assemble_stiffness(self.mesh, &self.materials, &dofs, &pattern)?;
        let m = assemble_mass(self.mesh, &self.materials, &dofs, &pattern)?;
        let d = &options.damping;
        if d.modal.iter().any(|p| p.1 != 0.0) {
            return Err(SolverError::Dynamics(
                "transient (direct): modal damping ratios need modes — give Rayleigh α/β, or use the modal method".into(),
            ));
        }
        let (ra, rb) = (d.alpha, d.beta);
        let (dt, al) = (options.step, options.alpha);
        let (beta, gamma) = ((1.0 - al).powi(2) / 4.0, 0.5 - al);
        let c_m = 1.0 + (1.0 + al) * gamma * dt * ra;
        let c_k = (1.0 + al) * (gamma * dt * rb + beta * dt * dt);
        let eff: Vec<f64> = k.iter().zip(&m).map(|(a, b)| c_k * a + c_m * b).collect();
        let factor = |values: &[f64]| {
            StiffnessSolver::new(&symbolic, matrix(&pattern, values), false)
                .map_err(|e| factor_error(e, &dofs, self.mesh))
        };
        let free = dofs.free_dofs();
        let mut full = self.load_vector(case);
        dofs.fold(&mut full);
        let hht = Hht {
            k: matrix(&pattern, &k),
            m: matrix(&pattern, &m),
            effective: factor(&eff)?,
            f: free.iter().map(|&g| full[g]).collect(),
            dt,
            alpha: al,
            beta,
            gamma,
            rayleigh: (ra, rb),
        };
        // From rest: M a₀ = a(0) F.
        let a0 = amplitude(&options.amplitude, 0.0);
        let a = hht.solve(
            &factor(&m)?,
            &hht.f.iter().map(|x| a0 * x).collect::<Vec<_>>(),
        )?;
        let zero = vec![0.0; hht.f.len()];
        let x = State {
            ka: symmetric_matvec(hht.k, &a),
            ma: symmetric_matvec(hht.m, &a),
            a,
            u: zero.clone(),
            v: zero.clone(),
            ku: zero.clone(),
            kv: zero.clone(),
            mv: zero,
        };
        self.integrate(&hht, x, &dofs, options)
    }

    /// Steps `x` through the run, recording each step's fields while the next step is
    /// solved (the stress recovery and the solve run side by side).
    fn integrate(
        &self,
        hht: &Hht,
        mut x: State,
        dofs: &DofMap,
        options: &TransientOptions,
    ) -> Result<TransientSolution> {
        crate::memory::check(
            "the transient's output fields and histories",
            options.solution_bytes(self.mesh.nodes.len()),
        )?;
        let stress = if options.stress_envelope {
            crate::memory::check(
                "the stress recovery operator of a transient",
                NodalStress::bytes(self.mesh),
            )?;
            Some(NodalStress::new(self.mesh, &self.materials))
        } else {
            None
        };
        let dt = options.step;
        let mut out = Recorder::new(options);
        let a0 = self.absolute(&x.a, dofs, options, amplitude(&options.amplitude, 0.0));
        let mut pending = (0, 0.0, x.u.clone(), a0, (0.0, 0.0, 0.0, 0.0));
        let (mut work, mut dissipated) = (0.0, 0.0);
        let clock = std::time::Instant::now();
        for step in 1..=options.steps {
            let t = step as f64 * dt;
            let loads = (
                amplitude(&options.amplitude, t - dt),
                amplitude(&options.amplitude, t),
            );
            let (stepped, fields) = rayon::join(
                || hht.step(&mut x, loads),
                || self.full(&pending.2, dofs, stress.as_ref()),
            );
            out.record(pending.0, pending.1, fields, &pending.3, pending.4);
            let (w, d) = stepped?;
            (work, dissipated) = (work + w, dissipated + d);
            if x.u.iter().any(|v| !v.is_finite()) {
                return Err(SolverError::Dynamics(format!(
                    "transient: the solution is not finite at t = {t:e} s"
                )));
            }
            let energies = (
                0.5 * dot(&x.v, &x.mv),
                0.5 * dot(&x.u, &x.ku),
                dissipated,
                work,
            );
            let a = self.absolute(&x.a, dofs, options, loads.1);
            pending = (step, t, x.u.clone(), a, energies);
        }
        let fields = self.full(&pending.2, dofs, stress.as_ref());
        out.record(pending.0, pending.1, fields, &pending.3, pending.4);
        tracing::debug!(
            steps = options.steps,
            seconds = format!("{:.3}", clock.elapsed().as_secs_f64()),
            "transient integrated"
        );
        Ok(out.finish())
    }
}

impl StaticModel<'_> {
    /// The absolute acceleration of every dof from the relative one on the free dofs and
    /// the amplitude `factor` of the base acceleration.
    fn absolute(
        &self,
        a: &[f64],
        dofs: &DofMap,
        options: &TransientOptions,
        factor: f64,
    ) -> Vec<f64> {
        let mut full: Vec<f64> = (0..3 * self.mesh.nodes.len())
            .map(|g| factor * options.base_acceleration[g % 3])
            .collect();
        for (&g, &x) in dofs.free_dofs().iter().zip(a) {
            full[g] += x;
        }
        dofs.expand(&mut full);
        full
    }

    /// The displacement of every dof from the free ones, and its nodal von Mises stress
    /// when the envelope is wanted.
    fn full(
        &self,
        u: &[f64],
        dofs: &DofMap,
        stress: Option<&NodalStress>,
    ) -> (Vec<f64>, Option<Vec<f64>>) {
        let mut full = vec![0.0; 3 * self.mesh.nodes.len()];
        for (&g, &x) in dofs.free_dofs().iter().zip(u) {
            full[g] = x;
        }
        dofs.expand(&mut full);
        let vm = stress.map(|s| {
            s.of(&full)
                .chunks(6)
                .map(|v| {
                    let v: [f64; 6] = std::array::from_fn(|k| v[k]);
                    crate::harmonic::von_mises_form(&v, &v).max(0.0).sqrt()
                })
                .collect()
        });
        (full, vm)
    }
}

/// What a run keeps as it goes.
struct Recorder<'o> {
    options: &'o TransientOptions,
    solution: TransientSolution,
}

impl<'o> Recorder<'o> {
    fn new(options: &'o TransientOptions) -> Self {
        Self {
            options,
            solution: TransientSolution {
                times: Vec::with_capacity(options.steps + 1),
                watched: vec![Vec::with_capacity(options.steps + 1); options.watch.len()],
                snapshots: Vec::new(),
                peak_displacement: Vec::with_capacity(options.steps + 1),
                max_displacement: Vec::new(),
                max_acceleration: Vec::new(),
                max_von_mises: Vec::new(),
                max_von_mises_time: Vec::new(),
                snapshot_von_mises: Vec::new(),
                energy: Energy::default(),
                energy_error: 0.0,
                modal_stress: None,
            },
        }
    }

    fn record(
        &mut self,
        step: usize,
        t: f64,
        (full, vm): (Vec<f64>, Option<Vec<f64>>),
        acceleration: &[f64],
        (kin, strain, diss, work): (f64, f64, f64, f64),
    ) {
        let s = &mut self.solution;
        s.times.push(t);
        for (w, &g) in s.watched.iter_mut().zip(&self.options.watch) {
            w.push(full.get(g).copied().unwrap_or(f64::NAN));
        }
        s.peak_displacement.push(
            full.chunks(3)
                .map(|c| (c[0] * c[0] + c[1] * c[1] + c[2] * c[2]).sqrt())
                .fold(0.0, f64::max),
        );
        if s.max_displacement.is_empty() {
            s.max_displacement = vec![0.0; full.len()];
        }
        for (m, x) in s.max_displacement.iter_mut().zip(&full) {
            *m = m.max(x.abs());
        }
        if s.max_acceleration.is_empty() {
            s.max_acceleration = vec![0.0; acceleration.len()];
        }
        for (m, x) in s.max_acceleration.iter_mut().zip(acceleration) {
            *m = m.max(x.abs());
        }
        if let Some(vm) = &vm {
            if s.max_von_mises.is_empty() {
                s.max_von_mises = vec![0.0; vm.len()];
                s.max_von_mises_time = vec![0.0; vm.len()];
            }
            let pairs = s.max_von_mises.iter_mut().zip(&mut s.max_von_mises_time);
            for ((m, at), &v) in pairs.zip(vm) {
                if v > *m {
                    (*m, *at) = (v, t);
                }
            }
        }
        let e = &mut s.energy;
        e.kinetic.push(kin);
        e.strain.push(strain);
        e.dissipated.push(diss);
        e.work.push(work);
        let every = self.options.output_every.max(1);
        if step.is_multiple_of(every) || step == self.options.steps {
            s.snapshots.push((t, full));
            s.snapshot_von_mises.extend(vm);
        }
    }

    fn finish(mut self) -> TransientSolution {
        self.solution.energy_error = energy_error(&self.solution.energy);
        self.solution
    }
}

/// max |work − kinetic − strain − dissipated| over the run, relative to the largest
/// work or strain energy.
fn energy_error(e: &Energy) -> f64 {
    let scale = e
        .work
        .iter()
        .chain(&e.strain)
        .fold(0.0f64, |a, b| a.max(b.abs()));
    let worst = (0..e.work.len())
        .map(|i| (e.work[i] - e.kinetic[i] - e.strain[i] - e.dissipated[i]).abs())
        .fold(0.0, f64::max);
    if scale > 0.0 {
        worst / scale
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn amplitude_is_piecewise_linear_and_zero_outside() {
        let t = [(0.0, 0.0), (1.0, 2.0), (3.0, 2.0)];
        assert_eq!(super::amplitude(&t, 0.5), 1.0);
        assert_eq!(super::amplitude(&t, 2.0), 2.0);
        assert_eq!(super::amplitude(&t, 3.5), 0.0);
    }
}
