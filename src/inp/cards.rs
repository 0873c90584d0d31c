//! The deck as text: lines (with `*INCLUDE`s), keyword cards with their parameters and
//! data lines, each with the file and line it came from; numbers and names parsed with
//! that position in every error.

use anyhow::{anyhow, bail, Context, Result};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use vproto_solver::ElementKind;

/// Where a line came from.
#[derive(Clone, Debug)]
pub(super) struct Origin {
    pub(super) file: PathBuf,
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
    pub(super) data: Vec<(Origin, Vec<String>)>,
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

/// Reads the lines of a deck and its `*INCLUDE`s.
pub(super) fn lines(path: &Path, out: &mut Vec<(Origin, String)>, depth: usize) -> Result<()> {
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

pub(super) fn cards(path: &Path) -> Result<Vec<Card>> {
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

pub(super) fn number<T: std::str::FromStr>(at: &Origin, field: &str, what: &str) -> Result<T> {
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
