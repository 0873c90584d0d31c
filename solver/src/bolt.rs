//! Bolt pretension: a section cut through a bolt, loaded by a force, then locked.
//!
//! Why this way: as Abaqus's and CalculiX's pretension section. The bolt is cut on a
//! plane across its shank; the nodes on the plane are doubled, the copies taken by the
//! elements on the far side (along the axis), and each copy follows its original minus
//! a shortening s along the axis — one unknown per bolt, the first component of a
//! reference node added to the mesh ([`crate::tie::TiedNode::shift`]). The force
//! conjugate to s is the bolt's axial force, so a force on it is the pretension
//! exactly, whatever the mesh; holding s afterwards locks the bolt's length (the nut
//! turned and left), and its force then follows the external load: the joint diagram.
//! No element may cross the plane, so the mesh needs a node layer on it (a bolt meshed
//! in two volumes split there, or a structured mesh with a node plane).

use crate::error::{Result, SolverError};
use crate::mesh::Mesh;
use crate::tie::TiedNode;
use nalgebra::Vector3;
use std::collections::HashMap;

/// Where to cut: the plane through `point` normal to `axis`, within `elements`.
#[derive(Clone, Debug)]
pub struct Section {
    pub name: String,
    /// The bolt's elements (global ids).
    pub elements: Vec<usize>,
    pub point: Vector3<f64>,
    /// From the near to the far side (any length but zero).
    pub axis: Vector3<f64>,
    /// A node of the mesh no element uses to carry the shortening (a deck's reference
    /// node); `None`: one is added at the section's centre.
    pub reference: Option<usize>,
}

/// A cut bolt, as the nonlinear analysis loads it.
#[derive(Clone, Debug, PartialEq)]
pub struct Bolt {
    pub name: String,
    /// The node whose first component is the shortening s (m); the other two are held.
    pub reference: usize,
    /// Unit axis, near to far side.
    pub axis: [f64; 3],
    /// The far side's copies of the section's nodes.
    pub nodes: Vec<usize>,
    /// The pretension (N, > 0 pulls the two sides together: tension in the bolt).
    pub force: f64,
}

impl Bolt {
    /// The bolt's axial force (N, tension > 0) from the internal forces (3 per node):
    /// what the far side's elements pull on the section with.
    pub fn axial_force(&self, internal: &[f64]) -> f64 {
        -self
            .nodes
            .iter()
            .map(|&n| {
                (0..3)
                    .map(|c| self.axis[c] * internal[3 * n + c])
                    .sum::<f64>()
            })
            .sum::<f64>()
    }
}

/// Cuts the mesh on `section`: doubles the nodes on the plane that elements on both
/// sides share, adds the reference node at their centre and ties each copy to its
/// original with the shortening. Returns the bolt (force 0: the caller sets it).
pub fn cut(mesh: &mut Mesh, section: &Section) -> Result<Bolt> {
    let bad = |why: String| SolverError::Mesh(format!("bolt '{}': {why}", section.name));
    let axis = section
        .axis
        .try_normalize(1e-300)
        .filter(|a| a.iter().all(|v| v.is_finite()))
        .ok_or_else(|| bad("the axis must be a finite, non-zero vector".into()))?;
    let (near, far) = sides(mesh, section, &axis).map_err(bad)?;
    let on_near: std::collections::HashSet<usize> = near.into_iter().collect();
    let mut doubled: Vec<usize> = far
        .iter()
        .flat_map(|(_, on)| on.iter().copied())
        .filter(|n| on_near.contains(n))
        .collect();
    doubled.sort_unstable();
    doubled.dedup();
    let first = mesh.nodes.len();
    let copies: HashMap<usize, usize> = doubled
        .iter()
        .enumerate()
        .map(|(k, &n)| (n, first + k))
        .collect();
    if copies.is_empty() {
        return Err(bad(format!(
            "no node on the plane through {:?} normal to {:?} is shared by elements on both sides: the plane does not cut the bolt",
            section.point.as_slice(),
            axis.as_slice()
        )));
    }
    refuse_shared(mesh, section, &copies).map_err(bad)?;
    // `mesh.ties` is sorted by node.
    if let Some(&n) = doubled
        .iter()
        .find(|&&n| mesh.ties.binary_search_by_key(&n, |t| t.node).is_ok())
    {
        return Err(bad(format!(
            "node {} on the section is tied to another surface: move the section",
            mesh.node_label(n)
        )));
    }
    renumber(mesh, far.iter().map(|(e, _)| *e), &copies);
    let centre =
        doubled.iter().map(|&n| mesh.nodes[n]).sum::<Vector3<f64>>() / doubled.len() as f64;
    let points: Vec<Vector3<f64>> = doubled
        .iter()
        .map(|&n| mesh.nodes[n])
        .chain([centre])
        .collect();
    let reference = match section.reference {
        Some(r) => {
            refuse_used(mesh, r).map_err(bad)?;
            add_nodes(mesh, points[..doubled.len()].to_vec());
            r
        }
        None => {
            add_nodes(mesh, points);
            mesh.nodes.len() - 1
        }
    };
    let shift = Some((reference, [-axis.x, -axis.y, -axis.z]));
    mesh.ties
        .extend(doubled.iter().enumerate().map(|(k, &old)| TiedNode {
            node: first + k,
            masters: vec![(old, 1.0)],
            shift,
        }));
    mesh.ties.sort_by_key(|t| t.node);
    Ok(Bolt {
        name: section.name.clone(),
        reference,
        axis: axis.into(),
        nodes: (first..first + doubled.len()).collect(),
        force: 0.0,
    })
}

/// The section's nodes touched by near-side elements, and each far-side element with
/// its nodes on the plane; an element across the plane is refused.
type Sides = (Vec<usize>, Vec<(usize, Vec<usize>)>);

fn sides(mesh: &Mesh, s: &Section, axis: &Vector3<f64>) -> std::result::Result<Sides, String> {
    if s.elements.is_empty() {
        return Err("the bolt region has no elements".into());
    }
    let (mut lo, mut hi) = (Vector3::repeat(f64::MAX), Vector3::repeat(f64::MIN));
    for &e in &s.elements {
        for &n in mesh.element(e).1 {
            lo = lo.inf(&mesh.nodes[n]);
            hi = hi.sup(&mesh.nodes[n]);
        }
    }
    let tol = 1e-6 * (hi - lo).norm();
    let d = |n: usize| (mesh.nodes[n] - s.point).dot(axis);
    let (mut near, mut far) = (Vec::new(), Vec::new());
    for &e in &s.elements {
        let nodes = mesh.element(e).1;
        let on: Vec<usize> = nodes
            .iter()
            .copied()
            .filter(|&n| d(n).abs() <= tol)
            .collect();
        let above = nodes.iter().any(|&n| d(n) > tol);
        let below = nodes.iter().any(|&n| d(n) < -tol);
        if above && below {
            let c = nodes.iter().map(|&n| mesh.nodes[n]).sum::<Vector3<f64>>() / nodes.len() as f64;
            return Err(format!(
                "element {} at ({:.6e}, {:.6e}, {:.6e}) m crosses the section plane: the bolt's mesh needs a layer of nodes on it (mesh the bolt in two volumes split there)",
                mesh.element_label(e),
                c.x,
                c.y,
                c.z
            ));
        }
        if above {
            far.push((e, on));
        } else {
            near.extend(on);
        }
    }
    near.sort_unstable();
    near.dedup();
    Ok((near, far))
}

/// Refuses a reference node that an element uses (its first component would be both a
/// displacement and the shortening).
fn refuse_used(mesh: &Mesh, reference: usize) -> std::result::Result<(), String> {
    if reference >= mesh.nodes.len() {
        return Err(format!("the reference node {reference} is not in the mesh"));
    }
    match crate::assembly::elements(mesh).find(|(_, nodes)| nodes.contains(&reference)) {
        Some((e, _)) => Err(format!(
            "the reference node {} belongs to element {}: it must be a node of its own",
            mesh.node_label(reference),
            mesh.element_label(e)
        )),
        None => Ok(()),
    }
}

/// Refuses a section whose nodes elements outside the bolt share (the cut would leave
/// them on one side unasked).
fn refuse_shared(
    mesh: &Mesh,
    s: &Section,
    copies: &HashMap<usize, usize>,
) -> std::result::Result<(), String> {
    let inside: std::collections::HashSet<usize> = s.elements.iter().copied().collect();
    for (e, nodes) in crate::assembly::elements(mesh) {
        if inside.contains(&e) {
            continue;
        }
        if let Some(&n) = nodes.iter().find(|n| copies.contains_key(n)) {
            return Err(format!(
                "element {} outside the bolt shares node {} of its section: give the whole bolt as its region",
                mesh.element_label(e),
                mesh.node_label(n)
            ));
        }
    }
    Ok(())
}

/// Points the far side's elements at the copies.
fn renumber(mesh: &mut Mesh, far: impl Iterator<Item = usize>, map: &HashMap<usize, usize>) {
    let offsets = mesh.block_offsets();
    for e in far {
        let b = offsets.partition_point(|&o| o <= e) - 1;
        let block = &mut mesh.blocks[b];
        let k = block.kind.node_count();
        let i = e - offsets[b];
        for n in &mut block.connectivity[i * k..(i + 1) * k] {
            if let Some(&m) = map.get(n) {
                *n = m;
            }
        }
    }
}

/// Appends nodes (labelled on from the highest label when the mesh has labels).
fn add_nodes(mesh: &mut Mesh, points: Vec<Vector3<f64>>) {
    if !mesh.node_labels.is_empty() {
        let next = mesh.node_labels.iter().max().map_or(1, |m| m + 1);
        mesh.node_labels
            .extend((0..points.len() as i64).map(|k| next + k));
    }
    mesh.nodes.extend(points);
}

#[cfg(test)]
mod tests;
