//! SVG plots for sweep reports and mechanism histories: scatter plots coloured by
//! verdict (with a line through the Pareto front) and line plots of named series.
//!
//! What a reader must be able to trust: ticks are "nice" numbers (1, 2, 2.5, 5 × 10ᵏ)
//! drawn exactly at their values, one number format per axis with the common power of
//! ten moved into the axis label (as an SI prefix where the unit takes one), a unit on
//! every axis, a dashed line at zero where it matters (margin = 0 divides pass from
//! fail), magnitudes on axes that never run below zero, and series told apart by colour,
//! dash and marker, with a legend. Hand-written rather than a plotting crate: the
//! whole of it is this file, and it builds in no time.

use std::fmt::Write;

/// One plotted point: x, y, passing.
pub type Point = (f64, f64, bool);

/// What an axis shows.
#[derive(Clone, Debug)]
pub struct Axis {
    /// The quantity (`mass`, `worst margin of safety`).
    pub label: String,
    /// Its unit as given (`kg`, `s`); empty for a pure number.
    pub unit: String,
    /// A magnitude (mass, time): its axis never runs below zero.
    pub magnitude: bool,
    /// Draw a dashed line where the value is zero.
    pub zero_line: bool,
    /// Logarithmic, with a tick at every decade (frequency, PSD); values ≤ 0 are not
    /// drawn.
    pub log: bool,
}

impl Axis {
    pub fn new(label: &str, unit: &str) -> Self {
        Self {
            label: label.to_string(),
            unit: unit.to_string(),
            magnitude: false,
            zero_line: false,
            log: false,
        }
    }

    pub fn log(mut self) -> Self {
        self.log = true;
        self
    }

    pub fn magnitude(mut self) -> Self {
        self.magnitude = true;
        self
    }

    pub fn zero_line(mut self) -> Self {
        self.zero_line = true;
        self
    }
}

const W: f64 = 640.0;
const H: f64 = 420.0;
const MARGIN: (f64, f64, f64, f64) = (84.0, 20.0, 44.0, 55.0); // left, right, top, bottom
/// The baseline of the legend row, between the title and the plotting area.
const LEGEND_Y: f64 = 36.0;

/// Ticks of one axis: their values (the axis runs from the first to the last), and the
/// power of ten and decimals every label shares.
#[derive(Debug)]
struct Ticks {
    values: Vec<f64>,
    exponent: i32,
    decimals: usize,
    log: bool,
}

impl Ticks {
    /// The ticks of `axis` over `values`.
    fn of(axis: &Axis, values: impl Iterator<Item = f64>, pad: bool) -> Self {
        if axis.log {
            Self::decades(values)
        } else {
            Self::cover(values, axis.magnitude, pad)
        }
    }

    /// Every decade covering the positive finite `values`.
    fn decades(values: impl Iterator<Item = f64>) -> Self {
        let (lo, hi) = values
            .filter(|v| v.is_finite() && *v > 0.0)
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
                (a.min(v), b.max(v))
            });
        let (lo, hi) = if lo.is_finite() {
            (lo, hi)
        } else {
            (1.0, 10.0)
        };
        let first = lo.log10().floor() as i32;
        let last = (hi.log10().ceil() as i32).max(first + 1);
        Self {
            values: (first..=last).map(|k| 10f64.powi(k)).collect(),
            exponent: 0,
            decimals: 0,
            log: true,
        }
    }

    /// Position of `v` along the axis, 0 at the first tick and 1 at the last.
    fn fraction(&self, v: f64) -> f64 {
        let t = |x: f64| if self.log { x.log10() } else { x };
        (t(v) - t(self.lo())) / (t(self.hi()) - t(self.lo()))
    }

    /// About five nice ticks covering the finite `values` (with 3 % room on either side
    /// when `pad`, so no marker sits on the frame).
    fn cover(values: impl Iterator<Item = f64>, magnitude: bool, pad: bool) -> Self {
        let (mut lo, mut hi) = values
            .filter(|v| v.is_finite())
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
                (a.min(v), b.max(v))
            });
        if !lo.is_finite() {
            (lo, hi) = (0.0, 1.0);
        }
        if pad {
            let room = 0.03 * (hi - lo);
            (lo, hi) = (lo - room, hi + room);
        }
        if magnitude {
            lo = lo.max(0.0);
            hi = hi.max(lo);
        }
        if hi - lo <= 1e-12 * hi.abs().max(lo.abs()) {
            let pad = if lo == 0.0 { 1.0 } else { 0.1 * lo.abs() };
            (lo, hi) = (lo - pad, hi + pad);
            if magnitude {
                lo = lo.max(0.0);
            }
        }
        let step = nice_step((hi - lo) / 5.0);
        let first = (lo / step).floor() as i64;
        let last = (hi / step).ceil() as i64;
        let values: Vec<f64> = (first..=last).map(|k| k as f64 * step).collect();
        let largest = values.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        // Plain numbers from 0.01 to 9999; beyond, a power of ten that is a multiple
        // of three (an SI prefix) moves into the title.
        let exponent = if largest > 0.0 && !(1e-2..1e4).contains(&largest) {
            3 * (largest.log10().floor() as i32).div_euclid(3)
        } else {
            0
        };
        let scaled_step = step / 10f64.powi(exponent);
        let mut decimals = (-scaled_step.log10().floor()).max(0.0) as usize;
        if (scaled_step * 10f64.powi(decimals as i32)).fract().abs() > 1e-9 {
            decimals += 1; // 2.5 × 10ᵏ
        }
        Self {
            values,
            exponent,
            decimals,
            log: false,
        }
    }

    fn lo(&self) -> f64 {
        self.values[0]
    }

    fn hi(&self) -> f64 {
        self.values[self.values.len() - 1]
    }

    fn label(&self, v: f64) -> String {
        if self.log {
            let k = v.log10().round() as i32;
            return if (0..4).contains(&k) {
                format!("{}", 10f64.powi(k))
            } else {
                format!("10{}", superscript(k))
            };
        }
        let x = v / 10f64.powi(self.exponent);
        let s = format!("{x:.*}", self.decimals);
        if s.trim_start_matches('-')
            .chars()
            .all(|c| c == '0' || c == '.')
        {
            "0".into()
        } else {
            s.replace('-', "−")
        }
    }

    /// The axis title: `mass [kg]`, `time [ms]`, `force [×10⁶ N]`.
    fn title(&self, axis: &Axis) -> String {
        let unit = match (self.exponent, axis.unit.as_str()) {
            (0, "") => String::new(),
            (0, u) => format!(" [{u}]"),
            (e, u) => match si_prefix(e, u) {
                Some(p) => format!(" [{p}{u}]"),
                None if u.is_empty() => format!(" [×10{}]", superscript(e)),
                None => format!(" [×10{} {u}]", superscript(e)),
            },
        };
        format!("{}{unit}", axis.label)
    }
}

/// 1, 2, 2.5 or 5 × 10ᵏ, the smallest not below `raw`.
fn nice_step(raw: f64) -> f64 {
    let raw = if raw.is_finite() && raw > 0.0 {
        raw
    } else {
        1.0
    };
    let p = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .map(|m| m * p)
        .find(|s| *s >= raw * (1.0 - 1e-12))
        .unwrap_or(10.0 * p)
}

/// The SI prefix for 10^e on a unit that takes one (`m`, `s`, `N`, `Pa`, `J`, `W`,
/// `Hz`; not `kg`).
fn si_prefix(e: i32, unit: &str) -> Option<&'static str> {
    const PREFIXED: [&str; 9] = ["m", "s", "N", "Pa", "J", "W", "Hz", "N m", "V"];
    if !PREFIXED.contains(&unit) {
        return None;
    }
    Some(match e {
        -9 => "n",
        -6 => "µ",
        -3 => "m",
        3 => "k",
        6 => "M",
        9 => "G",
        _ => return None,
    })
}

fn superscript(e: i32) -> String {
    e.to_string()
        .chars()
        .map(|c| match c {
            '-' => '⁻',
            d => ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹']
                [d.to_digit(10).unwrap_or(0) as usize],
        })
        .collect()
}

/// The plotting area: tick ranges mapped onto the SVG canvas.
struct Frame {
    x: Ticks,
    y: Ticks,
}

impl Frame {
    fn sx(&self, x: f64) -> f64 {
        let (l, r, _, _) = MARGIN;
        l + self.x.fraction(x) * (W - l - r)
    }

    fn sy(&self, y: f64) -> f64 {
        let (_, _, t, b) = MARGIN;
        H - b - self.y.fraction(y) * (H - t - b)
    }

    /// The SVG header, frame, grid, ticks, zero lines, title and axis titles (the caller
    /// closes `</svg>`).
    fn draw(&self, title: &str, x: &Axis, y: &Axis) -> String {
        let (l, r, t, b) = MARGIN;
        let mut s = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{W}\" height=\"{H}\" font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n<text x=\"{}\" y=\"18\" text-anchor=\"middle\" font-size=\"14\">{}</text>\n",
            W / 2.0,
            escape(title)
        );
        for &v in &self.x.values {
            let px = self.sx(v);
            let _ = writeln!(
                s,
                "<line x1=\"{px:.2}\" y1=\"{t}\" x2=\"{px:.2}\" y2=\"{}\" stroke=\"#eee\"/>\n<text class=\"xtick\" x=\"{px:.2}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
                H - b,
                H - b + 16.0,
                self.x.label(v)
            );
        }
        for &v in &self.y.values {
            let py = self.sy(v);
            let _ = writeln!(
                s,
                "<line x1=\"{l}\" y1=\"{py:.2}\" x2=\"{}\" y2=\"{py:.2}\" stroke=\"#eee\"/>\n<text class=\"ytick\" x=\"{:.1}\" y=\"{py:.2}\" dy=\"4\" text-anchor=\"end\">{}</text>",
                W - r,
                l - 6.0,
                self.y.label(v)
            );
        }
        if x.zero_line && self.x.lo() < 0.0 && self.x.hi() > 0.0 {
            let px = self.sx(0.0);
            let _ = writeln!(s, "<line class=\"zero\" x1=\"{px:.2}\" y1=\"{t}\" x2=\"{px:.2}\" y2=\"{}\" stroke=\"black\" stroke-dasharray=\"6 4\"/>", H - b);
        }
        if y.zero_line && self.y.lo() <= 0.0 && self.y.hi() >= 0.0 {
            let py = self.sy(0.0);
            let _ = writeln!(s, "<line class=\"zero\" x1=\"{l}\" y1=\"{py:.2}\" x2=\"{}\" y2=\"{py:.2}\" stroke=\"black\" stroke-dasharray=\"6 4\"/>", W - r);
        }
        let _ = writeln!(
            s,
            "<rect x=\"{l}\" y=\"{t}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"black\"/>\n<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>\n<text transform=\"translate(14 {:.1}) rotate(-90)\" text-anchor=\"middle\">{}</text>",
            W - l - r,
            H - t - b,
            (l + W - r) / 2.0,
            H - 12.0,
            escape(&self.x.title(x)),
            (t + H - b) / 2.0,
            escape(&self.y.title(y))
        );
        s
    }
}

/// A scatter plot of `points` (green pass, red fail), with `line` (indices into
/// `points`) drawn through in order.
pub fn scatter(title: &str, x: &Axis, y: &Axis, points: &[Point], line: &[usize]) -> String {
    let frame = Frame {
        x: Ticks::of(x, points.iter().map(|p| p.0), true),
        y: Ticks::of(y, points.iter().map(|p| p.1), true),
    };
    let mut s = frame.draw(title, x, y);
    if line.len() > 1 {
        let path: Vec<String> = line
            .iter()
            .map(|&i| format!("{:.2},{:.2}", frame.sx(points[i].0), frame.sy(points[i].1)))
            .collect();
        let _ = writeln!(
            s,
            "<polyline points=\"{}\" fill=\"none\" stroke=\"#555\" stroke-dasharray=\"4 3\"/>",
            path.join(" ")
        );
    }
    for &(px, py, pass) in points.iter().filter(|p| p.0.is_finite() && p.1.is_finite()) {
        let (colour, shape) = if pass {
            ("#2a9d3f", "circle")
        } else {
            ("#d62728", "cross")
        };
        s += "<g class=\"datum\">";
        s += &marker(shape, frame.sx(px), frame.sy(py), colour);
        s += "</g>\n";
    }
    let (r, w, y) = (MARGIN.1, W, LEGEND_Y);
    s += &marker("circle", w - r - 120.0, y - 4.0, "#2a9d3f");
    s += &marker("cross", w - r - 60.0, y - 4.0, "#d62728");
    let _ = writeln!(
        s,
        "<text x=\"{:.1}\" y=\"{y}\">pass</text><text x=\"{:.1}\" y=\"{y}\">fail</text>",
        w - r - 112.0,
        w - r - 52.0
    );
    if line.len() > 1 {
        let _ = writeln!(s, "<line x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"#555\" stroke-dasharray=\"4 3\"/><text x=\"{:.1}\" y=\"{y}\">Pareto front</text>", MARGIN.0, y - 4.0, MARGIN.0 + 24.0, y - 4.0, MARGIN.0 + 28.0);
    }
    s += "</svg>\n";
    s
}

const STYLES: [(&str, &str, &str); 6] = [
    ("#1f77b4", "", "circle"),
    ("#d62728", "6 3", "square"),
    ("#2a9d3f", "2 3", "triangle"),
    ("#ff7f0e", "8 3 2 3", "cross"),
    ("#9467bd", "12 4", "diamond"),
    ("#8c564b", "1 2", "circle"),
];

/// A line plot of named series of (x, y) points: each its own colour, dash and marker
/// (about eight markers along it), named in a legend.
pub fn lines(title: &str, x: &Axis, y: &Axis, series: &[(String, Vec<(f64, f64)>)]) -> String {
    let all = || series.iter().flat_map(|(_, p)| p.iter());
    let frame = Frame {
        x: Ticks::of(x, all().map(|p| p.0), false),
        y: Ticks::of(y, all().map(|p| p.1), false),
    };
    let mut s = frame.draw(title, x, y);
    for (k, (name, points)) in series.iter().enumerate() {
        let (colour, dash, shape) = STYLES[k % STYLES.len()];
        let finite: Vec<(f64, f64)> = points
            .iter()
            .copied()
            .filter(|p| p.0.is_finite() && p.1.is_finite())
            .filter(|p| (!x.log || p.0 > 0.0) && (!y.log || p.1 > 0.0))
            .collect();
        let path: Vec<String> = finite
            .iter()
            .map(|&(px, py)| format!("{:.2},{:.2}", frame.sx(px), frame.sy(py)))
            .collect();
        let _ = writeln!(
            s,
            "<polyline points=\"{}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"1.5\" stroke-dasharray=\"{dash}\"/>",
            path.join(" ")
        );
        // Markers offset per series, so coinciding curves still show each marker.
        let every = (finite.len() / 8).max(1);
        for &(px, py) in finite.iter().skip(k * every / STYLES.len()).step_by(every) {
            s += &marker(shape, frame.sx(px), frame.sy(py), colour);
        }
        let (lx, ly) = (MARGIN.0 + 8.0, MARGIN.2 + 14.0 + 15.0 * k as f64);
        let _ = writeln!(
            s,
            "<line x1=\"{lx:.1}\" y1=\"{ly:.1}\" x2=\"{:.1}\" y2=\"{ly:.1}\" stroke=\"{colour}\" stroke-width=\"1.5\" stroke-dasharray=\"{dash}\"/>",
            lx + 24.0
        );
        s += &marker(shape, lx + 12.0, ly, colour);
        let _ = writeln!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" fill=\"{colour}\">{}</text>",
            lx + 30.0,
            ly + 4.0,
            escape(name)
        );
    }
    s += "</svg>\n";
    s
}

/// Computed against measured values (frequencies of paired modes): the line y = x,
/// dashed lines at ± `band` (a fraction) when given, a marker per pair (green inside
/// the band, red outside; blue without a band).
pub fn agreement(title: &str, axis: &Axis, pairs: &[(f64, f64)], band: Option<f64>) -> String {
    let b = band.unwrap_or(0.0);
    let all = || {
        pairs
            .iter()
            .flat_map(|&(m, c)| [m, c, m * (1.0 + b), m * (1.0 - b)])
    };
    let (x, y) = (
        Axis::new(&format!("measured {}", axis.label), &axis.unit),
        Axis::new(&format!("computed {}", axis.label), &axis.unit),
    );
    let frame = Frame {
        x: Ticks::of(&x, all(), true),
        y: Ticks::of(&y, all(), true),
    };
    let mut s = frame.draw(title, &x, &y);
    let (lo, hi) = (frame.x.lo(), frame.x.hi());
    // y = k x within the frame (both axes span the same values).
    let mut segment = |k: f64, dash: &str| {
        let (x0, x1) = (lo.max(lo / k), hi.min(hi / k));
        let _ = writeln!(
            s,
            "<line x1=\"{:.2}\" y1=\"{:.2}\" x2=\"{:.2}\" y2=\"{:.2}\" stroke=\"#555\" stroke-dasharray=\"{dash}\"/>",
            frame.sx(x0),
            frame.sy(k * x0),
            frame.sx(x1),
            frame.sy(k * x1)
        );
    };
    segment(1.0, "");
    if b > 0.0 {
        segment(1.0 + b, "6 4");
        segment(1.0 - b, "6 4");
    }
    for &(m, c) in pairs.iter().filter(|p| p.0.is_finite() && p.1.is_finite()) {
        let (colour, shape) = match band {
            None => ("#1f77b4", "circle"),
            Some(b) if (c / m - 1.0).abs() <= b => ("#2a9d3f", "circle"),
            Some(_) => ("#d62728", "cross"),
        };
        s += &marker(shape, frame.sx(m), frame.sy(c), colour);
    }
    if b > 0.0 {
        let _ = writeln!(
            s,
            "<text x=\"{:.1}\" y=\"{LEGEND_Y}\">dashed: ±{} %</text>",
            MARGIN.0,
            100.0 * b
        );
    }
    s + "</svg>\n"
}

/// A matrix of values in [0, 1] (a MAC matrix) as grey cells, darker for larger,
/// each with its value, rows and columns labelled.
pub fn heat_map(title: &str, rows: &[String], columns: &[String], values: &[Vec<f64>]) -> String {
    let (left, top, cell) = (150.0, 150.0, 44.0);
    let (w, h) = (
        left + cell * columns.len() as f64 + 110.0,
        top + cell * rows.len() as f64 + 20.0,
    );
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" font-family=\"sans-serif\" font-size=\"11\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n<text x=\"{:.1}\" y=\"18\" text-anchor=\"middle\" font-size=\"14\">{}</text>\n",
        w / 2.0,
        escape(title)
    );
    for (j, c) in columns.iter().enumerate() {
        let x = left + cell * (j as f64 + 0.5);
        let _ = writeln!(
            s,
            "<text transform=\"translate({x:.1} {:.1}) rotate(-60)\">{}</text>",
            top - 6.0,
            escape(c)
        );
    }
    for (i, (r, row)) in rows.iter().zip(values).enumerate() {
        let y = top + cell * i as f64;
        let _ = writeln!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            left - 6.0,
            y + cell / 2.0 + 4.0,
            escape(r)
        );
        for (j, &v) in row.iter().enumerate() {
            let v = if v.is_finite() {
                v.clamp(0.0, 1.0)
            } else {
                0.0
            };
            let grey = (255.0 * (1.0 - v)).round() as u8;
            let ink = if v > 0.5 { "white" } else { "black" };
            let x = left + cell * j as f64;
            let _ = writeln!(
                s,
                "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{cell}\" height=\"{cell}\" fill=\"rgb({grey},{grey},{grey})\" stroke=\"#999\"/><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"{ink}\">{v:.2}</text>",
                x + cell / 2.0,
                y + cell / 2.0 + 4.0
            );
        }
    }
    s + "</svg>\n"
}

fn marker(shape: &str, x: f64, y: f64, colour: &str) -> String {
    match shape {
        "square" => format!("<rect x=\"{:.2}\" y=\"{:.2}\" width=\"7\" height=\"7\" fill=\"{colour}\"/>\n", x - 3.5, y - 3.5),
        "triangle" => format!("<polygon points=\"{:.2},{:.2} {:.2},{:.2} {:.2},{:.2}\" fill=\"{colour}\"/>\n", x, y - 4.5, x - 4.0, y + 3.5, x + 4.0, y + 3.5),
        "diamond" => format!("<polygon points=\"{:.2},{:.2} {:.2},{:.2} {:.2},{:.2} {:.2},{:.2}\" fill=\"{colour}\"/>\n", x, y - 4.5, x + 4.5, y, x, y + 4.5, x - 4.5, y),
        "cross" => format!("<path class=\"point\" d=\"M{:.2},{:.2}L{:.2},{:.2}M{:.2},{:.2}L{:.2},{:.2}\" stroke=\"{colour}\" stroke-width=\"2\" data-x=\"{x:.2}\" data-y=\"{y:.2}\"/>\n", x - 4.0, y - 4.0, x + 4.0, y + 4.0, x - 4.0, y + 4.0, x + 4.0, y - 4.0),
        _ => format!("<circle cx=\"{x:.2}\" cy=\"{y:.2}\" r=\"4\" fill=\"{colour}\"/>\n"),
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (position, label) of every tick of one axis (`xtick` or `ytick`).
    fn ticks(svg: &str, class: &str) -> Vec<(f64, String)> {
        let coord = if class == "xtick" { "x=\"" } else { "y=\"" };
        svg.lines()
            .filter(|l| l.contains(&format!("class=\"{class}\"")))
            .map(|l| {
                let at = l.split(coord).nth(1).unwrap().split('"').next().unwrap();
                let label = l.split('>').nth(1).unwrap().split('<').next().unwrap();
                (at.parse().unwrap(), label.replace('−', "-"))
            })
            .collect()
    }

    /// The tick labels, read back as numbers (× the axis title's power of ten), lie on
    /// one straight line with their positions, and that line maps a plotted value to
    /// where its marker is drawn.
    fn check_axis(svg: &str, class: &str, scale: f64, value: f64, drawn_at: f64) {
        let t = ticks(svg, class);
        assert!(t.len() >= 3, "{class}: {t:?}");
        let pts: Vec<(f64, f64)> = t
            .iter()
            .map(|(p, l)| (l.parse::<f64>().unwrap() * scale, *p))
            .collect();
        let (v0, p0) = pts[0];
        let (v1, p1) = pts[pts.len() - 1];
        let slope = (p1 - p0) / (v1 - v0);
        for &(v, p) in &pts {
            assert!(
                (p0 + slope * (v - v0) - p).abs() < 0.02,
                "{class}: tick {v} at {p}"
            );
        }
        // Every tick is a nice number: 1, 2, 2.5 or 5 × 10ᵏ steps.
        let step = (pts[1].0 - pts[0].0) / scale;
        let mantissa = step / 10f64.powf(step.log10().floor());
        assert!(
            [1.0, 2.0, 2.5, 5.0]
                .iter()
                .any(|m| (m - mantissa).abs() < 1e-9),
            "{class}: step {step}"
        );
        assert!(
            (p0 + slope * (value - v0) - drawn_at).abs() < 0.02,
            "{class}: {value} drawn at {drawn_at}"
        );
    }

    #[test]
    fn scatter_ticks_sit_at_their_values() {
        // A mass in the thousandths and margins across zero, as in a sweep report.
        let points = [
            (0.000403, -0.21, false),
            (0.000871, 0.35, true),
            (0.000562, 0.04, true),
        ];
        let svg = scatter(
            "t",
            &Axis::new("mass", "kg").magnitude(),
            &Axis::new("worst margin", "").zero_line(),
            &points,
            &[0, 2],
        );
        let frame = Frame {
            x: Ticks::cover(points.iter().map(|p| p.0), true, true),
            y: Ticks::cover(points.iter().map(|p| p.1), false, true),
        };
        // One common power of ten in the title: mass [×10⁻⁶ kg] (no prefix on kg).
        assert!(svg.contains("mass [×10⁻⁶ kg]"), "{svg}");
        check_axis(&svg, "xtick", 1e-6, 0.000871, frame.sx(0.000871));
        check_axis(&svg, "ytick", 1.0, 0.35, frame.sy(0.35));
        let cy = svg.split("<circle cx=\"").nth(1).unwrap();
        assert!(cy.starts_with(&format!("{:.2}", frame.sx(0.000871))));
        // The margin = 0 line, and the mass axis not below zero.
        assert_eq!(svg.matches("class=\"zero\"").count(), 1);
        assert!(ticks(&svg, "xtick")
            .iter()
            .all(|(_, l)| !l.starts_with('-')));
        assert_eq!(svg.matches("class=\"datum\"").count(), 3);
        assert_eq!(svg.matches("<circle").count(), 3); // two passing + the legend
        assert!(svg.contains("<polyline") && svg.ends_with("</svg>\n"));
    }

    #[test]
    fn lines_are_told_apart_and_use_si_prefixes() {
        let a: Vec<(f64, f64)> = (0..50)
            .map(|i| (i as f64 * 2e-5, 1.2e6 * i as f64))
            .collect();
        let svg = lines(
            "forces",
            &Axis::new("time", "s").magnitude(),
            &Axis::new("force", "N"),
            &[("a".into(), a.clone()), ("b".into(), a)],
        );
        assert!(
            svg.contains("time [ms]") && svg.contains("force [MN]"),
            "{svg}"
        );
        let frame = Frame {
            x: Ticks::cover((0..50).map(|i| i as f64 * 2e-5), true, false),
            y: Ticks::cover((0..50).map(|i| 1.2e6 * i as f64), false, false),
        };
        check_axis(&svg, "xtick", 1e-3, 5e-4, frame.sx(5e-4));
        check_axis(&svg, "ytick", 1e6, 6e7, frame.sy(6e7));
        // Two identical curves: different dashes and markers, both in the legend.
        assert!(svg.contains("stroke-dasharray=\"\"") && svg.contains("stroke-dasharray=\"6 3\""));
        assert!(svg.contains("<rect x=") && svg.contains(">a</text>") && svg.contains(">b</text>"));
    }

    #[test]
    fn nice_steps() {
        assert_eq!(nice_step(0.0042), 0.005);
        assert_eq!(nice_step(0.21), 0.25);
        assert_eq!(nice_step(1.0), 1.0);
        assert_eq!(nice_step(3.0), 5.0);
        let t = Ticks::cover([0.0, 7.0].into_iter(), true, false);
        assert_eq!(t.values, vec![0.0, 2.0, 4.0, 6.0, 8.0]);
    }
}
