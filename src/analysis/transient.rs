//! `analysis = "transient"`: linear transient dynamics of the load case's loads — or of
//! a base acceleration, as the motion relative to the supports — scaled by an amplitude
//! history, from rest; by direct integration (HHT-α, one factorisation for the whole
//! run) or by modal superposition (each mode integrated exactly for the piecewise-linear
//! amplitude, plus the static correction of the modes left out).
//!
//! Options: `duration` and `step` (s, required); `amplitude = [[t, factor], …]`
//! (linear in between, zero outside) or `amplitude_file = "…csv"` (t, factor; a
//! measured base acceleration in g with a `base_acceleration` of 1 g); `method`
//! (`"direct"`, the default, or `"modal"`); `max_frequency` (Hz: the highest frequency
//! of interest — the modal method superposes modes to 1.5× it, default 1/(20 step);
//! both methods warn when the step has fewer than 10 points per period of it);
//! `modes` (modal: a count instead); `static_correction = false` (modal: the modes
//! alone, as a deck's `*MODAL DYNAMIC` step superposes them in CalculiX); `alpha` (HHT of the direct method, default −0.05:
//! damps the spurious highest mesh modes; 0 dissipates nothing); `output_every` (steps
//! between the fields of the time series, default: at most 200 of them); `damping`
//! (else `[damping]`) — the direct method takes Rayleigh only (it has no modes to give
//! ratios to), the modal method modal ratios and Rayleigh; neither a loss factor (it
//! has no time-domain form).
//!
//! Results: the envelope over every step — `displacement` (each component's largest
//! magnitude), `acceleration` (absolute, likewise; the modal method leaves out the
//! static correction's share), `von_mises` (at every step, so no peak between outputs is missed) and
//! `von_mises_time` — read by the usual criteria; the fields at the output steps as an
//! XDMF time series (`<case>_<load case>.xdmf`); tables of the histories at every probe
//! and of the energy balance (input work against kinetic, strain and dissipated
//! energy), with plots of both.

use super::{damping, dynamic, Analysis, Context, Input, Kind, Solved};
use crate::plot::{lines, Axis};
use crate::probe::Probes;
use crate::results::{Field, Produces, Quantity, Results, Scalar, Shape, Step, StepAxis, Table};
use crate::schema::{DampingSpec, LoadSpec};
use crate::units::{node_place, sig};
use anyhow::{bail, Context as _, Result};
use nalgebra::Vector3;
use serde::Deserialize;
use std::path::PathBuf;
use std::sync::Arc;
use toml::Spanned;
use vproto_solver::harmonic::Damping;
use vproto_solver::transient::{TransientOptions, TransientSolution};
use vproto_solver::LoadCase;

pub struct Transient;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Options {
    duration: Spanned<f64>,
    step: Spanned<f64>,
    amplitude: Option<Spanned<Vec<[f64; 2]>>>,
    amplitude_file: Option<Spanned<PathBuf>>,
    alpha: Option<Spanned<f64>>,
    method: Option<Spanned<String>>,
    max_frequency: Option<Spanned<f64>>,
    modes: Option<usize>,
    static_correction: Option<bool>,
    output_every: Option<usize>,
    damping: Option<Spanned<DampingSpec>>,
}

/// Most steps of a run, and most output steps.
const MAX_STEPS: usize = 10_000_000;
const MAX_OUTPUTS: usize = 1000;

/// The time series: fields at output times.
pub const AXIS: StepAxis = StepAxis {
    name: "time",
    quantity: Quantity::Time,
    label: "time_step",
};

impl Kind for Transient {
    fn keyword(&self) -> &'static str {
        "transient"
    }

    fn takes_load(&self, load: &LoadSpec) -> bool {
        dynamic::takes_load(load)
    }

    fn produces(&self) -> Produces {
        Produces {
            fields: &[
                "displacement",
                "acceleration",
                "von_mises",
                "von_mises_time",
            ],
            axis: None,
            step_scalars: &[],
            histories: true,
        }
    }

    fn build(&self, input: &Input) -> Result<Box<dyn Analysis>> {
        let (case, spec) = (input.case, input.spec());
        let o: Options = input.options()?;
        let (duration, step) = (*o.duration.get_ref(), *o.step.get_ref());
        if !(step.is_finite() && step > 0.0) {
            bail!(case.error_at(&o.step, "`step` must be a positive time (s)"));
        }
        if !(duration.is_finite() && duration >= step) {
            bail!(case.error_at(&o.duration, "`duration` must be at least one `step` (s)"));
        }
        let steps = (duration / step).round() as usize;
        if steps > MAX_STEPS {
            bail!(case.error_at(
                &o.duration,
                format!(
                    "{steps} steps: at most {MAX_STEPS} (a longer step, or a shorter duration)"
                )
            ));
        }
        let amplitude = amplitude(input, &o)?;
        let finest = amplitude
            .windows(2)
            .map(|w| w[1].0 - w[0].0)
            .filter(|d| *d > 0.0)
            .fold(f64::INFINITY, f64::min);
        if finest < step {
            tracing::warn!(
                "{}: load case '{}': the step ({step:e} s) is longer than the amplitude's finest spacing ({finest:e} s): the load is only seen at the steps",
                case.path.display(),
                spec.name
            );
        }
        let alpha = match &o.alpha {
            Some(a) if !(-1.0 / 3.0..=0.0).contains(a.get_ref()) => {
                bail!(case.error_at(a, "HHT `alpha` must lie in [−1/3, 0]"))
            }
            Some(a) => *a.get_ref(),
            None => -0.05,
        };
        let (d, damping_text) = damping::of_transient(input, o.damping.as_ref())?;
        let modal = method(input, &o, &d)?;
        let max_frequency = max_frequency(input, &o, step)?;
        let (lc, base) = dynamic::excitation(input)?;
        // The user's choice is kept or refused, never changed.
        let output_every = match o.output_every {
            Some(e) if e == 0 || steps.div_ceil(e) + 1 > MAX_OUTPUTS => bail!(
                "{}: load case '{}': output_every = {e} keeps {} fields of the {steps} steps; 1 to {MAX_OUTPUTS} are written (a fatigue count of a long run takes every step from method = \"modal\" without them)",
                case.path.display(),
                spec.name,
                if e == 0 { 0 } else { steps.div_ceil(e) + 1 }
            ),
            Some(e) => e,
            None => steps.div_ceil(200).max(steps.div_ceil(MAX_OUTPUTS)).max(1),
        };
        Ok(Box::new(TransientCase {
            name: spec.name.clone(),
            modal: modal.then_some((max_frequency, o.modes, case.spec.solver.method.into())),
            lc,
            base,
            options: TransientOptions {
                step,
                steps,
                alpha,
                damping: d,
                amplitude,
                output_every,
                watch: Vec::new(),
                stress_envelope: true,
                base_acceleration: base.into(),
                static_correction: o.static_correction.unwrap_or(true),
            },
            damping_text,
        }))
    }
}

/// The amplitude table, given inline or as a CSV file (t, factor).
fn amplitude(input: &Input, o: &Options) -> Result<Vec<(f64, f64)>> {
    let case = input.case;
    let rows = match (&o.amplitude, &o.amplitude_file) {
        (Some(t), None) => {
            let rows: Vec<(f64, f64)> = t.get_ref().iter().map(|r| (r[0], r[1])).collect();
            vproto_solver::shock::check_history(&rows).map_err(|e| case.error_at(t, format!("amplitude: {e}")))?;
            rows
        }
        (None, Some(f)) => crate::analysis::response_spectrum::read_history(&case.resolve(f.get_ref()))
            .map_err(|e| case.error_at(f, format!("amplitude_file: {e:#}")))?,
        _ => bail!(
            "{}: transient load case '{}' needs exactly one of `amplitude = [[t, factor], …]` or `amplitude_file`",
            case.path.display(),
            input.spec().name
        ),
    };
    Ok(rows)
}

/// `max_frequency` (Hz; default 1/(20 step)), warning when the step gives it fewer than
/// 10 points a period.
fn max_frequency(input: &Input, o: &Options, step: f64) -> Result<f64> {
    let case = input.case;
    Ok(match &o.max_frequency {
        Some(f) if !(f.get_ref().is_finite() && *f.get_ref() > 0.0) => {
            bail!(case.error_at(f, "`max_frequency` must be a positive frequency (Hz)"))
        }
        Some(f) => {
            let points = 1.0 / (f.get_ref() * step);
            if points < 10.0 {
                tracing::warn!(
                    "{}: the step {step:e} s gives {points:.1} points per period of max_frequency = {} Hz: at least 10 resolve it (a step of {} s)",
                    case.at(f.span()),
                    sig(*f.get_ref()),
                    sig(1.0 / (10.0 * f.get_ref()))
                );
            }
            *f.get_ref()
        }
        None => 1.0 / (20.0 * step),
    })
}

/// `method`: true for modal; checks that the damping suits it.
fn method(input: &Input, o: &Options, d: &Damping) -> Result<bool> {
    let (case, spec) = (input.case, input.spec());
    super::check_mode_count(input, o.modes)?;
    let modal = dynamic::method_option(input, o.method.as_ref(), ["direct", "modal"])?;
    if d.loss_factor > 0.0 {
        bail!(
            "{}: transient load case '{}': a loss factor has no time-domain form — give modal ratios (method = \"modal\") or Rayleigh α/β",
            case.path.display(),
            spec.name
        );
    }
    if !modal && d.modal.iter().any(|p| p.1 > 0.0) {
        bail!(
            "{}: transient load case '{}' integrates K, M and C directly: give its damping as `rayleigh = {{ alpha, beta }}`, or use `method = \"modal\"` for modal ratios",
            case.path.display(),
            spec.name
        );
    }
    if !modal && (o.modes.is_some() || o.static_correction.is_some()) {
        bail!(
            "{}: transient load case '{}': `modes` and `static_correction` are options of `method = \"modal\"`",
            case.path.display(),
            spec.name
        );
    }
    if modal && o.alpha.is_some() {
        bail!("{}: transient load case '{}': `alpha` is an option of the direct method (the modal method integrates each mode exactly)", case.path.display(), spec.name);
    }
    Ok(modal)
}

struct TransientCase {
    name: String,
    /// The modal method: the highest frequency of interest (Hz), the mode count asked
    /// for and the eigensolver's method.
    modal: Option<(f64, Option<usize>, vproto_solver::statics::Method)>,
    lc: LoadCase,
    base: Vector3<f64>,
    options: TransientOptions,
    damping_text: String,
}

impl Analysis for TransientCase {
    fn name(&self) -> &str {
        &self.name
    }

    fn solve(&self, ctx: &Context, _done: &Solved) -> Result<Results> {
        let probes = Probes::locate(ctx.case, &ctx.model.mesh)?;
        let mut options = self.options.clone();
        let watched: Vec<(usize, f64)> = probes
            .iter()
            .flat_map(|p| {
                let (n, w) = p.weights();
                n.iter().copied().zip(w.iter().copied()).collect::<Vec<_>>()
            })
            .collect();
        options.watch = watched
            .iter()
            .flat_map(|&(n, _)| [3 * n, 3 * n + 1, 3 * n + 2])
            .collect();
        let here = || {
            format!(
                "{}: transient load case '{}'",
                ctx.case.path.display(),
                self.name
            )
        };
        let (s, method, residual) = match self.modal {
            None => (
                ctx.fe.transient(&self.lc, &options).with_context(here)?,
                format!("HHT α = {}", options.alpha),
                None,
            ),
            Some((top, asked, method)) => {
                let modes = dynamic::modes(ctx, top, asked, method).with_context(here)?;
                let highest = modes.modes.last().map_or(0.0, |m| m.frequency);
                let stat = dynamic::static_response(ctx, &self.lc, &here)?;
                let s = ctx
                    .fe
                    .modal_transient(&modes, &self.lc, &stat, &options)
                    .with_context(here)?;
                let text = format!(
                    "modal: {} modes to {} Hz{}",
                    modes.modes.len(),
                    sig(highest),
                    if options.static_correction {
                        " and the static correction"
                    } else {
                        ", no static correction"
                    }
                );
                (s, text, Some(stat.relative_residual))
            }
        };
        let mut r = self.results(ctx, s, &probes, &method);
        // The equilibrium of the static correction's solve, as every load case reports
        // (the direct method's check is its energy balance).
        if let Some(res) = residual {
            r.scalars
                .push(Scalar::new("relative_residual", res, Quantity::Number));
        }
        Ok(r)
    }
}

impl TransientCase {
    fn results(
        &self,
        ctx: &Context,
        s: TransientSolution,
        probes: &Probes,
        method: &str,
    ) -> Results {
        let mesh = &ctx.model.mesh;
        let (un, umax) =
            dynamic::largest(mesh.nodes.len(), |n| dynamic::norm(&s.max_displacement, n));
        let (sn, smax) = dynamic::largest(mesh.nodes.len(), |n| s.max_von_mises[n]);
        let (an, amax) =
            dynamic::largest(mesh.nodes.len(), |n| dynamic::norm(&s.max_acceleration, n));
        let key = |name: &str, value: f64, quantity: Quantity, n: Option<usize>| {
            dynamic::key(mesh, name, value, quantity, n)
        };
        let o = &self.options;
        let headline = format!(
            "{}: {} × amplitude, {} steps of {} s ({}), {}: peak |u| {} ({}), von Mises {} at {} s ({}); energy balance to {:.1e}",
            self.name,
            if self.base.norm() > 0.0 { "base acceleration" } else { "loads" },
            o.steps,
            sig(o.step),
            method,
            self.damping_text,
            crate::units::value(umax, Quantity::Displacement, ""),
            node_place(mesh, un),
            crate::units::value(smax, Quantity::Stress, ""),
            sig(s.max_von_mises_time[sn]),
            node_place(mesh, sn),
            s.energy_error,
        );
        let histories = self.histories(&s, probes);
        let mut tables = vec![
            Table::new("times", 1, s.times.clone()).with_note("s"),
            Table::new("peak_displacement", 1, s.peak_displacement.clone())
                .with_note("largest |u| over the nodes at each step (m)"),
            Table::new("energy", 5, energy_rows(&s)).with_note(
                "per step: time (s), kinetic, strain, dissipated energy, input work (J)",
            ),
        ];
        for (name, rows) in &histories {
            tables.push(
                Table::new(format!("history/{name}"), 4, rows.clone())
                    .with_note("per step: time (s), u_x, u_y, u_z (m, relative to the base)"),
            );
        }
        Results {
            name: self.name.clone(),
            analysis: "transient",
            steps: vec![self.envelope(&s)],
            axis: None,
            covered: None,
            incomplete: None,
            scalars: vec![
                Scalar::new("steps", o.steps as f64, Quantity::Number),
                Scalar::new("energy_error", s.energy_error, Quantity::Number),
            ],
            tables,
            key_results: vec![
                key("max_displacement", umax, Quantity::Displacement, Some(un)),
                key("max_acceleration", amax, Quantity::Acceleration, Some(an)),
                key("max_von_mises", smax, Quantity::Stress, Some(sn)),
                key(
                    "max_von_mises_time",
                    s.max_von_mises_time[sn],
                    Quantity::Time,
                    None,
                ),
            ],
            headline,
            series: Some((AXIS, self.series(&s))),
            plots: self.plots(&s, &histories),
            raw: Arc::new(s),
        }
    }

    /// The envelope over every step: the load case's one step, read by the criteria.
    fn envelope(&self, s: &TransientSolution) -> Step {
        let field =
            |name, shape, quantity, v: &Vec<f64>| Field::nodal(name, shape, quantity, v.clone());
        Step {
            name: format!("{}_envelope", self.name),
            value: None,
            rigid_body: false,
            fields: vec![
                field(
                    "displacement",
                    Shape::Vector,
                    Quantity::Displacement,
                    &s.max_displacement,
                ),
                field(
                    "acceleration",
                    Shape::Vector,
                    Quantity::Acceleration,
                    &s.max_acceleration,
                ),
                field(
                    "von_mises",
                    Shape::Scalar,
                    Quantity::Stress,
                    &s.max_von_mises,
                ),
                field(
                    "von_mises_time",
                    Shape::Scalar,
                    Quantity::Time,
                    &s.max_von_mises_time,
                ),
            ],
            scalars: vec![],
        }
    }

    /// The fields at the output steps: the XDMF time series.
    fn series(&self, s: &TransientSolution) -> Vec<Step> {
        s.snapshots
            .iter()
            .enumerate()
            .map(|(k, (t, u))| Step {
                name: format!("{}_t{:.6e}", self.name, t),
                value: Some(*t),
                rigid_body: false,
                fields: [Field::nodal(
                    "displacement",
                    Shape::Vector,
                    Quantity::Displacement,
                    u.clone(),
                )]
                .into_iter()
                .chain(
                    s.snapshot_von_mises.get(k).map(|v| {
                        Field::nodal("von_mises", Shape::Scalar, Quantity::Stress, v.clone())
                    }),
                )
                .collect(),
                scalars: vec![],
            })
            .collect()
    }

    /// The displacement history at every probe, interpolated from its element's nodes.
    fn histories(&self, s: &TransientSolution, probes: &Probes) -> Vec<(String, Vec<f64>)> {
        let mut at = 0;
        probes
            .iter()
            .map(|p| {
                let (_, weights) = p.weights();
                let rows = (0..s.times.len())
                    .flat_map(|k| {
                        let mut u = [0.0; 3];
                        for (i, w) in weights.iter().enumerate() {
                            for (c, uc) in u.iter_mut().enumerate() {
                                *uc += w * s.watched[3 * (at + i) + c][k];
                            }
                        }
                        [s.times[k], u[0], u[1], u[2]]
                    })
                    .collect();
                at += weights.len();
                (p.name.clone(), rows)
            })
            .collect()
    }

    fn plots(
        &self,
        s: &TransientSolution,
        histories: &[(String, Vec<f64>)],
    ) -> Vec<(String, String)> {
        let t = Axis::new("time", "s");
        let mut u = vec![(
            "largest |u| over the model".to_string(),
            s.times
                .iter()
                .copied()
                .zip(s.peak_displacement.iter().copied())
                .collect::<Vec<_>>(),
        )];
        for (name, rows) in histories {
            u.push((
                format!("probe {name}: |u|"),
                rows.chunks(4)
                    .map(|r| (r[0], (r[1] * r[1] + r[2] * r[2] + r[3] * r[3]).sqrt()))
                    .collect(),
            ));
        }
        let e = &s.energy;
        let curve = |v: &[f64]| {
            s.times
                .iter()
                .copied()
                .zip(v.iter().copied())
                .collect::<Vec<_>>()
        };
        let energy = vec![
            ("input work".to_string(), curve(&e.work)),
            ("kinetic".to_string(), curve(&e.kinetic)),
            ("strain".to_string(), curve(&e.strain)),
            ("dissipated".to_string(), curve(&e.dissipated)),
        ];
        vec![
            (
                "displacement".into(),
                lines(
                    &format!("{}: displacement ({})", self.name, self.damping_text),
                    &t,
                    &Axis::new("|u|", "m").magnitude(),
                    &u,
                ),
            ),
            (
                "energy".into(),
                lines(
                    &format!("{}: energy balance", self.name),
                    &t,
                    &Axis::new("energy", "J"),
                    &energy,
                ),
            ),
        ]
    }
}

fn energy_rows(s: &TransientSolution) -> Vec<f64> {
    let e = &s.energy;
    (0..s.times.len())
        .flat_map(|k| {
            [
                s.times[k],
                e.kinetic[k],
                e.strain[k],
                e.dissipated[k],
                e.work[k],
            ]
        })
        .collect()
}
