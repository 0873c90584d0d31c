//! Minimal SVG scatter plots for sweep reports: points coloured by verdict, an optional
//! line through a subset (the Pareto front), axes with five ticks and labels. Plain
//! text files any browser or report opens.

use std::fmt::Write;

/// One plotted point: x, y, passing.
pub type Point = (f64, f64, bool);

const W: f64 = 640.0;
const H: f64 = 420.0;
const MARGIN: (f64, f64, f64, f64) = (70.0, 20.0, 30.0, 55.0); // left, right, top, bottom

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

/// A scatter plot of `points`, with `line` (indices into `points`) drawn through in order.
pub fn scatter(
    title: &str,
    x_label: &str,
    y_label: &str,
    points: &[Point],
    line: &[usize],
) -> String {
    let (x0, x1) = range(points.iter().map(|p| p.0));
    let (y0, y1) = range(points.iter().map(|p| p.1));
    let (l, r, t, b) = MARGIN;
    let sx = |x: f64| l + (x - x0) / (x1 - x0) * (W - l - r);
    let sy = |y: f64| H - b - (y - y0) / (y1 - y0) * (H - t - b);
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
        let (fx, fy) = (
            x0 + (x1 - x0) * i as f64 / 4.0,
            y0 + (y1 - y0) * i as f64 / 4.0,
        );
        let _ = writeln!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            sx(fx),
            H - b + 16.0,
            tick(fx)
        );
        let _ = writeln!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            l - 6.0,
            sy(fy) + 4.0,
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
        "<text transform=\"translate(16 {:.1}) rotate(-90)\" text-anchor=\"middle\">{}</text>",
        (t + H - b) / 2.0,
        escape(y_label)
    );
    if line.len() > 1 {
        let path: Vec<String> = line
            .iter()
            .map(|&i| format!("{:.1},{:.1}", sx(points[i].0), sy(points[i].1)))
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
            sx(x),
            sy(y)
        );
    }
    let _ = writeln!(s, "<text x=\"{:.1}\" y=\"{:.1}\" fill=\"#2a9d3f\">● pass</text><text x=\"{:.1}\" y=\"{:.1}\" fill=\"#d62728\">● fail</text>", W - r - 110.0, 18.0, W - r - 55.0, 18.0);
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
