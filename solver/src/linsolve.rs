//! Sparse Cholesky factorisation of the stiffness, split as faer splits it: a symbolic
//! analysis (fill-reducing ordering, elimination tree, supernodes) that depends only on
//! the sparsity pattern and can be reused across design variants, and a numeric
//! factorisation that is done once per matrix and reused for every load case.
//!
//! After factoring, every pivot is compared with the matrix diagonal: a pivot that has
//! lost (nearly) all of its diagonal marks a singular direction (a mechanism or a
//! disconnected part), which is reported with its degree of freedom instead of letting
//! a garbage solution through.

use crate::error::{Result, SolverError};
use faer::dyn_stack::{MemBuffer, MemStack};
use faer::linalg::cholesky::llt::factor::{LltError, LltRegularization};
use faer::sparse::linalg::cholesky::{
    factorize_symbolic_cholesky, simplicial::SimplicialLltRef, supernodal::SupernodalLltRef, LltRef,
    SymbolicCholesky, SymbolicCholeskyRaw, SymmetricOrdering,
};
use faer::perm::PermRef;
use faer::sparse::{SparseColMatRef, SymbolicSparseColMat};
use faer::{Conj, MatMut, Par, Side};
use std::sync::Arc;

/// Pivots smaller than this fraction of their diagonal entry count as zero.
pub const SINGULAR_PIVOT_RATIO: f64 = 1e-11;

/// The symbolic analysis of a stiffness pattern (upper triangle stored).
#[derive(Clone, Debug)]
pub struct SymbolicFactor {
    inner: Arc<SymbolicCholesky<usize>>,
}

/// A numeric Cholesky factor L Lᵀ = P K Pᵀ.
#[derive(Debug)]
pub struct Cholesky {
    symbolic: SymbolicFactor,
    values: Vec<f64>,
}

/// A zero or negative pivot, at an equation of the original (unpermuted) numbering.
#[derive(Clone, Copy, Debug)]
pub struct SingularPivot {
    pub equation: usize,
    pub ratio: f64,
}

fn par() -> Par {
    Par::rayon(0)
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
        let inner = factorize_symbolic_cholesky(pattern.as_ref(), Side::Upper, ordering, Default::default())
            .map_err(|e| SolverError::LinearSolver(format!("symbolic analysis failed: {e:?}")))?;
        Ok(Self { inner: Arc::new(inner) })
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

impl Cholesky {
    /// Factors `matrix` (upper triangle) with the analysed pattern.
    pub fn factor(symbolic: &SymbolicFactor, matrix: SparseColMatRef<'_, usize, f64>) -> std::result::Result<Self, FactorError> {
        let s = &symbolic.inner;
        let mut values = Vec::new();
        values
            .try_reserve_exact(s.len_val())
            .map_err(|_| FactorError::Other(format!("out of memory for {} factor entries", s.len_val())))?;
        values.resize(s.len_val(), 0.0);
        let mut buf = MemBuffer::try_new(s.factorize_numeric_llt_scratch::<f64>(par(), Default::default()))
            .map_err(|_| FactorError::Other("out of memory for factorisation workspace".into()))?;
        let result = s.factorize_numeric_llt::<f64>(
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
                }))
            }
        }
        let chol = Self {
            symbolic: symbolic.clone(),
            values,
        };
        match chol.smallest_pivot(&diagonal(matrix)) {
            Some(p) if p.ratio < SINGULAR_PIVOT_RATIO => Err(FactorError::Singular(p)),
            _ => Ok(chol),
        }
    }

    /// The smallest ratio L_jj² / K_jj, with its original equation.
    fn smallest_pivot(&self, diag: &[f64]) -> Option<SingularPivot> {
        let s = &self.symbolic;
        let mut worst: Option<SingularPivot> = None;
        let mut visit = |permuted: usize, l: f64| {
            let equation = s.original(permuted);
            let ratio = l * l / diag[equation];
            if worst.is_none_or(|w| ratio < w.ratio) {
                worst = Some(SingularPivot { equation, ratio });
            }
        };
        match s.inner.raw() {
            SymbolicCholeskyRaw::Simplicial(sym) => {
                let l = SimplicialLltRef::new(sym, &self.values);
                let col_ptr = sym.col_ptr();
                for j in 0..sym.ncols() {
                    visit(j, l.values()[col_ptr[j]]);
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

    /// Solves K X = B in place for every column of `rhs`.
    pub fn solve_in_place(&self, rhs: MatMut<'_, f64>) {
        let s = &self.symbolic.inner;
        let mut buf = MemBuffer::new(s.solve_in_place_scratch::<f64>(rhs.ncols(), par()));
        LltRef::new(s, &self.values).solve_in_place_with_conj(Conj::No, rhs, par(), MemStack::new(&mut buf));
    }
}

/// Why a numeric factorisation failed.
#[derive(Debug)]
pub enum FactorError {
    Singular(SingularPivot),
    Other(String),
}

fn diagonal(m: SparseColMatRef<'_, usize, f64>) -> Vec<f64> {
    let (sym, val) = m.parts();
    (0..sym.ncols())
        .map(|j| {
            let range = sym.col_ptr()[j]..sym.col_ptr()[j + 1];
            sym.row_idx()[range.clone()]
                .iter()
                .zip(&val[range])
                .find(|(&r, _)| r == j)
                .map_or(0.0, |(_, &v)| v)
        })
        .collect()
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
        (SymbolicSparseColMat::new_checked(n, n, col_ptr, None, rows), vals)
    }

    #[test]
    fn solves_a_grounded_chain_for_many_right_hand_sides() {
        let (p, v) = chain(50, true);
        let s = SymbolicFactor::analyse(&p, None).unwrap();
        let chol = Cholesky::factor(&s, SparseColMatRef::new(p.as_ref(), &v)).unwrap();
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
    fn floating_chain_is_reported_singular() {
        let (p, v) = chain(50, false);
        let s = SymbolicFactor::analyse(&p, None).unwrap();
        match Cholesky::factor(&s, SparseColMatRef::new(p.as_ref(), &v)) {
            Err(FactorError::Singular(_)) => {}
            other => panic!("expected a singular pivot, got {other:?}"),
        }
    }
}
