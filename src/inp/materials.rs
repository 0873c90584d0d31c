//! The deck's materials: `*MATERIAL` with `*ELASTIC` (isotropic), `*DENSITY`,
//! `*EXPANSION`, `*CONDUCTIVITY` (constant values only), `*DAMPING, STRUCTURAL=`,
//! `*PLASTIC` (isotropic, or linear kinematic with two points), `*HYPERELASTIC, NEO HOOKE`
//! and `*SOLID SECTION`.

use super::cards::{number, Card};
use super::mesh::Reader;
use crate::materials::MaterialSpec;
use anyhow::{anyhow, bail, Result};

fn material_mut<'a>(
    r: &'a mut Reader,
    current: &Option<String>,
    card: &Card,
) -> Result<&'a mut MaterialSpec> {
    let name = current
        .as_ref()
        .ok_or_else(|| anyhow!("{}: *{} outside a *MATERIAL", card.at, card.keyword))?;
    Ok(r.materials.get_mut(name).expect("created by *MATERIAL"))
}

fn first_value(card: &Card, index: usize, what: &str) -> Result<f64> {
    let (at, fields) = card
        .data
        .first()
        .ok_or_else(|| anyhow!("{}: *{} needs a data line", card.at, card.keyword))?;
    if card.data.len() > 1 {
        bail!(
            "{}: *{} with several lines (temperature-dependent data) is not supported",
            card.at,
            card.keyword
        );
    }
    let field = fields
        .get(index)
        .ok_or_else(|| anyhow!("{at}: *{} needs {what}", card.keyword))?;
    number(at, field, what)
}

/// A material card; `current` is the material the property cards that follow belong to.
pub(super) fn card(r: &mut Reader, card: &Card, current: &mut Option<String>) -> Result<()> {
    match card.keyword.as_str() {
        "MATERIAL" => {
            let name = card.required("NAME")?.to_ascii_uppercase();
            r.materials.insert(
                name.clone(),
                MaterialSpec {
                    description: String::new(),
                    youngs_modulus: f64::NAN,
                    poisson_ratio: f64::NAN,
                    density: 0.0,
                    yield_strength: None,
                    ultimate_strength: None,
                    expansion_coefficient: None,
                    conductivity: None,
                    loss_factor: None,
                    fatigue_strength_coefficient: None,
                    fatigue_strength_exponent: None,
                    endurance_limit: None,
                    fatigue_ductility_coefficient: None,
                    fatigue_ductility_exponent: None,
                    cyclic_strength_coefficient: None,
                    cyclic_hardening_exponent: None,
                    plastic: None,
                    kinematic_hardening_modulus: None,
                    hyperelastic: None,
                    source: format!("{}", card.at),
                },
            );
            *current = Some(name);
        }
        "ELASTIC" => {
            if card
                .param("TYPE")
                .is_some_and(|t| !t.to_ascii_uppercase().starts_with("ISO"))
            {
                bail!("{}: only isotropic *ELASTIC is supported", card.at);
            }
            let (e, nu) = (
                first_value(card, 0, "Young's modulus")?,
                first_value(card, 1, "Poisson's ratio")?,
            );
            let m = material_mut(r, current, card)?;
            (m.youngs_modulus, m.poisson_ratio) = (e, nu);
            m.elastic()
                .validate(&m.source.clone())
                .map_err(|err| anyhow!("{}: {err}", card.at))?;
        }
        "DENSITY" => {
            let v = first_value(card, 0, "density")?;
            material_mut(r, current, card)?.density = v;
        }
        "EXPANSION" => {
            let v = first_value(card, 0, "expansion coefficient")?;
            material_mut(r, current, card)?.expansion_coefficient = Some(v);
        }
        "DAMPING" => damping(r, card, current)?,
        "PLASTIC" => {
            let mut curve = plastic(card)?;
            let kinematic = card
                .param("HARDENING")
                .is_some_and(|h| h.eq_ignore_ascii_case("KINEMATIC"));
            let modulus = if kinematic {
                Some(kinematic_modulus(card, &mut curve)?)
            } else {
                None
            };
            let m = material_mut(r, current, card)?;
            (m.plastic, m.kinematic_hardening_modulus) = (Some(curve), modulus);
        }
        "HYPERELASTIC" => hyperelastic(r, card, current)?,
        "CONDUCTIVITY" => {
            let v = first_value(card, 0, "conductivity")?;
            material_mut(r, current, card)?.conductivity = Some(v);
        }
        _ => section(r, card)?,
    }
    Ok(())
}

/// `*HYPERELASTIC, NEO HOOKE` (C10, D1): the neo-Hookean law by its initial E and ν
/// (μ = 2 C10, K = 2/D1).
fn hyperelastic(r: &mut Reader, card: &Card, current: &Option<String>) -> Result<()> {
    if !card.flag("NEO HOOKE") {
        bail!("{}: only *HYPERELASTIC, NEO HOOKE is supported", card.at);
    }
    let (c10, d1) = (first_value(card, 0, "C10")?, first_value(card, 1, "D1")?);
    if !(c10 > 0.0 && d1 > 0.0) {
        bail!("{}: *HYPERELASTIC, NEO HOOKE needs C10 > 0 and D1 > 0 (D1 = 0, incompressible, locks a displacement formulation)", card.at);
    }
    let (mu, k) = (2.0 * c10, 2.0 / d1);
    let m = material_mut(r, current, card)?;
    m.youngs_modulus = 9.0 * k * mu / (3.0 * k + mu);
    m.poisson_ratio = (3.0 * k - 2.0 * mu) / (2.0 * (3.0 * k + mu));
    m.hyperelastic = Some(crate::schema::material::Hyperelastic::NeoHookean);
    Ok(())
}

/// `*PLASTIC, HARDENING=KINEMATIC`: linear kinematic (Prager) hardening, the yield
/// surface of radius σ_y moving with the curve's slope H_k (uniaxially σ = σ_y + H_k ε_p
/// in tension, as CalculiX reads the two points); the curve left is the flat σ_y.
fn kinematic_modulus(card: &Card, curve: &mut Vec<[f64; 2]>) -> Result<f64> {
    let slope = match curve.as_slice() {
        [_] => 0.0,
        [[p0, s0], [p1, s1]] if p1 > p0 => (s1 - s0) / (p1 - p0),
        [_, _] => bail!(
            "{}: *PLASTIC, HARDENING=KINEMATIC: the second point's plastic strain must be above the first's",
            card.at
        ),
        _ => bail!(
            "{}: *PLASTIC, HARDENING=KINEMATIC with {} points: vproto's kinematic hardening is linear (Prager) — give two points",
            card.at,
            curve.len()
        ),
    };
    curve.truncate(1);
    Ok(slope)
}

/// `*PLASTIC` (isotropic hardening): lines of von Mises stress and equivalent plastic
/// strain (no temperature), as the flow curve [[ε_p, σ], …].
fn plastic(card: &Card) -> Result<Vec<[f64; 2]>> {
    if card.data.is_empty() {
        bail!(
            "{}: *PLASTIC needs data lines (stress, plastic strain)",
            card.at
        );
    }
    card.data
        .iter()
        .map(|(at, f)| {
            if f.get(2).is_some_and(|t| !t.is_empty()) {
                bail!("{at}: temperature-dependent *PLASTIC is not supported");
            }
            let field = |i: usize, what: &str| -> Result<f64> {
                let v = f
                    .get(i)
                    .filter(|x| !x.is_empty())
                    .ok_or_else(|| anyhow!("{at}: *PLASTIC needs the {what}"))?;
                number(at, v, what)
            };
            Ok([field(1, "plastic strain")?, field(0, "stress")?])
        })
        .collect()
}

/// `*DAMPING, STRUCTURAL=η` in a material: its hysteretic loss factor (the parameter
/// table rejects the material Rayleigh ALPHA/BETA: give those in *MODAL DAMPING).
fn damping(r: &mut Reader, card: &Card, current: &Option<String>) -> Result<()> {
    let field = card.required("STRUCTURAL")?;
    let eta: f64 = number(&card.at, field, "STRUCTURAL (the loss factor)")?;
    if !(eta.is_finite() && eta >= 0.0) {
        bail!(
            "{}: *DAMPING, STRUCTURAL={eta}: the loss factor must be ≥ 0",
            card.at
        );
    }
    material_mut(r, current, card)?.loss_factor = Some(eta);
    Ok(())
}

/// `*SOLID SECTION, ELSET=…, MATERIAL=…`.
fn section(r: &mut Reader, card: &Card) -> Result<()> {
    let elset = card.required("ELSET")?.to_ascii_uppercase();
    let mat = card.required("MATERIAL")?.to_ascii_uppercase();
    if !r.materials.contains_key(&mat) {
        bail!("{}: material '{mat}' is not defined (yet)", card.at);
    }
    if !r.elsets.contains_key(&elset) {
        bail!("{}: element set '{elset}' is not defined (yet)", card.at);
    }
    r.sections.push((elset, mat, card.at.clone()));
    Ok(())
}
