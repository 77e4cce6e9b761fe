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
                FieldKind::Name => {
                    c.is_alphabetic() && !"都道府県市区町村丁目番号課係室部局".contains(c)
                }
            }
    })
}

impl NameDetector {
    /// Names in table cells under a name column and after name labels.
    pub(super) fn column_names(&self, doc: &Document<'_>, found: &mut Vec<Candidate>) {
        let text = doc.text();
        for f in fields(text) {
            // Name labels are the older `after_label` pass's; this pass adds readings.
            if f.evidence == Evidence::Label && f.kind == FieldKind::Name {
                continue;
            }
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

#[cfg(test)]
mod tests {
    use super::super::NameDetector;
    use crate::inspect::detect::Detector;
    use crate::inspect::{Document, Tokenizer};

    /// (value, detector, reason) of every name found.
    fn found(text: &str) -> Vec<(String, &'static str, &'static str)> {
        let tok = Tokenizer::new(&[]).unwrap();
        let doc = Document::new(text, &tok);
        let mut out = Vec::new();
        NameDetector::new().detect(&doc, &mut out);
        out.iter()
            .map(|f| {
                (
                    doc.text()[f.range.clone()].to_string(),
                    f.detector,
                    f.reason,
                )
            })
            .collect()
    }

    #[test]
    fn reading_cells_and_labels() {
        let f = found("No,カナ氏名,件数\n1,ユノキ アオイ,3\n2,12345,4");
        assert_eq!(
            f,
            vec![(
                "ユノキ アオイ".to_string(),
                "name.column",
                "cell under a name column header"
            )]
        );
        let f = found("よみ：ゆのき あおい");
        assert_eq!(f[0].0, "ゆのき あおい");
        assert_eq!(f[0].2, "value after a name label");
    }

    #[test]
    fn not_name_shaped() {
        assert!(found("氏名,住所\n2024/01/02,旭町3丁目").is_empty());
        assert!(found("カナ,件数\n東京都,3").is_empty());
    }
}
