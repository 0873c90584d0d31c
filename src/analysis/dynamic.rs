//! What the dynamic analyses (harmonic, random, response spectrum, transient) share: the
//! excitation as a load case of the solver (a base acceleration becomes the body load
//! −a_b of the motion relative to the supports, after checking that the supports are
//! the base), the static response to it, the choice of modes for a band, the response
//! at the probes, two-column CSV tables, and the extremes of envelope fields.

use super::loads::{self, Built};
use super::{Context, Input};
use crate::probe::Probes;
use crate::results::KeyResult;
use crate::results::{Field, Quantity, Shape};
use crate::schema::LoadSpec;
use crate::units::{node_place, sig};
use anyhow::{bail, Context as _, Result};
use nalgebra::{Complex, Vector3};
use std::path::Path;
use vproto_solver::harmonic::Superposition;
use vproto_solver::modal::{ModalOptions, ModalSolution};
use vproto_solver::statics::Method;
use vproto_solver::{Load, LoadCase};
use vproto_solver::{Mesh, StaticResults};

/// The loads a load case superposing modes takes (amplitudes, or loads per unit input).
pub fn takes_load(load: &LoadSpec) -> bool {
    load.is_mechanical()
        || matches!(
            load,
            LoadSpec::BaseAcceleration { .. } | LoadSpec::DeckStep { .. }
        )
}

/// The load case's amplitudes as a load case of the solver, with a base acceleration
/// as the body load −a_b of the relative motion; and the base acceleration (m/s²).
pub fn excitation(input: &Input) -> Result<(LoadCase, Vector3<f64>)> {
    let (case, spec) = (input.case, input.spec());
    let mut lc = LoadCase {
        name: spec.name.clone(),
        loads: Vec::new(),
    };
    let mut base: Option<Vector3<f64>> = None;
    for b in loads::build(input, None)? {
        match b {
            Built::Static(l @ (Load::Thermal { .. } | Load::Inertia { .. })) => bail!(
                "{}: load case '{}': {} loads are static; a dynamic load case takes forces, pressures, body accelerations and a base acceleration",
                case.path.display(),
                spec.name,
                if matches!(l, Load::Thermal { .. }) { "thermal" } else { "mechanism" }
            ),
            Built::Static(l) => lc.loads.push(l),
            Built::Base { .. } if base.is_some() => bail!(
                "{}: load case '{}' has two base accelerations: the supports move as one base (give the acceleration as one vector)",
                case.path.display(),
                spec.name
            ),
            Built::Base {
                nodes,
                acceleration,
            } => {
                check_base(input, &nodes, acceleration)?;
                base = Some(acceleration);
            }
            Built::Heat(_) | Built::ThermalFrom { .. } => bail!(
                "{}: load case '{}' is dynamic, but holds heat loads",
                case.path.display(),
                spec.name
            ),
        }
    }
    let base = base.unwrap_or_else(Vector3::zeros);
    if base != Vector3::zeros() {
        lc.loads.push(Load::BodyAcceleration {
            elements: (0..input.model.mesh.element_count()).collect(),
            acceleration: -base,
        });
    }
    if lc.loads.is_empty() {
        bail!(
            "{}: dynamic load case '{}' has no loads: give forces or pressures (amplitudes) or a base_acceleration",
            case.path.display(),
            spec.name
        );
    }
    Ok((lc, base))
}

/// A base excitation moves every support with the base: the named set must be held in
/// each direction the base accelerates, and no support outside it may be held in one
/// (it would be dragged along), nor any prescribed to a non-zero displacement.
fn check_base(input: &Input, set: &[usize], a: Vector3<f64>) -> Result<()> {
    let (case, model) = (input.case, input.model);
    let at = input
        .spec()
        .load
        .iter()
        .find(|l| matches!(l.get_ref(), LoadSpec::BaseAcceleration { .. }))
        .expect("a base acceleration was built from the spec");
    let mut held = vec![[false; 3]; model.mesh.nodes.len()];
    for (c, name) in model.constraints.iter().zip(&model.constrained_sets) {
        for (k, v) in c.components.iter().enumerate() {
            match v {
                Some(v) if *v != 0.0 => bail!(case.error_at(at, format!(
                    "constraint on '{name}' prescribes u{} = {v} m: a base excitation needs the supports held (they move with the base)",
                    ["x", "y", "z"][k]
                ))),
                Some(_) => c.nodes.iter().for_each(|&n| held[n][k] = true),
                None => {}
            }
        }
    }
    let mut in_set = vec![false; held.len()];
    set.iter().for_each(|&n| in_set[n] = true);
    for n in 0..held.len() {
        for k in (0..3).filter(|&k| a[k] != 0.0) {
            let axis = ["x", "y", "z"][k];
            if in_set[n] && !held[n][k] {
                bail!(case.error_at(at, format!(
                    "{} of the base set is not constrained in {axis}: a base acceleration drives constrained supports (add a constraint on the set)",
                    node_place(&model.mesh, n)
                )));
            }
            if !in_set[n] && held[n][k] {
                bail!(case.error_at(at, format!(
                    "{} is constrained in {axis} but not in the base set: in a base excitation every support moves with the base (add it to the set, or release it)",
                    node_place(&model.mesh, n)
                )));
            }
        }
    }
    Ok(())
}

/// A load case's `method`: `Some(false)` for `first` (the default), `Some(true)` for
/// `second`; anything else is an error at its line.
pub fn method_option(
    input: &Input,
    method: Option<&toml::Spanned<String>>,
    [first, second]: [&str; 2],
) -> Result<bool> {
    match method {
        None => Ok(false),
        Some(m) if m.get_ref() == first => Ok(false),
        Some(m) if m.get_ref() == second => Ok(true),
        Some(m) => bail!(input.case.error_at(
            m,
            format!(
                "unknown method '{}': \"{first}\" or \"{second}\"",
                m.get_ref()
            )
        )),
    }
}

/// The modes to superpose: `asked`, or (by default) doubling from 12 until they reach
/// 1.5 × the top of the band. Either way they must reach the top.
pub fn modes(
    ctx: &Context,
    top: f64,
    asked: Option<usize>,
    method: Method,
) -> Result<std::sync::Arc<ModalSolution>> {
    let mut n = asked.unwrap_or(12);
    loop {
        let m = ctx.modes(ModalOptions {
            modes: n,
            shift_hz: None,
            method,
        })?;
        let highest = m.modes.last().map_or(0.0, |x| x.frequency);
        let all = m.modes.len() < n;
        let done = asked.is_some() || all || highest >= 1.5 * top;
        if !done && n < super::MAX_MODES {
            n = (2 * n).min(super::MAX_MODES);
            continue;
        }
        if highest < top && !all {
            bail!(
                    "the band reaches {} Hz, but the highest of the {} modes is {} Hz: the response above it would miss resonances — {}",
                    sig(top),
                    m.modes.len(),
                    sig(highest),
                    if asked.is_some() {
                        "ask for more `modes` (or leave `modes` out to choose them automatically)"
                    } else {
                        "narrow the band (the mode count is at its limit)"
                    }
                );
        }
        return Ok(m);
    }
}

/// The complex displacement (x, y, z) at every probe and frequency of a superposition.
pub fn at_probes(
    modes: &ModalSolution,
    sweep: &Superposition,
    probes: &Probes,
) -> Vec<(String, [Vec<Complex<f64>>; 3])> {
    let vector = |v: &[f64]| Field::nodal("u", Shape::Vector, Quantity::Displacement, v.to_vec());
    let columns: Vec<Field> = sweep
        .modes
        .iter()
        .map(|&r| vector(&modes.modes[r].shape))
        .chain([vector(&sweep.residual_displacement)])
        .collect();
    probes
        .iter()
        .map(|p| {
            let at: Vec<Vec<f64>> = columns.iter().map(|c| p.interpolate(c)).collect();
            let u = std::array::from_fn(|k| {
                sweep.response(&at.iter().map(|v| v[k]).collect::<Vec<_>>())
            });
            (p.name.clone(), u)
        })
        .collect()
}

/// The static response to the excitation (the static correction of the modal methods),
/// on the run's shared stiffness factor.
pub fn static_response(
    ctx: &Context,
    lc: &LoadCase,
    here: &dyn Fn() -> String,
) -> Result<StaticResults> {
    let factor = super::statics::factor(ctx)?;
    let (mut stat, _) = factor.solve(std::slice::from_ref(lc)).with_context(here)?;
    stat.pop()
        .ok_or_else(|| anyhow::anyhow!("{}: no static response", here()))
}

/// Rows of two numbers from a CSV file (`a, b`; commas, semicolons, tabs or spaces); a
/// first line that is not numbers is a header, `#` starts a comment; at most `max` rows.
pub fn read_pairs(path: &Path, what: &str, max: usize) -> Result<Vec<(f64, f64)>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut rows = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let cells: Vec<&str> = line
            .split([',', ';', '\t', ' '])
            .filter(|c| !c.is_empty())
            .collect();
        let numbers: Option<Vec<f64>> = cells.iter().map(|c| c.parse().ok()).collect();
        match numbers.as_deref() {
            Some([a, b]) => rows.push((*a, *b)),
            None if rows.is_empty() && i == 0 => {} // a header
            _ => bail!(
                "{}:{}: expected two numbers ({what}), got '{line}'",
                path.display(),
                i + 1
            ),
        }
        if rows.len() > max {
            bail!("{}: more than {max} rows", path.display());
        }
    }
    Ok(rows)
}

/// The node where `value` is largest, and the value (NaN on an empty mesh).
pub fn largest(nodes: usize, value: impl Fn(usize) -> f64) -> (usize, f64) {
    (0..nodes)
        .map(|n| (n, value(n)))
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .unwrap_or((0, f64::NAN))
}

/// The magnitude of node `n`'s three components.
pub fn norm(v: &[f64], n: usize) -> f64 {
    Vector3::new(v[3 * n], v[3 * n + 1], v[3 * n + 2]).norm()
}

/// A key result, placed at a node when it has one.
pub fn key(
    mesh: &Mesh,
    name: &str,
    value: f64,
    quantity: Quantity,
    node: Option<usize>,
) -> KeyResult {
    KeyResult {
        name: name.into(),
        value,
        quantity,
        location: node.map(|n| node_place(mesh, n)),
    }
}
