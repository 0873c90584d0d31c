//! The damping each mode sees, and the modal coordinates it gives at a frequency.
//!
//! Why a matrix and not only ratios: viscous ratios, Rayleigh damping and one loss
//! factor for the whole model act on every mode alone. Loss factors that differ between
//! materials do not: the hysteretic stiffness iK_η = iΣ η_e K_e is not proportional to
//! K, so in modal coordinates it is the full matrix iΦᵀK_ηΦ, which couples the modes.
//! Its diagonal is each mode's loss factor by the modal strain energy method (η_r = the
//! materials' η weighted by the mode's strain energy in each), used for Q, clustering
//! and response spectra; the harmonic and random responses keep the off-diagonal terms
//! by solving the small coupled system at each frequency, as CalculiX does, so the modal
//! and direct methods agree once enough modes are kept.

use super::Damping;
use crate::assembly::{element_stiffness, ElementMatrix};
use crate::element::Shape;
use crate::error::{Result, SolverError};
use crate::modal::ModalSolution;
use crate::StaticModel;
use nalgebra::{Complex, DMatrix, DVector, SMatrix, SVector};
use rayon::prelude::*;
use std::f64::consts::PI;

type C64 = Complex<f64>;

/// The damping of each mode of a modal solution.
#[derive(Clone, Debug, Default)]
pub struct ModalDamping {
    /// What the user gave.
    pub damping: Damping,
    /// Frequency (Hz) of each mode.
    pub frequencies: Vec<f64>,
    /// Viscous damping ratio of each mode (modal ratios and Rayleigh).
    pub ratios: Vec<f64>,
    /// Loss factor of each mode: the uniform one plus the materials' share.
    pub loss: Vec<f64>,
    /// Loss factor of the modes left out (the static correction's): the uniform one,
    /// plus the materials' when they all have the same (when they differ, the
    /// superposition adds the correction's own by its strain energy in each material).
    pub residual_loss: f64,
    /// Φᵀ K_η Φ of the materials' loss factors, when they differ (else diagonal).
    coupling: Option<DMatrix<f64>>,
}

impl ModalDamping {
    /// The ratio of critical damping of mode `r` that dissipates as much per cycle at
    /// resonance (ζ_r + η_r / 2): Q = 1 / 2ζ.
    pub fn equivalent_ratio(&self, r: usize) -> f64 {
        self.ratios[r] + self.loss[r] / 2.0
    }

    /// (Hz, equivalent ratio) of every mode: where to cluster frequency points.
    pub fn resonances(&self) -> Vec<(f64, f64)> {
        (0..self.frequencies.len())
            .map(|r| (self.frequencies[r], self.equivalent_ratio(r)))
            .collect()
    }

    /// Whether the materials' loss factors couple the modes.
    pub fn coupled(&self) -> bool {
        self.coupling.is_some()
    }

    /// The modal coordinates at `hz` under modal forces `p` (mass-normalised modes).
    pub fn coordinates(&self, hz: f64, p: &[f64]) -> Result<Vec<C64>> {
        let Some(d) = &self.coupling else {
            return Ok((0..p.len())
                .map(|r| {
                    self.damping
                        .receptance(self.frequencies[r], self.loss[r], hz)
                        * p[r]
                })
                .collect());
        };
        let w = 2.0 * PI * hz;
        let eta = self.damping.loss_factor;
        let a = DMatrix::from_fn(p.len(), p.len(), |r, s| {
            let mut v = C64::new(0.0, d[(r, s)]);
            if r == s {
                let wr = 2.0 * PI * self.frequencies[r];
                v += C64::new(
                    wr * wr - w * w,
                    wr * wr * eta + 2.0 * self.ratios[r] * wr * w,
                );
            }
            v
        });
        let rhs = DVector::from_iterator(p.len(), p.iter().map(|&x| C64::new(x, 0.0)));
        a.lu()
            .solve(&rhs)
            .map(|q| q.as_slice().to_vec())
            .ok_or_else(|| {
                SolverError::LinearSolver(format!(
                    "the coupled modal system at {hz} Hz is singular (no damping at a resonance?)"
                ))
            })
    }
}

impl StaticModel<'_> {
    /// The damping of each mode of `modes`: `damping` with the materials' loss factors
    /// projected on the modes.
    pub fn modal_damping(&self, modes: &ModalSolution, damping: &Damping) -> Result<ModalDamping> {
        damping.check_values().map_err(SolverError::Dynamics)?;
        let frequencies: Vec<f64> = modes.modes.iter().map(|m| m.frequency).collect();
        let ratios = frequencies.iter().map(|&f| damping.ratio(f)).collect();
        let uniform = damping.loss_factor;
        let mut out = ModalDamping {
            damping: damping.clone(),
            loss: vec![uniform; frequencies.len()],
            frequencies,
            ratios,
            residual_loss: uniform,
            coupling: None,
        };
        let Some(etas) = self.element_loss(damping)? else {
            return Ok(out);
        };
        if let Some(&first) = etas.first().filter(|&&e| etas.iter().all(|&x| x == e)) {
            out.loss.iter_mut().for_each(|l| *l += first);
            out.residual_loss += first;
            return Ok(out);
        }
        let shapes: Vec<&[f64]> = modes.modes.iter().map(|m| m.shape.as_slice()).collect();
        let d = self.loss_projection(&shapes, &damping.material_loss)?;
        for (r, l) in out.loss.iter_mut().enumerate() {
            *l += d[(r, r)] / (2.0 * PI * out.frequencies[r]).powi(2);
        }
        out.coupling = Some(d);
        Ok(out)
    }

    /// The loss factor of every element from its material, or None when no material
    /// has one.
    pub(crate) fn element_loss(&self, damping: &Damping) -> Result<Option<Vec<f64>>> {
        if !damping.has_material_loss() {
            return Ok(None);
        }
        let m = &self.materials;
        if damping.material_loss.len() != m.materials.len() {
            return Err(SolverError::Dynamics(format!(
                "{} material loss factors for {} materials",
                damping.material_loss.len(),
                m.materials.len()
            )));
        }
        Ok(Some(
            m.of_element
                .iter()
                .map(|&i| damping.material_loss[i])
                .collect(),
        ))
    }

    /// The loss factor of a displacement field by its strain energy in each material,
    /// uᵀK_ηu / uᵀKu (0 for no strain).
    pub(crate) fn field_loss(&self, u: &[f64], damping: &Damping) -> Result<f64> {
        let lossy = self.loss_projection(&[u], &damping.material_loss)?[(0, 0)];
        let all = vec![1.0; self.materials.materials.len()];
        let strain = self.loss_projection(&[u], &all)?[(0, 0)];
        Ok(if strain > 0.0 { lossy / strain } else { 0.0 })
    }

    /// Φᵀ K_η Φ of the fields `shapes` with loss factors `etas` per material, element by
    /// element (each element's stiffness formed once for all fields).
    fn loss_projection(&self, shapes: &[&[f64]], etas: &[f64]) -> Result<DMatrix<f64>> {
        let op = LossStiffness(&self.materials, etas);
        let mut total = DMatrix::zeros(shapes.len(), shapes.len());
        for (offset, b) in self.mesh.block_offsets().into_iter().zip(&self.mesh.blocks) {
            total += crate::with_shape!(b.kind, E, N, D => {
                (0..b.len())
                    .into_par_iter()
                    .try_fold(
                        || (DMatrix::zeros(shapes.len(), shapes.len()), Vec::new()),
                        |(mut acc, mut local), i| -> Result<_> {
                            let nodes = b.element(i);
                            let x = self.mesh.coords::<N>(nodes);
                            if let Some(k) = op.of::<E, N, D>(&x, offset + i)? {
                                project::<D>(&k, nodes, shapes, &mut local, &mut acc);
                            }
                            Ok((acc, local))
                        },
                    )
                    .map(|r| r.map(|(acc, _)| acc))
                    .try_reduce(|| DMatrix::zeros(shapes.len(), shapes.len()), |a, b| Ok(a + b))?
            });
        }
        Ok(total)
    }
}

/// Adds Φ_eᵀ k Φ_e of one element (its rows of every mode shape, gathered into
/// `local`, a buffer kept between elements) to `acc`.
fn project<const D: usize>(
    k: &SMatrix<f64, D, D>,
    nodes: &[usize],
    shapes: &[&[f64]],
    local: &mut Vec<SVector<f64, D>>,
    acc: &mut DMatrix<f64>,
) {
    let per = D / nodes.len();
    let phi = |s: &[f64]| SVector::<f64, D>::from_fn(|r, _| s[per * nodes[r / per] + r % per]);
    local.clear();
    local.extend(shapes.iter().map(|s| phi(s)));
    for (r, pr) in local.iter().enumerate() {
        let kp = k * pr;
        for (s, ps) in local.iter().enumerate().skip(r) {
            let v = ps.dot(&kp);
            acc[(s, r)] += v;
            if s != r {
                acc[(r, s)] += v;
            }
        }
    }
}

/// The hysteretic stiffness η_e K_e of every element (zero where its material has no
/// loss factor): the imaginary part of the direct method's stiffness.
pub(crate) struct LossStiffness<'a>(pub &'a crate::assembly::Materials, pub &'a [f64]);

impl LossStiffness<'_> {
    fn of<E: Shape<N>, const N: usize, const D: usize>(
        &self,
        x: &SMatrix<f64, N, 3>,
        id: usize,
    ) -> Result<Option<SMatrix<f64, D, D>>> {
        let eta = self.1[self.0.of_element[id]];
        if eta == 0.0 {
            return Ok(None);
        }
        Ok(Some(
            element_stiffness::<E, N, D>(x, self.0.of(id), id)? * eta,
        ))
    }
}

impl ElementMatrix for LossStiffness<'_> {
    fn matrix<E: Shape<N>, const N: usize, const D: usize>(
        &self,
        x: &SMatrix<f64, N, 3>,
        _nodes: &[usize],
        id: usize,
    ) -> Result<SMatrix<f64, D, D>> {
        Ok(self.of::<E, N, D>(x, id)?.unwrap_or_else(SMatrix::zeros))
    }
}
