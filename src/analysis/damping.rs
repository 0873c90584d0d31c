//! Damping of the dynamic analyses: a load case's own `damping = { … }`, else the
//! case's `[damping]`, plus the loss factors of the materials; some damping is required
//! (a response at resonance without damping is infinite, so none is never assumed).
//! What is used is stated in the load case's headline and results.

use super::Input;
use crate::schema::{DampingSpec, ModalRatio};
use anyhow::{anyhow, bail, Result};
use toml::Spanned;
use vproto_solver::harmonic::Damping;

/// The damping a steady-state dynamic load case uses, checked (some damping required),
/// with a one-line description.
pub fn of(input: &Input, own: Option<&Spanned<DampingSpec>>) -> Result<(Damping, String)> {
    of_any(input, own, false)
}

/// The damping a transient load case uses: stated like any other, but it may be zero
/// (a transient response stays finite undamped).
pub fn of_transient(
    input: &Input,
    own: Option<&Spanned<DampingSpec>>,
) -> Result<(Damping, String)> {
    of_any(input, own, true)
}

fn of_any(
    input: &Input,
    own: Option<&Spanned<DampingSpec>>,
    transient: bool,
) -> Result<(Damping, String)> {
    let case = input.case;
    let materials = &input.model.material_specs;
    // A hysteretic loss factor has no time-domain form: a transient leaves it out (and
    // says so), the frequency-domain analyses use it.
    let material_loss: Vec<f64> = materials
        .iter()
        .map(|(_, m)| m.loss_factor.unwrap_or(0.0))
        .filter(|_| !transient)
        .collect();
    let spec = own.or(case.spec.damping.as_ref());
    if spec.is_none() && material_loss.iter().all(|&e| e == 0.0) {
        let or = if transient {
            " (a transient needs it stated even if zero; materials' loss factors do not act in the time domain)"
        } else {
            ", or loss_factor to its materials"
        };
        bail!(
            "{}: load case '{}' is dynamic and needs damping: add `damping = {{ modal_ratio = 0.02 }}` to it or a [damping] table to the case (modal_ratio, rayleigh = {{ alpha, beta }}, loss_factor){or}",
            case.path.display(),
            input.spec().name
        );
    }
    let given = spec.map(|s| s.get_ref().clone()).unwrap_or_default();
    let d = Damping {
        material_loss,
        ..convert(&given)
    };
    let checked = if transient {
        d.check_values()
    } else {
        d.check()
    };
    checked.map_err(|e| match spec {
        Some(spec) => case.error_at(spec, format!("damping: {e}")),
        None => anyhow!("{}: damping: {e}", case.path.display()),
    })?;
    let mut text = describe(&given);
    let losses: Vec<String> = materials
        .iter()
        .filter_map(|(name, m)| m.loss_factor.map(|eta| format!("{name} η = {eta}")))
        .collect();
    if !losses.is_empty() {
        let sep = if text.is_empty() { "" } else { ", " };
        let unused = if transient {
            " not used (frequency domain only)"
        } else {
            ""
        };
        text = format!(
            "{text}{sep}material loss factor {}{unused}",
            losses.join(", ")
        );
    }
    if text.is_empty() {
        text = "undamped".to_string();
    }
    Ok((d, text))
}

fn convert(s: &DampingSpec) -> Damping {
    Damping {
        material_loss: Vec::new(),
        modal: match &s.modal_ratio {
            None => Vec::new(),
            Some(ModalRatio::Constant(z)) => vec![(0.0, *z)],
            Some(ModalRatio::Table(rows)) => rows.iter().map(|r| (r[0], r[1])).collect(),
        },
        alpha: s.rayleigh.map_or(0.0, |r| r.alpha),
        beta: s.rayleigh.map_or(0.0, |r| r.beta),
        loss_factor: s.loss_factor.unwrap_or(0.0),
    }
}

/// "modal ζ = 2 %, Rayleigh α = 5.36 /s, β = 7.46e-05 s, loss factor η = 0.01".
pub fn describe(s: &DampingSpec) -> String {
    let pct = |z: f64| format!("{} %", crate::units::sig(100.0 * z));
    let mut parts = Vec::new();
    match &s.modal_ratio {
        Some(ModalRatio::Constant(z)) => parts.push(format!("modal ζ = {}", pct(*z))),
        Some(ModalRatio::Table(rows)) => {
            let rows: Vec<String> = rows
                .iter()
                .map(|r| format!("{} at {} Hz", pct(r[1]), crate::units::sig(r[0])))
                .collect();
            parts.push(format!("modal ζ {}", rows.join(", ")));
        }
        None => {}
    }
    if let Some(r) = s.rayleigh {
        parts.push(format!("Rayleigh α = {:e} /s, β = {:e} s", r.alpha, r.beta));
    }
    if let Some(eta) = s.loss_factor {
        parts.push(format!("loss factor η = {eta}"));
    }
    parts.join(", ")
}
