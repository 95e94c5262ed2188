//! A pure decoder for `text/event-stream` (the WHATWG server-sent events format): bytes in,
//! complete events out. Comment lines (`:`) count as keep-alives. Events are capped in size so a
//! server that never ends an event cannot grow memory without bound.

/// One dispatched event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SseItem {
    /// `event` is `message` when the server named none.
    Event { event: String, data: String },
    /// A comment line: proof of life, nothing else.
    KeepAlive,
}

/// Why a stream cannot be decoded further.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SseError {
    #[error("an event exceeded {0} bytes")]
    TooLarge(usize),
    #[error("the event stream is not utf-8")]
    NotUtf8,
}

#[derive(Debug)]
pub struct SseDecoder {
    buffer: Vec<u8>,
    event: Option<String>,
    data: Option<String>,
    max_event_bytes: usize,
}

impl SseDecoder {
    #[must_use]
    pub fn new(max_event_bytes: usize) -> Self {
        Self { buffer: Vec::new(), event: None, data: None, max_event_bytes }
    }

    /// Feeds bytes and returns the events they complete, in order.
    pub fn push(&mut self, bytes: &[u8]) -> Result<Vec<SseItem>, SseError> {
        self.buffer.extend_from_slice(bytes);
        let mut items = Vec::new();
        while let Some(end) = self.buffer.iter().position(|&b| b == b'\n' || b == b'\r') {
            // A CR LF pair is one line end; a lone CR at the buffer's end may be half of one.
            let crlf = self.buffer[end] == b'\r' && self.buffer.get(end + 1) == Some(&b'\n');
            if self.buffer[end] == b'\r' && end + 1 == self.buffer.len() {
                break;
            }
            let line: Vec<u8> = self.buffer.drain(..end).collect();
            self.buffer.drain(..if crlf { 2 } else { 1 });
            let line = String::from_utf8(line).map_err(|_| SseError::NotUtf8)?;
            if let Some(item) = self.line(&line)? {
                items.push(item);
            }
        }
        let pending = self.buffer.len() + self.data.as_ref().map_or(0, String::len);
        if pending > self.max_event_bytes {
            return Err(SseError::TooLarge(self.max_event_bytes));
        }
        Ok(items)
    }

    fn line(&mut self, line: &str) -> Result<Option<SseItem>, SseError> {
        if line.is_empty() {
            let event = self.event.take();
            return Ok(self.data.take().map(|data| SseItem::Event {
                event: event.filter(|e| !e.is_empty()).unwrap_or_else(|| "message".to_owned()),
                data,
            }));
        }
        if line.starts_with(':') {
            return Ok(Some(SseItem::KeepAlive));
        }
        let (field, value) = line.split_once(':').unwrap_or((line, ""));
        let value = value.strip_prefix(' ').unwrap_or(value);
        match field {
            "event" => self.event = Some(value.to_owned()),
            "data" => {
                let data = self.data.get_or_insert_with(String::new);
                if !data.is_empty() {
                    data.push('\n');
                }
                data.push_str(value);
                if data.len() > self.max_event_bytes {
                    return Err(SseError::TooLarge(self.max_event_bytes));
                }
            }
            _ => {}
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(event: &str, data: &str) -> SseItem {
        SseItem::Event { event: event.to_owned(), data: data.to_owned() }
    }

    #[test]
    fn events_split_across_chunks_and_line_ends_decode_whole() {
        let mut d = SseDecoder::new(1024);
        assert_eq!(d.push(b"event: playing\r\nda").expect("decodes"), []);
        assert_eq!(d.push(b"ta: {\"a\":1}\r").expect("decodes"), []);
        assert_eq!(d.push(b"\n\r\n").expect("decodes"), [event("playing", "{\"a\":1}")]);
        assert_eq!(
            d.push(b"data: x\ndata: y\n\n: ping\n").expect("decodes"),
            [event("message", "x\ny"), SseItem::KeepAlive]
        );
    }

    #[test]
    fn blank_lines_without_data_dispatch_nothing_and_unknown_fields_are_ignored() {
        let mut d = SseDecoder::new(1024);
        assert_eq!(d.push(b"\n\nid: 4\nretry: 10\nevent: x\n\n").expect("decodes"), []);
    }

    #[test]
    fn an_event_that_never_ends_is_refused_at_the_cap() {
        let mut d = SseDecoder::new(16);
        assert_eq!(d.push(b"data: 0123456789abcdefXYZ"), Err(SseError::TooLarge(16)));
        let mut d = SseDecoder::new(16);
        assert_eq!(d.push(b"data: 0123456789\ndata: abcdefXYZ\n"), Err(SseError::TooLarge(16)));
    }

    #[test]
    fn invalid_utf8_is_an_error() {
        let mut d = SseDecoder::new(64);
        assert_eq!(d.push(b"data: \xff\xfe\n"), Err(SseError::NotUtf8));
    }
}
