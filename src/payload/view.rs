//! The whole request as one text: the unit of inspection.
//!
//! A My Number typed as `個人番号は123456` in one message and `789018です` in the next,
//! or a phone split over two content parts, is one number to the person who sent it.
//! Scanned field by field it is two harmless fragments. [`RequestView`] joins the
//! prose slots of a request in document order with [`PART_SEPARATOR`] (a soft boundary
//! the normalization joins digit groups across), so one scan sees every fragment next
//! to its neighbours; [`RequestView::split`] maps each finding back to the slots it
//! covers, one piece per slot, in that slot's byte and character offsets.
//!
//! Settings ([`Slot::setting`]: numbers, `role`, `type`, ids) are appended after the
//! prose, each set off by [`HARD_BREAK`], which no detector crosses: a `role` between
//! two messages neither splits a number running across them nor joins with one.
//!
//! [`PART_SEPARATOR`]: crate::text::PART_SEPARATOR

use std::ops::Range;

use crate::inspect::Finding;
use crate::payload::request::Slot;
use crate::text::PART_SEPARATOR_STR;

/// What sets a setting off from everything else in the joined text: more line breaks
/// than any separator between the groups of a number may hold, so no detector joins
/// across it.
pub const HARD_BREAK: &str = "\u{2029}\u{2029}\u{2029}\u{2029}\u{2029}";

/// Where one slot's text lies in the joined text.
#[derive(Clone, Debug)]
struct Part {
    slot: usize,
    bytes: Range<usize>,
    chars: Range<usize>,
}

/// The prose and settings of one request joined into one text, with the map back.
#[derive(Clone, Debug, Default)]
pub struct RequestView {
    text: String,
    parts: Vec<Part>,
    slots: usize,
}

impl RequestView {
    /// Joins the texts of `slots` (see the module documentation).
    pub fn new(slots: &[Slot]) -> Self {
        let mut view = RequestView {
            text: String::with_capacity(slots.iter().map(|s| s.text.len() + 3).sum()),
            parts: Vec::with_capacity(slots.len()),
            slots: slots.len(),
        };
        let mut chars = 0;
        let prose = slots.iter().enumerate().filter(|(_, s)| !s.setting);
        let settings = slots.iter().enumerate().filter(|(_, s)| s.setting);
        let mut previous_was_setting = false;
        for (i, slot) in prose.chain(settings) {
            if !view.parts.is_empty() {
                let sep = if slot.setting || previous_was_setting {
                    HARD_BREAK
                } else {
                    PART_SEPARATOR_STR
                };
                view.text.push_str(sep);
                chars += sep.chars().count();
            }
            previous_was_setting = slot.setting;
            let start = view.text.len();
            view.text.push_str(&slot.text);
            let n = slot.text.chars().count();
            view.parts.push(Part {
                slot: i,
                bytes: start..view.text.len(),
                chars: chars..chars + n,
            });
            chars += n;
        }
        view
    }

    /// The joined text, to scan once.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Maps findings on [`text`](Self::text) back to the slots: entry `i` holds the
    /// findings of slot `i` in its own offsets. A finding that spans several slots
    /// gives one finding per slot it covers (its part there); the separators
    /// themselves belong to no slot.
    pub fn split(&self, findings: &[Finding]) -> Vec<Vec<Finding>> {
        let mut out = vec![Vec::new(); self.slots];
        // Parts are in text order: the first part a finding may touch is found by
        // binary search, whatever the order of the findings.
        for f in findings {
            let first = self.parts.partition_point(|p| p.bytes.end <= f.start);
            for part in self.parts[first..]
                .iter()
                .take_while(|p| p.bytes.start < f.end)
            {
                let (b, c) = (&part.bytes, &part.chars);
                let start = f.start.max(b.start);
                let end = f.end.min(b.end);
                if start >= end {
                    continue;
                }
                let mut piece = f.clone();
                piece.start = start - b.start;
                piece.end = end - b.start;
                piece.char_start = f.char_start.max(c.start) - c.start;
                piece.char_end = f.char_end.min(c.end) - c.start;
                out[part.slot].push(piece);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inspect::{Category, Engine, EngineBuilder};

    fn engine() -> &'static Engine {
        static ENGINE: std::sync::OnceLock<Engine> = std::sync::OnceLock::new();
        ENGINE.get_or_init(|| EngineBuilder::new().build().unwrap())
    }

    fn slot(text: &str, setting: bool) -> Slot {
        Slot {
            pointer: String::new(),
            nest: Vec::new(),
            path: String::new(),
            text: text.to_string(),
            is_key: false,
            setting,
        }
    }

    #[test]
    fn a_number_split_over_two_messages_is_found_in_both() {
        let slots = [
            slot("個人番号は123456", false),
            slot("user", true),
            slot("789018です", false),
        ];
        let view = RequestView::new(&slots);
        let engine = engine();
        let per_slot = view.split(&engine.scan(view.text()));
        let cat = |i: usize| {
            per_slot[i]
                .iter()
                .map(|f| f.category.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(cat(0), vec![Category::MyNumber]);
        assert_eq!(cat(1), vec![]);
        assert_eq!(cat(2), vec![Category::MyNumber]);
        let f = &per_slot[0][0];
        assert_eq!(&slots[0].text[f.start..f.end], "123456");
        assert_eq!((f.char_start, f.char_end), (5, 11));
        let f = &per_slot[2][0];
        assert_eq!(&slots[2].text[f.start..f.end], "789018");
        assert_eq!((f.char_start, f.char_end), (0, 6));
    }

    #[test]
    fn a_name_split_over_two_parts_is_found_in_both() {
        let slots = [slot("担当は森川", false), slot("陽菜です", false)];
        let view = RequestView::new(&slots);
        let per_slot = view.split(&engine().scan(view.text()));
        let slots = &slots;
        let texts: Vec<&str> = (0..2)
            .flat_map(|i| {
                per_slot[i]
                    .iter()
                    .map(move |f| &slots[i].text[f.start..f.end])
            })
            .collect();
        assert_eq!(texts, vec!["森川", "陽菜"]);
    }

    #[test]
    fn settings_never_join_their_neighbours() {
        // 8 + 4 digits across a hard break would make a (valid) My Number.
        let slots = [
            slot("12345678", true),
            slot("9018", true),
            slot("番号", false),
        ];
        let view = RequestView::new(&slots);
        let engine = engine();
        let per_slot = view.split(&engine.scan(view.text()));
        assert!(per_slot.iter().all(Vec::is_empty), "{per_slot:?}");
    }

    #[test]
    fn findings_inside_one_slot_keep_their_offsets() {
        let slots = [
            slot("こんにちは", false),
            slot("連絡は090-1234-5678へ", false),
        ];
        let view = RequestView::new(&slots);
        let engine = engine();
        let per_slot = view.split(&engine.scan(view.text()));
        assert!(per_slot[0].is_empty());
        let f = &per_slot[1][0];
        assert_eq!(&slots[1].text[f.start..f.end], "090-1234-5678");
        assert_eq!(engine.scan(&slots[1].text)[0], *f);
    }
}
