//! Writing masked texts back into a request body.
//!
//! Each edit names a slot of [`extract_slots`](super::extract_slots) and its new text.
//! Values of the body are replaced in place ([`set_slot`](super::set_slot)); literals
//! of JSON held in strings are spliced into that string's text, innermost document
//! first, each re-encoded in the style it came in ([`json_text`](super::json_text));
//! keys are renamed last, from the deepest to the first, so that no rename invalidates
//! a pointer still to be used.

use std::collections::BTreeMap;
use std::ops::Range;

use serde_json::Value;

use super::json_text::{self, Style};
use super::{rename_key, set_slot, Slot};

/// An edit could not be applied: the body no longer has the slot's shape. The
/// request must not be forwarded (the caller answers 503).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the field at {path} could not be rewritten; nothing was forwarded")]
pub struct EditError {
    /// Human path of the slot (no value).
    pub path: String,
}

/// Applies `edits` (slot index, new text) to `body`; `slots` are the slots the
/// indices refer to, extracted from this body.
pub fn apply(
    body: &mut Value,
    slots: &[Slot],
    edits: Vec<(usize, String)>,
) -> Result<(), EditError> {
    let fail = |i: usize| EditError {
        path: slots[i].path.clone(),
    };
    // Literals of nested documents, grouped by the string that holds them.
    let mut nested: BTreeMap<&str, Vec<(usize, String)>> = BTreeMap::new();
    let mut keys = Vec::new();
    for (i, text) in edits {
        let slot = &slots[i];
        if !slot.nest.is_empty() {
            nested
                .entry(slot.pointer.as_str())
                .or_default()
                .push((i, text));
        } else if slot.is_key {
            keys.push((i, text));
        } else if !set_slot(body, &slot.pointer, text) {
            return Err(fail(i));
        }
    }
    for (pointer, edits) in nested {
        let first = edits[0].0;
        let Some(Value::String(doc)) = body.pointer_mut(pointer) else {
            return Err(fail(first));
        };
        let chains: Vec<Chain<'_>> = edits
            .iter()
            .map(|(i, t)| (slots[*i].nest.as_slice(), t.as_str()))
            .collect();
        *doc = splice_nested(doc, &chains).ok_or_else(|| fail(first))?;
    }
    keys.sort_by_key(|(i, _)| std::cmp::Reverse(*i));
    for (i, text) in keys {
        if !rename_key(body, &slots[i].pointer, text) {
            return Err(fail(i));
        }
    }
    Ok(())
}

/// A literal named by its chain of spans (outermost first), with its new text.
type Chain<'a> = (&'a [Range<usize>], &'a str);

/// Rewrites the document `doc`: each chain names a literal by its span in `doc`, then
/// (for deeper documents) by its span in the string that literal decodes to, and so on.
fn splice_nested(doc: &str, chains: &[Chain<'_>]) -> Option<String> {
    let style = Style::of(doc);
    let mut by_span: BTreeMap<(usize, usize), Vec<Chain<'_>>> = BTreeMap::new();
    for (chain, text) in chains {
        let (first, rest) = chain.split_first()?;
        by_span
            .entry((first.start, first.end))
            .or_default()
            .push((rest, text));
    }
    let mut literals = Vec::with_capacity(by_span.len());
    for ((start, end), inner) in by_span {
        let new_text = match inner.as_slice() {
            [([], text)] => (*text).to_string(),
            _ => {
                let decoded: String = serde_json::from_str(doc.get(start..end)?).ok()?;
                splice_nested(&decoded, &inner)?
            }
        };
        literals.push((start..end, json_text::encode(&new_text, style)));
    }
    json_text::splice(doc, literals)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::extract_slots;
    use super::*;

    fn mask_all(body: &mut Value, needle: &str, with: &str) {
        let slots = extract_slots(body);
        let edits = slots
            .iter()
            .enumerate()
            .filter(|(_, s)| s.text.contains(needle))
            .map(|(i, s)| (i, s.text.replace(needle, with)))
            .collect();
        apply(body, &slots, edits).unwrap();
    }

    #[test]
    fn nested_arguments_keep_their_escaping() {
        let args = r#"{"name": "\u68ee\u5ddd\u967d\u83dc", "n": 3}"#;
        let mut v = json!({"tool_calls": [{"function": {"arguments": args}}]});
        let slots = extract_slots(&v);
        let name = slots.iter().find(|s| s.text == "森川陽菜").unwrap();
        assert_eq!(name.path, "tool_calls[0].function.arguments(json).name");
        mask_all(&mut v, "森川陽菜", "〔氏名1〕");
        assert_eq!(
            v["tool_calls"][0]["function"]["arguments"],
            r#"{"name": "\u3014\u6c0f\u540d1\u3015", "n": 3}"#
        );
    }

    #[test]
    fn plain_nested_documents_stay_plain_and_keys_are_renamed() {
        let args = r#"{"森川陽菜":{"tel":"090-1234-5678"},"memo":"森川陽菜さん"}"#;
        let mut v = json!({"input": args, "森川陽菜": 1});
        mask_all(&mut v, "森川陽菜", "〔氏名1〕");
        assert_eq!(
            v["input"],
            r#"{"〔氏名1〕":{"tel":"090-1234-5678"},"memo":"〔氏名1〕さん"}"#
        );
        assert_eq!(v["〔氏名1〕"], 1);
    }

    #[test]
    fn doubly_encoded_documents_are_rewritten_inside_out() {
        let inner = r#"{"q":"森川陽菜"}"#;
        let outer = serde_json::to_string(&json!({"payload": inner})).unwrap();
        let mut v = json!({"arguments": outer});
        let slots = extract_slots(&v);
        let s = slots.iter().find(|s| s.text == "森川陽菜").unwrap();
        assert_eq!(s.nest.len(), 2);
        mask_all(&mut v, "森川陽菜", "〔氏名1〕");
        let o: Value = serde_json::from_str(v["arguments"].as_str().unwrap()).unwrap();
        let i: Value = serde_json::from_str(o["payload"].as_str().unwrap()).unwrap();
        assert_eq!(i["q"], "〔氏名1〕");
    }

    #[test]
    fn nested_numbers_become_strings() {
        let mut v = json!({"arguments": r#"{"kojin_bangou": 123456789018}"#});
        mask_all(&mut v, "123456789018", "〔個人番号1〕");
        assert_eq!(v["arguments"], r#"{"kojin_bangou": "〔個人番号1〕"}"#);
    }
}
