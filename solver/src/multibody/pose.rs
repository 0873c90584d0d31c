//! Constraint-level linear algebra: assembling a consistent pose from an approximate
//! one, finding redundant equations, projecting velocities, and solving for the
//! accelerations and multipliers of a consistent state.

use super::system::{Owner, System};
use crate::error::{Result, SolverError};
use nalgebra::{DMatrix, DVector};

/// The independent constraint rows of a system.
pub struct Constraints<'a> {
    pub sys: &'a System,
    pub active: Vec<usize>,
}

impl Constraints<'_> {
    pub fn phi(&self, q: &[f64], t: f64) -> DVector<f64> {
        DVector::from_iterator(
            self.active.len(),
            self.active
                .iter()
                .map(|&i| self.sys.equations[i].row.value(q, t)),
        )
    }
    pub fn jacobian(&self, q: &[f64], t: f64) -> DMatrix<f64> {
        let mut g = DMatrix::zeros(self.active.len(), self.sys.n);
        let mut row = vec![0.0; self.sys.n];
        for (r, &i) in self.active.iter().enumerate() {
            row.fill(0.0);
            self.sys.equations[i].row.add_gradient(q, t, 1.0, &mut row);
            g.row_mut(r).copy_from_slice(&row);
        }
        g
    }
    pub fn time_rate(&self, q: &[f64], t: f64) -> DVector<f64> {
        DVector::from_iterator(
            self.active.len(),
            self.active
                .iter()
                .map(|&i| self.sys.equations[i].row.time_rate(q, t)),
        )
    }
    pub fn gamma(&self, q: &[f64], v: &[f64], t: f64) -> DVector<f64> {
        DVector::from_iterator(
            self.active.len(),
            self.active
                .iter()
                .map(|&i| self.sys.equations[i].row.acceleration_rhs(q, v, t)),
        )
    }
    /// Multipliers over all equations (zero for the redundant ones).
    pub fn expand(&self, lambda: &[f64]) -> Vec<f64> {
        let mut full = vec![0.0; self.sys.equations.len()];
        for (&i, l) in self.active.iter().zip(lambda) {
            full[i] = *l;
        }
        full
    }

    /// Solves `[M Gᵀ; G 0] [x; μ] = [top; bottom]`.
    fn saddle(
        &self,
        q: &[f64],
        t: f64,
        top: &DVector<f64>,
        bottom: &DVector<f64>,
    ) -> Result<(Vec<f64>, Vec<f64>)> {
        let (n, m) = (self.sys.n, self.active.len());
        let g = self.jacobian(q, t);
        let mut a = DMatrix::zeros(n + m, n + m);
        a.view_mut((0, 0), (n, n)).copy_from(&self.sys.mass);
        a.view_mut((0, n), (n, m)).copy_from(&g.transpose());
        a.view_mut((n, 0), (m, n)).copy_from(&g);
        let mut b = DVector::zeros(n + m);
        b.rows_mut(0, n).copy_from(top);
        b.rows_mut(n, m).copy_from(bottom);
        let x = a.lu().solve(&b).filter(|x| x.iter().all(|v| v.is_finite())).ok_or_else(|| {
            SolverError::Integration {
                time: t,
                reason: "the constrained mass matrix is singular: a body has no inertia in a direction it can move".into(),
            }
        })?;
        Ok((
            x.rows(0, n).iter().copied().collect(),
            x.rows(n, m).iter().copied().collect(),
        ))
    }

    /// Accelerations and multipliers of the consistent state (t, q, v).
    pub fn accelerations(&self, t: f64, q: &[f64], v: &[f64]) -> Result<(Vec<f64>, Vec<f64>)> {
        let mut f = vec![0.0; self.sys.n];
        self.sys.forces(t, q, v, &mut f);
        self.saddle(q, t, &DVector::from_vec(f), &self.gamma(q, v, t))
    }

    /// The nearest consistent position in the kinetic-energy norm (a few Newton steps on
    /// `[M Gᵀ; G 0] [Δq; μ] = [0; −Φ]`), for states interpolated between steps.
    pub fn project_position(&self, q: &[f64], t: f64) -> Result<Vec<f64>> {
        let mut q = q.to_vec();
        let tol = 1e-13 * self.sys.length_scale.max(1.0);
        for _ in 0..5 {
            let phi = self.phi(&q, t);
            if phi.amax() <= tol {
                break;
            }
            let (dq, _) = self.saddle(&q, t, &DVector::zeros(self.sys.n), &-phi)?;
            for (qi, d) in q.iter_mut().zip(dq) {
                *qi += d;
            }
        }
        Ok(q)
    }

    /// The velocities closest to `v0` in the kinetic-energy norm that satisfy G v = −Φ_t.
    pub fn project_velocity(&self, q: &[f64], t: f64, v0: &[f64]) -> Result<Vec<f64>> {
        let top = &self.sys.mass * DVector::from_column_slice(v0);
        Ok(self.saddle(q, t, &top, &-self.time_rate(q, t))?.0)
    }
}

/// Newton iterations on Φ(q, t) = 0 with the minimum-norm (pseudo-inverse) correction
/// over all equations, so redundant but consistent equations do no harm. Fails naming
/// the equation left furthest from being satisfied.
pub fn assemble(sys: &System, q0: &[f64], t: f64) -> Result<Vec<f64>> {
    let all = Constraints {
        sys,
        active: (0..sys.equations.len()).collect(),
    };
    let tol = 1e-12 * sys.length_scale.max(1.0);
    let mut q = q0.to_vec();
    for _ in 0..50 {
        let phi = all.phi(&q, t);
        if phi.amax() <= tol {
            return Ok(q);
        }
        let svd = all.jacobian(&q, t).svd(true, true);
        let eps = 1e-10 * svd.singular_values.max();
        let dq = svd
            .solve(&-phi, eps)
            .map_err(|e| SolverError::Mechanism(e.into()))?;
        for (qi, d) in q.iter_mut().zip(dq.iter()) {
            *qi += d;
        }
    }
    let phi = all.phi(&q, t);
    let worst = phi.iamax();
    Err(SolverError::Mechanism(format!(
        "cannot assemble the mechanism at t = {t}: {} is off by {:.3e} after 50 iterations; check the joint points, axes and drivers",
        describe(sys, worst),
        phi[worst].abs()
    )))
}

/// Splits the equations into an independent set and the redundant rest (Gram–Schmidt on
/// the rows of G at a consistent pose: body equations first, then joints, then drivers).
/// A redundant driver is an error: it fights the mechanism.
pub fn independent(sys: &System, q: &[f64], t: f64) -> Result<(Vec<usize>, Vec<usize>)> {
    let all = Constraints {
        sys,
        active: (0..sys.equations.len()).collect(),
    };
    let g = all.jacobian(q, t);
    let mut order: Vec<usize> = (0..sys.equations.len()).collect();
    order.sort_by_key(|&i| {
        let e = &sys.equations[i];
        (matches!(e.owner, Owner::Joint(_)) as u8 + e.driver as u8, i)
    });
    let mut basis: Vec<DVector<f64>> = Vec::new();
    let (mut active, mut redundant) = (Vec::new(), Vec::new());
    for i in order {
        let row = g.row(i).transpose();
        let norm = row.norm();
        let mut r = row.clone();
        for _ in 0..2 {
            for b in &basis {
                r -= b * b.dot(&r);
            }
        }
        if r.norm() > 1e-8 * norm {
            basis.push(r.normalize());
            active.push(i);
        } else if sys.equations[i].driver {
            return Err(SolverError::Mechanism(format!(
                "{} over-constrains the mechanism: the motion it prescribes is already fixed by the joints and other drivers",
                describe(sys, i)
            )));
        } else {
            redundant.push(i);
        }
    }
    active.sort_unstable();
    Ok((active, redundant))
}

/// "joint 'name' (label)" or "body 'name' (label)".
pub fn describe(sys: &System, equation: usize) -> String {
    let e = &sys.equations[equation];
    match e.owner {
        Owner::Joint(j) => format!("joint '{}' ({})", sys.joint_names[j], e.label),
        Owner::Body(b) => format!("body '{}' ({})", sys.body_names[b], e.label),
    }
}
