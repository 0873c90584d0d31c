//! Verification of natural frequencies against Euler–Bernoulli beam theory and the
//! NAFEMS FV52 benchmark.

mod common;

use common::*;
use vproto_solver::assembly::Materials;
use vproto_solver::generate::block;
use vproto_solver::modal::ModalOptions;
use vproto_solver::{Constraint, ElementKind, StaticModel};

/// Slender steel cantilever L = 2 m, 40 × 20 mm (L/h = 100), clamped at x = 0.
/// Euler–Bernoulli: f_i = (β_i L)² / (2π L²) · √(EI/ρA) with β_i L = 1.875104,
/// 4.694091, 7.854757 for bending about the weak axis. The first three weak-axis modes
/// (identified as the modes moving mainly in z) must converge towards them under refinement
/// and lie within 1 % on the finest mesh, for hex20 and tet10.
#[test]
fn cantilever_bending_frequencies_match_euler_bernoulli() {
    let (e, rho, l, b, h): (f64, f64, f64, f64, f64) = (210e9, 7850.0, 2.0, 0.04, 0.02);
    let base = (e * h * h / (12.0 * rho)).sqrt() / (2.0 * std::f64::consts::PI * l * l);
    let exact: Vec<f64> = [1.875104, 4.694091, 7.854757]
        .iter()
        .map(|bl: &f64| bl * bl * base)
        .collect();
    for kind in [ElementKind::Hex20, ElementKind::Tet10] {
        let mut errors: Vec<f64> = vec![];
        for k in [1usize, 2, 4] {
            let mesh = block([l, b, h], [20 * k, 2 * k, k], kind).unwrap();
            let model = StaticModel {
                mesh: &mesh,
                materials: Materials::uniform(
                    material_with_density(e, 0.3, rho),
                    mesh.element_count(),
                ),
                constraints: vec![Constraint {
                    nodes: mesh.set_nodes("xmin").unwrap(),
                    components: [Some(0.0); 3],
                }],
            };
            let sol = model
                .modes(ModalOptions {
                    modes: 10,
                    shift_hz: None,
                    ..Default::default()
                })
                .unwrap();
            let weak: Vec<f64> = sol
                .modes
                .iter()
                .filter(|m| {
                    m.shape
                        .iter()
                        .skip(2)
                        .step_by(3)
                        .map(|u| u * u)
                        .sum::<f64>()
                        > 0.9 * m.shape.iter().map(|u| u * u).sum::<f64>()
                })
                .map(|m| m.frequency)
                .take(3)
                .collect();
            assert_eq!(
                weak.len(),
                3,
                "{kind:?}: {:?}",
                sol.modes.iter().map(|m| m.frequency).collect::<Vec<_>>()
            );
            let err = weak
                .iter()
                .zip(&exact)
                .map(|(f, x)| (f - x).abs() / x)
                .fold(0.0, f64::max);
            println!(
                "{kind:?} k={k}: {weak:.3?} Hz vs {exact:.3?}, worst error {:.3} %",
                100.0 * err
            );
            errors.push(err);
        }
        assert!(
            errors.windows(2).all(|w| w[1] < w[0]),
            "{kind:?}: {errors:?}"
        );
        assert!(errors[2] < 0.01, "{kind:?}: {errors:?}");
    }
}

/// NAFEMS FV52 (NAFEMS R0015): simply supported thick square plate 10 × 10 × 1 m,
/// E = 200 GPa, ν = 0.3, ρ = 8000 kg/m³, u_z = 0 along the four edges of the bottom
/// face, on the benchmark's own 4 × 4 × 1 hex20 mesh. Modes 1–3 are rigid in-plane
/// motions. Two references:
/// - the solid hex20 reference on that mesh quoted by Code_Aster's SDLS502 (44.762,
///   110.52, 110.52, 169.08, 193.93, 206.64, 206.64 Hz): within 0.5 %;
/// - the NAFEMS targets for modes 4–10 (45.897, 109.44, 109.44, 167.89, 193.59, 206.19,
///   206.19 Hz): within 2 % for modes 5–10. Mode 4 of every solid model is 2.4 % below
///   45.897 (OptiStruct reports 0.976 on this mesh, as here; refining lowers it further),
///   so it is held to 2.5 %.
#[test]
fn nafems_fv52_thick_plate_frequencies() {
    let nafems = [45.897, 109.44, 109.44, 167.89, 193.59, 206.19, 206.19];
    let solid_reference = [44.762, 110.52, 110.52, 169.08, 193.93, 206.64, 206.64];
    let mesh = block([10.0, 10.0, 1.0], [4, 4, 1], ElementKind::Hex20).unwrap();
    let edges: Vec<usize> = (0..mesh.nodes.len())
        .filter(|&i| {
            let p = mesh.nodes[i];
            p.z.abs() < 1e-9
                && (p.x.abs() < 1e-9
                    || (p.x - 10.0).abs() < 1e-9
                    || p.y.abs() < 1e-9
                    || (p.y - 10.0).abs() < 1e-9)
        })
        .collect();
    let model = StaticModel {
        mesh: &mesh,
        materials: Materials::uniform(
            material_with_density(200e9, 0.3, 8000.0),
            mesh.element_count(),
        ),
        constraints: vec![Constraint {
            nodes: edges,
            components: [None, None, Some(0.0)],
        }],
    };
    let sol = model
        .modes(ModalOptions {
            modes: 10,
            shift_hz: None,
            ..Default::default()
        })
        .unwrap();
    let f: Vec<f64> = sol.modes.iter().map(|m| m.frequency).collect();
    println!("FV52 frequencies {f:.3?}");
    assert!(sol.modes[..3].iter().all(|m| m.rigid_body), "{f:?}");
    for (i, m) in sol.modes[3..].iter().enumerate() {
        assert!(
            (m.frequency - solid_reference[i]).abs() < 0.005 * solid_reference[i],
            "mode {}: {} Hz",
            i + 4,
            m.frequency
        );
        let tolerance = if i == 0 { 0.025 } else { 0.02 };
        assert!(
            (m.frequency - nafems[i]).abs() < tolerance * nafems[i],
            "mode {}: {} Hz",
            i + 4,
            m.frequency
        );
        assert!(m.residual < 1e-9);
    }
}

/// A free-free steel block has six rigid-body modes at zero frequency, reported as such,
/// and its first elastic mode converges like any other (residual 1e-9); the effective
/// masses of all computed modes in each direction include the whole mass through the
/// rigid translations.
#[test]
fn free_free_block_reports_six_rigid_body_modes() {
    let mesh = block([0.4, 0.1, 0.05], [8, 2, 1], ElementKind::Hex20).unwrap();
    let model = StaticModel {
        mesh: &mesh,
        materials: Materials::uniform(
            material_with_density(210e9, 0.3, 7850.0),
            mesh.element_count(),
        ),
        constraints: vec![],
    };
    let sol = model
        .modes(ModalOptions {
            modes: 8,
            shift_hz: None,
            ..Default::default()
        })
        .unwrap();
    let f: Vec<f64> = sol.modes.iter().map(|m| m.frequency).collect();
    println!("free-free frequencies {f:.2?}");
    assert_eq!(
        sol.modes.iter().filter(|m| m.rigid_body).count(),
        6,
        "{f:?}"
    );
    assert!(sol.modes[6..]
        .iter()
        .all(|m| !m.rigid_body && m.frequency > 100.0 && m.residual < 1e-9));
    let mass = 0.4 * 0.1 * 0.05 * 7850.0;
    for d in 0..3 {
        let total: f64 = sol.modes.iter().map(|m| m.effective_mass[d]).sum();
        assert!((sol.participating_mass[d] - mass).abs() < 1e-9 * mass);
        assert!(
            (total - mass).abs() < 1e-6 * mass,
            "direction {d}: {total} vs {mass}"
        );
    }
}

/// The NAFEMS FV12/FV16 plate 10 × 10 × 0.05 m, hex20 20 × 20 × 2.
fn fv_plate() -> vproto_solver::Mesh {
    block([10.0, 10.0, 0.05], [20, 20, 2], ElementKind::Hex20).unwrap()
}

/// The plate in its material (E = 200 GPa, ν = 0.3, ρ = 8000 kg/m³).
fn fv_model(mesh: &vproto_solver::Mesh, constraints: Vec<Constraint>) -> StaticModel<'_> {
    StaticModel {
        mesh,
        materials: Materials::uniform(
            material_with_density(200e9, 0.3, 8000.0),
            mesh.element_count(),
        ),
        constraints,
    }
}

/// NAFEMS FV12, free thin square plate 10 × 10 × 0.05 m (E = 200 GPa, ν = 0.3,
/// ρ = 8000 kg/m³), hex20 20 × 20 × 2: all six rigid-body modes (known beforehand and
/// deflated, never left to chance), then the elastic targets 1.622, 2.360, 2.922, 4.233
/// (twice: a repeated pair, which single-vector Lanczos alone would miss) and 7.416 Hz
/// (NAFEMS R0015), each within 2 %; the effective masses sum to the whole mass.
#[test]
fn nafems_fv12_free_thin_square_plate() {
    let mesh = fv_plate();
    let model = fv_model(&mesh, vec![]);
    let sol = model
        .modes(ModalOptions {
            modes: 12,
            shift_hz: None,
            ..Default::default()
        })
        .unwrap();
    let f: Vec<f64> = sol.modes.iter().map(|m| m.frequency).collect();
    println!("FV12 {f:.3?}");
    assert_eq!(
        sol.modes.iter().filter(|m| m.rigid_body).count(),
        6,
        "{f:?}"
    );
    for (m, target) in sol.modes[6..]
        .iter()
        .zip([1.622, 2.360, 2.922, 4.233, 4.233, 7.416])
    {
        assert!(
            (m.frequency / target - 1.0).abs() < 0.02,
            "{} vs {target}",
            m.frequency
        );
        assert!(m.residual < 1e-9);
    }
    let mass = 10.0 * 10.0 * 0.05 * 8000.0;
    for d in 0..3 {
        let total: f64 = sol.modes.iter().map(|m| m.effective_mass[d]).sum();
        assert!(
            (total - mass).abs() < 1e-6 * mass,
            "direction {d}: {total} of {mass}"
        );
    }
}

/// NAFEMS FV16, the same plate clamped along one edge: 0.421, 1.029, 2.582, 3.306,
/// 3.753, 6.555 Hz (NAFEMS R0015), each within 2 %, and no rigid-body mode.
#[test]
fn nafems_fv16_cantilevered_thin_square_plate() {
    let mesh = fv_plate();
    let clamp = Constraint {
        nodes: mesh.set_nodes("xmin").unwrap(),
        components: [Some(0.0); 3],
    };
    let model = fv_model(&mesh, vec![clamp]);
    let sol = model
        .modes(ModalOptions {
            modes: 6,
            shift_hz: None,
            ..Default::default()
        })
        .unwrap();
    let f: Vec<f64> = sol.modes.iter().map(|m| m.frequency).collect();
    println!("FV16 {f:.3?}");
    assert!(sol.modes.iter().all(|m| !m.rigid_body));
    for (got, target) in f.iter().zip([0.421, 1.029, 2.582, 3.306, 3.753, 6.555]) {
        assert!((got / target - 1.0).abs() < 0.02, "{got} vs {target}");
    }
}

/// The iterative modal solver (LOBPCG preconditioned by the multigrid V-cycle, for
/// models whose factor does not fit) finds the direct solver's modes: the same ten
/// lowest frequencies of a clamped plate-like block to 1e-7 (both accept residuals that
/// allow ~1e-8 in a low frequency), shapes with MAC > 0.999999 (each against the direct
/// mode nearest in frequency; a few are near-double), every mode passing the same
/// residual check.
#[test]
fn lobpcg_with_multigrid_finds_the_direct_modes() {
    use vproto_solver::statics::Method;
    for (kind, cells) in [
        (ElementKind::Hex8, [30, 10, 3]),
        (ElementKind::Tet10, [12, 4, 2]),
    ] {
        let mesh = block([1.0, 0.4, 0.05], cells, kind).unwrap();
        let model = StaticModel {
            mesh: &mesh,
            materials: Materials::uniform(
                material_with_density(70e9, 0.33, 2700.0),
                mesh.element_count(),
            ),
            constraints: vec![Constraint {
                nodes: mesh.set_nodes("xmin").unwrap(),
                components: [Some(0.0); 3],
            }],
        };
        let solve = |method| {
            model
                .modes(ModalOptions {
                    modes: 10,
                    method,
                    ..Default::default()
                })
                .unwrap()
        };
        let (direct, iterative) = (solve(Method::Direct), solve(Method::Iterative));
        for (i, mode) in iterative.modes.iter().enumerate() {
            let f = direct.modes[i].frequency;
            assert!(
                (mode.frequency - f).abs() < 1e-7 * f,
                "{kind:?} mode {}: {} vs {f} Hz",
                i + 1,
                mode.frequency
            );
            let mac = direct
                .modes
                .iter()
                .filter(|d| (d.frequency - f).abs() < 1e-6 * f)
                .map(|d| mac(&d.shape, &mode.shape))
                .fold(0.0, f64::max);
            assert!(mac > 0.999999, "{kind:?} mode {}: MAC {mac}", i + 1);
        }
        println!(
            "{kind:?}: {} LOBPCG iterations, f1..f10 = {:.4} … {:.4} Hz",
            iterative.lanczos_steps, iterative.modes[0].frequency, iterative.modes[9].frequency
        );
    }
}
