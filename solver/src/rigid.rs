//! Detection of free rigid-body motion before factorisation.
//!
//! A rigid motion u(x) = t + ω × (x − c) is stopped only if some constrained component
//! sees it. With R the matrix whose columns are the six rigid modes restricted to the
//! constrained components, the free motions are the null space of RᵀR (6×6), which
//! names them in words a user can act on ("rotation about (0, 0, 1) through (…)").

use nalgebra::{SMatrix, SVector, Vector3};

/// Describes every rigid-body motion the constraints leave free (empty when none).
pub fn free_rigid_motions(nodes: &[Vector3<f64>], constrained: &[bool]) -> Vec<String> {
    if nodes.is_empty() {
        return vec![];
    }
    let (free, centre, length) = free_space(nodes, constrained);
    if free.len() == 3 {
        if let Some(p) = common_pivot(&free, &centre, length) {
            return vec![format!("rotation about any axis through point {}", fmt(p))];
        }
    }
    free.iter().map(|v| describe(v, &centre, length)).collect()
}

/// Every free rigid motion as a displacement vector over all dofs (3 × nodes), zero
/// where constrained: the rigid-body modes a free or partly free model has.
pub fn free_rigid_modes(nodes: &[Vector3<f64>], constrained: &[bool]) -> Vec<Vec<f64>> {
    if nodes.is_empty() {
        return vec![];
    }
    let (free, centre, length) = free_space(nodes, constrained);
    free.iter()
        .map(|v| {
            let (t, w) = (
                Vector3::new(v[0], v[1], v[2]),
                Vector3::new(v[3], v[4], v[5]) / length,
            );
            nodes
                .iter()
                .flat_map(|x| {
                    let u = t + w.cross(&(x - centre));
                    [u.x, u.y, u.z]
                })
                .enumerate()
                .map(|(d, u)| if constrained[d] { 0.0 } else { u })
                .collect()
        })
        .collect()
}

/// The six rigid-body motions (three translations, three rotations about the nodes'
/// centre, scaled by the part's size) restricted to the unknowns `free` (dof numbers,
/// 3 per node): the near-null space of a stiffness matrix.
pub fn rigid_modes_on(nodes: &[Vector3<f64>], free: &[usize]) -> Vec<Vec<f64>> {
    if nodes.is_empty() {
        return vec![vec![]; 6];
    }
    let (centre, length) = centre_and_size(nodes);
    (0..6)
        .map(|m| {
            free.iter()
                .map(|&d| {
                    let (n, c) = (d / 3, d % 3);
                    let x = (nodes[n] - centre) / length;
                    let mut u = Vector3::zeros();
                    if m < 3 {
                        u[m] = 1.0;
                    } else {
                        let mut w = Vector3::zeros();
                        w[m - 3] = 1.0;
                        u = w.cross(&x);
                    }
                    u[c]
                })
                .collect()
        })
        .collect()
}

/// The nodes' centre and the largest distance from it (the length that scales
/// rotations against translations).
fn centre_and_size(nodes: &[Vector3<f64>]) -> (Vector3<f64>, f64) {
    let centre = nodes.iter().sum::<Vector3<f64>>() / nodes.len() as f64;
    let length = nodes
        .iter()
        .map(|p| (p - centre).norm())
        .fold(0.0, f64::max)
        .max(f64::MIN_POSITIVE);
    (centre, length)
}

/// The free motions as 6-vectors (t, ω L) about the nodes' centre, with that centre and
/// the length L that scales rotations.
fn free_space(
    nodes: &[Vector3<f64>],
    constrained: &[bool],
) -> (Vec<SVector<f64, 6>>, Vector3<f64>, f64) {
    let (centre, length) = centre_and_size(nodes);
    let mut a = SMatrix::<f64, 6, 6>::zeros();
    for (dof, _) in constrained.iter().enumerate().filter(|(_, &c)| c) {
        let (node, comp) = (dof / 3, dof % 3);
        let r = (nodes[node] - centre) / length;
        let mut row = SVector::<f64, 6>::zeros();
        row[comp] = 1.0;
        for k in 0..3 {
            // Component `comp` of e_k × r.
            row[3 + k] = Vector3::ith(k, 1.0).cross(&r)[comp];
        }
        a += row * row.transpose();
    }
    let eig = a.symmetric_eigen();
    let free: Vec<SVector<f64, 6>> = (0..6)
        .filter(|&i| eig.eigenvalues[i] < 1e-9)
        .map(|i| eig.eigenvectors.column(i).into_owned())
        .collect();
    (free, centre, length)
}

/// The point all three free motions leave fixed, if they are the rotations about it.
fn common_pivot(
    free: &[SVector<f64, 6>],
    centre: &Vector3<f64>,
    length: f64,
) -> Option<Vector3<f64>> {
    // u_i(p) = t_i + (w_i/L) × (p − c) = 0  ⇔  [w_i/L]ₓ (p − c) = −t_i, stacked for all i.
    let mut m = nalgebra::SMatrix::<f64, 9, 3>::zeros();
    let mut rhs = nalgebra::SVector::<f64, 9>::zeros();
    for (i, v) in free.iter().enumerate() {
        let w = Vector3::new(v[3], v[4], v[5]) / length;
        m.fixed_view_mut::<3, 3>(3 * i, 0)
            .copy_from(&w.cross_matrix());
        rhs.fixed_rows_mut::<3>(3 * i)
            .copy_from(&-Vector3::new(v[0], v[1], v[2]));
    }
    let d = m.svd(true, true).solve(&rhs, 1e-12).ok()?;
    ((m * d - rhs).norm() < 1e-6).then(|| centre + d)
}

fn describe(v: &SVector<f64, 6>, centre: &Vector3<f64>, length: f64) -> String {
    let t = Vector3::new(v[0], v[1], v[2]);
    let w = Vector3::new(v[3], v[4], v[5]);
    if w.norm() < 1e-6 {
        return format!("translation along {}", fmt(t.normalize()));
    }
    // u(x) = t + (w/L) × (x − c); the axis passes where u ∥ w.
    let point = centre + length * w.cross(&t) / w.norm_squared();
    format!(
        "rotation about axis {} through point {}",
        fmt(w.normalize()),
        fmt(point)
    )
}

fn fmt(d: Vector3<f64>) -> String {
    // Round to the printed precision so tiny negatives do not print as "-0.000".
    let d = clean(d).map(|c| (c * 1e3).round() / 1e3 + 0.0);
    format!("({:.3}, {:.3}, {:.3})", d.x, d.y, d.z)
}

fn clean(v: Vector3<f64>) -> Vector3<f64> {
    let scale = v.amax().max(1e-300);
    v.map(|c| if c.abs() < 1e-9 * scale { 0.0 } else { c })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cube() -> Vec<Vector3<f64>> {
        (0..8)
            .map(|i| Vector3::new((i & 1) as f64, ((i >> 1) & 1) as f64, ((i >> 2) & 1) as f64))
            .collect()
    }

    #[test]
    fn unconstrained_body_has_six_free_motions() {
        assert_eq!(free_rigid_motions(&cube(), &[false; 24]).len(), 6);
    }

    #[test]
    fn face_fixed_body_has_none() {
        let nodes = cube();
        let fixed: Vec<bool> = (0..24).map(|d| nodes[d / 3].z == 0.0).collect();
        assert!(free_rigid_motions(&nodes, &fixed).is_empty());
    }

    #[test]
    fn pinned_node_leaves_rotations_through_it() {
        let nodes = cube();
        let pinned: Vec<bool> = (0..24).map(|d| d / 3 == 0).collect();
        let free = free_rigid_motions(&nodes, &pinned);
        assert_eq!(
            free,
            ["rotation about any axis through point (0.000, 0.000, 0.000)"]
        );
    }

    #[test]
    fn roller_in_z_leaves_in_plane_motion() {
        let nodes = cube();
        let z_only: Vec<bool> = (0..24)
            .map(|d| nodes[d / 3].z == 0.0 && d % 3 == 2)
            .collect();
        let free = free_rigid_motions(&nodes, &z_only);
        assert_eq!(free.len(), 3, "{free:?}"); // x, y translation and rotation about z
    }
}
