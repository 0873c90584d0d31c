//! Quadrature rules on the reference cells, as data tables.
//!
//! Every rule is a list of points in natural coordinates with weights that sum to the
//! reference cell's measure (8 for the cube, 1/6 for the tetrahedron, 4 for the square,
//! 1/2 for the triangle).

/// A 3D integration point: natural coordinates and weight.
pub type Point3 = ([f64; 3], f64);
/// A 2D integration point on a reference face.
pub type Point2 = ([f64; 2], f64);

const G2: f64 = 0.577_350_269_189_625_8; // 1/sqrt(3)
const G3: f64 = 0.774_596_669_241_483_4; // sqrt(3/5)
const G4A: (f64, f64) = (0.339_981_043_584_856_3, 0.652_145_154_862_546_1);
const G4B: (f64, f64) = (0.861_136_311_594_052_6, 0.347_854_845_137_453_9);

/// 1D Gauss–Legendre abscissae and weights on [-1, 1] with 1 to 4 points.
fn gauss_1d(n: usize) -> &'static [(f64, f64)] {
    match n {
        1 => &[(0.0, 2.0)],
        2 => &[(-G2, 1.0), (G2, 1.0)],
        3 => &[(-G3, 5.0 / 9.0), (0.0, 8.0 / 9.0), (G3, 5.0 / 9.0)],
        _ => &[
            (-G4B.0, G4B.1),
            (-G4A.0, G4A.1),
            (G4A.0, G4A.1),
            (G4B.0, G4B.1),
        ],
    }
}

/// Collapsed (Duffy) product rule on the unit tetrahedron with `n` Gauss points per
/// direction: x = u, y = (1−u) v, z = (1−u)(1−v) w, Jacobian (1−u)²(1−v). Exact for
/// polynomials of degree ≤ 2n − 3 (n = 4: the quartic integrands of a tet10 mass matrix).
pub fn tetrahedron_collapsed(n: usize) -> Vec<Point3> {
    let g: Vec<(f64, f64)> = gauss_1d(n)
        .iter()
        .map(|&(x, w)| (0.5 * (x + 1.0), 0.5 * w))
        .collect();
    let mut pts = Vec::with_capacity(n * n * n);
    for &(u, wu) in &g {
        for &(v, wv) in &g {
            for &(w, ww) in &g {
                let p = [u, (1.0 - u) * v, (1.0 - u) * (1.0 - v) * w];
                pts.push((p, wu * wv * ww * (1.0 - u).powi(2) * (1.0 - v)));
            }
        }
    }
    pts
}

/// Collapsed (Duffy) product rule on the triangle (0,0)-(1,0)-(0,1) with `n` Gauss
/// points per direction: x = u, y = (1−u) v, Jacobian (1−u). Exact for polynomials of
/// degree ≤ 2n − 2 (n = 4: the sextic products of two serendipity quad8 functions).
pub fn triangle_collapsed(n: usize) -> Vec<Point2> {
    let g: Vec<(f64, f64)> = gauss_1d(n)
        .iter()
        .map(|&(x, w)| (0.5 * (x + 1.0), 0.5 * w))
        .collect();
    let mut pts = Vec::with_capacity(n * n);
    for &(u, wu) in &g {
        for &(v, wv) in &g {
            pts.push(([u, (1.0 - u) * v], wu * wv * (1.0 - u)));
        }
    }
    pts
}

/// Tensor-product Gauss rule on the cube [-1,1]^3 with `n` points per direction.
pub fn gauss_cube(n: usize) -> Vec<Point3> {
    let g = gauss_1d(n);
    let mut pts = Vec::with_capacity(g.len().pow(3));
    for &(z, wz) in g {
        for &(y, wy) in g {
            for &(x, wx) in g {
                pts.push(([x, y, z], wx * wy * wz));
            }
        }
    }
    pts
}

/// Tensor-product Gauss rule on the square [-1,1]^2.
pub fn gauss_square(n: usize) -> Vec<Point2> {
    let g = gauss_1d(n);
    g.iter()
        .flat_map(|&(y, wy)| g.iter().map(move |&(x, wx)| ([x, y], wx * wy)))
        .collect()
}

/// Tetrahedron rules: 1 point (degree 1) or 4 points (degree 2).
pub fn tetrahedron(points: usize) -> Vec<Point3> {
    if points == 1 {
        return vec![([0.25; 3], 1.0 / 6.0)];
    }
    let a = 0.585_410_196_624_968_5;
    let b = 0.138_196_601_125_010_5;
    let w = 1.0 / 24.0;
    vec![
        ([b, b, b], w),
        ([a, b, b], w),
        ([b, a, b], w),
        ([b, b, a], w),
    ]
}

/// Dunavant's 6-point degree-4 rule on the triangle (0,0)-(1,0)-(0,1).
pub fn triangle() -> Vec<Point2> {
    let (a, wa) = (0.445_948_490_915_965, 0.223_381_589_678_011 / 2.0);
    let (b, wb) = (0.091_576_213_509_771, 0.109_951_743_655_322 / 2.0);
    vec![
        ([a, a], wa),
        ([1.0 - 2.0 * a, a], wa),
        ([a, 1.0 - 2.0 * a], wa),
        ([b, b], wb),
        ([1.0 - 2.0 * b, b], wb),
        ([b, 1.0 - 2.0 * b], wb),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    /// ∫ x^a y^b over the unit triangle = a! b! / (a + b + 2)!.
    #[test]
    fn collapsed_triangle_rule_is_exact_to_degree_six() {
        let fact = |n: u32| (1..=n).map(f64::from).product::<f64>();
        let rule = triangle_collapsed(4);
        for a in 0..=6u32 {
            for b in 0..=6 - a {
                let q: f64 = rule
                    .iter()
                    .map(|(p, w)| w * p[0].powi(a as i32) * p[1].powi(b as i32))
                    .sum();
                let exact = fact(a) * fact(b) / fact(a + b + 2);
                assert_relative_eq!(q, exact, max_relative = 1e-13);
            }
        }
    }

    #[test]
    fn weights_sum_to_reference_measure() {
        for n in 1..=3 {
            let s: f64 = gauss_cube(n).iter().map(|p| p.1).sum();
            assert_relative_eq!(s, 8.0, epsilon = 1e-14);
            let s: f64 = gauss_square(n).iter().map(|p| p.1).sum();
            assert_relative_eq!(s, 4.0, epsilon = 1e-14);
        }
        for n in [1, 4] {
            let s: f64 = tetrahedron(n).iter().map(|p| p.1).sum();
            assert_relative_eq!(s, 1.0 / 6.0, epsilon = 1e-14);
        }
        let s: f64 = triangle().iter().map(|p| p.1).sum();
        assert_relative_eq!(s, 0.5, epsilon = 1e-12);
        let s: f64 = tetrahedron_collapsed(4).iter().map(|p| p.1).sum();
        assert_relative_eq!(s, 1.0 / 6.0, epsilon = 1e-14);
    }

    #[test]
    fn collapsed_rule_integrates_quartics_exactly() {
        // ∫ xᵃ yᵇ zᶜ over the unit tetrahedron = a! b! c! / (a + b + c + 3)!.
        let s: f64 = tetrahedron_collapsed(4)
            .iter()
            .map(|(p, w)| w * p[0].powi(2) * p[1].powi(2))
            .sum();
        assert_relative_eq!(s, 4.0 / 5040.0, epsilon = 1e-15);
        let s: f64 = tetrahedron_collapsed(4)
            .iter()
            .map(|(p, w)| w * p[2].powi(4))
            .sum();
        assert_relative_eq!(s, 1.0 / 210.0, epsilon = 1e-15);
    }

    #[test]
    fn tetrahedron_rule_integrates_quadratics_exactly() {
        // ∫ x² over the unit tetrahedron = 1/60.
        let s: f64 = tetrahedron(4).iter().map(|(p, w)| w * p[0] * p[0]).sum();
        assert_relative_eq!(s, 1.0 / 60.0, epsilon = 1e-14);
    }

    #[test]
    fn triangle_rule_integrates_quartics_exactly() {
        // ∫ x⁴ over the unit triangle = 4!·0!·... = 1/30.
        let s: f64 = triangle().iter().map(|(p, w)| w * p[0].powi(4)).sum();
        assert_relative_eq!(s, 1.0 / 30.0, epsilon = 1e-10);
    }
}
