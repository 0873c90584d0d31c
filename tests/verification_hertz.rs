//! Hertz contact: a cylinder on a plane (plane strain) and a sphere on a half-space.
//!
//! Hertz's solution needs only the surfaces' local shape and bodies large against the
//! contact, so each case is two blocks meshed apart: the lower one flat, the upper one
//! with a cylindrical or spherical underside of radius R touching it at the origin,
//! symmetry planes through the contact, the load a pressure on the upper block's top.
//! Both are steel (E* = E / (2 (1 − ν²))), frictionless, small strain. The meshes are
//! graded towards the contact (exponential spacing from the origin) and the load sets
//! the contact's half-width b (radius a) to 1/15 of the blocks' size.
//!
//! Checked against the closed forms (Johnson, Contact Mechanics, §4.2 and §4.3):
//! - the peak pressure (the contact point at the origin) within 3 %;
//! - the contact half-width or radius, from the least-squares fit of p² = p0² (1 − r²/a²)
//!   over the closed points inside 0.8 a, within 3 %; and the boundary between closed
//!   and open points within one node spacing of it;
//! - both errors falling under refinement.

use nalgebra::Vector3;
use vproto_solver::contact::{Contact, ContactResult, Status};
use vproto_solver::generate::{mapped_block, BlockFace};
use vproto_solver::loads::SurfaceLoad;
use vproto_solver::mesh::{merge_parts, Mesh};
use vproto_solver::nonlinear::{
    LoadPath, NonlinearModel, NonlinearOptions, NonlinearSolution, Solid,
};
use vproto_solver::plasticity::J2;
use vproto_solver::{Constraint, ElementKind, Load, LoadCase};

const E: f64 = 200e9;
const NU: f64 = 0.3;
const R: f64 = 0.1;
/// The contact's half-width or radius the load is chosen for (m).
const B: f64 = 2e-3;
/// The blocks' size in the contact plane and their height (m).
const SIZE: f64 = 15.0 * B;

fn e_star() -> f64 {
    E / (2.0 * (1.0 - NU * NU))
}

/// Exponential spacing on [0, 1]: fine at 0, `ratio` times coarser at 1.
fn graded(u: f64, ratio: f64) -> f64 {
    let beta = ratio.ln();
    ((beta * u).exp() - 1.0) / (ratio - 1.0)
}

/// Which boundary faces are named: the contact faces, the top or bottom, the symmetry
/// planes.
fn faces(f: &BlockFace, upper: bool) -> Option<String> {
    let name = match (f.axis, f.far) {
        (2, false) if upper => "contact",
        (2, true) if upper => "top",
        (2, false) => "bottom",
        (2, true) => "contact",
        (0, false) => "xsym",
        (1, false) => "ysym",
        _ => return None,
    };
    Some(name.into())
}

/// The two blocks: `n` elements along each graded in-plane axis and the height; the
/// cylinder's a plane-strain slice (one element along its axis, y).
fn blocks(kind: ElementKind, n: usize, sphere: bool) -> Mesh {
    let ratio = 12.0;
    let across = |u: f64| SIZE * graded(u, ratio);
    let (ny, y_of) = if sphere {
        (n, Box::new(across) as Box<dyn Fn(f64) -> f64>)
    } else {
        (1, Box::new(|v: f64| v * B) as Box<dyn Fn(f64) -> f64>)
    };
    let crown = |x: f64, y: f64| {
        let r2 = x * x + if sphere { y * y } else { 0.0 };
        R - (R * R - r2).sqrt()
    };
    let upper = mapped_block(
        [n, ny, n],
        kind,
        |[u, v, w]| {
            let (x, y) = (across(u), y_of(v));
            let s = crown(x, y);
            Vector3::new(x, y, s + (SIZE - s) * graded(w, ratio))
        },
        |f| faces(f, true),
    )
    .unwrap();
    let lower = mapped_block(
        [n, ny, n],
        kind,
        |[u, v, w]| Vector3::new(across(u), y_of(v), -SIZE * graded(1.0 - w, ratio)),
        |f| faces(f, false),
    )
    .unwrap();
    merge_parts(vec![("ball".into(), upper), ("base".into(), lower)])
}

fn held(mesh: &Mesh, set: &str, c: usize) -> Constraint {
    Constraint {
        nodes: mesh.set_nodes(set).unwrap(),
        components: std::array::from_fn(|k| (k == c).then_some(0.0)),
    }
}

/// The total load on the full cylinder (N/m) or sphere (N) for the contact size B.
fn hertz_load(sphere: bool) -> f64 {
    if sphere {
        4.0 * e_star() * B.powi(3) / (3.0 * R)
    } else {
        std::f64::consts::PI * e_star() * B * B / (4.0 * R)
    }
}

/// The peak pressure of the closed form for the contact size B.
fn hertz_peak(sphere: bool) -> f64 {
    let p = hertz_load(sphere);
    if sphere {
        3.0 * p / (2.0 * std::f64::consts::PI * B * B)
    } else {
        2.0 * p / (std::f64::consts::PI * B)
    }
}

fn solve(mesh: &Mesh, sphere: bool) -> NonlinearSolution {
    let mut constraints = vec![
        held(mesh, "base.bottom", 2),
        held(mesh, "base.xsym", 0),
        held(mesh, "ball.xsym", 0),
    ];
    if sphere {
        constraints.extend([held(mesh, "base.ysym", 1), held(mesh, "ball.ysym", 1)]);
    } else {
        constraints.push(Constraint {
            nodes: (0..mesh.nodes.len()).collect(),
            components: [None, Some(0.0), None],
        });
    }
    let contact = Contact {
        name: "hertz".into(),
        slave: mesh.face_sets["ball.contact"].clone(),
        master: mesh.face_sets["base.contact"].clone(),
        friction: 0.0,
        penalty: None,
        search_distance: Some(SIZE),
        elastic_slip: None,
        interference: false,
        stick_slope: None,
        normal_stiffness: None,
        sliding: Default::default(),
    };
    let model = NonlinearModel {
        mesh,
        materials: vec![Solid::Plastic(J2::elastic(E, NU))],
        density: vec![0.0],
        of_element: vec![0; mesh.element_count()],
        constraints,
        large_deformation: false,
        contacts: vec![contact],
        bolts: vec![],
    };
    // The symmetric part's share of the load, spread over the top.
    let (share, area) = if sphere {
        (0.25, SIZE * SIZE)
    } else {
        (0.5, SIZE)
    };
    let case = LoadCase {
        name: "press".into(),
        loads: vec![Load::Surface {
            faces: mesh.face_sets["ball.top"].clone(),
            load: SurfaceLoad::Pressure(share * hertz_load(sphere) / area),
        }],
    };
    let options = NonlinearOptions {
        first_increment: 0.25,
        max_increment: 0.25,
        ..Default::default()
    };
    model
        .solve(&case, &LoadPath::through(&[1.0]).unwrap(), &options)
        .unwrap()
}

/// Peak pressure, fitted size and the (last closed, first open) radii of a solution.
struct Measured {
    peak: f64,
    fitted: f64,
    boundary: (f64, f64),
}

fn measure(mesh: &Mesh, c: &ContactResult, sphere: bool) -> Measured {
    let radius = |n: usize| {
        let x = mesh.nodes[n];
        if sphere {
            x.x.hypot(x.y)
        } else {
            x.x
        }
    };
    let points: Vec<(f64, f64, Status)> = c
        .nodes
        .iter()
        .zip(&c.states)
        .map(|(&n, s)| (radius(n), s.pressure, s.status))
        .collect();
    let peak = points
        .iter()
        .find(|p| p.0 < 1e-12)
        .map(|p| p.1)
        .expect("a contact point at the origin");
    // p² = p0² − (p0²/a²) r²: a straight line in r².
    let inner: Vec<(f64, f64)> = points
        .iter()
        .filter(|p| p.0 < 0.8 * B && p.2 != Status::Open)
        .map(|p| (p.0 * p.0, p.1 * p.1))
        .collect();
    let m = inner.len() as f64;
    let (sx, sy) = inner
        .iter()
        .fold((0.0, 0.0), |(a, b), p| (a + p.0, b + p.1));
    let (mx, my) = (sx / m, sy / m);
    let (sxy, sxx) = inner.iter().fold((0.0, 0.0), |(a, b), p| {
        (a + (p.0 - mx) * (p.1 - my), b + (p.0 - mx).powi(2))
    });
    let slope = sxy / sxx;
    let intercept = my - slope * mx;
    let fitted = (-intercept / slope).sqrt();
    let last_closed = points
        .iter()
        .filter(|p| p.2 != Status::Open && p.1 > 0.0)
        .map(|p| p.0)
        .fold(0.0, f64::max);
    let first_open = points
        .iter()
        .filter(|p| p.2 == Status::Open || p.1 <= 0.0)
        .map(|p| p.0)
        .fold(f64::INFINITY, f64::min);
    Measured {
        peak,
        fitted,
        boundary: (last_closed, first_open),
    }
}

fn check(kind: ElementKind, meshes: &[usize], sphere: bool) {
    let p0 = hertz_peak(sphere);
    let mut errors = vec![];
    for &n in meshes {
        let mesh = blocks(kind, n, sphere);
        let s = solve(&mesh, sphere);
        assert!(s.stopped.is_none(), "{:?}", s.stopped);
        let m = measure(&mesh, &s.contact[0], sphere);
        let e_peak = m.peak / p0 - 1.0;
        let e_size = m.fitted / B - 1.0;
        println!(
            "{kind:?} n = {n} ({} nodes): peak {:.4e} Pa ({e_peak:+.4}), size {:.4e} m ({e_size:+.4}), boundary {:.4e} … {:.4e} m, {} iterations, {} factorisations",
            mesh.nodes.len(),
            m.peak,
            m.fitted,
            m.boundary.0,
            m.boundary.1,
            s.increments.iter().map(|i| i.residuals.len()).sum::<usize>(),
            s.timing.factorizations
        );
        errors.push((e_peak.abs(), e_size.abs(), m.boundary));
    }
    let finest = errors.last().unwrap();
    assert!(finest.0 < 0.03 && finest.1 < 0.03, "{errors:?}");
    let (closed, open) = finest.2;
    assert!(open > B && (closed - B).abs() < open - closed, "{errors:?}");
    assert!(
        errors[0].0 > finest.0 && errors[0].1 > finest.1,
        "{errors:?}"
    );
}

#[test]
fn a_cylinder_on_a_plane_takes_hertz_s_pressure_and_half_width() {
    check(ElementKind::Hex20, &[8, 16, 24], false);
}

#[test]
fn a_sphere_on_a_half_space_takes_hertz_s_pressure_and_radius() {
    check(ElementKind::Hex20, &[6, 12], true);
}
