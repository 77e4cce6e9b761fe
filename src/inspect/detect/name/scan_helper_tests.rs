//! The fast forms of the scan helpers against their plain definitions: the kanji test
//! on UTF-8 bytes, the shared kanji runs, the particle test, the suffix-set look-ups
//! and the CN/KR surname set. Each must give exactly what the plain form gives.

use super::context::{glued_title, person_word_before};
use super::*;

/// Every BMP character (and a few outside it): `kanji_at` agrees with `is_kanji` and
/// with the UTF-8 length.
#[test]
fn kanji_at_agrees_with_is_kanji_on_every_character() {
    let mut buf = [0u8; 4];
    let extra = ['\u{10000}', '\u{20B9F}', '\u{1F600}', '\u{E0041}'];
    for c in (0..=0xFFFFu32).filter_map(char::from_u32).chain(extra) {
        let bytes = c.encode_utf8(&mut buf).as_bytes();
        assert_eq!(
            kanji_at(bytes, 0),
            (is_kanji(c), c.len_utf8()),
            "U+{:04X}",
            c as u32
        );
    }
}

/// The runs as the plain definition reads them: maximal runs of `is_kanji`.
fn plain_runs(text: &str, from: usize) -> Vec<(Range<usize>, usize)> {
    let mut out = Vec::new();
    let mut cur: Option<(usize, usize, usize)> = None;
    for (i, c) in text[from..].char_indices().map(|(i, c)| (from + i, c)) {
        match (is_kanji(c), cur.as_mut()) {
            (true, Some((_, end, n))) => {
                *end = i + c.len_utf8();
                *n += 1;
            }
            (true, None) => cur = Some((i, i + c.len_utf8(), 1)),
            (false, Some(_)) => {
                let (s, e, n) = cur.take().expect("checked");
                out.push((s..e, n));
            }
            (false, None) => {}
        }
    }
    if let Some((s, e, n)) = cur {
        out.push((s..e, n));
    }
    out
}

const RUN_TEXTS: &[&str] = &[
    "",
    "abc",
    "山田",
    "本市では、地域の子育て支援と高齢者福祉の連携を強化するため、来年度の事業計画を見直しています。",
    "佐々木〆切ヶ丘、䷀䷁（易経）と㐀𠮟る、ｶﾀｶﾅ漢字ABC漢",
    "土屋アンナさんと李登輝は2020年に東京都千代田区で",
];

#[test]
fn shared_kanji_runs_equal_the_walked_ones() {
    for text in RUN_TEXTS {
        let want = plain_runs(text, 0);
        assert_eq!(KanjiRuns::walk(text).collect::<Vec<_>>(), want, "{text}");
        share_kanji_runs(text);
        assert_eq!(KanjiRuns::new(text).collect::<Vec<_>>(), want, "{text}");
        // Another string (a copy elsewhere in memory) walks on its own.
        let copy = text.to_string();
        assert_eq!(KanjiRuns::new(&copy).collect::<Vec<_>>(), want, "{text}");
        forget_kanji_runs();
    }
}

#[test]
fn resuming_shared_kanji_runs_reads_like_walking_from_there() {
    for text in RUN_TEXTS {
        share_kanji_runs(text);
        for at in (0..=text.len()).filter(|&i| text.is_char_boundary(i)) {
            let mut shared = KanjiRuns::new(text);
            let _ = shared.next();
            shared.resume_at(at);
            let mut walked = KanjiRuns::walk(text);
            let _ = walked.next();
            walked.resume_at(at);
            let want = plain_runs(text, at);
            assert_eq!(shared.collect::<Vec<_>>(), want, "{text} from {at}");
            assert_eq!(walked.collect::<Vec<_>>(), want, "{text} from {at}");
        }
        forget_kanji_runs();
    }
}

#[test]
fn particle_follows_matches_its_word_list() {
    const STARTS: &[&str] = &[
        "は",
        "が",
        "の",
        "を",
        "に",
        "へ",
        "と",
        "も",
        "で",
        "や",
        "か",
        "さん",
        "さま",
        "ちゃん",
        "くん",
        "だ",
        "より",
        "から",
        "まで",
        "ら",
        "など",
    ];
    let rests = [
        "",
        "は",
        "さ",
        "さん",
        "さま",
        "さと",
        "ち",
        "ちゃん",
        "ちょ",
        "く",
        "くん",
        "くら",
        "よ",
        "より",
        "よく",
        "ま",
        "まで",
        "まだ",
        "な",
        "など",
        "なに",
        "から",
        "かも",
        "ら",
        "り",
        "ん",
        "山田",
        "。",
        "a",
    ];
    for rest in rests {
        let plain = STARTS.iter().any(|s| rest.starts_with(s));
        assert_eq!(particle_follows(rest), plain, "{rest:?}");
    }
}

#[test]
fn cn_kr_surname_set_is_the_list() {
    for c in CN_KR_SURNAMES.chars() {
        assert!(is_cn_kr_surname(c), "{c}");
    }
    for c in ['山', '田', 'a', 'は', '々'] {
        assert_eq!(is_cn_kr_surname(c), CN_KR_SURNAMES.contains(c), "{c}");
    }
}

/// Person words, kinship words and glued titles found through the suffix sets.
#[test]
fn suffix_set_lookups_find_listed_endings() {
    let person = [
        ("俳優の", true),
        ("日本の俳優", true),
        ("父", true),
        ("三女", true),
        ("刑事", true),
        ("計画", false),
        ("", false),
        ("ギタリスト", false),
    ];
    for (before, want) in person {
        assert_eq!(person_word_before(before), want, "{before:?}");
    }
    let titles = [
        ("吉田茂首相", "首相".len()),
        ("竹下登蔵相", "蔵相".len()),
        ("鈴木教授", "教授".len()),
        // 課 ends places and offices (PLACE_SUFFIXES): 課長 is no glued title.
        ("田中課長", 0),
        ("上田市長", 0),
        ("事業計画", 0),
        ("相", 0),
        ("", 0),
    ];
    for (run, want) in titles {
        assert_eq!(glued_title(run), want, "{run:?}");
    }
}
