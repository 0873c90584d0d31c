//! Acceptance criteria: each check compares one result value with one limit.
//!
//! Criteria read results only through their description ([`Results`]): a field over a
//! set of nodes, a field at a probe, or the values of the steps (modes by frequency,
//! buckling modes by load factor). A criterion applies to every load case whose results
//! hold what it reads, so a new analysis gets every criterion that fits its fields.
//!
//! Margin of safety is capacity/demand − 1: for an upper limit, (limit − value)/|value|
//! (the classic allowable/actual − 1); for a lower limit, (value − limit)/|limit|. A
//! check passes when its margin is ≥ 0; a non-finite value always fails, and so does a
//! check whose evidence is missing (a band above the computed modes).

use crate::case::Case;
use crate::component::Pick;
use crate::model::Model;
use crate::probe::Probes;
use crate::results::{Produces, Results};
use crate::schema::{Component, CriterionSpec};
use crate::units::{node_place, sig};
use anyhow::Result;
use serde::Serialize;
use toml::Spanned;

pub use crate::results::Quantity;

#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Bound {
    Upper,
    Lower,
}

#[derive(Clone, Debug, Serialize)]
pub struct Check {
    pub load_case: String,
    pub criterion: String,
    pub quantity: Quantity,
    pub value: f64,
    pub bound: Bound,
    pub limit: f64,
    /// `None` when infinite (zero demand).
    pub margin: Option<f64>,
    pub pass: bool,
    /// Where the value occurs (node id and coordinates), when it is a field maximum.
    pub location: Option<String>,
    /// Why a check fails whatever its value (missing evidence), if it does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Check {
    pub(crate) fn new(
        load_case: &str,
        criterion: String,
        quantity: Quantity,
        value: f64,
        bound: Bound,
        limit: f64,
        location: Option<String>,
    ) -> Self {
        // A demand that is zero next to the limit (round-off of an unloaded part) has
        // an infinite margin, not a twelve-digit one.
        let margin = match bound {
            Bound::Upper if value.abs() > 1e-9 * limit.abs() => Some((limit - value) / value.abs()),
            Bound::Upper => None,
            Bound::Lower if limit.abs() > 0.0 => Some((value - limit) / limit.abs()),
            Bound::Lower => None,
        };
        let pass = value.is_finite()
            && limit.is_finite()
            && match bound {
                Bound::Upper => value <= limit,
                Bound::Lower => value >= limit,
            };
        Self {
            load_case: load_case.to_string(),
            criterion,
            quantity,
            value,
            bound,
            limit,
            margin,
            pass,
            location,
            note: None,
        }
    }

    /// Fails the check whatever its value, saying why it cannot be decided.
    fn undecided(mut self, why: String) -> Self {
        self.pass = false;
        self.note = Some(why);
        self
    }
}

fn component_name(c: Component) -> &'static str {
    match c {
        Component::X => "x",
        Component::Y => "y",
        Component::Z => "z",
        Component::Magnitude => "magnitude",
    }
}

/// What a criterion reads, if it reads one field.
fn field_of(spec: &CriterionSpec) -> Option<String> {
    match spec {
        CriterionSpec::MaxVonMises { .. } => Some("von_mises".into()),
        CriterionSpec::MaxDisplacement { .. } => Some("displacement".into()),
        CriterionSpec::ReactionForce { .. } => Some("reaction_force".into()),
        CriterionSpec::MaxTemperature { .. } => Some("temperature".into()),
        CriterionSpec::MaxDamage { .. } | CriterionSpec::MinFatigueLife { .. } => {
            Some("damage".into())
        }
        CriterionSpec::MaxPlasticStrain { .. } => Some("equivalent_plastic_strain".into()),
        CriterionSpec::MaxPermanentSet { .. } => Some("permanent_set".into()),
        CriterionSpec::MinContactPressure { .. } => Some("contact_pressure".into()),
        CriterionSpec::MaxFrictionUtilisation { .. } => Some("friction_force".into()),
        CriterionSpec::MinContactForce { .. } => Some("contact_normal_force".into()),
        CriterionSpec::MaxGap { .. } => Some("contact_gap".into()),
        CriterionSpec::MaxRmsStress { .. } => Some("rms_von_mises".into()),
        CriterionSpec::MaxRmsAcceleration { .. } => Some("rms_acceleration".into()),
        CriterionSpec::MaxRmsDisplacement { .. } => Some("rms_displacement".into()),
        CriterionSpec::ValueAtProbe { quantity, .. }
        | CriterionSpec::MaxComponent { quantity, .. } => {
            Some(Pick::parse(quantity).map_or_else(|_| quantity.clone(), |p| p.field))
        }
        _ => None,
    }
}

/// Whether a criterion can read results of this description; `Err` says what it reads.
pub fn readable(spec: &CriterionSpec, p: &Produces) -> std::result::Result<(), String> {
    if let Some(field) = field_of(spec) {
        // A field criterion reads one state: the steps of a modal or buckling load case
        // are mode shapes of arbitrary scale, which no limit applies to.
        return if p.fields.contains(&field.as_str()) && p.axis.is_none() {
            Ok(())
        } else {
            Err(format!(
                "reads the field '{field}' of a single state (static, heat, or a harmonic or random envelope)"
            ))
        };
    }
    if matches!(spec, CriterionSpec::MaxSettlingTime { .. }) {
        return if p.histories {
            Ok(())
        } else {
            Err("reads the time histories at the probes (a transient load case)".into())
        };
    }
    if matches!(
        spec,
        CriterionSpec::LoadCapacity { .. } | CriterionSpec::MaxBoltForceChange { .. }
    ) {
        return if p.step_scalars.contains(&"load_factor") && p.axis.is_none() {
            Ok(())
        } else {
            Err("reads the load factor a nonlinear load case carried".into())
        };
    }
    if matches!(spec, CriterionSpec::EffectiveMass { .. })
        && !p.step_scalars.contains(&"effective_mass_x")
    {
        return Err("reads the steps' effective masses".into());
    }
    let axis = match spec {
        CriterionSpec::FirstFrequency { .. }
        | CriterionSpec::ForbiddenBand { .. }
        | CriterionSpec::EffectiveMass { .. }
        | CriterionSpec::MinMac { .. }
        | CriterionSpec::MaxFrequencyError { .. } => "frequency",
        _ => "load_factor",
    };
    match p.axis {
        Some(a) if a.name == axis => Ok(()),
        _ => Err(format!("reads steps by {axis}")),
    }
}

/// Evaluates `spec` on one load case's results (which [`readable`] accepted). On the
/// results of a load case that stopped short, only `load_capacity` can decide.
pub fn evaluate(
    case: &Case,
    model: &Model,
    probes: &Probes,
    spec: &Spanned<CriterionSpec>,
    results: &Results,
) -> Result<Vec<Check>> {
    let checks = checks_of(case, model, probes, spec, results)?;
    Ok(match &results.incomplete {
        Some(stop) if !matches!(spec.get_ref(), CriterionSpec::LoadCapacity { .. }) => checks
            .into_iter()
            .map(|c| {
                c.undecided(format!(
                    "the load case stopped at load factor {} of {}: {} — these results are not the state asked for",
                    sig(stop.reached),
                    sig(stop.goal),
                    stop.why
                ))
            })
            .collect(),
        _ => checks,
    })
}

/// The checks a load case that stopped short gets when none of its criteria reads its
/// capacity: it failed to carry its load, whatever else it shows.
pub fn incomplete_checks(results: &Results, read_capacity: bool) -> Option<Check> {
    let stop = results.incomplete.as_ref().filter(|_| !read_capacity)?;
    let check = Check::new(
        &results.name,
        "load path carried (load factor)".into(),
        Quantity::Number,
        stop.reached,
        Bound::Lower,
        stop.goal,
        None,
    );
    Some(check.undecided(stop.why.clone()))
}

fn checks_of(
    case: &Case,
    model: &Model,
    probes: &Probes,
    spec: &Spanned<CriterionSpec>,
    results: &Results,
) -> Result<Vec<Check>> {
    let lc = results.name.as_str();
    match spec.get_ref() {
        CriterionSpec::LoadCapacity { min } => Ok(vec![load_capacity(results, *min)]),
        CriterionSpec::MaxBoltForceChange { bolt, max } => {
            bolt_force_change(results, bolt.as_deref(), *max).map_err(|e| case.error_at(spec, e))
        }
        CriterionSpec::FirstFrequency { min } => {
            Ok(vec![lowest_step(results, "first natural frequency", *min)])
        }
        CriterionSpec::MinMac { measurement, min } => {
            Ok(correlation(results, measurement, Bound::Lower, *min))
        }
        CriterionSpec::MaxFrequencyError { measurement, limit } => {
            Ok(correlation(results, measurement, Bound::Upper, *limit))
        }
        CriterionSpec::BucklingFactor { min } => {
            Ok(vec![lowest_step(results, "lowest buckling factor", *min)])
        }
        CriterionSpec::ForbiddenBand { min, max } => {
            if min >= max {
                return Err(case.error_at(
                    spec,
                    format!("forbidden_band needs min < max, got [{min}, {max}]"),
                ));
            }
            Ok(vec![forbidden_band(results, *min, *max)])
        }
        CriterionSpec::EffectiveMass {
            direction,
            min_fraction,
        } => {
            let d = match direction {
                Component::Magnitude => {
                    return Err(case.error_at(spec, "effective_mass needs direction x, y or z"))
                }
                c => component_name(*c),
            };
            let total = results
                .scalar(&format!("participating_mass_{d}"))
                .unwrap_or(f64::NAN);
            let key = format!("effective_mass_{d}");
            let sum: f64 = elastic(results).filter_map(|s| s.scalar(&key)).sum();
            let fraction = if total > 0.0 { sum / total } else { f64::NAN };
            Ok(vec![Check::new(
                lc,
                format!("effective mass {d} ({} modes)", results.steps.len()),
                Quantity::Fraction,
                fraction,
                Bound::Lower,
                *min_fraction,
                None,
            )])
        }
        CriterionSpec::MaxSettlingTime { probe, band, limit } => {
            let band = band.unwrap_or(0.05);
            if !(band > 0.0 && band < 1.0) {
                return Err(case.error_at(
                    spec,
                    format!(
                        "`band = {band}` must be a fraction in (0, 1) of the largest excursion"
                    ),
                ));
            }
            let table = results
                .tables
                .iter()
                .find(|t| t.path == format!("history/{probe}"))
                .ok_or_else(|| {
                    case.error_at(
                        spec,
                        format!("no probe named '{probe}' (the [[probe]] tables name them)"),
                    )
                })?;
            Ok(vec![settling(lc, probe, &table.values, band, *limit)])
        }
        _ => on_field(case, model, probes, spec, results),
    }
}

/// The settling time of a history (rows t, u_x, u_y, u_z): from when on the motion stays
/// within `band` × its largest excursion from its final value. Undecided when it is still
/// outside that band in the run's last tenth (the final value is no equilibrium yet).
fn settling(lc: &str, probe: &str, rows: &[f64], band: f64, limit: f64) -> Check {
    let rows: Vec<&[f64]> = rows.chunks(4).collect();
    let end = rows.last().map_or([0.0; 3], |r| [r[1], r[2], r[3]]);
    let excursion = |r: &[f64]| {
        ((r[1] - end[0]).powi(2) + (r[2] - end[1]).powi(2) + (r[3] - end[2]).powi(2)).sqrt()
    };
    let peak = rows.iter().map(|r| excursion(r)).fold(0.0, f64::max);
    let outside = rows.iter().rposition(|r| excursion(r) > band * peak);
    let settled = match outside {
        None => rows.first().map_or(f64::NAN, |r| r[0]),
        Some(k) => rows.get(k + 1).map_or(f64::NAN, |r| r[0]),
    };
    let duration = rows.last().map_or(0.0, |r| r[0]);
    let label = format!(
        "settling time at {probe} (±{} % of the largest excursion)",
        sig(100.0 * band)
    );
    let check = Check::new(
        lc,
        label,
        Quantity::Time,
        settled,
        Bound::Upper,
        limit,
        None,
    );
    if settled.is_nan() || settled > 0.9 * duration {
        check.undecided(format!(
            "the motion at {probe} is still outside the band after {} s of the {} s run: its final value is no equilibrium yet — run longer",
            sig(0.9 * duration),
            sig(duration)
        ))
    } else {
        check
    }
}

/// The largest load factor carried along the path ≥ min; a path whose peak is below
/// `min` cannot show it.
fn load_capacity(r: &Results, min: f64) -> Check {
    let reached = r.scalar("carried_load_factor").unwrap_or(f64::NAN);
    let check = Check::new(
        &r.name,
        "load capacity (load factor)".into(),
        Quantity::Number,
        reached,
        Bound::Lower,
        min,
        None,
    );
    match (&r.incomplete, r.scalar("max_load_factor")) {
        (None, Some(goal)) if goal < min => check.undecided(format!(
            "the load path ends at load factor {}: raise max_load_factor above {} to show the capacity",
            sig(goal),
            sig(min)
        )),
        _ => check,
    }
}

/// The prefix of each bolt's `(force − pretension) / pretension` scalar, which
/// `max_bolt_force_change` reads.
pub const BOLT_FORCE_CHANGE: &str = "bolt_force_change.";

/// |force − pretension| / pretension ≤ max for the bolt named (or each bolt).
fn bolt_force_change(
    r: &Results,
    bolt: Option<&str>,
    max: f64,
) -> std::result::Result<Vec<Check>, String> {
    const KEY: &str = BOLT_FORCE_CHANGE;
    let bolts: Vec<&str> = r
        .scalars
        .iter()
        .filter_map(|s| s.name.strip_prefix(KEY))
        .collect();
    if !(max.is_finite() && max >= 0.0) {
        return Err(format!("max = {max} must be a fraction ≥ 0 (0.1: the bolt force stays within 10 % of its pretension)"));
    }
    let chosen: Vec<&str> = match bolt {
        Some(b) if bolts.contains(&b) => vec![b],
        Some(b) => {
            return Err(format!(
                "load case '{}' has no bolt '{b}' (its bolts: {})",
                r.name,
                if bolts.is_empty() {
                    "none".into()
                } else {
                    bolts.join(", ")
                }
            ))
        }
        None if bolts.is_empty() => return Err(format!("load case '{}' has no bolts", r.name)),
        None => bolts,
    };
    Ok(chosen
        .into_iter()
        .map(|b| {
            let change = r.scalar(&format!("{KEY}{b}")).unwrap_or(f64::NAN);
            Check::new(
                &r.name,
                format!("bolt force change ({b})"),
                Quantity::Fraction,
                change.abs(),
                Bound::Upper,
                max,
                None,
            )
        })
        .collect())
}

/// The steps a criterion on step values reads: every step but rigid-body modes.
fn elastic(r: &Results) -> impl Iterator<Item = &crate::results::Step> {
    r.steps.iter().filter(|s| !s.rigid_body)
}

/// One check per measured mode of `measurement` (none when it is correlated with
/// another load case): its MAC (`Lower`) or its frequency error (`Upper`). A measured
/// mode left unpaired, or above the highest computed mode (its pair is then no
/// evidence: the mode it matches may not have been computed), or below the modes found
/// (under a shift), cannot decide.
fn correlation(r: &Results, measurement: &str, bound: Bound, limit: f64) -> Vec<Check> {
    let path = crate::measurement::pairs_path(measurement);
    let Some(table) = r.tables.iter().find(|t| t.path == path) else {
        return Vec::new();
    };
    let highest = elastic(r).filter_map(|s| s.value).fold(f64::NAN, f64::max);
    let lowest = r.covered.map_or(0.0, |c| c.0);
    let columns = crate::measurement::PAIR_COLUMNS;
    table
        .values
        .chunks(columns)
        .enumerate()
        .map(|(i, row)| {
            let (measured, computed) = (row[0], row[1]);
            let (what, value, quantity) = match bound {
                Bound::Lower => ("MAC", row[2], Quantity::Number),
                Bound::Upper => ("frequency error", row[3].abs(), Quantity::Fraction),
            };
            // Labels keep to the measured side and the pairing: they name the check
            // from run to run (regress), while the computed value is the check's value.
            let pair = if row[4].is_finite() {
                format!("computed mode {}", row[4])
            } else {
                "no computed mode".into()
            };
            let label = format!(
                "{what} of '{measurement}' mode {} ({} Hz) with {pair}",
                i + 1,
                sig(measured),
            );
            let check = Check::new(&r.name, label, quantity, value, bound, limit, None);
            if computed.is_nan() {
                check.undecided(
                    "no computed mode is left to pair it with: compute more modes".into(),
                )
            } else if !highest.is_finite() || measured > highest {
                check.undecided(format!(
                    "it lies above the highest computed mode ({} Hz): compute more modes",
                    sig(highest)
                ))
            } else if measured < lowest {
                check.undecided(format!(
                    "it lies below the modes the load case looked for (above {} Hz): lower its shift",
                    sig(lowest)
                ))
            } else {
                check
            }
        })
        .collect()
}

/// The lowest step value (first natural frequency, lowest buckling factor) ≥ min.
fn lowest_step(r: &Results, label: &str, min: f64) -> Check {
    let quantity = r.axis.map_or(Quantity::Number, |a| a.quantity);
    let f = elastic(r)
        .filter_map(|s| s.value)
        .next()
        .unwrap_or(f64::NAN);
    let check = Check::new(&r.name, label.into(), quantity, f, Bound::Lower, min, None);
    match r.covered {
        Some((lo, _)) if lo > 0.0 && f.is_finite() => {
            let why =
                format!("the modes were searched from {lo:.4} up (shift): a lower one may exist");
            check.undecided(why)
        }
        _ => check,
    }
}

/// No step value inside [min, max]: the nearest value to the band's centre must stay
/// outside; the computed values must cover the band, else it cannot be decided.
fn forbidden_band(r: &Results, min: f64, max: f64) -> Check {
    let values: Vec<f64> = elastic(r).filter_map(|s| s.value).collect();
    let centre = 0.5 * (min + max);
    let name = format!("no mode in [{min}, {max}] Hz");
    let nearest = values
        .iter()
        .copied()
        .min_by(|a, b| (a - centre).abs().total_cmp(&(b - centre).abs()))
        .unwrap_or(f64::NAN);
    // A mode below the band's centre must stay below the band, one above it above.
    let check = if nearest < centre {
        Check::new(
            &r.name,
            name,
            Quantity::Frequency,
            nearest,
            Bound::Upper,
            min,
            None,
        )
    } else {
        Check::new(
            &r.name,
            name,
            Quantity::Frequency,
            nearest,
            Bound::Lower,
            max,
            None,
        )
    };
    match r.covered {
        Some((lo, hi)) if lo <= min && hi >= max => check,
        Some((lo, hi)) => check.undecided(format!(
            "not enough modes computed to decide: they cover {lo:.4} to {hi:.4} Hz only; ask for more `modes`"
        )),
        None => check.undecided("the results do not say which frequencies they cover".into()),
    }
}

/// What a criterion on a field works with: the results' single step and the mesh.
struct OnField<'a> {
    case: &'a Case,
    model: &'a Model,
    spec: &'a Spanned<CriterionSpec>,
    r: &'a Results,
    step: &'a crate::results::Step,
}

impl OnField<'_> {
    fn here(&self, e: impl std::fmt::Display) -> anyhow::Error {
        self.case.error_at(self.spec, e)
    }

    fn field(&self, name: &str) -> Result<&crate::results::Field> {
        self.step
            .field(name)
            .ok_or_else(|| self.here(format!("no field '{name}'")))
    }

    /// The nodes of a set (default every node).
    fn nodes(&self, set: &Option<String>) -> Result<Vec<usize>> {
        let mesh = &self.model.mesh;
        mesh.set_nodes(set.as_deref().unwrap_or("all"))
            .map_err(|e| self.here(e))
    }

    /// The node where `sign ×` the picked value is largest, and the value there.
    fn largest(&self, pick: &Pick, nodes: &[usize], sign: f64) -> Result<(usize, f64)> {
        let f = self.field(&pick.field)?;
        pick.check(f.shape).map_err(|e| self.here(e))?;
        Ok(nodes
            .iter()
            .map(|&n| (n, sign * pick.at(f, n)))
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .map_or((0, f64::NAN), |(n, v)| (n, sign * v)))
    }

    fn place(&self, n: usize) -> Option<String> {
        Some(node_place(&self.model.mesh, n))
    }
}

/// Criteria on one field: over a set's nodes, or at a probe.
fn on_field(
    case: &Case,
    model: &Model,
    probes: &Probes,
    spec: &Spanned<CriterionSpec>,
    r: &Results,
) -> Result<Vec<Check>> {
    let step = r
        .steps
        .first()
        .ok_or_else(|| case.error_at(spec, "the load case has no results"))?;
    let on = OnField {
        case,
        model,
        spec,
        r,
        step,
    };
    match spec.get_ref() {
        CriterionSpec::MaxVonMises {
            region,
            allowable,
            safety_factor,
        } => max_von_mises(&on, region, (*allowable, *safety_factor), None),
        CriterionSpec::MaxRmsStress {
            region,
            sigma,
            allowable,
            safety_factor,
        } => max_von_mises(&on, region, (*allowable, *safety_factor), Some(*sigma)),
        CriterionSpec::MaxRmsAcceleration {
            set,
            component,
            sigma,
            limit,
        } => max_rms(
            &on,
            ("rms_acceleration", "a", Quantity::Acceleration),
            set,
            *component,
            (*sigma, *limit),
        ),
        CriterionSpec::MaxRmsDisplacement {
            set,
            component,
            sigma,
            limit,
        } => max_rms(
            &on,
            ("rms_displacement", "u", Quantity::Displacement),
            set,
            *component,
            (*sigma, *limit),
        ),
        CriterionSpec::MaxDisplacement {
            set,
            component,
            limit,
        } => {
            let c = component_name(*component);
            let (node, value) = on.largest(
                &Pick::parse(&format!("displacement.{c}"))?.absolute(),
                &on.nodes(set)?,
                1.0,
            )?;
            let u = match component {
                Component::Magnitude => "|u|".to_string(),
                _ => format!("|u_{c}|"),
            };
            let label = format!("max {u} ({})", set.as_deref().unwrap_or("all"));
            Ok(vec![Check::new(
                &r.name,
                label,
                Quantity::Displacement,
                value,
                Bound::Upper,
                *limit,
                on.place(node),
            )])
        }
        CriterionSpec::ReactionForce {
            set,
            component,
            min,
            max,
        } => {
            need_bound(min, max).map_err(|e| on.here(e))?;
            let nodes = model.mesh.set_nodes(set).map_err(|e| on.here(e))?;
            let f = on.field("reaction_force")?;
            let mut total = [0.0; 3];
            for &n in &nodes {
                for (t, v) in total.iter_mut().zip(f.at(n)) {
                    *t += v;
                }
            }
            let c = component_name(*component);
            let value = Pick::parse(&format!("reaction_force.{c}"))?.of(&total);
            Ok(bounds(
                &r.name,
                &match component {
                    Component::Magnitude => format!("reaction |F| ({set})"),
                    _ => format!("reaction F_{c} ({set})"),
                },
                Quantity::Force,
                value,
                *min,
                *max,
                None,
            ))
        }
        CriterionSpec::MaxTemperature { set, limit } => {
            let (node, t) = on.largest(&Pick::parse("temperature")?, &on.nodes(set)?, 1.0)?;
            let label = format!("max temperature ({})", set.as_deref().unwrap_or("all"));
            Ok(vec![Check::new(
                &r.name,
                label,
                Quantity::Temperature,
                t,
                Bound::Upper,
                *limit,
                on.place(node),
            )])
        }
        CriterionSpec::MaxDamage { set, limit } => {
            let (node, d) = on.largest(&Pick::parse("damage")?, &on.nodes(set)?, 1.0)?;
            let label = format!("max damage a pass ({})", set.as_deref().unwrap_or("all"));
            Ok(vec![Check::new(
                &r.name,
                label,
                Quantity::Number,
                d,
                Bound::Upper,
                *limit,
                on.place(node),
            )])
        }
        CriterionSpec::MaxPermanentSet { set, limit } => {
            let pick = Pick::parse("permanent_set.magnitude")?;
            let (node, u) = on.largest(&pick, &on.nodes(set)?, 1.0)?;
            let label = format!("max permanent set ({})", set.as_deref().unwrap_or("all"));
            Ok(vec![Check::new(
                &r.name,
                label,
                Quantity::Displacement,
                u,
                Bound::Upper,
                *limit,
                on.place(node),
            )])
        }
        CriterionSpec::MaxPlasticStrain { set, limit } => {
            let pick = Pick::parse("equivalent_plastic_strain")?;
            let (node, e) = on.largest(&pick, &on.nodes(set)?, 1.0)?;
            let label = format!("max plastic strain ({})", set.as_deref().unwrap_or("all"));
            Ok(vec![Check::new(
                &r.name,
                label,
                Quantity::Strain,
                e,
                Bound::Upper,
                *limit,
                on.place(node),
            )])
        }
        CriterionSpec::MinFatigueLife {
            set,
            passes,
            hours,
            scatter_factor,
        } => {
            let scatter = scatter_factor.unwrap_or(1.0);
            let (passes, life) = match (passes, hours) {
                (Some(p), None) => (*p, format!("{} passes", crate::units::sig(*p))),
                (None, Some(h)) => {
                    let pass = r.scalar("pass_duration").filter(|d| *d > 0.0).ok_or_else(|| {
                        on.here("min_fatigue_life in hours needs the duration of a pass: channels read from CSV files (their times), or a random response's exposure; give passes instead")
                    })?;
                    (h * 3600.0 / pass, format!("{} h", crate::units::sig(*h)))
                }
                _ => return Err(on.here("min_fatigue_life needs exactly one of passes or hours")),
            };
            if !(passes.is_finite() && passes > 0.0 && scatter.is_finite() && scatter >= 1.0) {
                return Err(on.here("min_fatigue_life needs a life > 0 and scatter_factor ≥ 1"));
            }
            let (node, d) = on.largest(&Pick::parse("damage")?, &on.nodes(set)?, 1.0)?;
            let label = format!(
                "Miner sum over {life} × scatter {} ({})",
                crate::units::sig(scatter),
                set.as_deref().unwrap_or("all")
            );
            Ok(vec![Check::new(
                &r.name,
                label,
                Quantity::Number,
                d * passes * scatter,
                Bound::Upper,
                1.0,
                on.place(node),
            )])
        }
        CriterionSpec::ValueAtProbe {
            probe,
            quantity,
            min,
            max,
        } => {
            need_bound(min, max).map_err(|e| on.here(e))?;
            let pick = Pick::parse(quantity).map_err(|e| on.here(e))?;
            let f = on.field(&pick.field)?;
            pick.check(f.shape).map_err(|e| on.here(e))?;
            let p = probes
                .get(probe)
                .ok_or_else(|| on.here(format!("no [[probe]] named '{probe}'")))?;
            let value = pick.of(&p.interpolate(f));
            Ok(bounds(
                &r.name,
                &format!("{quantity} at {probe}"),
                f.quantity,
                value,
                *min,
                *max,
                Some(p.place()),
            ))
        }
        CriterionSpec::MaxComponent {
            set,
            quantity,
            min,
            max,
        } => max_component(&on, set, quantity, (*min, *max)),
        CriterionSpec::MinContactPressure { set, min } => {
            on_contact(&on, set, "contact_pressure", Bound::Lower, *min)
        }
        CriterionSpec::MaxFrictionUtilisation { set, max } => {
            if !(*max > 0.0 && *max < 1.0) {
                return Err(on.here(format!("max = {max}: a slipping point's utilisation is exactly 1, so the limit must lie in (0, 1) (0.8 keeps a 1.25 margin against slip)")));
            }
            friction_utilisation(&on, set, *max)
        }
        CriterionSpec::MinContactForce { set, min } => {
            let (force, n) = resultant(&on, set, "contact_normal_force")?;
            let label = format!("contact force ({set})");
            Ok(vec![Check::new(
                &on.r.name,
                label,
                Quantity::Force,
                force[0],
                Bound::Lower,
                *min,
                on.place(n),
            )])
        }
        CriterionSpec::MaxGap { set, max } => {
            on_contact(&on, set, "contact_gap", Bound::Upper, *max)
        }
        _ => unreachable!("step criteria are evaluated by `evaluate`"),
    }
}

/// Largest nodal von Mises stress in a region ≤ an allowable, given or as the lowest
/// yield strength there over a safety factor; with `sigma`, `sigma` × the RMS von
/// Mises stress of a random response.
fn max_von_mises(
    on: &OnField,
    region: &Option<String>,
    (allowable, safety_factor): (Option<f64>, Option<f64>),
    sigma: Option<f64>,
) -> Result<Vec<Check>> {
    let mesh = &on.model.mesh;
    let region_name = region.as_deref().unwrap_or("all");
    let elements = mesh.region_elements(region_name).map_err(|e| on.here(e))?;
    let (limit, how) =
        match (allowable, safety_factor) {
            (Some(a), None) => (a, String::new()),
            (None, Some(sf)) if sf > 0.0 => {
                let y = on.model.min_yield(&elements).map_err(|e| on.here(e))?;
                (y / sf, format!(", yield/{sf}"))
            }
            _ => return Err(on.here(
                "the criterion needs exactly one of `allowable` (Pa) or a positive `safety_factor`",
            )),
        };
    let nodes = mesh.set_nodes(region_name).map_err(|e| on.here(e))?;
    let (field, scale, what) = match sigma {
        None => ("von_mises", 1.0, "von Mises".to_string()),
        Some(k) => (
            "rms_von_mises",
            sigma_level(on, k)?,
            format!("{}σ von Mises", sig(k)),
        ),
    };
    let (node, value) = on.largest(&Pick::parse(field)?, &nodes, 1.0)?;
    let label = format!("max {what} ({region_name}{how})");
    Ok(vec![Check::new(
        &on.r.name,
        label,
        Quantity::Stress,
        scale * value,
        Bound::Upper,
        limit,
        on.place(node),
    )])
}

/// A positive, finite σ level.
fn sigma_level(on: &OnField, k: f64) -> Result<f64> {
    if k.is_finite() && k > 0.0 {
        Ok(k)
    } else {
        Err(on.here(format!(
            "`sigma = {k}` must be a positive number of standard deviations (3 is usual)"
        )))
    }
}

/// `sigma` × the largest RMS value of a component of `field` over a set ≤ limit.
fn max_rms(
    on: &OnField,
    (field, symbol, quantity): (&str, &str, Quantity),
    set: &Option<String>,
    component: Component,
    (sigma, limit): (f64, f64),
) -> Result<Vec<Check>> {
    let k = sigma_level(on, sigma)?;
    let c = component_name(component);
    let (node, value) = on.largest(&Pick::parse(&format!("{field}.{c}"))?, &on.nodes(set)?, 1.0)?;
    let what = match component {
        Component::Magnitude => format!("|{symbol}|"),
        _ => format!("{symbol}_{c}"),
    };
    let label = format!(
        "max {}σ {what} ({})",
        sig(k),
        set.as_deref().unwrap_or("all")
    );
    Ok(vec![Check::new(
        &on.r.name,
        label,
        quantity,
        k * value,
        Bound::Upper,
        limit,
        on.place(node),
    )])
}

/// The largest (≤ max) and/or smallest (≥ min) value of a component over a set.
fn max_component(
    on: &OnField,
    set: &Option<String>,
    quantity: &str,
    (min, max): (Option<f64>, Option<f64>),
) -> Result<Vec<Check>> {
    need_bound(&min, &max).map_err(|e| on.here(e))?;
    let pick = Pick::parse(quantity).map_err(|e| on.here(e))?;
    let q = on.field(&pick.field)?.quantity;
    let nodes = on.nodes(set)?;
    let set = set.as_deref().unwrap_or("all");
    let mut checks = Vec::new();
    if let Some(hi) = max {
        let (n, v) = on.largest(&pick, &nodes, 1.0)?;
        checks.push(Check::new(
            &on.r.name,
            format!("max {quantity} ({set})"),
            q,
            v,
            Bound::Upper,
            hi,
            on.place(n),
        ));
    }
    if let Some(lo) = min {
        let (n, v) = on.largest(&pick, &nodes, -1.0)?;
        checks.push(Check::new(
            &on.r.name,
            format!("min {quantity} ({set})"),
            q,
            v,
            Bound::Lower,
            lo,
            on.place(n),
        ));
    }
    Ok(checks)
}

/// A contact field's extreme over a set's contact points. A node of the set that is no
/// contact point (not a slave node, or one the master surface does not cover) leaves
/// the criterion undecided — it cannot say what happens there.
fn on_contact(
    on: &OnField,
    set: &str,
    field: &str,
    bound: Bound,
    limit: f64,
) -> Result<Vec<Check>> {
    let f = on.field(field)?;
    let nodes = on.nodes(&Some(set.to_string()))?;
    let (known, unknown): (Vec<usize>, Vec<usize>) =
        nodes.iter().partition(|&&n| f.values[n].is_finite());
    if known.is_empty() {
        return Err(on.here(format!(
            "no node of set '{set}' is a contact point: give a set of slave nodes that the master surface covers"
        )));
    }
    let sign = match bound {
        Bound::Upper => 1.0,
        Bound::Lower => -1.0,
    };
    let (n, v) = on.largest(&Pick::parse(field)?, &known, sign)?;
    let label = format!("{} {field} ({set})", if sign > 0.0 { "max" } else { "min" });
    let check = Check::new(&on.r.name, label, f.quantity, v, bound, limit, on.place(n));
    Ok(vec![match unknown.first() {
        None => check,
        Some(&m) => check.undecided(format!(
            "{} of the set's {} nodes are no contact point (e.g. {}): nothing is known there",
            unknown.len(),
            nodes.len(),
            node_place(&on.model.mesh, m)
        )),
    }])
}

/// The sum of a contact field over a set's contact points (3 components; a scalar in
/// the first), and one of them; an error when the set has none.
fn resultant(on: &OnField, set: &str, field: &str) -> Result<([f64; 3], usize)> {
    let f = on.field(field)?;
    let nodes = on.nodes(&Some(set.to_string()))?;
    let c = f.shape.components();
    let points: Vec<usize> = nodes
        .into_iter()
        .filter(|&n| f.at(n)[0].is_finite())
        .collect();
    let Some(&first) = points.first() else {
        return Err(on.here(format!(
            "no node of set '{set}' is a contact point: give a set of slave nodes that the master surface covers"
        )));
    };
    let mut sum = [0.0; 3];
    for n in points {
        for (s, v) in sum.iter_mut().zip(&f.at(n)[..c.min(3)]) {
            *s += v;
        }
    }
    Ok((sum, first))
}

/// |Σ friction force| / Σ μ p A over a set's contact points ≤ max.
fn friction_utilisation(on: &OnField, set: &str, max: f64) -> Result<Vec<Check>> {
    let (force, n) = resultant(on, set, "friction_force")?;
    let (limit, _) = resultant(on, set, "friction_limit")?;
    let carried = force.iter().map(|v| v * v).sum::<f64>().sqrt();
    let label = format!("friction utilisation ({set})");
    let check = |v: f64| {
        Check::new(
            &on.r.name,
            label.clone(),
            Quantity::Fraction,
            v,
            Bound::Upper,
            max,
            on.place(n),
        )
    };
    Ok(vec![if limit[0] > 0.0 {
        check(carried / limit[0])
    } else {
        check(1.0).undecided(format!(
            "no contact pressure on '{set}': friction holds nothing there"
        ))
    }])
}

fn need_bound(min: &Option<f64>, max: &Option<f64>) -> Result<()> {
    if min.is_none() && max.is_none() {
        anyhow::bail!("the criterion needs `min`, `max` or both");
    }
    Ok(())
}

/// One check per given bound of a value.
fn bounds(
    lc: &str,
    label: &str,
    q: Quantity,
    value: f64,
    min: Option<f64>,
    max: Option<f64>,
    at: Option<String>,
) -> Vec<Check> {
    let mut checks = Vec::new();
    if let Some(lo) = min {
        checks.push(Check::new(
            lc,
            label.to_string(),
            q,
            value,
            Bound::Lower,
            lo,
            at.clone(),
        ));
    }
    if let Some(hi) = max {
        checks.push(Check::new(
            lc,
            label.to_string(),
            q,
            value,
            Bound::Upper,
            hi,
            at,
        ));
    }
    checks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn margin_is_capacity_over_demand_minus_one() {
        let c = Check::new(
            "lc",
            "s".into(),
            Quantity::Stress,
            100.0,
            Bound::Upper,
            150.0,
            None,
        );
        assert!((c.margin.unwrap() - 0.5).abs() < 1e-12 && c.pass);
        let c = Check::new(
            "lc",
            "f".into(),
            Quantity::Force,
            90.0,
            Bound::Lower,
            100.0,
            None,
        );
        assert!((c.margin.unwrap() + 0.1).abs() < 1e-12 && !c.pass);
        let c = Check::new(
            "lc",
            "s".into(),
            Quantity::Stress,
            f64::NAN,
            Bound::Upper,
            150.0,
            None,
        );
        assert!(!c.pass);
    }
}
