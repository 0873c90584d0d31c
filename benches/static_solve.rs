//! Assembly, factorisation and solve of a structured cantilever (10 × 2 × 2 m, clamped
//! at x = 0) with hex8 and tet10 elements at ~30k and ~300k equations.
//! `cargo bench --bench static_solve`; the ~1M-equation size is timed once with
//! `cargo run --release --example scale -- hex8 195 39 39` (criterion needs ≥ 10 samples).

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use faer::Mat;
use std::time::Duration;
use vproto_solver::assembly::{assemble_stiffness, matrix, stiffness_pattern, Materials};
use vproto_solver::dofs::DofMap;
use vproto_solver::generate::block;
use vproto_solver::linsolve::{Cholesky, SymbolicFactor};
use vproto_solver::mesh::NodeGraph;
use vproto_solver::ordering::{equation_order, nested_dissection};
use vproto_solver::{ElementKind, Isotropic, Mesh};

struct Problem {
    mesh: Mesh,
    materials: Materials,
    dofs: DofMap,
}

fn problem(kind: ElementKind, div: [usize; 3]) -> Problem {
    let mesh = block([10.0, 2.0, 2.0], div, kind).unwrap();
    let steel = Isotropic {
        youngs_modulus: 210e9,
        poisson_ratio: 0.3,
        density: 7850.0,
    };
    let materials = Materials::uniform(steel, mesh.element_count());
    let mut fixed = vec![false; 3 * mesh.nodes.len()];
    for n in mesh.set_nodes("xmin").unwrap() {
        fixed[3 * n..3 * n + 3].fill(true);
    }
    Problem {
        dofs: DofMap::new(&fixed),
        mesh,
        materials,
    }
}

fn bench(c: &mut Criterion) {
    let sizes = [
        ("hex8", ElementKind::Hex8, [60, 12, 12]),
        ("tet10", ElementKind::Tet10, [30, 6, 6]),
        ("hex8", ElementKind::Hex8, [130, 26, 26]),
        ("tet10", ElementKind::Tet10, [65, 13, 13]),
    ];
    let mut g = c.benchmark_group("static");
    g.sample_size(10).measurement_time(Duration::from_secs(5));
    for (name, kind, div) in sizes {
        let p = problem(kind, div);
        let id = format!("{name}/{}k_eq", p.dofs.free_count() / 1000);
        let graph = NodeGraph::new(&p.mesh);
        let pattern = stiffness_pattern(&graph, &p.dofs);
        g.bench_function(BenchmarkId::new("assembly", &id), |b| {
            b.iter(|| {
                let graph = NodeGraph::new(&p.mesh);
                let pattern = stiffness_pattern(&graph, &p.dofs);
                assemble_stiffness(&p.mesh, &p.materials, &p.dofs, &pattern).unwrap()
            })
        });
        let values = assemble_stiffness(&p.mesh, &p.materials, &p.dofs, &pattern).unwrap();
        let order = equation_order(&nested_dissection(&graph).unwrap(), &p.dofs);
        g.bench_function(BenchmarkId::new("ordering+symbolic", &id), |b| {
            b.iter(|| {
                SymbolicFactor::analyse(
                    &pattern,
                    Some(&equation_order(
                        &nested_dissection(&graph).unwrap(),
                        &p.dofs,
                    )),
                )
                .unwrap()
            })
        });
        let symbolic = SymbolicFactor::analyse(&pattern, Some(&order)).unwrap();
        g.bench_function(BenchmarkId::new("numeric_factor", &id), |b| {
            b.iter(|| Cholesky::<f64>::factor(&symbolic, matrix(&pattern, &values)).unwrap())
        });
        let single: Vec<f32> = values.iter().map(|&v| v as f32).collect();
        g.bench_function(BenchmarkId::new("numeric_factor_f32", &id), |b| {
            b.iter(|| {
                Cholesky::<f32>::factor(
                    &symbolic,
                    faer::sparse::SparseColMatRef::new(pattern.as_ref(), &single),
                )
                .unwrap()
            })
        });
        let chol = Cholesky::<f64>::factor(&symbolic, matrix(&pattern, &values)).unwrap();
        g.bench_function(BenchmarkId::new("solve_1_rhs_faer_sequential", &id), |b| {
            b.iter(|| {
                let mut x = Mat::<f64>::from_fn(p.dofs.free_count(), 1, |i, _| (i % 7) as f64);
                chol.solve_sequential(x.as_mut());
                x
            })
        });
        for rhs in [1usize, 8] {
            g.bench_function(BenchmarkId::new(format!("solve_{rhs}_rhs"), &id), |b| {
                b.iter(|| {
                    let mut x =
                        Mat::<f64>::from_fn(p.dofs.free_count(), rhs, |i, j| ((i + j) % 7) as f64);
                    chol.solve_in_place(x.as_mut());
                    x
                })
            });
        }
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
