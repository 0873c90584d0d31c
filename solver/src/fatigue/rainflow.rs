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
    let mut out: Vec<f64> = history.into_iter().collect();
    keep_turning_points(&mut out);
    out
}

/// Reduces `v` in place to its turning points, as [`turning_points`]. Branch-free
/// compaction (a kept value is written and the end advanced by a comparison's 0 or 1):
/// a random history turns at two samples in three, which would mispredict a branch.
pub fn keep_turning_points(v: &mut Vec<f64>) {
    if v.is_empty() {
        return;
    }
    // Plateaus: keep a value that differs from the one kept before it.
    let (mut k, mut last) = (1, v[0]);
    for i in 1..v.len() {
        let x = v[i];
        v[k] = x;
        let differs = x != last;
        k += differs as usize;
        last = if differs { x } else { last };
    }
    v.truncate(k);
    if v.len() < 3 {
        return;
    }
    // Reversals: keep b when the direction a → b differs from b → c (no two neighbours
    // are equal now); the first and last values always stay.
    let (mut k, mut a, mut b) = (1, v[0], v[1]);
    for i in 2..v.len() {
        let c = v[i];
        v[k] = b;
        k += ((b > a) != (c > b)) as usize;
        (a, b) = (b, c);
    }
    v[k] = b;
    v.truncate(k + 1);
}

/// Drops from turning points `v` (a closed history: its first and last values the
/// largest in magnitude) every reversal that retraces less than `gate`: the hysteresis
/// filter. The rainflow cycles of what is left are exactly those of `v` whose range is
/// at least `gate` (a smaller cycle is a loop nested in a larger one, and removing it
/// changes no other loop) — tested against the full count below. Cheap ranges that can
/// do no damage are thus never stacked.
pub fn hysteresis_filter(v: &mut Vec<f64>, gate: f64) {
    if v.len() < 3 || gate <= 0.0 {
        return;
    }
    // v[k]: the last extreme kept, which the history may still carry further while it
    // moves on in the same direction (`rising`); the start is never moved.
    let (mut k, mut rising) = (0, false);
    for i in 1..v.len() {
        let x = v[i];
        if k > 0 && (x > v[k]) == rising && x != v[k] {
            v[k] = x;
        } else if (x - v[k]).abs() >= gate {
            rising = x > v[k];
            k += 1;
            v[k] = x;
        }
    }
    v.truncate(k + 1);
}

/// A repeated history's turning points read from its largest absolute one round again
/// to it (each scaled by `scale`), into `out`: every range then closes within one pass.
pub fn close(points: &[f64], scale: f64, out: &mut Vec<f64>) {
    out.clear();
    let Some(start) =
        (0..points.len()).max_by(|&a, &b| points[a].abs().total_cmp(&points[b].abs()))
    else {
        return;
    };
    out.extend(
        points[start..]
            .iter()
            .chain(&points[..=start])
            .map(|p| p * scale),
    );
    keep_turning_points(out);
}

/// Buffers a count reuses (one per thread): a closed history and the stack.
#[derive(Default)]
pub struct Scratch {
    closed: Vec<f64>,
    stack: Vec<f64>,
}

/// The cycles of a history's turning points, `visit`ed as they are counted.
pub fn count(points: &[f64], residue: Residue, visit: impl FnMut(Cycle)) {
    count_with(points, residue, 0.0, &mut Scratch::default(), visit)
}

/// [`count`] with buffers kept between calls; a closed count ([`Residue::Repeated`])
/// leaves out the cycles whose range is less than `gate` ([`hysteresis_filter`]).
pub fn count_with(
    points: &[f64],
    residue: Residue,
    gate: f64,
    scratch: &mut Scratch,
    mut visit: impl FnMut(Cycle),
) {
    match residue {
        Residue::HalfCycles => three_point(points, true, &mut scratch.stack, &mut visit),
        Residue::Repeated => {
            if points.len() < 2 {
                return;
            }
            let closed = &mut scratch.closed;
            close(points, 1.0, closed);
            hysteresis_filter(closed, gate);
            three_point(closed, false, &mut scratch.stack, &mut visit);
        }
    }
}

/// The standard's three-point rule. A range that holds the starting point (the first
/// point still in the stack, which moves on as points are dropped) is a half cycle when
/// `half_cycles_at_start`, a full one otherwise (a closed, repeated history).
fn three_point(
    points: &[f64],
    half_cycles_at_start: bool,
    stack: &mut Vec<f64>,
    visit: &mut impl FnMut(Cycle),
) {
    // The stack is stack[..n]; its top two values are kept in registers as well.
    stack.clear();
    stack.resize(points.len(), 0.0);
    let mut n = 0;
    for &p in points {
        stack[n] = p;
        n += 1;
        while n >= 3 {
            let (a, b, c) = (stack[n - 3], stack[n - 2], stack[n - 1]);
            if (c - b).abs() < (b - a).abs() {
                break;
            }
            if n == 3 && half_cycles_at_start {
                visit(Cycle::new(a, b, 0.5));
                (stack[0], stack[1]) = (b, c);
                n = 2;
            } else {
                visit(Cycle::new(a, b, 1.0));
                stack[n - 3] = c;
                n -= 2;
            }
        }
    }
    for w in stack[..n].windows(2) {
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
            // The largest range counted either way is the history's max − min.
            let (lo, hi) = points
                .iter()
                .fold((f64::MAX, f64::MIN), |(l, h), &v| (l.min(v), h.max(v)));
            for r in [Residue::Repeated, Residue::HalfCycles] {
                let top = ranges(&points, r).last().unwrap().0;
                assert!((top - (hi - lo)).abs() < 1e-9, "seed {seed}, {r:?}");
            }
            let once: f64 = ranges(&points, Residue::HalfCycles)
                .iter()
                .map(|c| 2.0 * c.1)
                .sum();
            assert_eq!(once, (points.len() - 1) as f64);
        }
    }

    /// The gate removes exactly the closed count's cycles smaller than it: random
    /// histories, several gates, against the full count with those cycles dropped.
    #[test]
    fn hysteresis_filter_drops_exactly_the_cycles_below_the_gate() {
        for seed in 1..40 {
            // Odd seeds: values on a grid of 10, so that equal ranges and ties abound.
            let grid = |v: f64| {
                if seed % 2 == 1 {
                    (v / 10.0).round() * 10.0
                } else {
                    v
                }
            };
            let points = turning_points(random(2000, seed).into_iter().map(grid));
            let full = ranges(&points, Residue::Repeated);
            for gate in [1.0, 10.0, 30.0, 50.0, 120.0, 199.0, 1000.0] {
                let mut gated = Vec::new();
                count_with(
                    &points,
                    Residue::Repeated,
                    gate,
                    &mut Scratch::default(),
                    |c| gated.push((c.range, c.count)),
                );
                gated.sort_by(|a, b| a.partial_cmp(b).unwrap());
                let expected: Vec<_> = full.iter().copied().filter(|c| c.0 >= gate).collect();
                assert_eq!(gated, expected, "seed {seed}, gate {gate}");
            }
        }
    }
}
