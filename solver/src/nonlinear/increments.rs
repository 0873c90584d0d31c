//! Following a load path: increments of pseudo-time, each solved by Newton with an
//! energy line search, cut back when it fails and grown when it passes easily.

use super::*;

/// A residual this far below the force tolerance is equilibrium to round-off: the
/// iteration has converged whatever its last correction was (Abaqus's rule for a linear
/// increment). Within a fixed contact status the problem is linear, so each contact
/// augmentation would otherwise spend a second solve only to see a zero correction.
const ROUND_OFF: f64 = 1e-3;

/// An augmentation's Newton phase before the last may stop once its residual fell by
/// this factor (with the contact status settled).
const LOOSE: f64 = 1e-3;

/// The relative residual to which a tangent system is solved by iteration: far below
/// what Newton needs of a correction, so the iterates are Newton's.
const KRYLOV_TOLERANCE: f64 = 1e-10;

/// The points' tangents an element tangent was assembled from, and its values.
type ElementTangent = (Vec<Matrix6<f64>>, Vec<f64>);

/// At most this many iterations on an old factor before a new one is made: a
/// tangent that needs more has changed too much for the old factor to be its
/// preconditioner (measured: 4–30 when a few contact points change status).
const MAX_KRYLOV: usize = 60;

/// One solution in progress: what every increment needs.
pub(super) struct Run<'a> {
    pub(super) model: &'a NonlinearModel<'a>,
    pub(super) system: &'a crate::statics::System,
    pub(super) loads: &'a Loads,
    pub(super) prescribed: (&'a [f64], &'a [bool]),
    /// Dofs held at a value whatever the load factor (locked bolts).
    pub(super) locked: &'a [(usize, f64)],
    pub(super) offsets: &'a [usize],
    pub(super) options: &'a NonlinearOptions,
    pub(super) timing: std::cell::Cell<Timing>,
    /// The tangent of the last iteration that factored one, and its factor.
    pub(super) factor: std::cell::RefCell<Option<(Vec<f64>, StiffnessSolver)>>,
    /// The points' tangents of the last element assembly (small strain) and its values:
    /// elastic parts in contact assemble their elements once.
    pub(super) elements: std::cell::RefCell<Option<ElementTangent>>,
    /// The time one conjugate-gradient iteration on the last factor took.
    pub(super) iteration_seconds: std::cell::Cell<Option<f64>>,
    pub(super) contacts: &'a Contacts,
}

/// A converged increment: displacement, evaluation, its Newton record and load scale.
struct Equilibrium {
    u: Vec<f64>,
    eval: Evaluation,
    record: Increment,
    scale: f64,
    /// The internal forces (3 per node).
    internal: Vec<f64>,
}

/// Why an increment failed, and the node with the largest out-of-balance force then
/// (with that force).
pub(super) struct Failure {
    why: String,
    worst: Option<(usize, f64)>,
    /// The contact pairing has moved out of the stiffness pattern: not a failure of
    /// the increment, which is tried again on a pattern that holds it.
    repattern: bool,
}

impl From<String> for Failure {
    fn from(why: String) -> Self {
        Self {
            why,
            worst: None,
            repattern: false,
        }
    }
}

/// Where a phase is on its path: the pseudo-time reached, the next increment's size
/// and the easy increments since the last cut-back (kept when the phase goes on on
/// a new stiffness pattern).
pub(super) struct Cursor {
    pub(super) at: f64,
    step: f64,
    calm: usize,
}

impl Cursor {
    pub(super) fn new(options: &NonlinearOptions) -> Self {
        let step = options
            .first_increment
            .min(options.max_increment)
            .max(options.min_increment);
        Self {
            at: 0.0,
            step,
            calm: 2,
        }
    }
}

/// Where a run has got to, carried from one phase (the bolts' pretension, then the load
/// path) to the next.
pub(super) struct Progress {
    pub(super) out: NonlinearSolution,
    /// The displacement the next increment starts from: `out.displacement` with the
    /// bolts' shortenings in their reference nodes (which the solution shows as 0).
    pub(super) u: Vec<f64>,
    committed: Vec<PlasticState>,
    /// The internal forces at the last converged increment and their work so far.
    internal: Vec<f64>,
    work: f64,
    /// The largest load scale of any converged increment.
    reference: f64,
}

impl Progress {
    pub(super) fn new(dofs: usize, points: usize, contact: Vec<ContactResult>) -> Self {
        Self {
            out: NonlinearSolution {
                displacement: vec![0.0; dofs],
                time: 0.0,
                load_factor: 0.0,
                increments: Vec::new(),
                cutbacks: 0,
                states: Vec::new(),
                stress: vec![Voigt::zeros(); points],
                pk2: vec![Voigt::zeros(); points],
                stopped: None,
                timing: Timing::default(),
                contact,
                stabilisation: None,
                bolts: Vec::new(),
            },
            u: vec![0.0; dofs],
            committed: vec![PlasticState::default(); points],
            internal: vec![0.0; dofs],
            work: 0.0,
            reference: 0.0,
        }
    }

    /// The solution, its points' states and timing in.
    pub(super) fn finish(mut self, timing: Timing) -> NonlinearSolution {
        self.out.states = self.committed;
        self.out.timing = timing;
        self.out
    }
}

/// How a phase's path shows in the record: its pseudo-time shifted (the pretension
/// runs over −1…0, before the load path starts), and whether its factor is the load
/// factor (the pretension's is not: the external load is 0 through it).
#[derive(Clone, Copy)]
pub(super) struct Phase {
    pub(super) shift: f64,
    pub(super) loading: bool,
}

impl Run<'_> {
    /// Increments along `path` from `progress` and `cursor` until its end or a stop;
    /// false when the contact pairing left the stiffness pattern (the phase goes on
    /// on a pattern that holds it).
    pub(super) fn follow(
        &mut self,
        (path, phase): (&LoadPath, Phase),
        cursor: &mut Cursor,
        progress: &mut Progress,
        observer: &mut dyn FnMut(&Converged),
    ) -> bool {
        let options = self.options;
        let Cursor { at, step, calm } = cursor;
        while let Some(corner) = path.corner_after(*at) {
            // Land on the corner rather than leave a sliver before it.
            let time = match *at + *step {
                t if t >= corner - 1e-6 * *step => corner,
                t => t,
            };
            let factor = path.factor(time);
            let p = &mut *progress;
            match self.increment((time, factor, p.reference), &p.u, &p.committed) {
                Ok(mut eq) => {
                    *at = time;
                    p.reference = p.reference.max(eq.scale);
                    // Grow after two easy increments since the last cut-back (growing
                    // at once would only fail again where a limit load flattens the
                    // path).
                    *calm += 1;
                    if *calm >= 2 && eq.record.residuals.len() <= options.max_iterations / 3 {
                        *step = (*step * 1.5).min(options.max_increment);
                    }
                    eq.record.time = time + phase.shift;
                    eq.record.load_factor = if phase.loading { factor } else { 0.0 };
                    if let Some(stop) = self.take(eq, p, observer) {
                        p.out.stopped = Some(stop);
                        return true;
                    }
                }
                Err(failure) if failure.repattern => return false,
                Err(failure) => {
                    p.out.cutbacks += 1;
                    *step *= 0.5;
                    *calm = 0;
                    tracing::info!(load_factor = factor, why = %failure.why, "increment cut back");
                    if *step < options.min_increment {
                        let reached = match phase.loading {
                            true => format!("load factor {:.6}", p.out.load_factor),
                            false => {
                                format!("{:.2} % of the bolt pretension", 100.0 * path.factor(*at))
                            }
                        };
                        p.out.stopped = Some(Stop {
                            reason: format!(
                                "no equilibrium beyond {reached} (increments cut back below {:e}): {}",
                                options.min_increment, failure.why
                            ),
                            worst: failure.worst,
                        });
                        return true;
                    }
                }
            }
        }
        true
    }

    /// Takes a converged increment into `progress` and shows it to `observer`; a stop
    /// when the contact stabilisation did too much of the work.
    fn take(
        &self,
        mut eq: Equilibrium,
        p: &mut Progress,
        observer: &mut dyn FnMut(&Converged),
    ) -> Option<Stop> {
        p.work += eq
            .internal
            .iter()
            .zip(&p.internal)
            .zip(eq.u.iter().zip(&p.u))
            .map(|((f, f0), (u, u0))| 0.5 * (f + f0) * (u - u0))
            .sum::<f64>();
        p.internal = std::mem::take(&mut eq.internal);
        self.contacts.commit(std::mem::take(&mut eq.eval.contact));
        p.u.clone_from(&eq.u);
        p.committed = accept(&mut p.out, eq);
        for b in &self.model.bolts {
            p.out.displacement[3 * b.reference] = 0.0;
        }
        p.out.contact = self.contacts.results();
        p.out.bolts = self.bolt_results(&p.u, &p.internal);
        observer(&Converged {
            time: p.out.time,
            load_factor: p.out.load_factor,
            displacement: &p.out.displacement,
            states: &p.committed,
            stress: &p.out.stress,
            contact: &p.out.contact,
            bolts: &p.out.bolts,
        });
        self.stabilisation(p.work, &mut p.out)
    }

    /// Each bolt's force and shortening at displacement `u` and internal forces
    /// `internal`, locked or not as this phase holds it.
    fn bolt_results(&self, u: &[f64], internal: &[f64]) -> Vec<BoltResult> {
        self.model
            .bolts
            .iter()
            .map(|b| BoltResult {
                name: b.name.clone(),
                pretension: b.force,
                force: b.axial_force(internal),
                shortening: u[3 * b.reference],
                locked: self.locked.iter().any(|&(d, _)| d == 3 * b.reference),
            })
            .collect()
    }

    /// Equilibrium at `time` (load factor `factor`) from `u0`: Newton iterations, and
    /// for contact the augmentations of its multipliers, each followed by Newton again
    /// from where the last converged.
    fn increment(
        &self,
        (time, factor, reference): (f64, f64, f64),
        u0: &[f64],
        committed: &[PlasticState],
    ) -> std::result::Result<Equilibrium, Failure> {
        let (ubar, fixed) = self.prescribed;
        let mut u = u0.to_vec();
        for (k, &f) in fixed.iter().enumerate() {
            if f {
                u[k] = factor * ubar[k];
            }
        }
        for &(k, v) in self.locked {
            u[k] = v;
        }
        self.system.dofs.expand(&mut u);
        self.repair((u0, u0), None)?;
        self.contacts.start();
        let mut record = Increment {
            time,
            load_factor: factor,
            residuals: Vec::new(),
            correction: 0.0,
            energy: 0.0,
            augmentations: 0,
        };
        let mut state = self.state(&u, factor, committed)?;
        // Before the last augmentation Newton need not converge fully (inexact Uzawa):
        // the multipliers it updates are about to change the forces anyway.
        let mut loose = !self.contacts.is_empty();
        loop {
            state = self.newton(
                &mut u,
                u0,
                state,
                (factor, reference, loose),
                committed,
                &mut record,
            )?;
            let augmented = record.augmentations < contacts::AUGMENTATIONS
                && (self.contacts.augment(&state.eval.contact)
                    | self.repair((&u, u0), Some(&state.eval.contact))?);
            if !augmented {
                if loose {
                    loose = false; // converge fully, then look at the multipliers again
                    continue;
                }
                if record.augmentations == contacts::AUGMENTATIONS {
                    tracing::warn!(
                        load_factor = factor,
                        "the contact pressures still changed after {} augmentations: their last change is left in the result",
                        contacts::AUGMENTATIONS
                    );
                }
                return Ok(Equilibrium {
                    u,
                    scale: state.scale,
                    internal: state.internal,
                    eval: state.eval,
                    record,
                });
            }
            record.augmentations += 1;
            state = self.state(&u, factor, committed)?;
        }
    }

    /// Newton iterations from `u` (in place) to equilibrium, each correction scaled by
    /// a line search, until force, displacement correction and energy all pass their
    /// tolerances — or, `loose`, until the contact status has settled and the residual
    /// fell by [`LOOSE`] — the residuals go on `record`.
    fn newton(
        &self,
        u: &mut Vec<f64>,
        u0: &[f64],
        mut state: State,
        (factor, reference, loose): (f64, f64, bool),
        committed: &[PlasticState],
        record: &mut Increment,
    ) -> std::result::Result<State, Failure> {
        let options = self.options;
        let start = record.residuals.len();
        let mut first_energy = None;
        let mut active = closed(&state);
        let mut settled = true;
        (record.correction, record.energy) = (0.0, 0.0);
        for _ in 0..options.max_iterations {
            let scale = state.scale.max(reference).max(f64::MIN_POSITIVE);
            let norm = state.norm() / scale;
            if !norm.is_finite() {
                return Err(format!("the residual is {norm}").into());
            }
            record.residuals.push(norm);
            let corrected = record.correction <= options.displacement_tolerance
                && record.energy <= options.energy_tolerance;
            if norm <= options.tolerance && (corrected || norm <= ROUND_OFF * options.tolerance) {
                return Ok(state);
            }
            if loose && settled && norm <= LOOSE * record.residuals[start] {
                return Ok(state);
            }
            let residuals = &record.residuals[start..];
            // A contact point that opened or closed moves the residual up for an
            // iteration: no reason to give up.
            if let Some(why) = hopeless(residuals, options).filter(|_| settled) {
                return Err(self.failure(why, &state));
            }
            let mut du = state.r.clone();
            let k = residuals.len();
            let refactor = options.newton == Newton::Full
                || k == 1
                || residuals[k - 1] > 0.5 * residuals[k - 2];
            self.correction(&state.eval, du.as_mut(), refactor)?;
            let energy = dot(&du, &state.r).abs();
            let e0 = *first_energy.get_or_insert(energy);
            let v;
            (v, state) = self.line_search(u, &du, state, factor, committed)?;
            record.energy = energy / e0.max(f64::MIN_POSITIVE);
            record.correction = relative_change(u0, u, &v);
            *u = v;
            let now = closed(&state);
            settled = now == active;
            active = now;
        }
        let why = format!(
            "no convergence in {} iterations (relative residual {:.3e}, correction {:.3e}, energy {:.3e})",
            options.max_iterations,
            record.residuals.last().copied().unwrap_or(f64::NAN),
            record.correction,
            record.energy
        );
        Err(self.failure(why, &state))
    }

    /// Records the stabilisation's work against the internal forces' `work`; a stop
    /// when it exceeds 5 % of it (a part held only by contact is not held).
    fn stabilisation(&self, work: f64, out: &mut NonlinearSolution) -> Option<Stop> {
        if self.contacts.stabilisation.iter().all(|&s| s == 0.0) {
            return None;
        }
        let spent = self.contacts.work.get();
        out.stabilisation = Some((spent, work));
        (spent > 0.05 * work.abs()).then(|| Stop {
            reason: format!(
                "the contact stabilisation did {spent:.3e} J of work against {work:.3e} J of the internal forces (more than 5 %): a part held only by contact is not held there — it would slide or lift off freely (give it friction, a support, or a load that presses it on)"
            ),
            worst: None,
        })
    }

    /// A failure at `state`, located at its node of the largest out-of-balance force.
    fn failure(&self, why: String, state: &State) -> Failure {
        let dofs = &self.system.dofs;
        let mut worst = (0.0, None);
        for n in 0..self.model.mesh.nodes.len() {
            let f2: f64 = (0..3)
                .filter_map(|c| dofs.eq(3 * n + c))
                .map(|e| state.r[(e, 0)].powi(2))
                .sum();
            if f2 > worst.0 {
                worst = (f2, Some(n));
            }
        }
        Failure {
            why,
            worst: worst.1.map(|n| (n, worst.0.sqrt())),
            repattern: false,
        }
    }

    /// Pairs the finite-sliding contacts again at `u` (see [`Contacts::repair`]): true
    /// when the pairing moved; a re-pattern when it left the stiffness pattern.
    fn repair(
        &self,
        (u, u0): (&[f64], &[f64]),
        trial: Option<&[Vec<crate::contact::PointState>]>,
    ) -> std::result::Result<bool, Failure> {
        let t = std::time::Instant::now();
        let changed = self.contacts.repair(self.model.mesh, (u, u0), trial);
        let (dofs, pattern) = (&self.system.dofs, &self.system.pattern);
        // An unchanged pairing is covered: the pattern held it when it was made.
        let fits = !changed
            || self
                .contacts
                .fit(|terms| crate::assembly::covers(terms, dofs, pattern));
        self.add(|tm| tm.evaluation += t.elapsed().as_secs_f64());
        match fits {
            true => Ok(changed),
            false => Err(Failure {
                why: "the contact pairing left the stiffness pattern".into(),
                worst: None,
                repattern: true,
            }),
        }
    }

    /// The points' update, internal forces and out-of-balance forces at `u`.
    fn state(
        &self,
        u: &[f64],
        target: f64,
        committed: &[PlasticState],
    ) -> std::result::Result<State, String> {
        let model = self.model;
        let dofs = &self.system.dofs;
        let t = std::time::Instant::now();
        let (mut eval, mut f_int) = model
            .evaluate(u, committed, self.offsets)
            .map_err(|e| e.to_string())?;
        eval.contact = self.contacts.evaluate(u, &mut f_int);
        self.add(|tm| tm.evaluation += t.elapsed().as_secs_f64());
        let f_ext = self.loads.at(model.mesh, target, u);
        let load_norm = f_ext.iter().map(|f| f * f).sum::<f64>().sqrt();
        let mut r = Mat::<f64>::zeros(dofs.free_count(), 1);
        let mut reaction = 0.0;
        // Out of balance, the tied slave nodes' share moved to their masters.
        let mut g: Vec<f64> = f_ext.iter().zip(&f_int).map(|(e, i)| e - i).collect();
        dofs.fold(&mut g);
        for (k, gk) in g.into_iter().enumerate() {
            match dofs.eq(k) {
                Some(e) => r[(e, 0)] = gk,
                None => reaction += gk * gk,
            }
        }
        Ok(State {
            eval,
            r,
            scale: load_norm.max(reaction.sqrt()),
            internal: f_int,
        })
    }

    /// u + η Δu with η from the energy line search (Crisfield, Non-linear Finite Element
    /// Analysis of Solids and Structures, 1991, §9.3): the full step when it leaves the
    /// out-of-balance work Δu·r(η) below half its start, else a few regula falsi steps
    /// towards its root, η in [0.1, 1]. Near the solution the full step passes at once,
    /// so the quadratic rate is kept; where plastic points switch state it keeps
    /// Newton from overshooting.
    fn line_search(
        &self,
        u: &[f64],
        du: &Mat<f64>,
        start: State,
        target: f64,
        committed: &[PlasticState],
    ) -> std::result::Result<(Vec<f64>, State), String> {
        let dofs = &self.system.dofs;
        let work = |s: &State| {
            (0..du.nrows())
                .map(|i| du[(i, 0)] * s.r[(i, 0)])
                .sum::<f64>()
        };
        let at = |eta: f64| {
            let mut v = u.to_vec();
            for (k, vk) in v.iter_mut().enumerate() {
                if let Some(e) = dofs.eq(k) {
                    *vk += eta * du[(e, 0)];
                }
            }
            dofs.expand(&mut v);
            v
        };
        let g0 = work(&start);
        let mut v = at(1.0);
        let mut s = self.state(&v, target, committed)?;
        let mut g = work(&s);
        // The root of the work along Δu lies between a and b once it changed sign.
        let ((mut a, mut ga), (mut b, mut gb)) = ((0.0, g0), (1.0, g));
        for _ in 0..3 {
            if g.abs() <= 0.5 * g0.abs() || g * g0 > 0.0 {
                break;
            }
            let eta = (a - ga * (b - a) / (gb - ga)).clamp(0.1, 1.0);
            v = at(eta);
            s = self.state(&v, target, committed)?;
            g = work(&s);
            if g * ga < 0.0 {
                (b, gb) = (eta, g);
            } else {
                (a, ga) = (eta, g);
            }
        }
        Ok((v, s))
    }

    /// Solves the tangent system for the residual `r` in place: with the tangent at
    /// `eval` when `refactor` (or none is kept), else the last factor. A tangent equal
    /// to the last one factored (elastic parts with no contact point changing status:
    /// every contact augmentation, every increment of a linear stretch) keeps its factor.
    fn correction(
        &self,
        eval: &Evaluation,
        mut r: faer::MatMut<'_, f64>,
        refactor: bool,
    ) -> std::result::Result<(), String> {
        let mut kept = self.factor.borrow_mut();
        if refactor || kept.is_none() {
            let system = self.system;
            let t = std::time::Instant::now();
            let (mut values, elements_kept) = self.element_tangent(eval)?;
            self.contacts
                .tangent(&eval.contact, &system.dofs, &system.pattern, &mut values);
            self.add(|tm| tm.assembly += t.elapsed().as_secs_f64());
            if !kept
                .as_ref()
                .is_some_and(|(old, _)| same_tangent(old, &values))
            {
                // Only contact changed since the last factor (positive semi-definite
                // terms on positive definite elastic parts): the tangent is positive
                // definite, so iterating cannot step over a buckling or a limit load
                // that a factorisation would have found.
                if let Some((_, StiffnessSolver::Double(old))) =
                    kept.as_ref().filter(|_| elements_kept)
                {
                    if self.iterate(old, &values, r.as_mut()) {
                        return Ok(());
                    }
                }
                *kept = None;
                let solver = self.factorize(&values)?;
                *kept = Some((values, solver));
            }
        }
        let (_, solver) = kept.as_ref().expect("factored above");
        let t = std::time::Instant::now();
        let solved = solver.solve(None, r).map(|_| ()).map_err(|e| e.to_string());
        self.add(|tm| tm.solution += t.elapsed().as_secs_f64());
        solved
    }

    /// The elements' part of the tangent at `eval`, and whether it is the last one
    /// again (no point's tangent changed, small strain: elastic parts whose contact
    /// alone changes).
    fn element_tangent(&self, eval: &Evaluation) -> std::result::Result<(Vec<f64>, bool), String> {
        let mut cache = self.elements.borrow_mut();
        let small = eval.deformation.is_empty();
        if let Some((tangents, values)) = cache.as_ref() {
            if small && *tangents == eval.tangents {
                return Ok((values.clone(), true));
            }
        }
        let system = self.system;
        let tangent = Tangent {
            eval,
            offsets: self.offsets,
        };
        let values = assemble(self.model.mesh, &system.dofs, &system.pattern, &tangent)
            .map_err(|e| e.to_string())?;
        *cache = small.then(|| (eval.tangents.clone(), values.clone()));
        Ok((values, false))
    }

    /// Solves the tangent `values` for `r` in place by conjugate gradients preconditioned
    /// by the factor of an earlier tangent, when that is cheaper than a new factor: the
    /// tangents differ only where contact points changed status or slip direction, a
    /// change the old factor leaves to a few iterations. False (and `r` untouched) when
    /// the iterations a factorisation would cost do not converge.
    fn iterate(
        &self,
        old: &crate::linsolve::Cholesky<f64>,
        values: &[f64],
        mut r: faer::MatMut<'_, f64>,
    ) -> bool {
        let t = std::time::Instant::now();
        let b: Vec<f64> = (0..r.nrows()).map(|i| r[(i, 0)]).collect();
        let precondition = |z: &mut [f64]| {
            let mut m = Mat::from_fn(z.len(), 1, |i, _| z[i]);
            old.solve_in_place(m.as_mut());
            z.iter_mut().enumerate().for_each(|(i, v)| *v = m[(i, 0)]);
        };
        let k = matrix(&self.system.pattern, values);
        // As many iterations as a factorisation costs (measured), 20 before measuring.
        let tm = self.timing.get();
        let budget = match (self.iteration_seconds.get(), tm.factorizations) {
            (Some(each), n) if n > 0 => (tm.factorization / n as f64 / each) as usize,
            _ => 20,
        }
        .min(MAX_KRYLOV);
        if budget < 4 {
            return false;
        }
        let found =
            crate::linsolve::preconditioned_cg(k, precondition, &b, KRYLOV_TOLERANCE, budget);
        let seconds = t.elapsed().as_secs_f64();
        let iterations = found.as_ref().map_or(budget, |f| f.1);
        self.iteration_seconds
            .set(Some(seconds / iterations.max(1) as f64));
        tracing::debug!(
            iterations,
            budget,
            converged = found.is_some(),
            seconds,
            "tangent solved on the last factor"
        );
        self.add(|tm| tm.solution += seconds);
        let Some((x, _)) = found else {
            return false;
        };
        x.iter().enumerate().for_each(|(i, v)| r[(i, 0)] = *v);
        true
    }

    /// The Cholesky factor of the tangent `values` (on the system's pattern).
    fn factorize(&self, values: &[f64]) -> std::result::Result<StiffnessSolver, String> {
        let system = self.system;
        let t = std::time::Instant::now();
        let solver =
            StiffnessSolver::new(&system.symbolic, matrix(&system.pattern, values), false)
                .map_err(|_| {
                    "the tangent stiffness is not positive definite (a mechanism, the limit load or buckling)"
                        .to_string()
                })?;
        self.add(|tm| {
            tm.factorization += t.elapsed().as_secs_f64();
            tm.factorizations += 1;
        });
        Ok(solver)
    }

    fn add(&self, f: impl FnOnce(&mut Timing)) {
        let mut t = self.timing.get();
        f(&mut t);
        self.timing.set(t);
    }
}

/// An iterate: its points' update, the out-of-balance forces on the free equations and
/// the size of the forces at play (‖load‖, ‖reactions‖).
struct State {
    eval: Evaluation,
    r: Mat<f64>,
    scale: f64,
    /// The internal forces (3 per node), contact included.
    internal: Vec<f64>,
}

impl State {
    fn norm(&self) -> f64 {
        (0..self.r.nrows())
            .map(|i| self.r[(i, 0)].powi(2))
            .sum::<f64>()
            .sqrt()
    }
}

/// Which contact points are closed.
fn closed(state: &State) -> Vec<bool> {
    state
        .eval
        .contact
        .iter()
        .flatten()
        .map(|s| s.status != crate::contact::Status::Open)
        .collect()
}

/// Takes a converged increment into the solution; returns its points' states.
fn accept(out: &mut NonlinearSolution, eq: Equilibrium) -> Vec<PlasticState> {
    out.stress = cauchy(&eq.eval);
    (out.displacement, out.pk2) = (eq.u, eq.eval.stress);
    (out.time, out.load_factor) = (eq.record.time, eq.record.load_factor);
    tracing::info!(
        load_factor = out.load_factor,
        iterations = eq.record.residuals.len(),
        residual = eq.record.residuals.last().copied().unwrap_or(0.0),
        "increment converged"
    );
    tracing::debug!(augmentations = eq.record.augmentations, residuals = ?eq.record.residuals, "increment's iterations");
    out.increments.push(eq.record);
    eq.eval.states
}

/// Why an increment's Newton iteration should stop early, from its residuals: past
/// the sixth iteration, a residual above the one three before (diverging), or — past
/// the eighth — even the best of the last three rates would need more iterations than
/// are left (as Abaqus's time incrementation judges it). Near a limit load this spares
/// a cut-back most of its iterations.
fn hopeless(residuals: &[f64], options: &NonlinearOptions) -> Option<String> {
    let k = residuals.len();
    if k <= 6 {
        return None;
    }
    let now = residuals[k - 1];
    if now > residuals[k - 4] {
        return Some(format!("the residual grows ({now:.3e})"));
    }
    let rate = residuals[k - 4..]
        .windows(2)
        .map(|w| w[1] / w[0])
        .fold(f64::INFINITY, f64::min);
    let needed = (options.tolerance / now).ln() / rate.ln();
    (k > 8 && rate < 1.0 && k as f64 + needed > options.max_iterations as f64).then(|| {
        format!(
            "converging too slowly (relative residual {now:.3e}, falling at best {rate:.2}× an iteration)"
        )
    })
}

/// Σ a·b over the free equations.
fn dot(a: &Mat<f64>, b: &Mat<f64>) -> f64 {
    (0..a.nrows()).map(|i| a[(i, 0)] * b[(i, 0)]).sum()
}

/// The last correction's size (`v` − `u`) relative to the increment's displacement so
/// far (`v` − `u0`), in the largest component.
fn relative_change(u0: &[f64], u: &[f64], v: &[f64]) -> f64 {
    let amax = |d: &mut dyn Iterator<Item = f64>| d.fold(0.0f64, |m, x| m.max(x.abs()));
    let step = amax(&mut v.iter().zip(u).map(|(a, b)| a - b));
    let total = amax(&mut v.iter().zip(u0).map(|(a, b)| a - b));
    if step == 0.0 {
        0.0
    } else {
        step / total.max(f64::MIN_POSITIVE)
    }
}

/// Whether two tangents on one pattern are equal up to round-off (a parallel assembly
/// need not add in the same order twice).
fn same_tangent(a: &[f64], b: &[f64]) -> bool {
    let largest = a.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| (x - y).abs() <= 1e-13 * largest)
}
