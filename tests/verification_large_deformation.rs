//! Verification of the total Lagrangian (large deformation) nonlinear statics: a rigid
//! rotation of 90° gives zero stress, the cantilever under a large tip force follows
//! Mattiasson's elastica table, a neo-Hookean bar stretched to twice its length follows
//! the closed form of the material model, and Newton converges quadratically.

use vproto_solver::generate::block;
use vproto_solver::hyperelastic::NeoHookean;
use vproto_solver::loads::SurfaceLoad;
use vproto_solver::material::von_mises;
use vproto_solver::nonlinear::{LoadPath, NonlinearModel, NonlinearOptions, Solid};
use vproto_solver::plasticity::J2;
use vproto_solver::{Constraint, ElementKind, Load, LoadCase, Mesh};

fn elastic(e: f64, nu: f64) -> Solid {
    Solid::Plastic(J2 {
        youngs_modulus: e,
        poisson_ratio: nu,
        curve: vec![(0.0, f64::INFINITY)],
        kinematic_modulus: 0.0,
    })
}

fn model(mesh: &Mesh, solid: Solid, constraints: Vec<Constraint>) -> NonlinearModel<'_> {
    NonlinearModel {
        mesh,
        materials: vec![solid],
        density: vec![0.0],
        of_element: vec![0; mesh.element_count()],
        constraints,
        large_deformation: true,
        contacts: vec![],
        bolts: vec![],
    }
}

fn fix(mesh: &Mesh, set: &str, components: [Option<f64>; 3]) -> Constraint {
    Constraint {
        nodes: mesh.set_nodes(set).unwrap(),
        components,
    }
}

fn traction(mesh: &Mesh, set: &str, t: [f64; 3]) -> LoadCase {
    LoadCase {
        name: "load".into(),
        loads: vec![Load::Surface {
            faces: mesh.face_set(set).unwrap().to_vec(),
            load: SurfaceLoad::Traction(t.into()),
        }],
    }
}

/// The largest difference of a displacement component from `want` at any node.
fn farthest(mesh: &Mesh, u: &[f64], want: impl Fn(&nalgebra::Vector3<f64>) -> [f64; 3]) -> f64 {
    (0..mesh.nodes.len())
        .map(|n| {
            let w = want(&mesh.nodes[n]);
            (0..3)
                .map(|c| (u[3 * n + c] - w[c]).abs())
                .fold(0.0, f64::max)
        })
        .fold(0.0, f64::max)
}

/// A bar turned rigidly by 90° about z by its root face alone (the rest free, no load)
/// ends as that rotation everywhere, with no stress — for a Saint Venant–Kirchhoff
/// (elastic J2) and a neo-Hookean material. Small-strain kinematics would see strains of
/// order one.
#[test]
fn a_rigid_rotation_of_90_degrees_gives_no_stress() {
    let mesh = block([0.4, 0.1, 0.1], [4, 1, 1], ElementKind::Hex20).unwrap();
    let root: Vec<usize> = mesh.set_nodes("xmin").unwrap();
    // R_z(90°): (x, y, z) → (−y, x, z); u = (R − I) X.
    let rotated = |p: &nalgebra::Vector3<f64>| [-p.y - p.x, p.x - p.y, 0.0];
    let constraints: Vec<Constraint> = root
        .iter()
        .map(|&n| Constraint {
            nodes: vec![n],
            components: rotated(&mesh.nodes[n]).map(Some),
        })
        .collect();
    for solid in [
        elastic(200e9, 0.3),
        Solid::NeoHookean(NeoHookean::from_elastic(10e6, 0.45).unwrap()),
    ] {
        let m = model(&mesh, solid.clone(), constraints.clone());
        let case = LoadCase {
            name: "turn".into(),
            loads: vec![],
        };
        let s = m
            .solve(
                &case,
                &LoadPath::through(&[1.0]).unwrap(),
                &NonlinearOptions::default(),
            )
            .unwrap();
        assert!(s.stopped.is_none(), "{solid:?}: {:?}", s.stopped);
        let worst = farthest(&mesh, &s.displacement, rotated);
        let stress = s.stress.iter().map(von_mises).fold(0.0, f64::max);
        println!(
            "{solid:?}: {} increments, |u − (R − I)X| ≤ {worst:.2e} m, von Mises ≤ {stress:.2e} Pa",
            s.increments.len()
        );
        assert!(worst < 1e-9, "{worst}");
        // Zero to the equilibrium tolerance (1e-8 of the forces the turn passed through).
        assert!(stress < 1e-9 * 200e9, "{stress}");
    }
}

/// Mattiasson (1981) elastica: tip displacements of a cantilever under a tip force
/// that keeps its direction, k = PL²/EI → (horizontal u/L, vertical w/L). Checked here by
/// integrating the elastica (scipy, 1e-12).
const MATTIASSON: [(f64, f64, f64); 5] = [
    (1.0, 0.05643, 0.30172),
    (2.0, 0.16064, 0.49346),
    (3.0, 0.25442, 0.60325),
    (5.0, 0.38763, 0.71379),
    (10.0, 0.55500, 0.81061),
];

/// A slender hex20 cantilever (L/h = 20, ν = 0 so that beam theory holds) under a dead
/// tip force up to k = 10: tip displacements within 0.5 % of L of the elastica at each
/// load level (0.32 % seen at k = 10; shear flexibility adds ~0.15 % at this
/// slenderness); the deflection of the linear theory would be k/3 = 3.3 L.
#[test]
fn cantilever_under_a_large_tip_force_follows_the_elastica() {
    let (l, h, e) = (1.0, 0.05, 200e9);
    let mesh = block([l, h, h], [20, 1, 1], ElementKind::Hex20).unwrap();
    let ei = e * h.powi(4) / 12.0;
    let m = model(
        &mesh,
        elastic(e, 0.0),
        vec![fix(&mesh, "xmin", [Some(0.0); 3])],
    );
    let tip = mesh.set_nodes("xmax").unwrap();
    for (k, u_l, w_l) in MATTIASSON {
        let p = k * ei / (l * l);
        let case = traction(&mesh, "xmax", [0.0, 0.0, p / (h * h)]);
        let s = m
            .solve(
                &case,
                &LoadPath::through(&[1.0]).unwrap(),
                &NonlinearOptions::default(),
            )
            .unwrap();
        assert!(s.stopped.is_none(), "k = {k}: {:?}", s.stopped);
        let mean = |c: usize| {
            tip.iter().map(|&n| s.displacement[3 * n + c]).sum::<f64>() / tip.len() as f64
        };
        let (u, w) = (-mean(0) / l, mean(2) / l);
        println!(
            "k = {k}: u/L {u:.5} (elastica {u_l}), w/L {w:.5} ({w_l}); {} increments, {} iterations",
            s.increments.len(),
            s.increments.iter().map(|i| i.residuals.len()).sum::<usize>()
        );
        assert!((u - u_l).abs() < 0.005 && (w - w_l).abs() < 0.005);
        // Quadratic convergence: near the solution each step squares the relative
        // residual, r_{k+1} ≤ C r_k² with C ≈ 100–400 seen (a linear rate would leave
        // r_{k+1} ≈ 0.1 r_k: 100× above the bound at r_k = 1e-5), above round-off (1e-11).
        for inc in &s.increments {
            for w in inc.residuals.windows(2) {
                if w[0] < 1e-5 && w[1] > 1e-11 {
                    assert!(w[1] < 1e3 * w[0] * w[0], "k = {k}: {:?}", inc.residuals);
                }
            }
        }
    }
}

/// The neo-Hookean bar in uniaxial tension to stretch λ: the lateral stretch t solves
/// σ₂₂ = 2C₁₀ J^(−5/3)(t² − I₁/3) + 2(J − 1)/D₁ = 0 with J = λt², I₁ = λ² + 2t²; the
/// nominal stress is then P = σ₁₁ t². Applied as a dead traction P, the bar (tet10, a
/// quarter by symmetry) reaches λ and t to 1e-6.
#[test]
fn neo_hookean_bar_stretches_as_the_closed_form() {
    let (l, a) = (0.1, 0.01);
    let nh = NeoHookean::from_elastic(5e6, 0.45).unwrap();
    let (c10, d1) = (nh.shear_modulus / 2.0, 2.0 / nh.bulk_modulus);
    let lambda = 2.0;
    let sigma = |t: f64| {
        let (j, i1) = (lambda * t * t, lambda * lambda + 2.0 * t * t);
        2.0 * c10 * j.powf(-5.0 / 3.0) * (lambda * lambda - i1 / 3.0) + 2.0 * (j - 1.0) / d1
    };
    let lateral = |t: f64| {
        let (j, i1) = (lambda * t * t, lambda * lambda + 2.0 * t * t);
        2.0 * c10 * j.powf(-5.0 / 3.0) * (t * t - i1 / 3.0) + 2.0 * (j - 1.0) / d1
    };
    // Bisection on the lateral stress (it rises with t).
    let (mut lo, mut hi) = (0.3, 1.0);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if lateral(mid) > 0.0 {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    let t = 0.5 * (lo + hi);
    let nominal = sigma(t) * t * t;
    let mesh = block([l, a, a], [4, 2, 2], ElementKind::Tet10).unwrap();
    let m = model(
        &mesh,
        Solid::NeoHookean(nh),
        vec![
            fix(&mesh, "xmin", [Some(0.0), None, None]),
            fix(&mesh, "ymin", [None, Some(0.0), None]),
            fix(&mesh, "zmin", [None, None, Some(0.0)]),
        ],
    );
    let s = m
        .solve(
            &traction(&mesh, "xmax", [nominal, 0.0, 0.0]),
            &LoadPath::through(&[1.0]).unwrap(),
            &NonlinearOptions::default(),
        )
        .unwrap();
    assert!(s.stopped.is_none(), "{:?}", s.stopped);
    let tip = mesh.set_nodes("xmax").unwrap()[0];
    let side = mesh.set_nodes("ymax").unwrap()[0];
    let stretch = 1.0 + s.displacement[3 * tip] / l;
    let thin = 1.0 + s.displacement[3 * side + 1] / a;
    println!(
        "λ {stretch:.8} (closed form {lambda}), t {thin:.8} ({t:.8}), nominal stress {nominal:.4e} Pa, {} increments",
        s.increments.len()
    );
    assert!((stretch - lambda).abs() < 1e-6 && (thin - t).abs() < 1e-6);
    // The true stress: σ₁₁ = P/t², the lateral ones zero.
    let s11 = s.stress.iter().map(|v| v[0]).sum::<f64>() / s.stress.len() as f64;
    assert!((s11 / sigma(t) - 1.0).abs() < 1e-6, "{s11} vs {}", sigma(t));
}

/// Pure bending to a quarter circle: the cantilever's end face turned by θ = π/2 about
/// y and carried onto the arc of radius R = L/θ (a moment M = EI/R rolls a beam into
/// that circle: here the end is placed where the moment puts it), the rest free: every
/// node follows plane sections on the arc, x = (R − ζ) sin(s/R), z = h/2 + R −
/// (R − ζ) cos(s/R) (s = x, ζ = z − h/2 its distance from the axis; ν = 0). Small
/// strain kinematics cannot turn a section by 90°: its error would be of order L.
#[test]
fn cantilever_bent_by_its_end_rolls_onto_the_circle() {
    let (l, h) = (1.0, 0.05);
    let theta = std::f64::consts::FRAC_PI_2;
    let r = l / theta;
    let mesh = block([l, h, h], [40, 1, 1], ElementKind::Hex20).unwrap();
    let arc = |p: &nalgebra::Vector3<f64>| {
        let (phi, zeta) = (p.x / r, p.z - h / 2.0);
        [
            (r - zeta) * phi.sin() - p.x,
            0.0,
            h / 2.0 + r - (r - zeta) * phi.cos() - p.z,
        ]
    };
    let mut constraints = vec![fix(&mesh, "xmin", [Some(0.0); 3])];
    for n in mesh.set_nodes("xmax").unwrap() {
        constraints.push(Constraint {
            nodes: vec![n],
            components: arc(&mesh.nodes[n]).map(Some),
        });
    }
    let m = model(&mesh, elastic(200e9, 0.0), constraints);
    let case = LoadCase {
        name: "bend".into(),
        loads: vec![],
    };
    let s = m
        .solve(
            &case,
            &LoadPath::through(&[1.0]).unwrap(),
            &NonlinearOptions::default(),
        )
        .unwrap();
    assert!(s.stopped.is_none(), "{:?}", s.stopped);
    let worst = farthest(&mesh, &s.displacement, arc);
    println!(
        "quarter circle: every node within {:.3e} L of the arc, {} increments",
        worst / l,
        s.increments.len()
    );
    assert!(worst < 2e-3 * l, "{worst}");
}
