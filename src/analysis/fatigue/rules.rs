//! The rules of a fatigue count — equivalent stress, mean-stress correction, stress- or
//! strain-life — and each node's fatigue material, read from the options and the
//! materials library, every bad or missing value an error at its line.

use super::Options;
use crate::analysis::Input;
use anyhow::{anyhow, bail, Result};
use toml::Spanned;
use vproto_solver::fatigue::rainflow::Residue;
use vproto_solver::fatigue::sn::{Marin, MeanStress, SnCurve, Strengths, Surface};
use vproto_solver::fatigue::strain_life::{LocalStrain, Notch, StrainLife, StrainMean};
use vproto_solver::fatigue::{Equivalent, FatigueOptions, Material};

/// How a history source's cycles are counted: the options shared by channels and
/// mechanism duty cycles. Options of a random response's spectral count are errors.
pub(super) fn counting(
    input: &Input,
    o: &Options,
    histories: Vec<Vec<f64>>,
    stress_factor: f64,
) -> Result<FatigueOptions> {
    let case = input.case;
    if let Some((key, span)) = [
        ("method", o.method.as_ref().map(|m| m.span())),
        ("exposure", o.exposure.as_ref().map(|e| e.span())),
    ]
    .into_iter()
    .find_map(|(k, s)| Some((k, s?)))
    {
        bail!(
            "{}: `{key}` belongs to a fatigue case of a random response (`random = \"…\"`)",
            case.at(span)
        );
    }
    let strain_life = local_strain(input, o)?;
    Ok(FatigueOptions {
        histories,
        equivalent: equivalent(input, o.equivalent.as_ref(), o.plane_step.as_ref())?,
        mean_stress: match strain_life {
            Some(_) => MeanStress::None,
            None => mean_stress(input, o.mean_stress.as_ref(), o.walker_gamma.as_ref())?,
        },
        strain_life,
        residue: match o.residue.as_ref().map(|r| (r, r.get_ref().as_str())) {
            None | Some((_, "repeated")) => Residue::Repeated,
            Some((r, "once")) if strain_life.is_some() => {
                return Err(case.error_at(r, "a strain-life count follows the hysteresis loops of a repeated history from its largest peak on: residue = \"repeated\""))
            }
            Some((_, "once")) => Residue::HalfCycles,
            Some((r, other)) => {
                return Err(case.error_at(
                    r,
                    format!("unknown residue '{other}': \"repeated\" or \"once\""),
                ))
            }
        },
        stress_factor,
    })
}

fn equivalent(
    input: &Input,
    e: Option<&Spanned<String>>,
    step: Option<&Spanned<u32>>,
) -> Result<Equivalent> {
    let case = input.case;
    let kind = match e.map(|e| (e, e.get_ref().as_str())) {
        None | Some((_, "signed_von_mises")) => Equivalent::SignedVonMises,
        Some((_, "max_principal")) => Equivalent::MaxPrincipal,
        Some((_, "critical_plane")) => Equivalent::CriticalPlane {
            step: match step {
                Some(s) if (1..=45).contains(s.get_ref()) => *s.get_ref(),
                Some(s) => bail!(case.error_at(s, "plane_step must lie in 1..=45 (degrees)")),
                None => 10,
            },
        },
        Some((e, other)) => bail!(case.error_at(
            e,
            format!("unknown equivalent '{other}': \"signed_von_mises\", \"max_principal\" or \"critical_plane\"")
        )),
    };
    if let (Some(s), false) = (step, matches!(kind, Equivalent::CriticalPlane { .. })) {
        bail!(case.error_at(s, "plane_step belongs to equivalent = \"critical_plane\""));
    }
    Ok(kind)
}

/// `life = "strain"`: the notch rule (`notch`, "neuber" by default, or "glinka") and
/// the strain-life mean-stress rule (`mean_stress`: "swt" by default, "morrow" or
/// "none"). None for stress-life, whose options these are not.
fn local_strain(input: &Input, o: &Options) -> Result<Option<LocalStrain>> {
    let case = input.case;
    match o.life.as_ref().map(|l| (l, l.get_ref().as_str())) {
        None | Some((_, "stress")) => {
            if let Some(n) = &o.notch {
                bail!(case.error_at(n, "notch belongs to life = \"strain\""));
            }
            return Ok(None);
        }
        Some((_, "strain")) => {}
        Some((l, other)) => bail!(case.error_at(
            l,
            format!(
                "unknown life '{other}': \"stress\" (S–N) or \"strain\" (local strain, notch rule)"
            )
        )),
    }
    let notch = match o.notch.as_ref().map(|n| (n, n.get_ref().as_str())) {
        None | Some((_, "neuber")) => Notch::Neuber,
        Some((_, "glinka")) => Notch::Glinka,
        Some((n, other)) => bail!(case.error_at(
            n,
            format!("unknown notch '{other}': \"neuber\" or \"glinka\"")
        )),
    };
    let mean = match o.mean_stress.as_ref().map(|m| (m, m.get_ref().as_str())) {
        None | Some((_, "swt")) => StrainMean::SmithWatsonTopper,
        Some((_, "morrow")) => StrainMean::Morrow,
        Some((_, "none")) => StrainMean::None,
        Some((m, other)) => bail!(case.error_at(
            m,
            format!("mean_stress '{other}' is a stress-life rule; with life = \"strain\": \"swt\" (default), \"morrow\" or \"none\"")
        )),
    };
    if let Some(g) = &o.walker_gamma {
        bail!(case.error_at(
            g,
            "walker_gamma belongs to stress-life's mean_stress = \"walker\""
        ));
    }
    let marin = [
        ("surface", o.surface.as_ref().map(|s| s.span())),
        ("diameter", o.diameter.as_ref().map(|s| s.span())),
        ("reliability", o.reliability.as_ref().map(|s| s.span())),
    ];
    if let Some((key, Some(span))) = marin.into_iter().find(|(_, s)| s.is_some()) {
        bail!("{}: `{key}` (a Marin factor) scales an S–N curve; strain-life constants come from the part's own material — give a factor on stress as stress_factor", case.at(span));
    }
    Ok(Some(LocalStrain { notch, mean }))
}

fn mean_stress(
    input: &Input,
    m: Option<&Spanned<String>>,
    gamma: Option<&Spanned<f64>>,
) -> Result<MeanStress> {
    let case = input.case;
    let rule = match m.map(|m| (m, m.get_ref().as_str())) {
        None | Some((_, "goodman")) => MeanStress::Goodman,
        Some((_, "none")) => MeanStress::None,
        Some((_, "gerber")) => MeanStress::Gerber,
        Some((_, "soderberg")) => MeanStress::Soderberg,
        Some((_, "swt")) => MeanStress::SmithWatsonTopper,
        Some((m, "walker")) => match gamma {
            Some(g) if (0.0..=1.0).contains(g.get_ref()) => MeanStress::Walker { gamma: *g.get_ref() },
            Some(g) => bail!(case.error_at(g, "walker_gamma must lie in [0, 1]")),
            None => bail!(case.error_at(m, "the Walker correction needs `walker_gamma` (0.5 is SWT)")),
        },
        Some((m, other)) => bail!(case.error_at(m, format!("unknown mean_stress '{other}': \"none\", \"goodman\", \"gerber\", \"soderberg\", \"swt\" or \"walker\""))),
    };
    if let (Some(g), false) = (gamma, matches!(rule, MeanStress::Walker { .. })) {
        bail!(case.error_at(g, "walker_gamma belongs to mean_stress = \"walker\""));
    }
    Ok(rule)
}

/// Marin's factors of the options: `surface`, `diameter` (m), `reliability`.
pub(super) fn marin(input: &Input, o: &Options) -> Result<Marin> {
    let case = input.case;
    let surface = match o.surface.as_ref().map(|s| (s, s.get_ref().as_str())) {
        None => None,
        Some((_, "ground")) => Some(Surface::Ground),
        Some((_, "machined")) => Some(Surface::Machined),
        Some((_, "hot_rolled")) => Some(Surface::HotRolled),
        Some((_, "as_forged")) => Some(Surface::AsForged),
        Some((s, other)) => bail!(case.error_at(s, format!("unknown surface '{other}': \"ground\", \"machined\", \"hot_rolled\" or \"as_forged\""))),
    };
    let marin = Marin {
        surface,
        diameter: o.diameter.as_ref().map(|d| *d.get_ref()),
        reliability: o.reliability.as_ref().map(|r| *r.get_ref()),
    };
    // Checked here, at their lines, for the parts that need no material.
    let without_surface = Marin {
        surface: None,
        ..marin
    };
    if let Err(e) = without_surface.factor(None) {
        let at = if e.contains("diameter") {
            o.diameter.as_ref().map(|d| d.span())
        } else {
            o.reliability.as_ref().map(|r| r.span())
        };
        match at {
            Some(span) => bail!("{}: {e}", case.at(span)),
            None => bail!("{}: {e}", case.path.display()),
        }
    }
    Ok(marin)
}

/// The fatigue material of every node: the weakest (lowest σ'_f) of its elements'.
/// A strength the mean-stress rule divides by must be given (a missing one would
/// silently drop the correction).
pub(super) fn materials(
    input: &Input,
    rule: MeanStress,
    marin: &Marin,
    strain: bool,
) -> Result<Vec<Material>> {
    let model = input.model;
    let mut per_material = Vec::new();
    for (name, m) in &model.material_specs {
        let (Some(coefficient), Some(exponent)) =
            (m.fatigue_strength_coefficient, m.fatigue_strength_exponent)
        else {
            bail!(
                "{}: fatigue load case '{}': material '{name}' has no fatigue data; add `fatigue_strength_coefficient` (σ'_f, Pa) and `fatigue_strength_exponent` (b) — optionally `endurance_limit` (Pa) — to [materials.{name}], with their source",
                input.case.path.display(),
                input.spec().name
            );
        };
        // Marin's factors scale the specimen's curve to the part's.
        let k = marin.factor(m.ultimate_strength).map_err(|e| {
            anyhow!(
                "{}: fatigue load case '{}': material '{name}': {e}",
                input.case.path.display(),
                input.spec().name
            )
        })?;
        let curve = SnCurve {
            coefficient: coefficient * k,
            exponent,
            endurance_limit: m.endurance_limit.map(|e| e * k),
        };
        curve
            .check()
            .map_err(|e| anyhow!("{}: material '{name}': {e}", input.case.path.display()))?;
        let needed = match rule {
            MeanStress::Goodman | MeanStress::Gerber => {
                Some(("ultimate_strength", m.ultimate_strength))
            }
            MeanStress::Soderberg => Some(("yield_strength", m.yield_strength)),
            _ => None,
        };
        if let Some((key, None)) = needed {
            bail!(
                "{}: fatigue load case '{}': the {rule:?} mean-stress correction needs `{key}` of material '{name}' (add it to [materials.{name}], or choose mean_stress = \"swt\" or \"none\")",
                input.case.path.display(),
                input.spec().name
            );
        }
        let strengths = Strengths {
            ultimate: m.ultimate_strength.unwrap_or(f64::INFINITY),
            yield_strength: m.yield_strength.unwrap_or(f64::INFINITY),
        };
        let strain_life = match strain {
            true => Some(strain_life(input, name, m)?),
            false => None,
        };
        per_material.push(Material {
            curve,
            strengths,
            strain_life,
        });
    }
    let mut of_node: Vec<Option<usize>> = vec![None; model.mesh.nodes.len()];
    for (e, nodes) in vproto_solver::assembly::elements(&model.mesh) {
        let m = model.materials.of_element[e];
        for &n in nodes {
            let weaker = of_node[n].is_none_or(|k| {
                per_material[m].curve.coefficient < per_material[k].curve.coefficient
            });
            if weaker {
                of_node[n] = Some(m);
            }
        }
    }
    Ok(of_node
        .into_iter()
        .map(|m| per_material[m.unwrap_or(0)])
        .collect())
}

/// A material's strain-life constants; missing ones are an error saying what to add.
fn strain_life(input: &Input, name: &str, m: &crate::schema::MaterialSpec) -> Result<StrainLife> {
    let here = || {
        format!(
            "{}: fatigue load case '{}': material '{name}'",
            input.case.path.display(),
            input.spec().name
        )
    };
    let keys = [
        (
            "youngs_modulus",
            Some(m.youngs_modulus).filter(|e| !e.is_nan()),
        ),
        (
            "fatigue_ductility_coefficient",
            m.fatigue_ductility_coefficient,
        ),
        ("fatigue_ductility_exponent", m.fatigue_ductility_exponent),
        ("cyclic_strength_coefficient", m.cyclic_strength_coefficient),
        ("cyclic_hardening_exponent", m.cyclic_hardening_exponent),
    ];
    let missing: Vec<&str> = keys
        .iter()
        .filter(|(_, v)| v.is_none())
        .map(|(k, _)| *k)
        .collect();
    if !missing.is_empty() {
        bail!("{}: life = \"strain\" needs {} in [materials.{name}] (with their source; for an estimate from the ultimate strength, see the Uniform Material Law in the README)", here(), missing.join(", "));
    }
    let value = |i: usize| keys[i].1.unwrap_or(f64::NAN);
    let s = StrainLife {
        modulus: value(0),
        strength_coefficient: m.fatigue_strength_coefficient.unwrap_or(f64::NAN),
        strength_exponent: m.fatigue_strength_exponent.unwrap_or(f64::NAN),
        ductility_coefficient: value(1),
        ductility_exponent: value(2),
        cyclic_coefficient: value(3),
        cyclic_exponent: value(4),
    };
    s.check().map_err(|e| anyhow!("{}: {e}", here()))?;
    Ok(s)
}
