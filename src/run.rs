//! `vproto run`: case file → model → build load cases (each by its analysis) → solve
//! in dependency order → criteria → result files → verdict. Nothing here knows which
//! analyses exist: they come from the [`Registry`].

use crate::analysis::{self, Context as Solve, Kind, Registry};
use crate::case::Case;
use crate::criteria::{evaluate, readable, Check};
use crate::model::{Model, Part};
use crate::output::{write_results, RunFiles};
use crate::params::Parameters;
use crate::probe::Probes;
use crate::report::{LoadCaseSummary, ModelSummary, SolverSummary, Summary};
use crate::results::Results;
use crate::schema::CriterionSpec;
use anyhow::{anyhow, Context, Result};
use std::path::{Path, PathBuf};

/// Options of one run.
pub struct RunOptions {
    /// Overrides the case's output directory.
    pub out_dir: Option<PathBuf>,
    /// Also write one VTKHDF file per load case (the HDF5 + XDMF pair is always written).
    pub vtkhdf: bool,
}

impl RunOptions {
    /// Every result file, into `out_dir` (or the case's own directory when `None`).
    pub fn all_files(out_dir: Option<PathBuf>) -> Self {
        Self {
            out_dir,
            vtkhdf: true,
        }
    }
}

/// Runs a case and returns its summary (the verdict is `summary.verdict`).
pub fn run_case(path: &Path, opts: &RunOptions) -> Result<Summary> {
    run_case_with(path, &Parameters::new(), opts)
}

/// Runs a case with some of its parameters set to other values: the mechanism first
/// (its loads may drive the finite-element load cases), then the load cases.
pub fn run_case_with(path: &Path, parameters: &Parameters, opts: &RunOptions) -> Result<Summary> {
    run_with_registry(path, parameters, opts, &Registry::standard())
}

/// Runs a case with the analyses of `registry` (the standard ones, or more).
pub fn run_with_registry(
    path: &Path,
    parameters: &Parameters,
    opts: &RunOptions,
    registry: &Registry,
) -> Result<Summary> {
    let case = Case::load_with(path, parameters)?;
    let name = case.name();
    tracing::info!("reading the model of {name}");
    let elastic = registry.needs_elastic(&case)?;
    let part = case
        .spec
        .model
        .as_ref()
        .map(|m| Part::build(&case, m, elastic))
        .transpose()?;
    vproto_solver::memory::release_freed();
    let motion = match &case.spec.mechanism {
        Some(spec) => Some(crate::mechanism::run(&case, spec, part.as_ref())?),
        None => None,
    };
    let out_dir = match (&opts.out_dir, &case.spec.output.directory) {
        (Some(d), _) => d.clone(),
        (None, Some(d)) => case.resolve(d),
        (None, None) => PathBuf::from("out").join(&name),
    };
    std::fs::create_dir_all(&out_dir)
        .with_context(|| format!("cannot create output directory {}", out_dir.display()))?;
    let mut checks: Vec<Check> = Vec::new();
    let mut files = RunFiles::new(&out_dir, &name);
    if let (Some(m), Some(spec)) = (&motion, &case.spec.mechanism) {
        checks.extend(m.checks(&case, spec)?);
        let mesh = part.as_ref().map(|p| &p.mesh);
        crate::output::motion::write(&mut files, m, spec, mesh)?;
    }
    let fe = match part {
        Some(part) if !case.spec.load_case.is_empty() => {
            let model = Model::build(&case, part)?;
            Some(run_load_cases(
                &case,
                &model,
                motion.as_ref(),
                registry,
                opts,
                &mut checks,
                &mut files,
            )?)
        }
        _ => None,
    };
    let (model, solver, load_cases) = match fe {
        Some((m, s, l)) => (Some(m), s, l),
        None => (None, None, Vec::new()),
    };
    let json = format!("{name}.summary.json");
    let mut listed = files.written().to_vec();
    listed.push(files.path(&json).display().to_string());
    let verdict = verdict(&case, &checks)?;
    let summary = Summary {
        case: name.clone(),
        case_file: case.path.display().to_string(),
        parameters: case.parameters.clone(),
        verdict,
        units: "SI: m, N, Pa, kg, s, J, Hz, rad",
        temperature_unit: case.temperature_unit(),
        model,
        motion: motion.as_ref().map(|m| m.summary()),
        solver,
        load_cases,
        checks,
        run_id: files.run_id().to_string(),
        files: listed,
    };
    files.write(&json, |tmp| {
        Ok(std::fs::write(
            tmp,
            serde_json::to_string_pretty(&summary)?,
        )?)
    })?;
    Ok(summary)
}

/// The verdict: PASS when every check passes, FAIL when one fails, NO CRITERIA when the
/// case checks nothing (results only). A check whose value is not finite is an error:
/// no verdict rests on a NaN.
fn verdict(case: &Case, checks: &[Check]) -> Result<&'static str> {
    if let Some(c) = checks.iter().find(|c| !c.value.is_finite()) {
        return Err(anyhow!(
            "{}: load case '{}', criterion '{}': the computed value is {} — no verdict can rest on it",
            case.path.display(),
            c.load_case,
            c.criterion,
            c.value
        ));
    }
    Ok(match (checks.is_empty(), checks.iter().all(|c| c.pass)) {
        (true, _) => NO_CRITERIA,
        (false, true) => "PASS",
        (false, false) => "FAIL",
    })
}

/// The verdict of a case without criteria.
pub const NO_CRITERIA: &str = "NO CRITERIA";

/// Solves the finite-element load cases, checks their criteria and writes their files.
fn run_load_cases(
    case: &Case,
    model: &Model,
    motion: Option<&crate::mechanism::MotionRun>,
    registry: &Registry,
    opts: &RunOptions,
    checks: &mut Vec<Check>,
    files: &mut RunFiles,
) -> Result<(ModelSummary, Option<SolverSummary>, Vec<LoadCaseSummary>)> {
    let start = std::time::Instant::now();
    let analyses = analysis::build(case, model, motion, registry)?;
    let kinds = registry.resolve(case)?;
    check_top_level_criteria(case, &kinds)?;
    let probes = Probes::locate(case, &model.mesh)?;
    let measurements = crate::measurement::Measurement::load_all(case, &model.mesh)?;
    tracing::info!(
        nodes = model.mesh.nodes.len(),
        elements = model.mesh.element_count(),
        "solving"
    );
    let fe = model.static_model();
    let ctx = Solve::new(case, model, &fe);
    let mut solved = analysis::solve(&analyses, &ctx)?;
    // The factor (or multigrid hierarchy) is done with: free it before the output.
    let solver_summary = ctx.solver_summary();
    drop(ctx);
    let solved_at = start.elapsed().as_secs_f64();
    for r in &mut solved {
        let probed = probes.values(r);
        r.key_results.extend(probed);
        for m in &measurements {
            if m.load_case == r.name {
                m.correlate(r)?;
            }
        }
    }
    checks.extend(criteria_checks(case, model, &probes, &kinds, &solved)?);
    tracing::info!("writing results");
    write_results(
        files,
        &model.mesh,
        &model.materials.of_element,
        &solved,
        opts.vtkhdf,
    )?;
    tracing::debug!(
        solve_s = format!("{solved_at:.3}"),
        output_s = format!("{:.3}", start.elapsed().as_secs_f64() - solved_at),
        "results written"
    );
    let kinds_elastic = kinds.iter().any(|k| k.needs_elastic());
    let mut kinds: Vec<&'static str> = model.mesh.blocks.iter().map(|b| b.kind.name()).collect();
    kinds.dedup();
    let mass = Some(fe.mass()).filter(|m| m.is_finite());
    let warnings = crate::plausibility::warnings(model, mass.unwrap_or(0.0), &solved);
    for w in &warnings {
        tracing::warn!("{w}");
    }
    let summary = ModelSummary {
        nodes: model.mesh.nodes.len(),
        elements: model.mesh.element_count(),
        element_types: kinds,
        tied_nodes: model.mesh.ties.len(),
        equations: if kinds_elastic {
            // Free components, less those of tied slave nodes (they follow their masters).
            let fixed = fe.prescribed().0;
            let followers = model
                .mesh
                .ties
                .iter()
                .flat_map(|t| (0..3).map(move |c| 3 * t.node + c))
                .filter(|&d| !fixed[d])
                .count();
            fixed.iter().filter(|fixed| !**fixed).count() - followers
        } else {
            // Temperature unknowns: the most any heat load case solved for.
            solved
                .iter()
                .flat_map(|r| r.scalar("equations"))
                .fold(0.0, f64::max) as usize
        },
        mass,
        warnings,
    };
    let load_cases = solved.iter().map(LoadCaseSummary::of).collect();
    Ok((summary, solver_summary, load_cases))
}

/// A top-level criterion must apply to some load case: one that reads what no load case
/// produces would silently check nothing.
fn check_top_level_criteria(case: &Case, kinds: &[&'static dyn Kind]) -> Result<()> {
    for c in &case.spec.criterion {
        let reads: Vec<_> = kinds
            .iter()
            .map(|k| readable(c.get_ref(), &k.produces()))
            .collect();
        if reads.iter().all(Result::is_err) {
            let why = reads.into_iter().find_map(Result::err).unwrap_or_default();
            return Err(anyhow!(
                "{}: this criterion {why}, which no load case of this case produces",
                case.at(c.span())
            ));
        }
    }
    Ok(())
}

/// Every check: top-level criteria on each load case that can read them, then each
/// load case's own criteria.
fn criteria_checks(
    case: &Case,
    model: &Model,
    probes: &Probes,
    kinds: &[&'static dyn Kind],
    solved: &[Results],
) -> Result<Vec<Check>> {
    let mut checks = Vec::new();
    for ((spec, kind), r) in case.spec.load_case.iter().zip(kinds).zip(solved) {
        let produces = kind.produces();
        for c in case
            .spec
            .criterion
            .iter()
            .filter(|c| readable(c.get_ref(), &produces).is_ok())
        {
            checks.extend(evaluate(case, model, probes, c, r)?);
        }
        for c in &spec.criterion {
            checks.extend(evaluate(case, model, probes, c, r)?);
        }
        let capacity = spec
            .criterion
            .iter()
            .chain(&case.spec.criterion)
            .any(|c| matches!(c.get_ref(), CriterionSpec::LoadCapacity { .. }));
        checks.extend(crate::criteria::incomplete_checks(r, capacity));
    }
    Ok(checks)
}
