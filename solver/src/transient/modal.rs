//! The modal method of transient dynamics: the response as the coordinates of the modes
//! below the frequencies of interest plus the quasi-static share of the rest (the
//! static correction u_s − Σ φ_r p_r / ω_r², scaled by the amplitude).
//!
//! Why exact stepping. Each mass-normalised mode obeys q̈ + 2ζω q̇ + ω² q = p a(t); with
//! a(t) linear over a step the solution over the step is the exponential of a 4 × 4
//! matrix (the mode's state and the load's value and slope), computed once per mode in
//! time scaled by ω so its entries are of order one. Any step, any ratio (even above
//! critical) is exact for the piecewise-linear amplitude — there is no period error and
//! no stability limit, and a step costs a few multiplications a mode. The fields are
//! products of the shapes and the coordinates, formed a block of nodes and steps at a
//! time, so the von Mises envelope sees every step.

use super::{amplitude, energy_error, Energy, TransientOptions, TransientSolution};
use crate::error::{Result, SolverError};
use crate::harmonic::{von_mises_form, Superposition};
use crate::modal::ModalSolution;
use crate::{LoadCase, StaticModel, StaticResults};
use nalgebra::{DMatrix, Matrix4};
use std::f64::consts::PI;
use std::sync::Mutex;

/// Steps per block of the field products.
const STEP_BLOCK: usize = 512;

impl StaticModel<'_> {
    /// The response to `case` scaled by `options.amplitude`, from rest, by superposing
    /// the modes of `modes` and the static correction from `static_response` (the static
    /// solution of the same load case). `options.alpha` is not used (no integrator).
    pub fn modal_transient(
        &self,
        modes: &ModalSolution,
        case: &LoadCase,
        static_response: &StaticResults,
        options: &TransientOptions,
    ) -> Result<TransientSolution> {
        options.check()?;
        // The coordinates and their accelerations at every step, and the solution with
        // its stress as a superposition (a copy of the coordinates and the stresses).
        let columns = modes.modes.len() as u64 + 1;
        let nodes = self.mesh.nodes.len() as u64;
        crate::memory::check(
            "the modal coordinates at every step and the transient's output",
            24 * columns * (options.steps as u64 + 1)
                + 48 * columns * nodes
                + options.solution_bytes(self.mesh.nodes.len()),
        )?;
        let damping = self.modal_damping(modes, &options.damping)?;
        let mut sup = self.superpose_any(modes, case, static_response, Vec::new(), &damping)?;
        if !options.static_correction {
            sup.drop_static_correction();
        }
        let dt = options.step;
        let a: Vec<f64> = (0..=options.steps)
            .map(|k| amplitude(&options.amplitude, k as f64 * dt))
            .collect();
        let f = self.load_vector(case);
        let quasi_static: f64 = f
            .iter()
            .zip(&sup.residual_displacement)
            .map(|(x, y)| x * y)
            .sum();
        let (q, acc, energy) = coordinates(&sup, &a, dt, quasi_static);
        if q.iter().any(|x| !x.is_finite()) {
            return Err(SolverError::Dynamics(
                "transient (modal): the modal coordinates are not finite".into(),
            ));
        }
        let mut s = fields(&sup, modes, (&q, &acc, &a), options);
        s.times = (0..=options.steps).map(|k| k as f64 * dt).collect();
        s.watched = watched(&sup, modes, &q, &options.watch);
        s.energy_error = energy_error(&energy);
        s.energy = energy;
        s.modal_stress = Some(super::ModalStress {
            stresses: sup
                .mode_stresses()
                .iter()
                .cloned()
                .chain([sup.residual_stress.clone()])
                .collect(),
            factors: q.row_iter().map(|r| r.iter().copied().collect()).collect(),
        });
        Ok(s)
    }
}

/// The coordinates of every mode (rows; the static correction's factor last) at every
/// step (columns), their accelerations (the static correction's row zero: it carries
/// no inertia), and the energies: modal kinetic and strain energy, the quasi-static
/// strain energy ½ a² Fᵀu_r, and the trapezoidal sums of the work and dissipation.
fn coordinates(
    sup: &Superposition,
    a: &[f64],
    dt: f64,
    quasi_static: f64,
) -> (DMatrix<f64>, DMatrix<f64>, Energy) {
    let (m, n) = (sup.modes.len(), a.len());
    let mut q = DMatrix::zeros(m + 1, n);
    let mut acc = DMatrix::zeros(m + 1, n);
    let mut e = Energy {
        kinetic: vec![0.0; n],
        strain: vec![0.0; n],
        dissipated: vec![0.0; n],
        work: vec![0.0; n],
    };
    for r in 0..m {
        let w = 2.0 * PI * sup.mode_frequencies[r];
        let z = sup.damping.ratios[r];
        let h = w * dt;
        let p = sup.modal_forces[r];
        let step = propagator(z, h);
        // Scaled state: x = ω² q, y = ω q̇ (force per unit mass).
        let (mut x, mut y) = (0.0, 0.0);
        let (mut work, mut diss) = (0.0, 0.0);
        for k in 0..n {
            if k > 0 {
                let (f0, f1) = (p * a[k - 1], p * a[k]);
                let s = [x, y, f0, (f1 - f0) / h];
                let next = |row: usize| (0..4).map(|c| step[(row, c)] * s[c]).sum::<f64>();
                let (x1, y1) = (next(0), next(1));
                let dq = (x1 - x) / (w * w);
                work += dq * 0.5 * (f0 + f1);
                diss += dq * z * (y + y1);
                (x, y) = (x1, y1);
            }
            q[(r, k)] = x / (w * w);
            acc[(r, k)] = p * a[k] - 2.0 * z * y - x;
            e.kinetic[k] += 0.5 * y * y / (w * w);
            e.strain[k] += 0.5 * x * x / (w * w);
            e.work[k] += work;
            e.dissipated[k] += diss;
        }
    }
    for (k, &ak) in a.iter().enumerate() {
        q[(m, k)] = ak;
        e.strain[k] += 0.5 * ak * ak * quasi_static;
        e.work[k] += 0.5 * ak * ak * quasi_static;
    }
    (q, acc, e)
}

/// One step of a mode with ratio `z` over the scaled time h = ωΔt: the state
/// (ω²q, ωq̇, p, dp/dτ) at the step's end from its start, with τ = ωt.
fn propagator(z: f64, h: f64) -> Matrix4<f64> {
    #[rustfmt::skip]
    let a = Matrix4::new(
        0.0, 1.0, 0.0, 0.0,
        -1.0, -2.0 * z, 1.0, 0.0,
        0.0, 0.0, 0.0, 1.0,
        0.0, 0.0, 0.0, 0.0,
    );
    (a * h).exp()
}

/// The displacement of each watched dof at every step.
fn watched(
    sup: &Superposition,
    modes: &ModalSolution,
    q: &DMatrix<f64>,
    watch: &[usize],
) -> Vec<Vec<f64>> {
    watch
        .iter()
        .map(|&g| {
            let per: Vec<f64> = sup
                .modes
                .iter()
                .map(|&r| modes.modes[r].shape.get(g).copied().unwrap_or(f64::NAN))
                .chain([sup
                    .residual_displacement
                    .get(g)
                    .copied()
                    .unwrap_or(f64::NAN)])
                .collect();
            (0..q.ncols())
                .map(|k| per.iter().enumerate().map(|(c, v)| v * q[(c, k)]).sum())
                .collect()
        })
        .collect()
}

/// One block of nodes' envelope and output-step fields.
#[derive(Default)]
struct BlockFields {
    max_u: Vec<f64>,
    max_a: Vec<f64>,
    max_vm: Vec<f64>,
    vm_time: Vec<f64>,
    snap_u: Vec<Vec<f64>>,
    snap_vm: Vec<Vec<f64>>,
}

/// The envelopes over every step and the fields at the output steps.
fn fields(
    sup: &Superposition,
    modes: &ModalSolution,
    (q, acc, a): (&DMatrix<f64>, &DMatrix<f64>, &[f64]),
    options: &TransientOptions,
) -> TransientSolution {
    let outputs: Vec<usize> = (0..q.ncols())
        .filter(|&k| k > 0 && (k % options.output_every.max(1) == 0 || k == options.steps))
        .collect();
    // The largest |u| at each step is merged as each block finishes, so the blocks do
    // not each keep a whole history.
    let peak = Mutex::new(vec![0.0; q.ncols()]);
    let blocks = sup.node_blocks(modes, |u, s| {
        block_fields(u, s, (q, acc, a), &outputs, options, &peak)
    });
    let mut out = TransientSolution {
        times: Vec::new(),
        watched: Vec::new(),
        snapshots: outputs
            .iter()
            .map(|&k| (k as f64 * options.step, Vec::new()))
            .collect(),
        peak_displacement: peak.into_inner().unwrap_or_else(|e| e.into_inner()),
        max_displacement: Vec::new(),
        max_acceleration: Vec::new(),
        max_von_mises: Vec::new(),
        max_von_mises_time: Vec::new(),
        snapshot_von_mises: vec![
            Vec::new();
            if options.stress_envelope {
                outputs.len()
            } else {
                0
            }
        ],
        energy: Energy::default(),
        energy_error: 0.0,
        modal_stress: None,
    };
    for b in blocks {
        out.max_displacement.extend(b.max_u);
        out.max_acceleration.extend(b.max_a);
        out.max_von_mises.extend(b.max_vm);
        out.max_von_mises_time.extend(b.vm_time);
        for (s, u) in out.snapshots.iter_mut().zip(b.snap_u) {
            s.1.extend(u);
        }
        for (s, v) in out.snapshot_von_mises.iter_mut().zip(b.snap_vm) {
            s.extend(v);
        }
    }
    out
}

/// The fields of one block of nodes (`u`: 3 rows a node, `s`: 6 rows a node, one column
/// per superposed column), a block of steps at a time.
fn block_fields(
    u: &DMatrix<f64>,
    s: &DMatrix<f64>,
    (q, acc, a): (&DMatrix<f64>, &DMatrix<f64>, &[f64]),
    outputs: &[usize],
    options: &TransientOptions,
    peak: &Mutex<Vec<f64>>,
) -> BlockFields {
    let (dt, stress, base) = (
        options.step,
        options.stress_envelope,
        options.base_acceleration,
    );
    let count = u.nrows() / 3;
    let mut b = BlockFields {
        max_u: vec![0.0; 3 * count],
        max_a: vec![0.0; 3 * count],
        max_vm: vec![0.0; if stress { count } else { 0 }],
        vm_time: vec![0.0; if stress { count } else { 0 }],
        snap_u: vec![Vec::with_capacity(3 * count); outputs.len()],
        snap_vm: vec![Vec::with_capacity(count); if stress { outputs.len() } else { 0 }],
    };
    let mut largest = vec![0.0f64; q.ncols()];
    for first in (0..q.ncols()).step_by(STEP_BLOCK) {
        let len = STEP_BLOCK.min(q.ncols() - first);
        let qc = q.columns(first, len);
        let uu = u * qc;
        let aa = u * acc.columns(first, len);
        let ss = stress.then(|| s * qc);
        for j in 0..len {
            let k = first + j;
            let output = outputs.binary_search(&k).ok();
            for n in 0..count {
                let mut u2 = 0.0;
                for c in 0..3 {
                    let x = uu[(3 * n + c, j)];
                    u2 += x * x;
                    b.max_u[3 * n + c] = b.max_u[3 * n + c].max(x.abs());
                    let y = aa[(3 * n + c, j)] + base[c] * a[k];
                    b.max_a[3 * n + c] = b.max_a[3 * n + c].max(y.abs());
                }
                largest[k] = largest[k].max(u2.sqrt());
                if let Some(o) = output {
                    b.snap_u[o].extend((0..3).map(|c| uu[(3 * n + c, j)]));
                }
                if let Some(ss) = &ss {
                    let t: [f64; 6] = std::array::from_fn(|c| ss[(6 * n + c, j)]);
                    let vm = von_mises_form(&t, &t).max(0.0).sqrt();
                    if vm > b.max_vm[n] {
                        (b.max_vm[n], b.vm_time[n]) = (vm, k as f64 * dt);
                    }
                    if let Some(o) = output {
                        b.snap_vm[o].push(vm);
                    }
                }
            }
        }
    }
    let mut p = peak.lock().unwrap_or_else(|e| e.into_inner());
    p.iter_mut().zip(largest).for_each(|(p, x)| *p = p.max(x));
    drop(p);
    b
}

#[cfg(test)]
mod tests {
    /// The propagator of an undamped mode over a quarter period under no load turns
    /// (ω²q, ωq̇) = (1, 0) into (0, −1); a constant unit load from rest gives
    /// ω²q = 1 − cos h.
    #[test]
    fn propagator_is_the_exact_oscillator() {
        let h = std::f64::consts::FRAC_PI_2;
        let e = super::propagator(0.0, h);
        assert!((e[(0, 0)]).abs() < 1e-14 && (e[(1, 0)] + 1.0).abs() < 1e-14);
        let e = super::propagator(0.0, 0.7);
        assert!((e[(0, 2)] - (1.0 - 0.7f64.cos())).abs() < 1e-14);
        // Above critical damping the state still decays.
        let e = super::propagator(2.0, 5.0);
        assert!(e[(0, 0)].abs() < 1.0 && e[(1, 1)].abs() < 1.0);
    }
}
