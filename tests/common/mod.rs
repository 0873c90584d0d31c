//! Helpers shared by the verification tests.
#![allow(dead_code)]

pub mod andrews;
pub mod cli;
pub mod deck;

use nalgebra::Vector3;
use vproto_solver::assembly::Materials;
use vproto_solver::element::Shape;
use vproto_solver::mesh::jacobian;
use vproto_solver::{
    with_shape, Constraint, Isotropic, LoadCase, Mesh, StaticModel, StaticResults,
};

pub fn material(e: f64, nu: f64) -> Isotropic {
    material_with_density(e, nu, 7800.0)
}

pub fn material_with_density(e: f64, nu: f64, density: f64) -> Isotropic {
    Isotropic {
        youngs_modulus: e,
        poisson_ratio: nu,
        density,
    }
}

/// Nodes on any face set of the mesh.
pub fn boundary_nodes(mesh: &Mesh) -> Vec<usize> {
    let mut nodes: Vec<usize> = mesh
        .face_sets
        .keys()
        .flat_map(|k| mesh.set_nodes(k).unwrap())
        .collect();
    nodes.sort_unstable();
    nodes.dedup();
    nodes
}

/// Solves with the displacement `exact` prescribed at every boundary node and no loads.
pub fn solve_dirichlet(
    mesh: &Mesh,
    m: Isotropic,
    exact: impl Fn(&Vector3<f64>) -> Vector3<f64>,
) -> StaticResults {
    let constraints = boundary_nodes(mesh)
        .into_iter()
        .map(|n| {
            let u = exact(&mesh.nodes[n]);
            Constraint {
                nodes: vec![n],
                components: [Some(u.x), Some(u.y), Some(u.z)],
            }
        })
        .collect();
    let model = StaticModel {
        mesh,
        materials: Materials::uniform(m, mesh.element_count()),
        constraints,
    };
    let mut s = model
        .solve(&[LoadCase {
            name: "dirichlet".into(),
            loads: vec![],
        }])
        .unwrap();
    s.load_cases.remove(0)
}

/// L2 norm of (u_h − exact) over the mesh, by each element's quadrature rule.
pub fn l2_error(
    mesh: &Mesh,
    u: &[f64],
    exact: impl Fn(&Vector3<f64>) -> Vector3<f64> + Sync,
) -> f64 {
    let mut sum = 0.0;
    for b in &mesh.blocks {
        with_shape!(b.kind, E, N, D => {
            let _ = D;
            for e in 0..b.len() {
                let nodes = b.element(e);
                let x = mesh.coords::<N>(nodes);
                let ue = nalgebra::SMatrix::<f64, N, 3>::from_fn(|a, c| u[3 * nodes[a] + c]);
                for (xi, w) in E::quadrature() {
                    let n = E::values(&(*xi).into());
                    let det = jacobian(&x, &E::gradients(&(*xi).into())).determinant();
                    let xq = x.transpose() * n;
                    let uh = ue.transpose() * n;
                    sum += w * det * (uh - exact(&xq)).norm_squared();
                }
            }
        });
    }
    sum.sqrt()
}

/// Least-squares slope of log(error) against log(h).
pub fn fitted_rate(h: &[f64], err: &[f64]) -> f64 {
    let x: Vec<f64> = h.iter().map(|v| v.ln()).collect();
    let y: Vec<f64> = err.iter().map(|v| v.ln()).collect();
    let n = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let sxy: f64 = x.iter().zip(&y).map(|(a, b)| (a - mx) * (b - my)).sum();
    let sxx: f64 = x.iter().map(|a| (a - mx).powi(2)).sum();
    sxy / sxx
}

/// Index of the node nearest to `p`.
pub fn nearest_node(mesh: &Mesh, p: Vector3<f64>) -> usize {
    (0..mesh.nodes.len())
        .min_by(|&a, &b| {
            (mesh.nodes[a] - p)
                .norm()
                .total_cmp(&(mesh.nodes[b] - p).norm())
        })
        .unwrap()
}

/// A small deterministic pseudo-random number in [-1, 1] for node `i`, axis `k`.
/// Modal assurance criterion of two shapes: 1 when parallel.
pub fn mac(a: &[f64], b: &[f64]) -> f64 {
    let dot = |p: &[f64], q: &[f64]| p.iter().zip(q).map(|(x, y)| x * y).sum::<f64>();
    dot(a, b).powi(2) / (dot(a, a) * dot(b, b))
}

pub fn jitter(i: usize, k: usize) -> f64 {
    let v = ((i * 3 + k) as f64 * 12.9898 + 78.233).sin() * 43758.5453;
    2.0 * (v - v.floor()) - 1.0
}

/// A dataset of a result file, read with the pure-Rust HDF5 reader: 1-D as a vector,
/// 2-D as a matrix of rows.
pub fn h5_1d(file: &hdf5_pure::File, path: &str) -> Vec<f64> {
    file.dataset(path).unwrap().read_f64().unwrap()
}

pub fn h5_2d(file: &hdf5_pure::File, path: &str) -> ndarray::Array2<f64> {
    let ds = file.dataset(path).unwrap();
    let shape = ds.shape().unwrap();
    let values = ds.read_f64().unwrap();
    ndarray::Array2::from_shape_vec((shape[0] as usize, shape[1] as usize), values).unwrap()
}

/// Whether a peer program the test compares with is here: `ccx` (CalculiX), `gmsh`,
/// `h5dump` (the reference HDF5 library), `vtk` (VTK's Python readers) or `pylife`
/// (Bosch's durability library). When one is
/// missing the caller skips that comparison, and this prints the skip (to the real
/// stderr, past the test harness's capture) with how to install it; with
/// `VPROTO_REQUIRE_PEERS=1` (as `.ci/run` sets) a missing peer fails the test instead.
pub fn peer(what: &str, test: &str) -> bool {
    use std::io::Write;
    let (found, install) = match what {
        "vtk" => (
            std::process::Command::new("python3")
                .args(["-c", "import vtk"])
                .output()
                .is_ok_and(|o| o.status.success()),
            "python3 -m pip install vtk",
        ),
        "pylife" => (
            std::process::Command::new("python3")
                .args(["-c", "import pylife.materiallaws.notch_approximation_law"])
                .output()
                .is_ok_and(|o| o.status.success()),
            "python3 -m pip install pylife",
        ),
        // Looked up on PATH, not run: `ccx --version` would write `--version.dat`.
        program => (
            std::env::var_os("PATH").is_some_and(|path| {
                std::env::split_paths(&path).any(|dir| dir.join(program).is_file())
            }),
            match program {
                "ccx" => "apt-get install calculix-ccx",
                "gmsh" => "python3 -m pip install gmsh",
                "h5dump" => "apt-get install hdf5-tools",
                _ => "see README, Verification",
            },
        ),
    };
    if !found {
        assert!(
            std::env::var_os("VPROTO_REQUIRE_PEERS").is_none(),
            "{test}: the peer `{what}` is required (VPROTO_REQUIRE_PEERS) but missing: {install}"
        );
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED {test}: comparison with `{what}` (not installed; enable with: {install})"
        );
    }
    found
}
