//! Pass `name.signature`: a name alone on a line of a mail signature block.
//!
//! Mail and memo signatures put the sender's name on a line of its own, after a rule
//! line (`--`, `――――`) or `以上`, often under or beside the section, and above the
//! postcode, phone and e-mail lines. The block is the evidence: such a line holding
//! only a listed surname (with or without a given name) is the sender.

use super::local::{is_office_word, Lines};
use super::{chars, ends_with_office, is_kanji, is_space, Candidate, NameDetector};

/// Lines after a rule line or `以上` that still count as the signature block.
const BLOCK_LINES: usize = 4;

impl NameDetector {
    /// Rule `name.signature`: a line holding only a name (a listed surname, possibly
    /// with a given name, possibly after an office) within [`BLOCK_LINES`] lines after
    /// a rule line or `以上`, or right before a line with a postcode, phone or e-mail.
    /// A one-kanji surname needs a given name; a surname that is also a common word or
    /// place (岡山, 小川) needs a given name, an office before it or a contact line after.
    pub(super) fn signature_names(&self, text: &str, lines: &Lines, found: &mut Vec<Candidate>) {
        let rs = lines.ranges();
        let mut block_left = 0usize;
        for (k, r) in rs.iter().enumerate() {
            let l = text[r.clone()].trim_matches(is_space);
            if is_rule_line(l) || l == "以上" || l == "以上です" {
                block_left = BLOCK_LINES;
                continue;
            }
            let contact_next = rs
                .get(k + 1)
                .is_some_and(|n| is_contact_line(text[n.clone()].trim_matches(is_space)));
            let in_block = block_left > 0;
            block_left = block_left.saturating_sub(1);
            if l.is_empty() || !(in_block || contact_next) {
                continue;
            }
            let lead = text[r.clone()].len() - text[r.clone()].trim_start_matches(is_space).len();
            let mut at = r.start + lead;
            // An office before the name on the same line (税務課 松井).
            let mut office_before = false;
            if let Some(sp) = l.find(is_space) {
                let first = &l[..sp];
                if chars(first) >= 2 && ends_with_office(first) {
                    at += sp;
                    at += text[at..].len() - text[at..].trim_start_matches(is_space).len();
                    office_before = true;
                }
            }
            if !text[at..].chars().next().is_some_and(is_kanji) {
                continue;
            }
            let Some((end, given)) = self.listed_name_at(text, at) else {
                continue;
            };
            if !text[end..r.end].trim_matches(is_space).is_empty() {
                continue;
            }
            let word = &text[at..end];
            let weak = !given
                && (chars(word) == 1
                    || (self.lex.is_common_word(word) && !office_before && !contact_next));
            if weak || self.lex.is_not_name(word) || is_office_word(word) {
                continue;
            }
            found.push(Candidate {
                range: at..end,
                detector: "name.signature",
                confidence: 0.7,
                reason: "name alone on a line of a signature block",
            });
        }
    }
}

/// A rule line of a mail signature (`--`, `――――`, `━━━`, `＝＝＝`).
fn is_rule_line(l: &str) -> bool {
    chars(l) >= 2 && l.chars().all(|c| "-―ー─━=＝_＿*＊~〜".contains(c))
}

/// A line with a postcode, phone, extension or e-mail (the contact lines of a signature).
fn is_contact_line(l: &str) -> bool {
    const PREFIXES: &[&str] = &[
        "TEL",
        "Tel",
        "tel",
        "電話",
        "内線",
        "FAX",
        "Fax",
        "E-mail",
        "Email",
        "mail",
        "メール",
    ];
    l.starts_with(['〒', '☎', '✉'])
        || PREFIXES.iter().any(|p| l.starts_with(p))
        || (l.contains('@') && l.is_ascii())
}
