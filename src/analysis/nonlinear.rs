//! `analysis = "nonlinear"`: a static load case beyond yield or with large deformation —
//! the load factor follows a load path in increments, Newton with the consistent
//! tangent at each (`vproto_solver::nonlinear`); materials with a `plastic` flow curve
//! yield by J2, `hyperelastic = "neo_hookean"` ones are rubber-like, the others elastic.
//!
//! Options: `large_deformation = true` (total Lagrangian: large displacement and
//! rotation, pressure following the deformed faces); the path — `load_path = [[time,
//! load factor], …]` from (0, 0), or 0 → `max_load_factor` (default 1; beyond 1 for a
//! limit-load estimate) and back to 0 with `unload = true` (the displacement is then the
//! permanent set, the stress the residual stress); increments of pseudo-time
//! `first_increment` (default 0.1), `min_increment` (1e-5), `max_increment` (1, or the
//! path's end if shorter); `max_iterations` (per increment, 25); convergence when `tolerance` (force,
//! 1e-8), `displacement_tolerance` (1e-3) and `energy_tolerance` (1e-6) all pass;
//! `newton = "modified"` keeps an increment's first factor while the iterations at
//! least halve the residual (default "full": a factor every iteration).
//!
//! A run that cannot carry the whole load stops at its last converged increment, writes
//! its results (marked incomplete) and says where and why; only `load_capacity` decides
//! on them, every other criterion is undecided and the verdict fails — never a verdict
//! on a state that is not the one asked for.
//!
//! Results: `displacement`, `von_mises` (Cauchy) and `equivalent_plastic_strain` (at a
//! node, the largest of its elements' integration points: conservative for the
//! criteria), `permanent_set` when the path ends unloaded; every increment's fields as
//! an XDMF series over pseudo-time, the load–displacement curve (largest |u| and each
//! probe) as a table and an SVG plot; with large deformation the Cauchy and second Piola–Kirchhoff
//! stresses at the integration points.

use super::loads::{self, Built};
use super::{Analysis, Context, Input, Kind, Solved};
use crate::probe::Probes;
use crate::results::{
    Field, Incomplete, KeyResult, Produces, Quantity, Results, Scalar, Shape, Step, StepAxis, Table,
};
use crate::schema::{CriterionSpec, LoadSpec};
use crate::units::{node_place, sig};
use anyhow::{anyhow, bail, Result};
use serde::Deserialize;
use std::sync::Arc;
use toml::Spanned;
use vproto_solver::hyperelastic::NeoHookean;
use vproto_solver::nonlinear::{
    Converged, LoadPath, Newton, NonlinearModel, NonlinearOptions, NonlinearSolution, Solid, Stop,
};
use vproto_solver::plasticity::PlasticState;
use vproto_solver::plasticity::J2;
use vproto_solver::{ElementKind, LoadCase};

pub struct Nonlinear;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Options {
    unload: Option<bool>,
    large_deformation: Option<bool>,
    max_load_factor: Option<Spanned<f64>>,
    first_increment: Option<Spanned<f64>>,
    min_increment: Option<Spanned<f64>>,
    max_increment: Option<Spanned<f64>>,
    max_iterations: Option<Spanned<usize>>,
    tolerance: Option<Spanned<f64>>,
    displacement_tolerance: Option<Spanned<f64>>,
    energy_tolerance: Option<Spanned<f64>>,
    load_path: Option<Spanned<Vec<[f64; 2]>>>,
    newton: Option<Spanned<String>>,
}

impl Kind for Nonlinear {
    fn keyword(&self) -> &'static str {
        "nonlinear"
    }

    fn takes_contact(&self) -> bool {
        true
    }

    fn takes_load(&self, load: &LoadSpec) -> bool {
        load.is_mechanical() || matches!(load, LoadSpec::DeckStep { .. })
    }

    fn produces(&self) -> Produces {
        Produces {
            fields: &[
                "displacement",
                "von_mises",
                "equivalent_plastic_strain",
                "permanent_set",
                "contact_pressure",
                "contact_gap",
                "contact_slip",
                "friction_stress",
                "friction_utilisation",
                "contact_status",
                "contact_normal_force",
                "friction_force",
                "friction_limit",
            ],
            axis: None,
            step_scalars: &["load_factor"],
            histories: false,
        }
    }

    fn build(&self, input: &Input) -> Result<Box<dyn Analysis>> {
        let o: Options = input.options()?;
        let case = input.case;
        let positive = |v: &Option<Spanned<f64>>, key: &str, default: f64, max: f64| match v {
            Some(x) if !(x.get_ref().is_finite() && *x.get_ref() > 0.0 && *x.get_ref() <= max) => {
                Err(case.error_at(x, format!("{key} must lie in (0, {max}]")))
            }
            Some(x) => Ok(*x.get_ref()),
            None => Ok(default),
        };
        let path = load_path(input, &o)?;
        let end = path.end();
        let options = NonlinearOptions {
            first_increment: positive(&o.first_increment, "first_increment", 0.1, end)?,
            min_increment: positive(&o.min_increment, "min_increment", 1e-5, end)?,
            max_increment: positive(&o.max_increment, "max_increment", end.min(1.0), end)?,
            tolerance: positive(&o.tolerance, "tolerance", 1e-8, 0.1)?,
            displacement_tolerance: positive(
                &o.displacement_tolerance,
                "displacement_tolerance",
                1e-3,
                0.1,
            )?,
            energy_tolerance: positive(&o.energy_tolerance, "energy_tolerance", 1e-6, 0.1)?,
            newton: match o.newton.as_ref().map(|n| (n, n.get_ref().as_str())) {
                None | Some((_, "full")) => Newton::Full,
                Some((_, "modified")) => Newton::Modified,
                Some((n, other)) => {
                    return Err(case.error_at(
                        n,
                        format!("newton = \"{other}\": give \"full\" or \"modified\""),
                    ))
                }
            },
            max_iterations: match &o.max_iterations {
                Some(m) if !(1..=200).contains(m.get_ref()) => {
                    return Err(case.error_at(m, "max_iterations must lie in 1..=200"))
                }
                Some(m) => *m.get_ref(),
                None => 25,
            },
        };
        let mut lc = LoadCase {
            name: input.spec().name.clone(),
            loads: Vec::new(),
        };
        for b in loads::build(input, None)? {
            match b {
                Built::Static(l) => lc.loads.push(l),
                _ => bail!(
                    "{}: load case '{}': a nonlinear load case takes forces, pressures, tractions and gravity",
                    case.path.display(),
                    lc.name
                ),
            }
        }
        let large_deformation = o.large_deformation == Some(true);
        let unload = path.last() == 0.0;
        let spec = input.spec();
        if let Some(c) = spec
            .criterion
            .iter()
            .find(|c| matches!(c.get_ref(), CriterionSpec::MaxPermanentSet { .. }))
        {
            if !unload {
                return Err(case.error_at(c, "max_permanent_set reads the displacement left after the load is removed: set unload = true in this load case (or end its load_path at load factor 0)"));
            }
        }
        let (materials, density) = materials(input, large_deformation)?;
        refuse_locking(input, &materials, large_deformation)?;
        Ok(Box::new(NonlinearCase {
            materials,
            density,
            large_deformation,
            lc,
            path,
            options,
        }))
    }
}

/// Refuses elements that would lock where they are used — too stiff, so too little
/// deflection and plastic strain: a wrong pass. Tet4 (constant strain) under plastic
/// flow, which keeps the volume; hex8 in large deformation (its B-bar is a
/// small-strain remedy; no F-bar yet) under plastic flow or a neo-Hookean law.
fn refuse_locking(input: &Input, materials: &[Solid], large_deformation: bool) -> Result<()> {
    let mesh = &input.model.mesh;
    let of_element = &input.model.materials.of_element;
    let plastic = |m: &Solid| matches!(m, Solid::Plastic(j) if j.curve[0].1.is_finite());
    for e in 0..mesh.element_count() {
        let m = &materials[of_element[e]];
        let why = match mesh.element(e).0 {
            ElementKind::Tet4 if plastic(m) => "tet4 (constant strain) locks in plastic flow, which keeps the volume",
            ElementKind::Hex8 if large_deformation && (plastic(m) || matches!(m, Solid::NeoHookean(_))) => {
                "hex8 has no F-bar for large deformation: it locks in plastic flow and near-incompressible rubber"
            }
            _ => continue,
        };
        bail!(
            "{}: load case '{}': element {} of material '{}': {why} — too stiff, so too little deflection and plastic strain; mesh it with tet10, hex20 or hex20R",
            input.case.path.display(),
            input.spec().name,
            mesh.element_label(e),
            input.model.material_specs[of_element[e]].0
        );
    }
    Ok(())
}

/// The load path: `load_path` ([[time, load factor], …]) or 0 → `max_load_factor`
/// (default 1), and back to 0 with `unload`.
fn load_path(input: &Input, o: &Options) -> Result<LoadPath> {
    let case = input.case;
    let Some(p) = &o.load_path else {
        let top = match &o.max_load_factor {
            Some(x) if !(x.get_ref().is_finite() && *x.get_ref() > 0.0 && *x.get_ref() <= 1e6) => {
                return Err(case.error_at(x, "max_load_factor must lie in (0, 1e6]"))
            }
            Some(x) => *x.get_ref(),
            None => 1.0,
        };
        let factors: &[f64] = if o.unload == Some(true) {
            &[top, 0.0]
        } else {
            &[top]
        };
        return LoadPath::through(factors).map_err(|e| anyhow!(e));
    };
    if o.max_load_factor.is_some() || o.unload.is_some() {
        return Err(case.error_at(
            p,
            "load_path gives the whole path: leave out max_load_factor and unload",
        ));
    }
    let corners: Vec<(f64, f64)> = p.get_ref().iter().map(|c| (c[0], c[1])).collect();
    LoadPath::new(&corners).map_err(|e| case.error_at(p, format!("load_path: {e}")))
}

/// Every material's law — neo-Hookean when `hyperelastic`, else J2 with its `plastic`
/// flow curve (none: it never yields, refused for a material with a yield strength) —
/// and density, checked and reported by name.
fn materials(input: &Input, large_deformation: bool) -> Result<(Vec<Solid>, Vec<f64>)> {
    let mut out = Vec::new();
    let mut density = Vec::new();
    let here = || {
        format!(
            "{}: load case '{}'",
            input.case.path.display(),
            input.spec().name
        )
    };
    for (name, m) in &input.model.material_specs {
        density.push(if m.density.is_finite() {
            m.density
        } else {
            0.0
        });
        if m.hyperelastic.is_some() {
            if m.plastic.is_some() {
                bail!(
                    "{}: material '{name}' is both hyperelastic and plastic: give one",
                    here()
                );
            }
            if !large_deformation {
                bail!("{}: material '{name}' is hyperelastic: set large_deformation = true in the load case (a hyperelastic part is only meaningful with large deformation)", here());
            }
            let nh = NeoHookean::from_elastic(m.youngs_modulus, m.poisson_ratio)
                .map_err(|e| anyhow!("{}: material '{name}': {e}", here()))?;
            out.push(Solid::NeoHookean(nh));
            continue;
        }
        let curve = match (&m.plastic, m.yield_strength) {
            (Some(points), _) => points.iter().map(|p| (p[0], p[1])).collect(),
            // Elastic past its yield strength would be a silently wrong answer.
            (None, Some(y)) => bail!(
                "{}: material '{name}' has a yield strength ({y} Pa) but no flow curve: it would stay elastic past yield — give it `plastic = [[0.0, {y:e}], …]` (one point: perfectly plastic)",
                here()
            ),
            (None, None) => vec![(0.0, f64::INFINITY)],
        };
        let j2 = J2 {
            youngs_modulus: m.youngs_modulus,
            poisson_ratio: m.poisson_ratio,
            curve,
            kinematic_modulus: m.kinematic_hardening_modulus.unwrap_or(0.0),
        };
        j2.check()
            .map_err(|e| anyhow!("{}: material '{name}': {e}", here()))?;
        if let (Some(y), Some([_, s0])) =
            (m.yield_strength, m.plastic.as_ref().and_then(|p| p.first()))
        {
            if (y - s0).abs() > 1e-6 * y {
                bail!(
                    "{}: material '{name}': yield_strength is {y} Pa but its flow curve starts at {s0} Pa — make them agree (the curve is what yields here; yield_strength is what the stress criteria's margins use)",
                    here()
                );
            }
        }
        out.push(Solid::Plastic(j2));
    }
    Ok((out, density))
}

struct NonlinearCase {
    materials: Vec<Solid>,
    density: Vec<f64>,
    large_deformation: bool,
    lc: LoadCase,
    path: LoadPath,
    options: NonlinearOptions,
}

impl Analysis for NonlinearCase {
    fn name(&self) -> &str {
        &self.lc.name
    }

    fn solve(&self, ctx: &Context, _done: &Solved) -> Result<Results> {
        let model = NonlinearModel {
            mesh: ctx.fe.mesh,
            materials: self.materials.clone(),
            density: self.density.clone(),
            large_deformation: self.large_deformation,
            of_element: ctx.fe.materials.of_element.clone(),
            constraints: ctx.fe.constraints.clone(),
            contacts: ctx.model.contacts.clone(),
            bolts: ctx.model.bolts.clone(),
        };
        let here = || {
            format!(
                "{}: nonlinear load case '{}'",
                ctx.case.path.display(),
                self.lc.name
            )
        };
        if ctx.case.spec.solver.method == crate::schema::MethodSpec::Iterative {
            tracing::warn!(
                "{}: its tangent is factored directly at each iteration; [solver] method = \"iterative\" applies to the linear load cases",
                here()
            );
        }
        let probes = Probes::locate(ctx.case, &ctx.model.mesh)?;
        let mut history = History::new(ctx.fe.mesh, &probes);
        let s = model
            .solve_with(&self.lc, &self.path, &self.options, &mut |c| {
                history.record(c)
            })
            .map_err(|e| anyhow!("{}: {e}", here()))?;
        if let Some(stop) = &s.stopped {
            tracing::warn!(
                "{}: {}; results are those of the last converged increment",
                here(),
                stop_reason(ctx.fe.mesh, stop)
            );
        }
        Ok(self.results(ctx, s, history))
    }
}

/// What every converged increment leaves: the fields for the XDMF series (while they fit
/// in [`SERIES_BYTES`]) and the load–displacement curve.
struct History<'a> {
    mesh: &'a vproto_solver::Mesh,
    offsets: Vec<usize>,
    probes: &'a Probes,
    /// Per increment: pseudo-time, load factor and the fields.
    steps: Vec<(f64, f64, Vec<Field>)>,
    /// Per increment: pseudo-time, load factor, largest |u|, u at each probe (x, y, z).
    curve: Vec<Vec<f64>>,
    /// Per increment: pseudo-time, load factor and each bolt's force (the joint
    /// diagram); empty without bolts.
    bolts: Vec<f64>,
    bolt_names: Vec<String>,
    truncated: bool,
}

/// The most the increments' fields may hold in memory.
const SERIES_BYTES: usize = 1 << 30;

impl<'a> History<'a> {
    fn new(mesh: &'a vproto_solver::Mesh, probes: &'a Probes) -> Self {
        Self {
            mesh,
            offsets: vproto_solver::nonlinear::point_offsets(mesh),
            probes,
            steps: Vec::new(),
            // The unloaded start, so that the curve and a release's loop begin at 0.
            curve: vec![vec![0.0; 3 + 3 * probes.iter().count()]],
            bolts: Vec::new(),
            bolt_names: Vec::new(),
            truncated: false,
        }
    }

    fn record(&mut self, c: &Converged) {
        let mut fields = nodal_fields(self.mesh, &self.offsets, c.displacement, c.states, c.stress);
        fields.extend(super::contact::fields(self.mesh.nodes.len(), c.contact));
        let u = &fields[0];
        let (_, umax) = super::dynamic::largest(self.mesh.nodes.len(), |n| {
            super::dynamic::norm(&u.values, n)
        });
        let mut row = vec![c.time, c.load_factor, umax];
        for p in self.probes.iter() {
            row.extend(p.interpolate(u).iter().take(3));
        }
        self.curve.push(row);
        if !c.bolts.is_empty() {
            self.bolt_names = c.bolts.iter().map(|b| b.name.clone()).collect();
            self.bolts.extend([c.time, c.load_factor]);
            self.bolts.extend(c.bolts.iter().map(|b| b.force));
        }
        let bytes = (self.steps.len() + 1) * 5 * 8 * self.mesh.nodes.len();
        if bytes > SERIES_BYTES {
            if !self.truncated {
                tracing::warn!(
                    "the increments' fields pass 1 GiB: the XDMF series stops at load factor {}",
                    c.load_factor
                );
            }
            self.truncated = true;
        } else {
            self.steps.push((c.time, c.load_factor, fields));
        }
    }
}

/// Why a run stopped, with where its out-of-balance force was largest.
fn stop_reason(mesh: &vproto_solver::Mesh, stop: &Stop) -> String {
    match stop.worst {
        Some((n, f)) => format!(
            "{}; the largest out-of-balance force, {} N, at {}",
            stop.reason,
            sig(f),
            node_place(mesh, n)
        ),
        None => stop.reason.clone(),
    }
}

/// The largest of each node's neighbouring integration points' values.
fn nodal_max(mesh: &vproto_solver::Mesh, offsets: &[usize], per_point: &[f64]) -> Vec<f64> {
    let mut out = vec![0.0f64; mesh.nodes.len()];
    for (e, nodes) in vproto_solver::assembly::elements(mesh) {
        let top = per_point[offsets[e]..offsets[e + 1]]
            .iter()
            .copied()
            .fold(0.0f64, f64::max);
        for &n in nodes {
            out[n] = out[n].max(top);
        }
    }
    out
}

/// Displacement, von Mises (Cauchy) and equivalent plastic strain at the nodes (the
/// largest of their elements' points: conservative for the criteria).
fn nodal_fields(
    mesh: &vproto_solver::Mesh,
    offsets: &[usize],
    u: &[f64],
    states: &[PlasticState],
    stress: &[vproto_solver::material::Voigt],
) -> Vec<Field> {
    let peeq: Vec<f64> = states.iter().map(|p| p.equivalent_plastic_strain).collect();
    let vm: Vec<f64> = stress
        .iter()
        .map(vproto_solver::material::von_mises)
        .collect();
    vec![
        Field::nodal(
            "displacement",
            Shape::Vector,
            Quantity::Displacement,
            u.to_vec(),
        ),
        Field::nodal(
            "von_mises",
            Shape::Scalar,
            Quantity::Stress,
            nodal_max(mesh, offsets, &vm),
        ),
        Field::nodal(
            "equivalent_plastic_strain",
            Shape::Scalar,
            Quantity::Strain,
            nodal_max(mesh, offsets, &peeq),
        ),
    ]
}

/// The series' steps are over the load path's pseudo-time (it rises where the load
/// factor turns back); each carries its load factor.
const AXIS: StepAxis = StepAxis {
    name: "time",
    quantity: Quantity::Number,
    label: "increment",
};

impl NonlinearCase {
    fn results(&self, ctx: &Context, s: NonlinearSolution, history: History) -> Results {
        let mesh = ctx.fe.mesh;
        let offsets = &history.offsets;
        let mut fields = nodal_fields(mesh, offsets, &s.displacement, &s.states, &s.stress);
        fields.extend(super::contact::fields(mesh.nodes.len(), &s.contact));
        let nodes = mesh.nodes.len();
        let (worst, pmax) = super::dynamic::largest(nodes, |n| fields[2].values[n]);
        let (far, umax) =
            super::dynamic::largest(nodes, |n| super::dynamic::norm(&fields[0].values, n));
        let goal = self.path.peak();
        let unloaded = s.stopped.is_none() && self.path.last() == 0.0;
        if unloaded {
            fields.push(Field::nodal(
                "permanent_set",
                Shape::Vector,
                Quantity::Displacement,
                s.displacement.clone(),
            ));
        }
        let headline = format!(
            "{}: {}; max plastic strain {} at {}; max |u| {} m{}{}",
            self.lc.name,
            self.counts(&s, goal, unloaded),
            sig(pmax),
            node_place(mesh, worst),
            sig(umax),
            if unloaded { " (permanent set)" } else { "" },
            super::contact::headline(mesh, &s.contact),
        ) + &super::bolts::headline(&s.bolts);
        let key = |name: &str, value: f64, quantity: Quantity, at: Option<usize>| KeyResult {
            name: name.into(),
            value,
            quantity,
            location: at.map(|n| node_place(mesh, n)),
        };
        let tables = self.tables(&s, &history);
        Results {
            name: self.lc.name.clone(),
            analysis: "nonlinear",
            steps: vec![Step {
                name: format!("{}_final", self.lc.name),
                value: None,
                rigid_body: false,
                fields,
                scalars: vec![Scalar::new("load_factor", s.load_factor, Quantity::Number)],
            }],
            axis: None,
            covered: None,
            incomplete: s.stopped.as_ref().map(|stop| Incomplete {
                reached: s.load_factor,
                goal,
                why: stop_reason(mesh, stop),
            }),
            scalars: self.scalars(&s, goal),
            tables,
            key_results: vec![
                key("max_plastic_strain", pmax, Quantity::Strain, Some(worst)),
                key("max_displacement", umax, Quantity::Displacement, Some(far)),
                key("load_factor", s.load_factor, Quantity::Number, None),
                key("carried_load_factor", carried(&s), Quantity::Number, None),
            ],
            headline,
            plots: vec![("load_displacement".into(), self.curve_plot(&history))],
            series: Some((AXIS, self.series(history.steps))),
            raw: Arc::new(s),
        }
    }

    /// "n increments, n iterations, n cut-backs", and where it stopped.
    fn counts(&self, s: &NonlinearSolution, goal: f64, unloaded: bool) -> String {
        format!(
            "{}{} increments, {} iterations, {} cut-backs{}",
            match &s.stopped {
                Some(_) => format!(
                    "STOPPED at load factor {} of {}: ",
                    sig(s.load_factor),
                    sig(goal)
                ),
                None => String::new(),
            },
            s.increments.len(),
            iterations(s),
            s.cutbacks,
            if unloaded {
                ", loaded and released"
            } else {
                ""
            },
        )
    }

    fn scalars(&self, s: &NonlinearSolution, goal: f64) -> Vec<Scalar> {
        let last = s.increments.last();
        let residual = last.and_then(|i| i.residuals.last()).copied();
        let t = &s.timing;
        let number = |name: &str, v: f64| Scalar::new(name, v, Quantity::Number);
        let seconds = |name: &str, v: f64| Scalar::new(name, v, Quantity::Time);
        vec![
            number("increments", s.increments.len() as f64),
            number("iterations", iterations(s) as f64),
            number("cutbacks", s.cutbacks as f64),
            number("relative_residual", residual.unwrap_or(0.0)),
            number(
                "displacement_correction",
                last.map_or(0.0, |i| i.correction),
            ),
            number("energy_ratio", last.map_or(0.0, |i| i.energy)),
            number("max_load_factor", goal),
            number("carried_load_factor", carried(s)),
            number("time", s.time),
            number(
                "large_deformation",
                f64::from(u8::from(self.large_deformation)),
            ),
            seconds("evaluation_seconds", t.evaluation),
            seconds("assembly_seconds", t.assembly),
            seconds("factorization_seconds", t.factorization),
            number("factorizations", t.factorizations as f64),
            seconds("solution_seconds", t.solution),
            number(
                "augmentations",
                s.increments.iter().map(|i| i.augmentations).sum::<usize>() as f64,
            ),
        ]
        .into_iter()
        .chain(super::contact::scalars(&s.contact, s.stabilisation))
        .chain(super::bolts::scalars(&s.bolts))
        .collect()
    }

    /// The load–displacement curve; with large deformation the Cauchy and second
    /// Piola–Kirchhoff stresses at the integration points.
    fn tables(&self, s: &NonlinearSolution, history: &History) -> Vec<Table> {
        let mut tables = vec![self.curve_table(history)];
        if !history.bolt_names.is_empty() {
            tables.push(super::bolts::table(
                &history.bolt_names,
                history.bolts.clone(),
            ));
        }
        if self.large_deformation {
            tables.push(
                Table::new("integration_points/cauchy_stress", 6, flat(&s.stress))
                    .with_note("Cauchy (true) stress per integration point, elements in order: xx, yy, zz, xy, yz, zx (Pa)"),
            );
            tables.push(
                Table::new("integration_points/pk2_stress", 6, flat(&s.pk2))
                    .with_note("second Piola–Kirchhoff stress per integration point (Pa)"),
            );
        }
        tables
    }

    /// The fields of every converged increment: the XDMF series over the load factor.
    fn series(&self, steps: Vec<(f64, f64, Vec<Field>)>) -> Vec<Step> {
        steps
            .into_iter()
            .enumerate()
            .map(|(k, (time, factor, fields))| Step {
                name: format!("{}_increment{}", self.lc.name, k + 1),
                value: Some(time),
                rigid_body: false,
                fields,
                scalars: vec![Scalar::new("load_factor", factor, Quantity::Number)],
            })
            .collect()
    }

    fn curve_table(&self, h: &History) -> Table {
        let columns = 3 + 3 * h.probes.iter().count();
        let names: Vec<String> = h
            .probes
            .iter()
            .flat_map(|p| ["x", "y", "z"].map(|c| format!("u_{c} at {}", p.name)))
            .collect();
        Table::new(
            "load_displacement",
            columns,
            h.curve.iter().flatten().copied().collect(),
        )
        .with_note(format!(
            "per converged increment: pseudo-time, load factor, largest |u| (m){}",
            names
                .iter()
                .map(|n| format!(", {n} (m)"))
                .collect::<String>()
        ))
    }

    /// Load factor against the largest |u| and, at each probe, the displacement
    /// component that moves most (signed: a reversed load draws its loop).
    fn curve_plot(&self, h: &History) -> String {
        let mut lines = vec![(
            "largest |u| over the model".to_string(),
            h.curve.iter().map(|r| (r[2], r[1])).collect::<Vec<_>>(),
        )];
        for (k, p) in h.probes.iter().enumerate() {
            let c = (0..3)
                .max_by(|&a, &b| {
                    let reach = |c: usize| {
                        h.curve
                            .iter()
                            .fold(0.0f64, |m, r| m.max(r[3 + 3 * k + c].abs()))
                    };
                    reach(a).total_cmp(&reach(b))
                })
                .unwrap_or(0);
            lines.push((
                format!("u_{} at probe {}", ["x", "y", "z"][c], p.name),
                h.curve.iter().map(|r| (r[3 + 3 * k + c], r[1])).collect(),
            ));
        }
        crate::plot::lines(
            &format!("{}: load–displacement", self.lc.name),
            &crate::plot::Axis::new("displacement", "m"),
            &crate::plot::Axis::new("load factor", ""),
            &lines,
        )
    }
}

fn iterations(s: &NonlinearSolution) -> usize {
    s.increments.iter().map(|i| i.residuals.len()).sum()
}

/// The largest |load factor| of the converged increments: what the part carried.
fn carried(s: &NonlinearSolution) -> f64 {
    s.increments
        .iter()
        .fold(0.0, |m, i| m.max(i.load_factor.abs()))
}

fn flat(v: &[vproto_solver::material::Voigt]) -> Vec<f64> {
    v.iter().flat_map(|s| s.iter().copied()).collect()
}
