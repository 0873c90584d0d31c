//! Abaqus / CalculiX input decks (`.inp`): the common subset engineers' decks use.
//!
//! Read: `*NODE`, `*ELEMENT` (C3D4, C3D10, C3D8, C3D20, C3D20R), `*NSET`/`*ELSET`
//! (with `GENERATE`), `*SURFACE` (element faces S1…S6), `*MATERIAL` with `*ELASTIC`,
//! `*DENSITY`, `*EXPANSION`, `*CONDUCTIVITY`, `*SOLID SECTION`, `*BOUNDARY` (1–3, and 11
//! for temperature), `*CLOAD`, `*DLOAD` (Pn, GRAV), `*DSLOAD` (P), `*DFLUX` (Sn, BF),
//! `*FILM` (Fn), `*STEP` with `*STATIC`, `*FREQUENCY`, `*BUCKLE` or `*HEAT TRANSFER,
//! STEADY STATE`, `*END STEP`, `*INCLUDE`, `**` comments. Output requests and
//! `*HEADING` are skipped
//! with a warning; any other keyword is an error naming its file and line. Loads carry
//! over from step to step unless a keyword says `OP=NEW`, as in Abaqus and CalculiX.
//! Node and element numbering follows the Abaqus convention, which is vproto's (VTK's)
//! for these elements; face Sn is vproto's local face n − 1.

use crate::materials::MaterialSpec;
use anyhow::{anyhow, bail, Context, Result};
use nalgebra::Vector3;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use vproto_solver::loads::SurfaceLoad;
use vproto_solver::thermal::HeatLoad;
use vproto_solver::{ElementBlock, ElementKind, FaceRef, Load, Mesh};

/// A deck read into vproto's terms.
#[derive(Debug)]
pub struct Deck {
    pub mesh: Mesh,
    /// Deck number of each node, in mesh order.
    pub node_ids: Vec<i64>,
    pub materials: BTreeMap<String, MaterialSpec>,
    /// (element set, material) of each `*SOLID SECTION`.
    pub sections: Vec<(String, String)>,
    /// Fixed or prescribed displacement components (the same in every step).
    pub boundaries: Vec<Boundary>,
    pub steps: Vec<Step>,
    pub warnings: Vec<String>,
}

#[derive(Clone, Debug)]
pub struct Boundary {
    pub nodes: Vec<usize>,
    /// Displacement component values (None: free).
    pub components: [Option<f64>; 3],
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepKind {
    Static,
    /// `*HEAT TRANSFER, STEADY STATE`.
    Heat,
    Frequency {
        modes: usize,
    },
    Buckle {
        modes: usize,
    },
}

#[derive(Clone, Debug)]
pub struct Step {
    pub kind: StepKind,
    /// The loads active in the step (carried over from earlier steps).
    pub loads: Vec<Load>,
    /// The thermal loads and fixed temperatures active in the step.
    pub heat: Vec<HeatLoad>,
}

/// Where a line came from.
#[derive(Clone, Debug)]
struct Origin {
    file: PathBuf,
    line: usize,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.file.display(), self.line)
    }
}

/// A keyword line and its data lines.
struct Card {
    keyword: String,
    params: HashMap<String, String>,
    data: Vec<(Origin, Vec<String>)>,
    at: Origin,
}

impl Card {
    fn param(&self, key: &str) -> Option<&str> {
        self.params.get(key).map(String::as_str)
    }
    fn required(&self, key: &str) -> Result<&str> {
        self.param(key)
            .ok_or_else(|| anyhow!("{}: *{} needs {key}=", self.at, self.keyword))
    }
    fn flag(&self, key: &str) -> bool {
        self.params.contains_key(key)
    }
}

/// Reads the lines of a deck and its `*INCLUDE`s.
fn lines(path: &Path, out: &mut Vec<(Origin, String)>, depth: usize) -> Result<()> {
    if depth > 20 {
        bail!("{}: *INCLUDE nested more than 20 deep", path.display());
    }
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    for (i, line) in text.lines().enumerate() {
        let at = Origin {
            file: path.to_path_buf(),
            line: i + 1,
        };
        let t = line.trim();
        if t.is_empty() || t.starts_with("**") {
            continue;
        }
        if t.to_ascii_uppercase().starts_with("*INCLUDE") {
            let file = t
                .split(',')
                .skip(1)
                .find_map(|p| {
                    p.split_once('=')
                        .filter(|(k, _)| k.trim().eq_ignore_ascii_case("INPUT"))
                        .map(|(_, v)| v.trim())
                })
                .ok_or_else(|| anyhow!("{at}: *INCLUDE needs INPUT=file"))?;
            let file = path
                .parent()
                .unwrap_or(Path::new("."))
                .join(file.trim_matches('"'));
            lines(&file, out, depth + 1).with_context(|| format!("{at}: included here"))?;
        } else {
            out.push((at, t.to_string()));
        }
    }
    Ok(())
}

fn cards(path: &Path) -> Result<Vec<Card>> {
    let mut all = Vec::new();
    lines(path, &mut all, 0)?;
    let mut cards: Vec<Card> = Vec::new();
    for (at, line) in all {
        if let Some(rest) = line.strip_prefix('*') {
            let mut parts = rest.split(',');
            let keyword = parts.next().unwrap_or("").trim().to_ascii_uppercase();
            let params = parts
                .filter(|p| !p.trim().is_empty())
                .map(|p| match p.split_once('=') {
                    Some((k, v)) => (k.trim().to_ascii_uppercase(), v.trim().to_string()),
                    None => (p.trim().to_ascii_uppercase(), String::new()),
                })
                .collect();
            cards.push(Card {
                keyword,
                params,
                data: Vec::new(),
                at,
            });
        } else {
            let Some(card) = cards.last_mut() else {
                bail!("{at}: data before the first keyword");
            };
            let fields: Vec<String> = line.split(',').map(|f| f.trim().to_string()).collect();
            // A trailing comma continues the record on the next line (long elements).
            match card.data.last_mut() {
                Some((_, prev)) if prev.last().is_some_and(String::is_empty) => {
                    prev.pop();
                    prev.extend(fields);
                }
                _ => card.data.push((at, fields)),
            }
        }
    }
    Ok(cards)
}

fn number<T: std::str::FromStr>(at: &Origin, field: &str, what: &str) -> Result<T> {
    field
        .trim()
        .parse()
        .map_err(|_| anyhow!("{at}: {what} '{field}' is not a number"))
}

/// Element type → vproto kind.
fn element_kind(at: &Origin, name: &str) -> Result<ElementKind> {
    Ok(match name.to_ascii_uppercase().as_str() {
        "C3D4" => ElementKind::Tet4,
        "C3D10" => ElementKind::Tet10,
        "C3D8" => ElementKind::Hex8,
        "C3D20" => ElementKind::Hex20,
        "C3D20R" => ElementKind::Hex20R,
        other => {
            bail!("{at}: element type {other} is not supported (C3D4, C3D10, C3D8, C3D20, C3D20R)")
        }
    })
}

/// Keywords skipped with a warning: output requests and the like.
const IGNORED: &[&str] = &[
    "NODE PRINT",
    "EL PRINT",
    "NODE FILE",
    "EL FILE",
    "NODE OUTPUT",
    "ELEMENT OUTPUT",
    "OUTPUT",
    "CONTACT PRINT",
    "CONTACT FILE",
    "ENERGY PRINT",
    "SECTION PRINT",
    "PREPRINT",
    "RESTART",
];

/// The loads as they stand in a step: keyed so later definitions replace earlier ones.
#[derive(Clone, Default)]
struct Loads {
    /// (node, component) → force.
    nodal: BTreeMap<(usize, usize), f64>,
    /// (element, face) → pressure.
    pressure: BTreeMap<(usize, u8), f64>,
    /// element set → acceleration.
    gravity: BTreeMap<String, (Vec<usize>, Vector3<f64>)>,
    /// (element, face) → heat flux into the body.
    flux: BTreeMap<(usize, u8), f64>,
    /// element → volumetric heat generation.
    source: BTreeMap<usize, f64>,
    /// (element, face) → (sink temperature, film coefficient).
    film: BTreeMap<(usize, u8), (f64, f64)>,
    /// node → fixed temperature (degree of freedom 11).
    temperature: BTreeMap<usize, f64>,
}

impl Loads {
    fn heat(&self) -> Vec<HeatLoad> {
        let mut loads = Vec::new();
        let mut by_value: BTreeMap<u64, Vec<usize>> = BTreeMap::new();
        for (&n, t) in &self.temperature {
            by_value.entry(t.to_bits()).or_default().push(n);
        }
        for (t, nodes) in by_value {
            loads.push(HeatLoad::Temperature {
                nodes,
                value: f64::from_bits(t),
            });
        }
        for (&(element, face), q) in &self.flux {
            loads.push(HeatLoad::Flux {
                faces: vec![FaceRef { element, face }],
                value: *q,
            });
        }
        for (&(element, face), (sink, h)) in &self.film {
            loads.push(HeatLoad::Convection {
                faces: vec![FaceRef { element, face }],
                film_coefficient: *h,
                sink_temperature: *sink,
            });
        }
        for (&element, q) in &self.source {
            loads.push(HeatLoad::Source {
                elements: vec![element],
                value: *q,
            });
        }
        loads
    }

    fn to_solver(&self, node_count: usize) -> Vec<Load> {
        let mut loads = Vec::new();
        let mut forces = vec![Vector3::zeros(); node_count];
        for (&(n, c), f) in &self.nodal {
            forces[n][c] += f;
        }
        let nodal: Vec<(usize, Vector3<f64>)> = forces
            .into_iter()
            .enumerate()
            .filter(|(_, f)| f.norm() > 0.0)
            .collect();
        if !nodal.is_empty() {
            loads.push(Load::NodalForces(nodal));
        }
        let mut by_value: BTreeMap<u64, Vec<FaceRef>> = BTreeMap::new();
        for (&(element, face), p) in &self.pressure {
            by_value
                .entry(p.to_bits())
                .or_default()
                .push(FaceRef { element, face });
        }
        for (p, faces) in by_value {
            loads.push(Load::Surface {
                faces,
                load: SurfaceLoad::Pressure(f64::from_bits(p)),
            });
        }
        for (elements, acceleration) in self.gravity.values() {
            loads.push(Load::BodyAcceleration {
                elements: elements.clone(),
                acceleration: *acceleration,
            });
        }
        loads
    }
}

/// An element as the deck numbers it: its number and its nodes' numbers.
type DeckElement = (i64, Vec<i64>);

/// The reader's state while it walks the cards.
#[derive(Default)]
struct Reader {
    nodes: Vec<Vector3<f64>>,
    node_ids: Vec<i64>,
    node_index: HashMap<i64, usize>,
    /// Per element kind in order of appearance: the elements' numbers and node numbers.
    elements: Vec<(ElementKind, Vec<DeckElement>)>,
    nsets: BTreeMap<String, Vec<i64>>,
    elsets: BTreeMap<String, Vec<i64>>,
    /// Surface name → (element id, face 0-based).
    surfaces: BTreeMap<String, Vec<(i64, u8, Origin)>>,
    materials: BTreeMap<String, MaterialSpec>,
    sections: Vec<(String, String, Origin)>,
    boundaries: Vec<(String, usize, usize, f64, Origin)>,
    /// Fixed temperatures (degree of freedom 11) not yet applied: (target, value).
    temperatures: Vec<(String, f64, Origin)>,
    warnings: Vec<String>,
}

fn material_mut<'a>(
    r: &'a mut Reader,
    current: &Option<String>,
    card: &Card,
) -> Result<&'a mut MaterialSpec> {
    let name = current
        .as_ref()
        .ok_or_else(|| anyhow!("{}: *{} outside a *MATERIAL", card.at, card.keyword))?;
    Ok(r.materials.get_mut(name).expect("created by *MATERIAL"))
}

fn first_value(card: &Card, index: usize, what: &str) -> Result<f64> {
    let (at, fields) = card
        .data
        .first()
        .ok_or_else(|| anyhow!("{}: *{} needs a data line", card.at, card.keyword))?;
    if card.data.len() > 1 {
        bail!(
            "{}: *{} with several lines (temperature-dependent data) is not supported",
            card.at,
            card.keyword
        );
    }
    let field = fields
        .get(index)
        .ok_or_else(|| anyhow!("{at}: *{} needs {what}", card.keyword))?;
    number(at, field, what)
}

/// Ids listed on a set's data lines: numbers, other sets' names, or `a, b, step` with
/// GENERATE.
fn set_members(card: &Card, sets: &BTreeMap<String, Vec<i64>>) -> Result<Vec<i64>> {
    let mut ids = Vec::new();
    for (at, fields) in &card.data {
        if card.flag("GENERATE") {
            let v: Vec<i64> = fields
                .iter()
                .filter(|f| !f.is_empty())
                .map(|f| number(at, f, "GENERATE bound"))
                .collect::<Result<_>>()?;
            let (a, b, s) = match v.as_slice() {
                [a, b] => (*a, *b, 1),
                [a, b, s] if *s > 0 => (*a, *b, *s),
                _ => bail!("{at}: GENERATE takes first, last[, increment]"),
            };
            ids.extend((a..=b).step_by(s as usize));
        } else {
            for f in fields.iter().filter(|f| !f.is_empty()) {
                match f.parse::<i64>() {
                    Ok(id) => ids.push(id),
                    Err(_) => ids.extend(
                        sets.get(&f.to_ascii_uppercase())
                            .ok_or_else(|| anyhow!("{at}: unknown set '{f}'"))?,
                    ),
                }
            }
        }
    }
    Ok(ids)
}

impl Reader {
    fn node(&self, at: &Origin, id: i64) -> Result<usize> {
        self.node_index
            .get(&id)
            .copied()
            .ok_or_else(|| anyhow!("{at}: node {id} is not defined"))
    }
    /// Nodes of a node number or node set name.
    fn node_targets(&self, at: &Origin, field: &str) -> Result<Vec<usize>> {
        match field.parse::<i64>() {
            Ok(id) => Ok(vec![self.node(at, id)?]),
            Err(_) => self
                .nsets
                .get(&field.to_ascii_uppercase())
                .ok_or_else(|| anyhow!("{at}: unknown node set '{field}'"))?
                .iter()
                .map(|&id| self.node(at, id))
                .collect(),
        }
    }
    fn element_ids(&self, at: &Origin, field: &str) -> Result<Vec<i64>> {
        match field.parse::<i64>() {
            Ok(id) => Ok(vec![id]),
            Err(_) => self
                .elsets
                .get(&field.to_ascii_uppercase())
                .cloned()
                .ok_or_else(|| anyhow!("{at}: unknown element set '{field}'")),
        }
    }
}

/// Reads a deck.
pub fn read(path: &Path) -> Result<Deck> {
    let cards = cards(path)?;
    let mut r = Reader::default();
    let mut material: Option<String> = None;
    let mut loads = Loads::default();
    // Step loads are resolved once the mesh is known: keep the cards per step.
    let mut steps: Vec<(Option<StepKind>, Vec<&Card>, Origin)> = Vec::new();
    let mut in_step = false;
    for card in &cards {
        let k = card.keyword.as_str();
        if in_step
            && !matches!(
                k,
                "STATIC"
                    | "FREQUENCY"
                    | "BUCKLE"
                    | "HEAT TRANSFER"
                    | "DFLUX"
                    | "FILM"
                    | "CLOAD"
                    | "DLOAD"
                    | "DSLOAD"
                    | "BOUNDARY"
                    | "END STEP"
            )
            && !IGNORED.contains(&k)
        {
            bail!("{}: *{k} inside a step is not supported", card.at);
        }
        match k {
            "HEADING" => {}
            "NODE" => {
                for (at, f) in &card.data {
                    if f.len() < 2 {
                        bail!("{at}: *NODE lines are: id, x[, y[, z]]");
                    }
                    let id: i64 = number(at, &f[0], "node number")?;
                    // Missing or empty coordinates are zero, as in Abaqus.
                    let coordinate = |k: usize| match f.get(k).filter(|v| !v.is_empty()) {
                        Some(v) => number(at, v, "coordinate"),
                        None => Ok(0.0),
                    };
                    let x = Vector3::new(coordinate(1)?, coordinate(2)?, coordinate(3)?);
                    if r.node_index.insert(id, r.nodes.len()).is_some() {
                        bail!("{at}: node {id} is defined twice");
                    }
                    r.nodes.push(x);
                    r.node_ids.push(id);
                    if let Some(set) = card.param("NSET") {
                        r.nsets
                            .entry(set.to_ascii_uppercase())
                            .or_default()
                            .push(id);
                    }
                }
            }
            "ELEMENT" => {
                let kind = element_kind(&card.at, card.required("TYPE")?)?;
                let n = kind.node_count();
                let pos = match r.elements.iter().position(|(k, _)| *k == kind) {
                    Some(p) => p,
                    None => {
                        r.elements.push((kind, Vec::new()));
                        r.elements.len() - 1
                    }
                };
                for (at, f) in &card.data {
                    let f: Vec<&String> = f.iter().filter(|x| !x.is_empty()).collect();
                    if f.len() != n + 1 {
                        bail!(
                            "{at}: a {} element needs its number and {n} nodes, found {} values",
                            card.required("TYPE")?,
                            f.len()
                        );
                    }
                    let id: i64 = number(at, f[0], "element number")?;
                    let nodes = f[1..]
                        .iter()
                        .map(|x| number(at, x, "node number"))
                        .collect::<Result<Vec<i64>>>()?;
                    r.elements[pos].1.push((id, nodes));
                    if let Some(set) = card.param("ELSET") {
                        r.elsets
                            .entry(set.to_ascii_uppercase())
                            .or_default()
                            .push(id);
                    }
                }
            }
            "NSET" => {
                let ids = set_members(card, &r.nsets)?;
                r.nsets
                    .entry(card.required("NSET")?.to_ascii_uppercase())
                    .or_default()
                    .extend(ids);
            }
            "ELSET" => {
                let ids = set_members(card, &r.elsets)?;
                r.elsets
                    .entry(card.required("ELSET")?.to_ascii_uppercase())
                    .or_default()
                    .extend(ids);
            }
            "SURFACE" => {
                if card
                    .param("TYPE")
                    .is_some_and(|t| !t.eq_ignore_ascii_case("ELEMENT"))
                {
                    bail!(
                        "{}: only element-face surfaces (TYPE=ELEMENT) are supported",
                        card.at
                    );
                }
                let name = card.required("NAME")?.to_ascii_uppercase();
                let mut faces = Vec::new();
                for (at, f) in &card.data {
                    let face = face_number(at, f.get(1).map_or("", String::as_str))?;
                    for id in r.element_ids(at, &f[0])? {
                        faces.push((id, face, at.clone()));
                    }
                }
                r.surfaces.entry(name).or_default().extend(faces);
            }
            "MATERIAL" => {
                let name = card.required("NAME")?.to_ascii_uppercase();
                r.materials.insert(
                    name.clone(),
                    MaterialSpec {
                        description: String::new(),
                        youngs_modulus: f64::NAN,
                        poisson_ratio: f64::NAN,
                        density: 0.0,
                        yield_strength: None,
                        ultimate_strength: None,
                        expansion_coefficient: None,
                        conductivity: None,
                        source: format!("{}", card.at),
                    },
                );
                material = Some(name);
            }
            "ELASTIC" => {
                if card
                    .param("TYPE")
                    .is_some_and(|t| !t.to_ascii_uppercase().starts_with("ISO"))
                {
                    bail!("{}: only isotropic *ELASTIC is supported", card.at);
                }
                let (e, nu) = (
                    first_value(card, 0, "Young's modulus")?,
                    first_value(card, 1, "Poisson's ratio")?,
                );
                let m = material_mut(&mut r, &material, card)?;
                (m.youngs_modulus, m.poisson_ratio) = (e, nu);
                m.elastic()
                    .validate(&m.source.clone())
                    .map_err(|err| anyhow!("{}: {err}", card.at))?;
            }
            "DENSITY" => {
                let v = first_value(card, 0, "density")?;
                material_mut(&mut r, &material, card)?.density = v;
            }
            "EXPANSION" => {
                let v = first_value(card, 0, "expansion coefficient")?;
                material_mut(&mut r, &material, card)?.expansion_coefficient = Some(v);
            }
            "CONDUCTIVITY" => {
                let v = first_value(card, 0, "conductivity")?;
                material_mut(&mut r, &material, card)?.conductivity = Some(v);
            }
            "SOLID SECTION" => {
                let elset = card.required("ELSET")?.to_ascii_uppercase();
                let mat = card.required("MATERIAL")?.to_ascii_uppercase();
                if !r.materials.contains_key(&mat) {
                    bail!("{}: material '{mat}' is not defined (yet)", card.at);
                }
                if !r.elsets.contains_key(&elset) {
                    bail!("{}: element set '{elset}' is not defined (yet)", card.at);
                }
                r.sections.push((elset, mat, card.at.clone()));
            }
            "BOUNDARY" if !in_step => boundary(&mut r, card)?,
            "STEP" => {
                if card
                    .param("NLGEOM")
                    .is_some_and(|v| !v.eq_ignore_ascii_case("NO"))
                {
                    bail!("{}: NLGEOM (geometric nonlinearity) is not supported: vproto's analyses are linear", card.at);
                }
                in_step = true;
                steps.push((None, Vec::new(), card.at.clone()));
            }
            "END STEP" => {
                let Some((kind, _, at)) = steps.last() else {
                    bail!("{}: *END STEP without *STEP", card.at)
                };
                if kind.is_none() {
                    bail!("{at}: the step has no procedure (*STATIC, *FREQUENCY or *BUCKLE)");
                }
                in_step = false;
            }
            "STATIC" | "FREQUENCY" | "BUCKLE" | "HEAT TRANSFER" => {
                let Some(step) = steps.last_mut().filter(|_| in_step) else {
                    bail!("{}: *{k} outside a *STEP", card.at)
                };
                let count =
                    |default: usize| -> Result<usize> {
                        match card.data.first().and_then(|(at, f)| {
                            f.first().filter(|x| !x.is_empty()).map(|x| (at, x))
                        }) {
                            Some((at, x)) => number(at, x, "number of modes"),
                            None => Ok(default),
                        }
                    };
                step.0 = Some(match k {
                    "STATIC" => StepKind::Static,
                    "HEAT TRANSFER" if card.flag("STEADY STATE") => StepKind::Heat,
                    "HEAT TRANSFER" => bail!(
                        "{}: only steady-state *HEAT TRANSFER is supported (add STEADY STATE)",
                        card.at
                    ),
                    "FREQUENCY" => StepKind::Frequency { modes: count(10)? },
                    _ => StepKind::Buckle { modes: count(1)? },
                });
            }
            "BOUNDARY" | "CLOAD" | "DLOAD" | "DSLOAD" | "DFLUX" | "FILM" => {
                match steps.last_mut().filter(|_| in_step) {
                    Some(step) => step.1.push(card),
                    None => bail!("{}: *{k} outside a *STEP (loads belong to steps)", card.at),
                }
            }
            k if IGNORED.contains(&k) => r.warnings.push(format!(
                "{}: *{k} skipped (vproto writes its own result files)",
                card.at
            )),
            other => bail!("{}: keyword *{other} is not supported", card.at),
        }
    }
    if in_step {
        bail!("{}: the last *STEP has no *END STEP", path.display());
    }
    let (mesh, element_index) = build_mesh(&r)?;
    let mut deck_steps = Vec::new();
    fixed_temperatures(&mut r, &mut loads)?;
    for (kind, step_cards, _) in &steps {
        for card in step_cards {
            match card.keyword.as_str() {
                "BOUNDARY" => {
                    boundary(&mut r, card)?;
                    fixed_temperatures(&mut r, &mut loads)?;
                }
                "DFLUX" | "FILM" => apply_heat(&r, &element_index, card, &mut loads)?,
                _ => apply_load(&r, &element_index, card, &mut loads)?,
            }
        }
        deck_steps.push(Step {
            kind: kind.expect("checked at *END STEP"),
            loads: loads.to_solver(mesh.nodes.len()),
            heat: loads.heat(),
        });
    }
    let boundaries = boundaries(&r)?;
    Ok(Deck {
        mesh,
        node_ids: r.node_ids,
        materials: r.materials,
        sections: r.sections.into_iter().map(|(e, m, _)| (e, m)).collect(),
        boundaries,
        steps: deck_steps,
        warnings: r.warnings,
    })
}

/// "S3" → 2.
fn face_number(at: &Origin, f: &str) -> Result<u8> {
    f.trim()
        .to_ascii_uppercase()
        .strip_prefix('S')
        .and_then(|n| n.parse::<u8>().ok())
        .filter(|n| (1..=6).contains(n))
        .map(|n| n - 1)
        .ok_or_else(|| anyhow!("{at}: face '{f}' should be S1 … S6"))
}

/// Records a `*BOUNDARY` card: `target, first[, last[, value]]` or `target, ENCASTRE`.
fn boundary(r: &mut Reader, card: &Card) -> Result<()> {
    if card
        .param("TYPE")
        .is_some_and(|t| !t.eq_ignore_ascii_case("DISPLACEMENT"))
    {
        bail!(
            "{}: only displacement boundary conditions are supported",
            card.at
        );
    }
    for (at, f) in &card.data {
        let target = f.first().cloned().unwrap_or_default();
        let second = f.get(1).map_or(String::new(), |s| s.to_ascii_uppercase());
        let (first, last, value) = match second.as_str() {
            "ENCASTRE" | "PINNED" => (1, 3, 0.0),
            "XSYMM" => (1, 1, 0.0),
            "YSYMM" => (2, 2, 0.0),
            "ZSYMM" => (3, 3, 0.0),
            _ => {
                let first: usize = number(at, &second, "first degree of freedom")?;
                let last: usize = match f.get(2).filter(|x| !x.is_empty()) {
                    Some(x) => number(at, x, "last degree of freedom")?,
                    None => first,
                };
                let value: f64 = match f.get(3).filter(|x| !x.is_empty()) {
                    Some(x) => number(at, x, "value")?,
                    None => 0.0,
                };
                (first, last, value)
            }
        };
        if first == 11 && last == 11 {
            r.temperatures.push((target, value, at.clone()));
            continue;
        }
        if !(1..=3).contains(&first) || !(first..=6).contains(&last) {
            bail!("{at}: degrees of freedom {first}–{last}: solid elements have 1, 2, 3 (translations)");
        }
        r.boundaries
            .push((target, first, last.min(3), value, at.clone()));
    }
    Ok(())
}

fn boundaries(r: &Reader) -> Result<Vec<Boundary>> {
    let mut fixed: BTreeMap<usize, [Option<f64>; 3]> = BTreeMap::new();
    for (target, first, last, value, at) in &r.boundaries {
        for n in r.node_targets(at, target)? {
            let c = fixed.entry(n).or_default();
            for (k, component) in c.iter_mut().enumerate().take(*last).skip(first - 1) {
                if component.is_some_and(|v| v != *value) {
                    bail!("{at}: node {} component {} is prescribed twice with different values (per-step boundary values are not supported)", r.node_ids[n], k + 1);
                }
                *component = Some(*value);
            }
        }
    }
    // One constraint per distinct component pattern.
    let mut grouped: BTreeMap<[Option<u64>; 3], Vec<usize>> = BTreeMap::new();
    for (n, c) in fixed {
        grouped
            .entry(c.map(|v| v.map(f64::to_bits)))
            .or_default()
            .push(n);
    }
    Ok(grouped
        .into_iter()
        .map(|(c, nodes)| Boundary {
            nodes,
            components: c.map(|v| v.map(f64::from_bits)),
        })
        .collect())
}

/// Moves the fixed temperatures read so far into the step loads.
fn fixed_temperatures(r: &mut Reader, loads: &mut Loads) -> Result<()> {
    for (target, value, at) in std::mem::take(&mut r.temperatures) {
        for n in r.node_targets(&at, &target)? {
            loads.temperature.insert(n, value);
        }
    }
    Ok(())
}

/// The mesh index of deck element `id`.
fn element_of(element_index: &HashMap<i64, usize>, at: &Origin, id: i64) -> Result<usize> {
    element_index
        .get(&id)
        .copied()
        .ok_or_else(|| anyhow!("{at}: element {id} is not defined"))
}

/// `*DFLUX` (element, Sn or BF, value) and `*FILM` (element, Fn, sink temperature, h).
fn apply_heat(
    r: &Reader,
    element_index: &HashMap<i64, usize>,
    card: &Card,
    loads: &mut Loads,
) -> Result<()> {
    let new = card
        .param("OP")
        .is_some_and(|o| o.eq_ignore_ascii_case("NEW"));
    let element = |at: &Origin, id: i64| element_of(element_index, at, id);
    let film = card.keyword == "FILM";
    if new {
        if film {
            loads.film.clear();
        } else {
            loads.flux.clear();
            loads.source.clear();
        }
    }
    for (at, f) in &card.data {
        let kind = f.get(1).map_or(String::new(), |s| s.to_ascii_uppercase());
        let value = |k: usize, what: &str| -> Result<f64> {
            number(at, f.get(k).map_or("", String::as_str), what)
        };
        for id in r.element_ids(at, &f[0])? {
            let e = element(at, id)?;
            match (film, kind.as_str()) {
                (false, "BF") => {
                    loads.source.insert(e, value(2, "heat generation")?);
                }
                (false, s) if s.starts_with('S') => {
                    loads
                        .flux
                        .insert((e, face_number(at, s)?), value(2, "heat flux")?);
                }
                (true, s) if s.starts_with('F') => {
                    let face = face_number(at, &format!("S{}", &s[1..]))?;
                    loads.film.insert(
                        (e, face),
                        (value(2, "sink temperature")?, value(3, "film coefficient")?),
                    );
                }
                _ => bail!(
                    "{at}: *{} type '{kind}' is not supported (DFLUX: Sn, BF; FILM: Fn)",
                    card.keyword
                ),
            }
        }
    }
    Ok(())
}

fn apply_load(
    r: &Reader,
    element_index: &HashMap<i64, usize>,
    card: &Card,
    loads: &mut Loads,
) -> Result<()> {
    let new = card
        .param("OP")
        .is_some_and(|o| o.eq_ignore_ascii_case("NEW"));
    let element = |at: &Origin, id: i64| element_of(element_index, at, id);
    match card.keyword.as_str() {
        "CLOAD" => {
            if new {
                loads.nodal.clear();
            }
            for (at, f) in &card.data {
                let c: usize =
                    number(at, f.get(1).map_or("", String::as_str), "degree of freedom")?;
                if !(1..=3).contains(&c) {
                    bail!(
                        "{at}: *CLOAD degree of freedom {c}: solid elements take forces in 1, 2, 3"
                    );
                }
                let v: f64 = number(at, f.get(2).map_or("", String::as_str), "force")?;
                for n in r.node_targets(at, &f[0])? {
                    loads.nodal.insert((n, c - 1), v);
                }
            }
        }
        "DLOAD" => {
            if new {
                loads.pressure.clear();
                loads.gravity.clear();
            }
            for (at, f) in &card.data {
                let kind = f.get(1).map_or(String::new(), |s| s.to_ascii_uppercase());
                let ids = r.element_ids(at, &f[0])?;
                if kind == "GRAV" {
                    let v: Vec<f64> = f[2..]
                        .iter()
                        .take(4)
                        .map(|x| number(at, x, "GRAV value"))
                        .collect::<Result<_>>()?;
                    let [g, x, y, z] = v[..] else {
                        bail!("{at}: GRAV takes magnitude, x, y, z")
                    };
                    let elements = ids
                        .iter()
                        .map(|&id| element(at, id))
                        .collect::<Result<_>>()?;
                    loads.gravity.insert(
                        f[0].to_ascii_uppercase(),
                        (elements, g * Vector3::new(x, y, z)),
                    );
                } else if let Some(face) = kind.strip_prefix('P').filter(|n| !n.is_empty()) {
                    let face = face_number(at, &format!("S{face}"))?;
                    let p: f64 = number(at, f.get(2).map_or("", String::as_str), "pressure")?;
                    for id in ids {
                        loads.pressure.insert((element(at, id)?, face), p);
                    }
                } else {
                    bail!("{at}: *DLOAD type '{kind}' is not supported (Pn, GRAV)");
                }
            }
        }
        _ => {
            if new {
                loads.pressure.clear();
            }
            for (at, f) in &card.data {
                if !f.get(1).is_some_and(|k| k.eq_ignore_ascii_case("P")) {
                    bail!("{at}: *DSLOAD supports pressure (P) only");
                }
                let p: f64 = number(at, f.get(2).map_or("", String::as_str), "pressure")?;
                let faces = r
                    .surfaces
                    .get(&f[0].to_ascii_uppercase())
                    .ok_or_else(|| anyhow!("{at}: unknown surface '{}'", f[0]))?;
                for (id, face, _) in faces {
                    loads.pressure.insert((element(at, *id)?, *face), p);
                }
            }
        }
    }
    Ok(())
}

/// The mesh: nodes in deck order, one block per element type, node sets, element sets
/// (regions) and surfaces (face sets) under their deck names.
fn build_mesh(r: &Reader) -> Result<(Mesh, HashMap<i64, usize>)> {
    let mut mesh = Mesh {
        nodes: r.nodes.clone(),
        node_labels: r.node_ids.clone(),
        ..Default::default()
    };
    let mut element_index = HashMap::new();
    for (kind, elements) in &r.elements {
        let mut block = ElementBlock {
            kind: *kind,
            connectivity: Vec::with_capacity(elements.len() * kind.node_count()),
        };
        for (id, nodes) in elements {
            let index = element_index.len();
            if element_index.insert(*id, index).is_some() {
                bail!("element {id} is defined twice");
            }
            for n in nodes {
                let at = Origin {
                    file: PathBuf::from("element"),
                    line: *id as usize,
                };
                block
                    .connectivity
                    .push(r.node(&at, *n).map_err(|_| {
                        anyhow!("element {id} uses node {n}, which is not defined")
                    })?);
            }
        }
        mesh.blocks.push(block);
    }
    for (name, ids) in &r.nsets {
        let at = Origin {
            file: PathBuf::from("node set"),
            line: 0,
        };
        let mut nodes = ids
            .iter()
            .map(|&id| r.node(&at, id))
            .collect::<Result<Vec<_>>>()
            .map_err(|e| anyhow!("*NSET {name}: {e}"))?;
        nodes.sort_unstable();
        nodes.dedup();
        mesh.node_sets.insert(name.clone(), nodes);
    }
    for (name, ids) in &r.elsets {
        let mut elements = ids
            .iter()
            .map(|id| {
                element_index
                    .get(id)
                    .copied()
                    .ok_or_else(|| anyhow!("*ELSET {name}: element {id} is not defined"))
            })
            .collect::<Result<Vec<_>>>()?;
        elements.sort_unstable();
        elements.dedup();
        mesh.element_sets.insert(name.clone(), elements);
    }
    for (name, faces) in &r.surfaces {
        let faces = faces
            .iter()
            .map(|(id, face, at)| {
                let element = *element_index
                    .get(id)
                    .ok_or_else(|| anyhow!("{at}: element {id} is not defined"))?;
                let kind = mesh.element(element).0;
                if usize::from(*face) >= kind.face_count() {
                    bail!("{at}: a {} element has no face S{}", kind.name(), face + 1);
                }
                Ok(FaceRef {
                    element,
                    face: *face,
                })
            })
            .collect::<Result<_>>()?;
        mesh.face_sets.insert(name.clone(), faces);
    }
    Ok((mesh, element_index))
}

/// The TOML of a case that runs every step of a deck: a static step is a static load
/// case, a frequency step a modal one, a buckle step a static load case of its loads and
/// the buckling load case it preloads.
pub fn case_text(deck_path: &Path, deck: &Deck) -> String {
    let stem = deck_path.file_stem().map_or("deck".into(), |s| {
        s.to_string_lossy().replace(
            |c: char| !(c.is_ascii_alphanumeric() || "_-.".contains(c)),
            "_",
        )
    });
    let file = deck_path
        .file_name()
        .map_or(String::new(), |f| f.to_string_lossy().into_owned());
    let mut s = format!("name = \"{stem}\"\ndescription = \"Abaqus/CalculiX deck {file}\"\n\n[model]\ninp = \"{file}\"\n");
    for (i, step) in deck.steps.iter().enumerate() {
        let n = i + 1;
        let load = format!("[[load_case.load]]\ntype = \"deck_step\"\nstep = {n}\n");
        match step.kind {
            StepKind::Static => s += &format!("\n[[load_case]]\nname = \"step{n}\"\n{load}"),
            StepKind::Heat => {
                s += &format!("\n[[load_case]]\nname = \"step{n}\"\nanalysis = \"heat\"\n{load}")
            }
            StepKind::Frequency { modes } => {
                s += &format!("\n[[load_case]]\nname = \"step{n}\"\nanalysis = \"modal\"\nmodes = {modes}\n")
            }
            StepKind::Buckle { modes } => {
                s += &format!(
                    "\n[[load_case]]\nname = \"step{n}_preload\"\n{load}\n[[load_case]]\nname = \"step{n}\"\nanalysis = \"buckling\"\npreload = \"step{n}_preload\"\nmodes = {modes}\n"
                )
            }
        }
    }
    s
}
