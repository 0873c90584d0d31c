//! Test–analysis correlation of mode shapes: the modal assurance criterion (MAC), the
//! pairing of measured with predicted modes, and the coordinate MAC (COMAC).
//!
//! Shapes are real vectors of the same sensor components, measured and predicted (the
//! predicted shape sampled at the sensors). MAC(a, b) = (aᵀb)² / (aᵀa · bᵀb) is 1 for
//! shapes equal up to scale and 0 for orthogonal ones, whatever their scaling, so a
//! test's arbitrary normalisation does not matter. Modes are paired by an optimal
//! assignment on the MAC matrix (the Hungarian method), not by the largest MAC of each
//! row, which pairs two measured modes with one predicted mode where shapes look alike;
//! frequency breaks ties.

/// MAC of two real shapes; 0 when either is zero.
pub fn mac(a: &[f64], b: &[f64]) -> f64 {
    let dot = |x: &[f64], y: &[f64]| x.iter().zip(y).map(|(p, q)| p * q).sum::<f64>();
    let (ab, aa, bb) = (dot(a, b), dot(a, a), dot(b, b));
    if aa > 0.0 && bb > 0.0 {
        (ab * ab / (aa * bb)).min(1.0)
    } else {
        0.0
    }
}

/// The MAC matrix: a row per measured shape, a column per predicted shape.
pub fn mac_matrix(measured: &[Vec<f64>], predicted: &[Vec<f64>]) -> Vec<Vec<f64>> {
    measured
        .iter()
        .map(|m| predicted.iter().map(|p| mac(m, p)).collect())
        .collect()
}

/// Frequency ties are broken at this weight of the relative frequency difference
/// against the MAC: it decides only between shapes the MAC cannot tell apart.
const FREQUENCY_WEIGHT: f64 = 1e-6;

/// For each measured mode, the predicted mode it is paired with: the assignment that
/// maximises the summed MAC, each predicted mode used once (ties to the closer
/// frequency). `None` for measured modes left over when there are fewer predicted ones.
pub fn pair(mac: &[Vec<f64>], measured_hz: &[f64], predicted_hz: &[f64]) -> Vec<Option<usize>> {
    let (rows, cols) = (measured_hz.len(), predicted_hz.len());
    if rows == 0 || cols == 0 {
        return vec![None; rows];
    }
    let cost = |i: usize, j: usize| {
        let df =
            (measured_hz[i] - predicted_hz[j]).abs() / measured_hz[i].abs().max(f64::MIN_POSITIVE);
        1.0 - mac[i][j] + FREQUENCY_WEIGHT * df.min(1e6)
    };
    if rows <= cols {
        let costs: Vec<Vec<f64>> = (0..rows)
            .map(|i| (0..cols).map(|j| cost(i, j)).collect())
            .collect();
        assign(&costs).into_iter().map(Some).collect()
    } else {
        let costs: Vec<Vec<f64>> = (0..cols)
            .map(|j| (0..rows).map(|i| cost(i, j)).collect())
            .collect();
        let mut paired = vec![None; rows];
        for (j, i) in assign(&costs).into_iter().enumerate() {
            paired[i] = Some(j);
        }
        paired
    }
}

/// The minimum-cost assignment of `cost`'s rows to distinct columns (rows ≤ columns):
/// the Hungarian method with potentials, O(rows² · columns).
fn assign(cost: &[Vec<f64>]) -> Vec<usize> {
    let (n, m) = (cost.len(), cost[0].len());
    // 1-based rows and columns; column 0 is the free slot of the row being added.
    let (mut u, mut v) = (vec![0.0; n + 1], vec![0.0; m + 1]);
    let (mut owner, mut way) = (vec![0usize; m + 1], vec![0usize; m + 1]);
    for row in 1..=n {
        owner[0] = row;
        let (mut j0, mut slack, mut used) = (0, vec![f64::INFINITY; m + 1], vec![false; m + 1]);
        loop {
            used[j0] = true;
            let i0 = owner[j0];
            let (mut delta, mut j1) = (f64::INFINITY, 0);
            for j in 1..=m {
                if used[j] {
                    continue;
                }
                let reduced = cost[i0 - 1][j - 1] - u[i0] - v[j];
                if reduced < slack[j] {
                    (slack[j], way[j]) = (reduced, j0);
                }
                if slack[j] < delta {
                    (delta, j1) = (slack[j], j);
                }
            }
            for j in 0..=m {
                if used[j] {
                    u[owner[j]] += delta;
                    v[j] -= delta;
                } else {
                    slack[j] -= delta;
                }
            }
            j0 = j1;
            if owner[j0] == 0 {
                break;
            }
        }
        while j0 != 0 {
            let j1 = way[j0];
            owner[j0] = owner[j1];
            j0 = j1;
        }
    }
    let mut of_row = vec![0; n];
    for j in 1..=m {
        if owner[j] != 0 {
            of_row[owner[j] - 1] = j - 1;
        }
    }
    of_row
}

/// A sensor component below this (of a unit shape) in every pair does not move.
const STILL: f64 = 1e-6;

/// COMAC of each sensor component over the paired modes (measured, predicted):
/// (Σ |φm φp|)² / (Σ φm² · Σ φp²), each shape first scaled to unit length, so 1
/// where the component moves in the same proportion in every pair; NaN where neither
/// moves (its components below 1e-6 of the unit shapes' in every pair: round-off,
/// whose ratios mean nothing).
pub fn comac(pairs: &[(&[f64], &[f64])]) -> Vec<f64> {
    let unit = |x: &[f64]| {
        let norm = x.iter().map(|v| v * v).sum::<f64>().sqrt();
        x.iter()
            .map(|v| v / norm.max(f64::MIN_POSITIVE))
            .collect::<Vec<f64>>()
    };
    let len = pairs.first().map_or(0, |p| p.0.len());
    let scaled: Vec<(Vec<f64>, Vec<f64>)> = pairs.iter().map(|(m, p)| (unit(m), unit(p))).collect();
    (0..len)
        .map(|k| {
            let (mut cross, mut mm, mut pp) = (0.0, 0.0, 0.0);
            for (m, p) in &scaled {
                cross += (m[k] * p[k]).abs();
                mm += m[k] * m[k];
                pp += p[k] * p[k];
            }
            if mm.sqrt() < STILL || pp.sqrt() < STILL {
                f64::NAN
            } else {
                cross * cross / (mm * pp)
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sine shapes of a string sampled at n points: orthogonal, as M-orthogonal modes of
    /// a uniform string are.
    fn sines(modes: usize, n: usize) -> Vec<Vec<f64>> {
        (1..=modes)
            .map(|k| {
                (1..=n)
                    .map(|i| (std::f64::consts::PI * (k * i) as f64 / (n + 1) as f64).sin())
                    .collect()
            })
            .collect()
    }

    #[test]
    fn a_shape_correlates_with_itself_and_not_with_an_orthogonal_one() {
        let s = sines(4, 12);
        let m = mac_matrix(&s, &s);
        for (i, row) in m.iter().enumerate() {
            for (j, &v) in row.iter().enumerate() {
                let expected = if i == j { 1.0 } else { 0.0 };
                assert!((v - expected).abs() < 1e-12, "MAC({i}, {j}) = {v}");
            }
        }
        // Scale and sign do not matter.
        let flipped: Vec<f64> = s[1].iter().map(|v| -3.5 * v).collect();
        assert!((mac(&s[1], &flipped) - 1.0).abs() < 1e-12);
        assert_eq!(mac(&s[0], &[0.0; 12]), 0.0);
    }

    #[test]
    fn pairing_recovers_swapped_and_missing_modes() {
        let predicted = sines(5, 10);
        let hz = [10.0, 20.0, 30.0, 40.0, 50.0];
        // The test found modes 1, 2, 4 and 5 (3 missed), and lists 4 before 2.
        let noisy = |k: usize, e: f64| -> Vec<f64> {
            predicted[k]
                .iter()
                .enumerate()
                .map(|(i, v)| v + e * ((i * 7 % 5) as f64 - 2.0))
                .collect()
        };
        let measured = vec![
            noisy(0, 0.05),
            noisy(3, 0.05),
            noisy(1, 0.05),
            noisy(4, 0.05),
        ];
        let measured_hz = [10.3, 41.0, 19.6, 52.0];
        let m = mac_matrix(&measured, &predicted);
        assert_eq!(
            pair(&m, &measured_hz, &hz),
            vec![Some(0), Some(3), Some(1), Some(4)]
        );
        // Largest-MAC-per-row would pair two measured modes with one predicted mode
        // here; the assignment does not.
        let alike = vec![vec![0.9, 0.8], vec![0.85, 0.2]];
        assert_eq!(
            pair(&alike, &[1.0, 2.0], &[1.0, 2.0]),
            vec![Some(1), Some(0)]
        );
        // More measured modes than predicted: the extra one is left unpaired.
        let m = mac_matrix(&measured, &predicted[..3]);
        let paired = pair(&m, &measured_hz, &hz[..3]);
        assert_eq!(paired.iter().flatten().count(), 3);
        assert_eq!(paired[0], Some(0));
        assert_eq!(paired[2], Some(1));
    }

    #[test]
    fn equal_macs_are_paired_by_frequency() {
        let m = vec![vec![0.5, 0.5], vec![0.5, 0.5]];
        assert_eq!(
            pair(&m, &[21.0, 9.0], &[10.0, 20.0]),
            vec![Some(1), Some(0)]
        );
    }

    #[test]
    fn comac_is_one_where_every_pair_agrees_and_drops_where_one_does_not() {
        let s = sines(3, 6);
        // Sensor 2 reads each mode's value of the next mode: no consistent proportion.
        let mut wrong = s.clone();
        for (j, w) in wrong.iter_mut().enumerate() {
            w[2] = s[(j + 1) % 3][2];
        }
        let pairs: Vec<(&[f64], &[f64])> = s
            .iter()
            .zip(&wrong)
            .map(|(a, b)| (&a[..], &b[..]))
            .collect();
        let c = comac(&pairs);
        let mut still = s.clone();
        still.iter_mut().for_each(|v| v[4] = 1e-14 * (v[0] + v[1]));
        let pairs: Vec<(&[f64], &[f64])> = s
            .iter()
            .zip(&still)
            .map(|(a, b)| (&a[..], &b[..]))
            .collect();
        assert!(comac(&pairs)[4].is_nan());
        for (k, v) in c.iter().enumerate() {
            if k == 2 {
                assert!(*v < 0.9, "{c:?}");
            } else {
                assert!(*v > 0.99 && *v <= 1.0 + 1e-12, "{c:?}");
            }
        }
    }
}
