//! Solves the same structured cantilever with vproto and with CalculiX (`ccx`, same
//! element, same consistent nodal loads) and prints wall time, peak memory and the mean
//! tip deflection of both: `cargo run --release --example ccx_compare -- hex8 60 12 12`.
//! With a fifth argument `modal`, both compute the first 10 natural frequencies instead
//! (ccx `*FREQUENCY`); with `plastic`, the material gets S355's bilinear `*PLASTIC` curve
//! and the tip load is 1.4× the first-yield load (beam theory): a nonlinear step of
//! increments, run by both from the same deck, with vproto's share of time in stress
//! updates, assembly, factorisation and solves.
//! With a Gmsh `.msh` instead (sets `mount` and `bolt_hole`, e.g. the L-bracket of
//! models/bracket) and a force in N: the plastic deck of that part, clamped at `mount`,
//! the force down at `bolt_hole` (`ccx_compare bracket.msh 7500`).
//! Then it runs the same deck through `vproto run cantilever.inp` (the deck reader and the
//! whole pipeline) and prints the ccx/vproto ratios of wall time and peak memory.
//! Needs `ccx` on PATH (`apt-get install calculix-ccx`), GNU time, and `cargo build
//! --release` (for target/release/vproto).

use nalgebra::Vector3;
use std::fmt::Write as _;
use std::process::Command;
use std::time::Instant;

#[path = "common/timing.rs"]
mod timing;
use timing::{numeric_rows, timed};
use vproto_solver::assembly::Materials;
use vproto_solver::generate::block;
use vproto_solver::loads::{add_surface_load, SurfaceLoad};
use vproto_solver::{Constraint, ElementKind, Isotropic, Load, LoadCase, Mesh, StaticModel};

const E: f64 = 210e9;
const NU: f64 = 0.3;
const RHO: f64 = 7850.0;
const TRACTION: f64 = -1e6;

fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// Abaqus/CalculiX input deck with the same mesh, clamp (`fixed`) and consistent nodal
/// loads.
fn deck(
    mesh: &Mesh,
    kind: ElementKind,
    loads: &[f64],
    (fixed, tip): (&[usize], &[usize]),
    mode: &str,
) -> String {
    let mut s = String::from("*HEADING\nvproto comparison cantilever\n*NODE\n");
    for (i, p) in mesh.nodes.iter().enumerate() {
        let _ = writeln!(s, "{}, {:.12e}, {:.12e}, {:.12e}", i + 1, p.x, p.y, p.z);
    }
    let ty = match kind {
        ElementKind::Tet4 => "C3D4",
        ElementKind::Tet10 => "C3D10",
        ElementKind::Hex8 => "C3D8",
        ElementKind::Hex20 => "C3D20",
        ElementKind::Hex20R => "C3D20R",
    };
    let _ = writeln!(s, "*ELEMENT, TYPE={ty}, ELSET=EALL");
    for (e, nodes) in (0..mesh.element_count()).map(|e| (e, mesh.element(e).1)) {
        let ids: Vec<String> = std::iter::once(e + 1)
            .chain(nodes.iter().map(|n| n + 1))
            .map(|v| v.to_string())
            .collect();
        for (k, chunk) in ids.chunks(15).enumerate() {
            let more = (k + 1) * 15 < ids.len();
            let _ = writeln!(s, "{}{}", chunk.join(", "), if more { "," } else { "" });
        }
    }
    let nset = |s: &mut String, name: &str, nodes: &[usize]| {
        let _ = writeln!(s, "*NSET, NSET={name}");
        for chunk in nodes.chunks(12) {
            let _ = writeln!(
                s,
                "{}",
                chunk
                    .iter()
                    .map(|n| (n + 1).to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
    };
    nset(&mut s, "FIX", fixed);
    nset(&mut s, "TIP", tip);
    let plastic = if mode == "plastic" {
        "*PLASTIC\n355e6, 0.0\n470e6, 0.054214\n"
    } else {
        ""
    };
    let _ = writeln!(s, "*BOUNDARY\nFIX, 1, 3\n*MATERIAL, NAME=STEEL\n*ELASTIC\n{E:e}, {NU}\n{plastic}*DENSITY\n{RHO}\n*SOLID SECTION, ELSET=EALL, MATERIAL=STEEL\n*STEP");
    match mode {
        "modal" => {
            s += "*FREQUENCY\n10\n*END STEP\n";
            return s;
        }
        "plastic" => {
            // CCX_SOLVER="ITERATIVE CHOLESKY" picks ccx's solver (default SPOOLES).
            match std::env::var("CCX_SOLVER") {
                Ok(solver) => {
                    let _ = write!(s, "*STATIC, SOLVER={solver}\n0.1, 1.0\n*CLOAD\n");
                }
                Err(_) => s += "*STATIC\n0.1, 1.0\n*CLOAD\n",
            }
        }
        _ => s += "*STATIC\n*CLOAD\n",
    }
    for (d, f) in loads.iter().enumerate().filter(|(_, f)| **f != 0.0) {
        let _ = writeln!(s, "{}, {}, {f:.12e}", d / 3 + 1, d % 3 + 1);
    }
    s += "*NODE PRINT, NSET=TIP\nU\n*END STEP\n";
    s
}

/// The plastic deck through ccx and `vproto run`: time, memory, increments, iterations,
/// mean tip deflection, and vproto's time shares.
fn plastic(dir: &std::path::Path, tip: &[usize]) {
    let mut ccx = Command::new("ccx");
    ccx.args(["-i", "cantilever"])
        .env("OMP_NUM_THREADS", "2")
        .env("CCX_NPROC_EQUATION_SOLVER", "2");
    let (out, ccx_s, ccx_mib) = timed(ccx, dir);
    let log = String::from_utf8_lossy(&out.stdout);
    let ccx_increments = log.matches("increment size=").count();
    let ccx_iterations = log.matches("iteration ").count();
    let dat = std::fs::read_to_string(dir.join("cantilever.dat")).unwrap_or_default();
    // The last printed block of the tip's displacements (one per increment).
    let rows: Vec<Vec<f64>> = numeric_rows(&dat, 4).collect();
    let ccx_tip = rows[rows.len().saturating_sub(tip.len())..]
        .iter()
        .map(|r| r[3])
        .sum::<f64>()
        / tip.len() as f64;
    let exe = std::env::current_exe().unwrap();
    let vproto_bin = exe.parent().unwrap().parent().unwrap().join("vproto");
    let mut vproto = Command::new(vproto_bin);
    vproto.args(["run", "cantilever.inp", "--out", "vproto_out"]);
    let (run, ours_s, ours_mib) = timed(vproto, dir);
    let summary: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("vproto_out/cantilever.summary.json"))
            .unwrap_or_default(),
    )
    .unwrap_or_default();
    let lc = &summary["load_cases"][0];
    let scalar = |name: &str| timing::scalar(lc, name);
    let equations = summary["model"]["equations"].as_u64().unwrap_or(0);
    let h5 = dir.join("vproto_out/cantilever.h5");
    let ours_tip = hdf5_pure::File::open(&h5)
        .ok()
        .and_then(|f| {
            f.dataset("load_cases/step1/displacement")
                .ok()?
                .read_f64()
                .ok()
        })
        .map_or(f64::NAN, |u| {
            tip.iter().map(|&n| u[3 * n + 2]).sum::<f64>() / tip.len() as f64
        });
    println!(
        "plastic deck, {equations} equations (status {}):\n  vproto run: {ours_s:7.2} s, peak {ours_mib:6.0} MiB, {} increments, {} iterations, mean u_z of the loaded nodes {ours_tip:.6e} m\n    stress updates {:.2} s, assembly {:.2} s, factorisation {:.2} s, solves {:.2} s\n  ccx       : {ccx_s:7.2} s, peak {ccx_mib:6.0} MiB, {ccx_increments} increments, {ccx_iterations} iterations, mean u_z of the loaded nodes {ccx_tip:.6e} m\n  ratio ccx/vproto time {:.2}, memory {:.2}; u_z difference {:.2e}",
        run.status,
        scalar("increments"),
        scalar("iterations"),
        scalar("evaluation_seconds"),
        scalar("assembly_seconds"),
        scalar("factorization_seconds"),
        scalar("solution_seconds"),
        ccx_s / ours_s,
        ccx_mib / ours_mib,
        ((ours_tip - ccx_tip) / ccx_tip).abs()
    );
    if std::env::var_os("KEEP").is_none() {
        let _ = std::fs::remove_dir_all(dir);
    }
}

/// The unstructured case: a Gmsh mesh with sets `mount` (clamped) and `bolt_hole` (a
/// total force of `force` N down, as consistent nodal loads), the plastic deck
/// through ccx and vproto.
fn bracket(msh: &str, force: f64) {
    let mesh = vproto::gmsh::read(std::path::Path::new(msh)).expect("a Gmsh mesh");
    let kind = mesh.blocks[0].kind;
    let (fixed, tip) = (
        mesh.set_nodes("mount").expect("a `mount` set"),
        mesh.set_nodes("bolt_hole").expect("a `bolt_hole` set"),
    );
    let mut f = vec![0.0; 3 * mesh.nodes.len()];
    let unit = SurfaceLoad::Traction(Vector3::new(0.0, 0.0, -1.0));
    add_surface_load(&mesh, &mesh.face_sets["bolt_hole"], unit, &mut f);
    let total: f64 = f.iter().skip(2).step_by(3).sum();
    f.iter_mut().for_each(|v| *v *= force / total.abs());
    let dir = std::env::temp_dir().join(format!("vproto_ccx_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("cantilever.inp"),
        deck(&mesh, kind, &f, (&fixed, &tip), "plastic"),
    )
    .unwrap();
    plastic(&dir, &tip);
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(msh) = args.first().filter(|a| a.ends_with(".msh")) {
        let force = args
            .get(1)
            .map_or(7500.0, |f| f.parse().expect("a force in N"));
        return bracket(msh, force);
    }
    let kind = ElementKind::from_name(args.first().map_or("hex8", String::as_str))
        .expect("tet4|tet10|hex8|hex20");
    let d: Vec<usize> = args[1..4].iter().map(|a| a.parse().unwrap()).collect();
    let mesh = block([10.0, 2.0, 2.0], [d[0], d[1], d[2]], kind).unwrap();
    let tip = mesh.set_nodes("xmax").unwrap();
    let mode = args.get(4).map_or("static", String::as_str);
    // First yield of the root fibres: σ = 6 F L / (b h²) = 355 MPa, F = traction × b h.
    let traction = if mode == "plastic" {
        -1.4 * 355e6 * 2.0 / (6.0 * 10.0)
    } else {
        TRACTION
    };
    let load = SurfaceLoad::Traction(Vector3::new(0.0, 0.0, traction));
    let mut f = vec![0.0; 3 * mesh.nodes.len()];
    add_surface_load(&mesh, &mesh.face_sets["xmax"], load, &mut f);

    let dir = std::env::temp_dir().join(format!("vproto_ccx_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let modal = mode == "modal";
    std::fs::write(
        dir.join("cantilever.inp"),
        deck(
            &mesh,
            kind,
            &f,
            (&mesh.set_nodes("xmin").unwrap(), &tip),
            mode,
        ),
    )
    .unwrap();
    if mode == "plastic" {
        return plastic(&dir, &tip);
    }

    let model = StaticModel {
        mesh: &mesh,
        materials: Materials::uniform(
            Isotropic {
                youngs_modulus: E,
                poisson_ratio: NU,
                density: RHO,
            },
            mesh.element_count(),
        ),
        constraints: vec![Constraint {
            nodes: mesh.set_nodes("xmin").unwrap(),
            components: [Some(0.0); 3],
        }],
    };
    let t = Instant::now();
    let (vproto_result, vproto_s) = if modal {
        let m = model
            .modes(vproto_solver::modal::ModalOptions {
                modes: 10,
                shift_hz: None,
                ..Default::default()
            })
            .unwrap();
        let f: Vec<f64> = m.modes.iter().map(|x| x.frequency).collect();
        (f, t.elapsed().as_secs_f64())
    } else {
        let sol = model
            .solve(&[LoadCase {
                name: "tip".into(),
                loads: vec![Load::Surface {
                    faces: mesh.face_sets["xmax"].clone(),
                    load,
                }],
            }])
            .unwrap();
        let u = &sol.load_cases[0].displacement;
        (
            vec![tip.iter().map(|&n| u[3 * n + 2]).sum::<f64>() / tip.len() as f64],
            t.elapsed().as_secs_f64(),
        )
    };

    let mut ccx = Command::new("ccx");
    ccx.args(["-i", "cantilever"])
        .env("OMP_NUM_THREADS", "2")
        .env("CCX_NPROC_EQUATION_SOLVER", "2");
    let (out, ccx_s, ccx_mib) = timed(ccx, &dir);
    let dat = std::fs::read_to_string(dir.join("cantilever.dat")).unwrap_or_default();
    let ccx_result: Vec<f64> = if modal {
        // The eigenvalue table: mode, eigenvalue, rad/time, cycles/time, imaginary part.
        let table = dat
            .find("E I G E N V A L U E   O U T P U T")
            .map_or("", |at| &dat[at..]);
        numeric_rows(table, 5).map(|v| v[3]).take(10).collect()
    } else {
        let uz: Vec<f64> = dat
            .lines()
            .filter_map(|l| {
                let v: Vec<&str> = l.split_whitespace().collect();
                (v.len() == 4 && v[0].parse::<usize>().is_ok())
                    .then(|| v[3].parse::<f64>().ok())
                    .flatten()
            })
            .collect();
        if uz.is_empty() {
            vec![]
        } else {
            vec![uz.iter().sum::<f64>() / uz.len() as f64]
        }
    };
    if ccx_result.is_empty() {
        let log = String::from_utf8_lossy(&out.stdout);
        let tail: Vec<&str> = log.lines().rev().take(15).collect();
        panic!(
            "ccx gave no results (status {}):\n{}\n{}",
            out.status,
            tail.into_iter().rev().collect::<Vec<_>>().join("\n"),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let difference = vproto_result
        .iter()
        .zip(&ccx_result)
        .map(|(a, b)| ((a - b) / b).abs())
        .fold(0.0, f64::max);
    println!(
        "{} {:?}: {} equations, {}\n  vproto : {:7.2} s, peak {:6.0} MiB, {:.6?}\n  ccx    : {:7.2} s, peak {:6.0} MiB, {:.6?}\n  ratio ccx/vproto time {:.2}, largest relative difference {:.2e}",
        kind.name(), d, model.prescribed().0.iter().filter(|x| !**x).count(),
        if modal { "first 10 natural frequencies (Hz)" } else { "mean tip u_z (m)" },
        vproto_s, peak_rss_mib(), vproto_result, ccx_s, ccx_mib, ccx_result, ccx_s / vproto_s, difference
    );
    // The same deck through `vproto run deck.inp` (deck reader, whole pipeline,
    // result files included), as a user would run it.
    let exe = std::env::current_exe().unwrap();
    let vproto_bin = exe.parent().unwrap().parent().unwrap().join("vproto");
    let mut vproto = Command::new(vproto_bin);
    vproto.args(["run", "cantilever.inp", "--out", "vproto_out"]);
    let (run, deck_s, deck_mib) = timed(vproto, &dir);
    println!(
        "  vproto run cantilever.inp: {deck_s:7.2} s, peak {deck_mib:6.0} MiB (status {}); ccx/vproto: time {:.2}, memory {:.2}",
        run.status,
        ccx_s / deck_s,
        ccx_mib / deck_mib
    );
    if std::env::var_os("KEEP").is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
}
