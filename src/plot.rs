//! Minimal SVG scatter plots for sweep reports: points coloured by verdict, an optional
//! line through a subset (the Pareto front), axes with five ticks and labels. Plain
//! text files any browser or report opens.

use std::fmt::Write;

/// One plotted point: x, y, passing.
pub type Point = (f64, f64, bool);

const W: f64 = 640.0;
const H: f64 = 420.0;
const MARGIN: (f64, f64, f64, f64) = (84.0, 20.0, 30.0, 55.0); // left, right, top, bottom

fn range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        });
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    let pad = if hi > lo {
        0.05 * (hi - lo)
    } else {
        0.5 * lo.abs().max(1.0)
    };
    (lo - pad, hi + pad)
}

/// The plotting area: data ranges mapped onto the SVG canvas.
struct Axes {
    x: (f64, f64),
    y: (f64, f64),
}

impl Axes {
    fn sx(&self, x: f64) -> f64 {
        let (l, r, _, _) = MARGIN;
        l + (x - self.x.0) / (self.x.1 - self.x.0) * (W - l - r)
    }
    fn sy(&self, y: f64) -> f64 {
        let (_, _, t, b) = MARGIN;
        H - b - (y - self.y.0) / (self.y.1 - self.y.0) * (H - t - b)
    }

    /// The SVG header, frame, ticks, title and axis labels (the caller closes `</svg>`).
    fn frame(&self, title: &str, x_label: &str, y_label: &str) -> String {
        let (l, r, t, b) = MARGIN;
        let mut s = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{W}\" height=\"{H}\" font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n<text x=\"{}\" y=\"18\" text-anchor=\"middle\" font-size=\"14\">{}</text>\n",
            W / 2.0,
            escape(title)
        );
        let _ = writeln!(
            s,
            "<rect x=\"{l}\" y=\"{t}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"black\"/>",
            W - l - r,
            H - t - b
        );
        for i in 0..=4 {
            let fx = self.x.0 + (self.x.1 - self.x.0) * i as f64 / 4.0;
            let fy = self.y.0 + (self.y.1 - self.y.0) * i as f64 / 4.0;
            let _ = writeln!(
                s,
                "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
                self.sx(fx),
                H - b + 16.0,
                tick(fx)
            );
            let _ = writeln!(
                s,
                "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
                l - 6.0,
                self.sy(fy) + 4.0,
                tick(fy)
            );
        }
        let _ = writeln!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            (l + W - r) / 2.0,
            H - 12.0,
            escape(x_label)
        );
        let _ = writeln!(
            s,
            "<text transform=\"translate(14 {:.1}) rotate(-90)\" text-anchor=\"middle\">{}</text>",
            (t + H - b) / 2.0,
            escape(y_label)
        );
        s
    }
}

/// A scatter plot of `points`, with `line` (indices into `points`) drawn through in order.
pub fn scatter(
    title: &str,
    x_label: &str,
    y_label: &str,
    points: &[Point],
    line: &[usize],
) -> String {
    let axes = Axes {
        x: range(points.iter().map(|p| p.0)),
        y: range(points.iter().map(|p| p.1)),
    };
    let mut s = axes.frame(title, x_label, y_label);
    if line.len() > 1 {
        let path: Vec<String> = line
            .iter()
            .map(|&i| format!("{:.1},{:.1}", axes.sx(points[i].0), axes.sy(points[i].1)))
            .collect();
        let _ = writeln!(
            s,
            "<polyline points=\"{}\" fill=\"none\" stroke=\"#555\" stroke-dasharray=\"4 3\"/>",
            path.join(" ")
        );
    }
    for &(x, y, pass) in points.iter().filter(|p| p.0.is_finite() && p.1.is_finite()) {
        let colour = if pass { "#2a9d3f" } else { "#d62728" };
        let _ = writeln!(
            s,
            "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"4\" fill=\"{colour}\"/>",
            axes.sx(x),
            axes.sy(y)
        );
    }
    let (r, w) = (MARGIN.1, W);
    let _ = writeln!(s, "<text x=\"{:.1}\" y=\"{:.1}\" fill=\"#2a9d3f\">● pass</text><text x=\"{:.1}\" y=\"{:.1}\" fill=\"#d62728\">● fail</text>", w - r - 110.0, 18.0, w - r - 55.0, 18.0);
    s += "</svg>\n";
    s
}

const COLOURS: [&str; 6] = [
    "#1f77b4", "#d62728", "#2a9d3f", "#ff7f0e", "#9467bd", "#8c564b",
];

/// Line plot of named series of (x, y) points, with a legend.
pub fn lines(
    title: &str,
    x_label: &str,
    y_label: &str,
    series: &[(String, Vec<(f64, f64)>)],
) -> String {
    let all = || series.iter().flat_map(|(_, p)| p.iter());
    let axes = Axes {
        x: range(all().map(|p| p.0)),
        y: range(all().map(|p| p.1)),
    };
    let mut s = axes.frame(title, x_label, y_label);
    for (k, (name, points)) in series.iter().enumerate() {
        let colour = COLOURS[k % COLOURS.len()];
        let path: Vec<String> = points
            .iter()
            .filter(|p| p.0.is_finite() && p.1.is_finite())
            .map(|&(x, y)| format!("{:.1},{:.1}", axes.sx(x), axes.sy(y)))
            .collect();
        let _ = writeln!(
            s,
            "<polyline points=\"{}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"1.5\"/>",
            path.join(" ")
        );
        let _ = writeln!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" fill=\"{colour}\">{}</text>",
            MARGIN.0 + 8.0,
            MARGIN.2 + 16.0 + 14.0 * k as f64,
            escape(name)
        );
    }
    s += "</svg>\n";
    s
}

fn tick(v: f64) -> String {
    let a = v.abs();
    if a != 0.0 && !(1e-3..1e4).contains(&a) {
        format!("{v:.2e}")
    } else {
        format!("{v:.3}")
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

    #[test]
    fn draws_every_finite_point_and_the_line() {
        let svg = scatter(
            "t",
            "x",
            "y",
            &[
                (1.0, 2.0, true),
                (2.0, f64::INFINITY, false),
                (3.0, 1.0, false),
            ],
            &[0, 2],
        );
        assert_eq!(svg.matches("<circle").count(), 2);
        assert!(svg.contains("<polyline") && svg.ends_with("</svg>\n"));
    }
}
