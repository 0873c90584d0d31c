//! `analysis = "response_spectrum"`: the peak response to a shock (IEC 60068-2-27,
//! MIL-STD-810 Method 516) given as a design shock response spectrum, or as a pulse or
//! acceleration history whose SRS vproto computes at each mode's damping
//! (`vproto_solver::shock`).
//!
//! Options: exactly one of `spectrum = [[Hz, value], …]` (log–log in between; modes
//! above the last point take its value), `pulse = { shape = "half_sine" |
//! "terminal_sawtooth" | "trapezoid", peak, duration, rise }` or `history_file =
//! "shock.csv"` (time s, value); the values are multiples of the load case's loads (with
//! a `base_acceleration` of 1 g: g). `combination = "cqc"` (default), `"srss"` or
//! `"ten_percent"`; `modes` (default: enough to reach 1.5 × the spectrum's last
//! frequency; for a pulse, 5 / duration; for a history, a fifth of its sample rate),
//! `damping` (else `[damping]`).
//!
//! Results: the combined peaks `displacement` (each component, relative to the base)
//! and `von_mises` (combined from the stress components' quadratic form), read by the
//! usual criteria; the modes' spectrum values and peak coordinates (`modes`); the SRS of
//! a pulse or history (`srs`) and a plot of the spectrum with the modes marked.

use super::{damping, dynamic, Analysis, Context, Input, Kind, Solved};
use crate::plot::{lines, Axis};
use crate::results::{Field, Produces, Quantity, Results, Scalar, Shape, Step, Table};
use crate::schema::{DampingSpec, LoadSpec};
use crate::units::{node_place, sig};
use anyhow::{bail, Context as _, Result};
use nalgebra::Vector3;
use serde::Deserialize;
use std::path::PathBuf;
use std::sync::Arc;
use toml::Spanned;
use vproto_solver::harmonic::{Damping, ModalDamping};
use vproto_solver::shock::{check_table, srs, Combination, Pulse, Spectrum, SpectrumResponse};
use vproto_solver::LoadCase;

pub struct ResponseSpectrum;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Options {
    spectrum: Option<Spanned<Vec<[f64; 2]>>>,
    pulse: Option<Spanned<PulseSpec>>,
    history_file: Option<Spanned<PathBuf>>,
    #[serde(default)]
    combination: CombinationSpec,
    modes: Option<usize>,
    damping: Option<Spanned<DampingSpec>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PulseSpec {
    shape: PulseShape,
    peak: f64,
    duration: f64,
    rise: Option<f64>,
}

#[derive(Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
enum PulseShape {
    HalfSine,
    TerminalSawtooth,
    Trapezoid,
}

#[derive(Clone, Copy, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
enum CombinationSpec {
    #[default]
    Cqc,
    Srss,
    TenPercent,
}

/// Most samples of a history file.
const MAX_SAMPLES: usize = 10_000_000;

pub const FIELDS: [&str; 2] = ["displacement", "von_mises"];

impl Kind for ResponseSpectrum {
    fn keyword(&self) -> &'static str {
        "response_spectrum"
    }

    fn takes_load(&self, load: &LoadSpec) -> bool {
        dynamic::takes_load(load)
    }

    fn produces(&self) -> Produces {
        Produces {
            fields: &FIELDS,
            axis: None,
            step_scalars: &[],
            histories: false,
        }
    }

    fn build(&self, input: &Input) -> Result<Box<dyn Analysis>> {
        let (case, spec) = (input.case, input.spec());
        let o: Options = input.options()?;
        super::check_mode_count(input, o.modes)?;
        let (spectrum, top, what) = match (&o.spectrum, &o.pulse, &o.history_file) {
            (Some(t), None, None) => {
                let rows: Vec<(f64, f64)> = t.get_ref().iter().map(|r| (r[0], r[1])).collect();
                check_table(&rows).map_err(|e| case.error_at(t, e))?;
                let top = rows[rows.len() - 1].0;
                (Spectrum::Table(rows), top, "design spectrum".to_string())
            }
            (None, Some(p), None) => {
                let pulse = pulse(p.get_ref()).map_err(|e| case.error_at(p, e))?;
                let dt = pulse.duration() / 2000.0;
                let s = p.get_ref();
                let name = match s.shape {
                    PulseShape::HalfSine => "half-sine",
                    PulseShape::TerminalSawtooth => "terminal-peak sawtooth",
                    PulseShape::Trapezoid => "trapezoid",
                };
                let what = format!("{name} pulse, peak {} × the loads, {} ms", sig(s.peak), sig(1e3 * s.duration));
                (Spectrum::History(pulse.history(dt)), 5.0 / pulse.duration(), what)
            }
            (None, None, Some(f)) => {
                let h = read_history(&case.resolve(f.get_ref()))
                    .map_err(|e| case.error_at(f, format!("history_file: {e:#}")))?;
                let finest = h.windows(2).map(|w| w[1].0 - w[0].0).fold(f64::INFINITY, f64::min);
                let top = (0.2 / finest).min(10_000.0);
                (Spectrum::History(h), top, format!("history {}", f.get_ref().display()))
            }
            _ => bail!(
                "{}: response_spectrum load case '{}' needs exactly one of `spectrum = [[Hz, value], …]`, `pulse = {{ shape, peak, duration }}` or `history_file`",
                case.path.display(),
                spec.name
            ),
        };
        let (damping, damping_text) = damping::of(input, o.damping.as_ref())?;
        let (lc, base) = dynamic::excitation(input)?;
        Ok(Box::new(SpectrumCase {
            name: spec.name.clone(),
            lc,
            base,
            spectrum,
            what,
            top,
            rule: match o.combination {
                CombinationSpec::Cqc => Combination::Cqc,
                CombinationSpec::Srss => Combination::Srss,
                CombinationSpec::TenPercent => Combination::TenPercent,
            },
            modes: o.modes,
            method: case.spec.solver.method.into(),
            damping,
            damping_text,
        }))
    }
}

fn pulse(p: &PulseSpec) -> std::result::Result<Pulse, String> {
    if !(p.peak.is_finite() && p.duration.is_finite() && p.duration > 0.0) {
        return Err("a pulse needs a finite `peak` and a `duration` > 0 s".into());
    }
    Ok(match (p.shape, p.rise) {
        (PulseShape::HalfSine, None) => Pulse::HalfSine {
            peak: p.peak,
            duration: p.duration,
        },
        (PulseShape::TerminalSawtooth, None) => Pulse::TerminalSawtooth {
            peak: p.peak,
            duration: p.duration,
        },
        (PulseShape::Trapezoid, Some(rise)) if rise > 0.0 && 2.0 * rise <= p.duration => {
            Pulse::Trapezoid {
                peak: p.peak,
                duration: p.duration,
                rise,
            }
        }
        (PulseShape::Trapezoid, _) => {
            return Err("a trapezoid needs `rise` in (0, duration / 2] s".into())
        }
        (_, Some(_)) => return Err("`rise` belongs to a trapezoid pulse".into()),
    })
}

/// A history from a CSV file of (time, value) rows.
pub(super) fn read_history(path: &std::path::Path) -> Result<Vec<(f64, f64)>> {
    let rows = dynamic::read_pairs(path, "time, value", MAX_SAMPLES)?;
    vproto_solver::shock::check_history(&rows)
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    Ok(rows)
}

struct SpectrumCase {
    name: String,
    lc: LoadCase,
    base: Vector3<f64>,
    spectrum: Spectrum,
    what: String,
    top: f64,
    rule: Combination,
    modes: Option<usize>,
    method: vproto_solver::statics::Method,
    damping: Damping,
    damping_text: String,
}

impl Analysis for SpectrumCase {
    fn name(&self) -> &str {
        &self.name
    }

    fn solve(&self, ctx: &Context, _done: &Solved) -> Result<Results> {
        let here = || {
            format!(
                "{}: response_spectrum load case '{}'",
                ctx.case.path.display(),
                self.name
            )
        };
        let modes = dynamic::modes(ctx, self.top, self.modes, self.method).with_context(here)?;
        let stat = dynamic::static_response(ctx, &self.lc, &here)?;
        let damping = ctx
            .fe
            .modal_damping(&modes, &self.damping)
            .with_context(here)?;
        let (sweep, peaks) = ctx
            .fe
            .response_spectrum(
                &modes,
                &self.lc,
                &stat,
                &self.spectrum,
                (&damping, self.rule),
            )
            .with_context(here)?;
        let mut r = self.results(ctx, &sweep.damping, peaks)?;
        r.scalars.push(Scalar::new(
            "relative_residual",
            stat.relative_residual,
            Quantity::Number,
        ));
        Ok(r)
    }
}

impl SpectrumCase {
    fn results(&self, ctx: &Context, d: &ModalDamping, p: SpectrumResponse) -> Result<Results> {
        let hz = &d.frequencies;
        let mesh = &ctx.model.mesh;
        let (un, umax) = dynamic::largest(mesh.nodes.len(), |n| dynamic::norm(&p.displacement, n));
        let (sn, smax) = dynamic::largest(mesh.nodes.len(), |n| p.von_mises[n]);
        let key = |name: &str, value: f64, quantity: Quantity, n: Option<usize>| {
            dynamic::key(mesh, name, value, quantity, n)
        };
        let rule = match self.rule {
            Combination::Cqc => "CQC",
            Combination::Srss => "SRSS",
            Combination::TenPercent => "10 % rule",
        };
        let headline = format!(
            "{}: {} ({}), {} modes combined by {rule} + missing mass at {}, {}: peak |u| {} ({}), von Mises {} ({})",
            self.name,
            self.what,
            if self.base.norm() > 0.0 { "base acceleration" } else { "loads" },
            hz.len(),
            sig(p.zero_period),
            self.damping_text,
            crate::units::value(umax, Quantity::Displacement, ""),
            node_place(mesh, un),
            crate::units::value(smax, Quantity::Stress, ""),
            node_place(mesh, sn),
        );
        let mode_rows: Vec<f64> = (0..hz.len())
            .flat_map(|r| {
                [
                    hz[r],
                    d.equivalent_ratio(r),
                    p.spectrum_values[r],
                    p.peak_coordinates[r],
                ]
            })
            .collect();
        let mut tables = vec![Table::new("modes", 4, mode_rows).with_note(
            "per mode: frequency (Hz), damping ratio, spectrum value, peak modal coordinate",
        )];
        let curve = self.curve(d)?;
        tables.push(Table::new("srs", 2, curve.iter().flat_map(|&(f, v)| [f, v]).collect()).with_note(
            "the input spectrum: frequency (Hz), value (multiples of the loads), at the damping of [damping]",
        ));
        let marks: Vec<(f64, f64)> = hz
            .iter()
            .copied()
            .zip(p.spectrum_values.iter().copied())
            .collect();
        let plot = lines(
            &format!(
                "{}: shock response spectrum ({})",
                self.name, self.damping_text
            ),
            &Axis::new("frequency", "Hz").log(),
            &Axis::new("peak (× the loads)", "").log(),
            &[
                ("spectrum".to_string(), curve),
                ("modes".to_string(), marks),
            ],
        );
        Ok(Results {
            name: self.name.clone(),
            analysis: "response_spectrum",
            steps: vec![Step {
                name: format!("{}_peak", self.name),
                value: None,
                rigid_body: false,
                fields: vec![
                    Field::nodal(
                        "displacement",
                        Shape::Vector,
                        Quantity::Displacement,
                        p.displacement.clone(),
                    ),
                    Field::nodal(
                        "von_mises",
                        Shape::Scalar,
                        Quantity::Stress,
                        p.von_mises.clone(),
                    ),
                ],
                scalars: vec![],
            }],
            axis: None,
            covered: None,
            incomplete: None,
            scalars: vec![
                Scalar::new("modes_used", hz.len() as f64, Quantity::Number),
                Scalar::new("zero_period_value", p.zero_period, Quantity::Number),
            ],
            tables,
            key_results: vec![
                key("max_displacement", umax, Quantity::Displacement, Some(un)),
                key("max_von_mises", smax, Quantity::Stress, Some(sn)),
            ],
            headline,
            series: None,
            plots: vec![("srs".into(), plot)],
            raw: Arc::new(p),
        })
    }

    /// The input spectrum over the modes' range: the table's points, or the SRS of the
    /// pulse or history at 100 log-spaced frequencies (at the damping of the first mode).
    fn curve(&self, d: &ModalDamping) -> Result<Vec<(f64, f64)>> {
        let hz = &d.frequencies;
        Ok(match &self.spectrum {
            Spectrum::Table(t) => t.clone(),
            Spectrum::History(h) => {
                let lo = hz.first().copied().unwrap_or(1.0).min(self.top) / 4.0;
                let hi = self.top.max(hz.last().copied().unwrap_or(1.0));
                let f: Vec<f64> = (0..100)
                    .map(|i| lo * (hi / lo).powf(i as f64 / 99.0))
                    .collect();
                let zeta = if hz.is_empty() {
                    self.damping.equivalent_ratio(lo)
                } else {
                    d.equivalent_ratio(0)
                }
                .min(0.99);
                let v = srs(h, &f, zeta).map_err(anyhow::Error::msg)?;
                f.into_iter().zip(v).collect()
            }
        })
    }
}
