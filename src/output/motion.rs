//! Motion results: `<case>_motion.h5` with every history (`/time`, `/bodies/<name>/…`,
//! `/joints/<name>/…`, `/springs/<name>/…`, `/energy/…`, `/constraints/…`) and an
//! animation (`/animation`: each body's shape, its points at each frame and their rigid
//! velocities, the joints as points carrying their reaction forces); the XDMF3 sidecar
//! `<case>_motion.xdmf` animates it in ParaView with the real time values; SVG plots of
//! chosen histories.
//!
//! A body drawn from the case's mesh region uses its elements' corner nodes; any other
//! body is drawn as the box with its mass and principal inertias.

use super::h5::H5;
use super::RunFiles;
use crate::mechanism::{MechanismSpec, MotionRun};
use crate::plot::Axis;
use anyhow::{bail, Result};
use nalgebra::{Matrix3, SymmetricEigen, Vector3};
use std::fmt::Write;
use vproto_solver::multibody::RigidBody;
use vproto_solver::Mesh;

/// Frames written to the animation at most (samples are strided to fit).
const MAX_FRAMES: usize = 400;

/// A body's drawing: points at the initial pose and linear cells.
struct Shape {
    points: Vec<Vector3<f64>>,
    cells: Vec<usize>,
    nodes_per_cell: usize,
    topology: &'static str,
}

/// The box with the body's mass and principal moments, on its principal axes.
fn inertia_box(body: &RigidBody) -> Shape {
    let eig = SymmetricEigen::new(body.inertia);
    let i = eig.eigenvalues;
    let side =
        |a: usize, b: usize, c: usize| (6.0 * (i[b] + i[c] - i[a]) / body.mass).max(0.0).sqrt();
    let mut half = Vector3::new(side(0, 1, 2), side(1, 2, 0), side(2, 0, 1)) / 2.0;
    let floor = 0.05 * half.max();
    half = half.map(|h| h.max(floor));
    let axes: Matrix3<f64> = eig.eigenvectors;
    let corners = [
        (-1., -1., -1.),
        (1., -1., -1.),
        (1., 1., -1.),
        (-1., 1., -1.),
        (-1., -1., 1.),
        (1., -1., 1.),
        (1., 1., 1.),
        (-1., 1., 1.),
    ];
    Shape {
        points: corners
            .iter()
            .map(|&(a, b, c)| {
                body.center_of_mass.coords + axes * Vector3::new(a * half.x, b * half.y, c * half.z)
            })
            .collect(),
        cells: (0..8).collect(),
        nodes_per_cell: 8,
        topology: "Hexahedron",
    }
}

/// The corner nodes of a region's elements (the most common element family).
fn region_shape(mesh: &Mesh, region: &str) -> Result<Shape> {
    let elements = mesh.region_elements(region)?;
    let corners = |e: usize| {
        let (kind, nodes) = mesh.element(e);
        let n = if kind.name().starts_with("tet") { 4 } else { 8 };
        nodes[..n].to_vec()
    };
    let hexes = elements.iter().filter(|&&e| corners(e).len() == 8).count();
    let npc = if 2 * hexes >= elements.len() { 8 } else { 4 };
    let mut local = vec![usize::MAX; mesh.nodes.len()];
    let mut points = Vec::new();
    let mut cells = Vec::new();
    for e in elements.into_iter().map(corners).filter(|c| c.len() == npc) {
        for n in e {
            if local[n] == usize::MAX {
                local[n] = points.len();
                points.push(mesh.nodes[n]);
            }
            cells.push(local[n]);
        }
    }
    if points.is_empty() {
        bail!("region '{region}' has no elements to draw");
    }
    Ok(Shape {
        points,
        cells,
        nodes_per_cell: npc,
        topology: if npc == 8 {
            "Hexahedron"
        } else {
            "Tetrahedron"
        },
    })
}

/// Writes the motion files.
pub fn write(
    files: &mut RunFiles,
    run: &MotionRun,
    spec: &MechanismSpec,
    mesh: Option<&Mesh>,
) -> Result<()> {
    let name = files.name().to_string();
    let shapes: Vec<Shape> = run
        .mechanism
        .bodies
        .iter()
        .zip(&run.regions)
        .map(|(b, region)| match (region, mesh) {
            (Some(r), Some(m)) => region_shape(m, r),
            _ => Ok(inertia_box(b)),
        })
        .collect::<Result<_>>()?;
    let samples = &run.solution.samples;
    let stride = samples.len().div_ceil(MAX_FRAMES).max(1);
    let mut frames: Vec<usize> = (0..samples.len()).step_by(stride).collect();
    if frames.last() != Some(&(samples.len() - 1)) {
        frames.push(samples.len() - 1);
    }
    files.h5(&format!("{name}_motion.h5"), hdf5(run, &shapes, &frames)?)?;
    let doc = document(&format!("{name}_motion.h5"), run, &shapes, &frames);
    files.xml(&format!("{name}_motion.xdmf"), &doc)?;
    plots(files, run, spec)
}

fn hdf5(run: &MotionRun, shapes: &[Shape], frames: &[usize]) -> Result<H5> {
    let samples = &run.solution.samples;
    let mut h = H5::new();
    h.text("", "units", "SI: m, N, N m, kg, s, J, rad");
    h.text("", "forces", "joint force and moment: exerted by the joint's first part on its second, moment about the joint point, world axes");
    let series = |f: &dyn Fn(&vproto_solver::multibody::Sample) -> f64| -> Vec<f64> {
        samples.iter().map(f).collect()
    };
    h.f64("time", series(&|s| s.time), 1)?;
    let vectors = |f: &dyn Fn(&vproto_solver::multibody::Sample) -> Vector3<f64>| -> Vec<f64> {
        samples
            .iter()
            .flat_map(|s| f(s).iter().copied().collect::<Vec<_>>())
            .collect()
    };
    for (b, body) in run.mechanism.bodies.iter().enumerate() {
        let g = format!("bodies/{}", body.name);
        h.f64(
            &format!("{g}/position"),
            vectors(&|s| s.bodies[b].position),
            3,
        )?;
        h.f64(
            &format!("{g}/velocity"),
            vectors(&|s| s.bodies[b].velocity),
            3,
        )?;
        h.f64(
            &format!("{g}/acceleration"),
            vectors(&|s| s.bodies[b].acceleration),
            3,
        )?;
        h.f64(
            &format!("{g}/angular_velocity"),
            vectors(&|s| s.bodies[b].angular_velocity),
            3,
        )?;
        h.f64(
            &format!("{g}/angular_acceleration"),
            vectors(&|s| s.bodies[b].angular_acceleration),
            3,
        )?;
        let rotation: Vec<f64> = samples
            .iter()
            .flat_map(|s| {
                s.bodies[b]
                    .rotation
                    .transpose()
                    .iter()
                    .copied()
                    .collect::<Vec<_>>()
            })
            .collect();
        h.f64(&format!("{g}/rotation"), rotation, 9)?;
        h.text(
            &g,
            "rotation",
            "row-major 3x3 rotation from the initial pose",
        );
    }
    for (j, joint) in run.mechanism.joints.iter().enumerate() {
        let g = format!("joints/{}", joint.name);
        h.f64(&format!("{g}/force"), vectors(&|s| s.joints[j].force), 3)?;
        h.f64(&format!("{g}/moment"), vectors(&|s| s.joints[j].moment), 3)?;
        h.text(&g, "type", joint.kind.name());
        if samples[0].joints[j].angle.is_some() {
            h.f64(
                &format!("{g}/angle"),
                series(&|s| s.joints[j].angle.unwrap_or(0.0)),
                1,
            )?;
        }
        if samples[0].joints[j].slide.is_some() {
            h.f64(
                &format!("{g}/slide"),
                series(&|s| s.joints[j].slide.unwrap_or(0.0)),
                1,
            )?;
        }
    }
    for (k, spring) in run.spring_names.iter().enumerate() {
        h.f64(
            &format!("springs/{spring}/length"),
            series(&|s| s.springs[k].0),
            1,
        )?;
        h.f64(
            &format!("springs/{spring}/tension"),
            series(&|s| s.springs[k].1),
            1,
        )?;
    }
    for q in ["kinetic", "potential", "work", "error"] {
        h.f64(
            &format!("energy/{q}"),
            run.history(&format!("energy/{q}"))?,
            1,
        )?;
    }
    h.f64(
        "constraints/position_violation",
        series(&|s| s.position_violation),
        1,
    )?;
    h.f64(
        "constraints/velocity_violation",
        series(&|s| s.velocity_violation),
        1,
    )?;
    write_animation(&mut h, run, shapes, frames)?;
    Ok(h)
}

/// The animation frames: each body's cells moved with it (and its rigid velocity), the
/// joints as points carrying their reaction force.
fn write_animation(h: &mut H5, run: &MotionRun, shapes: &[Shape], frames: &[usize]) -> Result<()> {
    let samples = &run.solution.samples;
    let times: Vec<f64> = frames.iter().map(|&k| samples[k].time).collect();
    h.f64("animation/time", times, 1)?;
    for (b, shape) in shapes.iter().enumerate() {
        let g = format!("animation/{}", run.mechanism.bodies[b].name);
        let conn: Vec<i64> = shape.cells.iter().map(|&c| c as i64).collect();
        h.i64(&format!("{g}/connectivity"), conn, shape.nodes_per_cell)?;
        let centre = run.mechanism.bodies[b].center_of_mass.coords;
        for (f, &k) in frames.iter().enumerate() {
            let s = &samples[k].bodies[b];
            let (mut points, mut velocity) = (Vec::new(), Vec::new());
            for p in &shape.points {
                let x = s.position + s.rotation * (p - centre);
                let v = s.velocity + s.angular_velocity.cross(&(x - s.position));
                points.extend(x.iter());
                velocity.extend(v.iter());
            }
            h.f64(&format!("{g}/points{f}"), points, 3)?;
            h.f64(&format!("{g}/velocity{f}"), velocity, 3)?;
        }
    }
    let nj = run.mechanism.joints.len();
    let ids: Vec<i64> = (0..nj as i64).collect();
    // One column: each joint is a one-point cell.
    h.i64("animation/joints/connectivity", ids, 1)?;
    for (f, &k) in frames.iter().enumerate() {
        let (mut points, mut forces) = (Vec::new(), Vec::new());
        for (j, state) in samples[k].joints.iter().enumerate() {
            points.extend(joint_point(run, j, k).iter());
            forces.extend(state.force.iter());
        }
        h.f64(&format!("animation/joints/points{f}"), points, 3)?;
        h.f64(&format!("animation/joints/force{f}"), forces, 3)?;
    }
    Ok(())
}

/// Where a joint is at sample `k`: carried by its second part (or its first, when the
/// second is the ground).
fn joint_point(run: &MotionRun, j: usize, k: usize) -> Vector3<f64> {
    use vproto_solver::multibody::Part;
    let joint = &run.mechanism.joints[j];
    let part = if joint.second == Part::Ground {
        joint.first
    } else {
        joint.second
    };
    run.world_point(part, &joint.point, k)
}

fn item(h5: &str, path: &str, dims: &str, number: &str, precision: u8) -> String {
    format!(
        r#"<DataItem Dimensions="{dims}" NumberType="{number}" Precision="{precision}" Format="HDF">{h5}:{path}</DataItem>"#
    )
}

/// XDMF3: a temporal collection of frames, each a spatial collection of the bodies and
/// the joints.
fn document(h5: &str, run: &MotionRun, shapes: &[Shape], frames: &[usize]) -> String {
    let samples = &run.solution.samples;
    let mut s = String::from("<?xml version=\"1.0\" ?>\n<Xdmf Version=\"3.0\">\n <Domain>\n");
    s += "  <Grid Name=\"motion\" GridType=\"Collection\" CollectionType=\"Temporal\">\n";
    for (f, &k) in frames.iter().enumerate() {
        let _ = writeln!(s, "   <Grid Name=\"frame{f}\" GridType=\"Collection\" CollectionType=\"Spatial\">\n    <Time Value=\"{:.9e}\"/>", samples[k].time);
        for (b, shape) in shapes.iter().enumerate() {
            let body = &run.mechanism.bodies[b].name;
            let (np, nc) = (shape.points.len(), shape.cells.len() / shape.nodes_per_cell);
            let _ = writeln!(s, "    <Grid Name=\"{body}\" GridType=\"Uniform\">");
            let _ = writeln!(
                s,
                "     <Topology TopologyType=\"{}\" NumberOfElements=\"{nc}\" NodesPerElement=\"{}\">{}</Topology>",
                shape.topology,
                shape.nodes_per_cell,
                item(h5, &format!("/animation/{body}/connectivity"), &format!("{nc} {}", shape.nodes_per_cell), "Int", 8)
            );
            let _ = writeln!(
                s,
                "     <Geometry GeometryType=\"XYZ\">{}</Geometry>",
                item(
                    h5,
                    &format!("/animation/{body}/points{f}"),
                    &format!("{np} 3"),
                    "Float",
                    8
                )
            );
            let _ = writeln!(
                s,
                "     <Attribute Name=\"velocity\" AttributeType=\"Vector\" Center=\"Node\">{}</Attribute>",
                item(h5, &format!("/animation/{body}/velocity{f}"), &format!("{np} 3"), "Float", 8)
            );
            s += "    </Grid>\n";
        }
        let nj = run.mechanism.joints.len();
        if nj > 0 {
            s += "    <Grid Name=\"joints\" GridType=\"Uniform\">\n";
            let _ = writeln!(s, "     <Topology TopologyType=\"Polyvertex\" NumberOfElements=\"{nj}\" NodesPerElement=\"1\">{}</Topology>", item(h5, "/animation/joints/connectivity", &nj.to_string(), "Int", 8));
            let _ = writeln!(
                s,
                "     <Geometry GeometryType=\"XYZ\">{}</Geometry>",
                item(
                    h5,
                    &format!("/animation/joints/points{f}"),
                    &format!("{nj} 3"),
                    "Float",
                    8
                )
            );
            let _ = writeln!(
                s,
                "     <Attribute Name=\"joint_force\" AttributeType=\"Vector\" Center=\"Node\">{}</Attribute>",
                item(h5, &format!("/animation/joints/force{f}"), &format!("{nj} 3"), "Float", 8)
            );
            s += "    </Grid>\n";
        }
        s += "   </Grid>\n";
    }
    s += "  </Grid>\n </Domain>\n</Xdmf>\n";
    s
}

/// The unit of a history path, for a plot's axis.
fn unit(path: &str) -> &'static str {
    let quantity = path.rsplit('/').next().unwrap_or("");
    let base = ["_x", "_y", "_z"]
        .iter()
        .find_map(|s| quantity.strip_suffix(s))
        .unwrap_or(quantity);
    match (path.split('/').next(), base) {
        (Some("energy"), _) => "J",
        (_, "force" | "tension") => "N",
        (_, "moment") => "N m",
        (_, "angle") => "rad",
        (_, "angular_velocity") => "rad/s",
        (_, "angular_acceleration") => "rad/s²",
        (_, "velocity" | "speed") => "m/s",
        (_, "acceleration") => "m/s²",
        _ => "m",
    }
}

/// An axis of histories that are all magnitudes (a vector history without `_x`, `_y`,
/// `_z` is its length: a joint's |F|, a speed) never runs below zero.
fn magnitudes(series: &[String], axis: Axis) -> Axis {
    const VECTORS: [&str; 8] = [
        "force",
        "moment",
        "position",
        "velocity",
        "speed",
        "acceleration",
        "angular_velocity",
        "angular_acceleration",
    ];
    let norm = |p: &String| p.rsplit('/').next().is_some_and(|q| VECTORS.contains(&q));
    if series.iter().all(norm) {
        axis.magnitude()
    } else {
        axis
    }
}

/// The case's `[[mechanism.plot]]`s, or by default every joint's reaction force.
fn plots(files: &mut RunFiles, run: &MotionRun, spec: &MechanismSpec) -> Result<()> {
    let name = files.name().to_string();
    let times: Vec<f64> = run.solution.samples.iter().map(|s| s.time).collect();
    let default = [(
        "joint_forces".to_string(),
        run.mechanism
            .joints
            .iter()
            .map(|j| format!("joint/{}/force", j.name))
            .collect::<Vec<_>>(),
    )];
    let chosen: Vec<(String, Vec<String>)> = spec
        .plot
        .iter()
        .map(|p| (p.get_ref().name.clone(), p.get_ref().series.clone()))
        .collect();
    let list = if chosen.is_empty() {
        &default[..]
    } else {
        &chosen[..]
    };
    for (plot, series) in list {
        let data = series
            .iter()
            .map(|path| {
                Ok((
                    path.clone(),
                    times.iter().copied().zip(run.history(path)?).collect(),
                ))
            })
            .collect::<Result<Vec<_>>>()?;
        let mut units: Vec<&str> = series.iter().map(|p| unit(p)).collect();
        units.sort_unstable();
        units.dedup();
        let svg = crate::plot::lines(
            &format!("{name}: {plot}"),
            &Axis::new("time", "s").magnitude(),
            &magnitudes(
                series,
                Axis::new(&plot.replace('_', " "), &units.join(", ")),
            ),
            &data,
        );
        files.xml(&format!("{name}_{plot}.svg"), &svg)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::unit;

    #[test]
    fn history_units() {
        for (path, u) in [
            ("body/ram/velocity", "m/s"),
            ("body/ram/velocity_y", "m/s"),
            ("body/ram/position_x", "m"),
            ("body/ram/acceleration", "m/s²"),
            ("joint/pin/force_x", "N"),
            ("joint/pin/moment", "N m"),
            ("joint/pin/angle", "rad"),
            ("spring/s/tension", "N"),
            ("energy/kinetic", "J"),
        ] {
            assert_eq!(unit(path), u, "{path}");
        }
    }
}
