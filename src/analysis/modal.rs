//! `analysis = "modal"`: natural frequencies and mass-normalised mode shapes. Each mode
//! is a step valued by its frequency (Hz), so ParaView's time display shows it.
//!
//! Options: `modes` (default 10, rigid-body modes included), `shift_hz` (find the modes
//! above this frequency), `preload = "<static load case>"` (modes about that load
//! case's stresses: tension stiffens, compression softens — a bolted or spun part).

use super::{Analysis, Context, Input, Kind, Solved};
use crate::results::{Field, Shape};
use crate::results::{KeyResult, Produces, Quantity, Results, Scalar, Step, StepAxis, Table};
use anyhow::{Context as _, Result};
use serde::Deserialize;
use std::sync::Arc;
use toml::Spanned;
use vproto_solver::modal::{ModalOptions, ModalSolution, Mode};
use vproto_solver::StaticResults;

pub struct Modal;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Options {
    modes: Option<usize>,
    shift_hz: Option<f64>,
    preload: Option<Spanned<String>>,
}

/// Modes as steps: valued by frequency, labelled `mode_<k>`.
pub const AXIS: StepAxis = StepAxis {
    name: "frequency",
    quantity: Quantity::Frequency,
    label: "mode",
};

impl Kind for Modal {
    fn keyword(&self) -> &'static str {
        "modal"
    }

    fn produces(&self) -> Produces {
        Produces {
            fields: &["displacement"],
            axis: Some(AXIS),
            step_scalars: &["effective_mass_x", "effective_mass_y", "effective_mass_z"],
            histories: false,
        }
    }

    fn build(&self, input: &Input) -> Result<Box<dyn Analysis>> {
        let o: Options = input.options()?;
        super::check_mode_count(input, o.modes)?;
        if let Some(pre) = &o.preload {
            if input.kind_of(pre.get_ref()) != Some("static") {
                return Err(input.case.error_at(
                    pre,
                    format!(
                        "preload '{}' is not a static load case of this file",
                        pre.get_ref()
                    ),
                ));
            }
        }
        Ok(Box::new(ModalCase {
            name: input.spec().name.clone(),
            preload: o.preload.map(Spanned::into_inner),
            options: ModalOptions {
                modes: o.modes.unwrap_or(10),
                shift_hz: o.shift_hz,
                method: input.case.spec.solver.method.into(),
            },
        }))
    }
}

struct ModalCase {
    name: String,
    preload: Option<String>,
    options: ModalOptions,
}

impl Analysis for ModalCase {
    fn name(&self) -> &str {
        &self.name
    }

    fn depends_on(&self) -> Vec<String> {
        self.preload.iter().cloned().collect()
    }

    fn solve(&self, ctx: &Context, done: &Solved) -> Result<Results> {
        let m = match &self.preload {
            Some(pre) => ctx
                .fe
                .modes_prestressed(done.raw::<StaticResults>(pre)?, self.options)
                .map(Arc::new)
                .map_err(anyhow::Error::from),
            // Shared with the dynamic load cases that superpose the same modes.
            None => ctx.modes(self.options),
        };
        let m = m.with_context(|| {
            format!(
                "{}: modal load case '{}'",
                ctx.case.path.display(),
                self.name
            )
        })?;
        tracing::info!(load_case = %self.name, steps = m.lanczos_steps, eigen_s = m.eigen_seconds, "modes found");
        let mut r = results(&self.name, m, self.options.shift_hz.unwrap_or(0.0).max(0.0));
        if let Some(pre) = &self.preload {
            r.headline += &format!(" (preloaded by '{pre}')");
        }
        Ok(r)
    }
}

fn mode_step(name: &str, k: usize, x: &Mode) -> Step {
    let [ex, ey, ez] = x.effective_mass;
    Step {
        name: format!("{name}_mode{k}_{:.4}Hz", x.frequency),
        value: Some(x.frequency),
        rigid_body: x.rigid_body,
        fields: vec![Field::nodal(
            "displacement",
            Shape::Vector,
            Quantity::Displacement,
            x.shape.clone(),
        )],
        scalars: vec![
            Scalar::new("effective_mass_x", ex, Quantity::Mass),
            Scalar::new("effective_mass_y", ey, Quantity::Mass),
            Scalar::new("effective_mass_z", ez, Quantity::Mass),
            Scalar::new("residual", x.residual, Quantity::Number),
        ],
    }
}

/// Modal results; the modes found are every mode from `lowest_hz` (the shift) up to the
/// highest computed one.
fn results(name: &str, m: Arc<ModalSolution>, lowest_hz: f64) -> Results {
    let highest = m.modes.iter().map(|x| x.frequency).fold(f64::NAN, f64::max);
    let column = |f: &dyn Fn(&Mode) -> f64| m.modes.iter().map(f).collect::<Vec<f64>>();
    let per_dir = |f: &dyn Fn(&Mode) -> [f64; 3]| m.modes.iter().flat_map(f).collect::<Vec<f64>>();
    let tables = vec![
        Table::new("frequencies", 1, column(&|x| x.frequency)).with_note("Hz"),
        Table::new("eigenvalues", 1, column(&|x| x.eigenvalue)),
        Table::new("residuals", 1, column(&|x| x.residual)),
        Table::new(
            "rigid_body",
            1,
            column(&|x| f64::from(u8::from(x.rigid_body))),
        ),
        Table::new("participation_factors", 3, per_dir(&|x| x.participation))
            .with_note("kg^0.5 (x, y, z)"),
        Table::new("effective_mass", 3, per_dir(&|x| x.effective_mass)).with_note("kg (x, y, z)"),
        Table::new("participating_mass", 1, m.participating_mass.to_vec()),
    ];
    let key_results = m
        .modes
        .iter()
        .enumerate()
        .filter(|(_, x)| !x.rigid_body)
        .map(|(k, x)| KeyResult {
            name: format!("frequency/{}", k + 1),
            value: x.frequency,
            quantity: Quantity::Frequency,
            location: None,
        })
        .collect();
    let rigid = m.modes.iter().filter(|x| x.rigid_body).count();
    let elastic: Vec<String> = m
        .modes
        .iter()
        .filter(|x| !x.rigid_body)
        .map(|x| crate::units::sig(x.frequency))
        .collect();
    let rigid = if rigid > 0 {
        format!("{rigid} rigid-body, then ")
    } else {
        String::new()
    };
    let [px, py, pz] = m.participating_mass;
    Results {
        name: name.to_string(),
        analysis: "modal",
        steps: m
            .modes
            .iter()
            .enumerate()
            .map(|(i, x)| mode_step(name, i + 1, x))
            .collect(),
        axis: Some(AXIS),
        covered: Some((lowest_hz, highest)),
        incomplete: None,
        scalars: vec![
            Scalar::new("participating_mass_x", px, Quantity::Mass),
            Scalar::new("participating_mass_y", py, Quantity::Mass),
            Scalar::new("participating_mass_z", pz, Quantity::Mass),
            Scalar::new("lanczos_steps", m.lanczos_steps as f64, Quantity::Number),
        ],
        tables,
        key_results,
        headline: format!("{name}: modes {rigid}{} Hz", elastic.join(", ")),
        series: None,
        plots: Vec::new(),
        raw: m,
    }
}
