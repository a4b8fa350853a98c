//! The `anyio-lint` binary: a thin wrapper around [`anyio_lint::cli`], with its allocator.
use clap::Parser;

/// mimalloc: a check allocates and frees every node of every tree it parses, which glibc's
/// allocator does in a sixth of the run's instructions (docs/benchmarks.md has the measurement).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_arena_eager_commit` of the bundled mimalloc's `mi_option_e` (`mimalloc.h`; the
/// version of `libmimalloc-sys` is pinned for this number).
#[cfg(target_os = "linux")]
const ARENA_EAGER_COMMIT: libmimalloc_sys::mi_option_t = 4;

/// Runs before `main` and before the first allocation (an entry of `.init_array`, as the C
/// runtime calls them): mimalloc reads its options when it first reserves memory. Committing
/// arenas only as they are used keeps the peak resident memory of a check at what it touches
/// (43 MiB instead of 84 on the benchmark corpus).
#[cfg(target_os = "linux")]
#[used]
#[unsafe(link_section = ".init_array")]
static CONFIGURE_ALLOCATOR: extern "C" fn() = configure_allocator;

#[cfg(target_os = "linux")]
extern "C" fn configure_allocator() {
    // SAFETY: setting an option's default takes no lock and allocates nothing. A default, so
    // that `MIMALLOC_ARENA_EAGER_COMMIT` in the environment still decides.
    unsafe { libmimalloc_sys::mi_option_set_default(ARENA_EAGER_COMMIT, 0) };
}

fn main() -> std::process::ExitCode {
    let cli = anyio_lint::cli::Cli::parse();
    // Deeply nested files are walked recursively: give worker threads room.
    let _ = rayon::ThreadPoolBuilder::new()
        .stack_size(64 << 20)
        .build_global();
    let code = stacker::maybe_grow(1 << 20, 64 << 20, || anyio_lint::cli::run(cli));
    std::process::ExitCode::from(code)
}
