//! The deserializer over one decoded value: v1 strings read as numbers and booleans where those
//! are expected, `""` and `null` as "not set", a struct's declared fields in declaration order
//! with the undeclared ones reported after them. Fields and enum values the request's version
//! lacks ([`Absent`]) count as undeclared.

use serde::Deserializer;
use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};
use serde_json::Value;

use super::{Absent, DeError, Mode, Problem, describe};

/// `""` (a v1 unset) or `null` (a v2 unset).
fn is_unset(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        _ => false,
    }
}

/// How a tree is read: the API's conventions and what the request's version lacks.
#[derive(Clone, Copy)]
pub(super) struct Rules<'g> {
    pub(super) mode: Mode,
    pub(super) absent: Option<Absent<'g>>,
}

impl Rules<'_> {
    /// Whether `name` (a field or an enum value) of the type `ty` is absent in this version.
    fn lacks(&self, ty: &'static str, name: &str) -> bool {
        self.absent.is_some_and(|absent| absent(ty, name))
    }
}

/// One value of the tree, with the API's conventions.
pub(super) struct ValueDe<'g> {
    pub(super) rules: Rules<'g>,
    pub(super) value: Value,
}

impl ValueDe<'_> {
    fn type_error(&self, expected: &'static str) -> DeError {
        DeError(Problem::Type {
            expected,
            got: describe(&self.value),
        })
    }

    fn integer(self) -> Result<i64, DeError> {
        match self.value {
            ref v if is_unset(v) => Err(DeError(Problem::Empty)),
            Value::String(s) => s
                .trim()
                .parse::<i64>()
                .map_err(|_| DeError(Problem::Integer(s))),
            Value::Number(n) => n
                .as_i64()
                .ok_or_else(|| DeError(Problem::Integer(n.to_string()))),
            other => Err(DeError(Problem::Integer(other.to_string()))),
        }
    }
}

macro_rules! integers {
    ($($method:ident => $visit:ident: $ty:ty),*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
            let n = self.integer()?;
            match <$ty>::try_from(n) {
                Ok(v) => visitor.$visit(v),
                Err(_) => Err(DeError(Problem::Integer(n.to_string()))),
            }
        }
    )*};
}

impl<'de> Deserializer<'de> for ValueDe<'_> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let rules = self.rules;
        match self.value {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(b),
            Value::Number(n) => {
                if let Some(i) = n.as_i64() {
                    visitor.visit_i64(i)
                } else if let Some(u) = n.as_u64() {
                    visitor.visit_u64(u)
                } else {
                    visitor.visit_f64(n.as_f64().unwrap_or(f64::NAN))
                }
            }
            Value::String(s) => visitor.visit_string(s),
            Value::Array(items) => visitor.visit_seq(SeqDe {
                rules,
                items: items.into_iter(),
                index: 0,
            }),
            Value::Object(map) => visitor.visit_map(EntriesDe {
                rules,
                entries: map.into_iter(),
                value: None,
            }),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        if is_unset(&self.value) {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.value {
            ref v if is_unset(v) => Err(DeError(Problem::Empty)),
            Value::String(s) => visitor.visit_string(s),
            _ => Err(self.type_error("a string")),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_string(visitor)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_string(visitor)
    }

    integers!(
        deserialize_i64 => visit_i64: i64,
        deserialize_i32 => visit_i32: i32,
        deserialize_i16 => visit_i16: i16,
        deserialize_i8 => visit_i8: i8,
        deserialize_u64 => visit_u64: u64,
        deserialize_u32 => visit_u32: u32,
        deserialize_u16 => visit_u16: u16,
        deserialize_u8 => visit_u8: u8
    );

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.value {
            ref v if is_unset(v) => Err(DeError(Problem::Empty)),
            Value::String(s) => match s.trim().parse::<f64>() {
                Ok(v) if v.is_finite() => visitor.visit_f64(v),
                _ => Err(DeError(Problem::Decimal(s))),
            },
            Value::Number(n) => match n.as_f64() {
                Some(v) => visitor.visit_f64(v),
                None => Err(DeError(Problem::Decimal(n.to_string()))),
            },
            other => Err(DeError(Problem::Decimal(other.to_string()))),
        }
    }

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_f64(visitor)
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match (self.rules.mode, self.value) {
            (_, ref v) if is_unset(v) => Err(DeError(Problem::Empty)),
            (_, Value::Bool(b)) => visitor.visit_bool(b),
            (Mode::V1, Value::String(s)) => match s.as_str() {
                // Python SDKs before 2025 send `str(True)`, which Stripe's v1 accepts.
                "true" | "True" => visitor.visit_bool(true),
                "false" | "False" => visitor.visit_bool(false),
                _ => Err(DeError(Problem::Boolean(s))),
            },
            (_, other) => Err(DeError(Problem::Boolean(other.to_string()))),
        }
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.value {
            ref v if is_unset(v) => Err(DeError(Problem::Empty)),
            Value::Array(items) => visitor.visit_seq(SeqDe {
                rules: self.rules,
                items: items.into_iter(),
                index: 0,
            }),
            // A v1 map with numeric keys became an array in the form decoder; a map here
            // means `key[name]=…`, which is not an array.
            _ => Err(self.type_error("an array")),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.value {
            ref v if is_unset(v) => Err(DeError(Problem::Empty)),
            Value::Object(map) => visitor.visit_map(EntriesDe {
                rules: self.rules,
                entries: map.into_iter(),
                value: None,
            }),
            _ => Err(self.type_error("an object")),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        let rules = self.rules;
        match self.value {
            ref v if is_unset(v) => Err(DeError(Problem::Missing)),
            Value::Object(mut map) => {
                // Declared fields first, in declaration order; what is left (the version's
                // absent fields too) is unknown.
                let known: Vec<(&'static str, Value)> = fields
                    .iter()
                    .filter(|f| !rules.lacks(name, f))
                    .filter_map(|f| map.remove(*f).map(|v| (*f, v)))
                    .collect();
                let out = visitor.visit_map(EntriesDe {
                    rules,
                    entries: known.into_iter(),
                    value: None,
                })?;
                match map.into_iter().next() {
                    Some((key, _)) => Err(DeError(Problem::Unknown(key))),
                    None => Ok(out),
                }
            }
            _ => Err(self.type_error("an object")),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        let rules = self.rules;
        match self.value {
            ref v if is_unset(v) => Err(DeError(Problem::Empty)),
            Value::String(s) if variants.contains(&s.as_str()) && !rules.lacks(name, &s) => {
                visitor.visit_enum(s.into_deserializer())
            }
            // The error lists the values of the request's version.
            Value::String(s) => Err(DeError(Problem::Enum {
                got: s,
                allowed: variants
                    .iter()
                    .copied()
                    .filter(|v| !rules.lacks(name, v))
                    .collect(),
            })),
            _ => Err(self.type_error("a string")),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        i128 u128 char bytes byte_buf unit unit_struct tuple_struct
    }
}

/// The items of an array.
struct SeqDe<'g> {
    rules: Rules<'g>,
    items: std::vec::IntoIter<Value>,
    index: usize,
}

impl<'de> de::SeqAccess<'de> for SeqDe<'_> {
    type Error = DeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DeError> {
        match self.items.next() {
            Some(value) => {
                self.index += 1;
                seed.deserialize(ValueDe {
                    rules: self.rules,
                    value,
                })
                .map(Some)
            }
            None => Ok(None),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

/// The entries of an object: all of them for a map (metadata, free-form objects), the declared
/// fields that were sent, in declaration order, for a struct.
struct EntriesDe<'g, I> {
    rules: Rules<'g>,
    entries: I,
    value: Option<Value>,
}

impl<'de, I, K> de::MapAccess<'de> for EntriesDe<'_, I>
where
    I: ExactSizeIterator<Item = (K, Value)>,
    K: IntoDeserializer<'de, DeError>,
{
    type Error = DeError;

    fn next_key_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<Option<S::Value>, DeError> {
        match self.entries.next() {
            Some((key, value)) => {
                self.value = Some(value);
                seed.deserialize(key.into_deserializer()).map(Some)
            }
            None => Ok(None),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        let value = self.value.take().unwrap_or(Value::Null);
        seed.deserialize(ValueDe {
            rules: self.rules,
            value,
        })
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}
