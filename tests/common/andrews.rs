//! Andrews' squeezing mechanism (7 bodies, index-3 DAE) built from vproto's rigid bodies
//! and revolute joints, with the IVP test set's reference solution. Shared by the
//! verification test and the bench (`#[path]`-included there).
#![allow(dead_code)]

use nalgebra::{Matrix3, Point3, Vector3};
use vproto_solver::multibody::{
    AppliedLoad, Joint, JointKind, Mechanism, Motion, Part, RigidBody, SpringDamper,
};

pub const Z: Vector3<f64> = Vector3::new(0.0, 0.0, 1.0);

pub fn revolute(name: &str, a: Part, b: Part, at: Point3<f64>) -> Joint {
    Joint::new(name, JointKind::Revolute, [a, b], at, Z)
}

/// A planar body with polar moment `i` (out-of-plane moments chosen physical).
pub fn planar(name: &str, mass: f64, at: Point3<f64>, i: f64) -> RigidBody {
    RigidBody::new(
        name,
        mass,
        at,
        Matrix3::from_diagonal(&Vector3::new(i, i, i)),
    )
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
#[allow(clippy::excessive_precision)]
pub const Q0: [f64; 7] = [
    -0.0617138900142764496358948458001,
    0.0,
    0.455279819163070380255912382449,
    0.222668390165885884674473185609,
    0.487364979543842550225598953530,
    -0.222668390165885884674473185609,
    1.23054744454982119249735015568,
];
/// Reference angles at t = 0.03 (PSIDE at tolerance 1e-14 on a Cray C90).
#[allow(clippy::excessive_precision)]
pub const Q_REF: [f64; 7] = [
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
pub fn andrews() -> Mechanism {
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

/// The test set's seven angles (β, Θ, γ, Φ, δ, Ω, ε) from the joint rotations of a sample.
pub fn angles(sample: &vproto_solver::multibody::Sample) -> [f64; 7] {
    let joint = |j: usize| sample.joints[j].angle.unwrap();
    [
        Q0[0] + joint(0),
        Q0[1] + joint(1),
        Q0[2] + joint(5),
        Q0[3] + joint(6),
        Q0[4] + joint(7),
        Q0[5] + joint(8),
        Q0[6] + joint(9),
    ]
}
