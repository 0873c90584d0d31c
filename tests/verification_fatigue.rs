//! Verification of the fatigue core on a finite-element model: the quasi-static
//! superposition it rests on, and a node's damage against a hand count.

mod common;

use common::*;
use nalgebra::Vector3;
use vproto_solver::assembly::Materials;
use vproto_solver::fatigue::rainflow::Residue;
use vproto_solver::fatigue::sn::{MeanStress, SnCurve, Strengths};
use vproto_solver::fatigue::strain_life::{LocalStrain, Notch, StrainLife, StrainMean};
use vproto_solver::fatigue::{equivalent, nodal_damage, Equivalent, FatigueOptions, Material};
use vproto_solver::generate::block;
use vproto_solver::material::Voigt;
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
        strain_life: None,
    };
    let material = Material {
        curve,
        strengths,
        strain_life: None,
    };
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

/// The Uniform Material Law's steel for S_u = 470 MPa (the library's S355 strain-life
/// constants, with its Man-Ten σ'_f and b).
const S355: StrainLife = StrainLife {
    modulus: 210e9,
    strength_coefficient: 1089e6,
    strength_exponent: -0.115,
    ductility_coefficient: 0.59,
    ductility_exponent: -0.58,
    cyclic_coefficient: 775.5e6,
    cyclic_exponent: 0.15,
};

/// pyLife 2.x (Bosch's open-source durability library) as the peer for strain-life:
/// its Neuber rule (`ExtendedNeuber` with a shape factor K_p → ∞, which is Neuber's
/// classical σε = L²/E) gives the first peak on the primary branch and the loop on the
/// secondary (Masing) branch; scipy's brentq solves the strain-life curve (SWT and
/// Morrow) for the life. Two one-node uniaxial histories that yield at the notch:
/// fully reversed ±500 MPa and pulsating 0 → 700 MPa (elastic stress). vproto's
/// damage of 10 cycles (`nodal_damage`, strain-life, Neuber) agrees to 1e-9 (2e-14
/// seen).
#[test]
fn strain_life_with_neuber_against_pylife() {
    if !peer("pylife", "strain_life_with_neuber_against_pylife") {
        return;
    }
    let m = S355;
    let script = format!(
        r#"
import numpy as np
from scipy.optimize import brentq
from pylife.materiallaws.notch_approximation_law import ExtendedNeuber
E, K, n = {e}, {k}, {n}
sf, b, ef, c = {sf}, {b}, {ef}, {c}
law = ExtendedNeuber(E, K, n, 1e12)
def local(top, bottom):
    smax = float(law.stress(np.array([top]), rtol=1e-14, tol=1e-6)[0])
    ds = float(law.stress_secondary_branch(np.array([top - bottom]), rtol=1e-14, tol=1e-6)[0])
    de = float(law.strain_secondary_branch(np.array([ds])) [0])
    return smax, ds, de
for top, bottom in [(500e6, -500e6), (700e6, 0.0)]:
    smax, ds, de = local(top, bottom)
    ea, sm = de / 2, smax - ds / 2
    swt = lambda x: sf**2 / E * x**(2*b) + sf * ef * x**(b + c) - smax * ea
    morrow = lambda x: (sf - sm) / E * x**b + ef * x**c - ea
    print(2 * 10 / brentq(swt, 1, 1e20, rtol=1e-15), 2 * 10 / brentq(morrow, 1, 1e20, rtol=1e-15))
"#,
        e = m.modulus,
        k = m.cyclic_coefficient,
        n = m.cyclic_exponent,
        sf = m.strength_coefficient,
        b = m.strength_exponent,
        ef = m.ductility_coefficient,
        c = m.ductility_exponent,
    );
    let out = std::process::Command::new("python3")
        .args(["-c", &script])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let peer: Vec<f64> = String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .map(|v| v.parse().unwrap())
        .collect();
    let unit = [Voigt::from_row_slice(&[1e6, 0.0, 0.0, 0.0, 0.0, 0.0])];
    let material = Material {
        curve: SnCurve {
            coefficient: m.strength_coefficient,
            exponent: m.strength_exponent,
            endurance_limit: None,
        },
        strengths: Strengths {
            ultimate: 470e6,
            yield_strength: 355e6,
        },
        strain_life: Some(m),
    };
    let history = |top: f64, bottom: f64| -> Vec<f64> {
        (0..=20)
            .map(|k| if k % 2 == 0 { top } else { bottom })
            .collect()
    };
    let mut ours = Vec::new();
    for (top, bottom) in [(500.0, -500.0), (700.0, 0.0)] {
        for mean in [StrainMean::SmithWatsonTopper, StrainMean::Morrow] {
            let options = FatigueOptions {
                histories: vec![history(top, bottom)],
                equivalent: Equivalent::MaxPrincipal,
                mean_stress: MeanStress::None,
                residue: Residue::Repeated,
                stress_factor: 1.0,
                strain_life: Some(LocalStrain {
                    notch: Notch::Neuber,
                    mean,
                }),
            };
            ours.push(
                nodal_damage(&[&unit], &[material], &options)
                    .unwrap()
                    .damage[0],
            );
        }
    }
    println!("damage of 10 cycles, vproto {ours:?}, pyLife {peer:?}");
    assert_eq!(peer.len(), 4);
    for (a, b) in ours.iter().zip(&peer) {
        assert!((a / b - 1.0).abs() < 1e-9, "{a} vs {b}");
    }
}
