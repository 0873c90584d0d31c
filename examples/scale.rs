//! One-shot timing of a structured cantilever solve at a chosen size, with peak memory:
//! `cargo run --release --example scale -- hex8 120 24 24 [double|mixed|iterative]`. Used for the sizes too large
//! for criterion's repeated sampling; `benches/static_solve.rs` covers the rest.

use nalgebra::Vector3;
use std::time::Instant;
use vproto_solver::assembly::Materials;
use vproto_solver::generate::block;
use vproto_solver::loads::SurfaceLoad;
use vproto_solver::statics::Method;
use vproto_solver::{
    Constraint, ElementKind, Isotropic, Load, LoadCase, Precision, SolverOptions, StaticModel,
};

fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let kind = ElementKind::from_name(args.first().map_or("hex8", String::as_str))
        .expect("element: tet4|tet10|hex8|hex20");
    let div: Vec<usize> = args[1..4]
        .iter()
        .map(|a| a.parse().expect("divisions"))
        .collect();
    let precision = match args.get(4).map(String::as_str) {
        Some("mixed") => Precision::Mixed,
        Some("double") => Precision::Double,
        _ => Precision::Auto,
    };
    let method = match args.get(4).map(String::as_str) {
        Some("iterative") => Method::Iterative,
        Some("mixed" | "double") => Method::Direct,
        _ => Method::Auto,
    };
    let div = [div[0], div[1], div[2]];
    let t = Instant::now();
    let mesh = block([10.0, 2.0, 2.0], div, kind).unwrap();
    let mesh_s = t.elapsed().as_secs_f64();
    let model = StaticModel {
        mesh: &mesh,
        materials: Materials::uniform(
            Isotropic {
                youngs_modulus: 210e9,
                poisson_ratio: 0.3,
                density: 7850.0,
            },
            mesh.element_count(),
        ),
        constraints: vec![Constraint {
            nodes: mesh.set_nodes("xmin").unwrap(),
            components: [Some(0.0); 3],
        }],
    };
    let case = LoadCase {
        name: "tip".into(),
        loads: vec![Load::Surface {
            faces: mesh.face_sets["xmax"].clone(),
            load: SurfaceLoad::Traction(Vector3::new(0.0, 0.0, -1e6)),
        }],
    };
    let t = Instant::now();
    let s = model
        .solve_with(&[case], SolverOptions { precision, method })
        .unwrap();
    let total = t.elapsed().as_secs_f64();
    let st = &s.stats;
    println!(
        "{} {:?}: {} nodes, {} equations, K nnz {} (upper), L nnz {}, {} precision ({} iterations)\n  mesh {:.2} s, assembly {:.2} s, factor {:.2} s, solve {:.2} s, recovery {:.2} s, total solve {:.2} s, peak RSS {:.0} MiB",
        kind.name(), div, mesh.nodes.len(), st.equations, st.matrix_nnz, st.factor_nnz, st.precision, st.iterations,
        mesh_s, st.assembly_seconds, st.factor_seconds, st.solve_seconds, st.recovery_seconds, total, peak_rss_mib()
    );
}
