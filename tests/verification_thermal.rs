//! Verification of steady heat conduction against closed-form 1D solutions.

use vproto_solver::generate::block;
use vproto_solver::thermal::{total, HeatCase, HeatLoad, ThermalModel};
use vproto_solver::ElementKind;

/// Slab of length L = 0.2 m, k = 45 W/(m·K), T = 100 °C at x = 0 and 20 °C at x = L,
/// with uniform heat generation Q = 2 MW/m³: T(x) = T0 + (T1 − T0) x/L + Q x (L − x)/(2k).
/// Quadratic elements represent it exactly (1e-9 K); the heat leaving through both
/// faces balances the generated Q·V (1e-9 relative) for every element type.
#[test]
fn slab_with_heat_generation() {
    let (l, k, t0, t1, q) = (0.2, 45.0, 100.0, 20.0, 2e6);
    let exact = |x: f64| t0 + (t1 - t0) * x / l + q * x * (l - x) / (2.0 * k);
    for kind in ElementKind::ALL {
        let mesh = block([l, 0.05, 0.05], [8, 1, 1], kind).unwrap();
        let model = ThermalModel {
            mesh: &mesh,
            conductivity: vec![k; mesh.element_count()],
        };
        let case = HeatCase {
            name: "slab".into(),
            loads: vec![
                HeatLoad::Temperature {
                    nodes: mesh.set_nodes("xmin").unwrap(),
                    value: t0,
                },
                HeatLoad::Temperature {
                    nodes: mesh.set_nodes("xmax").unwrap(),
                    value: t1,
                },
                HeatLoad::Source {
                    elements: (0..mesh.element_count()).collect(),
                    value: q,
                },
            ],
        };
        let r = model.solve(&case).unwrap();
        let err = mesh
            .nodes
            .iter()
            .zip(&r.temperature)
            .map(|(p, t)| (t - exact(p.x)).abs())
            .fold(0.0, f64::max);
        println!("{kind:?}: max temperature error {err:.3e} K");
        if kind.is_quadratic() {
            assert!(err < 1e-9, "{kind:?}: {err}");
        } else {
            assert!(err < 0.05 * (exact(0.5 * l) - t1), "{kind:?}: {err}");
        }
        let out = -(total(&r.reaction, &mesh.set_nodes("xmin").unwrap())
            + total(&r.reaction, &mesh.set_nodes("xmax").unwrap()));
        let generated = q * l * 0.05 * 0.05;
        assert!(
            (out - generated).abs() < 1e-9 * generated,
            "{kind:?}: {out} vs {generated}"
        );
        assert!(r.relative_residual < 1e-10);
    }
}

/// Slab with T0 = 200 °C at x = 0 and convection at x = L to air at 25 °C,
/// h = 150 W/(m²·K): q = (T0 − T∞) / (L/k + 1/h), T(L) = T0 − q L / k, flux −k dT/dx = q.
/// The linear field is exact for every element (1e-9).
#[test]
fn slab_with_convection() {
    let (l, k, t0, h, tinf) = (0.1, 16.0, 200.0, 150.0, 25.0);
    let q = (t0 - tinf) / (l / k + 1.0 / h);
    for kind in ElementKind::ALL {
        let mesh = block([l, 0.04, 0.04], [5, 2, 2], kind).unwrap();
        let model = ThermalModel {
            mesh: &mesh,
            conductivity: vec![k; mesh.element_count()],
        };
        let case = HeatCase {
            name: "fin".into(),
            loads: vec![
                HeatLoad::Temperature {
                    nodes: mesh.set_nodes("xmin").unwrap(),
                    value: t0,
                },
                HeatLoad::Convection {
                    faces: mesh.face_sets["xmax"].clone(),
                    film_coefficient: h,
                    sink_temperature: tinf,
                },
            ],
        };
        let r = model.solve(&case).unwrap();
        for (i, p) in mesh.nodes.iter().enumerate() {
            assert!(
                (r.temperature[i] - (t0 - q * p.x / k)).abs() < 1e-9 * t0,
                "{kind:?} node {i}"
            );
            assert!(
                (r.heat_flux[3 * i] - q).abs() < 1e-9 * q,
                "{kind:?} flux {}",
                r.heat_flux[3 * i]
            );
        }
    }
}

/// A model with neither a fixed temperature nor convection has no temperature level.
#[test]
fn floating_temperature_is_reported() {
    let mesh = block([1.0, 1.0, 1.0], [1, 1, 1], ElementKind::Hex8).unwrap();
    let model = ThermalModel {
        mesh: &mesh,
        conductivity: vec![1.0],
    };
    let case = HeatCase {
        name: "x".into(),
        loads: vec![HeatLoad::Flux {
            faces: mesh.face_sets["xmin"].clone(),
            value: 1.0,
        }],
    };
    let err = model.solve(&case).unwrap_err().to_string();
    assert!(err.contains("temperature level"), "{err}");
}
