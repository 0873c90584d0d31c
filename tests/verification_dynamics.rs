//! Verification of the forced-vibration analyses against NAFEMS R0016 (Selected
//! Benchmarks for Forced Vibration, 1989), Test 5: the deep simply supported beam.

mod common;

use common::*;
use nalgebra::Vector3;
use vproto_solver::assembly::Materials;
use vproto_solver::generate::block;
use vproto_solver::harmonic::{frequency_points, Damping, HarmonicOptions, Spacing};
use vproto_solver::mesh::Mesh;
use vproto_solver::modal::ModalOptions;
use vproto_solver::{Constraint, ElementKind, Load, LoadCase, StaticModel};

/// NAFEMS Test 5 as a solid: 10 m long (x), 2 m × 2 m, steel E = 200 GPa, ν = 0.3,
/// ρ = 8000 kg/m³, hex20 20 × 4 × 4. Simple supports on the line of the end faces at
/// mid-height (u_y = 0 across the width, which also stops twisting), u_z = 0 at the
/// centre of both ends, u_x = 0 at the centre of end A. The 1 MN/m load acts along
/// the axis: a body load of 1e6 / (ρ A) = 31.25 m/s² in y.
fn beam() -> (Mesh, Vec<Constraint>) {
    let mesh = block([10.0, 2.0, 2.0], [20, 4, 4], ElementKind::Hex20).unwrap();
    let at = |x: f64, centre_only: bool| -> Vec<usize> {
        (0..mesh.nodes.len())
            .filter(|&n| {
                let p = mesh.nodes[n];
                (p.x - x).abs() < 1e-9
                    && (p.y - 1.0).abs() < 1e-9
                    && (!centre_only || (p.z - 1.0).abs() < 1e-9)
            })
            .collect()
    };
    let constraints = vec![
        Constraint {
            nodes: at(0.0, false),
            components: [None, Some(0.0), None],
        },
        Constraint {
            nodes: at(10.0, false),
            components: [None, Some(0.0), None],
        },
        Constraint {
            nodes: at(0.0, true),
            components: [Some(0.0), Some(0.0), Some(0.0)],
        },
        Constraint {
            nodes: at(10.0, true),
            components: [None, Some(0.0), Some(0.0)],
        },
    ];
    (mesh, constraints)
}

/// The direct harmonic method (a complex solve at each frequency, no modes) checks the
/// modal one on Test 5H's beam with Rayleigh damping β = 2ζ/ω₁ (2 % at the first mode):
/// the envelope's peak mid-span displacement and extreme-fibre stress, at points across
/// the first resonance, agree to 0.2 % with 16 modes and the static correction; without
/// the correction the modes alone read lower at the band's low end.
#[test]
fn direct_harmonic_method_checks_the_modal_one() {
    use vproto_solver::harmonic::direct::DirectOptions;
    let (mesh, constraints) = beam();
    let (model, case) = beam_model(&mesh, constraints, "5H");
    let modes = model
        .modes(ModalOptions {
            modes: 16,
            ..Default::default()
        })
        .unwrap();
    // The first bending mode in y, the one the load drives.
    let f1 = modes
        .modes
        .iter()
        .max_by(|a, b| {
            a.participation[1]
                .abs()
                .total_cmp(&b.participation[1].abs())
        })
        .unwrap()
        .frequency;
    let damping = Damping {
        beta: 2.0 * 0.02 / (2.0 * std::f64::consts::PI * f1),
        ..Default::default()
    };
    let frequencies: Vec<f64> = (0..=8)
        .map(|k| f1 * (0.96 + 0.01 * k as f64))
        .chain([5.0])
        .collect();
    let mid = nearest_node(&mesh, Vector3::new(5.0, 1.0, 1.0));
    let top = nearest_node(&mesh, Vector3::new(5.0, 2.0, 1.0));
    let direct = model
        .harmonic_direct(
            &case,
            &DirectOptions {
                frequencies: frequencies.clone(),
                damping: damping.clone(),
                base_acceleration: [0.0; 3],
                points: vec![vec![(mid, 1.0)]],
            },
        )
        .unwrap();
    let stat = model.solve(std::slice::from_ref(&case)).unwrap();
    let modal = |static_correction: bool| {
        model
            .harmonic(
                &modes,
                &case,
                &stat.load_cases[0],
                &HarmonicOptions {
                    frequencies: frequencies.clone(),
                    damping: model.modal_damping(&modes, &damping).unwrap(),
                    base_acceleration: [0.0; 3],
                    static_correction,
                },
            )
            .unwrap()
    };
    let (with, without) = (modal(true), modal(false));
    let u = |e: &vproto_solver::harmonic::Envelope| e.displacement[3 * mid + 1];
    let s = |e: &vproto_solver::harmonic::Envelope| e.von_mises[top];
    let low = frequencies.len() - 1;
    let at_5hz = |e: &vproto_solver::harmonic::Envelope| e.peak_displacement[low];
    println!(
        "direct vs modal: peak u_y {:.4} / {:.4} mm, von Mises {:.2} / {:.2} MPa; at 5 Hz |u| {:.4e} / {:.4e} (modes alone {:.4e}) m",
        u(&direct.envelope) * 1e3,
        u(&with.envelope) * 1e3,
        s(&direct.envelope) / 1e6,
        s(&with.envelope) / 1e6,
        at_5hz(&direct.envelope),
        at_5hz(&with.envelope),
        at_5hz(&without.envelope)
    );
    assert!((u(&with.envelope) / u(&direct.envelope) - 1.0).abs() < 2e-3);
    assert!((s(&with.envelope) / s(&direct.envelope) - 1.0).abs() < 2e-3);
    assert!((at_5hz(&with.envelope) / at_5hz(&direct.envelope) - 1.0).abs() < 2e-3);
    // The point response is the envelope's at its peak frequency.
    let peak = direct.points[0][1]
        .iter()
        .map(|z| z.norm())
        .fold(0.0, f64::max);
    assert!((peak / u(&direct.envelope) - 1.0).abs() < 1e-12);
}

/// Loss factors per material (`*DAMPING, STRUCTURAL=`): Test 5H's beam with the half
/// x < 5 m at η = 0.06 and the other half at η = 0.01. The first bending mode is
/// symmetric about mid-span, so half its strain energy lies in each half and its modal
/// loss factor is exactly their mean, 0.035; the same η in both materials is the
/// uniform loss factor to round-off. The modal method keeps the modes' coupling through
/// the hysteretic stiffness but not the coupling to the modes it leaves out, which a
/// loss factor that jumps at mid-span makes converge slowly: against the direct complex
/// solve across the first resonance, the peaks agree to 0.2 % and each frequency to
/// 0.5 % with 16 modes (0.3 % measured), closer with 32.
#[test]
fn material_loss_factors_by_modes_and_direct() {
    use vproto_solver::harmonic::direct::DirectOptions;
    use vproto_solver::harmonic::Envelope;
    let (mesh, constraints) = beam();
    let (mut model, case) = beam_model(&mesh, constraints, "5H");
    let steel = model.materials.materials[0].clone();
    model.materials = Materials {
        materials: vec![steel.clone(), steel],
        expansion: vec![0.0, 0.0],
        of_element: (0..mesh.element_count())
            .map(|e| {
                let nodes = mesh.element(e).1;
                let x = nodes.iter().map(|&n| mesh.nodes[n].x).sum::<f64>() / nodes.len() as f64;
                usize::from(x > 5.0)
            })
            .collect(),
    };
    let many = model
        .modes(ModalOptions {
            modes: 32,
            ..Default::default()
        })
        .unwrap();
    let mut modes = many.clone();
    modes.modes.truncate(16);
    let first = (0..modes.modes.len())
        .max_by(|&a, &b| {
            let p = |r: usize| modes.modes[r].participation[1].abs();
            p(a).total_cmp(&p(b))
        })
        .unwrap();
    let f1 = modes.modes[first].frequency;
    let two = Damping {
        material_loss: vec![0.06, 0.01],
        ..Default::default()
    };
    let md = model.modal_damping(&modes, &two).unwrap();
    println!(
        "first bending mode {f1:.3} Hz: modal loss factor {:.6}",
        md.loss[first]
    );
    assert!(md.coupled());
    assert!((md.loss[first] - 0.035).abs() < 1e-6);
    assert!(md
        .loss
        .iter()
        .all(|&e| (0.01 - 1e-9..=0.06 + 1e-9).contains(&e)));

    let frequencies: Vec<f64> = (0..=8)
        .map(|k| f1 * (0.96 + 0.01 * k as f64))
        .chain([5.0])
        .collect();
    let stat = model.solve(std::slice::from_ref(&case)).unwrap();
    let modal = |modes: &vproto_solver::modal::ModalSolution, d: &Damping| {
        model
            .harmonic(
                modes,
                &case,
                &stat.load_cases[0],
                &HarmonicOptions {
                    frequencies: frequencies.clone(),
                    damping: model.modal_damping(modes, d).unwrap(),
                    base_acceleration: [0.0; 3],
                    static_correction: true,
                },
            )
            .unwrap()
            .envelope
    };
    let same = modal(
        &modes,
        &Damping {
            material_loss: vec![0.04, 0.04],
            ..Default::default()
        },
    );
    let uniform = modal(
        &modes,
        &Damping {
            loss_factor: 0.04,
            ..Default::default()
        },
    );
    for (a, b) in same.von_mises.iter().zip(&uniform.von_mises) {
        assert!((a - b).abs() <= 1e-12 * b.abs().max(1.0));
    }
    let direct = model
        .harmonic_direct(
            &case,
            &DirectOptions {
                frequencies: frequencies.clone(),
                damping: two.clone(),
                base_acceleration: [0.0; 3],
                points: Vec::new(),
            },
        )
        .unwrap()
        .envelope;
    let (coupled, finer) = (modal(&modes, &two), modal(&many, &two));
    let mid = nearest_node(&mesh, Vector3::new(5.0, 1.0, 1.0));
    let top = nearest_node(&mesh, Vector3::new(5.0, 2.0, 1.0));
    let u = |e: &Envelope| e.displacement[3 * mid + 1];
    let s = |e: &Envelope| e.von_mises[top];
    println!(
        "two loss factors: peak u_y {:.4} / {:.4} mm, von Mises {:.2} / {:.2} MPa (direct / modal)",
        u(&direct) * 1e3,
        u(&coupled) * 1e3,
        s(&direct) / 1e6,
        s(&coupled) / 1e6
    );
    assert!((u(&coupled) / u(&direct) - 1.0).abs() < 2e-3);
    assert!((s(&coupled) / s(&direct) - 1.0).abs() < 2e-3);
    let error =
        |e: &Envelope, k: usize| (e.peak_displacement[k] / direct.peak_displacement[k] - 1.0).abs();
    let worst = |e: &Envelope| {
        (0..frequencies.len())
            .map(|k| error(e, k))
            .fold(0.0, f64::max)
    };
    println!(
        "largest difference at a frequency: {:.2e} with 16 modes, {:.2e} with 32",
        worst(&coupled),
        worst(&finer)
    );
    assert!(worst(&coupled) < 5e-3);
    assert!(worst(&finer) < 0.7 * worst(&coupled));
}

/// Test 5H: harmonic load of 1 MN/m, 2 % modal damping, 0–100 Hz (16 modes, as the
/// reference). Targets: peak mid-span displacement 13.45 mm and extreme-fibre bending
/// stress 241.9 MPa at 42.65 Hz (beam theory). The solid converges to a slightly softer
/// beam (20 × 4 × 4: 42.27 Hz, 13.73 mm, 246.4 MPa; 40 × 8 × 8: 42.08 Hz, 13.87 mm,
/// 247.1 MPa), so the coarse mesh is held to 2 % in frequency and 3 % in the peaks; the
/// dynamic amplification itself — peak over static mid-span deflection, 13.45 / 0.538 =
/// 25.0 in the reference, 1/2ζ for a dominant mode — to 1 %.
#[test]
fn nafems_test_5h_deep_beam_harmonic_peaks() {
    let (mesh, constraints) = beam();
    let (model, case) = beam_model(&mesh, constraints, "5H");
    let modes = model
        .modes(ModalOptions {
            modes: 16,
            ..Default::default()
        })
        .unwrap();
    let stat = model.solve(std::slice::from_ref(&case)).unwrap();
    let damping = Damping {
        modal: vec![(0.0, 0.02)],
        ..Default::default()
    };
    let resonances: Vec<(f64, f64)> = modes.modes.iter().map(|m| (m.frequency, 0.02)).collect();
    let options = HarmonicOptions {
        frequencies: frequency_points((1.0, 100.0), 100, Spacing::Linear, &resonances, 10),
        damping: model.modal_damping(&modes, &damping).unwrap(),
        base_acceleration: [0.0; 3],
        static_correction: true,
    };
    let h = model
        .harmonic(&modes, &case, &stat.load_cases[0], &options)
        .unwrap();
    let mid = nearest_node(&mesh, Vector3::new(5.0, 1.0, 1.0));
    let top = nearest_node(&mesh, Vector3::new(5.0, 2.0, 1.0));
    let per_column = |f: &dyn Fn(usize) -> f64| -> Vec<f64> {
        (0..h.sweep.modes.len())
            .map(f)
            .chain([f(usize::MAX)])
            .collect()
    };
    let uy = h.sweep.response(&per_column(&|c| match c {
        usize::MAX => h.sweep.residual_displacement[3 * mid + 1],
        c => modes.modes[h.sweep.modes[c]].shape[3 * mid + 1],
    }));
    let (k, peak) = uy
        .iter()
        .enumerate()
        .map(|(k, u)| (k, u.norm()))
        .fold((0, 0.0), |a, b| if b.1 > a.1 { b } else { a });
    let f_peak = h.sweep.frequencies[k];
    let sigma = h.envelope.von_mises[top];
    println!(
        "5H: peak u_y {:.3} mm at {f_peak:.2} Hz (13.45 mm at 42.65 Hz); extreme-fibre von Mises {:.1} MPa (241.9)",
        peak * 1e3,
        sigma / 1e6
    );
    let static_mid = stat.load_cases[0].displacement[3 * mid + 1].abs();
    println!(
        "5H: static mid-span {:.4} mm (0.538), amplification {:.2} (25.0)",
        static_mid * 1e3,
        peak / static_mid
    );
    assert!((peak / static_mid / 25.0 - 1.0).abs() < 0.01);
    assert!((f_peak / 42.65 - 1.0).abs() < 0.02, "{f_peak}");
    assert!((peak * 1e3 / 13.45 - 1.0).abs() < 0.03, "{peak}");
    assert!((sigma / 1e6 / 241.9 - 1.0).abs() < 0.03, "{sigma}");
    // The envelope's displacement at mid-span is the same peak.
    assert!((h.envelope.displacement[3 * mid + 1] / peak - 1.0).abs() < 1e-9);
}

/// Test 5R: the same beam under a white-noise PSD of the same load, 1 (MN/m)²/Hz over
/// 0–1000 Hz, 2 % damping. Targets: peak mid-span displacement PSD 180.90 mm²/Hz and
/// peak extreme-fibre bending stress PSD 58 516 (N/mm²)²/Hz at 42.65 Hz — the squares of
/// 5H's peaks; held to 7 % (twice 5H's 3 %: the solid's beam is slightly softer). The
/// RMS von Mises stress from the modal cross-spectra equals the frequency-by-frequency
/// integral of the components' quadratic form to 1e-9.
#[test]
fn nafems_test_5r_deep_beam_random_psd_peaks() {
    use vproto_solver::harmonic::von_mises_form;
    use vproto_solver::random::{Psd, RandomOptions};
    let (mesh, constraints) = beam();
    let (model, case) = beam_model(&mesh, constraints, "5R");
    let modes = model
        .modes(ModalOptions {
            modes: 30,
            ..Default::default()
        })
        .unwrap();
    let stat = model.solve(std::slice::from_ref(&case)).unwrap();
    let r = model
        .random(
            &modes,
            &case,
            &stat.load_cases[0],
            &RandomOptions {
                psd: Psd::new(vec![(0.1, 1.0), (1000.0, 1.0)]).unwrap(),
                damping: ratio(&model, &modes, 0.02),
                base_acceleration: [0.0; 3],
                points: 1000,
            },
        )
        .unwrap();
    let sw = &r.sweep;
    let mid = nearest_node(&mesh, Vector3::new(5.0, 1.0, 1.0));
    let top = nearest_node(&mesh, Vector3::new(5.0, 2.0, 1.0));
    let columns = |f: &dyn Fn(usize) -> f64| -> Vec<f64> {
        (0..sw.modes.len()).map(f).chain([f(usize::MAX)]).collect()
    };
    let uy = sw.response(&columns(&|c| match c {
        usize::MAX => sw.residual_displacement[3 * mid + 1],
        c => modes.modes[sw.modes[c]].shape[3 * mid + 1],
    }));
    let stress = sw.stress_columns(top);
    let sxx = sw.response(&stress.iter().map(|s| s[0]).collect::<Vec<_>>());
    let peak = |z: &[nalgebra::Complex<f64>]| {
        z.iter()
            .zip(&r.input)
            .map(|(z, s)| z.norm_sqr() * s)
            .fold(0.0, f64::max)
    };
    let (u_psd, s_psd) = (peak(&uy) * 1e6, peak(&sxx) / 1e12);
    println!("5R: peak displacement PSD {u_psd:.2} mm²/Hz (180.90), stress PSD {s_psd:.0} (N/mm²)²/Hz (58516)");
    assert!((u_psd / 180.90 - 1.0).abs() < 0.07);
    assert!((s_psd / 58516.0 - 1.0).abs() < 0.07);
    // The von Mises mean square from the modal cross-spectra, against the
    // frequency-by-frequency sum of the quadratic form of the complex stress.
    let comps: Vec<Vec<_>> = (0..6)
        .map(|c| sw.response(&stress.iter().map(|s| s[c]).collect::<Vec<_>>()))
        .collect();
    let brute: f64 = (0..sw.frequencies.len())
        .map(|k| {
            let re: [f64; 6] = std::array::from_fn(|c| comps[c][k].re);
            let im: [f64; 6] = std::array::from_fn(|c| comps[c][k].im);
            r.weights[k] * r.input[k] * (von_mises_form(&re, &re) + von_mises_form(&im, &im))
        })
        .sum();
    let vm = r.rms.von_mises[top];
    assert!(
        (vm * vm / brute - 1.0).abs() < 1e-9,
        "{vm} {}",
        brute.sqrt()
    );
    println!("5R: RMS von Mises at the extreme fibre {:.1} MPa", vm / 1e6);
}

/// Base excitation of a clamped cantilever (relative-motion formulation): far below the
/// first mode the motion relative to the base is the static deflection under the body
/// load −a_b (to (f/f₁)² ≈ 3e-5 at 0.5 Hz), the absolute acceleration equals the base's,
/// and at the first mode the tip's relative motion is amplified by about Q = 1/2ζ of
/// its first-mode share.
#[test]
fn base_excitation_tends_to_the_static_deflection_and_the_base_acceleration() {
    let mesh = block([0.3, 0.04, 0.01], [30, 4, 2], ElementKind::Hex20).unwrap();
    let model = StaticModel {
        mesh: &mesh,
        materials: Materials::uniform(
            material_with_density(210e9, 0.3, 7850.0),
            mesh.element_count(),
        ),
        constraints: vec![Constraint {
            nodes: mesh.set_nodes("xmin").unwrap(),
            components: [Some(0.0); 3],
        }],
    };
    let g = 9.80665;
    let case = LoadCase {
        name: "base".into(),
        loads: vec![Load::BodyAcceleration {
            elements: (0..mesh.element_count()).collect(),
            acceleration: Vector3::new(0.0, 0.0, -g),
        }],
    };
    let modes = model
        .modes(ModalOptions {
            modes: 10,
            ..Default::default()
        })
        .unwrap();
    let stat = model.solve(std::slice::from_ref(&case)).unwrap();
    let f1 = modes.modes[0].frequency;
    let options = HarmonicOptions {
        frequencies: vec![0.5, f1],
        damping: ratio(&model, &modes, 0.02),
        base_acceleration: [0.0, 0.0, g],
        static_correction: true,
    };
    let h = model
        .harmonic(&modes, &case, &stat.load_cases[0], &options)
        .unwrap();
    let tip = nearest_node(&mesh, Vector3::new(0.3, 0.02, 0.01));
    let column = |n: usize, c: usize| -> Vec<f64> {
        h.sweep
            .modes
            .iter()
            .map(|&r| modes.modes[r].shape[3 * n + c])
            .chain([h.sweep.residual_displacement[3 * n + c]])
            .collect()
    };
    let uz = h.sweep.response(&column(tip, 2));
    let static_tip = stat.load_cases[0].displacement[3 * tip + 2];
    assert!(
        (uz[0].re / static_tip - 1.0).abs() < 1e-4,
        "{} {static_tip}",
        uz[0]
    );
    assert!(uz[0].im.abs() < 0.01 * static_tip.abs());
    // Absolute acceleration at 0.5 Hz: the base's plus ω² of a static deflection.
    let w2 = (2.0 * std::f64::consts::PI * 0.5f64).powi(2);
    let a = (g - w2 * uz[0].re).hypot(w2 * uz[0].im);
    assert!((a / g - 1.0).abs() < 1e-3, "{a}");
    // At the first mode: Q times the first mode's share of the static deflection.
    let share = modes.modes[0].shape[3 * tip + 2] * h.sweep.modal_forces[0]
        / (2.0 * std::f64::consts::PI * f1).powi(2);
    assert!((uz[1].norm() / (share.abs() * 25.0) - 1.0).abs() < 0.01);
    println!(
        "base: static tip {static_tip:.4e} m, 0.5 Hz {:.4e}, at f₁ = {f1:.2} Hz {:.4e} (Q × share {:.4e})",
        uz[0].re,
        uz[1].norm(),
        share.abs() * 25.0
    );
}

/// Miles' equation: a 20 kg block on a light axial spring (a soft column, ν = 0, its
/// mass 1/2000 of the block's), base-driven along the column by white noise S over
/// 1–2000 Hz with ζ = 2 %: the block's RMS absolute acceleration is
/// √(π/2 · f_n · Q · S) · √(1 + 4ζ²) (the exact integral of the SDOF transmissibility),
/// to 0.1 % (measured 0.005 %); its RMS motion relative to the base
/// √(S / (64 π³ ζ f_n³)) likewise.
#[test]
fn random_base_excitation_of_a_mass_on_a_spring_follows_miles() {
    let mesh = block([0.1, 0.1, 0.2], [1, 1, 20], ElementKind::Hex8).unwrap();
    let spring = spring_under_base(&mesh);
    let (g, top, fn_) = (spring.g, spring.top, spring.fn_);
    let zeta = 0.02;
    let s = 0.04; // g²/Hz
    let r = spring.white_noise(zeta, s);
    let q = 1.0 / (2.0 * zeta);
    let miles =
        (std::f64::consts::PI / 2.0 * fn_ * q * s).sqrt() * (1.0 + 4.0 * zeta * zeta).sqrt() * g;
    let a = r.rms.acceleration[3 * top + 2];
    let rel = (s * g * g / (64.0 * std::f64::consts::PI.powi(3) * zeta * fn_.powi(3))).sqrt();
    let u = r.rms.displacement[3 * top + 2];
    println!(
        "Miles: f_n = {fn_:.2} Hz, RMS acceleration {:.4} g (Miles {:.4} g), relative RMS {u:.4e} m ({rel:.4e}), {} points",
        a / g,
        miles / g,
        r.sweep.frequencies.len()
    );
    assert!((a / miles - 1.0).abs() < 0.001, "{a} {miles}");
    assert!((u / rel - 1.0).abs() < 0.001, "{u} {rel}");
}

/// Spectral fatigue of the same spring: its column (ν = 0) carries σ_zz = E u / L, u the
/// block's motion relative to the base — one mode's narrow-band response — so the von
/// Mises PSD's moments from the random response must give σ_rms = E u_rms / L (u_rms by
/// the closed form above) and a zero up-crossing rate ν₀ = f_n (exact for a white-noise
/// driven oscillator), and the narrow-band damage rate is then the closed form
/// f_n · 2 (√2 σ_rms / σ'_f)^k Γ(1 + k/2), k = 5: Γ(3.5) = 15√π/8. To 0.1 % (σ_rms,
/// ν₀) and 0.5 % (damage); measured 7e-5, 4e-5, 3.8e-4.
#[test]
fn random_fatigue_of_the_spring_is_the_narrow_band_closed_form() {
    use vproto_solver::fatigue::sn::SnCurve;
    use vproto_solver::fatigue::spectral::{damage_rate, Method};
    let mesh = block([0.1, 0.1, 0.2], [1, 1, 20], ElementKind::Hex8).unwrap();
    let spring = spring_under_base(&mesh);
    let (g, fn_) = (spring.g, spring.fn_);
    let (zeta, s) = (0.02, 0.04);
    let r = spring.white_noise(zeta, s);
    let u_rms = (s * g * g / (64.0 * std::f64::consts::PI.powi(3) * zeta * fn_.powi(3))).sqrt();
    let sigma = 2e7 * u_rms / 0.1;
    let mid = nearest_node(&mesh, Vector3::new(0.0, 0.0, 0.05));
    let m = r.rms.von_mises_moments[mid];
    let curve = SnCurve {
        coefficient: 1e6,
        exponent: -0.2,
        endurance_limit: None,
    };
    let gamma = 15.0 * std::f64::consts::PI.sqrt() / 8.0;
    let exact = fn_ * 2.0 * (2f64.sqrt() * sigma / curve.coefficient).powi(5) * gamma;
    let ours = damage_rate(&m, &curve, 1.0, Method::NarrowBand).unwrap();
    println!(
        "spring fatigue: σ_rms {:.5e} Pa (E u_rms/L {sigma:.5e}), ν₀ {:.3} Hz (f_n {fn_:.3}), damage rate {ours:.5e}/s (closed form {exact:.5e})",
        m.m0.sqrt(),
        m.zero_crossing_rate()
    );
    assert!((m.m0.sqrt() / sigma - 1.0).abs() < 0.001);
    assert!((m.zero_crossing_rate() / fn_ - 1.0).abs() < 0.001);
    assert!((ours / exact - 1.0).abs() < 0.005, "{ours} vs {exact}");
}

/// A 20 kg block on a light axial spring: a soft column (ν = 0, 1/2000 of the block's
/// mass) under a stiff block, clamped at the base — one bounce mode along z near 50 Hz.
fn mass_on_spring(mesh: &Mesh) -> StaticModel<'_> {
    let of_element: Vec<usize> = (0..mesh.element_count())
        .map(|e| {
            let nodes = mesh.blocks[0].element(e);
            let z = nodes.iter().map(|&n| mesh.nodes[n].z).sum::<f64>() / nodes.len() as f64;
            usize::from(z > 0.1)
        })
        .collect();
    let materials = Materials {
        materials: vec![
            material_with_density(2e7, 0.0, 10.0),
            material_with_density(2e11, 0.0, 2e4),
        ],
        expansion: vec![0.0, 0.0],
        of_element,
    };
    StaticModel {
        mesh,
        materials,
        constraints: vec![Constraint {
            nodes: mesh.set_nodes("zmin").unwrap(),
            components: [Some(0.0); 3],
        }],
    }
}

/// Response spectrum on the block on its spring (one bounce mode): under a flat design
/// spectrum S the block's peak motion relative to the base is S/ω_n² (the mode carries
/// all the mass: Γφ = 1), by every combination rule; under a 30 g, 11 ms half-sine with
/// ζ = 0.1 % it is the pulse's undamped SRS at f_n over ω_n² — the closed form of an
/// undamped oscillator: during the pulse A ω²/(ω² − Ω²)(sin Ωt − (Ω/ω) sin ωt), after it
/// A · 4r |cos πr| / |4r² − 1|, r = f_n T. Both to 0.5 %.
#[test]
fn response_spectrum_of_a_mass_on_a_spring_is_the_spectrum_at_its_frequency() {
    use vproto_solver::shock::{Combination, Pulse, Spectrum};
    let mesh = block([0.1, 0.1, 0.2], [1, 1, 20], ElementKind::Hex8).unwrap();
    let Spring {
        model,
        case,
        modes,
        stat,
        g,
        top,
        fn_,
    } = spring_under_base(&mesh);
    let w2 = (2.0 * std::f64::consts::PI * fn_).powi(2);
    let damping = Damping {
        modal: vec![(0.0, 0.001)],
        ..Default::default()
    };
    let damping = model.modal_damping(&modes, &damping).unwrap();
    for rule in [Combination::Srss, Combination::Cqc, Combination::TenPercent] {
        let flat = Spectrum::Table(vec![(1.0, 10.0), (1e5, 10.0)]);
        let (_, p) = model
            .response_spectrum(&modes, &case, &stat, &flat, (&damping, rule))
            .unwrap();
        let u = p.displacement[3 * top + 2];
        assert!((u / (10.0 * g / w2) - 1.0).abs() < 0.005, "{rule:?}: {u}");
    }
    let (a, t) = (30.0, 0.011);
    let pulse = Spectrum::History(
        Pulse::HalfSine {
            peak: a,
            duration: t,
        }
        .history(t / 2000.0),
    );
    let (_, p) = model
        .response_spectrum(&modes, &case, &stat, &pulse, (&damping, Combination::Cqc))
        .unwrap();
    let (w, big) = (2.0 * std::f64::consts::PI * fn_, std::f64::consts::PI / t);
    let during = (0..=20000)
        .map(|k| {
            let s = t * k as f64 / 20000.0;
            (a * w * w / (w * w - big * big) * ((big * s).sin() - big / w * (w * s).sin())).abs()
        })
        .fold(0.0, f64::max);
    let r = fn_ * t;
    let residual = a * 4.0 * r * (std::f64::consts::PI * r).cos().abs() / (4.0 * r * r - 1.0).abs();
    let exact = during.max(residual) * g / w2;
    let u = p.displacement[3 * top + 2];
    println!("shock: f_n {fn_:.2} Hz, peak {u:.4e} m, closed form {exact:.4e} m");
    assert!((u / exact - 1.0).abs() < 0.005, "{u} {exact}");
}

/// Direct integration (HHT-α) of the block on its spring under a suddenly applied base
/// acceleration of 1 g, undamped: the block's motion relative to the base is
/// u_st (1 − cos ω_n t). The trapezoidal rule (α = 0) is second order — the error over
/// 1.5 periods falls about fourfold when the step halves — and conserves energy to
/// round-off; α = −0.05 stays within 1 % of the exact peak and dissipates a little.
#[test]
fn direct_transient_step_response_of_a_mass_on_a_spring() {
    use vproto_solver::transient::TransientOptions;
    let mesh = block([0.1, 0.1, 0.2], [1, 1, 20], ElementKind::Hex8).unwrap();
    let Spring {
        model,
        case,
        stat,
        top,
        fn_,
        g,
        ..
    } = spring_under_base(&mesh);
    let u_st = stat.displacement[3 * top + 2];
    let period = 1.0 / fn_;
    let run = |per_period: usize, alpha: f64| {
        let options = TransientOptions {
            alpha,
            base_acceleration: [0.0, 0.0, g],
            ..step_load(period / per_period as f64, 3 * per_period / 2, 3 * top + 2)
        };
        model.transient(&case, &options).unwrap()
    };
    let exact = |t: f64| u_st * (1.0 - (2.0 * std::f64::consts::PI * fn_ * t).cos());
    let error = |s: &vproto_solver::transient::TransientSolution| {
        s.times
            .iter()
            .zip(&s.watched[0])
            .map(|(&t, &u)| (u - exact(t)).abs())
            .fold(0.0, f64::max)
            / (2.0 * u_st.abs())
    };
    let (coarse, fine) = (run(50, 0.0), run(100, 0.0));
    let (e1, e2) = (error(&coarse), error(&fine));
    let order = (e1 / e2).log2();
    println!("transient: errors {e1:.3e} (T/50), {e2:.3e} (T/100), order {order:.2}; energy error {:.1e}", fine.energy_error);
    assert!(e2 < 0.01 && (order - 2.0).abs() < 0.3, "{e1} {e2}");
    assert!(fine.energy_error < 1e-9, "{}", fine.energy_error);
    // The block's absolute acceleration g (1 − cos ω_n t) peaks at 2 g.
    let a_peak = fine.max_acceleration[3 * top + 2] / (2.0 * g);
    assert!((a_peak - 1.0).abs() < 0.01, "{a_peak}");
    let hht = run(100, -0.05);
    let peak = hht.watched[0].iter().fold(0.0f64, |a, &u| a.max(u.abs()));
    assert!((peak / (2.0 * u_st.abs()) - 1.0).abs() < 0.01, "{peak}");
    assert!(hht.energy.work.last().unwrap() > &0.0);
}

/// Test 5T: the deep beam under a suddenly applied 1 MN/m, Rayleigh damping α = 5.36 /s,
/// β = 7.46e-5 s (the benchmark's 2 % at the first mode), Δt = 0.1 ms. Targets: static
/// mid-span deflection 0.538 mm, peak 1.043 mm at 0.0117 s — a dynamic amplification of
/// 1.939, held to 1 %; the time of the peak to 2 % (the solid's first mode is 0.9 %
/// lower than the beam theory's); peak extreme-fibre stress 18.76 MPa to 3 % (as 5H).
#[test]
fn nafems_test_5t_deep_beam_step_load() {
    use vproto_solver::transient::TransientOptions;
    let (mesh, constraints) = beam();
    let (model, case) = beam_model(&mesh, constraints, "5T");
    let mid = nearest_node(&mesh, Vector3::new(5.0, 1.0, 1.0));
    let static_mid =
        model.solve(std::slice::from_ref(&case)).unwrap().load_cases[0].displacement[3 * mid + 1];
    let s = model
        .transient(
            &case,
            &TransientOptions {
                damping: TEST_5T_DAMPING,
                stress_envelope: true,
                ..step_load(1e-4, 300, 3 * mid + 1)
            },
        )
        .unwrap();
    let (k, peak) = s.watched[0]
        .iter()
        .enumerate()
        .fold(
            (0, 0.0f64),
            |a, (k, &u)| if u.abs() > a.1 { (k, u.abs()) } else { a },
        );
    let t_peak = s.times[k];
    println!(
        "5T: static {:.4} mm (0.538), peak {:.4} mm (1.043) at {t_peak:.4} s (0.0117), amplification {:.3} (1.939), energy error {:.1e}",
        static_mid.abs() * 1e3,
        peak * 1e3,
        peak / static_mid.abs(),
        s.energy_error
    );
    assert!((peak / static_mid.abs() / 1.939 - 1.0).abs() < 0.01);
    assert!((t_peak / 0.0117 - 1.0).abs() < 0.02);
    // Extreme-fibre bending stress: 18.76 MPa (the von Mises envelope over every step).
    let top = nearest_node(&mesh, Vector3::new(5.0, 2.0, 1.0));
    let sigma = s.max_von_mises[top] / 1e6;
    println!(
        "5T: peak extreme-fibre von Mises {sigma:.2} MPa (18.76) at {:.4} s",
        s.max_von_mises_time[top]
    );
    assert!((sigma / 18.76 - 1.0).abs() < 0.03, "{sigma}");
    assert!(s.energy_error < 1e-6);
}

/// Test 5T by the modal method: the same targets, and the direct integration's
/// response to 0.5 % of its peak at every step. The modal step is exact for the
/// piecewise-constant load, so a step of 0.5 ms (20 per period of the first mode)
/// gives the same peak as 0.1 ms — the direct method needs the fine one.
#[test]
fn nafems_test_5t_by_modal_superposition() {
    use vproto_solver::transient::TransientOptions;
    let (mesh, constraints) = beam();
    let (model, case) = beam_model(&mesh, constraints, "5T");
    let mid = nearest_node(&mesh, Vector3::new(5.0, 1.0, 1.0));
    let stat = model
        .solve(std::slice::from_ref(&case))
        .unwrap()
        .load_cases
        .remove(0);
    let modes = model
        .modes(ModalOptions {
            modes: 16,
            ..Default::default()
        })
        .unwrap();
    let options = |step: f64| TransientOptions {
        damping: TEST_5T_DAMPING,
        stress_envelope: true,
        ..step_load(step, (0.03 / step).round() as usize, 3 * mid + 1)
    };
    let modal = model
        .modal_transient(&modes, &case, &stat, &options(1e-4))
        .unwrap();
    let coarse = model
        .modal_transient(&modes, &case, &stat, &options(5e-4))
        .unwrap();
    let direct = model.transient(&case, &options(1e-4)).unwrap();
    let static_mid = stat.displacement[3 * mid + 1].abs();
    let peak = |s: &vproto_solver::transient::TransientSolution| {
        s.watched[0]
            .iter()
            .enumerate()
            .fold(
                (0, 0.0f64),
                |a, (k, &u)| if u.abs() > a.1 { (k, u.abs()) } else { a },
            )
    };
    let (k, p) = peak(&modal);
    let worst = modal.watched[0]
        .iter()
        .zip(&direct.watched[0])
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    let top = nearest_node(&mesh, Vector3::new(5.0, 2.0, 1.0));
    println!(
        "5T modal: amplification {:.4} (1.939) at {:.4} s (0.0117), Δt = 0.5 ms: {:.4}; largest difference from direct {:.2e} of the peak; von Mises {:.2} MPa (18.76); energy error {:.1e}",
        p / static_mid,
        modal.times[k],
        peak(&coarse).1 / static_mid,
        worst / p,
        modal.max_von_mises[top] / 1e6,
        modal.energy_error
    );
    assert!((p / static_mid / 1.939 - 1.0).abs() < 0.01);
    assert!((modal.times[k] / 0.0117 - 1.0).abs() < 0.02);
    assert!((peak(&coarse).1 / p - 1.0).abs() < 0.01);
    assert!(worst / p < 0.005, "{}", worst / p);
    assert!((modal.max_von_mises[top] / 1e6 / 18.76 - 1.0).abs() < 0.03);
    assert!(modal.energy_error < 1e-2, "{}", modal.energy_error);
    // The stress as a superposition of the columns (what a fatigue count superposes):
    // at every output step, the stress recovered from that step's displacement; over
    // every step at the top fibre, the von Mises envelope.
    let ms = modal.modal_stress.as_ref().unwrap();
    let recovery = vproto_solver::recovery::NodalStress::new(&mesh, &model.materials);
    let at = |i: usize, k: usize| -> f64 {
        ms.stresses
            .iter()
            .zip(&ms.factors)
            .map(|(s, f)| s[i] * f[k])
            .sum()
    };
    let (mut off, mut scale) = (0.0f64, 0.0f64);
    for (t, u) in &modal.snapshots {
        let k = (t / 1e-4).round() as usize;
        for (i, d) in recovery.of(u).iter().enumerate() {
            off = off.max((at(i, k) - d).abs());
            scale = scale.max(d.abs());
        }
    }
    let envelope = (0..modal.times.len())
        .map(|k| {
            let v = vproto_solver::material::Voigt::from_fn(|c, _| at(6 * top + c, k));
            vproto_solver::material::von_mises(&v)
        })
        .fold(0.0, f64::max);
    println!(
        "5T modal stress superposition: {:.1e} of the largest stress off the recovered one; envelope {:.4} MPa ({:.4})",
        off / scale,
        envelope / 1e6,
        modal.max_von_mises[top] / 1e6
    );
    assert!(off <= 1e-9 * scale && modal.snapshots.len() >= 5);
    assert!((envelope / modal.max_von_mises[top] - 1.0).abs() < 1e-9);
}

/// The modal method's step response of the block on its spring is exact at every step
/// whatever the step: at 8 steps a period it matches u_st (1 − cos ω_n t) as closely as
/// at 100 (to the model's own departure from one degree of freedom).
#[test]
fn modal_transient_is_exact_for_a_step_load() {
    use vproto_solver::transient::TransientOptions;
    let mesh = block([0.1, 0.1, 0.2], [1, 1, 20], ElementKind::Hex8).unwrap();
    let Spring {
        model,
        case,
        stat,
        modes,
        top,
        fn_,
        g,
        ..
    } = spring_under_base(&mesh);
    let u_st = stat.displacement[3 * top + 2];
    let run = |per_period: usize| {
        let options = TransientOptions {
            base_acceleration: [0.0, 0.0, g],
            ..step_load(
                1.0 / fn_ / per_period as f64,
                3 * per_period / 2,
                3 * top + 2,
            )
        };
        model
            .modal_transient(&modes, &case, &stat, &options)
            .unwrap()
    };
    let error = |s: &vproto_solver::transient::TransientSolution| {
        s.times
            .iter()
            .zip(&s.watched[0])
            .map(|(&t, &u)| (u - u_st * (1.0 - (2.0 * std::f64::consts::PI * fn_ * t).cos())).abs())
            .fold(0.0, f64::max)
            / (2.0 * u_st.abs())
    };
    let (e8, fine) = (error(&run(8)), run(100));
    let e100 = error(&fine);
    // The block's absolute acceleration g (1 − cos ω_n t) peaks at 2 g.
    let a_peak = fine.max_acceleration[3 * top + 2] / (2.0 * g);
    println!("modal transient: errors {e8:.2e} (T/8), {e100:.2e} (T/100); peak absolute acceleration {a_peak:.5} × 2 g");
    assert!((a_peak - 1.0).abs() < 1e-3, "{a_peak}");
    assert!(e8 < 1e-6 && e100 < 1e-6, "{e8} {e100}");
}

/// A load applied suddenly at t = 0 and held, `steps` of `step`, watching one degree of
/// freedom: undamped, trapezoidal (HHT α = 0), with the static correction and without
/// the stress envelope — each test changes what it needs.
fn step_load(step: f64, steps: usize, watch: usize) -> vproto_solver::transient::TransientOptions {
    vproto_solver::transient::TransientOptions {
        step,
        steps,
        alpha: 0.0,
        damping: Damping::default(),
        amplitude: vec![(0.0, 1.0), (1e3, 1.0)],
        output_every: 50,
        watch: vec![watch],
        stress_envelope: false,
        static_correction: true,
        base_acceleration: [0.0; 3],
    }
}

/// One modal damping ratio `zeta` for every mode of `modes`.
fn ratio(
    model: &StaticModel,
    modes: &vproto_solver::modal::ModalSolution,
    zeta: f64,
) -> vproto_solver::harmonic::ModalDamping {
    let damping = Damping {
        modal: vec![(0.0, zeta)],
        ..Default::default()
    };
    model.modal_damping(modes, &damping).unwrap()
}

/// Test 5T's Rayleigh damping: 2 % at the first mode.
const TEST_5T_DAMPING: Damping = Damping {
    modal: Vec::new(),
    alpha: 5.36,
    beta: 7.46e-5,
    loss_factor: 0.0,
    material_loss: Vec::new(),
};

/// The Test 5 beam as a model, and its 1 MN/m load along the axis (a body load of
/// 1e6 / (ρ A) = 31.25 m/s² in y) as the load case `name`.
fn beam_model<'m>(
    mesh: &'m Mesh,
    constraints: Vec<Constraint>,
    name: &str,
) -> (StaticModel<'m>, LoadCase) {
    let model = StaticModel {
        mesh,
        materials: Materials::uniform(
            material_with_density(200e9, 0.3, 8000.0),
            mesh.element_count(),
        ),
        constraints,
    };
    let case = LoadCase {
        name: name.into(),
        loads: vec![Load::BodyAcceleration {
            elements: (0..mesh.element_count()).collect(),
            acceleration: Vector3::new(0.0, 1e6 / (8000.0 * 4.0), 0.0),
        }],
    };
    (model, case)
}

/// The block on its spring driven by a base acceleration of 1 g along the column: the
/// model, the load case (the body load −M r g), its 12 lowest modes and static
/// solution, g, the block's top corner and the bounce frequency (the mode moving the
/// block along z).
struct Spring<'m> {
    model: StaticModel<'m>,
    case: LoadCase,
    modes: vproto_solver::modal::ModalSolution,
    stat: vproto_solver::StaticResults,
    g: f64,
    top: usize,
    fn_: f64,
}

impl Spring<'_> {
    /// The random response to white-noise base acceleration of `s` g²/Hz over
    /// 1–2000 Hz with modal damping ratio `zeta`.
    fn white_noise(&self, zeta: f64, s: f64) -> vproto_solver::random::RandomSolution {
        use vproto_solver::random::{Psd, RandomOptions};
        self.model
            .random(
                &self.modes,
                &self.case,
                &self.stat,
                &RandomOptions {
                    psd: Psd::new(vec![(1.0, s), (2000.0, s)]).unwrap(),
                    damping: ratio(&self.model, &self.modes, zeta),
                    base_acceleration: [0.0, 0.0, self.g],
                    points: 200,
                },
            )
            .unwrap()
    }
}

fn spring_under_base(mesh: &Mesh) -> Spring<'_> {
    let model = mass_on_spring(mesh);
    let g = 9.80665;
    let case = LoadCase {
        name: "base".into(),
        loads: vec![Load::BodyAcceleration {
            elements: (0..mesh.element_count()).collect(),
            acceleration: Vector3::new(0.0, 0.0, -g),
        }],
    };
    let modes = model
        .modes(ModalOptions {
            modes: 12,
            ..Default::default()
        })
        .unwrap();
    let stat = model
        .solve(std::slice::from_ref(&case))
        .unwrap()
        .load_cases
        .remove(0);
    let fn_ = modes
        .modes
        .iter()
        .max_by(|a, b| {
            a.participation[2]
                .abs()
                .total_cmp(&b.participation[2].abs())
        })
        .unwrap()
        .frequency;
    let top = nearest_node(mesh, Vector3::new(0.1, 0.1, 0.2));
    Spring {
        model,
        case,
        modes,
        stat,
        g,
        top,
        fn_,
    }
}

/// NAFEMS R0016 Test 13 as a solid: a thin square plate 10 × 10 × 0.05 m, steel as in
/// Test 5, hex20 20 × 20 × 1, simply supported along its four edges at mid-thickness
/// (u_z = 0; u_x = u_y = 0 there too, as the shell reference holds its mid-plane). The
/// 100 N/m² load over the plate is a body load of 100 / (ρ h) = 0.25 m/s² in z.
fn plate() -> (StaticModel<'static>, LoadCase, usize, usize) {
    let mesh: &'static Mesh = Box::leak(Box::new(
        block([10.0, 10.0, 0.05], [20, 20, 1], ElementKind::Hex20).unwrap(),
    ));
    let edge: Vec<usize> = (0..mesh.nodes.len())
        .filter(|&n| {
            let p = mesh.nodes[n];
            let on_edge = [p.x, p.y]
                .iter()
                .any(|c| c.abs() < 1e-9 || (c - 10.0).abs() < 1e-9);
            on_edge && (p.z - 0.025).abs() < 1e-9
        })
        .collect();
    let model = StaticModel {
        mesh,
        materials: Materials::uniform(
            material_with_density(200e9, 0.3, 8000.0),
            mesh.element_count(),
        ),
        constraints: vec![Constraint {
            nodes: edge,
            components: [Some(0.0), Some(0.0), Some(0.0)],
        }],
    };
    let case = LoadCase {
        name: "13".into(),
        loads: vec![Load::BodyAcceleration {
            elements: (0..mesh.element_count()).collect(),
            acceleration: Vector3::new(0.0, 0.0, 100.0 / (8000.0 * 0.05)),
        }],
    };
    let centre = nearest_node(mesh, Vector3::new(5.0, 5.0, 0.025));
    let top = nearest_node(mesh, Vector3::new(5.0, 5.0, 0.05));
    (model, case, centre, top)
}

/// Test 13H and 13T (the thin plate; targets from thin-plate theory, the first mode's
/// share: its static deflection 4qa⁴/(π⁶D) = 1.817 mm and extreme-fibre stress
/// 6D(π/a)²(1+ν)·1.817 mm / h² = 1.281 MPa): harmonic, 2 % modal damping over 16 modes —
/// peak centre displacement 45.42 mm (25 × 1.817) at 2.377 Hz; the published stress,
/// 30.03 MPa, is not 25 × 1.281 = 32.03 MPa, which this checks instead (the published
/// 13T stress, 2.484 MPa, is 1.939 × 1.281: the same one-mode rule). Transient under a
/// suddenly applied load, 2 % modal damping, Δt = 2 ms — peak 3.523 mm at 0.210 s, stress
/// 2.484 MPa — one-mode values too, which the higher modes move: the published shell
/// solutions give 3.454–3.465 mm and 2.20–2.82 MPa. The whole static deflection is
/// 0.00406 qa⁴/D = 1.773 mm. Held to 2 % in frequency and harmonic displacement, 3 % in
/// harmonic stress; 3 % in transient peak, 2 % in its time, 10 % in its stress.
#[test]
fn nafems_test_13_thin_plate_harmonic_and_transient() {
    use vproto_solver::transient::TransientOptions;
    let (model, case, centre, top) = plate();
    let modes = model
        .modes(ModalOptions {
            modes: 16,
            ..Default::default()
        })
        .unwrap();
    let stat = model
        .solve(std::slice::from_ref(&case))
        .unwrap()
        .load_cases
        .remove(0);
    let damping = Damping {
        modal: vec![(0.0, 0.02)],
        ..Default::default()
    };
    let resonances: Vec<(f64, f64)> = modes.modes.iter().map(|m| (m.frequency, 0.02)).collect();
    let h = model
        .harmonic(
            &modes,
            &case,
            &stat,
            &HarmonicOptions {
                frequencies: frequency_points((0.5, 4.16), 100, Spacing::Linear, &resonances, 10),
                damping: model.modal_damping(&modes, &damping).unwrap(),
                base_acceleration: [0.0; 3],
                static_correction: true,
            },
        )
        .unwrap();
    let u_static = stat.displacement[3 * centre + 2].abs();
    let u_peak = h.envelope.displacement[3 * centre + 2];
    let sigma = h.envelope.von_mises[top] / 1e6;
    let f1 = modes.modes[0].frequency;
    println!(
        "13H: f1 {f1:.4} Hz (2.377), peak {:.2} mm (45.42), stress {sigma:.2} MPa (32.03; published 30.03), static {:.4} mm (1.773), amplification {:.2}",
        u_peak * 1e3,
        u_static * 1e3,
        u_peak / u_static
    );
    assert!((f1 / 2.377 - 1.0).abs() < 0.02, "{f1}");
    assert!((u_peak * 1e3 / 45.42 - 1.0).abs() < 0.02, "{u_peak}");
    assert!((sigma / 32.03 - 1.0).abs() < 0.03, "{sigma}");
    assert!((u_static * 1e3 / 1.773 - 1.0).abs() < 0.01);
    let options = TransientOptions {
        damping,
        stress_envelope: true,
        ..step_load(0.002, 200, 3 * centre + 2)
    };
    let t = model
        .modal_transient(&modes, &case, &stat, &options)
        .unwrap();
    let (k, peak) = t.watched[0]
        .iter()
        .enumerate()
        .fold(
            (0, 0.0f64),
            |a, (k, &u)| if u.abs() > a.1 { (k, u.abs()) } else { a },
        );
    let sigma_t = t.max_von_mises[top] / 1e6;
    println!(
        "13T: peak {:.3} mm (3.523) at {:.3} s (0.210), stress {sigma_t:.3} MPa (2.484)",
        peak * 1e3,
        t.times[k],
    );
    assert!((peak * 1e3 / 3.523 - 1.0).abs() < 0.03);
    assert!((t.times[k] / 0.210 - 1.0).abs() < 0.02);
    assert!((sigma_t / 2.484 - 1.0).abs() < 0.1, "{sigma_t}");
}
