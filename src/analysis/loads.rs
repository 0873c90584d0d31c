//! Loads of a load case as the solver takes them: forces, pressures, gravity, thermal
//! expansion, heat loads, a deck step's loads, and loads taken from a mechanism's
//! motion at an instant (moved into the part's initial pose). Shared by the analyses
//! that take loads; every name is checked and an unknown one reported at its line.

use super::motion_loads::MotionLoad;
use super::Input;
use crate::case::Case;
use crate::inp::Deck;
use crate::mechanism::MotionRun;
use crate::schema::LoadSpec;
use anyhow::{anyhow, Result};
use nalgebra::Vector3;
use toml::Spanned;
use vproto_solver::loads::{face_area, SurfaceLoad};
use vproto_solver::thermal::HeatLoad;
use vproto_solver::Load;

/// A load as the solver takes it.
pub enum Built {
    Static(Load),
    Heat(HeatLoad),
    /// The supports' acceleration amplitude (m/s²) of a base excitation, and the nodes
    /// of the set the user named as the base.
    Base {
        nodes: Vec<usize>,
        acceleration: Vector3<f64>,
    },
    /// Thermal expansion from a heat load case's temperatures, resolved once it is solved.
    ThermalFrom {
        heat: String,
        reference: f64,
    },
}

/// Step `step` (1-based) of the model's deck.
fn deck_step<'a>(
    case: &Case,
    deck: Option<&'a Deck>,
    at: &Spanned<LoadSpec>,
    step: usize,
) -> Result<&'a crate::inp::Step> {
    let steps = deck.map_or(&[][..], |d| &d.steps[..]);
    steps.get(step.wrapping_sub(1)).ok_or_else(|| {
        case.error_at(
            at,
            format!(
                "deck step {step}: the model's deck has {} step(s)",
                steps.len()
            ),
        )
    })
}

/// The sample of the motion a load case reads: at a time, or when a joint's force peaks.
pub fn instant(
    case: &Case,
    load_case: &str,
    at_time: Option<f64>,
    at_peak: Option<&Spanned<String>>,
    motion: &MotionRun,
) -> Result<usize> {
    let err = |e: anyhow::Error| match at_peak {
        Some(p) => case.error_at(p, e),
        None => anyhow!("{}: load case '{load_case}': {e}", case.path.display()),
    };
    motion
        .instant(at_time, at_peak.map(|p| p.get_ref().as_str()))
        .map_err(err)
}

/// Whether a load is taken from the mechanism (and so needs an instant).
pub fn from_motion(load: &LoadSpec) -> bool {
    matches!(
        load,
        LoadSpec::JointLoad { .. } | LoadSpec::MotionInertia { .. } | LoadSpec::SpringLoad { .. }
    )
}

/// Every load of a load case, built on the model's mesh; mechanism loads read the
/// motion at sample `instant`.
pub fn build(input: &Input, instant: Option<(&MotionRun, usize)>) -> Result<Vec<Built>> {
    let (case, mesh) = (input.case, &input.model.mesh);
    let mut built = Vec::new();
    for l in &input.spec().load {
        if let LoadSpec::DeckStep { step } = l.get_ref() {
            let s = deck_step(case, input.model.deck.as_ref(), l, *step)?;
            built.extend(s.loads.iter().cloned().map(Built::Static));
            built.extend(s.heat.iter().cloned().map(Built::Heat));
        } else if from_motion(l.get_ref()) {
            let Some(at) = instant else {
                return Err(case.error_at(l, "this load comes from a mechanism: the load case needs `at_time = <s>` or `at_peak = \"<joint>\"` (and the case a [mechanism])"));
            };
            let (motion, k) = at;
            built.push(Built::Static(
                MotionLoad::new(case, mesh, l, motion)?.at(k)?,
            ));
        } else {
            built.push(load(input, l)?);
        }
    }
    Ok(built)
}

fn load(input: &Input, spanned: &Spanned<LoadSpec>) -> Result<Built> {
    let (case, mesh) = (input.case, &input.model.mesh);
    let here = |e: vproto_solver::SolverError| case.error_at(spanned, e);
    let faces = |set: &str| -> Result<Vec<vproto_solver::FaceRef>> {
        Ok(mesh.face_set(set).map_err(here)?.to_vec())
    };
    let region = |r: &Option<String>| -> Result<Vec<usize>> {
        match r {
            Some(r) => mesh.region_elements(r).map_err(here),
            None => Ok((0..mesh.element_count()).collect()),
        }
    };
    Ok(match spanned.get_ref() {
        LoadSpec::Force { set, total } => {
            let faces = faces(set)?;
            let area = face_area(mesh, &faces);
            Built::Static(Load::Surface {
                faces,
                load: SurfaceLoad::Traction(Vector3::from(*total) / area),
            })
        }
        LoadSpec::NodalForce { set, force } => Built::Static(Load::NodalForce {
            nodes: mesh.set_nodes(set).map_err(here)?,
            force: Vector3::from(*force),
        }),
        LoadSpec::Pressure { set, value } => Built::Static(Load::Surface {
            faces: faces(set)?,
            load: SurfaceLoad::Pressure(*value),
        }),
        LoadSpec::Traction { set, value } => Built::Static(Load::Surface {
            faces: faces(set)?,
            load: SurfaceLoad::Traction(Vector3::from(*value)),
        }),
        LoadSpec::Gravity {
            acceleration,
            region: r,
        } => Built::Static(Load::BodyAcceleration {
            elements: region(r)?,
            acceleration: Vector3::from(*acceleration),
        }),
        LoadSpec::Thermal {
            delta_t,
            from,
            expression,
            reference_temperature,
        } => thermal(
            input,
            spanned,
            (*delta_t, from, expression, *reference_temperature),
        )?,
        LoadSpec::Temperature { set, value } => Built::Heat(HeatLoad::Temperature {
            nodes: mesh.set_nodes(set).map_err(here)?,
            value: *value,
        }),
        LoadSpec::HeatFlux { set, value } => Built::Heat(HeatLoad::Flux {
            faces: faces(set)?,
            value: *value,
        }),
        LoadSpec::Convection {
            set,
            film_coefficient,
            sink_temperature,
        } => Built::Heat(HeatLoad::Convection {
            faces: faces(set)?,
            film_coefficient: *film_coefficient,
            sink_temperature: *sink_temperature,
        }),
        LoadSpec::HeatSource { value, region: r } => Built::Heat(HeatLoad::Source {
            elements: region(r)?,
            value: *value,
        }),
        LoadSpec::BaseAcceleration {
            set,
            acceleration,
            unit,
        } => Built::Base {
            nodes: mesh.set_nodes(set).map_err(here)?,
            acceleration: Vector3::from(*acceleration) * unit.si(),
        },
        LoadSpec::DeckStep { .. }
        | LoadSpec::JointLoad { .. }
        | LoadSpec::MotionInertia { .. }
        | LoadSpec::SpringLoad { .. } => unreachable!("built by `build`"),
    })
}

/// A thermal load: a uniform change, an expression of x, y, z, or the temperatures of
/// another load case (any whose results hold a `temperature` field).
fn thermal(
    input: &Input,
    spanned: &Spanned<LoadSpec>,
    given: (Option<f64>, &Option<String>, &Option<String>, Option<f64>),
) -> Result<Built> {
    let (case, mesh) = (input.case, &input.model.mesh);
    Ok(match given {
        (Some(dt), None, None, None) => Built::Static(Load::Thermal {
            delta_t: vec![dt; mesh.nodes.len()],
        }),
        (None, Some(from), None, Some(reference)) => {
            let has_temperature = input
                .produces_of(from)
                .is_some_and(|p| p.fields.contains(&"temperature"));
            if !has_temperature {
                return Err(case.error_at(
                    spanned,
                    format!("thermal load from '{from}', which is not a heat load case of this file"),
                ));
            }
            Built::ThermalFrom {
                heat: from.clone(),
                reference,
            }
        }
        (None, None, Some(e), Some(reference)) => {
            let t = crate::expr::Expr::parse(e, &["x", "y", "z"])
                .map_err(|err| case.error_at(spanned, format!("expression: {err}")))?;
            Built::Static(Load::Thermal {
                delta_t: mesh
                    .nodes
                    .iter()
                    .map(|p| t.eval(&[p.x, p.y, p.z]) - reference)
                    .collect(),
            })
        }
        _ => return Err(case.error_at(
            spanned,
            "a thermal load needs `delta_t`, or `reference_temperature` with one of `from` (a heat load case) or `expression` (of x, y, z)",
        )),
    })
}
