//! Japanese morphological analysis: lindera with the embedded IPADIC dictionary and
//! optional user dictionaries (local place names, surnames the dictionary lacks).

use std::borrow::Cow;
use std::cell::RefCell;
use std::ops::Range;
use std::sync::atomic::{AtomicU8, Ordering};

use lindera::dictionary::{Dictionary, UserDictionary};
use lindera::mode::Mode;
use lindera::segmenter::Segmenter;
use lindera_dictionary::viterbi::Lattice;

/// The IPADIC dictionary compiled into the binary by `build.rs`.
mod embedded {
    lindera_dictionary::embedded_dictionary!("/lindera-ipadic", EmbeddedIpadicLoader);
}

/// Coarse part-of-speech classes the detectors care about (IPADIC tags in brackets).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PosTag {
    /// 名詞,固有名詞,人名,姓
    Surname,
    /// 名詞,固有名詞,人名,名
    GivenName,
    /// 名詞,固有名詞,人名,一般
    PersonOther,
    /// 名詞,固有名詞,地域,*
    Place,
    /// 名詞,固有名詞,組織
    Organization,
    /// 名詞,固有名詞,一般
    ProperOther,
    /// 名詞,接尾,人名 (さん, 様, 氏 …)
    PersonSuffix,
    /// 名詞,接尾,地域 (県, 市, 町 …)
    PlaceSuffix,
    /// 名詞,数
    Number,
    /// Any other 名詞.
    Noun,
    /// 助詞
    Particle,
    /// 記号
    Symbol,
    /// Not in the dictionary (unknown word).
    Unknown,
    /// Anything else (verbs, adjectives, auxiliaries …).
    Other,
}

/// One token of the detection view.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    /// Byte range in the normalized text.
    pub range: Range<usize>,
    /// Coarse part of speech.
    pub pos: PosTag,
}

/// A token with the finer detail some detectors need (see [`Tokenizer::tokenize_fine`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FineToken {
    /// Byte range in the normalized text.
    pub range: Range<usize>,
    /// Coarse part of speech.
    pub pos: PosTag,
    /// A suffix noun (名詞,接尾: 者, 員, 長, 町, 様 …).
    pub suffix: bool,
    /// A prefix (接頭詞: お, ご, 各 …).
    pub prefix: bool,
}

/// A reusable, thread-safe tokenizer.
pub struct Tokenizer {
    segmenter: Segmenter,
    /// The [`WordClass`] of each system-dictionary word, filled on first sight
    /// (0: not yet known). Reading a word's class from its IPADIC detail fields means
    /// validating and splitting the whole detail record; the class of a word never
    /// changes, so it is read once per engine. One byte per word (~400 KB for IPADIC).
    classes: Vec<AtomicU8>,
}

thread_local! {
    /// The Viterbi lattice of this thread, reused by every segmentation so that its
    /// buffers are allocated once per thread instead of once per window. lindera
    /// resets it for every sentence (the output is the same as with a fresh one);
    /// it holds costs and word ids of the last sentence, no text.
    static LATTICE: RefCell<Lattice> = RefCell::new(Lattice::default());
}

/// What the detectors read from a word's detail fields: its [`PosTag`] and whether it
/// is a suffix noun or a prefix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct WordClass {
    pos: PosTag,
    suffix: bool,
    prefix: bool,
}

/// Every [`PosTag`], indexed by its code in [`WordClass::encode`].
const POS_TAGS: [PosTag; 14] = [
    PosTag::Surname,
    PosTag::GivenName,
    PosTag::PersonOther,
    PosTag::Place,
    PosTag::Organization,
    PosTag::ProperOther,
    PosTag::PersonSuffix,
    PosTag::PlaceSuffix,
    PosTag::Number,
    PosTag::Noun,
    PosTag::Particle,
    PosTag::Symbol,
    PosTag::Unknown,
    PosTag::Other,
];

impl WordClass {
    /// A non-zero byte (zero marks "not yet known" in [`Tokenizer::classes`]).
    fn encode(self) -> u8 {
        let pos = POS_TAGS.iter().position(|p| *p == self.pos).unwrap_or(13) as u8;
        1 + pos * 4 + u8::from(self.suffix) * 2 + u8::from(self.prefix)
    }

    /// The inverse of [`WordClass::encode`] (`None` for 0, "not yet known").
    fn decode(b: u8) -> Option<WordClass> {
        let v = b.checked_sub(1)?;
        Some(WordClass {
            pos: *POS_TAGS.get(usize::from(v / 4))?,
            suffix: v & 2 != 0,
            prefix: v & 1 != 0,
        })
    }

    /// Reads the class from IPADIC detail fields (品詞, 細分類1, 細分類2, 細分類3 …).
    fn from_details<'a>(mut it: impl Iterator<Item = &'a str>) -> WordClass {
        let p0 = it.next().unwrap_or("");
        let p1 = it.next().unwrap_or("");
        let p2 = it.next().unwrap_or("");
        let p3 = it.next().unwrap_or("");
        WordClass {
            pos: classify_fields(p0, p1, p2, p3),
            suffix: p0 == "名詞" && p1 == "接尾",
            prefix: p0 == "接頭詞",
        }
    }
}

impl std::fmt::Debug for Tokenizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokenizer").finish_non_exhaustive()
    }
}

impl Tokenizer {
    /// Loads the embedded IPADIC and compiles the given user dictionaries.
    ///
    /// Each user dictionary is `(label, csv)` in the 13-column IPADIC form
    /// (`surface,left_id,right_id,cost,品詞,…`); the label names it in errors.
    pub fn new(user_dictionaries: &[(String, String)]) -> Result<Tokenizer, String> {
        let dictionary: Dictionary =
            embedded::load().map_err(|e| format!("loading the embedded IPADIC: {e}"))?;
        let user = if user_dictionaries.is_empty() {
            None
        } else {
            Some(build_user_dictionary(&dictionary, user_dictionaries)?)
        };
        let words = dictionary.prefix_dictionary.words_idx_data.len() / 4;
        Ok(Tokenizer {
            segmenter: Segmenter::new(Mode::Normal, dictionary, user),
            classes: (0..words).map(|_| AtomicU8::new(0)).collect(),
        })
    }

    /// Segments `text` on this thread's reused lattice and hands each token's byte
    /// range and class to `f`.
    fn segment_with<T>(
        &self,
        text: &str,
        base: usize,
        mut f: impl FnMut(Range<usize>, WordClass) -> T,
    ) -> Vec<T> {
        let segmented = LATTICE.with(|lattice| match lattice.try_borrow_mut() {
            Ok(mut lattice) => self
                .segmenter
                .segment_with_lattice(Cow::Borrowed(text), &mut lattice),
            // Re-entered on this thread (never happens today): a fresh lattice.
            Err(_) => self.segmenter.segment(Cow::Borrowed(text)),
        });
        let Ok(tokens) = segmented else {
            return Vec::new();
        };
        tokens
            .iter()
            .map(|t| f(base + t.byte_start..base + t.byte_end, self.class_of(t)))
            .collect()
    }

    /// The class of one token: unknown words have no details, system words are read
    /// once and remembered, user-dictionary words are read each time.
    fn class_of(&self, t: &lindera::token::Token<'_>) -> WordClass {
        const UNKNOWN: WordClass = WordClass {
            pos: PosTag::Unknown,
            suffix: false,
            prefix: false,
        };
        let id = t.word_id;
        if id.is_unknown() {
            return UNKNOWN;
        }
        if !id.is_system() {
            let Some(user) = self.segmenter.user_dictionary.as_ref() else {
                return WordClass::from_details(std::iter::once("UNK"));
            };
            return WordClass::from_details(user.word_details_iter(id.id() as usize));
        }
        let slot = self.classes.get(id.id() as usize);
        if let Some(c) = slot.and_then(|s| WordClass::decode(s.load(Ordering::Relaxed))) {
            return c;
        }
        let c = WordClass::from_details(
            self.segmenter
                .dictionary
                .word_details_iter(id.id() as usize),
        );
        if let Some(s) = slot {
            s.store(c.encode(), Ordering::Relaxed);
        }
        c
    }

    /// Tokenizes `text` (already normalized); ranges are offset by `base`.
    pub fn tokenize(&self, text: &str, base: usize) -> Vec<Token> {
        self.segment_with(text, base, |range, c| Token { range, pos: c.pos })
    }

    /// Like [`Tokenizer::tokenize`], and also tells suffix nouns and prefixes apart.
    pub fn tokenize_fine(&self, text: &str, base: usize) -> Vec<FineToken> {
        self.segment_with(text, base, |range, c| FineToken {
            range,
            pos: c.pos,
            suffix: c.suffix,
            prefix: c.prefix,
        })
    }

    /// Tokenizes `text` and returns each token with its full IPADIC detail fields
    /// (品詞, 細分類1-3, 活用形, 活用型, 原形, 読み, 発音). Slower; for diagnostics.
    pub fn tokenize_with_details(&self, text: &str) -> Vec<(String, Vec<String>)> {
        let Ok(tokens) = self.segmenter.segment(Cow::Borrowed(text)) else {
            return Vec::new();
        };
        tokens
            .into_iter()
            .map(|mut t| {
                let surface = t.surface.to_string();
                let details = t.details().into_iter().map(str::to_owned).collect();
                (surface, details)
            })
            .collect()
    }
}

/// The [`PosTag`] of the first four IPADIC detail fields.
fn classify_fields(p0: &str, p1: &str, p2: &str, p3: &str) -> PosTag {
    match (p0, p1, p2, p3) {
        ("名詞", "固有名詞", "人名", "姓") => PosTag::Surname,
        ("名詞", "固有名詞", "人名", "名") => PosTag::GivenName,
        ("名詞", "固有名詞", "人名", _) => PosTag::PersonOther,
        ("名詞", "固有名詞", "地域", _) => PosTag::Place,
        ("名詞", "固有名詞", "組織", _) => PosTag::Organization,
        ("名詞", "固有名詞", _, _) => PosTag::ProperOther,
        ("名詞", "接尾", "人名", _) => PosTag::PersonSuffix,
        ("名詞", "接尾", "地域", _) => PosTag::PlaceSuffix,
        ("名詞", "数", _, _) => PosTag::Number,
        ("名詞", _, _, _) => PosTag::Noun,
        ("助詞", _, _, _) => PosTag::Particle,
        ("記号", _, _, _) => PosTag::Symbol,
        _ => PosTag::Other,
    }
}

fn build_user_dictionary(
    dictionary: &Dictionary,
    sources: &[(String, String)],
) -> Result<UserDictionary, String> {
    let mut csv = String::new();
    for (label, text) in sources {
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let cols = line.split(',').count();
            if cols != 13 {
                return Err(format!(
                    "{label}:{}: expected 13 comma-separated IPADIC columns \
                     (surface,left_id,right_id,cost,品詞,細分類1,細分類2,細分類3,活用形,活用型,原形,読み,発音), found {cols}",
                    i + 1
                ));
            }
            csv.push_str(line);
            csv.push('\n');
        }
    }
    let builder = lindera::dictionary::DictionaryBuilder::new((*dictionary.metadata).clone());
    builder
        .build_user_dict_from_reader(csv.as_bytes())
        .map_err(|e| format!("compiling user dictionaries: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipadic_tags_person_names() {
        let t = Tokenizer::new(&[]).unwrap();
        let text = "山田太郎さんが来た";
        let toks = t.tokenize(text, 0);
        let tags: Vec<(&str, PosTag)> = toks
            .iter()
            .map(|k| (&text[k.range.clone()], k.pos))
            .collect();
        assert!(tags.contains(&("山田", PosTag::Surname)), "{tags:?}");
        assert!(tags.contains(&("太郎", PosTag::GivenName)), "{tags:?}");
        assert!(tags.contains(&("さん", PosTag::PersonSuffix)), "{tags:?}");
    }

    #[test]
    fn user_dictionary_adds_words() {
        let csv =
            "関守川,1293,1293,-5000,名詞,固有名詞,地域,一般,*,*,関守川,セキモリガワ,セキモリガワ\n";
        let t = Tokenizer::new(&[("test.csv".into(), csv.into())]).unwrap();
        let text = "関守川の近く";
        let toks = t.tokenize(text, 0);
        assert_eq!(&text[toks[0].range.clone()], "関守川");
        assert_eq!(toks[0].pos, PosTag::Place);
    }

    #[test]
    fn malformed_user_dictionary_names_the_line() {
        let err = Tokenizer::new(&[("bad.csv".into(), "x,1,2\n".into())]).unwrap_err();
        assert!(err.contains("bad.csv:1"), "{err}");
    }
}
