//! Response bodies: whole ones, and the two endless or huge streams of the hostile-web routes,
//! which are produced as they are sent and never held in memory.

use std::convert::Infallible;
use std::pin::Pin;
use std::sync::OnceLock;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Empty, Full};
use hyper::body::{Body, Frame, SizeHint};

/// Every response body of the server.
pub(crate) type ResponseBody = UnsyncBoxBody<Bytes, Infallible>;

pub(crate) fn full(bytes: impl Into<Bytes>) -> ResponseBody {
    Full::new(bytes.into()).boxed_unsync()
}

pub(crate) fn empty() -> ResponseBody {
    Empty::new().boxed_unsync()
}

/// Size of one piece of a [`BigBody`].
pub(crate) const BIG_CHUNK_BYTES: usize = 64 * 1024;

/// Length of one line of the big page's filler; divides [`BIG_CHUNK_BYTES`] so that every
/// chunk is whole lines.
const FILLER_LINE_BYTES: usize = 64;

/// One chunk of HTML-ish filler, made once and shared by every big response.
fn filler_chunk() -> Bytes {
    static CHUNK: OnceLock<Bytes> = OnceLock::new();
    CHUNK
        .get_or_init(|| {
            let text_width = FILLER_LINE_BYTES - "<p></p>\n".len();
            let line = format!("<p>{:<text_width$}</p>\n", "consentlens filler, streamed");
            Bytes::from(line.repeat(BIG_CHUNK_BYTES / FILLER_LINE_BYTES))
        })
        .clone()
}

/// A body of exactly `total_bytes` bytes of filler, sent as shared slices of one chunk.
#[derive(Debug)]
pub(crate) struct BigBody {
    remaining: u64,
}

impl BigBody {
    pub fn new(total_bytes: u64) -> BigBody {
        BigBody {
            remaining: total_bytes,
        }
    }
}

impl Body for BigBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        if self.remaining == 0 {
            return Poll::Ready(None);
        }
        let chunk = filler_chunk();
        let length = usize::try_from(self.remaining).map_or(chunk.len(), |r| r.min(chunk.len()));
        self.remaining -= length as u64;
        Poll::Ready(Some(Ok(Frame::data(chunk.slice(..length)))))
    }

    fn is_end_stream(&self) -> bool {
        self.remaining == 0
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.remaining)
    }
}

/// A body that never ends: one byte per `interval`, the first one `interval` after the headers.
#[derive(Debug)]
pub(crate) struct TrickleBody {
    ticks: tokio::time::Interval,
}

impl TrickleBody {
    pub fn new(interval: Duration) -> TrickleBody {
        let start = tokio::time::Instant::now() + interval;
        TrickleBody {
            ticks: tokio::time::interval_at(start, interval),
        }
    }
}

impl Body for TrickleBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        match self.ticks.poll_tick(cx) {
            Poll::Ready(_) => Poll::Ready(Some(Ok(Frame::data(Bytes::from_static(b"."))))),
            Poll::Pending => Poll::Pending,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn big_body_streams_exact_length_in_bounded_chunks() {
        let total = 3 * 1024 * 1024 + 123;
        let mut body = BigBody::new(total);
        assert_eq!(body.size_hint().exact(), Some(total));
        let (mut sent, mut largest) = (0u64, 0usize);
        while let Some(frame) = body.frame().await {
            let data = frame.unwrap().into_data().unwrap();
            largest = largest.max(data.len());
            sent += data.len() as u64;
        }
        assert_eq!(sent, total);
        assert_eq!(largest, BIG_CHUNK_BYTES);
        assert!(body.is_end_stream());
    }

    #[test]
    fn filler_is_whole_html_lines() {
        let chunk = filler_chunk();
        assert_eq!(chunk.len(), BIG_CHUNK_BYTES);
        let text = std::str::from_utf8(&chunk).unwrap();
        assert!(text.lines().all(|line| line.len() == FILLER_LINE_BYTES - 1
            && line.starts_with("<p>")
            && line.ends_with("</p>")));
    }

    #[tokio::test]
    async fn trickle_body_sends_one_byte_per_interval() {
        let interval = Duration::from_millis(40);
        let mut body = TrickleBody::new(interval);
        let started = tokio::time::Instant::now();
        for ticks in 1..=3u32 {
            let data = body.frame().await.unwrap().unwrap().into_data().unwrap();
            assert_eq!(&data[..], b".");
            assert!(started.elapsed() >= interval * ticks);
        }
        assert!(!body.is_end_stream());
    }
}
