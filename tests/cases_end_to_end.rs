//! Runs the `vproto` binary on every case in `cases/`, as CI and users do, and opens
//! the result files with independent readers: `h5dump` for the HDF5 file, and VTK's
//! own VTKHDF and XDMF readers (the ones inside ParaView) through Python.

use std::path::{Path, PathBuf};
use std::process::Command;

mod common;

fn cases() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> =
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("cases"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .collect();
    v.sort();
    v
}

const VTK_CHECK: &str = r#"
import sys, json, vtk
from vtk.util.numpy_support import vtk_to_numpy
import numpy as np
def leaves(g):
    if g.IsA("vtkMultiBlockDataSet"):
        for i in range(g.GetNumberOfBlocks()):
            yield from leaves(g.GetBlock(i))
    else:
        yield g
out, name, lcs, cells, sidecars = sys.argv[1], sys.argv[2], sys.argv[3].split(","), int(sys.argv[4]), json.loads(sys.argv[5])
for lc in lcs:
    r = vtk.vtkHDFReader(); r.SetFileName(f"{out}/{name}_{lc}.hdf"); r.Update()
    g = r.GetOutput()
    assert g.GetNumberOfCells() == cells, (lc, g.GetNumberOfCells(), cells)
    pd = g.GetPointData()
    arrays = [pd.GetArrayName(i) for i in range(pd.GetNumberOfArrays())]
    first = next(a for a in ("displacement", "mode_1", "buckling_mode_1", "heat_flux", "rms_displacement", "damage") if a in arrays)
    u = vtk_to_numpy(pd.GetArray(first))
    assert np.all(np.isfinite(u)) and np.abs(u).max() > 0, lc
for sidecar in sidecars:
    x = vtk.vtkXdmfReader(); x.SetFileName(f"{out}/{sidecar['file']}"); x.UpdateInformation()
    steps = x.GetOutputInformation(0).Get(vtk.vtkStreamingDemandDrivenPipeline.TIME_STEPS())
    assert len(steps) == sidecar["steps"], (sidecar, steps)
    # Modes show their frequency (buckling modes their load factor) as the time value.
    for t, want in zip(steps, sidecar["times"] or []):
        assert abs(t - want) <= 1e-6 * max(1.0, abs(want)), (sidecar, steps)
    for t in steps:
        x.UpdateTimeStep(t)
        # A mesh of several element types is a spatial collection: one grid per block.
        blocks = list(leaves(x.GetOutputDataObject(0)))
        assert sum(g.GetNumberOfCells() for g in blocks) == cells
        for g in blocks:
            pd = g.GetPointData()
            vector = pd.GetArray("displacement") or pd.GetArray("heat_flux") or pd.GetArray("rms_displacement")
            if vector is not None:
                assert vector.GetNumberOfComponents() == 3
            else:  # a fatigue load case: scalar fields
                assert pd.GetArray("damage").GetNumberOfComponents() == 1
            if pd.GetArray("stress") is not None:
                assert pd.GetArray("stress").GetNumberOfComponents() == 9
print("vtk ok", len(sidecars), "sidecars")
"#;

/// The motion XDMF: every frame a multiblock of the bodies (cells, finite rigid-body
/// velocities) and the joints (reaction force vectors), at increasing real times.
const MOTION_CHECK: &str = r#"
import sys, vtk
from vtk.util.numpy_support import vtk_to_numpy
import numpy as np
out, name, bodies, end = sys.argv[1], sys.argv[2], sys.argv[3].split(","), float(sys.argv[4])
x = vtk.vtkXdmfReader(); x.SetFileName(f"{out}/{name}_motion.xdmf"); x.UpdateInformation()
steps = x.GetOutputInformation(0).Get(vtk.vtkStreamingDemandDrivenPipeline.TIME_STEPS())
assert len(steps) > 10 and abs(steps[-1] - end) < 1e-9 and all(np.diff(steps) > 0), steps
for t in (steps[0], steps[len(steps) // 2], steps[-1]):
    x.UpdateTimeStep(t); x.Update()
    g = x.GetOutputDataObject(0)
    names = [g.GetMetaData(i).Get(vtk.vtkCompositeDataSet.NAME()).split("[")[0] for i in range(g.GetNumberOfBlocks())]
    assert names == bodies + ["joints"], names
    for i, b in enumerate(bodies):
        block = g.GetBlock(i)
        assert block.GetNumberOfCells() > 0
        assert np.all(np.isfinite(vtk_to_numpy(block.GetPointData().GetArray("velocity"))))
    f = vtk_to_numpy(g.GetBlock(len(bodies)).GetPointData().GetArray("joint_force"))
    assert np.all(np.isfinite(f))
print("motion ok", len(steps), "frames")
"#;

/// The reference HDF5 library (h5dump) opens the file and finds these groups in it.
fn h5dump_has_groups(h5: &Path, groups: &[&str]) {
    if !common::peer("h5dump", &h5.display().to_string()) {
        return;
    }
    let dump = Command::new("h5dump")
        .args(["-H"])
        .arg(h5)
        .output()
        .unwrap();
    assert!(dump.status.success(), "h5dump failed on {}", h5.display());
    let header = String::from_utf8_lossy(&dump.stdout);
    for g in groups {
        assert!(
            header.contains(&format!("GROUP \"{g}\"")),
            "{g} missing in {}",
            h5.display()
        );
    }
}

/// Checks the motion results of a case with a [mechanism].
fn check_motion(out: &Path, summary: &serde_json::Value) {
    let name = summary["case"].as_str().unwrap();
    let motion = &summary["motion"];
    let bodies: Vec<&str> = motion["bodies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["name"].as_str().unwrap())
        .collect();
    assert!(
        motion["max_position_violation"].as_f64().unwrap() < 1e-9,
        "{motion}"
    );
    let joints: Vec<&str> = motion["joints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["name"].as_str().unwrap())
        .collect();
    h5dump_has_groups(&out.join(format!("{name}_motion.h5")), &joints);
    if !common::peer("vtk", name) {
        return;
    }
    let end = motion["end_time"].as_f64().unwrap().to_string();
    let vtk = Command::new("python3")
        .args([
            "-c",
            MOTION_CHECK,
            out.to_str().unwrap(),
            name,
            &bodies.join(","),
            &end,
        ])
        .output()
        .unwrap();
    assert!(
        vtk.status.success(),
        "VTK could not read {name}'s motion:\n{}",
        String::from_utf8_lossy(&vtk.stderr)
    );
}

/// Every file a run lists carries the summary's run id: the HDF5 files as a root
/// attribute, XDMF and SVG files in a comment, the summary itself as a field.
fn same_run(summary: &serde_json::Value) {
    let id = summary["run_id"].as_str().unwrap();
    assert!(id.len() > 16, "{id}");
    for file in summary["files"].as_array().unwrap() {
        let path = Path::new(file.as_str().unwrap());
        let found = match path.extension().and_then(|e| e.to_str()) {
            Some("h5" | "hdf") => match hdf5_pure::File::open(path)
                .unwrap()
                .root()
                .attrs()
                .unwrap()
                .get("run_id")
            {
                Some(hdf5_pure::AttrValue::VarLenString(s)) => s.clone(),
                other => panic!("{}: run_id {other:?}", path.display()),
            },
            Some("json") => {
                let text = std::fs::read_to_string(path).unwrap();
                let json: serde_json::Value = serde_json::from_str(&text).unwrap();
                json["run_id"].as_str().unwrap().to_string()
            }
            _ => {
                let text = std::fs::read_to_string(path).unwrap();
                let stamp = text
                    .lines()
                    .find_map(|l| l.strip_prefix("<!-- vproto run "))
                    .unwrap_or_else(|| panic!("{}: no run stamp", path.display()));
                stamp.trim_end_matches(" -->").to_string()
            }
        };
        assert_eq!(found, id, "{}", path.display());
    }
}

#[test]
fn every_case_runs_passes_and_writes_readable_results() {
    let cases = cases();
    assert!(cases.len() >= 2, "cases/ should hold at least two cases");
    for case in cases {
        let text = std::fs::read_to_string(&case).unwrap();
        // A parametric .geo model is meshed by the gmsh executable.
        if text.contains("\ngeo = ") && !common::peer("gmsh", &case.display().to_string()) {
            continue;
        }
        let out = tempfile::tempdir().unwrap();
        let run = Command::new(env!("CARGO_BIN_EXE_vproto"))
            .args([
                "run",
                case.to_str().unwrap(),
                "--out",
                out.path().to_str().unwrap(),
                "--json",
            ])
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&run.stdout);
        assert_eq!(
            run.status.code(),
            Some(0),
            "{}: {}\n{stdout}",
            case.display(),
            String::from_utf8_lossy(&run.stderr)
        );
        let summary: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        assert_eq!(summary["verdict"], "PASS");
        let name = summary["case"].as_str().unwrap();
        same_run(&summary);
        if summary.get("motion").is_some() {
            check_motion(out.path(), &summary);
        }
        if summary.get("model").is_none() {
            continue;
        }
        let lcs: Vec<&str> = summary["load_cases"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["name"].as_str().unwrap())
            .collect();
        let scalar = |list: &serde_json::Value, name: &str| {
            list.as_array()
                .unwrap()
                .iter()
                .find(|s| s["name"] == name)
                .map(|s| s["value"].as_f64().unwrap())
        };
        for lc in summary["load_cases"].as_array().unwrap() {
            match lc["steps"].as_array() {
                // Every mode (natural or buckling) meets its backward-error tolerance.
                Some(steps) => assert!(
                    steps
                        .iter()
                        .all(|s| scalar(&s["scalars"], "residual").unwrap() < 1e-9),
                    "{lc}"
                ),
                None => assert!(
                    scalar(&lc["scalars"], "relative_residual").unwrap() < 1e-8,
                    "{lc}"
                ),
            }
        }

        h5dump_has_groups(&out.path().join(format!("{name}.h5")), &lcs);

        let cells = summary["model"]["elements"].as_u64().unwrap().to_string();
        // One XDMF sidecar for the single-step load cases (a step each), and one per
        // multi-step load case whose times are its step values (frequencies, factors).
        let mut sidecars = Vec::new();
        let mut single = 0;
        for lc in summary["load_cases"].as_array().unwrap() {
            match lc["steps"].as_array() {
                Some(steps) => {
                    let values: Vec<f64> =
                        steps.iter().map(|s| s["value"].as_f64().unwrap()).collect();
                    let distinct = values.windows(2).all(|w| w[1] > w[0]);
                    sidecars.push(serde_json::json!({
                        "file": format!("{name}_{}.xdmf", lc["name"].as_str().unwrap()),
                        "steps": values.len(),
                        "times": if distinct { Some(values) } else { None },
                    }));
                }
                None => single += 1,
            }
        }
        if single > 0 {
            sidecars.push(
                serde_json::json!({"file": format!("{name}.xdmf"), "steps": single, "times": null}),
            );
        }
        // Nothing half-written is left behind.
        assert!(std::fs::read_dir(out.path()).unwrap().all(|e| !e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .ends_with(".tmp")));
        if !common::peer("vtk", name) {
            continue;
        }
        let vtk = Command::new("python3")
            .args([
                "-c",
                VTK_CHECK,
                out.path().to_str().unwrap(),
                name,
                &lcs.join(","),
                &cells,
                &serde_json::to_string(&sidecars).unwrap(),
            ])
            .output()
            .expect("python3 is installed");
        assert!(
            vtk.status.success(),
            "VTK could not read {name}'s results:\n{}",
            String::from_utf8_lossy(&vtk.stderr)
        );
    }
}

#[test]
fn a_failing_criterion_exits_one_and_a_bad_case_exits_two_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let src = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("cases/cantilever.toml"),
    )
    .unwrap();
    let failing = dir.path().join("tight.toml");
    std::fs::write(&failing, src.replace("limit = 0.5e-3", "limit = 0.1e-3")).unwrap();
    let run = |case: &Path| {
        Command::new(env!("CARGO_BIN_EXE_vproto"))
            .args([
                "run",
                case.to_str().unwrap(),
                "--out",
                dir.path().to_str().unwrap(),
            ])
            .output()
            .unwrap()
    };
    let r = run(&failing);
    assert_eq!(r.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&r.stdout).contains("FAIL"));

    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        src.replace(
            "set = \"xmax\"\ncomponent = \"z\"",
            "set = \"tip_face\"\ncomponent = \"z\"",
        ),
    )
    .unwrap();
    let r = run(&bad);
    assert_eq!(r.status.code(), Some(2));
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(
        err.contains("bad.toml:32") && err.contains("tip_face") && err.contains("xmax"),
        "{err}"
    );

    // A parametric .geo model without the gmsh executable: a clear error, not a panic.
    let geo_case = Path::new(env!("CARGO_MANIFEST_DIR")).join("cases/lug_geo.toml");
    let r = Command::new(env!("CARGO_BIN_EXE_vproto"))
        .args([
            "run",
            geo_case.to_str().unwrap(),
            "--out",
            dir.path().to_str().unwrap(),
        ])
        .env("PATH", "/nonexistent")
        .output()
        .unwrap();
    assert_eq!(r.status.code(), Some(2));
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(
        err.contains("lug_geo.toml:") && err.contains("needs the `gmsh` executable"),
        "{err}"
    );

    let floating = dir.path().join("floating.toml");
    std::fs::write(
        &floating,
        src.replace("set = \"xmin\"\nfixed = true", "set = \"xmin\"\nuz = 0.0"),
    )
    .unwrap();
    let r = run(&floating);
    assert_eq!(r.status.code(), Some(2));
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(
        err.contains("under-constrained")
            && err.contains("translation along (1.000, 0.000, 0.000)"),
        "{err}"
    );
}

/// The iterative method (`[solver] method = "iterative"`) gives every static and
/// thermal-stress case's key results as the direct factor does, to 1e-6 of each load
/// case's largest value of that quantity.
#[test]
fn static_cases_agree_by_both_solution_methods() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for name in [
        "cantilever",
        "nafems_le10",
        "nafems_le11_thermal",
        "bracket_proof_load",
        "plate_with_hole_tension",
        "heat_spreader_thermal_stress",
    ] {
        let text = std::fs::read_to_string(root.join(format!("cases/{name}.toml")))
            .unwrap()
            .replace("\"../models/", &format!("\"{}/models/", root.display()));
        let dir = tempfile::tempdir().unwrap();
        let run = |method: &str| -> serde_json::Value {
            let at = text.find("\n[model").expect("a [model] table");
            let body = format!(
                "{}\n[solver]\nmethod = \"{method}\"\n{}",
                &text[..at],
                &text[at..]
            );
            let path = dir.path().join(format!("{name}_{method}.toml"));
            std::fs::write(&path, body).unwrap();
            let out = Command::new(env!("CARGO_BIN_EXE_vproto"))
                .args(["run", path.to_str().unwrap(), "--json", "--out"])
                .arg(dir.path().join(method))
                .output()
                .unwrap();
            assert_eq!(
                out.status.code(),
                Some(0),
                "{name} {method}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            serde_json::from_slice(&out.stdout).unwrap()
        };
        let (direct, iterative) = (run("direct"), run("iterative"));
        assert_eq!(iterative["solver"]["precision"], "multigrid", "{name}");
        for (a, b) in direct["load_cases"]
            .as_array()
            .unwrap()
            .iter()
            .zip(iterative["load_cases"].as_array().unwrap())
        {
            let keys = |lc: &serde_json::Value| -> Vec<(String, String, f64)> {
                lc["key_results"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|k| {
                        (
                            k["name"].as_str().unwrap().to_string(),
                            k["quantity"].as_str().unwrap_or("").to_string(),
                            k["value"].as_f64().unwrap(),
                        )
                    })
                    .collect()
            };
            let (ka, kb) = (keys(a), keys(b));
            for ((n, q, x), (_, _, y)) in ka.iter().zip(&kb) {
                let scale = ka
                    .iter()
                    .filter(|k| &k.1 == q)
                    .fold(0.0f64, |m, k| m.max(k.2.abs()));
                assert!(
                    (x - y).abs() <= 1e-6 * scale,
                    "{name} {n}: {x} direct, {y} iterative"
                );
            }
        }
    }
}
