//! `vproto run`: case file → model → solve → criteria → result files → verdict.

use crate::case::Case;
use crate::criteria::{evaluate, Check, Results};
use crate::model::{Analysis, Model, Part};
use crate::output::{atomically, hdf5_results, vtkhdf, xdmf, LoadCaseResults};
use crate::params::Parameters;
use crate::report::{LoadCaseSummary, ModeSummary, ModelSummary, SolverSummary, Summary};
use anyhow::{Context, Result};
use std::path::{Path, PathBuf};
use vproto_solver::buckling::BucklingSolution;
use vproto_solver::loads::resultant;
use vproto_solver::material::von_mises;
use vproto_solver::modal::ModalSolution;
use vproto_solver::thermal::{HeatResults, ThermalModel};
use vproto_solver::{Load, LoadCase, SolverOptions, StaticModel, StaticResults};

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

/// Solved results of one load case.
enum Solved {
    Static(StaticResults),
    Modal(String, ModalSolution),
    Buckling(String, BucklingSolution),
    Heat(HeatResults),
}

impl Solved {
    fn results(&self) -> Results<'_> {
        match self {
            Self::Static(r) => Results::Static(r),
            Self::Modal(_, m) => Results::Modal(m),
            Self::Buckling(_, b) => Results::Buckling(b),
            Self::Heat(h) => Results::Heat(h),
        }
    }
    fn output(&self) -> LoadCaseResults<'_> {
        match self {
            Self::Static(r) => LoadCaseResults::Static(r),
            Self::Modal(name, solution) => LoadCaseResults::Modal { name, solution },
            Self::Buckling(name, solution) => LoadCaseResults::Buckling { name, solution },
            Self::Heat(h) => LoadCaseResults::Heat(h),
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
    let case = Case::load_with(path, parameters)?;
    let name = case.name();
    tracing::info!(case = %name, "building model");
    let part = case
        .spec
        .model
        .as_ref()
        .map(|m| Part::build(&case, m))
        .transpose()?;
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
    let mut files = Vec::new();
    if let (Some(m), Some(spec)) = (&motion, &case.spec.mechanism) {
        checks.extend(m.checks(&case, spec)?);
        let mesh = part.as_ref().map(|p| &p.mesh);
        files.extend(crate::output::motion::write(
            &out_dir, &name, m, spec, mesh,
        )?);
    }
    let fe = match part {
        Some(part) if !case.spec.load_case.is_empty() => {
            let model = Model::build(&case, part, motion.as_ref())?;
            Some(run_load_cases(
                &case,
                &model,
                &out_dir,
                &name,
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
    files.push(
        out_dir
            .join(format!("{name}.summary.json"))
            .display()
            .to_string(),
    );
    let summary = Summary {
        case: name.clone(),
        case_file: case.path.display().to_string(),
        parameters: case.parameters.clone(),
        verdict: if checks.iter().all(|c| c.pass) {
            "PASS"
        } else {
            "FAIL"
        },
        units: "SI: m, N, Pa, kg, s, J, Hz, rad",
        model,
        motion: motion.as_ref().map(|m| m.summary()),
        solver,
        load_cases,
        checks,
        files,
    };
    let json_path = out_dir.join(format!("{name}.summary.json"));
    atomically(&json_path, |tmp| {
        Ok(std::fs::write(
            tmp,
            serde_json::to_string_pretty(&summary)?,
        )?)
    })?;
    Ok(summary)
}

/// Solves the finite-element load cases, checks their criteria and writes their files.
fn run_load_cases(
    case: &Case,
    model: &Model,
    out_dir: &Path,
    name: &str,
    opts: &RunOptions,
    checks: &mut Vec<Check>,
    files: &mut Vec<String>,
) -> Result<(ModelSummary, Option<SolverSummary>, Vec<LoadCaseSummary>)> {
    let start = std::time::Instant::now();
    let fe = StaticModel {
        mesh: &model.mesh,
        materials: model.materials.clone(),
        constraints: model.constraints.clone(),
    };
    tracing::info!(
        nodes = model.mesh.nodes.len(),
        elements = model.mesh.element_count(),
        "solving"
    );
    let (solved, solver) = solve(case, model, &fe)?;
    let solved_at = start.elapsed().as_secs_f64();
    for (spec, s) in case.spec.load_case.iter().zip(&solved) {
        for c in case.spec.criterion.iter().chain(&spec.criterion) {
            checks.extend(evaluate(case, model, c, &spec.name, s.results())?);
        }
    }
    let outputs: Vec<LoadCaseResults> = solved.iter().map(Solved::output).collect();
    files.extend(write_results(out_dir, name, model, &outputs, opts.vtkhdf)?);
    tracing::info!(
        solve_s = solved_at,
        output_s = start.elapsed().as_secs_f64() - solved_at,
        "results written"
    );
    let mut kinds: Vec<&'static str> = model.mesh.blocks.iter().map(|b| b.kind.name()).collect();
    kinds.dedup();
    let summary = ModelSummary {
        nodes: model.mesh.nodes.len(),
        elements: model.mesh.element_count(),
        element_types: kinds,
        equations: fe.prescribed().0.iter().filter(|fixed| !**fixed).count(),
        mass: fe.mass(),
    };
    let load_cases = solved.iter().map(|s| load_case_summary(model, s)).collect();
    Ok((summary, solver, load_cases))
}

/// Solves heat load cases first (static ones may take their temperatures), then all
/// static load cases with one factorisation, then each modal and buckling one; returns
/// the results in case-file order.
fn solve(
    case: &Case,
    model: &Model,
    fe: &StaticModel,
) -> Result<(Vec<Solved>, Option<SolverSummary>)> {
    let context =
        |kind: &str, name: &str| format!("{}: {kind} load case '{name}'", case.path.display());
    let mut heat: Vec<HeatResults> = Vec::new();
    for a in &model.analyses {
        if let Analysis::Heat(h) = a {
            let thermal = ThermalModel {
                mesh: &model.mesh,
                conductivity: model.conductivity()?,
            };
            heat.push(thermal.solve(h).with_context(|| context("heat", &h.name))?);
        }
    }
    let statics: Vec<LoadCase> = model
        .analyses
        .iter()
        .filter_map(|a| match a {
            Analysis::Static(lc, links) => Some((lc, links)),
            _ => None,
        })
        .map(|(lc, links)| {
            let mut lc = lc.clone();
            for link in links {
                let t = &heat
                    .iter()
                    .find(|h| h.name == link.heat)
                    .expect("validated heat load case")
                    .temperature;
                lc.loads.push(Load::Thermal {
                    delta_t: t.iter().map(|t| t - link.reference).collect(),
                });
            }
            lc
        })
        .collect();
    let mut summary = None;
    let mut static_results = Vec::new().into_iter();
    if !statics.is_empty() {
        let options = SolverOptions {
            precision: case.spec.solver.precision.into(),
        };
        let solution = fe
            .solve_with(&statics, options)
            .with_context(|| format!("{}: solving", case.path.display()))?;
        let s = &solution.stats;
        tracing::info!(
            equations = s.equations,
            factor_nnz = s.factor_nnz,
            factor_s = s.factor_seconds,
            "static load cases solved"
        );
        summary = Some(SolverSummary {
            equations: s.equations,
            matrix_nonzeros: s.matrix_nnz,
            factor_nonzeros: s.factor_nnz,
            precision: s.precision,
            iterations: s.iterations,
            min_pivot_ratio: s.min_pivot_ratio,
            assembly_seconds: s.assembly_seconds,
            factor_seconds: s.factor_seconds,
            solve_seconds: s.solve_seconds,
            recovery_seconds: s.recovery_seconds,
        });
        static_results = solution.load_cases.into_iter();
    }
    // Modal and buckling next, while the static results can still be borrowed.
    let mut eigen: Vec<Option<Solved>> = Vec::with_capacity(model.analyses.len());
    for a in &model.analyses {
        eigen.push(match a {
            Analysis::Static(..) | Analysis::Heat(_) => None,
            Analysis::Modal { name, options } => {
                let m = fe.modes(*options).with_context(|| context("modal", name))?;
                tracing::info!(load_case = %name, steps = m.lanczos_steps, eigen_s = m.eigen_seconds, "modes found");
                Some(Solved::Modal(name.clone(), m))
            }
            Analysis::Buckling { name, preload, options } => {
                let pre = static_results.as_slice().iter().find(|r| r.name == *preload).expect("preload validated as a static load case");
                let b = fe.buckling(pre, *options).with_context(|| context("buckling", name))?;
                tracing::info!(load_case = %name, steps = b.lanczos_steps, "buckling factors found");
                Some(Solved::Buckling(name.clone(), b))
            }
        });
    }
    let mut heat = heat.into_iter();
    let solved = model
        .analyses
        .iter()
        .zip(eigen)
        .map(|(a, e)| match a {
            Analysis::Static(..) => Solved::Static(
                static_results
                    .next()
                    .expect("one result per static load case"),
            ),
            Analysis::Heat(_) => Solved::Heat(heat.next().expect("one result per heat load case")),
            _ => e.expect("solved above"),
        })
        .collect();
    Ok((solved, summary))
}

fn write_results(
    dir: &Path,
    name: &str,
    model: &Model,
    results: &[LoadCaseResults],
    vtkhdf: bool,
) -> Result<Vec<String>> {
    let mesh = &model.mesh;
    let mats = &model.materials.of_element;
    let h5 = dir.join(format!("{name}.h5"));
    let mut steps = Vec::new();
    atomically(&h5, |tmp| {
        steps = hdf5_results::write(tmp, mesh, mats, results)?;
        Ok(())
    })?;
    let xdmf_path = dir.join(format!("{name}.xdmf"));
    let doc = xdmf::document(&format!("{name}.h5"), mesh, &steps);
    atomically(&xdmf_path, |tmp| Ok(std::fs::write(tmp, doc)?))?;
    let mut files = vec![h5.display().to_string(), xdmf_path.display().to_string()];
    for r in results.iter().filter(|_| vtkhdf) {
        let p = dir.join(format!("{name}_{}.hdf", r.name()));
        atomically(&p, |tmp| vtkhdf::write(tmp, mesh, mats, *r))?;
        files.push(p.display().to_string());
    }
    Ok(files)
}

fn load_case_summary(model: &Model, s: &Solved) -> LoadCaseSummary {
    match s {
        Solved::Static(r) => {
            let n = model.mesh.nodes.len();
            let (dn, dmax) = (0..n)
                .map(|i| {
                    (
                        i,
                        (r.displacement[3 * i].powi(2)
                            + r.displacement[3 * i + 1].powi(2)
                            + r.displacement[3 * i + 2].powi(2))
                        .sqrt(),
                    )
                })
                .max_by(|a, b| a.1.total_cmp(&b.1))
                .unwrap_or_default();
            let (sn, smax) = (0..n)
                .map(|i| (i, von_mises(&r.fields.nodal_stress[i])))
                .max_by(|a, b| a.1.total_cmp(&b.1))
                .unwrap_or_default();
            let reactions = model
                .constrained_sets
                .iter()
                .zip(&model.constraints)
                .map(|(name, c)| (name.clone(), resultant(&r.reactions, &c.nodes).into()))
                .collect();
            LoadCaseSummary::Static {
                name: r.name.clone(),
                max_displacement: dmax,
                max_displacement_node: model.mesh.node_label(dn),
                max_von_mises: smax,
                max_von_mises_node: model.mesh.node_label(sn),
                strain_energy: r.strain_energy,
                relative_residual: r.relative_residual,
                reactions,
            }
        }
        Solved::Heat(h) => LoadCaseSummary::Heat {
            name: h.name.clone(),
            min_temperature: h.temperature.iter().copied().fold(f64::INFINITY, f64::min),
            max_temperature: h
                .temperature
                .iter()
                .copied()
                .fold(f64::NEG_INFINITY, f64::max),
            heat_in_at_fixed_temperatures: h.reaction.iter().sum(),
            relative_residual: h.relative_residual,
        },
        Solved::Buckling(name, b) => LoadCaseSummary::Buckling {
            name: name.clone(),
            factors: b.modes.iter().map(|m| m.factor).collect(),
            residuals: b.modes.iter().map(|m| m.residual).collect(),
            lanczos_steps: b.lanczos_steps,
        },
        Solved::Modal(name, m) => LoadCaseSummary::Modal {
            name: name.clone(),
            participating_mass: m.participating_mass,
            lanczos_steps: m.lanczos_steps,
            modes: m
                .modes
                .iter()
                .map(|x| ModeSummary {
                    frequency: x.frequency,
                    rigid_body: x.rigid_body,
                    effective_mass: x.effective_mass,
                    residual: x.residual,
                })
                .collect(),
        },
    }
}
