//! Verification of the fatigue core on a finite-element model: the quasi-static
//! superposition it rests on, and a node's damage against a hand count.

mod common;

use common::*;
use nalgebra::Vector3;
use vproto_solver::assembly::Materials;
use vproto_solver::fatigue::rainflow::Residue;
use vproto_solver::fatigue::sn::{MeanStress, SnCurve, Strengths};
use vproto_solver::fatigue::{equivalent, nodal_damage, Equivalent, FatigueOptions, Material};
use vproto_solver::generate::block;
use vproto_solver::{Constraint, ElementKind, Load, LoadCase, StaticModel};

/// A steel cantilever 0.2 × 0.02 × 0.02 m (hex8 20 × 2 × 2) clamped at x = 0, with a
/// unit tip force in z (bending) and a unit tip force in x (tension) as the channels'
/// load cases. At three instants of a two-channel history, the stress of the combined
/// load solved on its own equals Σ c_k σ_k of the unit cases at every node to 1e-9;
/// and the damage at the clamped top edge is the hand count: the history is 4 in-phase
/// cycles of bending ±3 kN with a steady 20 kN pull, so the signed von Mises there is
/// constant amplitude (σ_b) about the mean σ_t, corrected by Goodman.
#[test]
fn superposition_of_unit_load_cases_and_a_hand_counted_life() {
    let mesh = block([0.2, 0.02, 0.02], [20, 2, 2], ElementKind::Hex8).unwrap();
    let model = StaticModel {
        mesh: &mesh,
        materials: Materials::uniform(material(210e9, 0.3), mesh.element_count()),
        constraints: vec![Constraint {
            nodes: mesh.set_nodes("xmin").unwrap(),
            components: [Some(0.0); 3],
        }],
    };
    let tip = mesh.set_nodes("xmax").unwrap();
    let per_node = 1.0 / tip.len() as f64;
    let case = |name: &str, fx: f64, fz: f64| LoadCase {
        name: name.into(),
        loads: vec![Load::NodalForce {
            nodes: tip.clone(),
            force: Vector3::new(fx, 0.0, fz) * per_node,
        }],
    };
    let units = model
        .solve(&[case("bend", 0.0, 1.0), case("pull", 1.0, 0.0)])
        .unwrap();
    let bend = &units.load_cases[0].fields.nodal_stress;
    let pull = &units.load_cases[1].fields.nodal_stress;
    for (c1, c2) in [(3e3, 20e3), (-3e3, 20e3), (1234.5, -987.0)] {
        let combined = model.solve(&[case("both", c2, c1)]).unwrap();
        let s = &combined.load_cases[0].fields.nodal_stress;
        let scale = s.iter().map(|v| v.amax()).fold(0.0, f64::max);
        for n in 0..mesh.nodes.len() {
            let sum = bend[n] * c1 + pull[n] * c2;
            assert!((sum - s[n]).amax() <= 1e-9 * scale, "node {n}");
        }
    }

    let curve = SnCurve {
        coefficient: 900e6,
        exponent: -0.09,
        endurance_limit: Some(150e6),
    };
    let strengths = Strengths {
        ultimate: 550e6,
        yield_strength: 355e6,
    };
    let bending: Vec<f64> = (0..=8)
        .map(|k| if k % 2 == 0 { 3e3 } else { -3e3 })
        .collect();
    let options = FatigueOptions {
        histories: vec![bending, vec![20e3; 9]],
        equivalent: Equivalent::SignedVonMises,
        mean_stress: MeanStress::Goodman,
        residue: Residue::HalfCycles,
        stress_factor: 1.0,
    };
    let material = Material { curve, strengths };
    let d = nodal_damage(&[bend, pull], &vec![material; mesh.nodes.len()], &options).unwrap();
    let top = nearest_node(&mesh, Vector3::new(0.0, 0.01, 0.02));
    // By hand: the two extreme stresses at the node, their amplitude and mean.
    let hi = equivalent(
        &(bend[top] * 3e3 + pull[top] * 20e3),
        Equivalent::SignedVonMises,
    );
    let lo = equivalent(
        &(bend[top] * -3e3 + pull[top] * 20e3),
        Equivalent::SignedVonMises,
    );
    let (a, m) = ((hi - lo).abs() / 2.0, (hi + lo) / 2.0);
    let sar = a / (1.0 - m / 550e6);
    let n = 0.5 * (sar / 900e6).powf(1.0 / -0.09);
    println!(
        "top edge: σ_eq {:.1} / {:.1} MPa, σ_ar {:.1} MPa, N = {n:.4e}, damage {:.4e} (hand {:.4e}); {} of {} nodes screened out",
        hi / 1e6,
        lo / 1e6,
        sar / 1e6,
        d.damage[top],
        4.0 / n,
        d.screened,
        mesh.nodes.len()
    );
    assert!(sar > 150e6, "the hand case should damage");
    assert!((d.damage[top] / (4.0 / n) - 1.0).abs() < 1e-9);
    assert!(d.screened > 0 && d.screened < mesh.nodes.len());
}
