//! `analysis = "harmonic"`: the steady-state response to loads of one amplitude at a
//! frequency swept over a band, or to the supports shaken together with an
//! acceleration amplitude (`base_acceleration`, as a shaker drives a fixture: an
//! IEC 60068-2-6 sine sweep run virtually), by superposing the model's modes with a
//! static correction for the ones above the band (`vproto_solver::harmonic`).
//!
//! Options: `frequency = [min, max]` Hz (required); `points` (default 200) spaced by
//! `spacing` (`"log"`, default, or `"linear"`), plus 21 points clustered at every mode in
//! the band so no peak falls between two; `modes` (default: enough to reach 1.5 × the
//! top frequency); `damping = { … }` (else the case's `[damping]`, one of them required).
//!
//! Results: one step, the envelope over the band — `displacement` (each component's
//! largest amplitude, relative to the base; their magnitude bounds |u| from above),
//! `acceleration` (absolute, likewise), `von_mises` (the largest over band and cycle)
//! and `von_mises_frequency` —
//! so the stress, displacement and probe criteria read it as they read a static load
//! case. Tables: the sweep (`frequencies`, `peak_displacement`, `peak_von_mises`), the
//! modes used (`resonances`) and the complex response at every probe
//! (`transfer/<probe>`); plots of the sweep.

use super::loads::{self, Built};
use super::{damping, Analysis, Context, Input, Kind, Solved};
use crate::plot::{lines, Axis};
use crate::probe::Probes;
use crate::results::{Field, KeyResult, Produces, Quantity, Results, Scalar, Shape, Step, Table};
use crate::schema::{DampingSpec, LoadSpec};
use crate::units::{node_place, sig};
use anyhow::{anyhow, bail, Context as _, Result};
use nalgebra::Complex;
use nalgebra::Vector3;
use serde::Deserialize;
use std::sync::Arc;
use toml::Spanned;
use vproto_solver::harmonic::{
    frequency_points, Damping, HarmonicOptions, HarmonicSolution, Spacing, Superposition,
};
use vproto_solver::modal::{ModalOptions, ModalSolution};
use vproto_solver::{Load, LoadCase};

pub struct Harmonic;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Options {
    frequency: Spanned<[f64; 2]>,
    points: Option<Spanned<usize>>,
    #[serde(default)]
    spacing: SpacingSpec,
    modes: Option<usize>,
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
        matches!(
            load,
            LoadSpec::Force { .. }
                | LoadSpec::NodalForce { .. }
                | LoadSpec::Pressure { .. }
                | LoadSpec::Traction { .. }
                | LoadSpec::Gravity { .. }
                | LoadSpec::BaseAcceleration { .. }
                | LoadSpec::DeckStep { .. }
        )
    }

    fn produces(&self) -> Produces {
        Produces {
            fields: &FIELDS,
            axis: None,
            step_scalars: &[],
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
        let (lc, base) = excitation(input)?;
        Ok(Box::new(HarmonicCase {
            lc,
            base,
            band: (lo, hi),
            points,
            spacing,
            modes: o.modes,
            method: case.spec.solver.method.into(),
            damping,
            damping_text,
            name: spec.name.clone(),
        }))
    }
}

/// The load case's amplitudes as a load case of the solver, with a base acceleration
/// as the body load −a_b of the relative motion; and the base acceleration (m/s²).
fn excitation(input: &Input) -> Result<(LoadCase, Vector3<f64>)> {
    let (case, spec) = (input.case, input.spec());
    let mut lc = LoadCase {
        name: spec.name.clone(),
        loads: Vec::new(),
    };
    let mut base: Option<Vector3<f64>> = None;
    for b in loads::build(input, None)? {
        match b {
            Built::Static(l @ (Load::Thermal { .. } | Load::Inertia { .. })) => bail!(
                "{}: load case '{}': {} loads are static; a harmonic load case takes forces, pressures, body accelerations and a base acceleration",
                case.path.display(),
                spec.name,
                if matches!(l, Load::Thermal { .. }) { "thermal" } else { "mechanism" }
            ),
            Built::Static(l) => lc.loads.push(l),
            Built::Base { .. } if base.is_some() => bail!(
                "{}: load case '{}' has two base accelerations: the supports move as one base (give the acceleration as one vector)",
                case.path.display(),
                spec.name
            ),
            Built::Base {
                nodes,
                acceleration,
            } => {
                check_base(input, &nodes, acceleration)?;
                base = Some(acceleration);
            }
            Built::Heat(_) | Built::ThermalFrom { .. } => bail!(
                "{}: load case '{}' is harmonic, but holds heat loads",
                case.path.display(),
                spec.name
            ),
        }
    }
    let base = base.unwrap_or_else(Vector3::zeros);
    if base != Vector3::zeros() {
        lc.loads.push(Load::BodyAcceleration {
            elements: (0..input.model.mesh.element_count()).collect(),
            acceleration: -base,
        });
    }
    if lc.loads.is_empty() {
        bail!(
            "{}: harmonic load case '{}' has no loads: give forces or pressures (amplitudes) or a base_acceleration",
            case.path.display(),
            spec.name
        );
    }
    Ok((lc, base))
}

/// A base excitation moves every support with the base: the named set must be held in
/// each direction the base accelerates, and no support outside it may be held in one
/// (it would be dragged along), nor any prescribed to a non-zero displacement.
fn check_base(input: &Input, set: &[usize], a: Vector3<f64>) -> Result<()> {
    let (case, model) = (input.case, input.model);
    let at = input
        .spec()
        .load
        .iter()
        .find(|l| matches!(l.get_ref(), LoadSpec::BaseAcceleration { .. }))
        .expect("a base acceleration was built from the spec");
    let mut held = vec![[false; 3]; model.mesh.nodes.len()];
    for (c, name) in model.constraints.iter().zip(&model.constrained_sets) {
        for (k, v) in c.components.iter().enumerate() {
            match v {
                Some(v) if *v != 0.0 => bail!(case.error_at(at, format!(
                    "constraint on '{name}' prescribes u{} = {v} m: a base excitation needs the supports held (they move with the base)",
                    ["x", "y", "z"][k]
                ))),
                Some(_) => c.nodes.iter().for_each(|&n| held[n][k] = true),
                None => {}
            }
        }
    }
    let mut in_set = vec![false; held.len()];
    set.iter().for_each(|&n| in_set[n] = true);
    for n in 0..held.len() {
        for k in (0..3).filter(|&k| a[k] != 0.0) {
            let axis = ["x", "y", "z"][k];
            if in_set[n] && !held[n][k] {
                bail!(case.error_at(at, format!(
                    "{} of the base set is not constrained in {axis}: a base acceleration drives constrained supports (add a constraint on the set)",
                    node_place(&model.mesh, n)
                )));
            }
            if !in_set[n] && held[n][k] {
                bail!(case.error_at(at, format!(
                    "{} is constrained in {axis} but not in the base set: in a base excitation every support moves with the base (add it to the set, or release it)",
                    node_place(&model.mesh, n)
                )));
            }
        }
    }
    Ok(())
}

struct HarmonicCase {
    name: String,
    lc: LoadCase,
    base: Vector3<f64>,
    band: (f64, f64),
    points: usize,
    spacing: Spacing,
    modes: Option<usize>,
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
        let modes = self.modes(ctx).with_context(here)?;
        let factor = super::statics::factor(ctx)?;
        let (mut stat, _) = factor
            .solve(std::slice::from_ref(&self.lc))
            .with_context(here)?;
        let stat = stat.pop().ok_or_else(|| anyhow!("no static response"))?;
        let resonances: Vec<(f64, f64)> = modes
            .modes
            .iter()
            .map(|m| (m.frequency, self.damping.equivalent_ratio(m.frequency)))
            .collect();
        let options = HarmonicOptions {
            frequencies: frequency_points(
                self.band,
                self.points,
                self.spacing,
                &resonances,
                CLUSTER,
            ),
            damping: self.damping.clone(),
            base_acceleration: self.base.into(),
        };
        let h = ctx
            .fe
            .harmonic(&modes, &self.lc, &stat, &options)
            .with_context(here)?;
        let probes = Probes::locate(ctx.case, &ctx.model.mesh)?;
        Ok(self.results(ctx, &modes, h, &probes))
    }
}

impl HarmonicCase {
    /// The modes to superpose: as many as asked, or (by default) doubling from 12 until
    /// they reach 1.5 × the top of the band. Either way they must reach the top.
    fn modes(&self, ctx: &Context) -> Result<ModalSolution> {
        let top = self.band.1;
        let mut n = self.modes.unwrap_or(12);
        loop {
            let m = ctx.fe.modes(ModalOptions {
                modes: n,
                shift_hz: None,
                method: self.method,
            })?;
            let highest = m.modes.last().map_or(0.0, |x| x.frequency);
            let all = m.modes.len() < n;
            let done = self.modes.is_some() || all || highest >= 1.5 * top;
            if !done && n < super::MAX_MODES {
                n = (2 * n).min(super::MAX_MODES);
                continue;
            }
            if highest < top && !all {
                bail!(
                    "the band reaches {} Hz, but the highest of the {} modes is {} Hz: the response above it would miss resonances — {}",
                    sig(top),
                    m.modes.len(),
                    sig(highest),
                    if self.modes.is_some() {
                        "ask for more `modes` (or leave `modes` out to choose them automatically)"
                    } else {
                        "narrow the band (the mode count is at its limit)"
                    }
                );
            }
            return Ok(m);
        }
    }

    fn results(
        &self,
        ctx: &Context,
        modes: &ModalSolution,
        h: HarmonicSolution,
        probes: &Probes,
    ) -> Results {
        let mesh = &ctx.model.mesh;
        let e = &h.envelope;
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
        let norm = |v: &[f64], n: usize| Vector3::new(v[3 * n], v[3 * n + 1], v[3 * n + 2]).norm();
        let largest = |f: &dyn Fn(usize) -> f64| {
            (0..mesh.nodes.len())
                .map(|n| (n, f(n)))
                .max_by(|a, b| a.1.total_cmp(&b.1))
                .unwrap_or((0, f64::NAN))
        };
        let (un, umax) = largest(&|n| norm(&e.displacement, n));
        let (an, amax) = largest(&|n| norm(&e.acceleration, n));
        let (sn, smax) = largest(&|n| e.von_mises[n]);
        let key = |name: &str, value: f64, quantity: Quantity, n: Option<usize>| KeyResult {
            name: name.into(),
            value,
            quantity,
            location: n.map(|n| node_place(mesh, n)),
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
        let highest = h.sweep.mode_frequencies.last().copied().unwrap_or(0.0);
        let headline = format!(
            "{}: {}–{} Hz at {} points, {} modes (to {} Hz), {}: peak |u| {} ({}), peak von Mises {} at {} Hz ({})",
            self.name,
            sig(self.band.0),
            sig(self.band.1),
            h.sweep.frequencies.len(),
            h.sweep.modes.len(),
            sig(highest),
            self.damping_text,
            crate::units::value(umax, Quantity::Displacement, ""),
            node_place(mesh, un),
            crate::units::value(smax, Quantity::Stress, ""),
            sig(e.von_mises_frequency[sn]),
            node_place(mesh, sn),
        );
        let mut tables = vec![
            Table::new("frequencies", 1, h.sweep.frequencies.clone()).with_note("Hz"),
            Table::new("peak_displacement", 1, e.peak_displacement.clone())
                .with_note("largest |u| over the nodes at each frequency (m)"),
            Table::new("peak_von_mises", 1, e.peak_von_mises.clone())
                .with_note("largest von Mises stress over the nodes at each frequency (Pa)"),
            Table::new("resonances", 4, self.resonances(&h)).with_note(
                "per mode: frequency (Hz), equivalent damping ratio, Q = 1/2ζ, modal force φᵀF",
            ),
        ];
        let transfer = self.transfer(modes, &h, probes);
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
            scalars: vec![
                Scalar::new("modes_used", h.sweep.modes.len() as f64, Quantity::Number),
                Scalar::new("highest_mode", highest, Quantity::Frequency),
                Scalar::new(
                    "frequency_points",
                    h.sweep.frequencies.len() as f64,
                    Quantity::Number,
                ),
            ],
            tables,
            key_results,
            headline,
            plots: self.plots(&h, &transfer),
            raw: Arc::new(h),
        }
    }

    fn resonances(&self, h: &HarmonicSolution) -> Vec<f64> {
        h.sweep
            .mode_frequencies
            .iter()
            .zip(&h.sweep.modal_forces)
            .flat_map(|(&f, &p)| {
                let z = self.damping.equivalent_ratio(f);
                [f, z, 1.0 / (2.0 * z), p]
            })
            .collect()
    }

    /// The complex displacement and absolute acceleration at every probe and frequency.
    fn transfer(
        &self,
        modes: &ModalSolution,
        h: &HarmonicSolution,
        probes: &Probes,
    ) -> Vec<(String, Vec<f64>)> {
        at_probes(modes, &h.sweep, probes)
            .into_iter()
            .map(|(name, u)| {
                let rows = (0..h.sweep.frequencies.len())
                    .flat_map(|i| {
                        let f = h.sweep.frequencies[i];
                        let w2 = (2.0 * std::f64::consts::PI * f).powi(2);
                        let mut row = vec![f];
                        row.extend((0..3).flat_map(|k| [u[k][i].re, u[k][i].im]));
                        row.extend(
                            (0..3).flat_map(|k| [self.base[k] - w2 * u[k][i].re, -w2 * u[k][i].im]),
                        );
                        row
                    })
                    .collect();
                (name, rows)
            })
            .collect()
    }

    /// The sweep: the largest |u| over the model and |u| at each probe; the largest
    /// von Mises stress; log–log.
    fn plots(
        &self,
        h: &HarmonicSolution,
        transfer: &[(String, Vec<f64>)],
    ) -> Vec<(String, String)> {
        let f = &h.sweep.frequencies;
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

/// The complex displacement (x, y, z) at every probe and frequency of a superposition.
pub(super) fn at_probes(
    modes: &ModalSolution,
    sweep: &Superposition,
    probes: &Probes,
) -> Vec<(String, [Vec<Complex<f64>>; 3])> {
    let vector = |v: &[f64]| Field::nodal("u", Shape::Vector, Quantity::Displacement, v.to_vec());
    let columns: Vec<Field> = sweep
        .modes
        .iter()
        .map(|&r| vector(&modes.modes[r].shape))
        .chain([vector(&sweep.residual_displacement)])
        .collect();
    probes
        .iter()
        .map(|p| {
            let at: Vec<Vec<f64>> = columns.iter().map(|c| p.interpolate(c)).collect();
            let u = std::array::from_fn(|k| {
                sweep.response(&at.iter().map(|v| v[k]).collect::<Vec<_>>())
            });
            (p.name.clone(), u)
        })
        .collect()
}
