//! Constraint equations in natural coordinates.
//!
//! Each body is described by the position of its centre of mass `r` and the three columns
//! `e1, e2, e3` of its rotation matrix: twelve coordinates, with six orthonormality
//! equations. In these coordinates every body-fixed point `r + R s` and direction `R d`
//! is *linear* in the coordinates, every joint equation is a dot product of two such
//! vectors (bilinear), and the mass matrix is constant. Jacobians are exact and cheap,
//! the acceleration right-hand side is `−2 ȧ·ḃ`, and there are no angle singularities.

use super::model::{Motion, Part};
use nalgebra::{DMatrix, Vector3};

/// Coordinates per body: r, e1, e2, e3.
pub const BODY_COORDS: usize = 12;

/// A world vector linear in the coordinates: `constant + Σ (c₀ r + c₁ e1 + c₂ e2 + c₃ e3)`
/// over the bodies it involves.
#[derive(Clone, Debug, Default)]
pub struct Linear {
    terms: Vec<(usize, [f64; 4])>,
    constant: Vector3<f64>,
}

impl Linear {
    /// The point that sits at `local` (relative to the centre of mass, body axes) on
    /// `part`; for the ground, `local` is the world point.
    pub fn point(part: Part, local: Vector3<f64>) -> Self {
        Self::on(part, 1.0, local)
    }
    /// The body-fixed direction `local`.
    pub fn direction(part: Part, local: Vector3<f64>) -> Self {
        Self::on(part, 0.0, local)
    }
    pub fn constant(value: Vector3<f64>) -> Self {
        Self {
            terms: Vec::new(),
            constant: value,
        }
    }
    fn on(part: Part, weight: f64, local: Vector3<f64>) -> Self {
        match part {
            Part::Ground => Self::constant(local),
            Part::Body(b) => Self {
                terms: vec![(b, [weight, local.x, local.y, local.z])],
                constant: Vector3::zeros(),
            },
        }
    }
    pub fn minus(mut self, other: &Linear) -> Self {
        self.constant -= other.constant;
        for &(b, c) in &other.terms {
            self.terms.push((b, c.map(|x| -x)));
        }
        self
    }
    /// Value at coordinates `q`.
    pub fn at(&self, q: &[f64]) -> Vector3<f64> {
        self.constant + self.rate(q)
    }
    /// Time derivative for coordinate rates `v` (the constant part does not move).
    pub fn rate(&self, v: &[f64]) -> Vector3<f64> {
        let mut x = Vector3::zeros();
        for &(b, c) in &self.terms {
            let o = b * BODY_COORDS;
            for (k, ck) in c.iter().enumerate() {
                x += *ck * Vector3::from_column_slice(&v[o + 3 * k..o + 3 * k + 3]);
            }
        }
        x
    }
    /// Adds `(∂x/∂q)ᵀ w` to `out`: the generalised force of a force `w` acting on this
    /// vector, or the gradient of `x·w` for a fixed `w`.
    pub fn add_transpose(&self, w: &Vector3<f64>, out: &mut [f64]) {
        for &(b, c) in &self.terms {
            let o = b * BODY_COORDS;
            for (k, ck) in c.iter().enumerate() {
                for i in 0..3 {
                    out[o + 3 * k + i] += ck * w[i];
                }
            }
        }
    }
    /// Adds `scale (AᵀB + BᵀA)` to `out`, with A = ∂a/∂q and B = ∂b/∂q: the (constant)
    /// Hessian of a·b.
    pub fn add_dot_hessian(a: &Linear, b: &Linear, scale: f64, out: &mut DMatrix<f64>) {
        for &(ba, ca) in &a.terms {
            for &(bb, cb) in &b.terms {
                let (oa, ob) = (ba * BODY_COORDS, bb * BODY_COORDS);
                for (l, x) in ca.iter().enumerate() {
                    for (m, y) in cb.iter().enumerate() {
                        let w = scale * x * y;
                        if w != 0.0 {
                            for k in 0..3 {
                                out[(oa + 3 * l + k, ob + 3 * m + k)] += w;
                                out[(ob + 3 * m + k, oa + 3 * l + k)] += w;
                            }
                        }
                    }
                }
            }
        }
    }

    pub fn bodies(&self) -> impl Iterator<Item = usize> + '_ {
        self.terms.iter().map(|t| t.0)
    }
}

/// One scalar constraint equation Φ(q, t) = 0.
#[derive(Clone, Debug)]
pub enum Row {
    /// `a·b − target(t)`.
    Dot {
        a: Linear,
        b: Linear,
        target: Motion,
    },
    /// `b1·(cos θ(t) a2 − sin θ(t) a1)`: the angle from `a1` to `b1` in the plane of the
    /// orthonormal pair `a1, a2` equals θ(t) (a rotation driver).
    Angle {
        a1: Linear,
        a2: Linear,
        b1: Linear,
        angle: Motion,
    },
}

impl Row {
    pub fn dot(a: Linear, b: Linear) -> Self {
        Self::Dot {
            a,
            b,
            target: Motion::constant(0.0),
        }
    }

    pub fn value(&self, q: &[f64], t: f64) -> f64 {
        match self {
            Self::Dot { a, b, target } => a.at(q).dot(&b.at(q)) - target.at(t)[0],
            Self::Angle { a1, a2, b1, angle } => {
                let (s, c) = angle.at(t)[0].sin_cos();
                b1.at(q).dot(&(c * a2.at(q) - s * a1.at(q)))
            }
        }
    }

    /// Adds ∂Φ/∂q · `scale` to `out`.
    pub fn add_gradient(&self, q: &[f64], t: f64, scale: f64, out: &mut [f64]) {
        match self {
            Self::Dot { a, b, .. } => {
                a.add_transpose(&(scale * b.at(q)), out);
                b.add_transpose(&(scale * a.at(q)), out);
            }
            Self::Angle { a1, a2, b1, angle } => {
                let (s, c) = angle.at(t)[0].sin_cos();
                let b = b1.at(q);
                b1.add_transpose(&(scale * (c * a2.at(q) - s * a1.at(q))), out);
                a2.add_transpose(&(scale * c * b), out);
                a1.add_transpose(&(-scale * s * b), out);
            }
        }
    }

    /// Adds `scale ∂²Φ/∂q²` to `out`.
    pub fn add_hessian(&self, t: f64, scale: f64, out: &mut DMatrix<f64>) {
        match self {
            Self::Dot { a, b, .. } => Linear::add_dot_hessian(a, b, scale, out),
            Self::Angle { a1, a2, b1, angle } => {
                let (s, c) = angle.at(t)[0].sin_cos();
                Linear::add_dot_hessian(b1, a2, scale * c, out);
                Linear::add_dot_hessian(b1, a1, -scale * s, out);
            }
        }
    }

    /// ∂Φ/∂t.
    pub fn time_rate(&self, q: &[f64], t: f64) -> f64 {
        match self {
            Self::Dot { target, .. } => -target.at(t)[1],
            Self::Angle { a1, a2, b1, angle } => {
                let [th, dth, _] = angle.at(t);
                let (s, c) = th.sin_cos();
                dth * b1.at(q).dot(&(-s * a2.at(q) - c * a1.at(q)))
            }
        }
    }

    /// γ in G q̈ = γ: minus the second time derivative of Φ at q̈ = 0.
    pub fn acceleration_rhs(&self, q: &[f64], v: &[f64], t: f64) -> f64 {
        match self {
            Self::Dot { a, b, target } => target.at(t)[2] - 2.0 * a.rate(v).dot(&b.rate(v)),
            Self::Angle { a1, a2, b1, angle } => {
                let [th, dth, ddth] = angle.at(t);
                let (s, c) = th.sin_cos();
                let (x1, x2, y) = (a1.at(q), a2.at(q), b1.at(q));
                let (dx1, dx2, dy) = (a1.rate(v), a2.rate(v), b1.rate(v));
                let normal = -s * x2 - c * x1;
                let second = 2.0 * dy.dot(&(c * dx2 - s * dx1))
                    + 2.0 * dth * dy.dot(&normal)
                    + 2.0 * dth * y.dot(&(-s * dx2 - c * dx1))
                    + ddth * y.dot(&normal)
                    + dth * dth * y.dot(&(-c * x2 + s * x1));
                -second
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Gradient, time rate and acceleration term agree with finite differences along a
    /// path q(t) = q0 + v t (q̈ = 0).
    #[test]
    fn derivatives_match_finite_differences() {
        let n = 2 * BODY_COORDS;
        let q0: Vec<f64> = (0..n).map(|i| ((i * 7 % 11) as f64 * 0.37).sin()).collect();
        let v: Vec<f64> = (0..n).map(|i| ((i * 5 % 13) as f64 * 0.21).cos()).collect();
        let p = |b, x: f64| Linear::point(Part::Body(b), Vector3::new(x, 0.3, -0.2));
        let d = |b, x: f64| Linear::direction(Part::Body(b), Vector3::new(0.1, x, 0.5));
        let rows = [
            Row::Dot {
                a: p(0, 0.4).minus(&p(1, -0.1)),
                b: d(0, 1.0),
                target: Motion::new(|t| [t * t, 2.0 * t, 2.0]),
            },
            Row::Angle {
                a1: d(0, 0.2),
                a2: d(0, -0.7),
                b1: d(1, 0.9),
                angle: Motion::new(|t| [t.sin(), t.cos(), -t.sin()]),
            },
        ];
        let path = |t: f64| -> Vec<f64> { q0.iter().zip(&v).map(|(a, b)| a + b * t).collect() };
        let t = 0.3;
        let h = 1e-4;
        for row in &rows {
            let total = |s: f64| row.value(&path(s), s);
            let mut grad = vec![0.0; n];
            row.add_gradient(&path(t), t, 1.0, &mut grad);
            let first: f64 =
                grad.iter().zip(&v).map(|(g, v)| g * v).sum::<f64>() + row.time_rate(&path(t), t);
            let fd1 = (total(t + h) - total(t - h)) / (2.0 * h);
            let fd2 = (total(t + h) - 2.0 * total(t) + total(t - h)) / (h * h);
            assert!((first - fd1).abs() < 1e-7, "{first} vs {fd1}");
            assert!((-row.acceleration_rhs(&path(t), &v, t) - fd2).abs() < 1e-5);
            // Hessian against differences of the gradient.
            let mut h = DMatrix::zeros(n, n);
            row.add_hessian(t, 1.0, &mut h);
            for j in 0..n {
                let mut qp = path(t);
                qp[j] += 1e-6;
                let (mut g1, mut g0) = (vec![0.0; n], vec![0.0; n]);
                row.add_gradient(&qp, t, 1.0, &mut g1);
                row.add_gradient(&path(t), t, 1.0, &mut g0);
                for i in 0..n {
                    assert!((h[(i, j)] - (g1[i] - g0[i]) / 1e-6).abs() < 1e-6);
                }
            }
        }
    }
}
