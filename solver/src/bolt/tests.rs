use super::*;
use crate::generate::block;
use crate::nonlinear::{LoadPath, NonlinearModel, NonlinearOptions, Solid};
use crate::plasticity::J2;
use crate::{Constraint, ElementKind, LoadCase};

const E: f64 = 200e9;
const AREA: f64 = 0.2 * 0.2;

/// A bar 0.2 × 0.2 × 1 m along z with node planes every 0.25 m.
fn bar() -> Mesh {
    block([0.2, 0.2, 1.0], [2, 2, 4], ElementKind::Hex8).unwrap()
}

fn section(z: f64) -> Section {
    Section {
        name: "b".into(),
        elements: (0..16).collect(),
        point: Vector3::new(0.05, 0.05, z),
        axis: Vector3::new(0.0, 0.0, 2.0),
        reference: None,
    }
}

fn held(mesh: &Mesh, set: &str, c: usize, value: f64) -> Constraint {
    Constraint {
        nodes: mesh.set_nodes(set).unwrap(),
        components: std::array::from_fn(|k| (k == c).then_some(value)),
    }
}

/// A bar between two walls cut at mid-length and pretensioned: its force is the
/// pretension and its shortening F L / (E A) (a uniaxial stress, exact for hex8);
/// locked, then stretched by d at one wall, its force grows by E A d / L — the bolt
/// now an ordinary bar of the length it was locked at.
#[test]
fn a_bar_between_walls_takes_its_pretension_exactly_then_stays_locked() {
    let mut mesh = bar();
    let bolt = cut(&mut mesh, &section(0.5)).unwrap();
    assert_eq!((bolt.nodes.len(), mesh.nodes.len()), (9, 45 + 9 + 1));
    let (force, stretch) = (1e6, 1e-4);
    let constraints = vec![
        held(&mesh, "zmin", 2, 0.0),
        held(&mesh, "zmax", 2, stretch),
        held(&mesh, "xmin", 0, 0.0),
        held(&mesh, "ymin", 1, 0.0),
    ];
    let model = NonlinearModel {
        mesh: &mesh,
        materials: vec![Solid::Plastic(J2::elastic(E, 0.3))],
        density: vec![0.0],
        of_element: vec![0; mesh.element_count()],
        constraints,
        large_deformation: false,
        contacts: Vec::new(),
        bolts: vec![Bolt { force, ..bolt }],
    };
    let case = LoadCase {
        name: "stretch".into(),
        loads: Vec::new(),
    };
    let mut seen = Vec::new();
    let out = model
        .solve_with(
            &case,
            &LoadPath::through(&[1.0]).unwrap(),
            &NonlinearOptions::default(),
            &mut |c| seen.push((c.time, c.bolts[0].clone())),
        )
        .unwrap();
    assert!(out.stopped.is_none(), "{:?}", out.stopped);
    let at_lock = &seen
        .iter()
        .find(|s| s.0 == 0.0)
        .expect("an increment at time 0")
        .1;
    let shortening = force / (E * AREA);
    assert!((at_lock.force / force - 1.0).abs() < 1e-8, "{at_lock:?}");
    assert!(
        (at_lock.shortening / shortening - 1.0).abs() < 1e-8,
        "{at_lock:?}"
    );
    assert!(!at_lock.locked && seen.iter().all(|s| s.1.locked == (s.0 > 0.0)));
    let b = &out.bolts[0];
    let grown = force + E * AREA * stretch;
    assert!(
        (b.force / grown - 1.0).abs() < 1e-8,
        "{b:?} against {grown}"
    );
    assert!((b.shortening / shortening - 1.0).abs() < 1e-12, "{b:?}");
    for s in &out.stress {
        assert!((s[2] / (grown / AREA) - 1.0).abs() < 1e-8, "{s:?}");
    }
    // The reference node is no material point: its shortening is the bolt's, not a
    // displacement of the part.
    assert_eq!(out.displacement[3 * model.bolts[0].reference], 0.0);
    let turning = NonlinearModel {
        large_deformation: true,
        ..model
    };
    let err = turning
        .solve(
            &case,
            &LoadPath::through(&[1.0]).unwrap(),
            &NonlinearOptions::default(),
        )
        .unwrap_err();
    assert!(err.to_string().contains("large rotations"), "{err}");
}

#[test]
fn sections_that_cannot_cut_are_refused() {
    for (s, why) in [
        (section(0.4), "crosses the section plane"),
        (section(1.5), "does not cut the bolt"),
        (section(1.0), "does not cut the bolt"),
        (
            Section {
                axis: Vector3::zeros(),
                ..section(0.5)
            },
            "non-zero",
        ),
        (
            Section {
                elements: (0..4).chain(5..16).collect(),
                ..section(0.5)
            },
            "outside the bolt",
        ),
    ] {
        let err = cut(&mut bar(), &s).unwrap_err().to_string();
        assert!(err.contains(why), "{err}");
    }
}
