//! The small, strict URL and path reading the region rules need (no `url` crate: this
//! module builds without the gateway feature).
//!
//! Strict on purpose: anything unusual (user info, a trailing dot, an empty label,
//! invalid percent-encoding) is an error, so a rule never has to guess.

use std::net::IpAddr;

/// The parts of an upstream base URL the rules look at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct BaseUrl {
    /// `https` or `http` (lower case).
    pub scheme: String,
    /// Host in lower case; an IPv6 literal without its brackets.
    pub host: String,
    /// The host as an IP address, when it is a literal.
    pub ip: Option<IpAddr>,
    /// The path (possibly empty), without query or fragment.
    pub path: String,
}

/// Why a base URL could not be read (an explanation in English; callers wrap it).
pub(crate) type UrlError = &'static str;

/// Reads `scheme://host[:port][/path]`.
pub(crate) fn parse_base_url(url: &str) -> Result<BaseUrl, UrlError> {
    let (scheme, rest) = url
        .split_once("://")
        .ok_or("it has no scheme; write it as https://host/…")?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "https" && scheme != "http" {
        return Err("only https:// (or http:// for on-premises) URLs are accepted");
    }
    if rest.contains(['?', '#']) {
        return Err("it must not contain a query (?…) or fragment (#…)");
    }
    if rest
        .bytes()
        .any(|b| b.is_ascii_whitespace() || b.is_ascii_control() || b == b'\\')
    {
        return Err("it contains spaces, control characters or backslashes");
    }
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    if authority.contains('@') {
        return Err("it must not contain user information (user@host)");
    }
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (h, after) = v6
            .split_once(']')
            .ok_or("the IPv6 literal is not closed by ']'")?;
        let port = match after {
            "" => None,
            p => Some(
                p.strip_prefix(':')
                    .ok_or("unexpected text after the IPv6 literal")?,
            ),
        };
        (h, port)
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    if let Some(p) = port {
        if p.is_empty() || p.len() > 5 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return Err("the port is not a number");
        }
        if p.parse::<u32>().map_or(true, |n| n == 0 || n > 65535) {
            return Err("the port is out of range");
        }
    }
    let host = host.to_ascii_lowercase();
    let ip = host.parse::<IpAddr>().ok();
    if ip.is_none() {
        if host.is_empty() || host.len() > 253 {
            return Err("the host is empty or too long");
        }
        if host.ends_with('.') {
            return Err("the host must be written without a trailing dot");
        }
        let label_ok = |l: &str| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        };
        if !host.split('.').all(label_ok) {
            return Err("the host is not a valid DNS name (letters, digits, inner hyphens)");
        }
    }
    Ok(BaseUrl {
        scheme,
        host,
        ip,
        path: path.to_string(),
    })
}

/// Decodes `%XX` escapes once. Invalid escapes and decoded bytes that are not UTF-8
/// are errors; a `%` left after decoding (double encoding) is an error too, because
/// the upstream decodes only once and the rules would judge a different value.
pub(crate) fn percent_decode_once(s: &str) -> Result<String, UrlError> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = |c: u8| (c as char).to_digit(16);
            let (h, l) = match (
                b.get(i + 1).and_then(|&c| hex(c)),
                b.get(i + 2).and_then(|&c| hex(c)),
            ) {
                (Some(h), Some(l)) => (h, l),
                _ => return Err("it contains an invalid percent-escape"),
            };
            out.push((h * 16 + l) as u8);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    let decoded = String::from_utf8(out).map_err(|_| "it decodes to invalid UTF-8")?;
    if decoded.contains('%') {
        return Err("it is percent-encoded twice");
    }
    if decoded.chars().any(char::is_control) {
        return Err("it decodes to control characters");
    }
    Ok(decoded)
}

/// Splits a request path into segments, refusing the shapes servers disagree on:
/// empty segments (`//`), dot segments, backslashes and control characters.
pub(crate) fn path_segments(path: &str) -> Result<Vec<&str>, UrlError> {
    let rest = path
        .strip_prefix('/')
        .ok_or("the path must start with '/'")?;
    if path
        .bytes()
        .any(|b| b.is_ascii_control() || b == b'\\' || b == b' ')
    {
        return Err("the path contains spaces, control characters or backslashes");
    }
    let segs: Vec<&str> = rest.split('/').collect();
    // A single trailing slash is tolerated; inner empty segments are not.
    let body = match segs.split_last() {
        Some((&"", init)) => init,
        _ => &segs[..],
    };
    for s in body {
        if s.is_empty() {
            return Err("the path contains an empty segment ('//')");
        }
        let lower = s.to_ascii_lowercase();
        if lower == "." || lower == ".." || lower.contains("%2e") {
            return Err("the path contains a dot segment");
        }
    }
    Ok(body.to_vec())
}

/// Whether query parameter `name` occurs (names compared once-decoded and ignoring
/// ASCII case; a name that cannot be decoded counts as a match: fail closed).
pub(crate) fn has_query_param(query: &str, name: &str) -> bool {
    query.split('&').any(|kv| {
        let k = kv.split_once('=').map_or(kv, |(k, _)| k);
        percent_decode_once(k).map_or(true, |k| k.eq_ignore_ascii_case(name))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls() {
        let ok: &[(&str, &str, &str)] = &[
            ("https://res.openai.azure.com", "res.openai.azure.com", ""),
            (
                "HTTPS://Res.OpenAI.Azure.com/openai",
                "res.openai.azure.com",
                "/openai",
            ),
            ("http://127.0.0.1:8000/v1", "127.0.0.1", "/v1"),
            ("http://[::1]:8080", "::1", ""),
            ("http://[fd00::5]/v1", "fd00::5", "/v1"),
        ];
        for (url, host, path) in ok {
            let u = parse_base_url(url).unwrap_or_else(|e| panic!("{url}: {e}"));
            assert_eq!((u.host.as_str(), u.path.as_str()), (*host, *path), "{url}");
        }
        let bad = [
            "res.openai.azure.com",
            "ftp://x.example",
            "https://user@res.openai.azure.com",
            "https://res.openai.azure.com./",
            "https://res..azure.com",
            "https://host:99999",
            "https://host:",
            "https://host/?key=1",
            "https://[::1",
            "https://-bad.example",
        ];
        for url in bad {
            assert!(parse_base_url(url).is_err(), "{url}");
        }
    }

    #[test]
    fn percent_decoding_once() {
        let cases: &[(&str, Option<&str>)] = &[
            (
                "jp.anthropic.claude-v1%3A0",
                Some("jp.anthropic.claude-v1:0"),
            ),
            (
                "arn%3Aaws%3Abedrock%3Aap-northeast-1%3A1%3Ainference-profile%2Fjp.x",
                Some("arn:aws:bedrock:ap-northeast-1:1:inference-profile/jp.x"),
            ),
            ("plain", Some("plain")),
            ("apac.x%253A0", None),
            ("bad%zz", None),
            ("cut%3", None),
            ("nul%00", None),
            ("bad%ff", None),
        ];
        for (s, want) in cases {
            assert_eq!(percent_decode_once(s).ok().as_deref(), *want, "{s}");
        }
    }

    #[test]
    fn paths() {
        assert_eq!(path_segments("/a/b/").unwrap(), vec!["a", "b"]);
        assert_eq!(path_segments("/a/b").unwrap(), vec!["a", "b"]);
        for bad in ["a/b", "/a//b", "/a/../b", "/a/%2E%2E/b", "/a\\b", "/a b"] {
            assert!(path_segments(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn query_params() {
        assert!(has_query_param("alt=sse&key=abc", "key"));
        assert!(has_query_param("KEY=abc", "key"));
        assert!(has_query_param("%6Bey=abc", "key"));
        assert!(!has_query_param("alt=sse&monkey=1", "key"));
    }
}
