//! The binary as the Docker image runs it.
//!
//! The image cannot be built here (no docker daemon is guaranteed), so these tests read the
//! runtime stage of the repository's `Dockerfile` and run the cargo-built binary the way that
//! stage would: configured only by its `ENV` lines, health-checked by its `HEALTHCHECK` command,
//! stopped with the SIGTERM that `docker stop` sends to an exec-form `ENTRYPOINT`. Set
//! `STRIPE_MOCK_BIN` to test another build of the binary, e.g. the `cargo build --release
//! --locked` one that the Dockerfile makes.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStderr, Command, ExitStatus, Stdio};

/// What the tests need from the Dockerfile's runtime (last) stage.
#[derive(Debug)]
struct RuntimeStage {
    /// `ENV` variables.
    env: HashMap<String, String>,
    /// `EXPOSE`d ports.
    exposed: Vec<String>,
    /// Exec-form `ENTRYPOINT`.
    entrypoint: Vec<String>,
    /// Exec-form `HEALTHCHECK … CMD`.
    healthcheck: Vec<String>,
}

/// Reads the runtime stage of the repository's Dockerfile: instructions after the last `FROM`,
/// with `\` line continuations joined.
fn runtime_stage() -> RuntimeStage {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/Dockerfile");
    let text = std::fs::read_to_string(path).expect("the repository has a Dockerfile");
    let mut instructions: Vec<String> = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        let trimmed = line.trim();
        if current.is_empty() && (trimmed.is_empty() || trimmed.starts_with('#')) {
            continue;
        }
        match trimmed.strip_suffix('\\') {
            Some(head) => {
                current.push_str(head);
                current.push(' ');
            }
            None => {
                current.push_str(trimmed);
                instructions.push(std::mem::take(&mut current));
            }
        }
    }
    let last_from = instructions
        .iter()
        .rposition(|i| i.starts_with("FROM "))
        .expect("the Dockerfile has a FROM");
    let mut stage = RuntimeStage {
        env: HashMap::new(),
        exposed: Vec::new(),
        entrypoint: Vec::new(),
        healthcheck: Vec::new(),
    };
    for instruction in &instructions[last_from..] {
        let (keyword, rest) = instruction
            .split_once(' ')
            .unwrap_or((instruction.as_str(), ""));
        match keyword {
            "ENV" => {
                for pair in rest.split_whitespace() {
                    let (k, v) = pair.split_once('=').expect("ENV uses the key=value form");
                    stage
                        .env
                        .insert(k.to_owned(), v.trim_matches('"').to_owned());
                }
            }
            "EXPOSE" => stage
                .exposed
                .extend(rest.split_whitespace().map(str::to_owned)),
            "ENTRYPOINT" => stage.entrypoint = exec_form(rest),
            "HEALTHCHECK" => {
                let (_, cmd) = rest.split_once("CMD ").expect("HEALTHCHECK has a CMD");
                stage.healthcheck = exec_form(cmd);
            }
            _ => {}
        }
    }
    stage
}

/// Parses a JSON-array (exec form) instruction argument.
fn exec_form(arg: &str) -> Vec<String> {
    serde_json::from_str(arg.trim())
        .unwrap_or_else(|e| panic!("`{arg}` is not exec form (a JSON array): {e}"))
}

/// The binary under test.
fn binary() -> String {
    std::env::var("STRIPE_MOCK_BIN")
        .unwrap_or_else(|_| env!("CARGO_BIN_EXE_stripe-billing-mock").to_owned())
}

/// A port that was free a moment ago (the image's fixed port may be taken on a test machine).
fn free_port() -> u16 {
    std::net::TcpListener::bind(("127.0.0.1", 0))
        .and_then(|l| l.local_addr())
        .expect("bind an ephemeral port")
        .port()
}

/// The binary started like the image's `ENTRYPOINT`, with only the image's environment (plus
/// the test's port). Killed on drop if a test fails before stopping it.
struct Container {
    child: Child,
    env: HashMap<String, String>,
    stage: RuntimeStage,
    port: u16,
}

impl Container {
    fn start() -> Container {
        let stage = runtime_stage();
        let port = free_port();
        let mut env = stage.env.clone();
        env.insert("STRIPE_MOCK_PORT".into(), port.to_string());
        // Like `docker run IMAGE`: the entrypoint with no arguments.
        assert_eq!(stage.entrypoint.len(), 1, "ENTRYPOINT takes no arguments");
        let mut child = Command::new(binary())
            .env_clear()
            .envs(&env)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn the binary");
        let stderr = child.stderr.take().expect("stderr is piped");
        wait_until_listening(stderr);
        Container {
            child,
            env,
            stage,
            port,
        }
    }

    /// Runs the image's `HEALTHCHECK` command (with this build of the binary) in the image's
    /// environment.
    fn healthcheck(&self) -> ExitStatus {
        Command::new(binary())
            .args(&self.stage.healthcheck[1..])
            .env_clear()
            .envs(&self.env)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("run the health check")
    }

    /// Sends SIGTERM, as `docker stop` does, and waits for the exit.
    fn stop(&mut self) -> ExitStatus {
        let status = Command::new("sh")
            .args(["-c", &format!("kill -TERM {}", self.child.id())])
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -TERM failed");
        self.child.wait().expect("wait for the server")
    }
}

impl Drop for Container {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Blocks until the server logs that it listens; panics if it exits first. The rest of its
/// output is drained on a thread so the pipe never fills up.
fn wait_until_listening(stderr: ChildStderr) {
    let mut lines = BufReader::new(stderr).lines();
    let mut seen = Vec::new();
    loop {
        match lines.next() {
            Some(Ok(line)) if line.contains("listening on") => break,
            Some(Ok(line)) => seen.push(line),
            Some(Err(e)) => panic!("reading the server's stderr: {e}"),
            None => panic!("the server exited before listening:\n{}", seen.join("\n")),
        }
    }
    std::thread::spawn(move || lines.for_each(drop));
}

#[test]
fn the_image_listens_on_every_interface_at_the_exposed_port() {
    let stage = runtime_stage();
    assert_eq!(stage.env["STRIPE_MOCK_HOST"], "0.0.0.0");
    let port = &stage.env["STRIPE_MOCK_PORT"];
    assert!(
        stage
            .exposed
            .iter()
            .any(|p| p == port || *p == format!("{port}/tcp")),
        "EXPOSE {:?} does not include STRIPE_MOCK_PORT={port}",
        stage.exposed
    );
    assert_eq!(port, "12111", "the documented default port");
}

#[test]
fn the_image_runs_the_binary_directly_and_health_checks_it_with_its_own_subcommand() {
    let stage = runtime_stage();
    assert_eq!(stage.entrypoint, ["/usr/local/bin/stripe-billing-mock"]);
    assert_eq!(
        stage.healthcheck,
        ["/usr/local/bin/stripe-billing-mock", "healthcheck"]
    );
}

#[tokio::test]
async fn the_binary_serves_healthz_with_the_images_environment() {
    let server = Container::start();

    let response = reqwest::get(format!("http://127.0.0.1:{}/healthz", server.port))
        .await
        .expect("GET /healthz");

    assert_eq!(response.status(), reqwest::StatusCode::OK);
    let body: serde_json::Value = response.json().await.expect("a JSON body");
    assert_eq!(body, serde_json::json!({ "status": "ok" }));
}

#[tokio::test]
async fn the_binary_answers_stripe_requests_with_the_images_environment() {
    let server = Container::start();

    let response = reqwest::Client::new()
        .post(format!("http://127.0.0.1:{}/v1/customers", server.port))
        .bearer_auth("sk_test_binary")
        .header("content-type", "application/x-www-form-urlencoded")
        .body("email=jenny%40example.com")
        .send()
        .await
        .expect("POST /v1/customers");

    assert_eq!(response.status(), reqwest::StatusCode::OK);
    let body: serde_json::Value = response.json().await.expect("a JSON body");
    assert_eq!(body["object"], "customer");
    assert_eq!(body["email"], "jenny@example.com");
}

#[test]
fn the_healthcheck_passes_while_the_server_runs_and_fails_once_sigterm_stopped_it() {
    let mut server = Container::start();
    assert!(
        server.healthcheck().success(),
        "healthcheck against a live server"
    );

    let stopped = server.stop();

    assert_eq!(
        stopped.code(),
        Some(0),
        "SIGTERM should stop the server cleanly: {stopped}"
    );
    assert!(
        !server.healthcheck().success(),
        "healthcheck must fail when nothing listens"
    );
}

#[tokio::test]
async fn the_fixtures_flag_seeds_every_account_from_a_directory() {
    let port = free_port();
    let mut child = Command::new(binary())
        .args([
            "--port",
            &port.to_string(),
            "--fixtures",
            concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures"),
        ])
        .env_remove("STRIPE_MOCK_HOST")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn the binary");
    wait_until_listening(child.stderr.take().expect("stderr is piped"));
    let client = reqwest::Client::new();
    for key in ["sk_test_one", "sk_test_two"] {
        let r = client
            .get(format!(
                "http://127.0.0.1:{port}/v1/invoices/in_fixture_alice_draft"
            ))
            .bearer_auth(key)
            .send()
            .await
            .expect("sent");
        assert_eq!(r.status(), 200, "{key}");
        let body: serde_json::Value = r.json().await.expect("json");
        assert_eq!(body["total"], 998);
    }
    child.kill().expect("kill");
    let _ = child.wait();
}

#[test]
fn a_bad_fixtures_path_stops_the_binary_with_an_error() {
    let status = Command::new(binary())
        .args(["--port", "0", "--fixtures", "/nonexistent/fixtures.json"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("run the binary");
    assert!(!status.success());
}

/// The binary on a free port with `args`, and its stderr lines as they come (after the
/// "listening" line).
fn spawn_with(args: &[&str]) -> (Child, u16, std::sync::mpsc::Receiver<String>) {
    let port = free_port();
    let mut child = Command::new(binary())
        .args(["--port", &port.to_string()])
        .args(args)
        .env_remove("STRIPE_MOCK_HOST")
        .env("RUST_LOG", "stripe_billing_mock=info")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn the binary");
    let stderr = child.stderr.take().expect("stderr is piped");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let listening = rx
        .iter()
        .find(|line| line.contains("listening on"))
        .is_some();
    assert!(listening, "the server exited before listening");
    (child, port, rx)
}

/// Waits (at most 5 s) for a line containing `text`.
fn expect_line(lines: &std::sync::mpsc::Receiver<String>, text: &str) -> String {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match lines.recv_timeout(left) {
            Ok(line) if line.contains(text) => return line,
            Ok(_) => {}
            Err(_) => panic!("no log line containing {text:?}"),
        }
    }
}

/// A complete `GET /healthz` on a new connection, answered.
fn healthz_once(port: u16, keep_alive: bool) -> std::net::TcpStream {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(5)))
        .expect("read timeout");
    let close = if keep_alive {
        ""
    } else {
        "Connection: close\r\n"
    };
    write!(
        stream,
        "GET /healthz HTTP/1.1\r\nHost: localhost\r\n{close}\r\n"
    )
    .expect("write");
    let mut buf = [0u8; 1024];
    let n = stream.read(&mut buf).expect("an answer");
    assert!(buf[..n].starts_with(b"HTTP/1.1 200"));
    stream
}

#[test]
fn sigterm_with_a_stuck_client_exits_0_within_the_deadline_and_logs_the_cut() {
    use std::io::Write;
    let (mut child, port, lines) = spawn_with(&[
        "--shutdown-timeout",
        "0.3",
        "--header-read-timeout",
        "60",
        "--idle-timeout",
        "60",
    ]);
    let mut stuck = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stuck
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: loc")
        .expect("write");
    // Served in order: once a later connection is answered, the stuck one is held too.
    drop(healthz_once(port, false));

    let started = std::time::Instant::now();
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("run kill");
    assert!(status.success());
    let cut = expect_line(&lines, "shutdown deadline passed");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait());
    });
    let exited = rx
        .recv_timeout(std::time::Duration::from_secs(5))
        .expect("the server exits within the deadline")
        .expect("wait");

    assert_eq!(exited.code(), Some(0), "{exited}");
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    assert!(cut.contains("cut 1 connections"), "{cut}");
}

#[test]
fn the_connection_limit_is_logged_once_when_reached() {
    let (mut child, port, lines) = spawn_with(&["--max-connections", "1"]);
    let held = healthz_once(port, true);
    let waiting = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");

    let line = expect_line(&lines, "connection limit reached");
    assert!(line.contains("max_connections=1"), "{line}");

    drop(held);
    drop(waiting);
    let _ = child.kill();
    let _ = child.wait();
}
