//! A deck's contact: `*SURFACE INTERACTION` with `*SURFACE BEHAVIOR` and `*FRICTION`,
//! and `*CONTACT PAIR`s that use it — vproto's `[[model.contact]]`. `HARD` contact is
//! enforced exactly (augmented Lagrangian); a `LINEAR` pressure-overclosure slope K is
//! soft contact, the surfaces overlapping by p / K as in CalculiX (`normal_stiffness`),
//! so a deck gives the answer CalculiX gives. A `*FRICTION` stick slope (Pa/m) is the stick's constant stiffness, as in
//! CalculiX (without one, vproto's stick is an elastic slip of 1e-4 of the face size).
//! What vproto does not use is refused at its line: `LINEAR`'s σ∞ and c0.

use super::cards::{number, Card};
use super::mesh::Reader;
use anyhow::{anyhow, bail, Result};

/// One `*SURFACE INTERACTION`: where it is, and what its sub-cards gave.
#[derive(Debug, Clone, Default)]
pub(super) struct Interaction {
    at: String,
    friction: f64,
    normal_stiffness: Option<f64>,
    stick_slope: Option<f64>,
}

/// A `*CONTACT PAIR` line: where its card and line are, its interaction and surfaces.
#[derive(Debug)]
pub(super) struct Pair {
    card: String,
    line: String,
    interaction: String,
    slave: String,
    master: String,
    small: bool,
}

/// A contact pair of the deck, with where it was given.
#[derive(Debug)]
pub struct DeckContact {
    pub at: String,
    pub spec: crate::schema::ContactSpec,
}

/// `*SURFACE INTERACTION, NAME=…` (opening it for the sub-cards that follow),
/// `*SURFACE BEHAVIOR`, `*FRICTION` and `*CONTACT PAIR`.
pub(super) fn card(r: &mut Reader, card: &Card) -> Result<()> {
    match card.keyword.as_str() {
        "SURFACE INTERACTION" => {
            let name = card.required("NAME")?.to_ascii_uppercase();
            r.interaction = Some(name.clone());
            r.interactions.insert(
                name,
                Interaction {
                    at: card.at.to_string(),
                    ..Default::default()
                },
            );
        }
        "SURFACE BEHAVIOR" => {
            let (at, fields) = (&card.at, card.data.first());
            let linear = card
                .param("PRESSURE-OVERCLOSURE")
                .is_some_and(|p| p.eq_ignore_ascii_case("LINEAR"));
            let stiffness = match (linear, fields) {
                (false, None) => None,
                (false, Some((at, _))) => {
                    bail!("{at}: *SURFACE BEHAVIOR, PRESSURE-OVERCLOSURE=HARD takes no data line")
                }
                (true, Some((at, f))) => Some(positive(
                    number(at, f.get(0).unwrap_or(""), "slope K")?,
                    at,
                    "slope K",
                )?),
                (true, None) => bail!(
                    "{at}: *SURFACE BEHAVIOR, PRESSURE-OVERCLOSURE=LINEAR needs its slope K (Pa/m)"
                ),
            };
            current(r, card)?.normal_stiffness = stiffness;
        }
        "FRICTION" => {
            let Some((at, f)) = card.data.first() else {
                bail!("{}: *FRICTION needs a data line: μ", card.at);
            };
            let mu: f64 = number(at, f.get(0).unwrap_or(""), "friction coefficient")?;
            let slope = match f.get(1).filter(|s| !s.is_empty()) {
                Some(s) => Some(positive(number(at, s, "stick slope")?, at, "stick slope")?),
                None => None,
            };
            let i = current(r, card)?;
            (i.friction, i.stick_slope) = (mu, slope);
        }
        "CONTACT PAIR" => pair(r, card)?,
        _ => unreachable!("only contact keywords come here"),
    }
    Ok(())
}

fn positive(v: f64, at: &super::cards::Origin, what: &str) -> Result<f64> {
    if v > 0.0 {
        Ok(v)
    } else {
        bail!("{at}: {what} {v} must be > 0")
    }
}

/// The interaction the sub-card belongs to.
fn current<'r>(r: &'r mut Reader, card: &Card) -> Result<&'r mut Interaction> {
    let name = r.interaction.clone().ok_or_else(|| {
        anyhow!(
            "{}: *{} belongs after a *SURFACE INTERACTION",
            card.at,
            card.keyword
        )
    })?;
    Ok(r.interactions.get_mut(&name).expect("opened above"))
}

/// `*CONTACT PAIR, INTERACTION=…[, TYPE=SURFACE TO SURFACE][, SMALL SLIDING]` with
/// lines of slave surface, master surface (kept until the interactions are all read);
/// finite sliding unless `SMALL SLIDING`, as in CalculiX and Abaqus.
fn pair(r: &mut Reader, card: &Card) -> Result<()> {
    let interaction = card.required("INTERACTION")?.to_ascii_uppercase();
    if card.data.is_empty() {
        bail!(
            "{}: *CONTACT PAIR needs a data line: slave surface, master surface",
            card.at
        );
    }
    if card
        .param("TYPE")
        .is_some_and(|t| t.eq_ignore_ascii_case("NODE TO SURFACE"))
    {
        r.warnings.push(format!("{}: TYPE=NODE TO SURFACE: vproto pairs the surfaces surface to surface (mortar), which passes the contact patch test", card.at));
    }
    for (at, line) in &card.data {
        let field = |k: usize| {
            line.get(k)
                .filter(|f| !f.is_empty())
                .map(str::to_ascii_uppercase)
                .ok_or_else(|| {
                    anyhow!("{at}: *CONTACT PAIR: give the slave surface, then the master surface")
                })
        };
        let (slave, master) = (field(0)?, field(1)?);
        r.pairs.push(Pair {
            card: card.at.to_string(),
            line: at.to_string(),
            interaction: interaction.clone(),
            slave,
            master,
            small: card.flag("SMALL SLIDING"),
        });
    }
    Ok(())
}

/// The deck's contact pairs, each with its interaction's friction and pressure law.
pub(super) fn resolve(r: &Reader) -> Result<Vec<DeckContact>> {
    r.pairs
        .iter()
        .enumerate()
        .map(|(k, p)| {
            let i = r.interactions.get(&p.interaction).ok_or_else(|| {
                anyhow!(
                    "{}: *CONTACT PAIR: no *SURFACE INTERACTION named {}",
                    p.card,
                    p.interaction
                )
            })?;
            Ok(DeckContact {
                at: format!(
                    "{} (*CONTACT PAIR; its *SURFACE INTERACTION at {})",
                    p.line, i.at
                ),
                spec: crate::schema::ContactSpec {
                    name: format!("{}_{}", p.interaction, k + 1),
                    slave: p.slave.clone(),
                    master: p.master.clone(),
                    friction: i.friction,
                    penalty: None,
                    normal_stiffness: i.normal_stiffness,
                    search_distance: None,
                    elastic_slip: None,
                    stick_slope: i.stick_slope,
                    interference: false,
                    sliding: match p.small {
                        true => crate::schema::SlidingSpec::Small,
                        false => crate::schema::SlidingSpec::Finite,
                    },
                },
            })
        })
        .collect()
}
