//! Verification of linear statics against analytic solutions and NAFEMS benchmarks.
//! Each test states its reference value, source and tolerance.

mod common;

use common::*;
use nalgebra::Vector3;
use vproto_solver::assembly::Materials;
use vproto_solver::generate::{block, tube_sector};
use vproto_solver::loads::SurfaceLoad;
use vproto_solver::material::Voigt;
use vproto_solver::{Constraint, ElementKind, Load, LoadCase, StaticModel};

/// Patch test: a linear displacement field prescribed on the boundary of a distorted
/// mesh must be reproduced exactly inside, with the exact constant stress at every
/// integration point (to round-off: 1e-9 relative). Interior corner nodes are moved at
/// random; midside nodes stay at their edge midpoints (straight-edged elements, the
/// classical patch-test setting for quadratic elements).
#[test]
fn patch_test_reproduces_constant_strain_on_distorted_meshes() {
    let m = material(200e9, 0.3);
    let grad = nalgebra::Matrix3::new(1.0, 0.4, -0.2, 0.3, -0.5, 0.6, -0.1, 0.2, 0.8) * 1e-3;
    let exact = |x: &Vector3<f64>| grad * x + Vector3::new(1e-4, -2e-4, 3e-4);
    let (_, sigma) = m.stress(&grad);
    for kind in ElementKind::ALL {
        let mut mesh = block([1.0, 1.0, 1.0], [3, 3, 3], kind).unwrap();
        let boundary = boundary_nodes(&mesh);
        let h = if kind.is_quadratic() {
            1.0 / 6.0
        } else {
            1.0 / 3.0
        };
        for i in 0..mesh.nodes.len() {
            if boundary.binary_search(&i).is_err() {
                mesh.nodes[i] += Vector3::new(jitter(i, 0), jitter(i, 1), jitter(i, 2)) * 0.25 * h;
            }
        }
        let b = mesh.blocks[0].clone();
        for e in 0..b.len() {
            let nodes = b.element(e);
            for (k, &[p, q]) in kind
                .edges()
                .iter()
                .enumerate()
                .take(nodes.len() - kind.corner_count())
            {
                mesh.nodes[nodes[kind.corner_count() + k]] =
                    (mesh.nodes[nodes[p]] + mesh.nodes[nodes[q]]) * 0.5;
            }
        }
        mesh.check().unwrap();
        let r = solve_dirichlet(&mesh, m.clone(), exact);
        for (i, p) in mesh.nodes.iter().enumerate() {
            let u = Vector3::new(
                r.displacement[3 * i],
                r.displacement[3 * i + 1],
                r.displacement[3 * i + 2],
            );
            assert!((u - exact(p)).norm() < 1e-12, "{kind:?} node {i}");
        }
        let scale = sigma.norm();
        for s in r.fields.gauss_stress.iter().chain(&r.fields.nodal_stress) {
            assert!(
                (s - sigma).norm() < 1e-9 * scale,
                "{kind:?}: {s:?} vs {sigma:?}"
            );
        }
    }
}

/// Cantilever under an end shear with ν = 0, where Timoshenko & Goodier's beam solution
/// (Theory of Elasticity, §21) is an exact 3D elasticity solution:
///   u_x = −P x² z/(2EI) + P z³/(6IG) + (P L²/(2EI) − P c²/(2IG)) z,
///   u_z = P x³/(6EI) − P L² x/(2EI) + P L³/(3EI).
/// Prescribed on the boundary, the L2 displacement error must fall as h^(p+1): rate 2
/// for tet4/hex8 and 3 for tet10/hex20 (fitted over three meshes, ±0.25).
#[test]
fn cantilever_exact_solution_converges_at_the_expected_rate() {
    let (e, p, l, b, c): (f64, f64, f64, f64, f64) = (200e9, 1e4, 1.0, 0.2, 0.1);
    let (i, g) = (b * (2.0 * c).powi(3) / 12.0, e / 2.0);
    let exact = move |x: &Vector3<f64>| {
        let (xx, z) = (x.x, x.z - c);
        Vector3::new(
            -p * xx * xx * z / (2.0 * e * i)
                + p * z.powi(3) / (6.0 * i * g)
                + (p * l * l / (2.0 * e * i) - p * c * c / (2.0 * i * g)) * z,
            0.0,
            p * xx.powi(3) / (6.0 * e * i) - p * l * l * xx / (2.0 * e * i)
                + p * l.powi(3) / (3.0 * e * i),
        )
    };
    for (kind, expected) in [
        (ElementKind::Hex8, 2.0),
        (ElementKind::Tet4, 2.0),
        (ElementKind::Hex20, 3.0),
        (ElementKind::Tet10, 3.0),
    ] {
        let (mut hs, mut errs) = (vec![], vec![]);
        for k in [2usize, 4, 8] {
            let mesh = block([l, b, 2.0 * c], [5 * k, k, k], kind).unwrap();
            let r = solve_dirichlet(&mesh, material(e, 0.0), exact);
            hs.push(1.0 / k as f64);
            errs.push(l2_error(&mesh, &r.displacement, exact));
        }
        let rate = fitted_rate(&hs, &errs);
        println!("{kind:?}: L2 errors {errs:?}, fitted rate {rate:.2}");
        assert!(
            (rate - expected).abs() < 0.25,
            "{kind:?}: rate {rate:.2}, expected {expected}"
        );
    }
}

/// Clamped steel cantilever, L = 1 m, 0.1 × 0.1 m, end load P = 10 kN as a uniform
/// traction on the end face. Timoshenko beam theory: δ = PL³/(3EI) + PL/(κGA), with
/// κ = 10(1+ν)/(12+11ν) (Cowper). The 3D solution must approach it under refinement
/// (error decreasing) and lie within 1.5 % on the finest mesh, for hex20 and tet10.
#[test]
fn cantilever_tip_deflection_approaches_timoshenko() {
    let (e, nu, p, l, h): (f64, f64, f64, f64, f64) = (210e9, 0.3, 1e4, 1.0, 0.1);
    let (i, a, g) = (h.powi(4) / 12.0, h * h, e / (2.0 * (1.0 + nu)));
    let kappa = 10.0 * (1.0 + nu) / (12.0 + 11.0 * nu);
    let reference = p * l.powi(3) / (3.0 * e * i) + p * l / (kappa * g * a);
    for kind in [ElementKind::Hex20, ElementKind::Tet10] {
        let mut errors = vec![];
        for k in [1usize, 2, 4] {
            let mesh = block([l, h, h], [10 * k, k, k], kind).unwrap();
            let model = StaticModel {
                mesh: &mesh,
                materials: Materials::uniform(material(e, nu), mesh.element_count()),
                constraints: vec![Constraint {
                    nodes: mesh.set_nodes("xmin").unwrap(),
                    components: [Some(0.0); 3],
                }],
            };
            let load = LoadCase {
                name: "tip".into(),
                loads: vec![Load::Surface {
                    faces: mesh.face_sets["xmax"].clone(),
                    load: SurfaceLoad::Traction(Vector3::new(0.0, 0.0, -p / a)),
                }],
            };
            let r = &model.solve(&[load]).unwrap().load_cases[0];
            let tip = mesh.set_nodes("xmax").unwrap();
            let delta =
                -tip.iter().map(|&n| r.displacement[3 * n + 2]).sum::<f64>() / tip.len() as f64;
            errors.push((delta - reference).abs() / reference);
        }
        println!("{kind:?}: relative errors vs Timoshenko {errors:.4?}");
        assert!(
            errors.windows(2).all(|w| w[1] < w[0]),
            "{kind:?}: {errors:?}"
        );
        assert!(errors[2] < 0.015, "{kind:?}: {errors:?}");
    }
}

/// Lamé thick-walled cylinder, a = 0.1 m, b = 0.2 m, internal pressure p = 10 MPa,
/// plane strain (u_z = 0 on both ends), quarter model with symmetry planes.
/// At the bore: σ_r = −p and σ_θ = p (a² + b²)/(b² − a²) = 16.667 MPa; tolerance 2 %
/// of σ_θ on a moderate hex20 mesh and on a tet10 mesh.
#[test]
fn lame_cylinder_bore_stresses() {
    let (a, b, p): (f64, f64, f64) = (0.1, 0.2, 10e6);
    let hoop = p * (a * a + b * b) / (b * b - a * a);
    for (kind, div) in [
        (ElementKind::Hex20, [6, 12, 1]),
        (ElementKind::Tet10, [6, 12, 1]),
    ] {
        let mesh = tube_sector(a, b, std::f64::consts::FRAC_PI_2, 0.05, div, kind).unwrap();
        let set = |name: &str| mesh.set_nodes(name).unwrap();
        let model = StaticModel {
            mesh: &mesh,
            materials: Materials::uniform(material(200e9, 0.3), mesh.element_count()),
            constraints: vec![
                Constraint {
                    nodes: set("zmin"),
                    components: [None, None, Some(0.0)],
                },
                Constraint {
                    nodes: set("zmax"),
                    components: [None, None, Some(0.0)],
                },
                Constraint {
                    nodes: set("theta_start"),
                    components: [None, Some(0.0), None],
                },
                Constraint {
                    nodes: set("theta_end"),
                    components: [Some(0.0), None, None],
                },
            ],
        };
        let load = LoadCase {
            name: "pressure".into(),
            loads: vec![Load::Surface {
                faces: mesh.face_sets["inner"].clone(),
                load: SurfaceLoad::Pressure(p),
            }],
        };
        let r = &model.solve(&[load]).unwrap().load_cases[0];
        // On the plane y = 0 the radial direction is x and the hoop direction is y.
        let node = nearest_node(&mesh, Vector3::new(a, 0.0, 0.025));
        let s: Voigt = r.fields.nodal_stress[node];
        println!(
            "{kind:?}: σ_r = {:.4} MPa, σ_θ = {:.4} MPa (exact −10, {:.4})",
            s[0] / 1e6,
            s[1] / 1e6,
            hoop / 1e6
        );
        assert!((s[1] - hoop).abs() < 0.02 * hoop, "{kind:?} hoop {}", s[1]);
        assert!((s[0] + p).abs() < 0.02 * hoop, "{kind:?} radial {}", s[0]);
    }
}

/// NAFEMS LE10 thick plate under pressure (NAFEMS, The Standard NAFEMS Benchmarks,
/// 1990): target σ_yy at D = (2, 0, 0.6) is −5.38 MPa; tolerance 3 %. Mesh: the Gmsh
/// hex20 mesh in models/le10/le10.msh (binary MSH 4.1, from models/le10/le10.py).
#[test]
fn nafems_le10_sigma_yy_at_d() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("models/le10/le10.msh");
    let mesh = vproto::gmsh::read(&path).unwrap();
    mesh.check().unwrap();
    let set = |name: &str| mesh.set_nodes(name).unwrap();
    let model = StaticModel {
        mesh: &mesh,
        materials: Materials::uniform(material(210e9, 0.3), mesh.element_count()),
        constraints: vec![
            Constraint {
                nodes: set("DCD'C'"),
                components: [None, Some(0.0), None],
            },
            Constraint {
                nodes: set("ABA'B'"),
                components: [Some(0.0), None, None],
            },
            Constraint {
                nodes: set("BCB'C'"),
                components: [Some(0.0), Some(0.0), None],
            },
            Constraint {
                nodes: set("midplane"),
                components: [None, None, Some(0.0)],
            },
        ],
    };
    let load = LoadCase {
        name: "pressure".into(),
        loads: vec![Load::Surface {
            faces: mesh.face_sets["upper"].clone(),
            load: SurfaceLoad::Pressure(1e6),
        }],
    };
    let r = &model.solve(&[load]).unwrap().load_cases[0];
    let d = nearest_node(&mesh, Vector3::new(2.0, 0.0, 0.6));
    assert!((mesh.nodes[d] - Vector3::new(2.0, 0.0, 0.6)).norm() < 1e-9);
    let syy = r.fields.nodal_stress[d][1];
    println!("LE10 σ_yy at D = {:.4} MPa (target −5.38)", syy / 1e6);
    assert!((syy / 1e6 + 5.38).abs() < 0.03 * 5.38, "σ_yy at D = {syy}");
}

/// NAFEMS LE11 solid cylinder/taper/sphere under the temperature field
/// T = √(x² + y²) + z (NAFEMS, The Standard NAFEMS Benchmarks, 1990): E = 210 GPa,
/// ν = 0.3, α = 2.3e-4 /K, u_z = 0 on the bottom and top faces, quarter model with
/// symmetry planes. Target σ_zz at A = (1, 0, 0) is −105 MPa; tolerance 5 %. Mesh: the
/// Gmsh hex20 mesh in models/le11/le11.msh (from models/le11/le11.py).
#[test]
fn nafems_le11_sigma_zz_at_a() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("models/le11/le11.msh");
    let mesh = vproto::gmsh::read(&path).unwrap();
    mesh.check().unwrap();
    let set = |name: &str| mesh.set_nodes(name).unwrap();
    let mut materials = Materials::uniform(material(210e9, 0.3), mesh.element_count());
    materials.expansion = vec![2.3e-4];
    let model = StaticModel {
        mesh: &mesh,
        materials,
        constraints: vec![
            Constraint {
                nodes: set("bottom"),
                components: [None, None, Some(0.0)],
            },
            Constraint {
                nodes: set("top"),
                components: [None, None, Some(0.0)],
            },
            Constraint {
                nodes: set("symmetry_y"),
                components: [None, Some(0.0), None],
            },
            Constraint {
                nodes: set("symmetry_x"),
                components: [Some(0.0), None, None],
            },
        ],
    };
    let delta_t: Vec<f64> = mesh
        .nodes
        .iter()
        .map(|p| (p.x * p.x + p.y * p.y).sqrt() + p.z)
        .collect();
    let load = LoadCase {
        name: "temperature".into(),
        loads: vec![Load::Thermal { delta_t }],
    };
    let r = &model.solve(&[load]).unwrap().load_cases[0];
    let a = nearest_node(&mesh, Vector3::new(1.0, 0.0, 0.0));
    assert!((mesh.nodes[a] - Vector3::new(1.0, 0.0, 0.0)).norm() < 1e-9);
    let szz = r.fields.nodal_stress[a][2];
    println!("LE11 σ_zz at A = {:.3} MPa (target −105)", szz / 1e6);
    assert!(
        (szz / 1e6 + 105.0).abs() < 0.05 * 105.0,
        "σ_zz at A = {szz}"
    );
}
