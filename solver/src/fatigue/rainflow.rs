//! Rainflow cycle counting by ASTM E1049-85 (§5.4.4, the three-point rule).
//!
//! Why this rule: it is the standard's own, so a count can be checked against its
//! worked example and against any other tool that follows it. A history's turning
//! points are read in order; whenever the latest range X is at least the one before it,
//! Y, then Y is a cycle — a half cycle if it holds the history's starting point (which
//! is then dropped), a full one otherwise (both its points dropped). The ranges left at
//! the end, the residue, are half cycles ([`Residue::HalfCycles`], the standard's rule
//! for a history that is seen once). A duty cycle that repeats closes its residue: the
//! history is read from its largest absolute peak on and round again to it, and every
//! count is then a full cycle ([`Residue::Repeated`]).

/// One counted range: its range (peak to valley, ≥ 0), mean, and count (0.5 or 1).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Cycle {
    pub range: f64,
    pub mean: f64,
    pub count: f64,
}

impl Cycle {
    fn new(a: f64, b: f64, count: f64) -> Self {
        Self {
            range: (a - b).abs(),
            mean: 0.5 * (a + b),
            count,
        }
    }

    /// The larger of the two stresses of the cycle.
    pub fn max(&self) -> f64 {
        self.mean + 0.5 * self.range
    }
}

/// What the ranges left at the end of a history count as.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Residue {
    /// Half cycles each: the history happens once (ASTM E1049-85).
    HalfCycles,
    /// The history repeats: its residue closes into full cycles.
    #[default]
    Repeated,
}

/// The turning points (peaks and valleys) of a history, in order: plateaus and points
/// on a monotonic stretch are dropped.
pub fn turning_points(history: impl IntoIterator<Item = f64>) -> Vec<f64> {
    let mut out: Vec<f64> = Vec::new();
    for v in history {
        match out.len() {
            0 => out.push(v),
            1 if v != out[0] => out.push(v),
            1 => {}
            n => {
                let (a, b) = (out[n - 2], out[n - 1]);
                if v == b {
                    continue;
                }
                if (b - a) * (v - b) > 0.0 {
                    out[n - 1] = v; // still rising (or falling): b was no turn
                } else {
                    out.push(v);
                }
            }
        }
    }
    out
}

/// The cycles of a history's turning points, `visit`ed as they are counted.
pub fn count(points: &[f64], residue: Residue, mut visit: impl FnMut(Cycle)) {
    match residue {
        Residue::HalfCycles => three_point(points, true, &mut visit),
        Residue::Repeated => {
            if points.len() < 2 {
                return;
            }
            // Start (and end) at the largest absolute turning point: every range then
            // closes within one pass.
            let start = (0..points.len())
                .max_by(|&a, &b| points[a].abs().total_cmp(&points[b].abs()))
                .unwrap_or(0);
            let round = points[start..].iter().chain(&points[..=start]).copied();
            let joined = turning_points(round);
            three_point(&joined, false, &mut visit);
        }
    }
}

/// The standard's three-point rule. A range that holds the starting point (the first
/// point still in the stack, which moves on as points are dropped) is a half cycle when
/// `half_cycles_at_start`, a full one otherwise (a closed, repeated history).
fn three_point(points: &[f64], half_cycles_at_start: bool, visit: &mut impl FnMut(Cycle)) {
    let mut stack: Vec<f64> = Vec::with_capacity(64);
    for &p in points {
        stack.push(p);
        while stack.len() >= 3 {
            let n = stack.len();
            let x = (stack[n - 1] - stack[n - 2]).abs();
            let y = (stack[n - 2] - stack[n - 3]).abs();
            if x < y {
                break;
            }
            if n == 3 && half_cycles_at_start {
                visit(Cycle::new(stack[0], stack[1], 0.5));
                stack.remove(0); // three points: a cheap shift
            } else {
                visit(Cycle::new(stack[n - 3], stack[n - 2], 1.0));
                stack[n - 3] = stack[n - 1];
                stack.truncate(n - 2);
            }
        }
    }
    for w in stack.windows(2) {
        visit(Cycle::new(w[0], w[1], 0.5));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn table(points: &[f64], residue: Residue) -> BTreeMap<u64, f64> {
        let mut t = BTreeMap::new();
        count(points, residue, |c| {
            *t.entry(c.range as u64).or_insert(0.0) += c.count
        });
        t
    }

    /// ASTM E1049-85 §5.4.4's example (Fig. 6): −2, 1, −3, 5, −1, 3, −4, 4, −2 gives
    /// ranges 3 (½), 4 (1½), 6 (½), 8 (1), 9 (½).
    #[test]
    fn astm_e1049_example() {
        let h = [-2.0, 1.0, -3.0, 5.0, -1.0, 3.0, -4.0, 4.0, -2.0];
        let t = table(&turning_points(h), Residue::HalfCycles);
        let expected: BTreeMap<u64, f64> = [(3, 0.5), (4, 1.5), (6, 0.5), (8, 1.0), (9, 0.5)]
            .into_iter()
            .collect();
        assert_eq!(t, expected);
    }

    #[test]
    fn turning_points_drop_plateaus_and_monotonic_points() {
        let h = [0.0, 1.0, 2.0, 2.0, 1.0, 1.0, 3.0, -1.0, -1.0];
        assert_eq!(turning_points(h), vec![0.0, 2.0, 1.0, 3.0, -1.0]);
    }

    /// A random history of `n` samples (a fixed linear congruential sequence).
    fn random(n: usize, seed: u64) -> Vec<f64> {
        let mut x = seed;
        (0..n)
            .map(|_| {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                ((x >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * 200.0
            })
            .collect()
    }

    /// Sorted ranges (each full cycle once, each half cycle as half) of a count.
    fn ranges(points: &[f64], residue: Residue) -> Vec<(f64, f64)> {
        let mut v = Vec::new();
        count(points, residue, |c| v.push((c.range, c.count)));
        v.sort_by(|a, b| a.partial_cmp(b).unwrap());
        v
    }

    /// Brute force for a closed history: remove, again and again, a pair of adjacent
    /// turning points whose range is no larger than the ranges on either side (a full
    /// cycle), until two points are left.
    fn brute_force_closed(points: &[f64]) -> Vec<(f64, f64)> {
        let start = (0..points.len())
            .max_by(|&a, &b| points[a].abs().total_cmp(&points[b].abs()))
            .unwrap();
        let mut p = turning_points(points[start..].iter().chain(&points[..=start]).copied());
        let mut out = Vec::new();
        'outer: while p.len() > 2 {
            for i in 1..p.len() - 2 {
                let r = (p[i + 1] - p[i]).abs();
                if r <= (p[i] - p[i - 1]).abs() && r <= (p[i + 2] - p[i + 1]).abs() {
                    out.push((r, 1.0));
                    p.drain(i..i + 2);
                    continue 'outer;
                }
            }
            break;
        }
        // The last loop, from the extreme and back to it, is one full cycle.
        if p.len() == 3 && p[0] == p[2] {
            out.push(((p[1] - p[0]).abs(), 1.0));
            p.truncate(1);
        }
        for w in p.windows(2) {
            out.push(((w[0] - w[1]).abs(), 0.5));
        }
        out.sort_by(|a, b| a.partial_cmp(b).unwrap());
        out
    }

    /// Random histories: the closed count equals the brute-force one; it does not
    /// depend on where the history starts; and a history seen once counts as many
    /// reversals (half cycles) as it has.
    #[test]
    fn random_histories_against_brute_force_and_rotation() {
        for seed in 1..20 {
            let h = random(500, seed);
            let points = turning_points(h.iter().copied());
            let ours = ranges(&points, Residue::Repeated);
            let brute = brute_force_closed(&points);
            assert_eq!(ours.len(), brute.len(), "seed {seed}");
            for (a, b) in ours.iter().zip(&brute) {
                assert!(
                    (a.0 - b.0).abs() < 1e-9 && a.1 == b.1,
                    "seed {seed}: {a:?} vs {b:?}"
                );
            }
            let k = 137 % points.len();
            let rotated: Vec<f64> = points[k..].iter().chain(&points[..k]).copied().collect();
            let again = ranges(&turning_points(rotated), Residue::Repeated);
            assert_eq!(ours, again, "seed {seed}: rotation changed the count");
            let once: f64 = ranges(&points, Residue::HalfCycles)
                .iter()
                .map(|c| 2.0 * c.1)
                .sum();
            assert_eq!(once, (points.len() - 1) as f64);
        }
    }
}
