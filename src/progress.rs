//! Signs of life: log lines and the terminal spinner, both fed by `tracing` events.
//!
//! Every stage of a run (reading the model, ordering, assembling, factorising, solving
//! load case k of n, writing) is an info event, emitted where the work happens — the
//! solver included, which never prints itself. Three consumers read them: `-v` prints
//! them with the time since start, `-vv` adds the debug events (per-stage timings,
//! sizes, memory, iterations), and without `-v` on a terminal a spinner shows the
//! current stage and the elapsed time. Colour only on a terminal, unless `--color`
//! says otherwise; `NO_COLOR` turns it off.

use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::sync::{Arc, Mutex};
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

/// `--color`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Color {
    /// On a terminal, unless `NO_COLOR` is set.
    Auto,
    Always,
    Never,
}

impl Color {
    /// Whether stderr gets colour codes.
    pub fn enabled(self) -> bool {
        match self {
            Color::Always => true,
            Color::Never => false,
            Color::Auto => {
                std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && std::io::stderr().is_terminal()
            }
        }
    }
}

/// The spinner shown while a command runs quietly on a terminal; hidden otherwise.
#[derive(Clone, Default)]
pub struct Spinner(Arc<Mutex<Option<ProgressBar>>>);

impl Spinner {
    /// Starts the spinner with `message` (only on a terminal).
    pub fn start(&self, message: &str) {
        if !std::io::stderr().is_terminal() {
            return;
        }
        let bar = ProgressBar::new_spinner()
            .with_style(
                ProgressStyle::with_template("{spinner} [{elapsed_precise}] {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            )
            .with_message(message.to_string());
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        *self.lock() = Some(bar);
    }

    /// Clears the spinner before the command prints its result.
    pub fn finish(&self) {
        if let Some(bar) = self.lock().take() {
            bar.finish_and_clear();
        }
    }

    fn set(&self, message: String) {
        if let Some(bar) = self.lock().as_ref() {
            bar.set_message(message);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<ProgressBar>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Shows each info event (its message and fields) as the spinner's text.
struct StageLayer(Spinner);

impl<S: Subscriber> Layer<S> for StageLayer {
    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        if *event.metadata().level() > Level::INFO {
            return;
        }
        let mut text = Text::default();
        event.record(&mut text);
        self.0.set(text.0);
    }
}

/// An event rendered as `message key=value …`.
#[derive(Default)]
struct Text(String);

impl Visit for Text {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        use std::fmt::Write;
        let sep = if self.0.is_empty() { "" } else { " " };
        if field.name() == "message" {
            let _ = write!(self.0, "{sep}{value:?}");
        } else {
            let _ = write!(self.0, "{sep}{}={value:?}", field.name());
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        use std::fmt::Write;
        let sep = if self.0.is_empty() { "" } else { " " };
        let _ = write!(self.0, "{sep}{}={value}", field.name());
    }
}

/// Log times: seconds since start, to the millisecond; with `-vv` also the memory the
/// process holds (resident set, Linux).
struct Elapsed(std::time::Instant, bool);

impl tracing_subscriber::fmt::time::FormatTime for Elapsed {
    fn format_time(&self, w: &mut tracing_subscriber::fmt::format::Writer<'_>) -> std::fmt::Result {
        write!(w, "{:>9.3}s", self.0.elapsed().as_secs_f64())?;
        if let Some(mib) = self.1.then(resident_mib).flatten() {
            write!(w, " {mib:>6} MiB")?;
        }
        Ok(())
    }
}

/// The resident memory of this process (MiB), where /proc tells it.
fn resident_mib() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096 / (1 << 20))
}

/// Installs the log output for `verbose` (0 warnings, 1 stages, 2+ detail; `RUST_LOG`
/// overrides) and returns the spinner that quiet terminal runs show.
pub fn init(verbose: u8, color: Color) -> Spinner {
    let level = match verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(level));
    let log = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(color.enabled())
        .with_timer(Elapsed(std::time::Instant::now(), verbose > 1))
        .with_target(verbose > 1)
        .with_filter(filter);
    let spinner = Spinner::default();
    let stages = (verbose == 0).then(|| {
        StageLayer(spinner.clone()).with_filter(tracing_subscriber::filter::LevelFilter::INFO)
    });
    let _ = tracing_subscriber::registry()
        .with(log)
        .with(stages)
        .try_init();
    spinner
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_and_always_override_the_terminal() {
        assert!(!Color::Never.enabled());
        assert!(Color::Always.enabled());
    }
}
