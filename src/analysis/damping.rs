//! Damping of the dynamic analyses: a load case's own `damping = { … }`, else the
//! case's `[damping]`; one or the other is required (a response at resonance without
//! damping is infinite, so none is never assumed). What is used is stated in the
//! load case's headline and results.

use super::Input;
use crate::schema::{DampingSpec, ModalRatio};
use anyhow::{anyhow, Result};
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
    zero_allowed: bool,
) -> Result<(Damping, String)> {
    let case = input.case;
    let spec = own.or(case.spec.damping.as_ref()).ok_or_else(|| {
        anyhow!(
            "{}: load case '{}' is dynamic and needs damping: add `damping = {{ modal_ratio = 0.02 }}` to it or a [damping] table to the case (modal_ratio, rayleigh = {{ alpha, beta }}, loss_factor)",
            case.path.display(),
            input.spec().name
        )
    })?;
    let d = convert(spec.get_ref());
    let checked = if zero_allowed {
        d.check_values()
    } else {
        d.check()
    };
    checked.map_err(|e| case.error_at(spec, format!("damping: {e}")))?;
    let text = describe(spec.get_ref());
    let text = if text.is_empty() {
        "undamped".to_string()
    } else {
        text
    };
    Ok((d, text))
}

fn convert(s: &DampingSpec) -> Damping {
    Damping {
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
