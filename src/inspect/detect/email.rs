//! E-mail addresses, including the spellings people use against address harvesting.
//!
//! Matched on the normalized view, where full-width forms (`ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ`)
//! are already ASCII and zero-width characters are gone. An address is a local part,
//! an @ (or a spelling of it), one or more domain labels each followed by a dot (or a
//! spelling of it) and a top-level label. Trailing punctuation (`。`, `.`, `)`, `、`) is
//! never part of the span. A match glued to more address characters on the right
//! (`a@b.c_d`) is dropped; a local part longer than the pattern allows is widened to
//! its start so the whole address is masked.
//!
//! Spellings of `@` and `.` and why each is accepted (they reach a resident's inbox
//! just the same):
//! - `taro(at)example.jp`, `taro [at] example [dot] jp`, `taro（アットマーク）…`: the
//!   bracketed word is a convention that exists only to write addresses;
//! - `taro%40example.com`, `taro&#64;example.com`, `&commat;`, `&#46;`: URL and HTML
//!   escapes of `@` and `.` copied from links and mail-to pages;
//! - `taroアットexample.com`, `taro アット example ドット co ドット jp`: アット(マーク)
//!   and ドット are the Japanese readings of the symbols; between ASCII words they
//!   are not prose (`価格はアットホーム` has no ASCII local part);
//! - `taro at example dot com`: English words, accepted only when the shape is
//!   unambiguous (see below);
//! - `taro @ example . com`: spaces put around the symbols so a naive pattern fails;
//! - `"taro.yamada"@example.com`: a quoted local part (RFC 5322);
//! - `taro@例え.jp`, `taro@xn--r8jz45g.jp`: internationalized domain names, Unicode or
//!   punycode; `taro@ехаmple.соm`: Cyrillic or Greek letters that look Latin
//!   (homoglyphs) in the domain — still an address, and one that deceives.
//!
//! Guards against prose and code (hard negatives in the tests):
//! - the top-level label must be a known one ([`KNOWN_TLDS`], compared after mapping
//!   homoglyphs to Latin) whenever the form is loose: spaces around a symbol, an
//!   English or katakana word for it, or a non-ASCII label. `at the meeting dot
//!   points` (no local part, and `points` is no top-level domain), `x @ self.proj`
//!   (Python matrix product) and `@media` / `@dataclass` (no local part) stay text;
//! - the English word `at` with literal dots (`look at example.com`, `meet at
//!   example.com`) reads as prose: the word before it is an English verb, not a
//!   mailbox. It is accepted only when the local part carries a character words do
//!   not have (digit, `.`, `_`, `+`, `-`: `k.suzuki4 at gmail.com`) or the dots are
//!   spelled out too (`taro at example dot com`), which no sentence does;
//! - the top-level label is alphabetic or punycode (`Python 3.11`, `data [at] 10.5`,
//!   `3 at 5`), and a domain has at least two labels (`a.b.c` has no @ at all).

use std::ops::Range;

use regex::{Captures, Regex};

use super::Detector;
use crate::inspect::{Category, Document, RawFinding};

/// Local part, a spelling of `@`, one to eight labels each followed by a spelling of
/// `.`, and a top-level label. The at-spellings are named groups so the detector can
/// tell how loose the form is.
const PATTERN: &str = r#"(?x)
    (?P<local>
        "[^"\\\r\n]{1,64}"
      | [A-Za-z0-9][A-Za-z0-9._%+\-]{0,63}
    )
    (?:
        (?P<at_sym> \x20{0,2} @ \x20{0,2} )
      | (?P<at_br> \x20? [(\[{<] \x20? (?:[Aa][Tt]|アットマーク|アット|@) \x20? [)\]}>] \x20? )
      | (?P<at_word> \x20 [Aa][Tt] \x20 )
      | (?P<at_kana> \x20? (?:アットマーク|アット) \x20? )
      | (?P<at_esc> %40 | &\#0{0,3}64; | &\#[xX]0{0,2}40; | &commat; )
    )
    (?P<domain> (?: LABEL SEP ){1,8} )
    (?P<tld> xn--[A-Za-z0-9\-]{1,59} | [A-Za-z\p{Greek}\p{Cyrillic}]{2,24} )
"#;

/// A domain label: letters of any script (IDN) and digits, inner hyphens. Its length
/// (63 bytes at most) is checked after the match: a counted repetition of these
/// Unicode classes would make the automaton too large.
const LABEL: &str = r"[\p{L}\p{Nd}](?:[\p{L}\p{Nd}\-]*[\p{L}\p{Nd}])?";

/// A spelling of `.`: the symbol (possibly set off by spaces), a bracketed word, the
/// English word between spaces, ドット, or a URL/HTML escape.
const SEP: &str = r"(?:
        \x20{0,2} \. \x20{0,2}
      | \x20? [(\[{<] \x20? (?:[Dd][Oo][Tt]|ドット|\.) \x20? [)\]}>] \x20?
      | \x20 [Dd][Oo][Tt] \x20
      | \x20? ドット \x20?
      | %2[Ee] | &\#0{0,3}46; | &\#[xX]0{0,2}2[Ee]; | &period;
    )";

/// Top-level labels accepted for the loose forms: the common generic ones, the
/// country codes seen in Japanese correspondence and the Japanese city domains.
/// Deliberately not every two-letter code: `to`, `is`, `by`, `so` are English words.
pub const KNOWN_TLDS: &[&str] = &[
    "com", "net", "org", "edu", "gov", "mil", "int", "info", "biz", "name", "pro", "mobi", "asia",
    "jobs", "travel", "io", "ai", "app", "dev", "cloud", "online", "site", "tech", "xyz", "shop",
    "blog", "me", "tv", "cc", "co", "us", "uk", "jp", "cn", "kr", "tw", "hk", "sg", "au", "nz",
    "ca", "de", "fr", "it", "es", "nl", "be", "ch", "at", "se", "no", "dk", "fi", "pl", "ru", "br",
    "mx", "in", "id", "th", "vn", "ph", "my", "eu", "ie", "pt", "gr", "cz", "hu", "ro", "ua", "tr",
    "il", "za", "ar", "cl", "tokyo", "osaka", "nagoya", "yokohama", "kyoto", "okinawa",
];

/// The Latin letter a Cyrillic or Greek letter is commonly mistaken for (the usual
/// homoglyphs of domain spoofing), lower case; `None` for other characters.
fn latin_lookalike(c: char) -> Option<char> {
    Some(match c {
        'а' | 'А' | 'α' | 'Α' => 'a',
        'в' | 'В' | 'β' | 'Β' => 'b',
        'с' | 'С' | 'ϲ' => 'c',
        'ԁ' => 'd',
        'е' | 'Е' | 'ε' | 'Ε' => 'e',
        'һ' | 'Һ' | 'Η' => 'h',
        'і' | 'І' | 'ι' | 'Ι' | 'ӏ' => 'i',
        'ј' | 'Ј' => 'j',
        'к' | 'К' | 'κ' | 'Κ' => 'k',
        'м' | 'М' | 'Μ' => 'm',
        'н' | 'Н' | 'ν' | 'Ν' => 'n',
        'о' | 'О' | 'ο' | 'Ο' => 'o',
        'р' | 'Р' | 'ρ' | 'Ρ' => 'p',
        'ԛ' => 'q',
        'ѕ' | 'Ѕ' => 's',
        'т' | 'Т' | 'τ' | 'Τ' => 't',
        'υ' | 'Υ' => 'u',
        'ԝ' => 'w',
        'х' | 'Х' | 'χ' | 'Χ' => 'x',
        'у' | 'У' | 'γ' => 'y',
        'ζ' | 'Ζ' => 'z',
        _ => return None,
    })
}

/// The top-level label in lower-case Latin letters, homoglyphs mapped; `None` when
/// a character is neither ASCII nor a known look-alike.
fn tld_skeleton(tld: &str) -> Option<String> {
    tld.chars()
        .map(|c| {
            if c.is_ascii() {
                Some(c.to_ascii_lowercase())
            } else {
                latin_lookalike(c)
            }
        })
        .collect()
}

/// How a `.` was written in the domain.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Dot {
    /// `.` with no space around it.
    Plain,
    /// `.` set off by spaces.
    Spaced,
    /// `[dot]`, `(ドット)`, `%2E`, `&#46;`: a convention for addresses.
    Marked,
    /// ` dot ` or ドット: a word for the symbol.
    Word,
}

/// Finds e-mail addresses in the normalized text (full-width forms are already ASCII).
pub struct EmailDetector {
    re: Regex,
    /// One label and the separator after it, anchored (splits the domain group).
    label_sep: Regex,
}

impl EmailDetector {
    /// Compiles the patterns.
    pub fn new() -> Self {
        let pattern = PATTERN.replace("LABEL", LABEL).replace("SEP", SEP);
        EmailDetector {
            re: Regex::new(&pattern).expect("static e-mail pattern"),
            label_sep: Regex::new(&format!("(?x)^(?P<label>{LABEL})(?P<sep>{SEP})"))
                .expect("static label pattern"),
        }
    }

    /// Splits the domain group into labels (byte ranges in `domain`) and the dot
    /// written after each.
    fn labels(&self, domain: &str) -> Vec<(Range<usize>, Dot)> {
        let mut out = Vec::new();
        let mut pos = 0;
        while let Some(c) = self.label_sep.captures(&domain[pos..]) {
            let (Some(all), Some(label), Some(sep)) = (c.get(0), c.name("label"), c.name("sep"))
            else {
                break;
            };
            let s = sep.as_str().trim_matches(' ');
            let dot = if sep.as_str() == "." {
                Dot::Plain
            } else if s == "." {
                Dot::Spaced
            } else if s.eq_ignore_ascii_case("dot") || s == "ドット" {
                Dot::Word
            } else {
                Dot::Marked
            };
            out.push((pos + label.start()..pos + label.end(), dot));
            if all.end() == 0 {
                break;
            }
            pos += all.end();
        }
        out
    }

    /// Decides on one match; returns the address's end (the match may be cut back to
    /// an earlier top-level label) and its confidence and reason, or `None`.
    fn judge(&self, text: &str, caps: &Captures<'_>) -> Option<(usize, f32, &'static str)> {
        let local = caps.name("local")?.as_str();
        let domain = caps.name("domain")?;
        let tld = caps.name("tld")?;
        let at_spaced = caps
            .name("at_sym")
            .is_some_and(|m| m.as_str().starts_with(' ') || m.as_str().ends_with(' '));
        let at_word = caps.name("at_word").is_some();
        let at_kana = caps.name("at_kana").is_some();
        let at_marked = caps.name("at_br").is_some() || caps.name("at_esc").is_some();
        let labels = self.labels(domain.as_str());
        // Candidate ends, longest first: the top-level group, then each inner label
        // that could itself be a top-level one ("taro@example.jp. The" ends at jp).
        let d0 = domain.start();
        let mut ends: Vec<(usize, Range<usize>)> = vec![(labels.len(), tld.range())];
        ends.extend(
            labels
                .iter()
                .enumerate()
                .skip(1)
                .rev()
                .map(|(i, (r, _))| (i, d0 + r.start..d0 + r.end)),
        );
        for (n_labels, tld_range) in ends {
            let tld_text = &text[tld_range.clone()];
            let Some(skeleton) = tld_skeleton(tld_text) else {
                continue;
            };
            let punycode = skeleton.starts_with("xn--");
            if !punycode && !(2..=24).contains(&skeleton.len()) {
                continue;
            }
            if !punycode && !skeleton.bytes().all(|b| b.is_ascii_alphabetic()) {
                continue;
            }
            let after = text[tld_range.end..].chars().next();
            if after.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '@') {
                continue;
            }
            if after.is_some_and(|c| latin_lookalike(c).is_some()) {
                continue;
            }
            let used = &labels[..n_labels];
            if used.iter().any(|(r, _)| r.len() > 63) {
                continue;
            }
            let dots = || used.iter().map(|(_, d)| *d);
            let non_ascii = !tld_text.is_ascii()
                || used
                    .iter()
                    .any(|(r, _)| !domain.as_str()[r.clone()].is_ascii());
            let dot_loose = dots().any(|d| matches!(d, Dot::Spaced | Dot::Word));
            let dot_spelled = dots().any(|d| matches!(d, Dot::Marked | Dot::Word));
            let loose = at_spaced || at_word || at_kana || dot_loose || non_ascii;
            if loose && !punycode && !KNOWN_TLDS.contains(&skeleton.as_str()) {
                continue;
            }
            if at_word && !dot_spelled && !mailbox_like(local) {
                // "look at example.com": English prose.
                continue;
            }
            let (confidence, reason) = if at_word || dots().any(|d| d == Dot::Word) {
                (0.9, "address spelled out in words")
            } else if at_marked || at_kana || dot_spelled {
                (0.95, "address syntax with a spelled-out @ or dot")
            } else if loose {
                (
                    0.95,
                    "address syntax with spaces, IDN or look-alike letters",
                )
            } else {
                (0.99, "address syntax")
            };
            return Some((tld_range.end, confidence, reason));
        }
        None
    }
}

impl Default for EmailDetector {
    fn default() -> Self {
        Self::new()
    }
}

/// Whether a local part carries what English words do not: a letter and a digit or
/// one of `._+-`, and is no version number (`3.11`, `v2.0` are not mailboxes).
fn mailbox_like(local: &str) -> bool {
    let b = local.as_bytes();
    let version = local
        .trim_start_matches(['v', 'V'])
        .bytes()
        .all(|c| c.is_ascii_digit() || c == b'.');
    b.iter().any(|c| c.is_ascii_alphabetic())
        && b.iter().any(|c| !c.is_ascii_alphabetic())
        && !version
}

/// Characters of the local part (for widening an over-long local part).
fn is_local_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'%' | b'+' | b'-')
}

/// Whether the text may hold an address in any accepted spelling (a cheap filter).
fn may_hold_address(text: &str) -> bool {
    let b = text.as_bytes();
    let has = |s: &str| memchr::memmem::find(b, s.as_bytes()).is_some();
    text.contains('@')
        || has("アット")
        || has("%40")
        || has("&#")
        || has("&commat;")
        || b.windows(2).any(|w| w.eq_ignore_ascii_case(b"at"))
}

impl Detector for EmailDetector {
    fn name(&self) -> &'static str {
        "email"
    }

    fn detect(&self, doc: &Document<'_>, out: &mut Vec<RawFinding>) {
        let text = doc.text();
        if !may_hold_address(text) {
            return;
        }
        let bytes = text.as_bytes();
        let mut at = 0;
        while at < text.len() {
            let Some(caps) = self.re.captures_at(text, at) else {
                break;
            };
            let m = caps.get(0).expect("group 0 always matches");
            let local = caps.name("local").expect("local part always matches");
            let Some((end, confidence, reason)) = self.judge(text, &caps) else {
                // A later address may start inside this match's domain
                // ("see at foo.bar@example.com"): go on after the local part, which is
                // at least one character, so the scan always advances.
                at = local.end();
                continue;
            };
            at = end;
            let mut start = m.start();
            if !local.as_str().starts_with('"') {
                while start > 0 && is_local_byte(bytes[start - 1]) {
                    start -= 1;
                }
                while start < m.start() && !bytes[start].is_ascii_alphanumeric() {
                    start += 1;
                }
            }
            out.push(RawFinding::new(
                Category::Email,
                start..end,
                "email",
                confidence,
                reason,
            ));
        }
    }
}

#[cfg(test)]
mod tests;
