//! A relay on 127.0.0.1 between chromiumoxide and Chromium's DevTools socket that makes every
//! message from the browser valid JSON for a strict reader.
//!
//! Why: DevTools writes strings as UTF-16 escapes, and a page can put an unpaired surrogate
//! (`"\ud800"`) into its title, its text, an attribute, a console message. serde_json, and so
//! chromiumoxide, refuses such a message as a whole; chromiumoxide drops it, and the command it
//! answered waits until its timeout. One lone surrogate anywhere in a page's DOM would then hide
//! the whole page (and its consent dialog) from the DOM snapshot. The relay rewrites every lone
//! surrogate escape in the browser's text frames to `\ufffd` (U+FFFD, what a decoder shows for
//! it anyway); the rewrite has the same length, so frames are streamed, never held whole.
//!
//! It also drops the console events (`Runtime.consoleAPICalled`), which no stage reads and
//! which a page can produce by the megabyte (see [`DROPPED_EVENT_PREFIXES`]).
//!
//! Only the server-to-client direction is touched; the client's handshake loses any
//! `Sec-WebSocket-Extensions` offer, so that frames stay uncompressed and readable.

use std::net::Ipv4Addr;

use tokio::io::{
    AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt,
};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

use crate::error::{Error, Result};

/// Longest handshake (request or response head) the relay reads.
const MAX_HANDSHAKE_BYTES: usize = 64 * 1024;
/// Payload bytes read at a time.
const CHUNK_BYTES: usize = 64 * 1024;

/// A running relay. Dropping it closes both sides.
pub(super) struct DevtoolsRelay {
    /// The address chromiumoxide connects to.
    pub ws_url: String,
    task: JoinHandle<()>,
}

impl DevtoolsRelay {
    /// Listens for one connection and relays it to `browser_ws_url` (`ws://host:port/path`).
    pub async fn start(browser_ws_url: &str) -> Result<DevtoolsRelay> {
        let invalid = || Error::Protocol(format!("unexpected DevTools address {browser_ws_url}"));
        let rest = browser_ws_url.strip_prefix("ws://").ok_or_else(invalid)?;
        let (authority, path) = rest.split_once('/').ok_or_else(invalid)?;
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
        let ws_url = format!("ws://127.0.0.1:{}/{path}", listener.local_addr()?.port());
        let upstream_address = authority.to_string();
        let task = tokio::spawn(async move {
            let Ok((client, _)) = listener.accept().await else {
                return;
            };
            drop(listener);
            if let Ok(browser) = TcpStream::connect(&upstream_address).await {
                relay(client, browser).await;
            }
        });
        Ok(DevtoolsRelay { ws_url, task })
    }
}

impl Drop for DevtoolsRelay {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Relays one connection until either side closes.
async fn relay(client: TcpStream, browser: TcpStream) {
    let _ = client.set_nodelay(true);
    let _ = browser.set_nodelay(true);
    let (client_read, mut client_write) = client.into_split();
    let (browser_read, mut browser_write) = browser.into_split();
    let to_browser = async {
        let mut client_read = tokio::io::BufReader::new(client_read);
        if let Ok(head) = read_head(&mut client_read).await {
            if browser_write
                .write_all(&without_extension_offers(&head))
                .await
                .is_ok()
            {
                let _ = tokio::io::copy_buf(&mut client_read, &mut browser_write).await;
            }
        }
        let _ = browser_write.shutdown().await;
    };
    let to_client = async {
        let mut browser_read = tokio::io::BufReader::new(browser_read);
        if let Ok(head) = read_head(&mut browser_read).await {
            if client_write.write_all(&head).await.is_ok() {
                let _ = relay_frames(&mut browser_read, &mut client_write).await;
            }
        }
        let _ = client_write.shutdown().await;
    };
    // When one direction ends the connection is over: the other is cut with it.
    tokio::select! {
        () = to_browser => {}
        () = to_client => {}
    }
}

/// Reads an HTTP head, up to and including the blank line.
async fn read_head(reader: &mut (impl AsyncBufRead + Unpin)) -> std::io::Result<Vec<u8>> {
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        if reader.read_until(b'\n', &mut head).await? == 0 || head.len() > MAX_HANDSHAKE_BYTES {
            return Err(std::io::ErrorKind::InvalidData.into());
        }
    }
    Ok(head)
}

/// The client's handshake without `Sec-WebSocket-Extensions` (no compression).
fn without_extension_offers(head: &[u8]) -> Vec<u8> {
    head.split_inclusive(|&b| b == b'\n')
        .filter(|line| {
            !line
                .to_ascii_lowercase()
                .starts_with(b"sec-websocket-extensions:")
        })
        .flatten()
        .copied()
        .collect()
}

/// Events that no stage reads and that a page can produce without limit, dropped by the relay:
/// a page logging megabytes to the console many times a second would otherwise keep the
/// DevTools client parsing them, slowing every other visit of the browser.
const DROPPED_EVENT_PREFIXES: &[&[u8]] = &[br#"{"method":"Runtime.consoleAPICalled""#];

/// Copies WebSocket frames (RFC 6455 §5.2) from `reader` to `writer`, rewriting lone surrogate
/// escapes in the payloads of text messages and dropping the events of
/// [`DROPPED_EVENT_PREFIXES`]. Returns at the end of the stream.
pub(crate) async fn relay_frames(
    reader: &mut (impl AsyncRead + Unpin),
    writer: &mut (impl AsyncWrite + Unpin),
) -> std::io::Result<()> {
    let longest_prefix = DROPPED_EVENT_PREFIXES
        .iter()
        .map(|p| p.len())
        .max()
        .unwrap_or(0);
    let mut in_text_message = false;
    let mut filter = LoneSurrogateFilter::default();
    let mut chunk = vec![0u8; CHUNK_BYTES];
    let mut out = Vec::with_capacity(CHUNK_BYTES);
    loop {
        // The frame's head is held until it is known whether the frame is passed on.
        let mut head = vec![0u8; 2];
        match reader.read_exact(&mut head).await {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(()),
            Err(e) => return Err(e),
        }
        let fin = head[0] & 0x80 != 0;
        let opcode = head[0] & 0x0f;
        let masked = head[1] & 0x80 != 0;
        let length = match head[1] & 0x7f {
            126 => {
                let mut extended = [0u8; 2];
                reader.read_exact(&mut extended).await?;
                head.extend_from_slice(&extended);
                u64::from(u16::from_be_bytes(extended))
            }
            127 => {
                let mut extended = [0u8; 8];
                reader.read_exact(&mut extended).await?;
                head.extend_from_slice(&extended);
                u64::from_be_bytes(extended)
            }
            short => u64::from(short),
        };
        if masked {
            // Servers do not mask; a masked payload is passed on untouched.
            let mut key = [0u8; 4];
            reader.read_exact(&mut key).await?;
            head.extend_from_slice(&key);
        }
        // Text is opcode 1 and the continuations (0) of a fragmented text message.
        let is_text = match opcode {
            0x1 => true,
            0x0 => in_text_message,
            _ => false,
        };
        if opcode == 0x1 || opcode == 0x0 {
            in_text_message = is_text && !fin;
        }
        let filtering = is_text && !masked;
        // Whole (unfragmented) text messages are looked at for events to drop.
        let mut start = Vec::new();
        if filtering && fin && opcode == 0x1 && length >= longest_prefix as u64 {
            start.resize(longest_prefix, 0);
            reader.read_exact(&mut start).await?;
            if DROPPED_EVENT_PREFIXES.iter().any(|p| start.starts_with(p)) {
                discard(reader, length - start.len() as u64, &mut chunk).await?;
                continue;
            }
        }
        writer.write_all(&head).await?;
        if !start.is_empty() {
            out.clear();
            filter.push(&start, &mut out);
            writer.write_all(&out).await?;
        }
        let mut remaining = length - start.len() as u64;
        while remaining > 0 {
            let take = usize::try_from(remaining).map_or(CHUNK_BYTES, |r| r.min(CHUNK_BYTES));
            reader.read_exact(&mut chunk[..take]).await?;
            remaining -= take as u64;
            if filtering {
                out.clear();
                filter.push(&chunk[..take], &mut out);
                writer.write_all(&out).await?;
            } else {
                writer.write_all(&chunk[..take]).await?;
            }
        }
        if filtering {
            // The frame's length is fixed: whatever is held back goes out with it.
            out.clear();
            filter.flush(&mut out);
            writer.write_all(&out).await?;
        }
        writer.flush().await?;
    }
}

/// Reads and throws away `length` bytes.
async fn discard(
    reader: &mut (impl AsyncRead + Unpin),
    mut length: u64,
    chunk: &mut [u8],
) -> std::io::Result<()> {
    while length > 0 {
        let take = usize::try_from(length).map_or(chunk.len(), |l| l.min(chunk.len()));
        reader.read_exact(&mut chunk[..take]).await?;
        length -= take as u64;
    }
    Ok(())
}

/// Rewrites lone UTF-16 surrogate escapes (`\ud800` without a low half after it, `\udc00`
/// without a high half before it) in JSON text to `\ufffd`, in a stream of chunks.
///
/// An escape or pair split by a chunk boundary is held back until the next chunk; [`flush`]
/// decides what is held as if the text ended there. (A pair split between two fragments of one
/// WebSocket message is therefore treated as lone; Chromium sends each message as one frame.)
///
/// [`flush`]: LoneSurrogateFilter::flush
#[derive(Debug, Default)]
pub(crate) struct LoneSurrogateFilter {
    held: Vec<u8>,
}

impl LoneSurrogateFilter {
    /// Filters `input`, appending the bytes that are decided to `out`.
    pub fn push(&mut self, input: &[u8], out: &mut Vec<u8>) {
        self.held.extend_from_slice(input);
        let decided = rewrite_lone_surrogates(&mut self.held, false);
        out.extend_from_slice(&self.held[..decided]);
        self.held.drain(..decided);
    }

    /// Decides and appends everything held back.
    pub fn flush(&mut self, out: &mut Vec<u8>) {
        let decided = rewrite_lone_surrogates(&mut self.held, true);
        out.extend_from_slice(&self.held[..decided]);
        // With `at_end` everything is decided.
        self.held.clear();
    }
}

/// The replacement for a lone surrogate escape: the same six bytes long.
const REPLACEMENT: &[u8; 6] = b"\\ufffd";

/// Rewrites lone surrogate escapes in `text` in place and returns how many leading bytes are
/// decided. Without `at_end`, an escape that may continue past the end is left undecided.
fn rewrite_lone_surrogates(text: &mut [u8], at_end: bool) -> usize {
    let len = text.len();
    let mut i = 0;
    while i < len {
        let Some(offset) = text[i..].iter().position(|&b| b == b'\\') else {
            return len;
        };
        i += offset;
        if i + 1 >= len {
            return if at_end { len } else { i };
        }
        if text[i + 1] != b'u' {
            // `\\`, `\"`, `\n`, …: the escaped character is never the start of another escape.
            i += 2;
            continue;
        }
        if i + 6 > len {
            return if at_end { len } else { i };
        }
        let Some(unit) = hex4(&text[i + 2..i + 6]) else {
            i += 2;
            continue;
        };
        match unit {
            0xD800..=0xDBFF => {
                if i + 12 > len && !at_end {
                    return i;
                }
                let low_follows = i + 12 <= len
                    && text[i + 6] == b'\\'
                    && text[i + 7] == b'u'
                    && hex4(&text[i + 8..i + 12]).is_some_and(|u| (0xDC00..=0xDFFF).contains(&u));
                if low_follows {
                    i += 12;
                } else {
                    text[i..i + 6].copy_from_slice(REPLACEMENT);
                    i += 6;
                }
            }
            // A low half on its own (one after a high half was consumed with it above).
            0xDC00..=0xDFFF => {
                text[i..i + 6].copy_from_slice(REPLACEMENT);
                i += 6;
            }
            _ => i += 6,
        }
    }
    len
}

fn hex4(digits: &[u8]) -> Option<u16> {
    let text = std::str::from_utf8(digits).ok()?;
    u16::from_str_radix(text, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filtered(text: &str) -> String {
        let mut out = Vec::new();
        let mut filter = LoneSurrogateFilter::default();
        filter.push(text.as_bytes(), &mut out);
        filter.flush(&mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn lone_halves_become_replacement_characters_and_pairs_stay() {
        assert_eq!(filtered(r#"{"a":"x\ud800y"}"#), r#"{"a":"x\ufffdy"}"#);
        assert_eq!(filtered(r#"["\udfff"]"#), r#"["\ufffd"]"#);
        assert_eq!(filtered(r#"["\ud83d\ude00"]"#), r#"["\ud83d\ude00"]"#);
        // Reversed pair: both halves are lone.
        assert_eq!(filtered(r#""\udc00\ud800""#), r#""\ufffd\ufffd""#);
        // High, high, low: the first is lone, the second pairs.
        assert_eq!(
            filtered(r#""\ud800\ud83d\ude00""#),
            r#""\ufffd\ud83d\ude00""#
        );
        // A high half at the very end of the text.
        assert_eq!(filtered(r#""\uD800"#), r#""\ufffd"#);
        // Ordinary escapes are untouched.
        assert_eq!(filtered(r#""\u00e6\n\t\u0000""#), r#""\u00e6\n\t\u0000""#);
    }

    #[test]
    fn escaped_backslashes_do_not_start_escapes() {
        // JSON `\\ud800` is a backslash followed by the letters "ud800".
        assert_eq!(filtered(r#""\\ud800""#), r#""\\ud800""#);
        assert_eq!(filtered(r#""\\\ud800""#), r#""\\\ufffd""#);
    }

    #[test]
    fn every_result_parses_and_chunking_does_not_change_it() {
        let samples = [
            r#"{"id":1,"result":{"value":"t\ud800\ud83d\ude00\udc00 \\ud800 end\ud800"}}"#,
            r#"{"method":"x","params":{"s":["\udbff\udfff","\\\\","\ud800\\","a\udc00"]}}"#,
        ];
        for sample in samples {
            let whole = filtered(sample);
            assert!(
                serde_json::from_str::<serde_json::Value>(&whole).is_ok(),
                "{whole}"
            );
            for split in 0..=sample.len() {
                for second in split..=sample.len() {
                    let mut out = Vec::new();
                    let mut filter = LoneSurrogateFilter::default();
                    filter.push(&sample.as_bytes()[..split], &mut out);
                    filter.push(&sample.as_bytes()[split..second], &mut out);
                    filter.push(&sample.as_bytes()[second..], &mut out);
                    filter.flush(&mut out);
                    assert_eq!(String::from_utf8(out).unwrap(), whole, "{split}/{second}");
                }
            }
        }
    }

    fn frame(fin: bool, opcode: u8, payload: &[u8]) -> Vec<u8> {
        let mut out = vec![if fin { 0x80 } else { 0 } | opcode];
        match payload.len() {
            n if n < 126 => out.push(n as u8),
            n if n <= 0xffff => {
                out.push(126);
                out.extend_from_slice(&(n as u16).to_be_bytes());
            }
            n => {
                out.push(127);
                out.extend_from_slice(&(n as u64).to_be_bytes());
            }
        }
        out.extend_from_slice(payload);
        out
    }

    async fn relayed(input: Vec<u8>) -> Vec<u8> {
        let mut reader = &input[..];
        let mut output = Vec::new();
        relay_frames(&mut reader, &mut output).await.unwrap();
        output
    }

    #[tokio::test]
    async fn text_frames_are_filtered_and_everything_else_is_copied() {
        let big = format!(r#"{{"s":"{}\ud800"}}"#, "x".repeat(200_000));
        let binary = b"\\ud800 binary".to_vec();
        let mut input = Vec::new();
        input.extend(frame(true, 0x1, br#"{"t":"\ud800"}"#));
        input.extend(frame(true, 0x2, &binary));
        input.extend(frame(true, 0x1, big.as_bytes()));
        // A fragmented text message with a ping between its fragments.
        input.extend(frame(false, 0x1, br#"{"a":"\udc00"#));
        input.extend(frame(true, 0x9, b"ping \\ud800"));
        input.extend(frame(true, 0x0, br#"\ud800"}"#));
        let output = relayed(input).await;

        let mut expected = Vec::new();
        expected.extend(frame(true, 0x1, br#"{"t":"\ufffd"}"#));
        expected.extend(frame(true, 0x2, &binary));
        expected.extend(frame(
            true,
            0x1,
            big.replace(r"\ud800", r"\ufffd").as_bytes(),
        ));
        expected.extend(frame(false, 0x1, br#"{"a":"\ufffd"#));
        expected.extend(frame(true, 0x9, b"ping \\ud800"));
        expected.extend(frame(true, 0x0, br#"\ufffd"}"#));
        assert_eq!(output, expected);
    }

    #[tokio::test]
    async fn console_events_are_dropped_and_their_neighbours_kept() {
        let console = format!(
            r#"{{"method":"Runtime.consoleAPICalled","params":{{"args":[{{"value":"{}"}}]}}}}"#,
            "c".repeat(100_000)
        );
        let before = br#"{"id":7,"result":{}}"#;
        let after = br#"{"method":"Page.loadEventFired","params":{"timestamp":1}}"#;
        let mut input = Vec::new();
        input.extend(frame(true, 0x1, before));
        input.extend(frame(true, 0x1, console.as_bytes()));
        input.extend(frame(true, 0x1, after));
        let mut expected = frame(true, 0x1, before);
        expected.extend(frame(true, 0x1, after));
        assert_eq!(relayed(input).await, expected);
    }

    #[tokio::test]
    async fn a_truncated_stream_ends_the_relay_with_an_error() {
        let mut input = frame(true, 0x1, b"{\"a\":1}");
        input.truncate(5);
        let mut reader = &input[..];
        let mut output = Vec::new();
        assert!(relay_frames(&mut reader, &mut output).await.is_err());
    }

    #[test]
    fn extension_offers_are_removed_from_the_handshake() {
        let head = b"GET /devtools/browser/x HTTP/1.1\r\nHost: 127.0.0.1\r\nSec-WebSocket-Extensions: permessage-deflate\r\nUpgrade: websocket\r\n\r\n";
        assert_eq!(
            without_extension_offers(head),
            b"GET /devtools/browser/x HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n\r\n"
        );
    }
}
