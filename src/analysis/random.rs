//! `analysis = "random"`: the stationary response to a random load or base acceleration
//! of a given power spectral density — a shaker's random profile (IEC 60068-2-64,
//! MIL-STD-810 Method 514) run virtually (`vproto_solver::random`).
//!
//! Options: `psd = [[Hz, value], …]` (log–log between the points, as profiles are
//! stated: constant dB/octave) or `psd_file = "profile.csv"` (two columns, Hz and value;
//! a header line and `#` comments allowed); the values are (multiples of the load case's
//! loads)² per Hz — with a `base_acceleration` of 1 g, g²/Hz. `modes` (default: enough
//! to reach 1.5 × the PSD's top frequency), `points` (log-spaced points, default 1000,
//! besides the breakpoints and 201 points at every mode), `damping` (else `[damping]`).
//!
//! Results: RMS (1σ) fields `rms_displacement` (relative to the base),
//! `rms_acceleration` (absolute), `rms_von_mises` (from the components' cross-spectra,
//! never the von Mises of RMS components), the components `rms_stress_xx` … `_xz`, and
//! the von Mises stress's zero-crossing and peak rates (Hz); tables of the input and the
//! response PSDs at every probe; a plot of those against the input. Criteria:
//! `max_rms_stress`, `max_rms_acceleration`, `max_rms_displacement` with a σ level.

use super::{damping, dynamic, Analysis, Context, Input, Kind, Solved};
use crate::plot::{lines, Axis};
use crate::probe::Probes;
use crate::results::{Field, Produces, Quantity, Results, Scalar, Shape, Step, Table};
use crate::schema::{DampingSpec, LoadSpec};
use crate::units::{node_place, sig};
use anyhow::{bail, Context as _, Result};
use nalgebra::Vector3;
use serde::Deserialize;
use std::path::PathBuf;
use std::sync::Arc;
use toml::Spanned;
use vproto_solver::harmonic::Damping;
use vproto_solver::modal::ModalSolution;
use vproto_solver::random::{Psd, RandomOptions, RandomSolution};
use vproto_solver::LoadCase;

pub struct Random;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Options {
    psd: Option<Spanned<Vec<[f64; 2]>>>,
    psd_file: Option<Spanned<PathBuf>>,
    points: Option<Spanned<usize>>,
    modes: Option<usize>,
    damping: Option<Spanned<DampingSpec>>,
}

/// Most rows a PSD may have.
const MAX_PSD_POINTS: usize = 100_000;

pub const FIELDS: [&str; 11] = [
    "rms_displacement",
    "rms_acceleration",
    "rms_von_mises",
    "rms_stress_xx",
    "rms_stress_yy",
    "rms_stress_zz",
    "rms_stress_xy",
    "rms_stress_yz",
    "rms_stress_xz",
    "von_mises_zero_crossing",
    "von_mises_peak_rate",
];

impl Kind for Random {
    fn keyword(&self) -> &'static str {
        "random"
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
        let psd = match (&o.psd, &o.psd_file) {
            (Some(table), None) => {
                let rows = table.get_ref().iter().map(|r| (r[0], r[1])).collect();
                Psd::new(rows).map_err(|e| case.error_at(table, format!("psd: {e}")))?
            }
            (None, Some(file)) => read_psd(&case.resolve(file.get_ref()))
                .map_err(|e| case.error_at(file, format!("psd_file: {e:#}")))?,
            _ => bail!(
                "{}: random load case '{}' needs exactly one of `psd = [[Hz, value], …]` or `psd_file = \"…csv\"`",
                case.path.display(),
                spec.name
            ),
        };
        let points = match &o.points {
            Some(p) if !(2..=MAX_PSD_POINTS).contains(p.get_ref()) => {
                bail!(case.error_at(p, format!("`points` must lie in 2..={MAX_PSD_POINTS}")))
            }
            Some(p) => *p.get_ref(),
            None => 1000,
        };
        let (damping, damping_text) = damping::of(input, o.damping.as_ref())?;
        let (lc, base) = dynamic::excitation(input)?;
        Ok(Box::new(RandomCase {
            name: spec.name.clone(),
            lc,
            base,
            psd,
            points,
            modes: o.modes,
            method: case.spec.solver.method.into(),
            damping,
            damping_text,
        }))
    }
}

/// A PSD from a CSV file of (Hz, value) rows.
fn read_psd(path: &std::path::Path) -> Result<Psd> {
    let rows = dynamic::read_pairs(path, "Hz, value", MAX_PSD_POINTS)?;
    Psd::new(rows).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

struct RandomCase {
    name: String,
    lc: LoadCase,
    base: Vector3<f64>,
    psd: Psd,
    points: usize,
    modes: Option<usize>,
    method: vproto_solver::statics::Method,
    damping: Damping,
    damping_text: String,
}

impl Analysis for RandomCase {
    fn name(&self) -> &str {
        &self.name
    }

    fn solve(&self, ctx: &Context, _done: &Solved) -> Result<Results> {
        let here = || {
            format!(
                "{}: random load case '{}'",
                ctx.case.path.display(),
                self.name
            )
        };
        let modes =
            dynamic::modes(ctx, self.psd.band().1, self.modes, self.method).with_context(here)?;
        let stat = dynamic::static_response(ctx, &self.lc, &here)?;
        let damping = ctx
            .fe
            .modal_damping(&modes, &self.damping)
            .with_context(here)?;
        let options = RandomOptions {
            psd: self.psd.clone(),
            damping,
            base_acceleration: self.base.into(),
            points: self.points,
        };
        let r = ctx
            .fe
            .random(&modes, &self.lc, &stat, &options)
            .with_context(here)?;
        let probes = Probes::locate(ctx.case, &ctx.model.mesh)?;
        let mut results = self.results(ctx, &modes, r, &probes);
        // The equilibrium of the static correction's solve, as every load case reports.
        results.scalars.push(Scalar::new(
            "relative_residual",
            stat.relative_residual,
            Quantity::Number,
        ));
        Ok(results)
    }
}

impl RandomCase {
    fn fields(&self, r: &RandomSolution) -> Vec<Field> {
        let m = &r.rms;
        let mut fields = vec![
            Field::nodal(
                "rms_displacement",
                Shape::Vector,
                Quantity::Displacement,
                m.displacement.clone(),
            ),
            Field::nodal(
                "rms_acceleration",
                Shape::Vector,
                Quantity::Acceleration,
                m.acceleration.clone(),
            ),
            Field::nodal(
                "rms_von_mises",
                Shape::Scalar,
                Quantity::Stress,
                m.von_mises.clone(),
            ),
        ];
        for (c, name) in FIELDS[3..9].iter().enumerate() {
            let v = m.stress.iter().skip(c).step_by(6).copied().collect();
            fields.push(Field::nodal(name, Shape::Scalar, Quantity::Stress, v));
        }
        fields.push(Field::nodal(
            "von_mises_zero_crossing",
            Shape::Scalar,
            Quantity::Frequency,
            m.von_mises_zero_crossing.clone(),
        ));
        fields.push(Field::nodal(
            "von_mises_peak_rate",
            Shape::Scalar,
            Quantity::Frequency,
            m.von_mises_peak_rate.clone(),
        ));
        fields
    }

    fn results(
        &self,
        ctx: &Context,
        modes: &ModalSolution,
        r: RandomSolution,
        probes: &Probes,
    ) -> Results {
        let mesh = &ctx.model.mesh;
        let m = &r.rms;
        let (un, umax) = dynamic::largest(mesh.nodes.len(), |n| dynamic::norm(&m.displacement, n));
        let (an, amax) = dynamic::largest(mesh.nodes.len(), |n| dynamic::norm(&m.acceleration, n));
        let (sn, smax) = dynamic::largest(mesh.nodes.len(), |n| m.von_mises[n]);
        let key = |name: &str, value: f64, quantity: Quantity, n: Option<usize>| {
            dynamic::key(mesh, name, value, quantity, n)
        };
        let input_rms = self.psd.mean_square().sqrt();
        let key_results = vec![
            key(
                "max_rms_displacement",
                umax,
                Quantity::Displacement,
                Some(un),
            ),
            key(
                "max_rms_acceleration",
                amax,
                Quantity::Acceleration,
                Some(an),
            ),
            key("max_rms_von_mises", smax, Quantity::Stress, Some(sn)),
            key(
                "von_mises_zero_crossing_at_max",
                m.von_mises_zero_crossing[sn],
                Quantity::Frequency,
                None,
            ),
            key("input_rms", input_rms, Quantity::Number, None),
        ];
        let (lo, hi) = self.psd.band();
        let highest = r.sweep.mode_frequencies.last().copied().unwrap_or(0.0);
        let headline = format!(
            "{}: PSD {}–{} Hz (input RMS {} × the loads), {} modes (to {} Hz), {}: RMS (1σ) |u| {} ({}), |a| {} ({}), von Mises {} ({})",
            self.name,
            sig(lo),
            sig(hi),
            sig(input_rms),
            r.sweep.modes.len(),
            sig(highest),
            self.damping_text,
            crate::units::value(umax, Quantity::Displacement, ""),
            node_place(mesh, un),
            crate::units::value(amax, Quantity::Acceleration, ""),
            node_place(mesh, an),
            crate::units::value(smax, Quantity::Stress, ""),
            node_place(mesh, sn),
        );
        let mut tables = vec![
            Table::new("frequencies", 1, r.sweep.frequencies.clone()).with_note("Hz"),
            Table::new("input_psd", 1, r.input.clone()).with_note("(multiples of the loads)²/Hz"),
        ];
        let responses = self.response_psd(modes, &r, probes);
        for (name, rows) in &responses {
            tables.push(Table::new(format!("response_psd/{name}"), 6, rows.clone()).with_note(
                "per frequency: PSD of u_x, u_y, u_z (m²/Hz, relative) and of absolute a_x, a_y, a_z ((m/s²)²/Hz)",
            ));
        }
        Results {
            name: self.name.clone(),
            analysis: "random",
            steps: vec![Step {
                name: format!("{}_rms", self.name),
                value: None,
                rigid_body: false,
                fields: self.fields(&r),
                scalars: vec![],
            }],
            axis: None,
            covered: None,
            incomplete: None,
            scalars: vec![
                Scalar::new("modes_used", r.sweep.modes.len() as f64, Quantity::Number),
                Scalar::new("highest_mode", highest, Quantity::Frequency),
                Scalar::new("input_rms", input_rms, Quantity::Number),
            ],
            tables,
            key_results,
            headline,
            series: None,
            plots: self.plots(&r, &responses),
            raw: Arc::new(r),
        }
    }

    /// The response PSDs at every probe.
    fn response_psd(
        &self,
        modes: &ModalSolution,
        r: &RandomSolution,
        probes: &Probes,
    ) -> Vec<(String, Vec<f64>)> {
        dynamic::at_probes(modes, &r.sweep, probes)
            .into_iter()
            .map(|(name, u)| {
                let rows = (0..r.sweep.frequencies.len())
                    .flat_map(|i| {
                        let w2 = (2.0 * std::f64::consts::PI * r.sweep.frequencies[i]).powi(2);
                        let s = r.input[i];
                        let mut row: Vec<f64> = (0..3).map(|k| u[k][i].norm_sqr() * s).collect();
                        row.extend((0..3).map(|k| {
                            ((self.base[k] - w2 * u[k][i].re).powi(2) + (w2 * u[k][i].im).powi(2))
                                * s
                        }));
                        row
                    })
                    .collect();
                (name, rows)
            })
            .collect()
    }

    /// The input PSD (in (m/s²)²/Hz for a base acceleration) and the absolute
    /// acceleration PSD at every probe, log–log.
    fn plots(&self, r: &RandomSolution, responses: &[(String, Vec<f64>)]) -> Vec<(String, String)> {
        let f = &r.sweep.frequencies;
        let base2 = self.base.norm_squared();
        let (unit, scale) = if base2 > 0.0 {
            ("(m/s²)²/Hz", base2)
        } else {
            ("1/Hz", 1.0)
        };
        let mut series = vec![(
            "input".to_string(),
            f.iter()
                .zip(&r.input)
                .map(|(&x, &s)| (x, s * scale))
                .collect::<Vec<_>>(),
        )];
        for (name, rows) in responses {
            let a: Vec<(f64, f64)> = f
                .iter()
                .zip(rows.chunks(6))
                .map(|(&x, row)| (x, row[3] + row[4] + row[5]))
                .collect();
            series.push((format!("probe {name}: |a|"), a));
        }
        let title = format!("{}: acceleration PSD ({})", self.name, self.damping_text);
        vec![(
            "acceleration_psd".into(),
            lines(
                &title,
                &Axis::new("frequency", "Hz").log(),
                &Axis::new("PSD", unit).log(),
                &series,
            ),
        )]
    }
}
