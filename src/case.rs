//! Reading a case file: parameters substituted, the text parsed into the
//! [`crate::schema`] types (strictly: unknown keys are errors) and kept, so that every
//! later error can name its line, and so that each analysis can read its own load-case
//! options ([`Case::options`]) with their positions.

use crate::params::Parameters;
use crate::schema::{CaseSpec, COMMON_LOAD_CASE_KEYS};
use anyhow::{anyhow, bail, Context, Result};
use std::path::{Path, PathBuf};
use toml::Spanned;

/// A parsed case file together with its path and text (for error positions).
#[derive(Debug)]
pub struct Case {
    pub path: PathBuf,
    /// The text after parameter substitution.
    pub text: String,
    pub spec: CaseSpec,
    /// The parameter values used.
    pub parameters: Parameters,
    /// A deck already read (for `vproto run deck.inp`), taken by the model.
    pub deck: std::cell::RefCell<Option<crate::inp::Deck>>,
}

impl Case {
    /// Reads and parses a case file; syntax and schema errors name the file and line.
    pub fn load(path: &Path) -> Result<Self> {
        Self::load_with(path, &Parameters::new())
    }

    /// Reads a case file with some of its `[parameters]` set to other values.
    pub fn load_with(path: &Path, overrides: &Parameters) -> Result<Self> {
        if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("inp"))
        {
            return Self::from_deck(path);
        }
        let raw = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read case file {}", path.display()))?;
        let mut parameters = crate::params::declared(path, &raw)?;
        for (k, v) in overrides {
            match parameters.get_mut(k) {
                Some(p) => *p = v.clone(),
                None => bail!(
                    "{}: no parameter '{k}' is declared in [parameters]",
                    path.display()
                ),
            }
        }
        let text = crate::params::substitute(path, &raw, &parameters)?;
        let spec: CaseSpec = toml::from_str(&text).map_err(|e| syntax_error(path, &text, &e))?;
        reject_non_finite(path, &text)?;
        if spec.load_case.is_empty() && spec.mechanism.is_none() {
            bail!(
                "{}: the case defines no [[load_case]] and no [mechanism]",
                path.display()
            );
        }
        if !spec.load_case.is_empty() && spec.model.is_none() {
            bail!(
                "{}: load cases need a [model] (a mesh, a .geo or a generator)",
                path.display()
            );
        }
        let valid = |n: &str| {
            !n.is_empty()
                && n.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c))
        };
        let name_ok = spec.name.as_deref().is_none_or(valid);
        if let Some(bad) = spec
            .load_case
            .iter()
            .map(|l| l.name.as_str())
            .chain((!name_ok).then_some(spec.name.as_deref().unwrap_or("")))
            .find(|n| !valid(n))
        {
            bail!(
                "{}: name '{bad}' may only use letters, digits, '_', '-' and '.' (it names result files and HDF5 groups)",
                path.display()
            );
        }
        let mut names: Vec<&str> = spec.load_case.iter().map(|l| l.name.as_str()).collect();
        names.sort_unstable();
        if let Some(w) = names.windows(2).find(|w| w[0] == w[1]) {
            bail!("{}: two load cases are named '{}'", path.display(), w[0]);
        }
        Ok(Self {
            path: path.to_path_buf(),
            text,
            spec,
            parameters,
            deck: std::cell::RefCell::new(None),
        })
    }

    /// A case that runs every step of an Abaqus/CalculiX deck (see [`crate::inp::case_text`]).
    pub fn from_deck(path: &Path) -> Result<Self> {
        let deck = crate::inp::read(path)?;
        for w in &deck.warnings {
            tracing::warn!("{w}");
        }
        if deck.steps.is_empty() {
            bail!("{}: the deck has no *STEP to run", path.display());
        }
        let text = crate::inp::case_text(path, &deck);
        let spec: CaseSpec = toml::from_str(&text).map_err(|e| syntax_error(path, &text, &e))?;
        Ok(Self {
            path: path.to_path_buf(),
            text,
            spec,
            parameters: Parameters::new(),
            deck: std::cell::RefCell::new(Some(deck)),
        })
    }

    /// The scale of the case's temperatures (`°C` unless `[model] temperature_unit`).
    pub fn temperature_unit(&self) -> &'static str {
        self.spec
            .model
            .as_ref()
            .map_or("°C", |m| m.temperature_unit.symbol())
    }

    pub fn name(&self) -> String {
        self.spec.name.clone().unwrap_or_else(|| {
            self.path
                .file_stem()
                .map_or("case".into(), |s| s.to_string_lossy().into_owned())
        })
    }

    /// Resolves a path written in the case file against the case file's directory.
    pub fn resolve(&self, p: &Path) -> PathBuf {
        self.path.parent().unwrap_or(Path::new(".")).join(p)
    }

    /// "file:line" for a span of the case text.
    pub fn at(&self, span: std::ops::Range<usize>) -> String {
        let line = self.text[..span.start.min(self.text.len())]
            .matches('\n')
            .count()
            + 1;
        format!("{}:{line}", self.path.display())
    }

    /// The options of load case `index`: its keys other than the common ones
    /// ([`COMMON_LOAD_CASE_KEYS`]), read into the analysis' own type. Unknown keys and
    /// wrong types are errors at their line.
    pub fn options<T: serde::de::DeserializeOwned>(&self, index: usize) -> Result<T> {
        let doc = toml::de::DeTable::parse(&self.text)
            .map_err(|e| syntax_error(&self.path, &self.text, &e))?;
        let lc = doc
            .get_ref()
            .get("load_case")
            .and_then(|v| v.get_ref().as_array())
            .and_then(|a| a.get(index))
            .ok_or_else(|| anyhow!("{}: load case {} not found", self.path.display(), index + 1))?;
        let span = lc.span();
        let table: toml::de::DeTable = lc
            .get_ref()
            .as_table()
            .ok_or_else(|| anyhow!("{}: a load case must be a table", self.at(span.clone())))?
            .iter()
            .filter(|(k, _)| !COMMON_LOAD_CASE_KEYS.contains(&k.get_ref().as_ref()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let de = toml::de::Deserializer::from(Spanned::new(span, table));
        T::deserialize(de).map_err(|e| syntax_error(&self.path, &self.text, &e))
    }

    /// Wraps an error with the position of a spanned value.
    pub fn error_at<T>(&self, value: &Spanned<T>, err: impl std::fmt::Display) -> anyhow::Error {
        anyhow::anyhow!("{}: {err}", self.at(value.span()))
    }
}

/// Rejects `inf` and `nan` anywhere in the case: no limit, load or constant may be
/// infinite (a criterion against `limit = inf` would pass on nothing).
fn reject_non_finite(path: &Path, text: &str) -> Result<()> {
    fn find(v: &Spanned<toml::de::DeValue>) -> Option<std::ops::Range<usize>> {
        use toml::de::DeValue;
        match v.get_ref() {
            DeValue::Float(f) => f
                .as_str()
                .replace('_', "")
                .parse::<f64>()
                .is_ok_and(|x| !x.is_finite())
                .then(|| v.span()),
            DeValue::Array(a) => a.iter().find_map(find),
            DeValue::Table(t) => t.values().find_map(find),
            _ => None,
        }
    }
    let doc = toml::de::DeTable::parse(text).map_err(|e| syntax_error(path, text, &e))?;
    if let Some(span) = doc.get_ref().values().find_map(find) {
        let line = text[..span.start].matches('\n').count() + 1;
        bail!(
            "{}:{line}: '{}' is not a finite number: every value must be finite",
            path.display(),
            &text[span]
        );
    }
    Ok(())
}

/// Formats a TOML error as `file:line: message` with the offending line. Errors inside
/// tagged tables (loads, criteria, generators) come from serde pointing at the table
/// header; the key or value the message names is then looked up inside that table.
pub(crate) fn syntax_error(path: &Path, text: &str, e: &toml::de::Error) -> anyhow::Error {
    let msg = e.message().trim_end();
    let mut pos = e.span().map_or(0, |s| s.start);
    let named = msg
        .split('`')
        .nth(1)
        .filter(|_| msg.starts_with("unknown") || msg.starts_with("missing"));
    if let Some(word) = named.filter(|_| text[pos..].starts_with('[')) {
        let table_end = text[pos + 1..]
            .find("\n[")
            .map_or(text.len(), |i| pos + 1 + i);
        let table = &text[pos..table_end];
        let hit = table
            .match_indices(word)
            .find(|(i, _)| {
                let line_start = table[..*i].rfind('\n').map_or(0, |j| j + 1);
                let before = table[line_start..*i]
                    .trim()
                    .trim_end_matches(['"', '\''])
                    .trim_end();
                before.is_empty() || before.ends_with('=')
            })
            .map(|(i, _)| i);
        if let Some(i) = hit {
            pos += i;
        }
    }
    let line_no = text[..pos].matches('\n').count() + 1;
    let line = text.lines().nth(line_no - 1).unwrap_or("");
    anyhow::anyhow!(
        "{}:{line_no}: {msg}\n    {line_no} | {line}",
        path.display()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::GeneratorSpec;

    fn parse(s: &str) -> std::result::Result<CaseSpec, String> {
        toml::from_str::<CaseSpec>(s)
            .map_err(|e| syntax_error(Path::new("c.toml"), s, &e).to_string())
    }

    const MINIMAL: &str = r#"
[model.generate]
shape = "box"
size = [1.0, 0.1, 0.1]
divisions = [10, 1, 1]
element = "hex8"

[regions]
all = "steel_s355"

[[constraint]]
set = "xmin"
fixed = true

[[load_case]]
name = "tip"
[[load_case.load]]
type = "force"
set = "xmax"
total = [0.0, 0.0, -100.0]
"#;

    #[test]
    fn minimal_case_parses() {
        let c = parse(MINIMAL).unwrap();
        assert_eq!(c.load_case[0].load.len(), 1);
        assert!(matches!(
            c.model.unwrap().generate,
            Some(GeneratorSpec::Box { .. })
        ));
    }

    #[test]
    fn unknown_keys_name_the_line_and_key() {
        let bad = MINIMAL.replace("total = [0.0, 0.0, -100.0]", "totl = [0.0, 0.0, -100.0]");
        let e = parse(&bad).unwrap_err();
        assert!(e.starts_with("c.toml:20:") && e.contains("totl"), "{e}");
        let bad = MINIMAL.replace(
            "divisions = [10, 1, 1]",
            "divisions = [10, 1, 1]\ncolour = 3",
        );
        let e = parse(&bad).unwrap_err();
        assert!(e.contains("colour"), "{e}");
    }

    #[test]
    fn wrong_types_name_the_line() {
        let bad = MINIMAL.replace("element = \"hex8\"", "element = \"hex9\"");
        let e = parse(&bad).unwrap_err();
        assert!(e.starts_with("c.toml:6:") && e.contains("hex9"), "{e}");
    }
}
