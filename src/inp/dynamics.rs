//! The dynamic steps of a deck: `*MODAL DYNAMIC` and `*STEADY STATE DYNAMICS` (modal
//! superposition of the previous `*FREQUENCY` step's modes), `*DYNAMIC` (direct HHT-α
//! integration), with `*MODAL DAMPING`, the `*AMPLITUDE` tables that load cards name and
//! a steady state's `*BASE MOTION` (an acceleration of the held nodes, constant over
//! the band: vproto's relative-motion base excitation).
//!
//! They become transient and harmonic load cases with the peers' semantics, so the same
//! deck gives the same answer in vproto and in CalculiX: exactly the frequency step's
//! modes and no static correction (the peers add none), loads without an amplitude
//! applied at the start of the step, an amplitude held constant beyond its table, and a
//! modal or steady-state step's loads its own (a perturbation: earlier loads removed).

use super::cards::{number, Card, Fields, Origin};
use anyhow::{bail, Result};
use std::collections::BTreeMap;

/// A dynamic procedure and its data line.
#[derive(Clone, Debug, PartialEq)]
pub enum Procedure {
    /// `*MODAL DYNAMIC`: time increment, time period (s).
    Modal { increment: f64, period: f64 },
    /// `*DYNAMIC` (direct): time increment, time period (s), HHT α.
    Direct {
        increment: f64,
        period: f64,
        alpha: f64,
    },
    /// `*STEADY STATE DYNAMICS`: frequency range (Hz) and points per interval.
    SteadyState { low: f64, high: f64, points: usize },
}

/// What a dynamic step holds besides its loads.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Dynamics {
    /// The damping as a TOML inline table (`{ modal_ratio = 0.02 }`), if given.
    pub damping: Option<String>,
    /// The load amplitude (t, factor) named by the step's load cards, if any.
    pub amplitude: Option<Vec<(f64, f64)>>,
    /// Modes of the previous `*FREQUENCY` step (the modal procedures).
    pub modes: usize,
    /// `*BASE MOTION` of a steady state.
    pub base: Option<BaseMotion>,
}

/// A steady state's base motion: the node set that moves (every node held in the
/// moving directions) and the acceleration amplitude (m/s²).
#[derive(Clone, Debug, PartialEq)]
pub struct BaseMotion {
    pub set: String,
    pub nodes: Vec<usize>,
    pub acceleration: [f64; 3],
}

/// Most steps a dynamic deck step may ask for (the case's own limit applies after).
const MAX_INCREMENTS: f64 = 1e7;

/// The procedure of a `*MODAL DYNAMIC`, `*DYNAMIC` or `*STEADY STATE DYNAMICS` card.
pub(super) fn procedure(card: &Card) -> Result<Procedure> {
    let (at, fields) = card
        .data
        .first()
        .ok_or_else(|| anyhow::anyhow!("{}: *{} needs its data line", card.at, card.keyword))?;
    let field = |i: usize, what: &str| -> Result<Option<f64>> {
        match fields.get(i).filter(|f| !f.is_empty()) {
            Some(f) => Ok(Some(number(at, f, what)?)),
            None => Ok(None),
        }
    };
    let required = |i: usize, what: &str| -> Result<f64> {
        let v = field(i, what)?
            .ok_or_else(|| anyhow::anyhow!("{at}: *{}: the {what} is missing", card.keyword))?;
        if !(v.is_finite() && v > 0.0) {
            bail!(
                "{at}: *{}: the {what} must be positive, not {v}",
                card.keyword
            );
        }
        Ok(v)
    };
    if card.keyword == "STEADY STATE DYNAMICS" {
        let (low, high) = (
            required(0, "lower frequency")?,
            required(1, "upper frequency")?,
        );
        if high <= low {
            bail!("{at}: *STEADY STATE DYNAMICS: the upper frequency {high} Hz must exceed the lower {low} Hz");
        }
        let points = field(2, "number of points")?.unwrap_or(20.0);
        if !(2.0..=10_000.0).contains(&points) || points.fract() != 0.0 {
            bail!("{at}: *STEADY STATE DYNAMICS: the number of points must be a whole number in 2..=10000");
        }
        if field(3, "bias")?.is_some_and(|b| b != 3.0) {
            bail!("{at}: *STEADY STATE DYNAMICS: a bias other than the default 3 is not supported (vproto clusters its own points at every mode)");
        }
        return Ok(Procedure::SteadyState {
            low,
            high,
            points: points as usize,
        });
    }
    let (increment, period) = (required(0, "time increment")?, required(1, "time period")?);
    if period < increment || period / increment > MAX_INCREMENTS {
        bail!("{at}: *{}: a period of {period} s in increments of {increment} s: at least one and at most {MAX_INCREMENTS:e} increments", card.keyword);
    }
    if card.keyword == "MODAL DYNAMIC" {
        return Ok(Procedure::Modal { increment, period });
    }
    let alpha = match card.param("ALPHA") {
        None => -0.05,
        Some(a) => number(&card.at, a, "ALPHA")?,
    };
    if !(-1.0 / 3.0..=0.0).contains(&alpha) {
        bail!(
            "{}: *DYNAMIC, ALPHA={alpha}: α must lie in [−1/3, 0]",
            card.at
        );
    }
    if card.param("EXPLICIT").is_some() {
        bail!(
            "{}: *DYNAMIC, EXPLICIT is not supported (vproto integrates implicitly)",
            card.at
        );
    }
    Ok(Procedure::Direct {
        increment,
        period,
        alpha,
    })
}

/// `*AMPLITUDE, NAME=…`: (time, value) pairs, four a line.
pub(super) fn amplitude(card: &Card, tables: &mut BTreeMap<String, Vec<(f64, f64)>>) -> Result<()> {
    let name = card
        .param("NAME")
        .ok_or_else(|| anyhow::anyhow!("{}: *AMPLITUDE needs NAME=", card.at))?
        .to_ascii_uppercase();
    let mut rows: Vec<(f64, f64)> = Vec::new();
    for (at, fields) in &card.data {
        let v: Vec<f64> = fields
            .iter()
            .filter(|f| !f.is_empty())
            .map(|f| number(at, f, "amplitude value"))
            .collect::<Result<_>>()?;
        if !v.len().is_multiple_of(2) {
            bail!("{at}: *AMPLITUDE takes (time, value) pairs");
        }
        for p in v.chunks(2) {
            if rows.last().is_some_and(|l| p[0] < l.0) {
                bail!(
                    "{at}: *AMPLITUDE {name}: time {} comes after {} (times must not decrease)",
                    p[0],
                    rows[rows.len() - 1].0
                );
            }
            rows.push((p[0], p[1]));
        }
    }
    if rows.is_empty() {
        bail!("{}: *AMPLITUDE {name} has no points", card.at);
    }
    tables.insert(name, rows);
    Ok(())
}

/// `*MODAL DAMPING`: `first mode, last mode, ratio` lines — one ratio for every mode
/// superposed (`modes`) — or `RAYLEIGH` with `, , α, β`; as a TOML inline table.
pub(super) fn damping(card: &Card, modes: usize) -> Result<String> {
    let values = |at: &Origin, fields: &Fields| -> Result<Vec<Option<f64>>> {
        fields
            .iter()
            .map(|f| {
                if f.is_empty() {
                    Ok(None)
                } else {
                    number(at, f, "damping value").map(Some)
                }
            })
            .collect()
    };
    if card.flag("RAYLEIGH") {
        let [(at, fields)] = &card.data[..] else {
            bail!(
                "{}: *MODAL DAMPING, RAYLEIGH takes one line: , , α, β",
                card.at
            )
        };
        let v = values(at, fields)?;
        let (a, b) = (
            v.get(2).copied().flatten().unwrap_or(0.0),
            v.get(3).copied().flatten().unwrap_or(0.0),
        );
        return Ok(format!(
            "{{ rayleigh = {{ alpha = {a:e}, beta = {b:e} }} }}"
        ));
    }
    let mut ratio: Option<f64> = None;
    let mut covered = vec![false; modes];
    for (at, fields) in &card.data {
        let v = values(at, fields)?;
        let (Some(Some(first)), Some(Some(last)), Some(Some(z))) = (v.first(), v.get(1), v.get(2))
        else {
            bail!("{at}: *MODAL DAMPING takes first mode, last mode, damping ratio");
        };
        if ratio.is_some_and(|r| r != *z) {
            bail!("{at}: *MODAL DAMPING: different ratios for different modes are not supported (vproto's modal ratio is a table over frequency: give one ratio, or RAYLEIGH)");
        }
        ratio = Some(*z);
        for m in (*first as usize).max(1)..=(*last as usize).min(modes) {
            covered[m - 1] = true;
        }
    }
    match (ratio, covered.iter().position(|c| !c)) {
        (Some(z), None) => Ok(format!("{{ modal_ratio = {z:e} }}")),
        (Some(_), Some(m)) => bail!(
            "{}: *MODAL DAMPING leaves mode {} of {modes} undamped: give every mode its ratio",
            card.at,
            m + 1
        ),
        (None, _) => bail!("{}: *MODAL DAMPING has no data line", card.at),
    }
}

/// The amplitude a step's load cards name: one for all of them (vproto scales a load
/// case by one history), or none.
pub(super) fn step_amplitude(
    cards: &[&Card],
    tables: &BTreeMap<String, Vec<(f64, f64)>>,
) -> Result<Option<Vec<(f64, f64)>>> {
    let mut named: Option<(&str, &Origin)> = None;
    let mut plain: Option<&Origin> = None;
    for card in cards
        .iter()
        .filter(|c| matches!(c.keyword.as_str(), "CLOAD" | "DLOAD" | "DSLOAD"))
    {
        match card.param("AMPLITUDE") {
            Some(a) if named.is_some_and(|(n, _)| !n.eq_ignore_ascii_case(a)) => bail!(
                "{}: AMPLITUDE={a}, but {} names {}: vproto scales a step's loads by one amplitude",
                card.at,
                named.unwrap().1,
                named.unwrap().0
            ),
            Some(a) => named = Some((a, &card.at)),
            None => plain = Some(&card.at),
        }
    }
    match (named, plain) {
        (Some((a, at)), Some(p)) => bail!("{at}: AMPLITUDE={a}, but the load at {p} has none: vproto scales a step's loads by one amplitude"),
        (Some((a, at)), None) => tables
            .get(&a.to_ascii_uppercase())
            .cloned()
            .map(Some)
            .ok_or_else(|| anyhow::anyhow!("{at}: unknown amplitude '{a}' (define it with *AMPLITUDE, NAME={a})")),
        (None, _) => Ok(None),
    }
}

/// A steady state's `*BASE MOTION` cards (`DOF=`, `AMPLITUDE=`; acceleration only):
/// as CalculiX, each moves its degree of freedom of every node held (at zero) in it,
/// by the amplitude's value, which must be the same over the band. Returns the moving
/// nodes (the same for every card) and the acceleration.
pub(super) fn base_motion(
    cards: &[&Card],
    tables: &BTreeMap<String, Vec<(f64, f64)>>,
    held: impl Fn(usize) -> Result<Vec<usize>>,
) -> Result<Option<(Vec<usize>, [f64; 3])>> {
    let mut out: Option<(Vec<usize>, [f64; 3])> = None;
    for card in cards {
        let dof: usize = number(&card.at, card.required("DOF")?, "DOF")?;
        let name = card.required("AMPLITUDE")?;
        let table = tables.get(&name.to_ascii_uppercase()).ok_or_else(|| {
            anyhow::anyhow!(
                "{}: unknown amplitude '{name}' (define it with *AMPLITUDE, NAME={name})",
                card.at
            )
        })?;
        let a = table[0].1;
        if table.iter().any(|p| p.1 != a) {
            bail!("{}: *BASE MOTION, AMPLITUDE={name} varies with frequency: vproto's base excitation is one acceleration over the band (give a constant amplitude)", card.at);
        }
        let nodes = held(dof)?;
        if nodes.is_empty() {
            bail!("{}: *BASE MOTION, DOF={dof}: no node is held in that degree of freedom (the base motion moves the held nodes)", card.at);
        }
        let (set, acc) = out.get_or_insert_with(|| (nodes.clone(), [0.0; 3]));
        if *set != nodes {
            bail!("{}: *BASE MOTION in several degrees of freedom whose held nodes differ: vproto's supports move as one base (hold the same nodes in each)", card.at);
        }
        if acc[dof - 1] != 0.0 {
            bail!("{}: a second *BASE MOTION in DOF={dof}", card.at);
        }
        acc[dof - 1] = a;
    }
    Ok(out)
}

/// The TOML of a dynamic step's load case (without its name and loads).
pub(super) fn case_lines(p: &Procedure, d: &Dynamics) -> String {
    let damping = d.damping.clone().unwrap_or_else(|| "{}".into());
    let history = |period: f64| {
        // Held at its last value beyond the table, and from the start at its first.
        let mut rows = d.amplitude.clone().unwrap_or_else(|| vec![(0.0, 1.0)]);
        if rows[0].0 > 0.0 {
            rows.insert(0, (0.0, rows[0].1));
        }
        let last = rows[rows.len() - 1];
        if last.0 < period {
            rows.push((period, last.1));
        }
        let rows: Vec<String> = rows
            .iter()
            .map(|(t, a)| format!("[{t:e}, {a:e}]"))
            .collect();
        format!("amplitude = [{}]\n", rows.join(", "))
    };
    match *p {
        Procedure::Modal { increment, period } => format!(
            "analysis = \"transient\"\nmethod = \"modal\"\nmodes = {}\nstatic_correction = false\nduration = {period:e}\nstep = {increment:e}\n{}damping = {damping}\n",
            d.modes,
            history(period)
        ),
        Procedure::Direct { increment, period, alpha } => format!(
            "analysis = \"transient\"\nduration = {period:e}\nstep = {increment:e}\nalpha = {alpha}\n{}damping = {damping}\n",
            history(period)
        ),
        Procedure::SteadyState { low, high, points } => {
            let base = d.base.as_ref().map_or(String::new(), |b| {
                let (set, a) = (&b.set, b.acceleration);
                format!("[[load_case.load]]\ntype = \"base_acceleration\"\nset = \"{set}\"\nacceleration = [{:e}, {:e}, {:e}]\n", a[0], a[1], a[2])
            });
            format!(
                "analysis = \"harmonic\"\nfrequency = [{low:e}, {high:e}]\npoints = {points}\nspacing = \"linear\"\nmodes = {}\nstatic_correction = false\ndamping = {damping}\n{base}",
                d.modes
            )
        }
    }
}
