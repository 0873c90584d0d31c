//! Surface-to-surface tie weights by the dual mortar method (Wohlmuth 2000; for
//! quadratic faces the basis transformation of Popp, Wohlmuth, Gee and Wall 2012).
//!
//! Why not the nearest point: a slave node that copies the master surface's value at
//! its own position reproduces linear fields, but the forces the slave side hands over
//! are not those a constant stress puts on the master side (the master's shape
//! functions, kinked at its face edges, are not what the slave faces integrate), so
//! a uniform stress is disturbed near a non-matching interface. The mortar condition
//! ∫ ψ_j (u_slave − u_master) dA = 0, with multipliers ψ_j biorthogonal to the slave
//! shape functions (∫ ψ_j N_k = δ_jk D_j), gives each slave node its own equation,
//! û_j = Σ_l (∫ ψ_j N_l dA / D_j) u_l: still a local elimination u = T q, and one that
//! carries a constant stress across exactly when the integrals are exact. They are:
//! each slave face and each master face it overlaps are projected on the slave face's
//! plane, clipped, and the overlap triangulated and integrated with a rule exact to
//! degree 6.

use crate::element::FaceShape;
use crate::mesh::{FaceRef, Mesh};
use crate::quadrature::{triangle_collapsed, Point2};
use crate::{with_face_shape, FaceKind};
use nalgebra::{DMatrix, Matrix2, Vector2, Vector3};
use std::collections::HashMap;

/// Corner weight of the quadratic basis transformation (Popp et al. 2012): makes every
/// transformed function's integral positive, so the dual basis exists.
const ALPHA: f64 = 0.2;

/// A face laid on a plane: its nodes, kind, coordinates, and the plane's frame.
struct Flat {
    nodes: Vec<usize>,
    kind: FaceKind,
    x: Vec<Vector3<f64>>,
}

impl Flat {
    fn new(mesh: &Mesh, f: FaceRef) -> Self {
        let nodes = mesh.face_nodes(f);
        let kind = mesh.element(f.element).0.face_kind();
        let x = nodes.iter().map(|&n| mesh.nodes[n]).collect();
        Self { nodes, kind, x }
    }

    fn corners(&self) -> &[Vector3<f64>] {
        &self.x[..self.kind.corner_count()]
    }

    fn centre(&self) -> Vector2<f64> {
        match self.kind.corner_count() {
            3 => Vector2::new(1.0 / 3.0, 1.0 / 3.0),
            _ => Vector2::zeros(),
        }
    }

    /// Shape function values and the position and tangents at natural coordinates s.
    fn at(&self, s: Vector2<f64>) -> (Vec<f64>, Vector3<f64>, [Vector3<f64>; 2]) {
        with_face_shape!(self.kind, F, M => {
            let n = F::values(&s);
            let g = F::gradients(&s);
            let mut p = Vector3::zeros();
            let mut t = [Vector3::zeros(); 2];
            for a in 0..M {
                p += n[a] * self.x[a];
                t[0] += g[(a, 0)] * self.x[a];
                t[1] += g[(a, 1)] * self.x[a];
            }
            (n.iter().copied().collect(), p, t)
        })
    }

    /// Natural coordinates of the face point that projects on `y` along the plane's
    /// normal (Newton from the centre).
    fn inverse(&self, plane: &Plane, y: Vector2<f64>) -> Option<Vector2<f64>> {
        let mut s = self.centre();
        for _ in 0..25 {
            let (_, p, t) = self.at(s);
            let r = plane.coords(p) - y;
            let j = Matrix2::new(
                plane.e[0].dot(&t[0]),
                plane.e[0].dot(&t[1]),
                plane.e[1].dot(&t[0]),
                plane.e[1].dot(&t[1]),
            );
            let step = j.try_inverse()? * r;
            s -= step;
            if step.norm() < 1e-14 {
                return Some(s);
            }
        }
        Some(s)
    }
}

/// The slave face's plane: origin, in-plane axes and normal.
struct Plane {
    origin: Vector3<f64>,
    e: [Vector3<f64>; 2],
    normal: Vector3<f64>,
}

impl Plane {
    fn of(face: &Flat) -> Option<Self> {
        let (_, origin, t) = face.at(face.centre());
        let normal = t[0].cross(&t[1]).try_normalize(0.0)?;
        let e0 = t[0].try_normalize(0.0)?;
        Some(Self {
            origin,
            e: [e0, normal.cross(&e0)],
            normal,
        })
    }

    fn coords(&self, p: Vector3<f64>) -> Vector2<f64> {
        let d = p - self.origin;
        Vector2::new(self.e[0].dot(&d), self.e[1].dot(&d))
    }
}

/// The slave face's functions after the quadratic transformation: corner functions
/// take ALPHA of their neighbouring mid-side ones (face order: corners, then the
/// mid-side node of edge i between corners i and i + 1).
fn transformed(kind: FaceKind, n: &[f64]) -> Vec<f64> {
    let c = kind.corner_count();
    if n.len() == c {
        return n.to_vec();
    }
    (0..n.len())
        .map(|a| match a < c {
            true => n[a] + ALPHA * (n[c + a] + n[c + (a + c - 1) % c]),
            false => (1.0 - 2.0 * ALPHA) * n[a],
        })
        .collect()
}

/// Area-weighted points of a convex polygon (counter-clockwise in the plane) by fans.
fn points_in(polygon: &[Vector2<f64>], rule: &[Point2]) -> Vec<(Vector2<f64>, f64)> {
    let mut out = Vec::new();
    for k in 1..polygon.len().saturating_sub(1) {
        let (a, b, c) = (polygon[0], polygon[k], polygon[k + 1]);
        let area2 = (b - a).perp(&(c - a));
        if area2 <= 0.0 {
            continue;
        }
        for (s, w) in rule {
            out.push((a + s[0] * (b - a) + s[1] * (c - a), w * area2));
        }
    }
    out
}

/// Sutherland–Hodgman: `subject` clipped by the convex counter-clockwise `clip`.
fn clip(subject: &[Vector2<f64>], clip: &[Vector2<f64>]) -> Vec<Vector2<f64>> {
    let mut out = subject.to_vec();
    for i in 0..clip.len() {
        let (a, b) = (clip[i], clip[(i + 1) % clip.len()]);
        let side = |p: &Vector2<f64>| (b - a).perp(&(p - a));
        let input = std::mem::take(&mut out);
        for j in 0..input.len() {
            let (p, q) = (input[j], input[(j + 1) % input.len()]);
            let (sp, sq) = (side(&p), side(&q));
            if sp >= 0.0 {
                out.push(p);
            }
            if (sp >= 0.0) != (sq >= 0.0) {
                out.push(p + (q - p) * (sp / (sp - sq)));
            }
        }
        if out.is_empty() {
            break;
        }
    }
    out
}

/// Counter-clockwise polygon of a face's corners in the plane.
fn polygon(plane: &Plane, face: &Flat) -> Vec<Vector2<f64>> {
    let mut p: Vec<Vector2<f64>> = face.corners().iter().map(|&x| plane.coords(x)).collect();
    let area2: f64 = (0..p.len()).map(|i| p[i].perp(&p[(i + 1) % p.len()])).sum();
    if area2 < 0.0 {
        p.reverse();
    }
    p
}

/// Mortar integrals of the slave faces: D_j and ∫ ψ_j N_l over the master faces.
#[derive(Default)]
struct Integrals {
    d: HashMap<usize, f64>,
    m: HashMap<usize, HashMap<usize, f64>>,
}

/// One slave face's dual basis (ψ = A N̂) and its contributions.
fn add_face(
    slave: &Flat,
    masters: &[&Flat],
    reach: f64,
    rule: &[Point2],
    out: &mut Integrals,
) -> Option<()> {
    let plane = Plane::of(slave)?;
    let own = polygon(&plane, slave);
    let k = slave.nodes.len();
    let (mut me, mut de) = (DMatrix::<f64>::zeros(k, k), vec![0.0; k]);
    for (y, w) in points_in(&own, rule) {
        let n = transformed(slave.kind, &slave.at(slave.inverse(&plane, y)?).0);
        for a in 0..k {
            de[a] += w * n[a];
            for b in 0..k {
                me[(a, b)] += w * n[a] * n[b];
            }
        }
    }
    let a = DMatrix::from_diagonal(&de.clone().into()) * me.try_inverse()?;
    for (j, &node) in slave.nodes.iter().enumerate() {
        *out.d.entry(node).or_default() += de[j];
    }
    for master in masters {
        if !master_normal(master).is_some_and(|n| n.dot(&plane.normal) < -0.5) {
            continue; // not facing the slave face: another surface of the part
        }
        let overlap = clip(&polygon(&plane, master), &own);
        // The surfaces must meet where they overlap: it is the gap that counts, not how
        // far a curved master face leaves the slave face's plane.
        let Some(mid) = centroid(&overlap) else {
            continue;
        };
        let gap =
            slave.at(slave.inverse(&plane, mid)?).1 - master.at(master.inverse(&plane, mid)?).1;
        if gap.norm() > reach {
            continue;
        }
        for (y, w) in points_in(&overlap, rule) {
            let psi = &a
                * DMatrix::from_vec(
                    k,
                    1,
                    transformed(slave.kind, &slave.at(slave.inverse(&plane, y)?).0),
                );
            let nm = master.at(master.inverse(&plane, y)?).0;
            for (j, &sj) in slave.nodes.iter().enumerate() {
                let row = out.m.entry(sj).or_default();
                for (l, &ml) in master.nodes.iter().enumerate() {
                    *row.entry(ml).or_default() += w * psi[j] * nm[l];
                }
            }
        }
    }
    Some(())
}

/// The vertex mean of a polygon with some area.
fn centroid(polygon: &[Vector2<f64>]) -> Option<Vector2<f64>> {
    (polygon.len() >= 3).then(|| polygon.iter().sum::<Vector2<f64>>() / polygon.len() as f64)
}

fn master_normal(face: &Flat) -> Option<Vector3<f64>> {
    let t = face.at(face.centre()).2;
    t[0].cross(&t[1]).try_normalize(0.0)
}

/// The mortar integrals of a slave surface against a master surface: D_j = ∫ N̂_j dA
/// of every slave node over its faces and M_jl = ∫ ψ_j N_l dA over the overlaps (N̂
/// the slave functions after the quadratic transformation, ψ their dual basis), and
/// each mid-side slave node's corners.
pub(crate) struct Pairing {
    pub d: HashMap<usize, f64>,
    pub m: HashMap<usize, HashMap<usize, f64>>,
    pub edges: HashMap<usize, [usize; 2]>,
}

impl Pairing {
    pub fn new(
        mesh: &Mesh,
        slave_faces: &[FaceRef],
        master_faces: &[FaceRef],
        candidates: &dyn Fn(&[Vector3<f64>]) -> Vec<usize>,
        reach: &dyn Fn(usize) -> f64,
    ) -> Self {
        let rule = triangle_collapsed(4);
        let masters: Vec<Flat> = master_faces.iter().map(|&f| Flat::new(mesh, f)).collect();
        let mut integrals = Integrals::default();
        let mut edges: HashMap<usize, [usize; 2]> = HashMap::new();
        for &f in slave_faces {
            let slave = Flat::new(mesh, f);
            let near = candidates(&slave.x);
            let tolerance = near.iter().map(|&i| reach(i)).fold(0.0, f64::max);
            let found: Vec<&Flat> = near.iter().map(|&i| &masters[i]).collect();
            add_face(&slave, &found, tolerance, &rule, &mut integrals);
            let c = slave.kind.corner_count();
            for i in c..slave.nodes.len() {
                let e = i - c;
                edges.insert(slave.nodes[i], [slave.nodes[e], slave.nodes[(e + 1) % c]]);
            }
        }
        Self {
            d: integrals.d,
            m: integrals.m,
            edges,
        }
    }

    /// The slave displacement a (transformed) node's mortar row constrains, û_j, as
    /// physical slave node weights: the node itself, or for a mid-side node the inverse
    /// of the transformation, (u_mid − α (u_a + u_b)) / (1 − 2α).
    pub fn slave_terms(&self, node: usize) -> Vec<(usize, f64)> {
        match self.edges.get(&node) {
            None => vec![(node, 1.0)],
            Some(&[a, b]) => {
                let s = 1.0 / (1.0 - 2.0 * ALPHA);
                vec![(node, s), (a, -ALPHA * s), (b, -ALPHA * s)]
            }
        }
    }

    /// Tie weights of every slave node the master surface covers entirely (on faces
    /// partly off it the mortar rows do not sum to one: those nodes keep their
    /// nearest-point weights), mapped back through the quadratic transformation.
    pub fn tie_weights(&self) -> HashMap<usize, Vec<(usize, f64)>> {
        let mut hat: HashMap<usize, Vec<(usize, f64)>> = HashMap::new();
        for (node, row) in &self.m {
            let d = self.d[node];
            let total: f64 = row.values().sum();
            if d > 0.0 && (total / d - 1.0).abs() < 1e-9 {
                let mut w: Vec<(usize, f64)> = row.iter().map(|(&l, &v)| (l, v / d)).collect();
                w.sort_by_key(|t| t.0);
                hat.insert(*node, w);
            }
        }
        physical(hat, &self.edges)
    }
}

/// u_corner = û_corner, u_mid = (1 − 2α) û_mid + α (û_a + û_b): the inverse of the
/// basis transformation, for mid-side nodes whose corners are covered too.
fn physical(
    hat: HashMap<usize, Vec<(usize, f64)>>,
    edges: &HashMap<usize, [usize; 2]>,
) -> HashMap<usize, Vec<(usize, f64)>> {
    let mut out = HashMap::new();
    for (node, w) in &hat {
        let Some(&[a, b]) = edges.get(node) else {
            out.insert(*node, w.clone());
            continue;
        };
        let (Some(wa), Some(wb)) = (hat.get(&a), hat.get(&b)) else {
            continue;
        };
        let mut sum: HashMap<usize, f64> = HashMap::new();
        for (list, scale) in [(w, 1.0 - 2.0 * ALPHA), (wa, ALPHA), (wb, ALPHA)] {
            for &(l, v) in list {
                *sum.entry(l).or_default() += scale * v;
            }
        }
        let mut w: Vec<(usize, f64)> = sum.into_iter().collect();
        w.sort_by_key(|t| t.0);
        out.insert(*node, w);
    }
    out
}
