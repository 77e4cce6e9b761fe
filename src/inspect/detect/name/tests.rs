//! Table-driven tests of the name detector.

use super::*;
use crate::inspect::{Document, Tokenizer};

fn names(text: &str) -> Vec<String> {
    let tok = Tokenizer::new(&[]).unwrap();
    let doc = Document::new(text, &tok);
    let mut out = Vec::new();
    NameDetector::new().detect(&doc, &mut out);
    out.iter()
        .map(|f| doc.text()[f.range.clone()].to_string())
        .collect()
}

/// Prints tokens of `NAME_DUMP` (development aid).
#[test]
#[ignore]
fn dump_tokens() {
    let tok = Tokenizer::new(&[]).unwrap();
    let text = std::env::var("NAME_DUMP").unwrap_or_default();
    for (s, d) in tok.tokenize_with_details(&text) {
        eprintln!("{s}\t{}", d.join(","));
    }
    eprintln!("{:?}", names(&text));
}
