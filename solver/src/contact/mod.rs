//! Contact between faces of parts: frictionless or Coulomb friction, finite or small
//! sliding.
//!
//! The interface is discretised as a tie is ([`crate::tie`]): by the dual mortar
//! integrals of the slave faces against the master faces. Each slave node (after the
//! quadratic transformation, each transformed node) is one contact point with its
//! area D_j, its normal n_j and the relative displacement of the slave against the
//! master surface there, Σ c_k u_k (c = 1 on the node, −M_jl/D_j on the master nodes).
//! The forces it hands over are therefore the mortar ones: a uniform pressure crosses a
//! flat non-matching interface exactly (the contact patch test), which node-to-surface
//! contact does not do.
//!
//! Enforcement: penalty pressure p = ⟨λ − ε g⟩ with augmented-Lagrangian updates of λ
//! (Uzawa) until the largest penetration is below a tolerance, so the answer does not
//! depend on the penalty (hard contact); or soft contact, a linear pressure–overclosure
//! law p = k ⟨−g⟩ whose stiffness is physics (CalculiX's `LINEAR`), not augmented;
//! friction by an elastic stick and an exact return to the
//! Coulomb cone |τ| ≤ μ p. The stick stiffness is μ p / γ, the elastic slip γ at the
//! cone 1e-4 of the faces' size by default: stiff enough that the answer is that of a
//! rigid stick (a clamped workpiece's face deflection moved 0.3 % from γ = 1e-4 h to
//! 1e-5 h, but 6× with Abaqus's default 5e-3 h), soft enough, with a stick predictor
//! for the first iteration, that micro-slip converges. The tangent's non-symmetric parts (the friction's change
//! with the pressure) are left out to keep the Cholesky factor: Newton then converges
//! linearly where friction acts, quadratically elsewhere.
//!
//! Finite sliding (the default, as in Abaqus and CalculiX) pairs the surfaces again in
//! their current configuration ([`sliding`]): at each increment's start and after each
//! converged Newton phase, until the pairing no longer moves. Small sliding keeps the
//! pairing and normals of the undeformed surfaces (tangential motion small against a
//! face, rotations small). Parts held only by contact are stabilised by a small
//! spring on each point's relative motion within an increment; its work is reported
//! against the strain energy and a run in which it carries a real share of the load is
//! stopped (the part is not held).

use crate::error::{Result, SolverError};
use crate::mesh::{FaceRef, Mesh};
use nalgebra::{Matrix3, Vector3};
use std::collections::HashMap;

/// A contact pair as the user gives it.
#[derive(Clone, Debug)]
pub struct Contact {
    pub name: String,
    pub slave: Vec<FaceRef>,
    pub master: Vec<FaceRef>,
    /// Coulomb's coefficient (0: frictionless).
    pub friction: f64,
    /// Normal penalty stiffness (Pa/m) of hard contact; `None`: 10 E / h of the stiffer
    /// side's modulus and the slave faces' size.
    pub penalty: Option<f64>,
    /// Soft contact: a linear pressure–overclosure law p = k × overclosure (Pa/m), the
    /// surfaces overlapping by p / k, as CalculiX's `LINEAR` law; `None`: hard contact,
    /// enforced exactly.
    pub normal_stiffness: Option<f64>,
    /// Master faces farther than this from a slave face are not paired (m); `None`:
    /// each master face's diagonal.
    pub search_distance: Option<f64>,
    /// The elastic slip at the friction limit (m); `None`: 1e-4 of the slave faces' size.
    pub elastic_slip: Option<f64>,
    /// A constant stick stiffness (Pa/m, CalculiX's stick slope) instead of μ p / γ.
    pub stick_slope: Option<f64>,
    /// Initial penetrations are an interference (a press fit) to be pushed out; false:
    /// one beyond 1 % of the face size is an error.
    pub interference: bool,
    pub sliding: Sliding,
}

/// Whether the pairing follows the surfaces as they move.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Sliding {
    /// Paired again in the current configuration, with current normals.
    #[default]
    Finite,
    /// Paired once, in the undeformed configuration.
    Small,
}

/// One contact point: where it is reported, its area and normal, and the weights of its
/// relative displacement (slave nodes positive, master nodes negative).
#[derive(Clone, Debug)]
pub struct Point {
    pub node: usize,
    pub area: f64,
    pub normal: Vector3<f64>,
    pub terms: Vec<(usize, f64)>,
    /// The undeformed gap along the normal (m), negative where the surfaces overlap.
    pub gap0: f64,
}

/// A contact pair ready to evaluate.
#[derive(Clone, Debug)]
pub struct Interface {
    pub name: String,
    /// The points of the current pairing.
    pub points: Vec<Point>,
    /// The surfaces and search distance the points are paired from.
    pub slave: Vec<FaceRef>,
    pub master: Vec<FaceRef>,
    pub search_distance: Option<f64>,
    pub sliding: Sliding,
    /// Where normals and areas are measured when the pairing follows the surfaces:
    /// on the undeformed surface (small strain), or `None` on the current one (large
    /// deformation: the normals rotate with the surface).
    pub undeformed: Option<Undeformed>,
    pub friction: f64,
    /// Normal penalty (Pa/m), or the soft law's stiffness.
    pub penalty: f64,
    /// The penalty is the law (soft contact): no augmentations.
    pub soft: bool,
    /// The elastic slip at the friction limit (m).
    pub elastic_slip: f64,
    /// A constant stick stiffness (Pa/m), if given, instead of μ p / γ.
    pub stick_slope: Option<f64>,
    /// Gaps up to this count as touching (m): closed, with no pressure yet.
    pub touch: f64,
    /// The slave faces' size (m).
    pub size: f64,
    /// Augmentations stop when no point's pressure differs from its multiplier by more
    /// than this × the largest pressure (a penetration of this × the largest pressure's
    /// penalty penetration).
    pub tolerance: f64,
}

/// Augmentations stop when no multiplier moves by more than this share of the largest
/// pressure: the relative resolution of every contact solution (CalculiX's penalty
/// leaves penetrations of 1e-6 m; this leaves 1e-3 of the penalty's).
pub const MULTIPLIER_TOLERANCE: f64 = 1e-3;

/// Open, sticking or slipping (closed frictionless points slip).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Status {
    #[default]
    Open,
    Stick,
    Slip,
}

/// A contact point's state: pressure (Pa), gap (m), friction stress on the slave (Pa),
/// relative displacement (m), its tangential part (the slip since the start, m) and
/// status; `multiplier` is the augmented pressure λ.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct PointState {
    pub multiplier: f64,
    pub pressure: f64,
    pub gap: f64,
    pub shear: Vector3<f64>,
    pub relative: Vector3<f64>,
    pub slip: Vector3<f64>,
    pub status: Status,
}

impl PointState {
    /// |τ| / (μ p): 1 where the point slips, 0 where it is open or frictionless. (A
    /// sticking point's bound is μ λ, which the augmentations bring to μ p only to their
    /// tolerance: a ratio past 1 there is a point on the verge of slip, 1.)
    pub fn utilisation(&self, friction: f64) -> f64 {
        match self.status {
            Status::Slip if friction > 0.0 => 1.0,
            _ if self.pressure > 0.0 && friction > 0.0 => {
                (self.shear.norm() / (friction * self.pressure)).min(1.0)
            }
            _ => 0.0,
        }
    }
}

impl Interface {
    /// Pairs the slave faces with the master faces. `modulus`: Young's modulus of the
    /// stiffer side (for the default penalty).
    pub fn new(mesh: &Mesh, contact: &Contact, modulus: f64) -> Result<Self> {
        check(mesh, contact)?;
        let surfaces = (&contact.slave[..], &contact.master[..]);
        let (points, areas) = points(mesh, mesh, surfaces, (contact.search_distance, None));
        let undeformed = Undeformed {
            normals: slave_normals(mesh, &contact.slave),
            areas,
        };
        if points.is_empty() {
            let mut slave: Vec<usize> = contact
                .slave
                .iter()
                .flat_map(|&f| mesh.face_nodes(f))
                .collect();
            slave.sort_unstable();
            slave.dedup();
            let (n, d) = crate::tie::nearest_slave(mesh, &slave, &contact.master);
            return Err(SolverError::Mesh(format!(
                "contact '{}': no slave face comes within the search distance of the master surface; the closest slave node, {}, is {d:.3e} m away (are the surfaces the right ones, facing each other?)",
                contact.name,
                mesh.node_label(n)
            )));
        }
        let area: f64 = points.iter().map(|p| p.area).sum();
        let h = (area / contact.slave.len() as f64).sqrt();
        let interface = Self {
            name: contact.name.clone(),
            points,
            slave: contact.slave.clone(),
            master: contact.master.clone(),
            search_distance: contact.search_distance,
            sliding: contact.sliding,
            undeformed: Some(undeformed),
            friction: contact.friction,
            penalty: contact
                .normal_stiffness
                .or(contact.penalty)
                .unwrap_or(10.0 * modulus / h),
            soft: contact.normal_stiffness.is_some(),
            elastic_slip: contact.elastic_slip.unwrap_or(1e-4 * h),
            stick_slope: contact.stick_slope,
            tolerance: MULTIPLIER_TOLERANCE,
            touch: 1e-8 * h,
            size: h,
        };
        if !contact.interference {
            interface.refuse_penetration(mesh, 0.01 * h)?;
        }
        Ok(interface)
    }

    /// An error naming the deepest initial penetration beyond `limit`.
    fn refuse_penetration(&self, mesh: &Mesh, limit: f64) -> Result<()> {
        let deepest = self.points.iter().min_by(|a, b| a.gap0.total_cmp(&b.gap0));
        match deepest {
            Some(p) if p.gap0 < -limit => {
                let x = mesh.nodes[p.node];
                let count = self.points.iter().filter(|q| q.gap0 < -limit).count();
                Err(SolverError::Mesh(format!(
                    "contact '{}': {count} slave nodes start inside the master surface, the deepest, node {} at ({:.6e}, {:.6e}, {:.6e}) m, by {:.3e} m (more than 1 % of the face size, {limit:.3e} m); move the parts apart, or declare an interference fit (interference = true)",
                    self.name,
                    mesh.node_label(p.node),
                    x.x,
                    x.y,
                    x.z,
                    -p.gap0
                )))
            }
            _ => Ok(()),
        }
    }

    /// Every point's trial state at displacement `u` from its committed state, with the
    /// multipliers `lambda`; its forces are added to the internal forces `f` (3 per
    /// node), and `stiffness` (Pa/m) of stabilisation on the relative motion since the
    /// committed state.
    pub fn evaluate(
        &self,
        u: &[f64],
        committed: &[PointState],
        lambda: &[f64],
        stiffness: f64,
        f: &mut [f64],
    ) -> Vec<PointState> {
        let mut out = Vec::with_capacity(self.points.len());
        for ((p, old), &l) in self.points.iter().zip(committed).zip(lambda) {
            let s = self.point(p, u, old, l);
            let step = s.relative - old.relative;
            let held = stiffness * self.stabilised(p, &s) * step;
            let q = p.area * (s.shear - s.pressure * p.normal - held);
            for &(k, c) in &p.terms {
                for i in 0..3 {
                    f[3 * k + i] -= c * q[i];
                }
            }
            out.push(s);
        }
        out
    }

    fn point(&self, p: &Point, u: &[f64], old: &PointState, lambda: f64) -> PointState {
        let relative = p.relative(u);
        let gap = p.gap0 - p.normal.dot(&relative);
        // Touching (a gap within round-off) counts as closed, so that a part resting
        // on another is held from the first iteration.
        let pressure = (lambda - self.penalty * gap).max(0.0);
        let tangential = tangent_projector(&p.normal);
        let mut s = PointState {
            multiplier: lambda,
            pressure,
            gap,
            relative,
            slip: old.slip + tangential * (relative - old.relative),
            ..Default::default()
        };
        // Touching without pressure counts as closed only before the point has moved
        // in the increment (its first iteration): later its tangent would not match
        // its forces.
        let unmoved = relative == old.relative;
        if pressure == 0.0 && !(unmoved && gap <= self.touch) {
            return s;
        }
        let trial = self.trial(p, old, &relative, (lambda, pressure));
        // Coulomb's bound on the multiplier, as the stick stiffness: fixed through a
        // Newton phase, so the slip tangent is exact (symmetric) and each phase converges
        // quadratically; the augmentations bring λ to the pressure (to the tolerance).
        let limit = self.friction * if lambda > 0.0 { lambda } else { pressure };
        (s.shear, s.status) = if trial.norm() <= limit && self.friction > 0.0 {
            (trial, Status::Stick)
        } else {
            (
                trial.try_normalize(0.0).unwrap_or_default() * limit,
                Status::Slip,
            )
        };
        s
    }

    /// The directions the stabilisation acts in at a point: those the contact itself
    /// does not hold (all where it is open, the tangential ones where it is closed and
    /// frictionless), as a projector.
    pub fn stabilised(&self, p: &Point, s: &PointState) -> Matrix3<f64> {
        match s.status {
            Status::Open => Matrix3::identity(),
            _ if self.friction == 0.0 => tangent_projector(&p.normal),
            _ => Matrix3::zeros(),
        }
    }

    /// The 3 × 3 block A of a point's tangent (per unit c_k c_l: K_kl = c_k c_l A).
    pub fn block(
        &self,
        p: &Point,
        old: &PointState,
        s: &PointState,
        stiffness: f64,
    ) -> Matrix3<f64> {
        let mut a = self.stabilised(p, s) * stiffness;
        if s.status != Status::Open {
            let n = p.normal;
            a += self.penalty * n * n.transpose();
            let tangential = tangent_projector(&n);
            match s.status {
                // Touching without pressure yet (the first iteration), the stick
                // stiffness of a pressure to come: a tangent of the right size, so the
                // first correction does not slide the part off (the forces stay exact).
                Status::Stick if s.pressure == 0.0 => {
                    a += self.stick_slope.unwrap_or(1e-3 * self.penalty) * tangential
                }
                Status::Stick => a += self.stick(s.multiplier, s.pressure) * tangential,
                Status::Slip if self.friction > 0.0 => {
                    let trial = self.trial(p, old, &s.relative, (s.multiplier, s.pressure));
                    let t = s.shear.try_normalize(0.0).unwrap_or_default();
                    let norm = trial.norm().max(f64::MIN_POSITIVE);
                    a += self.stick(s.multiplier, s.pressure) * s.shear.norm() / norm
                        * (tangential - t * t.transpose());
                }
                _ => {}
            }
        }
        a * p.area
    }

    /// The stick stiffness (Pa/m): the stick slope if given, else μ p / γ, with p the
    /// multiplier λ once there is one (fixed through a Newton phase, so the stick's
    /// tangent is exact) and else the pressure.
    fn stick(&self, lambda: f64, pressure: f64) -> f64 {
        if let Some(k) = self.stick_slope {
            return k;
        }
        let p = if lambda > 0.0 { lambda } else { pressure };
        self.friction * p / self.elastic_slip
    }

    /// The friction stress on the slave if the point sticks: the committed one plus the
    /// stick stiffness × the tangential relative motion since.
    fn trial(
        &self,
        p: &Point,
        old: &PointState,
        relative: &Vector3<f64>,
        (lambda, pressure): (f64, f64),
    ) -> Vector3<f64> {
        let k = self.stick(lambda, pressure);
        tangent_projector(&p.normal) * (old.shear - k * (relative - old.relative))
    }

    /// New multipliers (the points' pressures) while some point's pressure differs from
    /// its multiplier by more than the tolerance (it penetrates, or an open point still
    /// holds a multiplier); `None` when none does.
    pub fn augment(&self, states: &[PointState]) -> Option<Vec<f64>> {
        if self.soft {
            return None;
        }
        let off = states
            .iter()
            .map(|s| (s.pressure - s.multiplier).abs())
            .fold(0.0, f64::max);
        let largest = states.iter().map(|s| s.pressure).fold(0.0, f64::max);
        (off > self.tolerance * largest).then(|| states.iter().map(|s| s.pressure).collect())
    }

    /// The node pairs the interface couples (each point's nodes), for the stiffness
    /// pattern and for the parts it joins.
    pub fn cliques(&self) -> impl Iterator<Item = Vec<usize>> + '_ {
        self.points
            .iter()
            .map(|p| p.terms.iter().map(|t| t.0).collect())
    }
}

/// Refuses a friction coefficient out of range, an empty surface, a face on both
/// surfaces, a penalty or elastic slip that is no positive number.
fn check(mesh: &Mesh, contact: &Contact) -> Result<()> {
    let bad = |why: String| {
        Err(SolverError::Mesh(format!(
            "contact '{}': {why}",
            contact.name
        )))
    };
    if !(0.0..=2.0).contains(&contact.friction) {
        return bad(format!(
            "the friction coefficient {} is out of range [0, 2]",
            contact.friction
        ));
    }
    if contact.slave.is_empty() || contact.master.is_empty() {
        return bad("a surface is empty".into());
    }
    if let Some(f) = contact.slave.iter().find(|f| contact.master.contains(f)) {
        return bad(format!(
            "face {} of element {} is on both the slave and the master surface",
            f.face,
            mesh.element_label(f.element)
        ));
    }
    if let (Some(_), Some(_)) = (contact.penalty, contact.normal_stiffness) {
        return bad("soft contact (normal_stiffness) has no penalty: give one of them".into());
    }
    if let (Some(_), Some(_)) = (contact.elastic_slip, contact.stick_slope) {
        return bad("give the stick's compliance once: elastic_slip or stick_slope".into());
    }
    for (key, v) in [
        ("penalty", contact.penalty),
        ("normal_stiffness", contact.normal_stiffness),
        ("elastic_slip", contact.elastic_slip),
        ("stick_slope", contact.stick_slope),
    ] {
        if let Some(v) = v.filter(|v| !(v.is_finite() && *v > 0.0)) {
            return bad(format!("the {key} {v} must be a positive number"));
        }
    }
    Ok(())
}

/// One point per slave node the master surface covers (in part: its covered share),
/// from the mortar rows of the surfaces as they are in `at` (the mesh or its current
/// configuration), sorted by node; gaps measured from the undeformed `mesh`.
/// With `undeformed` (small strain), each point's normal and full area are the
/// undeformed slave surface's, its covered share the current one; else all are
/// measured in `at`. Also each slave node's full area D_j in `at`.
fn points(
    mesh: &Mesh,
    at: &Mesh,
    (slave, master): (&[FaceRef], &[FaceRef]),
    (search_distance, undeformed): (Option<f64>, Option<&Undeformed>),
) -> (Vec<Point>, HashMap<usize, f64>) {
    let reach = |diagonal: f64| search_distance.unwrap_or(diagonal);
    let pairing = crate::tie::pairing(at, slave, master, &reach);
    let current = match undeformed {
        None => Some(slave_normals(at, slave)),
        Some(_) => None,
    };
    let mut points = Vec::new();
    for (&node, row) in &pairing.m {
        // In node order, so sums do not depend on the map's order: a run is repeatable
        // to the last bit (contact status decisions amplify round-off).
        let mut row: Vec<(usize, f64)> = row.iter().map(|(&l, &v)| (l, v)).collect();
        row.sort_unstable_by_key(|t| t.0);
        let covered: f64 = row.iter().map(|t| t.1).sum();
        let full = pairing.d[&node];
        if covered <= 1e-6 * full || covered <= 0.0 {
            continue;
        }
        let mut terms = pairing.slave_terms(node);
        terms.extend(row.iter().map(|&(l, v)| (l, -v / covered)));
        let (normal, area) = match (&current, undeformed) {
            (Some(n), _) => (n[&node], covered),
            (None, Some(u)) => (u.normals[&node], covered / full * u.areas[&node]),
            (None, None) => unreachable!("normals are current or undeformed"),
        };
        let x: Vector3<f64> = terms.iter().map(|&(k, c)| c * mesh.nodes[k]).sum();
        points.push(Point {
            node,
            area,
            normal,
            terms,
            gap0: -normal.dot(&x),
        });
    }
    points.sort_by_key(|p| p.node);
    (points, pairing.d)
}

/// The undeformed slave surface's normals and full areas D_j, by node: what a
/// small-strain analysis measures contact on wherever the surfaces have slid to.
#[derive(Clone, Debug, Default)]
pub struct Undeformed {
    normals: HashMap<usize, Vector3<f64>>,
    areas: HashMap<usize, f64>,
}

/// I − n nᵀ.
fn tangent_projector(n: &Vector3<f64>) -> Matrix3<f64> {
    Matrix3::identity() - n * n.transpose()
}

/// The outward normal at each slave node: the mean of its faces' normals at their
/// centres, weighted by their areas.
fn slave_normals(mesh: &Mesh, faces: &[FaceRef]) -> HashMap<usize, Vector3<f64>> {
    let mut sum: HashMap<usize, Vector3<f64>> = HashMap::new();
    for &f in faces {
        let nodes = mesh.face_nodes(f);
        let kind = mesh.element(f.element).0.face_kind();
        let c = kind.corner_count();
        let x: Vec<Vector3<f64>> = nodes[..c].iter().map(|&n| mesh.nodes[n]).collect();
        // Twice the area vector of the corner polygon (fan from the first corner).
        let area: Vector3<f64> = (1..c - 1)
            .map(|i| (x[i] - x[0]).cross(&(x[i + 1] - x[0])))
            .sum();
        for n in nodes {
            *sum.entry(n).or_default() += area;
        }
    }
    sum.into_iter()
        .map(|(n, v)| (n, v.try_normalize(0.0).unwrap_or_default()))
        .collect()
}

/// A contact pair's result: each point's node and state.
#[derive(Clone, Debug)]
pub struct ContactResult {
    pub name: String,
    pub friction: f64,
    pub nodes: Vec<usize>,
    /// Each point's area (m²).
    pub areas: Vec<f64>,
    pub states: Vec<PointState>,
}

impl Point {
    /// The relative displacement Σ c_k u_k of the slave against the master surface.
    pub fn relative(&self, u: &[f64]) -> Vector3<f64> {
        self.terms
            .iter()
            .map(|&(k, c)| c * Vector3::new(u[3 * k], u[3 * k + 1], u[3 * k + 2]))
            .sum()
    }
}

pub mod sliding;
#[cfg(test)]
mod tests;
