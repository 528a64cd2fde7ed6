//! The JSON writer of answers: the same bytes as `serde_json::to_writer`, written faster.
//!
//! serde_json escapes every string and every object key through a per-byte table lookup.
//! Answers are mostly keys, ids and enum names that need no escaping, so this writer checks a
//! whole string in one pass and copies it; struct field names (the view types' own
//! identifiers) are not checked at all. A string that does need escaping, and every number,
//! is handed to serde_json, so the output is byte for byte what serde_json writes (the tests
//! compare the two).

use serde::ser::{self, Serialize};
use serde_json::Error;

type Result<T = ()> = std::result::Result<T, Error>;

/// Appends the compact JSON of `value` to `out`.
///
/// # Errors
/// What serializing `value` raises (a map key that is not a string or a number, or a custom
/// error from a `Serialize` impl).
pub fn write<T: Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) -> Result {
    value.serialize(&mut Writer { out })
}

/// Whether any of the eight bytes of `w` is one JSON escapes: below 0x20, `"` or `\`. Exact
/// (the classic "has a zero byte" test applied three times), eight bytes per step.
fn any_escaped(w: u64) -> bool {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    let has_zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGHS != 0;
    let below_space = w.wrapping_sub(ONES * 0x20) & !w & HIGHS != 0;
    below_space || has_zero(w ^ (ONES * u64::from(b'"'))) || has_zero(w ^ (ONES * u64::from(b'\\')))
}

fn needs_escaping(s: &[u8]) -> bool {
    let word = |c: &[u8]| {
        let mut w = [0; 8];
        w.copy_from_slice(c);
        any_escaped(u64::from_ne_bytes(w))
    };
    let mut words = s.chunks_exact(8);
    let any_word = words.by_ref().any(word);
    let rest = words.remainder();
    if rest.is_empty() {
        return any_word;
    }
    // The last few bytes: as the last eight (overlapping the words before) when there are
    // eight, else one by one; both without copying a slice of unknown length.
    any_word
        || match s.len().checked_sub(8) {
            Some(last) => word(&s[last..]),
            None => rest.iter().any(|&b| b < 0x20 || b == b'"' || b == b'\\'),
        }
}

/// Appends `s` as a JSON string.
///
/// # Errors
/// None in practice (serde_json's writer into a vector does not fail).
pub(crate) fn write_str(out: &mut Vec<u8>, s: &str) -> Result {
    if needs_escaping(s.as_bytes()) {
        return write_escaped(out, s);
    }
    write_plain(out, s);
    Ok(())
}

/// Out of line: most strings need no escaping, and the common path stays short.
#[cold]
#[inline(never)]
fn write_escaped(out: &mut Vec<u8>, s: &str) -> Result {
    serde_json::to_writer(out, s)
}

/// Appends `s`, which must need no escaping (one of the mock's own names), as a JSON string
/// without checking it.
pub(crate) fn write_plain(out: &mut Vec<u8>, s: &str) {
    debug_assert!(!needs_escaping(s.as_bytes()), "{s:?}");
    out.reserve(s.len() + 2);
    out.push(b'"');
    out.extend_from_slice(s.as_bytes());
    out.push(b'"');
}

/// Appends `n` as a JSON number, as serde_json writes an `i64`.
pub(crate) fn write_i64(out: &mut Vec<u8>, n: i64) {
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    let mut rest = n.unsigned_abs();
    loop {
        start -= 1;
        // A decimal digit: always below 10.
        digits[start] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    if n < 0 {
        out.push(b'-');
    }
    out.extend_from_slice(&digits[start..]);
}

/// The methods that write text (strings, chars, unit variants' names) and see through
/// newtype structs, alike for values and object keys.
macro_rules! text {
    () => {
        fn serialize_str(self, v: &str) -> Result {
            write_str(self.out, v)
        }
        fn serialize_char(self, v: char) -> Result {
            write_str(self.out, v.encode_utf8(&mut [0; 4]))
        }
        fn serialize_unit_variant(
            self,
            _name: &'static str,
            _index: u32,
            variant: &'static str,
        ) -> Result {
            write_str(self.out, variant)
        }
        fn serialize_newtype_struct<T: Serialize + ?Sized>(
            self,
            _name: &'static str,
            value: &T,
        ) -> Result {
            value.serialize(self)
        }
    };
}

/// `serialize_<type>` methods that hand the value to `$write`.
macro_rules! numbers {
    ($write:path; $($method:ident: $ty:ty),*) => {$(
        fn $method(self, v: $ty) -> Result {
            $write(self, v)
        }
    )*};
}

struct Writer<'a> {
    out: &'a mut Vec<u8>,
}

/// An array or object being written; `first` until its first element is.
struct Compound<'w, 'a> {
    w: &'w mut Writer<'a>,
    first: bool,
    /// What closes it: `]`, `}`, or `]}` / `}}` for enum variants.
    close: &'static [u8],
}

impl Compound<'_, '_> {
    fn separate(&mut self) {
        if self.first {
            self.first = false;
        } else {
            self.w.out.push(b',');
        }
    }

    /// A struct's field. Its name is an identifier of the mock's own view types (or a
    /// `rename` of one), so it is written without the escape check that map keys get.
    fn field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result {
        debug_assert!(!needs_escaping(key.as_bytes()), "field name {key:?}");
        let out = &mut *self.w.out;
        out.reserve(key.len() + 4);
        if self.first {
            self.first = false;
        } else {
            out.push(b',');
        }
        out.push(b'"');
        out.extend_from_slice(key.as_bytes());
        out.extend_from_slice(b"\":");
        value.serialize(&mut *self.w)
    }

    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        self.separate();
        value.serialize(&mut *self.w)
    }

    fn close(self) -> Result {
        self.w.out.extend_from_slice(self.close);
        Ok(())
    }
}

impl<'w, 'a> Writer<'a> {
    /// serde_json's own digits for a number.
    fn number<T: Serialize>(&mut self, n: T) -> Result {
        serde_json::to_writer(&mut *self.out, &n)
    }

    fn open(&'w mut self, open: &[u8], close: &'static [u8]) -> Compound<'w, 'a> {
        self.out.extend_from_slice(open);
        Compound {
            w: self,
            first: true,
            close,
        }
    }

    /// `{"variant":` followed by `open`, closed by `close`.
    fn open_variant(
        &'w mut self,
        variant: &str,
        open: &[u8],
        close: &'static [u8],
    ) -> Result<Compound<'w, 'a>> {
        self.out.push(b'{');
        write_str(self.out, variant)?;
        self.out.push(b':');
        Ok(self.open(open, close))
    }
}

impl<'w, 'a> ser::Serializer for &'w mut Writer<'a> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Compound<'w, 'a>;
    type SerializeTuple = Compound<'w, 'a>;
    type SerializeTupleStruct = Compound<'w, 'a>;
    type SerializeTupleVariant = Compound<'w, 'a>;
    type SerializeMap = Compound<'w, 'a>;
    type SerializeStruct = Compound<'w, 'a>;
    type SerializeStructVariant = Compound<'w, 'a>;

    fn serialize_bool(self, v: bool) -> Result {
        self.out
            .extend_from_slice(if v { b"true" } else { b"false" });
        Ok(())
    }
    numbers!(Writer::number;
        serialize_i8: i8, serialize_i16: i16, serialize_i32: i32, serialize_i64: i64,
        serialize_i128: i128, serialize_u8: u8, serialize_u16: u16, serialize_u32: u32,
        serialize_u64: u64, serialize_u128: u128, serialize_f32: f32, serialize_f64: f64);
    text!();
    fn serialize_bytes(self, v: &[u8]) -> Result {
        serde_json::to_writer(&mut *self.out, v)
    }
    /// Formats straight into the output (serde's default formats into a new `String` first).
    fn collect_str<T: std::fmt::Display + ?Sized>(self, value: &T) -> Result {
        let start = self.out.len();
        self.out.push(b'"');
        std::io::Write::write_fmt(self.out, format_args!("{value}")).map_err(Error::io)?;
        if needs_escaping(&self.out[start + 1..]) {
            let text = String::from_utf8_lossy(&self.out[start + 1..]).into_owned();
            self.out.truncate(start);
            return write_str(self.out, &text);
        }
        self.out.push(b'"');
        Ok(())
    }
    fn serialize_none(self) -> Result {
        self.serialize_unit()
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result {
        self.out.extend_from_slice(b"null");
        Ok(())
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result {
        self.serialize_unit()
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result {
        let mut c = self.open_variant(variant, b"", b"}")?;
        c.element(value)?;
        c.close()
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq> {
        Ok(self.open(b"[", b"]"))
    }
    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple> {
        Ok(self.open(b"[", b"]"))
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleStruct> {
        Ok(self.open(b"[", b"]"))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant> {
        self.open_variant(variant, b"[", b"]}")
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap> {
        Ok(self.open(b"{", b"}"))
    }
    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Self::SerializeStruct> {
        Ok(self.open(b"{", b"}"))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant> {
        self.open_variant(variant, b"{", b"}}")
    }
}

/// Arrays (sequences, tuples, tuple structs and variants): elements separated by commas.
macro_rules! arrays {
    ($($kind:ident::$method:ident),*) => {$(
        impl ser::$kind for Compound<'_, '_> {
            type Ok = ();
            type Error = Error;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
                self.element(value)
            }
            fn end(self) -> Result {
                self.close()
            }
        }
    )*};
}

arrays!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

impl ser::SerializeMap for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result {
        self.separate();
        key.serialize(MapKey { out: self.w.out })
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        self.w.out.push(b':');
        value.serialize(&mut *self.w)
    }
    fn end(self) -> Result {
        self.close()
    }
}

/// Structs and struct variants: `"field":value` pairs.
macro_rules! objects {
    ($($kind:ident),*) => {$(
        impl ser::$kind for Compound<'_, '_> {
            type Ok = ();
            type Error = Error;
            fn serialize_field<T: Serialize + ?Sized>(
                &mut self,
                key: &'static str,
                value: &T,
            ) -> Result {
                self.field(key, value)
            }
            fn end(self) -> Result {
                self.close()
            }
        }
    )*};
}

objects!(SerializeStruct, SerializeStructVariant);

/// An object key: strings as they are, numbers and booleans quoted, as serde_json writes them.
struct MapKey<'a> {
    out: &'a mut Vec<u8>,
}

impl MapKey<'_> {
    fn quoted<T: Serialize>(self, v: T) -> Result {
        self.out.push(b'"');
        serde_json::to_writer(&mut *self.out, &v)?;
        self.out.push(b'"');
        Ok(())
    }
}

fn key_must_be_a_string() -> Error {
    ser::Error::custom("key must be a string")
}

impl ser::Serializer for MapKey<'_> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = ser::Impossible<(), Error>;
    type SerializeTuple = ser::Impossible<(), Error>;
    type SerializeTupleStruct = ser::Impossible<(), Error>;
    type SerializeTupleVariant = ser::Impossible<(), Error>;
    type SerializeMap = ser::Impossible<(), Error>;
    type SerializeStruct = ser::Impossible<(), Error>;
    type SerializeStructVariant = ser::Impossible<(), Error>;

    text!();
    numbers!(MapKey::quoted;
        serialize_bool: bool, serialize_i8: i8, serialize_i16: i16, serialize_i32: i32,
        serialize_i64: i64, serialize_i128: i128, serialize_u8: u8, serialize_u16: u16,
        serialize_u32: u32, serialize_u64: u64, serialize_u128: u128);
    fn serialize_f32(self, _v: f32) -> Result {
        Err(key_must_be_a_string())
    }
    fn serialize_f64(self, _v: f64) -> Result {
        Err(key_must_be_a_string())
    }
    fn serialize_bytes(self, _v: &[u8]) -> Result {
        Err(key_must_be_a_string())
    }
    fn serialize_none(self) -> Result {
        Err(key_must_be_a_string())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, _value: &T) -> Result {
        Err(key_must_be_a_string())
    }
    fn serialize_unit(self) -> Result {
        Err(key_must_be_a_string())
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result {
        Err(key_must_be_a_string())
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result {
        Err(key_must_be_a_string())
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq> {
        Err(key_must_be_a_string())
    }
    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple> {
        Err(key_must_be_a_string())
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleStruct> {
        Err(key_must_be_a_string())
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant> {
        Err(key_must_be_a_string())
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap> {
        Err(key_must_be_a_string())
    }
    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Self::SerializeStruct> {
        Err(key_must_be_a_string())
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant> {
        Err(key_must_be_a_string())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde::Serialize;
    use serde_json::json;

    use super::write;

    fn same_as_serde_json<T: Serialize + ?Sized>(value: &T) {
        let mut ours = Vec::new();
        write(&mut ours, value).expect("writes");
        let theirs = serde_json::to_vec(value).expect("serde_json writes");
        assert_eq!(
            String::from_utf8_lossy(&ours),
            String::from_utf8_lossy(&theirs)
        );
    }

    #[derive(Serialize)]
    enum Shape {
        Unit,
        Newtype(i64),
        Tuple(i64, &'static str),
        Struct { a: Option<bool>, b: Vec<u8> },
    }

    #[derive(Serialize)]
    struct Unit;

    /// Serialized through `collect_str`.
    struct Shown(&'static str);

    impl std::fmt::Display for Shown {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "<{}>", self.0)
        }
    }

    impl Serialize for Shown {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.collect_str(self)
        }
    }

    #[derive(Serialize)]
    struct Wrapper(&'static str);

    #[derive(Serialize)]
    struct Pair(i8, u128);

    #[derive(Serialize)]
    struct Everything<'a> {
        plain: &'a str,
        #[serde(rename = "renamed.field")]
        renamed: &'a str,
        quotes: &'a str,
        control: &'a str,
        unicode: &'a str,
        ch: char,
        quote_char: char,
        none: Option<i64>,
        some: Option<&'a str>,
        unit: (),
        unit_struct: Unit,
        newtype: Wrapper,
        tuple_struct: Pair,
        tuple: (i16, u16, i32, u32),
        ints: [i64; 4],
        uints: [u64; 2],
        floats: [f64; 6],
        float32: f32,
        empty_list: Vec<i64>,
        empty_map: BTreeMap<String, String>,
        map: BTreeMap<String, Vec<Shape>>,
        int_keys: BTreeMap<i64, bool>,
        bool_keys: BTreeMap<bool, u8>,
        bytes: &'a [u8],
        shown: [Shown; 3],
    }

    #[test]
    fn writes_integers_as_serde_json_does() {
        let mut values = vec![0, 1, -1, 9, 10, -10, 99, 100, 2200, i64::MAX, i64::MIN];
        values.extend((0..19).map(|p| 10i64.pow(p) - 1));
        values.extend((0..19).map(|p| -(10i64.pow(p))));
        for n in values {
            let mut ours = b"x".to_vec();
            super::write_i64(&mut ours, n);
            assert_eq!(ours, [b"x".as_slice(), n.to_string().as_bytes()].concat());
        }
    }

    #[test]
    fn writes_what_serde_json_writes_for_every_kind_of_value() {
        let mut map = BTreeMap::new();
        map.insert(
            "shapes".to_owned(),
            vec![
                Shape::Unit,
                Shape::Newtype(-5),
                Shape::Tuple(7, "x\\y"),
                Shape::Struct {
                    a: Some(true),
                    b: vec![0, 255],
                },
                Shape::Struct { a: None, b: vec![] },
            ],
        );
        map.insert("tab\tkey".to_owned(), Vec::new());
        map.insert("needs \"escaping\"\n".to_owned(), Vec::new());
        same_as_serde_json(&Everything {
            plain: "in_1MtHbELkdIwHu7ixl4OzzPMv",
            renamed: "",
            quotes: "say \"hi\" \\ back/slash",
            control: "\u{0}\u{1}\u{8}\u{c}\n\r\t\u{1f}\u{7f}",
            unicode: "é ü 日本 \u{2028} \u{1F600}",
            ch: 'é',
            quote_char: '"',
            none: None,
            some: Some("usd"),
            unit: (),
            unit_struct: Unit,
            newtype: Wrapper("w"),
            tuple_struct: Pair(i8::MIN, u128::MAX),
            tuple: (i16::MIN, u16::MAX, i32::MIN, u32::MAX),
            ints: [0, -1, i64::MIN, i64::MAX],
            uints: [0, u64::MAX],
            floats: [0.0, -0.5, 1e300, 12.5, f64::NAN, f64::INFINITY],
            float32: 0.1,
            empty_list: Vec::new(),
            empty_map: BTreeMap::new(),
            map,
            int_keys: BTreeMap::from([(-3, true), (4, false)]),
            bool_keys: BTreeMap::from([(true, 1)]),
            bytes: b"ab",
            shown: [Shown("plain"), Shown("with \"quote\""), Shown("tab\t")],
        });
    }

    #[test]
    fn writes_what_serde_json_writes_for_json_values() {
        same_as_serde_json(&json!({
            "id": "bilint_test_61SbQ4ZVMJ2ESqq2416S40x4RVA8P2F2ShZStd6x6RCy",
            "object": "v2.billing.intent",
            "amount": 1099,
            "ratio": 0.25,
            "nested": {"list": [1, "two", null, true, {"k\"": "v\n"}], "empty": {}},
            "metadata": {"order": "A\u{0}B", "": ""},
        }));
    }

    /// Whether JSON needs `b` escaped inside a string.
    fn escaped(b: u8) -> bool {
        b < 0x20 || b == b'"' || b == b'\\'
    }

    #[test]
    fn finds_every_byte_that_needs_escaping_at_every_position() {
        for b in 0..=255u8 {
            for len in 1..=17 {
                for at in 0..len {
                    let mut bytes = vec![b'a'; len];
                    bytes[at] = b;
                    assert_eq!(
                        super::needs_escaping(&bytes),
                        escaped(b),
                        "byte {b:#x} at {at} of {len}"
                    );
                }
            }
        }
    }

    #[test]
    fn agrees_with_a_byte_by_byte_check_on_mixed_strings() {
        // Bytes near the boundaries, mixed: a borrow from one byte must not hide or invent
        // another.
        let alphabet = [
            0x00, 0x1f, 0x20, 0x21, 0x22, 0x23, 0x5b, 0x5c, 0x5d, 0x7f, 0x80, 0xff,
        ];
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        for _ in 0..20_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let len = (seed % 24) as usize;
            let bytes: Vec<u8> = (0..len)
                .map(|i| alphabet[((seed >> (i * 2 % 60)) % alphabet.len() as u64) as usize])
                .collect();
            assert_eq!(
                super::needs_escaping(&bytes),
                bytes.iter().any(|&b| escaped(b)),
                "{bytes:x?}"
            );
        }
    }

    /// Field names are written without the escape check; a name that would need it is a
    /// mistake in a view type, caught by the tests' debug build.
    #[test]
    #[cfg(debug_assertions)]
    #[should_panic(expected = "field name")]
    fn a_field_name_that_needs_escaping_is_refused_in_debug_builds() {
        #[derive(Serialize)]
        struct Odd {
            #[serde(rename = "say \"hi\"")]
            odd: u8,
        }
        let _ = super::write(&mut Vec::new(), &Odd { odd: 1 });
    }

    #[test]
    fn refuses_keys_that_are_not_strings_or_numbers() {
        let mut out = Vec::new();
        let map = BTreeMap::from([(vec![1], 2)]);
        assert!(write(&mut out, &map).is_err());
        assert!(serde_json::to_vec(&map).is_err());
    }
}
