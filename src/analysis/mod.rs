//! One analysis, one place: the interface every kind of load case implements, and the
//! registry the rest of the app iterates over.
//!
//! A kind ([`Kind`]) owns its case-file options, which loads it takes, what its results
//! hold ([`Produces`]) and how a load case of it is built; a built load case
//! ([`Analysis`]) names the load cases it needs and solves into generic [`Results`].
//! The run, criteria, output, summary and regress code see only these two traits and
//! the results data, and never ask which kind a load case is.
//!
//! Why traits rather than one enum: a new analysis is then one new module plus one line
//! in [`Registry::standard`] — and a test (or a plug-in) can register its own kind with
//! [`Registry::with`] without editing anything here.

pub mod bolts;
pub mod buckling;
pub mod contact;
pub mod damping;
pub mod dynamic;
pub mod fatigue;
pub mod harmonic;
pub mod heat;
pub mod loads;
pub mod modal;
pub mod motion_loads;
pub mod nonlinear;
pub mod random;
pub mod response_spectrum;
pub mod statics;
pub mod transient;

use crate::case::Case;
use crate::mechanism::MotionRun;
use crate::model::Model;
use crate::results::{Produces, Results, SolverSummary};
use crate::schema::{LoadCaseSpec, LoadSpec};
use anyhow::{anyhow, bail, Result};
use std::any::Any;
use std::sync::{Arc, Mutex, OnceLock};
use vproto_solver::modal::{ModalOptions, ModalSolution};
use vproto_solver::{StaticFactor, StaticModel};

/// A kind of analysis: what `analysis = "<keyword>"` in a `[[load_case]]` selects.
pub trait Kind: Sync {
    /// The case-file keyword.
    fn keyword(&self) -> &'static str;
    /// Whether a load of this type belongs in this kind's load cases (none, unless the
    /// kind says otherwise: modes and buckling take no loads of their own).
    fn takes_load(&self, _load: &LoadSpec) -> bool {
        false
    }
    /// What its results hold, known before solving.
    fn produces(&self) -> Produces;
    /// Whether it solves the model's contact pairs (the others would ignore them: a
    /// model with contact refuses them).
    fn takes_contact(&self) -> bool {
        false
    }
    /// Whether its materials need elastic constants (heat conduction does not).
    fn needs_elastic(&self) -> bool {
        true
    }
    /// Builds one load case: reads its options, resolves its loads on the mesh and
    /// checks every name it refers to (errors name the case file's line).
    fn build(&self, input: &Input) -> Result<Box<dyn Analysis>>;
}

/// A load case, built and ready to solve.
pub trait Analysis: Send + Sync {
    fn name(&self) -> &str;
    /// The load cases whose results this one reads (solved before it).
    fn depends_on(&self) -> Vec<String> {
        Vec::new()
    }
    /// Solves the load case; `done` holds every load case it depends on.
    fn solve(&self, ctx: &Context, done: &Solved) -> Result<Results>;
}

/// The kinds of analysis a run knows.
#[derive(Clone)]
pub struct Registry {
    kinds: Vec<&'static dyn Kind>,
}

impl Registry {
    /// The analyses vproto ships. A new analysis is registered here.
    pub fn standard() -> Self {
        Self {
            kinds: vec![
                &statics::Static,
                &modal::Modal,
                &buckling::Buckling,
                &heat::Heat,
                &harmonic::Harmonic,
                &random::Random,
                &response_spectrum::ResponseSpectrum,
                &transient::Transient,
                &fatigue::Fatigue,
                &nonlinear::Nonlinear,
            ],
        }
    }

    /// These kinds and one more.
    pub fn with(mut self, kind: &'static dyn Kind) -> Self {
        self.kinds.push(kind);
        self
    }

    pub fn get(&self, keyword: &str) -> Option<&'static dyn Kind> {
        self.kinds.iter().copied().find(|k| k.keyword() == keyword)
    }

    fn keywords(&self) -> String {
        let k: Vec<&str> = self.kinds.iter().map(|k| k.keyword()).collect();
        k.join(", ")
    }

    /// The kind of every load case of a case, in case-file order.
    pub fn resolve(&self, case: &Case) -> Result<Vec<&'static dyn Kind>> {
        case.spec
            .load_case
            .iter()
            .map(|lc| {
                self.get(lc.analysis()).ok_or_else(|| {
                    let at = lc
                        .analysis
                        .as_ref()
                        .map_or_else(|| case.path.display().to_string(), |a| case.at(a.span()));
                    anyhow!(
                        "{at}: unknown analysis '{}' (known: {})",
                        lc.analysis(),
                        self.keywords()
                    )
                })
            })
            .collect()
    }

    /// Whether any kind of the case needs elastic constants.
    pub fn needs_elastic(&self, case: &Case) -> Result<bool> {
        Ok(self.resolve(case)?.iter().any(|k| k.needs_elastic()))
    }
}

/// What a kind's `build` sees: the case, the model, the motion and the other load
/// cases' kinds (for references such as a buckling load case's preload).
pub struct Input<'a> {
    pub case: &'a Case,
    pub model: &'a Model,
    pub motion: Option<&'a MotionRun>,
    /// Index of the load case in the case file.
    pub index: usize,
    kinds: &'a [&'static dyn Kind],
}

impl Input<'_> {
    pub fn spec(&self) -> &LoadCaseSpec {
        &self.case.spec.load_case[self.index]
    }

    /// The kind of another load case of the case, if it exists.
    fn kind(&self, load_case: &str) -> Option<&'static dyn Kind> {
        let spec = &self.case.spec.load_case;
        spec.iter()
            .position(|l| l.name == load_case)
            .map(|i| self.kinds[i])
    }

    /// The analysis keyword of another load case of the case, if it exists.
    pub fn kind_of(&self, load_case: &str) -> Option<&'static str> {
        self.kind(load_case).map(|k| k.keyword())
    }

    /// What another load case of the case produces, if it exists.
    pub fn produces_of(&self, load_case: &str) -> Option<Produces> {
        self.kind(load_case).map(|k| k.produces())
    }

    /// The load case's own options (every key but the common ones), strictly.
    pub fn options<T: serde::de::DeserializeOwned>(&self) -> Result<T> {
        self.case.options(self.index)
    }
}

/// Shared state of one run's solves: the model, and the factored stiffness that every
/// static load case (and any analysis that needs K⁻¹) reuses.
pub struct Context<'a> {
    pub case: &'a Case,
    pub model: &'a Model,
    pub fe: &'a StaticModel<'a>,
    stiffness: OnceLock<StaticFactor<'a>>,
    solver: Mutex<Option<SolverSummary>>,
    /// Modes found so far, by the options they were found with: the load cases that
    /// superpose modes share them.
    modes: Mutex<Vec<(ModalOptions, Arc<ModalSolution>)>>,
}

impl<'a> Context<'a> {
    pub fn new(case: &'a Case, model: &'a Model, fe: &'a StaticModel<'a>) -> Self {
        Self {
            case,
            model,
            fe,
            stiffness: OnceLock::new(),
            solver: Mutex::new(None),
            modes: Mutex::new(Vec::new()),
        }
    }

    /// The modes of the supported model for `options`, found once per run.
    pub fn modes(&self, options: ModalOptions) -> Result<Arc<ModalSolution>> {
        let known = |cache: &[(ModalOptions, Arc<ModalSolution>)]| {
            cache
                .iter()
                .find(|(o, _)| *o == options)
                .map(|(_, m)| m.clone())
        };
        if let Some(m) = self.modes.lock().ok().and_then(|c| known(&c)) {
            return Ok(m);
        }
        let m = Arc::new(self.fe.modes(options)?);
        if let Ok(mut cache) = self.modes.lock() {
            cache.push((options, m.clone()));
        }
        Ok(m)
    }

    /// The stiffness factor of the run, made by `factor` the first time it is needed.
    pub fn stiffness(
        &self,
        factor: impl FnOnce(&'a StaticModel<'a>) -> Result<StaticFactor<'a>>,
    ) -> Result<&StaticFactor<'a>> {
        if let Some(f) = self.stiffness.get() {
            return Ok(f);
        }
        let f = factor(self.fe)?;
        Ok(self.stiffness.get_or_init(|| f))
    }

    /// Records or updates the statistics of the stiffness solve.
    pub fn note_solver(&self, update: impl FnOnce(&mut Option<SolverSummary>)) {
        if let Ok(mut s) = self.solver.lock() {
            update(&mut s);
        }
    }

    pub fn solver_summary(&self) -> Option<SolverSummary> {
        self.solver.lock().ok().and_then(|s| s.clone())
    }
}

/// The load cases solved so far.
#[derive(Default)]
pub struct Solved {
    results: Vec<Results>,
}

impl Solved {
    pub fn get(&self, name: &str) -> Option<&Results> {
        self.results.iter().find(|r| r.name == name)
    }

    /// The solver's own result of load case `name`, which must be of type `T`.
    pub fn raw<T: Any>(&self, name: &str) -> Result<&T> {
        self.get(name)
            .and_then(|r| r.raw::<T>())
            .ok_or_else(|| anyhow!("load case '{name}' has not been solved or has other results"))
    }
}

/// Builds every load case of a case with its kind; loads a kind does not take and
/// criteria its results cannot answer are errors at their line.
pub fn build(
    case: &Case,
    model: &Model,
    motion: Option<&MotionRun>,
    registry: &Registry,
) -> Result<Vec<Box<dyn Analysis>>> {
    let kinds = registry.resolve(case)?;
    (0..kinds.len())
        .map(|index| {
            let input = Input {
                case,
                model,
                motion,
                index,
                kinds: &kinds,
            };
            check_contents(&input, kinds[index], registry)?;
            kinds[index].build(&input)
        })
        .collect()
}

/// Rejects a load the kind does not take (naming the kinds that do) and a load-case
/// criterion that cannot read the kind's results.
fn check_contents(input: &Input, kind: &dyn Kind, registry: &Registry) -> Result<()> {
    let (case, lc) = (input.case, input.spec());
    if let (Some(b), false) = (input.model.bolts.first(), kind.takes_contact()) {
        bail!(
            "{}: load case '{}' is {}, which cannot pretension bolt '{}': bolts need analysis = \"nonlinear\"",
            case.path.display(),
            lc.name,
            kind.keyword(),
            b.name
        );
    }
    if let (Some(c), false) = (input.model.contacts.first(), kind.takes_contact()) {
        bail!(
            "{}: load case '{}' is {}, which would ignore the contact pair '{}' (parts would pass through or float apart): contact needs analysis = \"nonlinear\"",
            case.path.display(),
            lc.name,
            kind.keyword(),
            c.name
        );
    }
    for l in &lc.load {
        if !kind.takes_load(l.get_ref()) {
            let takers: Vec<&str> = registry
                .kinds
                .iter()
                .filter(|k| k.takes_load(l.get_ref()))
                .map(|k| k.keyword())
                .collect();
            bail!(
                "{}: a '{}' load belongs to a {} load case, but '{}' is {}",
                case.at(l.span()),
                l.get_ref().type_name(),
                takers.join(" or "),
                lc.name,
                kind.keyword()
            );
        }
    }
    for c in &lc.criterion {
        if let Err(why) = crate::criteria::readable(c.get_ref(), &kind.produces()) {
            bail!(
                "{}: this criterion {why}, which a {} load case ('{}') does not produce",
                case.at(c.span()),
                kind.keyword(),
                lc.name
            );
        }
    }
    Ok(())
}

/// Most modes a load case may ask for: Lanczos with full reorthogonalisation costs
/// grow with the square of the count, and no criterion needs more.
pub const MAX_MODES: usize = 500;

/// `modes` of a modal or buckling load case: at least one, at most [`MAX_MODES`].
pub fn check_mode_count(input: &Input, modes: Option<usize>) -> Result<()> {
    match modes {
        Some(n) if n == 0 || n > MAX_MODES => bail!(
            "{}: load case '{}': `modes = {n}` must lie in 1..={MAX_MODES}",
            input.case.path.display(),
            input.spec().name
        ),
        _ => Ok(()),
    }
}

/// Solves every load case after the ones it depends on (dependencies come from the
/// load cases themselves); returns the results in case-file order.
pub fn solve(analyses: &[Box<dyn Analysis>], ctx: &Context) -> Result<Vec<Results>> {
    let names: Vec<&str> = analyses.iter().map(|a| a.name()).collect();
    let deps: Vec<Vec<usize>> = analyses
        .iter()
        .map(|a| {
            a.depends_on()
                .iter()
                .map(|d| {
                    names.iter().position(|n| n == d).ok_or_else(|| {
                        anyhow!("load case '{}' needs '{d}', which does not exist", a.name())
                    })
                })
                .collect()
        })
        .collect::<Result<_>>()?;
    let order = solve_order(&names, &deps)?;
    let mut done = Solved::default();
    let mut slot: Vec<Option<usize>> = vec![None; analyses.len()];
    let total = order.len();
    for (k, i) in order.into_iter().enumerate() {
        let a = &analyses[i];
        tracing::info!("load case {} of {total}: {}", k + 1, a.name());
        let r = a.solve(ctx, &done)?;
        slot[i] = Some(done.results.len());
        done.results.push(r);
    }
    let mut by_slot: Vec<Option<Results>> = done.results.into_iter().map(Some).collect();
    Ok(slot
        .into_iter()
        .map(|s| {
            by_slot[s.expect("every load case solved")]
                .take()
                .expect("once")
        })
        .collect())
}

/// A topological order of the load cases (case-file order among independent ones).
fn solve_order(names: &[&str], deps: &[Vec<usize>]) -> Result<Vec<usize>> {
    let mut order = Vec::with_capacity(names.len());
    let mut placed = vec![false; names.len()];
    while order.len() < names.len() {
        let next = (0..names.len()).find(|&i| !placed[i] && deps[i].iter().all(|&d| placed[d]));
        let Some(i) = next else {
            let waiting: Vec<&str> = (0..names.len())
                .filter(|&i| !placed[i])
                .map(|i| names[i])
                .collect();
            bail!(
                "load cases depend on each other in a circle: {}",
                waiting.join(", ")
            );
        };
        placed[i] = true;
        order.push(i);
    }
    Ok(order)
}

#[cfg(test)]
mod tests {
    use super::solve_order;

    #[test]
    fn dependants_come_after_what_they_need_and_circles_are_errors() {
        let order = solve_order(&["buck", "pre", "heat"], &[vec![1], vec![2], vec![]]).unwrap();
        assert_eq!(order, vec![2, 1, 0]);
        let e = solve_order(&["a", "b"], &[vec![1], vec![0]]).unwrap_err();
        assert!(e.to_string().contains("circle"), "{e}");
    }
}
