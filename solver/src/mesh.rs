//! The mesh: node coordinates, element blocks, and named node, element and face sets.
//!
//! Elements are numbered globally (0-based) across blocks in block order. Regions are
//! element sets; face sets reference element faces (so pressure follows the outward
//! normal of the solid whatever the orientation of the surface it came from).

use crate::element::{ElementKind, Shape};
use crate::error::{Result, SolverError};
use crate::with_shape;
use nalgebra::{SMatrix, Vector3};
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};

/// Elements of one kind, connectivity stored flat (`kind.node_count()` per element).
#[derive(Clone, Debug)]
pub struct ElementBlock {
    pub kind: ElementKind,
    pub connectivity: Vec<usize>,
}

impl ElementBlock {
    pub fn len(&self) -> usize {
        self.connectivity.len() / self.kind.node_count()
    }
    pub fn is_empty(&self) -> bool {
        self.connectivity.is_empty()
    }
    pub fn element(&self, i: usize) -> &[usize] {
        let n = self.kind.node_count();
        &self.connectivity[i * n..(i + 1) * n]
    }
}

/// One face of one element.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FaceRef {
    pub element: usize,
    pub face: u8,
}

#[derive(Clone, Debug, Default)]
pub struct Mesh {
    pub nodes: Vec<Vector3<f64>>,
    pub blocks: Vec<ElementBlock>,
    pub node_sets: BTreeMap<String, Vec<usize>>,
    pub element_sets: BTreeMap<String, Vec<usize>>,
    pub face_sets: BTreeMap<String, Vec<FaceRef>>,
    /// The numbers users know the nodes by (an input deck's node numbers); empty when
    /// they are the 0-based indices.
    pub node_labels: Vec<i64>,
    /// The numbers users know the elements by (a deck's element numbers, Gmsh's element
    /// tags), in global element order; empty when they are the 0-based indices.
    pub element_labels: Vec<i64>,
    /// Slave nodes of tied interfaces, sorted by node ([`crate::tie`]): connectivity
    /// between parts meshed apart, by interpolation instead of shared nodes.
    pub ties: Vec<crate::tie::TiedNode>,
}

impl Mesh {
    /// The number a user knows node `i` by.
    pub fn node_label(&self, i: usize) -> i64 {
        self.node_labels.get(i).copied().unwrap_or(i as i64)
    }

    /// The number a user knows element `i` (global index) by.
    pub fn element_label(&self, i: usize) -> i64 {
        self.element_labels.get(i).copied().unwrap_or(i as i64)
    }

    pub fn element_count(&self) -> usize {
        self.blocks.iter().map(ElementBlock::len).sum()
    }

    /// Kind and nodes of global element `id`.
    pub fn element(&self, mut id: usize) -> (ElementKind, &[usize]) {
        for b in &self.blocks {
            if id < b.len() {
                return (b.kind, b.element(id));
            }
            id -= b.len();
        }
        panic!("element id out of range");
    }

    /// Global id of the first element of each block.
    pub fn block_offsets(&self) -> Vec<usize> {
        self.blocks
            .iter()
            .scan(0, |acc, b| {
                let first = *acc;
                *acc += b.len();
                Some(first)
            })
            .collect()
    }

    /// Node coordinates of one element as a fixed-size matrix (row a = node a).
    pub fn coords<const N: usize>(&self, nodes: &[usize]) -> SMatrix<f64, N, 3> {
        SMatrix::from_fn(|a, i| self.nodes[nodes[a]][i])
    }

    /// Global node ids of a face.
    pub fn face_nodes(&self, f: FaceRef) -> Vec<usize> {
        let (kind, nodes) = self.element(f.element);
        kind.face_nodes(f.face as usize)
            .into_iter()
            .map(|a| nodes[a])
            .collect()
    }

    /// Every node in the named set: a node set, the nodes of a face set, or the nodes of
    /// an element set (searched in that order). `"all"` names every node; `"a & b"` the
    /// nodes common to sets a and b (the interface of two regions, say).
    pub fn set_nodes(&self, name: &str) -> Result<Vec<usize>> {
        if let Some((a, b)) = name.split_once('&') {
            let (a, b) = (self.set_nodes(a.trim())?, self.set_nodes(b.trim())?);
            let common: Vec<usize> = a
                .into_iter()
                .filter(|n| b.binary_search(n).is_ok())
                .collect();
            if common.is_empty() {
                return Err(SolverError::Mesh(format!(
                    "the sets of '{name}' share no node"
                )));
            }
            return Ok(common);
        }
        let mut nodes: Vec<usize> = if name == "all" {
            (0..self.nodes.len()).collect()
        } else if let Some(n) = self.node_sets.get(name) {
            n.clone()
        } else if let Some(faces) = self.face_sets.get(name) {
            faces.iter().flat_map(|&f| self.face_nodes(f)).collect()
        } else if let Some(elems) = self.element_sets.get(name) {
            elems
                .iter()
                .flat_map(|&e| self.element(e).1.to_vec())
                .collect()
        } else {
            return Err(self.unknown_set(name, "node, face or element set"));
        };
        nodes.sort_unstable();
        nodes.dedup();
        Ok(nodes)
    }

    pub fn face_set(&self, name: &str) -> Result<&[FaceRef]> {
        self.face_sets
            .get(name)
            .map(Vec::as_slice)
            .ok_or_else(|| self.unknown_set(name, "face set"))
    }

    /// Elements of a region; `"all"` names every element.
    pub fn region_elements(&self, name: &str) -> Result<Vec<usize>> {
        if name == "all" {
            return Ok((0..self.element_count()).collect());
        }
        self.element_sets
            .get(name)
            .cloned()
            .ok_or_else(|| self.unknown_set(name, "element set (region)"))
    }

    fn unknown_set(&self, name: &str, what: &'static str) -> SolverError {
        let known: Vec<&str> = self
            .node_sets
            .keys()
            .chain(self.face_sets.keys())
            .chain(self.element_sets.keys())
            .map(String::as_str)
            .collect();
        SolverError::UnknownSet {
            name: name.to_string(),
            what,
            known: if known.is_empty() {
                "(none)".into()
            } else {
                known.join(", ")
            },
        }
    }

    /// Faces that belong to exactly one element, keyed by their sorted corner nodes.
    pub fn boundary_faces(&self) -> HashMap<Vec<usize>, FaceRef> {
        let mut seen: HashMap<Vec<usize>, Option<FaceRef>> = HashMap::new();
        let mut id = 0;
        for b in &self.blocks {
            for e in 0..b.len() {
                let nodes = b.element(e);
                for f in 0..b.kind.face_count() {
                    let mut key: Vec<usize> =
                        b.kind.face_corners(f).iter().map(|&a| nodes[a]).collect();
                    key.sort_unstable();
                    let face = FaceRef {
                        element: id,
                        face: f as u8,
                    };
                    seen.entry(key)
                        .and_modify(|v| *v = None)
                        .or_insert(Some(face));
                }
                id += 1;
            }
        }
        seen.into_iter()
            .filter_map(|(k, v)| v.map(|f| (k, f)))
            .collect()
    }

    /// Boundary faces whose nodes all lie inside the box [lo, hi] (inclusive, with a
    /// tolerance of 1e-9 of the box diagonal), in element order: a face set picked by
    /// position, for meshes whose own sets do not isolate a pad or a bore.
    pub fn boundary_faces_in_box(&self, lo: Vector3<f64>, hi: Vector3<f64>) -> Vec<FaceRef> {
        let tol = 1e-9 * (hi - lo).norm().max(1e-12);
        let inside = |n: usize| {
            let p = self.nodes[n];
            (0..3).all(|k| p[k] >= lo[k] - tol && p[k] <= hi[k] + tol)
        };
        let mut faces: Vec<FaceRef> = self
            .boundary_faces()
            .into_values()
            .filter(|&f| self.face_nodes(f).into_iter().all(inside))
            .collect();
        faces.sort_by_key(|f| (f.element, f.face));
        faces
    }

    /// Checks connectivity and element geometry: every node id exists, and the Jacobian
    /// determinant is positive at every integration point. Errors name the element.
    pub fn check(&self) -> Result<()> {
        let n = self.nodes.len();
        if n == 0 || self.element_count() == 0 {
            return Err(SolverError::Mesh(
                "the mesh has no nodes or no elements".into(),
            ));
        }
        if let Some((i, p)) = self
            .nodes
            .iter()
            .enumerate()
            .find(|(_, p)| !p.iter().all(|c| c.is_finite()))
        {
            return Err(SolverError::Mesh(format!(
                "node {} has non-finite coordinates {p:?}",
                self.node_label(i)
            )));
        }
        for (offset, b) in self.block_offsets().into_iter().zip(&self.blocks) {
            if b.connectivity.len() % b.kind.node_count() != 0 {
                return Err(SolverError::Mesh(format!(
                    "a {} block's connectivity length is not a multiple of {}",
                    b.kind.name(),
                    b.kind.node_count()
                )));
            }
            if let Some(pos) = b.connectivity.iter().position(|&v| v >= n) {
                return Err(SolverError::Mesh(format!(
                    "element {} refers to node {} but the mesh has {n} nodes",
                    offset + pos / b.kind.node_count(),
                    b.connectivity[pos]
                )));
            }
            with_shape!(b.kind, E, N, D => {
                let _ = D;
                (0..b.len()).into_par_iter().try_for_each(|e| {
                    check_element::<E, N>(
                        &self.coords::<N>(b.element(e)),
                        self.element_label(offset + e),
                    )
                })?
            });
        }
        for (name, elems) in &self.element_sets {
            if let Some(&e) = elems.iter().find(|&&e| e >= self.element_count()) {
                return Err(SolverError::Mesh(format!(
                    "element set '{name}' refers to missing element {e}"
                )));
            }
        }
        Ok(())
    }

    /// Total volume (for mass and sanity checks).
    pub fn volume(&self, elements: &[usize]) -> f64 {
        elements
            .par_iter()
            .map(|&e| {
                let (kind, nodes) = self.element(e);
                with_shape!(kind, E, N, D => {
                    let _ = D;
                    element_volume::<E, N>(&self.coords::<N>(nodes))
                })
            })
            .sum()
    }
}

/// One mesh of several parts meshed apart: nodes, elements and sets appended in order,
/// each part's sets renamed `part.set` and its elements also in the region `part`.
/// Labels stay those of each part (messages give coordinates too).
pub fn merge_parts(parts: Vec<(String, Mesh)>) -> Mesh {
    let mut out = Mesh::default();
    for (name, part) in parts {
        let (nodes, elements) = (out.nodes.len(), out.element_count());
        let count = part.element_count();
        out.node_labels
            .extend((0..part.nodes.len()).map(|i| part.node_label(i)));
        out.element_labels
            .extend((0..part.element_count()).map(|i| part.element_label(i)));
        for (set, list) in part.node_sets {
            let list = list.into_iter().map(|n| n + nodes).collect();
            out.node_sets.insert(format!("{name}.{set}"), list);
        }
        for (set, list) in part.element_sets {
            let list = list.into_iter().map(|e| e + elements).collect();
            out.element_sets.insert(format!("{name}.{set}"), list);
        }
        for (set, list) in part.face_sets {
            let list = list
                .into_iter()
                .map(|f| FaceRef {
                    element: f.element + elements,
                    face: f.face,
                })
                .collect();
            out.face_sets.insert(format!("{name}.{set}"), list);
        }
        out.element_sets
            .insert(name, (elements..elements + count).collect());
        out.nodes.extend(part.nodes);
        out.blocks
            .extend(part.blocks.into_iter().map(|b| ElementBlock {
                kind: b.kind,
                connectivity: b.connectivity.into_iter().map(|n| n + nodes).collect(),
            }));
    }
    out
}

/// The nodes of each connected part of the mesh (through shared nodes, ties and the
/// node groups of `joins`), the largest first; nodes of no element belong to none.
pub fn connected_parts(mesh: &Mesh, joins: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let n = mesh.nodes.len();
    let mut parent: Vec<usize> = (0..n).collect();
    fn root(parent: &mut [usize], mut v: usize) -> usize {
        while parent[v] != v {
            parent[v] = parent[parent[v]];
            v = parent[v];
        }
        v
    }
    let mut join = |a: usize, b: usize| {
        let (ra, rb) = (root(&mut parent, a), root(&mut parent, b));
        parent[ra.max(rb)] = ra.min(rb);
    };
    let mut used = vec![false; n];
    for b in &mesh.blocks {
        for e in 0..b.len() {
            let nodes = b.element(e);
            for &v in nodes {
                used[v] = true;
                join(nodes[0], v);
            }
        }
    }
    for t in &mesh.ties {
        for m in t.master_nodes() {
            join(t.node, m);
        }
    }
    for group in joins {
        for &v in group {
            join(group[0], v);
        }
    }
    let mut parts: HashMap<usize, Vec<usize>> = HashMap::new();
    for v in (0..n).filter(|&v| used[v]) {
        let r = root(&mut parent, v);
        parts.entry(r).or_default().push(v);
    }
    let mut parts: Vec<Vec<usize>> = parts.into_values().collect();
    parts.sort_by_key(|p| (std::cmp::Reverse(p.len()), p[0]));
    parts
}

/// Node adjacency through shared elements (each node is its own neighbour), in
/// compressed form with sorted neighbour lists.
#[derive(Clone, Debug)]
pub struct NodeGraph {
    ptr: Vec<usize>,
    adj: Vec<usize>,
}

impl NodeGraph {
    /// The adjacency of the model: through elements and, for tied slave nodes, through
    /// their masters (see [`NodeGraph::tied`]).
    pub fn new(mesh: &Mesh) -> Self {
        let graph = Self::of_elements(mesh);
        if mesh.ties.is_empty() {
            graph
        } else {
            graph.tied(&mesh.ties)
        }
    }

    /// This adjacency with every node of each clique coupled to the others (contact
    /// points: a slave node and the master nodes it meets); tied slave nodes stand for
    /// their masters, as in [`NodeGraph::new`].
    pub fn coupled(self, mesh: &Mesh, cliques: &[Vec<usize>]) -> Self {
        if cliques.is_empty() {
            return self;
        }
        let mut extra: Vec<Vec<usize>> = vec![Vec::new(); self.len()];
        for clique in cliques {
            let mut nodes = Vec::new();
            for &v in clique {
                match mesh.ties.binary_search_by_key(&v, |t| t.node) {
                    Ok(i) => nodes.extend(mesh.ties[i].master_nodes()),
                    Err(_) => nodes.push(v),
                }
            }
            nodes.sort_unstable();
            nodes.dedup();
            for &a in &nodes {
                extra[a].extend(&nodes);
            }
        }
        let (ptr, adj) = crate::compressed::build(
            self.len(),
            || (),
            |v, _, out| {
                out.extend(self.neighbours(v));
                out.extend(&extra[v]);
                out.sort_unstable();
                out.dedup();
            },
        );
        Self { ptr, adj }
    }

    /// The adjacency through elements alone, ties ignored (the pattern of the untied
    /// matrix over every dof).
    pub fn of_elements(mesh: &Mesh) -> Self {
        let n = mesh.nodes.len();
        // node → elements
        let mut count = vec![0usize; n + 1];
        for b in &mesh.blocks {
            for &v in &b.connectivity {
                count[v + 1] += 1;
            }
        }
        for i in 0..n {
            count[i + 1] += count[i];
        }
        let mut fill = count.clone();
        let mut node_elems: Vec<(usize, usize)> = vec![(0, 0); count[n]];
        for (bi, b) in mesh.blocks.iter().enumerate() {
            for e in 0..b.len() {
                for &v in b.element(e) {
                    node_elems[fill[v]] = (bi, e);
                    fill[v] += 1;
                }
            }
        }
        // Neighbours gathered with a marker per task (no duplicates to sort away).
        let (ptr, adj) = crate::compressed::build(
            n,
            || vec![usize::MAX; n],
            |v, marker, out| {
                for &(b, e) in &node_elems[count[v]..count[v + 1]] {
                    for &m in mesh.blocks[b].element(e) {
                        if marker[m] != v {
                            marker[m] = v;
                            out.push(m);
                        }
                    }
                }
                out.sort_unstable();
            },
        );
        Self { ptr, adj }
    }

    /// The adjacency of the tied model: a slave node's neighbours become its masters'
    /// (the couplings of TᵀKT), so patterns and orderings see through the ties; slave
    /// nodes themselves are left alone.
    fn tied(self, ties: &[crate::tie::TiedNode]) -> Self {
        let n = self.len();
        let mut slave_of: Vec<Option<usize>> = vec![None; n];
        let mut followers: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (i, t) in ties.iter().enumerate() {
            slave_of[t.node] = Some(i);
            for m in t.master_nodes() {
                followers[m].push(t.node);
            }
        }
        let substitute = |v: usize, out: &mut Vec<usize>| match slave_of[v] {
            Some(i) => out.extend(ties[i].master_nodes()),
            None => out.push(v),
        };
        let (ptr, adj) = crate::compressed::build(
            n,
            || (),
            |v, _, out| {
                out.push(v);
                if slave_of[v].is_some() {
                    return; // no equations of its own: alone, so the graph stays symmetric
                }
                let around = std::iter::once(v).chain(followers[v].iter().copied());
                for u in around {
                    for &w in self.neighbours(u) {
                        substitute(w, out);
                    }
                }
                out.sort_unstable();
                out.dedup();
            },
        );
        Self { ptr, adj }
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.ptr.len() - 1
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Sorted neighbours of node `v`, itself included.
    pub fn neighbours(&self, v: usize) -> &[usize] {
        &self.adj[self.ptr[v]..self.ptr[v + 1]]
    }
}

/// Jacobian matrix J = ∂x/∂ξ (rows: x, y, z; columns: ξ, η, ζ).
#[inline]
pub fn jacobian<const N: usize>(
    x: &SMatrix<f64, N, 3>,
    dn: &SMatrix<f64, N, 3>,
) -> nalgebra::Matrix3<f64> {
    x.transpose() * dn
}

/// The centre of an element's nodes, where an error about it points.
pub(crate) fn centre<const N: usize>(x: &SMatrix<f64, N, 3>) -> [f64; 3] {
    [0, 1, 2].map(|i| x.column(i).mean())
}

fn check_element<E: Shape<N>, const N: usize>(x: &SMatrix<f64, N, 3>, id: i64) -> Result<()> {
    let size = (0..3)
        .map(|i| x.column(i).max() - x.column(i).min())
        .fold(0.0, f64::max);
    for (q, (xi, _)) in E::quadrature().iter().enumerate() {
        let det = jacobian(x, &E::gradients(&(*xi).into())).determinant();
        if det.is_nan() || det <= 1e-12 * size.powi(3) {
            return Err(SolverError::BadElement {
                element: id,
                kind: E::KIND.name(),
                at: centre(x),
                det_j: det,
                point: q,
            });
        }
    }
    // A quadratic element can be valid at its integration points and still fold over
    // near a node (swapped corners, a mid-side node pulled across): check the nodes too.
    if E::KIND.is_quadratic() {
        for (k, xi) in crate::element::natural_nodes(E::KIND).iter().enumerate() {
            let det = jacobian(x, &E::gradients(&(*xi).into())).determinant();
            if det.is_nan() || det <= 0.0 {
                return Err(SolverError::FoldedElement {
                    element: id,
                    kind: E::KIND.name(),
                    at: centre(x),
                    det_j: det,
                    node: k,
                });
            }
        }
    }
    Ok(())
}

fn element_volume<E: Shape<N>, const N: usize>(x: &SMatrix<f64, N, 3>) -> f64 {
    E::quadrature()
        .iter()
        .map(|(xi, w)| w * jacobian(x, &E::gradients(&(*xi).into())).determinant())
        .sum()
}

#[cfg(test)]
mod tests {
    use crate::generate::block;
    use crate::{ElementKind, SolverError};

    /// A mid-side node moved past the quarter point of its edge folds the element at
    /// the corner: the integration points can still look fine, the node check does not.
    #[test]
    fn quadratic_elements_folded_at_a_node_are_rejected() {
        for kind in [ElementKind::Tet10, ElementKind::Hex20] {
            let mut mesh = block([1.0, 1.0, 1.0], [1, 1, 1], kind).unwrap();
            mesh.check().unwrap();
            let nodes = mesh.element(0).1.to_vec();
            let (a, b) = (nodes[0], nodes[1]);
            let m = nodes[kind.midside_node(0, 1)];
            mesh.nodes[m] = mesh.nodes[a] + 0.9 * (mesh.nodes[b] - mesh.nodes[a]);
            let e = mesh.check().unwrap_err();
            assert!(
                matches!(
                    e,
                    SolverError::FoldedElement { .. } | SolverError::BadElement { .. }
                ),
                "{kind:?}: {e}"
            );
        }
    }
}
