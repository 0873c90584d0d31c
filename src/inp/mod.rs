//! Abaqus / CalculiX input decks (`.inp`): the common subset engineers' decks use.
//!
//! Read: `*NODE`, `*ELEMENT` (C3D4, C3D10, C3D8, C3D20, C3D20R), `*NSET`/`*ELSET`
//! (with `GENERATE`), `*SURFACE` (element faces S1…S6), `*MATERIAL` with `*ELASTIC`,
//! `*DENSITY`, `*EXPANSION`, `*CONDUCTIVITY`, `*SOLID SECTION`, `*BOUNDARY` (1–3, and 11
//! for temperature), `*CLOAD`, `*DLOAD` (Pn, GRAV), `*DSLOAD` (P), `*DFLUX` (Sn, BF),
//! `*FILM` (Fn), `*STEP` (and `*STEP, PERTURBATION` for a frequency step about the last
//! static step's stresses) with `*STATIC`, `*FREQUENCY`, `*BUCKLE`, `*HEAT TRANSFER,
//! STEADY STATE`, or the dynamic steps `*MODAL DYNAMIC`, `*STEADY STATE DYNAMICS`,
//! `*DYNAMIC` with `*MODAL DAMPING` and `*AMPLITUDE` ([`dynamics`]), `*END STEP`,
//! `*INCLUDE`, `**` comments; contact: `*SURFACE INTERACTION`, `*SURFACE BEHAVIOR`,
//! `*FRICTION`, `*CONTACT PAIR` ([`contact`]); `*PRE-TENSION SECTION` with its pulling
//! and locking steps ([`pretension`]). `*NODE PRINT, NSET=…` makes the set's nodes probes (their
//! histories and transfer functions); other output requests and `*HEADING` are skipped
//! with a warning; any other keyword is an error naming its file and line. Loads carry
//! over from step to step unless a keyword says `OP=NEW`, as in Abaqus and CalculiX.
//! Node and element numbering follows the Abaqus convention, which is vproto's (VTK's)
//! for these elements; face Sn is vproto's local face n − 1.

mod cards;
mod contact;
mod dynamics;
mod materials;
mod mesh;
mod pretension;
mod steps;

use crate::materials::MaterialSpec;
use anyhow::{bail, Result};
use cards::{cards, Card, IGNORED};
pub use contact::DeckContact;
use mesh::{build_mesh, Reader};
pub use pretension::DeckBolt;
use std::collections::BTreeMap;
use std::path::Path;
use steps::{boundaries, boundary, PendingStep};
use vproto_solver::thermal::HeatLoad;
use vproto_solver::{Load, Mesh};

/// A deck read into vproto's terms.
#[derive(Debug)]
pub struct Deck {
    pub mesh: Mesh,
    /// Deck number of each node, in mesh order.
    pub node_ids: Vec<i64>,
    pub materials: BTreeMap<String, MaterialSpec>,
    /// (element set, material) of each `*SOLID SECTION`.
    pub sections: Vec<(String, String)>,
    /// Fixed or prescribed displacement components (the same in every step), per
    /// `*BOUNDARY` target.
    pub boundaries: Vec<Boundary>,
    pub steps: Vec<Step>,
    /// Nodes whose results the deck prints (`*NODE PRINT, NSET=…`): (set, nodes).
    pub printed: Vec<(String, Vec<usize>)>,
    /// `*TIE`s: bonded surfaces, applied when the model is built.
    pub ties: Vec<crate::schema::TieSpec>,
    /// `*CONTACT PAIR`s (their static steps are nonlinear).
    pub contacts: Vec<DeckContact>,
    /// `*PRE-TENSION SECTION`s with the first step's forces (their static steps are
    /// nonlinear, the first step their pretension).
    pub bolts: Vec<pretension::DeckBolt>,
    pub warnings: Vec<String>,
}

#[derive(Clone, Debug)]
pub struct Boundary {
    /// The `*BOUNDARY` target: its node set's name, or `node_<number>`.
    pub name: String,
    pub nodes: Vec<usize>,
    /// Displacement component values (None: free).
    pub components: [Option<f64>; 3],
}

#[derive(Clone, Debug, PartialEq)]
pub enum StepKind {
    Static,
    /// `*HEAT TRANSFER, STEADY STATE`.
    Heat,
    Frequency {
        modes: usize,
    },
    Buckle {
        modes: usize,
    },
    /// `*MODAL DYNAMIC`, `*DYNAMIC` or `*STEADY STATE DYNAMICS`.
    Dynamic(dynamics::Procedure),
}

#[derive(Clone, Debug)]
pub struct Step {
    pub kind: StepKind,
    /// `*STEP, PERTURBATION` (a frequency step about the last static step's stresses).
    pub perturbation: bool,
    /// The loads active in the step (carried over from earlier steps).
    pub loads: Vec<Load>,
    /// The thermal loads and fixed temperatures active in the step.
    pub heat: Vec<HeatLoad>,
    /// A dynamic step's damping, amplitude and modes.
    pub dynamics: Option<dynamics::Dynamics>,
    /// `*STEP, NLGEOM`.
    pub nlgeom: bool,
    /// The bolts' pretension step (each nonlinear load case after it pretensions them).
    pub pretension: bool,
    /// A `*STATIC` step's increments as fractions of its period.
    pub increments: Option<steps::Increments>,
    /// A nonlinear static step's load path from its amplitude: (time as a fraction
    /// of the period, load factor).
    pub path: Option<Vec<(f64, f64)>>,
}

/// Keywords a step may hold.
const STEP_KEYWORDS: &[&str] = &[
    "STATIC",
    "FREQUENCY",
    "BUCKLE",
    "HEAT TRANSFER",
    "MODAL DYNAMIC",
    "DYNAMIC",
    "STEADY STATE DYNAMICS",
    "MODAL DAMPING",
    "BASE MOTION",
    "AMPLITUDE",
    "DFLUX",
    "FILM",
    "CLOAD",
    "DLOAD",
    "DSLOAD",
    "BOUNDARY",
    "END STEP",
];

/// Reads a deck.
pub fn read(path: &Path) -> Result<Deck> {
    let cards = cards(path)?;
    let mut r = Reader::default();
    let mut material: Option<String> = None;
    let mut steps: Vec<PendingStep> = Vec::new();
    let mut in_step = false;
    for card in &cards {
        let k = card.keyword.as_str();
        if in_step && !STEP_KEYWORDS.contains(&k) && !IGNORED.contains(&k) {
            bail!("{}: *{k} inside a step is not supported", card.at);
        }
        cards::check_options(card, &mut r.warnings)?;
        match k {
            "HEADING" => {}
            "NODE" => r.node_card(card)?,
            "ELEMENT" => r.element_card(card)?,
            "NSET" | "ELSET" => r.set_card(card)?,
            "SURFACE" => r.surface_card(card)?,
            "MATERIAL" | "ELASTIC" | "DENSITY" | "EXPANSION" | "CONDUCTIVITY" | "DAMPING"
            | "PLASTIC" | "HYPERELASTIC" | "SOLID SECTION" => {
                materials::card(&mut r, card, &mut material)?
            }
            "BOUNDARY" if !in_step => boundary(&mut r, card)?,
            "TIE" => {
                let tie = mesh::tie_card(card)?;
                r.ties.push(tie);
            }
            "SURFACE INTERACTION" | "SURFACE BEHAVIOR" | "FRICTION" | "CONTACT PAIR" => {
                contact::card(&mut r, card)?
            }
            "PRE-TENSION SECTION" => pretension::card(&mut r, card)?,
            "AMPLITUDE" => dynamics::amplitude(card, &mut r.amplitudes)?,
            "STEP" => {
                steps.push(steps::open(card)?);
                in_step = true;
            }
            "END STEP" => {
                end_step(&steps, card)?;
                in_step = false;
            }
            _ => step_card(&mut r, &mut steps, in_step, card)?,
        }
    }
    if in_step {
        bail!("{}: the last *STEP has no *END STEP", path.display());
    }
    let (mesh, element_index) = build_mesh(&r)?;
    let mut deck_steps = steps::resolve(&mut r, &element_index, &steps, mesh.nodes.len())?;
    let bolts = pretension::resolve(&r, &mesh, &steps, &mut deck_steps)?;
    let contacts = contact::resolve(&r)?;
    let nonlinear_material = !contacts.is_empty()
        || !bolts.is_empty()
        || r.materials
            .values()
            .any(|m| m.plastic.is_some() || m.hyperelastic.is_some());
    steps::check_nonlinear(&steps, &deck_steps, nonlinear_material, &r.materials)?;
    let mut mesh = mesh;
    for b in deck_steps
        .iter()
        .filter_map(|s| s.dynamics.as_ref()?.base.as_ref())
    {
        mesh.node_sets.insert(b.set.clone(), b.nodes.clone());
    }
    let boundaries = boundaries(&r)?;
    let printed = printed(&mut r)?;
    Ok(Deck {
        mesh,
        node_ids: r.node_ids,
        materials: r.materials,
        sections: r.sections.into_iter().map(|(e, m, _)| (e, m)).collect(),
        boundaries,
        steps: deck_steps,
        printed,
        ties: r.ties,
        contacts,
        bolts,
        warnings: r.warnings,
    })
}

/// Checks the step `*END STEP` closes: it has a procedure, and a perturbation step is a
/// frequency step.
fn end_step(steps: &[PendingStep], card: &Card) -> Result<()> {
    match steps.last() {
        None => bail!("{}: *END STEP without *STEP", card.at),
        Some(s) if s.kind.is_none() => bail!(
            "{}: the step has no procedure (*STATIC, *FREQUENCY, *BUCKLE, *HEAT TRANSFER, *MODAL DYNAMIC, *DYNAMIC or *STEADY STATE DYNAMICS)",
            s.at
        ),
        Some(s) if s.perturbation && !matches!(s.kind, Some(StepKind::Frequency { .. })) => bail!(
            "{}: *STEP, PERTURBATION is supported for *FREQUENCY steps only (a frequency step about the last static step's stresses)",
            s.at
        ),
        _ => {}
    }
    Ok(())
}

/// Most printed nodes that become probes.
const MAX_PRINTED: usize = 100;

/// The nodes of the `*NODE PRINT` sets, which become probes (each node's displacement
/// history or transfer function); the first [`MAX_PRINTED`] of them.
fn printed(r: &mut Reader) -> Result<Vec<(String, Vec<usize>)>> {
    let mut out: Vec<(String, Vec<usize>)> = Vec::new();
    let mut total = 0;
    for (set, at) in std::mem::take(&mut r.printed) {
        if out.iter().any(|(s, _)| s.eq_ignore_ascii_case(&set)) {
            continue;
        }
        let mut nodes = r.node_targets(&at, &set)?;
        if total + nodes.len() > MAX_PRINTED {
            r.warnings.push(format!(
                "{at}: *NODE PRINT, NSET={set}: only the first {MAX_PRINTED} printed nodes become probes"
            ));
            nodes.truncate(MAX_PRINTED - total);
        }
        total += nodes.len();
        out.push((set.to_ascii_uppercase(), nodes));
    }
    Ok(out)
}

/// A procedure or load card of the open step; an output request (warned about and
/// skipped); anything else is an error at its line.
fn step_card<'a>(
    r: &mut Reader,
    steps: &mut [PendingStep<'a>],
    in_step: bool,
    card: &'a Card,
) -> Result<()> {
    let k = card.keyword.as_str();
    let step = steps.last_mut().filter(|_| in_step);
    match (k, step) {
        ("STATIC" | "FREQUENCY" | "BUCKLE" | "HEAT TRANSFER", Some(step)) => {
            step.kind = Some(steps::procedure(card)?);
            if k == "STATIC" {
                step.increments = steps::increments(card)?;
            }
        }
        ("MODAL DYNAMIC" | "DYNAMIC" | "STEADY STATE DYNAMICS", Some(step)) => {
            if k == "DYNAMIC" && card.param("DIRECT").is_none() {
                r.warnings.push(format!(
                    "{}: *DYNAMIC without DIRECT: vproto keeps the initial increment for the whole step (a linear step needs no adaptation; CalculiX may change it)",
                    card.at
                ));
            }
            step.kind = Some(StepKind::Dynamic(dynamics::procedure(card)?))
        }
        (
            "STATIC"
            | "FREQUENCY"
            | "BUCKLE"
            | "HEAT TRANSFER"
            | "MODAL DYNAMIC"
            | "DYNAMIC"
            | "STEADY STATE DYNAMICS",
            None,
        ) => {
            bail!("{}: *{k} outside a *STEP", card.at)
        }
        (
            "BOUNDARY" | "CLOAD" | "DLOAD" | "DSLOAD" | "DFLUX" | "FILM" | "MODAL DAMPING"
            | "BASE MOTION",
            Some(step),
        ) => step.cards.push(card),
        ("NODE PRINT", _) if card.param("NSET").is_some() => r.printed.push((
            card.param("NSET").unwrap_or_default().to_string(),
            card.at.clone(),
        )),
        ("BOUNDARY" | "CLOAD" | "DLOAD" | "DSLOAD" | "DFLUX" | "FILM", None) => {
            bail!("{}: *{k} outside a *STEP (loads belong to steps)", card.at)
        }
        (k, _) if IGNORED.contains(&k) => r.warnings.push(format!(
            "{}: *{k} skipped (vproto writes its own result files)",
            card.at
        )),
        (other, _) => bail!("{}: keyword *{other} is not supported", card.at),
    }
    Ok(())
}

/// The TOML of a case that runs every step of a deck: a static step is a static load
/// case, a frequency step a modal one, a buckle step a static load case of its loads and
/// the buckling load case it preloads.
pub fn case_text(deck_path: &Path, deck: &Deck) -> String {
    let stem = deck_path.file_stem().map_or("deck".into(), |s| {
        s.to_string_lossy().replace(
            |c: char| !(c.is_ascii_alphanumeric() || "_-.".contains(c)),
            "_",
        )
    });
    let file = deck_path
        .file_name()
        .map_or(String::new(), |f| f.to_string_lossy().into_owned());
    let mut s = format!("name = \"{stem}\"\ndescription = \"Abaqus/CalculiX deck {file}\"\n\n[model]\ninp = \"{file}\"\n");
    for (set, nodes) in &deck.printed {
        for &n in nodes {
            let x = deck.mesh.nodes[n];
            s += &format!(
                "\n[[probe]]\nname = \"{set}_{}\"\npoint = [{:e}, {:e}, {:e}]\n",
                deck.node_ids[n], x[0], x[1], x[2]
            );
        }
    }
    let mut base = None;
    let nonlinear_material = !deck.contacts.is_empty()
        || !deck.bolts.is_empty()
        || deck
            .materials
            .values()
            .any(|m| m.plastic.is_some() || m.hyperelastic.is_some());
    for (i, step) in deck.steps.iter().enumerate() {
        let n = i + 1;
        if step.pretension {
            continue; // pulled at the start of the nonlinear load cases after it
        }
        if step.kind == StepKind::Static
            && i > 0
            && !deck.steps[i - 1].pretension
            && steps::releases(&deck.steps[i - 1], step, nonlinear_material)
        {
            continue; // the release of the step before: its `unload = true`
        }
        if step.kind == StepKind::Static && !step.perturbation {
            base = Some(n);
        }
        let preload = match base {
            Some(b) if step.perturbation => format!("preload = \"step{b}\"\n"),
            _ => String::new(),
        };
        let load = format!("[[load_case.load]]\ntype = \"deck_step\"\nstep = {n}\n");
        match &step.kind {
            StepKind::Static if step.nlgeom || nonlinear_material => {
                let release = deck
                    .steps
                    .get(i + 1)
                    .is_some_and(|next| steps::releases(step, next, nonlinear_material));
                s += &format!(
                    "\n[[load_case]]\nname = \"step{n}\"\nanalysis = \"nonlinear\"\n{}{load}",
                    steps::nonlinear_lines(step, release)
                )
            }
            StepKind::Static => s += &format!("\n[[load_case]]\nname = \"step{n}\"\n{load}"),
            StepKind::Heat => {
                s += &format!("\n[[load_case]]\nname = \"step{n}\"\nanalysis = \"heat\"\n{load}")
            }
            StepKind::Frequency { modes } => {
                s += &format!("\n[[load_case]]\nname = \"step{n}\"\nanalysis = \"modal\"\nmodes = {modes}\n{preload}")
            }
            StepKind::Dynamic(p) => {
                let lines = dynamics::case_lines(p, step.dynamics.as_ref().expect("a dynamic step has its dynamics"));
                s += &format!("\n[[load_case]]\nname = \"step{n}\"\n{lines}{load}")
            }
            StepKind::Buckle { modes } => {
                s += &format!(
                    "\n[[load_case]]\nname = \"step{n}_preload\"\n{load}\n[[load_case]]\nname = \"step{n}\"\nanalysis = \"buckling\"\npreload = \"step{n}_preload\"\nmodes = {modes}\n"
                )
            }
        }
    }
    s
}
