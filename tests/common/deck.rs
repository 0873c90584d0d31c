//! Abaqus/CalculiX decks written from generated meshes, and CalculiX run on them.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;
use vproto_solver::{ElementKind, FaceRef, Mesh};

pub fn abaqus_type(kind: ElementKind) -> &'static str {
    match kind {
        ElementKind::Tet4 => "C3D4",
        ElementKind::Tet10 => "C3D10",
        ElementKind::Hex8 => "C3D8",
        ElementKind::Hex20 => "C3D20",
        ElementKind::Hex20R => "C3D20R",
    }
}

/// `*NODE` lines of a mesh (numbers from 1).
pub fn nodes_text(mesh: &Mesh) -> String {
    let mut s = String::from("*NODE, NSET=NALL\n");
    for (i, p) in mesh.nodes.iter().enumerate() {
        let _ = writeln!(s, "{}, {:.15e}, {:.15e}, {:.15e}", i + 1, p.x, p.y, p.z);
    }
    s
}

/// `*ELEMENT` (element set EALL; ten node numbers a line, continued with a trailing
/// comma), node sets and element-face surfaces of a one-block mesh.
pub fn elements_and_sets(
    mesh: &Mesh,
    element_type: &str,
    nsets: &[(&str, Vec<usize>)],
    surfaces: &[(&str, &[FaceRef])],
) -> String {
    let mut s = format!("*ELEMENT, TYPE={element_type}, ELSET=EALL\n");
    let b = &mesh.blocks[0];
    for e in 0..b.len() {
        s += &element_line(e + 1, b.element(e));
    }
    s + &sets_text(nsets, surfaces)
}

/// `*ELEMENT` cards of every block of a mesh (parts merged), numbered from 1 on
/// across the blocks, in element set EALL.
pub fn all_elements(mesh: &Mesh) -> String {
    let mut s = String::new();
    let mut first = 0;
    for b in &mesh.blocks {
        let _ = writeln!(s, "*ELEMENT, TYPE={}, ELSET=EALL", abaqus_type(b.kind));
        for e in 0..b.len() {
            s += &element_line(first + e + 1, b.element(e));
        }
        first += b.len();
    }
    s
}

/// One element's data line: its number and its nodes' (from 1), ten a line.
fn element_line(id: usize, nodes: &[usize]) -> String {
    let mut line = format!("{id}");
    for (k, n) in nodes.iter().enumerate() {
        line += if k > 0 && k % 10 == 0 { ",\n" } else { ", " };
        line += &(n + 1).to_string();
    }
    line + "\n"
}

/// `*NSET` cards of node lists and `*SURFACE` cards of element faces, by name.
pub fn sets_text(nsets: &[(&str, Vec<usize>)], surfaces: &[(&str, &[FaceRef])]) -> String {
    let mut s = String::new();
    for (name, nodes) in nsets {
        let _ = writeln!(s, "*NSET, NSET={name}");
        for chunk in nodes.chunks(8) {
            let ids: Vec<String> = chunk.iter().map(|n| (n + 1).to_string()).collect();
            let _ = writeln!(s, "{}", ids.join(", "));
        }
    }
    for (name, faces) in surfaces {
        let _ = writeln!(s, "*SURFACE, NAME={name}");
        for f in *faces {
            let _ = writeln!(s, "{}, S{}", f.element + 1, f.face + 1);
        }
    }
    s
}

/// Runs CalculiX on a deck in its directory and returns its `.dat` text.
/// CalculiX's `.dat` output for a deck, or `None` (printed as skipped) without ccx.
pub fn run_ccx(deck: &Path) -> Option<String> {
    if !super::peer("ccx", &deck.display().to_string()) {
        return None;
    }
    let stem = deck.file_stem().unwrap().to_str().unwrap();
    let run = Command::new("ccx")
        .arg(stem)
        .current_dir(deck.parent().unwrap())
        .env("OMP_NUM_THREADS", "1")
        .output()
        .expect("ccx is installed: apt-get install -y calculix-ccx (CI installs it)");
    assert!(
        run.status.success(),
        "ccx failed: {}",
        String::from_utf8_lossy(&run.stdout)
    );
    Some(std::fs::read_to_string(deck.with_extension("dat")).unwrap())
}

/// `vproto run <deck> --out <deck's directory>/out --json`.
pub fn run_vproto(deck: &Path) -> std::process::Output {
    super::cli::run(deck, &["--json"])
}
