//! Smoothed-aggregation algebraic multigrid as a preconditioner for conjugate gradients:
//! the solver for models whose direct factor would not fit in memory.
//!
//! Why this design. An elastic body's stiffness has near-null space spanned by its six
//! rigid-body motions; a multigrid hierarchy whose coarse spaces contain them converges
//! in a number of iterations nearly independent of the mesh size (Vaněk, Mandel and
//! Brezina 1996). Each level groups the nodes of the level below into aggregates (a
//! node and its strongly connected neighbours), restricts the rigid-body modes to each
//! aggregate and orthonormalises them there (the tentative prolongator T, whose
//! triangular factors are the next level's near-null space), smooths T by one damped
//! Jacobi step, P = (I − ω D⁻¹A) T, and forms the coarse matrix Pᵀ A P. The V-cycle
//! smooths with Chebyshev polynomials in D⁻¹A (symmetric, as CG needs, and as parallel
//! as a product with A); the coarsest level is solved by a dense Cholesky factor.
//! Memory is a few times that of A, never that of a factor.

use crate::error::{Result, SolverError};
use nalgebra::{DMatrix, DVector};
use rayon::prelude::*;

/// A sparse matrix in compressed rows.
#[derive(Clone, Debug, Default)]
pub struct Csr {
    pub nrows: usize,
    pub ncols: usize,
    pub ptr: Vec<usize>,
    pub idx: Vec<u32>,
    pub val: Vec<f64>,
}

impl Csr {
    /// The full matrix of a symmetric one stored as its upper triangle in compressed
    /// columns (as the stiffness is assembled).
    pub fn from_upper(n: usize, col_ptr: &[usize], row_idx: &[usize], val: &[f64]) -> Self {
        let mut count = vec![0usize; n + 1];
        for j in 0..n {
            for &i in &row_idx[col_ptr[j]..col_ptr[j + 1]] {
                count[i + 1] += 1;
                if i != j {
                    count[j + 1] += 1;
                }
            }
        }
        for i in 0..n {
            count[i + 1] += count[i];
        }
        let ptr = count.clone();
        let mut fill = count;
        let nnz = ptr[n];
        let (mut idx, mut v) = (vec![0u32; nnz], vec![0.0; nnz]);
        // Columns in increasing order give every row its entries sorted.
        for j in 0..n {
            for k in col_ptr[j]..col_ptr[j + 1] {
                let i = row_idx[k];
                idx[fill[i]] = j as u32;
                v[fill[i]] = val[k];
                fill[i] += 1;
                if i != j {
                    idx[fill[j]] = i as u32;
                    v[fill[j]] = val[k];
                    fill[j] += 1;
                }
            }
        }
        Self {
            nrows: n,
            ncols: n,
            ptr,
            idx,
            val: v,
        }
    }

    pub fn nnz(&self) -> usize {
        self.val.len()
    }

    fn row(&self, i: usize) -> (&[u32], &[f64]) {
        let r = self.ptr[i]..self.ptr[i + 1];
        (&self.idx[r.clone()], &self.val[r])
    }

    /// y = A x, in parallel over rows.
    pub fn apply(&self, x: &[f64], y: &mut [f64]) {
        y.par_chunks_mut(1024).enumerate().for_each(|(c, chunk)| {
            for (k, yi) in chunk.iter_mut().enumerate() {
                let (cols, vals) = self.row(c * 1024 + k);
                *yi = cols
                    .iter()
                    .zip(vals)
                    .map(|(&j, &a)| a * x[j as usize])
                    .sum();
            }
        });
    }

    /// A x in a new vector.
    pub fn mul(&self, x: &[f64]) -> Vec<f64> {
        let mut y = vec![0.0; self.nrows];
        self.apply(x, &mut y);
        y
    }

    pub fn diagonal(&self) -> Vec<f64> {
        (0..self.nrows)
            .map(|i| {
                let (cols, vals) = self.row(i);
                cols.iter()
                    .zip(vals)
                    .find(|(&j, _)| j as usize == i)
                    .map_or(0.0, |(_, &a)| a)
            })
            .collect()
    }

    /// Rows `range` of Aᵀ (the entries of A in columns `range`), so that a transpose
    /// can be used a block at a time and never held whole.
    fn transpose_rows(&self, range: std::ops::Range<usize>) -> Self {
        let (first, n) = (range.start, range.len());
        let inside = |j: u32| range.contains(&(j as usize));
        let mut count = vec![0usize; n + 1];
        for &j in self.idx.iter().filter(|&&j| inside(j)) {
            count[j as usize - first + 1] += 1;
        }
        for j in 0..n {
            count[j + 1] += count[j];
        }
        let ptr = count.clone();
        let mut fill = count;
        let (mut idx, mut val) = (vec![0u32; ptr[n]], vec![0.0; ptr[n]]);
        for i in 0..self.nrows {
            let (cols, vals) = self.row(i);
            for (&j, &a) in cols.iter().zip(vals).filter(|(&j, _)| inside(j)) {
                let at = &mut fill[j as usize - first];
                idx[*at] = i as u32;
                val[*at] = a;
                *at += 1;
            }
        }
        Self {
            nrows: n,
            ncols: self.nrows,
            ptr,
            idx,
            val,
        }
    }

    /// y = Aᵀ x without forming Aᵀ: each of `parts` scatters a block of rows into its
    /// own vector (as long as y, which is short for a prolongator), then they are summed.
    pub fn apply_transpose(&self, x: &[f64], y: &mut [f64], parts: &mut [Vec<f64>]) {
        let step = self.nrows.div_ceil(parts.len().max(1));
        parts.par_iter_mut().enumerate().for_each(|(c, part)| {
            part.fill(0.0);
            let rows = (c * step).min(self.nrows)..((c + 1) * step).min(self.nrows);
            for (i, xi) in rows.clone().zip(&x[rows]) {
                let (cols, vals) = self.row(i);
                for (&j, &a) in cols.iter().zip(vals) {
                    part[j as usize] += a * xi;
                }
            }
        });
        y.par_iter_mut()
            .enumerate()
            .for_each(|(j, y)| *y = parts.iter().map(|p| p[j]).sum());
    }

    /// A B by rows (Gustavson), in parallel over blocks of rows of A: a symbolic pass
    /// counts each row's entries, so the product is written once into arrays of its
    /// exact size (no per-block pieces copied together: the set-up's memory peak).
    pub fn times(&self, b: &Csr) -> Self {
        self.times_rows(0..self.nrows, b)
    }

    /// Rows `range` of A B (see [`Csr::times`]).
    fn times_rows(&self, range: std::ops::Range<usize>, b: &Csr) -> Self {
        let (first, nrows) = (range.start, range.len());
        // Rows per task: at most 256, and enough tasks to keep every thread busy on a
        // short, dense coarse matrix.
        let chunk = nrows
            .div_ceil(4 * rayon::current_num_threads())
            .clamp(1, 256);
        let blocks = nrows.div_ceil(chunk);
        let rows = |c: usize| first + c * chunk..first + ((c + 1) * chunk).min(nrows);
        let mut lens = vec![0usize; nrows];
        lens.par_chunks_mut(chunk)
            .enumerate()
            .for_each(|(c, lens)| {
                let mut marker = vec![usize::MAX; b.ncols];
                for (i, len) in rows(c).zip(lens) {
                    let (ac, _) = self.row(i);
                    for &k in ac {
                        for &j in b.row(k as usize).0 {
                            if marker[j as usize] != i {
                                marker[j as usize] = i;
                                *len += 1;
                            }
                        }
                    }
                }
            });
        let mut ptr = Vec::with_capacity(nrows + 1);
        ptr.push(0);
        for l in lens {
            ptr.push(ptr[ptr.len() - 1] + l);
        }
        let (mut idx, mut val) = (vec![0u32; ptr[nrows]], vec![0.0; ptr[nrows]]);
        let mut pieces = Vec::with_capacity(blocks);
        let (mut idx_rest, mut val_rest) = (idx.as_mut_slice(), val.as_mut_slice());
        for c in 0..blocks {
            let r = rows(c);
            let len = ptr[r.end - first] - ptr[r.start - first];
            let (i, rest) = std::mem::take(&mut idx_rest).split_at_mut(len);
            let (v, vrest) = std::mem::take(&mut val_rest).split_at_mut(len);
            (idx_rest, val_rest) = (rest, vrest);
            pieces.push((c, i, v));
        }
        pieces.into_par_iter().for_each(|(c, idx, val)| {
            let mut marker = vec![usize::MAX; b.ncols];
            let mut acc = vec![0.0; b.ncols];
            let mut at = 0;
            for i in rows(c) {
                let start = at;
                let (ac, av) = self.row(i);
                for (&k, &a) in ac.iter().zip(av.iter()) {
                    let (bc, bv) = b.row(k as usize);
                    for (&j, &v) in bc.iter().zip(bv) {
                        let j = j as usize;
                        if marker[j] != i {
                            marker[j] = i;
                            acc[j] = 0.0;
                            idx[at] = j as u32;
                            at += 1;
                        }
                        acc[j] += a * v;
                    }
                }
                idx[start..at].sort_unstable();
                for (&j, v) in idx[start..at].iter().zip(&mut val[start..at]) {
                    *v = acc[j as usize];
                }
            }
        });
        Self {
            nrows,
            ncols: b.ncols,
            ptr,
            idx,
            val,
        }
    }

    /// The Galerkin product Pᵀ A P as (Pᵀ A) P, a block of coarse rows at a time:
    /// neither Pᵀ nor Pᵀ A (as large as A) is ever held whole.
    fn galerkin(a: &Csr, p: &Csr) -> Self {
        const BLOCKS: usize = 8;
        let step = p.ncols.div_ceil(BLOCKS).max(1);
        let mut out = Self {
            nrows: p.ncols,
            ncols: p.ncols,
            ptr: vec![0],
            idx: Vec::new(),
            val: Vec::new(),
        };
        for start in (0..p.ncols).step_by(step) {
            let r = p.transpose_rows(start..(start + step).min(p.ncols));
            let block = r.times(a).times(p);
            let base = out.idx.len();
            out.ptr.extend(block.ptr[1..].iter().map(|q| base + q));
            out.idx.extend_from_slice(&block.idx);
            out.val.extend_from_slice(&block.val);
        }
        out
    }
}

/// Aggregates of the nodes of a level: `agg[node]` (or `usize::MAX` for a node with no
/// unknowns), and their count. Strong connections: ‖A_ab‖_F ≥ θ √(‖A_aa‖ ‖A_bb‖).
fn aggregate(a: &Csr, node_of: &[usize], nodes: usize, theta: f64) -> (Vec<usize>, usize) {
    // Node-level strength graph from the squared entries of each node pair's block,
    // built a block of nodes at a time with one accumulator per task.
    let mut dofs_of: Vec<Vec<usize>> = vec![Vec::new(); nodes];
    for (i, &n) in node_of.iter().enumerate() {
        dofs_of[n].push(i);
    }
    let chunk = nodes.div_ceil(8 * rayon::current_num_threads()).max(64);
    let graph: Vec<Vec<(usize, f64)>> = dofs_of
        .par_chunks(chunk)
        .flat_map_iter(|block| {
            let mut sum = vec![0.0; nodes];
            let mut seen = vec![false; nodes];
            let mut out = Vec::with_capacity(block.len());
            for dofs in block {
                let mut row: Vec<usize> = Vec::new();
                for &i in dofs {
                    let (cols, vals) = a.row(i);
                    for (&j, &v) in cols.iter().zip(vals) {
                        let b = node_of[j as usize];
                        if !seen[b] {
                            seen[b] = true;
                            sum[b] = 0.0;
                            row.push(b);
                        }
                        sum[b] += v * v;
                    }
                }
                row.sort_unstable();
                out.push(
                    row.iter()
                        .map(|&b| {
                            seen[b] = false;
                            (b, sum[b])
                        })
                        .collect::<Vec<_>>(),
                );
            }
            out
        })
        .collect();
    let diag: Vec<f64> = graph
        .iter()
        .enumerate()
        .map(|(a, r)| r.iter().find(|e| e.0 == a).map_or(0.0, |e| e.1.sqrt()))
        .collect();
    let strong: Vec<Vec<usize>> = graph
        .iter()
        .enumerate()
        .map(|(a, r)| {
            r.iter()
                .filter(|&&(b, s)| b != a && s.sqrt() >= theta * (diag[a] * diag[b]).sqrt())
                .map(|e| e.0)
                .collect()
        })
        .collect();
    let mut agg = vec![usize::MAX; nodes];
    let mut count = 0;
    let has_dofs: Vec<bool> = {
        let mut h = vec![false; nodes];
        node_of.iter().for_each(|&n| h[n] = true);
        h
    };
    // Pass 1: a node whose strong neighbours are all free roots an aggregate of them.
    for n in 0..nodes {
        if !has_dofs[n] || agg[n] != usize::MAX {
            continue;
        }
        if strong[n].iter().all(|&m| agg[m] == usize::MAX) {
            agg[n] = count;
            for &m in &strong[n] {
                agg[m] = count;
            }
            count += 1;
        }
    }
    // Pass 2: a node left joins the aggregate of a strong neighbour; pass 3: alone.
    let first = agg.clone();
    for n in 0..nodes {
        if has_dofs[n] && agg[n] == usize::MAX {
            if let Some(&m) = strong[n].iter().find(|&&m| first[m] != usize::MAX) {
                agg[n] = first[m];
            }
        }
    }
    for n in 0..nodes {
        if has_dofs[n] && agg[n] == usize::MAX {
            agg[n] = count;
            count += 1;
        }
    }
    (agg, count)
}

/// The tentative prolongator: on each aggregate the near-null vectors restricted to
/// its unknowns, orthonormalised (modified Gram–Schmidt, dropping dependent ones); and
/// the coarse near-null space (the triangular factors) with the coarse node of each
/// coarse unknown.
fn tentative(
    dof_agg: &[usize],
    aggregates: usize,
    null: &[Vec<f64>],
) -> (Csr, Vec<Vec<f64>>, Vec<usize>) {
    let k = null.len();
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); aggregates];
    for (i, &g) in dof_agg.iter().enumerate() {
        members[g].push(i);
    }
    // Per aggregate: Q (rows × kept) and R (kept × k).
    let local: Vec<(DMatrix<f64>, DMatrix<f64>)> = members
        .par_iter()
        .map(|rows| {
            let mut q: Vec<DVector<f64>> = Vec::new();
            let mut r = DMatrix::<f64>::zeros(k, k);
            for c in 0..k {
                let mut v = DVector::from_iterator(rows.len(), rows.iter().map(|&i| null[c][i]));
                let scale = v.norm();
                for (p, qp) in q.iter().enumerate() {
                    let d = qp.dot(&v);
                    r[(p, c)] = d;
                    v -= qp * d;
                }
                let n = v.norm();
                if n > 1e-10 * scale.max(f64::MIN_POSITIVE) && q.len() < rows.len() {
                    r[(q.len(), c)] = n;
                    q.push(v / n);
                }
            }
            let kept = q.len();
            let qm = DMatrix::from_fn(rows.len(), kept, |i, j| q[j][i]);
            (qm, r.rows(0, kept).into_owned())
        })
        .collect();
    let mut offset = vec![0usize; aggregates + 1];
    for g in 0..aggregates {
        offset[g + 1] = offset[g] + local[g].0.ncols();
    }
    let nc = offset[aggregates];
    let n = dof_agg.len();
    let mut ptr = vec![0usize; n + 1];
    let (mut idx, mut val) = (Vec::new(), Vec::new());
    let mut position = vec![0usize; n];
    for rows in &members {
        for (p, &i) in rows.iter().enumerate() {
            position[i] = p;
        }
    }
    for i in 0..n {
        let g = dof_agg[i];
        let q = &local[g].0;
        for c in 0..q.ncols() {
            idx.push((offset[g] + c) as u32);
            val.push(q[(position[i], c)]);
        }
        ptr[i + 1] = idx.len();
    }
    let mut coarse_null = vec![vec![0.0; nc]; k];
    let mut coarse_node = vec![0usize; nc];
    for g in 0..aggregates {
        let r = &local[g].1;
        for p in 0..r.nrows() {
            coarse_node[offset[g] + p] = g;
            for (c, col) in coarse_null.iter_mut().enumerate() {
                col[offset[g] + p] = r[(p, c)];
            }
        }
    }
    (
        Csr {
            nrows: n,
            ncols: nc,
            ptr,
            idx,
            val,
        },
        coarse_null,
        coarse_node,
    )
}

/// The largest eigenvalue of D⁻¹A, by a few power iterations (an estimate from below,
/// padded by the callers).
fn spectral_radius(a: &Csr, inv_diag: &[f64]) -> f64 {
    let n = a.nrows;
    let mut x: Vec<f64> = (0..n)
        .map(|i| 1.0 + ((i * 7919) % 13) as f64 / 13.0)
        .collect();
    let mut y = vec![0.0; n];
    let mut rho = 0.0;
    for _ in 0..20 {
        let norm = x.iter().map(|v| v * v).sum::<f64>().sqrt();
        x.iter_mut().for_each(|v| *v /= norm);
        a.apply(&x, &mut y);
        y.iter_mut().zip(inv_diag).for_each(|(v, d)| *v *= d);
        rho = x.iter().zip(&y).map(|(p, q)| p * q).sum::<f64>();
        std::mem::swap(&mut x, &mut y);
    }
    rho.abs()
}

struct Level {
    a: Csr,
    inv_diag: Vec<f64>,
    /// Upper bound of the spectrum of D⁻¹A.
    rho: f64,
    /// Prolongator; restriction is its transpose, applied without forming it.
    p: Csr,
}

impl std::fmt::Debug for Amg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Amg")
            .field("sizes", &self.sizes)
            .field("operator_complexity", &self.operator_complexity)
            .finish()
    }
}

/// An algebraic multigrid hierarchy of a symmetric positive definite matrix.
pub struct Amg {
    levels: Vec<Level>,
    coarsest: nalgebra::Cholesky<f64, nalgebra::Dyn>,
    coarse_a: Csr,
    /// Unknowns per level, finest first.
    pub sizes: Vec<usize>,
    /// Stored entries over all levels ÷ entries of the finest matrix.
    pub operator_complexity: f64,
}

/// Unknowns below which a level is solved directly.
const COARSEST: usize = 1500;
/// Strength threshold of aggregation.
const THETA: f64 = 0.02;
/// Chebyshev smoothing degree.
const DEGREE: usize = 2;

impl Amg {
    /// Builds the hierarchy of `a` with near-null space `null` (for elasticity the six
    /// rigid-body motions over the free unknowns); `node_of[i]` groups the unknowns into
    /// nodes (the three displacements of a node).
    pub fn new(a: Csr, null: Vec<Vec<f64>>, node_of: Vec<usize>) -> Result<Self> {
        let fine_nnz = a.nnz() as f64;
        let mut total = 0.0;
        let mut levels = Vec::new();
        let mut sizes = vec![a.nrows];
        let (mut a, mut null, mut node_of) = (a, null, node_of);
        while a.nrows > COARSEST && levels.len() < 12 {
            let nodes = node_of.iter().max().map_or(0, |m| m + 1);
            let clock = std::time::Instant::now();
            let lap = |what: &str| {
                tracing::debug!(
                    level = levels.len(),
                    seconds = format!("{:.3}", clock.elapsed().as_secs_f64()),
                    "multigrid setup: {what}"
                );
            };
            let (agg, count) = aggregate(&a, &node_of, nodes, THETA);
            crate::memory::release_freed();
            lap("aggregated");
            let dof_agg: Vec<usize> = node_of.iter().map(|&n| agg[n]).collect();
            let (t, coarse_null, coarse_node) = tentative(&dof_agg, count, &null);
            lap("tentative prolongator");
            if t.ncols >= a.nrows {
                break; // no coarsening: solve this level directly
            }
            let diag = a.diagonal();
            if let Some(i) = diag.iter().position(|d| d.is_nan() || *d <= 0.0) {
                return Err(SolverError::LinearSolver(format!(
                    "multigrid: equation {i} has a non-positive diagonal ({:e}): the stiffness is not positive definite",
                    diag[i]
                )));
            }
            let inv_diag: Vec<f64> = diag.iter().map(|d| 1.0 / d).collect();
            let rho = spectral_radius(&a, &inv_diag) * 1.1;
            lap("spectral radius");
            // P = (I − ω D⁻¹A) T, ω = 4 / (3ρ).
            let omega = 4.0 / (3.0 * rho);
            let at = a.times(&t);
            let p = smooth_prolongator(&t, &at, &inv_diag, omega);
            drop(at);
            lap("smoothed prolongator");
            let coarse = Csr::galerkin(&a, &p);
            crate::memory::release_freed();
            lap("coarse matrix");
            tracing::debug!(
                a = a.nnz(),
                p = p.nnz(),
                coarse = coarse.nnz(),
                "multigrid entries"
            );
            total += a.nnz() as f64;
            sizes.push(coarse.nrows);
            let next = coarse;
            levels.push(Level {
                a,
                inv_diag,
                rho,
                p,
            });
            a = next;
            null = coarse_null;
            node_of = coarse_node;
        }
        total += a.nnz() as f64;
        let dense = DMatrix::from_fn(a.nrows, a.nrows, |_, _| 0.0);
        let mut dense = dense;
        for i in 0..a.nrows {
            let (cols, vals) = a.row(i);
            for (&j, &v) in cols.iter().zip(vals) {
                dense[(i, j as usize)] = v;
            }
        }
        let coarsest = dense.cholesky().ok_or_else(|| {
            SolverError::LinearSolver(
                "multigrid: the coarsest matrix is not positive definite (a mechanism or a loose part?)"
                    .into(),
            )
        })?;
        Ok(Self {
            levels,
            coarsest,
            coarse_a: a,
            sizes,
            operator_complexity: total / fine_nnz,
        })
    }

    /// The finest matrix: the one the hierarchy was built for.
    pub fn matrix(&self) -> &Csr {
        self.levels.first().map_or(&self.coarse_a, |l| &l.a)
    }

    /// Work vectors for [`Amg::apply`], made once per solve: the V-cycle then
    /// allocates nothing (a fresh vector per step would cost a page fault per 4 KiB).
    pub fn work(&self) -> Vec<Work> {
        self.sizes
            .iter()
            .enumerate()
            .map(|(l, &n)| Work {
                b: vec![0.0; n],
                x: vec![0.0; n],
                t: vec![0.0; n],
                d: vec![0.0; n],
                parts: match self.sizes.get(l + 1) {
                    Some(&coarse) => vec![vec![0.0; coarse]; rayon::current_num_threads()],
                    None => Vec::new(),
                },
            })
            .collect()
    }

    /// One V-cycle for A z = r from z = 0.
    pub fn apply(&self, r: &[f64], z: &mut [f64], work: &mut [Work]) {
        let (w, deeper) = work.split_first_mut().expect("work for every level");
        self.cycle(0, r, z, (&mut w.t, &mut w.d, &mut w.parts), deeper);
    }

    fn cycle(
        &self,
        l: usize,
        b: &[f64],
        x: &mut [f64],
        (t, d, parts): (&mut [f64], &mut [f64], &mut [Vec<f64>]),
        deeper: &mut [Work],
    ) {
        let Some(level) = self.levels.get(l) else {
            let sol = self.coarsest.solve(&DVector::from_column_slice(b));
            x.copy_from_slice(sol.as_slice());
            return;
        };
        x.fill(0.0);
        chebyshev(level, b, x, t, d, true);
        // Coarse correction: restrict the residual, solve there, prolong back.
        level.a.apply(x, t);
        t.par_iter_mut().zip(b).for_each(|(t, b)| *t = b - *t);
        let (next, rest) = deeper.split_first_mut().expect("work for every level");
        level.p.apply_transpose(t, &mut next.b, parts);
        self.cycle(
            l + 1,
            &next.b,
            &mut next.x,
            (&mut next.t, &mut next.d, &mut next.parts),
            rest,
        );
        level.p.apply(&next.x, t);
        x.par_iter_mut().zip(&*t).for_each(|(x, e)| *x += e);
        chebyshev(level, b, x, t, d, false);
    }
}

/// Work vectors of one level of the V-cycle.
pub struct Work {
    b: Vec<f64>,
    x: Vec<f64>,
    t: Vec<f64>,
    d: Vec<f64>,
    /// Per-thread partial sums of the restriction to the next level.
    parts: Vec<Vec<f64>>,
}

/// P = T − ω D⁻¹ (A T).
fn smooth_prolongator(t: &Csr, at: &Csr, inv_diag: &[f64], omega: f64) -> Csr {
    let mut out = Csr {
        nrows: t.nrows,
        ncols: t.ncols,
        ptr: vec![0],
        idx: Vec::with_capacity(at.nnz()),
        val: Vec::with_capacity(at.nnz()),
    };
    for (i, d) in inv_diag.iter().enumerate() {
        let (tc, tv) = t.row(i);
        let (ac, av) = at.row(i);
        let s = omega * d;
        let (mut p, mut q) = (0, 0);
        while p < tc.len() || q < ac.len() {
            let (j, v) = match (tc.get(p), ac.get(q)) {
                (Some(&a), Some(&b)) if a == b => {
                    p += 1;
                    q += 1;
                    (a, tv[p - 1] - s * av[q - 1])
                }
                (Some(&a), Some(&b)) if a < b => {
                    p += 1;
                    (a, tv[p - 1])
                }
                (Some(&a), None) => {
                    p += 1;
                    (a, tv[p - 1])
                }
                (_, Some(&b)) => {
                    q += 1;
                    (b, -s * av[q - 1])
                }
                (None, None) => unreachable!("loop condition"),
            };
            out.idx.push(j);
            out.val.push(v);
        }
        out.ptr.push(out.idx.len());
    }
    out
}

/// `DEGREE` steps of Chebyshev iteration for A x = b on D⁻¹A over [ρ/30, ρ], with work
/// vectors `t` and `d`; `from_zero` when x is zero (its first residual is b).
fn chebyshev(
    level: &Level,
    b: &[f64],
    x: &mut [f64],
    t: &mut [f64],
    d: &mut [f64],
    from_zero: bool,
) {
    let (upper, lower) = (level.rho, level.rho / 30.0);
    let (theta, delta) = ((upper + lower) / 2.0, (upper - lower) / 2.0);
    let sigma = theta / delta;
    // t ← D⁻¹ (b − A x)
    let residual = |x: &[f64], t: &mut [f64]| {
        level.a.apply(x, t);
        t.par_iter_mut()
            .zip(b.par_iter().zip(&level.inv_diag))
            .for_each(|(t, (b, d))| *t = (b - *t) * d);
    };
    if from_zero {
        t.par_iter_mut()
            .zip(b.par_iter().zip(&level.inv_diag))
            .for_each(|(t, (b, d))| *t = b * d);
    } else {
        residual(x, t);
    }
    let mut rho_prev = 1.0 / sigma;
    d.par_iter_mut().zip(&*t).for_each(|(d, t)| *d = t / theta);
    for step in 0..DEGREE {
        x.par_iter_mut().zip(&*d).for_each(|(x, d)| *x += d);
        if step + 1 == DEGREE {
            break;
        }
        residual(x, t);
        let rho = 1.0 / (2.0 * sigma - rho_prev);
        let (c1, c2) = (rho * rho_prev, 2.0 * rho / delta);
        d.par_iter_mut()
            .zip(&*t)
            .for_each(|(d, t)| *d = c1 * *d + c2 * t);
        rho_prev = rho;
    }
}

/// Conjugate gradients preconditioned by the multigrid V-cycle; stops at a relative
/// residual ‖b − A x‖ / ‖b‖ below `tolerance`, and says so with the residual reached
/// when it does not within `max_iterations`.
pub fn solve(
    amg: &Amg,
    b: &[f64],
    tolerance: f64,
    max_iterations: usize,
) -> Result<(Vec<f64>, usize, f64)> {
    let a = amg.matrix();
    let dot = |p: &[f64], q: &[f64]| -> f64 { p.par_iter().zip(q).map(|(x, y)| x * y).sum() };
    let norm_b = dot(b, b).sqrt();
    let n = b.len();
    let mut x = vec![0.0; n];
    if norm_b == 0.0 {
        return Ok((x, 0, 0.0));
    }
    let mut work = amg.work();
    let mut r = b.to_vec();
    let mut z = vec![0.0; n];
    amg.apply(&r, &mut z, &mut work);
    let mut p = z.clone();
    let mut rz = dot(&r, &z);
    let mut q = vec![0.0; n];
    let mut history = Vec::new();
    for it in 1..=max_iterations {
        a.apply(&p, &mut q);
        let alpha = rz / dot(&p, &q);
        x.par_iter_mut().zip(&p).for_each(|(x, p)| *x += alpha * p);
        r.par_iter_mut().zip(&q).for_each(|(r, q)| *r -= alpha * q);
        let res = dot(&r, &r).sqrt() / norm_b;
        history.push(res);
        if !res.is_finite() {
            break;
        }
        if res < tolerance {
            // The recurrence drifts from the true residual: confirm it, and when it
            // has drifted, restart from the true residual.
            a.apply(&x, &mut q);
            r.par_iter_mut()
                .zip(b.par_iter().zip(&q))
                .for_each(|(r, (b, q))| *r = b - q);
            let true_res = dot(&r, &r).sqrt() / norm_b;
            // Within a decade of the target is converged (the equilibrium check of
            // the results reports the residual reached).
            if true_res < 10.0 * tolerance {
                return Ok((x, it, true_res));
            }
            *history.last_mut().expect("pushed above") = true_res;
            amg.apply(&r, &mut z, &mut work);
            rz = dot(&r, &z);
            p.clone_from(&z);
            continue;
        }
        amg.apply(&r, &mut z, &mut work);
        let rz_next = dot(&r, &z);
        let beta = rz_next / rz;
        rz = rz_next;
        p.par_iter_mut()
            .zip(&z)
            .for_each(|(p, z)| *p = z + beta * *p);
    }
    let tail: Vec<String> = history
        .iter()
        .rev()
        .take(5)
        .rev()
        .map(|r| format!("{r:.2e}"))
        .collect();
    Err(SolverError::LinearSolver(format!(
        "multigrid-preconditioned CG did not reach a relative residual of {tolerance:e} in {max_iterations} iterations (last residuals {}): the model is too ill-conditioned for the iterative method; try [solver] method = \"direct\"",
        tail.join(", ")
    )))
}

#[cfg(test)]
mod tests {
    use crate::assembly::Materials;
    use crate::mesh::Mesh;
    use crate::statics::{Method, SolverOptions, StaticSolution};
    use crate::{generate::block, Constraint, ElementKind, Isotropic, Load, LoadCase, StaticModel};

    /// The bar clamped at x = 0 under gravity, solved by `method`.
    fn solve(
        mesh: &Mesh,
        materials: Materials,
        method: Method,
    ) -> crate::error::Result<StaticSolution> {
        let model = StaticModel {
            mesh,
            materials,
            constraints: vec![Constraint {
                nodes: mesh.set_nodes("xmin").unwrap(),
                components: [Some(0.0); 3],
            }],
        };
        let cases = [LoadCase {
            name: "g".into(),
            loads: vec![Load::BodyAcceleration {
                elements: (0..mesh.element_count()).collect(),
                acceleration: nalgebra::Vector3::new(0.0, -9.81, -30.0),
            }],
        }];
        model.solve_with(
            &cases,
            SolverOptions {
                method,
                ..Default::default()
            },
        )
    }

    /// Largest difference between two solutions, relative to the largest displacement.
    fn difference(a: &StaticSolution, b: &StaticSolution) -> f64 {
        let (u, v) = (&a.load_cases[0].displacement, &b.load_cases[0].displacement);
        let scale = u.iter().fold(0.0f64, |m, x| m.max(x.abs()));
        u.iter()
            .zip(v)
            .fold(0.0f64, |m, (p, q)| m.max((p - q).abs()))
            / scale
    }

    fn steel(nu: f64) -> Isotropic {
        Isotropic {
            youngs_modulus: 210e9,
            poisson_ratio: nu,
            density: 7850.0,
        }
    }

    /// The iterative solution equals the direct one to the solver tolerance, and the
    /// iteration count barely grows as the mesh is refined (the sign of a right
    /// near-null space).
    #[test]
    fn multigrid_cg_matches_the_direct_solve_with_mesh_independent_iterations() {
        let mut iterations = Vec::new();
        for (kind, div) in [
            (ElementKind::Hex8, [24, 6, 6]),
            (ElementKind::Hex8, [48, 12, 12]),
            (ElementKind::Hex20, [12, 3, 3]),
            (ElementKind::Tet10, [10, 3, 3]),
        ] {
            let mesh = block([2.0, 0.5, 0.5], div, kind).unwrap();
            let materials = || Materials::uniform(steel(0.3), mesh.element_count());
            let direct = solve(&mesh, materials(), Method::Direct).unwrap();
            let iterative = solve(&mesh, materials(), Method::Iterative).unwrap();
            assert_eq!(iterative.stats.precision, "multigrid");
            let err = difference(&direct, &iterative);
            assert!(err < 1e-7, "{kind:?} {div:?}: {err:e}");
            iterations.push(iterative.stats.iterations);
        }
        // Seven times the unknowns, hardly more iterations.
        assert!(iterations[1] * 2 <= iterations[0] * 3, "{iterations:?}");
        assert!(iterations.iter().all(|&i| i < 100), "{iterations:?}");
    }

    /// Badly conditioned models — nearly incompressible (ν = 0.49), a thin plate, a
    /// stiffness contrast of 10⁶ — either converge to the direct answer or say that
    /// they did not, with the residual reached: never a silently wrong field.
    #[test]
    fn badly_conditioned_models_converge_or_say_so() {
        // Name, box size (m), divisions, Poisson's ratio, a stiff inclusion.
        type Case<'a> = (&'a str, [f64; 3], [usize; 3], f64, bool);
        let cases: [Case; 3] = [
            (
                "nearly incompressible",
                [2.0, 0.5, 0.5],
                [16, 4, 4],
                0.49,
                false,
            ),
            ("thin plate", [1.0, 1.0, 0.01], [20, 20, 1], 0.3, false),
            ("contrast 1e6", [2.0, 0.5, 0.5], [16, 4, 4], 0.3, true),
        ];
        for (what, size, div, nu, contrast) in cases {
            let mesh = block(size, div, ElementKind::Hex20).unwrap();
            let materials = || {
                let soft = Isotropic {
                    youngs_modulus: 1e6,
                    ..steel(nu)
                };
                let mut m = Materials::uniform(soft.clone(), mesh.element_count());
                if contrast {
                    // The far half a million times stiffer: rubber against steel × 5.
                    m.materials.push(Isotropic {
                        youngs_modulus: 1e12,
                        ..soft
                    });
                    for e in 0..mesh.element_count() {
                        let nodes = mesh.element(e).1;
                        let x = nodes.iter().map(|&n| mesh.nodes[n].x).sum::<f64>()
                            / nodes.len() as f64;
                        if x > 1.0 {
                            m.of_element[e] = 1;
                        }
                    }
                }
                m
            };
            let direct = solve(&mesh, materials(), Method::Direct).unwrap();
            match solve(&mesh, materials(), Method::Iterative) {
                Ok(it) => {
                    let err = difference(&direct, &it);
                    eprintln!(
                        "{what}: {} iterations, error {err:.1e}",
                        it.stats.iterations
                    );
                    assert!(err < 1e-6, "{what}: {err:e}");
                }
                Err(e) => {
                    let e = e.to_string();
                    eprintln!("{what}: {e}");
                    assert!(
                        e.contains("did not reach") && e.contains("last residuals"),
                        "{what}: {e}"
                    );
                }
            }
        }
    }
}
