//! Turns a parsed case into the finite-element model: the mesh, per-element materials
//! and the constraints. Every name the case refers to is checked here, and an unknown
//! one is reported at its line in the case file.

use crate::case::Case;
use crate::inp::Deck;
use crate::materials::{Library, MaterialSpec};
use crate::schema::{ConstraintSpec, ModelSpec};
use anyhow::{anyhow, bail, Result};
use nalgebra::Vector3;
use vproto_solver::assembly::Materials;
use vproto_solver::bolt::Bolt;
use vproto_solver::{Constraint, Mesh, StaticModel};

/// The finite-element part of a case: its mesh and materials (and the deck it came from).
pub struct Part {
    pub mesh: Mesh,
    pub materials: Materials,
    /// Library entry of each material in `materials.materials` (for strengths).
    pub material_specs: Vec<(String, MaterialSpec)>,
    /// The `.inp` deck the mesh came from (its mesh moved out).
    pub deck: Option<Deck>,
    /// Bolts cut into the mesh for pretension.
    pub bolts: Vec<Bolt>,
}

impl Part {
    /// The part of a `[model]`; `elastic` when some analysis needs elastic constants.
    pub fn build(case: &Case, spec: &ModelSpec, elastic: bool) -> Result<Self> {
        let (mesh, deck, bolts) = build_mesh(case, spec)?;
        let (materials, material_specs) = assign_materials(case, &mesh, deck.as_ref(), elastic)?;
        Ok(Self {
            mesh,
            materials,
            material_specs,
            deck,
            bolts,
        })
    }
}

/// The finite-element model of a case: mesh, materials and constraints. Load cases
/// are built from it by their analyses.
pub struct Model {
    pub mesh: Mesh,
    pub materials: Materials,
    /// Library entry of each material in `materials.materials` (for strengths).
    pub material_specs: Vec<(String, MaterialSpec)>,
    pub constraints: Vec<Constraint>,
    /// Names of the constrained sets, for reaction reports.
    pub constrained_sets: Vec<String>,
    /// The `.inp` deck the mesh came from (its mesh moved out).
    pub deck: Option<Deck>,
    /// Contact pairs, for nonlinear load cases.
    pub contacts: Vec<vproto_solver::contact::Contact>,
    /// Pretensioned bolts, for nonlinear load cases.
    pub bolts: Vec<Bolt>,
}

/// The mesh of a `[model]`, with its face sets by box and its bolts cut, checked; the
/// deck it came from, for an `.inp` model; and the bolts.
pub fn build_mesh(case: &Case, m: &ModelSpec) -> Result<(Mesh, Option<Deck>, Vec<Bolt>)> {
    let mut deck = None;
    let parts = !m.part.is_empty();
    let mesh = match (&m.mesh, &m.geo, &m.generate, &m.inp) {
        _ if parts => crate::parts::assemble(case, m)?,
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
        (None, None, Some(g), None) => crate::parts::generated(g).map_err(|e| anyhow!("{}: [model.generate]: {e:#}", case.path.display()))?,
        _ => bail!(
            "{}: [model] needs exactly one of `mesh = \"file.msh\"`, `geo = \"file.geo\"`, `inp = \"deck.inp\"` or a [model.generate] table",
            case.path.display()
        ),
    };
    let mut mesh = mesh;
    let scale = m.unit.metres();
    if scale != 1.0 && !parts {
        for p in &mut mesh.nodes {
            *p *= scale;
        }
    }
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
    let mut bolts = crate::parts::cut_bolts(case, &mut mesh, &m.bolt)?;
    if let Some(d) = &deck {
        crate::parts::cut_deck_bolts(&mut mesh, &d.bolts, &mut bolts)?;
    }
    let deck_ties = deck.as_ref().map_or(&[][..], |d: &Deck| &d.ties);
    crate::parts::tie_all(case, &mut mesh, &m.tie, deck_ties)?;
    mesh.check()
        .map_err(|e| anyhow!("{}: {e}", case.path.display()))?;
    Ok((mesh, deck, bolts))
}

impl Model {
    /// The model of a case: the part and the constraints of its deck and case file.
    pub fn build(case: &Case, part: Part) -> Result<Self> {
        let Part {
            mesh,
            materials,
            material_specs,
            deck,
            bolts,
        } = part;
        let mut constraints = Vec::new();
        let mut constrained_sets = Vec::new();
        for b in deck.iter().flat_map(|d| &d.boundaries) {
            constraints.push(Constraint {
                nodes: b.nodes.clone(),
                components: b.components,
            });
            constrained_sets.push(b.name.clone());
        }
        for c in &case.spec.constraint {
            constraints.push(constraint(case, &mesh, c)?);
            constrained_sets.push(c.set.get_ref().clone());
        }
        let mut contacts = match &case.spec.model {
            Some(m) => crate::parts::contacts(case, &mesh, &m.contact)?,
            None => Vec::new(),
        };
        for c in deck.iter().flat_map(|d| &d.contacts) {
            contacts
                .push(crate::parts::contact(&mesh, &c.spec).map_err(|e| anyhow!("{}: {e}", c.at))?);
        }
        Ok(Self {
            mesh,
            materials,
            material_specs,
            constraints,
            constrained_sets,
            deck,
            contacts,
            bolts,
        })
    }

    /// The model as the solver's static, modal and buckling analyses take it.
    pub fn static_model(&self) -> StaticModel<'_> {
        StaticModel {
            mesh: &self.mesh,
            materials: self.materials.clone(),
            constraints: self.constraints.clone(),
        }
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
    elastic_needed: bool,
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
        // Heat conduction needs no elastic constants (a heat-only material).
        let missing = spec.missing_elastic();
        if elastic_needed && !missing.is_empty() {
            return Err(at(&format!(
                "the material gives no {}, which this case's static, modal or buckling load cases need",
                missing.join(", ")
            )));
        }
        if elastic_needed || missing.is_empty() {
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
