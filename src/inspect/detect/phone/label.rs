//! Labels written right before a number, and the kind of number they announce.
//!
//! Japanese is head-final: the noun that says what a number is comes right before
//! it (`電話番号：…`, `受付番号は…`, `会員番号 …`). The listed labels say which kind;
//! any other noun compound ending in `番号` names *some* kind of number
//! ([`compound_label_before`]) — used as reference context for My Numbers, not to
//! drop phones (`相談専用番号` is a phone) — while `番号` alone or after `の`
//! (`連絡先の番号`) says nothing.

/// What the label written right before a number says it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Label {
    /// 電話, TEL, 携帯, FAX, 連絡先 …
    Phone,
    /// マイナンバー, 個人番号.
    MyNumber,
    /// Another kind of number: 受付番号, 口座番号, 郵便番号, 会員番号 …
    Other,
}

/// Labels for kinds of number, longest first where one ends another (被保険者番号
/// before 保険者番号). Matched against the (normalized) text right before a number.
const LABELS: &[(&str, Label)] = &[
    ("電話番号", Label::Phone),
    ("携帯番号", Label::Phone),
    ("FAX番号", Label::Phone),
    ("連絡先番号", Label::Phone),
    ("代表番号", Label::Phone),
    ("内線番号", Label::Phone),
    ("外線番号", Label::Phone),
    ("ダイヤルイン番号", Label::Phone),
    ("ダイヤルイン", Label::Phone),
    ("発信者番号", Label::Phone),
    ("着信番号", Label::Phone),
    ("折り返し番号", Label::Phone),
    ("折返し番号", Label::Phone),
    ("自宅番号", Label::Phone),
    ("勤務先番号", Label::Phone),
    ("国番号", Label::Phone),
    ("市外局番", Label::Phone),
    ("局番", Label::Phone),
    ("国コード", Label::Phone),
    ("fax", Label::Phone),
    ("直通番号", Label::Phone),
    ("TEL番号", Label::Phone),
    ("Tel番号", Label::Phone),
    ("ファックス番号", Label::Phone),
    ("ファクス番号", Label::Phone),
    ("ダイヤル番号", Label::Phone),
    ("フリーダイヤル", Label::Phone),
    ("フリーダイアル", Label::Phone),
    ("フリーコール", Label::Phone),
    ("ナビダイヤル", Label::Phone),
    ("代表", Label::Phone),
    ("直通", Label::Phone),
    ("電話", Label::Phone),
    ("携帯", Label::Phone),
    ("連絡先", Label::Phone),
    ("TEL", Label::Phone),
    ("Tel", Label::Phone),
    ("tel", Label::Phone),
    ("FAX", Label::Phone),
    ("Fax", Label::Phone),
    ("ファックス", Label::Phone),
    ("ファクス", Label::Phone),
    ("☎", Label::Phone),
    ("個人番号", Label::MyNumber),
    ("マイナンバー", Label::MyNumber),
    ("マイナンバー番号", Label::MyNumber),
    ("受付番号", Label::Other),
    ("整理番号", Label::Other),
    ("口座番号", Label::Other),
    ("管理番号", Label::Other),
    ("申請番号", Label::Other),
    ("登録番号", Label::Other),
    ("会員番号", Label::Other),
    ("顧客番号", Label::Other),
    ("契約番号", Label::Other),
    ("注文番号", Label::Other),
    ("請求書番号", Label::Other),
    ("請求番号", Label::Other),
    ("伝票番号", Label::Other),
    ("証券番号", Label::Other),
    ("証書番号", Label::Other),
    ("被保険者番号", Label::Other),
    ("保険者番号", Label::Other),
    ("受給者番号", Label::Other),
    ("記号番号", Label::Other),
    ("法人番号", Label::Other),
    ("宛名番号", Label::Other),
    ("世帯番号", Label::Other),
    ("文書番号", Label::Other),
    ("識別番号", Label::Other),
    ("取引番号", Label::Other),
    ("予約番号", Label::Other),
    ("問合せ番号", Label::Other),
    ("問い合わせ番号", Label::Other),
    ("郵便番号", Label::Other),
    ("〒", Label::Other),
    ("口座", Label::Other),
    ("品番", Label::Other),
    ("型番", Label::Other),
    ("金額", Label::Other),
    ("ID", Label::Other),
    ("No", Label::Other),
    ("NO", Label::Other),
    ("番号札", Label::Other),
    ("お客様番号", Label::Other),
    ("申込番号", Label::Other),
    ("申込み番号", Label::Other),
    ("受注番号", Label::Other),
    ("発注番号", Label::Other),
    ("送り状番号", Label::Other),
    ("追跡番号", Label::Other),
    ("問合番号", Label::Other),
    ("お問合せ番号", Label::Other),
    ("受理番号", Label::Other),
    ("交付番号", Label::Other),
    ("診察券番号", Label::Other),
    ("患者番号", Label::Other),
    ("社員番号", Label::Other),
    ("職員番号", Label::Other),
    ("学籍番号", Label::Other),
    ("受験番号", Label::Other),
    ("免許証番号", Label::Other),
    ("保険証番号", Label::Other),
    ("カード番号", Label::Other),
    ("製造番号", Label::Other),
    ("シリアル番号", Label::Other),
    ("商品番号", Label::Other),
    ("部品番号", Label::Other),
    ("案件番号", Label::Other),
    ("チケット番号", Label::Other),
    ("許可番号", Label::Other),
    ("認定番号", Label::Other),
    ("ISBN", Label::Other),
    ("ISSN", Label::Other),
    ("JAN", Label::Other),
    ("コード", Label::Other),
    ("Order", Label::Other),
    ("order", Label::Other),
    ("Ref", Label::Other),
    ("#", Label::Other),
];

/// Characters allowed between a label and its number (`受付番号は`, `TEL：`, `【個人番号】`).
fn is_label_filler(c: char) -> bool {
    matches!(
        c,
        ' ' | ':'
            | '：'
            | '\u{3000}'
            | '='
            | 'は'
            | 'が'
            | '】'
            | ']'
            | '」'
            | '('
            | '['
            | '【'
            | '「'
            | '、'
            | '.'
    )
}

/// Most characters of a parenthesized note between a label and its number.
const PAREN_NOTE_CHARS: usize = 8;

/// `head` without up to three filler characters at its end.
fn skip_fillers(mut head: &str) -> &str {
    for _ in 0..3 {
        match head.chars().next_back() {
            Some(c) if is_label_filler(c) => head = &head[..head.len() - c.len_utf8()],
            _ => break,
        }
    }
    head
}

/// The label written right before byte `start` of the normalized text, if any.
///
/// At most three filler characters (spaces, colons, は, brackets) may separate the
/// label from the number, and a short note in parentheses (`申込番号（Web）：`).
pub(crate) fn label_before(text: &str, start: usize) -> Option<Label> {
    let mut head = skip_fillers(&text[..start]);
    // A short note in parentheses between label and number: `申込番号（Web）…`.
    if let Some(inner) = head.strip_suffix(')') {
        if let Some(open) = inner.rfind('(') {
            if inner[open + 1..].chars().count() <= PAREN_NOTE_CHARS
                && !inner[open + 1..].contains(|c: char| c.is_ascii_digit())
            {
                head = skip_fillers(&inner[..open]);
            }
        }
    }
    label_ending(head)
}

/// The kind of number a listed label announces when `head` ends with it. Also reads a
/// column header (`顧客番号`, `電話`).
pub(crate) fn label_ending(head: &str) -> Option<Label> {
    LABELS
        .iter()
        .find(|(label, _)| head.ends_with(label))
        .map(|&(_, kind)| kind)
}

/// Whether the text right before byte `start` ends with a "…番号" noun compound that
/// is not listed (申込番号, 診察券番号): some named kind of number. The stem must end
/// in a kanji, katakana or Latin letter — a noun; after hiragana the phrase is a
/// clause (`連絡のつく番号`, `可能な番号`) describing the number, not naming its kind.
///
/// The phone detector does not use this (many unlisted compounds name phones:
/// `相談専用番号`, `夜間番号`); the My Number detector does, as reference context.
pub(crate) fn compound_label_before(text: &str, start: usize) -> bool {
    let head = skip_fillers(&text[..start]);
    let Some(stem) = head.strip_suffix("番号") else {
        return false;
    };
    stem.chars().next_back().is_some_and(|c| {
        c.is_ascii_alphabetic()
            || ('\u{30A1}'..='\u{30FA}').contains(&c)
            || ('\u{4E00}'..='\u{9FFF}').contains(&c)
            || ('\u{3400}'..='\u{4DBF}').contains(&c)
    })
}
