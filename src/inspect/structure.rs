//! The structure of a prompt: table rows and columns, and `label: value` lines.
//!
//! Staff paste system exports (CSV, TSV), spreadsheet rows and Markdown tables, and
//! forms with `氏名：…` labels. A value's column header or label is strong evidence of
//! what it is, stronger than anything inside the cell. This module finds such cells and
//! tells which kind of value their header or label announces, from the header list in
//! `dictionaries/structure/column-headers.txt`; the detectors decide what to make of it
//! (the name detector uses it today; addresses and phones may use the same cells).
//!
//! Nothing here logs or keeps the text it looks at.

use std::ops::Range;
use std::sync::OnceLock;

use rustc_hash::FxHashMap;

const HEADERS: &str = include_str!("../../dictionaries/structure/column-headers.txt");

/// The kind of value a column header or a label announces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldKind {
    /// A person's name (氏名, 名前, Name).
    Name,
    /// The kana reading of a person's name (カナ, フリガナ, よみ).
    Reading,
}

/// Where a cell's kind came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Evidence {
    /// The header of its column in a table (CSV, TSV, Markdown).
    ColumnHeader,
    /// A label before it on the same line (`氏名：`, `【よみ】`).
    Label,
}

/// A value under a known column header or after a known label.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Field {
    /// Byte range of the value (trimmed of spaces and quotes) in the scanned text.
    pub range: Range<usize>,
    /// What the header or label announces.
    pub kind: FieldKind,
    /// Whether a column header or a label announced it.
    pub evidence: Evidence,
}

fn headers() -> &'static FxHashMap<String, FieldKind> {
    static MAP: OnceLock<FxHashMap<String, FieldKind>> = OnceLock::new();
    MAP.get_or_init(|| {
        let mut map = FxHashMap::default();
        for line in HEADERS.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let Some((kind, header)) = line.split_once('\t') else {
                continue;
            };
            let kind = match kind {
                "name" => FieldKind::Name,
                "reading" => FieldKind::Reading,
                _ => continue,
            };
            map.insert(header.trim().to_lowercase(), kind);
        }
        map
    })
}

/// The kind a header or label announces, if it is a listed one.
pub fn header_kind(header: &str) -> Option<FieldKind> {
    let h = header
        .trim_matches(|c: char| c.is_whitespace() || "【】[]「」\"'*:：|".contains(c))
        .to_lowercase();
    if h.is_empty() || h.chars().count() > 12 {
        return None;
    }
    headers().get(&h).copied()
}

/// Splits `line` (starting at byte `base`) into cells by `sep`, ranges trimmed of
/// spaces and double quotes. Quoted cells may hold the separator.
fn cells(line: &str, base: usize, sep: char) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut quoted = false;
    for (i, c) in line.char_indices() {
        if c == '"' {
            quoted = !quoted;
        } else if c == sep && !quoted {
            out.push(start..i);
            start = i + c.len_utf8();
        }
    }
    out.push(start..line.len());
    out.into_iter()
        .map(|r| {
            let cell = &line[r.clone()];
            let lead = cell.len() - cell.trim_start_matches(is_pad).len();
            let trail = cell.len() - cell.trim_end_matches(is_pad).len();
            let s = r.start + lead;
            let e = (r.end - trail).max(s);
            base + s..base + e
        })
        .collect()
}

fn is_pad(c: char) -> bool {
    c.is_whitespace() || c == '"'
}

/// The separator of a table line: tab, comma or `|`, if the line has at least one.
fn separator(line: &str) -> Option<char> {
    ['\t', '|', ','].into_iter().find(|&s| line.contains(s))
}

/// Whether a Markdown line is a header rule (`|---|:--:|`).
fn is_rule(line: &str) -> bool {
    let t = line.trim();
    !t.is_empty() && t.chars().all(|c| "|-:+ 　".contains(c)) && t.contains('-')
}

/// Every cell under a listed column header and every value after a listed label in `text`.
///
/// A table is a run of consecutive lines with the same separator (tab, `|`, comma);
/// its first line is the header row when one of its cells is a listed header; in a
/// later row, a listed header in the first cell labels the second (a key-value table). A label
/// is a listed header at the start of a line followed by `:`, `：`, a space, or closed by
/// `】`, with the value running to the end of the line.
pub fn fields(text: &str) -> Vec<Field> {
    let mut out = Vec::new();
    let mut lines: Vec<(usize, &str)> = Vec::new();
    let mut at = 0;
    for l in text.split('\n') {
        lines.push((at, l.strip_suffix('\r').unwrap_or(l)));
        at += l.len() + 1;
    }
    let mut i = 0;
    while i < lines.len() {
        let (base, line) = lines[i];
        if let Some(sep) = separator(line) {
            let head = cells(line, base, sep);
            let kinds: Vec<Option<FieldKind>> =
                head.iter().map(|r| header_kind(&text[r.clone()])).collect();
            // A header row starts its table: a listed word in a later row is a
            // key-value row (`| 申請者 | … |` under `| 項目 | 内容 |`), not a header.
            let starts_table = i == 0 || separator(lines[i - 1].1) != Some(sep);
            if !starts_table {
                // Markdown rows open with `|`: the key is the first non-empty cell.
                let k = head.iter().position(|r| r.start < r.end).unwrap_or(0);
                if let (Some(Some(kind)), Some(value)) = (kinds.get(k), head.get(k + 1)) {
                    if value.start < value.end {
                        out.push(Field {
                            range: value.clone(),
                            kind: *kind,
                            evidence: Evidence::Label,
                        });
                    }
                }
                i += 1;
                continue;
            }
            if kinds.iter().any(Option::is_some) {
                let mut j = i + 1;
                // Bounded by the line count: every iteration moves one line on.
                while j < lines.len() {
                    let (b, l) = lines[j];
                    if sep == '|' && is_rule(l) {
                        j += 1;
                        continue;
                    }
                    if separator(l) != Some(sep) {
                        break;
                    }
                    for (col, r) in cells(l, b, sep).into_iter().enumerate() {
                        if let Some(Some(kind)) = kinds.get(col) {
                            if r.start < r.end {
                                out.push(Field {
                                    range: r,
                                    kind: *kind,
                                    evidence: Evidence::ColumnHeader,
                                });
                            }
                        }
                    }
                    j += 1;
                }
                i = j;
                continue;
            }
        }
        if let Some(f) = labelled(line, base) {
            out.push(f);
        }
        i += 1;
    }
    out
}

/// A `label: value` line whose label is a listed header.
fn labelled(line: &str, base: usize) -> Option<Field> {
    let t = line.trim_start_matches(|c: char| c.is_whitespace() || c == '・' || c == '-');
    let lead = line.len() - t.len();
    let (label_end, value_start) = if let Some(rest) = t.strip_prefix('【') {
        let close = rest.find('】')?;
        (close + '【'.len_utf8(), close + 2 * '【'.len_utf8())
    } else {
        let p = t.find([':', '：', ' ', '　', '\t'])?;
        let c = t[p..].chars().next()?;
        (p, p + c.len_utf8())
    };
    let kind = header_kind(&t[..label_end])?;
    let v = &t[value_start..];
    let v = v.trim_start_matches(|c: char| c.is_whitespace() || c == ':' || c == '：');
    let v_start = t.len() - v.len();
    let v = v.trim_end();
    if v.is_empty() {
        return None;
    }
    let s = base + lead + v_start;
    Some(Field {
        range: s..s + v.len(),
        kind,
        evidence: Evidence::Label,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<(&str, FieldKind, Evidence)> {
        fields(text)
            .into_iter()
            .map(|f| (&text[f.range], f.kind, f.evidence))
            .collect()
    }

    #[test]
    fn csv_columns() {
        let t = "No,宛名,カナ氏名,TEL\n1,森川 奈央,モリカワ ナオ,090-0000-0000\n2,\"岸 航\",ｷｼ ﾜﾀﾙ,03\n\n以上";
        assert_eq!(
            found(t),
            vec![
                ("森川 奈央", FieldKind::Name, Evidence::ColumnHeader),
                ("モリカワ ナオ", FieldKind::Reading, Evidence::ColumnHeader),
                ("岸 航", FieldKind::Name, Evidence::ColumnHeader),
                ("ｷｼ ﾜﾀﾙ", FieldKind::Reading, Evidence::ColumnHeader),
            ]
        );
    }

    #[test]
    fn markdown_and_tsv() {
        let t = "| 担当 | 件数 |\n|---|---|\n| 菊地 | 3 |\nname\tkana\n柚木 蒼\tユノキ アオイ";
        assert_eq!(
            found(t),
            vec![
                ("菊地", FieldKind::Name, Evidence::ColumnHeader),
                ("柚木 蒼", FieldKind::Name, Evidence::ColumnHeader),
                ("ユノキ アオイ", FieldKind::Reading, Evidence::ColumnHeader),
            ]
        );
    }

    #[test]
    fn labels() {
        let t = "申請者　柚木 蒼\nよみ　ﾕﾉｷ ｱｵｲ\n【ふりがな】ゆのき あおい\nName: Aoi Yunoki\n住所：どこか";
        assert_eq!(
            found(t),
            vec![
                ("柚木 蒼", FieldKind::Name, Evidence::Label),
                ("ﾕﾉｷ ｱｵｲ", FieldKind::Reading, Evidence::Label),
                ("ゆのき あおい", FieldKind::Reading, Evidence::Label),
                ("Aoi Yunoki", FieldKind::Name, Evidence::Label),
            ]
        );
    }

    #[test]
    fn key_value_table_rows_label_their_value() {
        // Invented values. The header row is 項目/内容: the first column holds keys.
        let text = "| 項目 | 内容 |\n|---|---|\n| 申請者 | 森川 奈央 |\n| 住所 | 架空市本町1-2-3 |\n| 電話 | 000-0000-0000 |";
        let f = fields(text);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(&text[f[0].range.clone()], "森川 奈央");
        assert_eq!(f[0].evidence, Evidence::Label);
        // A header word in a later row of a CSV is no header either.
        let csv = "番号,区分\n1,申請者\n2,住所";
        assert!(fields(csv).iter().all(|f| &csv[f.range.clone()] != "住所"));
    }

    #[test]
    fn no_header_no_field() {
        assert!(found("a,b,c\n1,2,3\n名前をつけて保存").is_empty());
        assert!(found("品名,数量\nりんご,3").is_empty());
    }
}
