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

    /// How far the pairing `new` moved from the current points, where it matters (at
    /// points in contact in `states`, or coming into contact): the largest change of a
    /// point's weights, normal and gap (against the penetration the multipliers
    /// resolve). A point that comes or goes while in contact counts 1.
    pub fn moved(&self, new: &[Point], states: &[PointState], u: &[f64]) -> f64 {
        let largest = states.iter().map(|s| s.pressure).fold(0.0, f64::max);
        let resolved = (MULTIPLIER_TOLERANCE * largest / self.penalty).max(self.touch);
        let old: HashMap<usize, (&Point, &PointState)> = self
            .points
            .iter()
            .zip(states)
            .map(|(p, s)| (p.node, (p, s)))
            .collect();
        let mut moved = 0.0f64;
        for p in new {
            let gap = p.gap0 - p.normal.dot(&p.relative(u));
            let change = match old.get(&p.node) {
                Some((q, s)) if s.status != Status::Open || gap <= self.touch => {
                    let before = q.gap0 - q.normal.dot(&q.relative(u));
                    weights_change(&q.terms, &p.terms)
                        .max((p.normal - q.normal).norm())
                        .max((gap - before).abs() / resolved * MULTIPLIER_TOLERANCE)
                }
                None if gap <= self.touch => 1.0,
                _ => 0.0,
            };
            moved = moved.max(change);
        }
        let kept: HashMap<usize, ()> = new.iter().map(|p| (p.node, ())).collect();
        let lost = self
            .points
            .iter()
            .zip(states)
            .any(|(p, s)| s.status != Status::Open && !kept.contains_key(&p.node));
        if lost {
            moved = 1.0;
        }
        moved
    }
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
