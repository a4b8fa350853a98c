//! Embeds every rule pack in `rulepacks/` into the binary as a built-in pack, and every library
//! model in `rulepacks/libraries/` as a built-in model.
use std::{env, fs, path::Path};

/// The `.toml` files of `dir`, sorted, as a Rust array of `(file name, contents)`. A
/// `*.part.toml` file is a fragment of a pack, not a pack: it is left out.
fn embed(dir: &Path) -> String {
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<_> = fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "toml"))
                .filter(|p| !p.to_string_lossy().ends_with(".part.toml"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    let mut code = String::from("&[\n");
    for file in &files {
        println!("cargo:rerun-if-changed={}", file.display());
        let name = file.file_name().unwrap().to_string_lossy();
        code.push_str(&format!(
            "    ({name:?}, include_str!({:?})),\n",
            file.display().to_string()
        ));
    }
    code.push_str("]\n");
    code
}

fn main() {
    let root = Path::new(&env::var("CARGO_MANIFEST_DIR").unwrap()).join("rulepacks");
    let out = Path::new(&env::var("OUT_DIR").unwrap()).to_path_buf();
    fs::write(out.join("builtin_packs.rs"), embed(&root)).unwrap();
    fs::write(
        out.join("builtin_libraries.rs"),
        embed(&root.join("libraries")),
    )
    .unwrap();
}
