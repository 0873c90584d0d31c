//! The symmetric Lanczos process for the few extreme eigenpairs of an operator that is
//! self-adjoint in a given inner product: (K − σM)⁻¹M in the M product for modes,
//! K⁻¹(−K_σ) in the K product for buckling. Full reorthogonalisation keeps the basis
//! orthonormal (the counts of modes wanted are small), and the basis is extended until
//! the wanted Ritz values have converged.

use crate::error::Result;
use nalgebra::{DMatrix, SymmetricEigen};

/// The number of eigenpairs to compute: as requested, at most the number of equations.
pub(crate) fn wanted(requested: usize, equations: usize) -> Result<usize> {
    match requested.min(equations) {
        0 => Err(crate::error::SolverError::LinearSolver(
            "ask for at least one mode".into(),
        )),
        n => Ok(n),
    }
}

pub(crate) fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

pub(crate) fn norm(a: &[f64]) -> f64 {
    dot(a, a).sqrt()
}

/// Lanczos on the operator `op` (self-adjoint in the inner product `m`) with full
/// reorthogonalisation, extended until the `wanted` largest Ritz values converge.
/// Returns (θ, M-normalised Ritz vector) pairs, largest θ first, and the step count.
#[allow(clippy::type_complexity)]
pub(crate) fn lanczos(
    n: usize,
    wanted: usize,
    op: &dyn Fn(&[f64]) -> Result<Vec<f64>>,
    m: &dyn Fn(&[f64]) -> Vec<f64>,
) -> Result<(Vec<(f64, Vec<f64>)>, usize)> {
    let (mut pairs, mut steps) = lanczos_from(n, wanted, op, m, 0, 0)?;
    // A Krylov space grown from one vector holds one direction of each eigenspace: the
    // second copy of a repeated eigenvalue (a square plate's, a symmetric part's) is
    // found only through round-off, which full reorthogonalisation removes. So the
    // converged vectors are deflated and Lanczos is run again from another start
    // vector; a larger θ than the smallest kept one is a missed mode, kept in its
    // place, and the search repeats until none is found.
    for round in 1..=wanted {
        if pairs.len() < wanted {
            break; // the space is exhausted: every mode is there
        }
        let found: Vec<(Vec<f64>, Vec<f64>)> =
            pairs.iter().map(|(_, v)| (v.clone(), m(v))).collect();
        let project = |x: &mut Vec<f64>| {
            for (v, mv) in &found {
                let c = dot(mv, x);
                x.iter_mut().zip(v).for_each(|(a, b)| *a -= c * b);
            }
        };
        let deflated = |x: &[f64]| -> Result<Vec<f64>> {
            let mut x = x.to_vec();
            project(&mut x);
            let mut y = op(&x)?;
            project(&mut y);
            Ok(y)
        };
        // The deflated space has n − found dimensions; an empty one has nothing missed.
        let (extra, more) =
            lanczos_from(n, 1, &deflated, m, round, found.len()).map_or((Vec::new(), 0), |r| r);
        steps += more;
        let smallest = pairs.last().map_or(f64::INFINITY, |p| p.0);
        match extra.into_iter().next() {
            Some((theta, v)) if theta > smallest * (1.0 + 1e-9) && theta.is_finite() => {
                pairs.push((theta, v));
                pairs.sort_by(|a, b| b.0.total_cmp(&a.0));
                pairs.truncate(wanted);
            }
            _ => break,
        }
    }
    Ok((pairs, steps))
}

/// One Lanczos run from start vector number `seed`, on an operator whose range lacks
/// `deflated` dimensions of the n.
#[allow(clippy::type_complexity)]
fn lanczos_from(
    n: usize,
    wanted: usize,
    op: &dyn Fn(&[f64]) -> Result<Vec<f64>>,
    m: &dyn Fn(&[f64]) -> Vec<f64>,
    seed: usize,
    deflated: usize,
) -> Result<(Vec<(f64, Vec<f64>)>, usize)> {
    let space = n.saturating_sub(deflated);
    if space == 0 {
        return Ok((Vec::new(), 0));
    }
    let max_steps = space
        .min((4 * wanted + 60).max(2 * wanted + 20))
        .max(wanted.min(space));
    let mut q: Vec<Vec<f64>> = Vec::new();
    let mut mq: Vec<Vec<f64>> = Vec::new();
    let (mut alpha, mut beta) = (Vec::new(), Vec::new());
    // A deterministic start vector with components in every direction, pushed through
    // the operator once so it lies in the range of (K − σM)⁻¹M (no constrained junk).
    let start: Vec<f64> = (0..n)
        .map(|i| match seed {
            0 => 1.0 + ((i * 7919) % 113) as f64 / 113.0,
            _ => {
                // xorshift of (i, seed): no symmetry of the mesh numbering survives.
                let mut h = (i as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ seed as u64;
                h ^= h >> 31;
                h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
                h ^= h >> 29;
                0.5 + (h % 1_000_000) as f64 / 1e6
            }
        })
        .collect();
    let mut r = op(&start)?;
    let mut check_at = (2 * wanted + 10).min(max_steps);
    loop {
        // Normalise and reorthogonalise r against the basis (twice is enough).
        for _ in 0..2 {
            let mr = m(&r);
            for (qi, _) in q.iter().zip(&mq) {
                let c = dot(qi, &mr);
                r.iter_mut().zip(qi).for_each(|(a, b)| *a -= c * b);
            }
        }
        let mr = m(&r);
        let b = dot(&r, &mr).sqrt();
        if q.is_empty() && !(b.is_finite() && b > 0.0) {
            // The operator maps everything to nothing in this inner product: no mass
            // (a material without density) or no geometric stiffness (a zero preload).
            return Err(crate::error::SolverError::LinearSolver(
                "the eigenproblem is empty: the mass (or, for buckling, the preload's stress stiffness) is zero — check the density, or that the preload carries load".into(),
            ));
        }
        if !q.is_empty() {
            beta.push(b);
        }
        let steps = q.len();
        let exhausted = b <= 1e-14 * alpha.iter().fold(0.0f64, |a: f64, x: &f64| a.max(x.abs()))
            || steps == max_steps;
        if steps >= check_at || exhausted {
            let (pairs, converged) =
                ritz(&alpha, &beta, &q, wanted, if exhausted { 0.0 } else { b });
            if converged || exhausted {
                return Ok((pairs, steps));
            }
            check_at = (check_at + 10).min(max_steps);
        }
        let qj: Vec<f64> = r.iter().map(|v| v / b).collect();
        let mqj: Vec<f64> = mr.iter().map(|v| v / b).collect();
        let mut w = op(&qj)?;
        let a = dot(&mqj, &w);
        alpha.push(a);
        w.iter_mut().zip(&qj).for_each(|(x, y)| *x -= a * y);
        if let (Some(prev), Some(&bp)) = (q.last(), beta.last()) {
            w.iter_mut().zip(prev).for_each(|(x, y)| *x -= bp * y);
        }
        q.push(qj);
        mq.push(mqj);
        r = w;
    }
}

/// Ritz pairs of the tridiagonal T; converged when the wanted ones have small
/// residual estimates |β s_last| / θ.
#[allow(clippy::type_complexity)]
fn ritz(
    alpha: &[f64],
    beta: &[f64],
    q: &[Vec<f64>],
    wanted: usize,
    b_next: f64,
) -> (Vec<(f64, Vec<f64>)>, bool) {
    let k = alpha.len();
    let t = DMatrix::from_fn(k, k, |i, j| {
        if i == j {
            alpha[i]
        } else if i + 1 == j || j + 1 == i {
            beta[i.min(j)]
        } else {
            0.0
        }
    });
    let eig = SymmetricEigen::new(t);
    let mut idx: Vec<usize> = (0..k).collect();
    idx.sort_by(|&a, &b| eig.eigenvalues[b].total_cmp(&eig.eigenvalues[a]));
    let mut converged = k >= wanted;
    let mut pairs = Vec::with_capacity(wanted);
    for &i in idx.iter().take(wanted) {
        let theta = eig.eigenvalues[i];
        let s = eig.eigenvectors.column(i);
        if (b_next * s[k - 1]).abs() > 1e-10 * theta.abs() {
            converged = false;
        }
        let mut v = vec![0.0; q[0].len()];
        for (j, qj) in q.iter().enumerate() {
            v.iter_mut().zip(qj).for_each(|(a, b)| *a += s[j] * b);
        }
        pairs.push((theta, v));
    }
    (pairs, converged)
}

/// The largest θ of one Lanczos run for a single mode: a rough value is enough to place
/// a shift.
pub(crate) fn lanczos_rough(
    n: usize,
    op: &dyn Fn(&[f64]) -> Result<Vec<f64>>,
    m: &dyn Fn(&[f64]) -> Vec<f64>,
) -> Result<f64> {
    let (pairs, _) = lanczos_from(n, 1, op, m, 0, 0)?;
    pairs
        .first()
        .map(|p| p.0)
        .ok_or_else(|| crate::error::SolverError::LinearSolver("no Ritz value".into()))
}
