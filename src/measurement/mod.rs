//! `[[measurement]]`: test data the model is held to. A modal test (its CSV file, see
//! [`modal_csv`]) is read and its sensors placed on the mesh's surface before anything
//! is solved (a sensor off the body is an error naming it); after the solve, the modes
//! of the load case it names are sampled at the sensors along their directions and
//! correlated with the measured ones ([`vproto_solver::correlation`]): the MAC matrix,
//! the pairing, frequency errors and COMAC are tables of that load case, and its key
//! results; the criteria `min_mac` and `max_frequency_error` read the pairs.

pub mod modal_csv;

use crate::case::Case;
use crate::results::{KeyResult, Quantity, Results, Table};
use crate::units::sig;
use anyhow::Result;
use modal_csv::ModalTest;
use vproto_solver::correlation::{comac, mac_matrix, pair};
use vproto_solver::sensor::{Placed, Surface};
use vproto_solver::Mesh;

/// A sensor may lie off the meshed surface by this share of the model's size unless
/// the measurement gives its own `sensor_tolerance`.
const TOLERANCE: f64 = 0.01;

/// One measurement, read and placed.
pub struct Measurement {
    pub name: String,
    pub load_case: String,
    test: ModalTest,
    placed: Vec<Placed>,
    /// The frequency error a criterion allows, drawn as a band.
    band: Option<f64>,
}

/// The pairs table's columns: measured Hz, computed Hz, MAC, frequency error
/// (computed / measured − 1), the computed mode's number (as the results count modes,
/// from 1; NaN: unpaired).
pub const PAIR_COLUMNS: usize = 5;

/// The path of a measurement's pairs table in its load case's results.
pub fn pairs_path(name: &str) -> String {
    format!("correlation/{name}/pairs")
}

impl Measurement {
    /// Every `[[measurement]]` of the case, read and placed on the mesh.
    pub fn load_all(case: &Case, mesh: &Mesh) -> Result<Vec<Self>> {
        let surface = (!case.spec.measurement.is_empty()).then(|| Surface::of(mesh));
        let size = model_size(mesh);
        let mut all: Vec<Self> = Vec::new();
        for m in &case.spec.measurement {
            let spec = m.get_ref();
            let bad = |why: String| case.error_at(m, format!("measurement '{}': {why}", spec.name));
            if all.iter().any(|o| o.name == spec.name) {
                return Err(bad("named twice".into()));
            }
            if !case.spec.load_case.iter().any(|l| l.name == spec.load_case) {
                return Err(bad(format!("no load case is named '{}'", spec.load_case)));
            }
            let path = case.resolve(&spec.file);
            let test = modal_csv::read(&path).map_err(|e| bad(e.to_string()))?;
            let tolerance = spec.sensor_tolerance.unwrap_or(TOLERANCE * size);
            let surface = surface.as_ref().expect("made when there are measurements");
            let placed = place(mesh, surface, &test, tolerance)
                .map_err(|e| bad(format!("{}:{e}", path.display())))?;
            all.push(Self {
                name: spec.name.clone(),
                load_case: spec.load_case.clone(),
                test,
                placed,
                band: None,
            });
        }
        check_criteria(case, &mut all)?;
        Ok(all)
    }

    /// Correlates the measured modes with the elastic steps of `r` (its load case's
    /// results): tables and key results added to `r`. Errors when `r` has no modes.
    pub fn correlate(&self, r: &mut Results) -> Result<()> {
        // (mode number as the results count it, Hz, shape at the sensors)
        let steps: Vec<(usize, f64, Vec<f64>)> = (1..)
            .zip(&r.steps)
            .filter(|(_, s)| !s.rigid_body)
            .filter_map(|(k, s)| Some((k, s.value?, s.field("displacement")?)))
            .map(|(k, hz, u)| {
                (
                    k,
                    hz,
                    self.placed
                        .iter()
                        .zip(&self.test.sensors)
                        .map(|(p, s)| p.vector(&u.values).dot(&s.direction))
                        .collect(),
                )
            })
            .collect();
        if r.axis.is_none_or(|a| a.quantity != Quantity::Frequency) || steps.is_empty() {
            anyhow::bail!(
                "measurement '{}': load case '{}' has no natural modes to correlate with (it must be a modal load case)",
                self.name,
                r.name
            );
        }
        let numbers: Vec<usize> = steps.iter().map(|s| s.0).collect();
        let (hz, shapes): (Vec<f64>, Vec<Vec<f64>>) = steps.into_iter().map(|s| (s.1, s.2)).unzip();
        let test = &self.test;
        let mac = mac_matrix(&test.shapes, &shapes);
        let paired = pair(&mac, &test.frequencies, &hz);
        let mut rows = Vec::with_capacity(PAIR_COLUMNS * paired.len());
        for (i, j) in paired.iter().enumerate() {
            let f = test.frequencies[i];
            rows.extend(match *j {
                Some(j) => [f, hz[j], mac[i][j], hz[j] / f - 1.0, numbers[j] as f64],
                None => [f, f64::NAN, f64::NAN, f64::NAN, f64::NAN],
            });
        }
        let pairs: Vec<(&[f64], &[f64])> = paired
            .iter()
            .enumerate()
            .filter_map(|(i, j)| Some((&test.shapes[i][..], &shapes[(*j)?][..])))
            .collect();
        self.add_tables(r, (mac, rows, comac(&pairs)), (&hz, &numbers));
        Ok(())
    }

    fn add_tables(
        &self,
        r: &mut Results,
        (mac, pairs, comac): (Vec<Vec<f64>>, Vec<f64>, Vec<f64>),
        (hz, numbers): (&[f64], &[usize]),
    ) {
        let name = &self.name;
        let note = |t: Table, n: &str| Table {
            note: Some(n.into()),
            ..t
        };
        let worst_mac = pairs
            .chunks(PAIR_COLUMNS)
            .map(|p| p[2])
            .fold(f64::INFINITY, f64::min);
        let worst_df = pairs
            .chunks(PAIR_COLUMNS)
            .map(|p| p[3].abs())
            .fold(0.0, f64::max);
        r.tables.push(note(
            Table::new(format!("correlation/{name}/mac"), hz.len(), mac.concat()),
            "modal assurance criterion: a row per measured mode, a column per computed elastic mode",
        ));
        r.tables.push(note(
            Table::new(pairs_path(name), PAIR_COLUMNS, pairs.clone()).in_summary(),
            "per measured mode: measured Hz, computed Hz, MAC, computed/measured - 1, computed mode (numbered as the results' modes; NaN: unpaired)",
        ));
        r.tables.push(note(
            Table::new(format!("correlation/{name}/comac"), 1, comac),
            "coordinate MAC per sensor (file order) over the paired modes",
        ));
        r.key_results.extend([
            KeyResult {
                name: format!("{name}.min_mac"),
                value: worst_mac,
                quantity: Quantity::Number,
                location: None,
            },
            KeyResult {
                name: format!("{name}.max_frequency_error"),
                value: worst_df,
                quantity: Quantity::Fraction,
                location: None,
            },
        ]);
        self.plot(r, (&mac, &pairs), (hz, numbers));
        r.headline += &format!(
            "; {} measured modes of '{name}': lowest MAC {}, largest frequency error {:.2} %",
            self.test.modes.len(),
            sig(worst_mac),
            100.0 * worst_df
        );
    }
}

impl Measurement {
    /// The MAC matrix as a heat map, and the paired frequencies against the measured
    /// ones (with the band a `max_frequency_error` criterion allows).
    fn plot(
        &self,
        r: &mut Results,
        (mac, pairs): (&[Vec<f64>], &[f64]),
        (hz, numbers): (&[f64], &[usize]),
    ) {
        let name = &self.name;
        let rows: Vec<String> = (self.test.modes.iter().zip(&self.test.frequencies))
            .map(|(m, f)| format!("{m} ({} Hz)", sig(*f)))
            .collect();
        let columns: Vec<String> = (numbers.iter().zip(hz))
            .map(|(k, f)| format!("mode {k} ({} Hz)", sig(*f)))
            .collect();
        let title = format!(
            "MAC: '{name}' (rows) against load case '{}' (columns)",
            r.name
        );
        r.plots.push((
            format!("{name}_mac"),
            crate::plot::heat_map(&title, &rows, &columns, mac),
        ));
        let paired: Vec<(f64, f64)> = pairs.chunks(PAIR_COLUMNS).map(|p| (p[0], p[1])).collect();
        let axis = crate::plot::Axis::new("frequency", "Hz");
        let title = format!("paired modes of '{name}'");
        r.plots.push((
            format!("{name}_frequencies"),
            crate::plot::agreement(&title, &axis, &paired, self.band),
        ));
    }
}

/// Every correlation criterion names a measurement of the case (one in a load case,
/// a measurement of that load case) and a limit in range: a criterion that read
/// nothing would check nothing.
fn check_criteria(case: &Case, all: &mut [Measurement]) -> Result<()> {
    use crate::schema::CriterionSpec::{MaxFrequencyError, MinMac};
    let top = case.spec.criterion.iter().map(|c| (None, c));
    let own = case
        .spec
        .load_case
        .iter()
        .flat_map(|l| l.criterion.iter().map(move |c| (Some(&l.name), c)));
    for (load_case, c) in top.chain(own) {
        let (name, ok) = match c.get_ref() {
            MinMac { measurement, min } => (measurement, *min > 0.0 && *min <= 1.0),
            MaxFrequencyError { measurement, limit } => {
                (measurement, *limit > 0.0 && limit.is_finite())
            }
            _ => continue,
        };
        if !ok {
            return Err(case.error_at(
                c,
                "the limit is out of range: a MAC in (0, 1], a frequency error a fraction > 0",
            ));
        }
        let Some(m) = all.iter_mut().find(|m| &m.name == name) else {
            return Err(case.error_at(c, format!("no [[measurement]] is named '{name}'")));
        };
        if load_case.is_some_and(|l| *l != m.load_case) {
            return Err(case.error_at(
                c,
                format!(
                    "measurement '{name}' is correlated with load case '{}', not this one",
                    m.load_case
                ),
            ));
        }
        if let MaxFrequencyError { limit, .. } = c.get_ref() {
            m.band = Some(m.band.map_or(*limit, |b| b.min(*limit)));
        }
    }
    Ok(())
}

/// Every sensor placed on the surface, or an error naming the first one farther off
/// it than `tolerance`.
fn place(mesh: &Mesh, surface: &Surface, test: &ModalTest, tolerance: f64) -> Result<Vec<Placed>> {
    test.sensors
        .iter()
        .map(|s| {
            let at = surface
                .place(mesh, s.point)
                .ok_or_else(|| anyhow::anyhow!("{}: the mesh has no surface", s.line))?;
            if at.distance > tolerance {
                let p = s.point;
                anyhow::bail!(
                    "{}: sensor '{}' at ({}, {}, {}) m is {:.3e} m off the body's surface (more than the sensor tolerance {tolerance:.3e} m; set sensor_tolerance to allow more)",
                    s.line,
                    s.id,
                    sig(p.x),
                    sig(p.y),
                    sig(p.z),
                    at.distance
                );
            }
            Ok(at)
        })
        .collect()
}

/// The diagonal of the mesh's bounding box (m).
fn model_size(mesh: &Mesh) -> f64 {
    let Some(&first) = mesh.nodes.first() else {
        return 0.0;
    };
    let (mut lo, mut hi) = (first, first);
    for p in &mesh.nodes {
        lo = lo.inf(p);
        hi = hi.sup(p);
    }
    (hi - lo).norm()
}
