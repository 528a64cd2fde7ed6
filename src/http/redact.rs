//! Redaction of credentials for everything the mock shows or keeps: the journal's headers and
//! secret keys, and anything logged. A key keeps its prefix and last four characters
//! (`sk_test_…a1b2`), as Stripe's dashboard shows keys, so a test can still tell which key sent
//! a request; the whole key never leaves the process. Short secrets (under 12 characters after
//! the prefix) keep no tail at all: four characters of eight would give half of it away.

/// Headers whose values are credentials.
const CREDENTIAL_HEADERS: [&str; 6] = [
    "authorization",
    "proxy-authorization",
    "cookie",
    "stripe-signature",
    "x-mock-admin-token",
    "x-api-key",
];

/// `key` with only its prefix (`sk_test_`, `rk_live_`, `whsec_`, …) and, when long enough, its
/// last four characters: `sk_test_…a1b2`.
pub fn key(key: &str) -> String {
    let mut shown = String::with_capacity(24);
    push_key(&mut shown, key);
    shown
}

/// Appends [`key`]`(k)` to `out`.
fn push_key(out: &mut String, k: &str) {
    let (prefix, rest) = k.split_at(key_prefix_len(k));
    out.push_str(prefix);
    out.push('…');
    if rest.chars().nth(11).is_some() {
        let tail = rest.char_indices().rev().nth(3).map_or(0, |(at, _)| at);
        out.push_str(rest.get(tail..).unwrap_or_default());
    }
}

/// The length of a key's prefix: `xx_test_` / `xx_live_`, else the letters before the first
/// `_` and it (`whsec_`), else none.
fn key_prefix_len(key: &str) -> usize {
    let bytes = key.as_bytes();
    let word = |from: usize| {
        bytes
            .get(from..)
            .unwrap_or_default()
            .iter()
            .take_while(|b| b.is_ascii_lowercase())
            .count()
    };
    let first = word(0);
    if first == 0 || first > 8 || bytes.get(first) != Some(&b'_') {
        return 0;
    }
    let second = word(first + 1);
    let mode = bytes.get(first + 1..first + 1 + second).unwrap_or_default();
    if matches!(mode, b"test" | b"live") && bytes.get(first + 1 + second) == Some(&b'_') {
        first + second + 2
    } else {
        first + 1
    }
}

/// The value to show and keep for header `name` (lowercase), or `None` when it is no
/// credential and is kept as sent.
pub fn header_value(name: &str, value: &[u8]) -> Option<String> {
    if !CREDENTIAL_HEADERS.contains(&name) {
        return None;
    }
    let text = String::from_utf8_lossy(value);
    let text = text.trim();
    Some(match name {
        "authorization" | "proxy-authorization" => authorization(text),
        "cookie" => pairs(text, ';', |_| false),
        "stripe-signature" => pairs(text, ',', |k| k == "t"),
        _ => key(text),
    })
}

/// `Bearer <key>` and `Basic <base64 of user:password>` with the key redacted (Basic shown
/// decoded: `Basic sk_test_…a1b2:`, a password as `…`); other schemes keep only their name.
fn authorization(value: &str) -> String {
    let (scheme, rest) = value.split_once(' ').unwrap_or((value, ""));
    let rest = rest.trim();
    if scheme.eq_ignore_ascii_case("bearer") {
        let mut shown = String::with_capacity(scheme.len() + 24);
        shown.push_str(scheme);
        shown.push(' ');
        push_key(&mut shown, rest);
        shown
    } else if scheme.eq_ignore_ascii_case("basic") {
        let decoded = crate::http::extract::base64_decode(rest)
            .map(|b| String::from_utf8_lossy(&b).into_owned());
        match decoded {
            Some(credentials) => {
                let (user, password) = credentials
                    .split_once(':')
                    .unwrap_or((credentials.as_str(), ""));
                let password = if password.is_empty() { "" } else { "…" };
                format!("{scheme} {}:{password}", key(user))
            }
            None => format!("{scheme} …"),
        }
    } else if rest.is_empty() {
        key(scheme)
    } else {
        format!("{scheme} …")
    }
}

/// `k=v` pairs split on `sep`, each value replaced by `…` unless `keep(k)`.
fn pairs(value: &str, sep: char, keep: impl Fn(&str) -> bool) -> String {
    value
        .split(sep)
        .map(|pair| {
            let pair = pair.trim();
            match pair.split_once('=') {
                Some((k, v)) if keep(k) => format!("{k}={v}"),
                Some((k, _)) => format!("{k}=…"),
                None => "…".to_owned(),
            }
        })
        .collect::<Vec<_>>()
        .join(if sep == ';' { "; " } else { "," })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_keep_their_prefix_and_last_four() {
        assert_eq!(key("sk_test_51HxYzAbCdEf1234"), "sk_test_…1234");
        assert_eq!(key("rk_live_abcdefghijklmnop"), "rk_live_…mnop");
        assert_eq!(key("sk_test_123"), "sk_test_…");
        assert_eq!(key("whsec_abcdefghijkl9876"), "whsec_…9876");
        assert_eq!(key("s3cret-token-value"), "…alue");
        assert_eq!(key(""), "…");
        assert_eq!(key("ünïcødé_test_ääääääääääääää"), "…ääää");
    }

    #[test]
    fn credential_headers_are_redacted() {
        let h = |name, value: &str| header_value(name, value.as_bytes());
        assert_eq!(
            h("authorization", "Bearer sk_live_abcdefghijklmnop1234").as_deref(),
            Some("Bearer sk_live_…1234")
        );
        // sk_test_abcdefghijkl5678:pw
        assert_eq!(
            h(
                "authorization",
                "Basic c2tfdGVzdF9hYmNkZWZnaGlqa2w1Njc4OnB3"
            )
            .as_deref(),
            Some("Basic sk_test_…5678:…")
        );
        assert_eq!(h("authorization", "Basic %%%").as_deref(), Some("Basic …"));
        assert_eq!(
            h("authorization", "Digest x=1").as_deref(),
            Some("Digest …")
        );
        assert_eq!(
            h("cookie", "a=1; session=xyz").as_deref(),
            Some("a=…; session=…")
        );
        assert_eq!(
            h("stripe-signature", "t=1700000000,v1=deadbeef").as_deref(),
            Some("t=1700000000,v1=…")
        );
        assert_eq!(h("x-mock-admin-token", "short").as_deref(), Some("…"));
        assert_eq!(h("content-type", "application/json"), None);
    }
}
