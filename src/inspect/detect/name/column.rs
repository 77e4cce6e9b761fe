//! Pass `name.column`: a name-shaped value under a name or reading column header, or
//! after a name or reading label (see [`crate::inspect::structure`]).
//!
//! The header is the evidence: a cell under 氏名 / カナ that is one to four words of
//! letters (kanji, kana, Latin) with no digit, `@` or place mark is a name.

use super::{Candidate, NameDetector};
use crate::inspect::structure::{fields, Evidence, FieldKind};
use crate::inspect::Document;

/// Whether a cell's value is shaped like a personal name.
fn name_shaped(v: &str, kind: FieldKind) -> bool {
    let n = v.chars().count();
    if n == 0 || n > 24 || v.split_whitespace().count() > 4 {
        return false;
    }
    v.chars().all(|c| {
        c.is_whitespace()
            || c == '・'
            || c == 'ー'
            || c == 'ｰ'
            || c == '･'
            || match kind {
                FieldKind::Reading => {
                    matches!(c, '\u{3041}'..='\u{30FF}' | '\u{FF66}'..='\u{FF9F}')
                }
                FieldKind::Name => c.is_alphabetic() && !"都道府県市区町村丁目番号".contains(c),
            }
    })
}

impl NameDetector {
    /// Names in table cells under a name column and after name labels.
    pub(super) fn column_names(&self, doc: &Document<'_>, found: &mut Vec<Candidate>) {
        let text = doc.text();
        for f in fields(text) {
            if !name_shaped(&text[f.range.clone()], f.kind) {
                continue;
            }
            found.push(Candidate {
                range: f.range,
                detector: "name.column",
                confidence: 0.85,
                reason: match f.evidence {
                    Evidence::ColumnHeader => "cell under a name column header",
                    Evidence::Label => "value after a name label",
                },
            });
        }
    }
}
