//! `analysis = "harmonic"`: the steady-state response to loads of one amplitude at a
//! frequency swept over a band, or to the supports shaken together with an
//! acceleration amplitude (`base_acceleration`, as a shaker drives a fixture: an
//! IEC 60068-2-6 sine sweep run virtually), by superposing the model's modes with a
//! static correction for the ones above the band (`vproto_solver::harmonic`).
//!
//! Options: `frequency = [min, max]` Hz (required); `points` (default 200) spaced by
//! `spacing` (`"log"`, default, or `"linear"`), plus 21 points clustered at every mode in
//! the band so no peak falls between two; `modes` (default: enough to reach 1.5 × the
//! top frequency); `damping = { … }` (else the case's `[damping]`, one of them required);
//! `static_correction = false` leaves the correction out (the modes alone, as CalculiX
//! and Abaqus superpose them: what a deck's `*STEADY STATE DYNAMICS` step asks for);
//! `method = "direct"` solves the complex system at every point instead (no modes in the
//! response, so it checks the modal method; Rayleigh and loss-factor damping only; a
//! complex LU factorisation a frequency, so for checking, not for long sweeps — the
//! points are still placed at the modes).
//!
//! Results: one step, the envelope over the band — `displacement` (each component's
//! largest amplitude, relative to the base; their magnitude bounds |u| from above),
//! `acceleration` (absolute, likewise), `von_mises` (the largest over band and cycle)
//! and `von_mises_frequency` —
//! so the stress, displacement and probe criteria read it as they read a static load
//! case. Tables: the sweep (`frequencies`, `peak_displacement`, `peak_von_mises`), the
//! modes used (`resonances`) and the complex response at every probe
//! (`transfer/<probe>`); plots of the sweep.

use super::{damping, dynamic, Analysis, Context, Input, Kind, Solved};
use crate::plot::{lines, Axis};
use crate::probe::Probes;
use crate::results::{Field, Produces, Quantity, Results, Scalar, Shape, Step, Table};
use crate::schema::{DampingSpec, LoadSpec};
use crate::units::{node_place, sig};
use anyhow::{bail, Context as _, Result};
use nalgebra::{Complex, Vector3};
use serde::Deserialize;
use std::sync::Arc;
use toml::Spanned;
use vproto_solver::harmonic::{
    frequency_points, Damping, HarmonicOptions, HarmonicSolution, Spacing,
};

use vproto_solver::harmonic::direct::DirectOptions;
use vproto_solver::harmonic::Envelope;
use vproto_solver::modal::ModalSolution;
use vproto_solver::{LoadCase, StaticResults};

pub struct Harmonic;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Options {
    frequency: Spanned<[f64; 2]>,
    points: Option<Spanned<usize>>,
    #[serde(default)]
    spacing: SpacingSpec,
    modes: Option<usize>,
    static_correction: Option<bool>,
    method: Option<Spanned<String>>,
    damping: Option<Spanned<DampingSpec>>,
}

#[derive(Clone, Copy, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
enum SpacingSpec {
    #[default]
    Log,
    Linear,
}

/// Points either side of every mode in the band (see [`frequency_points`]).
const CLUSTER: usize = 10;

/// The most frequency points a sweep may ask for.
const MAX_POINTS: usize = 100_000;

pub const FIELDS: [&str; 4] = [
    "displacement",
    "acceleration",
    "von_mises",
    "von_mises_frequency",
];

impl Kind for Harmonic {
    fn keyword(&self) -> &'static str {
        "harmonic"
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
        let [lo, hi] = *o.frequency.get_ref();
        let spacing = match o.spacing {
            SpacingSpec::Log => Spacing::Log,
            SpacingSpec::Linear => Spacing::Linear,
        };
        if !(lo >= 0.0 && hi > lo) || (spacing == Spacing::Log && lo <= 0.0) {
            bail!(case.error_at(
                &o.frequency,
                "`frequency = [min, max]` needs 0 ≤ min < max Hz (min > 0 with log spacing)"
            ));
        }
        let points = match &o.points {
            Some(p) if !(2..=MAX_POINTS).contains(p.get_ref()) => {
                bail!(case.error_at(p, format!("`points` must lie in 2..={MAX_POINTS}")))
            }
            Some(p) => *p.get_ref(),
            None => 200,
        };
        let (damping, damping_text) = damping::of(input, o.damping.as_ref())?;
        let (lc, base) = dynamic::excitation(input)?;
        Ok(Box::new(HarmonicCase {
            lc,
            base,
            band: (lo, hi),
            points,
            spacing,
            modes: o.modes,
            static_correction: o.static_correction.unwrap_or(true),
            direct: direct(input, &o, &damping)?,
            method: case.spec.solver.method.into(),
            damping,
            damping_text,
            name: spec.name.clone(),
        }))
    }
}

/// `method`: true for `"direct"`; checks that the options suit it.
fn direct(input: &Input, o: &Options, d: &Damping) -> Result<bool> {
    let case = input.case;
    let direct = dynamic::method_option(input, o.method.as_ref(), ["modal", "direct"])?;
    if direct && d.modal.iter().any(|p| p.1 > 0.0) {
        bail!(
            "{}: harmonic load case '{}': the direct method takes Rayleigh α/β and a loss factor (modal ratios need the modal method)",
            case.path.display(),
            input.spec().name
        );
    }
    if direct && o.static_correction.is_some() {
        bail!(
            "{}: harmonic load case '{}': `static_correction` is an option of the modal method (the direct one truncates nothing)",
            case.path.display(),
            input.spec().name
        );
    }
    Ok(direct)
}

struct HarmonicCase {
    name: String,
    lc: LoadCase,
    base: Vector3<f64>,
    band: (f64, f64),
    points: usize,
    spacing: Spacing,
    modes: Option<usize>,
    static_correction: bool,
    /// The direct method (a complex solve at every frequency) instead of the modes.
    direct: bool,
    method: vproto_solver::statics::Method,
    damping: Damping,
    damping_text: String,
}

impl Analysis for HarmonicCase {
    fn name(&self) -> &str {
        &self.name
    }

    fn solve(&self, ctx: &Context, _done: &Solved) -> Result<Results> {
        let here = || {
            format!(
                "{}: harmonic load case '{}'",
                ctx.case.path.display(),
                self.name
            )
        };
        let modes = dynamic::modes(ctx, self.band.1, self.modes, self.method).with_context(here)?;
        let stat = dynamic::static_response(ctx, &self.lc, &here)?;
        let damping = ctx
            .fe
            .modal_damping(&modes, &self.damping)
            .with_context(here)?;
        let options = HarmonicOptions {
            frequencies: frequency_points(
                self.band,
                self.points,
                self.spacing,
                &damping.resonances(),
                CLUSTER,
            ),
            damping,
            base_acceleration: self.base.into(),
            static_correction: self.static_correction,
        };
        let probes = Probes::locate(ctx.case, &ctx.model.mesh)?;
        let mut results = if self.direct {
            self.direct_results(ctx, options, &modes, &probes, &here)?
        } else {
            self.modal_results(ctx, options, (&modes, &stat), &probes, &here)?
        };
        // The equilibrium of the static correction's solve, as every load case reports.
        results.scalars.push(Scalar::new(
            "relative_residual",
            stat.relative_residual,
            Quantity::Number,
        ));
        Ok(results)
    }
}

/// A harmonic response as the results see it, whichever method found it.
struct View<'a> {
    frequencies: &'a [f64],
    envelope: &'a Envelope,
    /// The complex displacement at every probe and frequency.
    probes: Vec<(String, [Vec<Complex<f64>>; 3])>,
    /// "16 modes (to 512 Hz)" or the direct method's description.
    method: String,
    /// The resonance table's rows (modal method).
    resonances: Option<Vec<f64>>,
}

impl HarmonicCase {
    /// The direct method's response at the sweep's frequencies.
    fn direct_results(
        &self,
        ctx: &Context,
        options: HarmonicOptions,
        modes: &ModalSolution,
        probes: &Probes,
        here: &dyn Fn() -> String,
    ) -> Result<Results> {
        let points = probes
            .iter()
            .map(|p| {
                let (n, w) = p.weights();
                n.iter().copied().zip(w.iter().copied()).collect()
            })
            .collect();
        let d = ctx
            .fe
            .harmonic_direct(
                &self.lc,
                &DirectOptions {
                    frequencies: options.frequencies,
                    damping: options.damping.damping,
                    base_acceleration: options.base_acceleration,
                    points,
                },
            )
            .with_context(here)?;
        let view = View {
            frequencies: &d.frequencies,
            envelope: &d.envelope,
            probes: probes
                .iter()
                .map(|p| p.name.clone())
                .zip(d.points.iter().cloned())
                .collect(),
            method: format!(
                "direct (complex solve a frequency; points at the {} modes to {} Hz)",
                modes.modes.len(),
                sig(modes.modes.last().map_or(0.0, |m| m.frequency))
            ),
            resonances: None,
        };
        let r = self.results(ctx, &view);
        Ok(Results {
            raw: Arc::new(d),
            ..r
        })
    }

    /// The modal superposition's response at the sweep's frequencies.
    fn modal_results(
        &self,
        ctx: &Context,
        options: HarmonicOptions,
        (modes, stat): (&ModalSolution, &StaticResults),
        probes: &Probes,
        here: &dyn Fn() -> String,
    ) -> Result<Results> {
        let h = ctx
            .fe
            .harmonic(modes, &self.lc, stat, &options)
            .with_context(here)?;
        let view = View {
            frequencies: &h.sweep.frequencies,
            envelope: &h.envelope,
            probes: dynamic::at_probes(modes, &h.sweep, probes),
            method: format!(
                "{} modes (to {} Hz{})",
                h.sweep.modes.len(),
                sig(h.sweep.mode_frequencies.last().copied().unwrap_or(0.0)),
                if self.static_correction {
                    ""
                } else {
                    ", no static correction"
                }
            ),
            resonances: Some(self.resonances(&h)),
        };
        let mut r = self.results(ctx, &view);
        r.scalars.extend([
            Scalar::new("modes_used", h.sweep.modes.len() as f64, Quantity::Number),
            Scalar::new(
                "highest_mode",
                h.sweep.mode_frequencies.last().copied().unwrap_or(0.0),
                Quantity::Frequency,
            ),
        ]);
        Ok(Results {
            raw: Arc::new(h),
            ..r
        })
    }
    fn results(&self, ctx: &Context, h: &View) -> Results {
        let mesh = &ctx.model.mesh;
        let e = h.envelope;
        let fields = vec![
            Field::nodal(
                "displacement",
                Shape::Vector,
                Quantity::Displacement,
                e.displacement.clone(),
            ),
            Field::nodal(
                "acceleration",
                Shape::Vector,
                Quantity::Acceleration,
                e.acceleration.clone(),
            ),
            Field::nodal(
                "von_mises",
                Shape::Scalar,
                Quantity::Stress,
                e.von_mises.clone(),
            ),
            Field::nodal(
                "von_mises_frequency",
                Shape::Scalar,
                Quantity::Frequency,
                e.von_mises_frequency.clone(),
            ),
        ];
        let (un, umax) = dynamic::largest(mesh.nodes.len(), |n| dynamic::norm(&e.displacement, n));
        let (an, amax) = dynamic::largest(mesh.nodes.len(), |n| dynamic::norm(&e.acceleration, n));
        let (sn, smax) = dynamic::largest(mesh.nodes.len(), |n| e.von_mises[n]);
        let key = |name: &str, value: f64, quantity: Quantity, n: Option<usize>| {
            dynamic::key(mesh, name, value, quantity, n)
        };
        let key_results = vec![
            key("max_displacement", umax, Quantity::Displacement, Some(un)),
            key("max_acceleration", amax, Quantity::Acceleration, Some(an)),
            key("max_von_mises", smax, Quantity::Stress, Some(sn)),
            key(
                "max_von_mises_frequency",
                e.von_mises_frequency[sn],
                Quantity::Frequency,
                None,
            ),
        ];
        let headline = format!(
            "{}: {}–{} Hz at {} points, {}, {}: peak |u| {} ({}), peak von Mises {} at {} Hz ({})",
            self.name,
            sig(self.band.0),
            sig(self.band.1),
            h.frequencies.len(),
            h.method,
            self.damping_text,
            crate::units::value(umax, Quantity::Displacement, ""),
            node_place(mesh, un),
            crate::units::value(smax, Quantity::Stress, ""),
            sig(e.von_mises_frequency[sn]),
            node_place(mesh, sn),
        );
        let mut tables = vec![
            Table::new("frequencies", 1, h.frequencies.to_vec()).with_note("Hz"),
            Table::new("peak_displacement", 1, e.peak_displacement.clone())
                .with_note("largest |u| over the nodes at each frequency (m)"),
            Table::new("peak_von_mises", 1, e.peak_von_mises.clone())
                .with_note("largest von Mises stress over the nodes at each frequency (Pa)"),
        ];
        if let Some(rows) = &h.resonances {
            tables.push(Table::new("resonances", 4, rows.clone()).with_note(
                "per mode: frequency (Hz), equivalent damping ratio, Q = 1/2ζ, modal force φᵀF",
            ));
        }
        let transfer = self.transfer(h);
        for (name, rows) in &transfer {
            tables.push(Table::new(format!("transfer/{name}"), 13, rows.clone()).with_note(
                "per frequency: Hz, then u_x, u_y, u_z (m) and absolute a_x, a_y, a_z (m/s²), each as real and imaginary parts",
            ));
        }
        Results {
            name: self.name.clone(),
            analysis: "harmonic",
            steps: vec![Step {
                name: format!("{}_envelope", self.name),
                value: None,
                rigid_body: false,
                fields,
                scalars: vec![],
            }],
            axis: None,
            covered: None,
            incomplete: None,
            scalars: vec![Scalar::new(
                "frequency_points",
                h.frequencies.len() as f64,
                Quantity::Number,
            )],
            tables,
            key_results,
            headline,
            series: None,
            plots: self.plots(h, &transfer),
            raw: Arc::new(()), // the caller attaches the method's own solution
        }
    }

    fn resonances(&self, h: &HarmonicSolution) -> Vec<f64> {
        h.sweep
            .mode_frequencies
            .iter()
            .zip(&h.sweep.modal_forces)
            .enumerate()
            .flat_map(|(r, (&f, &p))| {
                let z = h.sweep.damping.equivalent_ratio(r);
                [f, z, 1.0 / (2.0 * z), p]
            })
            .collect()
    }

    /// The complex displacement and absolute acceleration at every probe and frequency.
    fn transfer(&self, h: &View) -> Vec<(String, Vec<f64>)> {
        h.probes
            .iter()
            .map(|(name, u)| {
                let rows = (0..h.frequencies.len())
                    .flat_map(|i| {
                        let f = h.frequencies[i];
                        let w2 = (2.0 * std::f64::consts::PI * f).powi(2);
                        let mut row = vec![f];
                        row.extend((0..3).flat_map(|k| [u[k][i].re, u[k][i].im]));
                        row.extend(
                            (0..3).flat_map(|k| [self.base[k] - w2 * u[k][i].re, -w2 * u[k][i].im]),
                        );
                        row
                    })
                    .collect();
                (name.clone(), rows)
            })
            .collect()
    }

    /// The sweep: the largest |u| over the model and |u| at each probe; the largest
    /// von Mises stress; log–log.
    fn plots(&self, h: &View, transfer: &[(String, Vec<f64>)]) -> Vec<(String, String)> {
        let f = h.frequencies;
        let curve = |y: &[f64]| f.iter().copied().zip(y.iter().copied()).collect::<Vec<_>>();
        let mut u = vec![(
            "largest over the model".to_string(),
            curve(&h.envelope.peak_displacement),
        )];
        for (name, rows) in transfer {
            let mags: Vec<f64> = rows
                .chunks(13)
                .map(|r| (r[1..7].iter().map(|v| v * v).sum::<f64>()).sqrt())
                .collect();
            u.push((format!("probe {name}"), curve(&mags)));
        }
        let fx = Axis::new("frequency", "Hz").log();
        let title = |what: &str| format!("{}: {what} ({})", self.name, self.damping_text);
        vec![
            (
                "displacement".into(),
                lines(
                    &title("displacement amplitude"),
                    &fx,
                    &Axis::new("|u|", "m").log(),
                    &u,
                ),
            ),
            (
                "von_mises".into(),
                lines(
                    &title("largest von Mises stress"),
                    &fx,
                    &Axis::new("von Mises", "Pa").log(),
                    &[(
                        "largest over the model".to_string(),
                        curve(&h.envelope.peak_von_mises),
                    )],
                ),
            ),
        ]
    }
}
