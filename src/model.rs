//! Turns a parsed case into solver inputs: the mesh, per-element materials,
//! constraints and load cases. Every name the case refers to is checked here, and an
//! unknown one is reported at its line in the case file.

use crate::case::{
    AnalysisSpec, Case, ConstraintSpec, GeneratorSpec, LoadCaseSpec, LoadSpec, ModelSpec,
};
use crate::inp::Deck;
use crate::materials::{Library, MaterialSpec};
use crate::mechanism::MotionRun;
use anyhow::{anyhow, bail, Result};
use nalgebra::Vector3;
use vproto_solver::assembly::Materials;
use vproto_solver::buckling::BucklingOptions;
use vproto_solver::generate;
use vproto_solver::loads::{face_area, SurfaceLoad};
use vproto_solver::modal::ModalOptions;
use vproto_solver::thermal::{HeatCase, HeatLoad};
use vproto_solver::{Constraint, Load, LoadCase, Mesh};

/// The finite-element part of a case: its mesh and materials (and the deck it came from).
pub struct Part {
    pub mesh: Mesh,
    pub materials: Materials,
    /// Library entry of each material in `materials.materials` (for strengths).
    pub material_specs: Vec<(String, MaterialSpec)>,
    /// The `.inp` deck the mesh came from (its mesh moved out).
    pub deck: Option<Deck>,
}

impl Part {
    pub fn build(case: &Case, spec: &ModelSpec) -> Result<Self> {
        let (mesh, deck) = build_mesh(case, spec)?;
        let (materials, material_specs) = assign_materials(case, &mesh, deck.as_ref())?;
        Ok(Self {
            mesh,
            materials,
            material_specs,
            deck,
        })
    }
}

/// The model of a case, ready to solve.
pub struct Model {
    pub mesh: Mesh,
    pub materials: Materials,
    /// Library entry of each material in `materials.materials` (for strengths).
    pub material_specs: Vec<(String, MaterialSpec)>,
    pub constraints: Vec<Constraint>,
    /// Names of the constrained sets, for reaction reports.
    pub constrained_sets: Vec<String>,
    /// The load cases in case-file order.
    pub analyses: Vec<Analysis>,
}

/// What one load case asks for.
pub enum Analysis {
    /// A static load case, with thermal loads still to take from heat load cases.
    Static(LoadCase, Vec<ThermalLink>),
    Heat(HeatCase),
    Modal {
        name: String,
        options: ModalOptions,
    },
    Buckling {
        name: String,
        preload: String,
        options: BucklingOptions,
    },
}

/// A static load case's thermal expansion from a heat load case's temperatures.
pub struct ThermalLink {
    pub heat: String,
    /// The stress-free temperature.
    pub reference: f64,
}

impl Analysis {
    pub fn name(&self) -> &str {
        match self {
            Self::Static(lc, _) => &lc.name,
            Self::Heat(h) => &h.name,
            Self::Modal { name, .. } | Self::Buckling { name, .. } => name,
        }
    }
}

/// The mesh of a `[model]`, with its face sets by box, checked; and the deck it came
/// from, for an `.inp` model.
pub fn build_mesh(case: &Case, m: &ModelSpec) -> Result<(Mesh, Option<Deck>)> {
    let mut deck = None;
    let mesh = match (&m.mesh, &m.geo, &m.generate, &m.inp) {
        (None, None, None, Some(inp)) => {
            let mut d = match case.deck.borrow_mut().take() {
                Some(d) => d,
                None => {
                    let d = crate::inp::read(&case.resolve(inp.get_ref())).map_err(|e| anyhow!("{}: {e:#}", case.at(inp.span())))?;
                    for w in &d.warnings {
                        tracing::warn!("{w}");
                    }
                    d
                }
            };
            let mesh = std::mem::take(&mut d.mesh);
            deck = Some(d);
            mesh
        }
        (Some(path), None, None, None) => {
            let file = case.resolve(path.get_ref());
            crate::gmsh::read(&file).map_err(|e| anyhow!("{}: {e:#}", case.at(path.span())))?
        }
        (None, Some(geo), None, None) => {
            let file = case.resolve(geo.get_ref());
            crate::gmsh::mesh_geo(&file, &case.parameters).map_err(|e| anyhow!("{}: {e:#}", case.at(geo.span())))?
        }
        (None, None, Some(g), None) => generated(g).map_err(|e| anyhow!("{}: [model.generate]: {e:#}", case.path.display()))?,
        _ => bail!(
            "{}: [model] needs exactly one of `mesh = \"file.msh\"`, `geo = \"file.geo\"`, `inp = \"deck.inp\"` or a [model.generate] table",
            case.path.display()
        ),
    };
    let mut mesh = mesh;
    for set in &m.face_set {
        let f = set.get_ref();
        let faces = mesh.boundary_faces_in_box(Vector3::from(f.min), Vector3::from(f.max));
        if faces.is_empty() {
            return Err(case.error_at(
                set,
                format!(
                    "face set '{}': no boundary face lies inside the box",
                    f.name
                ),
            ));
        }
        mesh.face_sets.insert(f.name.clone(), faces);
    }
    mesh.check()
        .map_err(|e| anyhow!("{}: {e}", case.path.display()))?;
    Ok((mesh, deck))
}

fn generated(g: &GeneratorSpec) -> Result<Mesh> {
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

impl Model {
    /// The model of a case; loads taken from a mechanism read `motion`.
    pub fn build(case: &Case, part: Part, motion: Option<&MotionRun>) -> Result<Self> {
        let Part {
            mesh,
            materials,
            material_specs,
            deck,
        } = part;
        let mut constraints = Vec::new();
        let mut constrained_sets = Vec::new();
        for (k, b) in deck.iter().flat_map(|d| &d.boundaries).enumerate() {
            constraints.push(Constraint {
                nodes: b.nodes.clone(),
                components: b.components,
            });
            constrained_sets.push(format!("deck_boundary_{}", k + 1));
        }
        for c in &case.spec.constraint {
            constraints.push(constraint(case, &mesh, c)?);
            constrained_sets.push(c.set.get_ref().clone());
        }
        let analyses = case
            .spec
            .load_case
            .iter()
            .map(|lc| {
                Ok(match lc.analysis {
                    AnalysisSpec::Static => {
                        let mut loads = Vec::new();
                        let mut thermal_from = Vec::new();
                        let instant = match motion {
                            Some(m) if lc.at_time.is_some() || lc.at_peak.is_some() => {
                                Some((m, instant(case, lc, m)?))
                            }
                            _ => None,
                        };
                        for l in &lc.load {
                            if let LoadSpec::DeckStep { step } = l.get_ref() {
                                loads.extend(
                                    deck_step(case, deck.as_ref(), l, *step)?
                                        .loads
                                        .iter()
                                        .cloned(),
                                );
                                continue;
                            }
                            if let Some(built) = motion_load(case, &mesh, l, instant)? {
                                loads.push(built);
                                continue;
                            }
                            match load(case, &mesh, l)? {
                                Built::Static(load) => loads.push(load),
                                Built::ThermalFrom { heat, reference } => {
                                    thermal_from.push(ThermalLink { heat, reference })
                                }
                                Built::Heat(_) => unreachable!(
                                    "heat loads are validated to sit in heat load cases"
                                ),
                            }
                        }
                        Analysis::Static(
                            LoadCase {
                                name: lc.name.clone(),
                                loads,
                            },
                            thermal_from,
                        )
                    }
                    AnalysisSpec::Heat => {
                        let mut loads = Vec::new();
                        for l in &lc.load {
                            if let LoadSpec::DeckStep { step } = l.get_ref() {
                                loads.extend(
                                    deck_step(case, deck.as_ref(), l, *step)?
                                        .heat
                                        .iter()
                                        .cloned(),
                                );
                                continue;
                            }
                            match load(case, &mesh, l)? {
                                Built::Heat(h) => loads.push(h),
                                _ => unreachable!(
                                    "static loads are validated to sit in static load cases"
                                ),
                            }
                        }
                        Analysis::Heat(HeatCase {
                            name: lc.name.clone(),
                            loads,
                        })
                    }
                    AnalysisSpec::Buckling => Analysis::Buckling {
                        name: lc.name.clone(),
                        preload: lc
                            .preload
                            .as_ref()
                            .map(|p| p.get_ref().clone())
                            .unwrap_or_default(),
                        options: BucklingOptions {
                            modes: lc.modes.unwrap_or(4),
                        },
                    },
                    AnalysisSpec::Modal => Analysis::Modal {
                        name: lc.name.clone(),
                        options: ModalOptions {
                            modes: lc.modes.unwrap_or(10),
                            shift_hz: lc.shift_hz,
                        },
                    },
                })
            })
            .collect::<Result<_>>()?;
        Ok(Self {
            mesh,
            materials,
            material_specs,
            constraints,
            constrained_sets,
            analyses,
        })
    }

    /// Conductivity of every element, for heat load cases.
    pub fn conductivity(&self) -> Result<Vec<f64>> {
        let per_material: Vec<f64> = self
            .material_specs
            .iter()
            .map(|(name, m)| {
                m.conductivity.ok_or_else(|| {
                    anyhow!(
                        "material '{name}' has no conductivity; heat load cases need one (W/(m·K))"
                    )
                })
            })
            .collect::<Result<_>>()?;
        Ok(self
            .materials
            .of_element
            .iter()
            .map(|&m| per_material[m])
            .collect())
    }

    /// Lowest yield strength over the materials of the given elements.
    pub fn min_yield(&self, elements: &[usize]) -> Result<f64> {
        let mut used: Vec<usize> = elements
            .iter()
            .map(|&e| self.materials.of_element[e])
            .collect();
        used.sort_unstable();
        used.dedup();
        used.iter()
            .map(|&i| {
                let (name, m) = &self.material_specs[i];
                m.yield_strength
                    .ok_or_else(|| anyhow!("material '{name}' has no yield_strength; give the criterion an `allowable` instead"))
            })
            .try_fold(f64::INFINITY, |acc, y| Ok(acc.min(y?)))
    }
}

/// Materials per element: from `[regions]`, or else from a deck's `*SOLID SECTION`s.
fn assign_materials(
    case: &Case,
    mesh: &Mesh,
    deck: Option<&Deck>,
) -> Result<(Materials, Vec<(String, MaterialSpec)>)> {
    let mut lib = Library::built_in();
    for p in &case.spec.material_library {
        lib.add_file(&case.resolve(p))?;
    }
    let mut regions = case.spec.regions.clone();
    if let Some(deck) = deck {
        lib.materials.extend(deck.materials.clone());
        if regions.is_empty() {
            regions = deck
                .sections
                .iter()
                .map(|(elset, m)| (elset.clone(), toml::Spanned::new(0..0, m.clone())))
                .collect();
        }
    }
    lib.materials.extend(case.spec.materials.clone());
    let mut specs: Vec<(String, MaterialSpec)> = Vec::new();
    let mut of_element = vec![usize::MAX; mesh.element_count()];
    // `all` first, so named regions override it.
    let mut regions: Vec<_> = regions.iter().collect();
    regions.sort_by_key(|(r, _)| r.as_str() != "all");
    for (region, material) in regions {
        // A deck's *SOLID SECTION has no line in the case: name its material's origin.
        let at = |e: &dyn std::fmt::Display| match lib.materials.get(material.get_ref()) {
            Some(m) if material.span().is_empty() => {
                anyhow!(
                    "{}: material '{}' (defined at {}): {e}",
                    case.path.display(),
                    material.get_ref(),
                    m.source
                )
            }
            _ => case.error_at(material, e),
        };
        let spec = lib.get(material.get_ref()).map_err(|e| at(&e))?;
        // Heat conduction needs no elastic constants (a deck's heat-only material).
        let elastic_needed = case
            .spec
            .load_case
            .iter()
            .any(|lc| lc.analysis != AnalysisSpec::Heat);
        if elastic_needed || spec.youngs_modulus.is_finite() {
            spec.elastic()
                .validate(material.get_ref())
                .map_err(|e| at(&e))?;
        }
        let index = match specs.iter().position(|(n, _)| n == material.get_ref()) {
            Some(i) => i,
            None => {
                specs.push((material.get_ref().clone(), spec.clone()));
                specs.len() - 1
            }
        };
        for e in mesh
            .region_elements(region)
            .map_err(|e| case.error_at(material, e))?
        {
            of_element[e] = index;
        }
    }
    if let Some(e) = of_element.iter().position(|&m| m == usize::MAX) {
        let missing = of_element.iter().filter(|&&m| m == usize::MAX).count();
        bail!(
            "{}: {missing} elements (the first is element {e}) have no material; assign one in [regions] (regions in the mesh: {})",
            case.path.display(),
            mesh.element_sets.keys().cloned().collect::<Vec<_>>().join(", ")
        );
    }
    let materials = Materials {
        materials: specs.iter().map(|(_, s)| s.elastic()).collect(),
        expansion: specs
            .iter()
            .map(|(_, s)| s.expansion_coefficient.unwrap_or(0.0))
            .collect(),
        of_element,
    };
    Ok((materials, specs))
}

fn constraint(case: &Case, mesh: &Mesh, c: &ConstraintSpec) -> Result<Constraint> {
    let nodes = mesh
        .set_nodes(c.set.get_ref())
        .map_err(|e| case.error_at(&c.set, e))?;
    let components = if c.fixed {
        if c.ux.or(c.uy).or(c.uz).is_some() {
            return Err(case.error_at(
                &c.set,
                "give either `fixed = true` or ux/uy/uz values, not both",
            ));
        }
        [Some(0.0); 3]
    } else {
        [c.ux, c.uy, c.uz]
    };
    if components.iter().all(Option::is_none) {
        return Err(case.error_at(
            &c.set,
            "the constraint fixes nothing: add `fixed = true` or some of ux, uy, uz",
        ));
    }
    Ok(Constraint { nodes, components })
}

/// A load as the solver takes it.
enum Built {
    Static(Load),
    Heat(HeatLoad),
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
    at: &toml::Spanned<LoadSpec>,
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

/// The sample of the motion a load case reads.
fn instant(case: &Case, lc: &LoadCaseSpec, motion: &MotionRun) -> Result<usize> {
    let err = |e: anyhow::Error| match &lc.at_peak {
        Some(p) => case.error_at(p, e),
        None => anyhow!("{}: load case '{}': {e}", case.path.display(), lc.name),
    };
    motion
        .instant(
            lc.at_time,
            lc.at_peak.as_ref().map(|p| p.get_ref().as_str()),
        )
        .map_err(err)
}

/// A load taken from the mechanism at sample `instant`, moved into the part's initial
/// pose (the mesh's frame): `None` for every other load.
fn motion_load(
    case: &Case,
    mesh: &Mesh,
    spanned: &toml::Spanned<LoadSpec>,
    instant: Option<(&MotionRun, usize)>,
) -> Result<Option<Load>> {
    let here = |e: String| case.error_at(spanned, e);
    let (body_name, joint) = match spanned.get_ref() {
        LoadSpec::JointLoad { joint, body, .. } => (body, Some(joint)),
        LoadSpec::MotionInertia { body } | LoadSpec::SpringLoad { body, .. } => (body, None),
        _ => return Ok(None),
    };
    let (motion, at) = instant.expect("validated: mechanism loads have an instant");
    let b = motion
        .body(body_name)
        .ok_or_else(|| here(format!("unknown body '{body_name}'")))?;
    let sample = &motion.solution.samples[at];
    let state = &sample.bodies[b];
    let to_part = state.rotation.transpose();
    let centre = motion.mechanism.bodies[b].center_of_mass;
    if let (Some(joint), LoadSpec::JointLoad { set, .. }) = (joint, spanned.get_ref()) {
        let j = motion
            .joint(joint)
            .ok_or_else(|| here(format!("unknown joint '{joint}'")))?;
        let spec = &motion.mechanism.joints[j];
        let sign = if spec.second == vproto_solver::multibody::Part::Body(b) {
            1.0
        } else if spec.first == vproto_solver::multibody::Part::Body(b) {
            -1.0
        } else {
            return Err(here(format!(
                "joint '{joint}' does not connect body '{body_name}'"
            )));
        };
        let js = &sample.joints[j];
        let faces = mesh.face_set(set).map_err(|e| here(e.to_string()))?;
        let forces = vproto_solver::coupling::spread_wrench(
            mesh,
            faces,
            sign * (to_part * js.force),
            sign * (to_part * js.moment),
            spec.point,
        )
        .map_err(|e| here(e.to_string()))?;
        return Ok(Some(Load::NodalForces(forces)));
    }
    if let LoadSpec::SpringLoad { spring, set, .. } = spanned.get_ref() {
        let index = motion
            .spring_names
            .iter()
            .position(|n| n == spring)
            .ok_or_else(|| here(format!("unknown spring '{spring}'")))?;
        let spec = &motion.mechanism.springs[index];
        let this = vproto_solver::multibody::Part::Body(b);
        let Some(end) = spec.parts.iter().position(|p| *p == this) else {
            return Err(here(format!(
                "spring '{spring}' is not attached to body '{body_name}'"
            )));
        };
        let world = |i: usize| motion.world_point(spec.parts[i], &spec.points[i], at);
        let towards_other = (world(1 - end) - world(end)).normalize();
        let force = sample.springs[index].1 * (to_part * towards_other);
        let faces = mesh.face_set(set).map_err(|e| here(e.to_string()))?;
        let forces = vproto_solver::coupling::spread_wrench(
            mesh,
            faces,
            force,
            Vector3::zeros(),
            spec.points[end],
        )
        .map_err(|e| here(e.to_string()))?;
        return Ok(Some(Load::NodalForces(forces)));
    }
    let elements = match &motion.regions[b] {
        Some(r) => mesh.region_elements(r).map_err(|e| here(e.to_string()))?,
        None => (0..mesh.element_count()).collect(),
    };
    // d'Alembert forces −ρ(a − g): gravity enters as a reduced acceleration.
    let motion_field = vproto_solver::coupling::RigidAcceleration {
        reference: centre,
        acceleration: to_part * (state.acceleration - motion.mechanism.gravity),
        angular_velocity: to_part * state.angular_velocity,
        angular_acceleration: to_part * state.angular_acceleration,
    };
    Ok(Some(Load::Inertia {
        elements,
        motion: motion_field,
    }))
}

fn load(case: &Case, mesh: &Mesh, spanned: &toml::Spanned<LoadSpec>) -> Result<Built> {
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
            delta_t: Some(dt), ..
        } => Built::Static(Load::Thermal {
            delta_t: vec![*dt; mesh.nodes.len()],
        }),
        LoadSpec::Thermal {
            expression: Some(e),
            reference_temperature,
            ..
        } => {
            let t = crate::expr::Expr::parse(e, &["x", "y", "z"])
                .map_err(|err| case.error_at(spanned, err))?;
            let reference = reference_temperature.unwrap_or_default();
            Built::Static(Load::Thermal {
                delta_t: mesh
                    .nodes
                    .iter()
                    .map(|p| t.eval(&[p.x, p.y, p.z]) - reference)
                    .collect(),
            })
        }
        LoadSpec::Thermal {
            from,
            reference_temperature,
            ..
        } => Built::ThermalFrom {
            heat: from.clone().unwrap_or_default(),
            reference: reference_temperature.unwrap_or_default(),
        },
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
        LoadSpec::DeckStep { .. } => unreachable!("deck steps are built by Model::build"),
        LoadSpec::JointLoad { .. }
        | LoadSpec::MotionInertia { .. }
        | LoadSpec::SpringLoad { .. } => {
            unreachable!("mechanism loads are built by motion_load")
        }
    })
}
