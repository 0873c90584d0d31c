//! The lowest eigenpairs of K x = λ M x by LOBPCG (Knyazev 2001), preconditioned by an
//! approximate inverse of K: the modal solver of models whose factor would not fit.
//!
//! Why this method. Shift-invert Lanczos needs a factor of K; LOBPCG needs only
//! products with K and M and a preconditioner, and with the multigrid V-cycle as that
//! preconditioner it converges in a number of iterations nearly independent of the
//! mesh. Each iteration takes the Rayleigh–Ritz pairs of the subspace spanned by the
//! current block X, the preconditioned residuals W and the previous search directions
//! P. Columns are kept M-orthogonal to a given basis (the rigid-body motions), W is
//! M-orthogonalised against X and scaled before the Gram matrices are formed, and the
//! P block is dropped for an iteration when the Gram matrix is too ill-conditioned to
//! factor (the standard restart).

use crate::error::{Result, SolverError};
use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, MatRef, Par};
use nalgebra::{DMatrix, SymmetricEigen};

/// The operators of the pencil.
pub struct Pencil<'a> {
    /// y = K x.
    pub k: &'a dyn Fn(&[f64], &mut [f64]),
    /// y = M x.
    pub m: &'a dyn Fn(&[f64], &mut [f64]),
    /// y ≈ K⁻¹ x (any symmetric positive definite approximation).
    pub precondition: &'a mut dyn FnMut(&[f64], &mut [f64]),
    /// M-orthonormal vectors the eigenvectors stay M-orthogonal to.
    pub deflate: &'a [Vec<f64>],
}

/// Converged eigenpairs, lowest first.
pub struct Eigenpairs {
    pub values: Vec<f64>,
    /// M-normalised.
    pub vectors: Vec<Vec<f64>>,
    pub iterations: usize,
}

/// The `wanted` lowest eigenpairs of an `n`-dimensional pencil, each to a relative
/// residual ‖K x − λ M x‖ / (|λ| ‖M x‖) below `tolerance`, within `max_iterations`.
///
/// An iteration from one start block can converge past an eigenvalue its start had
/// (almost) nothing of. So, as the Lanczos path does, the converged vectors are
/// deflated and a one-pair search runs from another start; a lower eigenvalue found
/// there is a missed one, put in its place, and the search repeats until none is.
pub fn lobpcg(
    n: usize,
    wanted: usize,
    pencil: &mut Pencil<'_>,
    tolerance: f64,
    max_iterations: usize,
) -> Result<Eigenpairs> {
    let mut found = run(n, wanted, pencil, tolerance, max_iterations, 0)?;
    for seed in 1..=wanted as u64 {
        let mut basis = pencil.deflate.to_vec();
        basis.extend(found.vectors.iter().cloned());
        let mut check = Pencil {
            k: pencil.k,
            m: pencil.m,
            precondition: &mut *pencil.precondition,
            deflate: &basis,
        };
        // Too few dimensions left to search: every eigenpair is there.
        if 3 * 4 > n.saturating_sub(basis.len()) {
            break;
        }
        let extra = run(n, 1, &mut check, tolerance, max_iterations, seed)?;
        found.iterations += extra.iterations;
        let last = *found.values.last().expect("wanted ≥ 1 pairs");
        if extra.values[0] < last - 1e-9 * last.abs() {
            tracing::debug!(value = extra.values[0], "LOBPCG: a missed eigenvalue found");
            found.values.push(extra.values[0]);
            found.vectors.extend(extra.vectors);
            let mut order: Vec<usize> = (0..found.values.len()).collect();
            order.sort_by(|&a, &b| found.values[a].total_cmp(&found.values[b]));
            order.truncate(wanted);
            found.values = order.iter().map(|&i| found.values[i]).collect();
            found.vectors = order.iter().map(|&i| found.vectors[i].clone()).collect();
        } else {
            break;
        }
    }
    Ok(found)
}

/// One LOBPCG iteration from start block number `seed`.
fn run(
    n: usize,
    wanted: usize,
    pencil: &mut Pencil<'_>,
    tolerance: f64,
    max_iterations: usize,
    seed: u64,
) -> Result<Eigenpairs> {
    let free = n.saturating_sub(pencil.deflate.len());
    let size = (wanted + (wanted / 4).max(3)).min(free);
    if wanted == 0 || size < wanted || 3 * size > free {
        return Err(SolverError::LinearSolver(format!(
            "LOBPCG: {wanted} modes of a {n}-equation model: too many for the iterative method; use the direct one"
        )));
    }
    // Deterministic start: varied positive columns.
    let mut x = Mat::<f64>::from_fn(n, size, |i, j| {
        let h = (i as u64 ^ ((j as u64 + 1 + 64 * seed) << 32)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        0.5 + (h >> 11) as f64 / (1u64 << 53) as f64
    });
    let m_deflate: Vec<Vec<f64>> = pencil
        .deflate
        .iter()
        .map(|b| {
            let mut mb = vec![0.0; n];
            (pencil.m)(b, &mut mb);
            mb
        })
        .collect();
    deflate(pencil.deflate, &m_deflate, &mut x);
    let start = Block::of(pencil, x);
    let (mut theta, c) = rayleigh_ritz(&[&start], size)
        .ok_or_else(|| SolverError::LinearSolver("LOBPCG: the start block is degenerate".into()))?;
    let mut x = start.times(&c);
    let mut p: Option<Block> = None;
    let mut worst = f64::INFINITY;
    for it in 1..=max_iterations {
        let residual = Mat::<f64>::from_fn(n, size, |i, j| x.k[(i, j)] - theta[j] * x.m[(i, j)]);
        let res: Vec<f64> = (0..size)
            .map(|j| {
                column_norm(&residual, j)
                    / (theta[j].abs() * column_norm(&x.m, j)).max(f64::MIN_POSITIVE)
            })
            .collect();
        worst = res[..wanted].iter().fold(0.0, |a: f64, &b| a.max(b));
        tracing::debug!(iteration = it, residual = format!("{worst:.2e}"), "LOBPCG");
        if worst < tolerance {
            return Ok(Eigenpairs {
                values: theta[..wanted].to_vec(),
                vectors: (0..wanted).map(|j| column(&x.v, j)).collect(),
                iterations: it,
            });
        }
        // Preconditioned residuals of the columns not yet converged (soft locking).
        let active: Vec<usize> = (0..size).filter(|&j| res[j] >= tolerance).collect();
        let mut w = Mat::<f64>::zeros(n, active.len());
        let mut z = vec![0.0; n];
        for (a, &j) in active.iter().enumerate() {
            (pencil.precondition)(&column(&residual, j), &mut z);
            w.col_mut(a).iter_mut().zip(&z).for_each(|(w, z)| *w = *z);
        }
        drop(residual);
        deflate(pencil.deflate, &m_deflate, &mut w);
        let w = Block::of(pencil, w).orthonormal(&[&x]).ok_or_else(|| {
            SolverError::LinearSolver(format!(
                "LOBPCG: the preconditioned residuals lie in the current block at iteration {it} (residual {worst:.2e})"
            ))
        })?;
        let directions = p.and_then(|p| p.orthonormal(&[&x, &w]));
        let mut basis = vec![&x, &w];
        basis.extend(directions.as_ref());
        let (values, c) = rayleigh_ritz(&basis, size).ok_or_else(|| {
            SolverError::LinearSolver(format!(
                "LOBPCG: the search space degenerated at iteration {it} (residual {worst:.2e})"
            ))
        })?;
        // New directions: the W and P parts of the new Ritz vectors.
        let next_p = combine(&basis[1..], c.subrows(size, c.nrows() - size));
        x = combine(&basis, c.as_ref());
        p = Some(next_p);
        theta = values;
    }
    Err(SolverError::LinearSolver(format!(
        "LOBPCG did not converge in {max_iterations} iterations: relative residual {worst:.2e} (wanted {tolerance:.0e}); use the direct method"
    )))
}

/// Columns V with their products K V and M V (kept up to date by the same linear
/// combinations instead of new products).
struct Block {
    v: Mat<f64>,
    k: Mat<f64>,
    m: Mat<f64>,
}

impl Block {
    fn of(pencil: &Pencil<'_>, v: Mat<f64>) -> Self {
        let (k, m) = (apply(pencil.k, &v), apply(pencil.m, &v));
        Self { v, k, m }
    }

    fn times(&self, c: &Mat<f64>) -> Self {
        Self {
            v: &self.v * c,
            k: &self.k * c,
            m: &self.m * c,
        }
    }

    /// The block less its M-projections on the M-orthonormal blocks `against` (twice,
    /// for round-off), then M-orthonormalised by the eigenvectors of its Gram matrix,
    /// dropping directions too small to keep (SVQB); None when none remain.
    fn orthonormal(mut self, against: &[&Block]) -> Option<Self> {
        for _ in 0..2 {
            for b in against {
                let c = b.m.transpose() * &self.v;
                for (dst, src) in [
                    (&mut self.v, &b.v),
                    (&mut self.k, &b.k),
                    (&mut self.m, &b.m),
                ] {
                    matmul(
                        dst.as_mut(),
                        Accum::Add,
                        src.as_ref(),
                        c.as_ref(),
                        -1.0,
                        Par::rayon(0),
                    );
                }
            }
        }
        let g = self.v.transpose() * &self.m;
        let g = DMatrix::from_fn(g.nrows(), g.ncols(), |i, j| 0.5 * (g[(i, j)] + g[(j, i)]));
        let eig = SymmetricEigen::new(g);
        let top = eig.eigenvalues.iter().fold(0.0, |a: f64, &b| a.max(b));
        let keep: Vec<usize> = (0..eig.eigenvalues.len())
            .filter(|&i| eig.eigenvalues[i] > 1e-12 * top && top > 0.0)
            .collect();
        if keep.is_empty() {
            return None;
        }
        let t = Mat::<f64>::from_fn(self.v.ncols(), keep.len(), |i, j| {
            eig.eigenvectors[(i, keep[j])] / eig.eigenvalues[keep[j]].sqrt()
        });
        Some(self.times(&t))
    }
}

/// Σ_b B_b C_b over the blocks, C_b the rows of `c` for block b: the combination of
/// the blocks' columns without joining them into one tall matrix.
fn combine(blocks: &[&Block], c: MatRef<'_, f64>) -> Block {
    let (n, cols) = (blocks[0].v.nrows(), c.ncols());
    let mut out = Block {
        v: Mat::zeros(n, cols),
        k: Mat::zeros(n, cols),
        m: Mat::zeros(n, cols),
    };
    let mut row = 0;
    for b in blocks {
        let part = c.subrows(row, b.v.ncols());
        for (dst, src) in [(&mut out.v, &b.v), (&mut out.k, &b.k), (&mut out.m, &b.m)] {
            matmul(
                dst.as_mut(),
                Accum::Add,
                src.as_ref(),
                part,
                1.0,
                Par::rayon(0),
            );
        }
        row += b.v.ncols();
    }
    out
}

/// The `keep` lowest Ritz pairs of the span of the blocks: values and coefficients
/// (M-orthonormal Ritz vectors), or None when the Gram matrix of M is too
/// ill-conditioned to factor.
fn rayleigh_ritz(blocks: &[&Block], keep: usize) -> Option<(Vec<f64>, Mat<f64>)> {
    let gram = |f: fn(&Block) -> &Mat<f64>| {
        let size: usize = blocks.iter().map(|b| b.v.ncols()).sum();
        let mut g = DMatrix::<f64>::zeros(size, size);
        let mut r = 0;
        for a in blocks {
            let mut c = 0;
            for b in blocks {
                let ab = a.v.transpose() * f(b);
                for i in 0..ab.nrows() {
                    for j in 0..ab.ncols() {
                        g[(r + i, c + j)] = ab[(i, j)];
                    }
                }
                c += b.v.ncols();
            }
            r += a.v.ncols();
        }
        0.5 * (&g + g.transpose())
    };
    let (a, b) = (gram(|b| &b.k), gram(|b| &b.m));
    // Unit diagonal scaling, then B = L Lᵀ and the standard problem L⁻¹ A L⁻ᵀ.
    let d: Vec<f64> = (0..b.nrows())
        .map(|i| 1.0 / b[(i, i)].max(f64::MIN_POSITIVE).sqrt())
        .collect();
    let scale =
        |m: &DMatrix<f64>| DMatrix::from_fn(m.nrows(), m.ncols(), |i, j| d[i] * m[(i, j)] * d[j]);
    let (a, b) = (scale(&a), scale(&b));
    let l = b.cholesky()?.l();
    if (0..l.nrows()).any(|i| l[(i, i)].is_nan() || l[(i, i)] <= 1e-7) {
        return None;
    }
    let linv = l.clone().try_inverse()?;
    let standard = &linv * a * linv.transpose();
    let eig = SymmetricEigen::new(0.5 * (&standard + standard.transpose()));
    let mut order: Vec<usize> = (0..eig.eigenvalues.len()).collect();
    order.sort_by(|&i, &j| eig.eigenvalues[i].total_cmp(&eig.eigenvalues[j]));
    let y = linv.transpose()
        * DMatrix::from_fn(eig.eigenvectors.nrows(), keep, |i, j| {
            eig.eigenvectors[(i, order[j])]
        });
    let c = Mat::<f64>::from_fn(y.nrows(), keep, |i, j| d[i] * y[(i, j)]);
    Some((
        order[..keep].iter().map(|&i| eig.eigenvalues[i]).collect(),
        c,
    ))
}

/// Each column less its M-projection on the deflation basis.
fn deflate(basis: &[Vec<f64>], m_basis: &[Vec<f64>], x: &mut Mat<f64>) {
    for (b, mb) in basis.iter().zip(m_basis) {
        for j in 0..x.ncols() {
            let c: f64 = x.col(j).iter().zip(mb).map(|(x, m)| x * m).sum();
            x.col_mut(j)
                .iter_mut()
                .zip(b)
                .for_each(|(x, b)| *x -= c * b);
        }
    }
}

/// The operator applied to every column.
fn apply(op: &dyn Fn(&[f64], &mut [f64]), x: &Mat<f64>) -> Mat<f64> {
    let mut out = Mat::<f64>::zeros(x.nrows(), x.ncols());
    let mut y = vec![0.0; x.nrows()];
    for j in 0..x.ncols() {
        op(&column(x, j), &mut y);
        out.col_mut(j).iter_mut().zip(&y).for_each(|(o, v)| *o = *v);
    }
    out
}

fn column(x: &Mat<f64>, j: usize) -> Vec<f64> {
    x.col(j).iter().copied().collect()
}

fn column_norm(x: &Mat<f64>, j: usize) -> f64 {
    x.col(j).iter().map(|v| v * v).sum::<f64>().sqrt()
}
