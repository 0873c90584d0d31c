//! First 10 natural frequencies of the structured cantilever (10 × 2 × 2 m, clamped at
//! x = 0, hex8, ~30k equations): assembly, factorisation and shift-invert Lanczos.
//! `cargo bench --bench modal`; the ~300k-equation size and the CalculiX comparison run
//! once with `cargo run --release --example ccx_compare -- hex8 130 26 26 modal`.

use criterion::{criterion_group, criterion_main, Criterion};
use std::time::Duration;
use vproto_solver::assembly::Materials;
use vproto_solver::generate::block;
use vproto_solver::modal::ModalOptions;
use vproto_solver::{Constraint, ElementKind, Isotropic, StaticModel};

fn bench(c: &mut Criterion) {
    let mesh = block([10.0, 2.0, 2.0], [60, 12, 12], ElementKind::Hex8).unwrap();
    let steel = Isotropic {
        youngs_modulus: 210e9,
        poisson_ratio: 0.3,
        density: 7850.0,
    };
    let model = StaticModel {
        mesh: &mesh,
        materials: Materials::uniform(steel, mesh.element_count()),
        constraints: vec![Constraint {
            nodes: mesh.set_nodes("xmin").unwrap(),
            components: [Some(0.0); 3],
        }],
    };
    let mut g = c.benchmark_group("modal");
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    g.bench_function("hex8/30k_eq/10_modes", |b| {
        b.iter(|| {
            model
                .modes(ModalOptions {
                    modes: 10,
                    shift_hz: None,
                    ..Default::default()
                })
                .unwrap()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
