//! The fatigue analysis as a user meets it: channels from a CSV or inline, a life
//! verdict that follows the numbers, and bad histories or missing fatigue data as
//! errors naming the file, row and column — never a silent answer.

use std::path::Path;
use std::process::{Command, Output};

/// A steel cantilever with two unit load cases (a tip pull down and sideways).
fn model(material: &str) -> String {
    format!(
        r#"
name = "fat"
[model.generate]
shape = "box"
size = [0.2, 0.02, 0.02]
divisions = [10, 2, 2]
element = "hex8"
[materials.weak]
youngs_modulus = 200e9
poisson_ratio = 0.3
density = 7800.0
fatigue_strength_coefficient = 900e6
fatigue_strength_exponent = -0.1
source = "a test material with no ultimate strength"
[regions]
all = "{material}"
[[constraint]]
set = "xmin"
fixed = true
[[load_case]]
name = "down"
[[load_case.load]]
type = "force"
set = "xmax"
total = [0.0, 0.0, -1000.0]
[[load_case]]
name = "side"
[[load_case.load]]
type = "force"
set = "xmax"
total = [0.0, 1000.0, 0.0]
[[load_case]]
name = "modes"
analysis = "modal"
modes = 2
"#
    )
}

fn run(dir: &Path, material: &str, fatigue: &str, csv: &str) -> Output {
    std::fs::write(dir.join("h.csv"), csv).unwrap();
    let path = dir.join("fat.toml");
    std::fs::write(&path, format!("{}{fatigue}", model(material))).unwrap();
    Command::new(env!("CARGO_BIN_EXE_vproto"))
        .args(["run", path.to_str().unwrap(), "--out"])
        .arg(dir.join("out"))
        .output()
        .unwrap()
}

const CSV: &str = "time, down_kN, side_kN\n0, 0, 0\n1, 2, 0.5\n2, -2, -0.5\n3, 2, 0.5\n4, 0, 0\n";

fn channels(life: f64) -> String {
    format!(
        "[[load_case]]\nname = \"duty\"\nanalysis = \"fatigue\"\n\
         [[load_case.channel]]\nload_case = \"down\"\nhistory = \"h.csv\"\ncolumn = \"down_kN\"\nunit = \"kN\"\n\
         [[load_case.channel]]\nload_case = \"side\"\nhistory = \"h.csv\"\ncolumn = \"side_kN\"\nunit = \"kN\"\n\
         [[load_case.criterion]]\ntype = \"min_fatigue_life\"\npasses = {life:e}\n"
    )
}

/// The same case passes for a life it reaches and fails for one it does not, with the
/// damage field written for ParaView.
#[test]
fn life_verdict_follows_the_damage() {
    let dir = tempfile::tempdir().unwrap();
    let ok = run(dir.path(), "steel_s355", &channels(1e3), CSV);
    let text = String::from_utf8_lossy(&ok.stdout);
    assert!(
        ok.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(text.contains("duty: 2 channel(s) × 5 samples"), "{text}");
    let summary = std::fs::read_to_string(dir.path().join("out/fat.summary.json")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&summary).unwrap();
    let damage = json.to_string();
    assert!(damage.contains("max_damage"), "{damage}");
    let bad = run(dir.path(), "steel_s355", &channels(1e30), CSV);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stdout).contains("FAIL"));
    // The same life in hours: the CSV's 4 s make a pass, so 1e3 passes are 1.111 h.
    let hours = channels(1e3).replace("passes = 1e3", &format!("hours = {}", 1e3 * 4.0 / 3600.0));
    let by_hours = run(dir.path(), "steel_s355", &hours, CSV);
    let text = String::from_utf8_lossy(&by_hours.stdout);
    assert!(by_hours.status.success(), "{text}");
    assert!(text.contains("Miner sum over 1.1111 h"), "{text}");
    let summary = std::fs::read_to_string(dir.path().join("out/fat.summary.json")).unwrap();
    assert!(summary.contains("min_life_hours"));
}

/// The largest damage of load case "duty" of a run on steel S355 (which must end with a
/// verdict, pass or fail).
fn duty_damage(dir: &Path, fatigue: &str) -> f64 {
    let out = run(dir, "steel_s355", fatigue, CSV);
    assert!(
        out.status.code() == Some(0) || out.status.code() == Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("out/fat.summary.json")).unwrap())
            .unwrap();
    let lc = summary["load_cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["name"] == "duty")
        .unwrap()
        .clone();
    lc["key_results"][0]["value"].as_f64().unwrap()
}

/// Channels from files on different clocks (the same span) are resampled onto the
/// union of their times, each linear between its own samples: the damage equals that
/// of one file holding both columns on that union, interpolated by hand.
#[test]
fn channels_on_different_clocks_are_resampled_onto_their_union() {
    let dir = tempfile::tempdir().unwrap();
    let damage = |csv_down: &str, csv_side: &str| {
        std::fs::write(dir.path().join("down.csv"), csv_down).unwrap();
        std::fs::write(dir.path().join("side.csv"), csv_side).unwrap();
        let fatigue = channels(1e3)
            .replacen(
                "history = \"h.csv\"\ncolumn = \"down_kN\"",
                "history = \"down.csv\"\ncolumn = \"down_kN\"",
                1,
            )
            .replacen(
                "history = \"h.csv\"\ncolumn = \"side_kN\"",
                "history = \"side.csv\"\ncolumn = \"side_kN\"",
                1,
            );
        duty_damage(dir.path(), &fatigue)
    };
    // Down on whole seconds, side at 0, 0.5, 2.5 and 4 s.
    let apart = damage(
        "time, down_kN\n0, 0\n1, 2\n2, -2\n3, 2\n4, 0\n",
        "time, side_kN\n0, 0\n0.5, 1\n2.5, -1\n4, 0.5\n",
    );
    // Both on 0, 0.5, 1, 2, 2.5, 3, 4 s.
    let together = damage(
        "time, down_kN\n0, 0\n0.5, 1\n1, 2\n2, -2\n2.5, 0\n3, 2\n4, 0\n",
        "time, side_kN\n0, 0\n0.5, 1\n1, 0.5\n2, -0.5\n2.5, -1\n3, -0.5\n4, 0.5\n",
    );
    assert!(
        apart > 0.0 && (apart / together - 1.0).abs() < 1e-9,
        "{apart} vs {together}"
    );
}

/// Marin's factors scale the S–N curve: a machined surface (S355: S_u 470 MPa), a 20 mm
/// round and 99 % reliability give the damage of a stress factor 1/(k_a k_b k_e).
#[test]
fn marin_factors_act_as_a_stress_factor() {
    let dir = tempfile::tempdir().unwrap();
    let damage = |options: &str| {
        let fatigue = channels(1e3).replace(
            "analysis = \"fatigue\"\n",
            &format!("analysis = \"fatigue\"\n{options}"),
        );
        duty_damage(dir.path(), &fatigue)
    };
    let k = 4.51 * 470f64.powf(-0.265) * 1.24 * 20f64.powf(-0.107) * 0.814;
    let marin = damage("surface = \"machined\"\ndiameter = 0.02\nreliability = 0.99\n");
    let factor = damage(&format!("stress_factor = {:e}\n", 1.0 / k));
    assert!(
        marin > 0.0 && (marin / factor - 1.0).abs() < 1e-9,
        "{marin} vs {factor}"
    );
}

/// A random shake of the cantilever's clamp along z (0.04 g²/Hz, 20–2000 Hz).
const SHAKE: &str = "[[load_case]]\nname = \"shake\"\nanalysis = \"random\"\ndamping = { modal_ratio = 0.02 }\npsd = [[20.0, 0.04], [2000.0, 0.04]]\n[[load_case.load]]\ntype = \"base_acceleration\"\nset = \"xmin\"\nacceleration = [0.0, 0.0, 1.0]\nunit = \"g\"\n";

/// Spectral fatigue of a random response: the life in hours is the exposure over the
/// damage; a criterion passes a life it reaches and fails one it does not; the
/// narrow-band estimate is at least Dirlik's here (a broad-band response).
#[test]
fn spectral_life_of_a_random_response() {
    let dir = tempfile::tempdir().unwrap();
    let life = |method: &str, hours: f64| {
        let fatigue = format!("{SHAKE}[[load_case]]\nname = \"life\"\nanalysis = \"fatigue\"\nrandom = \"shake\"\nexposure = 60.0\nmethod = \"{method}\"\n[[load_case.criterion]]\ntype = \"min_fatigue_life\"\nhours = {hours:e}\n");
        let out = run(dir.path(), "steel_s355", &fatigue, CSV);
        let summary: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(dir.path().join("out/fat.summary.json")).unwrap(),
        )
        .unwrap();
        let key = |name: &str| {
            summary["load_cases"]
                .as_array()
                .unwrap()
                .iter()
                .find(|l| l["name"] == "life")
                .unwrap()["key_results"]
                .as_array()
                .unwrap()
                .iter()
                .find(|k| k["name"] == name)
                .unwrap()["value"]
                .as_f64()
                .unwrap()
        };
        let (damage, hours_life) = (key("max_damage"), key("min_life_hours"));
        assert!((hours_life - 60.0 / damage / 3600.0).abs() < 1e-9 * hours_life);
        (out.status.success(), hours_life)
    };
    let (_, dirlik) = life("dirlik", 1.0);
    let (_, narrow) = life("narrow_band", 1.0);
    assert!(
        narrow <= dirlik,
        "narrow band {narrow} h, Dirlik {dirlik} h"
    );
    assert!(life("dirlik", dirlik * 0.99).0);
    assert!(!life("dirlik", dirlik * 1.01).0);
}

/// The duty case counted by strain-life, with more options.
fn strain(options: &str) -> String {
    channels(1e3).replace(
        "analysis = \"fatigue\"\n",
        &format!("analysis = \"fatigue\"\nlife = \"strain\"\n{options}"),
    )
}

/// Strain-life on the library's S355 (its Uniform Material Law constants): the root of
/// the cantilever reaches 300 MPa elastic, about the cyclic yield, so the notch rules
/// matter — Glinka's lower local strain gives less damage than Neuber's — and the hot
/// spot's plot is against the ε–N curve.
#[test]
fn strain_life_runs_with_either_notch_rule() {
    let dir = tempfile::tempdir().unwrap();
    let neuber = duty_damage(dir.path(), &strain(""));
    let svg = std::fs::read_dir(dir.path().join("out"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with("sn_curve.svg"))
        .expect("the hot spot's plot");
    assert!(std::fs::read_to_string(svg).unwrap().contains("ε–N curve"));
    let glinka = duty_damage(dir.path(), &strain("notch = \"glinka\"\n"));
    let morrow = duty_damage(dir.path(), &strain("mean_stress = \"morrow\"\n"));
    println!("damage a pass: Neuber {neuber:e}, Glinka {glinka:e}, Neuber + Morrow {morrow:e}");
    assert!(neuber > glinka && glinka > 0.0 && morrow > 0.0);
}

/// A channel's unit divides by its load case's size: kN over a load case of 1 N is
/// the damage of kN over one of 1 kN. An expression of t sampled every step is the
/// same history as its values inline; beside a file, it is sampled on the file's times.
#[test]
fn channel_units_and_expressions() {
    let dir = tempfile::tempdir().unwrap();
    let base = duty_damage(dir.path(), &channels(1e3));
    let per_newton = "[[load_case]]\nname = \"down_1N\"\n[[load_case.load]]\ntype = \"force\"\nset = \"xmax\"\ntotal = [0.0, 0.0, -1.0]\n";
    let newtons = format!(
        "{per_newton}{}",
        channels(1e3).replacen("load_case = \"down\"", "load_case = \"down_1N\"", 1)
    );
    let d = duty_damage(dir.path(), &newtons);
    assert!((d / base - 1.0).abs() < 1e-9, "{d} vs {base}");
    // 2 sin(πt/2) kN down, every 0.25 s for 4 s, as an expression and inline.
    let samples: Vec<String> = (0..=16)
        .map(|k| {
            format!(
                "{}",
                2.0 * (std::f64::consts::PI * k as f64 * 0.25 / 2.0).sin()
            )
        })
        .collect();
    let one = |channel: &str| {
        format!("[[load_case]]\nname = \"duty\"\nanalysis = \"fatigue\"\n[[load_case.channel]]\nload_case = \"down\"\nunit = \"kN\"\n{channel}\n[[load_case.criterion]]\ntype = \"min_fatigue_life\"\npasses = 1.0\n")
    };
    let e = duty_damage(
        dir.path(),
        &one("expression = \"2*sin(pi*t/2)\"\nstep = 0.25\nend = 4.0"),
    );
    let v = duty_damage(
        dir.path(),
        &one(&format!("values = [{}]", samples.join(", "))),
    );
    // Two runs: the parallel factorisation's summation order moves the damage by up to
    // ~5e-12 between them (measured), so the bound is that of the other two-run checks.
    assert!(e > 0.0 && (e / v - 1.0).abs() < 1e-9, "{e} vs {v}");
    // Beside the file: 0.5 sin(πt/2) kN sideways on its times 0, 1, 2, 3, 4 s.
    let beside =
        |side: &str| channels(1e3).replacen("history = \"h.csv\"\ncolumn = \"side_kN\"", side, 1);
    let e = duty_damage(dir.path(), &beside("expression = \"0.5*sin(pi*t/2)\""));
    let v = duty_damage(dir.path(), &beside("values = [0.0, 0.5, 0.0, -0.5, 0.0]"));
    assert!(
        (e / v - 1.0).abs() < 1e-9 && (e / base - 1.0).abs() > 1e-3,
        "{e} vs {v}"
    );
}

/// A transient's stress counted at every step: two cycles of a 2 kN tip load at 100 Hz
/// (the first mode at 500 Hz rings on top). The direct method's every step (its fields
/// kept at every step) converges on the modal method's superposition (exact stepping,
/// every step, no fields) as its step shrinks: 9.5 % off at 50 µs, 1.7 % at 25 µs. A
/// direct run that keeps fewer fields is refused.
#[test]
fn transient_stress_is_counted_at_every_step() {
    let dir = tempfile::tempdir().unwrap();
    let transient = |method: &str| {
        format!("[[load_case]]\nname = \"knock\"\nanalysis = \"transient\"\n{method}\ndamping = {{ rayleigh = {{ alpha = 20.0, beta = 2e-6 }} }}\nduration = 0.02\namplitude = [[0.0, 0.0], [0.0025, 1.0], [0.0075, -1.0], [0.0125, 1.0], [0.0175, -1.0], [0.02, 0.0]]\n[[load_case.load]]\ntype = \"force\"\nset = \"xmax\"\ntotal = [0.0, 0.0, -2000.0]\n\
         [[load_case]]\nname = \"duty\"\nanalysis = \"fatigue\"\ntransient = \"knock\"\n[[load_case.criterion]]\ntype = \"min_fatigue_life\"\npasses = 1.0\n")
    };
    let direct = |step: &str| {
        duty_damage(
            dir.path(),
            &transient(&format!("output_every = 1\nstep = {step}")),
        )
    };
    let (coarse, fine) = (direct("5e-5"), direct("2.5e-5"));
    let modal = duty_damage(
        dir.path(),
        &transient("method = \"modal\"\nmax_frequency = 4000.0\nstep = 5e-5"),
    );
    println!("damage of the knock: direct {coarse:e} (50 µs), {fine:e} (25 µs); modal {modal:e}");
    let off = |d: f64| (d / modal - 1.0).abs();
    assert!(modal > 0.0 && off(fine) < 0.03 && off(fine) < off(coarse) && off(coarse) < 0.15);
    let out = run(dir.path(), "steel_s355", &transient("step = 5e-5"), CSV);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("keeps the fields of") && err.contains("output_every = 1"),
        "{err}"
    );
}

/// Each bad input is an error that names where it is.
#[test]
fn bad_histories_and_missing_data_name_their_place() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("h2.csv"), "time, side_kN\n0, 0\n1.5, 1\n").unwrap();
    let cases: Vec<(String, &str, &str, &str)> = vec![
        (channels(1e3).replacen("history = \"h.csv\"\ncolumn = \"side_kN\"", "history = \"h2.csv\"\ncolumn = \"side_kN\"", 1), "steel_s355", CSV, "spans 0–1.5 s"),
        (channels(1e3), "steel_s355", "time, down_kN, side_kN\n0, 0, 0\n1, nan, 0\n", "h.csv:3, column 2 (down_kN): 'nan' is not a finite number"),
        (channels(1e3), "steel_s355", "time, down_kN, side_kN\n0, 0, 0\n0, 1, 0\n", "h.csv:3: time 0 does not increase"),
        (channels(1e3), "steel_s355", "time, up_kN, side_kN\n0, 0, 0\n1, 1, 0\n", "no column 'down_kN'"),
        (channels(1e3), "steel_s355", "time, down_kN, side_kN\n0, 0, 0\n1, 1\n", "h.csv:3: column 3 missing"),
        (channels(1e3), "stainless_304", CSV, "material 'stainless_304' has no fatigue data"),
        (strain(""), "weak", CSV, "life = \"strain\" needs fatigue_ductility_coefficient, fatigue_ductility_exponent, cyclic_strength_coefficient, cyclic_hardening_exponent in [materials.weak]"),
        (strain("residue = \"once\"\n"), "steel_s355", CSV, "residue = \"repeated\""),
        (strain("mean_stress = \"goodman\"\n"), "steel_s355", CSV, "mean_stress 'goodman' is a stress-life rule"),
        (strain("surface = \"machined\"\n"), "steel_s355", CSV, "`surface` (a Marin factor) scales an S–N curve"),
        (strain("").replace("life = \"strain\"", "life = \"plastic\""), "steel_s355", CSV, "unknown life 'plastic'"),
        (strain("notch = \"peterson\"\n"), "steel_s355", CSV, "unknown notch 'peterson'"),
        (channels(1e3).replace("analysis = \"fatigue\"\n", "analysis = \"fatigue\"\nnotch = \"glinka\"\n"), "steel_s355", CSV, "notch belongs to life = \"strain\""),
        (channels(1e3).replacen("unit = \"kN\"\n", "", 1), "steel_s355", CSV, "a channel needs `unit`"),
        (channels(1e3).replacen("unit = \"kN\"", "unit = \"kilonewton\"", 1), "steel_s355", CSV, "unknown unit 'kilonewton'"),
        (channels(1e3).replacen("unit = \"kN\"", "unit = \"MPa\"", 1), "steel_s355", CSV, "a channel in MPa scales a pressure or traction, but load case 'down' applies a 'force' load"),
        (format!("[[load_case]]\nname = \"both\"\n[[load_case.load]]\ntype = \"force\"\nset = \"xmax\"\ntotal = [0.0, 0.0, -1000.0]\n[[load_case.load]]\ntype = \"force\"\nset = \"xmax\"\ntotal = [0.0, 1000.0, 0.0]\n{}", channels(1e3).replacen("load_case = \"down\"", "load_case = \"both\"", 1)), "steel_s355", CSV, "needs load case 'both' to apply one load"),
        (channels(1e3).replacen("history = \"h.csv\"\ncolumn = \"side_kN\"", "expression = \"t\"\nstep = 0.1", 1), "steel_s355", CSV, "takes no step or end"),
        (channels(1e3).replacen("history = \"h.csv\"\ncolumn = \"side_kN\"", "values = [0.0, 1.0, 0.0, 1.0, 0.0]\nend = 4.0", 1), "steel_s355", CSV, "step and end belong to an expression channel"),
        ("[[load_case]]\nname = \"duty\"\nanalysis = \"fatigue\"\n[[load_case.channel]]\nload_case = \"down\"\nunit = \"kN\"\nexpression = \"sin(t)\"\n".into(), "steel_s355", CSV, "needs `step` and `end`"),
        ("[[load_case]]\nname = \"duty\"\nanalysis = \"fatigue\"\n[[load_case.channel]]\nload_case = \"down\"\nunit = \"kN\"\nexpression = \"sqrt(t - 1)\"\nstep = 0.5\nend = 2.0\n".into(), "steel_s355", CSV, "the expression is NaN at t = 0 s"),
        ("[[load_case]]\nname = \"duty\"\nanalysis = \"fatigue\"\n[[load_case.channel]]\nload_case = \"down\"\nunit = \"kN\"\nexpression = \"sin(x)\"\nstep = 0.5\nend = 2.0\n".into(), "steel_s355", CSV, "unknown name 'x'"),
        ("[[load_case]]\nname = \"duty\"\nanalysis = \"fatigue\"\ntransient = \"down\"\n".into(), "steel_s355", CSV, "'down' is not a transient load case"),
        (format!("{SHAKE}[[load_case]]\nname = \"life\"\nanalysis = \"fatigue\"\nrandom = \"shake\"\nexposure = 1.0\ntransient = \"down\"\n"), "steel_s355", CSV, "one source: a random response or a transient"),
        ("[[load_case]]\nname = \"duty\"\nanalysis = \"fatigue\"\n[[load_case.load]]\ntype = \"joint_load\"\njoint = \"pin\"\nbody = \"arm\"\nset = \"xmax\"\n".into(), "steel_s355", CSV, "lists loads from a mechanism: the case needs a [mechanism]"),
        (channels(1e3), "weak", CSV, "the Goodman mean-stress correction needs `ultimate_strength` of material 'weak'"),
        (channels(1e3).replace("load_case = \"side\"", "load_case = \"modes\""), "steel_s355", CSV, "'modes' is not a static load case"),
        (channels(1e3).replace("analysis = \"fatigue\"\n", "analysis = \"fatigue\"\nmean_stress = \"morrow\"\n"), "steel_s355", CSV, "unknown mean_stress 'morrow'"),
        ("[[load_case]]\nname = \"duty\"\nanalysis = \"fatigue\"\n[[load_case.channel]]\nload_case = \"down\"\nunit = \"factor\"\nvalues = [0.0, 1.0, 0.0]\n[[load_case.channel]]\nload_case = \"side\"\nunit = \"factor\"\nvalues = [0.0, 1.0]\n".into(), "steel_s355", CSV, "channels share their samples"),
        ("[[load_case]]\nname = \"duty\"\nanalysis = \"fatigue\"\n".into(), "steel_s355", CSV, "needs [[load_case.channel]]"),
        ("[[load_case]]\nname = \"duty\"\nanalysis = \"fatigue\"\n[[load_case.channel]]\nload_case = \"down\"\nunit = \"factor\"\nvalues = [0.0, 1.0, 0.0]\n[[load_case.criterion]]\ntype = \"min_fatigue_life\"\nhours = 10.0\n".into(), "steel_s355", CSV, "needs the duration of a pass"),
        (format!("{SHAKE}[[load_case]]\nname = \"life\"\nanalysis = \"fatigue\"\nrandom = \"modes\"\nexposure = 60.0\n"), "steel_s355", CSV, "'modes' is not a random load case"),
        (format!("{SHAKE}[[load_case]]\nname = \"life\"\nanalysis = \"fatigue\"\nrandom = \"shake\"\n"), "steel_s355", CSV, "needs `exposure` (s)"),
        (format!("{SHAKE}[[load_case]]\nname = \"life\"\nanalysis = \"fatigue\"\nrandom = \"shake\"\nexposure = 60.0\nmean_stress = \"goodman\"\n"), "steel_s355", CSV, "a random response has zero mean"),
        (format!("{SHAKE}[[load_case]]\nname = \"life\"\nanalysis = \"fatigue\"\nrandom = \"shake\"\nexposure = 60.0\nmethod = \"lalanne\"\n"), "steel_s355", CSV, "unknown method 'lalanne'"),
        (format!("{SHAKE}[[load_case]]\nname = \"life\"\nanalysis = \"fatigue\"\nrandom = \"shake\"\nexposure = 60.0\n[[load_case.channel]]\nload_case = \"down\"\nunit = \"factor\"\nvalues = [0.0, 1.0]\n"), "steel_s355", CSV, "`channel` belongs to a fatigue case of load histories"),
        (channels(1e3).replace("analysis = \"fatigue\"\n", "analysis = \"fatigue\"\nexposure = 60.0\n"), "steel_s355", CSV, "`exposure` belongs to a fatigue case of a random response"),
        (channels(1e3).replace("analysis = \"fatigue\"\n", "analysis = \"fatigue\"\nplane_step = 5\n"), "steel_s355", CSV, "plane_step belongs to equivalent = \"critical_plane\""),
        (channels(1e3).replace("analysis = \"fatigue\"\n", "analysis = \"fatigue\"\nreliability = 0.98\n"), "steel_s355", CSV, "reliability 0.98 is not in Shigley's table 6-5"),
        (channels(1e3).replace("analysis = \"fatigue\"\n", "analysis = \"fatigue\"\nsurface = \"polished\"\n"), "steel_s355", CSV, "unknown surface 'polished'"),
        (channels(1e3).replace("analysis = \"fatigue\"\n", "analysis = \"fatigue\"\nmean_stress = \"swt\"\nsurface = \"machined\"\n"), "weak", CSV, "the surface factor needs the material's ultimate_strength"),
        (channels(1e3).replace("analysis = \"fatigue\"\n", "analysis = \"fatigue\"\nequivalent = \"critical_plane\"\nplane_step = 0\n"), "steel_s355", CSV, "plane_step must lie in 1..=45"),
    ];
    for (fatigue, material, csv, expected) in cases {
        let out = run(dir.path(), material, &fatigue, csv);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{expected}: it ran");
        assert!(err.contains(expected), "expected '{expected}' in: {err}");
        assert!(
            err.contains("fat.toml") || err.contains("h.csv"),
            "no place in: {err}"
        );
    }
}
