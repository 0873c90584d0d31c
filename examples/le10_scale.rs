//! NAFEMS LE10 on an unstructured tet10 mesh, solved side by side in one run by vproto
//! (direct factor and multigrid CG, each through `vproto run`) and by CalculiX 2.20
//! (`*STATIC` with SPOOLES and `*STATIC, SOLVER=ITERATIVE CHOLESKY`): wall time, peak
//! memory (GNU time) and σ_yy at D (vproto; target −5.38 MPa) or u_z at D (both).
//! `cargo run --release --example le10_scale -- mesh.msh [skip-direct] [skip-iterative]
//! [skip-spooles] [skip-ccx]`;
//! benches/le10_scale.sh makes the mesh with models/le10/le10.py.

use std::fmt::Write;
use std::process::Command;

#[path = "common/timing.rs"]
mod timing;
use timing::{numeric_rows, timed};
use vproto_solver::Mesh;

fn deck(mesh: &Mesh, solver: &str) -> String {
    let mut s = String::from("*NODE, NSET=NALL\n");
    for (i, p) in mesh.nodes.iter().enumerate() {
        let _ = writeln!(s, "{}, {:.12e}, {:.12e}, {:.12e}", i + 1, p.x, p.y, p.z);
    }
    s += "*ELEMENT, TYPE=C3D10, ELSET=EALL\n";
    for e in 0..mesh.element_count() {
        let (_, nodes) = mesh.element(e);
        let ids: Vec<String> = nodes.iter().map(|n| (n + 1).to_string()).collect();
        let _ = writeln!(s, "{}, {}", e + 1, ids.join(", "));
    }
    for (name, set) in [
        ("DCD", "DCD'C'"),
        ("ABA", "ABA'B'"),
        ("BCB", "BCB'C'"),
        ("MID", "midplane"),
    ] {
        let _ = writeln!(s, "*NSET, NSET={name}");
        for n in mesh.set_nodes(set).unwrap() {
            let _ = writeln!(s, "{}", n + 1);
        }
    }
    let d = mesh
        .nodes
        .iter()
        .position(|p| (p - nalgebra::Vector3::new(2.0, 0.0, 0.6)).norm() < 1e-9)
        .expect("a node at D");
    let _ = writeln!(s, "*NSET, NSET=D\n{}", d + 1);
    s += "*SURFACE, NAME=UPPER, TYPE=ELEMENT\n";
    for f in &mesh.face_sets["upper"] {
        let _ = writeln!(s, "{}, S{}", f.element + 1, f.face + 1);
    }
    let _ = write!(
        s,
        "*MATERIAL, NAME=STEEL\n*ELASTIC\n210e9, 0.3\n*SOLID SECTION, ELSET=EALL, MATERIAL=STEEL\n\
         *BOUNDARY\nDCD, 2, 2\nABA, 1, 1\nBCB, 1, 2\nMID, 3, 3\n\
         *STEP\n*STATIC{solver}\n*DSLOAD\nUPPER, P, 1.e6\n*NODE PRINT, NSET=D\nU\n*END STEP\n"
    );
    s
}

fn case(method: &str) -> String {
    format!(
        "name = \"le10_{method}\"\n[model]\ninp = \"le10.inp\"\n[solver]\nmethod = \"{method}\"\n\
         [[probe]]\nname = \"D\"\npoint = [2.0, 0.0, 0.6]\n\
         [[load_case]]\nname = \"pressure\"\n[[load_case.load]]\ntype = \"deck_step\"\nstep = 1\n"
    )
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let msh = std::path::PathBuf::from(&args[0]);
    let skip = |what: &str| args.iter().any(|a| a == what);
    let mesh = vproto::gmsh::read(&msh).expect("an LE10 mesh from models/le10/le10.py");
    let dir = std::env::temp_dir().join(format!("vproto_le10_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("le10.inp"), deck(&mesh, "")).unwrap();
    std::fs::write(
        dir.join("le10_ic.inp"),
        deck(&mesh, ", SOLVER=ITERATIVE CHOLESKY"),
    )
    .unwrap();
    let exe = std::env::current_exe().unwrap();
    let vproto = exe.parent().unwrap().parent().unwrap().join("vproto");
    println!(
        "LE10, {} nodes, {} tet10 elements ({})",
        mesh.nodes.len(),
        mesh.element_count(),
        msh.display()
    );
    for method in ["direct", "iterative"] {
        if skip(&format!("skip-{method}")) {
            continue;
        }
        std::fs::write(dir.join(format!("{method}.toml")), case(method)).unwrap();
        let file = format!("{method}.toml");
        let mut run = Command::new(&vproto);
        run.args(["run", &file, "--out", "out", "--json"]);
        let (out, s, mib) = timed(run, &dir);
        let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| {
            panic!(
                "vproto {method} failed: {}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
        let lc = &summary["load_cases"][0];
        let key = |name: &str| {
            lc["key_results"]
                .as_array()
                .unwrap()
                .iter()
                .find(|k| k["name"] == name)
                .and_then(|k| k["value"].as_f64())
                .unwrap_or(f64::NAN)
        };
        let solver = &summary["solver"];
        println!(
            "  vproto {method:<9}: {s:7.2} s, peak {mib:6.0} MiB, {} equations, {} ({} iterations), σ_yy(D) = {:.6} MPa, u_z(D) = {:.6e} m",
            solver["equations"], solver["precision"], solver["iterations"],
            key("probe/D/stress/yy") * 1e-6,
            key("probe/D/displacement/z"),
        );
    }
    for (name, file) in [
        ("ccx SPOOLES", "le10"),
        ("ccx ITERATIVE CHOLESKY", "le10_ic"),
    ] {
        if (name.contains("SPOOLES") && skip("skip-spooles")) || skip("skip-ccx") {
            continue;
        }
        let mut ccx = Command::new("ccx");
        ccx.args(["-i", file])
            .env("OMP_NUM_THREADS", "2")
            .env("CCX_NPROC_EQUATION_SOLVER", "2");
        let (out, s, mib) = timed(ccx, &dir);
        let dat = std::fs::read_to_string(dir.join(format!("{file}.dat"))).unwrap_or_default();
        let uz = numeric_rows(&dat, 4).map(|v| v[3]).last();
        match uz {
            Some(uz) => {
                println!("  {name:<16}: {s:7.2} s, peak {mib:6.0} MiB, u_z(D) = {uz:.6e} m")
            }
            None => println!(
                "  {name:<16}: failed ({}): {}",
                out.status,
                String::from_utf8_lossy(&out.stdout)
                    .lines()
                    .rev()
                    .take(3)
                    .collect::<Vec<_>>()
                    .join(" | ")
            ),
        }
    }
    if std::env::var_os("KEEP").is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
}
