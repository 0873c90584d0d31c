//! Multibody verification: analytic pendulum period, slider-crank kinematics, Andrews'
//! squeezing mechanism against the IVP test set reference, energy conservation.

use nalgebra::{Matrix3, Point3, Vector3};
use std::f64::consts::PI;
use vproto_solver::multibody::{
    simulate, AppliedLoad, Driver, Joint, JointKind, Mechanism, Motion, MotionOptions, Part,
    RigidBody, SpringDamper,
};

const Z: Vector3<f64> = Vector3::new(0.0, 0.0, 1.0);

fn p(x: f64, y: f64) -> Point3<f64> {
    Point3::new(x, y, 0.0)
}

fn revolute(name: &str, a: Part, b: Part, at: Point3<f64>) -> Joint {
    Joint::new(name, JointKind::Revolute, [a, b], at, Z)
}

/// A planar body with polar moment `i` (out-of-plane moments chosen physical).
fn planar(name: &str, mass: f64, at: Point3<f64>, i: f64) -> RigidBody {
    RigidBody::new(
        name,
        mass,
        at,
        Matrix3::from_diagonal(&Vector3::new(i, i, i)),
    )
}

/// Time at which `f` (sampled) crosses `level` going down, after `after`.
fn crossing(t: &[f64], f: &[f64], level: f64, after: f64) -> f64 {
    for k in 1..t.len() {
        if t[k - 1] > after && f[k - 1] > level && f[k] <= level {
            return t[k - 1] + (t[k] - t[k - 1]) * (f[k - 1] - level) / (f[k - 1] - f[k]);
        }
    }
    panic!("no crossing of {level}");
}

/// Simple pendulum, 1 m link, released horizontally: T = 4 √(L/g) K(sin 45°) =
/// 2.367842 s (g = 9.81). The bob is a 1 mm sphere (I = 0.4 m r²), which lengthens the
/// period by a factor √(1 + 0.4 r²/L²) = 1 + 2e-7. Bottom passages (fastest motion, so
/// linear interpolation between samples is accurate) are half a period apart.
#[test]
fn pendulum_released_horizontally_period_and_energy() {
    let mech = Mechanism {
        bodies: vec![planar("bob", 1.0, p(1.0, 0.0), 0.4e-6)],
        joints: vec![revolute("pivot", Part::Ground, Part::Body(0), p(0.0, 0.0))],
        gravity: Vector3::new(0.0, -9.81, 0.0),
        ..Default::default()
    };
    let sol = simulate(
        &mech,
        &MotionOptions {
            end_time: 12.0,
            output_step: 1e-3,
            tolerance: 1e-11,
        },
    )
    .unwrap();
    assert_eq!(sol.degrees_of_freedom, 1);
    assert!(!sol.kinematic);
    let t: Vec<f64> = sol.samples.iter().map(|s| s.time).collect();
    let angle: Vec<f64> = sol
        .samples
        .iter()
        .map(|s| s.joints[0].angle.unwrap())
        .collect();
    // Angle falls from 0 to −π (other side) and back; bottom at −π/2.
    let speed: Vec<f64> = sol
        .samples
        .iter()
        .map(|s| -s.bodies[0].angular_velocity.z)
        .collect();
    let down1 = crossing(&t, &angle, -PI / 2.0, 0.0);
    let down_next = crossing(
        &t,
        &angle.iter().map(|a| -a).collect::<Vec<_>>(),
        PI / 2.0,
        down1 + 0.1,
    );
    let period = 2.0 * (down_next - down1);
    let expected = 2.367842 * (1.0 + 0.4e-6f64).sqrt();
    // Measured: 2.3678424 s at tolerance 1e-11 (−3e-8 s), 2.3678427 s at 1e-10.
    assert!(
        (period - expected).abs() < 1e-6,
        "period {period} vs {expected}"
    );
    assert!(speed.iter().cloned().fold(0.0, f64::max) > 4.4);
    let first = &sol.samples[0];
    let drift = sol
        .samples
        .iter()
        .map(|s| s.energy_error(first).abs())
        .fold(0.0, f64::max);
    // Radau IIA dissipates a little (measured 2.9e-6 J of m g L = 9.81 J over five periods).
    assert!(drift < 1e-6 * 9.81, "energy drift {drift} J over 12 s");
    // Bearing force at the bottom: m g + m v²/L = 3 m g for a release from horizontal.
    let bottom = sol
        .samples
        .iter()
        .min_by(|a, b| (a.time - down1).abs().total_cmp(&(b.time - down1).abs()))
        .unwrap();
    assert!(
        (bottom.joints[0].force.y - 3.0 * 9.81).abs() < 0.05,
        "{:?}",
        bottom.joints[0].force
    );
}

// Andrews' squeezing mechanism: parameters of the IVP test set (Mazzia & Magherini,
// after Hairer & Wanner, Solving ODEs II §VII.7).
const M: [f64; 7] = [
    0.04325, 0.00365, 0.02373, 0.00706, 0.07050, 0.00706, 0.05498,
];
const I: [f64; 7] = [
    2.194e-6, 4.410e-7, 5.255e-6, 5.667e-7, 1.169e-5, 5.667e-7, 1.912e-5,
];
const XA: f64 = -0.06934;
const YA: f64 = -0.00227;
const XB: f64 = -0.03635;
const YB: f64 = 0.03273;
const XC: f64 = 0.014;
const YC: f64 = 0.072;
const C0: f64 = 4530.0;
const D: f64 = 28e-3;
const DA: f64 = 115e-4;
const E: f64 = 2e-2;
const EA: f64 = 1421e-5;
const RR: f64 = 7e-3;
const RA: f64 = 92e-5;
const L0: f64 = 7785e-5;
const SS: f64 = 35e-3;
const SA: f64 = 1874e-5;
const SB: f64 = 1043e-5;
const SC: f64 = 18e-3;
const SD: f64 = 2e-2;
const TA: f64 = 2308e-5;
const TB: f64 = 916e-5;
const U: f64 = 4e-2;
const UA: f64 = 1228e-5;
const UB: f64 = 449e-5;
const ZF: f64 = 2e-2;
const ZT: f64 = 4e-2;
const FA: f64 = 1421e-5;
const MOM: f64 = 33e-3;
/// Consistent initial angles β, Θ, γ, Φ, δ, Ω, ε.
const Q0: [f64; 7] = [
    -0.0617138900142764496358948458001,
    0.0,
    0.455279819163070380255912382449,
    0.222668390165885884674473185609,
    0.487364979543842550225598953530,
    -0.222668390165885884674473185609,
    1.23054744454982119249735015568,
];
/// Reference angles at t = 0.03 (PSIDE at tolerance 1e-14 on a Cray C90).
const Q_REF: [f64; 7] = [
    15.81077119629904,
    -15.75637105984298,
    0.04082224013073101,
    -0.5347301163226948,
    0.5244099658805304,
    0.5347301163226948,
    1.048080741042263,
];

/// The squeezer built from seven planar bodies and ten revolute joints (in 3-D: 50
/// joint equations, 9 of them redundant), a spring and a drive torque.
fn andrews() -> Mechanism {
    let e = |a: f64| Vector3::new(a.cos(), a.sin(), 0.0);
    let n = |a: f64| Vector3::new(a.sin(), -a.cos(), 0.0); // e(a − π/2)
    let [be, th, ga, ph, de, om, ep] = Q0;
    let o = Vector3::zeros();
    let (a, b, c) = (
        Vector3::new(XA, YA, 0.0),
        Vector3::new(XB, YB, 0.0),
        Vector3::new(XC, YC, 0.0),
    );
    let f = RR * e(be);
    let pe = f - D * e(be + th);
    let h = a + ZT * e(de);
    let g = a + U * n(ep);
    let d = b + SD * e(ga) + SC * n(ga);
    // The loops close at E.
    for other in [b + SS * n(ga), h + E * n(ph + de), g + ZF * e(om + ep)] {
        assert!((other - pe).norm() < 1e-12, "inconsistent transcription");
    }
    let centres = [
        o + RA * e(be),
        f - DA * e(be + th),
        b + SA * e(ga) + SB * n(ga),
        h + (E - EA) * n(ph + de),
        a + TA * e(de) + TB * n(de),
        g + (ZF - FA) * e(om + ep),
        a + UA * e(ep) + UB * n(ep),
    ];
    let names = ["K1", "K2", "K3", "K4", "K5", "K6", "K7"];
    let bodies = (0..7)
        .map(|k| planar(names[k], M[k], Point3::from(centres[k]), I[k]))
        .collect();
    let (gr, k) = (Part::Ground, Part::Body);
    let pt = Point3::from;
    let joints = vec![
        revolute("O", gr, k(0), pt(o)),
        revolute("F", k(0), k(1), pt(f)),
        revolute("E3", k(1), k(2), pt(pe)),
        revolute("E4", k(1), k(3), pt(pe)),
        revolute("E6", k(1), k(5), pt(pe)),
        revolute("B", gr, k(2), pt(b)),
        revolute("H", k(4), k(3), pt(h)),
        revolute("A5", gr, k(4), pt(a)),
        revolute("G", k(6), k(5), pt(g)),
        revolute("A7", gr, k(6), pt(a)),
    ];
    Mechanism {
        bodies,
        joints,
        springs: vec![SpringDamper {
            name: "spring".into(),
            parts: [Part::Ground, k(2)],
            points: [pt(c), pt(d)],
            stiffness: C0,
            damping: 0.0,
            free_length: Some(L0),
            preload: 0.0,
        }],
        loads: vec![AppliedLoad {
            name: "drive".into(),
            body: 0,
            point: pt(o),
            force: Vector3::zeros(),
            torque: MOM * Z,
            scale: Motion::constant(1.0),
        }],
        ..Default::default()
    }
}

/// Andrews' squeezing mechanism, t ∈ [0, 0.03]: the seven angles (β, Θ, γ, Φ, δ, Ω, ε)
/// from the joint rotations agree with the test set's reference to 1e-7 relative to the
/// largest (at least 6 significant digits on every angle above 0.1 rad).
#[test]
fn andrews_squeezer_matches_reference_solution() {
    let options = MotionOptions {
        end_time: 0.03,
        output_step: 1e-4,
        tolerance: 1e-11,
    };
    let sol = simulate(&andrews(), &options).unwrap();
    assert_eq!(sol.degrees_of_freedom, 1);
    assert_eq!(sol.redundant.len(), 9, "{:?}", sol.redundant);
    let last = sol.samples.last().unwrap();
    assert!((last.time - 0.03).abs() < 1e-15);
    let joint = |j: usize| last.joints[j].angle.unwrap();
    let q = [
        Q0[0] + joint(0),
        Q0[1] + joint(1),
        Q0[2] + joint(5),
        Q0[3] + joint(6),
        Q0[4] + joint(7),
        Q0[5] + joint(8),
        Q0[6] + joint(9),
    ];
    // Measured at tolerance 1e-11: 460 steps, errors 1.0e-7 (β), 1.3e-7 (Θ), ≤ 2e-9 others.
    for k in 0..7 {
        let err = (q[k] - Q_REF[k]).abs();
        assert!(
            err < 1e-6 * Q_REF[k].abs().max(0.1),
            "q{k}: {} vs {}",
            q[k],
            Q_REF[k]
        );
    }
    let first = &sol.samples[0];
    // The drive torque's work is integrated by the trapezoidal rule over ~460 steps
    // (measured balance error 1.3e-5 J of 1.5 J).
    assert!(
        last.energy_error(first).abs() < 1e-4 * last.kinetic,
        "energy balance {}",
        last.energy_error(first)
    );
}

/// Slider-crank driven at constant crank speed ω (kinematic analysis, no freedom left):
/// slider position, velocity and acceleration against the closed form
/// x = r cos θ + √(l² − r² sin² θ) and its derivatives; the driver's work equals the
/// kinetic energy gained (trapezoidal rule over the samples).
#[test]
fn slider_crank_matches_closed_form_kinematics() {
    let (r, l, w) = (0.05, 0.2, 2.0 * PI * 5.0);
    let rod = l;
    let mech = Mechanism {
        bodies: vec![
            planar("crank", 1.0, p(r / 2.0, 0.0), 1e-3),
            planar("rod", 0.8, p(r + rod / 2.0, 0.0), 3e-3),
            planar("slider", 2.0, p(r + rod, 0.0), 1e-3),
        ],
        joints: vec![
            revolute("main", Part::Ground, Part::Body(0), p(0.0, 0.0))
                .driven(Driver::Rotation(Motion::linear(w))),
            revolute("crank pin", Part::Body(0), Part::Body(1), p(r, 0.0)),
            revolute("wrist pin", Part::Body(1), Part::Body(2), p(r + rod, 0.0)),
            Joint::new(
                "slide",
                JointKind::Prismatic,
                [Part::Ground, Part::Body(2)],
                p(r + rod, 0.0),
                Vector3::x(),
            ),
        ],
        ..Default::default()
    };
    let sol = simulate(
        &mech,
        &MotionOptions {
            end_time: 0.25,
            output_step: 1e-4,
            tolerance: 1e-8,
        },
    )
    .unwrap();
    assert!(sol.kinematic);
    assert_eq!(sol.degrees_of_freedom, 0);
    let mut worst = [0.0f64; 3];
    for s in &sol.samples {
        let th = w * s.time;
        let (sn, cs) = th.sin_cos();
        let k = (l * l - r * r * sn * sn).sqrt();
        let x = r * cs + k;
        let dx = -r * sn - r * r * sn * cs / k;
        let ddx =
            -r * cs - r * r * (cs * cs - sn * sn) / k - r.powi(4) * sn * sn * cs * cs / k.powi(3);
        let slider = &s.bodies[2];
        worst[0] = worst[0].max((slider.position.x - x).abs() / r);
        worst[1] = worst[1].max((slider.velocity.x - dx * w).abs() / (r * w));
        worst[2] = worst[2].max((slider.acceleration.x - ddx * w * w).abs() / (r * w * w));
        assert!((s.joints[0].angle.unwrap() - th).abs() < 1e-9);
        assert!(s.position_violation < 1e-12);
    }
    assert!(
        worst.iter().all(|&e| e < 1e-9),
        "relative errors x, v, a: {worst:?}"
    );
    let (first, last) = (&sol.samples[0], sol.samples.last().unwrap());
    let scale = sol.samples.iter().map(|s| s.kinetic).fold(0.0, f64::max);
    assert!(
        last.energy_error(first).abs() < 1e-4 * scale,
        "{}",
        last.energy_error(first)
    );
}

/// A conservative four-bar (gravity only) swinging for 20 s: total energy stays within
/// 1e-6 of the energy exchanged between kinetic and potential at tolerance 1e-11, and
/// the drift falls as the tolerance is tightened.
#[test]
fn four_bar_conserves_energy_over_long_run() {
    let (a, b, c, d) = (p(0.0, 0.0), p(0.1, 0.25), p(0.4, 0.3), p(0.35, 0.0));
    let mid = |x: Point3<f64>, y: Point3<f64>| Point3::from((x.coords + y.coords) / 2.0);
    let bar = |name: &str, x, y, m: f64| {
        let len = nalgebra::distance(&x, &y);
        planar(name, m, mid(x, y), m * len * len / 12.0 + 1e-6)
    };
    let mech = Mechanism {
        bodies: vec![
            bar("crank", a, b, 1.0),
            bar("coupler", b, c, 1.5),
            bar("rocker", c, d, 1.2),
        ],
        joints: vec![
            revolute("A", Part::Ground, Part::Body(0), a),
            revolute("B", Part::Body(0), Part::Body(1), b),
            revolute("C", Part::Body(1), Part::Body(2), c),
            revolute("D", Part::Body(2), Part::Ground, d),
        ],
        gravity: Vector3::new(0.0, -9.81, 0.0),
        ..Default::default()
    };
    let run = |tolerance| {
        let sol = simulate(
            &mech,
            &MotionOptions {
                end_time: 20.0,
                output_step: 2e-3,
                tolerance,
            },
        )
        .unwrap();
        assert_eq!(sol.degrees_of_freedom, 1);
        let violation = sol
            .samples
            .iter()
            .map(|s| s.position_violation)
            .fold(0.0, f64::max);
        assert!(violation < 1e-12, "constraint violation {violation}");
        let first = &sol.samples[0];
        let exchanged = sol.samples.iter().map(|s| s.kinetic).fold(0.0, f64::max);
        let drift = sol
            .samples
            .iter()
            .map(|s| s.energy_error(first).abs())
            .fold(0.0, f64::max);
        (exchanged, drift)
    };
    let (exchanged, loose) = run(1e-8);
    let (_, tight) = run(1e-11);
    // Radau IIA damps slightly; the drift falls with the tolerance (measured 4.7e-4 J and
    // 6.6e-6 J of 14.3 J exchanged).
    assert!(exchanged > 10.0);
    assert!(tight < 1e-6 * exchanged, "drift {tight} J of {exchanged} J");
    assert!(
        tight < loose / 20.0,
        "drift does not fall with the tolerance: {loose} → {tight}"
    );
}
