//! Compiles the IPADIC morphological dictionary into the binary.
//!
//! The source is Debian's `mecab-ipadic` package converted to UTF-8 by
//! `scripts/fetch-ipadic.sh` (run automatically here when the source is missing).
//! Location: `$SEKIMORI_IPADIC_SRC`, else `~/.cache/sekimori/ipadic-src`.
//! The compiled files land in `$OUT_DIR/lindera-ipadic` and are embedded with
//! `lindera_dictionary::embedded_dictionary!`, so `sekimori` needs no dictionary
//! path at run time.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=dictionaries/ipadic/metadata.json");
    println!("cargo:rerun-if-env-changed=SEKIMORI_IPADIC_SRC");

    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let src = match env::var_os("SEKIMORI_IPADIC_SRC") {
        Some(p) => PathBuf::from(p),
        None => {
            let home = env::var_os("HOME")
                .map(PathBuf::from)
                .unwrap_or_else(|| manifest.join("target"));
            home.join(".cache/sekimori/ipadic-src")
        }
    };
    println!("cargo:rerun-if-changed={}", src.join(".complete").display());

    if !src.join(".complete").is_file() {
        let status = Command::new("bash")
            .arg(manifest.join("scripts/fetch-ipadic.sh"))
            .arg(&src)
            .status();
        match status {
            Ok(s) if s.success() => {}
            _ => fail(&format!(
                "the IPADIC source is missing at {}; run `scripts/fetch-ipadic.sh` \
                 (needs apt access to Debian's mecab-ipadic) or set SEKIMORI_IPADIC_SRC",
                src.display()
            )),
        }
    }

    let out = PathBuf::from(env::var("OUT_DIR").expect("OUT_DIR"));
    let dict_dir = out.join("lindera-ipadic");
    let stamp = dict_dir.join(".built");
    if !stamp.is_file() {
        build_dictionary(&manifest, &src, &dict_dir);
        fs::write(&stamp, b"ok").expect("write stamp");
    }
    println!("cargo:rustc-env=LINDERA_WORKDIR={}", out.display());
}

fn build_dictionary(manifest: &Path, src: &Path, dict_dir: &Path) {
    let metadata_json = fs::read_to_string(manifest.join("dictionaries/ipadic/metadata.json"))
        .unwrap_or_else(|e| fail(&format!("dictionaries/ipadic/metadata.json: {e}")));
    let metadata: lindera_dictionary::dictionary::metadata::Metadata =
        serde_json::from_str(&metadata_json)
            .unwrap_or_else(|e| fail(&format!("dictionaries/ipadic/metadata.json: {e}")));
    let _ = fs::remove_dir_all(dict_dir);
    lindera_dictionary::builder::DictionaryBuilder::new(metadata)
        .build_dictionary(src, dict_dir)
        .unwrap_or_else(|e| fail(&format!("building IPADIC from {}: {e}", src.display())));
}

fn fail(msg: &str) -> ! {
    eprintln!("error: {msg}");
    std::process::exit(1);
}
