//! `vproto run`: case file → model → solve → criteria → result files → verdict.

use crate::case::Case;
use crate::criteria::{evaluate, Check};
use crate::model::Model;
use crate::output::{atomically, hdf5_results, vtkhdf, xdmf};
use crate::report::{LoadCaseSummary, ModelSummary, SolverSummary, Summary};
use anyhow::{Context, Result};
use std::path::{Path, PathBuf};
use vproto_solver::loads::resultant;
use vproto_solver::material::von_mises;
use vproto_solver::{SolverOptions, StaticModel, StaticResults};

/// Options of one run.
pub struct RunOptions {
    /// Overrides the case's output directory.
    pub out_dir: Option<PathBuf>,
}

/// Runs a case and returns its summary (the verdict is `summary.verdict`).
pub fn run_case(path: &Path, opts: &RunOptions) -> Result<Summary> {
    let case = Case::load(path)?;
    let name = case.name();
    tracing::info!(case = %name, "building model");
    let model = Model::build(&case)?;
    let statics = StaticModel {
        mesh: &model.mesh,
        materials: model.materials.clone(),
        constraints: model.constraints.clone(),
    };
    tracing::info!(
        nodes = model.mesh.nodes.len(),
        elements = model.mesh.element_count(),
        "solving"
    );
    let solution = statics
        .solve_with(
            &model.load_cases,
            SolverOptions {
                precision: case.spec.solver.precision.into(),
            },
        )
        .with_context(|| format!("{}: solving", case.path.display()))?;

    let st = &solution.stats;
    tracing::info!(
        equations = st.equations,
        factor_nnz = st.factor_nnz,
        assembly_s = st.assembly_seconds,
        factor_s = st.factor_seconds,
        solve_s = st.solve_seconds,
        recovery_s = st.recovery_seconds,
        "solved"
    );
    let mut checks: Vec<Check> = Vec::new();
    for (spec, r) in case.spec.load_case.iter().zip(&solution.load_cases) {
        for c in case.spec.criterion.iter().chain(&spec.criterion) {
            checks.extend(evaluate(&case, &model, c, r)?);
        }
    }

    let out_dir = match (&opts.out_dir, &case.spec.output.directory) {
        (Some(d), _) => d.clone(),
        (None, Some(d)) => case.resolve(d),
        (None, None) => PathBuf::from("out").join(&name),
    };
    std::fs::create_dir_all(&out_dir)
        .with_context(|| format!("cannot create output directory {}", out_dir.display()))?;
    let files = write_results(&out_dir, &name, &model, &solution.load_cases)?;

    let s = &solution.stats;
    let mut kinds: Vec<&'static str> = model.mesh.blocks.iter().map(|b| b.kind.name()).collect();
    kinds.dedup();
    let summary = Summary {
        case: name.clone(),
        case_file: case.path.display().to_string(),
        verdict: if checks.iter().all(|c| c.pass) {
            "PASS"
        } else {
            "FAIL"
        },
        units: "SI: m, N, Pa, kg, s, J",
        model: ModelSummary {
            nodes: model.mesh.nodes.len(),
            elements: model.mesh.element_count(),
            element_types: kinds,
            mass: statics.mass(),
        },
        solver: SolverSummary {
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
        },
        load_cases: solution
            .load_cases
            .iter()
            .map(|r| load_case_summary(&model, r))
            .collect::<Result<_>>()?,
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

fn write_results(
    dir: &Path,
    name: &str,
    model: &Model,
    results: &[StaticResults],
) -> Result<Vec<String>> {
    let mesh = &model.mesh;
    let mats = &model.materials.of_element;
    let h5 = dir.join(format!("{name}.h5"));
    atomically(&h5, |tmp| hdf5_results::write(tmp, mesh, mats, results))?;
    let xdmf_path = dir.join(format!("{name}.xdmf"));
    let doc = xdmf::document(&format!("{name}.h5"), mesh, results);
    atomically(&xdmf_path, |tmp| Ok(std::fs::write(tmp, doc)?))?;
    let mut files = vec![h5.display().to_string(), xdmf_path.display().to_string()];
    for r in results {
        let p = dir.join(format!("{name}_{}.hdf", r.name));
        atomically(&p, |tmp| vtkhdf::write(tmp, mesh, mats, r))?;
        files.push(p.display().to_string());
    }
    files.push(
        dir.join(format!("{name}.summary.json"))
            .display()
            .to_string(),
    );
    Ok(files)
}

fn load_case_summary(model: &Model, r: &StaticResults) -> Result<LoadCaseSummary> {
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
    Ok(LoadCaseSummary {
        name: r.name.clone(),
        max_displacement: dmax,
        max_displacement_node: dn,
        max_von_mises: smax,
        max_von_mises_node: sn,
        strain_energy: r.strain_energy,
        relative_residual: r.relative_residual,
        reactions,
    })
}
