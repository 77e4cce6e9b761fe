//! 住所: street addresses and postal codes.
//!
//! An address is anchored on the embedded gazetteer ([`gazetteer`]): a run of
//! administrative names (都道府県, 市区町村, 郡, 政令市の区), found by locating the
//! characters they end with (都道府県市区町村郡) with a byte scan and looking up the
//! names that end there. From the end of that run the detector
//! reads forward, in bounded steps ([`street`]): a town name (looked up in the
//! gazetteer for that municipality, then read on over kanji, katakana and Latin
//! letters), the block and house numbers in any written form, and a building and
//! room. A place name alone (中村区の人口, 千葉県と埼玉県, 横浜市役所) is not a
//! personal address: a street-level part (番地, 1-2-3, 3丁目4, 5番6号, a house
//! number after a known town) or a postal code is required.
//!
//! Spans follow the label rule of the evaluation data: from the prefecture or
//! municipality to the last number or room, with a leading postal code (〒 or a
//! bare `NNN-NNNN` directly before the address) included. A `〒NNN-NNNN` on its own
//! is reported too. Without any administrative name, a gazetteer town or a
//! Hokkaido grid block followed by a block number is an address ([`unanchored`]);
//! so is a romanized address in Western order ([`romanized`]).
//!
//! Cost: one byte scan, a scan for 〒, a bounded look-back at each
//! 都道府県市区町村郡 character and a bounded read after each administrative name:
//! linear in the text.

mod gazetteer;
mod romanized;
mod street;
mod unanchored;

use gazetteer::{AdminKind, Gazetteer, MuniId};
use street::{
    char_before, is_kanji, is_katakana, is_kyoto_street, is_not_town, parse_building, parse_street,
    postal_code, scan_town,
};

use super::Detector;
use crate::inspect::{Category, Document, RawFinding};

/// Finds addresses.
pub struct AddressDetector {
    gazetteer: &'static Gazetteer,
}

impl AddressDetector {
    /// Builds the detector (the embedded gazetteer is compiled once per process).
    pub fn new() -> Self {
        AddressDetector {
            gazetteer: Gazetteer::get(),
        }
    }
}

impl Default for AddressDetector {
    fn default() -> Self {
        Self::new()
    }
}

impl Detector for AddressDetector {
    fn name(&self) -> &'static str {
        "address"
    }

    fn detect(&self, doc: &Document<'_>, out: &mut Vec<RawFinding>) {
        let t = doc.text();
        standalone_postal_codes(t, out);
        let before = out.len();
        self.addresses(t, doc.folded(), out);
        let found: Vec<_> = out[before..].iter().map(|f| f.range.clone()).collect();
        labelled_addresses(t, &found, out);
        // Addresses with no administrative name: what the passes above found wins.
        let found: Vec<_> = out[before..].iter().map(|f| f.range.clone()).collect();
        unanchored::grid_addresses(t, &found, out);
        unanchored::kyoto_addresses(t, &found, out);
        let found: Vec<_> = out[before..].iter().map(|f| f.range.clone()).collect();
        unanchored::town_addresses(self.gazetteer, t, doc.folded(), &found, out);
        romanized::romanized_addresses(t, out);
    }
}

/// Confidence of an address with a known municipality and a street-level part.
const CONF_STRONG: f32 = 0.95;
/// Confidence of a postal code with or without the address after it.
const CONF_POSTAL: f32 = 0.9;
/// Confidence of an address anchored on a prefecture only.
const CONF_WEAK: f32 = 0.85;

impl AddressDetector {
    fn addresses(&self, t: &str, g: &str, out: &mut Vec<RawFinding>) {
        let gz = self.gazetteer;
        let matches = gz.admin_matches(g);
        let bytes = t.as_bytes();
        let mut covered = 0usize;
        let mut i = 0usize;
        while i < matches.len() {
            let first = matches[i];
            if first.start < covered {
                i += 1;
                continue;
            }
            // A run of administrative names: 東京都 港区, 長崎県東彼杵郡東彼杵町.
            let mut j = i;
            let mut end = first.end;
            while let Some(n) = matches.get(j + 1) {
                if n.start == end || (n.start == end + 1 && bytes[end] == b' ') {
                    end = n.end;
                    j += 1;
                } else {
                    break;
                }
            }
            let chain = &matches[i..=j];
            i = j + 1;
            let head = gz.entry(first.pattern);
            // A two-character name inside a longer word (東北区域 → 北区) is no anchor;
            // after another administrative suffix (…県柏市) it is.
            if head.kind != AdminKind::Prefecture
                && head.chars <= 2
                && char_before(t, first.start).is_some_and(|c| {
                    (is_kanji(c) || is_katakana(c)) && !gazetteer::SUFFIXES.contains(&c)
                })
            {
                continue;
            }
            let has_muni = chain
                .iter()
                .any(|m| gz.entry(m.pattern).kind != AdminKind::Prefecture);
            let postal = postal_before(t, first.start);

            // Town: the gazetteer's name for this municipality, then any further
            // name characters (字, building-like town names). A town may itself read
            // as a municipality (西海市大島町百合が丘: 大島町 is also a town in Tokyo),
            // so every name of the run is tried and the longest town wins.
            let mut p = skip_one_space(t, end);
            let mut verified = false;
            // At most the last three names of the run: prefecture, 郡 or city, town.
            for m in &chain[chain.len().saturating_sub(3)..] {
                let munis: &[MuniId] = &gz.entry(m.pattern).munis;
                let at = skip_one_space(t, m.end);
                let found = gz.town_at(g, at, munis).or_else(|| {
                    t[at..]
                        .starts_with("大字")
                        .then(|| gz.town_at(g, at + "大字".len(), munis))
                        .flatten()
                });
                if let Some(e) = found.filter(|&e| e > p) {
                    p = e;
                    verified = true;
                }
            }
            let town_end = scan_town(t, p);
            if is_not_town(&t[p..town_end]) {
                continue;
            }
            let street_at = skip_one_space(t, town_end);
            let street = parse_street(t, street_at);

            // What makes this a personal address, and where it ends.
            let kyoto = is_kyoto_street(&t[p..town_end]);
            let bare_ok = |s: &street::Street| {
                s.bare && street_at == town_end && ((verified && town_end == p) || kyoto)
            };
            let (span_end, reason) = match street {
                Some(s) if s.strong || bare_ok(&s) || postal.is_some() => {
                    let e = parse_building(t, s.end).unwrap_or(s.end);
                    let reason = match (postal.is_some(), s.strong || !s.bare) {
                        (true, _) => "postal code + address",
                        (false, true) => "municipality + street number",
                        (false, false) => "known town + house number",
                    };
                    (e, reason)
                }
                _ if postal.is_some() && has_muni => {
                    (town_end.max(end), "postal code + municipality")
                }
                _ => continue,
            };
            let start = postal.unwrap_or(first.start);
            let confidence = match (has_muni, postal.is_some()) {
                (true, _) => CONF_STRONG,
                (false, true) => CONF_POSTAL,
                (false, false) => CONF_WEAK,
            };
            out.push(RawFinding::new(
                Category::Address,
                start..span_end,
                "address",
                confidence,
                reason,
            ));
            covered = span_end;
        }
    }
}

/// Confidence of an address found after its label with no municipality.
const CONF_LABELLED: f32 = 0.8;

/// Labels after which a town and street number are an address even without a
/// prefecture or municipality: `住所：栄町3-2-1`.
const ADDRESS_LABELS: &[&str] = &["住所", "所在地", "送付先", "居所"];

/// `住所：栄町3-2-1`: a town name and a street-level number right after an address
/// label, where no administrative name anchors the address. `found` are the
/// addresses already reported (a label before one of them adds nothing).
fn labelled_addresses(t: &str, found: &[std::ops::Range<usize>], out: &mut Vec<RawFinding>) {
    for label in ADDRESS_LABELS {
        for i in memchr::memmem::find_iter(t.as_bytes(), label) {
            let mut p = i + label.len();
            // 住所は, 住所欄に, 住所: , 住所 …
            for _ in 0..3 {
                match street::char_at(t, p) {
                    Some(c @ (' ' | ':' | 'は' | 'が' | '欄' | 'に' | '地')) => {
                        p += c.len_utf8()
                    }
                    _ => break,
                }
            }
            if found.iter().any(|r| r.contains(&p) || r.start == p) {
                continue;
            }
            let town_end = scan_town(t, p);
            if t[p..town_end].chars().count() < 2 || is_not_town(&t[p..town_end]) {
                continue;
            }
            let street_at = skip_one_space(t, town_end);
            let Some(s) = parse_street(t, street_at).filter(|s| s.strong) else {
                continue;
            };
            let end = parse_building(t, s.end).unwrap_or(s.end);
            out.push(RawFinding::new(
                Category::Address,
                p..end,
                "address.labelled",
                CONF_LABELLED,
                "address label + town + street number",
            ));
        }
    }
}

/// Skips one ASCII space.
#[inline]
fn skip_one_space(t: &str, at: usize) -> usize {
    if t.as_bytes().get(at) == Some(&b' ') {
        at + 1
    } else {
        at
    }
}

/// The start of a postal code written directly before an address at `at`
/// (`〒123-4567 東京都…`, `123-4567、東京都…`), including its 〒.
fn postal_before(t: &str, at: usize) -> Option<usize> {
    let mut q = at;
    for _ in 0..2 {
        match char_before(t, q) {
            Some(c @ (' ' | '、' | ',' | ':')) => q -= c.len_utf8(),
            _ => break,
        }
    }
    let start = [8usize, 7]
        .into_iter()
        .filter_map(|n| q.checked_sub(n))
        .find(|&s| t.is_char_boundary(s) && postal_code(t, s) == Some(q))?;
    let mut s = start;
    if char_before(t, s) == Some(' ') && char_before(t, s - 1) == Some('〒') {
        s -= 1;
    }
    if char_before(t, s) == Some('〒') {
        s -= '〒'.len_utf8();
    }
    Some(s)
}

/// `〒NNN-NNNN` wherever it stands (a bare `NNN-NNNN` counts only before an address).
fn standalone_postal_codes(t: &str, out: &mut Vec<RawFinding>) {
    for (i, _) in t.match_indices('〒') {
        let mut p = i + '〒'.len_utf8();
        if t.as_bytes().get(p) == Some(&b' ') {
            p += 1;
        }
        if let Some(e) = postal_code(t, p) {
            out.push(RawFinding::new(
                Category::Address,
                i..e,
                "address.postal",
                CONF_POSTAL,
                "postal code",
            ));
        }
    }
}

#[cfg(test)]
mod tests;
