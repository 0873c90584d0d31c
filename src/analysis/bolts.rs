//! Bolt results of a nonlinear load case: each bolt's force, its change from the
//! pretension (the joint diagram's reading: how much of the external load the bolt
//! took, or how far the clamping fell), and the shortening it was locked at.

use crate::results::{Quantity, Scalar, Table};
use crate::units::sig;
use vproto_solver::nonlinear::BoltResult;

/// `bolt_force.<name>` (N), `bolt_pretension.<name>` (N), `bolt_force_change.<name>`
/// ((force − pretension) / pretension) and `bolt_shortening.<name>` (m), every bolt.
pub fn scalars(bolts: &[BoltResult]) -> Vec<Scalar> {
    bolts
        .iter()
        .flat_map(|b| {
            [
                Scalar::new(format!("bolt_force.{}", b.name), b.force, Quantity::Force),
                Scalar::new(
                    format!("bolt_pretension.{}", b.name),
                    b.pretension,
                    Quantity::Force,
                ),
                Scalar::new(
                    format!("{}{}", crate::criteria::BOLT_FORCE_CHANGE, b.name),
                    change(b),
                    Quantity::Fraction,
                ),
                Scalar::new(
                    format!("bolt_shortening.{}", b.name),
                    b.shortening,
                    Quantity::Displacement,
                ),
            ]
        })
        .collect()
}

/// (force − pretension) / pretension.
pub fn change(b: &BoltResult) -> f64 {
    (b.force - b.pretension) / b.pretension
}

/// "; bolts: b1 21.3 kN (+6.5 %), …", or nothing without bolts.
pub fn headline(bolts: &[BoltResult]) -> String {
    if bolts.is_empty() {
        return String::new();
    }
    let each: Vec<String> = bolts
        .iter()
        .map(|b| {
            format!(
                "{} {} N ({:+.2} %)",
                b.name,
                sig(b.force),
                100.0 * change(b)
            )
        })
        .collect();
    format!("; bolts: {}", each.join(", "))
}

/// The joint diagram: per converged increment, pseudo-time (−1…0 the pretension, then
/// the load path), load factor and each bolt's force.
pub fn table(names: &[String], rows: Vec<f64>) -> Table {
    let each: String = names
        .iter()
        .map(|n| format!(", force of bolt {n} (N)"))
        .collect();
    Table::new("bolt_forces", 2 + names.len(), rows).with_note(format!(
        "per converged increment: pseudo-time (−1 to 0: the pretension, then the load path), load factor{each}"
    ))
}
