//! The deck as text: lines (with `*INCLUDE`s), keyword cards with their parameters and
//! data lines, each with the file and line it came from; numbers and names parsed with
//! that position in every error.

use anyhow::{anyhow, bail, Context, Result};
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use vproto_solver::ElementKind;

/// Where a line came from (the file shared by all its lines).
#[derive(Clone, Debug)]
pub(super) struct Origin {
    pub(super) file: Arc<Path>,
    pub(super) line: usize,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.file.display(), self.line)
    }
}

/// A keyword line and its data lines.
pub(super) struct Card {
    pub(super) keyword: String,
    pub(super) params: HashMap<String, String>,
    pub(super) data: Vec<(Origin, Fields)>,
    pub(super) at: Origin,
}

impl Card {
    pub(super) fn param(&self, key: &str) -> Option<&str> {
        self.params.get(key).map(String::as_str)
    }
    pub(super) fn required(&self, key: &str) -> Result<&str> {
        self.param(key)
            .ok_or_else(|| anyhow!("{}: *{} needs {key}=", self.at, self.keyword))
    }
    pub(super) fn flag(&self, key: &str) -> bool {
        self.params.contains_key(key)
    }
}

/// The comma-separated fields of a data record, trimmed: one string and the field
/// boundaries in it (a deck of a million-node mesh has millions of fields; one
/// allocation each would take several times the mesh's own memory).
#[derive(Debug, Default)]
pub(super) struct Fields {
    text: String,
    spans: Vec<(u32, u32)>,
}

impl Fields {
    fn parse(line: &str) -> Self {
        let mut f = Self::default();
        f.extend(line);
        f
    }

    /// Appends the fields of a continuation line.
    fn extend(&mut self, line: &str) {
        let base = self.text.len();
        self.text.push_str(line);
        let mut start = 0;
        for part in line.split(',') {
            let lead = part.len() - part.trim_start().len();
            let (a, b) = (base + start + lead, base + start + part.trim_end().len());
            self.spans.push((a as u32, b.max(a) as u32));
            start += part.len() + 1;
        }
        self.text.push(',');
    }

    pub(super) fn len(&self) -> usize {
        self.spans.len()
    }

    pub(super) fn get(&self, k: usize) -> Option<&str> {
        self.spans
            .get(k)
            .map(|&(a, b)| &self.text[a as usize..b as usize])
    }

    pub(super) fn first(&self) -> Option<&str> {
        self.get(0)
    }

    pub(super) fn iter(&self) -> impl Iterator<Item = &str> {
        (0..self.len()).map(|k| &self[k])
    }

    fn last_is_empty(&self) -> bool {
        self.spans.last().is_some_and(|&(a, b)| a == b)
    }
}

impl std::ops::Index<usize> for Fields {
    type Output = str;
    fn index(&self, k: usize) -> &str {
        self.get(k).expect("a field within the record")
    }
}

/// Reads the cards of a deck and its `*INCLUDE`s (an included file's data lines
/// continue the card before the `*INCLUDE`).
fn read(path: &Path, cards: &mut Vec<Card>, depth: usize) -> Result<()> {
    if depth > 20 {
        bail!("{}: *INCLUDE nested more than 20 deep", path.display());
    }
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let file: Arc<Path> = Arc::from(path);
    for (i, line) in text.lines().enumerate() {
        let at = Origin {
            file: file.clone(),
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
            read(&file, cards, depth + 1).with_context(|| format!("{at}: included here"))?;
        } else {
            push_line(cards, at, t)?;
        }
    }
    Ok(())
}

pub(super) fn cards(path: &Path) -> Result<Vec<Card>> {
    let mut cards = Vec::new();
    read(path, &mut cards, 0)?;
    Ok(cards)
}

/// A keyword line starts a card; a data line adds a record to the last one.
fn push_line(cards: &mut Vec<Card>, at: Origin, line: &str) -> Result<()> {
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
        return Ok(());
    }
    let Some(card) = cards.last_mut() else {
        bail!("{at}: data before the first keyword");
    };
    // A trailing comma continues the record on the next line (long elements). Field
    // positions are 32-bit: a record is limited to 4 GiB (no real one comes close).
    match card.data.last_mut() {
        Some((_, prev)) if prev.last_is_empty() => {
            if prev.text.len() + line.len() >= u32::MAX as usize {
                bail!("{at}: a data record continued over lines longer than 4 GiB");
            }
            prev.spans.pop();
            prev.text.pop();
            prev.extend(line);
        }
        _ if line.len() >= u32::MAX as usize => bail!("{at}: a data line longer than 4 GiB"),
        _ => card.data.push((at, Fields::parse(line))),
    }
    Ok(())
}

pub(super) fn number<T: std::str::FromStr>(at: &Origin, field: &str, what: &str) -> Result<T> {
    if field.trim().parse::<f64>().is_ok_and(|v| !v.is_finite()) {
        bail!("{at}: {what} '{field}' is not a finite number");
    }
    field
        .trim()
        .parse()
        .map_err(|_| anyhow!("{at}: {what} '{field}' is not a number"))
}

/// Element type → vproto kind.
pub(super) fn element_kind(at: &Origin, name: &str) -> Result<ElementKind> {
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
pub(super) const IGNORED: &[&str] = &[
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

/// "S3" → 2.
pub(super) fn face_number(at: &Origin, f: &str) -> Result<u8> {
    f.trim()
        .to_ascii_uppercase()
        .strip_prefix('S')
        .and_then(|n| n.parse::<u8>().ok())
        .filter(|n| (1..=6).contains(n))
        .map(|n| n - 1)
        .ok_or_else(|| anyhow!("{at}: face '{f}' should be S1 … S6"))
}

/// What the reader implements of a keyword: its parameters (with the values it takes,
/// or any value when the list is empty), the solver-choice parameters it accepts with a
/// note (vproto chooses its own solver), and how many fields a data line may hold.
struct Keyword {
    params: &'static [(&'static str, &'static [&'static str])],
    noted: &'static [&'static str],
    fields: Option<usize>,
}

const ANY: &[&str] = &[];
const OP: (&str, &[&str]) = ("OP", &["NEW", "MOD"]);
const AMPLITUDE: (&str, &[&str]) = ("AMPLITUDE", ANY);

fn keyword(name: &str) -> Option<Keyword> {
    let k = |params, noted, fields| {
        Some(Keyword {
            params,
            noted,
            fields,
        })
    };
    match name {
        "HEADING" | "END STEP" => k(&[], &[], None),
        "NODE" => k(&[("NSET", ANY)], &[], Some(4)),
        "ELEMENT" => k(&[("TYPE", ANY), ("ELSET", ANY)], &[], None),
        "NSET" => k(&[("NSET", ANY), ("GENERATE", ANY)], &[], None),
        "ELSET" => k(&[("ELSET", ANY), ("GENERATE", ANY)], &[], None),
        "SURFACE" => k(
            &[("NAME", ANY), ("TYPE", &["ELEMENT", "NODE"])],
            &[],
            Some(2),
        ),
        "TIE" => k(
            &[
                ("NAME", ANY),
                ("POSITION TOLERANCE", ANY),
                ("ADJUST", &["YES", "NO"]),
            ],
            &[],
            Some(2),
        ),
        "MATERIAL" => k(&[("NAME", ANY)], &[], Some(0)),
        "ELASTIC" => k(&[("TYPE", &["ISO", "ISOTROPIC"])], &[], Some(2)),
        "DENSITY" | "EXPANSION" | "CONDUCTIVITY" => k(&[], &[], Some(1)),
        "DAMPING" => k(&[("STRUCTURAL", ANY)], &[], Some(0)),
        "SOLID SECTION" => k(&[("ELSET", ANY), ("MATERIAL", ANY)], &[], Some(0)),
        "BOUNDARY" => k(
            &[
                ("TYPE", &["DISPLACEMENT"]),
                ("OP", &["MOD"]),
                ("FIXED", &[""]),
            ],
            &[],
            Some(4),
        ),
        "CLOAD" | "DSLOAD" => k(&[OP, AMPLITUDE], &[], Some(3)),
        "DFLUX" => k(&[OP], &[], Some(3)),
        "DLOAD" => k(&[OP, AMPLITUDE], &[], Some(6)),
        "FILM" => k(&[OP], &[], Some(4)),
        "STEP" => k(
            &[
                ("NLGEOM", &["", "YES", "NO"]),
                ("NAME", ANY),
                ("PERTURBATION", ANY),
            ],
            &["INC"],
            Some(0),
        ),
        "STATIC" => k(&[], &["SOLVER", "DIRECT"], Some(4)),
        "PLASTIC" => k(&[("HARDENING", &["ISOTROPIC", "KINEMATIC"])], &[], Some(3)),
        "HYPERELASTIC" => k(&[("NEO HOOKE", &[""])], &[], Some(3)),
        "FREQUENCY" => k(&[], &["SOLVER", "STORAGE", "MATRIXSTORAGE"], Some(1)),
        "BUCKLE" => k(&[], &["SOLVER"], None),
        "MODAL DYNAMIC" => k(&[], &["SOLVER", "DIRECT"], Some(2)),
        "DYNAMIC" => k(&[("DIRECT", ANY), ("ALPHA", ANY)], &["SOLVER"], Some(2)),
        "STEADY STATE DYNAMICS" => k(&[], &["SOLVER"], Some(4)),
        "MODAL DAMPING" => k(&[("RAYLEIGH", ANY)], &[], Some(4)),
        "BASE MOTION" => k(
            &[
                ("DOF", &["1", "2", "3"]),
                AMPLITUDE,
                ("TYPE", &["ACCELERATION"]),
            ],
            &[],
            Some(0),
        ),
        "AMPLITUDE" => k(&[("NAME", ANY), ("TIME", &["STEP TIME"])], &[], Some(8)),
        "HEAT TRANSFER" => k(&[("STEADY STATE", ANY)], &["SOLVER", "DIRECT"], None),
        _ => contact_keyword(name),
    }
}

/// The contact keywords ([`super::contact`]).
fn contact_keyword(name: &str) -> Option<Keyword> {
    let k = |params, fields| {
        Some(Keyword {
            params,
            noted: &[],
            fields,
        })
    };
    match name {
        "SURFACE INTERACTION" => k(&[("NAME", ANY)], Some(0)),
        "SURFACE BEHAVIOR" => k(&[("PRESSURE-OVERCLOSURE", &["HARD", "LINEAR"])], Some(1)),
        "FRICTION" => k(&[], Some(2)),
        "PRE-TENSION SECTION" => k(&[("SURFACE", ANY), ("NODE", ANY)], Some(3)),
        "CONTACT PAIR" => k(
            &[
                ("INTERACTION", ANY),
                ("TYPE", &["SURFACE TO SURFACE", "NODE TO SURFACE", "MORTAR"]),
                ("SMALL SLIDING", &[""]),
            ],
            Some(2),
        ),
        _ => None,
    }
}

/// Rejects a parameter, a parameter value or a data field the reader does not
/// implement (each an error at its line); solver choices are noted in `notes`. Unknown
/// keywords are left to the reader, which rejects them by name.
pub(super) fn check_options(card: &Card, notes: &mut Vec<String>) -> Result<()> {
    let Some(spec) = keyword(&card.keyword) else {
        return Ok(());
    };
    for (name, value) in &card.params {
        if spec.noted.contains(&name.as_str()) {
            let what = match name.as_str() {
                "INC" => "increments",
                "STORAGE" | "MATRIXSTORAGE" => "storage (it keeps the modes for later steps)",
                _ => "solver",
            };
            notes.push(format!(
                "{}: *{}, {name} noted: vproto chooses its own {what}",
                card.at, card.keyword
            ));
            continue;
        }
        match spec.params.iter().find(|(p, _)| p == name) {
            None => bail!(
                "{}: *{}: parameter {name} is not supported{}",
                card.at,
                card.keyword,
                supported(&spec)
            ),
            Some((_, values))
                if !values.is_empty() && !values.iter().any(|v| v.eq_ignore_ascii_case(value)) =>
            {
                bail!(
                    "{}: *{}, {name}={value} is not supported (only {})",
                    card.at,
                    card.keyword,
                    values.join(", ")
                )
            }
            _ => {}
        }
    }
    if let Some(n) = spec.fields {
        for (at, fields) in &card.data {
            if let Some(extra) = fields.iter().skip(n).position(|f| !f.is_empty()) {
                bail!(
                    "{at}: *{} data field {} ('{}') is not supported: vproto reads {n} field(s) here",
                    card.keyword,
                    n + extra + 1,
                    &fields[n + extra]
                );
            }
        }
    }
    Ok(())
}

fn supported(spec: &Keyword) -> String {
    let names: Vec<&str> = spec.params.iter().map(|(p, _)| *p).collect();
    if names.is_empty() {
        " (it takes none)".into()
    } else {
        format!(" (supported: {})", names.join(", "))
    }
}
