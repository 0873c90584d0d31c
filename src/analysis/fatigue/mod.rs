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
//! Or the mechanism's duty cycle: the case lists mechanism loads (`joint_load`,
//! `spring_load`, `motion_inertia`) and counts them at every sample of the motion
//! ([`mechanism`]). Or `transient = "<transient load case>"`: its stress at every step.
//!
//! Or spectral: `random = "<random load case>"` with `exposure` (s of that vibration a
//! pass stands for) and `method` ("dirlik", default, or "narrow_band"): the damage of
//! each node's equivalent von Mises process from its PSD's moments
//! (`vproto_solver::fatigue::spectral`); zero mean, so no mean-stress correction.
//!
//! Results: `damage` (Miner's sum of one pass) per node and, for histories,
//! `largest_range` (Pa); the hot-spot table; criteria `max_damage` and
//! `min_fatigue_life`.

mod channel_units;
mod channels;
mod mechanism;
mod rules;

use super::{Analysis, Context, Input, Kind, Solved};
use crate::plot::{lines, Axis};
use crate::results::{Field, KeyResult, Produces, Quantity, Results, Scalar, Shape, Step, Table};
use crate::schema::LoadSpec;
use crate::units::{node_place, sig};
use anyhow::{anyhow, bail, Context as _, Result};
use channels::ChannelSpec;
use rayon::prelude::*;
use serde::Deserialize;
use std::sync::Arc;
use toml::Spanned;
use vproto_solver::fatigue::sn::MeanStress;
use vproto_solver::fatigue::spectral::{damage_rate, Method};
use vproto_solver::fatigue::{
    nodal_damage, nodal_damage_sampled, node_cycles, node_cycles_sampled, Equivalent,
    FatigueOptions, Material,
};
use vproto_solver::material::Voigt;
use vproto_solver::{LoadCase, StaticResults};

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
    transient: Option<Spanned<String>>,
}

impl Kind for Fatigue {
    fn keyword(&self) -> &'static str {
        "fatigue"
    }

    /// Loads from a mechanism: the case counts its duty cycle.
    fn takes_load(&self, load: &LoadSpec) -> bool {
        super::loads::from_motion(load)
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
        let marin = rules::marin(input, &o)?;
        let source = match (o.random.clone(), input.spec().load.is_empty()) {
            (Some(random), _) => spectral(input, &o, &random, stress_factor)?,
            (None, _) if o.transient.is_some() => transient(input, &o, stress_factor)?,
            (None, true) => channels::histories(input, o, stress_factor)?,
            (None, false) => mechanism::duty_cycle(input, &o, stress_factor)?,
        };
        let (rule, strain) = match &source {
            Source::Histories { options, .. }
            | Source::Mechanism { options, .. }
            | Source::Transient { options, .. } => {
                (options.mean_stress, options.strain_life.is_some())
            }
            Source::Spectrum { .. } => (MeanStress::None, false),
        };
        Ok(Box::new(FatigueCase {
            name: input.spec().name.clone(),
            materials: rules::materials(input, rule, &marin, strain)?,
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
    /// A mechanism's duty cycle: the unit loads of its loads' components (histories in
    /// `options`), and the whole loads at a few samples, solved to check the sum.
    Mechanism {
        /// The motion's span (s): a pass.
        duration: f64,
        units: Vec<LoadCase>,
        checks: Vec<(LoadCase, usize)>,
        options: FatigueOptions,
    },
    /// A transient load case's stress at every step.
    Transient {
        transient: String,
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

/// A transient load case's every step: `transient = "<transient load case>"`, with
/// the counting options of histories (no channels or loads).
fn transient(input: &Input, o: &Options, stress_factor: f64) -> Result<Source> {
    let case = input.case;
    let Some(t) = &o.transient else {
        bail!("{}: no transient", case.path.display())
    };
    let name = t.get_ref();
    if input.kind_of(name) != Some("transient") {
        return Err(case.error_at(
            t,
            format!("'{name}' is not a transient load case of this file"),
        ));
    }
    if let Some(c) = o.channel.first() {
        return Err(case.error_at(c, "a fatigue case of a transient counts its stresses: channels belong to a case of load histories"));
    }
    if let Some(l) = input.spec().load.first() {
        return Err(case.error_at(l, "a fatigue case of a transient counts its stresses: loads belong to the transient load case"));
    }
    Ok(Source::Transient {
        transient: name.clone(),
        options: rules::counting(input, o, Vec::new(), stress_factor)?,
    })
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
    if let Some(t) = &o.transient {
        return Err(case.error_at(
            t,
            "a fatigue case counts one source: a random response or a transient, not both",
        ));
    }
    if let Some(l) = input.spec().load.first() {
        return Err(case.error_at(l, "a fatigue case of a random response counts its stress PSD: loads belong to the random load case (or, from a mechanism, to a fatigue case of its duty cycle)"));
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

/// Where a count's stresses come from: unit stresses superposed with the histories, or
/// every node's stress at every sample.
enum Stresses<'a> {
    Superposed(&'a [&'a [Voigt]]),
    Sampled(&'a [&'a [Voigt]]),
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
            Source::Mechanism { .. } => Vec::new(),
            Source::Transient { transient, .. } => vec![transient.clone()],
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
            } => channels
                .iter()
                .map(|c| done.raw::<StaticResults>(c))
                .collect::<Result<Vec<_>>>()
                .and_then(|units| self.count(ctx, &units, *duration, options))
                .with_context(here)?,
            Source::Mechanism {
                duration,
                units,
                checks,
                options,
            } => self
                .duty_cycle(ctx, units, checks, *duration, options)
                .with_context(here)?,
            Source::Transient { transient, options } => self
                .transient(ctx, done, transient, options)
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
        units: &[&StaticResults],
        duration: Option<f64>,
        options: &FatigueOptions,
    ) -> Result<Found> {
        let refs: Vec<&[vproto_solver::material::Voigt]> = units
            .iter()
            .map(|u| u.fields.nodal_stress.as_slice())
            .collect();
        let d = nodal_damage(&refs, &self.materials, options)?;
        let plots = self.hot_spot_plots(
            &ctx.model.mesh,
            &Stresses::Superposed(&refs),
            &d.damage,
            options,
        );
        // The equilibrium of the solves whose stresses it superposes.
        let residual = units
            .iter()
            .map(|u| u.relative_residual)
            .fold(0.0, f64::max);
        let samples = options.histories[0].len();
        let mut found = self.found(d, duration, samples, Some(residual), options);
        found.what = format!("{} channel(s) × {}", units.len(), found.what);
        found.plots = plots;
        Ok(found)
    }

    /// What a count found, with its scalars and the headline's account of it.
    fn found(
        &self,
        d: vproto_solver::fatigue::NodalDamage,
        duration: Option<f64>,
        samples: usize,
        residual: Option<f64>,
        options: &FatigueOptions,
    ) -> Found {
        let mut scalars = vec![Scalar::new("samples", samples as f64, Quantity::Number)];
        // After peak-valley compression (one channel: its turning points).
        if d.samples_counted > 0 && d.samples_counted < samples {
            scalars.push(Scalar::new(
                "samples_counted",
                d.samples_counted as f64,
                Quantity::Number,
            ));
        }
        // The equilibrium of the solves it counts (none for a direct transient, whose
        // check is its energy balance).
        if let Some(r) = residual {
            scalars.push(Scalar::new("relative_residual", r, Quantity::Number));
        }
        if let Some(t) = duration {
            scalars.push(Scalar::new("pass_duration", t, Quantity::Time));
        }
        let rules = match options.strain_life {
            Some(l) => format!("strain-life, {:?}, {:?}", l.notch, l.mean),
            None => format!("{:?}", options.mean_stress),
        };
        let mut what = format!("{samples} samples, {:?}, {rules}", options.equivalent);
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
        Found {
            screened: d.screened,
            largest_range: Some(d.largest_range.clone()),
            damage: d.damage.clone(),
            duration,
            scalars,
            what,
            plots: Vec::new(),
            raw: Arc::new(d),
        }
    }

    /// The duty cycle of a mechanism: its unit loads solved with the run's factor, the
    /// superposition checked against the whole loads at one sample, then counted.
    fn duty_cycle(
        &self,
        ctx: &Context,
        units: &[LoadCase],
        checks: &[(LoadCase, usize)],
        duration: f64,
        options: &FatigueOptions,
    ) -> Result<Found> {
        let factor = super::statics::factor(ctx)?;
        let mut cases = units.to_vec();
        cases.extend(checks.iter().map(|(c, _)| c.clone()));
        let (mut solved, timing) = factor.solve(&cases)?;
        ctx.note_solver(|s| {
            if let Some(s) = s {
                s.iterations = s.iterations.max(timing.iterations);
                s.solve_seconds += timing.solve_seconds;
                s.recovery_seconds += timing.recovery_seconds;
            }
        });
        if solved.len() != cases.len() {
            bail!("{} results for {} load cases", solved.len(), cases.len());
        }
        let wholes = solved.split_off(units.len());
        let refs: Vec<&StaticResults> = solved.iter().collect();
        let mut error = 0.0f64;
        for ((_, k), whole) in checks.iter().zip(&wholes) {
            let e = mechanism::superposition_error(&refs, &options.histories, *k, whole)?;
            // Each load is linear in its components: only round-off may part them.
            if e.is_nan() || e > 1e-8 {
                bail!("the sum of the unit solves differs from the loads at sample {k} solved whole by {e:e} of the largest stress: a bug — please report it");
            }
            error = error.max(e);
        }
        let mut found = self.count(ctx, &refs, Some(duration), options)?;
        found
            .scalars
            .push(Scalar::new("superposition_error", error, Quantity::Number));
        found.what = format!("the mechanism's duty cycle: {}", found.what);
        Ok(found)
    }

    /// The stress of a transient at every step (it must keep every step's field),
    /// counted sample by sample.
    fn transient(
        &self,
        ctx: &Context,
        done: &Solved,
        name: &str,
        options: &FatigueOptions,
    ) -> Result<Found> {
        let r = done.raw::<vproto_solver::transient::TransientSolution>(name)?;
        let residual = done.get(name).and_then(|r| r.scalar("relative_residual"));
        let duration =
            r.times.last().copied().unwrap_or(0.0) - r.times.first().copied().unwrap_or(0.0);
        let steps = r.times.len();
        let mesh = ctx.fe.mesh;
        // The modal method's stress is a superposition of its columns' stresses with
        // their coordinates: every step, no field per step.
        if let Some(m) = &r.modal_stress {
            let units: Vec<Vec<Voigt>> = m
                .stresses
                .iter()
                .map(|s| s.chunks(6).map(Voigt::from_row_slice).collect())
                .collect();
            let refs: Vec<&[Voigt]> = units.iter().map(Vec::as_slice).collect();
            let options = FatigueOptions {
                histories: m.factors.clone(),
                ..options.clone()
            };
            let d = nodal_damage(&refs, &self.materials, &options)?;
            let plots =
                self.hot_spot_plots(mesh, &Stresses::Superposed(&refs), &d.damage, &options);
            let mut found = self.found(d, Some(duration), steps, residual, &options);
            found.what = format!(
                "transient '{name}' ({} modal columns, every step): {}",
                refs.len(),
                found.what
            );
            found.plots = plots;
            return Ok(found);
        }
        let kept = r.snapshots.len();
        if kept != steps {
            bail!("transient load case '{name}' keeps the fields of {kept} of its {steps} steps: a fatigue count of a direct transient needs every step (peaks between the kept ones would be missed) — set output_every = 1 there, or use method = \"modal\", whose stress at every step is a superposition");
        }
        vproto_solver::memory::check(
            "the stress at every node and step of a transient, for its fatigue count",
            48 * (kept * mesh.nodes.len()) as u64
                + vproto_solver::recovery::NodalStress::bytes(mesh),
        )?;
        let recovery = vproto_solver::recovery::NodalStress::new(mesh, &ctx.fe.materials);
        let stresses: Vec<Vec<Voigt>> = r
            .snapshots
            .iter()
            .map(|(_, u)| {
                recovery
                    .of(u)
                    .chunks(6)
                    .map(Voigt::from_row_slice)
                    .collect()
            })
            .collect();
        let samples: Vec<&[Voigt]> = stresses.iter().map(Vec::as_slice).collect();
        let d = nodal_damage_sampled(&samples, &self.materials, options)?;
        let plots = self.hot_spot_plots(mesh, &Stresses::Sampled(&samples), &d.damage, options);
        let mut found = self.found(d, Some(duration), steps, residual, options);
        found.what = format!("transient '{name}': {}", found.what);
        found.plots = plots;
        Ok(found)
    }

    /// The worst node's counted cycles against its S–N curve (cumulative count of a
    /// pass at each corrected amplitude: where the spectrum crosses the curve is what
    /// damages), and their ranges as a rainflow histogram.
    fn hot_spot_plots(
        &self,
        mesh: &vproto_solver::Mesh,
        stresses: &Stresses,
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
        let mut cycles = match stresses {
            Stresses::Superposed(unit) => node_cycles(n, unit, material, options),
            Stresses::Sampled(samples) => node_cycles_sampled(n, samples, material, options),
        };
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
            incomplete: None,
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
