//! Sensitivities of natural frequencies to material constants, for calibration.
//!
//! For a mass-normalised mode (φᵀMφ = 1), dλ/dp = φᵀ(∂K/∂p − λ ∂M/∂p)φ (Fox and
//! Kapoor, AIAA J. 6, 1968). K is linear in each material's Young's modulus (ν fixed)
//! and M in its density, so ∂K/∂E_m = K_m / E_m and ∂M/∂ρ_m = M_m / ρ_m, K_m and M_m
//! the parts of the material's elements: each derivative is a mode's strain or kinetic
//! energy in that material, one pass over the elements for every mode at once, where a
//! finite difference would solve the eigenproblem twice per parameter.

use crate::assembly::{element_mass, element_stiffness};
use crate::error::Result;
use crate::modal::Mode;
use crate::statics::StaticModel;
use nalgebra::SVector;
use rayon::prelude::*;

/// One mode's dλ/dE and dλ/dρ for each material (rad²/s² per Pa, per kg/m³).
#[derive(Clone, Debug, PartialEq)]
pub struct ModeSensitivity {
    pub modulus: Vec<f64>,
    pub density: Vec<f64>,
}

impl StaticModel<'_> {
    /// dλ/dE_m and dλ/dρ_m of every mode for every material m.
    pub fn modal_sensitivities(&self, modes: &[Mode]) -> Result<Vec<ModeSensitivity>> {
        let count = self.materials.materials.len();
        // Per material: each mode's φᵀK_mφ and φᵀM_mφ.
        let mut energy = vec![vec![(0.0, 0.0); modes.len()]; count];
        for (offset, b) in self.mesh.block_offsets().into_iter().zip(&self.mesh.blocks) {
            let part = crate::with_shape!(b.kind, E, N, D => {
                (0..b.len())
                    .into_par_iter()
                    .try_fold(
                        || vec![vec![(0.0, 0.0); modes.len()]; count],
                        |mut acc, i| -> Result<_> {
                            let (id, nodes) = (offset + i, b.element(i));
                            let x = self.mesh.coords::<N>(nodes);
                            let material = self.materials.of(id);
                            let k = element_stiffness::<E, N, D>(&x, material, id)?;
                            let m = element_mass::<E, N, D>(&x, material.density);
                            let row = &mut acc[self.materials.of_element[id]];
                            for (mode, e) in modes.iter().zip(row.iter_mut()) {
                                let phi = SVector::<f64, D>::from_fn(|r, _| mode.shape[3 * nodes[r / 3] + r % 3]);
                                e.0 += phi.dot(&(k * phi));
                                e.1 += phi.dot(&(m * phi));
                            }
                            Ok(acc)
                        },
                    )
                    .try_reduce(
                        || vec![vec![(0.0, 0.0); modes.len()]; count],
                        |mut a, b| {
                            for (ra, rb) in a.iter_mut().zip(b) {
                                for (x, y) in ra.iter_mut().zip(rb) {
                                    (x.0, x.1) = (x.0 + y.0, x.1 + y.1);
                                }
                            }
                            Ok(a)
                        },
                    )?
            });
            for (ra, rb) in energy.iter_mut().zip(part) {
                for (x, y) in ra.iter_mut().zip(rb) {
                    (x.0, x.1) = (x.0 + y.0, x.1 + y.1);
                }
            }
        }
        let materials = &self.materials.materials;
        Ok(modes
            .iter()
            .enumerate()
            .map(|(r, mode)| ModeSensitivity {
                modulus: (0..count)
                    .map(|m| energy[m][r].0 / materials[m].youngs_modulus)
                    .collect(),
                density: (0..count)
                    .map(|m| match materials[m].density {
                        rho if rho > 0.0 => -mode.eigenvalue * energy[m][r].1 / rho,
                        _ => 0.0,
                    })
                    .collect(),
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use crate::assembly::Materials;
    use crate::modal::ModalOptions;
    use crate::{generate::block, Constraint, ElementKind, Isotropic, StaticModel};

    /// A clamped bar of two materials (steel root half, aluminium tip half): analytic
    /// sensitivities against central differences of re-solved eigenvalues.
    #[test]
    fn analytic_modal_sensitivities_equal_finite_differences() {
        let mesh = block([1.0, 0.06, 0.1], [12, 2, 2], ElementKind::Hex20).unwrap();
        let materials = vec![
            Isotropic {
                youngs_modulus: 210e9,
                poisson_ratio: 0.3,
                density: 7850.0,
            },
            Isotropic {
                youngs_modulus: 70e9,
                poisson_ratio: 0.33,
                density: 2700.0,
            },
        ];
        let of_element: Vec<usize> = (0..mesh.element_count())
            .map(|e| {
                let nodes = mesh.element(e).1;
                let x = nodes.iter().map(|&n| mesh.nodes[n].x).sum::<f64>() / nodes.len() as f64;
                usize::from(x > 0.5)
            })
            .collect();
        let clamp = Constraint {
            nodes: mesh.set_nodes("xmin").unwrap(),
            components: [Some(0.0); 3],
        };
        let model = |materials: Vec<Isotropic>| StaticModel {
            mesh: &mesh,
            materials: Materials {
                expansion: vec![0.0; materials.len()],
                materials,
                of_element: of_element.clone(),
            },
            constraints: vec![clamp.clone()],
        };
        let options = ModalOptions {
            modes: 4,
            ..Default::default()
        };
        let nominal = model(materials.clone()).modes(options).unwrap();
        let s = model(materials.clone())
            .modal_sensitivities(&nominal.modes)
            .unwrap();
        let h = 1e-4;
        for m in 0..2 {
            for density in [false, true] {
                let scaled = |f: f64| {
                    let mut v = materials.clone();
                    if density {
                        v[m].density *= f
                    } else {
                        v[m].youngs_modulus *= f
                    }
                    model(v).modes(options).unwrap()
                };
                let (up, down) = (scaled(1.0 + h), scaled(1.0 - h));
                let p = if density {
                    materials[m].density
                } else {
                    materials[m].youngs_modulus
                };
                for (r, sr) in s.iter().enumerate() {
                    let fd = (up.modes[r].eigenvalue - down.modes[r].eigenvalue) / (2.0 * h * p);
                    let exact = if density {
                        sr.density[m]
                    } else {
                        sr.modulus[m]
                    };
                    let scale = nominal.modes[r].eigenvalue / p;
                    assert!(
                        (fd - exact).abs() < 1e-6 * scale,
                        "material {m}, density {density}, mode {r}: {exact:e} against {fd:e} ({:.2e} of λ/p)",
                        (fd - exact).abs() / scale
                    );
                }
            }
        }
    }
}
