//! The critical-plane search (normal stress): the history of the stress normal to each
//! of a set of material planes is counted on its own, and the node's damage is that of
//! its worst plane.
//!
//! Why: a scalar of the tensor (signed von Mises, the largest principal stress) is
//! right when the loading is proportional — the principal directions stay put. When
//! they turn (loads out of phase), the scalar can miss cycles altogether: a uniaxial
//! stress of constant size whose direction rotates has a constant von Mises stress and
//! no cycle, while every plane it sweeps over is loaded and unloaded. A plane's normal
//! stress σ_n = nᵀσn is linear in σ, so its history is the same superposition of the
//! channels with the unit load cases' normal stresses, a few multiplications a sample.

/// Plane normals over a hemisphere (n and −n are one plane) every `step` degrees in
/// the polar angle from z and in the azimuth, so that the coordinate planes are among
/// them: about 2 · (90/step)² planes (307 at 10°).
pub fn normals(step: u32) -> Vec<[f64; 3]> {
    let step = step.clamp(1, 90);
    let mut out = vec![[0.0, 0.0, 1.0]];
    let rad = |deg: u32| f64::from(deg).to_radians();
    for polar in (step..=90).step_by(step as usize) {
        // On the equator, azimuths φ and φ + 180° are one plane.
        let half = if polar == 90 { 180 } else { 360 };
        for azimuth in (0..half).step_by(step as usize) {
            let (sp, cp) = rad(polar).sin_cos();
            let (sa, ca) = rad(azimuth).sin_cos();
            out.push([sp * ca, sp * sa, cp]);
        }
    }
    out
}

/// nᵀσn for Voigt components [xx, yy, zz, xy, yz, xz].
#[inline]
pub fn normal_stress(s: &[f64; 6], n: &[f64; 3]) -> f64 {
    s[0] * n[0] * n[0]
        + s[1] * n[1] * n[1]
        + s[2] * n[2] * n[2]
        + 2.0 * (s[3] * n[0] * n[1] + s[4] * n[1] * n[2] + s[5] * n[0] * n[2])
}

/// The normal stress history on plane `n`: Σ_k c_k(t) nᵀσ_k n, into `out`.
pub fn normal_history(
    units: &[[f64; 6]],
    histories: &[Vec<f64>],
    n: &[f64; 3],
    out: &mut Vec<f64>,
) {
    let samples = histories.first().map_or(0, Vec::len);
    out.clear();
    out.resize(samples, 0.0);
    for (u, h) in units.iter().zip(histories) {
        let a = normal_stress(u, n);
        for (o, &c) in out.iter_mut().zip(h) {
            *o += a * c;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normals_cover_the_hemisphere_once_with_the_coordinate_axes() {
        let n = normals(10);
        assert_eq!(n.len(), 1 + 8 * 36 + 18);
        for axis in [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]] {
            assert!(n
                .iter()
                .any(|m| (0..3).all(|k| (m[k] - axis[k]).abs() < 1e-12)));
        }
        for (i, a) in n.iter().enumerate() {
            assert!(((a[0] * a[0] + a[1] * a[1] + a[2] * a[2]) - 1.0).abs() < 1e-12);
            for b in &n[..i] {
                let dot = a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
                assert!(dot.abs() < 1.0 - 1e-9, "{a:?} and {b:?} are one plane");
            }
        }
        // On any plane the normal stress lies between the extreme principal stresses.
        let s = [100.0, -20.0, 35.0, 12.0, -7.0, 40.0];
        let v = crate::material::Voigt::from_row_slice(&s);
        let p = crate::material::principal(&v);
        for m in &n {
            let sn = normal_stress(&s, m);
            assert!(sn <= p[0] + 1e-9 && sn >= p[2] - 1e-9);
        }
    }
}
