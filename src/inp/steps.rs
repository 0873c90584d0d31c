//! Steps and their loads: procedures, `*BOUNDARY` (displacements and temperatures),
//! `*CLOAD`, `*DLOAD`, `*DSLOAD`, `*DFLUX`, `*FILM`, carried from step to step.

use super::cards::{face_number, number, Card, Origin};
use super::dynamics::{Dynamics, Procedure};
use super::mesh::{element_of, Reader};
use super::{Boundary, Step, StepKind};
use anyhow::{anyhow, bail, Result};
use nalgebra::Vector3;
use std::collections::{BTreeMap, HashMap};
use vproto_solver::loads::SurfaceLoad;
use vproto_solver::thermal::HeatLoad;
use vproto_solver::{FaceRef, Load};

/// The loads as they stand in a step: keyed so later definitions replace earlier ones.
#[derive(Clone, Default)]
pub(super) struct Loads {
    /// (node, component) → force.
    pub(super) nodal: BTreeMap<(usize, usize), f64>,
    /// (element, face) → pressure.
    pub(super) pressure: BTreeMap<(usize, u8), f64>,
    /// element set → acceleration.
    pub(super) gravity: BTreeMap<String, (Vec<usize>, Vector3<f64>)>,
    /// (element, face) → heat flux into the body.
    pub(super) flux: BTreeMap<(usize, u8), f64>,
    /// element → volumetric heat generation.
    pub(super) source: BTreeMap<usize, f64>,
    /// (element, face) → (sink temperature, film coefficient).
    pub(super) film: BTreeMap<(usize, u8), (f64, f64)>,
    /// node → fixed temperature (degree of freedom 11).
    pub(super) temperature: BTreeMap<usize, f64>,
}

impl Loads {
    /// Removes the mechanical loads (forces, pressures, body loads).
    pub(super) fn clear_mechanical(&mut self) {
        self.nodal.clear();
        self.pressure.clear();
        self.gravity.clear();
    }

    pub(super) fn heat(&self) -> Vec<HeatLoad> {
        let mut loads = Vec::new();
        let mut by_value: BTreeMap<u64, Vec<usize>> = BTreeMap::new();
        for (&n, t) in &self.temperature {
            by_value.entry(t.to_bits()).or_default().push(n);
        }
        for (t, nodes) in by_value {
            loads.push(HeatLoad::Temperature {
                nodes,
                value: f64::from_bits(t),
            });
        }
        for (&(element, face), q) in &self.flux {
            loads.push(HeatLoad::Flux {
                faces: vec![FaceRef { element, face }],
                value: *q,
            });
        }
        for (&(element, face), (sink, h)) in &self.film {
            loads.push(HeatLoad::Convection {
                faces: vec![FaceRef { element, face }],
                film_coefficient: *h,
                sink_temperature: *sink,
            });
        }
        for (&element, q) in &self.source {
            loads.push(HeatLoad::Source {
                elements: vec![element],
                value: *q,
            });
        }
        loads
    }

    pub(super) fn to_solver(&self, node_count: usize) -> Vec<Load> {
        let mut loads = Vec::new();
        let mut forces = vec![Vector3::zeros(); node_count];
        for (&(n, c), f) in &self.nodal {
            forces[n][c] += f;
        }
        let nodal: Vec<(usize, Vector3<f64>)> = forces
            .into_iter()
            .enumerate()
            .filter(|(_, f)| f.norm() > 0.0)
            .collect();
        if !nodal.is_empty() {
            loads.push(Load::NodalForces(nodal));
        }
        let mut by_value: BTreeMap<u64, Vec<FaceRef>> = BTreeMap::new();
        for (&(element, face), p) in &self.pressure {
            by_value
                .entry(p.to_bits())
                .or_default()
                .push(FaceRef { element, face });
        }
        for (p, faces) in by_value {
            loads.push(Load::Surface {
                faces,
                load: SurfaceLoad::Pressure(f64::from_bits(p)),
            });
        }
        for (elements, acceleration) in self.gravity.values() {
            loads.push(Load::BodyAcceleration {
                elements: elements.clone(),
                acceleration: *acceleration,
            });
        }
        loads
    }
}

/// Records a `*BOUNDARY` card: `target, first[, last[, value]]` or `target, ENCASTRE`.
pub(super) fn boundary(r: &mut Reader, card: &Card) -> Result<()> {
    if card.flag("FIXED") {
        bail!(
            "{}: *BOUNDARY, FIXED is read inside a step, to lock a pretension section's reference node (vproto holds other nodes where a *BOUNDARY puts them)",
            card.at
        );
    }
    if card
        .param("TYPE")
        .is_some_and(|t| !t.eq_ignore_ascii_case("DISPLACEMENT"))
    {
        bail!(
            "{}: only displacement boundary conditions are supported",
            card.at
        );
    }
    for (at, f) in &card.data {
        let target = f.first().unwrap_or_default().to_string();
        let second = f.get(1).map_or(String::new(), |s| s.to_ascii_uppercase());
        let (first, last, value) = match second.as_str() {
            "ENCASTRE" | "PINNED" => (1, 3, 0.0),
            "XSYMM" => (1, 1, 0.0),
            "YSYMM" => (2, 2, 0.0),
            "ZSYMM" => (3, 3, 0.0),
            _ => {
                let first: usize = number(at, &second, "first degree of freedom")?;
                let last: usize = match f.get(2).filter(|x| !x.is_empty()) {
                    Some(x) => number(at, x, "last degree of freedom")?,
                    None => first,
                };
                let value: f64 = match f.get(3).filter(|x| !x.is_empty()) {
                    Some(x) => number(at, x, "value")?,
                    None => 0.0,
                };
                (first, last, value)
            }
        };
        if first == 11 && last == 11 {
            r.temperatures.push((target, value, at.clone()));
            continue;
        }
        if !(1..=3).contains(&first) || !(first..=6).contains(&last) {
            bail!("{at}: degrees of freedom {first}–{last}: solid elements have 1, 2, 3 (translations)");
        }
        r.boundaries
            .push((target, first, last.min(3), value, at.clone()));
    }
    Ok(())
}

/// The prescribed displacements, one [`Boundary`] per `*BOUNDARY` target (a node set
/// or a node), so reactions are totalled per set as `*NODE PRINT, TOTALS=ONLY` users
/// expect; a node under several targets belongs to each.
pub(super) fn boundaries(r: &Reader) -> Result<Vec<Boundary>> {
    let mut fixed: BTreeMap<usize, [Option<f64>; 3]> = BTreeMap::new();
    let mut by_target: Vec<Boundary> = Vec::new();
    for (target, first, last, value, at) in &r.boundaries {
        let name = match target.parse::<i64>() {
            Ok(id) => format!("node_{id}"),
            Err(_) => target.to_ascii_uppercase(),
        };
        let nodes = r.node_targets(at, target)?;
        let slot = match by_target.iter().position(|b| b.name == name) {
            Some(slot) => slot,
            None => {
                by_target.push(Boundary {
                    name,
                    nodes: nodes.clone(),
                    components: [None; 3],
                });
                by_target.len() - 1
            }
        };
        for k in (first - 1)..*last {
            by_target[slot].components[k] = Some(*value);
        }
        for n in nodes {
            let c = fixed.entry(n).or_default();
            for (k, component) in c.iter_mut().enumerate().take(*last).skip(first - 1) {
                if component.is_some_and(|v| v != *value) {
                    bail!("{at}: node {} component {} is prescribed twice with different values (per-step boundary values are not supported)", r.node_ids[n], k + 1);
                }
                *component = Some(*value);
            }
        }
    }
    Ok(by_target)
}

/// Moves the fixed temperatures read so far into the step loads.
pub(super) fn fixed_temperatures(r: &mut Reader, loads: &mut Loads) -> Result<()> {
    for (target, value, at) in std::mem::take(&mut r.temperatures) {
        for n in r.node_targets(&at, &target)? {
            loads.temperature.insert(n, value);
        }
    }
    Ok(())
}

/// `*DFLUX` (element, Sn or BF, value) and `*FILM` (element, Fn, sink temperature, h).
fn apply_heat(
    r: &Reader,
    element_index: &HashMap<i64, usize>,
    card: &Card,
    loads: &mut Loads,
) -> Result<()> {
    let new = replaces(card);
    let element = |at: &Origin, id: i64| element_of(element_index, at, id);
    let film = card.keyword == "FILM";
    if new {
        if film {
            loads.film.clear();
        } else {
            loads.flux.clear();
            loads.source.clear();
        }
    }
    for (at, f) in &card.data {
        let kind = f.get(1).map_or(String::new(), |s| s.to_ascii_uppercase());
        let value =
            |k: usize, what: &str| -> Result<f64> { number(at, f.get(k).unwrap_or(""), what) };
        for id in r.element_ids(at, &f[0])? {
            let e = element(at, id)?;
            match (film, kind.as_str()) {
                (false, "BF") => {
                    loads.source.insert(e, value(2, "heat generation")?);
                }
                (false, s) if s.starts_with('S') => {
                    loads
                        .flux
                        .insert((e, face_number(at, s)?), value(2, "heat flux")?);
                }
                (true, s) if s.starts_with('F') => {
                    let face = face_number(at, &format!("S{}", &s[1..]))?;
                    loads.film.insert(
                        (e, face),
                        (value(2, "sink temperature")?, value(3, "film coefficient")?),
                    );
                }
                _ => bail!(
                    "{at}: *{} type '{kind}' is not supported (DFLUX: Sn, BF; FILM: Fn)",
                    card.keyword
                ),
            }
        }
    }
    Ok(())
}

/// Whether a load card replaces the loads of its kind (`OP=NEW`) rather than adding.
fn replaces(card: &Card) -> bool {
    card.param("OP")
        .is_some_and(|o| o.eq_ignore_ascii_case("NEW"))
}

/// `*CLOAD`, `*DLOAD` or `*DSLOAD`.
fn apply_load(
    r: &Reader,
    element_index: &HashMap<i64, usize>,
    card: &Card,
    loads: &mut Loads,
) -> Result<()> {
    match card.keyword.as_str() {
        "CLOAD" => cload(r, card, loads),
        "DLOAD" => dload(r, element_index, card, loads),
        _ => dsload(r, element_index, card, loads),
    }
}

/// `*CLOAD`: node (or set), degree of freedom, force.
fn cload(r: &Reader, card: &Card, loads: &mut Loads) -> Result<()> {
    if replaces(card) {
        loads.nodal.clear();
    }
    for (at, f) in &card.data {
        let c: usize = number(at, f.get(1).unwrap_or(""), "degree of freedom")?;
        if !(1..=3).contains(&c) {
            bail!("{at}: *CLOAD degree of freedom {c}: solid elements take forces in 1, 2, 3");
        }
        let v: f64 = number(at, f.get(2).unwrap_or(""), "force")?;
        for n in r.node_targets(at, &f[0])? {
            loads.nodal.insert((n, c - 1), v);
        }
    }
    Ok(())
}

/// `*DLOAD`: element (or set), Pn, pressure; or element set, GRAV, g, direction.
fn dload(
    r: &Reader,
    element_index: &HashMap<i64, usize>,
    card: &Card,
    loads: &mut Loads,
) -> Result<()> {
    if replaces(card) {
        loads.pressure.clear();
        loads.gravity.clear();
    }
    let element = |at: &Origin, id: i64| element_of(element_index, at, id);
    for (at, f) in &card.data {
        let kind = f.get(1).map_or(String::new(), |s| s.to_ascii_uppercase());
        let ids = r.element_ids(at, &f[0])?;
        if kind == "GRAV" {
            let v: Vec<f64> = f
                .iter()
                .skip(2)
                .take(4)
                .map(|x| number(at, x, "GRAV value"))
                .collect::<Result<_>>()?;
            let [g, x, y, z] = v[..] else {
                bail!("{at}: GRAV takes magnitude, x, y, z")
            };
            let elements = ids
                .iter()
                .map(|&id| element(at, id))
                .collect::<Result<_>>()?;
            loads.gravity.insert(
                f[0].to_ascii_uppercase(),
                (elements, g * Vector3::new(x, y, z)),
            );
        } else if let Some(face) = kind.strip_prefix('P').filter(|n| !n.is_empty()) {
            let face = face_number(at, &format!("S{face}"))?;
            let p: f64 = number(at, f.get(2).unwrap_or(""), "pressure")?;
            for id in ids {
                loads.pressure.insert((element(at, id)?, face), p);
            }
        } else {
            bail!("{at}: *DLOAD type '{kind}' is not supported (Pn, GRAV)");
        }
    }
    Ok(())
}

/// `*DSLOAD`: surface, P, pressure.
fn dsload(
    r: &Reader,
    element_index: &HashMap<i64, usize>,
    card: &Card,
    loads: &mut Loads,
) -> Result<()> {
    if replaces(card) {
        loads.pressure.clear();
    }
    for (at, f) in &card.data {
        if !f.get(1).is_some_and(|k| k.eq_ignore_ascii_case("P")) {
            bail!("{at}: *DSLOAD supports pressure (P) only");
        }
        let p: f64 = number(at, f.get(2).unwrap_or(""), "pressure")?;
        let faces = r
            .surfaces
            .get(&f[0].to_ascii_uppercase())
            .ok_or_else(|| anyhow!("{at}: unknown surface '{}'", &f[0]))?;
        for (id, face, _) in faces {
            loads
                .pressure
                .insert((element_of(element_index, at, *id)?, *face), p);
        }
    }
    Ok(())
}

/// A dynamic step's damping, amplitude and modes (those of the last `*FREQUENCY` step
/// before it, for the modal procedures).
fn step_dynamics(
    r: &Reader,
    step: &PendingStep,
    p: &Procedure,
    damping: Option<&Card>,
    before: &[Step],
) -> Result<Dynamics> {
    let direct = matches!(p, Procedure::Direct { .. });
    let modes = before.iter().rev().find_map(|s| match s.kind {
        StepKind::Frequency { modes } => Some(modes),
        _ => None,
    });
    let modes = match (direct, modes) {
        (true, _) => 0,
        (false, Some(m)) => m,
        (false, None) => bail!(
            "{}: a modal dynamic or steady-state step superposes the modes of a *FREQUENCY step before it, and there is none",
            step.at
        ),
    };
    let amplitude = super::dynamics::step_amplitude(&step.cards, &r.amplitudes)?;
    if amplitude.is_some() && matches!(p, Procedure::SteadyState { .. }) {
        bail!(
            "{}: an amplitude over frequency in *STEADY STATE DYNAMICS is not supported",
            step.at
        );
    }
    let damping = match damping {
        Some(card) if direct && !card.flag("RAYLEIGH") => bail!(
            "{}: *DYNAMIC takes *MODAL DAMPING, RAYLEIGH only (a direct integration has no modes to give ratios to)",
            card.at
        ),
        Some(card) => Some(super::dynamics::damping(card, modes)?),
        None if direct => None,
        // The materials' *DAMPING, STRUCTURAL= damps a steady state (not a transient).
        None if matches!(p, Procedure::SteadyState { .. })
            && r.materials.values().any(|m| m.loss_factor.is_some_and(|e| e > 0.0)) =>
        {
            None
        }
        None => bail!(
            "{}: a modal dynamic or steady-state step needs *MODAL DAMPING (a resonance without damping has no finite response; a steady state may instead take its materials' *DAMPING, STRUCTURAL=)",
            step.at
        ),
    };
    Ok(Dynamics {
        damping,
        amplitude,
        modes,
        base: None,
    })
}

/// A dynamic step's `*BASE MOTION` (a steady state's only; see
/// [`super::dynamics::base_motion`]) as the node set `BASE_MOTION_STEP<n>`.
fn step_base(
    r: &Reader,
    p: &Procedure,
    cards: &[&Card],
    n: usize,
) -> Result<Option<super::dynamics::BaseMotion>> {
    let Some(first) = cards.first() else {
        return Ok(None);
    };
    if !matches!(p, Procedure::SteadyState { .. }) {
        bail!("{}: *BASE MOTION is supported in *STEADY STATE DYNAMICS only (a transient's base motion is a displacement history in CalculiX; give a case file's base_acceleration history instead)", first.at);
    }
    let held = |dof: usize| -> Result<Vec<usize>> {
        let mut nodes = Vec::new();
        for (target, a, b, value, at) in &r.boundaries {
            if (*a..=*b).contains(&dof) && *value == 0.0 {
                nodes.extend(r.node_targets(at, target)?);
            }
        }
        nodes.sort_unstable();
        nodes.dedup();
        Ok(nodes)
    };
    Ok(
        super::dynamics::base_motion(cards, &r.amplitudes, held)?.map(|(nodes, acceleration)| {
            super::dynamics::BaseMotion {
                set: format!("BASE_MOTION_STEP{n}"),
                nodes,
                acceleration,
            }
        }),
    )
}

/// A step as read: its procedure (once given) and its load cards, resolved once the
/// mesh is known.
pub(super) struct PendingStep<'a> {
    pub(super) kind: Option<StepKind>,
    /// `*STEP, PERTURBATION`: a frequency step about the stress state of the last
    /// static step, whose own loads do not carry over to later steps.
    pub(super) perturbation: bool,
    pub(super) cards: Vec<&'a Card>,
    /// The `*STEP` line.
    pub(super) at: Origin,
    pub(super) nlgeom: bool,
    /// `*STATIC`'s data line.
    pub(super) increments: Option<Increments>,
}

/// `*STEP`, possibly a perturbation step, with NLGEOM (large deformation) or not.
pub(super) fn open<'a>(card: &Card) -> Result<PendingStep<'a>> {
    Ok(PendingStep {
        kind: None,
        perturbation: card.flag("PERTURBATION"),
        cards: Vec::new(),
        at: card.at.clone(),
        nlgeom: card
            .param("NLGEOM")
            .is_some_and(|v| !v.eq_ignore_ascii_case("NO")),
        increments: None,
    })
}

/// Whether `next` releases the nonlinear static step `step`: a static step without
/// loads after it (CalculiX continues from the state `step` left: its permanent set).
pub(super) fn releases(step: &Step, next: &Step, nonlinear_material: bool) -> bool {
    let nonlinear = |s: &Step| {
        s.kind == StepKind::Static && !s.perturbation && (s.nlgeom || nonlinear_material)
    };
    nonlinear(step) && nonlinear(next) && next.loads.is_empty() && !step.loads.is_empty()
}

/// The case-file options of a nonlinear static step.
pub(super) fn nonlinear_lines(step: &Step, release: bool) -> String {
    let mut out = String::new();
    if step.nlgeom {
        out += "large_deformation = true\n";
    }
    if let Some(i) = step.increments {
        out += &format!("first_increment = {:e}\n", i.initial);
        let max = if i.fixed { Some(i.initial) } else { i.max };
        for (key, value) in [("min_increment", i.min), ("max_increment", max)] {
            if let Some(v) = value {
                out += &format!("{key} = {v:e}\n");
            }
        }
    }
    match &step.path {
        Some(path) => {
            let mut corners = path.clone();
            let last = corners[corners.len() - 1].1;
            // The release: one more period, down to 0.
            if release && last != 0.0 {
                corners.push((2.0, 0.0));
            }
            let list: Vec<String> = corners
                .iter()
                .map(|(t, a)| format!("[{t:e}, {a:e}]"))
                .collect();
            out += &format!("load_path = [{}]\n", list.join(", "));
        }
        None if release => out += "unload = true\n",
        None => {}
    }
    out
}

/// What vproto can run of a deck's nonlinear steps: CalculiX starts each nonlinear step
/// from the state the step before left, vproto's nonlinear load case from the unloaded
/// part — so a nonlinear static step may only be followed by its release (a static step
/// without loads); hyperelastic materials need NLGEOM.
pub(super) fn check_nonlinear(
    pending: &[PendingStep],
    steps: &[Step],
    nonlinear_material: bool,
    materials: &std::collections::BTreeMap<String, crate::materials::MaterialSpec>,
) -> Result<()> {
    let nonlinear = |s: &Step| {
        s.kind == StepKind::Static && !s.perturbation && (s.nlgeom || nonlinear_material)
    };
    for (i, (p, s)) in pending.iter().zip(steps).enumerate() {
        if s.nlgeom && s.kind != StepKind::Static {
            bail!("{}: NLGEOM is supported on *STATIC steps only", p.at);
        }
        if let Some(m) = materials.iter().find(|(_, m)| m.hyperelastic.is_some()) {
            if s.kind == StepKind::Static && !s.nlgeom {
                bail!(
                    "{}: material {} is hyperelastic: the step needs NLGEOM",
                    p.at,
                    m.0
                );
            }
        }
        let Some(before) = i
            .checked_sub(1)
            .map(|k| &steps[k])
            .filter(|b| !b.pretension)
        else {
            continue;
        };
        let released = i >= 2 && releases(&steps[i - 2], before, nonlinear_material);
        if nonlinear(before) && !released && !releases(before, s, nonlinear_material) {
            bail!(
                "{}: a step after a nonlinear static step: CalculiX continues from the state that step left, vproto runs each nonlinear step from the unloaded part — only the release of its loads (a *STATIC step without loads) may follow it; put the other steps in a deck of their own",
                p.at
            );
        }
    }
    Ok(())
}

/// `*STATIC`'s data line (initial increment, time period, minimum, maximum) as
/// fractions of the period; none for a linear step.
pub(super) fn increments(card: &Card) -> Result<Option<Increments>> {
    let Some((at, fields)) = card.data.first() else {
        return Ok(None);
    };
    let value = |i: usize, what: &str| -> Result<Option<f64>> {
        match fields.get(i).filter(|f| !f.is_empty()) {
            Some(f) => Ok(Some(number(at, f, what)?)),
            None => Ok(None),
        }
    };
    let period = value(1, "time period")?.unwrap_or(1.0);
    let initial = value(0, "initial increment")?.unwrap_or(period);
    if !(period > 0.0 && initial > 0.0 && initial <= period) {
        bail!(
            "{at}: *STATIC needs 0 < initial increment ≤ time period, got {initial} and {period}"
        );
    }
    let fraction = |i: usize, what: &str| -> Result<Option<f64>> {
        let v = value(i, what)?.map(|m| m / period);
        if v.is_some_and(|m| !(m > 0.0 && m <= 1.0)) {
            bail!("{at}: *STATIC's {what} must lie in (0, time period]");
        }
        Ok(v)
    };
    Ok(Some(Increments {
        initial: initial / period,
        min: fraction(2, "minimum increment")?,
        max: fraction(3, "maximum increment")?,
        period,
        fixed: card.flag("DIRECT"),
    }))
}

/// A nonlinear `*STATIC` step's increments as fractions of its time period.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Increments {
    pub initial: f64,
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// The step's time period (s).
    pub period: f64,
    /// `DIRECT`: every increment the initial one.
    pub fixed: bool,
}

/// `*STATIC`, `*FREQUENCY`, `*BUCKLE` or `*HEAT TRANSFER, STEADY STATE`.
pub(super) fn procedure(card: &Card) -> Result<StepKind> {
    let count = |default: usize| -> Result<usize> {
        match card
            .data
            .first()
            .and_then(|(at, f)| f.first().filter(|x| !x.is_empty()).map(|x| (at, x)))
        {
            Some((at, x)) => number(at, x, "number of modes"),
            None => Ok(default),
        }
    };
    Ok(match card.keyword.as_str() {
        "STATIC" => StepKind::Static,
        "HEAT TRANSFER" if card.flag("STEADY STATE") => StepKind::Heat,
        "HEAT TRANSFER" => bail!(
            "{}: only steady-state *HEAT TRANSFER is supported (add STEADY STATE)",
            card.at
        ),
        "FREQUENCY" => StepKind::Frequency { modes: count(10)? },
        _ => StepKind::Buckle { modes: count(1)? },
    })
}

/// A nonlinear static step's load path from the amplitude its loads name: the
/// amplitude's corners within the step's period and its value at the end, times as
/// fractions of the period (CalculiX holds an amplitude beyond its table). Elsewhere
/// an amplitude, *MODAL DAMPING or *BASE MOTION is refused at its line.
fn static_path(r: &Reader, step: &PendingStep, kind: &StepKind) -> Result<Option<Vec<(f64, f64)>>> {
    let nonlinear = *kind == StepKind::Static
        && !step.perturbation
        && (step.nlgeom
            || r.materials
                .values()
                .any(|m| m.plastic.is_some() || m.hyperelastic.is_some()));
    if let Some(card) = step.cards.iter().find(|c| {
        matches!(c.keyword.as_str(), "MODAL DAMPING" | "BASE MOTION")
            || (c.param("AMPLITUDE").is_some() && !nonlinear)
    }) {
        bail!(
            "{}: *{}{} belongs to dynamic steps (*MODAL DYNAMIC, *DYNAMIC, *STEADY STATE DYNAMICS) and nonlinear static ones",
            card.at,
            card.keyword,
            if card.keyword == "MODAL DAMPING" { "" } else { ", AMPLITUDE=" }
        );
    }
    let Some(table) = super::dynamics::step_amplitude(&step.cards, &r.amplitudes)? else {
        return Ok(None);
    };
    let period = step.increments.map_or(1.0, |i| i.period);
    let at = |t: f64| {
        let k = table.partition_point(|p| p.0 < t);
        match (k.checked_sub(1).map(|j| table[j]), table.get(k)) {
            (Some((t0, a0)), Some(&(t1, a1))) if t1 > t0 => a0 + (a1 - a0) * (t - t0) / (t1 - t0),
            (_, Some(&(_, a))) | (Some((_, a)), None) => a,
            (None, None) => 0.0,
        }
    };
    if at(0.0) != 0.0 {
        bail!(
            "{}: the step's amplitude is {} at time 0: a nonlinear step starts from the unloaded part — start the table at 0, 0",
            step.at,
            at(0.0)
        );
    }
    let mut path: Vec<(f64, f64)> = table
        .iter()
        .filter(|p| p.0 > 0.0 && p.0 < period)
        .map(|&(t, a)| (t / period, a))
        .collect();
    path.push((1.0, at(period)));
    Ok(Some(path))
}

/// The loads of every step: each step's cards applied on top of the loads the steps
/// before it left (unless a card says `OP=NEW`), as in Abaqus and CalculiX.
pub(super) fn resolve(
    r: &mut Reader,
    element_index: &HashMap<i64, usize>,
    steps: &[PendingStep],
    node_count: usize,
) -> Result<Vec<Step>> {
    let mut loads = Loads::default();
    fixed_temperatures(r, &mut loads)?;
    let mut out: Vec<Step> = Vec::with_capacity(steps.len());
    for step in steps {
        let kind = step.kind.clone().expect("checked at *END STEP");
        let dynamic = match &kind {
            StepKind::Dynamic(p) => Some(p),
            _ => None,
        };
        // A modal dynamic or steady-state step is a perturbation: its loads are its own.
        let modal = matches!(dynamic, Some(p) if !matches!(p, Procedure::Direct { .. }));
        let base = (step.perturbation || modal).then(|| loads.clone());
        if modal {
            loads.clear_mechanical();
        } else if dynamic.is_some() && !loads.to_solver(node_count).is_empty() {
            bail!(
                "{}: *DYNAMIC after steps that leave loads on the model: vproto integrates from rest (CalculiX would start from their deformed state) — remove them with OP=NEW or put the dynamic step first",
                step.at
            );
        }
        let (mut damping, mut base_cards) = (None, Vec::new());
        for card in &step.cards {
            match card.keyword.as_str() {
                "BOUNDARY" if card.flag("FIXED") => super::pretension::fixed(r, card, out.len())?,
                "BOUNDARY" => {
                    boundary(r, card)?;
                    fixed_temperatures(r, &mut loads)?;
                }
                "MODAL DAMPING" => damping = Some(*card),
                "BASE MOTION" => base_cards.push(*card),
                "DFLUX" | "FILM" => apply_heat(r, element_index, card, &mut loads)?,
                _ => apply_load(r, element_index, card, &mut loads)?,
            }
        }
        let dynamics = match dynamic {
            Some(p) => {
                let mut d = step_dynamics(r, step, p, damping, &out)?;
                d.base = step_base(r, p, &base_cards, out.len() + 1)?;
                Some(d)
            }
            None => None,
        };
        let path = match dynamic {
            None => static_path(r, step, &kind)?,
            Some(_) => None,
        };
        out.push(Step {
            kind,
            perturbation: step.perturbation,
            loads: loads.to_solver(node_count),
            heat: loads.heat(),
            dynamics,
            nlgeom: step.nlgeom,
            pretension: false,
            increments: step.increments,
            path,
        });
        if let Some(base) = base {
            loads = base;
        }
    }
    Ok(out)
}
