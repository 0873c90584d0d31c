//! `analysis = "buckling"`: linear buckling factors of a static load case's stress
//! state. Each mode is a step valued by its load factor.
//!
//! Options: `preload = "<static load case>"` (required), `modes` (default 4).

use super::{Analysis, Context, Input, Kind, Solved};
use crate::results::{
    Field, KeyResult, Produces, Quantity, Results, Scalar, Shape, Step, StepAxis, Table,
};
use anyhow::{bail, Context as _, Result};
use serde::Deserialize;
use std::sync::Arc;
use toml::Spanned;
use vproto_solver::buckling::BucklingOptions;
use vproto_solver::StaticResults;

pub struct Buckling;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Options {
    preload: Option<Spanned<String>>,
    modes: Option<usize>,
}

/// Buckling modes as steps: valued by the load factor, labelled `buckling_mode_<k>`.
pub const AXIS: StepAxis = StepAxis {
    name: "load_factor",
    quantity: Quantity::Factor,
    label: "buckling_mode",
};

impl Kind for Buckling {
    fn keyword(&self) -> &'static str {
        "buckling"
    }

    fn produces(&self) -> Produces {
        Produces {
            fields: &["displacement"],
            axis: Some(AXIS),
            step_scalars: &[],
            histories: false,
        }
    }

    fn build(&self, input: &Input) -> Result<Box<dyn Analysis>> {
        let (case, name) = (input.case, &input.spec().name);
        let o: Options = input.options()?;
        let Some(pre) = o.preload else {
            bail!(
                "{}: buckling load case '{name}' needs `preload = \"<static load case>\"`",
                case.path.display()
            );
        };
        if input.kind_of(pre.get_ref()) != Some("static") {
            return Err(case.error_at(
                &pre,
                format!(
                    "preload '{}' is not a static load case of this file",
                    pre.get_ref()
                ),
            ));
        }
        super::check_mode_count(input, o.modes)?;
        Ok(Box::new(BucklingCase {
            name: name.clone(),
            preload: pre.into_inner(),
            options: BucklingOptions {
                modes: o.modes.unwrap_or(4),
                method: input.case.spec.solver.method.into(),
            },
        }))
    }
}

struct BucklingCase {
    name: String,
    preload: String,
    options: BucklingOptions,
}

impl Analysis for BucklingCase {
    fn name(&self) -> &str {
        &self.name
    }

    fn depends_on(&self) -> Vec<String> {
        vec![self.preload.clone()]
    }

    fn solve(&self, ctx: &Context, done: &Solved) -> Result<Results> {
        let pre = done.raw::<StaticResults>(&self.preload)?;
        let b = ctx.fe.buckling(pre, self.options).with_context(|| {
            format!(
                "{}: buckling load case '{}'",
                ctx.case.path.display(),
                self.name
            )
        })?;
        tracing::info!(load_case = %self.name, steps = b.lanczos_steps, "buckling factors found");
        let name = &self.name;
        let factors: Vec<f64> = b.modes.iter().map(|m| m.factor).collect();
        let steps = b
            .modes
            .iter()
            .enumerate()
            .map(|(i, m)| Step {
                name: format!("{name}_buckling{}_{:.4}x", i + 1, m.factor),
                value: Some(m.factor),
                rigid_body: false,
                fields: vec![Field::nodal(
                    "displacement",
                    Shape::Vector,
                    Quantity::Displacement,
                    m.shape.clone(),
                )],
                scalars: vec![Scalar::new("residual", m.residual, Quantity::Number)],
            })
            .collect();
        let shown: Vec<String> = factors.iter().map(|f| crate::units::sig(*f)).collect();
        Ok(Results {
            name: name.clone(),
            analysis: "buckling",
            steps,
            axis: Some(AXIS),
            covered: Some((0.0, factors.iter().copied().fold(f64::NAN, f64::max))),
            incomplete: None,
            scalars: vec![Scalar::new(
                "lanczos_steps",
                b.lanczos_steps as f64,
                Quantity::Number,
            )],
            tables: vec![Table::new("factors", 1, factors.clone())
                .with_note("multiples of the preload at which the structure buckles")],
            key_results: factors
                .iter()
                .enumerate()
                .map(|(k, f)| KeyResult {
                    name: format!("buckling_factor/{}", k + 1),
                    value: *f,
                    quantity: Quantity::Factor,
                    location: None,
                })
                .collect(),
            headline: format!("{name}: buckling factors {}", shown.join(", ")),
            series: None,
            plots: Vec::new(),
            raw: Arc::new(b),
        })
    }
}
