//! Incremental framing of Gemini's JSON-array stream (`streamGenerateContent` without
//! `alt=sse`): one JSON array written element by element, `[{…}\n,{…}\n]`.
//!
//! Bytes between elements (`[`, `,`, whitespace, `]`) are forwarded at once; an
//! element is handed out as soon as its closing brace arrives. A body that is a single
//! object (plain `generateContent`, or an error) is handed out as one element.

use super::sse::MAX_EVENT_BYTES;

/// What the framer hands out.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum ArrayItem {
    /// Bytes to forward as they are.
    Raw(Vec<u8>),
    /// A complete top-level element (an object or array).
    Element(Vec<u8>),
    /// The array's closing `]` follows (as a `Raw` item): last chance to add elements.
    Closing,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Before the top-level value.
    #[default]
    Start,
    /// Inside the top-level array, between elements.
    Between,
    /// Inside an element.
    Element,
    /// After the top-level value (or after giving up on the framing): forward raw.
    Done,
}

/// See the module documentation.
#[derive(Debug, Default)]
pub(crate) struct ArrayFramer {
    state: State,
    /// Whether the top-level value is an array (else a single element).
    in_array: bool,
    elem: Vec<u8>,
    depth: usize,
    in_string: bool,
    escaped: bool,
    /// Elements written so far (including synthesized ones), to place commas.
    pub(crate) elements_out: usize,
}

impl ArrayFramer {
    /// Takes the next chunk and returns what it completes.
    pub(crate) fn push(&mut self, chunk: &[u8], out: &mut Vec<ArrayItem>) {
        let mut raw_from = 0;
        // One pass over the chunk: each iteration consumes one byte.
        for (i, &b) in chunk.iter().enumerate() {
            match self.state {
                State::Start | State::Between => match b {
                    b'[' if self.state == State::Start => {
                        self.in_array = true;
                        self.state = State::Between;
                    }
                    b'{' | b'[' => {
                        flush_raw(chunk, raw_from, i, out);
                        raw_from = i;
                        self.state = State::Element;
                        self.depth = 1;
                        self.elem.clear();
                        self.elem.push(b);
                    }
                    b']' if self.state == State::Between => {
                        flush_raw(chunk, raw_from, i, out);
                        raw_from = i;
                        out.push(ArrayItem::Closing);
                        self.state = State::Done;
                    }
                    _ => {}
                },
                State::Element => {
                    self.elem.push(b);
                    if self.in_string {
                        if self.escaped {
                            self.escaped = false;
                        } else if b == b'\\' {
                            self.escaped = true;
                        } else if b == b'"' {
                            self.in_string = false;
                        }
                    } else {
                        match b {
                            b'"' => self.in_string = true,
                            b'{' | b'[' => self.depth += 1,
                            b'}' | b']' => self.depth -= 1,
                            _ => {}
                        }
                    }
                    if self.depth == 0 {
                        out.push(ArrayItem::Element(std::mem::take(&mut self.elem)));
                        raw_from = i + 1;
                        self.state = if self.in_array {
                            State::Between
                        } else {
                            State::Done
                        };
                    } else if self.elem.len() > MAX_EVENT_BYTES {
                        // Too large to hold: forward it raw, and the rest of the body.
                        out.push(ArrayItem::Raw(std::mem::take(&mut self.elem)));
                        raw_from = i + 1;
                        self.state = State::Done;
                    }
                }
                State::Done => {}
            }
        }
        if self.state != State::Element {
            flush_raw(chunk, raw_from, chunk.len(), out);
        }
    }

    /// Ends the stream: the bytes of an incomplete element, if any.
    pub(crate) fn finish(&mut self) -> Option<Vec<u8>> {
        let rest = std::mem::take(&mut self.elem);
        let was_open = self.state == State::Element;
        self.state = State::Done;
        (was_open && !rest.is_empty()).then_some(rest)
    }

    /// Whether the framing still allows appending an element (the array is open).
    pub(crate) fn open_array(&self) -> bool {
        self.in_array && matches!(self.state, State::Between | State::Element)
    }
}

fn flush_raw(chunk: &[u8], from: usize, to: usize, out: &mut Vec<ArrayItem>) {
    if from < to {
        out.push(ArrayItem::Raw(chunk[from..to].to_vec()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elements_at_any_split() {
        let body = b"[{\"a\":\"x}]\\\"{\"}\r\n,{\"b\":[1,{}]}\n]";
        let want = vec![
            ArrayItem::Raw(b"[".to_vec()),
            ArrayItem::Element(b"{\"a\":\"x}]\\\"{\"}".to_vec()),
            ArrayItem::Raw(b"\r\n,".to_vec()),
            ArrayItem::Element(b"{\"b\":[1,{}]}".to_vec()),
            ArrayItem::Raw(b"\n".to_vec()),
            ArrayItem::Closing,
            ArrayItem::Raw(b"]".to_vec()),
        ];
        for k in 0..=body.len() {
            let mut f = ArrayFramer::default();
            let mut items = Vec::new();
            f.push(&body[..k], &mut items);
            f.push(&body[k..], &mut items);
            // Merge adjacent raw pieces, which a split may cut in two.
            let mut merged: Vec<ArrayItem> = Vec::new();
            for item in items {
                match (merged.last_mut(), item) {
                    (Some(ArrayItem::Raw(a)), ArrayItem::Raw(b)) => a.extend(b),
                    (_, item) => merged.push(item),
                }
            }
            assert_eq!(merged, want, "split at {k}");
            assert_eq!(f.finish(), None);
        }
    }

    #[test]
    fn single_object_and_truncation() {
        let mut f = ArrayFramer::default();
        let mut items = Vec::new();
        f.push(b" {\"a\":1} ", &mut items);
        assert_eq!(
            items,
            vec![
                ArrayItem::Raw(b" ".to_vec()),
                ArrayItem::Element(b"{\"a\":1}".to_vec()),
                ArrayItem::Raw(b" ".to_vec()),
            ]
        );
        let mut f = ArrayFramer::default();
        let mut items = Vec::new();
        f.push(b"[{\"a\":", &mut items);
        assert_eq!(items, vec![ArrayItem::Raw(b"[".to_vec())]);
        assert!(f.open_array());
        assert_eq!(f.finish(), Some(b"{\"a\":".to_vec()));
    }
}
