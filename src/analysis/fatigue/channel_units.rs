//! A channel's unit. Its values are loads in that unit (kN, MPa, g, K …), turned into
//! multiples of its static load case by the size of that load case's one load in the
//! same quantity: a history in kN over a load case of 1 N cannot then be a silent
//! factor of 1000. `"factor"` states that the values are multiples of the load case as
//! it stands.

use super::Input;
use crate::schema::LoadSpec;
use anyhow::Result;
use toml::Spanned;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Quantity {
    Force,
    Pressure,
    Acceleration,
    TemperatureChange,
}

/// Units a channel may be in, and their size in SI.
const UNITS: [(&str, Quantity, f64); 13] = [
    ("N", Quantity::Force, 1.0),
    ("kN", Quantity::Force, 1e3),
    ("MN", Quantity::Force, 1e6),
    ("lbf", Quantity::Force, 4.448_221_615_260_5),
    ("Pa", Quantity::Pressure, 1.0),
    ("kPa", Quantity::Pressure, 1e3),
    ("MPa", Quantity::Pressure, 1e6),
    ("bar", Quantity::Pressure, 1e5),
    ("psi", Quantity::Pressure, 6_894.757_293_168_361),
    ("m/s^2", Quantity::Acceleration, 1.0),
    ("m/s2", Quantity::Acceleration, 1.0),
    ("g", Quantity::Acceleration, 9.80665),
    ("K", Quantity::TemperatureChange, 1.0),
];

/// The quantity a load applies and its size (SI): a force's total (or per node), a
/// pressure's or traction's value, an acceleration, a uniform temperature change.
fn size(load: &LoadSpec) -> Option<(Quantity, f64)> {
    let norm = |v: &[f64; 3]| v.iter().map(|x| x * x).sum::<f64>().sqrt();
    Some(match load {
        LoadSpec::Force { total, .. } => (Quantity::Force, norm(total)),
        LoadSpec::NodalForce { force, .. } => (Quantity::Force, norm(force)),
        LoadSpec::Pressure { value, .. } => (Quantity::Pressure, value.abs()),
        LoadSpec::Traction { value, .. } => (Quantity::Pressure, norm(value)),
        LoadSpec::Gravity { acceleration, .. } => (Quantity::Acceleration, norm(acceleration)),
        LoadSpec::Thermal {
            delta_t: Some(d), ..
        } => (Quantity::TemperatureChange, d.abs()),
        _ => return None,
    })
}

/// The factor turning a channel's values in `unit` into multiples of static load case
/// `load_case` (already checked to exist).
pub(super) fn factor(
    input: &Input,
    unit: Option<&Spanned<String>>,
    load_case: &str,
) -> Result<Option<f64>> {
    let case = input.case;
    let Some(unit) = unit else { return Ok(None) };
    let name = unit.get_ref().as_str();
    if name == "factor" {
        return Ok(Some(1.0));
    }
    let Some(&(_, quantity, si)) = UNITS.iter().find(|(u, _, _)| *u == name) else {
        let known: Vec<&str> = UNITS.iter().map(|u| u.0).collect();
        return Err(case.error_at(
            unit,
            format!(
                "unknown unit '{name}': \"factor\" (multiples of the load case) or one of {}",
                known.join(", ")
            ),
        ));
    };
    let loads = case
        .spec
        .load_case
        .iter()
        .find(|l| l.name == load_case)
        .map_or(&[][..], |l| &l.load[..]);
    let what = |q: Quantity| match q {
        Quantity::Force => "a force (`force` total, or `nodal_force` per node)",
        Quantity::Pressure => "a pressure or traction",
        Quantity::Acceleration => "an acceleration (`gravity`)",
        Quantity::TemperatureChange => "a uniform temperature change (`thermal`, delta_t)",
    };
    match loads {
        [one] => match size(one.get_ref()) {
            Some((q, s)) if q == quantity && s > 0.0 && s.is_finite() => Ok(Some(si / s)),
            Some((q, _)) if q == quantity => Err(case.error_at(unit, format!("load case '{load_case}' applies a zero {name} load: a channel in {name} cannot scale it"))),
            _ => Err(case.error_at(unit, format!("a channel in {name} scales {}, but load case '{load_case}' applies a '{}' load: use unit = \"factor\" for multiples of the load case as it stands", what(quantity), one.get_ref().type_name()))),
        },
        _ => Err(case.error_at(unit, format!("a channel in {name} needs load case '{load_case}' to apply one load, {}, whose size it divides by; it has {}: use unit = \"factor\" for multiples of the load case as it stands", what(quantity), loads.len()))),
    }
}
