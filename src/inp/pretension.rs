//! `*PRE-TENSION SECTION, SURFACE=…, NODE=…`: a bolt's pretension section as CalculiX
//! and Abaqus give it, and the steps that load and lock it.
//!
//! The section is an element surface on one side of the cut; CalculiX doubles its nodes
//! and ties the other side to them less the shortening, the reference node's degree of
//! freedom 1 — what vproto's [`vproto_solver::bolt::cut`] does on the plane through the
//! surface's nodes, normal to the data line's direction (or the surface's mean normal).
//! The cut splits the elements with a node on the surface: the bolt's, either side.
//!
//! CalculiX pretensions in one step (a `*CLOAD` on the reference node, degree of
//! freedom 1) and locks the bolt in the next (`*BOUNDARY, FIXED`); vproto's nonlinear
//! load case does both. So the first step must load the reference nodes and nothing
//! else: it gives the bolts' forces and is no load case of its own. Every later step
//! must have locked every reference node; a force left on a locked node (a `*CLOAD`
//! carried over) is taken by the lock, as in CalculiX. A reference node under a plain
//! `*BOUNDARY` (which would set the shortening to a value) is refused.

use super::cards::{number, Card, Origin};
use super::mesh::Reader;
use super::{PendingStep, Step, StepKind};
use anyhow::{anyhow, bail, Result};
use nalgebra::Vector3;
use vproto_solver::bolt::Section;
use vproto_solver::{Load, Mesh};

/// A `*PRE-TENSION SECTION` card as read.
#[derive(Debug)]
pub(super) struct Pending {
    at: Origin,
    surface: String,
    node: usize,
    normal: Option<Vector3<f64>>,
}

/// A deck bolt: where its card is, its section and its pretension (N).
#[derive(Clone, Debug)]
pub struct DeckBolt {
    pub at: String,
    pub section: Section,
    pub force: f64,
}

/// `*PRE-TENSION SECTION, SURFACE=…, NODE=…` with an optional direction line.
pub(super) fn card(r: &mut Reader, card: &Card) -> Result<()> {
    let surface = card.required("SURFACE")?.to_ascii_uppercase();
    let label: i64 = number(&card.at, card.required("NODE")?, "reference node")?;
    let node = r.node(&card.at, label)?;
    let normal = match card.data.as_slice() {
        [] => None,
        [(at, f)] => {
            let v: Vec<f64> = (0..3)
                .map(|k| number(at, f.get(k).map_or("", |s| s), "direction"))
                .collect::<Result<_>>()?;
            Some(Vector3::new(v[0], v[1], v[2]))
        }
        [_, (at, _), ..] => bail!("{at}: *PRE-TENSION SECTION takes one direction line"),
    };
    if r.pretension.iter().any(|p| p.node == node) {
        bail!(
            "{}: node {label} is the reference node of two pretension sections",
            card.at
        );
    }
    r.pretension.push(Pending {
        at: card.at.clone(),
        surface,
        node,
        normal,
    });
    Ok(())
}

/// `*BOUNDARY, FIXED` in step `step` (0-based): reference nodes locked, degree of
/// freedom 1.
pub(super) fn fixed(r: &mut Reader, card: &Card, step: usize) -> Result<()> {
    for (at, f) in &card.data {
        let dof = |k: usize, default: usize| -> Result<usize> {
            match f.get(k).filter(|s| !s.is_empty()) {
                Some(s) => number(at, s, "degree of freedom"),
                None => Ok(default),
            }
        };
        let first = dof(1, 0)?;
        let last = dof(2, first)?;
        if f.get(3).is_some_and(|v| !v.is_empty()) {
            bail!("{at}: *BOUNDARY, FIXED takes no value: it holds the shortening the pretension step left");
        }
        if first != 1 || last > 3 {
            bail!("{at}: *BOUNDARY, FIXED locks a pretension reference node's degree of freedom 1 (give `node, 1`)");
        }
        for n in r.node_targets(at, &f[0])? {
            if !r.pretension.iter().any(|p| p.node == n) {
                bail!("{at}: *BOUNDARY, FIXED is read for pretension reference nodes only (node {} is none): vproto holds other nodes where a *BOUNDARY puts them", r.node_ids[n]);
            }
            r.locked.push((n, step, at.clone()));
        }
    }
    Ok(())
}

/// The deck's bolts, taking the first step's reference-node forces as their
/// pretensions and the locks' forces out of the later steps; `pending` are the steps'
/// cards (for their lines). The first step is marked the pretension when steps follow.
pub(super) fn resolve(
    r: &Reader,
    mesh: &Mesh,
    pending: &[PendingStep],
    steps: &mut [Step],
) -> Result<Vec<DeckBolt>> {
    if r.pretension.is_empty() {
        return Ok(Vec::new());
    }
    refuse_set_values(r)?;
    let refs: Vec<usize> = r.pretension.iter().map(|p| p.node).collect();
    let later = steps.len() > 1;
    let (Some(first), Some(at)) = (steps.first_mut(), pending.first().map(|p| &p.at)) else {
        bail!("{}: a pretension section needs a *STATIC step that loads its reference node (*CLOAD, degree of freedom 1)", r.pretension[0].at);
    };
    let forces = pretensions(first, &refs, at)?;
    first.pretension = later;
    for (i, (step, p)) in steps.iter_mut().zip(pending).enumerate().skip(1) {
        for &n in &refs {
            if !r.locked.iter().any(|&(m, s, _)| m == n && s >= 1 && s <= i) {
                bail!("{}: the step does not lock the bolt of reference node {} (after its pretension step, give *BOUNDARY, FIXED with `{}, 1`): vproto locks a pretensioned bolt", p.at, r.node_ids[n], r.node_ids[n]);
            }
        }
        strip(&mut step.loads, &refs);
    }
    if let Some((_, _, at)) = r.locked.iter().find(|l| l.1 == 0) {
        bail!("{at}: *BOUNDARY, FIXED in the pretension step would lock the bolt before it is pulled: lock it in the next step");
    }
    r.pretension
        .iter()
        .zip(forces)
        .map(|(p, force)| {
            Ok(DeckBolt {
                at: p.at.to_string(),
                section: section(mesh, p)?,
                force,
            })
        })
        .collect()
}

/// The first step's force on each reference node (degree of freedom 1, > 0), which must
/// be all it loads; taken out of its loads.
fn pretensions(step: &mut Step, refs: &[usize], at: &Origin) -> Result<Vec<f64>> {
    let only_refs = step.kind == StepKind::Static
        && step.loads.iter().all(|l| match l {
            Load::NodalForces(f) => f
                .iter()
                .all(|(n, v)| refs.contains(n) && v.y == 0.0 && v.z == 0.0),
            _ => false,
        });
    if !only_refs {
        bail!("{at}: the first step pretensions the bolts and must load their reference nodes only (*CLOAD, degree of freedom 1): vproto pulls the bolts alone, then applies the next step's loads with them locked");
    }
    let force = |n: usize| {
        step.loads.iter().find_map(|l| match l {
            Load::NodalForces(f) => f.iter().find(|(m, _)| *m == n).map(|(_, v)| v.x),
            _ => None,
        })
    };
    let forces: Vec<f64> = refs
        .iter()
        .map(|&n| match force(n) {
            Some(f) if f.is_finite() && f > 0.0 => Ok(f),
            _ => Err(anyhow!("{at}: the first step must pull every bolt: give a positive *CLOAD on each reference node, degree of freedom 1")),
        })
        .collect::<Result<_>>()?;
    step.loads.clear();
    Ok(forces)
}

/// Removes forces on reference nodes (locked: their lock takes them).
fn strip(loads: &mut Vec<Load>, refs: &[usize]) {
    for l in loads.iter_mut() {
        if let Load::NodalForces(f) = l {
            f.retain(|(n, _)| !refs.contains(n));
        }
    }
    loads.retain(|l| !matches!(l, Load::NodalForces(f) if f.is_empty()));
}

/// Refuses a plain `*BOUNDARY` on a reference node.
fn refuse_set_values(r: &Reader) -> Result<()> {
    for (target, _, _, _, at) in &r.boundaries {
        if let Some(n) = r
            .node_targets(at, target)?
            .into_iter()
            .find(|n| r.pretension.iter().any(|p| p.node == *n))
        {
            bail!("{at}: a *BOUNDARY on pretension reference node {} would set the bolt's shortening: lock it with *BOUNDARY, FIXED after its pretension step", r.node_ids[n]);
        }
    }
    Ok(())
}

/// The cut of section `p`: the plane through its surface's nodes, normal to its
/// direction or the surface's mean normal, within the elements on the surface's nodes.
fn section(mesh: &Mesh, p: &Pending) -> Result<Section> {
    let faces = mesh
        .face_sets
        .get(&p.surface)
        .filter(|f| !f.is_empty())
        .ok_or_else(|| anyhow!("{}: no element surface named {}", p.at, p.surface))?;
    let mut nodes: Vec<usize> = faces.iter().flat_map(|&f| mesh.face_nodes(f)).collect();
    nodes.sort_unstable();
    nodes.dedup();
    let point = nodes.iter().map(|&n| mesh.nodes[n]).sum::<Vector3<f64>>() / nodes.len() as f64;
    let normal = faces.iter().map(|&f| face_normal(mesh, f)).sum();
    let elements = (0..mesh.element_count())
        .filter(|&e| {
            mesh.element(e)
                .1
                .iter()
                .any(|n| nodes.binary_search(n).is_ok())
        })
        .collect();
    Ok(Section {
        name: p.surface.to_ascii_lowercase(),
        elements,
        point,
        axis: p.normal.unwrap_or(normal),
        reference: Some(p.node),
    })
}

/// A face's area-weighted outward normal (Newell's, over its corners).
fn face_normal(mesh: &Mesh, f: vproto_solver::FaceRef) -> Vector3<f64> {
    let nodes = mesh.face_nodes(f);
    let corners = if nodes.len().is_multiple_of(3) { 3 } else { 4 };
    let x: Vec<Vector3<f64>> = nodes[..corners].iter().map(|&n| mesh.nodes[n]).collect();
    (0..corners)
        .map(|i| x[i].cross(&x[(i + 1) % corners]))
        .sum::<Vector3<f64>>()
        / 2.0
}
