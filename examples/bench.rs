//! The benchmark driver behind `bench/run`: starts the release binaries, seeds data over HTTP,
//! drives load with `wrk` from a separate process over loopback, and prints one line per
//! scenario.
//!
//! Every HTTP scenario reports requests/s, p50, p99 and the server's CPU time per request (from
//! `/proc/<pid>/stat` before and after the load), each the median of `BENCH_REPS` runs, and its
//! ratio to the bare axum server of `examples/baseline.rs` measured in the same run with the
//! same load settings. Ratios are the targets: the machine is shared and noisy, ratios are not.
//! A scenario whose endpoint the server does not have yet (404 "Unrecognized request URL") is
//! reported as skipped rather than failing the run.
//!
//! Settings (environment): `BENCH_DURATION` seconds per run (5), `BENCH_REPS` (3),
//! `BENCH_THREADS` (2) and `BENCH_CONNECTIONS` (32) for wrk, `BENCH_LARGE` objects for the
//! flatness scenario (1000000), `BENCH_RSS_OBJECTS` (100000), `BENCH_LOG_LEVELS`
//! (`warn,default`), `BENCH_ONLY` (comma-separated scenario name substrings), `BENCH_MOCK` (the
//! mock binary to measure; by default the one built beside this driver).
//!
//! Not a test: `cargo test` only compiles it. Run it with `bench/run`.

#![allow(
    clippy::print_stdout,
    reason = "printing the results is this program's job"
)]

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Run settings.
#[derive(Debug, Clone)]
struct Settings {
    duration: u64,
    reps: usize,
    threads: usize,
    connections: usize,
    large: usize,
    rss_objects: usize,
    log_levels: Vec<String>,
    only: Vec<String>,
}

impl Settings {
    fn from_env() -> Result<Settings, BoxError> {
        fn num<T: std::str::FromStr>(name: &str, default: T) -> Result<T, BoxError> {
            match std::env::var(name) {
                Ok(v) => v
                    .parse()
                    .map_err(|_| format!("{name}={v} is not a number").into()),
                Err(_) => Ok(default),
            }
        }
        let list = |name: &str, default: &str| -> Vec<String> {
            std::env::var(name)
                .unwrap_or_else(|_| default.to_owned())
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect()
        };
        Ok(Settings {
            duration: num("BENCH_DURATION", 5)?,
            reps: num("BENCH_REPS", 3)?,
            threads: num("BENCH_THREADS", 2)?,
            connections: num("BENCH_CONNECTIONS", 32)?,
            large: num("BENCH_LARGE", 1_000_000)?,
            rss_objects: num("BENCH_RSS_OBJECTS", 100_000)?,
            log_levels: list("BENCH_LOG_LEVELS", "warn,default"),
            only: list("BENCH_ONLY", ""),
        })
    }

    fn wants(&self, scenario: &str) -> bool {
        self.only.is_empty() || self.only.iter().any(|o| scenario.contains(o.as_str()))
    }
}

// ---------------------------------------------------------------------------------------------
// Servers

/// A server process under measurement.
struct Server {
    child: Child,
    base: String,
}

impl Server {
    /// Starts `binary --port P` with `RUST_LOG` set to `log` (`default` = unset) and stderr
    /// written to `log_file`; returns once `/healthz` answers 200.
    fn start(binary: &Path, log: &str, log_file: &Path) -> Result<Server, BoxError> {
        let port = free_port()?;
        let mut cmd = Command::new(binary);
        cmd.args(["--port", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(log_file)?);
        cmd.env_remove("RUST_LOG");
        if log != "default" {
            cmd.env("RUST_LOG", log);
        }
        let child = cmd.spawn()?;
        let mut server = Server {
            child,
            base: format!("http://127.0.0.1:{port}"),
        };
        wait_healthy(port, &mut server.child)?;
        Ok(server)
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> Result<u16, BoxError> {
    Ok(std::net::TcpListener::bind(("127.0.0.1", 0))?
        .local_addr()?
        .port())
}

/// One raw `GET /healthz`; true on a 200.
fn healthz_ok(port: u16) -> bool {
    let Ok(mut conn) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    if conn
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n")
        .is_err()
    {
        return false;
    }
    let mut buf = [0u8; 16];
    let mut got = 0;
    while got < 12 {
        match conn.read(&mut buf[got..]) {
            Ok(0) | Err(_) => return false,
            Ok(n) => got += n,
        }
    }
    buf.starts_with(b"HTTP/1.1 200")
}

/// Polls `/healthz` until it answers 200; fails if the process exits or 20 s pass.
fn wait_healthy(port: u16, child: &mut Child) -> Result<Duration, BoxError> {
    let started = Instant::now();
    loop {
        if healthz_ok(port) {
            return Ok(started.elapsed());
        }
        if let Some(status) = child.try_wait()? {
            return Err(
                format!("the server exited with {status} before answering /healthz").into(),
            );
        }
        if started.elapsed() > Duration::from_secs(20) {
            return Err("the server did not answer /healthz within 20 s".into());
        }
        std::thread::yield_now();
    }
}

/// utime + stime of a process (all threads), in clock ticks.
fn cpu_ticks(pid: u32) -> Result<u64, BoxError> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    // The command name may contain spaces; fields are counted after its closing parenthesis.
    let rest = stat
        .rsplit_once(')')
        .map(|(_, r)| r)
        .ok_or("unexpected /proc/<pid>/stat format")?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // Fields 14 and 15 of stat(5); `rest` starts at field 3.
    let utime: u64 = fields.get(11).ok_or("no utime")?.parse()?;
    let stime: u64 = fields.get(12).ok_or("no stime")?.parse()?;
    Ok(utime + stime)
}

/// Resident set size in KiB.
fn rss_kib(pid: u32) -> Result<u64, BoxError> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let line = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .ok_or("no VmRSS")?;
    Ok(line
        .split_whitespace()
        .nth(1)
        .ok_or("bad VmRSS line")?
        .parse()?)
}

fn clock_ticks_per_second() -> u64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100)
}

// ---------------------------------------------------------------------------------------------
// Load

/// What wrk sends: a GET of one path with plain headers (no Lua, the cheapest load), or a
/// sequence of requests per wrk thread generated as a Lua script.
#[derive(Debug, Clone)]
enum Load {
    Get {
        path: String,
        key: String,
    },
    Sequence {
        method: &'static str,
        content_type: &'static str,
        body: String,
        key: String,
        /// One list of paths per wrk thread, cycled through in order.
        paths: Vec<Vec<String>>,
    },
    /// Billing intents reserved and released in turn: `ids` holds each wrk thread's intents.
    /// Which call an intent gets next is decided by its last response, so that a slow answer
    /// on one connection never lets a release overtake its reserve.
    ReserveCycle {
        key: String,
        ids: Vec<Vec<String>>,
    },
}

/// One wrk run, as measured.
#[derive(Debug, Clone, Copy, Default)]
struct Measure {
    rps: f64,
    p50_us: f64,
    p99_us: f64,
    cpu_us: f64,
    requests: u64,
    bad: u64,
    /// Bytes wrk read (responses with their headers).
    bytes_read: f64,
    /// Mean response body size, for scenarios compared with a same-size baseline body.
    body_bytes: Option<usize>,
    /// Median ratio of req/s to the paired baseline runs (NaN when not paired).
    ratio: f64,
    /// Median ratio of the paired baseline's server CPU per request to this one's: the
    /// throughput ratio to expect where CPU, not the load generator, is the limit.
    cpu_ratio: f64,
    /// Median ratio of req/s to the baseline's plain GET of an intent-sized body, paired the
    /// same way (equal to `ratio` for plain GETs of small bodies).
    plain_ratio: f64,
}

struct Bench {
    settings: Settings,
    work: PathBuf,
    ticks: u64,
    run_id: AtomicUsize,
    /// The baseline server, alive for the whole run so every scenario run can be paired.
    baseline: Option<Server>,
    /// Every run of the baseline under the cheapest load (a plain GET of an intent-sized body,
    /// no script), for its own line.
    baseline_runs: std::cell::RefCell<Vec<Measure>>,
}

fn lua_str(s: &str) -> String {
    format!("[==[{s}]==]")
}

impl Bench {
    /// The wrk script of `load`; `size` adds the header that makes the baseline answer with a
    /// body of that many bytes.
    fn script(&self, load: &Load, size: Option<usize>) -> Result<Option<PathBuf>, BoxError> {
        let (method, content_type, body, key, paths) = match load {
            Load::Get { .. } => return Ok(None),
            Load::Sequence {
                method,
                content_type,
                body,
                key,
                paths,
            } => (*method, *content_type, body.as_str(), key, paths),
            Load::ReserveCycle { key, ids } => ("POST", "application/json", "{}", key, ids),
        };
        let run = self.run_id.fetch_add(1, Ordering::Relaxed);
        let mut lua = String::new();
        writeln!(lua, "-- generated by examples/bench.rs")?;
        writeln!(lua, "wrk.method = {}", lua_str(method))?;
        writeln!(lua, "wrk.body = {}", lua_str(body))?;
        writeln!(
            lua,
            "wrk.headers[\"Content-Type\"] = {}",
            lua_str(content_type)
        )?;
        writeln!(
            lua,
            "wrk.headers[\"Authorization\"] = {}",
            lua_str(&format!("Bearer {key}"))
        )?;
        if let Some(n) = size {
            writeln!(lua, "wrk.headers[\"X-Bench-Bytes\"] = \"{n}\"")?;
        }
        writeln!(lua, "local sequences = {{")?;
        for seq in paths {
            write!(lua, "  {{")?;
            for p in seq {
                write!(lua, "{},", lua_str(p))?;
            }
            writeln!(lua, "}},")?;
        }
        writeln!(lua, "}}")?;
        // Every POST carries a unique Idempotency-Key, as the official SDKs send one.
        lua.push_str(&format!(
            r#"local started = 0
function setup(thread)
  started = started + 1
  thread:set("tid", started)
end
local n = 0
local function mine()
  return sequences[((tid or 1) - 1) % #sequences + 1]
end
local function key()
  n = n + 1
  wrk.headers["Idempotency-Key"] = "bench-{run}-" .. (tid or 1) .. "-" .. n
end
"#
        ));
        if matches!(load, Load::ReserveCycle { .. }) {
            lua.push_str(
                r#"local to_reserve, to_release = {}, {}
function init(args)
  for _, id in ipairs(mine()) do to_reserve[#to_reserve + 1] = id end
end
function request()
  key()
  local id, action = table.remove(to_release), "release_reservation"
  if id == nil then id, action = table.remove(to_reserve), "reserve" end
  if id == nil then return wrk.format("GET", "/healthz") end
  return wrk.format(nil, "/v2/billing/intents/" .. id .. "/" .. action)
end
function response(status, headers, body)
  if status ~= 200 then return end
  local id = string.match(body, '"id":"([^"]+)"')
  local st = string.match(body, '"status":"(%a+)"')
  if id == nil then return end
  if st == "reserved" then to_release[#to_release + 1] = id
  elseif st == "draft" then to_reserve[#to_reserve + 1] = id end
end
"#,
            );
        } else {
            lua.push_str(
                r#"function request()
  local seq = mine()
  key()
  return wrk.format(nil, seq[(n - 1) % #seq + 1])
end
"#,
            );
        }
        let path = self.work.join(format!("load-{run}.lua"));
        std::fs::write(&path, lua)?;
        Ok(Some(path))
    }

    /// Runs wrk once for `seconds` against `server`, measuring its CPU time.
    fn wrk(&self, server: &Server, load: &Load, seconds: u64) -> Result<Measure, BoxError> {
        self.wrk_sized(server, load, seconds, None)
    }

    /// [`Bench::wrk`], asking the baseline for `size`-byte bodies.
    fn wrk_sized(
        &self,
        server: &Server,
        load: &Load,
        seconds: u64,
        size: Option<usize>,
    ) -> Result<Measure, BoxError> {
        let script = self.script(load, size)?;
        let mut cmd = Command::new("wrk");
        cmd.args([
            "--latency",
            "-t",
            &self.settings.threads.to_string(),
            "-c",
            &self.settings.connections.to_string(),
            "-d",
            &format!("{seconds}s"),
        ]);
        let url = match load {
            Load::Get { path, key } => {
                cmd.args(["-H", &format!("Authorization: Bearer {key}")]);
                format!("{}{}", server.base, path)
            }
            Load::Sequence { .. } | Load::ReserveCycle { .. } => {
                if let Some(s) = &script {
                    cmd.arg("-s").arg(s);
                }
                server.base.clone()
            }
        };
        cmd.arg(url);
        let before = cpu_ticks(server.pid())?;
        let out = cmd.output()?;
        let after = cpu_ticks(server.pid())?;
        if !out.status.success() {
            return Err(format!(
                "wrk failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            )
            .into());
        }
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let mut m = parse_wrk(&text)?;
        if m.requests > 0 {
            m.cpu_us = (after - before) as f64 * 1e6 / self.ticks as f64 / m.requests as f64;
        }
        Ok(m)
    }

    /// A warm-up run, then `reps` measured runs; the median of each figure. `fresh` is called
    /// before every run for loads that consume state (intents to reserve, invoices to fill).
    /// Each run is paired with a baseline run right after it under the same load (the same
    /// wrk script: method, body, headers, response parsing); with `size`, the baseline answers
    /// with bodies the size of the run's mean response body (responses can grow during a run,
    /// as an invoice's lines do); `ratio` is the median of the per-pair ratios, so that load
    /// from elsewhere on a shared machine cancels out.
    fn measure(
        &self,
        server: &Server,
        size: Option<ResponseSize>,
        mut fresh: impl FnMut() -> Result<Load, BoxError>,
    ) -> Result<Measure, BoxError> {
        let warm = fresh()?;
        self.wrk(server, &warm, 1)?;
        let mut runs = Vec::new();
        let mut ratios = Vec::new();
        let mut cpu_ratios = Vec::new();
        let mut plain_ratios = Vec::new();
        let plain_load = baseline_load();
        for _ in 0..self.settings.reps {
            let load = fresh()?;
            let mut m = self.wrk(server, &load, self.settings.duration)?;
            m.body_bytes = size.map(|probe| probe.mean_body(&m));
            let (paired, header) = baseline_pair(&load, m.body_bytes);
            let same_as_plain = size.is_none() && matches!(load, Load::Get { .. });
            let base = match &self.baseline {
                Some(b) => {
                    let same = self.wrk_sized(b, &paired, self.settings.duration, header)?;
                    let plain = if same_as_plain {
                        same
                    } else {
                        self.wrk(b, &plain_load, self.settings.duration)?
                    };
                    self.baseline_runs.borrow_mut().push(plain);
                    Some((same, plain))
                }
                None => None,
            };
            if let Some((b, plain)) = base {
                ratios.push(m.rps / b.rps);
                cpu_ratios.push(b.cpu_us / m.cpu_us);
                plain_ratios.push(m.rps / plain.rps);
            }
            runs.push(m);
        }
        Ok(Measure {
            ratio: median(ratios.into_iter()),
            cpu_ratio: median(cpu_ratios.into_iter()),
            plain_ratio: median(plain_ratios.into_iter()),
            ..Measure::median_of(&runs)
        })
    }
}

impl Measure {
    /// The median of each figure of `runs` (totals for the counts), without ratios.
    fn median_of(runs: &[Measure]) -> Measure {
        Measure {
            rps: median(runs.iter().map(|m| m.rps)),
            p50_us: median(runs.iter().map(|m| m.p50_us)),
            p99_us: median(runs.iter().map(|m| m.p99_us)),
            cpu_us: median(runs.iter().map(|m| m.cpu_us)),
            requests: runs.iter().map(|m| m.requests).sum(),
            bad: runs.iter().map(|m| m.bad).sum(),
            bytes_read: runs.iter().map(|m| m.bytes_read).sum(),
            body_bytes: runs
                .iter()
                .map(|m| m.body_bytes.map(|b| b as f64))
                .collect::<Option<Vec<_>>>()
                .map(|sizes| median(sizes.into_iter()) as usize),
            ratio: f64::NAN,
            cpu_ratio: f64::NAN,
            plain_ratio: f64::NAN,
        }
    }
}

/// The size of one response: its body, and its status line and headers.
#[derive(Debug, Clone, Copy)]
struct ResponseSize {
    body: usize,
    head: usize,
}

impl ResponseSize {
    /// The mean body size of the responses of run `m`: what wrk read per request, less this
    /// response's head (the same for every response of a scenario, give or take a digit).
    fn mean_body(self, m: &Measure) -> usize {
        if m.requests == 0 || m.bytes_read <= 0.0 {
            return self.body;
        }
        ((m.bytes_read / m.requests as f64) as usize).saturating_sub(self.head)
    }
}

/// Size of the response to the first request of `load` (None for the reserve cycle, whose
/// responses are intents).
fn response_bytes(
    ctx: &Ctx<'_>,
    server: &Server,
    load: &Load,
) -> Result<Option<ResponseSize>, BoxError> {
    let (method, path, body, content_type, key) = match load {
        Load::Get { path, key } => (reqwest::Method::GET, path.clone(), None, "", key),
        Load::Sequence {
            method,
            content_type,
            body,
            key,
            paths,
        } => {
            let path = paths
                .first()
                .and_then(|p| p.first())
                .cloned()
                .ok_or("empty load")?;
            let method = reqwest::Method::from_bytes(method.as_bytes())?;
            (method, path, Some(body.clone()), *content_type, key)
        }
        Load::ReserveCycle { .. } => return Ok(None),
    };
    let client = reqwest::Client::new();
    let url = format!("{}{path}", server.base);
    let bytes = ctx.rt.block_on(async {
        let mut req = client
            .request(method, url)
            .bearer_auth(key)
            .header("Idempotency-Key", uuid::Uuid::new_v4().to_string());
        if let Some(body) = body {
            req = req.header("content-type", content_type).body(body);
        }
        let resp = req.send().await?;
        // `HTTP/1.1 200 OK` CRLF, `name: value` CRLF per header, and the blank line.
        let head = 17
            + resp
                .headers()
                .iter()
                .map(|(k, v)| k.as_str().len() + v.len() + 4)
                .sum::<usize>()
            + 2;
        resp.bytes().await.map(|b| ResponseSize {
            body: b.len(),
            head,
        })
    })?;
    Ok(Some(bytes))
}

/// The baseline's side of a pair: a GET of an intent-sized body, or of `/bytes/{size}`; a
/// scripted load as it is, with the `X-Bench-Bytes` header when a size is given.
fn baseline_pair(load: &Load, size: Option<usize>) -> (Load, Option<usize>) {
    match (load, size) {
        (Load::Get { .. }, None) => (baseline_load(), None),
        (Load::Get { .. }, Some(n)) => (
            Load::Get {
                path: format!("/bytes/{n}"),
                key: "sk_test_baseline".into(),
            },
            None,
        ),
        (Load::Sequence { .. } | Load::ReserveCycle { .. }, size) => (load.clone(), size),
    }
}

/// What the baseline serves: any GET path, answered with an intent-sized JSON body.
fn baseline_load() -> Load {
    Load::Get {
        path: "/v2/billing/intents/bilint_61SbQ4ZVMJ2ESqq2416S40x4RVA8P2F2ShZStd6x6RCy".into(),
        key: "sk_test_baseline".into(),
    }
}

fn median(values: impl Iterator<Item = f64>) -> f64 {
    let mut v: Vec<f64> = values.collect();
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let mid = v.len() / 2;
    if v.len() % 2 == 1 {
        v[mid]
    } else {
        (v[mid - 1] + v[mid]) / 2.0
    }
}

/// Microseconds from a wrk duration such as `512.00us`, `1.20ms`, `2.01s`.
fn parse_duration_us(s: &str) -> Option<f64> {
    let (num, factor) = if let Some(n) = s.strip_suffix("us") {
        (n, 1.0)
    } else if let Some(n) = s.strip_suffix("ms") {
        (n, 1e3)
    } else if let Some(n) = s.strip_suffix('m') {
        (n, 60e6)
    } else if let Some(n) = s.strip_suffix('s') {
        (n, 1e6)
    } else {
        return None;
    };
    num.parse::<f64>().ok().map(|v| v * factor)
}

/// Bytes from a wrk size such as `512.00B`, `1.20KB`, `2.01GB` (binary multiples).
fn parse_bytes(s: &str) -> Option<f64> {
    let (num, factor) = [
        ("KB", 1024.0),
        ("MB", 1024.0 * 1024.0),
        ("GB", 1024.0 * 1024.0 * 1024.0),
    ]
    .into_iter()
    .find_map(|(unit, f)| s.strip_suffix(unit).map(|n| (n, f)))
    .or_else(|| s.strip_suffix('B').map(|n| (n, 1.0)))?;
    num.parse::<f64>().ok().map(|v| v * factor)
}

fn parse_wrk(text: &str) -> Result<Measure, BoxError> {
    let mut m = Measure::default();
    for line in text.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["50%", d] => m.p50_us = parse_duration_us(d).ok_or("bad p50")?,
            ["99%", d] => m.p99_us = parse_duration_us(d).ok_or("bad p99")?,
            ["Requests/sec:", r] => m.rps = r.parse()?,
            [n, "requests", "in", _, read, "read"] => {
                m.requests = n.parse()?;
                m.bytes_read = parse_bytes(read).ok_or("bad byte count")?;
            }
            ["Non-2xx", "or", "3xx", "responses:", n] => m.bad += n.parse::<u64>()?,
            ["Socket", "errors:", rest @ ..] => {
                for w in rest {
                    if let Ok(n) = w.trim_end_matches(',').parse::<u64>() {
                        m.bad += n;
                    }
                }
            }
            _ => {}
        }
    }
    if m.requests == 0 {
        return Err(format!("wrk made no requests:\n{text}").into());
    }
    Ok(m)
}

// ---------------------------------------------------------------------------------------------
// Setup over HTTP

/// Why a scenario did not run.
#[derive(Debug)]
enum Skip {
    /// The server answered 404 "Unrecognized request URL": the endpoint is not there yet.
    Unavailable(String),
    /// Anything else that went wrong while seeding.
    Failed(String),
}

impl std::fmt::Display for Skip {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Skip::Unavailable(e) => write!(f, "skipped: endpoint not available ({e})"),
            Skip::Failed(e) => write!(f, "skipped: setup failed ({e})"),
        }
    }
}

impl From<BoxError> for Skip {
    fn from(e: BoxError) -> Self {
        Skip::Failed(e.to_string())
    }
}

impl From<reqwest::Error> for Skip {
    fn from(e: reqwest::Error) -> Self {
        Skip::Failed(e.to_string())
    }
}

/// A client for one account of one server.
#[derive(Clone)]
struct Api {
    http: reqwest::Client,
    base: String,
    key: String,
}

enum Body {
    None,
    Form(String),
    Json(String),
}

impl Api {
    fn new(server: &Server, key: &str) -> Api {
        Api {
            http: reqwest::Client::builder()
                .pool_max_idle_per_host(256)
                // A pathological server fails the scenario's setup instead of hanging the run.
                .timeout(Duration::from_secs(60))
                .build()
                .unwrap_or_default(),
            base: server.base.clone(),
            key: key.to_owned(),
        }
    }

    async fn send(&self, method: reqwest::Method, path: &str, body: Body) -> Result<Value, Skip> {
        let mut req = self
            .http
            .request(method.clone(), format!("{}{}", self.base, path))
            .bearer_auth(&self.key)
            .header("Idempotency-Key", uuid::Uuid::new_v4().to_string());
        req = match body {
            Body::None => req,
            Body::Form(f) => req
                .header("content-type", "application/x-www-form-urlencoded")
                .body(f),
            Body::Json(j) => req.header("content-type", "application/json").body(j),
        };
        let resp = req.send().await?;
        let status = resp.status();
        let text = resp.text().await?;
        let value: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        if status.is_success() {
            return Ok(value);
        }
        let message = value["error"]["message"]
            .as_str()
            .unwrap_or(&text)
            .to_owned();
        let endpoint = format!("{method} {}", path.split('?').next().unwrap_or(path));
        if status == reqwest::StatusCode::NOT_FOUND && message.contains("Unrecognized request URL")
        {
            Err(Skip::Unavailable(endpoint))
        } else {
            Err(Skip::Failed(format!("{endpoint} → {status}: {message}")))
        }
    }

    async fn post_form(&self, path: &str, form: &str) -> Result<Value, Skip> {
        self.send(reqwest::Method::POST, path, Body::Form(form.to_owned()))
            .await
    }

    async fn post_json(&self, path: &str, json: &str) -> Result<Value, Skip> {
        self.send(reqwest::Method::POST, path, Body::Json(json.to_owned()))
            .await
    }

    async fn get(&self, path: &str) -> Result<Value, Skip> {
        self.send(reqwest::Method::GET, path, Body::None).await
    }

    /// `POST path` `n` times from `concurrency` tasks; returns the ids created, in no order.
    async fn create_many(
        &self,
        n: usize,
        concurrency: usize,
        path: &str,
        body: Arc<dyn Fn(usize) -> Body + Send + Sync>,
        keep_ids: bool,
    ) -> Result<Vec<String>, Skip> {
        let next = Arc::new(AtomicUsize::new(0));
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..concurrency.max(1) {
            let api = self.clone();
            let next = Arc::clone(&next);
            let body = Arc::clone(&body);
            let path = path.to_owned();
            tasks.spawn(async move {
                let mut ids = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= n {
                        return Ok::<_, Skip>(ids);
                    }
                    let v = api.send(reqwest::Method::POST, &path, body(i)).await?;
                    if keep_ids || ids.is_empty() {
                        ids.push(id_of(&v)?);
                    }
                }
            });
        }
        let mut all = Vec::new();
        while let Some(joined) = tasks.join_next().await {
            let ids = joined.map_err(|e| Skip::Failed(e.to_string()))??;
            all.extend(ids);
        }
        Ok(all)
    }
}

fn id_of(v: &Value) -> Result<String, Skip> {
    v["id"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| Skip::Failed(format!("response has no id: {v}")))
}

/// The v2 create body from the issue: one subscribe action on one recurring price.
fn intent_body(price: &str) -> String {
    serde_json::json!({
        "currency": "usd",
        "actions": [{
            "type": "subscribe",
            "subscribe": {
                "type": "v1_subscription_details",
                "v1_subscription_details": { "items": [{ "price": price, "quantity": 1 }] }
            }
        }]
    })
    .to_string()
}

async fn recurring_price(api: &Api) -> Result<String, Skip> {
    id_of(
        &api.post_form(
            "/v1/prices",
            "currency=usd&unit_amount=1000&product_data[name]=Bench%20plan&recurring[interval]=month",
        )
        .await?,
    )
}

async fn customer(api: &Api) -> Result<String, Skip> {
    id_of(
        &api.post_form("/v1/customers", "email=bench%40example.com")
            .await?,
    )
}

/// `n` intents on `price` (the price's account must be `api`'s).
async fn intents(api: &Api, price: &str, n: usize, keep: bool) -> Result<Vec<String>, Skip> {
    let body = intent_body(price);
    api.create_many(
        n,
        32,
        "/v2/billing/intents",
        Arc::new(move |_| Body::Json(body.clone())),
        keep,
    )
    .await
}

async fn customers(api: &Api, n: usize, keep: bool) -> Result<Vec<String>, Skip> {
    api.create_many(
        n,
        32,
        "/v1/customers",
        Arc::new(|i| Body::Form(format!("email=bench{i}%40example.com"))),
        keep,
    )
    .await
}

fn split_per_thread(
    ids: &[String],
    threads: usize,
    path: impl Fn(&str) -> Vec<String>,
) -> Vec<Vec<String>> {
    let per = ids.len().div_ceil(threads.max(1)).max(1);
    ids.chunks(per)
        .map(|chunk| chunk.iter().flat_map(|id| path(id)).collect())
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Scenarios and results

/// A result line.
#[derive(Debug)]
struct Row {
    scenario: String,
    log: String,
    figures: Result<Figures, String>,
    target: &'static str,
    verdict: Option<bool>,
}

#[derive(Debug)]
enum Figures {
    Http {
        m: Measure,
        /// req/s ratio to the baseline under the same load (the target).
        ratio: f64,
        /// req/s ratio to the baseline's plain GET of an intent-sized body.
        plain: f64,
        /// Bytes of the baseline body the scenario was paired with, when larger than an intent.
        size: Option<usize>,
    },
    Value(String),
}

struct Ctx<'a> {
    bench: &'a Bench,
    rt: &'a tokio::runtime::Runtime,
    mock: &'a Path,
    key_seq: AtomicUsize,
}

impl Ctx<'_> {
    fn key(&self, tag: &str) -> String {
        let n = self.key_seq.fetch_add(1, Ordering::Relaxed);
        format!("sk_test_bench_{tag}_{n}_{}", uuid::Uuid::new_v4().simple())
    }
}

/// An HTTP scenario: setup returns a factory of fresh loads.
type LoadFactory = Box<dyn FnMut() -> Result<Load, BoxError>>;

struct HttpScenario {
    name: &'static str,
    target: &'static str,
    /// Minimum ratio to the baseline's req/s; extra checks for GET intent.
    min_ratio: f64,
    strict_get: bool,
    setup: fn(&Ctx<'_>, &Server) -> Result<LoadFactory, Skip>,
}

fn block<T>(ctx: &Ctx<'_>, f: impl std::future::Future<Output = T>) -> T {
    ctx.rt.block_on(f)
}

fn scenarios() -> Vec<HttpScenario> {
    vec![
        HttpScenario {
            name: "GET /healthz (harness check)",
            target: "—",
            min_ratio: 0.0,
            strict_get: false,
            setup: |ctx, _| {
                let key = ctx.key("health");
                Ok(Box::new(move || {
                    Ok(Load::Get {
                        path: "/healthz".into(),
                        key: key.clone(),
                    })
                }))
            },
        },
        HttpScenario {
            name: "GET customer (harness check)",
            target: "—",
            min_ratio: 0.0,
            strict_get: false,
            setup: |ctx, server| {
                let key = ctx.key("getcus");
                let api = Api::new(server, &key);
                let id = block(ctx, customer(&api))?;
                Ok(Box::new(move || {
                    Ok(Load::Get {
                        path: format!("/v1/customers/{id}"),
                        key: key.clone(),
                    })
                }))
            },
        },
        HttpScenario {
            name: "POST create customer, Idempotency-Key (harness check)",
            target: "—",
            min_ratio: 0.0,
            strict_get: false,
            setup: |ctx, _| {
                let key = ctx.key("postcus");
                Ok(Box::new(move || {
                    Ok(Load::Sequence {
                        method: "POST",
                        content_type: "application/x-www-form-urlencoded",
                        body: "email=jenny%40example.com&name=Jenny".into(),
                        key: key.clone(),
                        paths: vec![vec!["/v1/customers".into()]],
                    })
                }))
            },
        },
        HttpScenario {
            name: "GET intent",
            target: ">= 0.85x, p99 <= 2 ms, <= 15 us CPU",
            min_ratio: 0.85,
            strict_get: true,
            setup: |ctx, server| {
                let key = ctx.key("getint");
                let api = Api::new(server, &key);
                let price = block(ctx, recurring_price(&api))?;
                // The intent looked up sits among 1,000 in its account.
                let ids = block(ctx, intents(&api, &price, 1000, false))?;
                let id = ids
                    .first()
                    .cloned()
                    .ok_or(Skip::Failed("no intent".into()))?;
                Ok(Box::new(move || {
                    Ok(Load::Get {
                        path: format!("/v2/billing/intents/{id}"),
                        key: key.clone(),
                    })
                }))
            },
        },
        HttpScenario {
            name: "POST create intent, Idempotency-Key",
            target: ">= 0.6x",
            min_ratio: 0.6,
            strict_get: false,
            setup: |ctx, server| {
                let key = ctx.key("postint");
                let api = Api::new(server, &key);
                let price = block(ctx, recurring_price(&api))?;
                block(ctx, intents(&api, &price, 1, false))?;
                let body = intent_body(&price);
                Ok(Box::new(move || {
                    Ok(Load::Sequence {
                        method: "POST",
                        content_type: "application/json",
                        body: body.clone(),
                        key: key.clone(),
                        paths: vec![vec!["/v2/billing/intents".into()]],
                    })
                }))
            },
        },
        HttpScenario {
            name: "reserve + release_reservation cycle",
            target: ">= 0.6x",
            min_ratio: 0.6,
            strict_get: false,
            setup: |ctx, server| {
                let key = ctx.key("cycle");
                let api = Api::new(server, &key);
                let price = block(ctx, recurring_price(&api))?;
                let probe = block(ctx, intents(&api, &price, 1, true))?;
                let probe_id = probe
                    .first()
                    .cloned()
                    .ok_or(Skip::Failed("no intent".into()))?;
                block(
                    ctx,
                    api.post_json(&format!("/v2/billing/intents/{probe_id}/reserve"), "{}"),
                )?;
                block(
                    ctx,
                    api.post_json(
                        &format!("/v2/billing/intents/{probe_id}/release_reservation"),
                        "{}",
                    ),
                )?;
                let threads = ctx.bench.settings.threads;
                // Each wrk thread works on its own intents, more than its connections.
                let per_thread = 4 * ctx.bench.settings.connections.div_ceil(threads).max(16);
                let rt_key = key.clone();
                let rt = ctx.rt.handle().clone();
                Ok(Box::new(move || {
                    let ids = rt
                        .block_on(intents(&api, &price, per_thread * threads, true))
                        .map_err(|e| e.to_string())?;
                    Ok(Load::ReserveCycle {
                        key: rt_key.clone(),
                        ids: ids.chunks(per_thread).map(<[String]>::to_vec).collect(),
                    })
                }))
            },
        },
        HttpScenario {
            name: "GET invoice lines (10)",
            target: ">= 0.6x",
            min_ratio: 0.6,
            strict_get: false,
            setup: |ctx, server| {
                let key = ctx.key("lines");
                let api = Api::new(server, &key);
                let cus = block(ctx, customer(&api))?;
                let inv = id_of(&block(
                    ctx,
                    api.post_form("/v1/invoices", &format!("customer={cus}")),
                )?)?;
                let mut form = String::new();
                for i in 0..10 {
                    let _ = write!(
                        form,
                        "{}lines[{i}][amount]={}&lines[{i}][description]=line%20{i}",
                        if i == 0 { "" } else { "&" },
                        100 + i
                    );
                }
                block(
                    ctx,
                    api.post_form(&format!("/v1/invoices/{inv}/add_lines"), &form),
                )?;
                let lines = block(ctx, api.get(&format!("/v1/invoices/{inv}/lines")))?;
                let n = lines["data"].as_array().map_or(0, Vec::len);
                if n != 10 {
                    return Err(Skip::Failed(format!("expected 10 lines, got {n}")));
                }
                Ok(Box::new(move || {
                    Ok(Load::Get {
                        path: format!("/v1/invoices/{inv}/lines"),
                        key: key.clone(),
                    })
                }))
            },
        },
        HttpScenario {
            name: "POST add_lines (1 line)",
            target: ">= 0.5x",
            min_ratio: 0.5,
            strict_get: false,
            setup: |ctx, server| {
                let key = ctx.key("addlines");
                let api = Api::new(server, &key);
                let cus = block(ctx, customer(&api))?;
                let probe = id_of(&block(
                    ctx,
                    api.post_form("/v1/invoices", &format!("customer={cus}")),
                )?)?;
                block(
                    ctx,
                    api.post_form(
                        &format!("/v1/invoices/{probe}/add_lines"),
                        "lines[0][amount]=100&lines[0][description]=x",
                    ),
                )?;
                // Stripe caps an invoice at 250 items: spread the load over enough fresh drafts
                // that none gets near it, a new set for every run. They are all created before
                // any line is added, so that their creation does not depend on how many invoice
                // items the account holds by then.
                let threads = ctx.bench.settings.threads;
                let per_thread = (ctx.bench.settings.duration as usize * 400).max(1000);
                let sets = ctx.bench.settings.reps + 2;
                let cus_form = format!("customer={cus}");
                let all = block(
                    ctx,
                    api.create_many(
                        per_thread * threads * sets,
                        32,
                        "/v1/invoices",
                        Arc::new(move |_| Body::Form(cus_form.clone())),
                        true,
                    ),
                )?;
                let mut sets = all
                    .chunks(per_thread * threads)
                    .map(<[String]>::to_vec)
                    .collect::<Vec<_>>()
                    .into_iter();
                Ok(Box::new(move || {
                    let ids = sets.next().ok_or("no fresh invoices left")?;
                    Ok(Load::Sequence {
                        method: "POST",
                        content_type: "application/x-www-form-urlencoded",
                        body: "lines[0][amount]=100&lines[0][description]=x".into(),
                        key: key.clone(),
                        paths: split_per_thread(&ids, threads, |id| {
                            vec![format!("/v1/invoices/{id}/add_lines")]
                        }),
                    })
                }))
            },
        },
        HttpScenario {
            name: "GET upcoming lines (10 pending items)",
            target: ">= 0.5x",
            min_ratio: 0.5,
            strict_get: false,
            setup: |ctx, server| {
                let key = ctx.key("upcoming");
                let api = Api::new(server, &key);
                // The upcoming endpoints exist only before 2025-03-31.basil: the account's
                // requests (wrk's too) get such a version by default.
                block(
                    ctx,
                    api.post_json(
                        &format!("/_mock/api_version?api_key={key}"),
                        r#"{"api_version":"2025-02-24.acacia"}"#,
                    ),
                )?;
                let cus = block(ctx, customer(&api))?;
                for i in 0..10 {
                    block(
                        ctx,
                        api.post_form(
                            "/v1/invoiceitems",
                            &format!(
                                "customer={cus}&amount={}&currency=usd&description=item%20{i}",
                                100 + i
                            ),
                        ),
                    )?;
                }
                let path = format!("/v1/invoices/upcoming/lines?customer={cus}");
                let lines = block(ctx, api.get(&path))?;
                let n = lines["data"].as_array().map_or(0, Vec::len);
                if n != 10 {
                    return Err(Skip::Failed(format!("expected 10 upcoming lines, got {n}")));
                }
                Ok(Box::new(move || {
                    Ok(Load::Get {
                        path: path.clone(),
                        key: key.clone(),
                    })
                }))
            },
        },
    ]
}

fn run_http(ctx: &Ctx<'_>, log: &str, rows: &mut Vec<Row>) -> Result<(), BoxError> {
    let server = Server::start(
        ctx.mock,
        log,
        &ctx.bench.work.join(format!("mock-{log}.log")),
    )?;
    for sc in scenarios() {
        if !ctx.bench.settings.wants(sc.name) {
            continue;
        }
        eprintln!("bench: {} [log {log}]", sc.name);
        let figures = match (sc.setup)(ctx, &server) {
            Err(skip) => Err(skip.to_string()),
            Ok(mut factory) => (|| -> Result<(Measure, Option<usize>), BoxError> {
                // Responses much larger than an intent are compared with a baseline body of
                // the same size.
                let size = response_bytes(ctx, &server, &factory()?)?.filter(|r| r.body > 2000);
                let m = ctx.bench.measure(&server, size, &mut factory)?;
                let size = m.body_bytes;
                Ok((m, size))
            })()
            .map_err(|e| format!("failed: {e}")),
        };
        let (figures, verdict) = match figures {
            Ok((m, size)) => {
                let ratio = m.ratio;
                let plain = m.plain_ratio;
                let verdict = (sc.target != "—" && log == "warn").then(|| {
                    let mut ok = ratio >= sc.min_ratio && m.bad == 0;
                    if sc.strict_get {
                        ok &= m.p99_us <= 2000.0 && m.cpu_us <= 15.0;
                    }
                    ok
                });
                (
                    Ok(Figures::Http {
                        m,
                        ratio,
                        plain,
                        size,
                    }),
                    verdict,
                )
            }
            Err(e) => (Err(e), None),
        };
        rows.push(Row {
            scenario: sc.name.into(),
            log: log.into(),
            figures,
            target: sc.target,
            verdict,
        });
        print_row(rows.last());
    }
    Ok(())
}

/// GET one object in an account of 1,000 vs one of `large`: intents, or customers as a stand-in
/// while the intents endpoint is missing.
fn run_flatness(ctx: &Ctx<'_>, rows: &mut Vec<Row>) -> Result<(), BoxError> {
    let large = ctx.bench.settings.large;
    let server = Server::start(ctx.mock, "warn", &ctx.bench.work.join("mock-large.log"))?;
    let small_key = ctx.key("small");
    let large_key = ctx.key("large");
    let small = Api::new(&server, &small_key);
    let big = Api::new(&server, &large_key);
    let kind = match block(ctx, recurring_price(&small))
        .and_then(|p| block(ctx, intents(&small, &p, 1, false)).map(|_| p))
    {
        Ok(_) => "intents",
        Err(Skip::Unavailable(_)) => "customers",
        Err(e) => return Err(e.to_string().into()),
    };
    let name = format!(
        "GET {} with {large} stored vs 1000",
        &kind[..kind.len() - 1]
    );
    if !ctx.bench.settings.wants(&name) && !ctx.bench.settings.wants("stored") {
        return Ok(());
    }
    eprintln!("bench: {name} (seeding {large} {kind})");
    let seed = |api: &Api, n: usize| -> Result<String, Skip> {
        let ids = if kind == "intents" {
            let price = block(ctx, recurring_price(api))?;
            block(ctx, intents(api, &price, n, false))?
        } else {
            block(ctx, customers(api, n, false))?
        };
        ids.first()
            .cloned()
            .ok_or_else(|| Skip::Failed("nothing created".into()))
    };
    let path = |id: &str| {
        if kind == "intents" {
            format!("/v2/billing/intents/{id}")
        } else {
            format!("/v1/customers/{id}")
        }
    };
    // Both accounts live in the same server; the two GETs run back to back, alternating, so
    // that only the size of the account differs between them.
    let result = (|| -> Result<(Measure, Measure, f64, u64), String> {
        let small_id = seed(&small, 1000).map_err(|e| e.to_string())?;
        let started = Instant::now();
        let large_id = seed(&big, large).map_err(|e| e.to_string())?;
        let seeded_in = started.elapsed().as_secs();
        let small_load = Load::Get {
            path: path(&small_id),
            key: small_key.clone(),
        };
        let large_load = Load::Get {
            path: path(&large_id),
            key: large_key.clone(),
        };
        let bench = ctx.bench;
        let run = |load: &Load, secs| bench.wrk(&server, load, secs).map_err(|e| e.to_string());
        run(&small_load, 1)?;
        run(&large_load, 1)?;
        let mut smalls = Vec::new();
        let mut larges = Vec::new();
        for _ in 0..bench.settings.reps {
            smalls.push(run(&small_load, bench.settings.duration)?);
            larges.push(run(&large_load, bench.settings.duration)?);
        }
        let ratio = median(smalls.iter().zip(&larges).map(|(s, l)| l.rps / s.rps));
        Ok((
            Measure::median_of(&smalls),
            Measure::median_of(&larges),
            ratio,
            seeded_in,
        ))
    })();
    let stand_in = if kind == "customers" {
        " (stand-in: intents endpoint not available)"
    } else {
        ""
    };
    let (figures, verdict) = match result {
        Ok((s, l, ratio, secs)) => {
            let rss = rss_kib(server.pid()).unwrap_or(0);
            (
                Ok(Figures::Value(format!(
                    "1000: {:.0} req/s, p99 {}, {:.1} us CPU; {large}: {:.0} req/s, p99 {}, {:.1} us CPU; ratio {ratio:.3}; seeded in {secs} s ({:.0}/s), RSS {:.0} MiB",
                    s.rps,
                    fmt_us(s.p99_us),
                    s.cpu_us,
                    l.rps,
                    fmt_us(l.p99_us),
                    l.cpu_us,
                    large as f64 / secs.max(1) as f64,
                    rss as f64 / 1024.0
                ))),
                Some(ratio >= 0.9 && l.bad == 0 && s.bad == 0),
            )
        }
        Err(e) => (Err(e), None),
    };
    rows.push(Row {
        scenario: format!("{name}{stand_in}"),
        log: "warn".into(),
        figures,
        target: "within 10%",
        verdict,
    });
    print_row(rows.last());
    Ok(())
}

/// RSS growth per stored object over `rss_objects` creations.
fn run_rss(ctx: &Ctx<'_>, rows: &mut Vec<Row>) -> Result<(), BoxError> {
    let n = ctx.bench.settings.rss_objects;
    let server = Server::start(ctx.mock, "warn", &ctx.bench.work.join("mock-rss.log"))?;
    let key = ctx.key("rss");
    let api = Api::new(&server, &key);
    let price = block(ctx, recurring_price(&api)).map_err(|e| e.to_string())?;
    let kind = match block(ctx, intents(&api, &price, 1000, false)) {
        Ok(_) => "intent",
        Err(Skip::Unavailable(_)) => {
            block(ctx, customers(&api, 1000, false)).map_err(|e| e.to_string())?;
            "customer"
        }
        Err(e) => return Err(e.to_string().into()),
    };
    let name = format!("RSS per stored {kind} over {n}");
    if !ctx.bench.settings.wants(&name) {
        return Ok(());
    }
    eprintln!("bench: {name}");
    let before = rss_kib(server.pid())?;
    let created = if kind == "intent" {
        block(ctx, intents(&api, &price, n, false))
    } else {
        block(ctx, customers(&api, n, false))
    };
    let after = rss_kib(server.pid())?;
    let (figures, verdict) = match created {
        Ok(_) => {
            let per = (after.saturating_sub(before)) as f64 * 1024.0 / n as f64;
            (
                Ok(Figures::Value(format!(
                    "{per:.0} B per {kind} (RSS {:.1} → {:.1} MiB)",
                    before as f64 / 1024.0,
                    after as f64 / 1024.0
                ))),
                Some(per <= 2048.0),
            )
        }
        Err(e) => (Err(e.to_string()), None),
    };
    let stand_in = if kind == "customer" {
        " (stand-in: intents endpoint not available)"
    } else {
        ""
    };
    rows.push(Row {
        scenario: format!("{name}{stand_in}"),
        log: "warn".into(),
        figures,
        target: "<= 2 KiB",
        verdict,
    });
    print_row(rows.last());
    Ok(())
}

/// Exec to the first 200 from `/healthz`, median of 20; then idle RSS after one request.
fn startup(binary: &Path, work: &Path) -> Result<(Duration, u64), BoxError> {
    let mut times = Vec::new();
    let mut rss = 0;
    for i in 0..20 {
        let port = free_port()?;
        let started = Instant::now();
        let mut child = Command::new(binary)
            .args(["--port", &port.to_string()])
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(work.join("startup.log"))?)
            .spawn()?;
        let result = wait_healthy(port, &mut child);
        let elapsed = started.elapsed();
        if i == 0 {
            rss = rss_kib(child.id()).unwrap_or(0);
        }
        let _ = child.kill();
        let _ = child.wait();
        result?;
        times.push(elapsed.as_secs_f64());
    }
    Ok((Duration::from_secs_f64(median(times.into_iter())), rss))
}

fn fmt_us(us: f64) -> String {
    if us >= 1000.0 {
        format!("{:.2} ms", us / 1000.0)
    } else {
        format!("{us:.0} us")
    }
}

fn header() -> String {
    "| scenario | log | req/s | p50 | p99 | server CPU/req | ratio to baseline (req/s) | ratio (CPU) | target | met |\n|---|---|---|---|---|---|---|---|---|---|".to_owned()
}

fn format_row(row: &Row) -> String {
    let met = match row.verdict {
        Some(true) => "yes",
        Some(false) => "**no**",
        None => "—",
    };
    match &row.figures {
        Ok(Figures::Http {
            m,
            ratio,
            plain,
            size,
        }) => {
            let mut bad = if m.bad > 0 {
                format!(" ({} non-2xx/errors of {})", m.bad, m.requests)
            } else {
                String::new()
            };
            if let Some(bytes) = size {
                let _ = write!(bad, " ({:.1} KB bodies)", *bytes as f64 / 1000.0);
            }
            if plain.is_finite() && (plain - ratio).abs() >= 0.005 {
                let _ = write!(bad, "; {plain:.2}x of the plain GET");
            }
            format!(
                "| {} | {} | {:.0} | {} | {} | {:.1} us | {ratio:.3}x{bad} | {:.2}x | {} | {met} |",
                row.scenario,
                row.log,
                m.rps,
                fmt_us(m.p50_us),
                fmt_us(m.p99_us),
                m.cpu_us,
                m.cpu_ratio,
                row.target
            )
        }
        Ok(Figures::Value(v)) => format!(
            "| {} | {} | {v} | | | | | | {} | {met} |",
            row.scenario, row.log, row.target
        ),
        Err(e) => format!(
            "| {} | {} | {e} | | | | | | {} | — |",
            row.scenario, row.log, row.target
        ),
    }
}

fn print_row(row: Option<&Row>) {
    if let Some(row) = row {
        println!("{}", format_row(row));
    }
}

fn main() -> Result<(), BoxError> {
    let settings = Settings::from_env()?;
    let exe = std::env::current_exe()?;
    let examples = exe.parent().ok_or("no examples directory")?;
    let release = examples.parent().ok_or("no target directory")?;
    // Another build of the mock (an earlier commit's, say) can be measured by the same driver
    // against the same baseline.
    let mock = std::env::var_os("BENCH_MOCK")
        .map_or_else(|| release.join("stripe-billing-mock"), PathBuf::from);
    let baseline_bin = examples.join("baseline");
    for bin in [&mock, &baseline_bin] {
        if !bin.exists() {
            return Err(format!("{} is missing: run bench/run", bin.display()).into());
        }
    }
    let work = release.join("bench");
    std::fs::create_dir_all(&work)?;
    let bench = Bench {
        settings: settings.clone(),
        work: work.clone(),
        ticks: clock_ticks_per_second(),
        run_id: AtomicUsize::new(0),
        baseline: None,
        baseline_runs: std::cell::RefCell::new(Vec::new()),
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;

    println!(
        "wrk -t{} -c{} -d{}s, {} runs per scenario (median), {}",
        settings.threads,
        settings.connections,
        settings.duration,
        settings.reps,
        machine()
    );
    println!();

    let base_server = Server::start(&baseline_bin, "warn", &work.join("baseline.log"))?;
    let bench = Bench {
        baseline: Some(base_server),
        ..bench
    };
    let (base_start, base_rss) = startup(&baseline_bin, &work)?;
    println!("{}", header());
    let mut rows: Vec<Row> = Vec::new();

    let ctx = Ctx {
        bench: &bench,
        rt: &rt,
        mock: &mock,
        key_seq: AtomicUsize::new(0),
    };
    for log in &settings.log_levels {
        run_http(&ctx, log, &mut rows)?;
    }
    run_flatness(&ctx, &mut rows)?;
    run_rss(&ctx, &mut rows)?;

    if settings.wants("startup") || settings.wants("idle") {
        eprintln!("bench: startup and idle RSS");
        let (start, rss) = startup(&mock, &work)?;
        let ms = start.as_secs_f64() * 1e3;
        rows.push(Row {
            scenario: "startup: exec to first 200 from /healthz (median of 20)".into(),
            log: "warn".into(),
            figures: Ok(Figures::Value(format!(
                "{ms:.2} ms (baseline {:.2} ms)",
                base_start.as_secs_f64() * 1e3
            ))),
            target: "<= 10 ms",
            verdict: Some(ms <= 10.0),
        });
        print_row(rows.last());
        let mib = rss as f64 / 1024.0;
        rows.push(Row {
            scenario: "idle RSS after one request".into(),
            log: "warn".into(),
            figures: Ok(Figures::Value(format!(
                "{mib:.1} MiB (baseline {:.1} MiB)",
                base_rss as f64 / 1024.0
            ))),
            target: "<= 8 MiB",
            verdict: Some(mib <= 8.0),
        });
        print_row(rows.last());
    }

    let runs = bench.baseline_runs.borrow().clone();
    if !runs.is_empty() {
        rows.insert(
        0,
        Row {
            scenario: format!(
                "baseline: bare axum, plain GET of ~470 B JSON (median of {} runs paired with the scenarios)",
                runs.len()
            ),
            log: "none".into(),
            figures: Ok(Figures::Http {
                m: Measure {
                    ratio: 1.0,
                    cpu_ratio: 1.0,
                    plain_ratio: 1.0,
                    ..Measure::median_of(&runs)
                },
                ratio: 1.0,
                plain: 1.0,
                size: None,
            }),
            target: "—",
            verdict: None,
        },
    );
        print_row(rows.first());
    }
    let mut report = String::new();
    let _ = writeln!(report, "{}\n", machine());
    let _ = writeln!(report, "{}", header());
    for row in &rows {
        let _ = writeln!(report, "{}", format_row(row));
    }
    let out = work.join("results.md");
    std::fs::write(&out, report)?;
    let missed: BTreeMap<&str, ()> = rows
        .iter()
        .filter(|r| r.verdict == Some(false))
        .map(|r| (r.scenario.as_str(), ()))
        .collect();
    println!();
    println!("results: {}", out.display());
    if missed.is_empty() {
        println!("every measured target met");
    } else {
        println!(
            "targets missed: {}",
            missed.keys().copied().collect::<Vec<_>>().join("; ")
        );
    }
    Ok(())
}

/// CPU model, core count and memory, for the results header.
fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split_once(':'))
        .map_or("unknown CPU", |(_, m)| m.trim())
        .to_owned();
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .next()
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|k| k.parse::<u64>().ok())
        })
        .map_or(0.0, |k| k as f64 / 1024.0 / 1024.0);
    let date = Command::new("date")
        .arg("-u")
        .arg("+%Y-%m-%d")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map_or_else(String::new, |s| s.trim().to_owned());
    format!("{date}, {model}, {cores} cores, {mem:.0} GiB")
}
