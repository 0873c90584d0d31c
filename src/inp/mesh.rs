//! The deck's mesh: nodes, elements, node and element sets and element-face surfaces
//! as the cards give them (by deck number), then the vproto mesh built from them.

use super::cards::{element_kind, face_number, number, Card, Origin};
use crate::materials::MaterialSpec;
use anyhow::{anyhow, bail, Result};
use nalgebra::Vector3;
use std::collections::{BTreeMap, HashMap};
use vproto_solver::{ElementBlock, ElementKind, FaceRef, Mesh};

/// Most members one `GENERATE` line may produce.
const MAX_GENERATED: usize = 50_000_000;

/// An element as the deck numbers it: its number, its nodes' numbers and its line.
pub(super) type DeckElement = (i64, Vec<i64>, Origin);

/// The reader's state while it walks the cards.
#[derive(Default)]
pub(super) struct Reader {
    pub(super) nodes: Vec<Vector3<f64>>,
    pub(super) node_ids: Vec<i64>,
    pub(super) node_index: HashMap<i64, usize>,
    /// Per element kind in order of appearance: the elements' numbers and node numbers.
    pub(super) elements: Vec<(ElementKind, Vec<DeckElement>)>,
    pub(super) nsets: BTreeMap<String, Vec<i64>>,
    pub(super) elsets: BTreeMap<String, Vec<i64>>,
    /// Surface name → (element id, face 0-based).
    pub(super) surfaces: BTreeMap<String, Vec<(i64, u8, Origin)>>,
    pub(super) materials: BTreeMap<String, MaterialSpec>,
    pub(super) sections: Vec<(String, String, Origin)>,
    pub(super) boundaries: Vec<(String, usize, usize, f64, Origin)>,
    /// Fixed temperatures (degree of freedom 11) not yet applied: (target, value).
    pub(super) temperatures: Vec<(String, f64, Origin)>,
    /// `*AMPLITUDE` tables by (upper-case) name.
    pub(super) amplitudes: BTreeMap<String, Vec<(f64, f64)>>,
    /// Node sets of `*NODE PRINT` cards.
    pub(super) printed: Vec<(String, Origin)>,
    /// `*TIE`s, surfaces by (upper-case) name.
    pub(super) ties: Vec<crate::schema::TieSpec>,
    /// `*SURFACE INTERACTION`s by (upper-case) name, and the one sub-cards go to.
    pub(super) interactions: BTreeMap<String, super::contact::Interaction>,
    pub(super) interaction: Option<String>,
    /// `*CONTACT PAIR` lines.
    pub(super) pairs: Vec<super::contact::Pair>,
    /// `*PRE-TENSION SECTION`s, and the reference nodes `*BOUNDARY, FIXED` locks:
    /// (node, step, line).
    pub(super) pretension: Vec<super::pretension::Pending>,
    pub(super) locked: Vec<(usize, usize, Origin)>,
    pub(super) warnings: Vec<String>,
}

/// Ids listed on a set's data lines: numbers, other sets' names, or `a, b, step` with
/// GENERATE.
fn set_members(card: &Card, sets: &BTreeMap<String, Vec<i64>>) -> Result<Vec<i64>> {
    let mut ids = Vec::new();
    for (at, fields) in &card.data {
        if card.flag("GENERATE") {
            let v: Vec<i64> = fields
                .iter()
                .filter(|f| !f.is_empty())
                .map(|f| number(at, f, "GENERATE bound"))
                .collect::<Result<_>>()?;
            let (a, b, s) = match v.as_slice() {
                [a, b] => (*a, *b, 1),
                [a, b, s] if *s > 0 => (*a, *b, *s),
                _ => bail!("{at}: GENERATE takes first, last[, increment]"),
            };
            // A set holds at most every node or element: a range larger than that is a
            // typing error, refused before anything is allocated.
            let count = (i128::from(b) - i128::from(a)) / i128::from(s) + 1;
            if count < 1 || count > MAX_GENERATED as i128 {
                bail!("{at}: GENERATE {a}, {b}, {s} gives {count} members (at most {MAX_GENERATED}, first ≤ last)");
            }
            ids.extend((a..=b).step_by(s as usize));
        } else {
            for f in fields.iter().filter(|f| !f.is_empty()) {
                match f.parse::<i64>() {
                    Ok(id) => ids.push(id),
                    Err(_) => ids.extend(
                        sets.get(&f.to_ascii_uppercase())
                            .ok_or_else(|| anyhow!("{at}: unknown set '{f}'"))?,
                    ),
                }
            }
        }
    }
    Ok(ids)
}

impl Reader {
    pub(super) fn node(&self, at: &Origin, id: i64) -> Result<usize> {
        self.node_index
            .get(&id)
            .copied()
            .ok_or_else(|| anyhow!("{at}: node {id} is not defined"))
    }
    /// Nodes of a node number or node set name.
    pub(super) fn node_targets(&self, at: &Origin, field: &str) -> Result<Vec<usize>> {
        match field.parse::<i64>() {
            Ok(id) => Ok(vec![self.node(at, id)?]),
            Err(_) => self
                .nsets
                .get(&field.to_ascii_uppercase())
                .ok_or_else(|| anyhow!("{at}: unknown node set '{field}'"))?
                .iter()
                .map(|&id| self.node(at, id))
                .collect(),
        }
    }
    pub(super) fn element_ids(&self, at: &Origin, field: &str) -> Result<Vec<i64>> {
        match field.parse::<i64>() {
            Ok(id) => Ok(vec![id]),
            Err(_) => self
                .elsets
                .get(&field.to_ascii_uppercase())
                .cloned()
                .ok_or_else(|| anyhow!("{at}: unknown element set '{field}'")),
        }
    }

    /// `*NODE`: id, x[, y[, z]] (missing coordinates are zero, as in Abaqus).
    pub(super) fn node_card(&mut self, card: &Card) -> Result<()> {
        for (at, f) in &card.data {
            if f.len() < 2 {
                bail!("{at}: *NODE lines are: id, x[, y[, z]]");
            }
            let id: i64 = number(at, &f[0], "node number")?;
            let coordinate = |k: usize| match f.get(k).filter(|v| !v.is_empty()) {
                Some(v) => number(at, v, "coordinate"),
                None => Ok(0.0),
            };
            let x = Vector3::new(coordinate(1)?, coordinate(2)?, coordinate(3)?);
            if self.node_index.insert(id, self.nodes.len()).is_some() {
                bail!("{at}: node {id} is defined twice");
            }
            self.nodes.push(x);
            self.node_ids.push(id);
            if let Some(set) = card.param("NSET") {
                self.nsets
                    .entry(set.to_ascii_uppercase())
                    .or_default()
                    .push(id);
            }
        }
        Ok(())
    }

    /// `*ELEMENT, TYPE=…`: number and nodes, records continued after a trailing comma.
    pub(super) fn element_card(&mut self, card: &Card) -> Result<()> {
        let kind = element_kind(&card.at, card.required("TYPE")?)?;
        let n = kind.node_count();
        let pos = match self.elements.iter().position(|(k, _)| *k == kind) {
            Some(p) => p,
            None => {
                self.elements.push((kind, Vec::new()));
                self.elements.len() - 1
            }
        };
        for (at, f) in &card.data {
            let f: Vec<&str> = f.iter().filter(|x| !x.is_empty()).collect();
            if f.len() != n + 1 {
                bail!(
                    "{at}: a {} element needs its number and {n} nodes, found {} values",
                    card.required("TYPE")?,
                    f.len()
                );
            }
            let id: i64 = number(at, f[0], "element number")?;
            let nodes = f[1..]
                .iter()
                .map(|x| number(at, x, "node number"))
                .collect::<Result<Vec<i64>>>()?;
            self.elements[pos].1.push((id, nodes, at.clone()));
            if let Some(set) = card.param("ELSET") {
                self.elsets
                    .entry(set.to_ascii_uppercase())
                    .or_default()
                    .push(id);
            }
        }
        Ok(())
    }

    /// `*NSET, NSET=…` or `*ELSET, ELSET=…`.
    pub(super) fn set_card(&mut self, card: &Card) -> Result<()> {
        let (key, sets) = match card.keyword.as_str() {
            "NSET" => ("NSET", &mut self.nsets),
            _ => ("ELSET", &mut self.elsets),
        };
        let ids = set_members(card, sets)?;
        sets.entry(card.required(key)?.to_ascii_uppercase())
            .or_default()
            .extend(ids);
        Ok(())
    }

    /// `*SURFACE, NAME=…` of element faces (element or set, Sn), or with `TYPE=NODE`
    /// of nodes (numbers or node sets; it becomes a node set of that name).
    pub(super) fn surface_card(&mut self, card: &Card) -> Result<()> {
        let name = card.required("NAME")?.to_ascii_uppercase();
        if card
            .param("TYPE")
            .is_some_and(|t| t.eq_ignore_ascii_case("NODE"))
        {
            let ids = set_members(card, &self.nsets)?;
            self.nsets.entry(name).or_default().extend(ids);
            return Ok(());
        }
        let mut faces = Vec::new();
        for (at, f) in &card.data {
            let face = face_number(at, f.get(1).unwrap_or(""))?;
            for id in self.element_ids(at, &f[0])? {
                faces.push((id, face, at.clone()));
            }
        }
        self.surfaces.entry(name).or_default().extend(faces);
        Ok(())
    }
}

/// `*TIE, NAME=…[, POSITION TOLERANCE=…][, ADJUST=NO]` with one line: slave surface,
/// master surface.
pub(super) fn tie_card(card: &Card) -> Result<crate::schema::TieSpec> {
    let name = card.required("NAME")?.to_string();
    let position_tolerance = match card.param("POSITION TOLERANCE") {
        Some(v) => Some(
            v.trim()
                .parse::<f64>()
                .ok()
                .filter(|t| *t > 0.0 && t.is_finite())
                .ok_or_else(|| {
                    anyhow::anyhow!(
                        "{}: *TIE: POSITION TOLERANCE={v} is not a positive length",
                        card.at
                    )
                })?,
        ),
        None => None,
    };
    let [(at, line)] = &card.data[..] else {
        bail!(
            "{}: *TIE needs one data line: slave surface, master surface",
            card.at
        );
    };
    let field = |k: usize| {
        line.get(k)
            .filter(|f| !f.is_empty())
            .map(str::to_ascii_uppercase)
            .ok_or_else(|| {
                anyhow::anyhow!("{at}: *TIE: give the slave surface, then the master surface")
            })
    };
    Ok(crate::schema::TieSpec {
        name,
        slave: field(0)?,
        master: field(1)?,
        position_tolerance,
        adjust: !card
            .param("ADJUST")
            .is_some_and(|a| a.eq_ignore_ascii_case("NO")),
    })
}

/// The mesh: nodes in deck order, one block per element type, node sets, element sets
/// (regions) and surfaces (face sets) under their deck names.
pub(super) fn build_mesh(r: &Reader) -> Result<(Mesh, HashMap<i64, usize>)> {
    let mut mesh = Mesh {
        nodes: r.nodes.clone(),
        node_labels: r.node_ids.clone(),
        ..Default::default()
    };
    let mut element_index = HashMap::new();
    for (kind, elements) in &r.elements {
        let mut block = ElementBlock {
            kind: *kind,
            connectivity: Vec::with_capacity(elements.len() * kind.node_count()),
        };
        for (id, nodes, at) in elements {
            let index = element_index.len();
            mesh.element_labels.push(*id);
            if element_index.insert(*id, index).is_some() {
                bail!("{at}: element {id} is defined twice");
            }
            for n in nodes {
                block.connectivity.push(r.node(at, *n).map_err(|_| {
                    anyhow!("{at}: element {id} uses node {n}, which is not defined")
                })?);
            }
        }
        mesh.blocks.push(block);
    }
    for (name, ids) in &r.nsets {
        let at = Origin {
            file: std::sync::Arc::from(std::path::Path::new("node set")),
            line: 0,
        };
        let mut nodes = ids
            .iter()
            .map(|&id| r.node(&at, id))
            .collect::<Result<Vec<_>>>()
            .map_err(|e| anyhow!("*NSET {name}: {e}"))?;
        nodes.sort_unstable();
        nodes.dedup();
        mesh.node_sets.insert(name.clone(), nodes);
    }
    for (name, ids) in &r.elsets {
        let mut elements = ids
            .iter()
            .map(|id| {
                element_index
                    .get(id)
                    .copied()
                    .ok_or_else(|| anyhow!("*ELSET {name}: element {id} is not defined"))
            })
            .collect::<Result<Vec<_>>>()?;
        elements.sort_unstable();
        elements.dedup();
        mesh.element_sets.insert(name.clone(), elements);
    }
    for (name, faces) in &r.surfaces {
        let faces = faces
            .iter()
            .map(|(id, face, at)| {
                let element = *element_index
                    .get(id)
                    .ok_or_else(|| anyhow!("{at}: element {id} is not defined"))?;
                let kind = mesh.element(element).0;
                if usize::from(*face) >= kind.face_count() {
                    bail!("{at}: a {} element has no face S{}", kind.name(), face + 1);
                }
                Ok(FaceRef {
                    element,
                    face: *face,
                })
            })
            .collect::<Result<_>>()?;
        mesh.face_sets.insert(name.clone(), faces);
    }
    Ok((mesh, element_index))
}

/// The mesh index of deck element `id`.
pub(super) fn element_of(
    element_index: &HashMap<i64, usize>,
    at: &Origin,
    id: i64,
) -> Result<usize> {
    element_index
        .get(&id)
        .copied()
        .ok_or_else(|| anyhow!("{at}: element {id} is not defined"))
}
