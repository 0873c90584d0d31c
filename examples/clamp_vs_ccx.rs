//! A strap clamp — the fixture benchmark of two contact pairs and two bolts — written as
//! one Abaqus/CalculiX deck and run by `vproto run` and by CalculiX 2.20 side by side:
//! wall time, peak memory, increments, Newton iterations, the bolt forces and the
//! workpiece's slide.
//!
//! The parts (steel, hex20, each meshed on its own at element size h, the workpiece
//! finer so no interface matches): a base plate 200 × 50 × 40 mm; a workpiece 100 × 50 ×
//! 30 mm on it (contact pair 1, μ = 0.2); a strap 200 × 50 × 15 mm over it (contact pair
//! 2, μ = 0.2); two 20 × 20 mm bolts 30 mm long at the strap's ends, tied to the base
//! (their feet) and the strap (their heads), each with a `*PRE-TENSION SECTION` at
//! mid-length. Step 1 pulls both bolts to 10 kN; step 2 locks them (`*BOUNDARY, FIXED`)
//! and pushes the workpiece's end face with 2 MPa (3 kN, a cutting force, below the
//! 8 kN friction can hold). Both stick with the same constant stick slope, 1e12 Pa/m
//! (K / 100, as CalculiX's manual advises), so their slides can be compared.
//!
//! `cargo run --release --example clamp_vs_ccx -- [h in m, default 0.0044: ~100k
//! equations]`; `CCX_SOLVER="ITERATIVE CHOLESKY"` sets CalculiX's *STATIC solver
//! (default SPOOLES; CalculiX's friction makes its matrix non-symmetric, where it
//! falls back to SPOOLES); `SKIP_CCX=1` runs vproto only. Needs `ccx`, GNU time and
//! target/release/vproto.

use std::fmt::Write as _;
use std::process::Command;

#[path = "common/timing.rs"]
mod timing;
use timing::{numeric_rows, timed};
use vproto_solver::generate::block;
use vproto_solver::mesh::merge_parts;
use vproto_solver::{ElementKind, FaceRef, Mesh};

/// A hex20 block of `size` (m) at `origin` with divisions near `h`, even along z when
/// `split` (a node layer at mid-height for a pretension section).
fn part(size: [f64; 3], origin: [f64; 3], h: f64, split: bool) -> Mesh {
    let mut d: [usize; 3] = std::array::from_fn(|i| ((size[i] / h).round() as usize).max(1));
    if split {
        d[2] = d[2].max(2).div_ceil(2) * 2;
    }
    let mut m = block(size, d, ElementKind::Hex20).unwrap();
    for p in &mut m.nodes {
        p.x += origin[0];
        p.y += origin[1];
        p.z += origin[2];
    }
    m
}

fn assembly(h: f64) -> Mesh {
    merge_parts(vec![
        (
            "base".into(),
            part([0.2, 0.05, 0.04], [0.0, 0.0, -0.04], h, false),
        ),
        (
            "work".into(),
            part([0.1, 0.05, 0.03], [0.05, 0.0, 0.0], 0.8 * h, false),
        ),
        (
            "strap".into(),
            part([0.2, 0.05, 0.015], [0.0, 0.0, 0.03], h, false),
        ),
        (
            "bolt1".into(),
            part([0.02, 0.02, 0.03], [0.01, 0.015, 0.0], 0.7 * h, true),
        ),
        (
            "bolt2".into(),
            part([0.02, 0.02, 0.03], [0.17, 0.015, 0.0], 0.7 * h, true),
        ),
    ])
}

/// The top faces of `bolt`'s elements just below its mid-height.
fn section(mesh: &Mesh, bolt: &str) -> Vec<FaceRef> {
    let elements = mesh.region_elements(bolt).unwrap();
    elements
        .iter()
        .flat_map(|&element| (0..6u8).map(move |face| FaceRef { element, face }))
        .filter(|&f| {
            let z = |n: usize| mesh.nodes[n].z;
            mesh.face_nodes(f)
                .iter()
                .all(|&n| (z(n) - 0.015).abs() < 1e-9)
                && mesh
                    .element(f.element)
                    .1
                    .iter()
                    .any(|&n| z(n) < 0.015 - 1e-9)
        })
        .collect()
}

fn surface(s: &mut String, name: &str, faces: &[FaceRef]) {
    let _ = writeln!(s, "*SURFACE, NAME={name}");
    for f in faces {
        let _ = writeln!(s, "{}, S{}", f.element + 1, f.face + 1);
    }
}

fn deck(mesh: &Mesh, solver: &str) -> String {
    let mut s =
        String::from("*HEADING\nstrap clamp: two contact pairs, two bolts\n*NODE, NSET=NALL\n");
    for (i, p) in mesh.nodes.iter().enumerate() {
        let _ = writeln!(s, "{}, {:.12e}, {:.12e}, {:.12e}", i + 1, p.x, p.y, p.z);
    }
    let refs = [mesh.nodes.len() + 1, mesh.nodes.len() + 2];
    let _ = writeln!(
        s,
        "*NODE, NSET=REFS\n{}, 0.02, 0.025, 0.015\n{}, 0.18, 0.025, 0.015",
        refs[0], refs[1]
    );
    let mut first = 0;
    for b in &mesh.blocks {
        s += "*ELEMENT, TYPE=C3D20, ELSET=EALL\n";
        for e in 0..b.len() {
            let nodes: Vec<String> = b.element(e).iter().map(|n| (n + 1).to_string()).collect();
            let _ = writeln!(
                s,
                "{}, {},\n{}",
                first + e + 1,
                nodes[..15].join(", "),
                nodes[15..].join(", ")
            );
        }
        first += b.len();
    }
    let _ = writeln!(s, "*NSET, NSET=BOTTOM");
    for chunk in mesh.set_nodes("base.zmin").unwrap().chunks(8) {
        let ids: Vec<String> = chunk.iter().map(|n| (n + 1).to_string()).collect();
        let _ = writeln!(s, "{}", ids.join(", "));
    }
    for (name, set) in [
        ("WORK_BOTTOM", "work.zmin"),
        ("WORK_TOP", "work.zmax"),
        ("WORK_END", "work.xmin"),
        ("BASE_TOP", "base.zmax"),
        ("STRAP_BOTTOM", "strap.zmin"),
        ("FEET", "bolt1.zmin"),
        ("HEADS", "bolt1.zmax"),
    ] {
        let mut faces = mesh.face_sets[set].clone();
        if let Some(other) = set.strip_prefix("bolt1") {
            faces.extend(&mesh.face_sets[&format!("bolt2{other}")]);
        }
        surface(&mut s, name, &faces);
    }
    surface(&mut s, "CUT1", &section(mesh, "bolt1"));
    surface(&mut s, "CUT2", &section(mesh, "bolt2"));
    let _ = write!(
        s,
        "*MATERIAL, NAME=STEEL\n*ELASTIC\n210e9, 0.3\n*SOLID SECTION, ELSET=EALL, MATERIAL=STEEL\n\
         *TIE, NAME=ANCHOR\nFEET, BASE_TOP\n*TIE, NAME=HEAD\nHEADS, STRAP_BOTTOM\n\
         *SURFACE INTERACTION, NAME=STEEL_ON_STEEL\n*SURFACE BEHAVIOR, PRESSURE-OVERCLOSURE=LINEAR\n1.0e14\n*FRICTION\n0.2, 1.0e12\n\
         *CONTACT PAIR, INTERACTION=STEEL_ON_STEEL, TYPE=SURFACE TO SURFACE\nWORK_BOTTOM, BASE_TOP\nWORK_TOP, STRAP_BOTTOM\n\
         *PRE-TENSION SECTION, SURFACE=CUT1, NODE={r1}\n0., 0., 1.\n\
         *PRE-TENSION SECTION, SURFACE=CUT2, NODE={r2}\n0., 0., 1.\n\
         *BOUNDARY\nBOTTOM, 1, 3\n\
         *STEP\n*STATIC{solver}\n0.25, 1.\n*CLOAD\n{r1}, 1, {PULL:e}\n{r2}, 1, {PULL:e}\n*END STEP\n\
         *STEP\n*STATIC{solver}\n0.25, 1.\n*BOUNDARY, FIXED\n{r1}, 1, 1\n{r2}, 1, 1\n*DSLOAD\nWORK_END, P, 2.0e6\n\
         *NODE PRINT, NSET=REFS, TOTALS=NO\nRF\n*NODE FILE\nU\n*END STEP\n",
        r1 = refs[0],
        r2 = refs[1],
    );
    s
}

/// Each bolt's pull (N).
const PULL: f64 = 10_000.0;

/// The mean x displacement of `nodes` (0-based) in the last displacement block of
/// CalculiX's `.frd` (lines ` -1 <node> <ux> <uy> <uz>` after a `DISP` header).
fn last_displacements(frd: &str, nodes: &[usize]) -> f64 {
    let mut u: std::collections::HashMap<usize, f64> = Default::default();
    let mut inside = false;
    for line in frd.lines() {
        if line.contains("DISP") {
            inside = true;
            u.clear();
        } else if line.starts_with(" -3") {
            inside = false;
        } else if inside && line.starts_with(" -1") && line.len() >= 25 {
            let node = line[3..13].trim().parse::<usize>().unwrap_or(0);
            if let Ok(x) = line[13..25].trim().parse::<f64>() {
                u.insert(node, x);
            }
        }
    }
    nodes.iter().filter_map(|n| u.get(&(n + 1))).sum::<f64>() / nodes.len() as f64
}

fn main() {
    let h: f64 = std::env::args()
        .nth(1)
        .map_or(0.0044, |a| a.parse().expect("an element size in m"));
    let mesh = assembly(h);
    let solver = std::env::var("CCX_SOLVER").map_or(String::new(), |s| format!(", SOLVER={s}"));
    let dir = std::env::temp_dir().join(format!("vproto_clamp_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("clamp.inp"), deck(&mesh, &solver)).unwrap();
    let mut work: Vec<usize> = mesh
        .region_elements("work")
        .unwrap()
        .iter()
        .flat_map(|&e| mesh.element(e).1.to_vec())
        .collect();
    work.sort_unstable();
    work.dedup();

    let exe = std::env::current_exe().unwrap();
    let vproto_bin = exe.parent().unwrap().parent().unwrap().join("vproto");
    let mut vproto = Command::new(vproto_bin);
    vproto.args(["run", "clamp.inp", "--out", "vproto_out"]);
    let (run, ours_s, ours_mib) = timed(vproto, &dir);
    let summary: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("vproto_out/clamp.summary.json")).unwrap_or_default(),
    )
    .unwrap_or_default();
    let lc = &summary["load_cases"][0];
    let scalar = |name: &str| timing::scalar(lc, name);
    let slide = hdf5_pure::File::open(dir.join("vproto_out/clamp.h5"))
        .ok()
        .and_then(|f| {
            f.dataset("load_cases/step2/displacement")
                .ok()?
                .read_f64()
                .ok()
        })
        .map_or(f64::NAN, |u| {
            work.iter().map(|&n| u[3 * n]).sum::<f64>() / work.len() as f64
        });

    println!(
        "strap clamp, h = {h} m, {} equations (vproto status {}):\n  vproto run: {ours_s:7.2} s, peak {ours_mib:6.0} MiB, {} increments, {} iterations, {} factorisations; bolts {:.1} / {:.1} N; workpiece mean u_x {slide:.4e} m\n    stress updates {:.2} s, assembly {:.2} s, factorisation {:.2} s, solves {:.2} s",
        summary["model"]["equations"],
        run.status,
        scalar("increments"),
        scalar("iterations"),
        scalar("factorizations"),
        scalar("bolt_force.cut1"),
        scalar("bolt_force.cut2"),
        scalar("evaluation_seconds"),
        scalar("assembly_seconds"),
        scalar("factorization_seconds"),
        scalar("solution_seconds"),
    );
    if std::env::var_os("SKIP_CCX").is_some() {
        return;
    }
    let mut ccx = Command::new("ccx");
    ccx.args(["-i", "clamp"])
        .env("OMP_NUM_THREADS", "2")
        .env("CCX_NPROC_EQUATION_SOLVER", "2");
    let (out, ccx_s, ccx_mib) = timed(ccx, &dir);
    let log = String::from_utf8_lossy(&out.stdout);
    let dat = std::fs::read_to_string(dir.join("clamp.dat")).unwrap_or_default();
    let rf: Vec<Vec<f64>> = numeric_rows(&dat, 4).collect();
    // The pull's *CLOAD stays on in step 2, so the bolt force is it plus the lock's
    // reaction.
    let ccx_bolts: Vec<f64> = rf[rf.len().saturating_sub(2)..]
        .iter()
        .map(|r| PULL + r[1])
        .collect();
    let mut ccx_slide = f64::NAN;
    if let Ok(frd) = std::fs::read_to_string(dir.join("clamp.frd")) {
        ccx_slide = last_displacements(&frd, &work);
    }
    println!(
        "  ccx{solver}: {ccx_s:7.2} s, peak {ccx_mib:6.0} MiB, {} increments, {} iterations; bolts {:.1?} N; workpiece mean u_x {ccx_slide:.4e} m (status {})\n  ratio ccx/vproto time {:.2}, memory {:.2}",
        log.matches("increment size=").count(),
        log.matches("iteration ").count(),
        ccx_bolts,
        out.status,
        ccx_s / ours_s,
        ccx_mib / ours_mib,
    );
    if !run.status.success() {
        println!("{}", String::from_utf8_lossy(&run.stderr));
    }
    if std::env::var_os("KEEP").is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    } else {
        println!("kept {}", dir.display());
    }
}
