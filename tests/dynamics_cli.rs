//! The dynamic analyses as a user meets them: a case with every kind runs and writes its
//! time series and plots; bad input is an error at its line, never a silent answer.

use std::process::Command;

const MODEL: &str = r#"
name = "dyn"
[model.generate]
shape = "box"
size = [0.3, 0.04, 0.01]
divisions = [15, 2, 1]
element = "hex20"
[regions]
all = "steel_s355"
[[constraint]]
set = "xmin"
fixed = true
[damping]
modal_ratio = 0.02
rayleigh = { alpha = 0.0, beta = 0.0 }
[[probe]]
name = "tip"
point = [0.3, 0.02, 0.005]
"#;

const BASE: &str = r#"
[[load_case.load]]
type = "base_acceleration"
set = "xmin"
acceleration = [0, 0, 1]
unit = "g"
"#;

fn run(dir: &std::path::Path, load_cases: &str) -> std::process::Output {
    let path = dir.join("dyn.toml");
    std::fs::write(&path, format!("{MODEL}{load_cases}")).unwrap();
    Command::new(env!("CARGO_BIN_EXE_vproto"))
        .args(["run", path.to_str().unwrap(), "--out"])
        .arg(dir.join("out"))
        .output()
        .unwrap()
}

#[test]
fn every_dynamic_analysis_runs_and_writes_its_files() {
    let dir = tempfile::tempdir().unwrap();
    let cases = format!(
        "[[load_case]]\nname = \"sine\"\nanalysis = \"harmonic\"\nfrequency = [10.0, 500.0]\n{BASE}\
         [[load_case]]\nname = \"rand\"\nanalysis = \"random\"\npsd = [[20.0, 0.04], [2000.0, 0.04]]\n{BASE}\
         [[load_case]]\nname = \"shock\"\nanalysis = \"response_spectrum\"\npulse = {{ shape = \"half_sine\", peak = 30.0, duration = 0.011 }}\n{BASE}\
         [[load_case]]\nname = \"drop\"\nanalysis = \"transient\"\nduration = 0.02\nstep = 1.0e-4\nalpha = 0.0\namplitude = [[0.0, 0.0], [0.0055, 30.0], [0.011, 0.0]]\ndamping = {{ rayleigh = {{ alpha = 5.0, beta = 1.0e-5 }} }}\n{BASE}\
         [[load_case]]\nname = \"sine_r\"\nanalysis = \"harmonic\"\nfrequency = [10.0, 500.0]\npoints = 20\ndamping = {{ rayleigh = {{ alpha = 0.0, beta = 2.0e-5 }} }}\n{BASE}\
         [[load_case]]\nname = \"sine_direct\"\nanalysis = \"harmonic\"\nmethod = \"direct\"\nfrequency = [10.0, 500.0]\npoints = 20\ndamping = {{ rayleigh = {{ alpha = 0.0, beta = 2.0e-5 }} }}\n{BASE}\
         [[load_case]]\nname = \"drop_modal\"\nanalysis = \"transient\"\nmethod = \"modal\"\nduration = 0.02\nstep = 1.0e-4\namplitude = [[0.0, 0.0], [0.0055, 30.0], [0.011, 0.0]]\ndamping = {{ rayleigh = {{ alpha = 5.0, beta = 1.0e-5 }} }}\n{BASE}"
    );
    let out = run(dir.path(), &cases);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let files = dir.path().join("out");
    for f in [
        "dyn_sine_displacement.svg",
        "dyn_rand_acceleration_psd.svg",
        "dyn_shock_srs.svg",
        "dyn_drop.xdmf",
        "dyn_drop_energy.svg",
    ] {
        assert!(files.join(f).exists(), "{f}");
    }
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(report.contains("modal ζ = 2 %"), "{report}");
    assert!(report.contains("combined by CQC"), "{report}");
    // The number after `marker` in a load case's headline.
    let value = |name: &str, marker: &str| -> f64 {
        let line = report
            .lines()
            .find(|l| l.starts_with(&format!("{name}: ")))
            .unwrap();
        let at = line.find(marker).unwrap() + marker.len();
        line[at..].split(' ').next().unwrap().parse().unwrap()
    };
    // The two transient methods agree on the peak stress to 1 %.
    let (direct, modal) = (
        value("drop", "von Mises "),
        value("drop_modal", "von Mises "),
    );
    assert!((modal / direct - 1.0).abs() < 0.01, "{direct} {modal}");
    // So do the two harmonic methods (the modal one with its static correction).
    let peak = "peak von Mises ";
    let (direct, modal) = (value("sine_direct", peak), value("sine_r", peak));
    assert!((modal / direct - 1.0).abs() < 1e-3, "{direct} {modal}");
}

#[test]
fn bad_dynamic_input_is_an_error_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let bad = [
        (
            "[[load_case]]\nname = \"r\"\nanalysis = \"random\"\npsd = [[20.0, 0.04], [10.0, 0.04]]\n",
            "frequencies must increase",
        ),
        (
            "[[load_case]]\nname = \"r\"\nanalysis = \"random\"\npsd = [[20.0, 0.0], [100.0, 0.04]]\n",
            "must be > 0",
        ),
        (
            "[[load_case]]\nname = \"h\"\nanalysis = \"harmonic\"\nfrequency = [10.0, 5000.0]\nmodes = 2\n",
            "ask for more `modes`",
        ),
        (
            "[[load_case]]\nname = \"t\"\nanalysis = \"transient\"\nduration = 0.01\nstep = 1e-4\namplitude = [[0.0, 1.0], [1.0, 1.0]]\n",
            "rayleigh",
        ),
        (
            "[[load_case]]\nname = \"t\"\nanalysis = \"transient\"\nmethod = \"modal\"\nalpha = -0.1\nduration = 0.01\nstep = 1e-4\namplitude = [[0.0, 1.0], [1.0, 1.0]]\n",
            "`alpha` is an option of the direct method",
        ),
        (
            "[[load_case]]\nname = \"t\"\nanalysis = \"transient\"\nmethod = \"modal\"\nduration = 0.01\nstep = 1e-4\namplitude = [[0.0, 1.0], [1.0, 1.0]]\ndamping = { loss_factor = 0.02 }\n",
            "no time-domain form",
        ),
        (
            "[[load_case]]\nname = \"h\"\nanalysis = \"harmonic\"\nmethod = \"direct\"\nfrequency = [10.0, 500.0]\n",
            "the direct method takes Rayleigh",
        ),
        (
            "[[load_case]]\nname = \"t\"\nanalysis = \"transient\"\nmethod = \"implicit\"\nduration = 0.01\nstep = 1e-4\namplitude = [[0.0, 1.0], [1.0, 1.0]]\n",
            "unknown method 'implicit'",
        ),
        (
            "[[load_case]]\nname = \"s\"\nanalysis = \"response_spectrum\"\nspectrum = [[500.0, 5.0], [2000.0, 50.0]]\n",
            "below the spectrum's first frequency",
        ),
    ];
    for (lc, why) in bad {
        let out = run(dir.path(), &format!("{lc}{BASE}"));
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{lc}: {err}");
        assert!(err.contains(why), "{lc}: {err}");
    }
    // A base acceleration on a set that is not the held supports.
    let lc = "[[load_case]]\nname = \"h\"\nanalysis = \"harmonic\"\nfrequency = [10.0, 500.0]\n";
    let out = run(dir.path(), &format!("{lc}{}", BASE.replace("xmin", "xmax")));
    assert!(String::from_utf8_lossy(&out.stderr).contains("base set"));
}

/// A settling time is read from a probe's history: decided when the motion has settled
/// well before the end of the run, "cannot decide" (a failing check) when it is still
/// moving in the run's last tenth.
#[test]
fn settling_time_is_decided_only_on_a_settled_history() {
    let dir = tempfile::tempdir().unwrap();
    let lc = |name: &str, alpha: f64| {
        format!(
            "[[load_case]]\nname = \"{name}\"\nanalysis = \"transient\"\nmethod = \"modal\"\nduration = 0.05\nstep = 1.0e-4\namplitude = [[0.0, 0.0], [0.001, 1.0], [1.0, 1.0]]\ndamping = {{ rayleigh = {{ alpha = {alpha}, beta = 0.0 }} }}\n{BASE}[[load_case.criterion]]\ntype = \"max_settling_time\"\nprobe = \"tip\"\nlimit = 0.04\n"
        )
    };
    let out = run(
        dir.path(),
        &format!("{}{}", lc("damped", 3000.0), lc("ringing", 1.0)),
    );
    let report = String::from_utf8_lossy(&out.stdout);
    let line = |name: &str| {
        report
            .lines()
            .find(|l| l.starts_with(name) && l.contains("settling time"))
            .unwrap_or_else(|| panic!("{report}"))
            .to_string()
    };
    assert!(line("damped").contains("PASS"), "{report}");
    assert!(line("ringing").contains("FAIL"), "{report}");
    assert!(
        report.contains("cannot decide: the motion at tip is still outside"),
        "{report}"
    );
    assert_eq!(out.status.code(), Some(1), "{report}");
}
