//! Assemblies: parts meshed apart (`[[model.part]]`), placed and merged into one mesh,
//! and bonded where they meet (`[[model.tie]]`, or a deck's `*TIE`). Each part keeps
//! its own sets under its name (`base.zmax`), so ties, loads and criteria say which
//! part they mean.

use crate::case::Case;
use crate::schema::{
    BoltSpec, ContactSpec, GeneratorSpec, LengthUnit, ModelSpec, PartSpec, RotationSpec, TieSpec,
};
use anyhow::{anyhow, bail, Result};
use nalgebra::{Rotation3, Unit, Vector3};
use toml::Spanned;
use vproto_solver::generate;
use vproto_solver::tie::{self, Tie, TieReport};
use vproto_solver::Mesh;

/// The parts of `[model]`, each read, scaled and placed, merged in order.
pub fn assemble(case: &Case, m: &ModelSpec) -> Result<Mesh> {
    if m.mesh.is_some() || m.geo.is_some() || m.generate.is_some() || m.inp.is_some() {
        bail!(
            "{}: [model] has [[model.part]]s and its own mesh: give the mesh in one part each",
            case.path.display()
        );
    }
    let mut parts = Vec::with_capacity(m.part.len());
    for p in &m.part {
        let spec = p.get_ref();
        if spec.name.is_empty() || spec.name.contains(['.', '&']) || spec.name == "all" {
            return Err(case.error_at(
                p,
                format!(
                    "part name '{}': give a name without '.' or '&' (its sets are called name.set)",
                    spec.name
                ),
            ));
        }
        if parts.iter().any(|(n, _)| n == &spec.name) {
            return Err(case.error_at(p, format!("part '{}' is named twice", spec.name)));
        }
        let mut mesh = source(case, p)?;
        place(&mut mesh, spec, spec.unit.unwrap_or(m.unit))
            .map_err(|e| case.error_at(p, format!("part '{}': {e}", spec.name)))?;
        parts.push((spec.name.clone(), mesh));
    }
    Ok(vproto_solver::mesh::merge_parts(parts))
}

/// The mesh of one part, from exactly one of its sources.
fn source(case: &Case, p: &Spanned<PartSpec>) -> Result<Mesh> {
    let spec = p.get_ref();
    match (&spec.mesh, &spec.geo, &spec.generate) {
        (Some(path), None, None) => crate::gmsh::read(&case.resolve(path.get_ref()))
            .map_err(|e| anyhow!("{}: {e:#}", case.at(path.span()))),
        (None, Some(geo), None) => {
            crate::gmsh::mesh_geo(&case.resolve(geo.get_ref()), &case.parameters)
                .map_err(|e| anyhow!("{}: {e:#}", case.at(geo.span())))
        }
        (None, None, Some(g)) => generated(g)
            .map_err(|e| case.error_at(p, format!("part '{}': generate: {e:#}", spec.name))),
        _ => Err(case.error_at(
            p,
            format!(
                "part '{}' needs exactly one of `mesh`, `geo` or `generate`",
                spec.name
            ),
        )),
    }
}

/// Scales the part to metres, rotates it, then moves it.
fn place(mesh: &mut Mesh, spec: &PartSpec, unit: LengthUnit) -> Result<()> {
    let rotation = match &spec.rotate {
        Some(RotationSpec {
            axis,
            angle_deg,
            about,
        }) => {
            let axis = Unit::try_new(Vector3::from(*axis), 1e-12)
                .ok_or_else(|| anyhow!("rotate: the axis must not be zero"))?;
            Some((
                Rotation3::from_axis_angle(&axis, angle_deg.to_radians()),
                Vector3::from(*about),
            ))
        }
        None => None,
    };
    let shift = Vector3::from(spec.translate);
    for p in &mut mesh.nodes {
        *p *= unit.metres();
        if let Some((r, about)) = &rotation {
            *p = about + r * (*p - about);
        }
        *p += shift;
    }
    Ok(())
}

/// A tie as the solver takes it, its surfaces looked up in the mesh.
pub fn solver_tie(
    mesh: &Mesh,
    spec: &TieSpec,
) -> std::result::Result<Tie, vproto_solver::SolverError> {
    let slave_faces = mesh.face_sets.get(&spec.slave).cloned().unwrap_or_default();
    Ok(Tie {
        name: spec.name.clone(),
        slave: mesh.set_nodes(&spec.slave)?,
        slave_faces,
        master: mesh.face_set(&spec.master)?.to_vec(),
        position_tolerance: spec.position_tolerance,
        adjust: spec.adjust,
    })
}

/// The case's contact pairs on the mesh's face sets, their numbers checked.
pub fn contacts(
    case: &Case,
    mesh: &Mesh,
    specs: &[Spanned<ContactSpec>],
) -> Result<Vec<vproto_solver::contact::Contact>> {
    specs
        .iter()
        .map(|c| contact(mesh, c.get_ref()).map_err(|e| case.error_at(c, e)))
        .collect()
}

/// One contact pair on the mesh's face sets, its numbers checked.
pub fn contact(mesh: &Mesh, spec: &ContactSpec) -> Result<vproto_solver::contact::Contact> {
    let bad = |why: String| anyhow!("contact '{}': {why}", spec.name);
    let positive = |v: Option<f64>, key: &str| match v {
        Some(x) if !(x.is_finite() && x > 0.0) => {
            Err(bad(format!("{key} must be a positive number, got {x}")))
        }
        _ => Ok(v),
    };
    if !(0.0..=2.0).contains(&spec.friction) {
        return Err(bad(format!(
            "friction = {} is out of range: a Coulomb coefficient lies in [0, 2]",
            spec.friction
        )));
    }
    let faces = |name: &str| {
        mesh.face_set(name)
            .map(|f| f.to_vec())
            .map_err(|e| bad(format!("{e} (contact surfaces are face sets)")))
    };
    Ok(vproto_solver::contact::Contact {
        name: spec.name.clone(),
        slave: faces(&spec.slave)?,
        master: faces(&spec.master)?,
        friction: spec.friction,
        penalty: positive(spec.penalty, "penalty")?,
        normal_stiffness: positive(spec.normal_stiffness, "normal_stiffness")?,
        search_distance: positive(spec.search_distance, "search_distance")?,
        elastic_slip: positive(spec.elastic_slip, "elastic_slip")?,
        stick_slope: positive(spec.stick_slope, "stick_slope")?,
        interference: spec.interference,
        sliding: match spec.sliding {
            crate::schema::SlidingSpec::Finite => vproto_solver::contact::Sliding::Finite,
            crate::schema::SlidingSpec::Small => vproto_solver::contact::Sliding::Small,
        },
    })
}

/// Cuts each `[[model.bolt]]`'s pretension section into the mesh.
pub fn cut_bolts(
    case: &Case,
    mesh: &mut Mesh,
    specs: &[Spanned<BoltSpec>],
) -> Result<Vec<vproto_solver::bolt::Bolt>> {
    let mut bolts: Vec<vproto_solver::bolt::Bolt> = Vec::with_capacity(specs.len());
    for s in specs {
        let spec = s.get_ref();
        let bad = |why: String| case.error_at(s, format!("bolt '{}': {why}", spec.name));
        if bolts.iter().any(|b| b.name == spec.name) {
            return Err(bad("named twice".into()));
        }
        if !(spec.force.is_finite() && spec.force > 0.0) {
            return Err(bad(format!(
                "force = {} must be a positive pretension (N)",
                spec.force
            )));
        }
        let section = vproto_solver::bolt::Section {
            name: spec.name.clone(),
            elements: mesh
                .region_elements(&spec.region)
                .map_err(|e| bad(format!("region: {e}")))?,
            point: Vector3::from(spec.point),
            axis: Vector3::from(spec.axis),
            reference: None,
        };
        bolts.push(cut_with(mesh, &section, spec.force).map_err(|e| case.error_at(s, e))?);
    }
    Ok(bolts)
}

/// Cuts `section` into the mesh: its bolt, pulled with `force` (N).
fn cut_with(
    mesh: &mut Mesh,
    section: &vproto_solver::bolt::Section,
    force: f64,
) -> std::result::Result<vproto_solver::bolt::Bolt, vproto_solver::SolverError> {
    let bolt = vproto_solver::bolt::cut(mesh, section)?;
    tracing::info!(
        bolt = bolt.name.as_str(),
        section_nodes = bolt.nodes.len(),
        "bolt section cut"
    );
    Ok(vproto_solver::bolt::Bolt { force, ..bolt })
}

/// Cuts each of a deck's pretension sections into the mesh, after the case's `bolts`.
pub fn cut_deck_bolts(
    mesh: &mut Mesh,
    deck: &[crate::inp::DeckBolt],
    bolts: &mut Vec<vproto_solver::bolt::Bolt>,
) -> Result<()> {
    for b in deck {
        if bolts.iter().any(|c| c.name == b.section.name) {
            bail!(
                "{}: a second bolt named {} (the section's surface)",
                b.at,
                b.section.name
            );
        }
        bolts.push(cut_with(mesh, &b.section, b.force).map_err(|e| anyhow!("{}: {e}", b.at))?);
    }
    Ok(())
}

/// Applies the case's and the deck's ties, logging what each tied.
pub fn tie_all(
    case: &Case,
    mesh: &mut Mesh,
    specs: &[Spanned<TieSpec>],
    deck: &[TieSpec],
) -> Result<()> {
    let mut ties = Vec::new();
    for t in specs {
        let spec = t.get_ref();
        if let Some(tol) = spec.position_tolerance {
            if !(tol > 0.0 && tol.is_finite()) {
                return Err(case.error_at(
                    t,
                    format!(
                        "tie '{}': position_tolerance must be a positive length (m), got {tol}",
                        spec.name
                    ),
                ));
            }
        }
        ties.push(
            solver_tie(mesh, spec)
                .map_err(|e| case.error_at(t, format!("tie '{}': {e}", spec.name)))?,
        );
    }
    for spec in deck {
        ties.push(
            solver_tie(mesh, spec)
                .map_err(|e| anyhow!("{}: *TIE, NAME={}: {e}", case.path.display(), spec.name))?,
        );
    }
    if ties.is_empty() {
        return Ok(());
    }
    let reports = tie::apply(mesh, &ties).map_err(|e| anyhow!("{}: {e}", case.path.display()))?;
    for r in &reports {
        log(mesh, r);
    }
    Ok(())
}

fn log(mesh: &Mesh, r: &TieReport) {
    tracing::info!(
        tie = r.name.as_str(),
        slave_nodes = r.tied,
        surface_to_surface = r.mortar,
        largest_gap_m = format!("{:.3e}", r.largest_gap),
        "tied"
    );
    if let Some(&(n, d)) = r.untied.first() {
        let p = mesh.nodes[n];
        let away = match d.is_finite() {
            true => format!("{d:.3e} m away"),
            false => "beyond the search around the master surface".into(),
        };
        tracing::warn!(
            "tie '{}': {} slave node(s) farther from the master surface than the position tolerance are not tied; the farthest, node {} at ({:.6e}, {:.6e}, {:.6e}) m, is {away}",
            r.name,
            r.untied.len(),
            mesh.node_label(n),
            p.x,
            p.y,
            p.z
        );
    }
}

/// The mesh of a built-in generator (`[model.generate]`, a part's `generate`).
pub fn generated(g: &GeneratorSpec) -> Result<Mesh> {
    Ok(match *g {
        GeneratorSpec::Box {
            size,
            divisions,
            element,
            origin,
        } => {
            let mut mesh = generate::block(size, divisions, element.into())?;
            for p in &mut mesh.nodes {
                *p += Vector3::from(origin);
            }
            mesh
        }
        GeneratorSpec::PlateWithHole {
            width,
            height,
            thickness,
            hole_radius,
            divisions,
            element,
        } => generate::quarter_plate_with_hole(
            width,
            height,
            thickness,
            hole_radius,
            divisions,
            element.into(),
        )?,
        GeneratorSpec::Tube {
            inner_radius,
            outer_radius,
            angle_deg,
            length,
            divisions,
            element,
        } => generate::tube_sector(
            inner_radius,
            outer_radius,
            angle_deg.to_radians(),
            length,
            divisions,
            element.into(),
        )?,
    })
}
