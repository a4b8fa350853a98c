//! The progress bar of long runs: drawn on stderr, only when stderr is a terminal, and only once a
//! run has taken long enough to be worth watching.
//!
//! Workers call [`Progress::tick`] (an atomic increment); a drawing thread redraws the bar a few
//! times a second and erases it when the run ends, so the findings printed afterwards are
//! unaffected.

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How long a run goes before the bar appears.
const DELAY: Duration = Duration::from_millis(300);
const REDRAW: Duration = Duration::from_millis(100);
const WIDTH: usize = 30;

/// A progress bar over `total` files (inactive when not drawn).
pub struct Progress {
    done: Arc<AtomicUsize>,
    finished: Arc<AtomicBool>,
    drawer: Option<JoinHandle<()>>,
}

impl Progress {
    /// Start a bar over `total` files if `enabled`.
    pub fn start(total: usize, enabled: bool) -> Progress {
        let done = Arc::new(AtomicUsize::new(0));
        let finished = Arc::new(AtomicBool::new(false));
        let drawer = enabled.then(|| {
            let (done, finished) = (done.clone(), finished.clone());
            std::thread::spawn(move || draw(total, &done, &finished))
        });
        Progress {
            done,
            finished,
            drawer,
        }
    }

    /// One more file done.
    pub fn tick(&self) {
        self.done.fetch_add(1, Ordering::Relaxed);
    }

    /// Stop drawing and erase the bar.
    pub fn finish(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        self.finished.store(true, Ordering::Relaxed);
        if let Some(drawer) = self.drawer.take() {
            let _ = drawer.join();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The delay before the bar appears: [`DELAY`], or `ANYIO_LINT_PROGRESS_DELAY_MS` (for tests).
fn delay() -> Duration {
    std::env::var("ANYIO_LINT_PROGRESS_DELAY_MS")
        .ok()
        .and_then(|ms| ms.parse().ok())
        .map_or(DELAY, Duration::from_millis)
}

fn draw(total: usize, done: &AtomicUsize, finished: &AtomicBool) {
    let started = Instant::now();
    let delay = delay();
    let mut drawn = false;
    loop {
        let finished_now = finished.load(Ordering::Relaxed);
        if started.elapsed() >= delay {
            let count = done.load(Ordering::Relaxed).min(total);
            let filled = (count * WIDTH).checked_div(total).unwrap_or(WIDTH);
            let line = format!(
                "\r[{}{}] {count}/{total} files",
                "=".repeat(filled),
                " ".repeat(WIDTH - filled)
            );
            let mut stderr = std::io::stderr().lock();
            let _ = stderr.write_all(line.as_bytes());
            let _ = stderr.flush();
            drawn = true;
        }
        if finished_now {
            break;
        }
        std::thread::sleep(REDRAW);
    }
    if drawn {
        let mut stderr = std::io::stderr().lock();
        let _ = write!(stderr, "\r{}\r", " ".repeat(WIDTH + 40));
        let _ = stderr.flush();
    }
}
