//! The app's structure, held by tests: no import circles between its modules, a
//! case-file schema that depends on nothing else in the app, short functions in the
//! modules that were split for it, and a new analysis that needs no edits outside its
//! own module (a tiny test-only analysis registered from here runs end to end).

mod common;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn sources(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(sources(&p));
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
    out
}

/// Top-level module of `src/` → the top-level modules its code (tests excluded) names
/// as `crate::<module>`.
fn module_graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in sources(&src) {
        let rel = file.strip_prefix(&src).unwrap();
        let top = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy();
        let top = top.trim_end_matches(".rs").to_string();
        if top == "main" || top == "lib" {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        let code = text.split("#[cfg(test)]").next().unwrap();
        let deps = graph.entry(top.clone()).or_default();
        for (i, _) in code.match_indices("crate::") {
            let name: String = code[i + 7..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() && name != top {
                deps.insert(name);
            }
        }
    }
    graph
}

#[test]
fn app_modules_import_each_other_without_circles() {
    let graph = module_graph();
    // Depth-first search for a back edge, reporting the circle it closes.
    fn visit(
        m: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) {
        if let Some(i) = path.iter().position(|p| p == m) {
            panic!("import circle: {} -> {m}", path[i..].join(" -> "));
        }
        if !done.insert(m.to_string()) {
            return;
        }
        path.push(m.to_string());
        for d in graph.get(m).into_iter().flatten() {
            if graph.contains_key(d) {
                visit(d, graph, path, done);
            }
        }
        path.pop();
    }
    let mut done = BTreeSet::new();
    for m in graph.keys() {
        visit(m, &graph, &mut Vec::new(), &mut done);
    }
}

#[test]
fn the_case_file_schema_depends_on_nothing_else_in_the_app() {
    let graph = module_graph();
    assert_eq!(
        graph["schema"],
        BTreeSet::new(),
        "schema imports {:?}",
        graph["schema"]
    );
    assert!(
        graph["results"].is_empty(),
        "results imports {:?}",
        graph["results"]
    );
}

#[test]
fn the_deck_reader_has_no_function_longer_than_eighty_lines() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/inp");
    for file in sources(&dir) {
        let text = std::fs::read_to_string(&file).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for (i, l) in lines.iter().enumerate() {
            let t = l.trim_start();
            if !(t.starts_with("fn ")
                || t.starts_with("pub fn ")
                || t.starts_with("pub(crate) fn ")
                || t.starts_with("pub(super) fn "))
            {
                continue;
            }
            let indent = l.len() - t.len();
            // The function ends at the first `}` at its own indentation.
            let close = format!("{}}}", " ".repeat(indent));
            let end = lines[i + 1..]
                .iter()
                .position(|m| m.trim_end() == close)
                .map_or(lines.len(), |k| i + 1 + k);
            assert!(
                end - i <= 80,
                "{}:{}: {} lines",
                file.display(),
                i + 1,
                end - i
            );
        }
    }
}

mod new_analysis {
    //! A made-up analysis, defined and registered here only: the height of every node
    //! along a direction given as its option. Criteria, probes, result files, the
    //! summary and regress quantities all work for it with no edit anywhere else.

    use serde::Deserialize;
    use std::sync::Arc;
    use vproto::analysis::{Analysis, Context, Input, Kind, Registry, Solved};
    use vproto::results::{Field, KeyResult, Produces, Quantity, Results, Shape, Step};

    struct Height;

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Options {
        direction: [f64; 3],
    }

    impl Kind for Height {
        fn keyword(&self) -> &'static str {
            "height"
        }
        fn produces(&self) -> Produces {
            Produces {
                fields: &["height"],
                axis: None,
                step_scalars: &[],
                histories: false,
            }
        }
        fn build(&self, input: &Input) -> anyhow::Result<Box<dyn Analysis>> {
            let o: Options = input.options()?;
            Ok(Box::new(HeightCase {
                name: input.spec().name.clone(),
                direction: o.direction,
            }))
        }
    }

    struct HeightCase {
        name: String,
        direction: [f64; 3],
    }

    impl Analysis for HeightCase {
        fn name(&self) -> &str {
            &self.name
        }
        fn solve(&self, ctx: &Context, _: &Solved) -> anyhow::Result<Results> {
            let d = nalgebra::Vector3::from(self.direction);
            let h: Vec<f64> = ctx.model.mesh.nodes.iter().map(|p| p.dot(&d)).collect();
            let top = h.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            Ok(Results {
                name: self.name.clone(),
                analysis: "height",
                steps: vec![Step {
                    name: self.name.clone(),
                    value: None,
                    rigid_body: false,
                    fields: vec![Field::nodal(
                        "height",
                        Shape::Scalar,
                        Quantity::Displacement,
                        h,
                    )],
                    scalars: vec![],
                }],
                axis: None,
                covered: None,
                incomplete: None,
                scalars: vec![],
                tables: vec![],
                key_results: vec![KeyResult {
                    name: "top".into(),
                    value: top,
                    quantity: Quantity::Displacement,
                    location: None,
                }],
                headline: format!("{}: top {top}", self.name),
                series: None,
                plots: Vec::new(),
                raw: Arc::new(()),
            })
        }
    }

    const CASE: &str = r#"
name = "heights"
[model.generate]
shape = "box"
size = [1.0, 0.1, 0.1]
divisions = [4, 1, 1]
element = "hex8"
[regions]
all = "steel_s355"
[[probe]]
name = "mid"
point = [0.55, 0.05, 0.05]
[[load_case]]
name = "along_x"
analysis = "height"
direction = [1.0, 0.0, 0.0]
[[load_case.criterion]]
type = "max_component"
quantity = "height"
max = 1.0
[[load_case.criterion]]
type = "value_at_probe"
probe = "mid"
quantity = "height"
min = 0.549
max = 0.551
"#;

    #[test]
    fn a_new_analysis_needs_no_edits_outside_its_module() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("heights.toml");
        std::fs::write(&path, CASE).unwrap();
        let registry = Registry::standard().with(&Height);
        let opts = vproto::run::RunOptions::all_files(Some(dir.path().join("out")));
        let params = vproto::params::Parameters::new();
        let s = vproto::run::run_with_registry(&path, &params, &opts, &registry).unwrap();
        assert_eq!(s.verdict, "PASS", "{}", vproto::report::table(&s));
        assert_eq!(s.checks.len(), 3);
        // Linear fields interpolate exactly at the probe.
        let at_probe = s
            .checks
            .iter()
            .find(|c| c.criterion.contains("at mid"))
            .unwrap();
        assert!((at_probe.value - 0.55).abs() < 1e-12, "{}", at_probe.value);
        let q = vproto::regress::quantities(&s);
        assert_eq!(q["along_x/top"], 1.0);
        assert!((q["along_x/probe/mid/height"] - 0.55).abs() < 1e-12);
        let h5 = hdf5_pure::File::open(dir.path().join("out/heights.h5")).unwrap();
        let field = super::common::h5_1d(&h5, "load_cases/along_x/height");
        assert_eq!(field.len(), 5 * 2 * 2);
        assert!(dir.path().join("out/heights_along_x.hdf").exists());

        // Its options are read strictly, at their line; unknown kinds are named.
        std::fs::write(&path, CASE.replace("direction =", "directon =")).unwrap();
        let e = vproto::run::run_with_registry(&path, &params, &opts, &registry).unwrap_err();
        assert!(
            format!("{e:#}").contains("heights.toml:16") && format!("{e:#}").contains("directon"),
            "{e:#}"
        );
        std::fs::write(&path, CASE).unwrap();
        let e = vproto::run::run_with_registry(&path, &params, &opts, &Registry::standard())
            .unwrap_err();
        assert!(
            format!("{e:#}").contains("unknown analysis 'height'"),
            "{e:#}"
        );
    }
}
