//! `analysis = "fatigue"`: stress- or strain-life damage per node from load histories — each
//! channel a history of multiples of a static load case, superposed quasi-statically
//! (`vproto_solver::fatigue`: σ(t) = Σ c_k(t) σ_k, rainflow, S–N, Miner).
//!
//! Options: `[[load_case.channel]]` tables (`load_case` = a static load case of the
//! file, whose stresses are per unit of the channel; `history = "file.csv"` with a
//! time column first and `column = "<header>"`, or inline `values = […]`; `scale`,
//! default 1, multiplies the channel's values). Inline channels have the same samples;
//! CSV files on different clocks are resampled onto the union of their times.
//! `equivalent` ("signed_von_mises", default, "max_principal", or "critical_plane" with
//! `plane_step` degrees, default 10), `mean_stress` ("goodman", default; "none",
//! "gerber", "soderberg", "swt", "walker" with `walker_gamma`), `residue` ("repeated",
//! default: the history is a duty cycle that repeats, its residue closed; "once": half
//! cycles, ASTM E1049-85),
//! `stress_factor` (default 1: a fatigue safety factor on stress, or surface and size
//! factors). Every material needs `fatigue_strength_coefficient` and
//! `fatigue_strength_exponent` (Basquin), optionally `endurance_limit`. `life =
//! "strain"` counts local strain instead (`notch` "neuber" or "glinka"; `mean_stress`
//! "swt", "morrow" or "none"; `vproto_solver::fatigue::strain_life`), with each
//! material's ε'_f, c, K', n' as well.
//!
//! Or spectral: `random = "<random load case>"` with `exposure` (s of that vibration a
//! pass stands for) and `method` ("dirlik", default, or "narrow_band"): the damage of
//! each node's equivalent von Mises process from its PSD's moments
//! (`vproto_solver::fatigue::spectral`); zero mean, so no mean-stress correction.
//!
//! Results: `damage` (Miner's sum of one pass) per node and, for histories,
//! `largest_range` (Pa); the hot-spot table; criteria `max_damage` and
//! `min_fatigue_life`.

use super::{Analysis, Context, Input, Kind, Solved};
use crate::plot::{lines, Axis};
use crate::results::{Field, KeyResult, Produces, Quantity, Results, Scalar, Shape, Step, Table};
use crate::units::{node_place, sig};
use anyhow::{anyhow, bail, Context as _, Result};
use rayon::prelude::*;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use toml::Spanned;
use vproto_solver::fatigue::rainflow::Residue;
use vproto_solver::fatigue::sn::{Marin, MeanStress, SnCurve, Strengths, Surface};
use vproto_solver::fatigue::spectral::{damage_rate, Method};
use vproto_solver::fatigue::strain_life::{LocalStrain, Notch, StrainLife, StrainMean};
use vproto_solver::fatigue::{nodal_damage, node_cycles, Equivalent, FatigueOptions, Material};
use vproto_solver::StaticResults;

pub struct Fatigue;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Options {
    #[serde(default)]
    channel: Vec<Spanned<ChannelSpec>>,
    equivalent: Option<Spanned<String>>,
    plane_step: Option<Spanned<u32>>,
    mean_stress: Option<Spanned<String>>,
    walker_gamma: Option<Spanned<f64>>,
    residue: Option<Spanned<String>>,
    stress_factor: Option<Spanned<f64>>,
    surface: Option<Spanned<String>>,
    diameter: Option<Spanned<f64>>,
    reliability: Option<Spanned<f64>>,
    random: Option<Spanned<String>>,
    method: Option<Spanned<String>>,
    exposure: Option<Spanned<f64>>,
    life: Option<Spanned<String>>,
    notch: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ChannelSpec {
    load_case: Spanned<String>,
    history: Option<Spanned<PathBuf>>,
    column: Option<Spanned<String>>,
    values: Option<Vec<f64>>,
    scale: Option<f64>,
}

/// Most samples a channel may have.
const MAX_SAMPLES: usize = 10_000_000;

impl Kind for Fatigue {
    fn keyword(&self) -> &'static str {
        "fatigue"
    }

    fn produces(&self) -> Produces {
        Produces {
            fields: &["damage", "largest_range"],
            axis: None,
            step_scalars: &[],
            histories: false,
        }
    }

    fn build(&self, input: &Input) -> Result<Box<dyn Analysis>> {
        let o: Options = input.options()?;
        let stress_factor = match &o.stress_factor {
            Some(f) if !(f.get_ref().is_finite() && *f.get_ref() > 0.0) => {
                return Err(input.case.error_at(f, "stress_factor must be > 0"))
            }
            Some(f) => *f.get_ref(),
            None => 1.0,
        };
        let marin = marin(input, &o)?;
        let source = match o.random.clone() {
            Some(random) => spectral(input, &o, &random, stress_factor)?,
            None => histories(input, o, stress_factor)?,
        };
        let (rule, strain) = match &source {
            Source::Histories { options, .. } => {
                (options.mean_stress, options.strain_life.is_some())
            }
            Source::Spectrum { .. } => (MeanStress::None, false),
        };
        Ok(Box::new(FatigueCase {
            name: input.spec().name.clone(),
            materials: materials(input, rule, &marin, strain)?,
            source,
        }))
    }
}

/// The stress a fatigue case counts: histories of static load cases' multiples, or a
/// random response's PSD.
enum Source {
    Histories {
        /// The time a pass spans (s), when the channels came with times.
        duration: Option<f64>,
        channels: Vec<String>,
        options: FatigueOptions,
    },
    Spectrum {
        random: String,
        method: Method,
        /// Seconds of the random environment a pass stands for.
        exposure: f64,
        stress_factor: f64,
    },
}

/// A spectral fatigue source: `random = "<random load case>"`, `exposure` (s),
/// `method`; the options of histories are errors here, not ignored.
fn spectral(
    input: &Input,
    o: &Options,
    random: &Spanned<String>,
    stress_factor: f64,
) -> Result<Source> {
    let case = input.case;
    let name = random.get_ref();
    if input.kind_of(name) != Some("random") {
        return Err(case.error_at(
            random,
            format!("'{name}' is not a random load case of this file"),
        ));
    }
    let history_only: [(&str, Option<std::ops::Range<usize>>); 7] = [
        ("channel", o.channel.first().map(|c| c.span())),
        ("equivalent", o.equivalent.as_ref().map(|e| e.span())),
        ("plane_step", o.plane_step.as_ref().map(|e| e.span())),
        ("residue", o.residue.as_ref().map(|e| e.span())),
        ("walker_gamma", o.walker_gamma.as_ref().map(|e| e.span())),
        ("life", o.life.as_ref().map(|e| e.span())),
        ("notch", o.notch.as_ref().map(|e| e.span())),
    ];
    if let Some((key, Some(span))) = history_only.into_iter().find(|(_, s)| s.is_some()) {
        bail!("{}: `{key}` belongs to a fatigue case of load histories, not to one of a random response (its equivalent von Mises process)", case.at(span));
    }
    if let Some(m) = o.mean_stress.as_ref().filter(|m| m.get_ref() != "none") {
        return Err(case.error_at(m, "a random response has zero mean: no mean-stress correction applies (mean_stress = \"none\" or leave it out)"));
    }
    let exposure = match &o.exposure {
        Some(e) if e.get_ref().is_finite() && *e.get_ref() > 0.0 => *e.get_ref(),
        Some(e) => return Err(case.error_at(e, "exposure must be > 0 (s)")),
        None => bail!(
            "{}: fatigue load case '{}' of random response '{name}' needs `exposure` (s): the time of that vibration a pass of the life stands for",
            case.path.display(),
            input.spec().name
        ),
    };
    let method = match o.method.as_ref().map(|m| (m, m.get_ref().as_str())) {
        None | Some((_, "dirlik")) => Method::Dirlik,
        Some((_, "narrow_band")) => Method::NarrowBand,
        Some((m, other)) => {
            return Err(case.error_at(
                m,
                format!("unknown method '{other}': \"dirlik\" or \"narrow_band\""),
            ))
        }
    };
    Ok(Source::Spectrum {
        random: name.clone(),
        method,
        exposure,
        stress_factor,
    })
}

/// A source of load histories: `[[load_case.channel]]` tables.
fn histories(input: &Input, o: Options, stress_factor: f64) -> Result<Source> {
    let (case, name) = (input.case, &input.spec().name);
    if let Some((key, span)) = [
        ("method", o.method.as_ref().map(|m| m.span())),
        ("exposure", o.exposure.as_ref().map(|e| e.span())),
    ]
    .into_iter()
    .find_map(|(k, s)| Some((k, s?)))
    {
        bail!(
            "{}: `{key}` belongs to a fatigue case of a random response (`random = \"…\"`)",
            case.at(span)
        );
    }
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
    let strain_life = local_strain(input, &o)?;
    let options = FatigueOptions {
        histories,
        equivalent: equivalent(input, o.equivalent.as_ref(), o.plane_step.as_ref())?,
        mean_stress: match strain_life {
            Some(_) => MeanStress::None,
            None => mean_stress(input, o.mean_stress.as_ref(), o.walker_gamma.as_ref())?,
        },
        strain_life,
        residue: match o.residue.as_ref().map(|r| (r, r.get_ref().as_str())) {
            None | Some((_, "repeated")) => Residue::Repeated,
            Some((r, "once")) if strain_life.is_some() => {
                return Err(case.error_at(r, "a strain-life count follows the hysteresis loops of a repeated history from its largest peak on: residue = \"repeated\""))
            }
            Some((_, "once")) => Residue::HalfCycles,
            Some((r, other)) => {
                return Err(case.error_at(
                    r,
                    format!("unknown residue '{other}': \"repeated\" or \"once\""),
                ))
            }
        },
        stress_factor,
    };
    Ok(Source::Histories {
        duration: files.duration,
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
        Ok(Self { columns, duration })
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
    let mut values = match (&s.history, &s.values) {
        (Some(file), None) => {
            let column = s.column.as_ref().map_or("", |c| c.get_ref().as_str());
            files.take(&case.resolve(file.get_ref()), column)
        }
        (None, Some(v)) => v.clone(),
        _ => {
            return Err(case.error_at(
                c,
                "a channel needs exactly one of `history = \"file.csv\"` or `values = […]`",
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
    values.iter_mut().for_each(|v| *v *= scale);
    Ok((lc.clone(), values))
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

fn equivalent(
    input: &Input,
    e: Option<&Spanned<String>>,
    step: Option<&Spanned<u32>>,
) -> Result<Equivalent> {
    let case = input.case;
    let kind = match e.map(|e| (e, e.get_ref().as_str())) {
        None | Some((_, "signed_von_mises")) => Equivalent::SignedVonMises,
        Some((_, "max_principal")) => Equivalent::MaxPrincipal,
        Some((_, "critical_plane")) => Equivalent::CriticalPlane {
            step: match step {
                Some(s) if (1..=45).contains(s.get_ref()) => *s.get_ref(),
                Some(s) => bail!(case.error_at(s, "plane_step must lie in 1..=45 (degrees)")),
                None => 10,
            },
        },
        Some((e, other)) => bail!(case.error_at(
            e,
            format!("unknown equivalent '{other}': \"signed_von_mises\", \"max_principal\" or \"critical_plane\"")
        )),
    };
    if let (Some(s), false) = (step, matches!(kind, Equivalent::CriticalPlane { .. })) {
        bail!(case.error_at(s, "plane_step belongs to equivalent = \"critical_plane\""));
    }
    Ok(kind)
}

/// `life = "strain"`: the notch rule (`notch`, "neuber" by default, or "glinka") and
/// the strain-life mean-stress rule (`mean_stress`: "swt" by default, "morrow" or
/// "none"). None for stress-life, whose options these are not.
fn local_strain(input: &Input, o: &Options) -> Result<Option<LocalStrain>> {
    let case = input.case;
    match o.life.as_ref().map(|l| (l, l.get_ref().as_str())) {
        None | Some((_, "stress")) => {
            if let Some(n) = &o.notch {
                bail!(case.error_at(n, "notch belongs to life = \"strain\""));
            }
            return Ok(None);
        }
        Some((_, "strain")) => {}
        Some((l, other)) => bail!(case.error_at(
            l,
            format!(
                "unknown life '{other}': \"stress\" (S–N) or \"strain\" (local strain, notch rule)"
            )
        )),
    }
    let notch = match o.notch.as_ref().map(|n| (n, n.get_ref().as_str())) {
        None | Some((_, "neuber")) => Notch::Neuber,
        Some((_, "glinka")) => Notch::Glinka,
        Some((n, other)) => bail!(case.error_at(
            n,
            format!("unknown notch '{other}': \"neuber\" or \"glinka\"")
        )),
    };
    let mean = match o.mean_stress.as_ref().map(|m| (m, m.get_ref().as_str())) {
        None | Some((_, "swt")) => StrainMean::SmithWatsonTopper,
        Some((_, "morrow")) => StrainMean::Morrow,
        Some((_, "none")) => StrainMean::None,
        Some((m, other)) => bail!(case.error_at(
            m,
            format!("mean_stress '{other}' is a stress-life rule; with life = \"strain\": \"swt\" (default), \"morrow\" or \"none\"")
        )),
    };
    if let Some(g) = &o.walker_gamma {
        bail!(case.error_at(
            g,
            "walker_gamma belongs to stress-life's mean_stress = \"walker\""
        ));
    }
    let marin = [
        ("surface", o.surface.as_ref().map(|s| s.span())),
        ("diameter", o.diameter.as_ref().map(|s| s.span())),
        ("reliability", o.reliability.as_ref().map(|s| s.span())),
    ];
    if let Some((key, Some(span))) = marin.into_iter().find(|(_, s)| s.is_some()) {
        bail!("{}: `{key}` (a Marin factor) scales an S–N curve; strain-life constants come from the part's own material — give a factor on stress as stress_factor", case.at(span));
    }
    Ok(Some(LocalStrain { notch, mean }))
}

fn mean_stress(
    input: &Input,
    m: Option<&Spanned<String>>,
    gamma: Option<&Spanned<f64>>,
) -> Result<MeanStress> {
    let case = input.case;
    let rule = match m.map(|m| (m, m.get_ref().as_str())) {
        None | Some((_, "goodman")) => MeanStress::Goodman,
        Some((_, "none")) => MeanStress::None,
        Some((_, "gerber")) => MeanStress::Gerber,
        Some((_, "soderberg")) => MeanStress::Soderberg,
        Some((_, "swt")) => MeanStress::SmithWatsonTopper,
        Some((m, "walker")) => match gamma {
            Some(g) if (0.0..=1.0).contains(g.get_ref()) => MeanStress::Walker { gamma: *g.get_ref() },
            Some(g) => bail!(case.error_at(g, "walker_gamma must lie in [0, 1]")),
            None => bail!(case.error_at(m, "the Walker correction needs `walker_gamma` (0.5 is SWT)")),
        },
        Some((m, other)) => bail!(case.error_at(m, format!("unknown mean_stress '{other}': \"none\", \"goodman\", \"gerber\", \"soderberg\", \"swt\" or \"walker\""))),
    };
    if let (Some(g), false) = (gamma, matches!(rule, MeanStress::Walker { .. })) {
        bail!(case.error_at(g, "walker_gamma belongs to mean_stress = \"walker\""));
    }
    Ok(rule)
}

/// Marin's factors of the options: `surface`, `diameter` (m), `reliability`.
fn marin(input: &Input, o: &Options) -> Result<Marin> {
    let case = input.case;
    let surface = match o.surface.as_ref().map(|s| (s, s.get_ref().as_str())) {
        None => None,
        Some((_, "ground")) => Some(Surface::Ground),
        Some((_, "machined")) => Some(Surface::Machined),
        Some((_, "hot_rolled")) => Some(Surface::HotRolled),
        Some((_, "as_forged")) => Some(Surface::AsForged),
        Some((s, other)) => bail!(case.error_at(s, format!("unknown surface '{other}': \"ground\", \"machined\", \"hot_rolled\" or \"as_forged\""))),
    };
    let marin = Marin {
        surface,
        diameter: o.diameter.as_ref().map(|d| *d.get_ref()),
        reliability: o.reliability.as_ref().map(|r| *r.get_ref()),
    };
    // Checked here, at their lines, for the parts that need no material.
    let without_surface = Marin {
        surface: None,
        ..marin
    };
    if let Err(e) = without_surface.factor(None) {
        let at = if e.contains("diameter") {
            o.diameter.as_ref().map(|d| d.span())
        } else {
            o.reliability.as_ref().map(|r| r.span())
        };
        match at {
            Some(span) => bail!("{}: {e}", case.at(span)),
            None => bail!("{}: {e}", case.path.display()),
        }
    }
    Ok(marin)
}

/// The fatigue material of every node: the weakest (lowest σ'_f) of its elements'.
/// A strength the mean-stress rule divides by must be given (a missing one would
/// silently drop the correction).
fn materials(
    input: &Input,
    rule: MeanStress,
    marin: &Marin,
    strain: bool,
) -> Result<Vec<Material>> {
    let model = input.model;
    let mut per_material = Vec::new();
    for (name, m) in &model.material_specs {
        let (Some(coefficient), Some(exponent)) =
            (m.fatigue_strength_coefficient, m.fatigue_strength_exponent)
        else {
            bail!(
                "{}: fatigue load case '{}': material '{name}' has no fatigue data; add `fatigue_strength_coefficient` (σ'_f, Pa) and `fatigue_strength_exponent` (b) — optionally `endurance_limit` (Pa) — to [materials.{name}], with their source",
                input.case.path.display(),
                input.spec().name
            );
        };
        // Marin's factors scale the specimen's curve to the part's.
        let k = marin.factor(m.ultimate_strength).map_err(|e| {
            anyhow!(
                "{}: fatigue load case '{}': material '{name}': {e}",
                input.case.path.display(),
                input.spec().name
            )
        })?;
        let curve = SnCurve {
            coefficient: coefficient * k,
            exponent,
            endurance_limit: m.endurance_limit.map(|e| e * k),
        };
        curve
            .check()
            .map_err(|e| anyhow!("{}: material '{name}': {e}", input.case.path.display()))?;
        let needed = match rule {
            MeanStress::Goodman | MeanStress::Gerber => {
                Some(("ultimate_strength", m.ultimate_strength))
            }
            MeanStress::Soderberg => Some(("yield_strength", m.yield_strength)),
            _ => None,
        };
        if let Some((key, None)) = needed {
            bail!(
                "{}: fatigue load case '{}': the {rule:?} mean-stress correction needs `{key}` of material '{name}' (add it to [materials.{name}], or choose mean_stress = \"swt\" or \"none\")",
                input.case.path.display(),
                input.spec().name
            );
        }
        let strengths = Strengths {
            ultimate: m.ultimate_strength.unwrap_or(f64::INFINITY),
            yield_strength: m.yield_strength.unwrap_or(f64::INFINITY),
        };
        let strain_life = match strain {
            true => Some(strain_life(input, name, m)?),
            false => None,
        };
        per_material.push(Material {
            curve,
            strengths,
            strain_life,
        });
    }
    let mut of_node: Vec<Option<usize>> = vec![None; model.mesh.nodes.len()];
    for (e, nodes) in vproto_solver::assembly::elements(&model.mesh) {
        let m = model.materials.of_element[e];
        for &n in nodes {
            let weaker = of_node[n].is_none_or(|k| {
                per_material[m].curve.coefficient < per_material[k].curve.coefficient
            });
            if weaker {
                of_node[n] = Some(m);
            }
        }
    }
    Ok(of_node
        .into_iter()
        .map(|m| per_material[m.unwrap_or(0)])
        .collect())
}

/// A material's strain-life constants; missing ones are an error saying what to add.
fn strain_life(input: &Input, name: &str, m: &crate::schema::MaterialSpec) -> Result<StrainLife> {
    let here = || {
        format!(
            "{}: fatigue load case '{}': material '{name}'",
            input.case.path.display(),
            input.spec().name
        )
    };
    let keys = [
        (
            "youngs_modulus",
            Some(m.youngs_modulus).filter(|e| !e.is_nan()),
        ),
        (
            "fatigue_ductility_coefficient",
            m.fatigue_ductility_coefficient,
        ),
        ("fatigue_ductility_exponent", m.fatigue_ductility_exponent),
        ("cyclic_strength_coefficient", m.cyclic_strength_coefficient),
        ("cyclic_hardening_exponent", m.cyclic_hardening_exponent),
    ];
    let missing: Vec<&str> = keys
        .iter()
        .filter(|(_, v)| v.is_none())
        .map(|(k, _)| *k)
        .collect();
    if !missing.is_empty() {
        bail!("{}: life = \"strain\" needs {} in [materials.{name}] (with their source; for an estimate from the ultimate strength, see the Uniform Material Law in the README)", here(), missing.join(", "));
    }
    let value = |i: usize| keys[i].1.unwrap_or(f64::NAN);
    let s = StrainLife {
        modulus: value(0),
        strength_coefficient: m.fatigue_strength_coefficient.unwrap_or(f64::NAN),
        strength_exponent: m.fatigue_strength_exponent.unwrap_or(f64::NAN),
        ductility_coefficient: value(1),
        ductility_exponent: value(2),
        cyclic_coefficient: value(3),
        cyclic_exponent: value(4),
    };
    s.check().map_err(|e| anyhow!("{}: {e}", here()))?;
    Ok(s)
}

struct FatigueCase {
    name: String,
    materials: Vec<Material>,
    source: Source,
}

/// What a solve found: damage per node of one pass, the largest range per node (for
/// histories), nodes screened out, and how the pass was taken.
struct Found {
    damage: Vec<f64>,
    largest_range: Option<Vec<f64>>,
    screened: usize,
    /// The time a pass spans (s), if known.
    duration: Option<f64>,
    scalars: Vec<Scalar>,
    /// What was counted, for the headline.
    what: String,
    plots: Vec<(String, String)>,
    raw: Arc<dyn std::any::Any + Send + Sync>,
}

impl Analysis for FatigueCase {
    fn name(&self) -> &str {
        &self.name
    }

    fn depends_on(&self) -> Vec<String> {
        match &self.source {
            Source::Histories { channels, .. } => channels.clone(),
            Source::Spectrum { random, .. } => vec![random.clone()],
        }
    }

    fn solve(&self, ctx: &Context, done: &Solved) -> Result<Results> {
        let here = || {
            format!(
                "{}: fatigue load case '{}'",
                ctx.case.path.display(),
                self.name
            )
        };
        let found = match &self.source {
            Source::Histories {
                duration,
                channels,
                options,
            } => self
                .count(ctx, done, *duration, channels, options)
                .with_context(here)?,
            Source::Spectrum {
                random,
                method,
                exposure,
                stress_factor,
            } => self
                .spectral(done, random, *method, *exposure, *stress_factor)
                .with_context(here)?,
        };
        if let Some(bad) = found.damage.iter().find(|v| !v.is_finite()) {
            bail!("{}: a damage of {bad} (a cycle's mean at the strength the mean-stress rule divides by: static failure)", here());
        }
        Ok(self.results(ctx, found))
    }
}

impl FatigueCase {
    /// Rainflow counting of the superposed histories.
    fn count(
        &self,
        ctx: &Context,
        done: &Solved,
        duration: Option<f64>,
        channels: &[String],
        options: &FatigueOptions,
    ) -> Result<Found> {
        let units: Vec<&StaticResults> = channels
            .iter()
            .map(|c| done.raw::<StaticResults>(c))
            .collect::<Result<_>>()?;
        let refs: Vec<&[vproto_solver::material::Voigt]> = units
            .iter()
            .map(|u| u.fields.nodal_stress.as_slice())
            .collect();
        let d = nodal_damage(&refs, &self.materials, options)?;
        let plots = self.hot_spot_plots(&ctx.model.mesh, &refs, &d.damage, options);
        // The equilibrium of the solves whose stresses it superposes.
        let residual = units
            .iter()
            .map(|u| u.relative_residual)
            .fold(0.0, f64::max);
        let samples = options.histories[0].len();
        let mut scalars = vec![
            Scalar::new("samples", samples as f64, Quantity::Number),
            Scalar::new("relative_residual", residual, Quantity::Number),
        ];
        if let Some(t) = duration {
            scalars.push(Scalar::new("pass_duration", t, Quantity::Time));
        }
        let rules = match options.strain_life {
            Some(l) => format!("strain-life, {:?}, {:?}", l.notch, l.mean),
            None => format!("{:?}", options.mean_stress),
        };
        let mut what = format!(
            "{} channel(s) × {samples} samples, {:?}, {rules}",
            channels.len(),
            options.equivalent,
        );
        if d.non_proportional > 0 && !matches!(options.equivalent, Equivalent::CriticalPlane { .. })
        {
            let note = format!("{} counted nodes load non-proportionally (their principal directions turn): {:?} can miss cycles there — equivalent = \"critical_plane\" does not", d.non_proportional, options.equivalent);
            tracing::warn!("{note}");
            what = format!("{what} [{note}]");
        }
        scalars.push(Scalar::new(
            "non_proportional_nodes",
            d.non_proportional as f64,
            Quantity::Number,
        ));
        Ok(Found {
            screened: d.screened,
            largest_range: Some(d.largest_range.clone()),
            damage: d.damage.clone(),
            duration,
            scalars,
            what,
            plots,
            raw: Arc::new(d),
        })
    }

    /// The worst node's counted cycles against its S–N curve (cumulative count of a
    /// pass at each corrected amplitude: where the spectrum crosses the curve is what
    /// damages), and their ranges as a rainflow histogram.
    fn hot_spot_plots(
        &self,
        mesh: &vproto_solver::Mesh,
        unit: &[&[vproto_solver::material::Voigt]],
        damage: &[f64],
        options: &FatigueOptions,
    ) -> Vec<(String, String)> {
        let Some((n, _)) = damage
            .iter()
            .enumerate()
            .filter(|(_, d)| **d > 0.0)
            .max_by(|a, b| a.1.total_cmp(b.1))
        else {
            return Vec::new();
        };
        let material = &self.materials[n];
        let mut cycles = node_cycles(n, unit, material, options);
        cycles.sort_by(|a, b| b.1.total_cmp(&a.1));
        let curve = material.curve;
        // Stress-life in MPa; strain-life in strain (its fully reversed amplitude).
        let strain = material
            .strain_life
            .filter(|_| options.strain_life.is_some());
        let (unit, label) = match strain {
            Some(_) => (1.0, ("ε–N curve", "strain amplitude", "")),
            None => (1e-6, ("S–N curve", "fully reversed amplitude", "MPa")),
        };
        let sn: Vec<(f64, f64)> = (0..=45)
            .map(|k| {
                let cycles = 10f64.powf(k as f64 / 5.0);
                let a = match &strain {
                    Some(m) => m.reversed_amplitude(2.0 * cycles),
                    None => (curve.coefficient * (2.0 * cycles).powf(curve.exponent))
                        .max(curve.endurance_limit.unwrap_or(0.0)),
                };
                (cycles, a * unit)
            })
            .collect();
        let mut total = 0.0;
        let spectrum: Vec<(f64, f64)> = cycles
            .iter()
            .filter(|(_, a)| *a > 0.0 && a.is_finite())
            .map(|(c, a)| {
                total += c.count;
                (total, a * unit)
            })
            .collect();
        let step = spectrum.len().div_ceil(2000).max(1);
        let spectrum: Vec<(f64, f64)> = spectrum.iter().copied().step_by(step).collect();
        let title = format!(
            "{}: the hot spot's cycles (node {}) and its {}",
            self.name,
            mesh.node_label(n),
            label.0
        );
        let sn_plot = lines(
            &title,
            &Axis::new("cycles", "").log(),
            &Axis::new(label.1, label.2).log(),
            &[
                (label.0.into(), sn),
                ("a pass, cumulative".into(), spectrum),
            ],
        );
        let top = cycles.iter().map(|(c, _)| c.range).fold(0.0, f64::max);
        if top <= 0.0 {
            return vec![("sn_curve".into(), sn_plot)];
        }
        let bins = 40;
        let mut counts = vec![0.0; bins];
        for (c, _) in &cycles {
            let b = ((c.range / top * bins as f64) as usize).min(bins - 1);
            counts[b] += c.count;
        }
        let mpa = 1e-6;
        let width = top / bins as f64 * mpa;
        let histogram: Vec<(f64, f64)> = counts
            .iter()
            .enumerate()
            .flat_map(|(b, &k)| [(b as f64 * width, k), ((b + 1) as f64 * width, k)])
            .collect();
        let title = format!(
            "{}: rainflow ranges at node {} (a pass)",
            self.name,
            mesh.node_label(n)
        );
        let histogram_plot = lines(
            &title,
            &Axis::new("range", "MPa"),
            &Axis::new("cycles", ""),
            &[("counted".into(), histogram)],
        );
        vec![
            ("sn_curve".into(), sn_plot),
            ("rainflow".into(), histogram_plot),
        ]
    }

    /// Spectral damage of a random response's equivalent von Mises process.
    fn spectral(
        &self,
        done: &Solved,
        random: &str,
        method: Method,
        exposure: f64,
        stress_factor: f64,
    ) -> Result<Found> {
        let r = done.raw::<vproto_solver::random::RandomSolution>(random)?;
        // The equilibrium of the random response's static correction.
        let residual = done
            .get(random)
            .and_then(|r| r.scalar("relative_residual"))
            .ok_or_else(|| anyhow!("random response '{random}' has no relative_residual"))?;
        let moments = &r.rms.von_mises_moments;
        if moments.len() != self.materials.len() {
            bail!(
                "random response '{random}' has {} nodes' moments, the mesh {} nodes",
                moments.len(),
                self.materials.len()
            );
        }
        let damage: Vec<f64> = moments
            .par_iter()
            .zip(&self.materials)
            .map(|(m, mat)| damage_rate(m, &mat.curve, stress_factor, method).map(|d| d * exposure))
            .collect::<std::result::Result<_, String>>()
            .map_err(|e| anyhow!(e))?;
        Ok(Found {
            damage,
            largest_range: None,
            screened: 0,
            duration: Some(exposure),
            scalars: vec![
                Scalar::new("pass_duration", exposure, Quantity::Time),
                Scalar::new("relative_residual", residual, Quantity::Number),
            ],
            what: format!(
                "random response '{random}' for {} s, {method:?}",
                sig(exposure)
            ),
            plots: Vec::new(),
            raw: Arc::new(()),
        })
    }

    fn results(&self, ctx: &Context, d: Found) -> Results {
        let mesh = &ctx.model.mesh;
        let (worst, dmax) = super::dynamic::largest(mesh.nodes.len(), |n| d.damage[n]);
        let life = if dmax > 0.0 {
            format!("{} passes", sig(1.0 / dmax))
        } else {
            "no damage".into()
        };
        let headline = format!(
            "{}: {}: max damage {} a pass ({life}) at {}; {} of {} nodes screened out",
            self.name,
            d.what,
            sig(dmax),
            node_place(mesh, worst),
            d.screened,
            mesh.nodes.len()
        );
        let mut order: Vec<usize> = (0..mesh.nodes.len())
            .filter(|&n| d.damage[n] > 0.0)
            .collect();
        order.sort_by(|&a, &b| d.damage[b].total_cmp(&d.damage[a]));
        order.truncate(10);
        let range = |n: usize| d.largest_range.as_ref().map_or(f64::NAN, |r| r[n]);
        let hot: Vec<f64> = order
            .iter()
            .flat_map(|&n| [n as f64 + 1.0, d.damage[n], 1.0 / d.damage[n], range(n)])
            .collect();
        let at = Some(node_place(mesh, worst));
        let mut key_results = vec![KeyResult {
            name: "max_damage".into(),
            value: dmax,
            quantity: Quantity::Number,
            location: at.clone(),
        }];
        let mut scalars = vec![Scalar::new(
            "screened_nodes",
            d.screened as f64,
            Quantity::Number,
        )];
        scalars.extend(d.scalars);
        if dmax > 0.0 {
            key_results.push(KeyResult {
                name: "min_life_passes".into(),
                value: 1.0 / dmax,
                quantity: Quantity::Number,
                location: at.clone(),
            });
            if let Some(t) = d.duration {
                key_results.push(KeyResult {
                    name: "min_life_hours".into(),
                    value: t / dmax / 3600.0,
                    quantity: Quantity::Number,
                    location: at,
                });
            }
        }
        let mut fields = vec![Field::nodal(
            "damage",
            Shape::Scalar,
            Quantity::Number,
            d.damage,
        )];
        if let Some(r) = d.largest_range {
            fields.push(Field::nodal(
                "largest_range",
                Shape::Scalar,
                Quantity::Stress,
                r,
            ));
        }
        Results {
            name: self.name.clone(),
            analysis: "fatigue",
            steps: vec![Step {
                name: format!("{}_damage", self.name),
                value: None,
                rigid_body: false,
                fields,
                scalars: vec![],
            }],
            axis: None,
            covered: None,
            scalars,
            tables: vec![Table::new("hot_spots", 4, hot).with_note("the worst nodes: node (1-based), damage a pass, life (passes), largest counted range (Pa; NaN for a random response)")],
            key_results,
            headline,
            series: None,
            plots: d.plots,
            raw: d.raw,
        }
    }
}
