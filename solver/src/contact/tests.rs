use super::*;
use crate::generate::block;
use crate::loads::SurfaceLoad;
use crate::nonlinear::{LoadPath, NonlinearModel, NonlinearOptions, NonlinearSolution, Solid};
use crate::plasticity::J2;
use crate::{ElementKind, Load, LoadCase};

const E: f64 = 200e9;
const NU: f64 = 0.3;

/// A block of `upper` on a block of `lower` (different divisions), 1 × 1 × 0.5 m each,
/// their faces meeting at z = 0.5 without shared nodes.
fn stack(lower: (ElementKind, [usize; 3]), upper: (ElementKind, [usize; 3])) -> Mesh {
    let a = block([1.0, 1.0, 0.5], lower.1, lower.0).unwrap();
    let mut b = block([1.0, 1.0, 0.5], upper.1, upper.0).unwrap();
    b.nodes.iter_mut().for_each(|p| p.z += 0.5);
    crate::mesh::merge_parts(vec![("a".into(), a), ("b".into(), b)])
}

fn on(mesh: &Mesh, set: &str, c: usize) -> crate::Constraint {
    crate::Constraint {
        nodes: mesh.set_nodes(set).unwrap(),
        components: std::array::from_fn(|k| (k == c).then_some(0.0)),
    }
}

fn contact(mesh: &Mesh, friction: f64) -> Contact {
    Contact {
        name: "seat".into(),
        slave: mesh.face_sets["b.zmin"].clone(),
        master: mesh.face_sets["a.zmax"].clone(),
        friction,
        penalty: None,
        search_distance: None,
        elastic_slip: None,
        stick_slope: None,
        normal_stiffness: None,
        interference: false,
        sliding: Sliding::Finite,
    }
}

/// A steel model of `mesh` with its supports and contacts.
fn steel(
    mesh: &Mesh,
    constraints: Vec<crate::Constraint>,
    contacts: Vec<Contact>,
    large_deformation: bool,
) -> NonlinearModel<'_> {
    NonlinearModel {
        mesh,
        materials: vec![Solid::Plastic(J2::elastic(E, NU))],
        density: vec![0.0],
        of_element: vec![0; mesh.element_count()],
        constraints,
        large_deformation,
        contacts,
        bolts: vec![],
    }
}

fn solve(
    mesh: &Mesh,
    constraints: Vec<crate::Constraint>,
    contacts: Vec<Contact>,
    top: Vec<SurfaceLoad>,
) -> NonlinearSolution {
    let model = steel(mesh, constraints, contacts, false);
    let case = LoadCase {
        name: "p".into(),
        loads: top
            .into_iter()
            .map(|load| Load::Surface {
                faces: mesh.face_sets["b.zmax"].clone(),
                load,
            })
            .collect(),
    };
    let options = NonlinearOptions {
        first_increment: 1.0,
        ..Default::default()
    };
    model
        .solve(&case, &LoadPath::through(&[1.0]).unwrap(), &options)
        .unwrap()
}

/// The contact patch test: a uniform pressure on two non-matching blocks in contact
/// gives the uniform stress of one block to round-off, and every contact point carries
/// the pressure, whichever side is finer or quadratic — frictionless with the upper
/// block on rollers, and with friction holding it (stabilised, doing no work).
#[test]
fn a_uniform_pressure_crosses_a_non_matching_contact_exactly() {
    let pairs = [
        (
            (ElementKind::Hex8, [3, 3, 2]),
            (ElementKind::Hex20, [4, 5, 2]),
        ),
        (
            (ElementKind::Hex20, [2, 3, 1]),
            (ElementKind::Tet10, [3, 2, 2]),
        ),
        (
            (ElementKind::Tet10, [3, 3, 1]),
            (ElementKind::Hex8, [2, 2, 2]),
        ),
        (
            (ElementKind::Hex8, [5, 4, 2]),
            (ElementKind::Tet4, [3, 3, 2]),
        ),
    ];
    let p = 1e6;
    for (lower, upper) in pairs {
        let mesh = stack(lower, upper);
        let base = vec![
            on(&mesh, "a.zmin", 2),
            on(&mesh, "a.xmin", 0),
            on(&mesh, "a.ymin", 1),
        ];
        let mut rollers = base.clone();
        rollers.extend([on(&mesh, "b.xmin", 0), on(&mesh, "b.ymin", 1)]);
        for (constraints, friction) in [(rollers, 0.0), (base, 0.2)] {
            let s = solve(
                &mesh,
                constraints,
                vec![contact(&mesh, friction)],
                vec![SurfaceLoad::Pressure(p)],
            );
            let case = format!("{lower:?}/{upper:?} μ = {friction}");
            assert!(s.stopped.is_none(), "{case}: {:?}", s.stopped);
            for st in &s.stress {
                assert!(
                    (st[2] + p).abs() < 1e-7 * p && st[0].abs() < 1e-7 * p,
                    "{case}: {st:?}"
                );
            }
            let c = &s.contact[0];
            for st in &c.states {
                assert!((st.pressure - p).abs() < 1e-7 * p, "{case}: {st:?}");
                assert!(
                    -st.gap < 1e-3 * p / (10.0 * E),
                    "{case}: penetration {}",
                    -st.gap
                );
                assert!(st.shear.norm() < 1e-7 * p, "{case}: {st:?}");
            }
            let strain = p / E;
            for (n, x) in mesh.nodes.iter().enumerate() {
                let err = (s.displacement[3 * n + 2] + strain * x.z).abs();
                // The upper block sits lower by the augmented penetration.
                assert!(err < 1e-5 * strain, "{case}: node {n} uz off by {err:e}");
            }
            if friction > 0.0 {
                let (spent, work) = s.stabilisation.expect("held by friction only");
                assert!(spent < 1e-9 * work, "{case}: {spent} of {work}");
            }
        }
    }
}

/// Soft contact, a linear pressure–overclosure law: a uniform pressure crosses the
/// non-matching interface, every point overlapping by p / k, and the upper block
/// sits that much lower.
#[test]
fn soft_contact_overlaps_by_pressure_over_stiffness() {
    let mesh = stack(
        (ElementKind::Hex8, [3, 3, 2]),
        (ElementKind::Hex20, [4, 5, 2]),
    );
    let (p, k) = (1e6, 1e12);
    let constraints = ["a.zmin", "a.xmin", "a.ymin", "b.xmin", "b.ymin"]
        .iter()
        .zip([2, 0, 1, 0, 1])
        .map(|(set, c)| on(&mesh, set, c))
        .collect();
    let soft = Contact {
        normal_stiffness: Some(k),
        ..contact(&mesh, 0.0)
    };
    let s = solve(
        &mesh,
        constraints,
        vec![soft],
        vec![SurfaceLoad::Pressure(p)],
    );
    for st in &s.contact[0].states {
        assert!((st.pressure - p).abs() < 1e-7 * p, "{st:?}");
        assert!((st.gap + p / k).abs() < 1e-7 * p / k, "{st:?}");
    }
    let b = &mesh.blocks[1];
    let upper: std::collections::HashSet<usize> =
        (0..b.len()).flat_map(|e| b.element(e).to_vec()).collect();
    for (n, x) in mesh.nodes.iter().enumerate() {
        let sunk = if upper.contains(&n) { p / k } else { 0.0 };
        let err = (s.displacement[3 * n + 2] + p / E * x.z + sunk).abs();
        assert!(err < 1e-6 * p / E, "node {n} uz off by {err:e}");
    }
    let mut both = contact(&mesh, 0.0);
    (both.penalty, both.normal_stiffness) = (Some(k), Some(k));
    let e = Interface::new(&mesh, &both, E).unwrap_err().to_string();
    assert!(e.contains("give one of them"), "{e}");
}

/// A 2 × 2 hex8 block on a 3 × 3 one.
fn pads() -> Mesh {
    stack(
        (ElementKind::Hex8, [3, 3, 1]),
        (ElementKind::Hex8, [2, 2, 1]),
    )
}

/// A pressure p and a push q along x on the upper block's top.
fn pushed(p: f64, q: f64) -> Vec<SurfaceLoad> {
    vec![
        SurfaceLoad::Pressure(p),
        SurfaceLoad::Traction(Vector3::new(q, 0.0, 0.0)),
    ]
}

/// The friction force along x on the slave.
fn friction_x(c: &ContactResult) -> f64 {
    c.states
        .iter()
        .zip(&c.areas)
        .map(|(st, a)| st.shear.x * a)
        .sum()
}

/// A block pressed on a plane and pushed along it sticks while the push is below μ p
/// and cannot be held above it; pulled off, it is not held and the run says so.
#[test]
fn a_pushed_block_sticks_below_mu_p_and_slides_above() {
    let mesh = pads();
    let fixed: Vec<_> = (0..3).map(|c| on(&mesh, "a.zmin", c)).collect();
    let (p, mu) = (1e6, 0.3);
    for (ratio, holds) in [(0.29, true), (0.31, false)] {
        let loads = pushed(p, ratio * p);
        let s = solve(&mesh, fixed.clone(), vec![contact(&mesh, mu)], loads);
        assert_eq!(s.stopped.is_none(), holds, "q/p = {ratio}: {:?}", s.stopped);
        if holds {
            // The friction stresses carry the push (part of the face slips where the
            // overturning moment unloads it), none beyond the cone.
            let c = &s.contact[0];
            let carried = friction_x(c);
            assert!((carried + ratio * p).abs() < 1e-6 * p, "{carried}");
            assert!(c.states.iter().all(|st| st.utilisation(mu) <= 1.0 + 1e-9));
            assert!(c.states.iter().any(|st| st.status == Status::Stick));
        }
    }
    // Pulled up, the upper block is held by nothing: every point opens, and the run
    // stops on the stabilisation's work instead of returning a floating part.
    let s = solve(
        &mesh,
        vec![
            on(&mesh, "a.zmin", 2),
            on(&mesh, "a.xmin", 0),
            on(&mesh, "a.ymin", 1),
            on(&mesh, "b.xmin", 0),
            on(&mesh, "b.ymin", 1),
        ],
        vec![contact(&mesh, 0.0)],
        vec![SurfaceLoad::Pressure(-1e3)],
    );
    let stop = s.stopped.expect("a lifted part is not held");
    assert!(
        stop.reason.contains("contact stabilisation"),
        "{}",
        stop.reason
    );
}

/// Bad input: friction out of range, surfaces that never meet, an initial penetration
/// (named with its depth), and a part held by nothing at all.
#[test]
fn bad_contacts_are_refused_clearly() {
    let mesh = stack(
        (ElementKind::Hex8, [2, 2, 1]),
        (ElementKind::Hex8, [2, 2, 1]),
    );
    let mut c = contact(&mesh, -0.1);
    let e = Interface::new(&mesh, &c, E).unwrap_err().to_string();
    assert!(e.contains("friction coefficient -0.1"), "{e}");
    c.friction = 0.1;
    c.master = mesh.face_sets["a.zmin"].clone();
    let e = Interface::new(&mesh, &c, E).unwrap_err().to_string();
    assert!(
        e.contains("no slave face comes within") && e.contains("5.000e-1 m"),
        "{e}"
    );
    let mut sunk = mesh.clone();
    for n in sunk.set_nodes("b.zmin").unwrap() {
        sunk.nodes[n].z -= 0.01;
    }
    let e = Interface::new(&sunk, &contact(&sunk, 0.1), E)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("start inside the master surface") && e.contains("by 1.000e-2 m"),
        "{e}"
    );
    let mut press = contact(&sunk, 0.1);
    press.interference = true;
    assert!(Interface::new(&sunk, &press, E).is_ok());
}

/// A 0.6 m block pressed (by its top, displacement-controlled) on a 4 m propped plate
/// at x = 0.7…1.3 m and slid 2 m along it (frictionless, non-matching meshes), with
/// the sliding given; or placed at `x0` and only pressed.
fn slid_block(
    x0: f64,
    slide: f64,
    sliding: Sliding,
    large_deformation: bool,
) -> (Mesh, NonlinearSolution) {
    let plate = block([4.0, 1.0, 0.25], [16, 4, 1], ElementKind::Hex8).unwrap();
    let mut b = block([0.6, 0.6, 0.3], [3, 3, 1], ElementKind::Hex8).unwrap();
    b.nodes
        .iter_mut()
        .for_each(|p| *p += Vector3::new(x0, 0.2, 0.25));
    let mesh = crate::mesh::merge_parts(vec![("a".into(), plate), ("b".into(), b)]);
    let top = |c: usize, v: f64| crate::Constraint {
        nodes: mesh.set_nodes("b.zmax").unwrap(),
        components: std::array::from_fn(|k| (k == c).then_some(v)),
    };
    let mut constraints: Vec<_> = (0..3).map(|c| on(&mesh, "a.xmin", c)).collect();
    constraints.extend([
        on(&mesh, "a.xmax", 2),
        top(0, slide),
        top(1, 0.0),
        top(2, -2e-5),
    ]);
    let mut c = contact(&mesh, 0.0);
    c.sliding = sliding;
    let s = displaced(&mesh, constraints, c, large_deformation);
    (mesh, s)
}

/// The solution of `mesh` (steel) with contact `c`, loaded by its prescribed
/// displacements alone, in increments of the default size.
fn displaced(
    mesh: &Mesh,
    constraints: Vec<crate::Constraint>,
    c: Contact,
    large_deformation: bool,
) -> NonlinearSolution {
    let model = steel(mesh, constraints, vec![c], large_deformation);
    let case = LoadCase {
        name: "displaced".into(),
        loads: vec![],
    };
    let path = LoadPath::through(&[1.0]).unwrap();
    model
        .solve(&case, &path, &NonlinearOptions::default())
        .unwrap()
}

/// Finite sliding: a block pressed on a plate and slid 2 m (eight of the plate's faces)
/// along it, frictionless, ends in the state of the same block placed there and pressed
/// (an elastic frictionless contact does not remember its path): the plate deflects
/// under the block where it is now, within the multipliers' resolution. Small sliding
/// keeps pressing the plate where the block started, and is far off.
#[test]
fn a_block_slid_along_a_plate_presses_it_where_it_is() {
    for large in [false, true] {
        let (mesh, placed) = slid_block(2.7, 0.0, Sliding::Finite, large);
        let plate = mesh.set_nodes("a.zmax").unwrap();
        let deflection = |s: &NonlinearSolution| -> Vec<f64> {
            plate.iter().map(|&n| s.displacement[3 * n + 2]).collect()
        };
        let reference = deflection(&placed);
        let largest = reference.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        assert!(largest > 1e-6, "the plate is pressed: {largest:e}");
        let off = |s: &NonlinearSolution| {
            deflection(s)
                .iter()
                .zip(&reference)
                .fold(0.0f64, |m, (a, b)| m.max((a - b).abs()))
                / largest
        };
        let force = |s: &NonlinearSolution| -> f64 {
            let c = &s.contact[0];
            c.states
                .iter()
                .zip(&c.areas)
                .map(|(st, a)| st.pressure * a)
                .sum()
        };
        let (_, slid) = slid_block(0.7, 2.0, Sliding::Finite, large);
        assert!(slid.stopped.is_none(), "{:?}", slid.stopped);
        let (a, b) = (force(&slid), force(&placed));
        let case = format!("large deformation {large}");
        assert!((a - b).abs() < 1e-5 * b, "{case}: contact force {a} vs {b}");
        assert!(
            off(&slid) < 1e-5,
            "{case}: {:e} of the deflection off",
            off(&slid)
        );
        if !large {
            let (_, small) = slid_block(0.7, 2.0, Sliding::Small, large);
            assert!(off(&small) > 0.3, "small sliding: {:e}", off(&small));
        }
    }
}

/// A stick slope (CalculiX's) is the stick's constant stiffness: a pushed block that
/// sticks has each sticking point's friction stress −k × its slip, and carries the push.
#[test]
fn a_stick_slope_is_the_stick_stiffness() {
    let mesh = pads();
    let fixed: Vec<_> = (0..3).map(|c| on(&mesh, "a.zmin", c)).collect();
    let (p, k) = (1e6, 1e12);
    let mut c = contact(&mesh, 0.3);
    c.stick_slope = Some(k);
    let loads = pushed(p, 0.1 * p);
    let s = solve(&mesh, fixed, vec![c.clone()], loads);
    assert!(s.stopped.is_none(), "{:?}", s.stopped);
    let c0 = &s.contact[0];
    let sticking: Vec<_> = c0
        .states
        .iter()
        .filter(|s| s.status == Status::Stick)
        .collect();
    assert!(!sticking.is_empty());
    for st in sticking {
        let off = (st.shear + k * st.slip).norm();
        assert!(off < 1e-9 * st.shear.norm().max(1.0), "{st:?}");
    }
    let carried = friction_x(c0);
    assert!((carried + 0.1 * p).abs() < 1e-6 * p, "{carried}");
    c.elastic_slip = Some(1e-6);
    let e = Interface::new(&mesh, &c, E).unwrap_err().to_string();
    assert!(e.contains("elastic_slip or stick_slope"), "{e}");
}

/// A block pressed on another (frictionless, `large_deformation`) with both turned
/// rigidly by 30° about y through their supports: the contact follows the rotation
/// (current normals), carrying the force of the same press unturned (measured 4.8e-5).
#[test]
fn a_contact_turned_rigidly_carries_the_same_force() {
    let mesh = pads();
    let press = 2e-5;
    let force = |angle: f64| {
        let r = nalgebra::Rotation3::from_axis_angle(&Vector3::y_axis(), angle);
        let mut constraints = Vec::new();
        for (set, down) in [("a.zmin", 0.0), ("b.zmax", press)] {
            for n in mesh.set_nodes(set).unwrap() {
                let x = mesh.nodes[n];
                let u = r * (x - Vector3::new(0.0, 0.0, down)) - x;
                constraints.push(crate::Constraint {
                    nodes: vec![n],
                    components: [Some(u.x), Some(u.y), Some(u.z)],
                });
            }
        }
        let s = displaced(&mesh, constraints, contact(&mesh, 0.0), true);
        assert!(s.stopped.is_none(), "{angle}: {:?}", s.stopped);
        let c = &s.contact[0];
        c.states
            .iter()
            .zip(&c.areas)
            .map(|(st, a)| st.pressure * a)
            .sum::<f64>()
    };
    let (still, turned) = (force(0.0), force(30f64.to_radians()));
    assert!(still > 1e6, "pressed: {still}");
    assert!(
        (turned - still).abs() < 2e-3 * still,
        "{turned} against {still}"
    );
}
