//! Tied (bonded) interfaces between parts meshed independently.
//!
//! Each slave node is projected onto the master surface, and its degrees of freedom
//! become the master face's interpolation there: u_s = Σ N_a(ξ) u_a. The slave
//! components are then eliminated from the equations (u = T q, see [`crate::dofs`]):
//! no penalty stiffness to choose, none added or lost, and the system stays as well
//! conditioned as an untied one. Master faces reproduce every linear field, so a
//! constant strain crosses a non-matching interface exactly (the patch test), and the
//! interpolation weights sum to one, so rigid translations and the mass stay exact.
//!
//! With a slave *face* set the weights are those of the dual mortar method
//! ([`mortar`]): the tie then also hands over a constant stress exactly (the patch
//! test), which copying the master's value at the slave node's position (a slave
//! *node* set, node-to-surface) does not quite — it is off near the interface by about
//! 1e-3 of a uniform stress on non-matching meshes.
//!
//! As in Abaqus and CalculiX, a slave node is tied when it lies within the position
//! tolerance of the master surface (by default 5 % of the nearest master face's
//! diagonal) and is moved onto it (`adjust`) so that rigid rotations stay strain-free;
//! a slave component that is also prescribed keeps its prescription.

pub(crate) mod mortar;

use crate::element::FaceShape;
use crate::error::{Result, SolverError};
use crate::mesh::{FaceRef, Mesh};
use crate::with_face_shape;
use nalgebra::{SMatrix, Vector2, Vector3};
use std::collections::HashMap;

/// A tie as the user gives it.
#[derive(Clone, Debug)]
pub struct Tie {
    pub name: String,
    /// Slave nodes (a face set's or node set's nodes).
    pub slave: Vec<usize>,
    /// The slave faces, when the slave surface is a face set: surface-to-surface
    /// (mortar) weights; empty: node-to-surface.
    pub slave_faces: Vec<FaceRef>,
    /// Master faces.
    pub master: Vec<FaceRef>,
    /// Largest distance (m) of a tied slave node from the master surface; `None`: 5 %
    /// of the nearest master face's diagonal.
    pub position_tolerance: Option<f64>,
    /// Move tied slave nodes onto the master surface.
    pub adjust: bool,
}

/// A slave node and the master nodes it follows, with their weights (summing to one).
#[derive(Clone, Debug, PartialEq)]
pub struct TiedNode {
    pub node: usize,
    pub masters: Vec<(usize, f64)>,
    /// A displacement added along a direction, the first component of a node (a bolt's
    /// pretension section, [`crate::bolt`]): u = Σ w u_master + d u_shift,x. Only for
    /// displacements; a temperature follows the masters alone.
    pub shift: Option<(usize, [f64; 3])>,
}

impl TiedNode {
    /// Every node the slave node's value is made of: its masters and the shift's node.
    pub fn master_nodes(&self) -> impl Iterator<Item = usize> + '_ {
        self.masters
            .iter()
            .map(|m| m.0)
            .chain(self.shift.map(|s| s.0))
    }
}

/// What tying did: the slave nodes tied, those out of reach, the largest adjustment.
#[derive(Clone, Debug, Default)]
pub struct TieReport {
    pub name: String,
    pub tied: usize,
    /// Of those, the ones with surface-to-surface (mortar) weights.
    pub mortar: usize,
    /// Slave nodes farther than the tolerance from the master surface, with that
    /// distance (m), farthest first.
    pub untied: Vec<(usize, f64)>,
    /// The largest distance a tied slave node was moved (or, without `adjust`, its gap).
    pub largest_gap: f64,
}

/// Ties every slave node within reach of its master surface, adding the tied nodes to
/// `mesh.ties` (and, with `adjust`, moving them onto the master surface).
pub fn apply(mesh: &mut Mesh, ties: &[Tie]) -> Result<Vec<TieReport>> {
    check_overlaps(mesh, ties)?;
    let mut reports = Vec::with_capacity(ties.len());
    for tie in ties {
        let (tied, mut report) = project_tie(mesh, tie)?;
        if tie.adjust {
            for (t, p) in &tied {
                mesh.nodes[t.node] = *p;
            }
        }
        let mut tied: Vec<TiedNode> = tied.into_iter().map(|(t, _)| t).collect();
        if !tie.slave_faces.is_empty() {
            let surface = surface_weights(mesh, tie);
            for t in &mut tied {
                if let Some(w) = surface.get(&t.node) {
                    t.masters = w.iter().copied().filter(|m| m.1.abs() > 1e-13).collect();
                    report.mortar += 1;
                }
            }
        }
        mesh.ties.extend(tied);
        reports.push(report);
    }
    mesh.ties.sort_by_key(|t| t.node);
    Ok(reports)
}

/// Refuses a node that is a slave twice, or a slave and a master node: the two
/// constraints would contradict each other or chain.
fn check_overlaps(mesh: &Mesh, ties: &[Tie]) -> Result<()> {
    let mut slave_of: HashMap<usize, &str> = HashMap::new();
    let node = |n: usize| {
        let p = mesh.nodes[n];
        format!(
            "node {} at ({:.6e}, {:.6e}, {:.6e}) m",
            mesh.node_label(n),
            p.x,
            p.y,
            p.z
        )
    };
    for t in ties {
        if t.slave.is_empty() || t.master.is_empty() {
            return Err(SolverError::Mesh(format!(
                "tie '{}': its {} surface is empty",
                t.name,
                if t.slave.is_empty() {
                    "slave"
                } else {
                    "master"
                }
            )));
        }
        for &s in &t.slave {
            if let Some(other) = slave_of.insert(s, &t.name) {
                return Err(SolverError::Mesh(format!(
                    "tie '{}': {} is already a slave node of tie '{other}'; a node can follow one surface only",
                    t.name,
                    node(s)
                )));
            }
        }
    }
    for t in ties {
        for &f in &t.master {
            for m in mesh.face_nodes(f) {
                if let Some(other) = slave_of.get(&m) {
                    return Err(SolverError::Mesh(format!(
                        "tie '{}': {} is on its master surface and a slave node of tie '{other}': slave and master surfaces must not overlap (choose the slave surface on the other part, or split the ties)",
                        t.name,
                        node(m)
                    )));
                }
            }
        }
    }
    Ok(())
}

/// A master face: its nodes, coordinates and kind, with its size for the tolerance.
struct MasterFace {
    nodes: Vec<usize>,
    kind: crate::FaceKind,
    lo: Vector3<f64>,
    hi: Vector3<f64>,
    diagonal: f64,
}

/// The closest point of a face to a point: natural coordinates (clamped to the face),
/// the point, its distance and the face's shape function values there.
pub(crate) struct Projection {
    pub point: Vector3<f64>,
    pub distance: f64,
    /// The face nodes' shape function values there.
    pub weights: Vec<f64>,
}

/// Tied slave nodes with the points they project to.
type Projected = Vec<(TiedNode, Vector3<f64>)>;

fn project_tie(mesh: &Mesh, tie: &Tie) -> Result<(Projected, TieReport)> {
    let faces: Vec<MasterFace> = tie.master.iter().map(|&f| master_face(mesh, f)).collect();
    let reach = |f: &MasterFace| tie.position_tolerance.unwrap_or(0.05 * f.diagonal);
    let grid = Grid::new(&faces, &reach);
    let mut tied = Vec::new();
    let mut report = TieReport {
        name: tie.name.clone(),
        ..Default::default()
    };
    for &s in &tie.slave {
        let p = mesh.nodes[s];
        let best = grid
            .candidates(p)
            .filter_map(|i| {
                let f = &faces[i];
                let pr = project(mesh, f, p)?;
                (pr.distance <= reach(f)).then_some((f, pr))
            })
            .min_by(|a, b| a.1.distance.total_cmp(&b.1.distance));
        match best {
            Some((f, pr)) => {
                report.largest_gap = report.largest_gap.max(pr.distance);
                let masters = f
                    .nodes
                    .iter()
                    .zip(&pr.weights)
                    .filter(|(_, w)| w.abs() > 1e-13)
                    .map(|(&n, &w)| (n, w))
                    .collect();
                tied.push((
                    TiedNode {
                        node: s,
                        masters,
                        shift: None,
                    },
                    pr.point,
                ));
            }
            // The distance to the nearest face in the search grid (∞ beyond it).
            None => report
                .untied
                .push((s, nearest_distance(mesh, &faces, grid.candidates(p), p))),
        }
    }
    report.tied = tied.len();
    report.untied.sort_by(|a, b| b.1.total_cmp(&a.1));
    if tied.is_empty() {
        let (n, d) = closest(mesh, &faces, &tie.slave);
        return Err(SolverError::Mesh(format!(
            "tie '{}': no slave node lies within the position tolerance of the master surface; the closest, node {}, is {d:.3e} m away (are the surfaces the right ones, and the parts placed where they meet?)",
            tie.name,
            mesh.node_label(n)
        )));
    }
    Ok((tied, report))
}

/// The mortar weights of a tie with a slave face set.
fn surface_weights(mesh: &Mesh, tie: &Tie) -> HashMap<usize, Vec<(usize, f64)>> {
    let reach = |diagonal: f64| tie.position_tolerance.unwrap_or(0.05 * diagonal);
    pairing(mesh, &tie.slave_faces, &tie.master, &reach).tie_weights()
}

/// The mortar integrals of slave faces against the master faces within `reach` of
/// them (given each master face's diagonal): a tie's weights, contact's points.
pub(crate) fn pairing(
    mesh: &Mesh,
    slave_faces: &[FaceRef],
    master: &[FaceRef],
    reach: &dyn Fn(f64) -> f64,
) -> mortar::Pairing {
    let faces: Vec<MasterFace> = master.iter().map(|&f| master_face(mesh, f)).collect();
    let reach = |f: &MasterFace| reach(f.diagonal);
    let grid = Grid::new(&faces, &reach);
    mortar::Pairing::new(
        mesh,
        slave_faces,
        master,
        &|points| grid.around(points),
        &|i| reach(&faces[i]),
    )
}

/// The slave node closest to the master faces and its distance (the message when
/// surfaces never meet).
pub(crate) fn nearest_slave(mesh: &Mesh, slave: &[usize], master: &[FaceRef]) -> (usize, f64) {
    let faces: Vec<MasterFace> = master.iter().map(|&f| master_face(mesh, f)).collect();
    closest(mesh, &faces, slave)
}

fn master_face(mesh: &Mesh, f: FaceRef) -> MasterFace {
    let nodes = mesh.face_nodes(f);
    let kind = mesh.element(f.element).0.face_kind();
    let (mut lo, mut hi) = (mesh.nodes[nodes[0]], mesh.nodes[nodes[0]]);
    for &n in &nodes {
        lo = lo.inf(&mesh.nodes[n]);
        hi = hi.sup(&mesh.nodes[n]);
    }
    MasterFace {
        nodes,
        kind,
        lo,
        hi,
        diagonal: (hi - lo).norm(),
    }
}

/// Distance from `p` to the nearest of the master faces `among`.
fn nearest_distance(
    mesh: &Mesh,
    faces: &[MasterFace],
    among: impl Iterator<Item = usize>,
    p: Vector3<f64>,
) -> f64 {
    among
        .filter_map(|i| project(mesh, &faces[i], p))
        .map(|pr| pr.distance)
        .fold(f64::INFINITY, f64::min)
}

/// The slave node closest to the master surface and its distance, for the message of
/// a tie that ties nothing: over every face, for at most 2000 slave nodes (evenly
/// spread) so that a large slave set stays cheap.
fn closest(mesh: &Mesh, faces: &[MasterFace], slave: &[usize]) -> (usize, f64) {
    let stride = slave.len().div_ceil(2000).max(1);
    slave
        .iter()
        .step_by(stride)
        .map(|&n| {
            (
                n,
                nearest_distance(mesh, faces, 0..faces.len(), mesh.nodes[n]),
            )
        })
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .unwrap_or((0, f64::NAN))
}

/// The closest point of face `f` to `p` (`None` for a degenerate face).
pub(crate) fn project_on_face(mesh: &Mesh, f: FaceRef, p: Vector3<f64>) -> Option<Projection> {
    project(mesh, &master_face(mesh, f), p)
}

fn project(mesh: &Mesh, f: &MasterFace, p: Vector3<f64>) -> Option<Projection> {
    with_face_shape!(f.kind, F, M => {
        let x = SMatrix::<f64, M, 3>::from_fn(|a, i| mesh.nodes[f.nodes[a]][i]);
        project_on::<F, M>(&x, f.kind.corner_count() == 3, p)
    })
}

/// Gauss–Newton on the face's natural coordinates for the closest point, kept inside
/// the reference facet (the triangle s, t ≥ 0, s + t ≤ 1 or the square [−1, 1]²).
fn project_on<F: FaceShape<M>, const M: usize>(
    x: &SMatrix<f64, M, 3>,
    triangle: bool,
    p: Vector3<f64>,
) -> Option<Projection> {
    let clamp = |s: Vector2<f64>| {
        if triangle {
            let s = s.map(|v| v.max(0.0));
            let sum = s.x + s.y;
            if sum > 1.0 {
                s / sum
            } else {
                s
            }
        } else {
            s.map(|v| v.clamp(-1.0, 1.0))
        }
    };
    let mut s = if triangle {
        Vector2::new(1.0 / 3.0, 1.0 / 3.0)
    } else {
        Vector2::zeros()
    };
    for _ in 0..30 {
        let n = F::values(&s);
        let xs: Vector3<f64> = x.transpose() * n;
        let j = x.transpose() * F::gradients(&s);
        let step = (j.transpose() * j).try_inverse()? * (j.transpose() * (p - xs));
        let next = clamp(s + step);
        let moved = (next - s).norm();
        s = next;
        if moved < 1e-13 {
            break;
        }
    }
    let n = F::values(&s);
    let point: Vector3<f64> = x.transpose() * n;
    Some(Projection {
        point,
        distance: (p - point).norm(),
        weights: n.iter().copied().collect(),
    })
}

/// Master faces binned by their boxes (grown by the tolerance) on a uniform grid.
struct Grid {
    origin: Vector3<f64>,
    cell: f64,
    bins: HashMap<[i64; 3], Vec<usize>>,
}

impl Grid {
    fn new(faces: &[MasterFace], reach: &dyn Fn(&MasterFace) -> f64) -> Self {
        let origin = faces
            .iter()
            .fold(Vector3::repeat(f64::INFINITY), |a, f| a.inf(&f.lo));
        let mean = faces.iter().map(|f| f.diagonal).sum::<f64>() / faces.len() as f64;
        let cell = mean.max(f64::MIN_POSITIVE);
        let mut grid = Self {
            origin,
            cell,
            bins: HashMap::new(),
        };
        for (i, f) in faces.iter().enumerate() {
            let r = Vector3::repeat(reach(f));
            let (a, b) = (grid.key(f.lo - r), grid.key(f.hi + r));
            for x in a[0]..=b[0] {
                for y in a[1]..=b[1] {
                    for z in a[2]..=b[2] {
                        grid.bins.entry([x, y, z]).or_default().push(i);
                    }
                }
            }
        }
        grid
    }

    fn key(&self, p: Vector3<f64>) -> [i64; 3] {
        let k = (p - self.origin) / self.cell;
        [k.x, k.y, k.z].map(|v| v.floor().clamp(-1e15, 1e15) as i64)
    }

    fn candidates(&self, p: Vector3<f64>) -> impl Iterator<Item = usize> + '_ {
        self.bins.get(&self.key(p)).into_iter().flatten().copied()
    }

    /// The faces binned where any of `points`' box is.
    fn around(&self, points: &[Vector3<f64>]) -> Vec<usize> {
        let lo = points.iter().fold(points[0], |a, p| a.inf(p));
        let hi = points.iter().fold(points[0], |a, p| a.sup(p));
        let (a, b) = (self.key(lo), self.key(hi));
        let mut out = Vec::new();
        for x in a[0]..=b[0] {
            for y in a[1]..=b[1] {
                for z in a[2]..=b[2] {
                    out.extend(self.bins.get(&[x, y, z]).into_iter().flatten());
                }
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::block;
    use crate::ElementKind;

    #[test]
    fn weights_interpolate_linear_fields_and_sum_to_one() {
        for kind in [
            ElementKind::Hex8,
            ElementKind::Hex20,
            ElementKind::Tet10,
            ElementKind::Tet4,
        ] {
            let mut mesh = block([1.0, 1.0, 1.0], [2, 3, 1], kind).unwrap();
            let master = mesh.face_sets["zmax"].clone();
            // A probe node just above the top face.
            mesh.nodes.push(Vector3::new(0.37, 0.61, 1.0 + 1e-4));
            let probe = mesh.nodes.len() - 1;
            let tie = Tie {
                name: "t".into(),
                slave: vec![probe],
                slave_faces: vec![],
                master,
                position_tolerance: None,
                adjust: true,
            };
            let r = apply(&mut mesh, &[tie]).unwrap();
            assert_eq!(r[0].tied, 1);
            assert!((r[0].largest_gap - 1e-4).abs() < 1e-12);
            let t = &mesh.ties[0];
            let sum: f64 = t.masters.iter().map(|m| m.1).sum();
            assert!((sum - 1.0).abs() < 1e-12, "{kind:?}");
            let lin = |p: Vector3<f64>| 2.0 * p.x - 3.0 * p.y + 0.5;
            let interp: f64 = t.masters.iter().map(|&(n, w)| w * lin(mesh.nodes[n])).sum();
            assert!((interp - lin(mesh.nodes[probe])).abs() < 1e-12, "{kind:?}");
            assert!((mesh.nodes[probe].z - 1.0).abs() < 1e-15);
        }
    }

    /// A block of `kind` on a block of `other` (different divisions), the upper one's
    /// bottom tied to the lower one's top: an L × L × 2H column.
    fn column(lower: (ElementKind, [usize; 3]), upper: (ElementKind, [usize; 3])) -> Mesh {
        let a = block([1.0, 1.0, 0.5], lower.1, lower.0).unwrap();
        let mut b = block([1.0, 1.0, 0.5], upper.1, upper.0).unwrap();
        b.nodes.iter_mut().for_each(|p| p.z += 0.5);
        let mut mesh = crate::mesh::merge_parts(vec![("a".into(), a), ("b".into(), b)]);
        let tie = Tie {
            name: "glue".into(),
            slave: mesh.set_nodes("b.zmin").unwrap(),
            slave_faces: mesh.face_sets["b.zmin"].clone(),
            master: mesh.face_sets["a.zmax"].clone(),
            position_tolerance: None,
            adjust: true,
        };
        let r = apply(&mut mesh, &[tie]).unwrap();
        assert!(r[0].untied.is_empty() && r[0].largest_gap < 1e-12);
        mesh
    }

    fn rollers(mesh: &Mesh) -> Vec<crate::Constraint> {
        let on = |set: &str, c: usize| crate::Constraint {
            nodes: mesh.set_nodes(set).unwrap(),
            components: std::array::from_fn(|k| (k == c).then_some(0.0)),
        };
        vec![
            on("a.zmin", 2),
            on("a.xmin", 0),
            on("b.xmin", 0),
            on("a.ymin", 1),
            on("b.ymin", 1),
        ]
    }

    const STEEL: crate::Isotropic = crate::Isotropic {
        youngs_modulus: 200e9,
        poisson_ratio: 0.3,
        density: 7850.0,
    };

    /// The patch test: a uniform pressure on top of two non-matching tied blocks gives
    /// the uniform stress and the linear displacement of one block, to round-off, by
    /// the direct and the iterative method, whichever side is finer or quadratic.
    #[test]
    fn a_constant_stress_crosses_a_non_matching_tie_exactly() {
        use crate::loads::SurfaceLoad;
        use crate::{statics::Method, Load, LoadCase, SolverOptions, StaticModel};
        let pairs = [
            (
                (ElementKind::Hex8, [3, 3, 2]),
                (ElementKind::Hex20, [4, 5, 2]),
            ),
            (
                (ElementKind::Hex20, [2, 3, 1]),
                (ElementKind::Tet10, [3, 2, 2]),
            ),
            (
                (ElementKind::Tet10, [3, 3, 1]),
                (ElementKind::Hex8, [2, 2, 2]),
            ),
            (
                (ElementKind::Hex8, [5, 4, 2]),
                (ElementKind::Tet4, [3, 3, 2]),
            ),
        ];
        let p = 1e6;
        for (lower, upper) in pairs {
            let mesh = column(lower, upper);
            let model = StaticModel {
                mesh: &mesh,
                materials: crate::assembly::Materials::uniform(STEEL, mesh.element_count()),
                constraints: rollers(&mesh),
            };
            let case = LoadCase {
                name: "p".into(),
                loads: vec![Load::Surface {
                    faces: mesh.face_sets["b.zmax"].clone(),
                    load: SurfaceLoad::Pressure(p),
                }],
            };
            for method in [Method::Direct, Method::Iterative] {
                let options = SolverOptions {
                    method,
                    ..Default::default()
                };
                let s = model
                    .solve_with(std::slice::from_ref(&case), options)
                    .unwrap();
                let r = &s.load_cases[0];
                let strain = p / STEEL.youngs_modulus;
                for (n, x) in mesh.nodes.iter().enumerate() {
                    let exact = [0.3 * strain * x.x, 0.3 * strain * x.y, -strain * x.z];
                    for (c, e) in exact.iter().enumerate() {
                        let err = (r.displacement[3 * n + c] - e).abs();
                        assert!(
                            err < 1e-9 * strain,
                            "{lower:?}/{upper:?} {method:?}: node {n} u{c} off by {err:e}"
                        );
                    }
                }
                for s in &r.fields.gauss_stress {
                    assert!(
                        (s[2] + p).abs() < 1e-7 * p && s[0].abs() < 1e-7 * p,
                        "{s:?}"
                    );
                }
                let reaction: f64 = (0..mesh.nodes.len()).map(|n| r.reactions[3 * n + 2]).sum();
                assert!((reaction - p).abs() < 1e-9 * p, "{reaction}");
                assert!(r.relative_residual < 1e-9);
            }
        }
    }

    /// Heat: a linear temperature through a tied interface; modes: a tied column
    /// vibrates like one block.
    #[test]
    fn ties_carry_heat_and_mass() {
        use crate::thermal::{HeatCase, HeatLoad, ThermalModel};
        let mesh = column(
            (ElementKind::Hex20, [3, 3, 2]),
            (ElementKind::Tet10, [2, 3, 2]),
        );
        let case = HeatCase {
            name: "t".into(),
            loads: vec![
                HeatLoad::Temperature {
                    nodes: mesh.set_nodes("a.zmin").unwrap(),
                    value: 10.0,
                },
                HeatLoad::Temperature {
                    nodes: mesh.set_nodes("b.zmax").unwrap(),
                    value: 30.0,
                },
            ],
        };
        let heat = ThermalModel {
            mesh: &mesh,
            conductivity: vec![50.0; mesh.element_count()],
        };
        let r = heat.solve(&case).unwrap();
        for (n, x) in mesh.nodes.iter().enumerate() {
            assert!(
                (r.temperature[n] - (10.0 + 20.0 * x.z)).abs() < 1e-9,
                "node {n}"
            );
        }
        // Axial modes of a column clamped at the foot (ν = 0, so 1-D): f = c/(4L)·(2k − 1).
        let mut rod = STEEL;
        rod.poisson_ratio = 0.0;
        let model = crate::StaticModel {
            mesh: &mesh,
            materials: crate::assembly::Materials::uniform(rod.clone(), mesh.element_count()),
            constraints: rollers(&mesh),
        };
        let modes = model
            .modes(crate::modal::ModalOptions {
                modes: 1,
                shift_hz: None,
                method: Default::default(),
            })
            .unwrap();
        let c = (rod.youngs_modulus / rod.density).sqrt();
        let exact = c / 4.0;
        let f = modes.modes[0].frequency;
        assert!((f - exact).abs() < 2e-3 * exact, "{f} vs {exact}");
        // Free, the tied column has its whole mass (1 m³) in each direction.
        let free = crate::StaticModel {
            constraints: vec![],
            ..model
        };
        let options = crate::modal::ModalOptions {
            modes: 7,
            shift_hz: None,
            method: Default::default(),
        };
        let modes = free.modes(options).unwrap();
        assert_eq!(modes.modes.iter().filter(|m| m.rigid_body).count(), 6);
        for m in modes.participating_mass {
            assert!((m - rod.density).abs() < 1e-9 * rod.density, "{m}");
        }
    }

    /// Past yield through the tie: uniaxial compression p = 1.2 σ_y of the tied column
    /// (linear hardening H) by the nonlinear solution stays uniform, with the closed
    /// form's strains ε_zz = −(p/E + (p − σ_y)/H), ε_xx = ν p/E + (p − σ_y)/2H.
    #[test]
    fn plastic_flow_crosses_a_tie_uniformly() {
        use crate::nonlinear::{LoadPath, NonlinearModel, NonlinearOptions, Solid};
        use crate::plasticity::J2;
        use crate::{loads::SurfaceLoad, Load, LoadCase};
        let (yield_stress, hardening) = (250e6, 2e9);
        let mesh = column(
            (ElementKind::Hex20, [2, 3, 1]),
            (ElementKind::Tet10, [3, 2, 2]),
        );
        let model = NonlinearModel {
            mesh: &mesh,
            materials: vec![Solid::Plastic(J2 {
                youngs_modulus: 200e9,
                poisson_ratio: 0.3,
                curve: vec![(0.0, yield_stress), (1.0, yield_stress + hardening)],
                kinematic_modulus: 0.0,
            })],
            density: vec![7850.0],
            of_element: vec![0; mesh.element_count()],
            constraints: rollers(&mesh),
            large_deformation: false,
            contacts: vec![],
            bolts: vec![],
        };
        let p = 1.2 * yield_stress;
        let case = LoadCase {
            name: "squeeze".into(),
            loads: vec![Load::Surface {
                faces: mesh.face_sets["b.zmax"].clone(),
                load: SurfaceLoad::Pressure(p),
            }],
        };
        let path = LoadPath::new(&[(1.0, 1.0)]).unwrap();
        let s = model
            .solve(&case, &path, &NonlinearOptions::default())
            .unwrap();
        assert!(s.stopped.is_none());
        let plastic = (p - yield_stress) / hardening;
        let (ez, ex) = (-(p / 200e9 + plastic), 0.3 * p / 200e9 + 0.5 * plastic);
        for (n, x) in mesh.nodes.iter().enumerate() {
            let exact = [ex * x.x, ex * x.y, ez * x.z];
            for (c, e) in exact.iter().enumerate() {
                let err = (s.displacement[3 * n + c] - e).abs();
                assert!(err < 1e-7 * ez.abs(), "node {n} u{c} off by {err:e}");
            }
        }
    }

    #[test]
    fn a_part_joined_to_nothing_is_named() {
        let a = block([1.0, 1.0, 1.0], [1, 1, 1], ElementKind::Hex8).unwrap();
        let mut b = a.clone();
        b.nodes.iter_mut().for_each(|p| p.x += 3.0);
        let mesh = crate::mesh::merge_parts(vec![("a".into(), a), ("b".into(), b)]);
        let model = crate::StaticModel {
            mesh: &mesh,
            materials: crate::assembly::Materials::uniform(STEEL, 2),
            constraints: vec![crate::Constraint {
                nodes: mesh.set_nodes("a.xmin").unwrap(),
                components: [Some(0.0); 3],
            }],
        };
        let e = model.solve(&[]).unwrap_err().to_string();
        assert!(
            e.contains("part of 8 nodes") && e.contains("at (3.0"),
            "{e}"
        );
    }

    #[test]
    fn out_of_reach_and_overlapping_surfaces_are_refused() {
        let mut mesh = block([1.0, 1.0, 1.0], [2, 2, 2], ElementKind::Hex8).unwrap();
        mesh.nodes.push(Vector3::new(0.5, 0.5, 1.2));
        let far = mesh.nodes.len() - 1;
        let tie = |slave| Tie {
            name: "t".into(),
            slave,
            slave_faces: vec![],
            master: mesh.face_sets["zmax"].clone(),
            position_tolerance: None,
            adjust: false,
        };
        let e = apply(&mut mesh.clone(), &[tie(vec![far])])
            .unwrap_err()
            .to_string();
        assert!(e.contains("no slave node") && e.contains("2.000e-1"), "{e}");
        let top = mesh.set_nodes("zmax").unwrap();
        let e = apply(&mut mesh.clone(), &[tie(top)])
            .unwrap_err()
            .to_string();
        assert!(e.contains("must not overlap"), "{e}");
    }
}
