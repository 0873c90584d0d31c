//! Design parameters. A case file declares them in `[parameters]` (numbers, or names
//! such as a material) and uses them as `${expression}` anywhere a value is written:
//! `size = [${length}, 0.05, ${2 * t}]`, `all = "${material}"`. Substitution happens on
//! the text before parsing, so every error still points at its line; expressions are
//! the safe arithmetic of [`crate::expr`], nothing else runs.

use crate::expr::Expr;
use anyhow::{anyhow, bail, Result};
use std::collections::BTreeMap;
use std::path::Path;

pub use crate::schema::Value;

/// Parameter values by name.
pub type Parameters = BTreeMap<String, Value>;

/// Each `${…}` of `text`: (byte range including the braces, the expression inside).
fn placeholders(text: &str) -> Vec<(std::ops::Range<usize>, &str)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = text[from..].find("${") {
        let start = from + i;
        let Some(len) = text[start..].find('}') else {
            break;
        };
        out.push((start..start + len + 1, &text[start + 2..start + len]));
        from = start + len + 1;
    }
    out
}

fn line_of(text: &str, at: usize) -> usize {
    text[..at].matches('\n').count() + 1
}

/// The `[parameters]` a case file declares (their values may not use `${…}`).
pub fn declared(path: &Path, text: &str) -> Result<Parameters> {
    // Placeholders may sit where TOML expects a number: read the file with zeros there.
    let mut neutral = text.to_string();
    for (range, _) in placeholders(text).into_iter().rev() {
        neutral.replace_range(range, "0");
    }
    let table: toml::Table = toml::from_str(&neutral).map_err(|e| {
        let at = e.span().map_or(0, |s| s.start.min(text.len()));
        let line = line_of(&neutral, at);
        let shown = neutral.lines().nth(line - 1).unwrap_or("");
        anyhow!(
            "{}:{line}: {}\n    {line} | {shown}",
            path.display(),
            e.message().trim_end()
        )
    })?;
    let Some(params) = table.get("parameters") else {
        return Ok(Parameters::new());
    };
    let params = params
        .as_table()
        .ok_or_else(|| anyhow!("{}: [parameters] must be a table", path.display()))?;
    params
        .iter()
        .map(|(k, v)| {
            let value = match v {
                toml::Value::Float(f) => Value::Number(*f),
                toml::Value::Integer(i) => Value::Number(*i as f64),
                toml::Value::String(s) => Value::Text(s.clone()),
                other => bail!(
                    "{}: parameter '{k}' must be a number or a string, not {}",
                    path.display(),
                    other.type_str()
                ),
            };
            Ok((k.clone(), value))
        })
        .collect()
}

/// Replaces every `${expression}` of `text` with its value.
pub fn substitute(path: &Path, text: &str, params: &Parameters) -> Result<String> {
    let numeric: Vec<(&str, f64)> = params
        .iter()
        .filter_map(|(k, v)| match v {
            Value::Number(x) => Some((k.as_str(), *x)),
            Value::Text(_) => None,
        })
        .collect();
    let names: Vec<&str> = numeric.iter().map(|(k, _)| *k).collect();
    let values: Vec<f64> = numeric.iter().map(|(_, v)| *v).collect();
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (range, inner) in placeholders(text) {
        out.push_str(&text[last..range.start]);
        let replacement = match params.get(inner.trim()) {
            Some(Value::Text(s)) => toml_escaped(s),
            _ => {
                let e = Expr::parse(inner, &names).map_err(|e| {
                    anyhow!(
                        "{}:{}: ${{{inner}}}: {e}",
                        path.display(),
                        line_of(text, range.start)
                    )
                })?;
                let v = e.eval(&values);
                if !v.is_finite() {
                    bail!(
                        "{}:{}: ${{{inner}}} is {v}, not a finite number",
                        path.display(),
                        line_of(text, range.start)
                    );
                }
                format_number(v)
            }
        };
        out.push_str(&replacement);
        last = range.end;
    }
    out.push_str(&text[last..]);
    Ok(out)
}

/// A name as the inside of a TOML string: quotes, backslashes and control characters
/// escaped, so a value can never end the string and write keys or tables of its own.
fn toml_escaped(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// A TOML literal for a number: integers without a decimal point (for counts).
fn format_number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v:?}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "[parameters]\nt = 0.004\nn = 4\nmat = \"steel_s355\"\n[model.generate]\nsize = [1.0, 0.1, ${2 * t}]\ndivisions = [${5 * n}, 2, ${n / 2}]\n[regions]\nall = \"${mat}\"\n";

    #[test]
    fn substitutes_numbers_counts_and_names() {
        let p = Path::new("c.toml");
        let params = declared(p, TEXT).unwrap();
        assert_eq!(params["n"], Value::Number(4.0));
        let out = substitute(p, TEXT, &params).unwrap();
        assert!(out.contains("size = [1.0, 0.1, 0.008]"), "{out}");
        assert!(out.contains("divisions = [20, 2, 2]"), "{out}");
        assert!(out.contains("all = \"steel_s355\""), "{out}");
    }

    #[test]
    fn unknown_names_are_errors_at_their_line() {
        let p = Path::new("c.toml");
        let params = declared(p, TEXT).unwrap();
        let e = substitute(p, &TEXT.replace("${2 * t}", "${2 * w}"), &params)
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("c.toml:6:") && e.contains("unknown name 'w'"),
            "{e}"
        );
    }
}
