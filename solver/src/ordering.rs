//! Orderings of the nodes: fill-reducing for the direct factor, bandwidth-reducing for
//! the iterative method.
//!
//! The factor's order is METIS's multilevel nested dissection (`METIS_NodeND`, built
//! from source by the `metis-sys` crate with the C compiler) on the node graph, so the
//! three dofs of a node stay together, which suits supernodes. Measured against the
//! two alternatives (examples/ordering_fill.rs, factor entries per equation): on free
//! Gmsh tet10 meshes METIS leaves half the fill of the geometric nested dissection
//! vproto used before (Gmsh bracket 324 vs 638, LE10 73k 620 vs 1196, LE10 492k 1448
//! vs 2767; structured tet10 box 1262 vs 2216, structured hex8 box 1218 vs 1241) and of
//! faer's minimum degree (374, 902, 2838, 2375, 2199).

use crate::dofs::DofMap;
use crate::error::{Result, SolverError};
use crate::mesh::NodeGraph;

/// Node order for the factor (METIS nested dissection): every node exactly once,
/// separators after the parts they separate.
pub fn nested_dissection(graph: &NodeGraph) -> Result<Vec<usize>> {
    let n = graph.len();
    if n < 2 {
        return Ok((0..n).collect());
    }
    let index = |v: usize| {
        metis_sys::idx_t::try_from(v).map_err(|_| {
            SolverError::LinearSolver(format!(
                "the node graph ({n} nodes) is too large for METIS's 32-bit indices: use [solver] method = \"iterative\""
            ))
        })
    };
    let mut xadj = Vec::with_capacity(n + 1);
    let mut adjncy = Vec::new();
    xadj.push(0);
    for v in 0..n {
        for &m in graph.neighbours(v).iter().filter(|&&m| m != v) {
            adjncy.push(index(m)?);
        }
        xadj.push(index(adjncy.len())?);
    }
    let mut nvtxs = index(n)?;
    let (mut perm, mut iperm) = (vec![0; n], vec![0; n]);
    // SAFETY: arrays of the lengths METIS_NodeND documents (xadj n + 1, adjncy xadj[n],
    // perm and iperm n), a symmetric graph without self-loops; null vertex weights and
    // options select METIS's defaults (a fixed seed: the same order every run).
    let status = unsafe {
        metis_sys::METIS_NodeND(
            &mut nvtxs,
            xadj.as_mut_ptr(),
            adjncy.as_mut_ptr(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            perm.as_mut_ptr(),
            iperm.as_mut_ptr(),
        )
    };
    if status != metis_sys::rstatus_et_METIS_OK {
        return Err(SolverError::LinearSolver(format!(
            "METIS could not order the {n}-node graph (status {status})"
        )));
    }
    Ok(perm.into_iter().map(|p| p as usize).collect())
}

/// Reverse Cuthill–McKee node order: breadth first from a far node of each connected
/// part, neighbours by increasing degree, reversed. Rows then touch unknowns near
/// their own, so the iterative method's products stream through memory instead of
/// jumping across it (a mesh generator's numbering need not be local).
pub fn reverse_cuthill_mckee(graph: &NodeGraph) -> Vec<usize> {
    let n = graph.len();
    let degree = |v: usize| graph.neighbours(v).len();
    let mut level = vec![usize::MAX; n];
    let mut order = Vec::with_capacity(n);
    let mut queue = std::collections::VecDeque::new();
    for seed in 0..n {
        if level[seed] != usize::MAX {
            continue;
        }
        // A far node of this part: the last one reached breadth first from the seed.
        let mut far = seed;
        level[seed] = 0;
        queue.push_back(seed);
        let mut part = Vec::new();
        while let Some(v) = queue.pop_front() {
            far = v;
            part.push(v);
            for &m in graph.neighbours(v) {
                if level[m] == usize::MAX {
                    level[m] = 0;
                    queue.push_back(m);
                }
            }
        }
        part.iter().for_each(|&v| level[v] = usize::MAX);
        let start = order.len();
        level[far] = 0;
        queue.push_back(far);
        let mut next: Vec<usize> = Vec::new();
        while let Some(v) = queue.pop_front() {
            order.push(v);
            next.clear();
            next.extend(
                graph
                    .neighbours(v)
                    .iter()
                    .filter(|&&m| level[m] == usize::MAX),
            );
            next.sort_unstable_by_key(|&m| degree(m));
            for &m in &next {
                level[m] = 0;
                queue.push_back(m);
            }
        }
        order[start..].reverse();
    }
    order
}

/// The equation permutation (forward: position → equation) from a node order.
pub fn equation_order(node_order: &[usize], dofs: &DofMap) -> Vec<usize> {
    node_order
        .iter()
        .flat_map(|&n| {
            let k = dofs.per_node();
            (0..k).filter_map(move |c| dofs.eq(k * n + c))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::block;
    use crate::ElementKind;

    #[test]
    fn reverse_cuthill_mckee_numbers_a_bar_slice_by_slice() {
        let mesh = block([8.0, 1.0, 1.0], [32, 2, 2], ElementKind::Hex8).unwrap();
        let graph = NodeGraph::new(&mesh);
        let order = reverse_cuthill_mckee(&graph);
        let mut sorted = order.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..mesh.nodes.len()).collect::<Vec<_>>());
        // Bandwidth: neighbours at most about two cross-sections (2 × 9 nodes) apart.
        let mut at = vec![0; order.len()];
        order.iter().enumerate().for_each(|(k, &n)| at[n] = k);
        let band = (0..graph.len())
            .flat_map(|v| graph.neighbours(v).iter().map(move |&m| (v, m)))
            .map(|(v, m)| at[v].abs_diff(at[m]))
            .max()
            .unwrap();
        assert!(band <= 2 * 9 + 2, "bandwidth {band}");
    }

    #[test]
    fn nested_dissection_is_a_permutation_with_less_fill_than_minimum_degree() {
        let mesh = block([1.0, 1.0, 1.0], [10, 10, 10], ElementKind::Hex8).unwrap();
        let graph = NodeGraph::new(&mesh);
        let order = nested_dissection(&graph).unwrap();
        let mut sorted = order.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..mesh.nodes.len()).collect::<Vec<_>>());
        let dofs = DofMap::new(&vec![false; 3 * mesh.nodes.len()]);
        let pattern = crate::assembly::stiffness_pattern(&graph, &dofs);
        let fill = |o: Option<&[usize]>| {
            crate::linsolve::SymbolicFactor::analyse(&pattern, o)
                .unwrap()
                .factor_nnz()
        };
        let (nd, amd) = (fill(Some(&equation_order(&order, &dofs))), fill(None));
        assert!(nd < amd, "nested dissection {nd}, minimum degree {amd}");
    }
}
