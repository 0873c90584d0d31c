//! One-shot timing of nodal fatigue at the size — 100k nodes, 3 channels ×
//! 10⁵ samples (10¹⁰ node-samples) — on two kinds of input:
//! - `fe`: a real stress field, a plate with a hole (hex20) under three unit load cases
//!   (pull in x, pull in y, in-plane shear), and measured-like histories (band-limited
//!   random, turning every ~10 samples): screening as it happens in a part;
//! - `noise`: every node stressed above the endurance limit and white-noise histories
//!   (a turning point at two samples in three): the worst case, nothing screened.
//!
//! `cargo run --release --example fatigue_scale -- fe|noise [samples]`.

use nalgebra::Vector3;
use std::time::Instant;
use vproto_solver::fatigue::rainflow::Residue;
use vproto_solver::fatigue::sn::{MeanStress, SnCurve, Strengths};
use vproto_solver::fatigue::{nodal_damage, Equivalent, FatigueOptions, Material};
use vproto_solver::generate::quarter_plate_with_hole;
use vproto_solver::loads::SurfaceLoad;
use vproto_solver::material::Voigt;
use vproto_solver::{
    Constraint, ElementKind, Isotropic, Load, LoadCase, SolverOptions, StaticModel,
};

/// A fixed pseudo-random sequence in [−1, 1).
fn noise(seed: u64) -> impl FnMut() -> f64 {
    let mut x = seed;
    move || {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (x >> 11) as f64 / (1u64 << 52) as f64 - 1.0
    }
}

/// Band-limited random histories: 40 sines of random frequency (0.05–5 Hz at 100
/// samples a second) and phase, of amplitude `level` in all.
fn measured_like(samples: usize, seed: u64, level: f64) -> Vec<f64> {
    let mut r = noise(seed);
    let sines: Vec<(f64, f64)> = (0..40)
        .map(|_| (0.05 + 4.95 * 0.5 * (r() + 1.0), std::f64::consts::PI * r()))
        .collect();
    (0..samples)
        .map(|k| {
            let t = k as f64 / 100.0;
            let s: f64 = sines
                .iter()
                .map(|(f, p)| (2.0 * std::f64::consts::PI * f * t + p).sin())
                .sum();
            level * s / (sines.len() as f64).sqrt()
        })
        .collect()
}

/// Three unit load cases' nodal stresses on a ~100k-node plate with a hole.
fn plate_stresses() -> Vec<Vec<Voigt>> {
    let mesh =
        quarter_plate_with_hole(0.4, 0.4, 0.02, 0.05, [80, 56, 5], ElementKind::Hex20).unwrap();
    let fixed = |set: &str, c: usize| {
        let mut components = [None; 3];
        components[c] = Some(0.0);
        Constraint {
            nodes: mesh.set_nodes(set).unwrap(),
            components,
        }
    };
    let model = StaticModel {
        mesh: &mesh,
        materials: vproto_solver::assembly::Materials::uniform(
            Isotropic {
                youngs_modulus: 210e9,
                poisson_ratio: 0.3,
                density: 7850.0,
            },
            mesh.element_count(),
        ),
        constraints: vec![
            fixed("symmetry_x", 0),
            fixed("symmetry_y", 1),
            fixed("bottom", 2),
        ],
    };
    let pull = |name: &str, set: &str, t: Vector3<f64>| LoadCase {
        name: name.into(),
        loads: vec![Load::Surface {
            faces: mesh.face_sets[set].clone(),
            load: SurfaceLoad::Traction(t),
        }],
    };
    // 1 MPa per unit of each channel.
    let cases = [
        pull("x", "edge_x", Vector3::new(1e6, 0.0, 0.0)),
        pull("y", "edge_y", Vector3::new(0.0, 1e6, 0.0)),
        pull("shear", "edge_x", Vector3::new(0.0, 1e6, 0.0)),
    ];
    let t = Instant::now();
    let s = model.solve_with(&cases, SolverOptions::default()).unwrap();
    eprintln!(
        "plate with a hole: {} nodes, {} equations, three unit load cases solved in {:.1} s",
        mesh.nodes.len(),
        s.stats.equations,
        t.elapsed().as_secs_f64()
    );
    s.load_cases
        .into_iter()
        .map(|r| r.fields.nodal_stress)
        .collect()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let kind = args.first().map_or("fe", String::as_str);
    let samples: usize = args.get(1).map_or(100_000, |s| s.parse().expect("samples"));
    let (unit, histories) = match kind {
        "fe" => {
            let unit = plate_stresses();
            // Peaks of ~±40 MPa of pull and ±20 MPa of shear at the edges (the nominal
            // stress below the endurance limit, the hole above it).
            let h = [20.0, 20.0, 10.0];
            let histories = (0..3)
                .map(|k| measured_like(samples, k as u64 + 1, h[k]))
                .collect();
            (unit, histories)
        }
        "noise" => {
            let mut r = noise(7);
            let unit: Vec<Vec<Voigt>> = (0..3)
                .map(|_| {
                    (0..100_000)
                        .map(|_| Voigt::from_fn(|_, _| 3e4 * r()))
                        .collect()
                })
                .collect();
            let histories: Vec<Vec<f64>> = (0..3)
                .map(|_| (0..samples).map(|_| 1e3 * r()).collect())
                .collect();
            (unit, histories)
        }
        _ => panic!("fe|noise"),
    };
    let nodes = unit[0].len();
    // S355 as the library has it (Dowling's Man-Ten proxy), limit 150 MPa.
    let material = Material {
        curve: SnCurve {
            coefficient: 1089e6,
            exponent: -0.115,
            endurance_limit: Some(if kind == "noise" { 1e6 } else { 150e6 }),
        },
        strengths: Strengths {
            ultimate: 557e6,
            yield_strength: 322e6,
        },
        strain_life: None,
    };
    let refs: Vec<&[Voigt]> = unit.iter().map(Vec::as_slice).collect();
    for equivalent in [Equivalent::SignedVonMises, Equivalent::MaxPrincipal] {
        let options = FatigueOptions {
            histories: histories.clone(),
            equivalent,
            mean_stress: MeanStress::Goodman,
            residue: Residue::Repeated,
            stress_factor: 1.0,
            strain_life: None,
        };
        let t = Instant::now();
        let d = nodal_damage(&refs, &vec![material; nodes], &options).unwrap();
        let s = t.elapsed().as_secs_f64();
        let worst = d.damage.iter().cloned().fold(0.0, f64::max);
        let node_samples = (nodes * samples) as f64;
        println!(
            "{kind} {equivalent:?}: {nodes} nodes × 3 × {samples} samples in {s:.1} s ({:.0} M node-samples/s), {} screened out ({:.1} %), max damage {worst:.3e}",
            node_samples / s / 1e6,
            d.screened,
            100.0 * d.screened as f64 / nodes as f64
        );
    }
}
