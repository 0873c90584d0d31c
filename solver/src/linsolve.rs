//! Sparse Cholesky factorisation of the stiffness, split as faer splits it: a symbolic
//! analysis (fill-reducing ordering, elimination tree, supernodes) that depends only on
//! the sparsity pattern and can be reused across design variants, and a numeric
//! factorisation that is done once per matrix and reused for every load case.
//!
//! After factoring, every pivot is compared with the matrix diagonal: a pivot that has
//! lost (nearly) all of its diagonal marks a singular direction (a mechanism or a
//! disconnected part), which is reported with its degree of freedom instead of letting
//! a garbage solution through.
//!
//! Large models can be factored in single precision ([`StiffnessSolver::Mixed`]): half
//! the memory and about twice the speed of the double-precision factor, which then
//! serves as the preconditioner of a conjugate-gradient iteration on the double
//! precision matrix, so the answer is as accurate as a double-precision solve.

use crate::error::{Result, SolverError};
use faer::dyn_stack::{MemBuffer, MemStack};
use faer::linalg::cholesky::llt::factor::{LltError, LltRegularization};
use faer::perm::PermRef;
use faer::sparse::linalg::cholesky::{
    factorize_symbolic_cholesky, simplicial::SimplicialLltRef, supernodal::SupernodalLltRef,
    LltRef, SymbolicCholesky, SymbolicCholeskyRaw, SymmetricOrdering,
};
use faer::sparse::{SparseColMatRef, SymbolicSparseColMat};
use faer::{Conj, MatMut, Par, Side};
use std::sync::Arc;

/// A floating-point type a factor can be computed in.
pub trait FactorScalar:
    faer::traits::RealField
    + faer::traits::ComplexField<Real = Self>
    + Copy
    + Into<f64>
    + std::ops::Add<Output = Self>
    + std::ops::Sub<Output = Self>
    + std::ops::Mul<Output = Self>
    + std::ops::Div<Output = Self>
    + std::ops::AddAssign
    + std::ops::SubAssign
    + Send
    + Sync
    + 'static
{
    /// Pivots smaller than this fraction of their diagonal entry count as zero.
    const SINGULAR_PIVOT_RATIO: f64;
    fn from_f64(v: f64) -> Self;
}

impl FactorScalar for f64 {
    const SINGULAR_PIVOT_RATIO: f64 = 1e-11;
    fn from_f64(v: f64) -> Self {
        v
    }
}

impl FactorScalar for f32 {
    const SINGULAR_PIVOT_RATIO: f64 = 1e-5;
    fn from_f64(v: f64) -> Self {
        v as f32
    }
}

/// The symbolic analysis of a stiffness pattern (upper triangle stored).
#[derive(Clone, Debug)]
pub struct SymbolicFactor {
    inner: Arc<SymbolicCholesky<usize>>,
    /// How a supernodal factor's one-column solves share the threads.
    plan: Option<Arc<crate::trisolve::Plan>>,
}

/// A numeric Cholesky factor L Lᵀ = P K Pᵀ.
#[derive(Debug)]
pub struct Cholesky<T = f64> {
    symbolic: SymbolicFactor,
    values: Vec<T>,
    /// The smallest pivot ratio L_jj² / K_jj: a conditioning indicator.
    pub min_pivot_ratio: f64,
}

/// A zero or negative pivot, at an equation of the original (unpermuted) numbering.
#[derive(Clone, Copy, Debug)]
pub struct SingularPivot {
    pub equation: usize,
    pub ratio: f64,
}

/// Factors smaller than this (entries) are solved by faer's sequential walk: a few
/// milliseconds at most, where threads would cost more than they give.
const PARALLEL_SOLVE_ENTRIES: usize = 1 << 20;

/// All threads for a factorisation run on its own; one thread for one running inside a
/// parallel job (a design point of a sweep), so the sweep's points keep the cores busy
/// without fighting over them.
fn par() -> Par {
    if rayon::current_thread_index().is_some() {
        Par::Seq
    } else {
        Par::rayon(0)
    }
}

impl SymbolicFactor {
    /// Analyses `pattern` with the given fill-reducing order (position → equation), or
    /// with faer's approximate minimum degree when `None`.
    pub fn analyse(pattern: &SymbolicSparseColMat<usize>, order: Option<&[usize]>) -> Result<Self> {
        let inverse: Vec<usize>;
        let ordering = match order {
            Some(fwd) => {
                let mut inv = vec![0; fwd.len()];
                for (i, &e) in fwd.iter().enumerate() {
                    inv[e] = i;
                }
                inverse = inv;
                SymmetricOrdering::Custom(PermRef::new_checked(fwd, &inverse, fwd.len()))
            }
            None => SymmetricOrdering::Amd,
        };
        let inner = factorize_symbolic_cholesky(
            pattern.as_ref(),
            Side::Upper,
            ordering,
            Default::default(),
        )
        .map_err(|e| SolverError::LinearSolver(format!("symbolic analysis failed: {e:?}")))?;
        let plan = match inner.raw() {
            SymbolicCholeskyRaw::Supernodal(sym) if inner.len_val() >= PARALLEL_SOLVE_ENTRIES => {
                crate::trisolve::Plan::new(sym, rayon::current_num_threads()).map(Arc::new)
            }
            _ => None,
        };
        Ok(Self {
            inner: Arc::new(inner),
            plan,
        })
    }

    /// Number of stored entries of L (fill-in included).
    pub fn factor_nnz(&self) -> usize {
        self.inner.len_val()
    }

    /// Maps a position of the permuted matrix back to the original equation.
    fn original(&self, permuted: usize) -> usize {
        match self.inner.perm() {
            Some(p) => p.arrays().0[permuted],
            None => permuted,
        }
    }
}

impl<T: FactorScalar> Cholesky<T> {
    /// Factors `matrix` (upper triangle) with the analysed pattern.
    pub fn factor(
        symbolic: &SymbolicFactor,
        matrix: SparseColMatRef<'_, usize, T>,
    ) -> std::result::Result<Self, FactorError> {
        let s = &symbolic.inner;
        let mut values = Vec::new();
        values.try_reserve_exact(s.len_val()).map_err(|_| {
            FactorError::Other(format!("out of memory for {} factor entries", s.len_val()))
        })?;
        values.resize(s.len_val(), T::from_f64(0.0));
        let mut buf =
            MemBuffer::try_new(s.factorize_numeric_llt_scratch::<T>(par(), Default::default()))
                .map_err(|_| {
                    FactorError::Other("out of memory for factorisation workspace".into())
                })?;
        let result = s.factorize_numeric_llt::<T>(
            &mut values,
            matrix,
            Side::Upper,
            LltRegularization::default(),
            par(),
            MemStack::new(&mut buf),
            Default::default(),
        );
        match result {
            Ok(_) => {}
            Err(LltError::NonPositivePivot { index }) => {
                // faer's simplicial kernel reports the pivot 1-based, the supernodal 0-based.
                let index = match s.raw() {
                    SymbolicCholeskyRaw::Simplicial(_) => index.saturating_sub(1),
                    SymbolicCholeskyRaw::Supernodal(_) => index,
                };
                return Err(FactorError::Singular(SingularPivot {
                    equation: symbolic.original(index.min(s.nrows() - 1)),
                    ratio: 0.0,
                }));
            }
        }
        let mut chol = Self {
            symbolic: symbolic.clone(),
            values,
            min_pivot_ratio: f64::INFINITY,
        };
        match chol.smallest_pivot(&diagonal(matrix)) {
            Some(p) if p.ratio < T::SINGULAR_PIVOT_RATIO => Err(FactorError::Singular(p)),
            p => {
                chol.min_pivot_ratio = p.map_or(f64::INFINITY, |p| p.ratio);
                Ok(chol)
            }
        }
    }

    /// The smallest ratio L_jj² / K_jj, with its original equation.
    fn smallest_pivot(&self, diag: &[f64]) -> Option<SingularPivot> {
        let s = &self.symbolic;
        let mut worst: Option<SingularPivot> = None;
        let mut visit = |permuted: usize, l: T| {
            let equation = s.original(permuted);
            let l: f64 = l.into();
            let ratio = l * l / diag[equation];
            if worst.is_none_or(|w| ratio < w.ratio) {
                worst = Some(SingularPivot { equation, ratio });
            }
        };
        match s.inner.raw() {
            SymbolicCholeskyRaw::Simplicial(sym) => {
                let l = SimplicialLltRef::new(sym, &self.values);
                for (j, &first) in sym.col_ptr()[..sym.ncols()].iter().enumerate() {
                    visit(j, l.values()[first]);
                }
            }
            SymbolicCholeskyRaw::Supernodal(sym) => {
                let l = SupernodalLltRef::new(sym, &self.values);
                for k in 0..sym.n_supernodes() {
                    let node = l.supernode(k);
                    let start = node.start();
                    let val = node.val();
                    for c in 0..val.ncols() {
                        visit(start + c, val[(c, c)]);
                    }
                }
            }
        }
        worst
    }

    /// Solves K X = B in place for every column of `rhs` (one column with the
    /// tree-parallel solve when the factor has a plan for it).
    pub fn solve_in_place(&self, rhs: MatMut<'_, T>) {
        match (&self.symbolic.plan, rhs.ncols()) {
            (Some(plan), 1) => self.solve_planned(plan, rhs),
            _ => self.solve_sequential(rhs),
        }
    }

    /// Solves for one column by `plan` (in the factor's permuted order).
    pub(crate) fn solve_planned(&self, plan: &crate::trisolve::Plan, mut rhs: MatMut<'_, T>) {
        let Some((sym, values)) = self.supernodal() else {
            return self.solve_sequential(rhs);
        };
        let s = &self.symbolic.inner;
        let n = rhs.nrows();
        let mut x: Vec<T> = match s.perm() {
            Some(p) => p.arrays().0.iter().map(|&f| rhs[(f, 0)]).collect(),
            None => (0..n).map(|i| rhs[(i, 0)]).collect(),
        };
        plan.solve(sym, values, &mut x);
        match s.perm() {
            Some(p) => {
                for (i, &inv) in p.arrays().1.iter().enumerate() {
                    rhs[(i, 0)] = x[inv];
                }
            }
            None => (0..n).for_each(|i| rhs[(i, 0)] = x[i]),
        }
    }

    /// faer's solve: the supernodes one after another (its dense kernels threaded);
    /// public for the benchmark that compares it with [`Cholesky::solve_in_place`].
    pub fn solve_sequential(&self, rhs: MatMut<'_, T>) {
        let s = &self.symbolic.inner;
        let mut buf = MemBuffer::new(s.solve_in_place_scratch::<T>(rhs.ncols(), par()));
        LltRef::new(s, &self.values).solve_in_place_with_conj(
            Conj::No,
            rhs,
            par(),
            MemStack::new(&mut buf),
        );
    }

    /// The supernodal structure and values of the factor (None when simplicial).
    pub(crate) fn supernodal(
        &self,
    ) -> Option<(
        &faer::sparse::linalg::cholesky::supernodal::SymbolicSupernodalCholesky<usize>,
        &[T],
    )> {
        match self.symbolic.inner.raw() {
            SymbolicCholeskyRaw::Supernodal(sym) => Some((sym, &self.values)),
            SymbolicCholeskyRaw::Simplicial(_) => None,
        }
    }
}

/// Why a numeric factorisation failed.
#[derive(Debug)]
pub enum FactorError {
    Singular(SingularPivot),
    Other(String),
}

fn diagonal<T: FactorScalar>(m: SparseColMatRef<'_, usize, T>) -> Vec<f64> {
    let (sym, val) = m.parts();
    (0..sym.ncols())
        .map(|j| {
            let range = sym.col_ptr()[j]..sym.col_ptr()[j + 1];
            sym.row_idx()[range.clone()]
                .iter()
                .zip(&val[range])
                .find(|(&r, _)| r == j)
                .map_or(0.0, |(_, &v)| v.into())
        })
        .collect()
}

/// y = K x for a symmetric matrix stored as its upper triangle, in parallel over
/// column blocks.
pub fn symmetric_matvec(k: SparseColMatRef<'_, usize, f64>, x: &[f64]) -> Vec<f64> {
    let (sym, val) = k.parts();
    let n = sym.ncols();
    let blocks = 4 * rayon::current_num_threads();
    let width = n.div_ceil(blocks).max(1);
    use rayon::prelude::*;
    (0..n.div_ceil(width))
        .into_par_iter()
        .map(|b| {
            let mut y = vec![0.0; n];
            for j in b * width..((b + 1) * width).min(n) {
                let range = sym.col_ptr()[j]..sym.col_ptr()[j + 1];
                let mut yj = 0.0;
                for (&i, &a) in sym.row_idx()[range.clone()].iter().zip(&val[range]) {
                    y[i] += a * x[j];
                    if i != j {
                        yj += a * x[i];
                    }
                }
                y[j] += yj;
            }
            y
        })
        .reduce_with(|mut a, b| {
            a.iter_mut().zip(&b).for_each(|(p, q)| *p += q);
            a
        })
        .unwrap_or_else(|| vec![0.0; n])
}

/// How the stiffness equations are solved.
#[derive(Debug)]
pub enum StiffnessSolver {
    /// A double-precision factor: a direct solve.
    Double(Cholesky<f64>),
    /// A single-precision factor preconditioning conjugate gradients in double precision.
    Mixed(Cholesky<f32>),
    /// Conjugate gradients preconditioned by smoothed-aggregation multigrid (which
    /// holds the full matrix in compressed rows).
    Multigrid(Box<crate::amg::Amg>),
}

/// Relative residual ‖K x − b‖ / ‖b‖ the mixed-precision iteration stops at.
pub const MIXED_TOLERANCE: f64 = 1e-11;
const MIXED_MAX_ITERATIONS: usize = 200;

impl StiffnessSolver {
    /// Factors `k` in double precision, or in single precision when `mixed`; a single
    /// precision factor that meets a non-positive pivot falls back to double.
    pub fn new(
        symbolic: &SymbolicFactor,
        k: SparseColMatRef<'_, usize, f64>,
        mixed: bool,
    ) -> std::result::Result<Self, FactorError> {
        if mixed {
            let (sym, val) = k.parts();
            let single: Vec<f32> = val.iter().map(|&v| v as f32).collect();
            if let Ok(c) = Cholesky::<f32>::factor(symbolic, SparseColMatRef::new(sym, &single)) {
                return Ok(Self::Mixed(c));
            }
        }
        Cholesky::<f64>::factor(symbolic, k).map(Self::Double)
    }

    /// Smallest pivot ratio of a factor (NaN for the iterative method, which has none).
    pub fn min_pivot_ratio(&self) -> f64 {
        match self {
            Self::Double(c) => c.min_pivot_ratio,
            Self::Mixed(c) => c.min_pivot_ratio,
            Self::Multigrid(_) => f64::NAN,
        }
    }

    /// "double", "mixed" or "multigrid".
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Double(_) => "double",
            Self::Mixed(_) => "mixed",
            Self::Multigrid(_) => "multigrid",
        }
    }

    /// Solves K X = B for every column of `rhs` in place; returns the largest number of
    /// iterations a column needed (0 for a direct solve).
    /// `k` is the matrix the factor was made of (the upper triangle), which the
    /// mixed-precision iteration needs; the multigrid one holds its own.
    pub fn solve(
        &self,
        k: Option<SparseColMatRef<'_, usize, f64>>,
        mut rhs: MatMut<'_, f64>,
    ) -> Result<usize> {
        match self {
            Self::Double(c) => {
                c.solve_in_place(rhs);
                Ok(0)
            }
            Self::Mixed(c) => {
                let k = k.ok_or_else(|| {
                    SolverError::LinearSolver("the mixed-precision solve needs its matrix".into())
                })?;
                let mut worst = 0;
                for j in 0..rhs.ncols() {
                    let b: Vec<f64> = (0..rhs.nrows()).map(|i| rhs[(i, j)]).collect();
                    let (x, its) = pcg(k, c, &b)?;
                    for (i, v) in x.into_iter().enumerate() {
                        rhs[(i, j)] = v;
                    }
                    worst = worst.max(its);
                }
                Ok(worst)
            }
            Self::Multigrid(amg) => {
                let mut worst = 0;
                for j in 0..rhs.ncols() {
                    let b: Vec<f64> = (0..rhs.nrows()).map(|i| rhs[(i, j)]).collect();
                    let (x, its, _) = crate::amg::solve(
                        amg,
                        &b,
                        crate::statics::ITERATIVE_TOLERANCE,
                        crate::statics::ITERATIVE_MAX_ITERATIONS,
                    )?;
                    for (i, v) in x.into_iter().enumerate() {
                        rhs[(i, j)] = v;
                    }
                    worst = worst.max(its);
                }
                Ok(worst)
            }
        }
    }
}

/// Conjugate gradients on K x = b preconditioned by a single-precision factor of K.
fn pcg(
    k: SparseColMatRef<'_, usize, f64>,
    m: &Cholesky<f32>,
    b: &[f64],
) -> Result<(Vec<f64>, usize)> {
    let precondition = |r: &mut [f64]| {
        let mut z = faer::Mat::<f32>::from_fn(r.len(), 1, |i, _| r[i] as f32);
        m.solve_in_place(z.as_mut());
        r.iter_mut()
            .enumerate()
            .for_each(|(i, v)| *v = z[(i, 0)] as f64);
    };
    preconditioned_cg(k, precondition, b, MIXED_TOLERANCE, MIXED_MAX_ITERATIONS).ok_or_else(|| {
        SolverError::LinearSolver(format!(
            "mixed-precision iteration did not reach a relative residual of {MIXED_TOLERANCE:e} in {MIXED_MAX_ITERATIONS} iterations; the model is too ill-conditioned for a single-precision factor"
        ))
    })
}

/// Conjugate gradients on K x = b (K symmetric positive definite, its upper triangle),
/// `precondition` applying M⁻¹ in place: the solution and its iterations once
/// ‖b − K x‖ ≤ `tolerance` ‖b‖, None when `max` iterations do not reach it or K or M
/// shows it is not positive definite.
pub fn preconditioned_cg(
    k: SparseColMatRef<'_, usize, f64>,
    precondition: impl Fn(&mut [f64]),
    b: &[f64],
    tolerance: f64,
    max: usize,
) -> Option<(Vec<f64>, usize)> {
    let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>();
    let norm_b = dot(b, b).sqrt();
    let mut x = vec![0.0; b.len()];
    if norm_b == 0.0 {
        return Some((x, 0));
    }
    let mut r = b.to_vec();
    let mut z = r.clone();
    precondition(&mut z);
    let mut p = z.clone();
    let mut rz = dot(&r, &z);
    for it in 1..=max {
        let q = symmetric_matvec(k, &p);
        let curvature = dot(&p, &q);
        // A direction of no or negative curvature: K is not positive definite (a limit
        // load, a mechanism), which a factorisation is there to tell.
        if curvature.is_nan() || curvature <= 0.0 || rz <= 0.0 {
            return None;
        }
        let alpha = rz / curvature;
        for i in 0..x.len() {
            x[i] += alpha * p[i];
            r[i] -= alpha * q[i];
        }
        let res = dot(&r, &r).sqrt() / norm_b;
        if !res.is_finite() {
            return None;
        }
        if res < tolerance {
            return Some((x, it));
        }
        z.copy_from_slice(&r);
        precondition(&mut z);
        let rz_next = dot(&r, &z);
        let beta = rz_next / rz;
        rz = rz_next;
        for i in 0..p.len() {
            p[i] = z[i] + beta * p[i];
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use faer::Mat;

    /// Upper triangle of the 1D Laplacian-like spring chain with `n` dofs; the first
    /// spring is grounded only when `grounded`.
    fn chain(n: usize, grounded: bool) -> (SymbolicSparseColMat<usize>, Vec<f64>) {
        let mut col_ptr = vec![0];
        let mut rows = vec![];
        let mut vals = vec![];
        for j in 0..n {
            if j > 0 {
                rows.push(j - 1);
                vals.push(-1.0);
            }
            rows.push(j);
            let ground = if j == 0 && grounded { 1.0 } else { 0.0 };
            vals.push(if j + 1 < n { 2.0 } else { 1.0 } - if j == 0 { 1.0 } else { 0.0 } + ground);
            col_ptr.push(rows.len());
        }
        (
            SymbolicSparseColMat::new_checked(n, n, col_ptr, None, rows),
            vals,
        )
    }

    #[test]
    fn solves_a_grounded_chain_for_many_right_hand_sides() {
        let (p, v) = chain(50, true);
        let s = SymbolicFactor::analyse(&p, None).unwrap();
        let chol = Cholesky::<f64>::factor(&s, SparseColMatRef::new(p.as_ref(), &v)).unwrap();
        // Unit load at the free end: every spring carries 1, so u_j = j + 1.
        let mut b = Mat::<f64>::zeros(50, 2);
        b[(49, 0)] = 1.0;
        b[(49, 1)] = 2.0;
        chol.solve_in_place(b.as_mut());
        for j in 0..50 {
            assert!((b[(j, 0)] - (j + 1) as f64).abs() < 1e-9);
            assert!((b[(j, 1)] - 2.0 * (j + 1) as f64).abs() < 1e-9);
        }
    }

    #[test]
    fn mixed_precision_matches_double_precision() {
        let (p, v) = chain(200, true);
        let s = SymbolicFactor::analyse(&p, None).unwrap();
        let k = SparseColMatRef::new(p.as_ref(), &v);
        let b = Mat::<f64>::from_fn(200, 2, |i, j| ((i * 7 + j) % 5) as f64 - 2.0);
        let (mut x64, mut x32) = (b.clone(), b.clone());
        StiffnessSolver::new(&s, k, false)
            .unwrap()
            .solve(Some(k), x64.as_mut())
            .unwrap();
        let mixed = StiffnessSolver::new(&s, k, true).unwrap();
        assert!(matches!(mixed, StiffnessSolver::Mixed(_)));
        let its = mixed.solve(Some(k), x32.as_mut()).unwrap();
        assert!(its > 0 && its < 20, "{its} iterations");
        let scale = x64.norm_max();
        assert!((&x64 - &x32).norm_max() < 1e-9 * scale);
    }

    #[test]
    fn floating_chain_is_reported_singular() {
        let (p, v) = chain(50, false);
        let s = SymbolicFactor::analyse(&p, None).unwrap();
        match Cholesky::<f64>::factor(&s, SparseColMatRef::new(p.as_ref(), &v)) {
            Err(FactorError::Singular(_)) => {}
            other => panic!("expected a singular pivot, got {other:?}"),
        }
    }
}
