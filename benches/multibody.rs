//! Andrews' squeezing mechanism (7 bodies, 10 revolute joints, index-3 DAE) to
//! t = 0.03 s with Radau IIA at two tolerances: wall time per run. The steps taken and
//! the error against the IVP test set's reference are printed once per tolerance.
//! `cargo bench --bench multibody`.

use criterion::{criterion_group, criterion_main, Criterion};
use std::time::Duration;
use vproto_solver::multibody::{simulate, MotionOptions};

#[path = "../tests/common/andrews.rs"]
mod andrews;

fn bench(c: &mut Criterion) {
    let mech = andrews::andrews();
    let mut g = c.benchmark_group("andrews");
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    for tolerance in [1e-9, 1e-10, 1e-11] {
        let options = MotionOptions {
            end_time: 0.03,
            output_step: 0.03,
            tolerance,
        };
        let sol = simulate(&mech, &options).unwrap();
        let q = andrews::angles(sol.samples.last().unwrap());
        let err = q
            .iter()
            .zip(andrews::Q_REF)
            .map(|(a, b)| ((a - b) / b.abs().max(0.1)).abs())
            .fold(0.0, f64::max);
        eprintln!(
            "andrews tol {tolerance:e}: {} steps ({} rejected), {} Jacobians, {} factorisations, max error {err:.2e} (relative, |q| ≥ 0.1)",
            sol.stats.accepted, sol.stats.rejected, sol.stats.jacobians, sol.stats.factorizations
        );
        g.bench_function(format!("to_0.03s/tol_{tolerance:e}"), |b| {
            b.iter(|| simulate(&mech, &options).unwrap())
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
