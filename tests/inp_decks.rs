//! Abaqus/CalculiX decks: `vproto run deck.inp` on decks written here (every element
//! type, three step kinds, *INCLUDE, sets, surfaces, carried-over and OP=NEW loads),
//! compared with CalculiX (`ccx`, Debian's calculix-ccx) on the same deck by its own rule:
//! within 0.1 % of the block's largest value.

mod common;
use common::deck::{abaqus_type, elements_and_sets, nodes_text, run_ccx, run_vproto};
use nalgebra::Complex;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use vproto_solver::generate::block;
use vproto_solver::{ElementKind, Mesh};
type Complex64 = Complex<f64>;

/// A steel cantilever 1 × 0.1 × 0.15 m along x, clamped at x = 0: step 1 natural
/// frequencies, step 2 buckling under an axial tip load, step 3 a static transverse tip
/// load (OP=NEW replaces the axial one), pressure on the top face and gravity, step 4
/// an axial compression of 3 MN (about half the buckling load), step 5 the natural
/// frequencies about step 4's stresses (`*STEP, PERTURBATION`).
fn write_deck(dir: &Path, kind: ElementKind, divisions: [usize; 3]) -> PathBuf {
    let mesh: Mesh = block([1.0, 0.1, 0.15], divisions, kind).unwrap();
    std::fs::write(dir.join("nodes.inp"), nodes_text(&mesh)).unwrap();
    let mut s = String::from(
        "** cantilever written by vproto's tests\n*HEADING\ncantilever\n*INCLUDE, INPUT=nodes.inp\n",
    );
    let tip = mesh.set_nodes("xmax").unwrap();
    s += &elements_and_sets(
        &mesh,
        abaqus_type(kind),
        &[
            ("FIX", mesh.set_nodes("xmin").unwrap()),
            ("TIP", tip.clone()),
        ],
        &[("TOP", &mesh.face_sets["zmax"])],
    );
    let tip = tip.len() as f64;
    let _ = write!(
        s,
        "*MATERIAL, NAME=STEEL\n*ELASTIC\n210e9, 0.3\n*DENSITY\n7850.\n*SOLID SECTION, ELSET=EALL, MATERIAL=STEEL\n\
         *BOUNDARY\nFIX, 1, 3\n\
         *STEP\n*FREQUENCY\n4\n*NODE FILE\nU\n*END STEP\n\
         *STEP\n*BUCKLE\n2\n*CLOAD\nTIP, 1, {:.15e}\n*END STEP\n\
         *STEP\n*STATIC\n*CLOAD, OP=NEW\nTIP, 3, {:.15e}\n*DSLOAD\nTOP, P, 2.0e4\n*DLOAD\nEALL, GRAV, 9.81, 0., 0., -1.\n*NODE PRINT, NSET=NALL\nU\n*END STEP\n\
         *STEP\n*STATIC\n*CLOAD, OP=NEW\nTIP, 1, {:.15e}\n*END STEP\n\
         *STEP, PERTURBATION\n*FREQUENCY\n4\n*END STEP\n",
        -1.0e5 / tip,
        -1.0e3 / tip,
        -3.0e6 / tip
    );
    let path = dir.join("cantilever.inp");
    std::fs::write(&path, s).unwrap();
    path
}

struct Results {
    displacement: Vec<[f64; 3]>,
    frequencies: Vec<f64>,
    buckling: Vec<f64>,
    /// Frequencies about the axial compression of step 4.
    preloaded: Vec<f64>,
}

/// Runs `vproto run deck --out <deck's directory>/out --json` (it must exit 0) and
/// opens the summary and the HDF5 results.
fn run_deck(deck: &Path) -> (serde_json::Value, hdf5_pure::File) {
    let out = deck.parent().unwrap().join("out");
    let run = run_vproto(deck);
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let stem = deck.file_stem().unwrap().to_str().unwrap();
    let summary = serde_json::from_slice(&run.stdout).unwrap();
    (
        summary,
        hdf5_pure::File::open(out.join(format!("{stem}.h5"))).unwrap(),
    )
}

fn vproto(deck: &Path) -> Results {
    let (summary, file) = run_deck(deck);
    let lc = |name: &str| {
        summary["load_cases"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["name"] == name)
            .unwrap()
            .clone()
    };
    // Modes and buckling modes are steps valued by frequency and load factor.
    let step_values = |name: &str| -> Vec<f64> {
        lc(name)["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["value"].as_f64().unwrap())
            .collect()
    };
    let frequencies = step_values("step1");
    let buckling = step_values("step2");
    let u = common::h5_2d(&file, "load_cases/step3/displacement");
    Results {
        displacement: u.rows().into_iter().map(|r| [r[0], r[1], r[2]]).collect(),
        frequencies,
        buckling,
        preloaded: step_values("step5"),
    }
}

/// Runs ccx on the deck and reads its .dat: displacements of step 3, frequencies
/// (cycles/time) of steps 1 and 5, buckling factors of step 2.
fn ccx(deck: &Path) -> Option<Results> {
    let dat = run_ccx(deck)?;
    let numbers = |line: &str| -> Option<Vec<f64>> {
        line.split_whitespace().map(|w| w.parse().ok()).collect()
    };
    let (mut displacement, mut buckling) = (Vec::new(), Vec::new());
    let mut frequencies: Vec<Vec<f64>> = Vec::new();
    let mut section = "";
    for line in dat.lines() {
        if line.contains("displacements (vx,vy,vz)") {
            // Step 3's; ccx repeats the output request in the later steps.
            section = if displacement.is_empty() { "u" } else { "" };
        } else if line.contains("E I G E N V A L U E   O U T P U T") {
            section = "f";
            frequencies.push(Vec::new());
        } else if line.contains("B U C K L I N G") {
            section = "b";
        } else if line.contains("P A R T I C I P A T I O N") || line.contains("E F F E C T I V E") {
            section = "";
        } else if let Some(v) = numbers(line).filter(|v| !v.is_empty()) {
            match (section, v.len()) {
                ("u", 4) => displacement.push([v[1], v[2], v[3]]),
                ("f", 5) => frequencies.last_mut().unwrap().push(v[3]),
                ("b", 2) => buckling.push(v[1]),
                _ => {}
            }
        }
    }
    let [frequencies, preloaded] =
        <[Vec<f64>; 2]>::try_from(frequencies).expect("two frequency steps in ccx's .dat");
    Some(Results {
        displacement,
        frequencies,
        buckling,
        preloaded,
    })
}

/// |a − b| ≤ 0.1 % of the largest |b|, for every value.
fn close(what: &str, a: &[f64], b: &[f64], tol: f64) {
    assert_eq!(
        a.len(),
        b.len(),
        "{what}: {} vs {} values",
        a.len(),
        b.len()
    );
    let scale = b.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    for (x, y) in a.iter().zip(b) {
        assert!(
            (x - y).abs() <= tol * scale,
            "{what}: {x} vs {y} (scale {scale})"
        );
    }
}

fn compare(kind: ElementKind, divisions: [usize; 3], frequency_tol: f64) {
    let dir = tempfile::tempdir().unwrap();
    let deck = write_deck(dir.path(), kind, divisions);
    let ours = vproto(&deck);
    // Sanity against beam theory whatever ccx says: the first bending frequency of a
    // clamped 1 m steel beam 0.1 m deep (weak axis) is 1.875²/(2π) √(EI/(ρA L⁴));
    // quadratic elements are within 2 %, linear ones stiffer (shear locking).
    let weak = 1.875f64.powi(2) / (2.0 * std::f64::consts::PI)
        * (210e9 * 0.1f64.powi(2) / 12.0 / 7850.0).sqrt();
    let ratio = ours.frequencies[0] / weak;
    let expected = if kind.is_quadratic() {
        0.98..1.02
    } else {
        1.0..1.5
    };
    assert!(
        expected.contains(&ratio),
        "{}: {} Hz vs beam {weak} Hz",
        kind.name(),
        ours.frequencies[0]
    );
    // Compression softens: for the first mode f²(P)/f²(0) ≈ 1 − P/P_cr (Galef's
    // rule, within a few per cent for a cantilever), P_cr from step 2's factor.
    let p_cr = ours.buckling[0] * 1.0e5;
    let softened = (ours.preloaded[0] / ours.frequencies[0]).powi(2);
    assert!(
        (softened - (1.0 - 3.0e6 / p_cr)).abs() < 0.03,
        "{}: f² ratio {softened} under 3 MN of {p_cr} N",
        kind.name()
    );
    let Some(theirs) = ccx(&deck) else {
        return;
    };
    let flat = |r: &Results| r.displacement.iter().flat_map(|u| *u).collect::<Vec<_>>();
    eprintln!(
        "{}: f {:?} vs {:?}; buckling {:?} vs {:?}; u {} values, tip {:?} vs {:?}",
        kind.name(),
        ours.frequencies,
        theirs.frequencies,
        ours.buckling,
        theirs.buckling,
        theirs.displacement.len(),
        ours.displacement.last(),
        theirs.displacement.last()
    );
    close(
        &format!("{} displacement", kind.name()),
        &flat(&ours),
        &flat(&theirs),
        1e-3,
    );
    close(
        &format!("{} frequencies", kind.name()),
        &ours.frequencies,
        &theirs.frequencies,
        frequency_tol,
    );
    close(
        &format!("{} buckling", kind.name()),
        &ours.buckling,
        &theirs.buckling,
        1e-3,
    );
    eprintln!(
        "{}: preloaded f {:?} vs {:?}",
        kind.name(),
        ours.preloaded,
        theirs.preloaded
    );
    close(
        &format!("{} preloaded frequencies", kind.name()),
        &ours.preloaded,
        &theirs.preloaded,
        frequency_tol,
    );
}

#[test]
fn c3d20r_deck_matches_calculix() {
    compare(ElementKind::Hex20R, [10, 1, 2], 1e-3);
}

#[test]
fn c3d20_deck_matches_calculix() {
    compare(ElementKind::Hex20, [10, 1, 2], 1e-3);
}

#[test]
fn c3d8_deck_matches_calculix() {
    compare(ElementKind::Hex8, [20, 2, 3], 1e-3);
}

#[test]
fn c3d10_deck_matches_calculix() {
    compare(ElementKind::Tet10, [8, 1, 2], 1e-3);
}

#[test]
fn c3d4_deck_matches_calculix() {
    // ccx integrates the C3D4 mass with a lower rule than vproto's exact 4-point one:
    // statics and buckling agree to its printed digits, frequencies to 0.3 %.
    compare(ElementKind::Tet4, [20, 2, 3], 5e-3);
}

fn decks() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/decks")
}

/// The hand-written bar (sets by GENERATE, an element surface, *INCLUDE, symmetry
/// boundary shorthand, a negative pressure) against the exact uniform-tension solution.
#[test]
fn hand_written_deck_matches_the_exact_bar_in_tension() {
    let dir = tempfile::tempdir().unwrap();
    for f in ["bar_tension.inp", "steel.inp"] {
        std::fs::copy(decks().join(f), dir.path().join(f)).unwrap();
    }
    let (_, file) = run_deck(&dir.path().join("bar_tension.inp"));
    let u = common::h5_2d(&file, "load_cases/step1/displacement");
    for (i, node) in u.rows().into_iter().enumerate() {
        let (x, y, z) = ((i % 3) as f64, ((i / 3) % 2) as f64, (i / 6) as f64);
        let expect = [
            1e6 * x / 200e9,
            -0.3 * 1e6 * y / 200e9,
            -0.3 * 1e6 * z / 200e9,
        ];
        for c in 0..3 {
            assert!(
                (node[c] - expect[c]).abs() < 1e-15,
                "node {}: {:?} vs {expect:?}",
                i + 1,
                node
            );
        }
    }
}

/// What the reader does not support is an error at its file and line.
#[test]
fn deck_errors_name_the_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(decks().join("bar_tension.inp")).unwrap();
    std::fs::copy(decks().join("steel.inp"), dir.path().join("steel.inp")).unwrap();
    let error = |edit: &dyn Fn(&str) -> String| {
        let deck = dir.path().join("bad.inp");
        std::fs::write(&deck, edit(&text)).unwrap();
        let run = Command::new(env!("CARGO_BIN_EXE_vproto"))
            .args([
                "run",
                deck.to_str().unwrap(),
                "--out",
                dir.path().to_str().unwrap(),
            ])
            .output()
            .unwrap();
        assert_eq!(run.status.code(), Some(2));
        String::from_utf8_lossy(&run.stderr).into_owned()
    };
    let line = |needle: &str| text[..text.find(needle).unwrap()].matches('\n').count() + 1;
    let e = error(&|t| t.replace("*STEP\n", "*CONTACT PAIR, INTERACTION=I\nA, B\n*STEP\n"));
    assert!(
        e.contains(&format!("bad.inp:{}", line("*STEP\n"))) && e.contains("*CONTACT PAIR"),
        "{e}"
    );
    let e = error(&|t| t.replace("*STEP\n", "*STEP, NLGEOM=MAYBE\n"));
    assert!(
        e.contains("NLGEOM") && e.contains(&format!("bad.inp:{}", line("*STEP\n"))),
        "{e}"
    );
    let e = error(&|t| t.replace("PULL, P", "PUSH, P"));
    assert!(
        e.contains("unknown surface 'PUSH'") && e.contains(&format!("bad.inp:{}", line("PULL, P"))),
        "{e}"
    );
    let e = error(&|t| t.replace("2, 2, 3, 6, 5, 8, 9, 12, 11", "2, 2, 3, 6, 5, 8, 9, 12"));
    assert!(
        e.contains(&format!("bad.inp:{}", line("2, 2, 3, 6"))) && e.contains("8 nodes"),
        "{e}"
    );
    let e = error(&|t| t.replace("TYPE=C3D8,", "TYPE=S4R,"));
    assert!(e.contains("S4R") && e.contains("not supported"), "{e}");
    let e = error(&|t| {
        t.replace(
            "*INCLUDE, INPUT=steel.inp",
            "*MATERIAL, NAME=STEEL\n*ELASTIC\n200.e9, 0.7",
        )
    });
    assert!(
        e.contains(&format!("bad.inp:{}", line("*INCLUDE") + 1)) && e.contains("0.7"),
        "{e}"
    );
    // A static step with a material that has no *ELASTIC names the material's line.
    let e = error(&|t| {
        t.replace(
            "*INCLUDE, INPUT=steel.inp",
            "*MATERIAL, NAME=STEEL\n*DENSITY\n7850.",
        )
    });
    assert!(
        e.contains("'STEEL'")
            && e.contains(&format!("bad.inp:{}", line("*INCLUDE")))
            && e.contains("Young"),
        "{e}"
    );
    // Options and data fields the reader does not implement are errors at their line,
    // never ignored (CalculiX's own decks use every one of these).
    for (edit, needle) in [
        ("*BOUNDARY\n", "*BOUNDARY, FIXED\n"),
        ("*STEP\n", "*STEP, PERTURBATION\n"),
        ("*DSLOAD\n", "*DSLOAD, AMPLITUDE=A1\n"),
        ("*BOUNDARY\n", "*BOUNDARY, OP=NEW\n"),
    ] {
        let e = error(&|t| t.replacen(edit, needle, 1));
        let word = needle
            .split([',', '\n'])
            .nth(1)
            .unwrap()
            .trim()
            .split('=')
            .next()
            .unwrap();
        assert!(
            e.contains(&format!("bad.inp:{}", line(edit))) && e.contains(word),
            "{needle}: {e}"
        );
    }
    let e = error(&|t| {
        t.replace(
            "2, 2, 3, 6, 5, 8, 9, 12, 11",
            "2, 2, 3, 6, 5, 8, 9, 12, 99999",
        )
    });
    assert!(
        e.contains(&format!("bad.inp:{}", line("2, 2, 3, 6"))) && e.contains("node 99999"),
        "{e}"
    );
    let e = error(&|t| t.replace("1, 10, 3", "1, 9000000000000, 1"));
    assert!(
        e.contains(&format!("bad.inp:{}", line("1, 10, 3"))) && e.contains("GENERATE"),
        "{e}"
    );
    let e = error(&|t| t.replace("*STATIC\n", "*FREQUENCY\n4, 10., 500.\n"));
    assert!(
        e.contains(&format!("bad.inp:{}", line("*STATIC\n") + 1)) && e.contains("field 2"),
        "{e}"
    );
    let e = error(&|t| t.replace("PULL, P, -1.0e6", "PULL, P, -1.0e6, 7"));
    assert!(
        e.contains(&format!("bad.inp:{}", line("PULL, P"))) && e.contains("field 4"),
        "{e}"
    );
}

/// Reaction totals are per `*BOUNDARY` set, and a node under several sets counts in each:
/// the bar's x = 0 face carries the whole pull, node 1 (also a set of its own) its share.
#[test]
fn deck_reactions_are_totalled_per_boundary_set() {
    let dir = tempfile::tempdir().unwrap();
    for f in ["bar_tension.inp", "steel.inp"] {
        std::fs::copy(decks().join(f), dir.path().join(f)).unwrap();
    }
    let (summary, _) = run_deck(&dir.path().join("bar_tension.inp"));
    let lc = &summary["load_cases"][0];
    let reaction = |name: &str| {
        lc["key_results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["name"] == name)
            .unwrap_or_else(|| panic!("{name} in {lc}"))["value"]
            .as_f64()
            .unwrap()
    };
    // 1 MPa on a 1 m² face: the symmetry face holds −1 MN in x.
    assert!((reaction("reaction/XMIN/x") + 1e6).abs() < 1e-3, "{lc}");
    assert!(reaction("reaction/node_1/x").abs() > 0.0);
}

/// A case file may take its model from a deck: mesh, sets, surfaces, materials and
/// boundaries from the deck, a deck step's loads plus its own, and its own criteria.
#[test]
fn a_case_file_uses_a_deck_as_its_model() {
    let dir = tempfile::tempdir().unwrap();
    let case = dir.path().join("bar.toml");
    let deck = decks().join("bar_tension.inp");
    std::fs::write(
        &case,
        format!(
            r#"name = "bar_from_deck"
[model]
inp = "{}"

[[load_case]]
name = "deck_pull_and_more"
[[load_case.load]]
type = "deck_step"
step = 1
[[load_case.load]]
type = "force"
set = "PULL"
total = [1.0e6, 0.0, 0.0]          # N: another 1 MPa (the face is 1 m²)
[[load_case.criterion]]
type = "max_displacement"
set = "XMAX"
component = "x"
limit = 2.0001e-5
[[load_case.criterion]]
type = "reaction_force"
set = "XMIN"
component = "x"
max = -1.999999e6
"#,
            deck.display()
        ),
    )
    .unwrap();
    let summary = vproto::run::run_case(
        &case,
        &vproto::run::RunOptions::all_files(Some(dir.path().into())),
    )
    .unwrap();
    assert_eq!(summary.verdict, "PASS", "{:?}", summary.checks);
    let u = summary.checks[0].value;
    assert!((u - 2.0e-5).abs() < 1e-15, "{u}");
}

/// A steady heat-transfer deck: a C3D20 bar with a fixed temperature at x = 0
/// (degree of freedom 11), convection (*FILM F4) at x = L and heat generation
/// (*DFLUX BF). Exact: T = T₀ + a x − q x²/2k with a = (h(T∞ − T₀) + hqL²/2k + qL)/(k + hL)
/// (the quadratic elements reproduce it), and CalculiX's temperatures on the same deck.
#[test]
fn heat_transfer_deck_matches_exact_and_calculix() {
    let (length, k, q, h, t0, sink) = (0.1, 50.0, 1e6, 500.0, 100.0, 20.0);
    let dir = tempfile::tempdir().unwrap();
    let mesh = block([length, 0.01, 0.01], [10, 1, 1], ElementKind::Hex20).unwrap();
    let mut s = nodes_text(&mesh);
    s += &elements_and_sets(
        &mesh,
        "C3D20",
        &[("HOT", mesh.set_nodes("xmin").unwrap())],
        &[],
    );
    s += "*ELSET, ELSET=END\n";
    for f in &mesh.face_sets["xmax"] {
        let _ = writeln!(s, "{}", f.element + 1);
    }
    assert!(
        mesh.face_sets["xmax"].iter().all(|f| f.face == 3),
        "the +x face is S4"
    );
    let _ = write!(
        s,
        "*MATERIAL, NAME=M\n*CONDUCTIVITY\n{k}\n*SOLID SECTION, ELSET=EALL, MATERIAL=M\n\
         *STEP\n*HEAT TRANSFER, STEADY STATE\n*BOUNDARY\nHOT, 11, 11, {t0}\n*DFLUX\nEALL, BF, {q}\n\
         *FILM\nEND, F4, {sink}, {h}\n*NODE PRINT, NSET=NALL\nNT\n*END STEP\n"
    );
    let deck = dir.path().join("slab.inp");
    std::fs::write(&deck, s).unwrap();
    let (_, file) = run_deck(&deck);
    let t = common::h5_1d(&file, "load_cases/step1/temperature");
    let a = (h * (sink - t0) + h * q * length * length / (2.0 * k) + q * length) / (k + h * length);
    for (i, p) in mesh.nodes.iter().enumerate() {
        let exact = t0 + a * p.x - q * p.x * p.x / (2.0 * k);
        assert!(
            (t[i] - exact).abs() < 1e-9 * exact.abs(),
            "node {}: {} vs {exact}",
            i + 1,
            t[i]
        );
    }
    let Some(dat) = run_ccx(&deck) else {
        return;
    };
    let theirs: Vec<f64> = dat
        .lines()
        .skip_while(|l| !l.contains("temperatures"))
        .filter_map(|l| {
            let v: Vec<f64> = l
                .split_whitespace()
                .filter_map(|w| w.parse().ok())
                .collect();
            (v.len() == 2).then(|| v[1])
        })
        .collect();
    close("heat deck temperatures", t.as_slice(), &theirs, 1e-6);
}

/// NAFEMS LE10 (thick plate under 1 MPa pressure) as a deck — the Gmsh hex20 mesh of
/// models/le10 written with C3D20 and with C3D20R elements, the benchmark's supports as
/// node sets and the loaded face as an element surface — run by `vproto run deck.inp`
/// and by CalculiX: displacements agree within 0.1 % of the largest; σ_yy at D is the
/// NAFEMS target −5.38 MPa within 3 %.
#[test]
fn nafems_le10_deck_matches_calculix_and_the_target() {
    let msh = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/le10/le10.msh");
    let mesh = vproto::gmsh::read(&msh).unwrap();
    let d = mesh
        .nodes
        .iter()
        .position(|p| (p - nalgebra::Vector3::new(2.0, 0.0, 0.6)).norm() < 1e-9)
        .unwrap();
    for element_type in ["C3D20", "C3D20R"] {
        let dir = tempfile::tempdir().unwrap();
        let set = |name: &str| mesh.set_nodes(name).unwrap();
        let mut s = nodes_text(&mesh);
        s += &elements_and_sets(
            &mesh,
            element_type,
            &[
                ("DCD", set("DCD'C'")),
                ("ABA", set("ABA'B'")),
                ("BCB", set("BCB'C'")),
                ("MID", set("midplane")),
            ],
            &[("UPPER", &mesh.face_sets["upper"])],
        );
        s += "*MATERIAL, NAME=STEEL\n*ELASTIC\n210e9, 0.3\n*SOLID SECTION, ELSET=EALL, MATERIAL=STEEL\n\
              *BOUNDARY\nDCD, 2, 2\nABA, 1, 1\nBCB, 1, 2\nMID, 3, 3\n\
              *STEP\n*STATIC\n*DSLOAD\nUPPER, P, 1.e6\n*NODE PRINT, NSET=NALL\nU\n*END STEP\n";
        let deck = dir.path().join("le10.inp");
        std::fs::write(&deck, s).unwrap();
        let (_, file) = run_deck(&deck);
        let u = common::h5_2d(&file, "load_cases/step1/displacement");
        let stress = common::h5_2d(&file, "load_cases/step1/stress");
        let syy = stress[[d, 1]] / 1e6;
        assert!(
            (syy + 5.38).abs() < 0.03 * 5.38,
            "{element_type}: σ_yy(D) = {syy} MPa"
        );
        let Some(dat) = run_ccx(&deck) else {
            continue;
        };
        let theirs: Vec<f64> = dat
            .lines()
            .filter_map(|l| {
                let v: Vec<f64> = l
                    .split_whitespace()
                    .filter_map(|w| w.parse().ok())
                    .collect();
                (v.len() == 4).then(|| v[1..].to_vec())
            })
            .flatten()
            .collect();
        close(
            &format!("LE10 {element_type} displacement"),
            u.as_slice().unwrap(),
            &theirs,
            1e-3,
        );
        eprintln!("LE10 {element_type}: σ_yy(D) = {syy:.4} MPa");
    }
}

/// A steel cantilever 0.3 × 0.04 × 0.01 m (C3D8), clamped at x = 0, with the node set
/// P (the tip's top middle node) printed, and `steps` after it; returns the deck and P's
/// number.
fn write_dynamic_deck(dir: &Path, name: &str, steps: &str) -> (PathBuf, usize) {
    let mesh: Mesh = block([0.3, 0.04, 0.01], [30, 4, 2], ElementKind::Hex8).unwrap();
    let p = common::nearest_node(&mesh, nalgebra::Vector3::new(0.3, 0.02, 0.01));
    std::fs::write(dir.join("nodes.inp"), nodes_text(&mesh)).unwrap();
    let mut s = String::from("*INCLUDE, INPUT=nodes.inp\n");
    s += &elements_and_sets(
        &mesh,
        "C3D8",
        &[("FIX", mesh.set_nodes("xmin").unwrap()), ("P", vec![p])],
        &[],
    );
    s += "*MATERIAL, NAME=STEEL\n*ELASTIC\n210e9, 0.3\n*DENSITY\n7850.\n*SOLID SECTION, ELSET=EALL, MATERIAL=STEEL\n*BOUNDARY\nFIX, 1, 3\n";
    s += "*AMPLITUDE, NAME=PULSE\n0., 0., 0.002, 1., 0.004, 0.\n";
    s += steps;
    let path = dir.join(format!("{name}.inp"));
    std::fs::write(&path, s).unwrap();
    (path, p + 1)
}

/// Gives the root half of a [`write_dynamic_deck`] beam a loss factor of 0.1 and the tip
/// half 0.02 (`*DAMPING, STRUCTURAL=` in two materials).
fn two_loss_factors(deck: &Path) {
    let mesh: Mesh = block([0.3, 0.04, 0.01], [30, 4, 2], ElementKind::Hex8).unwrap();
    let (mut root, mut tip) = (Vec::new(), Vec::new());
    for e in 0..mesh.blocks[0].len() {
        let nodes = mesh.blocks[0].element(e);
        let x = nodes.iter().map(|&n| mesh.nodes[n].x).sum::<f64>() / nodes.len() as f64;
        if x < 0.15 { &mut root } else { &mut tip }.push((e + 1).to_string());
    }
    let set = |name: &str, ids: &[String]| {
        let lines: Vec<String> = ids.chunks(10).map(|c| c.join(", ")).collect();
        format!("*ELSET, ELSET={name}\n{}\n", lines.join("\n"))
    };
    let text = std::fs::read_to_string(deck).unwrap();
    let one = "*MATERIAL, NAME=STEEL\n*ELASTIC\n210e9, 0.3\n*DENSITY\n7850.\n*SOLID SECTION, ELSET=EALL, MATERIAL=STEEL\n";
    assert!(text.contains(one));
    let material = |name: &str, eta: f64| {
        format!("*MATERIAL, NAME={name}\n*ELASTIC\n210e9, 0.3\n*DAMPING, STRUCTURAL={eta}\n*DENSITY\n7850.\n")
    };
    let two = format!(
        "{}{}{}{}*SOLID SECTION, ELSET=ROOT, MATERIAL=LOSSY\n*SOLID SECTION, ELSET=TIP, MATERIAL=STIFF\n",
        set("ROOT", &root),
        set("TIP", &tip),
        material("LOSSY", 0.1),
        material("STIFF", 0.02)
    );
    std::fs::write(deck, text.replace(one, &two)).unwrap();
}

/// Every "displacements … for set P and time t" block of a ccx `.dat`: (t, u of P).
fn ccx_printed(dat: &str) -> Vec<(f64, [f64; 3])> {
    let lines: Vec<&str> = dat.lines().collect();
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        if let Some(t) = l
            .trim()
            .strip_prefix("displacements (vx,vy,vz) for set P and time")
        {
            let v: Vec<f64> = lines[i + 2]
                .split_whitespace()
                .skip(1)
                .map(|x| x.parse().unwrap())
                .collect();
            out.push((t.trim().parse().unwrap(), [v[0], v[1], v[2]]));
        }
    }
    out
}

/// The dynamic steps of a deck against CalculiX 2.20 on the same deck: `*MODAL
/// DYNAMIC` (a triangular pulse through `*AMPLITUDE`, 2 % `*MODAL DAMPING`), `*STEADY
/// STATE DYNAMICS` (50–500 Hz, real and imaginary parts at ccx's frequencies that
/// vproto's sweep shares: the band's ends and the modes) and `*DYNAMIC, DIRECT` (HHT
/// α = −0.05, `*MODAL DAMPING, RAYLEIGH`): the printed node's displacement at every
/// output to 0.1 % of its largest value. The steady state again with no modal damping
/// but each half of the beam its own `*DAMPING, STRUCTURAL=` loss factor (10 % at the
/// root, 2 % at the tip: the modes' coupling through the hysteretic stiffness counts).
#[test]
fn dynamic_deck_steps_match_calculix() {
    let dir = tempfile::tempdir().unwrap();
    let frequency = "*STEP\n*FREQUENCY, STORAGE=YES\n10\n*END STEP\n";
    let print = "*NODE PRINT, NSET=P\nU\n";
    let decks = [
        ("modal", format!("{frequency}*STEP, INC=100000\n*MODAL DYNAMIC\n1.e-4, 0.02\n*MODAL DAMPING\n1, 10, 0.02\n*CLOAD, AMPLITUDE=PULSE\nP, 3, 100.\n{print}*END STEP\n")),
        ("steady", format!("{frequency}*STEP\n*STEADY STATE DYNAMICS\n50., 500., 5\n*MODAL DAMPING\n1, 10, 0.02\n*CLOAD\nP, 3, 100.\n{print}*END STEP\n")),
        ("direct", format!("*STEP, INC=100000\n*DYNAMIC, DIRECT\n1.e-4, 0.02\n*MODAL DAMPING, RAYLEIGH\n, , 10., 1.e-5\n*CLOAD\nP, 3, 100.\n{print}*END STEP\n")),
        ("structural", format!("{frequency}*STEP\n*STEADY STATE DYNAMICS\n50., 500., 5\n*CLOAD\nP, 3, 100.\n{print}*END STEP\n")),
    ];
    for (name, steps) in decks {
        let sub = dir.path().join(name);
        std::fs::create_dir_all(&sub).unwrap();
        let (deck, p) = write_dynamic_deck(&sub, name, &steps);
        if name == "structural" {
            two_loss_factors(&deck);
        }
        let (_, file) = run_deck(&deck);
        let step = if name == "direct" { "step1" } else { "step2" };
        let Some(dat) = run_ccx(&deck) else { return };
        let theirs = ccx_printed(&dat);
        let scale = theirs
            .iter()
            .flat_map(|(_, u)| u.iter())
            .fold(0.0f64, |a, b| a.max(b.abs()));
        let mut worst: f64 = 0.0;
        let mut compared = 0;
        if name == "steady" || name == "structural" {
            // ccx prints the real part, then the imaginary part, at each frequency.
            let ours = common::h5_2d(&file, &format!("load_cases/{step}/transfer/P_{p}"));
            for pair in theirs.chunks(2) {
                let f = pair[0].0;
                let Some(row) = (0..ours.nrows()).find(|&r| (ours[(r, 0)] / f - 1.0).abs() < 1e-6)
                else {
                    continue;
                };
                for c in 0..3 {
                    worst = worst.max((ours[(row, 1 + 2 * c)] - pair[0].1[c]).abs());
                    worst = worst.max((ours[(row, 2 + 2 * c)] - pair[1].1[c]).abs());
                }
                compared += 1;
            }
            assert!(compared >= 4, "only {compared} shared frequencies");
        } else {
            let ours = common::h5_2d(&file, &format!("load_cases/{step}/history/P_{p}"));
            for (t, u) in &theirs {
                let row = (t / 1e-4).round() as usize;
                assert!((ours[(row, 0)] - t).abs() < 1e-9);
                for c in 0..3 {
                    worst = worst.max((ours[(row, 1 + c)] - u[c]).abs());
                }
                compared += 1;
            }
            assert_eq!(compared, 200);
        }
        println!("{name}: {compared} outputs, largest difference {:.2e} of the largest |u| {scale:.4e} m", worst / scale);
        assert!(worst / scale < 1e-3, "{name}: {}", worst / scale);
    }
}

/// `*BASE MOTION` (a steady state's shaker: DOF 3 of every clamped node at 9.81 m/s²,
/// 2 % modal damping) through vproto and CalculiX 2.20. vproto damps the motion
/// relative to the base, as joints and materials do; CalculiX also applies its modal
/// damping matrix to the base's own rigid velocity (a term −2iζ_rω_r/Ω × the base-driven
/// modal coordinate q_r, even for Rayleigh βK, which a rigid motion does not strain),
/// and prints the absolute displacement. With that term and the base displacement
/// −a/Ω² added to vproto's relative response — from vproto's own modes — the two agree
/// to 0.1 % of the largest value at every printed frequency; the term itself is
/// several per cent at resonance.
#[test]
fn base_motion_deck_matches_calculix_but_for_its_damping_of_the_base() {
    let dir = tempfile::tempdir().unwrap();
    let steps = "*AMPLITUDE, NAME=SHAKE\n0., 9.81, 1.e4, 9.81\n*STEP\n*FREQUENCY, STORAGE=YES\n10\n*END STEP\n*STEP\n*STEADY STATE DYNAMICS\n50., 500., 5\n*MODAL DAMPING\n1, 10, 0.02\n*BASE MOTION, DOF=3, AMPLITUDE=SHAKE\n*NODE PRINT, NSET=P\nU\n*END STEP\n";
    let (deck, p) = write_dynamic_deck(dir.path(), "base", steps);
    let (_, file) = run_deck(&deck);
    let Some(dat) = run_ccx(&deck) else { return };
    let theirs = ccx_printed(&dat);
    let ours = common::h5_2d(&file, &format!("load_cases/step2/transfer/P_{p}"));
    let hz = common::h5_1d(&file, "load_cases/step1/frequencies");
    let participation = common::h5_2d(&file, "load_cases/step1/participation_factors");
    let shapes: Vec<ndarray::Array2<f64>> = (1..=hz.len())
        .map(|r| common::h5_2d(&file, &format!("load_cases/step1/mode_{r}/displacement")))
        .collect();
    let (a, zeta) = (9.81, 0.02);
    let scale = theirs
        .iter()
        .flat_map(|(_, u)| u.iter())
        .fold(0.0f64, |m, v| m.max(v.abs()));
    let (mut worst, mut term, mut compared) = (0.0f64, 0.0f64, 0);
    for pair in theirs.chunks(2) {
        let f = pair[0].0;
        let Some(row) = (0..ours.nrows()).find(|&r| (ours[(r, 0)] / f - 1.0).abs() < 1e-6) else {
            continue;
        };
        let big = 2.0 * std::f64::consts::PI * f;
        for c in 0..3 {
            let mut u = Complex64::new(ours[(row, 1 + 2 * c)], ours[(row, 2 + 2 * c)]);
            for (r, &fr) in hz.iter().enumerate() {
                let w = 2.0 * std::f64::consts::PI * fr;
                let q = -participation[(r, 2)] * a
                    / Complex64::new(w * w - big * big, 2.0 * zeta * w * big);
                let extra = q * Complex64::new(0.0, -2.0 * zeta * w / big) * shapes[r][(p - 1, c)];
                term = term.max(extra.norm());
                u += extra;
            }
            if c == 2 {
                u -= a / (big * big);
            }
            worst = worst.max((u.re - pair[0].1[c]).abs());
            worst = worst.max((u.im - pair[1].1[c]).abs());
        }
        compared += 1;
    }
    println!(
        "base motion: {compared} frequencies, largest difference {:.2e} of the largest |u| {scale:.4e} m (CalculiX's damping of the base: up to {:.2e})",
        worst / scale,
        term / scale
    );
    assert!(compared >= 4, "only {compared} shared frequencies");
    assert!(worst / scale < 1e-3);
    assert!(
        term / scale > 0.01,
        "the documented difference should be visible"
    );
}

/// What a dynamic step needs and vproto does not do is an error at its line.
#[test]
fn dynamic_deck_errors_name_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let frequency = "*STEP\n*FREQUENCY\n10\n*END STEP\n";
    let cases = [
        ("*STEP\n*MODAL DYNAMIC\n1.e-4, 0.01\n*MODAL DAMPING\n1, 10, 0.02\n*CLOAD\nP, 3, 1.\n*END STEP\n".to_string(), "there is none"),
        (format!("{frequency}*STEP\n*MODAL DYNAMIC\n1.e-4, 0.01\n*CLOAD\nP, 3, 1.\n*END STEP\n"), "needs *MODAL DAMPING"),
        (format!("{frequency}*STEP\n*MODAL DYNAMIC\n1.e-4, 0.01\n*MODAL DAMPING\n1, 5, 0.02\n6, 10, 0.05\n*CLOAD\nP, 3, 1.\n*END STEP\n"), "different ratios"),
        (format!("{frequency}*STEP\n*MODAL DYNAMIC\n1.e-4, 0.01\n*MODAL DAMPING\n1, 5, 0.02\n*CLOAD\nP, 3, 1.\n*END STEP\n"), "leaves mode 6 of 10 undamped"),
        (format!("{frequency}*STEP\n*MODAL DYNAMIC\n1.e-4, 0.01\n*MODAL DAMPING\n1, 10, 0.02\n*CLOAD, AMPLITUDE=NOPE\nP, 3, 1.\n*END STEP\n"), "unknown amplitude 'NOPE'"),
        (format!("{frequency}*STEP\n*MODAL DYNAMIC\n1.e-4, 0.01\n*MODAL DAMPING\n1, 10, 0.02\n*CLOAD, AMPLITUDE=PULSE\nP, 3, 1.\n*DLOAD\nEALL, GRAV, 9.81, 0., 0., -1.\n*END STEP\n"), "has none"),
        ("*STEP\n*DYNAMIC, EXPLICIT\n1.e-4, 0.01\n*CLOAD\nP, 3, 1.\n*END STEP\n".to_string(), "EXPLICIT"),
        ("*STEP\n*DYNAMIC\n1.e-4, 0.01\n*MODAL DAMPING\n1, 10, 0.02\n*CLOAD\nP, 3, 1.\n*END STEP\n".to_string(), "RAYLEIGH only"),
        ("*STEP\n*STATIC\n*CLOAD\nP, 3, 1.\n*END STEP\n*STEP\n*DYNAMIC\n1.e-4, 0.01\n*CLOAD\nP, 3, 1.\n*END STEP\n".to_string(), "integrates from rest"),
        ("*STEP\n*DYNAMIC\n1.e-2, 1.e-4\n*CLOAD\nP, 3, 1.\n*END STEP\n".to_string(), "at least one"),
        (format!("*MATERIAL, NAME=X\n*DAMPING, ALPHA=1.\n{frequency}"), "parameter ALPHA is not supported"),
        (format!("{frequency}*STEP\n*STEADY STATE DYNAMICS\n50., 500., 5\n*MODAL DAMPING\n1, 10, 0.02\n*BASE MOTION, DOF=3, AMPLITUDE=PULSE\n*END STEP\n"), "varies with frequency"),
        (format!("{frequency}*STEP\n*MODAL DYNAMIC\n1.e-4, 0.01\n*MODAL DAMPING\n1, 10, 0.02\n*BASE MOTION, DOF=3, AMPLITUDE=PULSE\n*END STEP\n"), "STEADY STATE DYNAMICS only"),
        (format!("{frequency}*STEP\n*STEADY STATE DYNAMICS\n50., 500., 5\n*MODAL DAMPING\n1, 10, 0.02\n*BASE MOTION, DOF=3, AMPLITUDE=PULSE, TYPE=DISPLACEMENT\n*END STEP\n"), "DISPLACEMENT"),
        (format!("{frequency}*STEP\n*STATIC\n*BASE MOTION, DOF=3, AMPLITUDE=PULSE\n*END STEP\n"), "belongs to dynamic steps"),
        (format!("*MATERIAL, NAME=X\n*DAMPING, STRUCTURAL=-0.1\n{frequency}"), "must be ≥ 0"),
    ];
    for (steps, why) in cases {
        let (deck, _) = write_dynamic_deck(dir.path(), "bad", &steps);
        let run = Command::new(env!("CARGO_BIN_EXE_vproto"))
            .args(["run", deck.to_str().unwrap(), "--out"])
            .arg(dir.path().join("out"))
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&run.stderr);
        assert_eq!(run.status.code(), Some(2), "{steps}: {err}");
        assert!(
            err.contains(why) && err.contains("bad.inp:"),
            "{steps}: {err}"
        );
    }
}
