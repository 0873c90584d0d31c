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

pub mod rainflow;
pub mod sn;

use crate::error::{Result, SolverError};
use crate::material::{von_mises, Voigt};
use rainflow::Residue;
use rayon::prelude::*;
use sn::{MeanStress, SnCurve, Strengths};

/// The scalar a node's stress tensor history is counted as.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Equivalent {
    /// Von Mises with the sign of the hydrostatic stress (tr σ).
    #[default]
    SignedVonMises,
    /// The principal stress of largest magnitude, with its sign.
    MaxPrincipal,
}

/// A node's fatigue material: its S–N curve and strengths.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Material {
    pub curve: SnCurve,
    pub strengths: Strengths,
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
    /// product of surface and size factors).
    pub stress_factor: f64,
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
    let peaks: Vec<f64> = options
        .histories
        .iter()
        .map(|h| h.iter().fold(0.0f64, |a, v| a.max(v.abs())))
        .collect();
    let per_node: Vec<Option<(f64, f64)>> = (0..nodes)
        .into_par_iter()
        .map(|n| node_damage(n, unit, &materials[n], &peaks, options))
        .collect();
    let mut out = NodalDamage {
        damage: vec![0.0; nodes],
        largest_range: vec![0.0; nodes],
        screened: 0,
    };
    for (n, r) in per_node.into_iter().enumerate() {
        match r {
            None => out.screened += 1,
            Some((d, range)) => (out.damage[n], out.largest_range[n]) = (d, range),
        }
    }
    Ok(out)
}

/// One node's damage and largest range, or None when it is screened out.
fn node_damage(
    n: usize,
    unit: &[&[Voigt]],
    material: &Material,
    peaks: &[f64],
    options: &FatigueOptions,
) -> Option<(f64, f64)> {
    let norm = |s: &Voigt| match options.equivalent {
        Equivalent::SignedVonMises => von_mises(s),
        // The Frobenius norm, which bounds every principal value.
        Equivalent::MaxPrincipal => (s.norm_squared() + s.fixed_rows::<3>(3).norm_squared()).sqrt(),
    };
    let bound: f64 = unit.iter().zip(peaks).map(|(u, p)| p * norm(&u[n])).sum();
    if let Some(limit) = material.curve.endurance_limit {
        let worst = options.mean_stress.bound(bound, material.strengths) * options.stress_factor;
        if worst < limit {
            return None;
        }
    }
    let samples = options.histories[0].len();
    let units: Vec<[f64; 6]> = unit.iter().map(|u| u[n].into()).collect();
    let history = (0..samples).map(|t| {
        let mut s = [0.0; 6];
        for (u, h) in units.iter().zip(&options.histories) {
            let c = h[t];
            for k in 0..6 {
                s[k] += u[k] * c;
            }
        }
        match options.equivalent {
            Equivalent::SignedVonMises => signed_von_mises(&s),
            kind => equivalent(&Voigt::from(s), kind),
        }
    });
    let points = rainflow::turning_points(history);
    let (mut d, mut largest) = (0.0, 0.0f64);
    let (curve, s) = (&material.curve, material.strengths);
    rainflow::count(&points, options.residue, |c| {
        largest = largest.max(c.range);
        d += sn::cycle_damage(&c, curve, options.mean_stress, s, options.stress_factor);
    });
    Some((d, largest))
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
        Equivalent::MaxPrincipal => {
            let p = principal(s);
            if p[0].abs() >= p[2].abs() {
                p[0]
            } else {
                p[2]
            }
        }
    }
}

/// Principal stresses, largest first, in closed form (the trigonometric solution of
/// the characteristic cubic; no allocation, for use at every sample).
fn principal(s: &Voigt) -> [f64; 3] {
    let m = (s[0] + s[1] + s[2]) / 3.0;
    let (a, b, c) = (s[0] - m, s[1] - m, s[2] - m);
    let (xy, yz, xz) = (s[3], s[4], s[5]);
    let j2 = (a * a + b * b + c * c) / 2.0 + xy * xy + yz * yz + xz * xz;
    if j2 <= 1e-30 * (m * m).max(f64::MIN_POSITIVE) {
        return [m; 3];
    }
    let j3 = a * (b * c - yz * yz) - xy * (xy * c - yz * xz) + xz * (xy * yz - b * xz);
    let r = (j2 / 3.0).sqrt();
    let cos3 = (j3 / (2.0 * r * r * r)).clamp(-1.0, 1.0);
    let theta = cos3.acos() / 3.0;
    let two_pi_3 = 2.0 * std::f64::consts::PI / 3.0;
    let mut e = [
        m + 2.0 * r * theta.cos(),
        m + 2.0 * r * (theta - two_pi_3).cos(),
        m + 2.0 * r * (theta + two_pi_3).cos(),
    ];
    e.sort_by(|x, y| y.total_cmp(x));
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_form_principal_stresses_match_the_eigenvalues() {
        let cases = [
            Voigt::from_row_slice(&[100.0, -20.0, 35.0, 12.0, -7.0, 40.0]),
            Voigt::from_row_slice(&[0.0, 0.0, 0.0, 50.0, 0.0, 0.0]),
            Voigt::from_row_slice(&[-80.0, -80.0, -80.0, 0.0, 0.0, 0.0]),
            Voigt::from_row_slice(&[1e8, 2e8, -3e8, 1e7, 2e7, -5e7]),
        ];
        for s in cases {
            let ours = principal(&s);
            let exact = crate::material::principal(&s);
            for k in 0..3 {
                assert!(
                    (ours[k] - exact[k]).abs() <= 1e-9 * exact[0].abs().max(exact[2].abs()),
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
}
