//! Numbers as people read them: SI values shown in engineering units (MPa, mm) with
//! significant digits — never `0.005000000000000001` or a 12-digit margin.

use crate::results::Quantity;

/// Significant digits of every number shown.
pub const DIGITS: usize = 5;

/// `v` with [`DIGITS`] significant digits: fixed notation from 1e-3 to 1e6, scientific
/// outside, trailing zeros dropped (`0.005`, `25663`, `1.2346e-7`).
pub fn sig(v: f64) -> String {
    sig_n(v, DIGITS)
}

/// `v` with `digits` significant digits.
pub fn sig_n(v: f64, digits: usize) -> String {
    let digits = digits.clamp(1, 17);
    if v == 0.0 {
        return "0".into();
    }
    if !v.is_finite() {
        return if v.is_nan() {
            "NaN".into()
        } else if v > 0.0 {
            "∞".into()
        } else {
            "−∞".into()
        };
    }
    // The exponent after rounding to DIGITS digits (9.99995 → 10.000).
    let rounded: f64 = format!("{v:.*e}", digits - 1).parse().unwrap_or(v);
    let exponent = rounded.abs().log10().floor() as i32;
    if (-3..6).contains(&exponent) {
        let decimals = (digits as i32 - 1 - exponent).max(0) as usize;
        trim(format!("{rounded:.decimals$}"))
    } else {
        let text = format!("{rounded:.*e}", digits - 1);
        match text.split_once('e') {
            Some((mantissa, exp)) => format!("{}e{exp}", trim(mantissa.to_string())),
            None => text,
        }
    }
}

fn trim(s: String) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// The unit a quantity is shown in and the factor from SI to it.
pub fn display(q: Quantity, temperature: &'static str) -> (f64, &'static str) {
    match q {
        Quantity::Stress => (1e-6, "MPa"),
        Quantity::Displacement => (1e3, "mm"),
        Quantity::Fraction => (100.0, "%"),
        Quantity::Factor => (1.0, "×"),
        Quantity::Temperature => (1.0, temperature),
        Quantity::Angle => (180.0 / std::f64::consts::PI, "°"),
        Quantity::Strain | Quantity::Number => (1.0, ""),
        Quantity::HeatFlux => (1.0, "W/m²"),
        Quantity::Acceleration => (1.0, "m/s²"),
        other => (1.0, other.si_unit()),
    }
}

/// `v` (SI) in its display unit: `-5.4098 MPa`.
pub fn value(v: f64, q: Quantity, temperature: &'static str) -> String {
    let (scale, unit) = display(q, temperature);
    with_unit(sig(v * scale), unit)
}

/// A number with its unit (`12 mm`, `3.2×`, `0.4` for a pure number).
pub fn with_unit(number: String, unit: &str) -> String {
    match unit {
        "" => number,
        "×" | "%" | "°" => format!("{number}{unit}"),
        u => format!("{number} {u}"),
    }
}

/// A margin of safety to three significant digits: `+0.0241`, or `∞` when there is no
/// demand.
pub fn margin(m: Option<f64>) -> String {
    match m {
        Some(m) if m.is_finite() => {
            let s = sig_n(m, 3);
            if m >= 0.0 {
                format!("+{s}")
            } else {
                s
            }
        }
        _ => "∞".into(),
    }
}

/// Node label and coordinates, as every report names a node.
pub fn node_place(mesh: &vproto_solver::Mesh, n: usize) -> String {
    let p = mesh.nodes[n];
    format!(
        "node {} ({}, {}, {}) m",
        mesh.node_label(n),
        sig(p.x),
        sig(p.y),
        sig(p.z)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn significant_digits_without_float_noise() {
        assert_eq!(sig(0.005000000000000001), "0.005");
        assert_eq!(sig(160666666.66666666), "1.6067e8");
        assert_eq!(sig(25663.3702), "25663");
        assert_eq!(sig(-5.40984), "-5.4098");
        assert_eq!(sig(9.999996), "10");
        assert_eq!(sig(999999.7), "1e6");
        assert_eq!(sig(1.23456e-7), "1.2346e-7");
        assert_eq!(sig(0.0), "0");
        assert_eq!(value(1.6e8, Quantity::Stress, "°C"), "160 MPa");
        assert_eq!(value(85.0, Quantity::Temperature, "°C"), "85 °C");
        assert_eq!(margin(None), "∞");
        assert_eq!(margin(Some(0.0241)), "+0.0241");
    }
}
