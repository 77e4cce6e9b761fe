//! Edits of the configuration file by the console: word lists (禁止ワード) and their
//! policy action, written with `toml_edit` so comments and layout survive, validated
//! exactly as `sekimori check-config` validates (parse, meaning, compiled engine)
//! before anything is written, written atomically, the previous version kept in
//! `<file>.history/`.

use std::io::Write;
use std::path::{Path, PathBuf};

use toml_edit::{Array, DocumentMut, Item, Table, Value};

use crate::config::{self, ConfigError};
use crate::gateway::runtime::Runtime;

/// Shortest banned word accepted: one character would match almost every text.
pub const MIN_WORD_CHARS: usize = 2;

/// A proposed change of one word list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WordListEdit {
    /// The list (`[[detection.word_lists]] name`, also its category); created if new.
    pub list: String,
    /// Its inline words after the change.
    pub words: Vec<String>,
    /// Its action in `[policy.actions]` (`block`, `mask`, `warn`, `log`), when set.
    pub action: Option<String>,
}

/// A problem with an edit, for the administrator (names words by position, the words
/// are the administrator's own input).
#[derive(Debug, thiserror::Error)]
pub enum EditError {
    /// A word list that cannot be used.
    #[error("{0}")]
    Words(String),
    /// The configuration file cannot be edited here.
    #[error("{0}")]
    NotEditable(String),
    /// The edited configuration does not pass `check-config`.
    #[error("the changed configuration is refused, nothing was written: {0}")]
    Invalid(ConfigError),
    /// The file changed since the proposal.
    #[error("the configuration file changed since this change was proposed; propose it again")]
    Stale,
    /// Writing failed.
    #[error("cannot write {path}: {error}; check the directory's permissions")]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        error: std::io::Error,
    },
}

/// Checks a list name and its words: no empty word, no duplicate (ignoring case and
/// surrounding space), none that would match everything (shorter than
/// [`MIN_WORD_CHARS`] or only punctuation and spaces), at least one word.
pub fn check_words(edit: &WordListEdit) -> Result<(), EditError> {
    let name_ok = !edit.list.is_empty()
        && edit.list.len() <= 64
        && edit
            .list
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if !name_ok {
        return Err(EditError::Words(
            "リスト名は半角英数字・_・- で書いてください / a list name is ASCII letters, digits, _ and -".into(),
        ));
    }
    if crate::inspect::Category::is_builtin_name(&edit.list) {
        return Err(EditError::Words(format!(
            "「{}」は組み込みの分類名です / '{}' is a built-in category name",
            edit.list, edit.list
        )));
    }
    if let Some(a) = &edit.action {
        if a.parse::<crate::policy::Action>().is_err() {
            return Err(EditError::Words(
                "動作は block, mask, warn, log のいずれかです / the action is block, mask, warn or log".into(),
            ));
        }
    }
    if edit.words.is_empty() {
        return Err(EditError::Words(
            "語が一つもありません / the list has no word".into(),
        ));
    }
    let mut seen = std::collections::HashSet::new();
    for (i, w) in edit.words.iter().enumerate() {
        let n = i + 1;
        let t = w.trim();
        if t.is_empty() {
            return Err(EditError::Words(format!(
                "{n} 行目が空です / line {n} is empty"
            )));
        }
        let meaningful = t.chars().filter(|c| c.is_alphanumeric()).count();
        if t.chars().count() < MIN_WORD_CHARS || meaningful == 0 {
            return Err(EditError::Words(format!(
                "{n} 行目の語はほぼすべての文に一致します（{MIN_WORD_CHARS} 文字以上の語にしてください） / the word on line {n} would match almost every text (use at least {MIN_WORD_CHARS} characters, not only punctuation)"
            )));
        }
        if !seen.insert(t.to_lowercase()) {
            return Err(EditError::Words(format!(
                "{n} 行目の語は重複しています / the word on line {n} is a duplicate"
            )));
        }
    }
    Ok(())
}

/// The inline words and action of every `[[detection.word_lists]]` in `text`.
pub fn word_lists(text: &str) -> Vec<WordListEdit> {
    let Ok(cfg) = text.parse::<toml::Table>() else {
        return Vec::new();
    };
    let actions = cfg
        .get("policy")
        .and_then(|p| p.get("actions"))
        .and_then(|a| a.as_table());
    cfg.get("detection")
        .and_then(|d| d.get("word_lists"))
        .and_then(|l| l.as_array())
        .map(|lists| {
            lists
                .iter()
                .filter_map(|l| {
                    let name = l.get("name")?.as_str()?.to_string();
                    let words = l
                        .get("words")
                        .and_then(|w| w.as_array())
                        .map(|a| {
                            a.iter()
                                .filter_map(|w| w.as_str().map(str::to_string))
                                .collect()
                        })
                        .unwrap_or_default();
                    let action = actions
                        .and_then(|a| a.get(&name))
                        .and_then(|v| v.as_str())
                        .map(str::to_string);
                    Some(WordListEdit {
                        list: name,
                        words,
                        action,
                    })
                })
                .collect()
        })
        .unwrap_or_default()
}

/// `[detection] allow_words` of `text` (terms never flagged).
pub fn allow_words(text: &str) -> Vec<String> {
    text.parse::<toml::Table>()
        .ok()
        .and_then(|t| {
            t.get("detection")?.get("allow_words")?.as_array().map(|a| {
                a.iter()
                    .filter_map(|w| w.as_str().map(str::to_string))
                    .collect()
            })
        })
        .unwrap_or_default()
}

/// Checks a new allow list: no empty line, no duplicate (may be empty as a whole).
pub fn check_allow(words: &[String]) -> Result<(), EditError> {
    let mut seen = std::collections::HashSet::new();
    for (i, w) in words.iter().enumerate() {
        let n = i + 1;
        if w.trim().is_empty() {
            return Err(EditError::Words(format!(
                "{n} 行目が空です / line {n} is empty"
            )));
        }
        if !seen.insert(w.trim().to_lowercase()) {
            return Err(EditError::Words(format!(
                "{n} 行目の語は重複しています / the word on line {n} is a duplicate"
            )));
        }
    }
    Ok(())
}

/// `text` with `[detection] allow_words` replaced by `words`.
pub fn apply_allow(text: &str, words: &[String]) -> Result<String, EditError> {
    let mut doc: DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| {
        EditError::NotEditable(format!(
            "the configuration file does not parse as TOML: {}",
            e.message()
        ))
    })?;
    let detection = doc
        .entry("detection")
        .or_insert_with(|| Item::Table(Table::new()))
        .as_table_mut()
        .ok_or_else(|| EditError::NotEditable("[detection] is not a table".into()))?;
    let arr: Array = words.iter().map(|w| w.trim()).collect();
    detection.insert("allow_words", toml_edit::value(Value::Array(arr)));
    Ok(doc.to_string())
}

/// `text` with the edit applied (comments and layout of everything else kept).
pub fn apply(text: &str, edit: &WordListEdit) -> Result<String, EditError> {
    let mut doc: DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| {
        EditError::NotEditable(format!(
            "the configuration file does not parse as TOML: {}",
            e.message()
        ))
    })?;
    let detection = doc
        .entry("detection")
        .or_insert_with(|| Item::Table(Table::new()))
        .as_table_mut()
        .ok_or_else(|| EditError::NotEditable("[detection] is not a table".into()))?;
    let lists = detection
        .entry("word_lists")
        .or_insert_with(|| Item::ArrayOfTables(Default::default()))
        .as_array_of_tables_mut()
        .ok_or_else(|| {
            EditError::NotEditable(
                "detection.word_lists is not written as [[detection.word_lists]] tables".into(),
            )
        })?;
    let words: Array = edit.words.iter().map(|w| w.trim()).collect();
    let existing = lists
        .iter_mut()
        .find(|t| t.get("name").and_then(|n| n.as_str()) == Some(edit.list.as_str()));
    match existing {
        Some(t) => {
            t["words"] = toml_edit::value(Value::Array(words));
        }
        None => {
            let mut t = Table::new();
            t["name"] = toml_edit::value(edit.list.as_str());
            t["words"] = toml_edit::value(Value::Array(words));
            lists.push(t);
        }
    }
    if let Some(action) = &edit.action {
        let policy = doc
            .entry("policy")
            .or_insert_with(|| Item::Table(Table::new()))
            .as_table_mut()
            .ok_or_else(|| EditError::NotEditable("[policy] is not a table".into()))?;
        let actions = policy
            .entry("actions")
            .or_insert_with(|| Item::Table(Table::new()))
            .as_table_like_mut()
            .ok_or_else(|| EditError::NotEditable("policy.actions is not a table".into()))?;
        actions.insert(&edit.list, toml_edit::value(action.as_str()));
    }
    Ok(doc.to_string())
}

/// Validates `text` as the configuration at `path` exactly as `check-config` does
/// (environment references resolved from the process environment) and compiles it.
/// Slow (builds the engine): call it off the async workers.
pub fn validate(text: &str, path: &Path) -> Result<Runtime, EditError> {
    let env = |name: &str| std::env::var(name).ok();
    let cfg = config::load_str(text, path, &env).map_err(EditError::Invalid)?;
    cfg.validate(text, path).map_err(EditError::Invalid)?;
    let mut rt = Runtime::build(cfg, Some(path.to_path_buf())).map_err(EditError::Invalid)?;
    rt.source_text = Some(text.to_string());
    Ok(rt)
}

/// SHA-256 of a configuration text, hex.
pub fn digest(text: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(text.as_bytes()))
}

/// Writes `bytes` to `path` atomically: a temporary file in the same directory,
/// flushed to disk, then renamed over `path`. `private`: mode 0600 (Unix).
pub fn write_atomic(path: &Path, bytes: &[u8], private: bool) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.sekimori-tmp"));
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = private;
    let mut f = opts.open(&tmp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    drop(f);
    std::fs::rename(&tmp, path)?;
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Where the previous versions of `path` are kept: `<file>.history/`.
pub fn history_dir(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "config".into());
    path.with_file_name(format!("{name}.history"))
}

/// Replaces the file at `path`, whose text must still be the one with digest
/// `base_digest`, by `new_text`: the old text is first kept in [`history_dir`] as
/// `<UTC time>-<digest prefix>.toml`. Returns where the old version went.
pub fn write_config(path: &Path, base_digest: &str, new_text: &str) -> Result<PathBuf, EditError> {
    let io = |error| EditError::Io {
        path: path.to_path_buf(),
        error,
    };
    let old = std::fs::read_to_string(path).map_err(io)?;
    if digest(&old) != base_digest {
        return Err(EditError::Stale);
    }
    let hist = history_dir(path);
    std::fs::create_dir_all(&hist).map_err(|error| EditError::Io {
        path: hist.clone(),
        error,
    })?;
    let now = time::OffsetDateTime::now_utc();
    let stamp = format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}.{:03}Z",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second(),
        now.millisecond()
    );
    let kept = hist.join(format!("{stamp}-{}.toml", &base_digest[..12]));
    write_atomic(&kept, old.as_bytes(), false).map_err(|error| EditError::Io {
        path: kept.clone(),
        error,
    })?;
    write_atomic(path, new_text.as_bytes(), false).map_err(io)?;
    Ok(kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "# 関守の設定\n[policy]\ndefault_action = \"mask\" # 既定\n\n[[detection.word_lists]]\nname = \"secret\"\nwords = [\"極秘案件\"] # 最初の語\n";

    fn edit(list: &str, words: &[&str]) -> WordListEdit {
        WordListEdit {
            list: list.into(),
            words: words.iter().map(|w| w.to_string()).collect(),
            action: None,
        }
    }

    #[test]
    fn an_edit_keeps_comments_and_adds_lists() {
        let out = apply(TEXT, &edit("secret", &["極秘案件", "社外秘資料"])).unwrap();
        assert!(out.contains("# 関守の設定"), "{out}");
        assert!(out.contains("# 既定"), "{out}");
        assert_eq!(word_lists(&out)[0].words, vec!["極秘案件", "社外秘資料"]);
        let mut e = edit("codes", &["案件コードX"]);
        e.action = Some("block".into());
        let out = apply(&out, &e).unwrap();
        let lists = word_lists(&out);
        assert_eq!(lists.len(), 2);
        assert_eq!(lists[1].list, "codes");
        assert_eq!(lists[1].action.as_deref(), Some("block"));
        assert!(out.contains("default_action = \"mask\" # 既定"), "{out}");
    }

    #[test]
    fn the_allow_list_is_replaced() {
        let out = apply_allow(TEXT, &["市役所".into(), "区役所".into()]).unwrap();
        assert_eq!(allow_words(&out), vec!["市役所", "区役所"]);
        assert_eq!(word_lists(&out)[0].words, vec!["極秘案件"]);
        assert!(check_allow(&["市役所".into(), "市役所".into()]).is_err());
        assert!(check_allow(&[" ".into()]).is_err());
        assert!(check_allow(&[]).is_ok());
    }

    #[test]
    fn empty_duplicate_and_match_everything_words_are_refused() {
        assert!(check_words(&edit("secret", &["極秘案件", "社外秘"])).is_ok());
        for bad in [
            edit("secret", &[]),
            edit("secret", &["極秘案件", "  "]),
            edit("secret", &["極秘案件", "極秘案件 "]),
            edit("secret", &["Abc", "abc"]),
            edit("secret", &["の"]),
            edit("secret", &["、。"]),
            edit("phone", &["極秘案件"]),
            edit("秘密", &["極秘案件"]),
        ] {
            assert!(check_words(&bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_stale_base_is_refused_and_the_old_version_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("s.toml");
        std::fs::write(&p, TEXT).unwrap();
        assert!(matches!(
            write_config(&p, &digest("other"), "x = 1\n"),
            Err(EditError::Stale)
        ));
        let kept = write_config(&p, &digest(TEXT), "x = 1\n").unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "x = 1\n");
        assert_eq!(std::fs::read_to_string(kept).unwrap(), TEXT);
    }
}
