//! Multibody verification: analytic pendulum period, slider-crank kinematics, Andrews'
//! squeezing mechanism against the IVP test set reference, energy conservation.

use nalgebra::{Matrix3, Point3, Vector3};
use std::f64::consts::PI;
mod common;
use common::andrews::{andrews, angles, planar, revolute, Q_REF, Z};
use vproto_solver::multibody::{
    simulate, Driver, Joint, JointKind, Mechanism, Motion, MotionOptions, MotionSolution, Part,
    RigidBody,
};

/// Simulates to `end_time` with samples every `output_step` at `tolerance`.
fn run(mech: &Mechanism, end_time: f64, output_step: f64, tolerance: f64) -> MotionSolution {
    simulate(
        mech,
        &MotionOptions {
            end_time,
            output_step,
            tolerance,
        },
    )
    .unwrap()
}

fn p(x: f64, y: f64) -> Point3<f64> {
    Point3::new(x, y, 0.0)
}

/// Crank (body 0, pivot at the origin), rod and slider on the x axis, crank radius `r`,
/// rod length `l`; the main bearing optionally driven.
fn slider_crank(r: f64, l: f64, crank: RigidBody, drive: Option<Driver>) -> Mechanism {
    let mut main = revolute("main", Part::Ground, Part::Body(0), p(0.0, 0.0));
    main.driver = drive;
    Mechanism {
        bodies: vec![
            crank,
            planar("rod", 0.8, p(r + l / 2.0, 0.0), 3e-3),
            planar("slider", 2.0, p(r + l, 0.0), 1e-3),
        ],
        joints: vec![
            main,
            revolute("crank pin", Part::Body(0), Part::Body(1), p(r, 0.0)),
            revolute("wrist pin", Part::Body(1), Part::Body(2), p(r + l, 0.0)),
            Joint::new(
                "slide",
                JointKind::Prismatic,
                [Part::Ground, Part::Body(2)],
                p(r + l, 0.0),
                Vector3::x(),
            ),
        ],
        ..Default::default()
    }
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
    let sol = run(&mech, 12.0, 1e-3, 1e-11);
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
    let q = angles(last);
    // Measured at tolerance 1e-11: errors about 1e-7 on β and Θ (15.8 rad), below 1e-8 on the rest.
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

/// Slider-crank driven at constant crank speed ω from θ₀ = 0.7 rad (kinematic analysis,
/// no freedom left): the mechanism is drawn at θ = 0 and assembled to θ₀ (consistent
/// initial conditions from an approximate pose); slider position, velocity and
/// acceleration against the closed form x = r cos θ + √(l² − r² sin² θ) and its
/// derivatives; the driver's work equals the kinetic energy gained (trapezoidal rule
/// over the samples).
#[test]
fn slider_crank_matches_closed_form_kinematics() {
    let (r, l, w, theta0) = (0.05, 0.2, 2.0 * PI * 5.0, 0.7);
    let drive = Driver::Rotation(Motion::new(move |t| [theta0 + w * t, w, 0.0]));
    let mech = slider_crank(
        r,
        l,
        planar("crank", 1.0, p(r / 2.0, 0.0), 1e-3),
        Some(drive),
    );
    let sol = run(&mech, 0.25, 1e-4, 1e-8);
    assert!(sol.kinematic);
    assert_eq!(sol.degrees_of_freedom, 0);
    let mut worst = [0.0f64; 3];
    for s in &sol.samples {
        let th = theta0 + w * s.time;
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
        let sol = run(&mech, 20.0, 2e-3, tolerance);
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

/// Cardan (universal) joint between shafts at β = 30°, input driven at constant speed:
/// the output angle follows tan θ₂ = cos β tan θ₁ and its speed
/// ω₂ = ω₁ cos β / (cos² θ₁ + cos² β sin² θ₁) (three equations of the universal joint are
/// redundant with the two shaft bearings and are dropped).
#[test]
fn universal_joint_follows_the_cardan_relation() {
    let beta = 30f64.to_radians();
    let w1 = 2.0 * PI;
    let d = Vector3::new(beta.cos(), beta.sin(), 0.0);
    let shaft = |name: &str, axis: Vector3<f64>| {
        let inertia = Matrix3::identity() * 1e-3 + axis * axis.transpose() * 1e-3;
        RigidBody::new(name, 1.0, Point3::from(0.2 * axis), inertia)
    };
    let mut cross = Joint::new(
        "cross",
        JointKind::Universal,
        [Part::Body(0), Part::Body(1)],
        p(0.0, 0.0),
        Z,
    );
    cross.reference = Some(Vector3::new(-beta.sin(), beta.cos(), 0.0));
    let mech = Mechanism {
        bodies: vec![shaft("input", -Vector3::x()), shaft("output", d)],
        joints: vec![
            Joint::new(
                "in_bearing",
                JointKind::Revolute,
                [Part::Ground, Part::Body(0)],
                p(0.0, 0.0),
                Vector3::x(),
            )
            .driven(Driver::Rotation(Motion::linear(w1))),
            Joint::new(
                "out_bearing",
                JointKind::Revolute,
                [Part::Ground, Part::Body(1)],
                p(0.0, 0.0),
                d,
            ),
            cross,
        ],
        ..Default::default()
    };
    let sol = run(&mech, 1.0, 1e-3, 1e-8);
    assert!(sol.kinematic, "dof {}", sol.degrees_of_freedom);
    for s in &sol.samples {
        let th1 = w1 * s.time;
        let th2 = s.joints[1].angle.unwrap();
        // Same quadrant, same tangent relation.
        assert!(
            (th2.sin() * th1.cos() - beta.cos() * th1.sin() * th2.cos()).abs() < 1e-9,
            "t = {}",
            s.time
        );
        assert!((th2 - th1).abs() < 0.2);
        let w2 = s.bodies[1].angular_velocity.dot(&d);
        let expect = w1 * beta.cos() / (th1.cos().powi(2) + beta.cos().powi(2) * th1.sin().powi(2));
        assert!(
            (w2 - expect).abs() < 1e-8 * w1,
            "t = {}: {w2} vs {expect}",
            s.time
        );
    }
}

/// Conical pendulum on a spherical joint: released with the speed of steady circular
/// motion, ω² = g / (L cos α), it keeps its height and goes round in 2π/ω.
#[test]
fn spherical_joint_conical_pendulum_keeps_its_circle() {
    let (l, alpha, g) = (1.0, 0.5f64, 9.81);
    let w = (g / (l * alpha.cos())).sqrt();
    let mut bob = planar("bob", 1.0, p(l * alpha.sin(), -l * alpha.cos()), 1e-7);
    bob.angular_velocity = Vector3::new(0.0, w, 0.0);
    bob.velocity = Vector3::new(0.0, w, 0.0).cross(&bob.center_of_mass.coords);
    let mech = Mechanism {
        bodies: vec![bob],
        joints: vec![Joint::new(
            "ball",
            JointKind::Spherical,
            [Part::Ground, Part::Body(0)],
            p(0.0, 0.0),
            Z,
        )],
        gravity: Vector3::new(0.0, -g, 0.0),
        ..Default::default()
    };
    let period = 2.0 * PI / w;
    let sol = run(&mech, 3.0 * period, period / 200.0, 1e-10);
    assert_eq!(sol.degrees_of_freedom, 3);
    for s in &sol.samples {
        let r = s.bodies[0].position;
        assert!(
            (r.y + l * alpha.cos()).abs() < 1e-6,
            "height at t = {}: {}",
            s.time,
            r.y
        );
        let phase = w * s.time;
        assert!(
            (r.x - l * alpha.sin() * phase.cos()).abs() < 1e-5,
            "x at t = {}",
            s.time
        );
        assert!(
            (r.z + l * alpha.sin() * phase.sin()).abs() < 1e-5,
            "z at t = {}",
            s.time
        );
    }
}

/// Torsion spring on a revolute joint: θ(t) = (ω₀/ωₙ) sin ωₙ t with ωₙ = √(k/I).
#[test]
fn torsion_spring_oscillates_at_its_natural_frequency() {
    let (k, i, w0) = (50.0f64, 0.02, 3.0);
    let wn = (k / i).sqrt();
    let mut disc = RigidBody::new(
        "disc",
        2.0,
        p(0.0, 0.0),
        Matrix3::from_diagonal(&Vector3::new(0.01, 0.01, i)),
    );
    disc.angular_velocity = Vector3::new(0.0, 0.0, w0);
    let mech = Mechanism {
        bodies: vec![disc],
        joints: vec![revolute("axle", Part::Ground, Part::Body(0), p(0.0, 0.0))],
        torsion_springs: vec![vproto_solver::multibody::TorsionSpring {
            name: "spring".into(),
            joint: 0,
            stiffness: k,
            damping: 0.0,
            free_angle: 0.0,
            preload: 0.0,
        }],
        ..Default::default()
    };
    let sol = run(&mech, 1.0, 1e-3, 1e-10);
    for s in &sol.samples {
        let expect = w0 / wn * (wn * s.time).sin();
        assert!(
            (s.joints[0].angle.unwrap() - expect).abs() < 1e-6,
            "t = {}",
            s.time
        );
    }
}

/// A carriage on a prismatic joint driven by s(t) = A sin Ωt carries a tool on a fixed
/// joint and a collar spinning freely on a cylindrical joint along the same axis. The
/// fixed joint transmits m_tool s̈, the collar keeps its spin and follows the slide.
#[test]
fn fixed_cylindrical_and_translation_driver() {
    let (amp, om, spin) = (0.05, 4.0, 7.0);
    let inertia = Matrix3::identity() * 1e-3;
    let mut collar = RigidBody::new("collar", 0.5, p(0.0, 0.0), inertia);
    collar.angular_velocity = Vector3::new(spin, 0.0, 0.0);
    let mech = Mechanism {
        bodies: vec![
            RigidBody::new("carriage", 3.0, p(0.0, 0.1), inertia),
            RigidBody::new("tool", 0.8, p(0.05, 0.15), inertia),
            collar,
        ],
        joints: vec![
            Joint::new(
                "rail",
                JointKind::Prismatic,
                [Part::Ground, Part::Body(0)],
                p(0.0, 0.1),
                Vector3::x(),
            )
            .driven(Driver::Translation(Motion::new(move |t| {
                [
                    amp * (om * t).sin(),
                    amp * om * (om * t).cos(),
                    -amp * om * om * (om * t).sin(),
                ]
            }))),
            Joint::new(
                "clamp",
                JointKind::Fixed,
                [Part::Body(0), Part::Body(1)],
                p(0.0, 0.1),
                Z,
            ),
            Joint::new(
                "sleeve",
                JointKind::Cylindrical,
                [Part::Body(0), Part::Body(2)],
                p(0.0, 0.0),
                Vector3::x(),
            ),
        ],
        ..Default::default()
    };
    let sol = run(&mech, 2.0, 1e-3, 1e-10);
    assert_eq!(
        sol.degrees_of_freedom, 2,
        "collar: spin and slide along the carriage"
    );
    for s in &sol.samples {
        let acc = -amp * om * om * (om * s.time).sin();
        assert!((s.joints[0].slide.unwrap() - amp * (om * s.time).sin()).abs() < 1e-10);
        assert!(
            (s.joints[1].force - Vector3::new(0.8 * acc, 0.0, 0.0)).norm() < 1e-6,
            "t = {}",
            s.time
        );
        // No axial force on the collar: it stays where it was in space, and spins on.
        assert!(
            (s.bodies[2].position.x).abs() < 1e-6,
            "collar drifts at t = {}",
            s.time
        );
        // Index-3 velocities carry the integrator's (lower-order) velocity error.
        assert!(
            (s.bodies[2].angular_velocity.x - spin).abs() < 1e-5 * spin,
            "t = {}: {:?}",
            s.time,
            s.bodies[2].angular_velocity
        );
    }
}

/// A free-running slider-crank with a flywheel passes through its dead centres (where a
/// driven slider would lose control of the crank) again and again, conserving energy.
#[test]
fn free_slider_crank_runs_through_dead_centres() {
    let (r, l) = (0.05, 0.2);
    let mut flywheel = planar("flywheel", 5.0, p(0.0, 0.0), 0.02);
    flywheel.angular_velocity = Vector3::new(0.0, 0.0, 20.0);
    let mech = slider_crank(r, l, flywheel, None);
    let sol = run(&mech, 3.0, 1e-3, 1e-10);
    let turns = sol.samples.last().unwrap().joints[0].angle.unwrap() / (2.0 * PI);
    assert!(turns > 8.0, "{turns} turns");
    let first = &sol.samples[0];
    let drift = sol
        .samples
        .iter()
        .map(|s| s.energy_error(first).abs())
        .fold(0.0, f64::max);
    assert!(
        drift < 1e-6 * first.kinetic,
        "energy drift {drift} of {}",
        first.kinetic
    );
}
