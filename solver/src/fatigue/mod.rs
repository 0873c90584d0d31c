//! Fatigue life per node from load histories (stress-life, quasi-static superposition).
//!
//! Why this way: a part's stress under slowly varying loads is the sum of each load's
//! unit stress scaled by its value at the instant, σ(t) = Σ_k c_k(t) σ_k — the standard
//! method of durability tools, exact for a linear model and cheap: the unit load cases
//! are solved once, and each node's history costs a few multiplications a sample. The
//! tensor history becomes a scalar one (signed von Mises, or the largest principal
//! stress by magnitude, for proportional loading), which is rainflow counted
//! ([`rainflow`]), corrected for mean stress and summed by Palmgren–Miner ([`sn`]).
//!
//! Screening: von Mises is a norm, so |σ_eq(t)| ≤ Σ_k max_t |c_k| · ‖σ_k‖ (the von Mises
//! of each unit stress, or its Frobenius norm for the principal stress). A node whose
//! bound, taken through the mean-stress correction as the worst cycle within it could
//! be, stays below the endurance limit can take no damage, and is skipped; every other
//! node is counted exactly.

pub mod critical_plane;
pub mod rainflow;
pub mod sn;
pub mod spectral;
pub mod strain_life;

use crate::error::{Result, SolverError};
use crate::material::{von_mises, Voigt};
use rainflow::Residue;
use rayon::prelude::*;
use sn::{MeanStress, SnCurve, Strengths};
use strain_life::{LocalStrain, StrainLife};

/// The scalar a node's stress tensor history is counted as.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Equivalent {
    /// Von Mises with the sign of the hydrostatic stress (tr σ).
    #[default]
    SignedVonMises,
    /// The principal stress of largest magnitude, with its sign.
    MaxPrincipal,
    /// The normal stress on each material plane, its normal every `step` degrees over
    /// a hemisphere ([`critical_plane`]): the worst plane's damage. For loads out of
    /// phase, whose principal directions turn.
    CriticalPlane { step: u32 },
}

/// A node's fatigue material: its S–N curve and strengths, and its strain-life
/// constants where a strain-life count needs them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Material {
    pub curve: SnCurve,
    pub strengths: Strengths,
    pub strain_life: Option<StrainLife>,
}

/// Options of a life calculation.
#[derive(Clone, Debug)]
pub struct FatigueOptions {
    /// Per channel, its factor on its unit load case at every sample (all one length).
    pub histories: Vec<Vec<f64>>,
    pub equivalent: Equivalent,
    pub mean_stress: MeanStress,
    pub residue: Residue,
    /// Factor on every stress amplitude (a fatigue safety factor on stress, or the
    /// product of surface and size factors); in a strain-life count, on the elastic
    /// stress the notch rule starts from.
    pub stress_factor: f64,
    /// Strain-life instead of stress-life ([`strain_life`]): the local stress and
    /// strain by a notch rule, the strain-life curve; `mean_stress` is then unused and
    /// the history must repeat (its loops closed).
    pub strain_life: Option<LocalStrain>,
}

/// Damage per node of one pass of the histories.
#[derive(Clone, Debug, Default)]
pub struct NodalDamage {
    /// Palmgren–Miner damage (0 where nothing damages; the life is 1 / damage passes).
    pub damage: Vec<f64>,
    /// The largest counted range of the equivalent stress (Pa; 0 where screened out).
    pub largest_range: Vec<f64>,
    /// Nodes screened out (no cycle of theirs can reach the endurance limit).
    pub screened: usize,
    /// Samples counted after peak-valley compression ([`compress`]; 0 for sampled
    /// stresses, which are counted as given).
    pub samples_counted: usize,
    /// Counted nodes whose channels' unit stresses are not proportional (their
    /// principal directions differ by more than about 5°): a scalar equivalent can miss
    /// cycles there, the critical plane does not.
    pub non_proportional: usize,
}

/// The damage at every node from the unit stresses of the channels' load cases
/// (`unit[k][node]`) and the nodes' materials.
pub fn nodal_damage(
    unit: &[&[Voigt]],
    materials: &[Material],
    options: &FatigueOptions,
) -> Result<NodalDamage> {
    let bad = |m: String| Err(SolverError::Dynamics(format!("fatigue: {m}")));
    let nodes = materials.len();
    if unit.len() != options.histories.len() || unit.iter().any(|u| u.len() != nodes) {
        return bad("one unit stress field per channel, over every node, is needed".into());
    }
    let samples = options.histories.first().map_or(0, Vec::len);
    if options.histories.iter().any(|h| h.len() != samples) {
        return bad("the channels' histories differ in length".into());
    }
    if let Some(v) = options.histories.iter().flatten().find(|v| !v.is_finite()) {
        return bad(format!("a history value is not finite ({v})"));
    }
    check(materials, options)?;
    let histories = compress(&options.histories);
    let peaks: Vec<f64> = histories
        .iter()
        .map(|h| h.iter().fold(0.0f64, |a, v| a.max(v.abs())))
        .collect();
    let planes = planes(options);
    let per_node: Vec<Option<(f64, f64)>> = (0..nodes)
        .into_par_iter()
        .map_init(Scratch::default, |scratch, n| {
            let units: Vec<[f64; 6]> = unit.iter().map(|u| u[n].into()).collect();
            let history = (&units[..], &histories[..], &peaks[..]);
            node_damage(history, &materials[n], &planes, options, scratch)
        })
        .collect();
    let mut out = gather(per_node, |n| proportional(unit, &peaks, n));
    out.samples_counted = histories.first().map_or(0, Vec::len);
    Ok(out)
}

/// Peak-valley compression that changes no count. One channel c(t): every node's
/// history is its equivalent of c(t)·σ, linear in c while c keeps its sign (signed von
/// Mises and the largest principal stress turn |c| where the stress is deviatoric or
/// its extreme principal stresses tie), so the turning points of each stretch of one
/// sign, both samples around each sign change kept, are every node's. Several
/// channels: a combination can turn where no channel does, so only samples equal to
/// the one before in every channel (plateaus) go.
fn compress(histories: &[Vec<f64>]) -> std::borrow::Cow<'_, [Vec<f64>]> {
    use std::borrow::Cow;
    match histories {
        [one] => {
            let mut out: Vec<f64> = Vec::new();
            let side = |v: f64| (v > 0.0) as i8 - (v < 0.0) as i8;
            for run in one.chunk_by(|a, b| side(*a) == side(*b)) {
                out.extend(rainflow::turning_points(run.iter().copied()));
            }
            Cow::Owned(vec![out])
        }
        _ => {
            let samples = histories.first().map_or(0, Vec::len);
            let keep: Vec<usize> = (0..samples)
                .filter(|&k| k == 0 || histories.iter().any(|h| h[k] != h[k - 1]))
                .collect();
            if keep.len() == samples {
                return Cow::Borrowed(histories);
            }
            Cow::Owned(
                histories
                    .iter()
                    .map(|h| keep.iter().map(|&k| h[k]).collect())
                    .collect(),
            )
        }
    }
}

/// The damage at every node from its stress tensor at every sample (`samples[k][node]`,
/// e.g. a transient's steps; `options.histories` empty): each node's six components are
/// its channels, counted as [`nodal_damage`] counts a superposition.
pub fn nodal_damage_sampled(
    samples: &[&[Voigt]],
    materials: &[Material],
    options: &FatigueOptions,
) -> Result<NodalDamage> {
    let bad = |m: String| Err(SolverError::Dynamics(format!("fatigue: {m}")));
    let nodes = materials.len();
    if !options.histories.is_empty() || samples.iter().any(|s| s.len() != nodes) {
        return bad("one stress field per sample, over every node, and no channels".into());
    }
    if let Some(v) = samples
        .iter()
        .flat_map(|s| s.iter())
        .flat_map(|v| v.iter())
        .find(|v| !v.is_finite())
    {
        return bad(format!("a stress is not finite ({v})"));
    }
    check(materials, options)?;
    let planes = planes(options);
    const BASIS: [[f64; 6]; 6] = {
        let mut b = [[0.0; 6]; 6];
        let mut c = 0;
        while c < 6 {
            b[c][c] = 1.0;
            c += 1;
        }
        b
    };
    let per_node: Vec<(Option<(f64, f64)>, bool)> = (0..nodes)
        .into_par_iter()
        .map_init(Scratch::default, |scratch, n| {
            let mut components = std::mem::take(&mut scratch.components);
            components.resize(6, Vec::new());
            for (c, h) in components.iter_mut().enumerate() {
                h.clear();
                h.extend(samples.iter().map(|s| s[n][c]));
            }
            let peaks: Vec<f64> = components
                .iter()
                .map(|h| h.iter().fold(0.0f64, |a, v| a.max(v.abs())))
                .collect();
            let found = node_damage(
                (&BASIS, &components, &peaks),
                &materials[n],
                &planes,
                options,
                scratch,
            );
            let same_axes = proportional_samples(&components);
            scratch.components = components;
            (found, same_axes)
        })
        .collect();
    let same: Vec<bool> = per_node.iter().map(|r| r.1).collect();
    Ok(gather(per_node.into_iter().map(|r| r.0).collect(), |n| {
        same[n]
    }))
}

/// The checks of the materials and options every count makes.
fn check(materials: &[Material], options: &FatigueOptions) -> Result<()> {
    let bad = |m: String| Err(SolverError::Dynamics(format!("fatigue: {m}")));
    if !(options.stress_factor.is_finite() && options.stress_factor > 0.0) {
        return bad(format!(
            "stress factor {} must be > 0",
            options.stress_factor
        ));
    }
    for m in materials {
        if let Err(e) = m.curve.check() {
            return bad(e);
        }
    }
    if options.strain_life.is_some() {
        if options.residue != Residue::Repeated {
            return bad("a strain-life count needs a repeated history (its hysteresis loops closed from the largest peak on)".into());
        }
        for m in materials {
            match &m.strain_life {
                None => return bad("a material has no strain-life constants".into()),
                Some(s) => {
                    if let Err(e) = s.check() {
                        return bad(e);
                    }
                }
            }
        }
    }
    Ok(())
}

/// The plane normals a critical-plane count searches (none for a scalar).
fn planes(options: &FatigueOptions) -> Vec<[f64; 3]> {
    match options.equivalent {
        Equivalent::CriticalPlane { step } => critical_plane::normals(step),
        _ => Vec::new(),
    }
}

/// Every node's damage and range into one result (None: screened out); counted nodes
/// whose loading `proportional` says is not are counted as such.
fn gather(per_node: Vec<Option<(f64, f64)>>, proportional: impl Fn(usize) -> bool) -> NodalDamage {
    let nodes = per_node.len();
    let mut out = NodalDamage {
        damage: vec![0.0; nodes],
        largest_range: vec![0.0; nodes],
        ..Default::default()
    };
    for (n, r) in per_node.into_iter().enumerate() {
        match r {
            None => out.screened += 1,
            Some((d, range)) => {
                (out.damage[n], out.largest_range[n]) = (d, range);
                out.non_proportional += usize::from(!proportional(n));
            }
        }
    }
    out
}

/// The deviator of Voigt components as a 6-vector whose dot product is the tensors'.
fn deviator(s: &[f64; 6]) -> [f64; 6] {
    let m = (s[0] + s[1] + s[2]) / 3.0;
    // Shear counted twice, as in the tensor's inner product.
    let r = 2f64.sqrt();
    [s[0] - m, s[1] - m, s[2] - m, r * s[3], r * s[4], r * s[5]]
}

fn dot(a: &[f64; 6], b: &[f64; 6]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Whether a node's sampled stresses (six component histories) keep their principal
/// directions: every sample's deviator within about 5° of the largest one's (samples
/// below 1e-3 of its size turn nothing).
fn proportional_samples(components: &[Vec<f64>]) -> bool {
    let at = |k: usize| deviator(&std::array::from_fn(|c| components[c][k]));
    let samples = components.first().map_or(0, Vec::len);
    let Some(top) = (0..samples)
        .map(at)
        .max_by(|a, b| dot(a, a).total_cmp(&dot(b, b)))
    else {
        return true;
    };
    let tt = dot(&top, &top);
    (0..samples).map(at).all(|d| {
        let dd = dot(&d, &d);
        dd <= 1e-6 * tt || dot(&d, &top).abs() >= 0.996 * (dd * tt).sqrt()
    })
}

/// Whether the channels' unit stresses at node `n` are multiples of one tensor (their
/// deviators within about 5° of each other; a channel weighed by its largest value, so
/// that one at zero throughout turns nothing): then σ(t)'s principal directions stay
/// put whatever the histories.
fn proportional(unit: &[&[Voigt]], peaks: &[f64], n: usize) -> bool {
    let devs: Vec<[f64; 6]> = unit
        .iter()
        .zip(peaks)
        .map(|(u, p)| deviator(&(u[n] * *p).into()))
        .collect();
    let top = devs.iter().map(|d| dot(d, d)).fold(0.0, f64::max);
    devs.iter().enumerate().all(|(i, a)| {
        devs[..i].iter().all(|b| {
            let (aa, bb) = (dot(a, a), dot(b, b));
            // A channel that barely stresses the node turns nothing.
            aa <= 1e-6 * top || bb <= 1e-6 * top || dot(a, b).abs() >= 0.996 * (aa * bb).sqrt()
        })
    })
}

/// Buffers a thread reuses from node to node (no allocation per node).
#[derive(Default)]
struct Scratch {
    history: Vec<f64>,
    /// A sampled node's six component histories.
    components: Vec<Vec<f64>>,
    count: rainflow::Scratch,
    strain: strain_life::Scratch,
}

/// A node's stress history: its channels' unit tensors, their histories and each
/// history's largest magnitude.
type NodeHistory<'a> = (&'a [[f64; 6]], &'a [Vec<f64>], &'a [f64]);

/// One node's damage and largest range, or None when it is screened out.
fn node_damage(
    (units, histories, peaks): NodeHistory,
    material: &Material,
    planes: &[[f64; 3]],
    options: &FatigueOptions,
    scratch: &mut Scratch,
) -> Option<(f64, f64)> {
    let norm = |u: &[f64; 6]| {
        let s = Voigt::from_row_slice(u);
        match options.equivalent {
            Equivalent::SignedVonMises => von_mises(&s),
            // The Frobenius norm, which bounds every principal value (and normal stress).
            _ => (s.norm_squared() + s.fixed_rows::<3>(3).norm_squared()).sqrt(),
        }
    };
    let bound: f64 = units.iter().zip(peaks).map(|(u, p)| p * norm(u)).sum();
    // Strain-life has no endurance limit: every node is counted.
    let limit = material
        .curve
        .endurance_limit
        .filter(|_| options.strain_life.is_none());
    if let Some(limit) = limit {
        let worst = options.mean_stress.bound(bound, material.strengths) * options.stress_factor;
        if worst < limit {
            return None;
        }
    }
    let scalar = match options.equivalent {
        Equivalent::SignedVonMises => Some(Scalar::SignedVonMises),
        Equivalent::MaxPrincipal => Some(Scalar::MaxPrincipal),
        Equivalent::CriticalPlane { .. } => None,
    };
    if let Some(scalar) = scalar {
        let mut history = std::mem::take(&mut scratch.history);
        equivalent_history(units, histories, scalar, &mut history);
        let found = count(&mut history, material, options, scratch);
        scratch.history = history;
        return Some(found);
    }
    // The worst plane; a plane whose own bound stays below the limit is skipped.
    let (mut worst, mut largest) = (0.0f64, 0.0f64);
    let mut history = std::mem::take(&mut scratch.history);
    for plane in planes {
        let a: f64 = units
            .iter()
            .zip(peaks)
            .map(|(u, p)| p * critical_plane::normal_stress(u, plane).abs())
            .sum();
        if let Some(limit) = limit {
            let top = options.mean_stress.bound(a, material.strengths) * options.stress_factor;
            if top < limit {
                continue;
            }
        }
        critical_plane::normal_history(units, histories, plane, &mut history);
        let (d, range) = count(&mut history, material, options, scratch);
        (worst, largest) = (worst.max(d), largest.max(range));
    }
    scratch.history = history;
    Some((worst, largest))
}

/// The cycles counted at node `n` (on its worst plane, for the critical plane), each
/// with the fully reversed amplitude the mean-stress rule makes of it (Pa, the stress
/// factor applied; in a strain-life count, the fully reversed strain amplitude of the
/// same life, and the cycle's mean the local one): what a hot spot's plots show. No
/// gate: every cycle.
pub fn node_cycles(
    n: usize,
    unit: &[&[Voigt]],
    material: &Material,
    options: &FatigueOptions,
) -> Vec<(rainflow::Cycle, f64)> {
    let units: Vec<[f64; 6]> = unit.iter().map(|u| u[n].into()).collect();
    cycles(&units, &options.histories, material, options)
}

/// [`node_cycles`] of sampled stresses (`samples[k][node]`, as [`nodal_damage_sampled`]).
pub fn node_cycles_sampled(
    n: usize,
    samples: &[&[Voigt]],
    material: &Material,
    options: &FatigueOptions,
) -> Vec<(rainflow::Cycle, f64)> {
    let basis: Vec<[f64; 6]> = (0..6)
        .map(|c| std::array::from_fn(|k| f64::from(u8::from(k == c))))
        .collect();
    let components: Vec<Vec<f64>> = (0..6)
        .map(|c| samples.iter().map(|s| s[n][c]).collect())
        .collect();
    cycles(&basis, &components, material, options)
}

/// The cycles of one node's history (its channels' unit tensors and histories).
fn cycles(
    units: &[[f64; 6]],
    histories: &[Vec<f64>],
    material: &Material,
    options: &FatigueOptions,
) -> Vec<(rainflow::Cycle, f64)> {
    let (curve, s) = (&material.curve, material.strengths);
    let amplitude = |c: &rainflow::Cycle| {
        options.stress_factor * options.mean_stress.equivalent(0.5 * c.range, c.mean, s)
    };
    let cycles_of = |history: &mut Vec<f64>| {
        rainflow::keep_turning_points(history);
        let mut out = Vec::new();
        match (options.strain_life, &material.strain_life) {
            (Some(rules), Some(m)) => {
                let mut scratch = strain_life::Scratch::default();
                let f = options.stress_factor;
                strain_life::loops(history, f, m, rules.notch, &mut scratch, |l| {
                    let cycle = rainflow::Cycle {
                        range: l.elastic_range,
                        mean: l.mean_stress,
                        count: 1.0,
                    };
                    out.push((cycle, m.reversed_amplitude(m.reversals(&l, rules.mean))));
                });
            }
            _ => rainflow::count(history, options.residue, |c| out.push((c, amplitude(&c)))),
        }
        out
    };
    let mut history = Vec::new();
    let scalar = match options.equivalent {
        Equivalent::SignedVonMises => Scalar::SignedVonMises,
        Equivalent::MaxPrincipal => Scalar::MaxPrincipal,
        Equivalent::CriticalPlane { step } => {
            // Both curves fall with life: the plane of the largest amplitudes.
            let damage = |cycles: &[(rainflow::Cycle, f64)]| -> f64 {
                match &material.strain_life {
                    Some(m) if options.strain_life.is_some() => cycles
                        .iter()
                        .map(|(c, a)| c.count * 2.0 / m.reversals_at(*a))
                        .sum(),
                    _ => cycles.iter().map(|(c, a)| c.count / curve.cycles(*a)).sum(),
                }
            };
            let mut worst: (f64, Vec<(rainflow::Cycle, f64)>) = (-1.0, Vec::new());
            for plane in critical_plane::normals(step) {
                critical_plane::normal_history(units, histories, &plane, &mut history);
                let cycles = cycles_of(&mut history);
                let d = damage(&cycles);
                if d > worst.0 {
                    worst = (d, cycles);
                }
            }
            return worst.1;
        }
    };
    equivalent_history(units, histories, scalar, &mut history);
    cycles_of(&mut history)
}

/// The damage and range (max − min) of one scalar history, reduced in place to its
/// turning points on the way.
fn count(
    history: &mut Vec<f64>,
    material: &Material,
    options: &FatigueOptions,
    scratch: &mut Scratch,
) -> (f64, f64) {
    rainflow::keep_turning_points(history);
    // The largest counted range is the history's, max − min, gate or no gate.
    let (lo, hi) = history
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        });
    if let (Some(rules), Some(m)) = (options.strain_life, &material.strain_life) {
        let d = strain_life::damage(
            history,
            options.stress_factor,
            m,
            rules,
            &mut scratch.strain,
        );
        return (d, (hi - lo).max(0.0));
    }
    // Cycles that cannot reach the endurance limit with the history's largest stress
    // are left out of the count (exactly: the gate removes only them).
    let gate = material.curve.endurance_limit.map_or(0.0, |limit| {
        let (limit, top) = (limit / options.stress_factor, hi.max(-lo));
        2.0 * options
            .mean_stress
            .gate_amplitude(limit, top, material.strengths)
    });
    let mut d = 0.0;
    let (curve, s) = (&material.curve, material.strengths);
    rainflow::count_with(history, options.residue, gate, &mut scratch.count, |c| {
        d += sn::cycle_damage(&c, curve, options.mean_stress, s, options.stress_factor);
    });
    (d, (hi - lo).max(0.0))
}

/// The scalars a whole tensor history is counted as.
#[derive(Clone, Copy)]
enum Scalar {
    SignedVonMises,
    MaxPrincipal,
}

/// Samples a block of the superposition holds (six components of it fit in L1).
const BLOCK: usize = 256;

/// The equivalent stress at every sample of σ(t) = Σ_k c_k(t) σ_k, into `out`: the
/// components of a block of samples first (one multiply-add pass per channel and
/// component, which vectorises), then the equivalent of each.
fn equivalent_history(
    units: &[[f64; 6]],
    histories: &[Vec<f64>],
    kind: Scalar,
    out: &mut Vec<f64>,
) {
    let samples = histories.first().map_or(0, Vec::len);
    out.clear();
    out.resize(samples, 0.0);
    let mut c = [[0.0; BLOCK]; 6];
    for (b, out) in out.chunks_mut(BLOCK).enumerate() {
        let (start, len) = (b * BLOCK, out.len());
        for comp in &mut c {
            comp[..len].fill(0.0);
        }
        for (u, h) in units.iter().zip(histories) {
            let h = &h[start..start + len];
            for (comp, &uk) in c.iter_mut().zip(u) {
                for (s, &v) in comp[..len].iter_mut().zip(h) {
                    *s += uk * v;
                }
            }
        }
        let at = |t: usize| [c[0][t], c[1][t], c[2][t], c[3][t], c[4][t], c[5][t]];
        // One loop per kind, so that each vectorises.
        match kind {
            Scalar::SignedVonMises => {
                for (t, o) in out.iter_mut().enumerate() {
                    *o = signed_von_mises(&at(t));
                }
            }
            Scalar::MaxPrincipal => {
                for (t, o) in out.iter_mut().enumerate() {
                    *o = max_principal(&at(t));
                }
            }
        }
    }
}

/// Von Mises with the sign of tr σ, on plain components (the inner loop of a node).
#[inline]
fn signed_von_mises(s: &[f64; 6]) -> f64 {
    let d = (s[0] - s[1]).powi(2) + (s[1] - s[2]).powi(2) + (s[2] - s[0]).powi(2);
    let vm = (0.5 * d + 3.0 * (s[3] * s[3] + s[4] * s[4] + s[5] * s[5])).sqrt();
    if s[0] + s[1] + s[2] < 0.0 {
        -vm
    } else {
        vm
    }
}

/// The scalar of a stress tensor the history is counted as.
pub fn equivalent(s: &Voigt, kind: Equivalent) -> f64 {
    match kind {
        Equivalent::SignedVonMises => signed_von_mises(&(*s).into()),
        Equivalent::MaxPrincipal => max_principal(&(*s).into()),
        // The largest normal stress over the planes is the largest principal stress.
        Equivalent::CriticalPlane { .. } => principal(&(*s).into())[0],
    }
}

/// The principal stress of largest magnitude, with its sign.
#[inline]
fn max_principal(s: &[f64; 6]) -> f64 {
    let p = principal(s);
    if p[0].abs() >= p[2].abs() {
        p[0]
    } else {
        p[2]
    }
}

/// Principal stresses, largest first, in closed form: the trigonometric solution of
/// the characteristic cubic, σ = m + 2r cos(θ − 2πk/3) with cos 3θ = J₃/(2r³), θ ∈
/// [0, π/3]. No allocation and no call to libm's acos and cos (which cost more than
/// all else at every sample): cos θ comes from [`cos_third`], sin θ from it.
#[inline(always)]
fn principal(s: &[f64; 6]) -> [f64; 3] {
    let m = (s[0] + s[1] + s[2]) / 3.0;
    let (a, b, c) = (s[0] - m, s[1] - m, s[2] - m);
    let (xy, yz, xz) = (s[3], s[4], s[5]);
    let j2 = (a * a + b * b + c * c) / 2.0 + xy * xy + yz * yz + xz * xz;
    let j3 = a * (b * c - yz * yz) - xy * (xy * c - yz * xz) + xz * (xy * yz - b * xz);
    let r = (j2 / 3.0).sqrt();
    // A (nearly) hydrostatic state: r = 0 and cos 3θ undefined; any θ gives σ = m.
    let cos3 = if r > 0.0 {
        (j3 / (2.0 * r * r * r)).clamp(-1.0, 1.0)
    } else {
        1.0
    };
    let cos = cos_third(cos3);
    let s3 = (3.0 * (1.0 - cos * cos)).max(0.0).sqrt();
    [m + 2.0 * r * cos, m - r * (cos - s3), m - r * (cos + s3)]
}

/// cos(acos(x) / 3) for x ∈ [−1, 1], to 2e-15: with u = √((1 + x)/2) = cos(acos(x)/2)
/// it is cos(⅔ acos u), analytic on u ∈ [0, 1], here a polynomial of degree 16 in
/// t = 2u − 1 (the Chebyshev interpolant at 400 points, in powers of t; largest error
/// 1.9e-15 on a grid of 400 001), evaluated by Estrin's scheme — a tree of products
/// instead of Horner's chain of sixteen, so that samples overlap in the pipeline.
#[inline(always)]
fn cos_third(x: f64) -> f64 {
    const C: [f64; 17] = [
        0.7660444431189783,
        0.24740906632283957,
        -0.01550918843647974,
        0.002466352815722411,
        -0.0005041246913372822,
        0.00011642544419632962,
        -2.8919933797494203e-05,
        7.541132528393313e-06,
        -2.0358852017423798e-06,
        5.639754105505506e-07,
        -1.594909453354428e-07,
        4.6182162429824826e-08,
        -1.3449742616707656e-08,
        3.599987061561774e-09,
        -1.0732405586327543e-09,
        5.271526487565659e-10,
        -1.5823244395297865e-10,
    ];
    let t = 2.0 * (0.5 * (1.0 + x)).max(0.0).sqrt() - 1.0;
    let (t2, q) = (t * t, |i: usize| C[i] + C[i + 1] * t);
    let t4 = t2 * t2;
    let r = |i: usize| q(i) + t2 * q(i + 2);
    let s0 = r(0) + t4 * r(4);
    let s1 = r(8) + t4 * r(12);
    let t8 = t4 * t4;
    s0 + t8 * s1 + t8 * t8 * C[16]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cos_third_is_the_cosine_of_a_third_of_the_angle() {
        for k in 0..=20_000 {
            let x = -1.0 + k as f64 / 10_000.0;
            let exact = (x.acos() / 3.0).cos();
            assert!(
                (cos_third(x) - exact).abs() < 2e-15,
                "{x}: {} vs {exact}",
                cos_third(x)
            );
        }
    }

    #[test]
    fn closed_form_principal_stresses_match_the_eigenvalues() {
        let cases = [
            Voigt::from_row_slice(&[100.0, -20.0, 35.0, 12.0, -7.0, 40.0]),
            Voigt::from_row_slice(&[0.0, 0.0, 0.0, 50.0, 0.0, 0.0]),
            Voigt::from_row_slice(&[-80.0, -80.0, -80.0, 0.0, 0.0, 0.0]),
            Voigt::from_row_slice(&[100.0, 0.0, 0.0, 0.0, 0.0, 0.0]),
            Voigt::from_row_slice(&[100.0, 100.0, 0.0, 0.0, 0.0, 0.0]),
            Voigt::from_row_slice(&[-100.0, 0.0, 0.0, 0.0, 0.0, 0.0]),
            Voigt::from_row_slice(&[1e8, 2e8, -3e8, 1e7, 2e7, -5e7]),
        ];
        for s in cases {
            let ours = principal(&s.into());
            let exact = crate::material::principal(&s);
            // Two (nearly) equal principal stresses are found to √ε of the largest:
            // the conditioning of the invariants any closed form starts from.
            for k in 0..3 {
                assert!(
                    (ours[k] - exact[k]).abs() <= 2e-8 * exact[0].abs().max(exact[2].abs()),
                    "{s:?}: {ours:?} vs {exact:?}"
                );
            }
        }
    }

    /// One node under two channels in phase: the count, the damage of the constant
    /// amplitude the superposed stress makes, and screening below the endurance limit.
    #[test]
    fn superposed_channels_give_the_curve_life_and_screening_skips_low_nodes() {
        let curve = SnCurve {
            coefficient: 1000e6,
            exponent: -0.1,
            endurance_limit: Some(100e6),
        };
        let material = Material {
            curve,
            strengths: Strengths {
                ultimate: 600e6,
                yield_strength: 400e6,
            },
            strain_life: None,
        };
        // σ_xx per unit of each channel: 1 MPa and 2 MPa at node 0, far less at node 1.
        let u1 = [
            Voigt::from_row_slice(&[1e6, 0.0, 0.0, 0.0, 0.0, 0.0]),
            Voigt::from_row_slice(&[1e3, 0.0, 0.0, 0.0, 0.0, 0.0]),
        ];
        let u2 = [
            Voigt::from_row_slice(&[2e6, 0.0, 0.0, 0.0, 0.0, 0.0]),
            Voigt::from_row_slice(&[2e3, 0.0, 0.0, 0.0, 0.0, 0.0]),
        ];
        // 10 fully reversed cycles of c1 = c2 = ±100: σ = ±300 MPa.
        let h: Vec<f64> = (0..=20)
            .map(|k| if k % 2 == 0 { 100.0 } else { -100.0 })
            .collect();
        let options = FatigueOptions {
            histories: vec![h.clone(), h],
            equivalent: Equivalent::MaxPrincipal,
            mean_stress: MeanStress::Goodman,
            residue: Residue::HalfCycles,
            stress_factor: 1.0,
            strain_life: None,
        };
        let d = nodal_damage(&[&u1, &u2], &[material, material], &options).unwrap();
        let n = 0.5 * (0.3f64).powf(-10.0);
        assert!(
            (d.damage[0] * n / 10.0 - 1.0).abs() < 1e-12,
            "{}",
            d.damage[0] * n
        );
        assert!((d.largest_range[0] - 600e6).abs() < 1e-3);
        assert_eq!((d.damage[1], d.screened), (0.0, 1));
    }

    fn options(
        histories: Vec<Vec<f64>>,
        equivalent: Equivalent,
        rule: MeanStress,
    ) -> FatigueOptions {
        FatigueOptions {
            histories,
            equivalent,
            mean_stress: rule,
            residue: Residue::Repeated,
            stress_factor: 1.0,
            strain_life: None,
        }
    }

    const STEEL: Material = Material {
        curve: SnCurve {
            coefficient: 1000e6,
            exponent: -0.1,
            endurance_limit: None,
        },
        strengths: Strengths {
            ultimate: 600e6,
            yield_strength: 400e6,
        },
        strain_life: None,
    };

    /// Unit stresses σ_xx, σ_yy, τ_xy of 1 MPa at one node.
    fn plane_units() -> [[Voigt; 1]; 3] {
        let e = |k: usize| {
            let mut v = Voigt::zeros();
            v[k] = 1e6;
            [v]
        };
        [e(0), e(1), e(3)]
    }

    /// The stresses of a superposition given sample by sample count as the
    /// superposition does: the same damage, range, screening and proportionality, for
    /// each equivalent, on two nodes loaded in and out of phase.
    #[test]
    fn sampled_stresses_count_as_their_superposition() {
        let u = plane_units();
        let per_turn = 360;
        let phase = |k: usize| 2.0 * std::f64::consts::PI * k as f64 / per_turn as f64;
        let c1: Vec<f64> = (0..=3 * per_turn).map(|k| 300.0 * phase(k).sin()).collect();
        let c2: Vec<f64> = (0..=3 * per_turn)
            .map(|k| 120.0 * (phase(k) + 0.3).cos())
            .collect();
        let c3: Vec<f64> = (0..=3 * per_turn)
            .map(|k| 80.0 * (2.0 * phase(k)).sin())
            .collect();
        // Node 0 as plane_units; node 1 half the shear only (proportional).
        let unit: Vec<Vec<Voigt>> = (0..3)
            .map(|c| {
                vec![
                    u[c][0],
                    if c == 2 {
                        u[c][0] * 0.5
                    } else {
                        Voigt::zeros()
                    },
                ]
            })
            .collect();
        let refs: Vec<&[Voigt]> = unit.iter().map(Vec::as_slice).collect();
        let samples: Vec<Vec<Voigt>> = (0..c1.len())
            .map(|k| {
                (0..2)
                    .map(|n| unit[0][n] * c1[k] + unit[1][n] * c2[k] + unit[2][n] * c3[k])
                    .collect()
            })
            .collect();
        let sample_refs: Vec<&[Voigt]> = samples.iter().map(Vec::as_slice).collect();
        let steel = Material {
            curve: SnCurve {
                endurance_limit: Some(30e6),
                ..STEEL.curve
            },
            ..STEEL
        };
        for e in [
            Equivalent::SignedVonMises,
            Equivalent::MaxPrincipal,
            Equivalent::CriticalPlane { step: 10 },
        ] {
            let mut o = options(
                vec![c1.clone(), c2.clone(), c3.clone()],
                e,
                MeanStress::Goodman,
            );
            let a = nodal_damage(&refs, &[steel, steel], &o).unwrap();
            o.histories.clear();
            let b = nodal_damage_sampled(&sample_refs, &[steel, steel], &o).unwrap();
            for n in 0..2 {
                assert!(
                    (a.damage[n] - b.damage[n]).abs() <= 1e-9 * a.damage[n],
                    "{e:?} {n}: {} vs {}",
                    a.damage[n],
                    b.damage[n]
                );
                assert!((a.largest_range[n] - b.largest_range[n]).abs() <= 1e-6);
            }
            assert!(a.damage[0] > 0.0, "{e:?}: {:?}", a.damage);
            assert_eq!((a.non_proportional, b.non_proportional), (1, 1), "{e:?}");
            // The hot spot's cycles (round-off may add or drop cycles of no size).
            let d = |c: Vec<(rainflow::Cycle, f64)>| -> f64 {
                c.iter()
                    .map(|(c, a)| c.count / steel.curve.cycles(*a))
                    .sum()
            };
            let mut o = options(
                vec![c1.clone(), c2.clone(), c3.clone()],
                e,
                MeanStress::Goodman,
            );
            let da = d(node_cycles(0, &refs, &steel, &o));
            o.histories.clear();
            let db = d(node_cycles_sampled(0, &sample_refs, &steel, &o));
            assert!(
                (da - db).abs() <= 1e-9 * da && da > 0.0,
                "{e:?}: {da} vs {db}"
            );
        }
    }

    /// One channel is counted on its compressed history with the damage of the whole,
    /// for a pure shear (deviatoric: signed von Mises turns |c|) and a uniaxial node,
    /// each equivalent, a random history with plateaus and zero crossings.
    #[test]
    fn one_channel_compression_changes_no_damage() {
        // Oversampled, with plateaus (rounding), zeros and zero crossings.
        let h: Vec<f64> = (0..20_000)
            .map(|k| {
                let t = k as f64;
                let v = 200.0 * ((t / 300.0).sin() + 0.3 * (t / 47.0 + 1.0).sin());
                if k % 997 == 0 {
                    0.0
                } else {
                    v.round()
                }
            })
            .collect();
        let u = plane_units();
        let shear = [u[2][0]];
        let uniaxial = [u[0][0]];
        for e in [
            Equivalent::SignedVonMises,
            Equivalent::MaxPrincipal,
            Equivalent::CriticalPlane { step: 15 },
        ] {
            let o = options(vec![h.clone()], e, MeanStress::Goodman);
            let d = nodal_damage(&[&[shear[0], uniaxial[0]]], &[STEEL, STEEL], &o).unwrap();
            assert!(d.samples_counted < h.len() / 2, "{}", d.samples_counted);
            for (n, unit) in [shear[0], uniaxial[0]].into_iter().enumerate() {
                let units = [unit.into()];
                let mut history = Vec::new();
                let whole = match e {
                    Equivalent::CriticalPlane { .. } => d.damage[n],
                    _ => {
                        let kind = if e == Equivalent::SignedVonMises {
                            Scalar::SignedVonMises
                        } else {
                            Scalar::MaxPrincipal
                        };
                        equivalent_history(&units, &o.histories, kind, &mut history);
                        count(&mut history, &STEEL, &o, &mut Scratch::default()).0
                    }
                };
                assert!(
                    whole > 0.0 && (d.damage[n] / whole - 1.0).abs() < 1e-12,
                    "{e:?} {n}: {} vs {whole}",
                    d.damage[n]
                );
            }
        }
    }

    /// A proportional (uniaxial) history: the critical plane finds the principal plane
    /// and the life of the largest principal stress, exactly; the loading is counted
    /// as proportional.
    #[test]
    fn critical_plane_of_a_proportional_history_is_the_principal_stress() {
        let u = plane_units();
        let h: Vec<f64> = (0..=40)
            .map(|k| if k % 2 == 0 { 250.0 } else { -150.0 })
            .collect();
        let zero = vec![0.0; h.len()];
        let run = |e| {
            let o = options(
                vec![h.clone(), zero.clone(), zero.clone()],
                e,
                MeanStress::Goodman,
            );
            nodal_damage(&[&u[0], &u[1], &u[2]], &[STEEL], &o).unwrap()
        };
        let plane = run(Equivalent::CriticalPlane { step: 10 });
        let scalar = run(Equivalent::MaxPrincipal);
        assert!((plane.damage[0] / scalar.damage[0] - 1.0).abs() < 1e-12);
        assert_eq!((plane.non_proportional, scalar.non_proportional), (0, 0));
    }

    /// A uniaxial stress of constant size s turning in the x–y plane (σ_xx = s cos²ωt,
    /// σ_yy = s sin²ωt, τ_xy = s sin ωt cos ωt: three channels out of phase): its von
    /// Mises stress is s throughout, so signed von Mises counts nothing — a wrong
    /// infinite life — while every plane of the x–y zone sees s cos²(ωt − θ): one cycle
    /// of amplitude s/2 about s/2 per half turn. Ten turns: 20 such cycles, by hand.
    #[test]
    fn turning_principal_directions_are_seen_by_the_critical_plane_only() {
        let u = plane_units();
        let s = 300.0; // MPa
        let per_turn = 3600;
        let phase = |k: usize| 2.0 * std::f64::consts::PI * k as f64 / per_turn as f64;
        let samples = 0..=10 * per_turn;
        let c1: Vec<f64> = samples
            .clone()
            .map(|k| s * phase(k).cos().powi(2))
            .collect();
        let c2: Vec<f64> = samples
            .clone()
            .map(|k| s * phase(k).sin().powi(2))
            .collect();
        let c3: Vec<f64> = samples
            .map(|k| s * phase(k).sin() * phase(k).cos())
            .collect();
        let run = |e| {
            let o = options(
                vec![c1.clone(), c2.clone(), c3.clone()],
                e,
                MeanStress::Goodman,
            );
            nodal_damage(&[&u[0], &u[1], &u[2]], &[STEEL], &o).unwrap()
        };
        let vm = run(Equivalent::SignedVonMises);
        let plane = run(Equivalent::CriticalPlane { step: 10 });
        let a = 0.5 * s * 1e6;
        let hand = 20.0
            / STEEL
                .curve
                .cycles(MeanStress::Goodman.equivalent(a, a, STEEL.strengths));
        assert!(
            vm.damage[0] < 1e-12 * hand,
            "signed von Mises: {}",
            vm.damage[0]
        );
        assert!(
            (plane.damage[0] / hand - 1.0).abs() < 1e-9,
            "{} vs {hand}",
            plane.damage[0]
        );
        assert_eq!((vm.non_proportional, plane.non_proportional), (1, 1));
    }

    /// 90° out-of-phase tension–torsion, σ_xx = σ_a sin ωt, τ_xy = σ_a cos ωt: the
    /// normal stress on a plane at θ from x has amplitude σ_a √(4x − 3x²), x = cos²θ,
    /// largest (2/√3 σ_a) at cos²θ = 2/3 (θ = 35.26°). The 1° search finds it to 2.4e-5
    /// (θ = 35°); signed von Mises — √(σ² + 3τ²) between σ_a and √3 σ_a, its sign
    /// flipping with σ_xx — counts the full ±√3 σ_a: more damage than the plane's.
    #[test]
    fn out_of_phase_tension_torsion_against_the_hand_critical_plane() {
        let u = plane_units();
        let sa = 200.0;
        let per_turn = 3600;
        let phase = |k: usize| 2.0 * std::f64::consts::PI * k as f64 / per_turn as f64;
        let samples = 0..=10 * per_turn;
        let c1: Vec<f64> = samples.clone().map(|k| sa * phase(k).sin()).collect();
        let c3: Vec<f64> = samples.map(|k| sa * phase(k).cos()).collect();
        let zero = vec![0.0; c1.len()];
        let run = |e| {
            let o = options(
                vec![c1.clone(), zero.clone(), c3.clone()],
                e,
                MeanStress::None,
            );
            nodal_damage(&[&u[0], &u[1], &u[2]], &[STEEL], &o).unwrap()
        };
        let plane = run(Equivalent::CriticalPlane { step: 1 });
        let vm = run(Equivalent::SignedVonMises);
        let amplitude = 2.0 / 3f64.sqrt() * sa * 1e6;
        let hand = 10.0 / STEEL.curve.cycles(amplitude);
        let ratio = plane.damage[0] / hand;
        assert!((ratio - 1.0).abs() < 1e-3, "{ratio}");
        let vm_hand = 10.0 / STEEL.curve.cycles(3f64.sqrt() * sa * 1e6);
        assert!(
            (vm.damage[0] / vm_hand - 1.0).abs() < 1e-3,
            "{} vs {vm_hand}",
            vm.damage[0]
        );
        assert!(vm.damage[0] > plane.damage[0]);
    }
}
