//! The load path: the load factor as a piecewise linear function of pseudo-time, from
//! the unloaded part at time 0 — Abaqus's and CalculiX's `*AMPLITUDE` over a static
//! step. A proof test is 0 → 1 → 0, a cyclic one 0 → 1 → −1 → 0. Pseudo-time only
//! orders the states (the materials are rate-independent); the increments are steps of
//! it and land on every corner, so a reversal is never cut off.

/// The load factor through (time, factor) corners.
#[derive(Clone, Debug, PartialEq)]
pub struct LoadPath {
    corners: Vec<(f64, f64)>,
}

impl LoadPath {
    /// Through `(time, factor)` corners from (0, 0): finite, times rising from > 0
    /// (a corner at time 0 must be the unloaded start itself).
    pub fn new(corners: &[(f64, f64)]) -> Result<Self, String> {
        let mut out = Vec::with_capacity(corners.len());
        let mut before = 0.0;
        for (k, &(t, f)) in corners.iter().enumerate() {
            if !(t.is_finite() && f.is_finite()) {
                return Err(format!("point {}: ({t}, {f}) must be finite", k + 1));
            }
            if t == 0.0 && k == 0 {
                if f != 0.0 {
                    return Err(format!(
                        "point 1: load factor {f} at time 0: the path starts unloaded (0 at time 0)"
                    ));
                }
                continue;
            }
            if t <= before {
                return Err(format!(
                    "point {}: time {t} must come after {before} (times rise)",
                    k + 1
                ));
            }
            out.push((t, f));
            before = t;
        }
        if out.iter().all(|c| c.1 == 0.0) {
            return Err("the load factor is 0 all along: nothing is loaded".into());
        }
        Ok(Self { corners: out })
    }

    /// Through the load factors in turn, pseudo-time being the path's length Σ|Δλ| (so a
    /// step of time is a step of load factor); repeated factors are passed over.
    pub fn through(factors: &[f64]) -> Result<Self, String> {
        let mut corners = Vec::with_capacity(factors.len());
        let (mut t, mut f0) = (0.0, 0.0);
        for &f in factors {
            if !f.is_finite() {
                return Err(format!("load factor {f} must be finite"));
            }
            if f != f0 {
                t += (f - f0).abs();
                corners.push((t, f));
                f0 = f;
            }
        }
        Self::new(&corners)
    }

    /// The corners (time, factor), the unloaded start left out.
    pub fn corners(&self) -> &[(f64, f64)] {
        &self.corners
    }

    /// The path's last time.
    pub fn end(&self) -> f64 {
        self.corners[self.corners.len() - 1].0
    }

    /// The largest load factor along the path (≥ 0).
    pub fn peak(&self) -> f64 {
        self.corners.iter().fold(0.0, |m, c| m.max(c.1.abs()))
    }

    /// The load factor at the path's end.
    pub fn last(&self) -> f64 {
        self.corners[self.corners.len() - 1].1
    }

    /// The load factor at time `t` (0 before the start, the last after the end).
    pub fn factor(&self, t: f64) -> f64 {
        let k = self.corners.partition_point(|c| c.0 < t);
        let Some(&(t1, f1)) = self.corners.get(k) else {
            return self.last();
        };
        let (t0, f0) = k.checked_sub(1).map_or((0.0, 0.0), |j| self.corners[j]);
        if t <= t0 {
            return f0;
        }
        f0 + (f1 - f0) * (t - t0) / (t1 - t0)
    }

    /// The first corner's time after `t`: where the next increment must stop at the
    /// latest.
    pub fn corner_after(&self, t: f64) -> Option<f64> {
        self.corners.iter().map(|c| c.0).find(|&c| c > t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn factors_between_corners_are_linear() {
        let p = LoadPath::new(&[(0.0, 0.0), (0.5, 1.0), (1.5, -1.0), (2.0, 0.0)]).unwrap();
        for (t, f) in [
            (0.25, 0.5),
            (0.5, 1.0),
            (1.0, 0.0),
            (1.25, -0.5),
            (2.0, 0.0),
            (3.0, 0.0),
        ] {
            assert!((p.factor(t) - f).abs() < 1e-15, "{t}: {}", p.factor(t));
        }
        assert_eq!(p.corner_after(0.5), Some(1.5));
        assert_eq!(p.corner_after(2.0), None);
        assert_eq!((p.peak(), p.end(), p.last()), (1.0, 2.0, 0.0));
        let q = LoadPath::through(&[2.0, 2.0, 0.0]).unwrap();
        assert_eq!(q.corners(), &[(2.0, 2.0), (4.0, 0.0)]);
    }

    #[test]
    fn bad_paths_are_refused() {
        for bad in [
            vec![(0.0, 1.0), (1.0, 1.0)],
            vec![(1.0, 1.0), (1.0, 0.0)],
            vec![(1.0, 1.0), (0.5, 0.0)],
            vec![(1.0, f64::NAN)],
            vec![(1.0, 0.0)],
            vec![],
        ] {
            assert!(LoadPath::new(&bad).is_err(), "{bad:?}");
        }
        assert!(LoadPath::through(&[0.0]).is_err());
    }
}
