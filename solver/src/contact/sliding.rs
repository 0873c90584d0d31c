//! Finite sliding: the contact points paired again in the surfaces' current
//! configuration, and the committed states carried over to the new points.
//!
//! A point is a slave node, so a state carries over by its node; what changes is the
//! master side (which master nodes, with which weights), the normal, the area and the
//! undeformed gap that make the current gap come out of the displacement. The carried
//! state's relative displacement is taken again at the committed displacement under
//! the new weights, so the motion within the increment is measured against the master
//! material now opposite the node; its friction stress is projected onto the new
//! tangent plane by the stick trial. A node the master no longer covers (it slid off
//! the master's edge) is no longer a point: it is open, its state is dropped.

use super::{points, Interface, Point, PointState, Status, MULTIPLIER_TOLERANCE};
use crate::mesh::Mesh;
use std::collections::HashMap;

impl Interface {
    /// The points of the surfaces displaced by `u` (3 per node): paired, with their
    /// normals and areas, in the current configuration.
    pub fn paired_at(&self, mesh: &Mesh, u: &[f64]) -> Vec<Point> {
        let current = Mesh {
            nodes: mesh
                .nodes
                .iter()
                .enumerate()
                .map(|(i, x)| x + nalgebra::Vector3::new(u[3 * i], u[3 * i + 1], u[3 * i + 2]))
                .collect(),
            blocks: mesh.blocks.clone(),
            ..Default::default()
        };
        let surfaces = (&self.slave[..], &self.master[..]);
        let measure = (self.search_distance, self.undeformed.as_ref());
        points(mesh, &current, surfaces, measure).0
    }

    /// The current points where the pairing `new` moves them by more than the
    /// multipliers resolve (see [`moved`]), the others kept as they are; `None`
    /// when none moves. A point new to the pairing comes in only once it touches, one
    /// that lost its master goes: so slivers of overlap a slight motion makes or
    /// breaks leave the points (and the stiffness pattern) alone.
    pub fn repaired(
        &self,
        new: Vec<Point>,
        states: &[PointState],
        u: &[f64],
    ) -> Option<Vec<Point>> {
        let largest = states.iter().map(|s| s.pressure).fold(0.0, f64::max);
        let resolved = (MULTIPLIER_TOLERANCE * largest / self.penalty).max(self.touch);
        let old: HashMap<usize, (&Point, &PointState)> = self
            .points
            .iter()
            .zip(states)
            .map(|(p, s)| (p.node, (p, s)))
            .collect();
        let mut changed = false;
        let mut out = Vec::with_capacity(new.len());
        for p in new {
            let gap = p.gap0 - p.normal.dot(&p.relative(u));
            match old.get(&p.node) {
                Some((q, s)) if s.status == Status::Open && gap > self.touch => {
                    out.push((*q).clone())
                }
                Some((q, _)) if moved(q, &p, u, resolved) <= MULTIPLIER_TOLERANCE => {
                    out.push((*q).clone())
                }
                Some(_) => {
                    changed = true;
                    out.push(p);
                }
                None if gap <= self.touch => {
                    changed = true;
                    out.push(p);
                }
                None => {}
            }
        }
        // A point in contact that lost its master lets go.
        let kept: std::collections::HashSet<usize> = out.iter().map(|p| p.node).collect();
        changed |= self
            .points
            .iter()
            .zip(states)
            .any(|(p, s)| s.status != Status::Open && !kept.contains(&p.node));
        changed.then_some(out)
    }
}

/// How far point `p` moved from `q` (the same node's, paired before): the largest
/// change of its weights and normal, and of its gap at `u` against `resolved`, as a
/// share comparable with [`MULTIPLIER_TOLERANCE`].
fn moved(q: &Point, p: &Point, u: &[f64], resolved: f64) -> f64 {
    let gap = |p: &Point| p.gap0 - p.normal.dot(&p.relative(u));
    weights_change(&q.terms, &p.terms)
        .max((p.normal - q.normal).norm())
        .max((gap(p) - gap(q)).abs() / resolved * MULTIPLIER_TOLERANCE)
}

/// The largest weight any node gains or loses between two points' terms.
fn weights_change(a: &[(usize, f64)], b: &[(usize, f64)]) -> f64 {
    let mut sum: HashMap<usize, f64> = HashMap::new();
    for &(k, c) in a {
        *sum.entry(k).or_default() += c;
    }
    for &(k, c) in b {
        *sum.entry(k).or_default() -= c;
    }
    sum.values().fold(0.0, |m, v| m.max(v.abs()))
}

/// The states of `(points, states)` (a committed pairing) carried over to the points
/// `to`, by node: the relative displacement taken again at the committed displacement
/// `u0` under the new weights (with its gap); a node new to contact starts open.
pub fn carry(from: (&[Point], &[PointState]), to: &[Point], u0: &[f64]) -> Vec<PointState> {
    let by_node: HashMap<usize, &PointState> = from.0.iter().map(|p| p.node).zip(from.1).collect();
    to.iter()
        .map(|p| {
            let mut s = by_node
                .get(&p.node)
                .map_or_else(PointState::default, |s| **s);
            s.relative = p.relative(u0);
            s.gap = p.gap0 - p.normal.dot(&s.relative);
            s
        })
        .collect()
}

/// The multipliers `lambda` of the points `from` carried to the points `to` by node (0
/// for a node new to contact).
pub fn carry_multipliers(from: &[Point], lambda: &[f64], to: &[Point]) -> Vec<f64> {
    let by_node: HashMap<usize, f64> = from
        .iter()
        .map(|p| p.node)
        .zip(lambda.iter().copied())
        .collect();
    to.iter()
        .map(|p| by_node.get(&p.node).copied().unwrap_or(0.0))
        .collect()
}
