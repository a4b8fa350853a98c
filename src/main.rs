//! The `anyio-lint` binary: a thin wrapper around [`anyio_lint::cli`].
use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = anyio_lint::cli::Cli::parse();
    // Deeply nested files are walked recursively: give worker threads room.
    let _ = rayon::ThreadPoolBuilder::new()
        .stack_size(64 << 20)
        .build_global();
    let code = stacker::maybe_grow(1 << 20, 64 << 20, || anyio_lint::cli::run(cli));
    std::process::ExitCode::from(code)
}
