//! Incremental server-sent-events framing.
//!
//! [`SseFramer`] cuts a byte stream into complete events at blank lines, wherever the
//! chunk boundaries fall (inside a line, between `\r` and `\n`, inside a UTF-8
//! sequence). It accepts `\n`, `\r\n` and `\r` line endings. An event is handed out as
//! soon as its terminating blank line is seen; only an incomplete trailing event is
//! kept. Each event keeps its raw bytes so an unchanged event is forwarded
//! byte-for-byte, and a changed one keeps every line but its `data:` lines.

/// Largest incomplete event kept in memory; beyond it the event is forwarded raw (and
/// not restored) until its end, so a stream without blank lines cannot exhaust memory.
pub(crate) const MAX_EVENT_BYTES: usize = 8 << 20;

/// One line of an event, as offsets into [`SseEvent::raw`].
#[derive(Clone, Copy, Debug)]
struct Line {
    start: usize,
    content_end: usize,
    end: usize,
}

/// A complete event: raw bytes (including the terminating blank line) and its lines.
#[derive(Debug)]
pub(crate) struct SseEvent {
    raw: Vec<u8>,
    lines: Vec<Line>,
}

/// What the framer hands out.
#[derive(Debug)]
pub(crate) enum SseItem {
    /// Bytes to forward as they are.
    Raw(Vec<u8>),
    /// A complete event.
    Event(SseEvent),
}

/// See the module documentation.
#[derive(Debug, Default)]
pub(crate) struct SseFramer {
    buf: Vec<u8>,
    /// Lines of the current event found so far (offsets into `buf`).
    lines: Vec<Line>,
    /// Bytes of `buf` already split into lines.
    scanned: usize,
    /// Bytes of `buf` known to hold no line terminator after `scanned` (so a long
    /// line arriving in small chunks is searched once, not once per chunk).
    searched: usize,
    /// The last event ended with a `\r` at the end of a chunk: a `\n` starting the
    /// next chunk belongs to it.
    skip_lf: bool,
    /// Forwarding an oversized event raw until its end.
    overflow: bool,
    /// Line ending seen first in the stream (used for synthesized events).
    newline: Option<&'static str>,
}

impl SseFramer {
    /// Line ending for synthesized events: the stream's own, `\n` by default.
    pub(crate) fn newline(&self) -> &'static str {
        self.newline.unwrap_or("\n")
    }

    /// Takes the next chunk and returns what it completes.
    pub(crate) fn push(&mut self, mut chunk: &[u8], out: &mut Vec<SseItem>) {
        if chunk.is_empty() {
            return;
        }
        if std::mem::take(&mut self.skip_lf) && chunk[0] == b'\n' {
            out.push(SseItem::Raw(b"\n".to_vec()));
            chunk = &chunk[1..];
            // The stream's first line ending was this `\r\n`, cut after its `\r`.
            self.newline.get_or_insert("\r\n");
        }
        self.buf.extend_from_slice(chunk);
        self.split(false, out);
    }

    /// Ends the stream: returns the incomplete trailing event's bytes, if any.
    pub(crate) fn finish(&mut self) -> Option<Vec<u8>> {
        let mut items = Vec::new();
        self.split(true, &mut items);
        // `split` at the end releases only complete events, which cannot be here:
        // any complete event was handed out by `push` already.
        debug_assert!(items.is_empty());
        self.lines.clear();
        self.scanned = 0;
        self.searched = 0;
        self.overflow = false;
        let rest = std::mem::take(&mut self.buf);
        (!rest.is_empty()).then_some(rest)
    }

    fn split(&mut self, at_end: bool, out: &mut Vec<SseItem>) {
        // Start of the current (incomplete) event in `buf`; complete events before it
        // are drained once at the end, not one by one.
        let mut event_start = 0;
        // Each iteration consumes a line (`scanned` grows) or breaks, so this ends.
        loop {
            let from = self.scanned.max(self.searched);
            let Some(rel) = self.buf[from..]
                .iter()
                .position(|&b| b == b'\n' || b == b'\r')
            else {
                self.searched = self.buf.len();
                break;
            };
            let content_end = from + rel;
            self.searched = content_end;
            let end = if self.buf[content_end] == b'\r' {
                match self.buf.get(content_end + 1) {
                    Some(b'\n') => content_end + 2,
                    Some(_) => content_end + 1,
                    // A `\r` ending the buffer: for a blank line the event is complete
                    // now (a following `\n` is skipped); otherwise wait for the next
                    // byte, which costs nothing since the event is not complete.
                    None if content_end == self.scanned || at_end => content_end + 1,
                    None => break,
                }
            } else {
                content_end + 1
            };
            // A `\r` ending the buffer may be the first half of `\r\n`: the line
            // ending is not known until the next byte (see `skip_lf` in `push`).
            let undecided = !at_end
                && end == content_end + 1
                && end == self.buf.len()
                && self.buf[content_end] == b'\r';
            if self.newline.is_none() && !undecided {
                self.newline = Some(match &self.buf[content_end..end] {
                    b"\r\n" => "\r\n",
                    b"\r" => "\r",
                    _ => "\n",
                });
            }
            let blank = content_end == self.scanned;
            self.lines.push(Line {
                start: self.scanned - event_start,
                content_end: content_end - event_start,
                end: end - event_start,
            });
            self.scanned = end;
            if blank {
                if end == self.buf.len() && self.buf[end - 1] == b'\r' {
                    self.skip_lf = true;
                }
                let raw = self.buf[event_start..end].to_vec();
                let lines = std::mem::take(&mut self.lines);
                event_start = end;
                if std::mem::take(&mut self.overflow) {
                    out.push(SseItem::Raw(raw));
                } else {
                    out.push(SseItem::Event(SseEvent { raw, lines }));
                }
            }
        }
        if event_start > 0 {
            self.buf.drain(..event_start);
            self.scanned -= event_start;
            self.searched -= event_start;
        }
        if self.overflow || self.buf.len() > MAX_EVENT_BYTES {
            // Forward what we have (but a trailing `\r`, which may pair with a `\n`);
            // the rest of this event follows raw.
            self.overflow = true;
            let mut upto = self.buf.len();
            if self.buf.last() == Some(&b'\r') {
                upto -= 1;
            }
            if upto > 0 {
                out.push(SseItem::Raw(self.buf.drain(..upto).collect()));
                self.lines.clear();
                self.scanned = 0;
                self.searched = 0;
            }
        }
    }
}

/// The parsed fields of an event that the restorer needs.
pub(crate) struct Fields<'e> {
    /// Value of the last `event:` field.
    pub(crate) event: Option<&'e str>,
    /// `data:` values joined with `\n`, if any `data:` field is present.
    pub(crate) data: Option<String>,
}

impl SseEvent {
    /// The raw bytes of the event.
    pub(crate) fn raw(&self) -> &[u8] {
        &self.raw
    }

    fn field(&self, line: &Line) -> Option<(&[u8], &[u8])> {
        let content = &self.raw[line.start..line.content_end];
        if content.is_empty() || content[0] == b':' {
            return None;
        }
        Some(match content.iter().position(|&b| b == b':') {
            Some(i) => {
                let value = &content[i + 1..];
                (&content[..i], value.strip_prefix(b" ").unwrap_or(value))
            }
            None => (content, &b""[..]),
        })
    }

    /// The `event` and `data` fields; `None` if a field is not UTF-8.
    pub(crate) fn fields(&self) -> Option<Fields<'_>> {
        let mut event = None;
        let mut data: Option<String> = None;
        for line in &self.lines {
            match self.field(line) {
                Some((b"event", v)) => event = Some(std::str::from_utf8(v).ok()?),
                Some((b"data", v)) => {
                    let v = std::str::from_utf8(v).ok()?;
                    match &mut data {
                        Some(d) => {
                            d.push('\n');
                            d.push_str(v);
                        }
                        None => data = Some(v.to_string()),
                    }
                }
                _ => {}
            }
        }
        Some(Fields { event, data })
    }

    /// The event with its `data:` lines replaced by `data: {data}` (one line per line
    /// of `data`, at the place of the first); every other line is kept byte-for-byte.
    pub(crate) fn with_data(&self, data: &str) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.raw.len() + data.len());
        let mut written = false;
        for line in &self.lines {
            match self.field(line) {
                Some((b"data", _)) => {
                    if !written {
                        written = true;
                        // Data spanning lines (kept from a multi-line original) goes
                        // out as several `data:` lines, which the client joins back.
                        for part in data.split('\n') {
                            out.extend_from_slice(b"data: ");
                            out.extend_from_slice(part.as_bytes());
                            out.extend_from_slice(&self.raw[line.content_end..line.end]);
                        }
                    }
                }
                _ => out.extend_from_slice(&self.raw[line.start..line.end]),
            }
        }
        out
    }
}

/// A synthesized event in SSE framing.
pub(crate) fn format_event(event: Option<&str>, data: &str, newline: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + 32);
    if let Some(name) = event {
        out.extend_from_slice(b"event: ");
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(newline.as_bytes());
    }
    // JSON copied from a multi-line event keeps its line breaks (outside strings):
    // one `data:` line per line, which the client joins back with `\n`.
    for part in data.split('\n') {
        out.extend_from_slice(b"data: ");
        out.extend_from_slice(part.as_bytes());
        out.extend_from_slice(newline.as_bytes());
    }
    out.extend_from_slice(newline.as_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(chunks: &[&[u8]]) -> (Vec<Vec<u8>>, Option<Vec<u8>>) {
        let mut f = SseFramer::default();
        let mut items = Vec::new();
        for c in chunks {
            f.push(c, &mut items);
        }
        let mut got: Vec<Vec<u8>> = Vec::new();
        for item in items {
            match item {
                SseItem::Raw(r) => got.push(r),
                SseItem::Event(e) => got.push(e.raw().to_vec()),
            }
        }
        (got, f.finish())
    }

    #[test]
    fn splits_at_blank_lines_with_any_line_ending() {
        // (pushed chunks, items handed out, incomplete tail at finish)
        type Case<'a> = (&'a [&'a [u8]], &'a [&'a [u8]], Option<&'a [u8]>);
        let cases: &[Case] = &[
            (
                &[b"data: a\n\ndata: b\n\nda"],
                &[b"data: a\n\n", b"data: b\n\n"],
                Some(b"da"),
            ),
            (
                &[b"data: a\r\n\r", b"\ndata: b\r\n\r\n"],
                &[b"data: a\r\n\r", b"\n", b"data: b\r\n\r\n"],
                None,
            ),
            (
                &[b"data: a\r", b"\ndata: b\r\n\r\n"],
                &[b"data: a\r\ndata: b\r\n\r\n"],
                None,
            ),
            (
                &[b"data: a\r\rdata: b\r\r"],
                &[b"data: a\r\r", b"data: b\r\r"],
                None,
            ),
            (&[b": comment\n\n"], &[b": comment\n\n"], None),
        ];
        for (chunks, want, rest) in cases {
            let (got, tail) = events(chunks);
            assert_eq!(got, want.iter().map(|w| w.to_vec()).collect::<Vec<_>>());
            assert_eq!(tail.as_deref(), *rest);
        }
    }

    /// Found by the fuzz target `stream_split`: a stream opening with a blank `\r\n`
    /// line cut after its `\r` took `\r` as its line ending, so events synthesized
    /// later ended in `\r\r` instead of the stream's `\r\n\r\n`.
    #[test]
    fn line_ending_cut_after_its_cr_is_the_streams_own() {
        for chunks in [
            &[&b"\r"[..], b"\ndata: a\r\n\r\n"][..],
            &[b"\r\n", b"data: a\r\n\r\n"],
            &[b"data: a\r\n\r", b"\n"],
        ] {
            let mut f = SseFramer::default();
            let mut items = Vec::new();
            for c in chunks {
                f.push(c, &mut items);
            }
            assert_eq!(f.newline(), "\r\n", "{chunks:?}");
        }
        let mut f = SseFramer::default();
        f.push(b"\r", &mut Vec::new());
        f.push(b"data: a\r\r", &mut Vec::new());
        assert_eq!(f.newline(), "\r");
    }

    #[test]
    fn fields_and_rewrite() {
        let mut f = SseFramer::default();
        let mut items = Vec::new();
        f.push(
            b"id: 7\r\nevent: x\r\ndata: {\"a\":\r\n: c\r\ndata: 1}\r\n\r\n",
            &mut items,
        );
        let SseItem::Event(e) = &items[0] else {
            panic!("event expected")
        };
        let fields = e.fields().unwrap();
        assert_eq!(fields.event, Some("x"));
        assert_eq!(fields.data.as_deref(), Some("{\"a\":\n1}"));
        assert_eq!(
            e.with_data("{\"a\":2}"),
            b"id: 7\r\nevent: x\r\ndata: {\"a\":2}\r\n: c\r\n\r\n".to_vec()
        );
        assert_eq!(f.newline(), "\r\n");
        assert_eq!(
            format_event(Some("e"), "{\"a\":\n1}", "\r\n"),
            b"event: e\r\ndata: {\"a\":\r\ndata: 1}\r\n\r\n".to_vec()
        );
    }
}
