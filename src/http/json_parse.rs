//! Reading JSON request bodies into a [`Param`] tree.
//!
//! [`parse`] gives the same result as `serde_json::from_slice::<Value>` (as a [`Param`]),
//! errors included, and is faster on the bodies the SDKs send: a direct reader handles objects, arrays, strings
//! without escapes, integers, booleans and `null`; any other input (escapes, fractions and
//! exponents, malformed JSON, invalid UTF-8, deep nesting) is handed to serde_json whole, so
//! its values and its error messages are serde_json's own. The direct reader skips the
//! generic deserializer's visitor calls, which cost about as much as the allocations of the
//! tree on a typical create-intent body, and builds each object as one sorted vector instead
//! of a tree map. It also takes only documents within the form decoder's limits (nesting,
//! string length, array length), so that what it reads needs no second walk to check them.

use serde_json::{Number, Value};

use crate::http::form;
use crate::http::param::{Fields, Param};

/// A parsed document.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    /// The document.
    pub value: Param,
    /// Whether the document is known to be within the form decoder's limits (nesting depth,
    /// string length, array length); when `false`, it may or may not be, and the caller checks.
    pub within_limits: bool,
}

/// Parses a JSON document, as `serde_json::from_slice::<Value>` does.
///
/// # Errors
/// serde_json's error for input that is not one JSON document.
pub fn parse(body: &[u8]) -> serde_json::Result<Parsed> {
    match direct(body) {
        Some(value) => Ok(Parsed {
            value,
            within_limits: true,
        }),
        None => serde_json::from_slice::<Value>(body).map(|value| Parsed {
            value: value.into(),
            within_limits: false,
        }),
    }
}

/// The direct reader's result, `None` where it leaves the document to serde_json.
fn direct(body: &[u8]) -> Option<Param> {
    let text = std::str::from_utf8(body).ok()?;
    let mut reader = Reader {
        text,
        bytes: body,
        pos: 0,
    };
    let value = reader.value(0)?;
    reader.skip_whitespace();
    (reader.pos == body.len()).then_some(value)
}

/// The direct reader: every method returns `None` where it gives up, leaving the document to
/// serde_json.
struct Reader<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.bytes.get(self.pos) {
            self.pos += 1;
        }
    }

    /// The next non-whitespace byte, not consumed.
    fn peek(&mut self) -> Option<u8> {
        self.skip_whitespace();
        self.bytes.get(self.pos).copied()
    }

    /// Consumes `byte` if it comes next (after whitespace).
    fn eat(&mut self, byte: u8) -> bool {
        let found = self.peek() == Some(byte);
        if found {
            self.pos += 1;
        }
        found
    }

    /// A value at `depth` (the root's fields are at 1), `None` beyond the form's nesting limit
    /// (deeper documents go to serde_json, and then fail the caller's limits check).
    fn value(&mut self, depth: usize) -> Option<Param> {
        if depth > form::MAX_DEPTH + 1 {
            return None;
        }
        match self.peek()? {
            b'{' => self.object(depth + 1).map(Param::Object),
            b'[' => self.array(depth + 1).map(Param::Array),
            b'"' => self
                .string()
                .filter(|s| s.len() <= form::MAX_VALUE_CHARS)
                .map(|s| Param::String(s.to_owned())),
            b't' => self.literal("true", Param::Bool(true)),
            b'f' => self.literal("false", Param::Bool(false)),
            b'n' => self.literal("null", Param::Null),
            b'-' | b'0'..=b'9' => self.integer().map(Param::Number),
            _ => None,
        }
    }

    fn object(&mut self, depth: usize) -> Option<Fields> {
        self.pos += 1;
        if self.eat(b'}') {
            return Some(Fields::new());
        }
        // Room for the few fields an object usually has, without the growth path's overhead.
        let mut entries = Vec::with_capacity(4);
        loop {
            if self.peek()? != b'"' {
                return None;
            }
            let key = self.string()?;
            if !self.eat(b':') {
                return None;
            }
            let value = self.value(depth)?;
            entries.push((key.to_owned(), value));
            if self.eat(b'}') {
                // A repeated key keeps its last value, as in serde_json.
                return Some(Fields::from_entries(entries));
            }
            if !self.eat(b',') {
                return None;
            }
        }
    }

    fn array(&mut self, depth: usize) -> Option<Vec<Param>> {
        self.pos += 1;
        if self.eat(b']') {
            return Some(Vec::new());
        }
        let mut items = Vec::with_capacity(4);
        loop {
            if items.len() == form::MAX_INDEX {
                return None;
            }
            items.push(self.value(depth)?);
            if self.eat(b']') {
                return Some(items);
            }
            if !self.eat(b',') {
                return None;
            }
        }
    }

    /// A string without escapes or control characters, the opening quote next.
    fn string(&mut self) -> Option<&'a str> {
        let start = self.pos + 1;
        let len = plain_run(self.bytes.get(start..)?)?;
        if self.bytes[start + len] != b'"' {
            return None;
        }
        self.pos = start + len + 1;
        self.text.get(start..start + len)
    }

    fn literal(&mut self, word: &str, value: Param) -> Option<Param> {
        let end = self.pos + word.len();
        if self.bytes.get(self.pos..end)? != word.as_bytes() {
            return None;
        }
        self.pos = end;
        Some(value)
    }

    /// An integer that serde_json reads as one: `0` or digits without a leading zero, up to
    /// `u64::MAX`, or negative down to `i64::MIN` (`-0` is a float there).
    fn integer(&mut self) -> Option<Number> {
        let negative = self.bytes[self.pos] == b'-';
        let start = self.pos + usize::from(negative);
        let digits = self.bytes.get(start..)?;
        let len = digits
            .iter()
            .position(|b| !b.is_ascii_digit())
            .unwrap_or(digits.len());
        if len == 0 || (digits[0] == b'0' && len > 1) {
            return None;
        }
        if matches!(digits.get(len), Some(b'.' | b'e' | b'E')) {
            return None;
        }
        let text = self.text.get(start..start + len)?;
        let magnitude: u64 = text.parse().ok()?;
        let number = if negative {
            if magnitude == 0 || magnitude > i64::MIN.unsigned_abs() {
                return None;
            }
            Number::from(0i64.checked_sub_unsigned(magnitude)?)
        } else {
            Number::from(magnitude)
        };
        self.pos = start + len;
        Some(number)
    }
}

/// Where the first `"`, `\` or control character of `bytes` is, if any. Eight bytes per step:
/// a byte of a word matches when subtracting 1 (after XOR with the searched byte) or 0x20 borrows
/// into its high bit while that bit was clear; borrows only ever carry into the bytes above a
/// match, so the lowest flagged byte is the first match.
fn plain_run(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let zero_bytes = |x: u64| x.wrapping_sub(ONES) & !x & HIGHS;
    let mut chunks = bytes.chunks_exact(8);
    let mut offset = 0;
    for chunk in chunks.by_ref() {
        let mut word = [0; 8];
        word.copy_from_slice(chunk);
        let w = u64::from_le_bytes(word);
        let hits = zero_bytes(w ^ (ONES * u64::from(b'"')))
            | zero_bytes(w ^ (ONES * u64::from(b'\\')))
            | (w.wrapping_sub(ONES * 0x20) & !w & HIGHS);
        if hits != 0 {
            return Some(offset + (hits.trailing_zeros() / 8) as usize);
        }
        offset += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
        .map(|p| offset + p)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn same_as_serde(input: &str) {
        let ours = parse(input.as_bytes())
            .map(|p| Value::from(p.value))
            .map_err(|e| e.to_string());
        let theirs = serde_json::from_slice::<Value>(input.as_bytes()).map_err(|e| e.to_string());
        assert_eq!(ours, theirs, "{input:?}");
    }

    #[test]
    fn agrees_with_serde_json_on_edge_cases() {
        for input in [
            r#"{"currency":"usd","actions":[{"type":"subscribe","subscribe":{"items":[{"price":"price_1","quantity":1}]}}]}"#,
            " { \"a\" : [ 1 , -2 , true , false , null , \"x\" , { } , [ ] ] } ",
            r#"{"a":1,"a":2}"#,
            r#"{"b":1,"a":{"c":[]}}"#,
            r#"{"esc":"a\"b","u":"\u00e9\ud83d\ude00"}"#,
            r#"{"é":"ünïcödé ✓"}"#,
            r#"{"n":18446744073709551615}"#,
            r#"{"n":18446744073709551616}"#,
            r#"{"n":-9223372036854775808}"#,
            r#"{"n":-9223372036854775809}"#,
            r#"{"n":-0}"#,
            r#"{"n":0}"#,
            r#"{"n":01}"#,
            r#"{"n":1.5}"#,
            r#"{"n":1e3}"#,
            r#"{"n":1E-3}"#,
            r#"{"n":-}"#,
            r#"{"n":+1}"#,
            r#"{"a":1,}"#,
            r#"{"a":1 "b":2}"#,
            r#"{"a"}"#,
            r#"{a:1}"#,
            r#"[1,2,]"#,
            r#"[1 2]"#,
            "{\"tab\":\"a\tb\"}",
            r#"{"a":tru}"#,
            r#"{"a":nul"#,
            r#"{"a":1}x"#,
            r#"{"a":1}{"#,
            r#"""#,
            "",
            "   ",
            "\u{feff}{}",
            "{}",
            "[]",
            "\"x\"",
            "42",
            "null",
            "{\"a\":\"\u{7f}\"}",
        ] {
            same_as_serde(input);
        }
        same_as_serde(&format!("{}1{}", "[".repeat(200), "]".repeat(200)));
        same_as_serde(&format!("{}1{}", "[".repeat(100), "]".repeat(100)));
        same_as_serde(&format!("{}1{}", "{\"a\":".repeat(70), "}".repeat(70)));
    }

    #[test]
    fn the_direct_reader_takes_what_the_sdks_send_and_leaves_the_rest() {
        for body in [
            r#"{"currency":"usd","actions":[{"type":"subscribe","subscribe":{"type":"v1_subscription_details","v1_subscription_details":{"items":[{"price":"price_1","quantity":1}]}}}]}"#,
            "{\n  \"a\": [1, -2, true, null],\n  \"b\": {}\n}",
        ] {
            assert!(direct(body.as_bytes()).is_some(), "{body}");
        }
        for body in [
            r#"{"a":"\n"}"#,
            r#"{"a":1.0}"#,
            r#"{"a":-0}"#,
            r#"{"a":1,}"#,
            "",
        ] {
            assert_eq!(direct(body.as_bytes()), None, "{body}");
        }
    }

    #[test]
    fn the_direct_reader_takes_documents_within_the_form_limits_and_only_those() {
        let nested = |levels: usize| format!("{}1{}", "{\"a\":".repeat(levels), "}".repeat(levels));
        let string = |len: usize| format!("{{\"a\":\"{}\"}}", "x".repeat(len));
        let array = |len: usize| format!("{{\"a\":[{}]}}", vec!["0"; len].join(","));
        let limit = form::MAX_DEPTH + 1;
        for (within, over) in [
            (nested(limit), nested(limit + 1)),
            (
                string(form::MAX_VALUE_CHARS),
                string(form::MAX_VALUE_CHARS + 1),
            ),
            (array(form::MAX_INDEX), array(form::MAX_INDEX + 1)),
        ] {
            let ok = parse(within.as_bytes()).unwrap();
            assert!(ok.within_limits, "{}", &within[..40.min(within.len())]);
            let left = parse(over.as_bytes()).unwrap();
            assert!(!left.within_limits, "{}", &over[..40.min(over.len())]);
            assert_eq!(direct(over.as_bytes()), None);
        }
        // Keys are not held to the string limit (the limits walk checks values only).
        let long_key = format!("{{\"{}\":1}}", "k".repeat(form::MAX_VALUE_CHARS + 1));
        assert!(parse(long_key.as_bytes()).unwrap().within_limits);
    }

    #[test]
    fn the_word_scan_finds_the_first_special_byte_like_a_byte_scan() {
        let naive = |b: &[u8]| b.iter().position(|&c| c == b'"' || c == b'\\' || c < 0x20);
        let fillers = [
            b'a', b' ', b'!', b'#', b'[', b']', 0x7f, 0x80, 0x9f, 0xa0, 0xc3, 0xff,
        ];
        let specials = [b'"', b'\\', 0x00, 0x01, 0x1f];
        for len in 0..40 {
            for &filler in &fillers {
                let mut bytes = vec![filler; len];
                assert_eq!(plain_run(&bytes), naive(&bytes), "{len} x {filler:#x}");
                for at in 0..len {
                    for &special in &specials {
                        bytes[at] = special;
                        assert_eq!(
                            plain_run(&bytes),
                            Some(at),
                            "{len} x {filler:#x}, {special:#x} at {at}"
                        );
                        // A second special byte later never moves the first.
                        if at + 1 < len {
                            bytes[len - 1] = b'"';
                            assert_eq!(plain_run(&bytes), Some(at));
                            bytes[len - 1] = filler;
                        }
                        bytes[at] = filler;
                    }
                }
            }
        }
    }

    #[test]
    fn invalid_utf8_gets_serde_jsons_error() {
        let body = b"{\"a\":\"\xff\"}";
        assert_eq!(
            parse(body)
                .map(|p| Value::from(p.value))
                .map_err(|e| e.to_string()),
            serde_json::from_slice::<Value>(body).map_err(|e| e.to_string())
        );
    }

    /// JSON-like text: well-formed documents most of the time, with the odd stray byte.
    fn jsonish() -> impl Strategy<Value = String> {
        let leaf = prop_oneof![
            Just("null".to_owned()),
            Just("true".to_owned()),
            Just("false".to_owned()),
            any::<i64>().prop_map(|n| n.to_string()),
            any::<u64>().prop_map(|n| n.to_string()),
            any::<f64>().prop_map(|n| n.to_string()),
            "[a-z\\\\\"é ]{0,6}".prop_map(|s| format!("\"{s}\"")),
            "[-0-9.eE+]{1,4}",
        ];
        leaf.prop_recursive(4, 32, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4)
                    .prop_map(|v| format!("[{}]", v.join(","))),
                prop::collection::vec(("[a-c]{1,2}", inner), 0..4).prop_map(|v| {
                    let entries: Vec<String> = v
                        .into_iter()
                        .map(|(k, v)| format!("\"{k}\": {v}"))
                        .collect();
                    format!("{{ {} }}", entries.join(","))
                }),
            ]
        })
    }

    proptest! {
        #[test]
        fn agrees_with_serde_json(doc in jsonish(), cut in 0usize..64, stray in "[ ,:}\\]x]?") {
            same_as_serde(&doc);
            let mut damaged = doc.clone();
            let at = cut.min(damaged.len());
            if damaged.is_char_boundary(at) {
                damaged.insert_str(at, &stray);
                same_as_serde(&damaged);
            }
        }
    }
}
