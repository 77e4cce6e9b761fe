//! Pass `name.row`: a surname (with or without a given name) alone in a table cell of a
//! row that also holds a phone number, a date or an address.
//!
//! Staff paste spreadsheet rows and system exports without their header row
//! (`東部,工藤,090-1234-5678`, `| 菅原 | 1980/04/01 |`). Such a row describes a person:
//! a cell that is exactly a listed surname there is the person's name. Surnames that are
//! also common words or places (千葉, 小川) need a given name in the cell, and a
//! one-kanji cell (金, 林) is never taken alone, so weekday marks and prefectures in
//! neighbouring columns are no names.

use std::ops::Range;

use super::{chars, is_kanji, Candidate, NameDetector};

/// The cells of a table line, trimmed of spaces and double quotes, if it has a
/// separator (tab, `|`, comma) and at least three cells.
fn row_cells(text: &str, line: Range<usize>) -> Option<Vec<Range<usize>>> {
    let l = &text[line.clone()];
    let sep = ['\t', '|', ','].into_iter().find(|&s| l.contains(s))?;
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in l.char_indices().chain(std::iter::once((l.len(), sep))) {
        if c != sep {
            continue;
        }
        let cell = &l[start..i];
        let lead = cell.len() - cell.trim_start_matches(is_pad).len();
        let t = cell.trim_matches(is_pad);
        if !t.is_empty() {
            let s = line.start + start + lead;
            out.push(s..s + t.len());
        }
        start = i + c.len_utf8();
    }
    (out.len() >= 3).then_some(out)
}

fn is_pad(c: char) -> bool {
    c.is_whitespace() || c == '"'
}

/// Whether a cell holds personal data of the kind that makes the row a person's: a
/// phone number, a date (of birth), a postcode or an address.
fn personal_cell(v: &str) -> bool {
    let digits = v.chars().filter(char::is_ascii_digit).count();
    let phone = (10..=13).contains(&digits)
        && (v.starts_with('0') || v.starts_with('+'))
        && v.chars().all(|c| c.is_ascii_digit() || "-() +".contains(c));
    let date = (6..=10).contains(&digits)
        && v.chars()
            .all(|c| c.is_ascii_digit() || "/.-年月日SHRTM".contains(c))
        && v.chars().any(|c| "/.年".contains(c) || "SHRTM".contains(c));
    let postcode = v.starts_with('〒') || (v.len() == 8 && v.as_bytes()[3] == b'-' && digits == 7);
    let address = digits >= 1
        && v.chars().any(|c| "都道府県市区町村郡丁番".contains(c))
        && v.chars().any(is_kanji);
    phone || date || postcode || address
}

impl NameDetector {
    /// Rule `name.row`: see the module documentation.
    pub(super) fn row_names(&self, text: &str, lines: &[Range<usize>], found: &mut Vec<Candidate>) {
        for line in lines {
            let Some(cells) = row_cells(text, line.clone()) else {
                continue;
            };
            if !cells.iter().any(|c| personal_cell(&text[c.clone()])) {
                continue;
            }
            for c in &cells {
                let v = &text[c.clone()];
                if !v.chars().next().is_some_and(is_kanji) || chars(v) > 9 {
                    continue;
                }
                let Some((end, given)) = self.listed_name_at(text, c.start) else {
                    continue;
                };
                if end != c.end {
                    continue;
                }
                if !given && (self.lex.is_common_word(v) || self.lex.is_not_name(v)) {
                    continue;
                }
                found.push(Candidate {
                    range: c.clone(),
                    detector: "name.row",
                    confidence: 0.7,
                    reason: "surname alone in a cell of a row with personal data",
                });
            }
        }
    }
}
