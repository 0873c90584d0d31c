//! `analysis = "heat"`: steady heat conduction (fixed temperatures, heat flux,
//! convection, heat sources). Its `temperature` field can load a static load case
//! (`type = "thermal"`, `from = "<this load case>"`). No options.

use super::loads::{self, Built};
use super::{Analysis, Context, Input, Kind, Solved};
use crate::results::{Field, KeyResult, Produces, Quantity, Results, Scalar, Shape, Step, Table};
use crate::schema::LoadSpec;
use crate::units;
use crate::units::node_place;
use anyhow::{anyhow, Context as _, Result};
use serde::Deserialize;
use std::sync::Arc;
use vproto_solver::thermal::{HeatCase, ThermalModel};

pub struct Heat;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Options {}

impl Kind for Heat {
    fn keyword(&self) -> &'static str {
        "heat"
    }

    fn takes_load(&self, load: &LoadSpec) -> bool {
        matches!(
            load,
            LoadSpec::Temperature { .. }
                | LoadSpec::HeatFlux { .. }
                | LoadSpec::Convection { .. }
                | LoadSpec::HeatSource { .. }
                | LoadSpec::DeckStep { .. }
        )
    }

    fn produces(&self) -> Produces {
        Produces {
            fields: &["temperature", "heat_flux"],
            axis: None,
            step_scalars: &[],
            histories: false,
        }
    }

    fn needs_elastic(&self) -> bool {
        false
    }

    fn build(&self, input: &Input) -> Result<Box<dyn Analysis>> {
        let _: Options = input.options()?;
        let name = &input.spec().name;
        let mut hc = HeatCase {
            name: name.clone(),
            loads: Vec::new(),
        };
        for b in loads::build(input, None)? {
            match b {
                Built::Heat(h) => hc.loads.push(h),
                _ => {
                    return Err(anyhow!(
                        "{}: load case '{name}' is heat, but its deck step holds structural loads: use it in a static load case",
                        input.case.path.display()
                    ))
                }
            }
        }
        Ok(Box::new(HeatLoadCase(hc)))
    }
}

struct HeatLoadCase(HeatCase);

impl Analysis for HeatLoadCase {
    fn name(&self) -> &str {
        &self.0.name
    }

    fn solve(&self, ctx: &Context, _: &Solved) -> Result<Results> {
        let name = &self.0.name;
        let thermal = ThermalModel {
            mesh: &ctx.model.mesh,
            conductivity: ctx.model.conductivity()?,
        };
        let h = thermal
            .solve_with(&self.0, ctx.case.spec.solver.method.into())
            .with_context(|| format!("{}: heat load case '{name}'", ctx.case.path.display()))?;
        let mesh = &ctx.model.mesh;
        let unit = ctx.case.temperature_unit();
        let extreme = |better: fn(f64, f64) -> bool| {
            let mut best = (0, h.temperature.first().copied().unwrap_or(f64::NAN));
            for (n, &t) in h.temperature.iter().enumerate() {
                if better(t, best.1) {
                    best = (n, t);
                }
            }
            best
        };
        let (lo_n, lo) = extreme(|a, b| a < b);
        let (hi_n, hi) = extreme(|a, b| a > b);
        let heat_in: f64 = h.reaction.iter().sum();
        let key = |name: &str, value: f64, n: Option<usize>| KeyResult {
            name: name.into(),
            value,
            quantity: Quantity::Temperature,
            location: n.map(|n| node_place(mesh, n)),
        };
        Ok(Results {
            name: name.clone(),
            analysis: "heat",
            steps: vec![Step {
                name: name.clone(),
                value: None,
                rigid_body: false,
                fields: vec![
                    Field::nodal(
                        "temperature",
                        Shape::Scalar,
                        Quantity::Temperature,
                        h.temperature.clone(),
                    ),
                    Field::nodal(
                        "heat_flux",
                        Shape::Vector,
                        Quantity::HeatFlux,
                        h.heat_flux.clone(),
                    ),
                ],
                scalars: vec![],
            }],
            axis: None,
            covered: None,
            incomplete: None,
            scalars: vec![
                Scalar::new("relative_residual", h.relative_residual, Quantity::Number),
                Scalar::new("heat_in_at_fixed_temperatures", heat_in, Quantity::Power),
                Scalar::new("equations", h.equations as f64, Quantity::Number),
                Scalar::new("iterations", h.iterations as f64, Quantity::Number),
            ],
            tables: vec![Table::new("reaction_heat", 1, h.reaction.clone())
                .with_note("W, into the body at fixed-temperature nodes")],
            key_results: vec![
                key("min_temperature", lo, Some(lo_n)),
                key("max_temperature", hi, Some(hi_n)),
            ],
            headline: format!(
                "{name}: temperature {} to {} ({}, {})",
                units::value(lo, Quantity::Temperature, unit),
                units::value(hi, Quantity::Temperature, unit),
                node_place(mesh, lo_n),
                node_place(mesh, hi_n)
            ),
            series: None,
            plots: Vec::new(),
            raw: Arc::new(h),
        })
    }
}
