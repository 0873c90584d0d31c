//! The README is part of the program: its sample output is what the program prints, its
//! commands run, its case-file snippets are accepted by the schema (and the complete
//! example is the file it names), so the README cannot drift from the program again.

use std::path::PathBuf;
use std::process::Command;

mod common;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn readme() -> String {
    std::fs::read_to_string(root().join("README.md")).unwrap()
}

/// The fenced blocks: (language, first line number, text).
fn blocks(text: &str) -> Vec<(String, usize, String)> {
    let mut out = Vec::new();
    let mut open: Option<(String, usize, String)> = None;
    for (i, line) in text.lines().enumerate() {
        match (&mut open, line.strip_prefix("```")) {
            (None, Some(lang)) => open = Some((lang.trim().to_string(), i + 2, String::new())),
            (Some(_), Some(_)) => out.push(open.take().unwrap()),
            (Some((_, _, body)), None) => {
                body.push_str(line);
                body.push('\n');
            }
            (None, None) => {}
        }
    }
    out
}

fn vproto(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_vproto"))
        .args(args)
        .current_dir(root())
        .output()
        .unwrap()
}

/// Every line of the sample output (but `...`) is a line the program prints.
#[test]
fn the_sample_output_is_what_the_program_prints() {
    let text = readme();
    let sample = blocks(&text)
        .into_iter()
        .find(|(lang, _, body)| lang.is_empty() && body.starts_with("vproto · "))
        .expect("a sample output block");
    let out = tempfile::tempdir().unwrap();
    let run = vproto(&[
        "run",
        "cases/bracket_proof_load.toml",
        "--out",
        out.path().to_str().unwrap(),
    ]);
    assert_eq!(run.status.code(), Some(0));
    let printed = String::from_utf8_lossy(&run.stdout);
    let lines: Vec<&str> = printed.lines().map(str::trim_end).collect();
    for line in sample.2.lines().filter(|l| l.trim() != "...") {
        assert!(
            lines.contains(&line.trim_end()),
            "README.md:{}: this sample line is not printed:\n{line}\nprinted:\n{printed}",
            sample.1
        );
    }
}

/// The `vproto …` commands of the README (fenced or inline) whose files exist run and
/// exit 0; `cargo run --release -- …` stands for `vproto …`.
#[test]
fn the_readme_commands_run() {
    let text = readme();
    let mut commands: Vec<String> = Vec::new();
    for (_, _, body) in blocks(&text).into_iter().filter(|b| b.0 == "sh") {
        for line in body.lines() {
            let command = line.split('#').next().unwrap().trim();
            if let Some(rest) = command.strip_prefix("cargo run --release -- ") {
                commands.push(format!("vproto {rest}"));
            } else if command.starts_with("vproto ") {
                commands.push(command.to_string());
            }
        }
    }
    for piece in text.split('`').skip(1).step_by(2) {
        if piece.starts_with("vproto ") {
            commands.push(piece.to_string());
        }
    }
    commands.sort();
    commands.dedup();
    let mut ran = 0;
    for command in &commands {
        let args: Vec<&str> = command.split_whitespace().skip(1).collect();
        // Placeholders (CASE, deck.inp, case.toml) and changes to the repository
        // (--update) are not run.
        let files_exist = args
            .iter()
            .filter(|a| a.contains('/') || a.contains('.'))
            .all(|a| root().join(a).exists());
        // `vproto run` named in prose, without its case, is not a command to run.
        let bare = args.len() == 1 && ["run", "sweep"].contains(&args[0]);
        let placeholder = args
            .iter()
            .any(|a| a.contains('…') || (a.len() > 1 && a.chars().all(|c| c.is_ascii_uppercase())));
        if bare
            || placeholder
            || !files_exist
            || args.contains(&"--update")
            || args.iter().any(|a| a.contains('>'))
        {
            continue;
        }
        // `regress cases` runs the parametric .geo case, which needs Gmsh.
        if args[0] == "regress" && !common::peer("gmsh", &format!("README `{command}`")) {
            continue;
        }
        let out = tempfile::tempdir().unwrap();
        let mut full: Vec<&str> = args.clone();
        if ["run", "sweep", "regress"].contains(&args[0]) && !args.contains(&"--out") {
            full.extend(["--out", out.path().to_str().unwrap()]);
        }
        let run = vproto(&full);
        assert_eq!(
            run.status.code(),
            Some(0),
            "README command `{command}` failed:\n{}\n{}",
            String::from_utf8_lossy(&run.stdout),
            String::from_utf8_lossy(&run.stderr)
        );
        ran += 1;
    }
    assert!(ran >= 5, "only {ran} of {commands:?} ran");
}

/// A snippet as a whole case: a name, the snippet's top-level keys, a small model and a
/// load case for the `[[load_case.*]]` tables to belong to, unless the snippet has them.
fn as_case(snippet: &str) -> String {
    // `${…}` parameters stand for numbers; `# ...` lines for elided text.
    let mut body = String::new();
    let mut rest = snippet;
    while let Some(i) = rest.find("${") {
        body.push_str(&rest[..i]);
        body.push_str("0.01");
        rest = rest[i..].split_once('}').map_or("", |(_, r)| r);
    }
    body.push_str(rest);
    let (top, tables): (Vec<&str>, Vec<&str>) = {
        let first_table = body
            .lines()
            .position(|l| l.trim_start().starts_with('['))
            .unwrap_or(usize::MAX);
        let lines: Vec<&str> = body.lines().collect();
        let cut = first_table.min(lines.len());
        (lines[..cut].to_vec(), lines[cut..].to_vec())
    };
    let mut case = String::new();
    if !top.iter().any(|l| l.trim_start().starts_with("name ")) {
        case += "name = \"snippet\"\n";
    }
    case += &top.join("\n");
    case += "\n";
    if !body.contains("[model") {
        case += "[model.generate]\nshape = \"box\"\nsize = [1.0, 0.1, 0.1]\ndivisions = [2, 1, 1]\nelement = \"hex8\"\n";
    }
    let has_load_case = body.contains("[[load_case]]");
    if !has_load_case {
        case += "[[load_case]]\nname = \"lc\"\n";
    }
    case += &tables.join("\n");
    case
}

/// Every TOML snippet is accepted by the schema (unknown keys, wrong types and unknown
/// analyses are errors), and the complete example equals the file it names.
#[test]
fn the_readme_case_snippets_are_accepted() {
    let text = readme();
    let lines: Vec<&str> = text.lines().collect();
    let dir = tempfile::tempdir().unwrap();
    let registry = vproto::analysis::Registry::standard();
    let mut checked = 0;
    for (lang, line, body) in blocks(&text).into_iter().filter(|b| b.0 == "toml") {
        // "A complete example (`cases/x.toml`):" — the block is that file.
        let intro = lines[line.saturating_sub(3)..line - 1].join(" ");
        if let Some(file) = intro
            .split('`')
            .find(|p| p.starts_with("cases/") && p.ends_with(".toml"))
        {
            let ours: toml::Table = toml::from_str(&body).unwrap();
            let theirs: toml::Table =
                toml::from_str(&std::fs::read_to_string(root().join(file)).unwrap()).unwrap();
            assert_eq!(
                ours, theirs,
                "README.md:{line}: the example differs from {file}"
            );
        }
        // A snippet that elides part of itself (`# ...`) only has to be TOML.
        if body.lines().any(|l| l.trim() == "# ...") {
            let text = as_case(&body);
            assert!(
                toml::from_str::<toml::Table>(&text).is_ok(),
                "README.md:{line}: not TOML\n{text}"
            );
            checked += 1;
            continue;
        }
        let path = dir.path().join(format!("snippet_{line}.toml"));
        std::fs::write(&path, as_case(&body)).unwrap();
        let case = vproto::case::Case::load(&path)
            .and_then(|c| registry.resolve(&c).map(|_| ()))
            .map_err(|e| format!("{e:#}"));
        assert!(
            case.is_ok(),
            "README.md:{line} ({lang}): {}\n{}",
            case.unwrap_err(),
            as_case(&body)
        );
        checked += 1;
    }
    assert!(checked >= 10, "{checked} snippets");
}

/// The deck snippet runs as a case next to the deck it names.
#[test]
fn the_deck_snippet_runs() {
    let text = readme();
    let (_, line, body) = blocks(&text)
        .into_iter()
        .find(|(l, _, b)| l == "toml" && b.contains("type = \"deck_step\""))
        .expect("a deck snippet");
    let cases = root()
        .join("target")
        .join(format!("readme-{}", std::process::id()));
    let case_dir = cases.join("cases");
    std::fs::create_dir_all(&case_dir).unwrap();
    let decks = cases.join("tests/decks");
    std::fs::create_dir_all(&decks).unwrap();
    for f in ["bar_tension.inp", "steel.inp"] {
        std::fs::copy(root().join("tests/decks").join(f), decks.join(f)).unwrap();
    }
    let path = case_dir.join("deck.toml");
    std::fs::write(&path, format!("name = \"deck\"\n{body}")).unwrap();
    let out = cases.join("out");
    let run = vproto(&[
        "run",
        path.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    let _ = std::fs::remove_dir_all(&cases);
    assert_eq!(
        run.status.code(),
        Some(0),
        "README.md:{line}: {}",
        String::from_utf8_lossy(&run.stderr)
    );
}
