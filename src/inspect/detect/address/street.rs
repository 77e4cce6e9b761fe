//! The street-level part of an address, read forward from a byte position of the
//! detection view with bounded, backtracking-free scanners: town names, block and
//! house numbers (丁目/番地/番/号, 1-2-3, 7番地の1, 北4条西3丁目, 第3地割), buildings
//! and rooms, and postal codes.
//!
//! Every scanner looks at a bounded number of characters, so an address costs
//! constant time and a scan stays linear in the text.

/// Longest generic town name read after a municipality (characters).
const MAX_TOWN_CHARS: usize = 24;
/// Longest building name read after a house number (characters).
const MAX_BUILDING_CHARS: usize = 20;
/// Most numbers in one block/house/room sequence.
const MAX_NUMBERS: usize = 6;
/// Most digits in one number of an address.
const MAX_DIGITS: usize = 5;

/// The character at byte `at`, if any.
#[inline]
pub(super) fn char_at(t: &str, at: usize) -> Option<char> {
    t.get(at..)?.chars().next()
}

/// The character that ends at byte `at`, if any.
#[inline]
pub(super) fn char_before(t: &str, at: usize) -> Option<char> {
    t.get(..at)?.chars().next_back()
}

/// Kanji (CJK ideographs and the iteration/abbreviation marks used in place names).
#[inline]
pub(super) fn is_kanji(c: char) -> bool {
    matches!(c,
        '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{2FA1F}' | '々' | '〆' | '〇')
}

/// Katakana, including ー, ・ and the small ヶ/ヵ.
#[inline]
pub(super) fn is_katakana(c: char) -> bool {
    matches!(c, '\u{30A1}'..='\u{30FA}' | '\u{30FC}'..='\u{30FF}' | '・')
}

/// Characters a town or building name is made of when no gazetteer entry vouches
/// for it: kanji, katakana and Latin letters. Hiragana, digits, spaces and
/// punctuation end it (a particle such as の, は, で ends a place name in prose).
#[inline]
fn is_name_char(c: char) -> bool {
    is_kanji(c) || is_katakana(c) || c.is_ascii_alphabetic()
}

/// Reads a generic name of at most `max` characters from `at`; returns its end.
fn scan_name(t: &str, at: usize, max: usize) -> usize {
    let mut end = at;
    for (n, c) in t[at..].chars().enumerate() {
        if n >= max || !is_name_char(c) {
            break;
        }
        end += c.len_utf8();
    }
    end
}

/// Skips at most one ASCII space (the detection view turns U+3000 into a space).
#[inline]
fn skip_space(t: &str, at: usize) -> usize {
    if t.as_bytes().get(at) == Some(&b' ') {
        at + 1
    } else {
        at
    }
}

/// Reads 1..=[`MAX_DIGITS`] ASCII digits at `at`; returns the end, or `None` when
/// there is no digit or the run is longer (a phone or account number).
fn digits(t: &str, at: usize) -> Option<usize> {
    let b = t.as_bytes();
    let mut end = at;
    while end < b.len() && b[end].is_ascii_digit() {
        end += 1;
        if end - at > MAX_DIGITS {
            return None;
        }
    }
    (end > at).then_some(end)
}

/// Whether `t[at..]` starts with `s`.
#[inline]
fn has(t: &str, at: usize, s: &str) -> bool {
    t.as_bytes()
        .get(at..)
        .is_some_and(|r| r.starts_with(s.as_bytes()))
}

/// What follows a number in an address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Unit {
    /// 丁目.
    Chome,
    /// 番地 (also 番地の).
    Banchi,
    /// 番.
    Ban,
    /// 号.
    Go,
    /// A `-` followed by another number.
    Dash,
    /// 条 or 線 (Hokkaido grid addresses), possibly followed by 東西南北/通.
    Jo,
    /// 地割 (Iwate).
    Chiwari,
    /// 号室 right after a number (1-2-3-101号室).
    Room,
    /// Nothing: a bare number.
    Bare,
}

/// The block and house numbers of an address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Street {
    /// End byte of the last number or unit.
    pub end: usize,
    /// Whether the numbers are street-level on their own (番地, 1-2, 3丁目4, 5番6号);
    /// a lone `3丁目` or a bare number is not.
    pub strong: bool,
    /// Whether the sequence is one bare number (`山田123`).
    pub bare: bool,
    /// How many numbers the sequence has (`1-7-3`: three).
    pub numbers: usize,
    /// Whether a unit word joins the numbers (丁目, 番地, 番, 号, 条, 地割), not
    /// only dashes.
    pub worded: bool,
}

/// Characters that, right after a number, make it a count, a date, an amount or a
/// reference rather than a house number.
#[inline]
fn is_counter(c: char) -> bool {
    matches!(
        c,
        '年' | '月'
            | '日'
            | '時'
            | '分'
            | '秒'
            | '円'
            | '%'
            | '人'
            | '件'
            | '回'
            | '歳'
            | '才'
            | '個'
            | '名'
            | '台'
            | '枚'
            | '万'
            | '億'
            | '兆'
            | '倍'
            | '割'
            | '度'
            | '代'
            | '期'
            | '週'
            | '頁'
            | '項'
            | '章'
            | '節'
            | '版'
            | '部'
            | '階'
            | '位'
            | '点'
            | '歩'
            | '本'
            | '冊'
            | '匹'
            | '頭'
            | '杯'
            | '軒'
            | '戸'
            | '世'
            | '床'
            | '区'
            | '市'
            | '町'
            | '村'
            | '校'
            | '条'
            | '款'
            | '目'
            | '次'
            | '種'
            | '類'
            | '系'
            | '型'
            | 'm'
            | 'k'
            | 'g'
            | '.'
            | ','
            | '/'
            | ':'
            | '~'
            | '〜'
            | '+'
    )
}

/// Whether `c`, the character at byte `at` right after a number, makes it a
/// quantity ([`is_counter`]); a `.` does only before a digit (`3.5`) and a `,`
/// only before a group of three digits (`1,234`), so an address ending a CSV cell
/// or a sentence (`1-2-3,090-…`, `1-2-3.`) is one.
#[inline]
fn is_counter_at(t: &str, at: usize, c: char) -> bool {
    let b = t.as_bytes();
    match c {
        '.' => b.get(at + 1).is_some_and(u8::is_ascii_digit),
        ',' => {
            let group = b[at + 1..]
                .iter()
                .take_while(|d| d.is_ascii_digit())
                .count();
            group == 3 && b.get(at + 4) != Some(&b'-')
        }
        c => is_counter(c),
    }
}

/// Reads block/house numbers at `at`: `3丁目7番1号`, `3-7-1`, `3丁目7-1`, `7番地の1`,
/// `20番地11`, `北4条西3丁目`, `第3地割`, or a bare number. Returns `None` when
/// there is no number or what follows shows it is not an address (a date, an
/// amount, an article number, a phone number).
pub(super) fn parse_street(t: &str, at: usize) -> Option<Street> {
    let mut pos = at;
    let mut count = 0usize;
    let mut units: [Option<Unit>; MAX_NUMBERS] = [None; MAX_NUMBERS];
    let mut end;
    let ordinal = char_before(t, at) == Some('第');
    loop {
        let num_end = match digits(t, pos) {
            Some(e) => e,
            // 番地の一: a kanji number after a joining の.
            None if count > 0 && char_before(t, pos) == Some('の') => kanji_number(t, pos)?,
            None => return None,
        };
        // House numbers have no leading zero; 045-671-2121 is a phone number.
        if t.as_bytes()[pos] == b'0' && num_end - pos > 1 {
            return None;
        }
        if count == MAX_NUMBERS {
            return None;
        }
        let (unit, unit_end, next) = read_unit(t, num_end);
        units[count] = Some(unit);
        count += 1;
        end = unit_end;
        match next {
            Some(n) => pos = n,
            None => break,
        }
    }
    let units = &units[..count];
    let last = units[count - 1].unwrap_or(Unit::Bare);
    // What follows the sequence must not turn it into a quantity or another number.
    match char_at(t, end) {
        Some(c) if last == Unit::Bare && c.is_ascii_digit() => return None,
        Some('-') if last == Unit::Bare => return None,
        Some(c) if last == Unit::Bare && is_counter_at(t, end, c) => return None,
        Some(c) if last == Unit::Bare && matches!(c, '号' | '番' | '丁') => return None,
        _ => {}
    }
    let has = |u: Unit| units.contains(&Some(u));
    let strong = has(Unit::Banchi)
        || has(Unit::Dash)
        || (count >= 2
            && (has(Unit::Chome)
                || has(Unit::Ban)
                || has(Unit::Go)
                || has(Unit::Jo)
                || has(Unit::Chiwari)));
    // 第3条, 第12-3号: an article or an ordinal, unless a 番地 or 地割 says
    // otherwise (第3地割12番地, 共栄第一39番地 where 一3 became 13).
    let ordinal_ok = has(Unit::Banchi) || has(Unit::Chiwari);
    if (ordinal && !ordinal_ok) || looks_like_date(t, at, units) {
        return None;
    }
    Some(Street {
        end,
        strong,
        bare: count == 1 && last == Unit::Bare,
        numbers: count,
        worded: [
            Unit::Chome,
            Unit::Banchi,
            Unit::Ban,
            Unit::Go,
            Unit::Jo,
            Unit::Chiwari,
        ]
        .into_iter()
        .any(has),
    })
}

/// A dash sequence that starts with a year (2024-03-31) is a date.
fn looks_like_date(t: &str, at: usize, units: &[Option<Unit>]) -> bool {
    units.first() == Some(&Some(Unit::Dash))
        && t.get(at..at + 5).is_some_and(|s| {
            let b = s.as_bytes();
            (s.starts_with("19") || s.starts_with("20"))
                && b[2].is_ascii_digit()
                && b[3].is_ascii_digit()
                && b[4] == b'-'
        })
}

/// Reads the unit after a number ending at `at`. Returns the unit, the end of the
/// address text it covers, and where the next number starts if the sequence goes on.
fn read_unit(t: &str, at: usize) -> (Unit, usize, Option<usize>) {
    // The next number after a unit, directly or after one space: 3丁目7番, 3丁目 7-1.
    let next_number = |p: usize| -> Option<usize> {
        let q = skip_space(t, p);
        char_at(t, q).filter(char::is_ascii_digit).map(|_| q)
    };
    // A joined number: 7番地の1, 7番地-1, 5号の2 (の between two digits is already a
    // dash in the detection view; after a unit it stays の).
    let joined = |p: usize| -> Option<usize> {
        let q = if has(t, p, "の") {
            p + "の".len()
        } else if has(t, p, "-") {
            p + 1
        } else {
            return None;
        };
        char_at(t, q)
            .is_some_and(|c| c.is_ascii_digit() || kanji_digit(c))
            .then_some(q)
    };
    if has(t, at, "丁目") {
        let e = at + "丁目".len();
        return (Unit::Chome, e, next_number(e));
    }
    // 堺市 中百舌鳥町5丁713: 丁 without 目, a house number right after it.
    if has(t, at, "丁") && char_at(t, at + "丁".len()).is_some_and(|c| c.is_ascii_digit()) {
        let e = at + "丁".len();
        return (Unit::Chome, e, Some(e));
    }
    if has(t, at, "番地") {
        let e = at + "番地".len();
        return (Unit::Banchi, e, joined(e).or_else(|| next_number(e)));
    }
    if has(t, at, "番") && !has(t, at, "番目") && !has(t, at, "番号") && !has(t, at, "番線")
    {
        let e = at + "番".len();
        return (Unit::Ban, e, joined(e).or_else(|| next_number(e)));
    }
    if has(t, at, "号室") {
        // 1-2-3-101号室: the room closes the sequence.
        return (Unit::Room, at + "号室".len(), None);
    }
    if has(t, at, "号") && !has(t, at, "号棟") && !has(t, at, "号館") {
        let e = at + "号".len();
        return (Unit::Go, e, joined(e));
    }
    if has(t, at, "地割") {
        let e = at + "地割".len();
        // The block after 地割 comes after a space or directly: 第3地割12番地.
        return (Unit::Chiwari, e, next_number(e));
    }
    if has(t, at, "条") || has(t, at, "線") {
        let mut e = at + "条".len();
        // 北4条西3丁目, 17線27番地, 4条通2丁目: a direction or 通 may follow.
        if let Some(c) = char_at(t, e) {
            if matches!(c, '東' | '西' | '南' | '北' | '通') {
                e += c.len_utf8();
            }
        }
        return (Unit::Jo, e, next_number(e));
    }
    if has(t, at, "-") && char_at(t, at + 1).is_some_and(|c| c.is_ascii_digit()) {
        return (Unit::Dash, at, Some(at + 1));
    }
    (Unit::Bare, at, None)
}

/// A kanji digit the detection view left as it is (番地の一: not between digits).
#[inline]
fn kanji_digit(c: char) -> bool {
    matches!(
        c,
        '〇' | '一' | '二' | '三' | '四' | '五' | '六' | '七' | '八' | '九' | '十' | '百'
    )
}

/// Reads a run of 1..=4 kanji digits at `at`; returns its end.
pub(super) fn kanji_number(t: &str, at: usize) -> Option<usize> {
    let mut end = at;
    for (n, c) in t[at..].chars().enumerate() {
        if !kanji_digit(c) {
            break;
        }
        if n == 4 {
            return None;
        }
        end += c.len_utf8();
    }
    (end > at).then_some(end)
}

/// Words that mark a building name.
const BUILDING_WORDS: &[&str] = &[
    "マンション",
    "ハイツ",
    "コーポ",
    "アパート",
    "レジデンス",
    "ハイム",
    "メゾン",
    "コート",
    "パレス",
    "ヒルズ",
    "ハウス",
    "ビル",
    "タワー",
    "プラザ",
    "ヴィラ",
    "ビラ",
    "カーサ",
    "テラス",
    "フラット",
    "ガーデン",
    "パーク",
    "シャトー",
    "ドミール",
    "レジデンシャル",
    "ホームズ",
    "グランド",
    "ステージ",
    "スクエア",
    "荘",
    "棟",
    "寮",
    "館",
    "住宅",
    "団地",
    "社宅",
    "宿舎",
    "公舎",
];

/// Reads a building and room after the house number ending at `at`:
/// `マンション101号室`, ` ハイツ朝日 203`, `荘188`, ` 101号室`, `A棟203号室`, and after a
/// building word a block before the room: `ハイツ2-305`, `マンションA-1203`; or a
/// building and its floor: `森ビル5階`, ` 天神ビル 2F`. Returns the end of the room
/// number (its 号室/号/室 included) or of the floor, or `None`.
///
/// A building name is only taken with a room or floor number after it (the span of
/// an address ends at its last number), and only when it contains a building word
/// or the number says 号室/室; a floor needs the building word before it.
pub(super) fn parse_building(t: &str, at: usize) -> Option<usize> {
    let name_start = skip_space(t, at);
    let (name_end, floor_end) = scan_building_name(t, name_start);
    let name = &t[name_start..name_end];
    let building_word = BUILDING_WORDS.iter().any(|w| name.contains(w));
    parse_room(t, at, name_start, name_end, building_word).or_else(|| {
        floor_end.filter(|&f| BUILDING_WORDS.iter().any(|w| t[name_start..f].contains(w)))
    })
}

/// Reads the room number after a building name (`t[name_start..name_end]`, maybe
/// empty) that followed the house number ending at `at`.
fn parse_room(
    t: &str,
    at: usize,
    name_start: usize,
    name_end: usize,
    building_word: bool,
) -> Option<usize> {
    let name = &t[name_start..name_end];
    let mut room_start = skip_space(t, name_end);
    // マンションA-1203: a block letter ending the name, a dash, the room.
    let mut block = false;
    if building_word
        && room_start == name_end
        && name.ends_with(|c: char| c.is_ascii_alphabetic())
        && has(t, room_start, "-")
    {
        room_start += 1;
        block = true;
    }
    let mut room_digits = digits(t, room_start)?;
    // ハイツ2-305: a block number of one or two digits, a dash, the room.
    if building_word
        && !block
        && room_digits - room_start <= 2
        && has(t, room_digits, "-")
        && char_at(t, room_digits + 1).is_some_and(|c| c.is_ascii_digit())
    {
        room_start = room_digits + 1;
        room_digits = digits(t, room_start)?;
    }
    if room_digits - room_start > 4 {
        return None;
    }
    let (end, room_word) = if has(t, room_digits, "号室") {
        (room_digits + "号室".len(), true)
    } else if has(t, room_digits, "室") {
        (room_digits + "室".len(), true)
    } else if has(t, room_digits, "号") {
        (room_digits + "号".len(), false)
    } else {
        (room_digits, false)
    };
    match char_at(t, end) {
        // 090-…, 2F, 3.5: a phone number, a floor or a figure, not a room.
        Some(c) if c.is_ascii_alphanumeric() || c == '-' => return None,
        Some(c) if !room_word && end == room_digits && is_counter_at(t, end, c) => return None,
        Some(c @ ('.' | ',')) if room_word && is_counter_at(t, end, c) => return None,
        _ => {}
    }
    let accept = if building_word {
        true
    } else if room_word {
        // "サンハイム101号室", or a bare room after a space: "1-2-3 101号室".
        !name.is_empty() || room_start > at
    } else {
        false
    };
    accept.then_some(end)
}

/// Most space-separated parts of a building name (`ハイツ長町 B棟`).
const MAX_BUILDING_PARTS: usize = 3;

/// Whether `c`, right after digits inside a building name, continues the name:
/// katakana or Latin (`第3ビル`, `2F`), or a block or floor word (`南11条`, `3階`,
/// `2号棟`, `5番館`). Other kanji end it: `ハイツ224在住` is a room, then prose.
#[inline]
fn continues_building_name(c: char) -> bool {
    is_katakana(c)
        || c.is_ascii_alphabetic()
        || matches!(c, '条' | '階' | '棟' | '館' | '番' | '号')
}

/// Reads the name characters of a building from `at` (at most `max` characters);
/// returns their end. Hiragana end a name in prose, but a building name may hold
/// them (`ひび野マンション`, `さくら荘`): read with hiragana, a run that contains a
/// building word is taken up to its last building word and the name characters
/// after it (`ひび野マンションA`), so a particle after the building still ends it.
fn building_name_run(t: &str, at: usize, max: usize) -> usize {
    let narrow = scan_name(t, at, max);
    let mut wide = at;
    for (n, c) in t[at..].chars().enumerate() {
        if n >= max || !(is_name_char(c) || is_hiragana(c)) {
            break;
        }
        wide += c.len_utf8();
    }
    if wide == narrow {
        return narrow;
    }
    let run = &t[at..wide];
    let last_word_end = BUILDING_WORDS
        .iter()
        .filter_map(|w| run.rfind(w).map(|i| i + w.len()))
        .max();
    match last_word_end {
        Some(e) if at + e > narrow => {
            let used = t[at..at + e].chars().count();
            scan_name(t, at + e, max.saturating_sub(used))
        }
        _ => narrow,
    }
}

/// Hiragana (ぁ..ゖ, ゝ ゞ).
#[inline]
fn is_hiragana(c: char) -> bool {
    matches!(c, '\u{3041}'..='\u{3096}' | '\u{309D}'..='\u{309E}')
}

/// Reads a building name at `at`; returns its end (`at` when there is none).
///
/// Name characters as for a town, plus digits inside the name (`グランメール南11条`,
/// `第2コーポ`: a digit run followed by another name character) and up to
/// [`MAX_BUILDING_PARTS`] parts separated by one space (`ハイツ長町 B棟`,
/// `若葉台団地 2号棟`; only a later part may open with digits), all within
/// [`MAX_BUILDING_CHARS`]. The room number after it is what [`parse_building`] reads.
/// Also returns the end of the last floor inside the name (`5階`, `2F`), if any.
fn scan_building_name(t: &str, at: usize) -> (usize, Option<usize>) {
    let mut end = at;
    let mut floor = None;
    let mut chars = 0usize;
    let mut parts = 0usize;
    let mut p = at;
    while parts < MAX_BUILDING_PARTS && chars < MAX_BUILDING_CHARS {
        // One part: name characters and inner digit runs.
        let part_start = p;
        loop {
            let name_end = building_name_run(t, p, MAX_BUILDING_CHARS.saturating_sub(chars));
            chars += t[p..name_end].chars().count();
            p = name_end;
            let digits_end = t[p..].bytes().take_while(u8::is_ascii_digit).count() + p;
            // A room (号室, 室, 号) ends the name; 2号棟, 3号館, 3階 are part of it.
            let room_after = has(t, digits_end, "室")
                || (has(t, digits_end, "号")
                    && !has(t, digits_end, "号棟")
                    && !has(t, digits_end, "号館"));
            // Digits inside a part, or opening a later part (`団地 2号棟 305`).
            let inner = (p > part_start || parts > 0)
                && digits_end > p
                && char_at(t, digits_end).is_some_and(continues_building_name)
                && !room_after;
            if !inner || chars >= MAX_BUILDING_CHARS {
                break;
            }
            if let Some(f) = floor_after(t, digits_end) {
                floor = Some(f);
            }
            chars += digits_end - p;
            p = digits_end;
        }
        if p == part_start {
            break;
        }
        end = p;
        parts += 1;
        // Another part after one space (its first character is checked above).
        if t.as_bytes().get(p) == Some(&b' ') {
            p += 1;
        } else {
            break;
        }
    }
    (end, floor)
}

/// The end of a floor word right after a floor number ending at `at`: `階`, or an
/// `F` that no Latin letter or digit continues (`2F`, not `2FL`).
fn floor_after(t: &str, at: usize) -> Option<usize> {
    if has(t, at, "階") {
        return Some(at + "階".len());
    }
    let f = t.as_bytes().get(at)?;
    let after = t.as_bytes().get(at + 1);
    (matches!(f, b'F' | b'f') && !after.is_some_and(u8::is_ascii_alphanumeric)).then_some(at + 1)
}

/// Reads a generic town name (大字/字 included) at `at`; returns its end.
///
/// Kyoto street directions are part of it: 寺町通御池上る上本能寺前町 (上る, 下る,
/// 西入る, 東入る with the hiragana る; the katakana ル is a name character anyway).
pub(super) fn scan_town(t: &str, at: usize) -> usize {
    let mut end = scan_name(t, at, MAX_TOWN_CHARS);
    let mut chars = t[at..end].chars().count();
    while chars < MAX_TOWN_CHARS
        && has(t, end, "る")
        && matches!(char_before(t, end), Some('上' | '下' | '入'))
        && t[at..end].contains('通')
    {
        let next = scan_name(t, end + "る".len(), MAX_TOWN_CHARS - chars - 1);
        chars += 1 + t[end + "る".len()..next].chars().count();
        end = next;
    }
    end
}

/// Whether a town name is a Kyoto street address (`…通…上る…町`, `…通…西入…`):
/// the directions make it an address on its own, so a bare house number after it
/// counts like one after a known town.
pub(super) fn is_kyoto_street(name: &str) -> bool {
    name.contains('通')
        && [
            "上る", "下る", "入る", "上ル", "下ル", "入ル", "西入", "東入",
        ]
        .iter()
        .any(|w| name.contains(w))
}

/// Words that show a name read after a municipality is a document or a service,
/// not a town: 横浜市条例12-3, 札幌市電話案内.
const NOT_TOWN_WORDS: &[&str] = &[
    "条例",
    "規則",
    "要綱",
    "議案",
    "計画",
    "予算",
    "年度",
    "事業",
    "番号",
    "電話",
    "内線",
    "資料",
    "別紙",
    "別表",
    "様式",
    "統計",
    "調査",
    "会議",
    "委員会",
    "TEL",
    "FAX",
    "Tel",
    "Fax",
];

/// Whether a town name that no gazetteer entry vouches for reads as something else.
pub(super) fn is_not_town(name: &str) -> bool {
    NOT_TOWN_WORDS.iter().any(|w| name.contains(w))
}

/// Reads a postal code `NNN-NNNN` or `NNNNNNN` at `at` (digits not continuing on
/// either side); returns its end.
pub(super) fn postal_code(t: &str, at: usize) -> Option<usize> {
    let b = t.as_bytes();
    if char_before(t, at).is_some_and(|c| c.is_ascii_digit() || c == '-') {
        return None;
    }
    let d3 = b.get(at..at + 3)?;
    if !d3.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut p = at + 3;
    if b.get(p) == Some(&b'-') {
        p += 1;
    }
    let d4 = b.get(p..p + 4)?;
    if !d4.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let end = p + 4;
    match b.get(end) {
        Some(c) if c.is_ascii_digit() || *c == b'-' => None,
        _ => Some(end),
    }
}
