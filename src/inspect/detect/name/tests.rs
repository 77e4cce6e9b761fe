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
    let doc = Document::new(&text, &tok);
    for (s, d) in tok.tokenize_with_details(doc.text()) {
        eprintln!("{s}\t{}", d.join(","));
    }
    eprintln!("{:?}", names(&text));
}

#[test]
#[ignore]
fn dbg_one() {
    let tok = Tokenizer::new(&[]).unwrap();
    let text = std::env::var("NAME_DUMP").unwrap_or_default();
    let doc = Document::new(&text, &tok);
    let d = NameDetector::new();
    let t = doc.text();
    for h in HONORIFICS {
        if let Some(p) = t.find(h) {
            eprintln!("{h} {:?}", d.before_anchor(&doc, p..p + h.len(), true));
        }
    }
}
