//! Load histories from channels: each a static load case's multiples over time, from
//! CSV files (read once each, resampled onto one clock), inline values or an expression
//! of the time t; each channel states its unit ([`channel_units`]).

use super::channel_units;
use super::rules::counting;
use super::{Input, Options, Source};
use anyhow::{anyhow, bail, Context as _, Result};
use serde::Deserialize;
use std::path::{Path, PathBuf};
use toml::Spanned;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ChannelSpec {
    load_case: Spanned<String>,
    history: Option<Spanned<PathBuf>>,
    column: Option<Spanned<String>>,
    values: Option<Vec<f64>>,
    /// A function of the time t (s), sampled on the files' clock or every `step` s
    /// from 0 to `end`.
    expression: Option<Spanned<String>>,
    step: Option<Spanned<f64>>,
    end: Option<Spanned<f64>>,
    unit: Option<Spanned<String>>,
    scale: Option<f64>,
}

/// Most samples a channel may have.
const MAX_SAMPLES: usize = 10_000_000;

/// A source of load histories: `[[load_case.channel]]` tables.
pub(super) fn histories(input: &Input, o: Options, stress_factor: f64) -> Result<Source> {
    let (case, name) = (input.case, &input.spec().name);
    if o.channel.is_empty() {
        bail!(
                "{}: fatigue load case '{name}' needs [[load_case.channel]] tables (load_case = \"<static load case>\", history = \"file.csv\", column = \"…\") or `random = \"<random load case>\"`",
                case.path.display()
            );
    }
    let mut files = Files::read(input, &o.channel)?;
    let mut channels = Vec::new();
    for c in &o.channel {
        channels.push(channel(input, c, &mut files)?);
    }
    let n = channels[0].1.len();
    if let Some((c, (lc, s))) = o
        .channel
        .iter()
        .zip(&channels)
        .find(|(_, (_, s))| s.len() != n)
    {
        return Err(case.error_at(c, format!("channel '{lc}' has {} samples, the first channel {n}: channels share their samples", s.len())));
    }
    let (load_cases, histories): (Vec<String>, Vec<Vec<f64>>) = channels.into_iter().unzip();
    let options = counting(input, &o, histories, stress_factor)?;
    // Without files, expression channels give the time.
    let end = o.channel.iter().find_map(|c| c.get_ref().end.as_ref());
    Ok(Source::Histories {
        duration: files.duration.or(end.map(|e| *e.get_ref())),
        channels: load_cases,
        options,
    })
}

/// The CSV histories of a load case's channels: each file read once, for all the
/// columns its channels take (a long history is not loaded again per channel), and
/// every file's times the same.
struct Files {
    /// Per file: the columns taken, by name ("" for the default second column).
    columns: Vec<(PathBuf, Vec<Column>)>,
    /// The time a pass of the histories spans (s), from the files' times.
    duration: Option<f64>,
    /// The files' common times (empty without files).
    clock: Vec<f64>,
}

/// A column's name and values.
type Column = (String, Vec<f64>);

impl Files {
    fn read(input: &Input, channels: &[Spanned<ChannelSpec>]) -> Result<Self> {
        let case = input.case;
        let mut wanted: Vec<(PathBuf, &Spanned<PathBuf>, Vec<String>)> = Vec::new();
        for c in channels {
            let s = c.get_ref();
            let Some(file) = &s.history else { continue };
            let path = case.resolve(file.get_ref());
            let column = s
                .column
                .as_ref()
                .map_or(String::new(), |c| c.get_ref().clone());
            match wanted.iter_mut().find(|w| w.0 == path) {
                Some(w) => w.2.push(column),
                None => wanted.push((path, file, vec![column])),
            }
        }
        let mut read = Vec::new();
        for (path, at, names) in &wanted {
            let (t, values) =
                read_columns(path, names).map_err(|e| case.error_at(*at, format!("{e:#}")))?;
            if t.len() < 2 {
                return Err(case.error_at(*at, "a history file needs at least two rows"));
            }
            read.push((path, *at, names, t, values));
        }
        // One clock for all: the union of the files' times, so that every sample — and
        // so every turning point — of every channel stays a sample; a column is linear
        // between its own samples. The files must span the same time.
        let mut clock: Vec<f64> = Vec::new();
        if let Some((from, _, _, t0, _)) = read.first() {
            let span = (t0[0], t0[t0.len() - 1]);
            for (path, at, _, t, _) in &read {
                if (t[0], t[t.len() - 1]) != span {
                    return Err(case.error_at(
                        *at,
                        format!(
                            "{} spans {}–{} s, {} {}–{} s: channels must cover the same time",
                            path.display(),
                            t[0],
                            t[t.len() - 1],
                            from.display(),
                            span.0,
                            span.1
                        ),
                    ));
                }
            }
            clock = union(read.iter().map(|r| r.3.as_slice()));
            if clock.len() > MAX_SAMPLES {
                bail!(
                    "{}: the files' times together make {} samples, more than {MAX_SAMPLES}",
                    case.path.display(),
                    clock.len()
                );
            }
        }
        let mut columns = Vec::new();
        for (path, _, names, t, values) in read {
            let values = if t == clock {
                values
            } else {
                tracing::info!(
                    "{}: {} samples resampled onto the channels' {} common times",
                    path.display(),
                    t.len(),
                    clock.len()
                );
                values.iter().map(|v| resample(&t, v, &clock)).collect()
            };
            columns.push((path.clone(), names.iter().cloned().zip(values).collect()));
        }
        let duration = (clock.len() >= 2).then(|| clock[clock.len() - 1] - clock[0]);
        Ok(Self {
            columns,
            duration,
            clock,
        })
    }

    /// The values of `column` of `path` (taken out: each channel takes its own).
    fn take(&mut self, path: &Path, column: &str) -> Vec<f64> {
        self.columns
            .iter_mut()
            .find(|(p, _)| p == path)
            .and_then(|(_, cols)| cols.iter_mut().find(|(n, v)| n == column && !v.is_empty()))
            .map(|(_, v)| std::mem::take(v))
            .unwrap_or_default()
    }
}

/// The sorted union of increasing time lists (equal times once).
fn union<'a>(lists: impl Iterator<Item = &'a [f64]>) -> Vec<f64> {
    let mut all: Vec<f64> = lists.flatten().copied().collect();
    all.sort_by(f64::total_cmp);
    all.dedup();
    all
}

/// Values `v` at increasing times `t`, linear between them, at the times `clock`
/// (within t's span).
fn resample(t: &[f64], v: &[f64], clock: &[f64]) -> Vec<f64> {
    let mut k = 0;
    clock
        .iter()
        .map(|&x| {
            while k + 2 < t.len() && t[k + 1] < x {
                k += 1;
            }
            let (t0, t1) = (t[k], t[k + 1]);
            let w = ((x - t0) / (t1 - t0)).clamp(0.0, 1.0);
            v[k] + w * (v[k + 1] - v[k])
        })
        .collect()
}

/// A channel's load case (checked to be static) and its samples (scaled).
fn channel(
    input: &Input,
    c: &Spanned<ChannelSpec>,
    files: &mut Files,
) -> Result<(String, Vec<f64>)> {
    let case = input.case;
    let s = c.get_ref();
    let lc = s.load_case.get_ref();
    if input.kind_of(lc) != Some("static") {
        return Err(case.error_at(&s.load_case, format!("'{lc}' is not a static load case of this file: a channel scales a static load case's stresses")));
    }
    let Some(unit) = channel_units::factor(input, s.unit.as_ref(), lc)? else {
        return Err(case.error_at(c, format!("a channel needs `unit`: \"factor\" (its values are multiples of load case '{lc}' as it stands) or the unit of the load that load case applies (N, kN, MPa, g, K …)")));
    };
    if let (None, Some(at)) = (&s.expression, s.step.as_ref().or(s.end.as_ref())) {
        return Err(case.error_at(at, "step and end belong to an expression channel"));
    }
    let mut values = match (&s.history, &s.values, &s.expression) {
        (Some(file), None, None) => {
            let column = s.column.as_ref().map_or("", |c| c.get_ref().as_str());
            files.take(&case.resolve(file.get_ref()), column)
        }
        (None, Some(v), None) => v.clone(),
        (None, None, Some(e)) => expression(input, s, e, &files.clock)?,
        _ => {
            return Err(case.error_at(
                c,
                "a channel needs exactly one of `history = \"file.csv\"`, `values = […]` or `expression = \"…\"`",
            ))
        }
    };
    if values.len() < 2 || values.len() > MAX_SAMPLES {
        return Err(case.error_at(
            c,
            format!(
                "a channel needs 2 to {MAX_SAMPLES} samples, not {}",
                values.len()
            ),
        ));
    }
    if let Some(v) = values.iter().find(|v| !v.is_finite()) {
        return Err(case.error_at(c, format!("a sample is not finite ({v})")));
    }
    let scale = s.scale.unwrap_or(1.0);
    if !scale.is_finite() {
        return Err(case.error_at(c, "scale must be finite"));
    }
    values.iter_mut().for_each(|v| *v *= scale * unit);
    Ok((lc.clone(), values))
}

/// An expression channel's values: on the files' clock when there are files, else
/// every `step` s from 0 to `end`.
fn expression(
    input: &Input,
    s: &ChannelSpec,
    e: &Spanned<String>,
    clock: &[f64],
) -> Result<Vec<f64>> {
    let case = input.case;
    let f = crate::expr::Expr::parse(e.get_ref(), &["t"])
        .map_err(|err| case.error_at(e, format!("{err:#}")))?;
    let times: Vec<f64> = match (clock.is_empty(), &s.step, &s.end) {
        (false, None, None) => clock.to_vec(),
        (false, Some(at), _) | (false, None, Some(at)) => {
            return Err(case.error_at(at, "the history files' times are the clock of every channel: an expression channel beside them takes no step or end"))
        }
        (true, Some(step), Some(end)) => {
            let (dt, t1) = (*step.get_ref(), *end.get_ref());
            if !(dt.is_finite() && dt > 0.0 && t1.is_finite() && t1 > 0.0) {
                return Err(case.error_at(step, "step and end must be > 0 (s)"));
            }
            let n = (t1 / dt + 1e-9).floor() + 1.0;
            if n > MAX_SAMPLES as f64 {
                return Err(case.error_at(step, format!("end / step makes {n} samples, more than {MAX_SAMPLES}")));
            }
            let mut t: Vec<f64> = (0..n as usize).map(|k| (k as f64 * dt).min(t1)).collect();
            // The end is a sample, a multiple of step or not.
            if t.last().is_some_and(|&last| last < t1 * (1.0 - 1e-12)) {
                t.push(t1);
            }
            t
        }
        (true, _, _) => {
            return Err(case.error_at(e, "an expression channel without history files needs `step` and `end` (s): it is sampled every step from 0 to end"))
        }
    };
    times
        .iter()
        .map(|&t| {
            let v = f.eval(&[t]);
            if v.is_finite() {
                Ok(v)
            } else {
                Err(case.error_at(e, format!("the expression is {v} at t = {t} s")))
            }
        })
        .collect()
}

/// A CSV of channels: a header line naming the columns, the time first; the columns
/// `names` ("" for the second). Returns the times and each column's values; errors name
/// the file, row and column.
pub fn read_columns(path: &Path, names: &[String]) -> Result<(Vec<f64>, Vec<Vec<f64>>)> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.split('#').next().unwrap_or("").trim()))
        .filter(|(_, l)| !l.is_empty());
    let split = |l: &str| -> Vec<String> {
        l.split([',', ';', '\t'])
            .map(|c| c.trim().to_string())
            .collect()
    };
    let (row, header) = lines
        .next()
        .ok_or_else(|| anyhow!("{}: empty", path.display()))?;
    let header = split(header);
    let index = |name: &String| -> Result<usize> {
        let k = match name.as_str() {
            "" if header.len() >= 2 => 1,
            "" => bail!(
                "{}:{row}: a time column and a value column are needed",
                path.display()
            ),
            _ => header.iter().position(|h| h == name).ok_or_else(|| {
                anyhow!(
                    "{}:{row}: no column '{name}' (columns: {})",
                    path.display(),
                    header.join(", ")
                )
            })?,
        };
        if k == 0 {
            bail!(
                "{}:{row}: column '{}' is the time",
                path.display(),
                header[0]
            );
        }
        Ok(k)
    };
    let ks: Vec<usize> = names.iter().map(index).collect::<Result<_>>()?;
    let (mut t, mut v) = (Vec::new(), vec![Vec::new(); ks.len()]);
    for (row, line) in lines {
        let cells = split(line);
        let cell = |c: usize| -> Result<f64> {
            let text = cells
                .get(c)
                .ok_or_else(|| anyhow!("{}:{row}: column {} missing", path.display(), c + 1))?;
            match text.parse::<f64>() {
                Ok(x) if x.is_finite() => Ok(x),
                _ => bail!(
                    "{}:{row}, column {} ({}): '{text}' is not a finite number",
                    path.display(),
                    c + 1,
                    header[c]
                ),
            }
        };
        let time = cell(0)?;
        if t.last().is_some_and(|&last| time <= last) {
            bail!("{}:{row}: time {time} does not increase", path.display());
        }
        if t.len() >= MAX_SAMPLES {
            bail!("{}: more than {MAX_SAMPLES} samples", path.display());
        }
        t.push(time);
        for (values, &k) in v.iter_mut().zip(&ks) {
            values.push(cell(k)?);
        }
    }
    Ok((t, v))
}
