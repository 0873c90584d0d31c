//! Fatigue over a mechanism's duty cycle. The fatigue load case lists mechanism loads
//! (`joint_load`, `spring_load`, `motion_inertia`) as a static load case does, without
//! an instant: each becomes its components' unit loads and their histories over every
//! sample of the motion ([`MotionLoad::components`]), the unit loads solved with the
//! run's one factor. The loads at three samples (that of the largest components, and a
//! third and two thirds through the motion) are also solved whole, and the
//! superposition's stress there must match them (`superposition_error`).

use super::rules::counting;
use super::{Input, Options, Source};
use crate::analysis::motion_loads::MotionLoad;
use anyhow::{anyhow, bail, Result};
use vproto_solver::{LoadCase, StaticResults};

pub(super) fn duty_cycle(input: &Input, o: &Options, stress_factor: f64) -> Result<Source> {
    let (case, spec) = (input.case, input.spec());
    let Some(motion) = input.motion else {
        bail!(
            "{}: fatigue load case '{}' lists loads from a mechanism: the case needs a [mechanism]",
            case.path.display(),
            spec.name
        );
    };
    if let Some(c) = o.channel.first() {
        return Err(case.error_at(
            c,
            "a fatigue load case counts either channels or the mechanism loads it lists, not both",
        ));
    }
    let loads: Vec<MotionLoad> = spec
        .load
        .iter()
        .map(|l| MotionLoad::new(case, &input.model.mesh, l, motion))
        .collect::<Result<_>>()?;
    let (mut units, mut histories) = (Vec::new(), Vec::new());
    for l in &loads {
        for (load, history) in l.components()? {
            units.push(LoadCase {
                name: format!("{}/{}", spec.name, units.len()),
                loads: vec![load],
            });
            histories.push(history);
        }
    }
    let samples = &motion.solution.samples;
    if samples.len() < 2 {
        bail!(
            "{}: fatigue load case '{}': the motion has {} sample(s); a duty cycle needs at least 2",
            case.path.display(),
            spec.name,
            samples.len()
        );
    }
    // The sample of the largest components, where the check counts most, and two more.
    let size = |k: usize| {
        histories
            .iter()
            .map(|h: &Vec<f64>| h[k] * h[k])
            .sum::<f64>()
    };
    let largest = (0..samples.len())
        .max_by(|&a, &b| size(a).total_cmp(&size(b)))
        .unwrap_or(0);
    let checks = [largest, samples.len() / 3, 2 * samples.len() / 3]
        .into_iter()
        .map(|k| {
            let loads = loads.iter().map(|l| l.at(k)).collect::<Result<_>>()?;
            let name = format!("{}/whole at sample {k}", spec.name);
            Ok((LoadCase { name, loads }, k))
        })
        .collect::<Result<_>>()?;
    let duration = samples[samples.len() - 1].time - samples[0].time;
    Ok(Source::Mechanism {
        duration,
        units,
        checks,
        options: counting(input, o, histories, stress_factor)?,
    })
}

/// The largest difference, relative to the largest stress component, between the loads
/// at sample `k` solved whole and the sum of the unit solves times their histories.
pub(super) fn superposition_error(
    units: &[&StaticResults],
    histories: &[Vec<f64>],
    k: usize,
    whole: &StaticResults,
) -> Result<f64> {
    let direct = &whole.fields.nodal_stress;
    let scale = direct.iter().map(|s| s.amax()).fold(0.0, f64::max);
    let mut worst = 0.0f64;
    for (n, d) in direct.iter().enumerate() {
        let sum = units.iter().zip(histories).fold(*d * 0.0, |acc, (u, h)| {
            acc + u.fields.nodal_stress[n] * h[k]
        });
        worst = worst.max((sum - d).amax());
    }
    if scale <= 0.0 {
        return Err(anyhow!("the mechanism's loads stress the part nowhere"));
    }
    Ok(worst / scale)
}
