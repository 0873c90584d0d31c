//! Built-in structured mesh generators for parametric shapes.
//!
//! Every generator is one mapped block: a lattice of `divisions` cells in the unit cube
//! (u, v, w) mapped to physical space by a closure. Hexahedra fill the cells directly;
//! tetrahedra split each cell into six along its main diagonal (Kuhn's subdivision,
//! conforming between neighbours). Quadratic elements use a lattice of half steps, so
//! midside nodes sit exactly on the mapped geometry. Faces on the block boundary become
//! named face sets, and all elements form the region `body`.

use crate::element::{natural_nodes, ElementKind};
use crate::error::{Result, SolverError};
use crate::mesh::{ElementBlock, FaceRef, Mesh};
use nalgebra::Vector3;
use std::collections::{BTreeMap, HashMap};
use std::f64::consts::FRAC_PI_2;

/// Corner lattice offsets of a hex cell in VTK order.
const CELL: [[usize; 3]; 8] = [
    [0, 0, 0],
    [1, 0, 0],
    [1, 1, 0],
    [0, 1, 0],
    [0, 0, 1],
    [1, 0, 1],
    [1, 1, 1],
    [0, 1, 1],
];

/// A boundary face of the block: the axis it is normal to, whether it is the far side,
/// and the (u, v, w) parameters of its centre.
pub struct BlockFace {
    pub axis: usize,
    pub far: bool,
    pub centre: [f64; 3],
}

/// Meshes the unit cube mapped by `map`, naming boundary faces with `name_face`.
pub fn mapped_block(
    divisions: [usize; 3],
    kind: ElementKind,
    map: impl Fn([f64; 3]) -> Vector3<f64>,
    name_face: impl Fn(&BlockFace) -> Option<String>,
) -> Result<Mesh> {
    if divisions.contains(&0) {
        return Err(SolverError::Mesh(format!(
            "divisions must be at least 1 in every direction, got {divisions:?}"
        )));
    }
    let r = if kind.is_quadratic() { 2 } else { 1 };
    let dims: [usize; 3] = std::array::from_fn(|i| r * divisions[i] + 1);
    let param =
        |p: [usize; 3]| -> [f64; 3] { std::array::from_fn(|i| p[i] as f64 / (dims[i] - 1) as f64) };
    let point = |p: [usize; 3]| map(param(p));

    let mut elements: Vec<Vec<[usize; 3]>> = Vec::new();
    for k in 0..divisions[2] {
        for j in 0..divisions[1] {
            for i in 0..divisions[0] {
                let c: Vec<[usize; 3]> = CELL
                    .iter()
                    .map(|o| [r * (i + o[0]), r * (j + o[1]), r * (k + o[2])])
                    .collect();
                for mut corners in cell_elements(kind, &c) {
                    orient(kind, &mut corners, &point);
                    elements.push(with_midsides(kind, corners));
                }
            }
        }
    }

    // Number only the lattice points that elements use.
    let lattice = |p: [usize; 3]| p[0] + dims[0] * (p[1] + dims[1] * p[2]);
    let mut id: HashMap<usize, usize> = HashMap::new();
    let mut nodes = Vec::new();
    let mut connectivity = Vec::with_capacity(elements.len() * kind.node_count());
    for e in &elements {
        for &p in e {
            let n = *id.entry(lattice(p)).or_insert_with(|| {
                nodes.push(point(p));
                nodes.len() - 1
            });
            connectivity.push(n);
        }
    }

    let mut face_sets: BTreeMap<String, Vec<FaceRef>> = BTreeMap::new();
    for (e, lat) in elements.iter().enumerate() {
        for f in 0..kind.face_count() {
            let corners: Vec<[usize; 3]> = kind.face_corners(f).iter().map(|&a| lat[a]).collect();
            for axis in 0..3 {
                for (far, at) in [(false, 0), (true, dims[axis] - 1)] {
                    if corners.iter().all(|p| p[axis] == at) {
                        let centre = std::array::from_fn(|i| {
                            corners.iter().map(|p| param(*p)[i]).sum::<f64>() / corners.len() as f64
                        });
                        if let Some(name) = name_face(&BlockFace { axis, far, centre }) {
                            face_sets.entry(name).or_default().push(FaceRef {
                                element: e,
                                face: f as u8,
                            });
                        }
                    }
                }
            }
        }
    }

    let mut mesh = Mesh {
        nodes,
        blocks: vec![ElementBlock { kind, connectivity }],
        face_sets,
        ..Default::default()
    };
    mesh.element_sets
        .insert("body".into(), (0..elements.len()).collect());
    Ok(mesh)
}

/// The corner lattice points of the elements filling one cell.
fn cell_elements(kind: ElementKind, c: &[[usize; 3]]) -> Vec<Vec<[usize; 3]>> {
    match kind {
        ElementKind::Hex8 | ElementKind::Hex20 | ElementKind::Hex20R => vec![c.to_vec()],
        ElementKind::Tet4 | ElementKind::Tet10 => {
            // Six tets around the diagonal 0–6, one per path 0 → a → a+b → 6 along cube edges.
            const PATHS: [[usize; 2]; 6] = [[1, 2], [1, 5], [3, 2], [3, 7], [4, 5], [4, 7]];
            PATHS
                .iter()
                .map(|&[a, b]| vec![c[0], c[a], c[b], c[6]])
                .collect()
        }
    }
}

/// Reorders corners so the element has a positive Jacobian in physical space.
fn orient(
    kind: ElementKind,
    corners: &mut [[usize; 3]],
    point: &impl Fn([usize; 3]) -> Vector3<f64>,
) {
    let x: Vec<Vector3<f64>> = corners.iter().map(|&p| point(p)).collect();
    let (a, b, c) = match kind.corner_count() {
        4 => (1, 2, 3),
        _ => (1, 3, 4),
    };
    if (x[a] - x[0]).cross(&(x[b] - x[0])).dot(&(x[c] - x[0])) < 0.0 {
        match kind.corner_count() {
            4 => corners.swap(1, 2),
            _ => {
                corners.swap(1, 3);
                corners.swap(5, 7);
            }
        }
    }
}

/// Appends midside lattice points for quadratic kinds.
fn with_midsides(kind: ElementKind, mut nodes: Vec<[usize; 3]>) -> Vec<[usize; 3]> {
    if kind.is_quadratic() {
        for &[a, b] in kind.edges() {
            let (p, q) = (nodes[a], nodes[b]);
            nodes.push(std::array::from_fn(|i| (p[i] + q[i]) / 2));
        }
    }
    debug_assert_eq!(nodes.len(), natural_nodes(kind).len());
    nodes
}

const AXIS_NAMES: [&str; 3] = ["x", "y", "z"];

/// A box `[0,Lx]×[0,Ly]×[0,Lz]`; face sets `xmin`, `xmax`, `ymin`, `ymax`, `zmin`, `zmax`.
pub fn block(size: [f64; 3], divisions: [usize; 3], kind: ElementKind) -> Result<Mesh> {
    check_positive("size", &size)?;
    mapped_block(
        divisions,
        kind,
        |p| Vector3::new(size[0] * p[0], size[1] * p[1], size[2] * p[2]),
        |f| {
            Some(format!(
                "{}{}",
                AXIS_NAMES[f.axis],
                if f.far { "max" } else { "min" }
            ))
        },
    )
}

/// A quarter of a rectangular plate with a central circular hole, centred at the origin:
/// x ∈ [0, width/2], y ∈ [0, height/2], z ∈ [0, thickness]. Face sets: `hole`,
/// `symmetry_x` (the plane x = 0), `symmetry_y` (y = 0), `edge_x` (x = width/2),
/// `edge_y` (y = height/2), `bottom`, `top`. `divisions` = [around the hole (even),
/// from hole to edge, through the thickness].
pub fn quarter_plate_with_hole(
    width: f64,
    height: f64,
    thickness: f64,
    hole_radius: f64,
    divisions: [usize; 3],
    kind: ElementKind,
) -> Result<Mesh> {
    check_positive("plate dimensions", &[width, height, thickness, hole_radius])?;
    if hole_radius >= 0.5 * width.min(height) {
        return Err(SolverError::Mesh(format!(
            "hole radius {hole_radius} must be smaller than half the plate's width and height"
        )));
    }
    if !divisions[0].is_multiple_of(2) {
        return Err(SolverError::Mesh(
            "the number of divisions around the hole must be even (a lattice line must meet the plate corner)".into(),
        ));
    }
    let (a, b) = (0.5 * width, 0.5 * height);
    mapped_block(
        divisions,
        kind,
        |[u, v, w]| {
            let theta = u * FRAC_PI_2;
            let inner = Vector3::new(hole_radius * theta.cos(), hole_radius * theta.sin(), 0.0);
            let outer = if u <= 0.5 {
                Vector3::new(a, b * u / 0.5, 0.0)
            } else {
                Vector3::new(a * (1.0 - u) / 0.5, b, 0.0)
            };
            let mut p = inner + (outer - inner) * v;
            p.z = thickness * w;
            p
        },
        |f| {
            Some(match (f.axis, f.far) {
                (0, false) => "symmetry_y".into(),
                (0, true) => "symmetry_x".into(),
                (1, false) => "hole".into(),
                (1, true) if f.centre[0] < 0.5 => "edge_x".into(),
                (1, true) => "edge_y".into(),
                (2, false) => "bottom".into(),
                _ => "top".into(),
            })
        },
    )
}

/// A sector of a thick-walled tube about the z axis: r ∈ [r_inner, r_outer],
/// θ ∈ [0, angle], z ∈ [0, length]. Face sets: `inner`, `outer`, `theta_start` (the
/// plane y = 0), `theta_end`, `zmin`, `zmax`. `divisions` = [radial, around, axial].
pub fn tube_sector(
    r_inner: f64,
    r_outer: f64,
    angle: f64,
    length: f64,
    divisions: [usize; 3],
    kind: ElementKind,
) -> Result<Mesh> {
    check_positive(
        "tube dimensions",
        &[r_inner, r_outer - r_inner, angle, length],
    )?;
    mapped_block(
        divisions,
        kind,
        |[u, v, w]| {
            let (r, t) = (r_inner + (r_outer - r_inner) * u, angle * v);
            Vector3::new(r * t.cos(), r * t.sin(), length * w)
        },
        |f| {
            Some(
                match (f.axis, f.far) {
                    (0, false) => "inner",
                    (0, true) => "outer",
                    (1, false) => "theta_start",
                    (1, true) => "theta_end",
                    (2, false) => "zmin",
                    _ => "zmax",
                }
                .into(),
            )
        },
    )
}

fn check_positive(what: &str, values: &[f64]) -> Result<()> {
    if values.iter().all(|v| v.is_finite() && *v > 0.0) {
        Ok(())
    } else {
        Err(SolverError::Mesh(format!(
            "{what} must be positive, got {values:?}"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn block_meshes_have_the_right_volume_and_faces() {
        for kind in ElementKind::ALL {
            let m = block([2.0, 1.0, 0.5], [4, 3, 2], kind).unwrap();
            m.check().unwrap();
            assert_relative_eq!(
                m.volume(&m.region_elements("all").unwrap()),
                1.0,
                epsilon = 1e-12
            );
            let per_cell = if kind.corner_count() == 4 { 2 } else { 1 };
            assert_eq!(m.face_sets["xmin"].len(), 3 * 2 * per_cell, "{kind:?}");
            assert_eq!(
                m.boundary_faces().len(),
                2 * (12 + 8 + 6) * per_cell,
                "{kind:?}"
            );
        }
    }

    #[test]
    fn quadratic_block_uses_only_needed_nodes() {
        let m = block([1.0; 3], [1, 1, 1], ElementKind::Hex20).unwrap();
        assert_eq!(m.nodes.len(), 20);
        let m = block([1.0; 3], [1, 1, 1], ElementKind::Tet10).unwrap();
        assert_eq!(m.nodes.len(), 27); // every lattice point is a corner or a midside
    }

    #[test]
    fn plate_with_hole_volume_converges_to_exact() {
        let exact = 0.5 * 0.5 * 0.1 - 0.25 * std::f64::consts::PI * 0.1f64.powi(2) * 0.1;
        let m =
            quarter_plate_with_hole(1.0, 1.0, 0.1, 0.1, [16, 8, 1], ElementKind::Hex20).unwrap();
        m.check().unwrap();
        assert_relative_eq!(
            m.volume(&m.region_elements("all").unwrap()),
            exact,
            max_relative = 1e-4
        );
    }

    #[test]
    fn tube_sector_is_right_handed() {
        for kind in ElementKind::ALL {
            let m = tube_sector(1.0, 2.0, FRAC_PI_2, 0.5, [2, 4, 1], kind).unwrap();
            m.check().unwrap();
        }
    }
}
