//! The direct method of the harmonic response: the complex system
//! (K(1 + iη + iωβ) + M(iωα − ω²)) u = F solved at every frequency, with no modes.
//!
//! Why keep it beside the modal method: it has no truncation at all, so it checks the
//! modal superposition (and its static correction) on the user's own model. Its price is
//! a complex sparse LU factorisation per frequency, so it is for checking a few hundred
//! frequencies, not for production sweeps. Damping must be expressible without modes:
//! Rayleigh α/β, a uniform loss factor and the materials' own (iΣ η_e K_e).

use super::{peak_von_mises, Damping, Envelope, LossStiffness};
use crate::assembly::{assemble, assemble_mass, assemble_stiffness};
use crate::error::{Result, SolverError};
use crate::recovery::NodalStress;
use crate::statics::{Method, System};
use crate::{LoadCase, StaticModel};
use faer::linalg::solvers::Solve;
use faer::sparse::linalg::solvers::{Lu, SymbolicLu};
use faer::sparse::{SparseColMatRef, SymbolicSparseColMat};
use faer::Mat;
use nalgebra::Complex;
use std::f64::consts::PI;

type C64 = Complex<f64>;

/// Options of a direct harmonic response.
#[derive(Clone, Debug)]
pub struct DirectOptions {
    pub frequencies: Vec<f64>,
    /// Rayleigh α/β and a loss factor (no modal ratios: there are no modes).
    pub damping: Damping,
    /// The base acceleration amplitude (m/s²), added to report absolute acceleration.
    pub base_acceleration: [f64; 3],
    /// Points whose complex displacement is kept at every frequency: (node, weight)
    /// pairs each (an interpolation in an element).
    pub points: Vec<Vec<(usize, f64)>>,
}

/// A direct harmonic response: its envelope and the response at the points.
#[derive(Clone, Debug)]
pub struct DirectSolution {
    pub frequencies: Vec<f64>,
    pub envelope: Envelope,
    /// Per point: the complex displacement (x, y, z) at every frequency.
    pub points: Vec<[Vec<C64>; 3]>,
}

/// The full (both triangles) pattern of a symmetric matrix stored as its upper
/// triangle, and for each full entry the upper entry it copies.
fn full_pattern(upper: &SymbolicSparseColMat<usize>) -> (SymbolicSparseColMat<usize>, Vec<usize>) {
    let n = upper.ncols();
    let (ptr, idx) = (upper.col_ptr(), upper.row_idx());
    // (column, row, upper entry) of both triangles, in column-major order.
    let mut entries: Vec<(usize, usize, usize)> = Vec::with_capacity(2 * idx.len());
    for j in 0..n {
        for (k, &i) in idx.iter().enumerate().take(ptr[j + 1]).skip(ptr[j]) {
            entries.push((j, i, k));
            if i != j {
                entries.push((i, j, k));
            }
        }
    }
    entries.sort_unstable();
    let mut col_ptr = vec![0usize; n + 1];
    for &(j, _, _) in &entries {
        col_ptr[j + 1] += 1;
    }
    for j in 0..n {
        col_ptr[j + 1] += col_ptr[j];
    }
    let rows = entries.iter().map(|e| e.1).collect();
    let source = entries.iter().map(|e| e.2).collect();
    let pattern = SymbolicSparseColMat::new_checked(n, n, col_ptr, None, rows);
    (pattern, source)
}

impl StaticModel<'_> {
    /// The harmonic response to `case` (amplitudes; a base excitation as the body load
    /// −M r a_b) at every frequency of `options`, by a complex sparse solve each.
    pub fn harmonic_direct(
        &self,
        case: &LoadCase,
        options: &DirectOptions,
    ) -> Result<DirectSolution> {
        let d = &options.damping;
        d.check().map_err(SolverError::Dynamics)?;
        if d.modal.iter().any(|p| p.1 != 0.0) {
            return Err(SolverError::Dynamics(
                "the direct harmonic method takes Rayleigh α/β and a loss factor: modal damping ratios need modes (use the modal method)".into(),
            ));
        }
        let (fixed, prescribed) = self.prescribed();
        if prescribed.iter().any(|v| *v != 0.0) {
            return Err(SolverError::Dynamics(
                "harmonic (direct): prescribed non-zero displacements are not supported (supports must be held)".into(),
            ));
        }
        self.require_constrained(&fixed)?;
        let (Some(System { dofs, pattern, .. }), _) = self.choose(&fixed, Method::Direct)? else {
            return Err(SolverError::Dynamics(
                "harmonic (direct): the model is too large for a direct factor in memory; use the modal method".into(),
            ));
        };
        let k = assemble_stiffness(self.mesh, &self.materials, &dofs, &pattern)?;
        let m = assemble_mass(self.mesh, &self.materials, &dofs, &pattern)?;
        let hysteretic = match self.element_loss(d)? {
            Some(_) => assemble(
                self.mesh,
                &dofs,
                &pattern,
                &LossStiffness(&self.materials, &d.material_loss),
            )?,
            None => vec![0.0; k.len()],
        };
        let (full, source) = full_pattern(&pattern);
        // A complex LU factor holds several times the entries of the real Cholesky one.
        crate::memory::check(
            "the complex matrix of the direct harmonic method",
            16 * 4 * source.len() as u64,
        )?;
        let symbolic = SymbolicLu::try_new(full.as_ref())
            .map_err(|e| SolverError::LinearSolver(format!("harmonic (direct): {e:?}")))?;
        let free = dofs.free_dofs();
        let mut load = self.load_vector(case);
        dofs.fold(&mut load);
        crate::memory::check(
            "the stress recovery operator",
            NodalStress::bytes(self.mesh),
        )?;
        let stress = NodalStress::new(self.mesh, &self.materials);
        let mut out = Accumulator::new(self.mesh.nodes.len(), options);
        let mut values = vec![C64::new(0.0, 0.0); source.len()];
        for (step, &hz) in options.frequencies.iter().enumerate() {
            let w = 2.0 * PI * hz;
            let a = C64::new(1.0, d.loss_factor + w * d.beta);
            let b = C64::new(-w * w, w * d.alpha);
            for (v, &s) in values.iter_mut().zip(&source) {
                *v = a * k[s] + b * m[s] + C64::new(0.0, hysteretic[s]);
            }
            let lu = Lu::try_new_with_symbolic(
                symbolic.clone(),
                SparseColMatRef::new(full.as_ref(), &values),
            )
            .map_err(|e| {
                SolverError::LinearSolver(format!("harmonic (direct) at {hz} Hz: {e:?}"))
            })?;
            let mut x = Mat::<C64>::from_fn(free.len(), 1, |i, _| C64::new(load[free[i]], 0.0));
            lu.solve_in_place(x.as_mut());
            let (mut re, mut im) = (vec![0.0; load.len()], vec![0.0; load.len()]);
            for (i, &g) in free.iter().enumerate() {
                (re[g], im[g]) = (x[(i, 0)].re, x[(i, 0)].im);
            }
            dofs.expand(&mut re);
            dofs.expand(&mut im);
            if re.iter().chain(&im).any(|v| !v.is_finite()) {
                return Err(SolverError::LinearSolver(format!(
                    "harmonic (direct): a non-finite response at {hz} Hz"
                )));
            }
            out.add(&stress, step, hz, &re, &im);
        }
        Ok(out.finish())
    }
}

/// The envelope and point responses, built a frequency at a time.
struct Accumulator<'o> {
    options: &'o DirectOptions,
    envelope: Envelope,
    points: Vec<[Vec<C64>; 3]>,
}

impl<'o> Accumulator<'o> {
    fn new(nodes: usize, options: &'o DirectOptions) -> Self {
        let n = options.frequencies.len();
        Self {
            options,
            envelope: Envelope {
                displacement: vec![0.0; 3 * nodes],
                acceleration: vec![0.0; 3 * nodes],
                von_mises: vec![0.0; nodes],
                von_mises_frequency: vec![0.0; nodes],
                peak_displacement: vec![0.0; n],
                peak_von_mises: vec![0.0; n],
            },
            points: vec![
                [
                    Vec::with_capacity(n),
                    Vec::with_capacity(n),
                    Vec::with_capacity(n)
                ];
                options.points.len()
            ],
        }
    }

    fn add(&mut self, stress: &NodalStress, step: usize, hz: f64, re: &[f64], im: &[f64]) {
        let e = &mut self.envelope;
        let w2 = (2.0 * PI * hz).powi(2);
        let base = self.options.base_acceleration;
        for (g, (&x, &y)) in re.iter().zip(im).enumerate() {
            e.displacement[g] = e.displacement[g].max(x.hypot(y));
            e.acceleration[g] = e.acceleration[g].max((base[g % 3] - w2 * x).hypot(w2 * y));
        }
        e.peak_displacement[step] = re
            .chunks(3)
            .zip(im.chunks(3))
            .map(|(x, y)| {
                (0..3)
                    .map(|c| x[c] * x[c] + y[c] * y[c])
                    .sum::<f64>()
                    .sqrt()
            })
            .fold(0.0, f64::max);
        let (sre, sim) = (stress.of(re), stress.of(im));
        for (n, (a, b)) in sre.chunks(6).zip(sim.chunks(6)).enumerate() {
            let a: [f64; 6] = std::array::from_fn(|c| a[c]);
            let b: [f64; 6] = std::array::from_fn(|c| b[c]);
            let vm = peak_von_mises(&a, &b);
            if vm > e.von_mises[n] {
                (e.von_mises[n], e.von_mises_frequency[n]) = (vm, hz);
            }
            e.peak_von_mises[step] = e.peak_von_mises[step].max(vm);
        }
        for (p, at) in self.points.iter_mut().zip(&self.options.points) {
            for (c, series) in p.iter_mut().enumerate() {
                let u: C64 = at
                    .iter()
                    .map(|&(n, wt)| C64::new(re[3 * n + c], im[3 * n + c]) * wt)
                    .sum();
                series.push(u);
            }
        }
    }

    fn finish(self) -> DirectSolution {
        DirectSolution {
            frequencies: self.options.frequencies.clone(),
            envelope: self.envelope,
            points: self.points,
        }
    }
}

#[cfg(test)]
mod tests {
    use faer::sparse::SymbolicSparseColMat;

    /// The full pattern of an upper triangle holds both triangles, rows increasing.
    #[test]
    fn full_pattern_mirrors_the_upper_triangle() {
        // [[a, b, 0], [b, c, d], [0, d, e]] stored as its upper triangle.
        let upper =
            SymbolicSparseColMat::new_checked(3, 3, vec![0, 1, 3, 5], None, vec![0, 0, 1, 1, 2]);
        let (full, source) = super::full_pattern(&upper);
        assert_eq!(full.col_ptr(), &[0, 2, 5, 7]);
        assert_eq!(full.row_idx(), &[0, 1, 0, 1, 2, 1, 2]);
        assert_eq!(source, vec![0, 1, 1, 2, 3, 3, 4]);
    }
}
