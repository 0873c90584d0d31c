//! Triangular solves with a supernodal Cholesky factor for one right-hand side, in
//! parallel over independent subtrees of its elimination tree.
//!
//! Why: a solve with one right-hand side reads every entry of the factor once for two
//! flops, so it runs at the memory bandwidth of the cores that do it, and faer's
//! supernodal solve walks the supernodes one after another on one core (measured here:
//! 9.7 GB/s from one core, 19.3 GB/s from two). Repeated solves with one factor — every
//! step of a direct transient, every Lanczos iteration, every preconditioning of the
//! mixed-precision iteration — are bound by that. Supernodes in disjoint subtrees of the
//! elimination tree work on disjoint unknowns and only send updates to their common
//! ancestors: each subtree is solved by its own task on a local copy of its unknowns,
//! gathering the updates for rows outside it in a private buffer added once all tasks
//! are done; the supernodes above the subtrees (the top separators) follow in order,
//! a large one shared out by faer's dense kernels. Backward, the top goes first and the
//! subtrees read its values. Each supernode's work is faer's dense triangular solve and
//! product, as in its own solve; only the order of the independent updates differs.

use crate::linsolve::FactorScalar;
use faer::linalg::matmul::matmul;
use faer::linalg::triangular_solve::{
    solve_lower_triangular_in_place, solve_upper_triangular_in_place,
};
use faer::reborrow::{Reborrow, ReborrowMut};
use faer::sparse::linalg::cholesky::supernodal::SymbolicSupernodalCholesky;
use faer::{Accum, MatMut, MatRef, Par};
use rayon::prelude::*;

/// Subtrees of the supernodal elimination tree solved in parallel, and the supernodes
/// above them.
#[derive(Clone, Debug)]
pub(crate) struct Plan {
    subtrees: Vec<Subtree>,
    /// Supernodes in no subtree, ascending, and their columns.
    top: Vec<usize>,
    top_columns: Vec<usize>,
    /// Per column: its subtree (`NONE` above them) and its place in that subtree's
    /// local vector (or among `top_columns`).
    owner: Vec<u32>,
    place: Vec<u32>,
}

/// A whole subtree: its supernodes (ascending: children first) and their columns, in
/// that order (each supernode's columns contiguous).
#[derive(Clone, Debug)]
struct Subtree {
    supernodes: Vec<usize>,
    columns: Vec<usize>,
}

const NONE: u32 = u32::MAX;
/// Entries of a supernode above the subtrees from which faer's kernels share it out.
const PARALLEL_SUPERNODE: usize = 1 << 22;

impl Plan {
    /// A plan for `tasks` threads, or None when the tree offers nothing to share out.
    pub(crate) fn new(sym: &SymbolicSupernodalCholesky<usize>, tasks: usize) -> Option<Self> {
        let ns = sym.n_supernodes();
        let (begin, end) = (sym.supernode_begin(), sym.supernode_end());
        let n = sym.nrows();
        if tasks < 2 || ns < 2 || n >= NONE as usize {
            return None;
        }
        let parent: Vec<Option<usize>> = (0..ns)
            .map(|s| {
                let c = *sym.supernode(s).pattern().first()?;
                Some(begin.partition_point(|&b| b <= c) - 1)
            })
            .collect();
        let mut weight: Vec<f64> = (0..ns)
            .map(|s| {
                let cols = (end[s] - begin[s]) as f64;
                cols * (cols + sym.supernode(s).pattern().len() as f64)
            })
            .collect();
        let mut children = vec![Vec::new(); ns];
        for s in 0..ns {
            if let Some(p) = parent[s] {
                if p <= s {
                    return None;
                }
                weight[p] += weight[s];
                children[p].push(s);
            }
        }
        let roots: Vec<usize> = (0..ns).filter(|&s| parent[s].is_none()).collect();
        let total: f64 = roots.iter().map(|&s| weight[s]).sum();
        let (mut open, mut top) = (roots, Vec::new());
        // Split the heaviest subtree until each is a small share of the whole.
        while open.len() < 8 * tasks {
            let (k, &h) = open
                .iter()
                .enumerate()
                .max_by(|a, b| weight[*a.1].total_cmp(&weight[*b.1]))?;
            if weight[h] <= total / (4 * tasks) as f64 || children[h].is_empty() {
                break;
            }
            open.swap_remove(k);
            top.push(h);
            open.extend(&children[h]);
        }
        if open.len() < 2 {
            return None;
        }
        top.sort_unstable();
        let (mut owner, mut place) = (vec![NONE; n], vec![NONE; n]);
        let subtrees = open
            .iter()
            .enumerate()
            .map(|(id, &root)| {
                let mut supernodes = vec![root];
                let mut k = 0;
                while k < supernodes.len() {
                    supernodes.extend(&children[supernodes[k]]);
                    k += 1;
                }
                supernodes.sort_unstable();
                let columns: Vec<usize> =
                    supernodes.iter().flat_map(|&s| begin[s]..end[s]).collect();
                for (i, &c) in columns.iter().enumerate() {
                    (owner[c], place[c]) = (id as u32, i as u32);
                }
                Subtree {
                    supernodes,
                    columns,
                }
            })
            .collect();
        // Rows outside a subtree are its ancestors' columns, all above the subtrees:
        // numbered in order, they index each task's buffer of outside updates.
        let top_columns: Vec<usize> = top.iter().flat_map(|&s| begin[s]..end[s]).collect();
        for (i, &c) in top_columns.iter().enumerate() {
            place[c] = i as u32;
        }
        Some(Self {
            subtrees,
            top,
            top_columns,
            owner,
            place,
        })
    }

    /// Solves L Lᵀ x = b in place (`x` holds b, in the factor's permuted order).
    pub(crate) fn solve<T: FactorScalar>(
        &self,
        sym: &SymbolicSupernodalCholesky<usize>,
        values: &[T],
        x: &mut [T],
    ) {
        let l = Factor { sym, values };
        self.forward(&l, x);
        self.backward(&l, x);
    }

    fn forward<T: FactorScalar>(&self, l: &Factor<T>, x: &mut [T]) {
        let zero = T::from_f64(0.0);
        let done: Vec<(Vec<T>, Vec<T>)> = {
            let x = &*x;
            self.subtrees
                .par_iter()
                .enumerate()
                .map(|(id, t)| {
                    let mut local: Vec<T> = t.columns.iter().map(|&c| x[c]).collect();
                    let mut outside = vec![zero; self.top_columns.len()];
                    let mut w = Vec::new();
                    for &s in &t.supernodes {
                        let at = self.place[l.sym.supernode_begin()[s]] as usize;
                        let pattern = l.forward(s, &mut local[at..], &mut w, Par::Seq);
                        for (&r, &v) in pattern.iter().zip(&w) {
                            if self.owner[r] == id as u32 {
                                local[self.place[r] as usize] += v;
                            } else {
                                debug_assert_eq!(self.owner[r], NONE);
                                outside[self.place[r] as usize] += v;
                            }
                        }
                    }
                    (local, outside)
                })
                .collect()
        };
        for (t, (local, outside)) in self.subtrees.iter().zip(done) {
            t.columns.iter().zip(local).for_each(|(&c, v)| x[c] = v);
            self.top_columns
                .iter()
                .zip(outside)
                .for_each(|(&c, v)| x[c] += v);
        }
        let mut w = Vec::new();
        for &s in &self.top {
            let b = l.sym.supernode_begin()[s];
            let pattern = l.forward(s, &mut x[b..], &mut w, l.par(s));
            for (&r, &v) in pattern.iter().zip(&w) {
                x[r] += v;
            }
        }
    }

    fn backward<T: FactorScalar>(&self, l: &Factor<T>, x: &mut [T]) {
        let mut w = Vec::new();
        for &s in self.top.iter().rev() {
            let (b, cols) = (l.sym.supernode_begin()[s], l.columns(s));
            // The pattern's rows lie after the supernode's own columns.
            let (mine, after) = x[b..].split_at_mut(cols);
            let values = l.pattern(s).iter().map(|&r| after[r - b - cols]);
            l.backward(s, mine, values, &mut w, l.par(s));
        }
        let done: Vec<Vec<T>> = {
            let x = &*x;
            self.subtrees
                .par_iter()
                .enumerate()
                .map(|(id, t)| {
                    let mut local: Vec<T> = t.columns.iter().map(|&c| x[c]).collect();
                    let mut w = Vec::new();
                    for &s in t.supernodes.iter().rev() {
                        let at = self.place[l.sym.supernode_begin()[s]] as usize;
                        let cols = l.columns(s);
                        // Its ancestors in the subtree come later in `local`.
                        let (mine, after) = local[at..].split_at_mut(cols);
                        let values = l.pattern(s).iter().map(|&r| {
                            if self.owner[r] == id as u32 {
                                after[self.place[r] as usize - at - cols]
                            } else {
                                x[r]
                            }
                        });
                        l.backward(s, mine, values, &mut w, Par::Seq);
                    }
                    local
                })
                .collect()
        };
        for (t, local) in self.subtrees.iter().zip(done) {
            t.columns.iter().zip(local).for_each(|(&c, v)| x[c] = v);
        }
    }
}

/// The factor's values with its symbolic structure.
struct Factor<'a, T> {
    sym: &'a SymbolicSupernodalCholesky<usize>,
    values: &'a [T],
}

impl<T: FactorScalar> Factor<'_, T> {
    fn columns(&self, s: usize) -> usize {
        self.sym.supernode_end()[s] - self.sym.supernode_begin()[s]
    }

    fn pattern(&self, s: usize) -> &[usize] {
        self.sym.supernode(s).pattern()
    }

    /// Supernode `s`'s values, column-major with `columns + pattern` rows.
    fn values(&self, s: usize) -> &[T] {
        let ptr = self.sym.col_ptr_for_val();
        &self.values[ptr[s]..ptr[s + 1]]
    }

    /// Threads for a supernode above the subtrees: all of them for a large one (the
    /// dense kernels split it), one for a small one (where splitting costs more).
    fn par(&self, s: usize) -> Par {
        if self.values(s).len() >= PARALLEL_SUPERNODE {
            Par::rayon(0)
        } else {
            Par::Seq
        }
    }

    /// Supernode `s`'s diagonal block and the rows below it.
    fn blocks(&self, s: usize) -> (MatRef<'_, T>, MatRef<'_, T>) {
        let cols = self.columns(s);
        let rows = cols + self.pattern(s).len();
        MatRef::from_column_major_slice(self.values(s), rows, cols).split_at_row(cols)
    }

    /// Forward substitution through supernode `s`, whose unknowns start `xs`: solves
    /// its diagonal block in place and leaves in `w` the updates −L_bot x_s for the
    /// rows of its pattern, which it returns.
    fn forward(&self, s: usize, xs: &mut [T], w: &mut Vec<T>, par: Par) -> &[usize] {
        let (top, bottom) = self.blocks(s);
        let mut x = MatMut::from_column_major_slice_mut(&mut xs[..top.ncols()], top.ncols(), 1);
        solve_lower_triangular_in_place(top, x.rb_mut(), par);
        w.clear();
        w.resize(bottom.nrows(), T::from_f64(0.0));
        let out = MatMut::from_column_major_slice_mut(w, bottom.nrows(), 1);
        matmul(out, Accum::Replace, bottom, x.rb(), T::from_f64(-1.0), par);
        self.pattern(s)
    }

    /// Backward substitution through supernode `s`: x_s ← L_sᵀ⁻¹ (x_s − L_botᵀ x_p),
    /// `xs` its unknowns, `pattern_values` x at the rows of its pattern (solved).
    fn backward(
        &self,
        s: usize,
        xs: &mut [T],
        pattern_values: impl Iterator<Item = T>,
        w: &mut Vec<T>,
        par: Par,
    ) {
        let (top, bottom) = self.blocks(s);
        w.clear();
        w.extend(pattern_values);
        let after = MatRef::from_column_major_slice(w, bottom.nrows(), 1);
        let mut x = MatMut::from_column_major_slice_mut(&mut xs[..top.ncols()], top.ncols(), 1);
        matmul(
            x.rb_mut(),
            Accum::Add,
            bottom.transpose(),
            after,
            T::from_f64(-1.0),
            par,
        );
        solve_upper_triangular_in_place(top.transpose(), x, par);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linsolve::{Cholesky, SymbolicFactor};
    use faer::sparse::{SparseColMatRef, SymbolicSparseColMat};

    /// Upper triangle of the 7-point Laplacian on an n³ grid plus a small shift.
    fn laplacian(n: usize) -> (SymbolicSparseColMat<usize>, Vec<f64>) {
        let id = |i: usize, j: usize, k: usize| i + n * (j + n * k);
        let (mut ptr, mut rows, mut vals) = (vec![0], Vec::new(), Vec::new());
        for k in 0..n {
            for j in 0..n {
                for i in 0..n {
                    let me = id(i, j, k);
                    let mut below = Vec::new();
                    if k > 0 {
                        below.push(id(i, j, k - 1));
                    }
                    if j > 0 {
                        below.push(id(i, j - 1, k));
                    }
                    if i > 0 {
                        below.push(id(i - 1, j, k));
                    }
                    below.sort_unstable();
                    for r in below {
                        rows.push(r);
                        vals.push(-1.0);
                    }
                    rows.push(me);
                    vals.push(6.01);
                    ptr.push(rows.len());
                }
            }
        }
        let m = n * n * n;
        (
            SymbolicSparseColMat::new_checked(m, m, ptr, None, rows),
            vals,
        )
    }

    fn solve_both<T: FactorScalar>(tasks: usize) {
        let (p, v) = laplacian(24);
        let v: Vec<T> = v.iter().map(|&x| T::from_f64(x)).collect();
        let s = SymbolicFactor::analyse(&p, None).unwrap();
        let chol = Cholesky::<T>::factor(&s, SparseColMatRef::new(p.as_ref(), &v)).unwrap();
        let (sym, _) = chol.supernodal().expect("a supernodal factor");
        let plan = Plan::new(sym, tasks).expect("a tree to share out");
        assert!(plan.subtrees.len() >= tasks);
        let b: Vec<T> = (0..p.ncols())
            .map(|i| T::from_f64(((i * 7919) % 101) as f64 - 50.0))
            .collect();
        let mut ours_mat = faer::Mat::<T>::from_fn(b.len(), 1, |i, _| b[i]);
        chol.solve_planned(&plan, ours_mat.as_mut());
        let ours: Vec<T> = (0..b.len()).map(|i| ours_mat[(i, 0)]).collect();
        let mut theirs = faer::Mat::<T>::from_fn(b.len(), 1, |i, _| b[i]);
        chol.solve_sequential(theirs.as_mut());
        let scale = ours.iter().fold(0.0f64, |m, &x| m.max(x.into().abs()));
        let worst = (0..b.len()).fold(0.0f64, |m, i| {
            m.max((ours[i].into() - theirs[(i, 0)].into()).abs())
        });
        let tol = if std::mem::size_of::<T>() == 4 {
            1e-4
        } else {
            1e-12
        };
        assert!(worst <= tol * scale, "{tasks} tasks: {worst} of {scale}");
    }

    /// The tree-parallel solve gives the sequential one's answer, in double and single
    /// precision, for two and eight tasks.
    #[test]
    fn parallel_solve_equals_the_sequential_one() {
        solve_both::<f64>(2);
        solve_both::<f64>(8);
        solve_both::<f32>(2);
    }
}
