//! Degrees of freedom: a fixed number of components per node (three displacements, or
//! one temperature), numbered node by node (in node order, or in an order given), with
//! constrained components removed from the system of equations.

/// Equation numbers of the free degrees of freedom.
#[derive(Clone, Debug)]
pub struct DofMap {
    /// `eq[per_node * node + component]`: equation number, or `None` when constrained.
    eq: Vec<Option<usize>>,
    free: Vec<usize>,
    per_node: usize,
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
        let mut free = Vec::new();
        let mut eq = vec![None; constrained.len()];
        for n in order {
            for dof in per_node * n..per_node * (n + 1) {
                if !constrained[dof] {
                    eq[dof] = Some(free.len());
                    free.push(dof);
                }
            }
        }
        Self { eq, free, per_node }
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

    /// Gathers the free entries of a full dof vector.
    pub fn restrict(&self, full: &[f64]) -> Vec<f64> {
        self.free.iter().map(|&d| full[d]).collect()
    }
}
