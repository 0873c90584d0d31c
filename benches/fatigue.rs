//! Nodal fatigue damage from load histories: 10 000 nodes, 3 channels × 10 000 samples
//! (10⁸ node-samples), signed von Mises and the largest principal stress, with half the
//! nodes stressed below the endurance limit (screened out) — the throughput in
//! node-samples a second scales to the 100k nodes × 10⁵ samples.
//! `cargo bench --bench fatigue`.

use criterion::{criterion_group, criterion_main, Criterion};
use std::time::Duration;
use vproto_solver::fatigue::rainflow::Residue;
use vproto_solver::fatigue::sn::{MeanStress, SnCurve, Strengths};
use vproto_solver::fatigue::strain_life::{LocalStrain, StrainLife};
use vproto_solver::fatigue::{nodal_damage, Equivalent, FatigueOptions, Material};
use vproto_solver::material::Voigt;

/// A fixed pseudo-random sequence in [−1, 1).
fn noise(seed: u64) -> impl FnMut() -> f64 {
    let mut x = seed;
    move || {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (x >> 11) as f64 / (1u64 << 52) as f64 - 1.0
    }
}

fn bench(c: &mut Criterion) {
    let (nodes, samples) = (10_000, 10_000);
    let mut r = noise(7);
    let unit: Vec<Vec<Voigt>> = (0..3)
        .map(|_| {
            (0..nodes)
                .map(|n| {
                    // Half the nodes carry a thousandth of the stress: below the limit.
                    let scale = if n % 2 == 0 { 1e5 } else { 1e2 };
                    Voigt::from_fn(|_, _| scale * r())
                })
                .collect()
        })
        .collect();
    let histories: Vec<Vec<f64>> = (0..3)
        .map(|_| (0..samples).map(|_| 1e3 * r()).collect())
        .collect();
    let material = Material {
        curve: SnCurve {
            coefficient: 1089e6,
            exponent: -0.115,
            endurance_limit: Some(150e6),
        },
        strengths: Strengths {
            ultimate: 557e6,
            yield_strength: 322e6,
        },
        strain_life: None,
    };
    let materials = vec![material; nodes];
    let refs: Vec<&[Voigt]> = unit.iter().map(Vec::as_slice).collect();
    let mut g = c.benchmark_group("fatigue");
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    for (name, equivalent) in [
        ("signed_von_mises", Equivalent::SignedVonMises),
        ("max_principal", Equivalent::MaxPrincipal),
    ] {
        let options = FatigueOptions {
            histories: histories.clone(),
            equivalent,
            mean_stress: MeanStress::Goodman,
            residue: Residue::Repeated,
            stress_factor: 1.0,
            strain_life: None,
        };
        let d = nodal_damage(&refs, &materials, &options).unwrap();
        eprintln!("{name}: {} of {nodes} nodes screened out", d.screened);
        g.bench_function(format!("{name}/10k_nodes_3x10k_samples"), |b| {
            b.iter(|| nodal_damage(&refs, &materials, &options).unwrap())
        });
    }
    // Strain-life (Neuber, SWT) on the Uniform Material Law's steel: every node counted
    // (no endurance limit), a notch solve per reversal and a life solve per loop.
    let strain = Material {
        strain_life: Some(StrainLife {
            modulus: 210e9,
            strength_coefficient: 1089e6,
            strength_exponent: -0.115,
            ductility_coefficient: 0.59,
            ductility_exponent: -0.58,
            cyclic_coefficient: 775.5e6,
            cyclic_exponent: 0.15,
        }),
        ..material
    };
    let strains = vec![strain; nodes];
    let options = FatigueOptions {
        histories: histories.clone(),
        equivalent: Equivalent::SignedVonMises,
        mean_stress: MeanStress::None,
        residue: Residue::Repeated,
        stress_factor: 1.0,
        strain_life: Some(LocalStrain::default()),
    };
    g.bench_function("strain_life/10k_nodes_3x10k_samples", |b| {
        b.iter(|| nodal_damage(&refs, &strains, &options).unwrap())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
