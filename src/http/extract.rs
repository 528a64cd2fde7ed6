//! Request extractors: the caller's account, v1 form parameters and v2 JSON bodies.
//!
//! Every rejection is an [`Error`], so malformed input gets a Stripe-shaped answer before a
//! handler runs.

use std::borrow::Cow;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, StatusCode, header};
use serde_json::{Map, Value};

use crate::error::{AuthFailure, Error};
use crate::http::form::{self, FormError};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::domain::event::EventRequest;
use crate::http::de::{self, Mode};
use crate::http::layers::request_id::RequestId;
use crate::http::v1::PageParams;
use crate::http::v2::Shape;
use crate::http::v2::params::absent_in;
use crate::store::events::Actor;
use crate::store::{AccountKey, ListQuery};
use crate::version::ApiVersion;

/// The account the request acts on, from `Authorization` (+ `Stripe-Account`), with the
/// request's id and `Idempotency-Key` for the events its changes record. Dereferences to the
/// [`AccountKey`].
#[derive(Debug, Clone)]
pub struct Caller(pub Actor);

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        // The auth layer authenticates every Stripe path and leaves the account
        // here; a route reached without it has no account.
        let account = parts
            .extensions
            .get::<Received>()
            .and_then(|r| r.account.clone())
            .ok_or(Error::Authentication(AuthFailure::Missing))?;
        let text = |v: &HeaderValue| v.to_str().ok().map(Arc::<str>::from);
        let request = EventRequest {
            id: parts.extensions.get::<RequestId>().and_then(|r| text(&r.0)),
            idempotency_key: parts
                .headers
                .get(&IDEMPOTENCY_KEY)
                .and_then(text)
                .filter(|k| !k.is_empty()),
        };
        Ok(Caller(Actor { account, request }))
    }
}

static IDEMPOTENCY_KEY: header::HeaderName = header::HeaderName::from_static("idempotency-key");

/// Extracts and checks the secret key from an `Authorization` header value.
///
/// # Errors
/// [`Error::Authentication`] when the header is missing, not Bearer/Basic, or the key does not
/// look like a secret or restricted key.
pub fn api_key(header: Option<&[u8]>) -> Result<Cow<'_, str>, Error> {
    // What the SDKs send, `Bearer <secret key>`, checked on the bytes; anything else (other
    // spacing or case, Basic, a bad key and its error) takes the general path below.
    if let Some(key) = header.and_then(|h| h.strip_prefix(b"Bearer ")) {
        if is_secret_key(key) {
            if let Ok(key) = std::str::from_utf8(key) {
                return Ok(Cow::Borrowed(key));
            }
        }
    }
    let raw = header
        .and_then(|h| std::str::from_utf8(h).ok())
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .ok_or(Error::Authentication(AuthFailure::Missing))?;
    let (scheme, rest) = raw.split_once(' ').unwrap_or((raw, ""));
    let rest = rest.trim();
    let key = if scheme.eq_ignore_ascii_case("bearer") {
        Cow::Borrowed(rest)
    } else if scheme.eq_ignore_ascii_case("basic") {
        let decoded = base64_decode(rest)
            .and_then(|b| String::from_utf8(b).ok())
            .ok_or_else(|| Error::Authentication(AuthFailure::Malformed(mask(rest))))?;
        // Stripe takes the key as the user name; the password is ignored.
        Cow::Owned(
            decoded
                .split_once(':')
                .map_or(decoded.clone(), |(user, _)| user.to_owned()),
        )
    } else {
        return Err(Error::Authentication(AuthFailure::Malformed(mask(raw))));
    };
    if key.is_empty() {
        return Err(Error::Authentication(AuthFailure::Missing));
    }
    if key.starts_with("pk_") {
        return Err(Error::Authentication(AuthFailure::Publishable(mask(&key))));
    }
    if !is_secret_key(key.as_bytes()) {
        return Err(Error::Authentication(AuthFailure::Malformed(mask(&key))));
    }
    Ok(key)
}

fn is_secret_key(key: &[u8]) -> bool {
    let rest = match key.get(..8) {
        Some(b"sk_test_" | b"sk_live_" | b"rk_test_" | b"rk_live_") => &key[8..],
        _ => return false,
    };
    !rest.is_empty()
        && rest.len() <= 255
        && rest
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'_' || *b == b'-')
}

/// Masks a key as Stripe does: the prefix, asterisks, and the last four characters.
pub(crate) fn mask(key: &str) -> String {
    let chars: Vec<char> = key.chars().collect();
    if chars.len() <= 12 {
        return "*".repeat(chars.len());
    }
    let prefix: String = chars[..8].iter().collect();
    let suffix: String = chars[chars.len() - 4..].iter().collect();
    format!(
        "{prefix}{}{suffix}",
        "*".repeat(chars.len().saturating_sub(12).min(24))
    )
}

/// Decodes the credentials of a Basic `Authorization` header: the standard or the URL-safe
/// alphabet, with or without padding, trailing bits ignored (what clients send varies).
pub(crate) fn base64_decode(input: &str) -> Option<Vec<u8>> {
    use base64::Engine as _;
    use base64::alphabet::{STANDARD, URL_SAFE};
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    const LENIENT: GeneralPurposeConfig = GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true);
    const ENGINES: [GeneralPurpose; 2] = [
        GeneralPurpose::new(&STANDARD, LENIENT),
        GeneralPurpose::new(&URL_SAFE, LENIENT),
    ];
    ENGINES.iter().find_map(|engine| engine.decode(input).ok())
}

fn form_error(e: FormError) -> Error {
    Error::MalformedBody(e.to_string())
}

fn decode_query(query: Option<&str>) -> Result<Map<String, Value>, Error> {
    form::decode(query.unwrap_or("")).map_err(form_error)
}

async fn read_body(req: Request) -> Result<Bytes, Error> {
    Bytes::from_request(req, &()).await.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Error::PayloadTooLarge
        } else {
            Error::MalformedBody(format!("Could not read the request body: {rejection}"))
        }
    })
}

/// `Ok` if the request's media type is `expected` (in any case); otherwise the type it has,
/// lowercased for the error message, or `None` without a `Content-Type`.
fn media_type(req: &Request, expected: &str) -> MediaTypeCheck {
    let value = match req.extensions().get::<Received>() {
        Some(received) => received.content_type.as_ref(),
        None => req.headers().get(header::CONTENT_TYPE),
    };
    // What the SDKs send: exactly the type, no parameters.
    if value.is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(expected.as_bytes())) {
        return Ok(());
    }
    let media_type = value
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or("").trim())
        .filter(|v| !v.is_empty());
    match media_type {
        Some(t) if t.eq_ignore_ascii_case(expected) => Ok(()),
        other => Err(other.map(str::to_ascii_lowercase)),
    }
}

/// What the layers (`http::layers`) read from a request, left in its extensions for the
/// extractors, which take it instead of reading and decoding the body again.
#[derive(Debug, Clone)]
pub struct Received {
    /// The account the request acts on; `None` on the control plane.
    pub account: Option<AccountKey>,
    /// The request's first `Content-Type` header.
    pub content_type: Option<HeaderValue>,
    /// The whole body.
    pub body: Option<Bytes>,
    /// The parameters the idempotency layer decoded to fingerprint a keyed request (v1: the
    /// query merged with the form body; v2: the body's object), which the extractor takes
    /// instead of decoding the body again. `None` for every other request.
    pub decoded: Option<Map<String, Value>>,
}

/// [`media_type`]'s answer.
type MediaTypeCheck = Result<(), Option<String>>;

/// A request's body, and the parameters already decoded from it, if any.
type TakenBody = (Bytes, Option<Map<String, Value>>);

/// The body the middleware left, or else the body read from the request.
///
/// Not an `async fn`: the middleware has always read the body, so the common path takes it
/// without waiting, and the rare read (a router without the middleware) is boxed. Each
/// extractor's future is part of its handler's, which axum moves onto the heap for every
/// request; with the read and the request it holds inline, every such future was about 1.1 KB
/// larger.
fn take_body(mut req: Request) -> impl Future<Output = Result<TakenBody, Error>> {
    let kept = req
        .extensions_mut()
        .get_mut::<Received>()
        .and_then(|received| Some((received.body.take()?, received.decoded.take())));
    let source = match kept {
        Some(taken) => BodySource::Kept(taken),
        None => BodySource::Unread(Box::pin(read_body(req))),
    };
    async move {
        match source {
            BodySource::Kept(taken) => Ok(taken),
            BodySource::Unread(read) => Ok((read.await?, None)),
        }
    }
}

/// Where [`take_body`] gets the body from.
enum BodySource {
    /// Left by the middleware.
    Kept(TakenBody),
    /// Still in the request.
    Unread(Pin<Box<dyn Future<Output = Result<Bytes, Error>> + Send>>),
}

/// v1 parameters: the query string for GET and DELETE, the form body (merged over the query)
/// for POST, decoded into `T` (see [`crate::http::de`]). `expand` is taken out for every
/// endpoint: it is accepted everywhere and has no effect.
#[derive(Debug)]
pub struct V1Form<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for V1Form<T> {
    type Rejection = Error;

    fn from_request(
        req: Request,
        _state: &S,
    ) -> impl Future<Output = Result<Self, Self::Rejection>> + Send {
        v1_request(req, |map| de::from_params(Mode::V1, map).map(V1Form))
    }
}

/// The parameters of a v1 list: its page ([`PageParams`]) and its filters `F`, from the query
/// (GET). The page's parameters are read first, as Stripe checks them first.
#[derive(Debug)]
pub struct V1List<F>(pub ListQuery, pub F);

impl<S: Send + Sync, F: DeserializeOwned> FromRequest<S> for V1List<F> {
    type Rejection = Error;

    fn from_request(
        req: Request,
        _state: &S,
    ) -> impl Future<Output = Result<Self, Self::Rejection>> + Send {
        v1_request(req, |mut map| {
            let page: Map<String, Value> = PageParams::NAMES
                .iter()
                .filter_map(|k| map.remove_entry(*k))
                .collect();
            let page: PageParams = de::from_params(Mode::V1, page)?;
            Ok(V1List(page.query()?, de::from_params(Mode::V1, map)?))
        })
    }
}

/// A v2 JSON body (POST), decoded into `T`: empty, or a JSON object with
/// `Content-Type: application/json`. The parameters the request's version lacks
/// ([`absent_in`]) are refused as that version refuses them.
#[derive(Debug)]
pub struct V2Json<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for V2Json<T> {
    type Rejection = Error;

    fn from_request(
        req: Request,
        _state: &S,
    ) -> impl Future<Output = Result<Self, Self::Rejection>> + Send {
        let ct = media_type(&req, "application/json");
        let version = version_of(req.extensions(), req.headers(), req.uri().path());
        let body = take_body(req);
        async move {
            let shape = Shape::of(version?);
            let map = v2_body(ct, body.await?)?;
            let absent = |ty: &'static str, name: &str| absent_in(shape, ty, name);
            de::from_params_in(Mode::V2, &absent, map).map(V2Json)
        }
    }
}

/// v2 query parameters (GET), decoded like v1's form but into `T` with v2 paths.
#[derive(Debug)]
pub struct V2Query<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for V2Query<T> {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        de::from_params(Mode::V2, decode_query(parts.uri.query())?).map(V2Query)
    }
}

/// The query of a v1 request merged with a POST's form body, `expand[]` checked and taken
/// out, handed to `decode`.
fn v1_request<R>(
    req: Request,
    decode: impl FnOnce(Map<String, Value>) -> Result<R, Error> + Send,
) -> impl Future<Output = Result<R, Error>> + Send {
    let uri = req.uri().clone();
    let post = (req.method() == Method::POST).then(|| {
        let ct = media_type(&req, "application/x-www-form-urlencoded");
        (ct, take_body(req))
    });
    async move {
        let posted = match post {
            Some((ct, body)) => Some((ct, body.await?)),
            None => None,
        };
        decode(v1_params(uri.query(), posted)?)
    }
}

/// The query merged with a POST's body after its media type check; `expand` taken out.
fn v1_params(
    query: Option<&str>,
    mut posted: Option<(MediaTypeCheck, TakenBody)>,
) -> Result<Map<String, Value>, Error> {
    // Parameters the idempotency layer decoded already include the query, which then decoded
    // without error: it is not decoded again.
    let decoded = posted
        .as_mut()
        .and_then(|(_, (body, decoded))| decoded.take().filter(|_| !body.is_empty()));
    let mut map = match decoded {
        Some(_) => Map::new(),
        None => decode_query(query)?,
    };
    if let Some((ct, (body, _))) = posted {
        if !body.is_empty() {
            if let Err(other) = ct {
                return Err(Error::MalformedBody(format!(
                    "Invalid request: unsupported Content-Type {}. v1 endpoints take application/x-www-form-urlencoded bodies.",
                    other.as_deref().unwrap_or("(none)")
                )));
            }
            let text = std::str::from_utf8(&body).map_err(|_| {
                Error::MalformedBody("Invalid request: the body is not valid UTF-8.".into())
            })?;
            match decoded {
                Some(merged) => map = merged,
                None => map.extend(form::decode(text).map_err(form_error)?),
            }
        }
    }
    // Accepted on every endpoint and checked, but objects are not expanded.
    if let Some(value) = map.remove("expand") {
        let mut one = Map::new();
        one.insert("expand".to_owned(), value);
        de::from_params::<Expand>(Mode::V1, one)?;
    }
    Ok(map)
}

/// `expand[]`: paths of objects to expand (accepted; objects are not expanded).
#[derive(Deserialize)]
struct Expand {
    #[allow(dead_code, reason = "checked for its type only")]
    expand: Option<Vec<String>>,
}

/// The object of a v2 body after its media type check; an empty body is an empty object.
fn v2_body(ct: MediaTypeCheck, (body, decoded): TakenBody) -> Result<Map<String, Value>, Error> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    if let Err(other) = ct {
        return Err(Error::MalformedBody(format!(
            "Invalid request: unsupported Content-Type {}. v2 endpoints take application/json bodies.",
            other.as_deref().unwrap_or("(none)")
        )));
    }
    let parsed = match decoded {
        Some(map) => Ok(Value::Object(map)),
        None => serde_json::from_slice::<Value>(&body),
    };
    match parsed {
        Ok(Value::Object(map)) => {
            check_json_limits(&map)?;
            Ok(map)
        }
        Ok(_) => Err(Error::MalformedBody(
            "Invalid request: the JSON body must be an object.".into(),
        )),
        Err(e) => Err(Error::MalformedBody(format!(
            "Invalid JSON in request body: {e}."
        ))),
    }
}

/// The form decoder's limits, applied to JSON bodies too: nesting depth, string length and
/// array length. The error names the first value over a limit by its path (`a.b[0].c`).
fn check_json_limits(map: &Map<String, Value>) -> Result<(), Error> {
    check_limits_at(map, "")
}

/// [`check_json_limits`] for an object that sits at `prefix` (a fixture document's
/// `customers[0]`), whose paths the errors name.
///
/// # Errors
/// The first value over a limit.
pub(crate) fn check_limits_at(map: &Map<String, Value>, prefix: &str) -> Result<(), Error> {
    // Nearly every body is within the limits: a walk that builds no paths tells, and only a
    // body over a limit is walked again to name the value.
    fn within(value: &Value, depth: usize) -> bool {
        match value {
            _ if depth > form::MAX_DEPTH + 1 => false,
            Value::String(s) => {
                s.len() <= form::MAX_VALUE_CHARS || s.chars().count() <= form::MAX_VALUE_CHARS
            }
            Value::Array(items) => {
                items.len() <= form::MAX_INDEX && items.iter().all(|v| within(v, depth + 1))
            }
            Value::Object(map) => map.values().all(|v| within(v, depth + 1)),
            _ => true,
        }
    }
    if map.values().all(|v| within(v, 1)) {
        return Ok(());
    }
    fn walk(value: &Value, depth: usize, path: &mut String) -> Result<(), Error> {
        let len = path.len();
        let over =
            |path: &str, message: String| Err(Error::MalformedBody(message.replace("{}", path)));
        match value {
            _ if depth > form::MAX_DEPTH + 1 => over(
                path,
                format!(
                    "Parameter `{{}}` is nested too deeply: at most {} levels are allowed.",
                    form::MAX_DEPTH
                ),
            ),
            // Bytes bound characters from above, so only long strings are counted.
            Value::String(s)
                if s.len() > form::MAX_VALUE_CHARS && s.chars().count() > form::MAX_VALUE_CHARS =>
            {
                over(
                    path,
                    format!(
                        "Invalid value for `{{}}`: strings may be at most {} characters long.",
                        form::MAX_VALUE_CHARS
                    ),
                )
            }
            Value::Array(items) if items.len() > form::MAX_INDEX => over(
                path,
                format!(
                    "Invalid array `{{}}`: at most {} items are allowed.",
                    form::MAX_INDEX
                ),
            ),
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    path.push('[');
                    path.push_str(itoa::Buffer::new().format(i));
                    path.push(']');
                    walk(item, depth + 1, path)?;
                    path.truncate(len);
                }
                Ok(())
            }
            Value::Object(map) => {
                for (k, v) in map {
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(k);
                    walk(v, depth + 1, path)?;
                    path.truncate(len);
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }
    let mut path = String::new();
    for (k, v) in map {
        path.clear();
        if !prefix.is_empty() {
            path.push_str(prefix);
            path.push('.');
        }
        path.push_str(k);
        walk(v, 1, &mut path)?;
    }
    Ok(())
}

impl<S: Send + Sync> FromRequestParts<S> for ApiVersion {
    type Rejection = Error;

    /// The version the version layer resolved; without the layer (a router served alone), the
    /// request's `Stripe-Version` or the mock's default.
    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        version_of(&parts.extensions, &parts.headers, parts.uri.path())
    }
}

/// The version of a request: the one the version layer resolved, else its `Stripe-Version`,
/// else the mock's default for `path`.
fn version_of(
    extensions: &axum::http::Extensions,
    headers: &axum::http::HeaderMap,
    path: &str,
) -> Result<ApiVersion, Error> {
    if let Some(version) = extensions.get::<ApiVersion>() {
        return Ok(*version);
    }
    let mode = crate::http::mode_of(path);
    match headers.get(&crate::http::STRIPE_VERSION) {
        None => Ok(crate::http::versions::fallback(None, mode)),
        Some(value) => crate::http::versions::named(value.as_bytes()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_and_basic() {
        assert_eq!(
            api_key(Some(b"Bearer sk_test_123")).ok().as_deref(),
            Some("sk_test_123")
        );
        // base64("sk_test_123:") = c2tfdGVzdF8xMjM6
        assert_eq!(
            api_key(Some(b"Basic c2tfdGVzdF8xMjM6")).ok().as_deref(),
            Some("sk_test_123")
        );
        // Either alphabet (the password holds `~~`): base64("sk_test_a:~~"), standard and URL-safe.
        for credentials in ["c2tfdGVzdF9hOn5+", "c2tfdGVzdF9hOn5-"] {
            let header = format!("Basic {credentials}");
            assert_eq!(
                api_key(Some(header.as_bytes())).ok().as_deref(),
                Some("sk_test_a"),
                "{credentials}"
            );
        }
        // Padded: base64("sk_test_123:p").
        assert_eq!(
            api_key(Some(b"Basic c2tfdGVzdF8xMjM6cA==")).ok().as_deref(),
            Some("sk_test_123")
        );
        // Other spellings than the SDKs' take the general path, to the same key.
        for header in [
            &b"bearer sk_test_123"[..],
            b"BEARER sk_test_123",
            b"Bearer  sk_test_123",
            b"Bearer sk_test_123 ",
            b" Bearer sk_test_123",
        ] {
            assert_eq!(
                api_key(Some(header)).ok().as_deref(),
                Some("sk_test_123"),
                "{header:?}"
            );
        }
        for key in ["rk_live_a-b_C", "sk_live_9", "rk_test_x"] {
            let header = format!("Bearer {key}");
            assert_eq!(api_key(Some(header.as_bytes())).ok().as_deref(), Some(key));
        }
    }

    #[test]
    fn rejected_keys() {
        assert_eq!(
            api_key(None),
            Err(Error::Authentication(AuthFailure::Missing))
        );
        assert!(matches!(
            api_key(Some(b"Bearer pk_test_123")),
            Err(Error::Authentication(AuthFailure::Publishable(_)))
        ));
        for bad in [
            &b"Bearer nope"[..],
            b"Token sk_test_1",
            b"Bearer sk_test_",
            b"Bearer sk_prod_1",
            b"Bearer sk_test_\xc3\xa9",
            b"Bearer sk_test_a b",
            b"Basic !!!",
        ] {
            assert!(
                matches!(
                    api_key(Some(bad)),
                    Err(Error::Authentication(AuthFailure::Malformed(_)))
                ),
                "{bad:?}"
            );
        }
    }

    /// A POST as the layers leave it (body kept in `Received`) and one still holding its body
    /// (a router without the layers) give the same parameters and errors.
    #[tokio::test]
    async fn kept_and_unread_bodies_give_the_same_parameters() {
        let request = |ct: &'static str, body: &'static str, kept: bool| {
            let mut req = Request::builder()
                .method(Method::POST)
                .uri("/x?limit=3")
                .header(header::CONTENT_TYPE, ct)
                .body(axum::body::Body::from(body))
                .unwrap();
            if kept {
                req.extensions_mut().insert(Received {
                    account: None,
                    content_type: Some(HeaderValue::from_static(ct)),
                    body: Some(Bytes::from_static(body.as_bytes())),
                    decoded: None,
                });
            }
            req
        };
        #[derive(Debug, Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Currency {
            currency: String,
        }
        #[derive(Debug, Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Named {
            name: String,
            limit: i64,
        }
        for kept in [true, false] {
            let json = request("application/json", r#"{"currency":"usd"}"#, kept);
            let V2Json(p) = V2Json::<Currency>::from_request(json, &()).await.unwrap();
            assert_eq!(p.currency, "usd");
            let form = request(
                "application/x-www-form-urlencoded",
                "name=a&expand[]=b",
                kept,
            );
            let V1Form(v1) = V1Form::<Named>::from_request(form, &()).await.unwrap();
            assert_eq!((v1.name.as_str(), v1.limit), ("a", 3));
            let wrong = request("text/plain", r#"{"a":1}"#, kept);
            assert!(matches!(
                V2Json::<Currency>::from_request(wrong, &()).await,
                Err(Error::MalformedBody(m)) if m.contains("unsupported Content-Type text/plain")
            ));
            let not_json = request("application/json", "{", kept);
            assert!(matches!(
                V2Json::<Currency>::from_request(not_json, &()).await,
                Err(Error::MalformedBody(m)) if m.starts_with("Invalid JSON")
            ));
        }
    }

    /// Parameters the idempotency layer decoded for a keyed request are taken as they are,
    /// not decoded again from the body (the two agree; this test makes them differ to tell).
    #[tokio::test]
    async fn parameters_decoded_by_the_idempotency_layer_are_reused() {
        #[derive(Debug, Deserialize)]
        struct Currency {
            currency: String,
        }
        for (ct, body, decoded) in [
            ("application/json", r#"{"currency":"usd"}"#, "eur"),
            ("application/x-www-form-urlencoded", "currency=usd", "gbp"),
        ] {
            let mut req = Request::builder()
                .method(Method::POST)
                .uri("/x")
                .header(header::CONTENT_TYPE, ct)
                .body(axum::body::Body::empty())
                .unwrap();
            let mut map = Map::new();
            map.insert("currency".into(), Value::String(decoded.into()));
            req.extensions_mut().insert(Received {
                account: None,
                content_type: Some(HeaderValue::from_static(ct)),
                body: Some(Bytes::from_static(body.as_bytes())),
                decoded: Some(map),
            });
            let currency = if ct == "application/json" {
                V2Json::<Currency>::from_request(req, &()).await.unwrap().0
            } else {
                V1Form::<Currency>::from_request(req, &()).await.unwrap().0
            };
            assert_eq!(currency.currency, decoded);
        }
    }

    #[test]
    fn media_types_match_in_any_case_with_or_without_parameters() {
        let req = |ct: Option<&str>| {
            let mut builder = Request::builder();
            if let Some(ct) = ct {
                builder = builder.header(header::CONTENT_TYPE, ct);
            }
            builder.body(axum::body::Body::empty()).unwrap()
        };
        let json = "application/json";
        for ok in [
            "application/json",
            "Application/JSON",
            "application/json; charset=utf-8",
            "APPLICATION/JSON ; charset=utf-8",
        ] {
            assert_eq!(media_type(&req(Some(ok)), json), Ok(()), "{ok}");
        }
        for (sent, named) in [
            ("text/plain; charset=utf-8", "text/plain"),
            ("application/jsonx", "application/jsonx"),
            (
                "Application/X-WWW-Form-Urlencoded",
                "application/x-www-form-urlencoded",
            ),
        ] {
            assert_eq!(
                media_type(&req(Some(sent)), json),
                Err(Some(named.to_owned()))
            );
        }
        assert_eq!(media_type(&req(None), json), Err(None));
    }

    #[test]
    fn masks_keep_last_four() {
        assert_eq!(mask("sk_test_abcdefgh1234"), "sk_test_********1234");
    }
}
