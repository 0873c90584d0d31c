//! Reference elements: shape functions, their gradients and quadrature rules as data.
//!
//! An element type is a zero-sized type implementing [`Shape`] with its node count as a
//! const parameter, so kernels written once over `Shape<N>` compile to fixed-size,
//! allocation-free code for every element. Node numbering follows VTK/Abaqus/CalculiX
//! (corners first, then edge midpoints in the order of [`ElementKind::edges`]); readers
//! of other formats permute into this order. [`with_shape!`](crate::with_shape) turns a
//! runtime [`ElementKind`] into the static type once, at the edge of a routine.

use crate::quadrature::{self, Point2, Point3};
use nalgebra::{SMatrix, SVector, Vector2, Vector3};
use std::sync::LazyLock;

/// The solid element types vproto supports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ElementKind {
    Tet4,
    Tet10,
    Hex8,
    Hex20,
    /// Hex20 with the reduced 2×2×2 rule (Abaqus/CalculiX C3D20R).
    Hex20R,
}

/// Surface facet types: faces of the solid elements.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FaceKind {
    Tri3,
    Tri6,
    Quad4,
    Quad8,
}

const TET_EDGES: &[[usize; 2]] = &[[0, 1], [1, 2], [2, 0], [0, 3], [1, 3], [2, 3]];
const HEX_EDGES: &[[usize; 2]] = &[
    [0, 1],
    [1, 2],
    [2, 3],
    [3, 0],
    [4, 5],
    [5, 6],
    [6, 7],
    [7, 4],
    [0, 4],
    [1, 5],
    [2, 6],
    [3, 7],
];
/// Corner nodes of each face, counter-clockwise seen from outside (outward normal).
const TET_FACES: &[&[usize]] = &[&[0, 2, 1], &[0, 1, 3], &[1, 2, 3], &[0, 3, 2]];
const HEX_FACES: &[&[usize]] = &[
    &[0, 3, 2, 1],
    &[4, 5, 6, 7],
    &[0, 1, 5, 4],
    &[1, 2, 6, 5],
    &[2, 3, 7, 6],
    &[3, 0, 4, 7],
];

impl ElementKind {
    pub const ALL: [ElementKind; 5] = [
        Self::Tet4,
        Self::Tet10,
        Self::Hex8,
        Self::Hex20,
        Self::Hex20R,
    ];

    /// Lower-case name as used in case files ("hex20").
    pub fn name(self) -> &'static str {
        match self {
            Self::Tet4 => "tet4",
            Self::Tet10 => "tet10",
            Self::Hex8 => "hex8",
            Self::Hex20 => "hex20",
            Self::Hex20R => "hex20r",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }

    pub fn node_count(self) -> usize {
        match self {
            Self::Tet4 => 4,
            Self::Tet10 => 10,
            Self::Hex8 => 8,
            Self::Hex20 | Self::Hex20R => 20,
        }
    }

    /// The number of corner (vertex) nodes.
    pub fn corner_count(self) -> usize {
        match self {
            Self::Tet4 | Self::Tet10 => 4,
            Self::Hex8 | Self::Hex20 | Self::Hex20R => 8,
        }
    }

    pub fn is_quadratic(self) -> bool {
        matches!(self, Self::Tet10 | Self::Hex20 | Self::Hex20R)
    }

    /// Edges as pairs of corner indices; for quadratic elements, edge `i` carries
    /// midside node `corner_count() + i`.
    pub fn edges(self) -> &'static [[usize; 2]] {
        match self {
            Self::Tet4 | Self::Tet10 => TET_EDGES,
            Self::Hex8 | Self::Hex20 | Self::Hex20R => HEX_EDGES,
        }
    }

    /// Number of faces.
    pub fn face_count(self) -> usize {
        self.face_corners_all().len()
    }

    fn face_corners_all(self) -> &'static [&'static [usize]] {
        match self {
            Self::Tet4 | Self::Tet10 => TET_FACES,
            Self::Hex8 | Self::Hex20 | Self::Hex20R => HEX_FACES,
        }
    }

    /// Corner nodes of face `f`, ordered so the right-hand normal points outward.
    pub fn face_corners(self, f: usize) -> &'static [usize] {
        self.face_corners_all()[f]
    }

    pub fn face_kind(self) -> FaceKind {
        match self {
            Self::Tet4 => FaceKind::Tri3,
            Self::Tet10 => FaceKind::Tri6,
            Self::Hex8 => FaceKind::Quad4,
            Self::Hex20 | Self::Hex20R => FaceKind::Quad8,
        }
    }

    /// All local nodes of face `f` in facet order: corners, then edge midpoints.
    pub fn face_nodes(self, f: usize) -> Vec<usize> {
        let corners = self.face_corners(f);
        let mut nodes = corners.to_vec();
        if self.is_quadratic() {
            for i in 0..corners.len() {
                let (a, b) = (corners[i], corners[(i + 1) % corners.len()]);
                nodes.push(self.midside_node(a, b));
            }
        }
        nodes
    }

    /// The midside node between corners `a` and `b` of a quadratic element.
    pub fn midside_node(self, a: usize, b: usize) -> usize {
        let e = self
            .edges()
            .iter()
            .position(|&[p, q]| (p, q) == (a, b) || (p, q) == (b, a))
            .expect("corners of a face share an edge");
        self.corner_count() + e
    }
}

impl FaceKind {
    pub fn node_count(self) -> usize {
        match self {
            Self::Tri3 => 3,
            Self::Tri6 => 6,
            Self::Quad4 => 4,
            Self::Quad8 => 8,
        }
    }
    pub fn corner_count(self) -> usize {
        match self {
            Self::Tri3 | Self::Tri6 => 3,
            Self::Quad4 | Self::Quad8 => 4,
        }
    }
}

/// A reference solid element with `N` nodes.
pub trait Shape<const N: usize>: 'static {
    const KIND: ElementKind;
    /// Shape function values at natural coordinates `xi`.
    fn values(xi: &Vector3<f64>) -> SVector<f64, N>;
    /// Shape function gradients with respect to natural coordinates (row a = ∇N_a).
    fn gradients(xi: &Vector3<f64>) -> SMatrix<f64, N, 3>;
    /// The stiffness integration rule.
    fn quadrature() -> &'static [Point3];
    /// A rule exact for products of two shape functions (the consistent mass matrix).
    fn mass_quadrature() -> &'static [Point3] {
        Self::quadrature()
    }
}

/// A reference surface facet with `M` nodes, for surface loads.
pub trait FaceShape<const M: usize>: 'static {
    fn values(s: &Vector2<f64>) -> SVector<f64, M>;
    fn gradients(s: &Vector2<f64>) -> SMatrix<f64, M, 2>;
    fn quadrature() -> &'static [Point2];
}

/// Natural coordinates of the hex corners, VTK order.
const HEX_CORNERS: [[f64; 3]; 8] = [
    [-1., -1., -1.],
    [1., -1., -1.],
    [1., 1., -1.],
    [-1., 1., -1.],
    [-1., -1., 1.],
    [1., -1., 1.],
    [1., 1., 1.],
    [-1., 1., 1.],
];

/// Natural coordinates of every node of `kind`.
pub fn natural_nodes(kind: ElementKind) -> Vec<[f64; 3]> {
    let corners: Vec<[f64; 3]> = match kind {
        ElementKind::Tet4 | ElementKind::Tet10 => {
            vec![[0., 0., 0.], [1., 0., 0.], [0., 1., 0.], [0., 0., 1.]]
        }
        ElementKind::Hex8 | ElementKind::Hex20 | ElementKind::Hex20R => HEX_CORNERS.to_vec(),
    };
    let mut nodes = corners.clone();
    if kind.is_quadratic() {
        for &[a, b] in kind.edges() {
            nodes.push(std::array::from_fn(|i| {
                0.5 * (corners[a][i] + corners[b][i])
            }));
        }
    }
    nodes
}

// ---- tetrahedra: barycentric coordinates L0 = 1-ξ-η-ζ, L1 = ξ, L2 = η, L3 = ζ ----

fn barycentric(xi: &Vector3<f64>) -> [f64; 4] {
    [1.0 - xi.x - xi.y - xi.z, xi.x, xi.y, xi.z]
}
const BARY_GRAD: [[f64; 3]; 4] = [[-1., -1., -1.], [1., 0., 0.], [0., 1., 0.], [0., 0., 1.]];

#[derive(Clone, Copy, Debug)]
pub struct Tet4;
#[derive(Clone, Copy, Debug)]
pub struct Tet10;
#[derive(Clone, Copy, Debug)]
pub struct Hex8;
#[derive(Clone, Copy, Debug)]
pub struct Hex20;
/// The 20-node hexahedron integrated with 2×2×2 points (stiffness and mass), as
/// CalculiX's C3D20R.
#[derive(Clone, Copy, Debug)]
pub struct Hex20R;

static TET1: LazyLock<Vec<Point3>> = LazyLock::new(|| quadrature::tetrahedron(1));
static TET4: LazyLock<Vec<Point3>> = LazyLock::new(|| quadrature::tetrahedron(4));
static TET_COLLAPSED4: LazyLock<Vec<Point3>> =
    LazyLock::new(|| quadrature::tetrahedron_collapsed(4));
static CUBE2: LazyLock<Vec<Point3>> = LazyLock::new(|| quadrature::gauss_cube(2));
static CUBE3: LazyLock<Vec<Point3>> = LazyLock::new(|| quadrature::gauss_cube(3));
static TRI: LazyLock<Vec<Point2>> = LazyLock::new(quadrature::triangle);
static SQUARE2: LazyLock<Vec<Point2>> = LazyLock::new(|| quadrature::gauss_square(2));
static SQUARE3: LazyLock<Vec<Point2>> = LazyLock::new(|| quadrature::gauss_square(3));

impl Shape<4> for Tet4 {
    const KIND: ElementKind = ElementKind::Tet4;
    fn values(xi: &Vector3<f64>) -> SVector<f64, 4> {
        SVector::from(barycentric(xi))
    }
    fn gradients(_: &Vector3<f64>) -> SMatrix<f64, 4, 3> {
        SMatrix::from_fn(|a, j| BARY_GRAD[a][j])
    }
    fn quadrature() -> &'static [Point3] {
        &TET1
    }
    fn mass_quadrature() -> &'static [Point3] {
        &TET4
    }
}

impl Shape<10> for Tet10 {
    const KIND: ElementKind = ElementKind::Tet10;
    fn values(xi: &Vector3<f64>) -> SVector<f64, 10> {
        let l = barycentric(xi);
        SVector::from_fn(|a, _| match a {
            0..4 => l[a] * (2.0 * l[a] - 1.0),
            _ => {
                let [i, j] = TET_EDGES[a - 4];
                4.0 * l[i] * l[j]
            }
        })
    }
    fn gradients(xi: &Vector3<f64>) -> SMatrix<f64, 10, 3> {
        let l = barycentric(xi);
        SMatrix::from_fn(|a, k| match a {
            0..4 => (4.0 * l[a] - 1.0) * BARY_GRAD[a][k],
            _ => {
                let [i, j] = TET_EDGES[a - 4];
                4.0 * (l[i] * BARY_GRAD[j][k] + l[j] * BARY_GRAD[i][k])
            }
        })
    }
    fn quadrature() -> &'static [Point3] {
        &TET4
    }
    fn mass_quadrature() -> &'static [Point3] {
        &TET_COLLAPSED4
    }
}

impl Shape<8> for Hex8 {
    const KIND: ElementKind = ElementKind::Hex8;
    fn values(xi: &Vector3<f64>) -> SVector<f64, 8> {
        SVector::from_fn(|a, _| {
            let c = HEX_CORNERS[a];
            0.125 * (1.0 + c[0] * xi.x) * (1.0 + c[1] * xi.y) * (1.0 + c[2] * xi.z)
        })
    }
    fn gradients(xi: &Vector3<f64>) -> SMatrix<f64, 8, 3> {
        SMatrix::from_fn(|a, k| {
            let c = HEX_CORNERS[a];
            let f: [f64; 3] = std::array::from_fn(|i| 1.0 + c[i] * xi[i]);
            0.125 * c[k] * f[(k + 1) % 3] * f[(k + 2) % 3]
        })
    }
    fn quadrature() -> &'static [Point3] {
        &CUBE2
    }
}

/// Natural coordinates of hex20 node `a` (corners, then edge midpoints).
fn hex20_node(a: usize) -> [f64; 3] {
    if a < 8 {
        return HEX_CORNERS[a];
    }
    let [p, q] = HEX_EDGES[a - 8];
    std::array::from_fn(|i| 0.5 * (HEX_CORNERS[p][i] + HEX_CORNERS[q][i]))
}

impl Shape<20> for Hex20 {
    const KIND: ElementKind = ElementKind::Hex20;
    fn values(xi: &Vector3<f64>) -> SVector<f64, 20> {
        SVector::from_fn(|a, _| {
            let c = hex20_node(a);
            let f: [f64; 3] = std::array::from_fn(|i| 1.0 + c[i] * xi[i]);
            match c.iter().position(|&v| v == 0.0) {
                // Corner: 1/8 (1+ξξa)(1+ηηa)(1+ζζa)(ξξa+ηηa+ζζa-2).
                None => 0.125 * f[0] * f[1] * f[2] * (f[0] + f[1] + f[2] - 5.0),
                // Midside on an edge along direction d: 1/4 (1-ξd²) Π others.
                Some(d) => 0.25 * (1.0 - xi[d] * xi[d]) * f[(d + 1) % 3] * f[(d + 2) % 3],
            }
        })
    }
    fn gradients(xi: &Vector3<f64>) -> SMatrix<f64, 20, 3> {
        SMatrix::from_fn(|a, k| {
            let c = hex20_node(a);
            let f: [f64; 3] = std::array::from_fn(|i| 1.0 + c[i] * xi[i]);
            let (k1, k2) = ((k + 1) % 3, (k + 2) % 3);
            match c.iter().position(|&v| v == 0.0) {
                None => 0.125 * c[k] * f[k1] * f[k2] * (2.0 * f[k] + f[k1] + f[k2] - 5.0),
                Some(d) if d == k => -0.5 * xi[d] * f[k1] * f[k2],
                Some(d) => {
                    let other = 3 - d - k;
                    0.25 * (1.0 - xi[d] * xi[d]) * c[k] * f[other]
                }
            }
        })
    }
    fn quadrature() -> &'static [Point3] {
        &CUBE3
    }
}

impl Shape<20> for Hex20R {
    const KIND: ElementKind = ElementKind::Hex20R;
    fn values(xi: &Vector3<f64>) -> SVector<f64, 20> {
        Hex20::values(xi)
    }
    fn gradients(xi: &Vector3<f64>) -> SMatrix<f64, 20, 3> {
        Hex20::gradients(xi)
    }
    fn quadrature() -> &'static [Point3] {
        &CUBE2
    }
}

// ---- faces ----

#[derive(Clone, Copy, Debug)]
pub struct Tri3;
#[derive(Clone, Copy, Debug)]
pub struct Tri6;
#[derive(Clone, Copy, Debug)]
pub struct Quad4;
#[derive(Clone, Copy, Debug)]
pub struct Quad8;

const TRI_EDGES: [[usize; 2]; 3] = [[0, 1], [1, 2], [2, 0]];
const TRI_BARY_GRAD: [[f64; 2]; 3] = [[-1., -1.], [1., 0.], [0., 1.]];
const QUAD_CORNERS: [[f64; 2]; 4] = [[-1., -1.], [1., -1.], [1., 1.], [-1., 1.]];

impl FaceShape<3> for Tri3 {
    fn values(s: &Vector2<f64>) -> SVector<f64, 3> {
        SVector::from([1.0 - s.x - s.y, s.x, s.y])
    }
    fn gradients(_: &Vector2<f64>) -> SMatrix<f64, 3, 2> {
        SMatrix::from_fn(|a, k| TRI_BARY_GRAD[a][k])
    }
    fn quadrature() -> &'static [Point2] {
        &TRI
    }
}

impl FaceShape<6> for Tri6 {
    fn values(s: &Vector2<f64>) -> SVector<f64, 6> {
        let l = [1.0 - s.x - s.y, s.x, s.y];
        SVector::from_fn(|a, _| match a {
            0..3 => l[a] * (2.0 * l[a] - 1.0),
            _ => {
                let [i, j] = TRI_EDGES[a - 3];
                4.0 * l[i] * l[j]
            }
        })
    }
    fn gradients(s: &Vector2<f64>) -> SMatrix<f64, 6, 2> {
        let l = [1.0 - s.x - s.y, s.x, s.y];
        SMatrix::from_fn(|a, k| match a {
            0..3 => (4.0 * l[a] - 1.0) * TRI_BARY_GRAD[a][k],
            _ => {
                let [i, j] = TRI_EDGES[a - 3];
                4.0 * (l[i] * TRI_BARY_GRAD[j][k] + l[j] * TRI_BARY_GRAD[i][k])
            }
        })
    }
    fn quadrature() -> &'static [Point2] {
        &TRI
    }
}

impl FaceShape<4> for Quad4 {
    fn values(s: &Vector2<f64>) -> SVector<f64, 4> {
        SVector::from_fn(|a, _| {
            let c = QUAD_CORNERS[a];
            0.25 * (1.0 + c[0] * s.x) * (1.0 + c[1] * s.y)
        })
    }
    fn gradients(s: &Vector2<f64>) -> SMatrix<f64, 4, 2> {
        SMatrix::from_fn(|a, k| {
            let c = QUAD_CORNERS[a];
            0.25 * c[k] * (1.0 + c[1 - k] * s[1 - k])
        })
    }
    fn quadrature() -> &'static [Point2] {
        &SQUARE2
    }
}

/// Natural coordinates of quad8 node `a`: corners, then midpoints of edges 01, 12, 23, 30.
fn quad8_node(a: usize) -> [f64; 2] {
    if a < 4 {
        return QUAD_CORNERS[a];
    }
    let (p, q) = (QUAD_CORNERS[a - 4], QUAD_CORNERS[(a - 3) % 4]);
    [0.5 * (p[0] + q[0]), 0.5 * (p[1] + q[1])]
}

impl FaceShape<8> for Quad8 {
    fn values(s: &Vector2<f64>) -> SVector<f64, 8> {
        SVector::from_fn(|a, _| {
            let c = quad8_node(a);
            let f = [1.0 + c[0] * s.x, 1.0 + c[1] * s.y];
            match c.iter().position(|&v| v == 0.0) {
                None => 0.25 * f[0] * f[1] * (f[0] + f[1] - 3.0),
                Some(d) => 0.5 * (1.0 - s[d] * s[d]) * f[1 - d],
            }
        })
    }
    fn gradients(s: &Vector2<f64>) -> SMatrix<f64, 8, 2> {
        SMatrix::from_fn(|a, k| {
            let c = quad8_node(a);
            let f = [1.0 + c[0] * s.x, 1.0 + c[1] * s.y];
            match c.iter().position(|&v| v == 0.0) {
                None => 0.25 * c[k] * f[1 - k] * (2.0 * f[k] + f[1 - k] - 3.0),
                Some(d) if d == k => -s[d] * f[1 - d],
                Some(d) => 0.5 * (1.0 - s[d] * s[d]) * c[k],
            }
        })
    }
    fn quadrature() -> &'static [Point2] {
        &SQUARE3
    }
}

/// Runs `$body` with `$E` bound to the element type for `$kind` and `$N`/`$D` to its
/// node and degree-of-freedom counts, so generic kernels are chosen once per call site.
#[macro_export]
macro_rules! with_shape {
    ($kind:expr, $E:ident, $N:ident, $D:ident => $body:expr) => {
        match $kind {
            $crate::ElementKind::Tet4 => {
                type $E = $crate::element::Tet4;
                const $N: usize = 4;
                const $D: usize = 12;
                $body
            }
            $crate::ElementKind::Tet10 => {
                type $E = $crate::element::Tet10;
                const $N: usize = 10;
                const $D: usize = 30;
                $body
            }
            $crate::ElementKind::Hex8 => {
                type $E = $crate::element::Hex8;
                const $N: usize = 8;
                const $D: usize = 24;
                $body
            }
            $crate::ElementKind::Hex20 => {
                type $E = $crate::element::Hex20;
                const $N: usize = 20;
                const $D: usize = 60;
                $body
            }
            $crate::ElementKind::Hex20R => {
                type $E = $crate::element::Hex20R;
                const $N: usize = 20;
                const $D: usize = 60;
                $body
            }
        }
    };
}

/// Like [`with_shape!`] for surface facets: binds `$F` and its node count `$M`.
#[macro_export]
macro_rules! with_face_shape {
    ($kind:expr, $F:ident, $M:ident => $body:expr) => {
        match $kind {
            $crate::FaceKind::Tri3 => {
                type $F = $crate::element::Tri3;
                const $M: usize = 3;
                $body
            }
            $crate::FaceKind::Tri6 => {
                type $F = $crate::element::Tri6;
                const $M: usize = 6;
                $body
            }
            $crate::FaceKind::Quad4 => {
                type $F = $crate::element::Quad4;
                const $M: usize = 4;
                $body
            }
            $crate::FaceKind::Quad8 => {
                type $F = $crate::element::Quad8;
                const $M: usize = 8;
                $body
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    /// Partition of unity, Kronecker delta at nodes, and gradients against central
    /// differences, for one element type.
    fn check_shape<E: Shape<N>, const N: usize>() {
        let nodes = natural_nodes(E::KIND);
        assert_eq!(nodes.len(), N);
        for (a, x) in nodes.iter().enumerate() {
            let v = E::values(&Vector3::from(*x));
            for b in 0..N {
                assert_relative_eq!(v[b], if a == b { 1.0 } else { 0.0 }, epsilon = 1e-14);
            }
        }
        let xi = Vector3::new(0.21, 0.13, 0.17);
        assert_relative_eq!(E::values(&xi).sum(), 1.0, epsilon = 1e-14);
        let g = E::gradients(&xi);
        let h = 1e-6;
        for k in 0..3 {
            let mut dx = Vector3::zeros();
            dx[k] = h;
            let fd = (E::values(&(xi + dx)) - E::values(&(xi - dx))) / (2.0 * h);
            for a in 0..N {
                assert_relative_eq!(g[(a, k)], fd[a], epsilon = 1e-8);
            }
        }
    }

    fn check_face<F: FaceShape<M>, const M: usize>(nodes: &[[f64; 2]]) {
        for (a, x) in nodes.iter().enumerate() {
            let v = F::values(&Vector2::from(*x));
            for b in 0..M {
                assert_relative_eq!(v[b], if a == b { 1.0 } else { 0.0 }, epsilon = 1e-14);
            }
        }
        let s = Vector2::new(0.23, 0.31);
        let g = F::gradients(&s);
        let h = 1e-6;
        for k in 0..2 {
            let mut ds = Vector2::zeros();
            ds[k] = h;
            let fd = (F::values(&(s + ds)) - F::values(&(s - ds))) / (2.0 * h);
            for a in 0..M {
                assert_relative_eq!(g[(a, k)], fd[a], epsilon = 1e-8);
            }
        }
    }

    #[test]
    fn solid_shape_functions_are_consistent() {
        for kind in ElementKind::ALL {
            with_shape!(kind, E, N, D => { let _ = D; check_shape::<E, N>() });
        }
    }

    #[test]
    fn face_shape_functions_are_consistent() {
        let tri = [
            [0., 0.],
            [1., 0.],
            [0., 1.],
            [0.5, 0.],
            [0.5, 0.5],
            [0., 0.5],
        ];
        check_face::<Tri3, 3>(&tri[..3]);
        check_face::<Tri6, 6>(&tri);
        let quad: Vec<[f64; 2]> = (0..8).map(quad8_node).collect();
        check_face::<Quad4, 4>(&quad[..4]);
        check_face::<Quad8, 8>(&quad);
    }

    #[test]
    fn faces_point_outward() {
        for kind in ElementKind::ALL {
            let x = natural_nodes(kind);
            let centroid: Vector3<f64> = x[..kind.corner_count()]
                .iter()
                .map(|p| Vector3::from(*p))
                .sum::<Vector3<f64>>()
                / kind.corner_count() as f64;
            for f in 0..kind.face_count() {
                let c = kind.face_corners(f);
                let p: Vec<Vector3<f64>> = c.iter().map(|&i| Vector3::from(x[i])).collect();
                let n = (p[1] - p[0]).cross(&(p[2] - p[1]));
                let face_centre = p.iter().sum::<Vector3<f64>>() / p.len() as f64;
                assert!(n.dot(&(face_centre - centroid)) > 0.0, "{kind:?} face {f}");
                assert_eq!(kind.face_nodes(f).len(), kind.face_kind().node_count());
            }
        }
    }
}
