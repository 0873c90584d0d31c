//! Degrees of freedom: a fixed number of components per node (three displacements, or
//! one temperature), numbered node by node (in node order, or in an order given), with
//! constrained components removed from the system of equations, and the components of
//! tied slave nodes ([`crate::tie`]) expressed through their masters': u = T q + ū.
//! Every analysis goes between the full vectors and the equations through [`DofMap`]
//! (`expand` after a solve, `fold` before one), so ties work in all of them.

use crate::tie::TiedNode;

/// Equation numbers of the free degrees of freedom.
#[derive(Clone, Debug)]
pub struct DofMap {
    /// `eq[per_node * node + component]`: equation number, or `None` when constrained.
    eq: Vec<Option<usize>>,
    free: Vec<usize>,
    per_node: usize,
    /// Tied dofs with their terms' range in `terms`, sorted by dof.
    links: Vec<(usize, std::ops::Range<usize>)>,
    /// (master dof, weight) of every tied dof.
    terms: Vec<(usize, f64)>,
    /// Whether each node has a tied dof (empty without ties).
    tied_node: Vec<bool>,
}

impl DofMap {
    /// Three displacement components per node: numbers every dof not flagged in
    /// `constrained` (length 3 × nodes).
    pub fn new(constrained: &[bool]) -> Self {
        Self::with_components(constrained, 3)
    }

    /// One unknown per node (temperature).
    pub fn scalar(constrained: &[bool]) -> Self {
        Self::with_components(constrained, 1)
    }

    fn with_components(constrained: &[bool], per_node: usize) -> Self {
        let nodes = constrained.len() / per_node;
        Self::in_node_order(constrained, per_node, 0..nodes)
    }

    /// Numbers the nodes' free components node by node in `order` (every node once):
    /// the iterative method's bandwidth-reducing numbering, which keeps the unknowns a
    /// row touches close together in memory.
    pub fn in_node_order(
        constrained: &[bool],
        per_node: usize,
        order: impl IntoIterator<Item = usize>,
    ) -> Self {
        Self::tied(constrained, per_node, order, &[])
    }

    /// Like [`DofMap::in_node_order`], with the components of the tied nodes that are
    /// not constrained following their masters (a constrained one keeps its value).
    pub fn tied(
        constrained: &[bool],
        per_node: usize,
        order: impl IntoIterator<Item = usize>,
        ties: &[TiedNode],
    ) -> Self {
        let mut links = Vec::new();
        let mut terms = Vec::new();
        let mut tied_node = Vec::new();
        let mut dependent = vec![false; constrained.len()];
        if !ties.is_empty() {
            tied_node = vec![false; constrained.len() / per_node];
        }
        for t in ties {
            tied_node[t.node] = true;
            for c in 0..per_node {
                let dof = per_node * t.node + c;
                if constrained[dof] {
                    continue;
                }
                dependent[dof] = true;
                let start = terms.len();
                terms.extend(t.masters.iter().map(|&(m, w)| (per_node * m + c, w)));
                if let Some((n, d)) = t.shift.filter(|_| per_node == 3) {
                    terms.push((3 * n, d[c]));
                }
                links.push((dof, start..terms.len()));
            }
        }
        links.sort_by_key(|l: &(usize, std::ops::Range<usize>)| l.0); // `terms` searches them
        let mut free = Vec::new();
        let mut eq = vec![None; constrained.len()];
        for n in order {
            for dof in per_node * n..per_node * (n + 1) {
                if !constrained[dof] && !dependent[dof] {
                    eq[dof] = Some(free.len());
                    free.push(dof);
                }
            }
        }
        Self {
            eq,
            free,
            per_node,
            links,
            terms,
            tied_node,
        }
    }

    /// Components per node.
    pub fn per_node(&self) -> usize {
        self.per_node
    }

    /// Equation number of global dof `dof` (per_node × node + component).
    #[inline]
    pub fn eq(&self, dof: usize) -> Option<usize> {
        self.eq[dof]
    }

    /// Number of free dofs (equations).
    pub fn free_count(&self) -> usize {
        self.free.len()
    }

    /// Global dof of each equation.
    pub fn free_dofs(&self) -> &[usize] {
        &self.free
    }

    pub fn dof_count(&self) -> usize {
        self.eq.len()
    }

    /// Gathers the free entries of a full dof vector (of values, not forces: see
    /// [`DofMap::fold`]).
    pub fn restrict(&self, full: &[f64]) -> Vec<f64> {
        self.free.iter().map(|&d| full[d]).collect()
    }

    /// Whether any dof follows others.
    pub fn has_ties(&self) -> bool {
        !self.links.is_empty()
    }

    /// Whether node `n` is a tied slave node.
    #[inline]
    pub fn is_tied_node(&self, n: usize) -> bool {
        self.tied_node.get(n).copied().unwrap_or(false)
    }

    /// Sets every tied dof from its masters (u = T q + ū once the equations' and the
    /// prescribed values are in `full`).
    pub fn expand(&self, full: &mut [f64]) {
        for (dof, range) in &self.links {
            full[*dof] = self.terms[range.clone()]
                .iter()
                .map(|&(m, w)| w * full[m])
                .sum();
        }
    }

    /// Moves the forces on tied dofs to their masters (Tᵀ f, tied entries zeroed): a
    /// force vector's free entries are then the right-hand side of the equations, and
    /// its prescribed entries the forces the supports carry.
    pub fn fold(&self, full: &mut [f64]) {
        for (dof, range) in &self.links {
            let f = std::mem::take(&mut full[*dof]);
            for &(m, w) in &self.terms[range.clone()] {
                full[m] += w * f;
            }
        }
    }

    /// The equations (with their weights) a dof's value is made of: its own, its
    /// masters' for a tied dof, none for a prescribed one.
    pub fn terms(&self, dof: usize, out: &mut Vec<(usize, f64)>) {
        out.clear();
        if let Some(e) = self.eq[dof] {
            out.push((e, 1.0));
        } else if let Ok(i) = self.links.binary_search_by_key(&dof, |l| l.0) {
            let range = self.links[i].1.clone();
            out.extend(
                self.terms[range]
                    .iter()
                    .filter_map(|&(m, w)| self.eq[m].map(|e| (e, w))),
            );
        }
    }
}
