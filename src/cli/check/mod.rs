//! `anyio-lint check`: resolve the run's options once ([`run`]), then run its mode on standard
//! input ([`stdin`]) or on the files found ([`modes`]): check, fix, diff, add `noqa` directives,
//! or write a baseline. Every mode reads and checks the files through [`files`].
//! `--show-settings` prints the settings of one path instead, and `--show-files` the files found
//! ([`show`]).

mod files;
mod modes;
mod run;
mod show;
mod stdin;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::config::discover;
use crate::config::resolve::{Overrides, Resolver};
use crate::fix::write::Output;

use super::{CheckArgs, Failure, flag, parse_versions, paths_or_current, warn_skipped};
use run::{Mode, RunWide};

/// The resolver of this run's settings: configuration discovery with the command line on top.
fn resolver(args: &CheckArgs) -> Result<Arc<Resolver>, Failure> {
    // Rule codes are upper-case; selectors are taken in any case, as Ruff takes them.
    let upper =
        |list: &[String]| -> Vec<String> { list.iter().map(|s| s.to_ascii_uppercase()).collect() };
    let overrides = Overrides {
        select: upper(&args.select),
        extend_select: upper(&args.extend_select),
        ignore: upper(&args.ignore),
        fixable: upper(&args.fixable),
        extend_fixable: upper(&args.extend_fixable),
        unfixable: upper(&args.unfixable),
        exclude: args.exclude.clone(),
        extend_exclude: args.extend_exclude.clone(),
        versions: parse_versions(&args.versions)?,
        force_exclude: flag(args.force_exclude, args.no_force_exclude),
        rulepacks: args.packs.rulepacks.clone(),
        builtin_packs: !args.packs.no_builtin_packs,
    };
    Ok(Arc::new(Resolver::new(
        overrides,
        args.configuration.discovery(),
    )))
}

/// Whether `path` names standard input (`-`).
fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// Whether the run checks standard input: `-` is its path, or `--stdin-filename` is given and no
/// path is (as Ruff reads it).
fn reads_stdin(args: &CheckArgs) -> bool {
    args.paths.iter().any(|p| is_stdin(p))
        || (args.paths.is_empty() && args.stdin_filename.is_some())
}

/// Run `check`: the run-wide options are resolved for the run's root (`--stdin-filename`, else
/// the first path, else the current directory), then its mode runs; returns the exit code.
pub(super) fn run_check(args: CheckArgs) -> Result<u8, Failure> {
    if args.paths.len() > 1 && args.paths.iter().any(|p| is_stdin(p)) {
        return Err(Failure::Message(
            "`-` (standard input) cannot be checked together with other paths: check them in separate runs".to_owned(),
        ));
    }
    if let Some(name) = &args.stdin_filename
        && !args.paths.is_empty()
        && !args.paths.iter().any(|p| is_stdin(p))
    {
        return Err(Failure::Message(format!(
            "`--stdin-filename {}` names standard input, which is read with `-` (or when no path is given), and paths were given: pass `-` to check standard input under that name, or drop `--stdin-filename` to check the paths",
            name.display()
        )));
    }
    if args.show_settings && args.paths.len() > 1 {
        return Err(Failure::Message(
            "`--show-settings` shows the settings of one file or directory: name one path"
                .to_owned(),
        ));
    }
    let resolver = resolver(&args)?;
    let root = args
        .stdin_filename
        .clone()
        .or_else(|| args.paths.iter().find(|p| !is_stdin(p)).cloned())
        .unwrap_or_else(|| PathBuf::from("."));
    let (governing, keys) = resolver.for_root(&root)?;
    warn_unknown_distributions(&args.versions, &governing.rules().packs);
    let run = RunWide::resolve(&args, keys, &governing)?;
    let output = run.output_file.as_deref().map(Output::new).transpose()?;
    if args.show_settings {
        let text = show::show_settings(&root, &governing, &run);
        if let Some(output) = &output {
            let inputs = args.configuration.config.iter().chain(&governing.config);
            refuse_named_output(output, inputs.map(PathBuf::as_path))?;
        }
        write_out(output.as_ref(), text.as_bytes())?;
        return Ok(0);
    }
    if reads_stdin(&args) {
        if args.show_files {
            return Err(Failure::Message(
                "`--show-files` lists the files a walk of paths finds; `-` (standard input) is no file: name files or directories".to_owned(),
            ));
        }
        if args.write_baseline.is_some() {
            return Err(Failure::Message(
                "`--write-baseline` records the findings of files, and standard input is no file: name the files or directories to record (`anyio-lint check --write-baseline FILE [PATHS]`)".to_owned(),
            ));
        }
        return stdin::check_stdin(
            &run,
            args.stdin_filename.as_deref(),
            &governing,
            output.as_ref(),
        );
    }
    let named: Vec<&Path> = args
        .configuration
        .config
        .iter()
        .chain(&args.packs.rulepacks)
        .map(PathBuf::as_path)
        .collect();
    let paths = paths_or_current(&args.paths);
    let found = || -> Result<discover::Found, Failure> {
        let found = discover::discover(&paths, &resolver)?;
        warn_skipped(&found);
        Ok(found)
    };
    if args.show_files {
        let found = found()?;
        if let Some(output) = &output {
            let files = found.files.iter().map(|(path, _)| path.as_path());
            let configs = found.files.iter().filter_map(|(_, s)| s.config.as_deref());
            refuse_named_output(output, named.iter().copied().chain(files).chain(configs))?;
        }
        write_out(output.as_ref(), show::show_files(&found).as_bytes())?;
        for (path, message) in &found.errors {
            eprintln!("error: cannot walk {}: {message}", path.display());
        }
        return Ok(if found.errors.is_empty() { 0 } else { 2 });
    }
    match &run.mode {
        Mode::Check | Mode::Fix => modes::check_or_fix(&run, &found()?, &named, output.as_ref()),
        Mode::Diff => modes::diff(&run, &found()?, &named, output.as_ref()),
        Mode::AddNoqa => modes::add_noqa(&run, &found()?),
        Mode::WriteBaseline(file) => {
            let output = Output::new(file)?;
            modes::write_baseline(&run, &found()?, &named, &output)
        }
    }
}

/// Write `text` to `output` (`-o FILE`), or to standard output without one.
fn write_out(output: Option<&Output>, text: &[u8]) -> Result<(), Failure> {
    match output {
        Some(output) => output.write(text).map_err(|e| {
            Failure::Message(format!("cannot write {}: {e}", output.path().display()))
        }),
        None => {
            let _ = std::io::stdout().lock().write_all(text);
            Ok(())
        }
    }
}

/// An output must not be one of the `inputs` the run reads (checked before anything is written).
fn refuse_named_output<'a>(
    output: &Output,
    inputs: impl IntoIterator<Item = &'a Path>,
) -> Result<(), Failure> {
    match inputs.into_iter().find(|input| output.is_file_at(input)) {
        Some(input) => Err(Failure::Message(format!(
            "the output file {} is a file this run reads ({}); nothing was written: name another output file",
            output.path().display(),
            super::display_path(input)
        ))),
        None => Ok(()),
    }
}

/// Say on standard error which `--version-of DIST=VERSION` names a distribution no loaded pack
/// declares or tests (a typo, most likely: the version would change nothing), naming those they
/// do.
fn warn_unknown_distributions(items: &[String], packs: &[crate::pack::Pack]) {
    if items.is_empty() {
        return;
    }
    let known: std::collections::BTreeSet<String> =
        packs.iter().flat_map(|pack| pack.distributions()).collect();
    for item in items {
        let Some((name, _)) = item.split_once('=') else {
            continue;
        };
        let name = name.trim();
        if known.contains(name) {
            continue;
        }
        let listed: Vec<String> = known.iter().map(|n| format!("`{n}`")).collect();
        let known = match listed.is_empty() {
            true => "the loaded packs test no distribution".to_owned(),
            false => format!("the loaded packs know {}", listed.join(", ")),
        };
        eprintln!(
            "warning: `--version-of {item}`: no loaded pack declares or tests the distribution `{name}`, so it changes nothing; {known}"
        );
    }
}
