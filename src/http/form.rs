//! Decoder for Stripe's bracket-nested form encoding (`lines[0][amount]=799`, `expand[]=x`).
//!
//! It turns a query string or `application/x-www-form-urlencoded` body into a nested
//! `serde_json::Value` whose leaves are strings. Typing the leaves is the job of
//! [`crate::http::de`]. Rules, as Stripe's servers and SDKs use them:
//! - `a[b][c]=v` nests objects; `a[0]=v`, `a[1]=v` build arrays, ordered by index (indices may be
//!   sparse or unordered; gaps are closed up); `a[]=v` appends;
//! - brackets may be percent-encoded (`%5B`, `%5D`), `+` is a space;
//! - an empty value is kept as `""`: it means "unset" to the endpoints (`metadata=` clears);
//! - a repeated scalar key keeps the last value.
//!
//! Limits (each a clear error, never a panic): indices above [`MAX_INDEX`], nesting deeper than
//! [`MAX_DEPTH`], values longer than [`MAX_VALUE_CHARS`] characters.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde_json::{Map, Value};

/// Highest array index accepted.
pub const MAX_INDEX: usize = 10_000;
/// Deepest nesting accepted (number of bracket segments after the name).
pub const MAX_DEPTH: usize = 16;
/// Longest value accepted, in characters.
pub const MAX_VALUE_CHARS: usize = 5_000;

/// Why a form body could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormError {
    /// Percent-decoding produced bytes that are not UTF-8.
    #[error("Invalid request: the parameter `{0}` is not valid UTF-8 after percent-decoding.")]
    InvalidUtf8(String),
    /// A key whose brackets do not close, or with text after a closing bracket.
    #[error("Invalid parameter name `{0}`: brackets must be balanced, as in `a[b][0]`.")]
    BadBrackets(String),
    /// An array index above [`MAX_INDEX`].
    #[error("Invalid array index in `{0}`: indices must be between 0 and 10000.")]
    IndexTooLarge(String),
    /// Nesting deeper than [`MAX_DEPTH`].
    #[error("Parameter `{0}` is nested too deeply: at most 16 levels are allowed.")]
    TooDeep(String),
    /// A value longer than [`MAX_VALUE_CHARS`].
    #[error("Invalid value for `{0}`: strings may be at most 5000 characters long.")]
    ValueTooLong(String),
    /// The same name used both as a scalar and as an object or array, or as both an object and an array.
    #[error(
        "Conflicting values for parameter `{0}`: it is used both as a scalar and as a nested object or array."
    )]
    Conflict(String),
}

/// One bracket segment of a key.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Key(String),
    Index(usize),
    Append,
}

/// Intermediate tree: arrays keep their indices until the end so that sparse and unordered
/// indices can be sorted and closed up.
#[derive(Debug)]
enum Node {
    Leaf(String),
    Object(Vec<(String, Node)>),
    Array(BTreeMap<usize, Node>),
}

/// Decodes a form-encoded string into a JSON object with string leaves.
///
/// # Errors
/// See [`FormError`].
pub fn decode(input: &str) -> Result<Map<String, Value>, FormError> {
    let mut root: Vec<(String, Node)> = Vec::new();
    for pair in input.split('&').filter(|p| !p.is_empty()) {
        let (raw_key, raw_value) = pair.split_once('=').unwrap_or((pair, ""));
        let key = percent_decode(raw_key).ok_or_else(|| FormError::InvalidUtf8(raw_key.into()))?;
        if key.is_empty() {
            continue;
        }
        let value = percent_decode(raw_value).ok_or_else(|| FormError::InvalidUtf8(key.clone()))?;
        if value.chars().count() > MAX_VALUE_CHARS {
            return Err(FormError::ValueTooLong(key));
        }
        let (name, segments) = parse_key(&key)?;
        insert_into_object(&mut root, &key, &name, &segments, value)?;
    }
    Ok(root.into_iter().map(|(k, n)| (k, finish(n))).collect())
}

fn parse_key(key: &str) -> Result<(String, Vec<Segment>), FormError> {
    let (name, mut rest) = match key.find('[') {
        Some(i) => (&key[..i], &key[i..]),
        None => (key, ""),
    };
    if name.is_empty() || name.contains(']') {
        return Err(FormError::BadBrackets(key.into()));
    }
    let mut segments = Vec::new();
    while !rest.is_empty() {
        let Some(inner_and_rest) = rest.strip_prefix('[') else {
            return Err(FormError::BadBrackets(key.into()));
        };
        let Some(close) = inner_and_rest.find(']') else {
            return Err(FormError::BadBrackets(key.into()));
        };
        let inner = &inner_and_rest[..close];
        if inner.contains('[') {
            return Err(FormError::BadBrackets(key.into()));
        }
        rest = &inner_and_rest[close + 1..];
        segments.push(if inner.is_empty() {
            Segment::Append
        } else if inner.bytes().all(|b| b.is_ascii_digit()) {
            match inner.parse::<usize>() {
                Ok(i) if i <= MAX_INDEX => Segment::Index(i),
                _ => return Err(FormError::IndexTooLarge(key.into())),
            }
        } else {
            Segment::Key(inner.to_owned())
        });
        if segments.len() > MAX_DEPTH {
            return Err(FormError::TooDeep(key.into()));
        }
    }
    Ok((name.to_owned(), segments))
}

fn insert_into_object(
    entries: &mut Vec<(String, Node)>,
    full_key: &str,
    name: &str,
    rest: &[Segment],
    value: String,
) -> Result<(), FormError> {
    let pos = entries.iter().position(|(k, _)| k == name);
    match (pos, rest.first()) {
        (Some(i), None) => match &mut entries[i].1 {
            Node::Leaf(v) => {
                *v = value;
                Ok(())
            }
            _ => Err(FormError::Conflict(full_key.into())),
        },
        (None, None) => {
            entries.push((name.to_owned(), Node::Leaf(value)));
            Ok(())
        }
        (Some(i), Some(_)) => insert_into_node(&mut entries[i].1, full_key, rest, value),
        (None, Some(first)) => {
            let mut node = empty_container(first);
            insert_into_node(&mut node, full_key, rest, value)?;
            entries.push((name.to_owned(), node));
            Ok(())
        }
    }
}

fn empty_container(segment: &Segment) -> Node {
    match segment {
        Segment::Key(_) => Node::Object(Vec::new()),
        Segment::Index(_) | Segment::Append => Node::Array(BTreeMap::new()),
    }
}

fn insert_into_node(
    node: &mut Node,
    full_key: &str,
    segments: &[Segment],
    value: String,
) -> Result<(), FormError> {
    let Some((first, rest)) = segments.split_first() else {
        return Err(FormError::Conflict(full_key.into()));
    };
    match (node, first) {
        (Node::Object(entries), Segment::Key(k)) => {
            insert_into_object(entries, full_key, k, rest, value)
        }
        (Node::Array(items), Segment::Index(i)) => insert_at(items, *i, full_key, rest, value),
        (Node::Array(items), Segment::Append) => {
            // Rack semantics: `a[][x]=1&a[][y]=2` fills one element until a key repeats.
            let last = items.keys().next_back().copied();
            let reuse = match (last, rest.first()) {
                (Some(last), Some(Segment::Key(k))) => match items.get(&last) {
                    Some(Node::Object(entries)) => !entries.iter().any(|(ek, _)| ek == k),
                    _ => false,
                },
                _ => false,
            };
            let index = match (reuse, last) {
                (true, Some(last)) => last,
                (_, Some(last)) => last + 1,
                (_, None) => 0,
            };
            if index > MAX_INDEX {
                return Err(FormError::IndexTooLarge(full_key.into()));
            }
            insert_at(items, index, full_key, rest, value)
        }
        _ => Err(FormError::Conflict(full_key.into())),
    }
}

fn insert_at(
    items: &mut BTreeMap<usize, Node>,
    index: usize,
    full_key: &str,
    rest: &[Segment],
    value: String,
) -> Result<(), FormError> {
    match (items.get_mut(&index), rest.first()) {
        (Some(Node::Leaf(v)), None) => {
            *v = value;
            Ok(())
        }
        (Some(_), None) => Err(FormError::Conflict(full_key.into())),
        (None, None) => {
            items.insert(index, Node::Leaf(value));
            Ok(())
        }
        (Some(existing), Some(_)) => insert_into_node(existing, full_key, rest, value),
        (None, Some(first)) => {
            let mut node = empty_container(first);
            insert_into_node(&mut node, full_key, rest, value)?;
            items.insert(index, node);
            Ok(())
        }
    }
}

fn finish(node: Node) -> Value {
    match node {
        Node::Leaf(s) => Value::String(s),
        Node::Object(entries) => {
            Value::Object(entries.into_iter().map(|(k, n)| (k, finish(n))).collect())
        }
        Node::Array(items) => Value::Array(items.into_values().map(finish).collect()),
    }
}

/// Percent-decodes `input`, turning `+` into a space. `None` if the result is not UTF-8.
/// A `%` not followed by two hex digits is kept literally, as browsers and Rack do.
pub fn percent_decode(input: &str) -> Option<String> {
    let spaced = if input.contains('+') {
        Cow::Owned(input.replace('+', " "))
    } else {
        Cow::Borrowed(input)
    };
    percent_encoding::percent_decode_str(&spaced)
        .decode_utf8()
        .ok()
        .map(Cow::into_owned)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn d(s: &str) -> Value {
        Value::Object(decode(s).expect("decodes"))
    }

    #[test]
    fn flat_pairs_become_strings() {
        assert_eq!(d("a=1&b=two"), json!({"a": "1", "b": "two"}));
    }

    #[test]
    fn nested_objects_and_indexed_arrays() {
        assert_eq!(
            d(
                "lines[0][description]=test%20description&lines[0][amount]=799&lines[1][invoice_item]=ii_1"
            ),
            json!({"lines": [{"description": "test description", "amount": "799"}, {"invoice_item": "ii_1"}]})
        );
    }

    #[test]
    fn empty_brackets_append() {
        assert_eq!(d("expand[]=a&expand[]=b"), json!({"expand": ["a", "b"]}));
    }

    #[test]
    fn append_fills_one_element_until_a_key_repeats() {
        assert_eq!(
            d("l[][a]=1&l[][b]=2&l[][a]=3"),
            json!({"l": [{"a": "1", "b": "2"}, {"a": "3"}]})
        );
    }

    #[test]
    fn sparse_and_unordered_indices_are_sorted_and_closed_up() {
        assert_eq!(d("a[5]=x&a[1]=y&a[3]=z"), json!({"a": ["y", "z", "x"]}));
    }

    #[test]
    fn percent_encoded_brackets_are_brackets() {
        assert_eq!(
            d("metadata%5Border%5D=6735"),
            json!({"metadata": {"order": "6735"}})
        );
    }

    #[test]
    fn plus_is_space_and_empty_value_is_kept() {
        assert_eq!(
            d("description=a+b&metadata="),
            json!({"description": "a b", "metadata": ""})
        );
    }

    #[test]
    fn key_without_equals_is_empty_value() {
        assert_eq!(d("flag&x=1"), json!({"flag": "", "x": "1"}));
    }

    #[test]
    fn repeated_scalar_keeps_last() {
        assert_eq!(d("a=1&a=2"), json!({"a": "2"}));
    }

    #[test]
    fn deep_nesting_in_bounds() {
        assert_eq!(d("a[b][0][c]=v"), json!({"a": {"b": [{"c": "v"}]}}));
    }

    #[test]
    fn literal_percent_is_kept() {
        assert_eq!(d("a=100%&b=%zz"), json!({"a": "100%", "b": "%zz"}));
    }

    #[test]
    fn errors_are_reported() {
        let cases = [
            ("a[b=1", FormError::BadBrackets("a[b".into())),
            ("a]=1", FormError::BadBrackets("a]".into())),
            ("a[b]c=1", FormError::BadBrackets("a[b]c".into())),
            ("[x]=1", FormError::BadBrackets("[x]".into())),
            ("a[10001]=1", FormError::IndexTooLarge("a[10001]".into())),
            (
                "a[99999999999999999999999]=1",
                FormError::IndexTooLarge("a[99999999999999999999999]".into()),
            ),
            ("a=1&a[b]=2", FormError::Conflict("a[b]".into())),
            ("a[b]=1&a=2", FormError::Conflict("a".into())),
            ("a[0]=1&a[x]=2", FormError::Conflict("a[x]".into())),
            ("a=%ff", FormError::InvalidUtf8("a".into())),
        ];
        for (input, expected) in cases {
            assert_eq!(decode(input), Err(expected), "{input}");
        }
    }

    #[test]
    fn depth_limit() {
        let ok = format!("a{}=1", "[x]".repeat(MAX_DEPTH));
        assert!(decode(&ok).is_ok());
        let too_deep = format!("a{}=1", "[x]".repeat(MAX_DEPTH + 1));
        assert!(matches!(decode(&too_deep), Err(FormError::TooDeep(_))));
    }

    #[test]
    fn value_length_limit() {
        let ok = format!("a={}", "x".repeat(MAX_VALUE_CHARS));
        assert!(decode(&ok).is_ok());
        let long = format!("a={}", "x".repeat(MAX_VALUE_CHARS + 1));
        assert!(matches!(decode(&long), Err(FormError::ValueTooLong(_))));
    }

    #[test]
    fn empty_input_is_empty_object() {
        assert_eq!(d(""), json!({}));
        assert_eq!(d("&&"), json!({}));
    }

    mod properties {
        use proptest::prelude::*;
        use serde_json::{Map, Value};

        use super::super::decode;

        /// Nested parameter trees without empty containers (which a form cannot express).
        fn tree() -> impl Strategy<Value = Value> {
            let leaf = "\\PC{0,12}".prop_map(Value::String);
            leaf.prop_recursive(3, 24, 4, |inner| {
                prop_oneof![
                    prop::collection::vec(inner.clone(), 1..4).prop_map(Value::Array),
                    prop::collection::btree_map("[a-z_]{1,6}", inner, 1..4)
                        .prop_map(|m| Value::Object(m.into_iter().collect())),
                ]
            })
        }

        fn encode(prefix: &str, v: &Value, out: &mut Vec<String>) {
            match v {
                Value::String(s) => out.push(format!("{}={}", escape(prefix), escape(s))),
                Value::Array(items) => {
                    for (i, item) in items.iter().enumerate() {
                        encode(&format!("{prefix}[{i}]"), item, out);
                    }
                }
                Value::Object(map) => {
                    for (k, item) in map {
                        encode(&format!("{prefix}[{k}]"), item, out);
                    }
                }
                _ => {}
            }
        }

        fn escape(s: &str) -> String {
            s.bytes()
                .map(|b| match b {
                    b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'_' | b'[' | b']' => {
                        char::from(b).to_string()
                    }
                    _ => format!("%{b:02X}"),
                })
                .collect()
        }

        proptest! {
            #[test]
            fn decoding_never_panics(input in "\\PC{0,200}") {
                let _ = decode(&input);
            }

            #[test]
            fn decoding_never_panics_on_bracket_soup(input in "[a-z\\[\\]0-9=&%+]{0,80}") {
                let _ = decode(&input);
            }

            #[test]
            fn encoded_trees_decode_to_themselves(root in prop::collection::btree_map("[a-z]{1,6}", tree(), 1..5)) {
                let root: Map<String, Value> = root.into_iter().collect();
                let mut pairs = Vec::new();
                for (k, v) in &root {
                    encode(k, v, &mut pairs);
                }
                let decoded = decode(&pairs.join("&"));
                prop_assert_eq!(decoded, Ok(root));
            }
        }
    }
}
