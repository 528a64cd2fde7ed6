//! Time and connection limits over real sockets: slow heads, idle connections, stuck bodies,
//! the connection limit, `Connection: close` on early answers, no `100 Continue` for a body
//! that will be refused, and the shutdown deadline. Servers run with 200 ms limits; tests wait
//! on the socket with a bounded timeout, never with sleeps.

use std::time::{Duration, Instant};

use stripe_billing_mock::MockServer;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const SHORT: Duration = Duration::from_millis(200);
/// Longest wait for something that must happen (generous: the machine may be busy).
const BOUND: Duration = Duration::from_secs(5);

async fn connect(server: &MockServer) -> TcpStream {
    TcpStream::connect(server.address()).await.expect("connect")
}

/// Everything the server sends until it closes the connection; panics if it does not close
/// it within [`BOUND`].
async fn read_to_close(stream: &mut TcpStream) -> String {
    let mut buf = Vec::new();
    match tokio::time::timeout(BOUND, stream.read_to_end(&mut buf)).await {
        Ok(Ok(_)) => {}
        // A reset after the server's close is a close too.
        Ok(Err(e)) if e.kind() == std::io::ErrorKind::ConnectionReset => {}
        Ok(Err(e)) => panic!("read failed: {e}"),
        Err(_) => panic!(
            "the server kept the connection open; read so far: {}",
            String::from_utf8_lossy(&buf)
        ),
    }
    String::from_utf8_lossy(&buf).into_owned()
}

/// One response (head and `Content-Length` body) read within `wait`; `None` if none came.
async fn read_response(stream: &mut TcpStream, wait: Duration) -> Option<String> {
    let read = async {
        let mut buf = Vec::new();
        let mut chunk = [0u8; 4096];
        loop {
            if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
                let length = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .and_then(|v| v.trim().parse::<usize>().ok())
                    .unwrap_or(0);
                if buf.len() >= end + 4 + length {
                    return String::from_utf8_lossy(&buf).into_owned();
                }
            }
            let n = stream.read(&mut chunk).await.expect("read");
            assert!(
                n > 0,
                "closed mid-response: {}",
                String::from_utf8_lossy(&buf)
            );
            buf.extend_from_slice(&chunk[..n]);
        }
    };
    tokio::time::timeout(wait, read).await.ok()
}

/// A keep-alive connection that has had one request answered (a 200 for `/healthz`), and when
/// the answer was read.
async fn answered_keep_alive(server: &MockServer) -> (TcpStream, Instant) {
    let mut stream = connect(server).await;
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .await
        .expect("write");
    let answer = read_response(&mut stream, BOUND).await.expect("an answer");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    (stream, Instant::now())
}

fn header<'a>(response: &'a str, name: &str) -> Option<&'a str> {
    let head = response.split("\r\n\r\n").next()?;
    head.lines().skip(1).find_map(|l| {
        let (n, v) = l.split_once(':')?;
        n.eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

#[tokio::test]
async fn a_half_sent_head_is_cut_after_the_header_timeout() {
    let server = MockServer::builder()
        .header_read_timeout(SHORT)
        .start()
        .await;
    let mut stream = connect(&server).await;
    let started = Instant::now();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n")
        .await
        .expect("write");

    let answer = read_to_close(&mut stream).await;

    assert!(started.elapsed() >= SHORT, "cut before the timeout");
    // The connection is closed when the head is late, without an answer.
    assert_eq!(answer, "");
}

/// Sends a head that never ends on `stream`, a byte every 20 ms (so the connection is never
/// idle), and waits (at most [`BOUND`]) for the server to close the connection; asserts it
/// closed it without an answer.
async fn trickle_until_cut(stream: TcpStream) {
    let (mut reader, mut writer) = stream.into_split();
    let trickle = tokio::spawn(async move {
        let mut pace = tokio::time::interval(Duration::from_millis(20));
        let head = b"GET /healthz HTTP/1.1\r\nX-Slow: "
            .iter()
            .chain([b'a'; 400].iter());
        for byte in head {
            pace.tick().await;
            if writer.write_all(&[*byte]).await.is_err() {
                break;
            }
        }
    });
    let mut rest = Vec::new();
    let closed = tokio::time::timeout(BOUND, reader.read_to_end(&mut rest)).await;
    trickle.abort();

    assert!(
        matches!(closed, Ok(Ok(_)))
            || matches!(&closed, Ok(Err(e)) if e.kind() == std::io::ErrorKind::ConnectionReset),
        "the trickling connection was not cut: {closed:?}"
    );
    assert!(rest.is_empty(), "{}", String::from_utf8_lossy(&rest));
}

/// A server whose header read timeout (400 ms) is far shorter than its idle timeout, so a cut
/// within [`BOUND`] is the header timeout's.
async fn head_timeout_server() -> MockServer {
    MockServer::builder()
        .header_read_timeout(SHORT * 2)
        .idle_timeout(BOUND * 4)
        .start()
        .await
}

/// The wait for a head starts again after each answer, and bytes trickling in do not extend
/// it: a keep-alive connection that sends the next head a byte at a time (so it is never
/// idle) is cut, with the idle timeout far away.
#[tokio::test]
async fn a_head_trickled_after_an_answer_is_cut_at_the_header_timeout() {
    let server = head_timeout_server().await;
    let (stream, answered) = answered_keep_alive(&server).await;

    trickle_until_cut(stream).await;

    assert!(answered.elapsed() >= SHORT * 2 - Duration::from_millis(20));
}

/// After a request that outlasts the header timeout, the wait for the next head is still cut
/// at the header timeout, not one idle timeout later.
#[tokio::test]
async fn a_head_trickled_after_a_slow_answer_is_cut_at_the_header_timeout() {
    let server = head_timeout_server().await;
    let spec = serde_json::from_value(serde_json::json!({
        "method": "GET", "path": "/v1/customers", "delay_ms": 1000
    }))
    .expect("fault");
    server.inject_fault(spec).expect("fault registered");
    let mut stream = connect(&server).await;
    stream
        .write_all(
            b"GET /v1/customers HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer sk_test_slow\r\n\r\n",
        )
        .await
        .expect("write");
    let answer = read_response(&mut stream, BOUND).await.expect("an answer");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");

    trickle_until_cut(stream).await;
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed() {
    let server = MockServer::builder()
        .idle_timeout(SHORT)
        .header_read_timeout(BOUND)
        .start()
        .await;
    let (mut stream, answered) = answered_keep_alive(&server).await;

    let rest = read_to_close(&mut stream).await;

    assert_eq!(rest, "");
    assert!(answered.elapsed() >= SHORT - Duration::from_millis(20));
}

#[tokio::test]
async fn a_stuck_body_is_cut_with_a_stripe_shaped_408() {
    let server = MockServer::builder().body_timeout(SHORT).start().await;
    let mut stream = connect(&server).await;
    stream
        .write_all(
            b"POST /v1/customers HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer sk_test_slow\r\n\
              Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nemail=a",
        )
        .await
        .expect("write");

    let answer = read_to_close(&mut stream).await;

    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert_eq!(header(&answer, "connection"), Some("close"), "{answer}");
    let body = answer.split("\r\n\r\n").nth(1).unwrap_or_default();
    let json: serde_json::Value = serde_json::from_str(body).expect("a JSON body");
    assert_eq!(json["error"]["type"], "invalid_request_error", "{body}");
}

#[tokio::test]
async fn connections_beyond_the_limit_wait_until_one_closes() {
    let server = MockServer::builder()
        .max_connections(2)
        .idle_timeout(BOUND * 4)
        .header_read_timeout(BOUND * 4)
        .start()
        .await;
    let request = b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n";
    let mut first = connect(&server).await;
    let mut second = connect(&server).await;
    for stream in [&mut first, &mut second] {
        stream.write_all(request).await.expect("write");
        assert!(read_response(stream, BOUND).await.is_some());
    }
    let mut third = connect(&server).await;
    third.write_all(request).await.expect("write");

    let waiting = read_response(&mut third, Duration::from_millis(300)).await;
    assert_eq!(
        waiting, None,
        "the third connection was served over the limit"
    );

    drop(first);
    let served = read_response(&mut third, BOUND)
        .await
        .expect("served once one closed");
    assert!(served.starts_with("HTTP/1.1 200"), "{served}");
}

#[tokio::test]
async fn an_early_401_says_connection_close_and_the_client_can_go_on() {
    let server = MockServer::start().await;
    let mut stream = connect(&server).await;
    stream
        .write_all(
            b"POST /v1/customers HTTP/1.1\r\nHost: localhost\r\nContent-Length: 50000\r\n\
              Expect: 100-continue\r\n\r\n",
        )
        .await
        .expect("write");

    let answer = read_to_close(&mut stream).await;

    assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");
    assert_eq!(header(&answer, "connection"), Some("close"), "{answer}");
    assert!(!answer.contains("100 Continue"), "{answer}");
    // reqwest reuses its connection only when the server allows it: two requests in a row
    // both get their answer.
    let client = reqwest::Client::new();
    for _ in 0..2 {
        let reply = client
            .post(format!("{}/v1/customers", server.uri()))
            .body("x".repeat(10_000))
            .send()
            .await
            .expect("sent");
        assert_eq!(reply.status(), 401);
    }
}

#[tokio::test]
async fn an_oversized_content_length_is_413_without_100_continue() {
    let server = MockServer::start().await;
    let mut stream = connect(&server).await;
    stream
        .write_all(
            b"POST /v1/customers HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer sk_test_big\r\n\
              Content-Length: 5000000\r\nExpect: 100-continue\r\n\r\n",
        )
        .await
        .expect("write");

    let answer = read_to_close(&mut stream).await;

    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(!answer.contains("100 Continue"), "{answer}");
    assert_eq!(header(&answer, "connection"), Some("close"), "{answer}");
    assert!(answer.contains("request_body_too_large") || answer.contains("too large"));
}

#[tokio::test]
async fn a_413_after_reading_too_much_says_connection_close() {
    let server = MockServer::start().await;
    let stream = connect(&server).await;
    let (mut reader, mut writer) = stream.into_split();
    // A chunked body has no Content-Length: it is refused once read past the limit. The
    // server may close while the body is still being sent; write errors are expected then.
    let sender = tokio::spawn(async move {
        let head = "POST /v1/customers HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer sk_test_big\r\n\
                    Transfer-Encoding: chunked\r\n\r\n";
        writer.write_all(head.as_bytes()).await?;
        let chunk = format!("10000\r\n{}\r\n", "x".repeat(0x10000));
        for _ in 0..48 {
            writer.write_all(chunk.as_bytes()).await?;
        }
        writer.write_all(b"0\r\n\r\n").await
    });

    let mut buf = Vec::new();
    let read = tokio::time::timeout(BOUND, reader.read_to_end(&mut buf)).await;
    assert!(read.is_ok(), "the server kept the connection open");
    let answer = String::from_utf8_lossy(&buf);

    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert_eq!(header(&answer, "connection"), Some("close"), "{answer}");
    let _ = sender.await;
}

#[tokio::test]
async fn shutdown_with_a_stuck_client_returns_within_the_deadline() {
    let server = MockServer::builder()
        .shutdown_timeout(SHORT)
        .header_read_timeout(BOUND * 4)
        .idle_timeout(BOUND * 4)
        .start()
        .await;
    let mut stuck = connect(&server).await;
    stuck
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: loc")
        .await
        .expect("write");
    // Make sure the server holds the connection before shutting down.
    let mut probe = connect(&server).await;
    probe
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .await
        .expect("write");
    assert!(read_response(&mut probe, BOUND).await.is_some());

    let started = Instant::now();
    tokio::time::timeout(BOUND, server.shutdown())
        .await
        .expect("shutdown returned within the deadline");

    assert!(started.elapsed() >= SHORT - Duration::from_millis(20));
    assert_eq!(read_to_close(&mut stuck).await, "");
}

/// hyper answers a request it cannot parse itself, before the router sees it, and offers no
/// hook to shape that answer: a bare status with an empty body, then it closes. What the mock
/// can check itself (URLs up to hyper's limit, heads up to hyper's buffer) gets JSON errors
/// (see `conventions.rs`).
#[tokio::test]
async fn requests_hyper_cannot_parse_get_its_bare_answer_and_a_closed_connection() {
    let server = MockServer::start().await;
    let many_headers: String = (0..120).map(|i| format!("X-H{i}: v\r\n")).collect();
    for (request, status) in [
        ("GARBAGE\r\n\r\n".to_owned(), "400"),
        (
            format!("GET /healthz HTTP/1.1\r\nHost: localhost\r\n{many_headers}\r\n"),
            "431",
        ),
    ] {
        let mut stream = connect(&server).await;
        stream.write_all(request.as_bytes()).await.expect("write");
        let answer = read_to_close(&mut stream).await;
        assert!(
            answer.starts_with(&format!("HTTP/1.1 {status}")),
            "{answer}"
        );
        assert_eq!(header(&answer, "connection"), Some("close"), "{answer}");
        assert_eq!(header(&answer, "content-length"), Some("0"), "{answer}");
    }
}
