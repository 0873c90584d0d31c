//! The `vproto` command line. Exit codes: 0 every criterion passes (every design
//! point, every case), 1 one fails, 2 something could not be run — the error is printed
//! once, here, with its causes.

use anyhow::Result;
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use vproto::progress::{Color, Spinner};
use vproto::run::{run_case, RunOptions};

#[derive(Parser)]
#[command(
    name = "vproto",
    version = concat!(env!("CARGO_PKG_VERSION"), " (commit ", env!("VPROTO_COMMIT"), ")"),
    about = "Physics-based design validation: run load cases, get a pass/fail verdict and ParaView results"
)]
struct Cli {
    /// Log each stage with the time since start to stderr (-v); -vv adds per-stage
    /// timings, sizes, memory and iterations.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
    /// Colour in log lines: on a terminal only (auto; NO_COLOR turns it off), always, never.
    #[arg(long, global = true, value_enum, default_value_t = Color::Auto)]
    color: Color,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a case file (or an Abaqus/CalculiX deck) and print its verdict table.
    Run {
        /// The case file (.toml), or an input deck (.inp) run step by step.
        case: PathBuf,
        /// Output directory (default: the case's [output] directory, else
        /// out/<case name> under the current directory).
        #[arg(short, long)]
        out: Option<PathBuf>,
        /// Print the JSON summary instead of the table.
        #[arg(long)]
        json: bool,
    },
    /// Run a case and show how its modes agree with its [[measurement]]s (measured and
    /// computed modes paired, frequency errors, MAC), then its verdict.
    Correlate {
        /// The case file (TOML) with [[measurement]] tables.
        case: PathBuf,
        /// Output directory (as for `run`).
        #[arg(short, long)]
        out: Option<PathBuf>,
        /// Print the JSON summary instead of the tables.
        #[arg(long)]
        json: bool,
    },
    /// Run a case at every design point of its [sweep], in parallel.
    Sweep {
        /// The case file (TOML) with [parameters] and [sweep].
        case: PathBuf,
        /// Output directory (default: out/<case name>_sweep).
        #[arg(short, long)]
        out: Option<PathBuf>,
        /// Print the sweep report as JSON instead of the table.
        #[arg(long)]
        json: bool,
    },
    /// Run every case of a directory and compare with its stored baselines.
    Regress {
        /// Directory of case files (baselines in <dir>/baselines/).
        #[arg(default_value = "cases")]
        dir: PathBuf,
        /// Write the current results as the new baselines (after an intended change).
        #[arg(long)]
        update: bool,
        /// Where the cases' result files go.
        #[arg(short, long, default_value = "out/regress")]
        out: PathBuf,
        /// Also write a JUnit XML report here.
        #[arg(long)]
        junit: Option<PathBuf>,
        /// Also write a Markdown summary here (for a pull-request comment).
        #[arg(long)]
        markdown: Option<PathBuf>,
    },
    /// List the materials of the built-in library.
    Materials {
        /// Print them as JSON (SI units) instead of the table.
        #[arg(long)]
        json: bool,
    },
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell), e.g.
    /// `vproto completions bash > ~/.local/share/bash-completion/completions/vproto`.
    Completions { shell: clap_complete::Shell },
}

/// Writes to stdout, ignoring a closed pipe (`vproto run … | head` must not panic).
fn emit(text: &str) {
    use std::io::Write;
    let _ = std::io::stdout().write_all(text.as_bytes());
}

fn pass_or_fail(pass: bool) -> ExitCode {
    if pass {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// Runs a sweep, across MPI ranks when built with the `mpi` feature; returns the report
/// and this process's rank.
fn sweep(
    case: &std::path::Path,
    out: Option<PathBuf>,
) -> Result<(vproto::sweep::SweepReport, usize)> {
    #[cfg(feature = "mpi")]
    {
        let universe =
            mpi::initialize().ok_or_else(|| anyhow::anyhow!("MPI is already initialised"))?;
        let ranks = vproto::distributed::Mpi::new(&universe);
        let rank = vproto::distributed::Distribution::rank(&ranks);
        Ok((vproto::sweep::run_sweep_on(case, out, &ranks)?, rank))
    }
    #[cfg(not(feature = "mpi"))]
    Ok((vproto::sweep::run_sweep(case, out)?, 0))
}

fn execute(command: Command, spinner: &Spinner) -> Result<ExitCode> {
    match command {
        Command::Run { case, out, json } => {
            spinner.start(&format!("running {}", case.display()));
            let result = run_case(&case, &RunOptions::all_files(out));
            spinner.finish();
            let summary = result?;
            if json {
                emit(&format!("{}\n", serde_json::to_string_pretty(&summary)?));
            } else {
                emit(&vproto::report::table(&summary));
                emit(&format!("results: {}\n", summary.files.join(", ")));
            }
            // Results only (no criteria) is not a failure; the table says so.
            Ok(pass_or_fail(summary.verdict != "FAIL"))
        }
        Command::Correlate { case, out, json } => {
            let deck = case
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("inp"));
            if deck || vproto::case::Case::load(&case)?.spec.measurement.is_empty() {
                anyhow::bail!(
                    "{}: the case has no [[measurement]] to correlate with",
                    case.display()
                );
            }
            spinner.start(&format!("running {}", case.display()));
            let result = run_case(&case, &RunOptions::all_files(out));
            spinner.finish();
            let summary = result?;
            let pairs = vproto::report::correlation(&summary).unwrap_or_default();
            if json {
                emit(&format!("{}\n", serde_json::to_string_pretty(&summary)?));
            } else {
                emit(&pairs);
                emit(&vproto::report::table(&summary));
            }
            Ok(pass_or_fail(summary.verdict != "FAIL"))
        }
        Command::Sweep { case, out, json } => {
            let (report, rank) = sweep(&case, out)?;
            if rank == 0 && json {
                emit(&format!("{}\n", serde_json::to_string_pretty(&report)?));
            } else if rank == 0 {
                emit(&vproto::sweep::sweep_table(&report));
            }
            Ok(pass_or_fail(report.lightest_passing.is_some()))
        }
        Command::Regress {
            dir,
            update,
            out,
            junit,
            markdown,
        } => {
            let reports = vproto::regress::regress(&dir, &out, update)?;
            emit(&vproto::regress::text(&reports));
            for (path, text) in [
                (junit, vproto::regress::junit(&reports)),
                (markdown, vproto::regress::markdown(&reports)),
            ] {
                if let Some(p) = path {
                    vproto::output::atomically(&p, |tmp| Ok(std::fs::write(tmp, &text)?))?;
                }
            }
            if update {
                emit(&format!(
                    "baselines written to {}\n",
                    dir.join("baselines").display()
                ));
            }
            if reports.iter().any(|r| r.error.is_some()) {
                return Ok(ExitCode::from(2));
            }
            Ok(pass_or_fail(
                update || !reports.iter().any(|r| r.regressed()),
            ))
        }
        Command::Materials { json } => {
            let lib = vproto::materials::Library::built_in();
            if json {
                emit(&format!(
                    "{}\n",
                    serde_json::to_string_pretty(&lib.materials)?
                ));
            } else {
                emit(&vproto::materials::table(&lib));
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Completions { shell } => {
            use clap::CommandFactory;
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "vproto", &mut out);
            emit(&String::from_utf8_lossy(&out));
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The memory this process may use: the smallest of the cgroup limit, MemAvailable and
/// `VPROTO_MEMORY_LIMIT_GIB` (a limit of the user's own).
fn available_memory() -> Option<u64> {
    let user = std::env::var("VPROTO_MEMORY_LIMIT_GIB")
        .ok()
        .and_then(|g| g.parse::<f64>().ok())
        .filter(|g| g.is_finite() && *g > 0.0)
        .map(|g| (g * (1u64 << 30) as f64) as u64);
    let cgroup = std::fs::read_to_string("/sys/fs/cgroup/memory.max")
        .ok()
        .and_then(|t| t.trim().parse::<u64>().ok());
    let meminfo = std::fs::read_to_string("/proc/meminfo").ok().and_then(|t| {
        t.lines()
            .find(|l| l.starts_with("MemAvailable:"))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<u64>().ok())
            .map(|kb| kb * 1024)
    });
    [cgroup, meminfo, user].into_iter().flatten().min()
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // A model too large for this machine is refused with the numbers before its factor
    // is allocated, never killed by the kernel halfway.
    if let Some(bytes) = available_memory() {
        vproto::solver::memory::set_available(bytes);
    }
    let spinner = vproto::progress::init(cli.verbose, cli.color);
    // A panic is a bug, never a verdict: report it as an internal error and exit 2.
    let command_line: Vec<String> = std::env::args().collect();
    std::panic::set_hook(Box::new(move |info| {
        eprintln!(
            "error: internal error while running `{}`: {info}\nThis is a bug in vproto, not in your case: please report it with the case file.",
            command_line.join(" ")
        );
    }));
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        execute(cli.command, &spinner)
    })) {
        Ok(Ok(code)) => code,
        Ok(Err(e)) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
        Err(_) => ExitCode::from(2),
    }
}
