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

mod thermo_elastic {
    use nalgebra::Vector3;
    use vproto_solver::assembly::Materials;
    use vproto_solver::generate::block;
    use vproto_solver::material::von_mises;
    use vproto_solver::{Constraint, ElementKind, Isotropic, Load, LoadCase, StaticModel};

    fn steel(elements: usize) -> Materials {
        let mut m = Materials::uniform(
            Isotropic {
                youngs_modulus: 210e9,
                poisson_ratio: 0.3,
                density: 7850.0,
            },
            elements,
        );
        m.expansion = vec![12e-6];
        m
    }

    /// A bar held axially at both ends and free laterally, heated by 100 K uniformly:
    /// σ_xx = −E α ΔT = −252 MPa, other stresses zero (1e-9 relative), every element type.
    #[test]
    fn restrained_bar_heated_uniformly() {
        for kind in ElementKind::ALL {
            let mesh = block([1.0, 0.1, 0.1], [5, 1, 1], kind).unwrap();
            let set = |n: &str| mesh.set_nodes(n).unwrap();
            let model = StaticModel {
                mesh: &mesh,
                materials: steel(mesh.element_count()),
                constraints: vec![
                    Constraint {
                        nodes: set("xmin"),
                        components: [Some(0.0), None, None],
                    },
                    Constraint {
                        nodes: set("xmax"),
                        components: [Some(0.0), None, None],
                    },
                    Constraint {
                        nodes: set("ymin"),
                        components: [None, Some(0.0), None],
                    },
                    Constraint {
                        nodes: set("zmin"),
                        components: [None, None, Some(0.0)],
                    },
                ],
            };
            let case = LoadCase {
                name: "hot".into(),
                loads: vec![Load::Thermal {
                    delta_t: vec![100.0; mesh.nodes.len()],
                }],
            };
            let r = &model.solve(&[case]).unwrap().load_cases[0];
            let expect = -210e9 * 12e-6 * 100.0;
            for s in r.fields.gauss_stress.iter().chain(&r.fields.nodal_stress) {
                assert!(
                    (s[0] - expect).abs() < 1e-9 * expect.abs(),
                    "{kind:?} {s:?}"
                );
                assert!(
                    s.iter().skip(1).all(|v| v.abs() < 1e-9 * expect.abs()),
                    "{kind:?} {s:?}"
                );
            }
        }
    }

    /// A statically determinate body (3-2-1 supports) under a linear temperature field
    /// T = 100 x + 50 y − 30 z + 20 expands without stress: quadratic elements must give
    /// zero stress to round-off (1e-8 of E α ΔT_max) and the free expansion of the far
    /// corner.
    #[test]
    fn linear_temperature_field_in_a_free_body_is_stress_free() {
        for kind in [ElementKind::Hex20, ElementKind::Tet10] {
            let mesh = block([1.0, 0.5, 0.4], [4, 2, 2], kind).unwrap();
            let at = |p: Vector3<f64>| {
                (0..mesh.nodes.len())
                    .find(|&i| (mesh.nodes[i] - p).norm() < 1e-12)
                    .unwrap()
            };
            let model = StaticModel {
                mesh: &mesh,
                materials: steel(mesh.element_count()),
                constraints: vec![
                    Constraint {
                        nodes: vec![at(Vector3::zeros())],
                        components: [Some(0.0); 3],
                    },
                    Constraint {
                        nodes: vec![at(Vector3::new(1.0, 0.0, 0.0))],
                        components: [None, Some(0.0), Some(0.0)],
                    },
                    Constraint {
                        nodes: vec![at(Vector3::new(0.0, 0.5, 0.0))],
                        components: [None, None, Some(0.0)],
                    },
                ],
            };
            let t = |p: &Vector3<f64>| 100.0 * p.x + 50.0 * p.y - 30.0 * p.z + 20.0;
            let delta_t: Vec<f64> = mesh.nodes.iter().map(t).collect();
            let r = &model
                .solve(&[LoadCase {
                    name: "gradient".into(),
                    loads: vec![Load::Thermal { delta_t }],
                }])
                .unwrap()
                .load_cases[0];
            let scale = 210e9 * 12e-6 * 155.0;
            let worst = r
                .fields
                .gauss_stress
                .iter()
                .map(von_mises)
                .fold(0.0, f64::max);
            println!("{kind:?}: largest von Mises {worst:.3e} Pa (scale {scale:.3e})");
            assert!(worst < 1e-8 * scale, "{kind:?}: {worst}");
            // Free expansion along the x edge from the origin: u_x(1,0,0) = α ∫₀¹ T dx.
            let i = at(Vector3::new(1.0, 0.0, 0.0));
            let expect = 12e-6 * (50.0 + 20.0);
            assert!(
                (r.displacement[3 * i] - expect).abs() < 1e-9,
                "{kind:?}: {}",
                r.displacement[3 * i]
            );
        }
    }
}

/// The multigrid-preconditioned CG (the iterative method of large models) gives the
/// direct factor's temperatures to 1e-8 of the temperature range, in a handful of
/// iterations, on a block large enough to build a hierarchy: fixed temperature on one
/// face, convection on another, a heat source everywhere.
#[test]
fn conduction_by_multigrid_equals_the_direct_factor() {
    use vproto_solver::statics::Method;
    for (kind, cells) in [
        (ElementKind::Hex8, [24, 12, 12]),
        (ElementKind::Tet10, [12, 6, 6]),
        (ElementKind::Hex20, [16, 6, 6]),
    ] {
        let mesh = block([0.3, 0.1, 0.1], cells, kind).unwrap();
        let model = ThermalModel {
            mesh: &mesh,
            conductivity: vec![45.0; mesh.element_count()],
        };
        let case = HeatCase {
            name: "block".into(),
            loads: vec![
                HeatLoad::Temperature {
                    nodes: mesh.set_nodes("xmin").unwrap(),
                    value: 20.0,
                },
                HeatLoad::Convection {
                    faces: mesh.face_sets["ymax"].clone(),
                    film_coefficient: 80.0,
                    sink_temperature: 40.0,
                },
                HeatLoad::Source {
                    elements: (0..mesh.element_count()).collect(),
                    value: 5e5,
                },
            ],
        };
        let direct = model.solve_with(&case, Method::Direct).unwrap();
        let iterative = model.solve_with(&case, Method::Iterative).unwrap();
        assert_eq!((direct.method, iterative.method), ("double", "multigrid"));
        let range = direct
            .temperature
            .iter()
            .fold(0.0f64, |m, t| m.max(t - 20.0));
        let diff = direct
            .temperature
            .iter()
            .zip(&iterative.temperature)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        println!(
            "{kind:?}: {} unknowns, {} iterations, max difference {:.2e} of the range {range:.1} K",
            iterative.equations,
            iterative.iterations,
            diff / range
        );
        assert!(
            iterative.equations > 1500,
            "{kind:?}: too small for a hierarchy"
        );
        assert!(diff < 1e-8 * range, "{kind:?}: {diff}");
        assert!((2..60).contains(&iterative.iterations), "{kind:?}");
        assert!(iterative.relative_residual < 1e-8);
    }
}
