//! A modal test's results as CSV: measured frequencies (and damping) and the mode
//! shapes' components at sensor points, the table modal-test software exports.
//!
//! ```text
//! point, x,  y,  z,  direction, mode 1, mode 2
//! unit,  mm, mm, mm
//! frequency_hz, , , , , 112.4, 305.1
//! damping_ratio, , , , , 0.012, 0.008      (optional)
//! S1, 100, 0, 50, +z, 0.013, -0.22
//! ```
//!
//! Every sensor row gives its point (in the `unit` row's length unit: m or mm — there
//! is no default, a test's coordinates are as often in mm as in m), its measuring
//! direction (`+x` … `-z`, or three numbers) and one real component per mode. Lines
//! starting with `#` and empty lines are skipped. Anything else is an error naming the
//! file, line and column.

use anyhow::{anyhow, bail, Result};
use nalgebra::Vector3;
use std::path::Path;

/// One sensor: its id, point (m), unit measuring direction, and where it was given.
#[derive(Clone, Debug, PartialEq)]
pub struct Sensor {
    pub id: String,
    pub point: Vector3<f64>,
    pub direction: Vector3<f64>,
    pub line: usize,
}

/// A modal test: mode names, frequencies (Hz), optional damping ratios, the sensors,
/// and each mode's shape (one component per sensor, in sensor order).
#[derive(Clone, Debug, PartialEq)]
pub struct ModalTest {
    pub modes: Vec<String>,
    pub frequencies: Vec<f64>,
    pub damping: Option<Vec<f64>>,
    pub sensors: Vec<Sensor>,
    pub shapes: Vec<Vec<f64>>,
}

const COLUMNS: [&str; 5] = ["point", "x", "y", "z", "direction"];

/// Reads a modal test CSV file.
pub fn read(path: &Path) -> Result<ModalTest> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| anyhow!("{}: cannot read the modal test data: {e}", path.display()))?;
    parse(&text).map_err(|e| anyhow!("{}:{e}", path.display()))
}

/// Parses the CSV text; errors start with the line number.
pub fn parse(text: &str) -> Result<ModalTest> {
    let mut rows = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'))
        .map(|(i, l)| (i, l.split(',').map(str::trim).collect::<Vec<&str>>()));
    let (line, header) = rows
        .next()
        .ok_or_else(|| anyhow!("1: the file has no header row"))?;
    let named: Vec<String> = header.iter().map(|h| h.to_ascii_lowercase()).collect();
    if named.len() < 6 || named[..5] != COLUMNS {
        bail!(
            "{line}: the header must start with the columns {} and name one mode a column after them, got '{}'",
            COLUMNS.join(", "),
            header.join(", ")
        );
    }
    let modes: Vec<String> = header[5..].iter().map(|s| s.to_string()).collect();
    let mut test = ModalTest {
        frequencies: Vec::new(),
        damping: None,
        sensors: Vec::new(),
        shapes: vec![Vec::new(); modes.len()],
        modes,
    };
    let mut scale = None;
    for (line, row) in rows {
        match row[0].to_ascii_lowercase().as_str() {
            "unit" => scale = Some(unit(line, &row)?),
            "frequency_hz" => {
                test.frequencies = per_mode(
                    line,
                    &row,
                    test.modes.len(),
                    "frequency",
                    (0.0, f64::INFINITY),
                )?
            }
            "damping_ratio" => {
                test.damping = Some(per_mode(
                    line,
                    &row,
                    test.modes.len(),
                    "damping ratio",
                    (0.0, 1.0),
                )?)
            }
            _ => {
                let scale = scale.ok_or_else(|| anyhow!("{line}: a sensor row before the 'unit' row: give the coordinates' unit (m or mm) first"))?;
                sensor_row(&mut test, line, &row, scale)?;
            }
        }
    }
    if test.frequencies.is_empty() {
        bail!(
            "{}: no 'frequency_hz' row: give each mode's measured frequency",
            line
        );
    }
    if test.sensors.is_empty() {
        bail!("{line}: no sensor rows");
    }
    Ok(test)
}

/// The `unit` row: the same length unit for x, y and z; its factor to metres.
fn unit(line: usize, row: &[&str]) -> Result<f64> {
    let units: Vec<&str> = row.iter().skip(1).take(3).copied().collect();
    let factor = |u: &str| match u {
        "m" => Some(1.0),
        "mm" => Some(1e-3),
        _ => None,
    };
    match units.as_slice() {
        [a, b, c] if a == b && b == c => factor(a)
            .ok_or_else(|| anyhow!("{line}: unit '{a}' is not a length unit vproto reads (m or mm)")),
        _ => bail!("{line}: the 'unit' row must give one length unit (m or mm) for each of x, y and z, got '{}'", units.join(", ")),
    }
}

/// A row of one number per mode column, each within (lo, hi).
fn per_mode(
    line: usize,
    row: &[&str],
    modes: usize,
    what: &str,
    (lo, hi): (f64, f64),
) -> Result<Vec<f64>> {
    if row.len() != 5 + modes {
        bail!(
            "{line}: {} columns where the header has {}",
            row.len(),
            5 + modes
        );
    }
    row[5..]
        .iter()
        .enumerate()
        .map(|(k, s)| {
            let v: f64 = s
                .parse()
                .map_err(|_| anyhow!("{line}, column {}: the {what} '{s}' is no number", k + 6))?;
            if v.is_finite() && v > lo && v < hi {
                Ok(v)
            } else {
                Err(anyhow!(
                    "{line}, column {}: the {what} {v} is out of range ({lo}, {hi})",
                    k + 6
                ))
            }
        })
        .collect()
}

/// A sensor row: id, coordinates, direction and one component per mode.
fn sensor_row(test: &mut ModalTest, line: usize, row: &[&str], scale: f64) -> Result<()> {
    let modes = test.modes.len();
    if row.len() != 5 + modes {
        bail!(
            "{line}: sensor '{}' has {} columns where the header has {}",
            row[0],
            row.len(),
            5 + modes
        );
    }
    let id = row[0].to_string();
    if let Some(s) = test.sensors.iter().find(|s| s.id == id) {
        bail!(
            "{line}: sensor '{id}' is given twice (first on line {})",
            s.line
        );
    }
    let number = |k: usize, what: &str| -> Result<f64> {
        let v: f64 = row[k].parse().map_err(|_| {
            anyhow!(
                "{line}, column {}: sensor '{id}': the {what} '{}' is no number",
                k + 1,
                row[k]
            )
        })?;
        if v.is_finite() {
            Ok(v)
        } else {
            Err(anyhow!(
                "{line}, column {}: sensor '{id}': the {what} is not finite",
                k + 1
            ))
        }
    };
    let point = Vector3::new(number(1, "x")?, number(2, "y")?, number(3, "z")?) * scale;
    let direction = direction(row[4]).ok_or_else(|| {
        anyhow!("{line}, column 5: sensor '{id}': direction '{}' is neither ±x, ±y, ±z nor three numbers of a non-zero vector", row[4])
    })?;
    for (k, shape) in test.shapes.iter_mut().enumerate() {
        shape.push(number(5 + k, &format!("component of '{}'", test.modes[k]))?);
    }
    test.sensors.push(Sensor {
        id,
        point,
        direction,
        line,
    });
    Ok(())
}

/// `+x` … `-z`, or "a b c": a unit vector.
fn direction(s: &str) -> Option<Vector3<f64>> {
    let axis = |c: &str| match c {
        "x" => Some(Vector3::x()),
        "y" => Some(Vector3::y()),
        "z" => Some(Vector3::z()),
        _ => None,
    };
    let lower = s.to_ascii_lowercase();
    let v = match lower.as_bytes().first()? {
        b'+' => axis(&lower[1..])?,
        b'-' => -axis(&lower[1..])?,
        _ => {
            let v: Vec<f64> = lower
                .split_whitespace()
                .map(|w| w.parse().ok())
                .collect::<Option<_>>()?;
            match v.as_slice() {
                [a, b, c] => Vector3::new(*a, *b, *c),
                _ => return None,
            }
        }
    };
    let norm = v.norm();
    (norm.is_finite() && norm > 0.0).then(|| v / norm)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "# a modal test\n\
        point, x, y, z, direction, mode 1, mode 2\n\
        unit, mm, mm, mm\n\
        frequency_hz, , , , , 112.4, 305.1\n\
        damping_ratio, , , , , 0.012, 0.008\n\
        S1, 100, 0, 50, +z, 0.013, -0.22\n\
        S2, 200, 0, 50, 0 3 4, 0.5, 1e-1\n";

    #[test]
    fn a_modal_test_is_read_in_metres_with_unit_directions() {
        let t = parse(GOOD).unwrap();
        assert_eq!(t.modes, ["mode 1", "mode 2"]);
        assert_eq!(t.frequencies, [112.4, 305.1]);
        assert_eq!(t.damping, Some(vec![0.012, 0.008]));
        assert_eq!(t.sensors[0].point, Vector3::new(0.1, 0.0, 0.05));
        assert_eq!(t.sensors[1].direction, Vector3::new(0.0, 0.6, 0.8));
        assert_eq!(t.sensors[1].line, 7);
        assert_eq!(t.shapes, [vec![0.013, 0.5], vec![-0.22, 0.1]]);
    }

    #[test]
    fn bad_modal_tests_are_refused_at_their_line() {
        for (edit, why) in [
            (
                GOOD.replace("direction, ", ""),
                "2: the header must start with the columns",
            ),
            (
                GOOD.replace("unit, mm, mm, mm\n", ""),
                "5: a sensor row before the 'unit' row",
            ),
            (
                GOOD.replace("unit, mm, mm, mm", "unit, mm, m, mm"),
                "3: the 'unit' row must give one length unit",
            ),
            (
                GOOD.replace("unit, mm, mm, mm", "unit, in, in, in"),
                "3: unit 'in' is not a length unit",
            ),
            (
                GOOD.replace("frequency_hz, , , , , 112.4, 305.1\n", ""),
                "no 'frequency_hz' row",
            ),
            (
                GOOD.replace("112.4", "-1"),
                "4, column 6: the frequency -1 is out of range",
            ),
            (
                GOOD.replace("S2,", "S1,"),
                "7: sensor 'S1' is given twice (first on line 6)",
            ),
            (
                GOOD.replace(", -0.22", ""),
                "6: sensor 'S1' has 6 columns where the header has 7",
            ),
            (
                GOOD.replace("+z", "up"),
                "6, column 5: sensor 'S1': direction 'up'",
            ),
            (
                GOOD.replace("0 3 4", "0 0 0"),
                "7, column 5: sensor 'S2': direction '0 0 0'",
            ),
            (
                GOOD.replace("1e-1", "abc"),
                "7, column 7: sensor 'S2': the component of 'mode 2' 'abc' is no number",
            ),
            (
                GOOD.replace("0.012", "1.5"),
                "5, column 6: the damping ratio 1.5 is out of range",
            ),
        ] {
            let e = parse(&edit).unwrap_err().to_string();
            assert!(e.contains(why), "{e}\nwanted: {why}");
        }
    }
}
