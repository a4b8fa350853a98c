//! The base protocol: messages framed by a `Content-Length` header, read from one stream on a
//! thread of their own and written to another. Unlike a reader that gives up at the first bad
//! message, this one reads on: a body that is not JSON-RPC is answered with a parse error and
//! the next message is read, so no client mistake ends the session. Only the stream ending (or
//! a header no message can follow, such as a body longer than the limit) ends it.

use std::io::{self, BufRead, Read, Write};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use lsp_server::Message;

/// The largest message body read: a document of the largest size a file may have, as JSON,
/// with room to spare.
pub const BODY_LIMIT: usize = 256 << 20;

/// What the reader thread hands the server.
#[derive(Debug)]
pub enum Incoming {
    Message(Message),
    /// A body that is not a JSON-RPC message, and why.
    Malformed(String),
    /// The stream ended, or broke beyond resynchronising (and why).
    Closed(Option<String>),
}

/// Read messages from `input` on a new thread.
pub fn spawn_reader(mut input: impl BufRead + Send + 'static) -> Receiver<Incoming> {
    let (sender, receiver) = sync_channel(64);
    std::thread::Builder::new()
        .name("anyio-lint server reader".into())
        .spawn(move || read_all(&mut input, &sender))
        .expect("a thread can be started");
    receiver
}

fn read_all(input: &mut impl BufRead, sender: &SyncSender<Incoming>) {
    loop {
        let incoming = match read_body(input) {
            Ok(None) => Incoming::Closed(None),
            Ok(Some(Ok(body))) => match message(&body) {
                Ok(message) => Incoming::Message(message),
                Err(why) => Incoming::Malformed(why),
            },
            Ok(Some(Err(why))) => Incoming::Malformed(why),
            Err(error) => Incoming::Closed(Some(error.to_string())),
        };
        let closed = matches!(incoming, Incoming::Closed(_));
        if sender.send(incoming).is_err() || closed {
            return;
        }
    }
}

/// The message a body holds: a request has a method and an id, a notification a method only,
/// a response neither.
fn message(body: &[u8]) -> Result<Message, String> {
    let value: serde_json::Value = serde_json::from_slice(body)
        .map_err(|error| format!("a body that is not JSON: {error}"))?;
    let serde_json::Value::Object(fields) = &value else {
        return Err("a body that is not a JSON-RPC message (a JSON object)".into());
    };
    let read = match (fields.contains_key("method"), fields.contains_key("id")) {
        (true, true) => serde_json::from_value(value).map(Message::Request),
        (true, false) => serde_json::from_value(value).map(Message::Notification),
        (false, _) => serde_json::from_value(value).map(Message::Response),
    };
    read.map_err(|error| format!("not a JSON-RPC message: {error}"))
}

/// The next message's body: `Ok(None)` at the end of the stream; `Some(Err)` for a message
/// skipped (a header block without a usable length is skipped up to its blank line); `Err` when
/// the stream cannot go on.
fn read_body(input: &mut impl BufRead) -> io::Result<Option<Result<Vec<u8>, String>>> {
    let mut length: Option<Result<usize, String>> = None;
    let mut line = Vec::new();
    let mut read_any = false;
    loop {
        line.clear();
        // A header line is short: a stream of bytes without a line break is no header.
        let read = input.by_ref().take(8192).read_until(b'\n', &mut line)?;
        if read == 0 {
            return if read_any {
                Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "the stream ended inside a message's headers",
                ))
            } else {
                Ok(None)
            };
        }
        if !line.ends_with(b"\n") {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "a header line longer than 8192 bytes",
            ));
        }
        let header = line.trim_ascii();
        if header.is_empty() {
            if !read_any {
                // Blank lines between messages are tolerated.
                continue;
            }
            break;
        }
        read_any = true;
        let text = String::from_utf8_lossy(header);
        if let Some((name, value)) = text.split_once(':')
            && name.trim().eq_ignore_ascii_case("content-length")
        {
            length = Some(value.trim().parse::<usize>().map_err(|_| {
                format!(
                    "the Content-Length header is not a length: {:?}",
                    value.trim()
                )
            }));
        }
    }
    let length = match length {
        None => {
            return Ok(Some(
                Err("a message without a Content-Length header".into()),
            ));
        }
        Some(Err(why)) => return Ok(Some(Err(why))),
        Some(Ok(length)) if length > BODY_LIMIT => {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("a message of {length} bytes, over the limit of {BODY_LIMIT}"),
            ));
        }
        Some(Ok(length)) => length,
    };
    let mut body = Vec::with_capacity(length.min(1 << 20));
    input.by_ref().take(length as u64).read_to_end(&mut body)?;
    if body.len() < length {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "the stream ended inside a message",
        ));
    }
    Ok(Some(Ok(body)))
}

/// Write `message`, framed, to `output`.
pub fn write_message(output: &mut impl Write, message: &Message) -> io::Result<()> {
    message.write(output)
}

/// Write a JSON-RPC error response with a null id (the answer to a body that could not be read
/// as a message, whose id is unknown).
pub fn write_parse_error(output: &mut impl Write, why: &str) -> io::Result<()> {
    let body = serde_json::json!({
        "jsonrpc": "2.0",
        "id": null,
        "error": {"code": -32700, "message": why},
    })
    .to_string();
    write!(output, "Content-Length: {}\r\n\r\n{body}", body.len())?;
    output.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn framed(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    fn read_everything(input: &[u8]) -> Vec<Incoming> {
        let receiver = spawn_reader(std::io::Cursor::new(input.to_vec()));
        receiver.iter().collect()
    }

    #[test]
    fn bad_messages_are_skipped_and_reading_goes_on() {
        let good = r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#;
        let input = [
            framed("{not json"),
            "Content-Type: x\r\n\r\n".into(),
            "Content-Length: many\r\n\r\n".into(),
            framed("[1, 2]"),
            framed(r#"{"jsonrpc":"2.0","id":{"a":1},"method":"x"}"#),
            framed(good),
        ]
        .concat();
        let incoming = read_everything(input.as_bytes());
        let kinds: Vec<&str> = incoming
            .iter()
            .map(|i| match i {
                Incoming::Message(_) => "message",
                Incoming::Malformed(_) => "malformed",
                Incoming::Closed(None) => "end",
                Incoming::Closed(Some(_)) => "broken",
            })
            .collect();
        let malformed = kinds.iter().filter(|k| **k == "malformed").count();
        assert_eq!(malformed, 5, "{kinds:?}");
        assert_eq!(kinds[5..], ["message", "end"]);
    }

    #[test]
    fn a_body_over_the_limit_or_cut_short_ends_the_stream_without_reading_it() {
        let huge = format!("Content-Length: {}\r\n\r\n", BODY_LIMIT + 1);
        let incoming = read_everything(huge.as_bytes());
        assert!(matches!(incoming.as_slice(), [Incoming::Closed(Some(_))]));
        let cut = "Content-Length: 100\r\n\r\n{}";
        let incoming = read_everything(cut.as_bytes());
        assert!(matches!(incoming.as_slice(), [Incoming::Closed(Some(_))]));
    }
}
