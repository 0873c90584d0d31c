//! Steady-state harmonic response by modal superposition: the response to a load of
//! amplitude F and frequency f (or to a base that moves with an acceleration amplitude,
//! as on a shaker) over a band of frequencies.
//!
//! Why modes: with damping that the modes diagonalise (modal ratios, Rayleigh αM + βK,
//! a uniform loss factor), each mass-normalised mode r responds on its own with
//! receptance H_r(ω) = 1 / (ω_r²(1 + iη) − ω² + 2iζ_r ω_r ω), so thousands of
//! frequencies cost a few multiplications each once the modes are known. The modes
//! above the band still respond quasi-statically; their share is the static correction
//! u_s − Σ φ_r p_r / ω_r² (u_s = K⁻¹F), added at every frequency, so the truncation
//! leaves no error at low frequency.
//!
//! Base excitation uses the relative-motion formulation: with the supports moving
//! together by a rigid translation r a_b, the motion relative to them obeys
//! M ü + C u̇ + K u = −M r a_b — a body load of acceleration −a_b (the caller passes it
//! as a load case), with the supports held. Stresses follow from the relative motion;
//! absolute acceleration is the relative one plus a_b.
//!
//! The envelope (largest displacement and von Mises stress over the band per node) is
//! a product of the shapes and the coefficients, formed a block of nodes at a time.
//! The von Mises stress of a complex stress amplitude varies over the cycle; its
//! largest value over the phase is taken in closed form.

use crate::error::{Result, SolverError};

pub mod direct;
mod modal_damping;
use crate::modal::ModalSolution;
use crate::recovery::recover;
use crate::{LoadCase, StaticModel, StaticResults};
pub(crate) use modal_damping::LossStiffness;
pub use modal_damping::ModalDamping;
use nalgebra::{Complex, DMatrix};
use rayon::prelude::*;
use std::f64::consts::PI;

type C64 = Complex<f64>;

/// Damping of a dynamic analysis; all contributions add.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Damping {
    /// Modal damping ratio ζ against frequency: (Hz, ζ) points in increasing frequency,
    /// linear in between, constant beyond the ends; one point is a constant ratio.
    pub modal: Vec<(f64, f64)>,
    /// Rayleigh damping C = αM + βK (α in 1/s, β in s): ζ_r = α / 2ω_r + β ω_r / 2.
    pub alpha: f64,
    pub beta: f64,
    /// Structural (hysteretic) loss factor η: stiffness K(1 + iη).
    pub loss_factor: f64,
    /// Each material's own loss factor (indexed as the model's materials; empty when
    /// none has one): element stiffness K_e(1 + iη_e), adding to `loss_factor`.
    pub material_loss: Vec<f64>,
}

impl Damping {
    /// The viscous damping ratio of a mode of `hz`.
    pub fn ratio(&self, hz: f64) -> f64 {
        let w = 2.0 * PI * hz;
        let rayleigh = if w > 0.0 {
            self.alpha / (2.0 * w) + self.beta * w / 2.0
        } else {
            0.0
        };
        interpolate(&self.modal, hz) + rayleigh
    }

    /// The ratio of critical damping that dissipates as much per cycle at resonance
    /// (viscous ratio plus half the loss factor): what sets a mode's Q = 1 / 2ζ. The
    /// materials' own loss factors depend on the mode: see [`ModalDamping`].
    pub fn equivalent_ratio(&self, hz: f64) -> f64 {
        self.ratio(hz) + self.loss_factor / 2.0
    }

    /// The receptance of a mass-normalised mode of `mode_hz` with loss factor `eta`.
    pub fn receptance(&self, mode_hz: f64, eta: f64, hz: f64) -> C64 {
        let (wr, w) = (2.0 * PI * mode_hz, 2.0 * PI * hz);
        let z = self.ratio(mode_hz);
        C64::new(wr * wr - w * w, wr * wr * eta + 2.0 * z * wr * w).inv()
    }

    /// Whether any material has a loss factor of its own.
    pub fn has_material_loss(&self) -> bool {
        self.material_loss.iter().any(|&e| e != 0.0)
    }

    /// Checks the values (as [`Damping::check_values`]) and that there is some damping
    /// at all: a resonance without damping has no finite steady response.
    pub fn check(&self) -> std::result::Result<(), String> {
        self.check_values()?;
        if self.modal.iter().all(|p| p.1 == 0.0)
            && self.alpha == 0.0
            && self.beta == 0.0
            && self.loss_factor == 0.0
            && !self.has_material_loss()
        {
            return Err("no damping: a response at resonance would be infinite — give a modal ratio (2 % is typical of bolted metal structures), Rayleigh α/β or a loss factor".into());
        }
        Ok(())
    }

    /// Checks the values: finite, non-negative ratios, increasing table frequencies.
    pub fn check_values(&self) -> std::result::Result<(), String> {
        let finite =
            self.alpha.is_finite() && self.beta.is_finite() && self.loss_factor.is_finite();
        if !finite || self.alpha < 0.0 || self.beta < 0.0 || self.loss_factor < 0.0 {
            return Err("Rayleigh α, β and the loss factor must be finite and ≥ 0".into());
        }
        if let Some(e) = self
            .material_loss
            .iter()
            .find(|e| !(e.is_finite() && **e >= 0.0))
        {
            return Err(format!(
                "a material's loss factor ({e}) must be finite and ≥ 0"
            ));
        }
        for (i, &(f, z)) in self.modal.iter().enumerate() {
            if !(f.is_finite() && z.is_finite() && f >= 0.0 && (0.0..1.0).contains(&z)) {
                return Err(format!(
                    "modal damping point {} ({f} Hz, ζ = {z}): frequencies must be ≥ 0 and ratios in [0, 1)",
                    i + 1
                ));
            }
            if i > 0 && f <= self.modal[i - 1].0 {
                return Err(format!(
                    "modal damping frequencies must increase ({} Hz after {} Hz)",
                    f,
                    self.modal[i - 1].0
                ));
            }
        }
        Ok(())
    }
}

/// Linear interpolation in a (x, y) table, constant beyond its ends; 0 when empty.
fn interpolate(table: &[(f64, f64)], x: f64) -> f64 {
    match table {
        [] => 0.0,
        [(_, y)] => *y,
        _ if x <= table[0].0 => table[0].1,
        _ => {
            let k = table.partition_point(|p| p.0 < x);
            match table.get(k) {
                None => table[table.len() - 1].1,
                Some(&(x1, y1)) => {
                    let (x0, y0) = table[k - 1];
                    y0 + (y1 - y0) * (x - x0) / (x1 - x0)
                }
            }
        }
    }
}

/// Spacing of the base frequency points.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Spacing {
    Linear,
    #[default]
    Log,
}

/// The frequencies of a sweep over `band` (Hz): `points` spaced linearly or
/// logarithmically, plus `2 per_side + 1` points clustered at every mode (frequency,
/// equivalent damping ratio) in the band and its displacement peak f_r √(1 − 2ζ²), so
/// that no peak falls between two points. The cluster is f_r (1 + ζ tan φ) for φ in
/// equal steps across (−π/2, π/2): equal steps of a mode's phase, dense at the peak,
/// reaching out to ±(2 per_side + 2)/π half-power bandwidths — and the spacing under
/// which the trapezoidal rule integrates a mode's |H|² (a Lorentzian in f) almost
/// exactly, as a random response needs.
pub fn frequency_points(
    band: (f64, f64),
    points: usize,
    spacing: Spacing,
    modes: &[(f64, f64)],
    per_side: usize,
) -> Vec<f64> {
    let (lo, hi) = band;
    let n = points.max(2);
    let mut f: Vec<f64> = (0..n)
        .map(|i| {
            let t = i as f64 / (n - 1) as f64;
            match spacing {
                Spacing::Linear => lo + (hi - lo) * t,
                Spacing::Log => lo * (hi / lo).powf(t),
            }
        })
        .collect();
    let m = per_side as f64;
    for &(fr, z) in modes {
        let side = per_side as i64;
        f.extend((-side..=side).map(|k| {
            let phi = k as f64 * PI / (2.0 * (m + 1.0));
            fr * (1.0 + z * phi.tan())
        }));
        if z < 0.5f64.sqrt() {
            f.push(fr * (1.0 - 2.0 * z * z).sqrt());
        }
    }
    f.retain(|x| x.is_finite() && (lo..=hi).contains(x));
    f.sort_by(f64::total_cmp);
    f.dedup_by(|a, b| (*a - *b).abs() <= 1e-12 * b.abs().max(1e-300));
    f
}

/// Options of a harmonic response.
#[derive(Clone, Debug)]
pub struct HarmonicOptions {
    /// Frequencies to solve at (Hz), e.g. from [`frequency_points`].
    pub frequencies: Vec<f64>,
    /// The damping of the modes ([`StaticModel::modal_damping`]).
    pub damping: ModalDamping,
    /// The base acceleration amplitude (m/s²) of a base excitation, added to the
    /// relative acceleration to report absolute acceleration (zero for a force).
    pub base_acceleration: [f64; 3],
    /// Add the static correction of the modes left out (true unless reproducing a peer
    /// that adds none).
    pub static_correction: bool,
}

/// The modal superposition of a load case over a set of frequencies: column c is mode
/// c of `modes` (the modes used), the last column the static correction; the response
/// of any linear quantity is Σ_c coefficients[(c, k)] × its value in column c.
#[derive(Clone, Debug)]
pub struct Superposition {
    pub frequencies: Vec<f64>,
    /// Indices into the modal solution of the modes superposed.
    pub modes: Vec<usize>,
    pub mode_frequencies: Vec<f64>,
    /// The damping of each mode.
    pub damping: ModalDamping,
    /// Modal forces p_r = φ_rᵀ F (N·kg^-½).
    pub modal_forces: Vec<f64>,
    /// Coefficients of each column at each frequency: `coefficients[(column, k)]`.
    pub coefficients: DMatrix<C64>,
    /// The static correction (displacement per dof, and nodal stress, Voigt per node).
    pub residual_displacement: Vec<f64>,
    pub residual_stress: Vec<f64>,
    /// Nodal stress of each mode used (Voigt per node).
    mode_stress: Vec<Vec<f64>>,
}

/// One block of nodes' complex response: displacements (3 rows a node) and stresses
/// (6 rows a node), real and imaginary parts, one column per frequency.
pub(crate) struct Block {
    pub ure: DMatrix<f64>,
    pub uim: DMatrix<f64>,
    pub sre: DMatrix<f64>,
    pub sim: DMatrix<f64>,
}

impl Superposition {
    /// The nodal stress (Voigt per node) of each mode superposed, in `modes`' order.
    pub fn mode_stresses(&self) -> &[Vec<f64>] {
        &self.mode_stress
    }

    /// Leaves out the static correction: the modes alone, as CalculiX and Abaqus
    /// superpose them.
    pub fn drop_static_correction(&mut self) {
        let m = self.modes.len();
        self.residual_displacement.fill(0.0);
        self.residual_stress.fill(0.0);
        self.coefficients.row_mut(m).fill(C64::new(0.0, 0.0));
    }

    /// The complex response at every frequency of a quantity whose value in each
    /// column (each mode used, then the static correction) is `per_column`.
    pub fn response(&self, per_column: &[f64]) -> Vec<C64> {
        (0..self.frequencies.len())
            .map(|k| {
                per_column
                    .iter()
                    .enumerate()
                    .map(|(c, v)| self.coefficients[(c, k)] * *v)
                    .sum()
            })
            .collect()
    }

    /// The nodal stress (Voigt) of node `n` in each column.
    pub fn stress_columns(&self, n: usize) -> Vec<[f64; 6]> {
        self.mode_stress
            .iter()
            .chain([&self.residual_stress])
            .map(|s| std::array::from_fn(|c| s[6 * n + c]))
            .collect()
    }

    /// `reduce` of every block of nodes' column values, in node order: displacements
    /// (3 rows a node) and nodal stresses (6 rows a node), one column per mode used and
    /// the static correction last. Blocks are formed and reduced in parallel.
    pub(crate) fn node_blocks<T: Send>(
        &self,
        modes: &ModalSolution,
        reduce: impl Fn(&DMatrix<f64>, &DMatrix<f64>) -> T + Sync,
    ) -> Vec<T> {
        let shapes: Vec<&[f64]> = self
            .modes
            .iter()
            .map(|&r| &modes.modes[r].shape[..])
            .chain([&self.residual_displacement[..]])
            .collect();
        let stresses: Vec<&[f64]> = self
            .mode_stress
            .iter()
            .map(Vec::as_slice)
            .chain([&self.residual_stress[..]])
            .collect();
        let nodes = self.residual_displacement.len() / 3;
        (0..nodes.div_ceil(BLOCK))
            .into_par_iter()
            .map(|b| {
                let first = b * BLOCK;
                let count = BLOCK.min(nodes - first);
                let columns = |data: &[&[f64]], per: usize| {
                    DMatrix::from_fn(per * count, data.len(), |i, c| data[c][per * first + i])
                };
                reduce(&columns(&shapes, 3), &columns(&stresses, 6))
            })
            .collect()
    }

    /// `reduce` of every block of nodes' complex response at every frequency.
    pub(crate) fn blocks<T: Send>(
        &self,
        modes: &ModalSolution,
        reduce: impl Fn(&Block) -> T + Sync,
    ) -> Vec<T> {
        let (cre, cim) = (
            self.coefficients.map(|c| c.re),
            self.coefficients.map(|c| c.im),
        );
        self.node_blocks(modes, |u, s| {
            reduce(&Block {
                ure: u * &cre,
                uim: u * &cim,
                sre: s * &cre,
                sim: s * &cim,
            })
        })
    }
}

/// The harmonic response: the superposition over the band and its envelope.
#[derive(Clone, Debug)]
pub struct HarmonicSolution {
    pub sweep: Superposition,
    pub envelope: Envelope,
}

/// Largest responses over the band.
#[derive(Clone, Debug, Default)]
pub struct Envelope {
    /// Per node: the largest amplitude of each of u_x, u_y, u_z over the band (each at
    /// its own frequency, so the magnitude of the three bounds |u| from above — never
    /// below the true peak); relative to the base.
    pub displacement: Vec<f64>,
    /// Per node, likewise for the absolute acceleration (m/s²).
    pub acceleration: Vec<f64>,
    /// Per node: the largest von Mises stress over the band and the cycle.
    pub von_mises: Vec<f64>,
    /// Per node: the frequency (Hz) of that largest von Mises stress.
    pub von_mises_frequency: Vec<f64>,
    /// Per frequency: the largest |u| and von Mises stress over the nodes.
    pub peak_displacement: Vec<f64>,
    pub peak_von_mises: Vec<f64>,
}

impl StaticModel<'_> {
    /// The modal superposition of the load case `case` (amplitudes; for a base
    /// excitation, the body load −M r a_b) at `frequencies`: the modes of `modes` and
    /// the static correction from `static_response` (the static solution of the same
    /// load case).
    pub fn superpose(
        &self,
        modes: &ModalSolution,
        case: &LoadCase,
        static_response: &StaticResults,
        frequencies: Vec<f64>,
        damping: &ModalDamping,
    ) -> Result<Superposition> {
        damping.damping.check().map_err(SolverError::Dynamics)?;
        self.superpose_any(modes, case, static_response, frequencies, damping)
    }

    /// [`StaticModel::superpose`] with any damping, none included (a transient's).
    pub(crate) fn superpose_any(
        &self,
        modes: &ModalSolution,
        case: &LoadCase,
        static_response: &StaticResults,
        frequencies: Vec<f64>,
        damping: &ModalDamping,
    ) -> Result<Superposition> {
        if damping.frequencies.len() != modes.modes.len() {
            return Err(SolverError::Dynamics(
                "the modal damping belongs to another set of modes".into(),
            ));
        }
        if modes.modes.iter().any(|m| m.rigid_body) {
            return Err(SolverError::Dynamics(
                "a forced response needs a supported model: the modes include rigid-body motion"
                    .into(),
            ));
        }
        // Per column: the nodal stress (6 a node), and the static correction's
        // displacement; the coefficients (16 bytes a column and frequency).
        let columns = modes.modes.len() as u64 + 1;
        let bytes =
            columns * (8 * 9 * self.mesh.nodes.len() as u64 + 16 * frequencies.len() as u64);
        crate::memory::check("the modal superposition", bytes)?;
        let f = self.load_vector(case);
        let used: Vec<usize> = (0..modes.modes.len()).collect();
        let mode_hz: Vec<f64> = used.iter().map(|&r| modes.modes[r].frequency).collect();
        let p: Vec<f64> = used
            .iter()
            .map(|&r| dot(&modes.modes[r].shape, &f))
            .collect();
        let m = used.len();

        let columns: Vec<Vec<C64>> = frequencies
            .par_iter()
            .map(|&hz| damping.coordinates(hz, &p))
            .collect::<Result<_>>()?;
        let mut coefficients = DMatrix::from_fn(m + 1, frequencies.len(), |c, k| {
            if c == m {
                C64::new(0.0, 0.0)
            } else {
                columns[k][c]
            }
        });
        // Static correction: u_s − Σ φ_r p_r / ω_r², and the same of the stresses.
        let mut residual_displacement = static_response.displacement.clone();
        let mut residual_stress: Vec<f64> = flat(&static_response.fields.nodal_stress);
        let mut mode_stress = Vec::with_capacity(m);
        for (c, &r) in used.iter().enumerate() {
            let shape = &modes.modes[r].shape;
            let stress = flat(&recover(self.mesh, &self.materials, shape, None)?.nodal_stress);
            let s = p[c] / (2.0 * PI * mode_hz[c]).powi(2);
            residual_displacement
                .iter_mut()
                .zip(shape)
                .for_each(|(u, phi)| *u -= s * phi);
            residual_stress
                .iter_mut()
                .zip(&stress)
                .for_each(|(u, phi)| *u -= s * phi);
            mode_stress.push(stress);
        }
        // The correction's own loss factor when the materials' differ.
        let residual_loss = if damping.coupled() {
            damping.residual_loss + self.field_loss(&residual_displacement, &damping.damping)?
        } else {
            damping.residual_loss
        };
        coefficients
            .row_mut(m)
            .fill(C64::new(1.0, residual_loss).inv());
        Ok(Superposition {
            frequencies,
            modes: used,
            damping: damping.clone(),
            mode_frequencies: mode_hz,
            modal_forces: p,
            coefficients,
            residual_displacement,
            residual_stress,
            mode_stress,
        })
    }

    /// The harmonic response to `case` over `options.frequencies` (see
    /// [`StaticModel::superpose`]) and its envelope.
    pub fn harmonic(
        &self,
        modes: &ModalSolution,
        case: &LoadCase,
        static_response: &StaticResults,
        options: &HarmonicOptions,
    ) -> Result<HarmonicSolution> {
        let mut sweep = self.superpose(
            modes,
            case,
            static_response,
            options.frequencies.clone(),
            &options.damping,
        )?;
        if !options.static_correction {
            sweep.drop_static_correction();
        }
        let envelope = envelope(&sweep, modes, options.base_acceleration);
        if let Some(bad) = envelope.von_mises.iter().find(|v| !v.is_finite()) {
            return Err(SolverError::LinearSolver(format!(
                "harmonic response: a non-finite stress ({bad}) — check the loads and damping"
            )));
        }
        Ok(HarmonicSolution { sweep, envelope })
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn flat(v: &[crate::material::Voigt]) -> Vec<f64> {
    v.iter().flat_map(|s| s.iter().copied()).collect()
}

/// Nodes per block of the superposition products.
const BLOCK: usize = 128;

/// The envelope of a superposition over its frequencies; `base` is the base
/// acceleration amplitude added to the relative one.
fn envelope(s: &Superposition, modes: &ModalSolution, base: [f64; 3]) -> Envelope {
    let hz = &s.frequencies;
    let w2: Vec<f64> = hz.iter().map(|f| (2.0 * PI * f).powi(2)).collect();
    let blocks = s.blocks(modes, |b| block_envelope(b, &w2, base, hz));
    let mut out = Envelope {
        peak_displacement: vec![0.0; hz.len()],
        peak_von_mises: vec![0.0; hz.len()],
        ..Default::default()
    };
    for b in blocks {
        out.displacement.extend(b.displacement);
        out.acceleration.extend(b.acceleration);
        out.von_mises.extend(b.von_mises);
        out.von_mises_frequency.extend(b.von_mises_frequency);
        for (p, q) in out.peak_displacement.iter_mut().zip(&b.peak_displacement) {
            *p = p.max(*q);
        }
        for (p, q) in out.peak_von_mises.iter_mut().zip(&b.peak_von_mises) {
            *p = p.max(*q);
        }
    }
    out
}

#[derive(Default)]
struct BlockEnvelope {
    displacement: Vec<f64>,
    acceleration: Vec<f64>,
    von_mises: Vec<f64>,
    von_mises_frequency: Vec<f64>,
    peak_displacement: Vec<f64>,
    peak_von_mises: Vec<f64>,
}

/// The envelope of one block of nodes.
fn block_envelope(b: &Block, w2: &[f64], base: [f64; 3], hz: &[f64]) -> BlockEnvelope {
    let count = b.ure.nrows() / 3;
    let mut out = BlockEnvelope {
        peak_displacement: vec![0.0; hz.len()],
        peak_von_mises: vec![0.0; hz.len()],
        ..Default::default()
    };
    for n in 0..count {
        let (mut u_amp, mut a_amp, mut best_s) = ([0.0f64; 3], [0.0f64; 3], (0.0, 0));
        for (k, &w2) in w2.iter().enumerate() {
            let mut u2 = 0.0;
            for c in 0..3 {
                let (re, im) = (b.ure[(3 * n + c, k)], b.uim[(3 * n + c, k)]);
                u2 += re * re + im * im;
                u_amp[c] = u_amp[c].max(re.hypot(im));
                a_amp[c] = a_amp[c].max((base[c] - w2 * re).hypot(w2 * im));
            }
            let (re, im) = stress_at(b, n, k);
            let vm = peak_von_mises(&re, &im);
            out.peak_displacement[k] = out.peak_displacement[k].max(u2.sqrt());
            out.peak_von_mises[k] = out.peak_von_mises[k].max(vm);
            if vm > best_s.0 {
                best_s = (vm, k);
            }
        }
        out.displacement.extend(u_amp);
        out.acceleration.extend(a_amp);
        out.von_mises.push(best_s.0);
        out.von_mises_frequency.push(hz[best_s.1]);
    }
    out
}

/// The complex stress of node `n` of a block at frequency `k`.
pub(crate) fn stress_at(b: &Block, n: usize, k: usize) -> ([f64; 6], [f64; 6]) {
    (
        std::array::from_fn(|c| b.sre[(6 * n + c, k)]),
        std::array::from_fn(|c| b.sim[(6 * n + c, k)]),
    )
}

/// The von Mises quadratic form s_vmᵀ Q t of two stresses (Voigt, tensor shear):
/// `von_mises_form(s, s)` is the squared von Mises stress of s.
pub fn von_mises_form(x: &[f64; 6], y: &[f64; 6]) -> f64 {
    0.5 * ((x[0] - x[1]) * (y[0] - y[1])
        + (x[1] - x[2]) * (y[1] - y[2])
        + (x[2] - x[0]) * (y[2] - y[0]))
        + 3.0 * (x[3] * y[3] + x[4] * y[4] + x[5] * y[5])
}

/// The largest von Mises stress over the cycle of the stress Re((a + ib) e^{iωt}):
/// with s(θ) = a cos θ − b sin θ, s_vm² = A cos²θ + B sin²θ − 2C sin θ cos θ, whose
/// largest value is (A + B)/2 + √(((A − B)/2)² + C²).
pub fn peak_von_mises(a: &[f64; 6], b: &[f64; 6]) -> f64 {
    let (aa, bb, ab) = (
        von_mises_form(a, a),
        von_mises_form(b, b),
        von_mises_form(a, b),
    );
    let half = 0.5 * (aa - bb);
    (0.5 * (aa + bb) + (half * half + ab * ab).sqrt())
        .max(0.0)
        .sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn damping_adds_modal_rayleigh_and_interpolates_its_table() {
        let d = Damping {
            modal: vec![(10.0, 0.05), (110.0, 0.01)],
            alpha: 2.0,
            beta: 1e-4,
            ..Default::default()
        };
        let w = 2.0 * PI * 60.0;
        let expected = 0.03 + 2.0 / (2.0 * w) + 1e-4 * w / 2.0;
        assert!((d.ratio(60.0) - expected).abs() < 1e-15);
        assert_eq!(interpolate(&d.modal, 5.0), 0.05);
        assert_eq!(interpolate(&d.modal, 500.0), 0.01);
        assert!(Damping::default().check().is_err());
    }

    #[test]
    fn single_mode_receptance_is_the_closed_form_oscillator() {
        // |H| at resonance = 1 / (2ζ ω_r²); below, the static 1/ω_r²; phase −90° at ω_r.
        let d = Damping {
            modal: vec![(0.0, 0.02)],
            ..Default::default()
        };
        let (fr, wr2) = (50.0, (2.0 * PI * 50.0f64).powi(2));
        let h = d.receptance(fr, 0.0, fr);
        assert!((h.norm() * wr2 * 0.04 - 1.0).abs() < 1e-12);
        assert!((h.arg() + PI / 2.0).abs() < 1e-12);
        let r: f64 = 0.7;
        let exact = 1.0 / (wr2 * ((1.0 - r * r).powi(2) + (2.0 * 0.02 * r).powi(2)).sqrt());
        assert!((d.receptance(fr, 0.0, r * fr).norm() / exact - 1.0).abs() < 1e-12);
    }

    #[test]
    fn points_cluster_at_every_mode_in_the_band() {
        let f = frequency_points(
            (10.0, 1000.0),
            50,
            Spacing::Log,
            &[(42.65, 0.02), (2000.0, 0.02)],
            10,
        );
        assert!(f.windows(2).all(|w| w[0] < w[1]));
        assert!(f.contains(&42.65));
        let peak = 42.65 * (1.0 - 2.0 * 0.02f64.powi(2)).sqrt();
        assert!(f.iter().any(|&x| (x - peak).abs() < 1e-9));
        assert_eq!(*f.last().unwrap(), 1000.0);
        assert!(
            f.iter()
                .filter(|&&x| (x - 42.65).abs() < 42.65 * 0.02)
                .count()
                >= 7
        );
    }

    #[test]
    fn peak_von_mises_is_the_largest_over_the_cycle() {
        let a = [100.0, -20.0, 5.0, 30.0, 0.0, -7.0];
        let b = [-40.0, 60.0, 10.0, 0.0, 25.0, 3.0];
        let sampled = (0..3600)
            .map(|i| {
                let t = i as f64 * PI / 1800.0;
                let s = crate::material::Voigt::from_fn(|c, _| a[c] * t.cos() - b[c] * t.sin());
                crate::material::von_mises(&s)
            })
            .fold(0.0, f64::max);
        let exact = peak_von_mises(&a, &b);
        assert!(
            exact >= sampled && exact - sampled < 1e-4 * exact,
            "{exact} {sampled}"
        );
    }
}
