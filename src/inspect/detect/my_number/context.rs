//! What the words around a 12-digit number say it is: a My Number, another kind of
//! number, or nothing at all.
//!
//! # The rule and its linguistic reason
//!
//! Any 12 digits pass the My Number check digit with a chance of about 1 in 11, so
//! receipt, tracking, slip and order numbers of 12 digits pass it often. The check
//! digit alone cannot tell them apart; the words can. Japanese is head-final: the
//! noun that says what a number *is* comes before it, as the head of its label
//! (`受付番号：…`, `送り状番号は…`, `伝票番号 …`), or follows it in a parenthesis
//! (`…（受付番号）`). A writer who pastes a My Number names it (`個人番号`, `マイナンバー`,
//! `個人番号カード`); a writer who pastes a receipt number names that instead, and an
//! example (`例：…`) is marked as such. So:
//!
//! 0. in a table, the header of the column the number fills decides first: `個人番号`
//!    ⇒ **My Number**, `受付番号` or another `…番号` ⇒ **another kind of number**
//!    (a system export's header is what every cell under it is, whatever other
//!    columns hold);
//! 1. a My Number keyword shortly before or after the number ⇒ **My Number**
//!    (even next to a reference label: `マイナンバーカードの受付番号 …` is blocked —
//!    when both kinds are spoken of, blocking beats guessing);
//! 2. otherwise, a reference-number label or cue in the same sentence before the number
//!    (`受付番号`, `送り状番号`, `伝票番号`, `問い合わせ番号`, `注文番号`, `口座番号`,
//!    any other `…番号` compound that is not a phone or My Number label, `例：`), or a
//!    parenthesized label right after it ⇒ **another kind of number**, not reported;
//! 3. otherwise (no context at all) ⇒ **My Number**: a bare valid 12-digit number stays
//!    found. The detector fails closed.
//!
//! The word lists are data here, each word in one place.

use crate::inspect::detect::phone::{
    column_label, compound_label_before, label_before, ColumnMemo, Label,
};

/// Characters before a number searched for a My Number keyword.
const KEYWORD_CHARS_BEFORE: usize = 24;
/// Characters after a number searched for a My Number keyword.
const KEYWORD_CHARS_AFTER: usize = 12;
/// Characters before a number (within its sentence) searched for a reference cue.
const REFERENCE_CHARS_BEFORE: usize = 30;
/// Characters after a number searched for a parenthesized reference label.
const REFERENCE_CHARS_AFTER: usize = 12;

/// Words that say a number is an individual number (normalized text: NFKC, so
/// full-width Latin is ASCII).
const KEYWORDS: &[&str] = &[
    "マイナンバー",
    "個人番号",
    "通知カード",
    "マイナ保険証",
    "マイナポータル",
    "My Number",
    "my number",
    "MY NUMBER",
    "MyNumber",
    "mynumber",
];

/// Words that say a number is a reference of some other kind: receipts, shipments,
/// slips, orders, accounts, examples. Matched in the sentence before the number.
const REFERENCE_CUES: &[&str] = &[
    "受付番号",
    "受付No",
    "送り状",
    "伝票",
    "追跡番号",
    "お問い合わせ番号",
    "問い合わせ番号",
    "問合せ番号",
    "問合番号",
    "お問合せ番号",
    "注文番号",
    "受注番号",
    "発注番号",
    "口座番号",
    "整理番号",
    "管理番号",
    "予約番号",
    "申込番号",
    "会員番号",
    "顧客番号",
    "お客様番号",
    "契約番号",
    "請求番号",
    "取引番号",
    "荷物番号",
    "配送番号",
    "例:",
    "例)",
    "例えば",
    "記入例",
    "ISBN",
    "JAN",
    "Order",
    "order",
    "Tracking",
    "tracking",
    "Invoice",
    "invoice",
];

/// What the context of a candidate says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Context {
    /// A My Number keyword is near.
    MyNumber,
    /// A label or cue says it is another kind of number, and no keyword is near.
    Reference,
    /// Nothing is said: the number is reported (fail closed).
    Unknown,
}

/// Reads the context of the candidate at bytes `s..e` of the normalized text (`memo`
/// carries the table last read, see [`ColumnMemo`]).
pub(super) fn context(text: &str, s: usize, e: usize, memo: &mut ColumnMemo) -> Context {
    let label = label_before(text, s);
    if label == Some(Label::MyNumber) {
        return Context::MyNumber;
    }
    // In a table, the column header says what every cell under it is.
    if label.is_none() {
        match column_label(text, s..e, memo) {
            Some(Label::MyNumber) => return Context::MyNumber,
            Some(Label::Other) => return Context::Reference,
            Some(Label::Phone) | None => {}
        }
    }
    let before = tail_chars(&text[..s], KEYWORD_CHARS_BEFORE);
    let after = head_chars(&text[e..], KEYWORD_CHARS_AFTER);
    if KEYWORDS
        .iter()
        .any(|k| before.contains(k) || after.contains(k))
    {
        return Context::MyNumber;
    }
    if label == Some(Label::Other) || (label.is_none() && compound_label_before(text, s)) {
        return Context::Reference;
    }
    let sentence = current_sentence(&text[..s]);
    let sentence = tail_chars(sentence, REFERENCE_CHARS_BEFORE);
    if REFERENCE_CUES.iter().any(|c| sentence.contains(c)) {
        return Context::Reference;
    }
    let after = head_chars(&text[e..], REFERENCE_CHARS_AFTER);
    if let Some(inner) = after.strip_prefix('(') {
        let inner = inner.split(')').next().unwrap_or(inner);
        if REFERENCE_CUES.iter().any(|c| inner.contains(c)) || inner.ends_with("番号") {
            return Context::Reference;
        }
    }
    Context::Unknown
}

/// The part of `before` after the last sentence or line end (`。`, `！`, `？`, a line
/// break): a label in an earlier sentence labels another number.
fn current_sentence(before: &str) -> &str {
    match before.rfind(['。', '\n', '!', '?', '！', '？']) {
        Some(i) => {
            let c = before[i..].chars().next().map_or(1, char::len_utf8);
            &before[i + c..]
        }
        None => before,
    }
}

/// The last `n` characters of `s`.
fn tail_chars(s: &str, n: usize) -> &str {
    match s.char_indices().rev().nth(n.saturating_sub(1)) {
        Some((i, _)) if n > 0 => &s[i..],
        _ if n == 0 => "",
        _ => s,
    }
}

/// The first `n` characters of `s`.
fn head_chars(s: &str, n: usize) -> &str {
    match s.char_indices().nth(n) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}
