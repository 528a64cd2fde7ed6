//! Who may use the control plane (`/_mock/*`): the addresses the server answers to, the hosts
//! allowed beyond them, and the optional admin token. The checks themselves are the control
//! layer's (`layers::control`); this module holds the settings and decides, without HTTP types
//! beyond header values.
//!
//! The threat is a web page in the developer's browser: it can send "simple" cross-site
//! requests (no CORS preflight: `text/plain`, form or multipart bodies) and, through DNS
//! rebinding, make its own host name resolve to `127.0.0.1`. So a control-plane request is
//! refused when its `Origin` is another site's, when its body is not declared JSON, or when its
//! `Host` is a name the server was not told about. The port of `Host` is not compared: a page
//! can choose only the host name it owns, never `localhost` or an IP literal, and a port
//! mapping (`docker run -p 8080:12111`, a proxy) legitimately changes the port.

use std::net::{IpAddr, SocketAddr};
use std::sync::RwLock;

use crate::sync::{read_lock, write_lock};

/// Settings of the control plane's guard, set once at start-up (and kept by `reset`).
#[derive(Debug, Default)]
pub struct ControlGuard(RwLock<GuardSettings>);

/// What the guard checks against.
#[derive(Debug, Clone, Default)]
pub struct GuardSettings {
    /// The address the server is bound to; `None` before it is known (router-level tests).
    pub bound: Option<SocketAddr>,
    /// Host names (or `name:port`) allowed besides the server's own; `*` allows any.
    pub allowed_hosts: Vec<String>,
    /// The token every control-plane request must carry, when set.
    pub admin_token: Option<String>,
}

/// The control-plane options of the binary's flags and of the library's builder.
#[derive(Debug, Clone, Default)]
pub struct ControlOptions {
    /// `--allow-host`: host names (or `name:port`) allowed besides the server's own.
    pub allowed_hosts: Vec<String>,
    /// `--admin-token`: required on every control-plane request when set.
    pub admin_token: Option<String>,
    /// `--journal-max-bytes`: the journal's byte budget (`None`: the default).
    pub journal_max_bytes: Option<usize>,
}

impl ControlOptions {
    /// Applies the options to `state`, served on `bound`; warns when the server listens beyond
    /// loopback with no admin token.
    pub fn apply(&self, state: &crate::http::AppState, bound: SocketAddr) {
        if let Some(bytes) = self.journal_max_bytes {
            state.journal.set_max_bytes(bytes);
        }
        let token = self.admin_token.clone().filter(|t| !t.is_empty());
        if token.is_none() && !bound.ip().is_loopback() {
            tracing::warn!(
                address = %bound,
                "the control plane (/_mock/*) is reachable beyond loopback with no admin token: \
                 anyone who can reach {bound} can reset data, inject faults and read the journal; \
                 set --admin-token (STRIPE_MOCK_ADMIN_TOKEN)"
            );
        }
        state.control.set(GuardSettings {
            bound: Some(bound),
            allowed_hosts: self
                .allowed_hosts
                .iter()
                .flat_map(|h| h.split(','))
                .map(|h| h.trim().to_ascii_lowercase())
                .filter(|h| !h.is_empty())
                .collect(),
            admin_token: token,
        });
    }
}

impl crate::server::MockServerBuilder {
    /// Require `token` on every control-plane request (`Authorization: Bearer <token>` or
    /// `X-Mock-Admin-Token: <token>`); the library's own methods need none.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let server = stripe_billing_mock::MockServer::builder().admin_token("s3cret").start().await;
    /// let refused = reqwest::get(format!("{}/_mock/requests", server.uri())).await.unwrap();
    /// assert_eq!(refused.status(), 401);
    /// # }
    /// ```
    #[must_use]
    pub fn admin_token(mut self, token: impl Into<String>) -> Self {
        self.control.admin_token = Some(token.into());
        self
    }

    /// Let the control plane answer to `host` (a name, or `name:port`; `*` for any) besides
    /// localhost, loopback and the bound address.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let server = stripe_billing_mock::MockServer::builder().allow_host("stripe").start().await;
    /// # }
    /// ```
    #[must_use]
    pub fn allow_host(mut self, host: impl Into<String>) -> Self {
        self.control.allowed_hosts.push(host.into());
        self
    }

    /// Keep at most `bytes` of received requests in the journal (default 16 MiB); the oldest
    /// are dropped first.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let server = stripe_billing_mock::MockServer::builder()
    ///     .journal_max_bytes(1024 * 1024)
    ///     .start()
    ///     .await;
    /// # }
    /// ```
    #[must_use]
    pub fn journal_max_bytes(mut self, bytes: usize) -> Self {
        self.control.journal_max_bytes = Some(bytes);
        self
    }
}

/// Why a control-plane request is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// 403: `Host` names none of the server's addresses nor an allowed host.
    ForeignHost(String),
    /// 403: `Origin` (or `Sec-Fetch-Site`) says another site sent it.
    CrossOrigin(String),
    /// 403: a POST or DELETE whose body is not declared `application/json`.
    NotJson(String),
    /// 401: the admin token is set and the request does not carry it.
    Token,
}

impl Refusal {
    /// The HTTP status of the refusal.
    pub fn status(&self) -> u16 {
        match self {
            Refusal::Token => 401,
            _ => 403,
        }
    }

    /// The refusal's `code` in its error body.
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::ForeignHost(_) => "control_plane_host_not_allowed",
            Refusal::CrossOrigin(_) => "control_plane_cross_origin",
            Refusal::NotJson(_) => "control_plane_content_type",
            Refusal::Token => "control_plane_token_required",
        }
    }

    /// The message of its error body.
    pub fn message(&self) -> String {
        match self {
            Refusal::ForeignHost(host) => format!(
                "The control plane does not answer to Host '{host}'. Use the server's own address \
                 (localhost, 127.0.0.1, [::1] or the address it is bound to), or allow the name \
                 with --allow-host (STRIPE_MOCK_ALLOW_HOST)."
            ),
            Refusal::CrossOrigin(origin) => format!(
                "The control plane does not take requests from another site (Origin '{origin}')."
            ),
            Refusal::NotJson(ct) => format!(
                "Control-plane requests with a body must send Content-Type: application/json \
                 (got '{ct}')."
            ),
            Refusal::Token => "The control plane needs the admin token: send \
                 `Authorization: Bearer <token>` or `X-Mock-Admin-Token: <token>`."
                .to_owned(),
        }
    }
}

/// What the guard reads of a request: header values as sent (`None` when absent).
#[derive(Debug, Clone, Copy, Default)]
pub struct Seen<'a> {
    /// `Host` (or the request target's authority).
    pub host: Option<&'a [u8]>,
    /// `Origin`.
    pub origin: Option<&'a [u8]>,
    /// `Sec-Fetch-Site`.
    pub fetch_site: Option<&'a [u8]>,
    /// `Content-Type`.
    pub content_type: Option<&'a [u8]>,
    /// Whether the request may carry a body: a `Content-Length` above 0 or a `Transfer-Encoding`.
    pub has_body: bool,
    /// Whether the method changes state (POST, DELETE, anything but GET, HEAD and OPTIONS).
    pub writes: bool,
    /// `Authorization`.
    pub authorization: Option<&'a [u8]>,
    /// `X-Mock-Admin-Token`.
    pub admin_token: Option<&'a [u8]>,
}

impl ControlGuard {
    /// Replaces the settings.
    pub fn set(&self, settings: GuardSettings) {
        *write_lock(&self.0) = settings;
    }

    /// The settings.
    pub fn settings(&self) -> GuardSettings {
        read_lock(&self.0).clone()
    }

    /// `Ok` when the request may reach the control plane, else why not. The checks run in
    /// this order: host, origin, content type, token (so a foreign page learns nothing about
    /// the token).
    ///
    /// # Errors
    /// The first check the request fails.
    pub fn check(&self, seen: &Seen<'_>) -> Result<(), Refusal> {
        let settings = read_lock(&self.0);
        let lossy = |v: &[u8]| {
            String::from_utf8_lossy(v)
                .chars()
                .take(200)
                .collect::<String>()
        };
        if let Some(host) = seen.host {
            if !settings.host_allowed(host) {
                return Err(Refusal::ForeignHost(lossy(host)));
            }
        }
        if let Some(origin) = seen.origin {
            if !same_origin(origin, seen.host) {
                return Err(Refusal::CrossOrigin(lossy(origin)));
            }
        }
        if let Some(site) = seen.fetch_site {
            // Browsers send it; `same-origin` and `none` (typed in the address bar) are the
            // user's own requests.
            if !(site.eq_ignore_ascii_case(b"same-origin") || site.eq_ignore_ascii_case(b"none")) {
                return Err(Refusal::CrossOrigin(format!(
                    "Sec-Fetch-Site: {}",
                    lossy(site)
                )));
            }
        }
        if seen.writes {
            match seen.content_type {
                Some(ct) if !is_json(ct) => return Err(Refusal::NotJson(lossy(ct))),
                None if seen.has_body => return Err(Refusal::NotJson(String::new())),
                _ => {}
            }
        }
        if let Some(token) = &settings.admin_token {
            let bearer = seen.authorization.and_then(|a| {
                a.get(..7)
                    .filter(|s| s.eq_ignore_ascii_case(b"bearer "))
                    .and(a.get(7..))
            });
            let sent = [bearer, seen.admin_token];
            if !sent
                .iter()
                .flatten()
                .any(|s| constant_time_eq(s.trim_ascii(), token.as_bytes()))
            {
                return Err(Refusal::Token);
            }
        }
        Ok(())
    }
}

impl GuardSettings {
    /// Whether `host` (a `Host` header value) names this server: `localhost`, a loopback IP,
    /// the bound IP (any IP literal when bound to every interface), or an allowed host.
    fn host_allowed(&self, host: &[u8]) -> bool {
        let Ok(host) = std::str::from_utf8(host) else {
            return false;
        };
        let host = host.trim().to_ascii_lowercase();
        let name = host_name(&host);
        if self
            .allowed_hosts
            .iter()
            .any(|a| a == "*" || *a == host || *a == name)
        {
            return true;
        }
        if name == "localhost" {
            return true;
        }
        let bare = name.trim_start_matches('[').trim_end_matches(']');
        let Ok(ip) = bare.parse::<IpAddr>() else {
            return false;
        };
        match self.bound {
            _ if ip.is_loopback() => true,
            Some(bound) if bound.ip().is_unspecified() => true,
            Some(bound) => bound.ip() == ip,
            None => false,
        }
    }
}

/// The host name of `host[:port]` or `[v6][:port]`, brackets kept.
fn host_name(host: &str) -> &str {
    if host.starts_with('[') {
        return host.find(']').map_or(host, |end| &host[..=end]);
    }
    match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host,
    }
}

/// Whether `origin` is `http://<host>` or `https://<host>` for the request's own `Host`.
fn same_origin(origin: &[u8], host: Option<&[u8]>) -> bool {
    let Some(host) = host else {
        return false;
    };
    let rest = if origin.len() > 7 && origin[..7].eq_ignore_ascii_case(b"http://") {
        &origin[7..]
    } else if origin.len() > 8 && origin[..8].eq_ignore_ascii_case(b"https://") {
        &origin[8..]
    } else {
        return false;
    };
    rest.eq_ignore_ascii_case(host.trim_ascii())
}

/// `application/json`, with or without parameters (`; charset=utf-8`).
fn is_json(content_type: &[u8]) -> bool {
    let essence = content_type
        .split(|b| *b == b';')
        .next()
        .unwrap_or_default()
        .trim_ascii();
    essence.eq_ignore_ascii_case(b"application/json")
}

/// Compares without stopping at the first difference, so the answer's timing does not tell
/// how much of a guessed token was right.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guard(bound: &str, allowed: &[&str], token: Option<&str>) -> ControlGuard {
        let guard = ControlGuard::default();
        guard.set(GuardSettings {
            bound: Some(bound.parse().expect("address")),
            allowed_hosts: allowed.iter().map(|s| (*s).to_owned()).collect(),
            admin_token: token.map(str::to_owned),
        });
        guard
    }

    fn host(h: &'static str) -> Seen<'static> {
        Seen {
            host: Some(h.as_bytes()),
            ..Seen::default()
        }
    }

    #[test]
    fn hosts_the_server_answers_to() {
        let g = guard("127.0.0.1:12111", &["mock.internal", "stripe:8080"], None);
        for ok in [
            "127.0.0.1:12111",
            "localhost:12111",
            "LOCALHOST",
            "[::1]:12111",
            "127.0.0.1:8080",
            "mock.internal:1",
            "stripe:8080",
        ] {
            assert_eq!(g.check(&host(ok)), Ok(()), "{ok}");
        }
        for bad in [
            "evil.example:12111",
            "10.0.0.5:12111",
            "stripe:9",
            "localhost.evil.com",
        ] {
            assert!(
                matches!(g.check(&host(bad)), Err(Refusal::ForeignHost(_))),
                "{bad}"
            );
        }
        let any = guard("0.0.0.0:12111", &[], None);
        assert_eq!(any.check(&host("172.17.0.2:12111")), Ok(()));
        assert!(any.check(&host("stripe:12111")).is_err());
        assert_eq!(guard("0.0.0.0:1", &["*"], None).check(&host("x:1")), Ok(()));
    }

    #[test]
    fn origins_and_content_types() {
        let g = guard("127.0.0.1:12111", &[], None);
        let seen = |origin: Option<&'static str>, ct: Option<&'static str>, has_body| Seen {
            host: Some(b"127.0.0.1:12111"),
            origin: origin.map(str::as_bytes),
            content_type: ct.map(str::as_bytes),
            has_body,
            writes: true,
            ..Seen::default()
        };
        assert_eq!(
            g.check(&seen(Some("http://127.0.0.1:12111"), None, false)),
            Ok(())
        );
        assert!(
            g.check(&seen(Some("https://evil.example"), None, false))
                .is_err()
        );
        assert!(g.check(&seen(Some("null"), None, false)).is_err());
        assert_eq!(
            g.check(&seen(None, Some("application/json; charset=utf-8"), true)),
            Ok(())
        );
        for ct in [
            "text/plain",
            "application/x-www-form-urlencoded",
            "multipart/form-data; b=x",
        ] {
            assert!(
                matches!(
                    g.check(&seen(None, Some(ct), false)),
                    Err(Refusal::NotJson(_))
                ),
                "{ct}"
            );
        }
        assert!(g.check(&seen(None, None, true)).is_err());
        assert_eq!(g.check(&seen(None, None, false)), Ok(()));
    }

    #[test]
    fn the_token_is_required_when_set() {
        let g = guard("127.0.0.1:1", &[], Some("s3cret"));
        let with = |authorization: Option<&'static str>, token: Option<&'static str>| Seen {
            authorization: authorization.map(str::as_bytes),
            admin_token: token.map(str::as_bytes),
            ..Seen::default()
        };
        assert_eq!(g.check(&with(None, None)), Err(Refusal::Token));
        assert_eq!(
            g.check(&with(Some("Bearer nope"), None)),
            Err(Refusal::Token)
        );
        assert_eq!(g.check(&with(Some("Bearer s3cret"), None)), Ok(()));
        assert_eq!(g.check(&with(Some("bearer s3cret"), None)), Ok(()));
        assert_eq!(g.check(&with(None, Some("s3cret"))), Ok(()));
    }
}
