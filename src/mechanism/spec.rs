//! The translation of `[mechanism]` ([`crate::schema::mechanism`]) into the solver's [`Mechanism`]:
//! names resolved (file:line errors), mass properties from mesh regions, drive and
//! scale expressions of `t` with exact derivatives.

use crate::case::Case;
use crate::expr::Expr;
use crate::model::Part as FePart;
use crate::schema::mechanism::*;
use anyhow::{anyhow, bail, Result};
use nalgebra::{Matrix3, Point3, Vector3};
use vproto_solver::coupling::mass_properties;
use vproto_solver::multibody::{
    AppliedLoad, Driver, Joint, JointKind, Mechanism, Motion, Part, RigidBody, SpringDamper,
    TorsionSpring,
};

fn vec3(a: [f64; 3]) -> Vector3<f64> {
    Vector3::from(a)
}

/// A motion from an expression of `t`, with exact derivatives.
fn motion(at: &dyn Fn() -> String, text: &str) -> Result<Motion> {
    let e =
        Expr::parse(text, &["t"]).map_err(|err| anyhow!("{}: expression '{text}': {err}", at()))?;
    Ok(Motion::new(move |t| e.jet(&[t], 0)))
}

/// Rejects names that cannot name an HDF5 group or a history path, or that repeat.
fn check_names<'a>(
    case: &Case,
    what: &str,
    items: impl Iterator<Item = (&'a str, std::ops::Range<usize>)>,
) -> Result<()> {
    let mut seen = std::collections::BTreeSet::new();
    for (name, span) in items {
        let ok = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c));
        if !ok {
            bail!(
                "{}: {what} name '{name}' may only use letters, digits, '_', '-' and '.'",
                case.at(span)
            );
        }
        if !seen.insert(name) || (what == "body" && name == "ground") {
            bail!(
                "{}: {what} name '{name}' is used twice (or reserved)",
                case.at(span)
            );
        }
    }
    Ok(())
}

pub(super) fn build(case: &Case, spec: &MechanismSpec, part: Option<&FePart>) -> Result<Mechanism> {
    check_names(
        case,
        "body",
        spec.body
            .iter()
            .map(|b| (b.get_ref().name.as_str(), b.span())),
    )?;
    check_names(
        case,
        "joint",
        spec.joint
            .iter()
            .map(|b| (b.get_ref().name.as_str(), b.span())),
    )?;
    check_names(
        case,
        "spring",
        spec.spring
            .iter()
            .map(|b| (b.get_ref().name.as_str(), b.span())),
    )?;
    let names: Vec<&str> = spec
        .body
        .iter()
        .map(|b| b.get_ref().name.as_str())
        .collect();
    let part_of = |name: &str, at: &dyn Fn() -> String| -> Result<Part> {
        if name == "ground" {
            return Ok(Part::Ground);
        }
        names
            .iter()
            .position(|n| *n == name)
            .map(Part::Body)
            .ok_or_else(|| {
                anyhow!(
                    "{}: unknown body '{name}'; bodies: ground, {}",
                    at(),
                    names.join(", ")
                )
            })
    };
    let body_index = |name: &str, at: &dyn Fn() -> String| match part_of(name, at)? {
        Part::Body(b) => Ok(b),
        Part::Ground => bail!("{}: the ground cannot take this", at()),
    };
    let mut bodies = Vec::new();
    for b in &spec.body {
        let at = || case.at(b.span());
        let s = b.get_ref();
        let (mass, centre, inertia) = match (&s.region, s.mass, s.center_of_mass, &s.inertia) {
            (Some(region), None, None, None) => {
                let Some(part) = part else {
                    bail!("{}: body '{}' takes its mass from region '{region}', but the case has no [model]", at(), s.name);
                };
                let elements = part.mesh.region_elements(region).map_err(|e| anyhow!("{}: {e}", at()))?;
                let p = mass_properties(&part.mesh, &part.materials, &elements);
                (p.mass, p.center, p.inertia)
            }
            (_, Some(m), Some(c), Some(i)) => {
                let inertia = match i.as_slice() {
                    [a, b, c] => Matrix3::from_diagonal(&Vector3::new(*a, *b, *c)),
                    [xx, yy, zz, xy, yz, xz] => Matrix3::new(*xx, *xy, *xz, *xy, *yy, *yz, *xz, *yz, *zz),
                    _ => bail!("{}: inertia takes 3 values (principal) or 6 (xx, yy, zz, xy, yz, xz)", at()),
                };
                (m, Point3::from(c), inertia)
            }
            _ => bail!(
                "{}: body '{}' needs either `region` (mass properties from the mesh) or all of `mass`, `center_of_mass` and `inertia`",
                at(),
                s.name
            ),
        };
        let mut body = RigidBody::new(&s.name, mass, centre, inertia);
        body.velocity = vec3(s.velocity);
        body.angular_velocity = vec3(s.angular_velocity);
        bodies.push(body);
    }
    let mut joints = Vec::new();
    for j in &spec.joint {
        let at = || case.at(j.span());
        let s = j.get_ref();
        let kind = match s.kind {
            JointType::Fixed => JointKind::Fixed,
            JointType::Revolute => JointKind::Revolute,
            JointType::Prismatic => JointKind::Prismatic,
            JointType::Cylindrical => JointKind::Cylindrical,
            JointType::Spherical => JointKind::Spherical,
            JointType::Universal => JointKind::Universal,
        };
        let parts = [part_of(&s.parts[0], &at)?, part_of(&s.parts[1], &at)?];
        let mut joint = Joint::new(
            &s.name,
            kind,
            parts,
            Point3::from(s.point),
            vec3(s.axis.unwrap_or([0.0, 0.0, 1.0])),
        );
        joint.reference = s.reference.map(vec3);
        joint.driver = match &s.drive {
            None => None,
            Some(DriveSpec {
                rotation: Some(r),
                translation: None,
            }) => Some(Driver::Rotation(motion(&at, r)?)),
            Some(DriveSpec {
                rotation: None,
                translation: Some(t),
            }) => Some(Driver::Translation(motion(&at, t)?)),
            Some(_) => bail!("{}: drive takes one of `rotation` or `translation`", at()),
        };
        joints.push(joint);
    }
    let springs = spec
        .spring
        .iter()
        .map(|sp| {
            let at = || case.at(sp.span());
            let s = sp.get_ref();
            Ok(SpringDamper {
                name: s.name.clone(),
                parts: [part_of(&s.parts[0], &at)?, part_of(&s.parts[1], &at)?],
                points: s.points.map(Point3::from),
                stiffness: s.stiffness,
                damping: s.damping,
                free_length: s.free_length,
                preload: s.preload,
            })
        })
        .collect::<Result<_>>()?;
    let torsion_springs = spec
        .torsion_spring
        .iter()
        .map(|sp| {
            let s = sp.get_ref();
            let joint = spec
                .joint
                .iter()
                .position(|j| j.get_ref().name == s.joint)
                .ok_or_else(|| anyhow!("{}: unknown joint '{}'", case.at(sp.span()), s.joint))?;
            Ok(TorsionSpring {
                name: s.name.clone(),
                joint,
                stiffness: s.stiffness,
                damping: s.damping,
                free_angle: s.free_angle,
                preload: s.preload,
            })
        })
        .collect::<Result<_>>()?;
    let loads = spec
        .load
        .iter()
        .map(|l| {
            let at = || case.at(l.span());
            let s = l.get_ref();
            let body = body_index(&s.body, &at)?;
            Ok(AppliedLoad {
                name: s.name.clone(),
                body,
                point: s.point.map_or(bodies[body].center_of_mass, Point3::from),
                force: vec3(s.force),
                torque: vec3(s.torque),
                scale: match &s.scale {
                    Some(e) => motion(&at, e)?,
                    None => Motion::constant(1.0),
                },
            })
        })
        .collect::<Result<_>>()?;
    Ok(Mechanism {
        bodies,
        joints,
        springs,
        torsion_springs,
        loads,
        gravity: vec3(spec.gravity),
    })
}
