//! The column header of a number that fills a table cell (CSV, TSV, Markdown).
//!
//! In a system export the header says what every cell of its column is: under
//! `顧客番号` a ten-digit number is a customer number, not a phone; under `電話` it is
//! a phone; under `受付番号` a 12-digit number is a receipt number. This module finds the
//! header cell of the column a number sits in, and what kind of number it announces
//! (read like a label, see [`super::label::label_ending`]).
//!
//! A table is a run of consecutive lines with the same number of delimiters (`,`,
//! a tab or `|`); its first line is the header, Markdown rule lines (`|---|`) are
//! skipped. Only a number that is a whole cell (spaces and quotes aside) has a column.

use super::label::{label_ending, Label};

/// Most lines walked up from a cell to its header (bounds the work per number; with
/// [`ColumnMemo`] every row of a table is walked once per scan).
const MAX_ROWS_UP: usize = 200;
/// Most characters a header cell has to be read as a label.
const MAX_HEADER_CHARS: usize = 16;

/// The last table a scan found a header for, so that the numbers of one table (read
/// in text order) do not walk the same rows up again: a large CSV export costs one
/// walk over its rows, not one per number.
#[derive(Debug, Default)]
pub(crate) struct ColumnMemo {
    table: Option<Table>,
}

/// A run of rows with the same number of delimiters, up to `rows_end`.
#[derive(Clone, Copy, Debug)]
struct Table {
    delimiter: char,
    count: usize,
    /// Byte where the header row starts.
    header_start: usize,
    /// Byte where the lowest row walked so far ends.
    rows_end: usize,
}

/// What the column header above the cell at `range` of the normalized `text`
/// announces, when the number fills a table cell under a header that is a label.
pub(crate) fn column_label(
    text: &str,
    range: std::ops::Range<usize>,
    memo: &mut ColumnMemo,
) -> Option<Label> {
    let line_start = text[..range.start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[range.end..]
        .find('\n')
        .map_or(text.len(), |i| range.end + i);
    let line = text[line_start..line_end].trim_end_matches('\r');
    let before = text[line_start..range.start].trim_end_matches([' ', '"', '\'']);
    let after = text[range.end..line_start + line.len()].trim_start_matches([' ', '"', '\'']);
    let delimiter = [',', '\t', '|'].into_iter().find(|&d| {
        (before.is_empty() || before.ends_with(d))
            && (after.is_empty() || after.starts_with(d))
            && line.contains(d)
    })?;
    let count = line.matches(delimiter).count();
    let column = before.matches(delimiter).count();
    // Walk up to the first line of the table, or to the rows already walked.
    let known = memo
        .table
        .filter(|t| t.delimiter == delimiter && t.count == count && t.header_start < line_start);
    let mut header = None;
    let mut row_start = line_start;
    for _ in 0..MAX_ROWS_UP {
        if let Some(t) = known {
            if row_start <= t.rows_end + 1 {
                header = Some(t.header_start);
                break;
            }
        }
        let Some(prev) = text[..row_start].strip_suffix('\n') else {
            break;
        };
        let start = prev.rfind('\n').map_or(0, |i| i + 1);
        let row = prev[start..].trim_end_matches('\r');
        if row.matches(delimiter).count() != count {
            break;
        }
        if !is_rule_line(row) {
            header = Some(start);
        }
        row_start = start;
    }
    let header_start = header?;
    memo.table = Some(Table {
        delimiter,
        count,
        header_start,
        rows_end: line_end,
    });
    let header_end = text[header_start..]
        .find('\n')
        .map_or(text.len(), |i| header_start + i);
    let cell = text[header_start..header_end]
        .split(delimiter)
        .nth(column)?;
    let cell = cell.trim_matches(|c: char| c.is_whitespace() || "\"'*:：【】[]".contains(c));
    if cell.is_empty() || cell.chars().count() > MAX_HEADER_CHARS {
        return None;
    }
    label_ending(cell)
}

/// Whether `row` is a Markdown rule line (`|---|:--:|`).
fn is_rule_line(row: &str) -> bool {
    row.contains('-') && row.chars().all(|c| matches!(c, '|' | '-' | ':' | ' '))
}
