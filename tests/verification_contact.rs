//! Contact between parts meshed apart, end to end.
//!
//! - The contact patch test through the CLI: a uniform pressure on a column of two
//!   non-matching parts in frictionless contact (tet10 on hex8) gives the uniform stress
//!   at every node and the pressure at every contact point, to round-off.
//! - A press fit: a hollow shaft 20 µm oversize in a ring (plane strain, hex20,
//!   non-matching quarter meshes, `interference = true`): the mean contact pressure
//!   within 1 % of Lamé's interference pressure (measured 1e-3), the inner points
//!   within 2 %.
//! - Bad input: contact in a linear load case or with large deformation, a friction
//!   coefficient out of range, an unintended initial penetration (named with its
//!   depth), a missing face set.

mod common;
use common::cli::{refused, run_case, write};

const COLUMN: &str = r#"
name = "column"
[model]
[[model.part]]
name = "base"
generate = { shape = "box", size = [0.1, 0.1, 0.05], divisions = [3, 3, 2], element = "hex8" }
[[model.part]]
name = "top"
generate = { shape = "box", size = [0.1, 0.1, 0.05], divisions = [4, 5, 2], element = "tet10" }
translate = [0.0, 0.0, 0.05]
[[model.contact]]
name = "seat"
slave = "top.zmin"
master = "base.zmax"
[regions]
all = "steel_s355"
[[constraint]]
set = "base.zmin"
uz = 0.0
[[constraint]]
set = "base.xmin"
ux = 0.0
[[constraint]]
set = "top.xmin"
ux = 0.0
[[constraint]]
set = "base.ymin"
uy = 0.0
[[constraint]]
set = "top.ymin"
uy = 0.0
[[load_case]]
name = "press"
analysis = "nonlinear"
[[load_case.load]]
type = "pressure"
set = "top.zmax"
value = 1e6
"#;

#[test]
fn a_uniform_pressure_crosses_non_matching_parts_in_contact_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let file = run_case(&write(dir.path(), "column.toml", COLUMN));
    let p = 1e6;
    // Von Mises of the uniaxial stress p at every node.
    for (n, s) in common::h5_1d(&file, "load_cases/press/von_mises")
        .iter()
        .enumerate()
    {
        assert!((s - p).abs() < 1e-6 * p, "node {n}: von Mises {s}");
    }
    let pressure = common::h5_1d(&file, "load_cases/press/contact_pressure");
    let points: Vec<f64> = pressure.into_iter().filter(|v| v.is_finite()).collect();
    // Every node of the top part's underside is a contact point (tet10: 9 × 11).
    assert_eq!(points.len(), 99);
    for v in points {
        assert!((v - p).abs() < 1e-6 * p, "contact pressure {v}");
    }
}

/// A hollow steel shaft (a = 10 mm, b = 20 mm + 20 µm) pressed into a ring (b = 20 mm,
/// c = 40 mm), a quarter in plane strain.
const PRESS_FIT: &str = r#"
name = "press_fit"
[model]
[[model.part]]
name = "shaft"
generate = { shape = "tube", inner_radius = 0.01, outer_radius = 0.02002, angle_deg = 90.0, length = 0.005, divisions = [4, 16, 1], element = "hex20" }
[[model.part]]
name = "ring"
generate = { shape = "tube", inner_radius = 0.02, outer_radius = 0.04, angle_deg = 90.0, length = 0.005, divisions = [5, 11, 1], element = "hex20" }
[[model.contact]]
name = "fit"
slave = "shaft.outer"
master = "ring.inner"
interference = true
[materials.steel]
youngs_modulus = 200e9
poisson_ratio = 0.3
density = 7850.0
[regions]
all = "steel"
[[constraint]]
set = "all"
uz = 0.0
[[constraint]]
set = "shaft.theta_start"
uy = 0.0
[[constraint]]
set = "ring.theta_start"
uy = 0.0
[[constraint]]
set = "shaft.theta_end"
ux = 0.0
[[constraint]]
set = "ring.theta_end"
ux = 0.0
[[load_case]]
name = "fit"
analysis = "nonlinear"
"#;

#[test]
fn a_press_fit_carries_lame_s_interference_pressure() {
    let dir = tempfile::tempdir().unwrap();
    let file = run_case(&write(dir.path(), "press_fit.toml", PRESS_FIT));
    // Plane strain, one material: δ = p b / E' [(c² + b²)/(c² − b²) + (b² + a²)/(b² − a²)].
    let (a, b, c, delta) = (0.01f64, 0.02001f64, 0.04f64, 2e-5);
    let e = 200e9 / (1.0 - 0.3f64.powi(2));
    let lame =
        delta * e / (b * ((c * c + b * b) / (c * c - b * b) + (b * b + a * a) / (b * b - a * a)));
    let pressure = common::h5_1d(&file, "load_cases/fit/contact_pressure");
    let x = common::h5_2d(&file, "mesh/points");
    let points: Vec<(usize, f64)> = pressure
        .into_iter()
        .enumerate()
        .filter(|(_, v)| v.is_finite())
        .collect();
    assert_eq!(
        points.len(),
        83,
        "every shaft surface node is a contact point"
    );
    let mean = points.iter().map(|p| p.1).sum::<f64>() / points.len() as f64;
    // Away from the surface's edges (the symmetry and end planes), point by point; at
    // the edges the nodal pressures of quadratic faces scatter about the mean (±35 %
    // measured) while their sum stays right.
    let inside = points.iter().filter(|&&(n, _)| {
        let r = x.row(n);
        let theta = r[1].atan2(r[0]).to_degrees();
        (r[2] - 0.0025).abs() < 1e-6 && (10.0..80.0).contains(&theta)
    });
    let worst = inside.map(|p| (p.1 / lame - 1.0).abs()).fold(0.0, f64::max);
    eprintln!(
        "press fit: Lamé {lame:.4e} Pa, mean contact pressure {mean:.4e} ({:+.2e}), inside worst {worst:.2e}",
        mean / lame - 1.0
    );
    assert!((mean / lame - 1.0).abs() < 0.01, "mean {mean} vs {lame}");
    assert!(worst < 0.02, "an inner point is off by {worst}");
}

#[test]
fn bad_contacts_are_refused_with_their_reason() {
    let dir = tempfile::tempdir().unwrap();
    let linear = COLUMN.replace("analysis = \"nonlinear\"", "analysis = \"static\"");
    let e = refused(&write(dir.path(), "linear.toml", &linear));
    assert!(e.contains("would ignore the contact pair 'seat'"), "{e}");
    let rough = COLUMN.replace(
        "master = \"base.zmax\"",
        "master = \"base.zmax\"\nfriction = 3.0",
    );
    let e = refused(&write(dir.path(), "rough.toml", &rough));
    assert!(
        e.contains("rough.toml:") && e.contains("friction = 3 is out of range"),
        "{e}"
    );
    let sunk = COLUMN.replace(
        "translate = [0.0, 0.0, 0.05]",
        "translate = [0.0, 0.0, 0.049]",
    );
    let e = refused(&write(dir.path(), "sunk.toml", &sunk));
    assert!(
        e.contains("start inside the master surface") && e.contains("by 1.000e-3 m"),
        "{e}"
    );
    let large = PRESS_FIT
        .replace(
            "analysis = \"nonlinear\"",
            "analysis = \"nonlinear\"\nlarge_deformation = true",
        )
        .replace(
            "interference = true",
            "interference = true\nsliding = \"small\"",
        );
    let e = refused(&write(dir.path(), "large.toml", &large));
    assert!(e.contains("cannot follow large rotations"), "{e}");
    let faces = COLUMN.replace("slave = \"top.zmin\"", "slave = \"top.nowhere\"");
    let e = refused(&write(dir.path(), "faces.toml", &faces));
    assert!(
        e.contains("contact 'seat'") && e.contains("top.nowhere"),
        "{e}"
    );
}
