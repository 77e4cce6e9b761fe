//! The client headers passed on to the upstream: an explicit allow list, each value
//! checked against the form its API defines before anything is forwarded.
//!
//! Every other client header (credentials, `x-ms-spillover-deployment`,
//! `OpenAI-Project`, …) is dropped, not refused. An allow-listed header whose value is
//! not of its form is refused with [`BadHeader`], which names the header and the rule,
//! never the value: free text there (a phone number in `anthropic-beta`) would
//! otherwise reach the upstream uninspected.

use http::HeaderMap;

use crate::inspect::Engine;

/// Client headers passed on to the upstream, verbatim once [`check`] accepted them.
pub const FORWARD_HEADERS: &[&str] = &["accept", "anthropic-version", "anthropic-beta"];

/// Longest accepted value of an allow-listed header, in bytes.
pub const MAX_VALUE_BYTES: usize = 512;
/// Most entries in `accept` or `anthropic-beta`.
pub const MAX_ITEMS: usize = 16;
/// Longest `anthropic-beta` token.
pub const MAX_BETA_TOKEN: usize = 64;

/// Media ranges accepted in `accept` (compared case-insensitively). `text/plain` is
/// here because common HTTP clients (axios) send it by default.
const ACCEPT_TYPES: &[&str] = &[
    "application/json",
    "text/event-stream",
    "text/plain",
    "application/*",
    "*/*",
];

/// An allow-listed header whose value is not of its form.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the {name} header {}", rule.en())]
pub struct BadHeader {
    /// The header's name (lowercase).
    pub name: &'static str,
    /// The rule its value broke (never the value itself).
    pub rule: Rule,
}

/// The rules an allow-listed header's value must follow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rule {
    /// Sent more than once.
    Once,
    /// Not visible ASCII.
    Ascii,
    /// Over [`MAX_VALUE_BYTES`].
    TooLong,
    /// `anthropic-version` not `YYYY-MM-DD`.
    Date,
    /// `anthropic-beta` not a list of beta names.
    BetaList,
    /// `accept` not a list of the accepted media ranges.
    AcceptList,
    /// The detectors found personal data or a banned word.
    PersonalData,
}

impl Rule {
    /// What the value must be, in English.
    pub fn en(self) -> &'static str {
        match self {
            Rule::Once => "must be sent at most once",
            Rule::Ascii => "must be ASCII",
            Rule::TooLong => "must be at most 512 bytes",
            Rule::Date => "must be a date YYYY-MM-DD",
            Rule::BetaList => {
                "must be a comma-separated list of at most 16 beta names (a-z, 0-9 and -, \
                 starting with a letter, at most 64 characters each)"
            }
            Rule::AcceptList => {
                "must list at most 16 media types from application/json, text/event-stream, \
                 text/plain, application/*, */* (each optionally with q=)"
            }
            Rule::PersonalData => "must not carry personal data or a banned word",
        }
    }

    /// The same in Japanese.
    pub fn ja(self) -> &'static str {
        match self {
            Rule::Once => "複数回送信されています",
            Rule::Ascii => "ASCII 文字のみ使用できます",
            Rule::TooLong => "512 バイト以内にしてください",
            Rule::Date => "YYYY-MM-DD 形式の日付にしてください",
            Rule::BetaList => {
                "英小文字で始まり a-z・0-9・- からなるベータ名を、カンマ区切りで16個以内\
                 （各64文字以内）にしてください"
            }
            Rule::AcceptList => {
                "application/json・text/event-stream・text/plain・application/*・*/*\
                 （q= 付き可）から16個以内にしてください"
            }
            Rule::PersonalData => "個人情報または禁止語が含まれています",
        }
    }
}

/// Checks every allow-listed header present in `headers`: at most one of each, visible
/// ASCII, at most [`MAX_VALUE_BYTES`], and of its form:
///
/// - `anthropic-version`: a date, `YYYY-MM-DD`;
/// - `anthropic-beta`: comma-separated tokens of `a-z`, `0-9` and `-`, each starting
///   with a letter, at most [`MAX_BETA_TOKEN`] long, at most [`MAX_ITEMS`] of them;
/// - `accept`: comma-separated media ranges from a small set (`application/json`,
///   `text/event-stream`, `text/plain`, `application/*`, `*/*`), each optionally with a
///   `q` parameter, at most [`MAX_ITEMS`] of them.
pub fn check(headers: &HeaderMap) -> Result<(), BadHeader> {
    for name in FORWARD_HEADERS {
        let mut values = headers.get_all(*name).iter();
        let Some(v) = values.next() else { continue };
        let bad = |rule| BadHeader { name, rule };
        if values.next().is_some() {
            return Err(bad(Rule::Once));
        }
        let Ok(v) = v.to_str() else {
            return Err(bad(Rule::Ascii));
        };
        if v.len() > MAX_VALUE_BYTES {
            return Err(bad(Rule::TooLong));
        }
        let (ok, rule) = match *name {
            "anthropic-version" => (is_date(v.trim()), Rule::Date),
            "anthropic-beta" => (is_beta_list(v), Rule::BetaList),
            _ => (is_accept_list(v), Rule::AcceptList),
        };
        if !ok {
            return Err(bad(rule));
        }
    }
    Ok(())
}

/// Runs the detectors over the allow-listed values [`check`] accepted: what their forms
/// still allow (`tel-090-1234-5678` as a beta token) is refused as well. Each list entry
/// is a line, and a `-` after a letter a space, so that a number glued to a word is
/// seen as it would be in a prompt (`tel 090-1234-5678`).
pub fn inspect(engine: &Engine, headers: &HeaderMap) -> Result<(), BadHeader> {
    for name in FORWARD_HEADERS {
        let Some(v) = headers.get(*name).and_then(|v| v.to_str().ok()) else {
            continue;
        };
        let mut text = String::with_capacity(v.len());
        let mut after_letter = false;
        for c in v.chars() {
            text.push(match c {
                ',' => '\n',
                '-' if after_letter => ' ',
                c => c,
            });
            after_letter = c.is_ascii_alphabetic();
        }
        if !engine.scan(&text).is_empty() {
            return Err(BadHeader {
                name,
                rule: Rule::PersonalData,
            });
        }
    }
    Ok(())
}

fn is_date(v: &str) -> bool {
    let b = v.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let s = &v[r];
        s.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| s.parse().ok())
            .flatten()
    };
    matches!(
        (num(0..4), num(5..7), num(8..10)),
        (Some(y), Some(m), Some(d)) if y >= 2000 && (1..=12).contains(&m) && (1..=31).contains(&d)
    )
}

fn items(v: &str) -> Option<Vec<&str>> {
    let items: Vec<&str> = v.split(',').map(|s| s.trim_matches([' ', '\t'])).collect();
    (items.len() <= MAX_ITEMS && items.iter().all(|s| !s.is_empty())).then_some(items)
}

fn is_beta_list(v: &str) -> bool {
    items(v).is_some_and(|ts| {
        ts.iter().all(|t| {
            t.len() <= MAX_BETA_TOKEN
                && t.starts_with(|c: char| c.is_ascii_lowercase())
                && t.bytes()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
        })
    })
}

fn is_accept_list(v: &str) -> bool {
    items(v).is_some_and(|rs| {
        rs.iter().all(|r| {
            let mut parts = r.split(';').map(|p| p.trim_matches([' ', '\t']));
            let media = parts.next().unwrap_or("");
            ACCEPT_TYPES.iter().any(|t| t.eq_ignore_ascii_case(media))
                && parts.all(|p| {
                    p.split_once('=').is_some_and(|(k, q)| {
                        k.trim_end().eq_ignore_ascii_case("q") && is_qvalue(q.trim_start())
                    })
                })
        })
    })
}

/// RFC 9110 `qvalue`: `0[.ddd]` or `1[.000]`.
fn is_qvalue(q: &str) -> bool {
    let (int, frac) = q.split_once('.').unwrap_or((q, ""));
    frac.len() <= 3
        && match int {
            "0" => frac.bytes().all(|c| c.is_ascii_digit()),
            "1" => frac.bytes().all(|c| c == b'0'),
            _ => false,
        }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn with(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_bytes(v.as_bytes()).unwrap());
        }
        h
    }

    #[test]
    fn values_table() {
        let ok: &[(&'static str, &str)] = &[
            ("anthropic-version", "2023-06-01"),
            ("anthropic-beta", "prompt-caching-2024-07-31"),
            (
                "anthropic-beta",
                "max-tokens-3-5-sonnet-2024-07-15, context-1m-2025-08-07,output-128k-2025-02-19",
            ),
            ("accept", "application/json"),
            ("accept", "*/*"),
            ("accept", "text/event-stream"),
            ("accept", "application/json, text/plain, */*"),
            ("accept", "Application/JSON;q=0.9, */*; q=0.1"),
            ("accept", "application/*;q=1.000"),
            ("accept", "text/event-stream;q=0"),
            ("accept", "application/json;q=1."),
            ("user-agent", "anything at all 090-1234-5678"),
        ];
        for (k, v) in ok {
            assert_eq!(check(&with(&[(k, v)])), Ok(()), "{k}: {v}");
        }
        let bad: &[(&'static str, &str)] = &[
            ("anthropic-version", "2023-6-1"),
            ("anthropic-version", "2023-13-01"),
            ("anthropic-version", "090-1234-5678"),
            ("anthropic-version", "2023-06-01 森川陽菜"),
            ("anthropic-version", ""),
            ("anthropic-beta", "090-1234-5678"),
            ("anthropic-beta", "prompt-caching-2024-07-31,090-1234-5678"),
            ("anthropic-beta", "123456789018"),
            ("anthropic-beta", "morikawa.hina@example.jp"),
            ("anthropic-beta", "Prompt-Caching"),
            ("anthropic-beta", "a b"),
            ("anthropic-beta", "a,,b"),
            ("anthropic-beta", "a,"),
            ("anthropic-beta", ""),
            ("accept", "text/html"),
            ("accept", "application/json; charset=utf-8"),
            ("accept", "application/json;q=2"),
            ("accept", "application/json;q=0.1234"),
            ("accept", "application/json;note=090-1234-5678"),
            ("accept", "090-1234-5678"),
        ];
        for (k, v) in bad {
            let e = check(&with(&[(k, v)])).unwrap_err();
            assert_eq!(e.name, *k, "{k}: {v}");
            assert!(v.len() < 4 || !e.to_string().contains(v), "{e}");
        }
        let long = vec!["a"; MAX_ITEMS + 1].join(",");
        assert!(check(&with(&[("anthropic-beta", &long)])).is_err());
        let token = "a".repeat(MAX_BETA_TOKEN + 1);
        assert!(check(&with(&[("anthropic-beta", &token)])).is_err());
        let huge = format!("a{}", ",b".repeat(300));
        assert!(check(&with(&[("anthropic-beta", &huge)])).is_err());
        // Twice, and non-ASCII bytes.
        let twice = with(&[
            ("anthropic-version", "2023-06-01"),
            ("anthropic-version", "2023-06-01"),
        ]);
        assert_eq!(check(&twice).unwrap_err().name, "anthropic-version");
        let mut h = HeaderMap::new();
        h.insert(
            "anthropic-beta",
            HeaderValue::from_bytes("森川".as_bytes()).unwrap(),
        );
        assert_eq!(check(&h).unwrap_err().rule, Rule::Ascii);
    }
}
