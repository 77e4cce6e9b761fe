//! A line diff of two configuration texts (longest common subsequence), for the
//! 設定履歴 page and for approving a restore. Configuration files are small; texts of
//! more than [`MAX_LINES`] lines are compared as "changed" without detail.

/// Longest text compared line by line.
pub const MAX_LINES: usize = 3000;

/// One line of a diff.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Line<'a> {
    /// In both.
    Same(&'a str),
    /// Only in the old text.
    Removed(&'a str),
    /// Only in the new text.
    Added(&'a str),
}

/// The diff from `old` to `new`; None when either is longer than [`MAX_LINES`].
pub fn diff<'a>(old: &'a str, new: &'a str) -> Option<Vec<Line<'a>>> {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    if a.len() > MAX_LINES || b.len() > MAX_LINES {
        return None;
    }
    // lcs[i][j]: length of the LCS of a[i..] and b[j..].
    let w = b.len() + 1;
    let mut lcs = vec![0u16; (a.len() + 1) * w];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i * w + j] = if a[i] == b[j] {
                lcs[(i + 1) * w + j + 1] + 1
            } else {
                lcs[(i + 1) * w + j].max(lcs[i * w + j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::with_capacity(a.len().max(b.len()));
    while i < a.len() && j < b.len() {
        if a[i] == b[j] {
            out.push(Line::Same(a[i]));
            i += 1;
            j += 1;
        } else if lcs[(i + 1) * w + j] >= lcs[i * w + j + 1] {
            out.push(Line::Removed(a[i]));
            i += 1;
        } else {
            out.push(Line::Added(b[j]));
            j += 1;
        }
    }
    out.extend(a[i..].iter().map(|l| Line::Removed(l)));
    out.extend(b[j..].iter().map(|l| Line::Added(l)));
    Some(out)
}

/// The diff as HTML: changed lines with two lines of context, `-`/`+` marked.
pub fn to_html(old: &str, new: &str) -> String {
    let Some(lines) = diff(old, new) else {
        return "<p class=\"muted\">(too long to compare line by line)</p>".into();
    };
    let changed: Vec<bool> = lines.iter().map(|l| !matches!(l, Line::Same(_))).collect();
    if !changed.iter().any(|c| *c) {
        return "<p class=\"muted\">(no difference / 差分なし)</p>".into();
    }
    let near = |i: usize| {
        let lo = i.saturating_sub(2);
        let hi = (i + 3).min(changed.len());
        changed[lo..hi].iter().any(|c| *c)
    };
    let mut out = String::from("<pre class=\"diff\">");
    let mut skipped = false;
    for (i, l) in lines.iter().enumerate() {
        if !near(i) {
            if !skipped {
                out.push_str("<span class=\"muted\">…</span>\n");
                skipped = true;
            }
            continue;
        }
        skipped = false;
        let (cls, sign, text) = match l {
            Line::Same(t) => ("same", ' ', t),
            Line::Removed(t) => ("del", '-', t),
            Line::Added(t) => ("add", '+', t),
        };
        out.push_str(&format!(
            "<span class=\"{cls}\">{sign} {}</span>\n",
            super::html::esc(text)
        ));
    }
    out.push_str("</pre>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_added_and_removed() {
        let d = diff("a\nb\nc\n", "a\nc\nd\n").unwrap();
        assert_eq!(
            d,
            vec![
                Line::Same("a"),
                Line::Removed("b"),
                Line::Same("c"),
                Line::Added("d")
            ]
        );
        let h = to_html("x = 1\n", "x = 2\n");
        assert!(h.contains("- x = 1") && h.contains("+ x = 2"), "{h}");
        assert!(to_html("same\n", "same\n").contains("no difference"));
    }
}
