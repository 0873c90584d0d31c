//! `[sweep]`: the design points `vproto sweep` runs.

use super::Value;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Plan {
    /// Every combination of the listed values.
    #[default]
    Factorial,
    /// `samples` stratified random points over the ranges, reproducible by `seed`.
    LatinHypercube,
    /// The rows of a CSV file whose header names the parameters.
    Table,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
pub enum ValuesSpec {
    /// Explicit values (numbers or names).
    List(Vec<Value>),
    /// A range; `steps` values evenly spaced for a factorial plan.
    Range(RangeSpec),
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RangeSpec {
    pub from: f64,
    pub to: f64,
    pub steps: Option<usize>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SweepSpec {
    #[serde(default)]
    pub plan: Plan,
    pub samples: Option<usize>,
    pub seed: Option<u64>,
    /// CSV of points for `plan = "table"`, relative to the case file.
    pub table: Option<PathBuf>,
    /// Values per parameter for factorial and Latin hypercube plans.
    #[serde(default)]
    pub values: BTreeMap<String, ValuesSpec>,
    /// The unit of each parameter (`thickness = "m"`), for the table and plots; a
    /// parameter without one is shown "as given".
    #[serde(default)]
    pub units: BTreeMap<String, String>,
}
