//! Contact results of a nonlinear load case: nodal fields at the slave nodes (NaN at
//! every other node — a criterion on a set with such a node cannot decide there and
//! says so), and the figures of its summary.

use crate::results::{Field, Quantity, Scalar, Shape};
use crate::units::{node_place, sig};
use vproto_solver::contact::{ContactResult, Status};
use vproto_solver::Mesh;

/// Pressure (Pa), gap (m, negative: penetration), slip (the tangential relative
/// displacement, m), friction stress on the slave (Pa), |τ| / μp, the status (0 open,
/// 1 stick, 2 slip), and the point's forces — normal (N), friction (N) and its limit
/// μ p A (N), which the fixture criteria sum over a locator — at every contact point's
/// node; none without contact pairs.
pub fn fields(nodes: usize, pairs: &[ContactResult]) -> Vec<Field> {
    if pairs.is_empty() {
        return Vec::new();
    }
    let mut scalar = [(); 6].map(|_| vec![f64::NAN; nodes]);
    let mut vector = [(); 3].map(|_| vec![f64::NAN; 3 * nodes]);
    for pair in pairs {
        for ((&n, s), a) in pair.nodes.iter().zip(&pair.states).zip(&pair.areas) {
            let status = match s.status {
                Status::Open => 0.0,
                Status::Stick => 1.0,
                Status::Slip => 2.0,
            };
            let values = [
                s.pressure,
                s.gap,
                s.utilisation(pair.friction),
                status,
                s.pressure * a,
                pair.friction * s.pressure * a,
            ];
            for (f, v) in scalar.iter_mut().zip(values) {
                f[n] = v;
            }
            for c in 0..3 {
                vector[0][3 * n + c] = s.slip[c];
                vector[1][3 * n + c] = s.shear[c];
                vector[2][3 * n + c] = s.shear[c] * a;
            }
        }
    }
    let [pressure, gap, utilisation, status, normal, limit] = scalar;
    let [slip, shear, friction] = vector;
    vec![
        Field::nodal(
            "contact_pressure",
            Shape::Scalar,
            Quantity::Stress,
            pressure,
        ),
        Field::nodal("contact_gap", Shape::Scalar, Quantity::Displacement, gap),
        Field::nodal("contact_slip", Shape::Vector, Quantity::Displacement, slip),
        Field::nodal("friction_stress", Shape::Vector, Quantity::Stress, shear),
        Field::nodal(
            "friction_utilisation",
            Shape::Scalar,
            Quantity::Fraction,
            utilisation,
        ),
        Field::nodal("contact_status", Shape::Scalar, Quantity::Number, status),
        Field::nodal(
            "contact_normal_force",
            Shape::Scalar,
            Quantity::Force,
            normal,
        ),
        Field::nodal("friction_force", Shape::Vector, Quantity::Force, friction),
        Field::nodal("friction_limit", Shape::Scalar, Quantity::Force, limit),
    ]
}

/// Every pair's points counted once for the headline and the summary.
struct Tally {
    points: usize,
    closed: usize,
    slipping: usize,
    /// The node and value of the largest pressure.
    top: (usize, f64),
    /// The deepest penetration (m).
    depth: f64,
}

impl Tally {
    fn of(pairs: &[ContactResult]) -> Option<Self> {
        let top = largest(pairs, |s| s.pressure)?;
        let all = || pairs.iter().flat_map(|p| &p.states);
        Some(Self {
            points: all().count(),
            closed: all().filter(|s| s.status != Status::Open).count(),
            slipping: all().filter(|s| s.status == Status::Slip).count(),
            top,
            depth: all().map(|s| -s.gap).fold(0.0, f64::max),
        })
    }
}

/// "contact: 40 of 52 points closed (12 slipping), max pressure … at …, deepest
/// penetration … m", or nothing without contact pairs.
pub fn headline(mesh: &Mesh, pairs: &[ContactResult]) -> String {
    let Some(t) = Tally::of(pairs) else {
        return String::new();
    };
    format!(
        "; contact: {} of {} points closed ({} slipping), max pressure {} Pa at {}, deepest penetration {} m",
        t.closed,
        t.points,
        t.slipping,
        sig(t.top.1),
        node_place(mesh, t.top.0),
        sig(t.depth)
    )
}

/// The summary's contact figures: closed points, largest pressure, deepest
/// penetration, and the stabilisation's share of the internal work when it was on.
pub fn scalars(pairs: &[ContactResult], stabilisation: Option<(f64, f64)>) -> Vec<Scalar> {
    let Some(t) = Tally::of(pairs) else {
        return Vec::new();
    };
    let mut out = vec![
        Scalar::new("contact_points", t.points as f64, Quantity::Number),
        Scalar::new("contact_points_closed", t.closed as f64, Quantity::Number),
        Scalar::new("max_contact_pressure", t.top.1.max(0.0), Quantity::Stress),
        Scalar::new("max_penetration", t.depth, Quantity::Displacement),
        // What the answer is converged to: `vproto regress` compares no finer.
        Scalar::new(
            crate::results::RESOLUTION,
            vproto_solver::contact::MULTIPLIER_TOLERANCE,
            Quantity::Fraction,
        ),
    ];
    if let Some((spent, work)) = stabilisation {
        let share = if work > 0.0 { spent / work } else { 0.0 };
        out.push(Scalar::new(
            "stabilisation_energy_share",
            share,
            Quantity::Fraction,
        ));
    }
    out
}

/// The node and value where `f` is largest over every pair's points.
fn largest(
    pairs: &[ContactResult],
    f: impl Fn(&vproto_solver::contact::PointState) -> f64,
) -> Option<(usize, f64)> {
    pairs
        .iter()
        .flat_map(|p| p.nodes.iter().copied().zip(p.states.iter().map(&f)))
        .max_by(|a, b| a.1.total_cmp(&b.1))
}
