//! Verification of the elasto-plastic nonlinear static solution (small strain): the
//! thick-walled cylinder under internal pressure in plane strain and the thick sphere
//! against their closed forms (onset, plastic zone, limit pressures), Newton's
//! quadratic convergence with the consistent tangent, a bar's proof load and release,
//! a cyclic load path with kinematic hardening, and the three convergence measures.

use vproto_solver::generate::tube_sector;
use vproto_solver::loads::SurfaceLoad;
use vproto_solver::nonlinear::{LoadPath, NonlinearModel, NonlinearOptions, Solid};
use vproto_solver::plasticity::J2;
use vproto_solver::{Constraint, ElementKind, Load, LoadCase};

const A: f64 = 0.1;
const B: f64 = 0.2;
const E: f64 = 200e9;
const NU: f64 = 0.3;
const SY: f64 = 250e6;

/// A quarter of the cylinder (hex20R, 12 radial × 6 around), plane strain (u_z = 0 on
/// both faces), symmetric on its cut planes, the bore under `p`.
fn cylinder(mesh: &vproto_solver::Mesh) -> (NonlinearModel<'_>, LoadCase) {
    let fix = |s: &str, c: usize| roller(mesh, s, c);
    let constraints = vec![
        fix("zmin", 2),
        fix("zmax", 2),
        fix("theta_start", 1),
        fix("theta_end", 0),
    ];
    (
        perfectly_plastic(mesh, constraints),
        LoadCase {
            name: "bore".into(),
            loads: vec![],
        },
    )
}

/// Component `c` of set `s`'s nodes held at zero (a symmetry plane).
fn roller(mesh: &vproto_solver::Mesh, s: &str, c: usize) -> Constraint {
    let mut components = [None; 3];
    components[c] = Some(0.0);
    Constraint {
        nodes: mesh.set_nodes(s).unwrap(),
        components,
    }
}

/// The mesh in small strain, elastic–perfectly plastic (σ_y), under `constraints`.
fn perfectly_plastic(
    mesh: &vproto_solver::Mesh,
    constraints: Vec<Constraint>,
) -> NonlinearModel<'_> {
    NonlinearModel {
        mesh,
        materials: vec![Solid::Plastic(J2 {
            youngs_modulus: E,
            poisson_ratio: NU,
            curve: vec![(0.0, SY)],
            kinematic_modulus: 0.0,
        })],
        density: vec![0.0],
        of_element: vec![0; mesh.element_count()],
        constraints,
        large_deformation: false,
        contacts: vec![],
        bolts: vec![],
    }
}

fn with_pressure(p: f64, mesh: &vproto_solver::Mesh) -> LoadCase {
    LoadCase {
        name: "bore".into(),
        loads: vec![Load::Surface {
            faces: mesh.face_set("inner").unwrap().to_vec(),
            load: SurfaceLoad::Pressure(p),
        }],
    }
}

/// The quarter cylinder meshed `[radial, around]` with `kind`, 0.02 m thick.
fn quarter(kind: ElementKind, divisions: [usize; 2]) -> vproto_solver::Mesh {
    let [radial, around] = divisions;
    tube_sector(
        A,
        B,
        std::f64::consts::FRAC_PI_2,
        0.02,
        [radial, around, 1],
        kind,
    )
    .unwrap()
}

/// Hill's collapse pressure (2/√3) σ_y ln(b/a), and the solution of a bore pressure
/// 1.2× it under force control (it stops at the limit).
fn past_collapse(mesh: &vproto_solver::Mesh) -> (f64, vproto_solver::nonlinear::NonlinearSolution) {
    let (model, _) = cylinder(mesh);
    let pc = 2.0 / 3f64.sqrt() * SY * (B / A).ln();
    let s = model
        .solve(
            &with_pressure(1.2 * pc, mesh),
            &LoadPath::through(&[1.0]).unwrap(),
            &NonlinearOptions {
                first_increment: 0.25,
                min_increment: 1e-4,
                ..Default::default()
            },
        )
        .unwrap();
    (pc, s)
}

/// The pressure at which the elastic (Lamé) stresses reach yield at radius `r`, with
/// σ_z = ν(σ_r + σ_θ) (plane strain).
fn onset_pressure(r: f64) -> f64 {
    let (a2, b2, r2) = (A * A, B * B, r * r);
    let sr = a2 / (b2 - a2) * (1.0 - b2 / r2);
    let st = a2 / (b2 - a2) * (1.0 + b2 / r2);
    let sz = NU * (sr + st);
    let vm = (0.5 * ((sr - st).powi(2) + (st - sz).powi(2) + (sz - sr).powi(2))).sqrt();
    SY / vm
}

/// Onset of yield: 1 % below the Lamé pressure that yields the innermost integration
/// points (2-point Gauss radially: r = a + 0.211 h) no point yields, 1 % above they do; collapse: force control stops at the perfectly plastic limit pressure
/// p_c = (2/√3) σ_y ln(b/a) (Hill; exact for von Mises in plane strain) within 2 %
/// (−0.06 % seen: 199.97 against 200.09 MPa); Newton converges quadratically.
#[test]
fn thick_cylinder_yields_and_collapses_at_the_closed_form_pressures() {
    let mesh = quarter(ElementKind::Hex20R, [12, 6]);
    let (model, _) = cylinder(&mesh);
    let h = (B - A) / 12.0;
    let pe = onset_pressure(A + h * (1.0 - 1.0 / 3f64.sqrt()) / 2.0);
    let plastic = |p: f64| {
        let s = model
            .solve(
                &with_pressure(p, &mesh),
                &LoadPath::through(&[1.0]).unwrap(),
                &NonlinearOptions {
                    first_increment: 1.0,
                    ..Default::default()
                },
            )
            .unwrap();
        assert!(s.stopped.is_none(), "{:?}", s.stopped);
        s.states
            .iter()
            .filter(|st| st.equivalent_plastic_strain > 0.0)
            .count()
    };
    let (below, above) = (plastic(0.99 * pe), plastic(1.01 * pe));
    println!(
        "onset at the innermost points {:.2} MPa (at the bore {:.2}): plastic points at 0.99× {below}, at 1.01× {above}",
        pe / 1e6,
        onset_pressure(A) / 1e6
    );
    assert_eq!(below, 0);
    assert!(above > 0);

    let (pc, s) = past_collapse(&mesh);
    let reached = s.load_factor * 1.2 * pc;
    println!(
        "collapse: closed form {:.2} MPa, reached {:.2} MPa ({:+.2} %) in {} increments, {} cut-backs: {:?}",
        pc / 1e6,
        reached / 1e6,
        (reached / pc - 1.0) * 100.0,
        s.increments.len(),
        s.cutbacks,
        s.stopped
    );
    assert!(s.stopped.is_some());
    assert!((reached / pc - 1.0).abs() < 0.02, "{reached} vs {pc}");
    // Newton with the consistent tangent: quadratic near the solution (a wrong tangent
    // converges linearly there), down to round-off — below 1e-4, where the full step is
    // taken (the line search shortens steps further out), and before the last increment,
    // whose tangent is singular at the limit load (Newton is linear there).
    let mut pairs = 0;
    let before_limit = &s.increments[..s.increments.len() - 1];
    for inc in before_limit {
        println!(
            "  λ {:.4}: {:?}",
            inc.load_factor,
            inc.residuals
                .iter()
                .map(|r| format!("{r:.1e}"))
                .collect::<Vec<_>>()
        );
        for w in inc.residuals.windows(2) {
            if w[0] < 1e-4 && w[1] < w[0] && w[1] > 1e-12 {
                assert!(
                    w[1] <= 100.0 * w[0] * w[0],
                    "not quadratic: {:e} after {:e}",
                    w[1],
                    w[0]
                );
                pairs += 1;
            }
        }
    }
    assert!(pairs >= 5, "{pairs}");
}

/// Hex8 does not lock in plastic flow: with the B-bar (mean dilatation) strain the
/// fully integrated hex8 cylinder (24 × 12) collapses at Hill's pressure like the
/// hex20R one (+0.08 % seen). Without it the volume-keeping flow locks the element:
/// measured, it carries the whole 1.2 p_c this test applies.
#[test]
fn hex8_cylinder_collapses_at_hills_pressure_without_locking() {
    let mesh = quarter(ElementKind::Hex8, [24, 12]);
    let (pc, s) = past_collapse(&mesh);
    let reached = s.load_factor * 1.2 * pc;
    println!(
        "hex8 collapse: closed form {:.2} MPa, reached {:.2} MPa ({:+.2} %), {} increments",
        pc / 1e6,
        reached / 1e6,
        (reached / pc - 1.0) * 100.0,
        s.increments.len()
    );
    assert!(s.stopped.is_some());
    assert!((reached / pc - 1.0).abs() < 0.02, "{reached} vs {pc}");
}

/// The plastic zone at a pressure between onset and collapse: its radius c from Hill's
/// closed form p = (σ_y/√3)(1 − c²/b² + 2 ln(c/a)) (plane strain, σ_z the mean of the
/// in-plane stresses in the plastic zone), here c = 0.15 m at 180.2 MPa. The outer
/// radius of the outermost element with a yielded point lies within one element
/// (8.3 mm) beyond c.
#[test]
fn thick_cylinder_plastic_zone_reaches_the_closed_form_radius() {
    let mesh = quarter(ElementKind::Hex20R, [12, 6]);
    let (model, _) = cylinder(&mesh);
    let c = 0.15;
    let p = SY / 3f64.sqrt() * (1.0 - c * c / (B * B) + 2.0 * (c / A).ln());
    let s = model
        .solve(
            &with_pressure(p, &mesh),
            &LoadPath::through(&[1.0]).unwrap(),
            &NonlinearOptions::default(),
        )
        .unwrap();
    assert!(s.stopped.is_none(), "{:?}", s.stopped);
    let offsets = vproto_solver::nonlinear::point_offsets(&mesh);
    let front = (0..mesh.element_count())
        .filter(|&e| {
            s.states[offsets[e]..offsets[e + 1]]
                .iter()
                .any(|st| st.equivalent_plastic_strain > 0.0)
        })
        .flat_map(|e| mesh.element(e).1.to_vec())
        .map(|n| mesh.nodes[n].xy().norm())
        .fold(0.0, f64::max);
    let h = (B - A) / 12.0;
    println!(
        "plastic zone at {:.2} MPa: closed form c = {c} m, outermost yielded element reaches {front:.4} m",
        p / 1e6
    );
    assert!(front >= c - 1e-9 && front <= c + h + 1e-9, "{front}");
}

/// A bar (hex8, 4 elements) held by symmetry at its root, its free end under an axial
/// traction `sigma` (times the load factor); flow curve and kinematic modulus given.
fn bar(
    mesh: &vproto_solver::Mesh,
    curve: Vec<(f64, f64)>,
    kinematic_modulus: f64,
    sigma: f64,
) -> (NonlinearModel<'_>, LoadCase) {
    let fix = |s: &str, c: usize| roller(mesh, s, c);
    let model = NonlinearModel {
        mesh,
        materials: vec![Solid::Plastic(J2 {
            youngs_modulus: E,
            poisson_ratio: NU,
            curve,
            kinematic_modulus,
        })],
        density: vec![0.0],
        of_element: vec![0; mesh.element_count()],
        constraints: vec![fix("xmin", 0), fix("ymin", 1), fix("zmin", 2)],
        large_deformation: false,
        contacts: vec![],
        bolts: vec![],
    };
    let case = LoadCase {
        name: "pull".into(),
        loads: vec![Load::Surface {
            faces: mesh.face_set("xmax").unwrap().to_vec(),
            load: SurfaceLoad::Traction(nalgebra::Vector3::new(sigma, 0.0, 0.0)),
        }],
    };
    (model, case)
}

const BAR: [f64; 3] = [0.1, 0.01, 0.01];

/// A bar pulled past yield by a force and released (path 0 → 1 → 0), bilinear
/// hardening: the permanent set is the plastic strain (σ − σ_y)/H times the length,
/// the lateral set half of it (plastic flow keeps the volume), and no stress remains.
#[test]
fn bar_loaded_past_yield_and_released_keeps_its_plastic_strain() {
    use vproto_solver::generate::block;
    let ([l, w, _], h) = (BAR, 2e9);
    let mesh = block(BAR, [4, 1, 1], ElementKind::Hex8).unwrap();
    let sigma = 300e6;
    let (model, case) = bar(&mesh, vec![(0.0, SY), (1.0, SY + h)], 0.0, sigma);
    let s = model
        .solve(
            &case,
            &LoadPath::through(&[1.0, 0.0]).unwrap(),
            &NonlinearOptions::default(),
        )
        .unwrap();
    assert!(
        s.stopped.is_none() && s.load_factor == 0.0,
        "{:?}",
        s.stopped
    );
    let ep = (sigma - SY) / h;
    let tip = mesh.set_nodes("xmax").unwrap();
    let side = mesh.set_nodes("ymax").unwrap();
    let set = s.displacement[3 * tip[0]];
    let lateral = s.displacement[3 * side[0] + 1];
    let residual = s.stress.iter().map(|v| v.amax()).fold(0.0, f64::max);
    println!(
        "permanent set {:.6} mm (by hand {:.6}), lateral {:.6} mm ({:.6}), residual stress {residual:.2e} Pa, {} increments",
        set * 1e3,
        ep * l * 1e3,
        lateral * 1e3,
        -0.5 * ep * w * 1e3,
        s.increments.len()
    );
    assert!((set / (ep * l) - 1.0).abs() < 1e-9);
    assert!((lateral / (-0.5 * ep * w) - 1.0).abs() < 1e-9);
    assert!(residual < 1e-6 * sigma);
    assert!(s.increments.iter().any(|i| i.load_factor == 1.0));
}

/// The bar with linear kinematic (Prager) hardening through a cyclic load path
/// 0 → 1 → −1 → 0 as (time, load factor) corners: at each corner the end moves by the
/// one-dimensional model's strain times the length — tension to σ, εp = (σ − σ_y)/H_k;
/// reversed yield at σ = H_k εp − σ_y (Bauschinger) and on to εp = −(σ − σ_y)/H_k at
/// −σ; released, that strain is the set. The increments land on every corner.
#[test]
fn bar_under_a_cyclic_load_path_draws_the_kinematic_hardening_loop() {
    use vproto_solver::generate::block;
    let (l, hk, sigma) = (BAR[0], 2e9, 300e6);
    let mesh = block(BAR, [4, 1, 1], ElementKind::Hex8).unwrap();
    let (model, case) = bar(&mesh, vec![(0.0, SY)], hk, sigma);
    let path = LoadPath::new(&[(1.0, 1.0), (3.0, -1.0), (4.0, 0.0)]).unwrap();
    let tip = 3 * mesh.set_nodes("xmax").unwrap()[0];
    let mut at_corners = Vec::new();
    let s = model
        .solve_with(&case, &path, &NonlinearOptions::default(), &mut |c| {
            if c.time.fract() == 0.0 {
                at_corners.push((c.time, c.load_factor, c.displacement[tip]));
            }
        })
        .unwrap();
    assert!(s.stopped.is_none(), "{:?}", s.stopped);
    let ep = (sigma - SY) / hk;
    let expected = [
        (1.0, 1.0, (sigma / E + ep) * l),
        (3.0, -1.0, (-sigma / E - ep) * l),
        (4.0, 0.0, -ep * l),
    ];
    let reached: Vec<_> = at_corners.iter().filter(|c| c.0 != 2.0).collect();
    println!("corners (time, load factor, u_x at the end): {reached:?}; expected {expected:?}");
    assert_eq!(reached.len(), 3);
    for (got, want) in reached.iter().zip(expected) {
        assert_eq!((got.0, got.1), (want.0, want.1));
        assert!((got.2 / want.2 - 1.0).abs() < 1e-9, "{got:?} vs {want:?}");
    }
}

/// Convergence is judged on force, displacement correction and energy together: with
/// the force tolerance opened to 10 % the plastic cylinder's bore displacement is off
/// (one increment to the plastic zone of the test above), and either of the other two
/// measures, kept tight, brings it back to the fully converged increment.
#[test]
fn displacement_and_energy_criteria_hold_an_increment_to_equilibrium() {
    let mesh = quarter(ElementKind::Hex20R, [12, 6]);
    let (model, _) = cylinder(&mesh);
    let c = 0.15;
    let p = SY / 3f64.sqrt() * (1.0 - c * c / (B * B) + 2.0 * (c / A).ln());
    let bore = |options: &NonlinearOptions| {
        let s = model
            .solve(
                &with_pressure(p, &mesh),
                &LoadPath::through(&[1.0]).unwrap(),
                options,
            )
            .unwrap();
        assert!(s.stopped.is_none(), "{:?}", s.stopped);
        s.displacement.iter().fold(0.0f64, |m, u| m.max(u.abs()))
    };
    // The same single increment, every measure at its default.
    let reference = bore(&NonlinearOptions {
        first_increment: 1.0,
        ..Default::default()
    });
    let error = |displacement_tolerance: f64, energy_tolerance: f64| {
        let u = bore(&NonlinearOptions {
            first_increment: 1.0,
            tolerance: 0.1,
            displacement_tolerance,
            energy_tolerance,
            ..Default::default()
        });
        (u / reference - 1.0).abs()
    };
    let (loose, by_displacement, by_energy) =
        (error(1.0, 1.0), error(1e-6, 1.0), error(1.0, 1e-10));
    println!("bore displacement error: force alone {loose:.2e}, + displacement {by_displacement:.2e}, + energy {by_energy:.2e}");
    assert!(loose > 1e-3, "{loose}");
    assert!(by_displacement < 1e-5 && by_energy < 1e-5);
}

/// A perfectly plastic thick-walled sphere (an eighth, tet10 of 25 mm, models/sphere) under
/// internal pressure collapses at Hill's limit pressure 2 σ_y ln(b/a) (The Mathematical
/// Theory of Plasticity, 1950, §V.3; exact: the stress field is spherically symmetric),
/// here 1.386 σ_y for b/a = 2: the pressure carried when the increments stop, asked
/// 1.2× it, within 2 %; no point yields below the first-yield pressure
/// (2/3) σ_y (1 − a³/b³).
#[test]
fn thick_sphere_collapses_at_the_limit_pressure() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("models/sphere/sphere.msh");
    let mesh = vproto::gmsh::read(&path).unwrap();
    let fix = |s: &str, c: usize| roller(&mesh, s, c);
    let model = perfectly_plastic(
        &mesh,
        vec![
            fix("symmetry_x", 0),
            fix("symmetry_y", 1),
            fix("symmetry_z", 2),
        ],
    );
    let (a, b) = (0.1f64, 0.2f64);
    let limit = 2.0 * SY * (b / a).ln();
    let first_yield = 2.0 / 3.0 * SY * (1.0 - (a / b).powi(3));
    let case = LoadCase {
        name: "bore".into(),
        loads: vec![Load::Surface {
            faces: mesh.face_sets["inner"].clone(),
            load: SurfaceLoad::Pressure(1.2 * limit),
        }],
    };
    // The limit found to 0.1 % of the pressure asked.
    let options = NonlinearOptions {
        min_increment: 1e-3,
        ..Default::default()
    };
    let mut onset = f64::INFINITY;
    let s = model
        .solve_with(
            &case,
            &LoadPath::through(&[1.0]).unwrap(),
            &options,
            &mut |c| {
                if c.states.iter().any(|p| p.equivalent_plastic_strain > 0.0) {
                    onset = onset.min(c.load_factor * 1.2 * limit);
                }
            },
        )
        .unwrap();
    let reached = s.load_factor * 1.2 * limit;
    println!(
        "sphere ({} nodes): limit {:.2} MPa, carried {:.2} MPa ({:+.2} %) in {} increments, {} cut-backs; first yield {:.2} MPa, first yielded increment at {:.2} MPa",
        mesh.nodes.len(),
        limit / 1e6,
        reached / 1e6,
        (reached / limit - 1.0) * 100.0,
        s.increments.len(),
        s.cutbacks,
        first_yield / 1e6,
        onset / 1e6
    );
    assert!(s.stopped.is_some(), "1.2× the limit pressure was carried");
    assert!((reached / limit - 1.0).abs() < 0.02, "{reached} vs {limit}");
    assert!(onset >= first_yield * 0.99);
}

/// Modified Newton (the factor kept while the residual at least halves an iteration)
/// reaches the same equilibrium as full Newton on the plastic cylinder — the same bore
/// displacement to the tolerances — with fewer factorisations and more iterations.
#[test]
fn modified_newton_reaches_the_same_equilibrium_with_fewer_factorisations() {
    use vproto_solver::nonlinear::Newton;
    let mesh = quarter(ElementKind::Hex20R, [12, 6]);
    let (model, _) = cylinder(&mesh);
    let p = 0.9 * 2.0 / 3f64.sqrt() * SY * (B / A).ln();
    let run = |newton| {
        let options = NonlinearOptions {
            newton,
            ..Default::default()
        };
        let s = model
            .solve(
                &with_pressure(p, &mesh),
                &LoadPath::through(&[1.0]).unwrap(),
                &options,
            )
            .unwrap();
        assert!(s.stopped.is_none(), "{:?}", s.stopped);
        let iterations: usize = s.increments.iter().map(|i| i.residuals.len()).sum();
        let u = s.displacement.iter().fold(0.0f64, |m, u| m.max(u.abs()));
        (u, s.timing.factorizations, iterations)
    };
    let (full, modified) = (run(Newton::Full), run(Newton::Modified));
    println!("full Newton {full:?}, modified {modified:?} (bore |u|, factorisations, iterations)");
    assert!((modified.0 / full.0 - 1.0).abs() < 1e-6);
    assert!(modified.1 < full.1 && modified.2 > full.2);
}
