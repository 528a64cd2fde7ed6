//! The answer of `GET /_mock/requests`, streamed: one entry is serialised at a time as the
//! connection takes it, so a page of large entries never exists as one buffer (a journal of
//! 1,000 requests of 64 KiB, with JSON escapes, would be hundreds of MB in one piece).
//!
//! `{"data":[…entries…],"has_more":…,"next_cursor":"…"|null,"journal":{entries,bytes,…}}`

use std::collections::VecDeque;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::{Body, Bytes};
use axum::http::HeaderValue;
use axum::http::header::CONTENT_TYPE;
use axum::response::Response;
use http_body::Frame;
use serde_json::json;

use crate::http::journal::{JournalPage, JournalUsage, ReceivedRequest, Recorded};

/// The streamed answer for `page`.
pub fn response(page: JournalPage, usage: JournalUsage) -> Response {
    let next_cursor = page
        .entries
        .last()
        .filter(|_| page.has_more)
        .map(|(seq, _)| seq.to_string());
    let tail = json!({
        "has_more": page.has_more,
        "next_cursor": next_cursor,
        "journal": usage,
    });
    // `{"has_more":…}` becomes `],"has_more":…}` after the entries.
    let tail = tail.to_string();
    let tail = format!("],{}", tail.get(1..).unwrap_or("}"));
    let body = PageBody {
        head: Some(Bytes::from_static(b"{\"data\":[")),
        entries: page.entries.into_iter().map(|(_, r)| r).collect(),
        first: true,
        tail: Some(Bytes::from(tail)),
    };
    let mut response = Response::new(Body::new(body));
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// The page's JSON, a piece at a time.
struct PageBody {
    head: Option<Bytes>,
    entries: VecDeque<Recorded>,
    first: bool,
    tail: Option<Bytes>,
}

impl http_body::Body for PageBody {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        if let Some(head) = self.head.take() {
            return Poll::Ready(Some(Ok(Frame::data(head))));
        }
        if let Some(entry) = self.entries.pop_front() {
            let mut buf = Vec::with_capacity(1024);
            let comma = !std::mem::take(&mut self.first);
            if comma {
                buf.push(b',');
            }
            // Serialising plain strings and numbers cannot fail; `null` keeps the JSON whole
            // if it ever did.
            if serde_json::to_writer(&mut buf, &ReceivedRequest::from(&entry)).is_err() {
                buf.truncate(usize::from(comma));
                buf.extend_from_slice(b"null");
            }
            return Poll::Ready(Some(Ok(Frame::data(Bytes::from(buf)))));
        }
        Poll::Ready(self.tail.take().map(|t| Ok(Frame::data(t))))
    }

    fn is_end_stream(&self) -> bool {
        self.head.is_none() && self.entries.is_empty() && self.tail.is_none()
    }
}
