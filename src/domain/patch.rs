//! Update semantics shared by both API versions: absent vs unset vs value, and metadata merges.

/// A three-state update field: not sent, sent as "unset", or sent with a value.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Patch<T> {
    /// The parameter was not sent: keep the current value.
    #[default]
    Absent,
    /// The parameter was sent empty (v1 `""`, v2 `null`): clear the current value.
    Unset,
    /// The parameter was sent with a value.
    Set(T),
}

impl<T> Patch<T> {
    /// Applies the patch to an optional field.
    pub fn apply_to(self, target: &mut Option<T>) {
        match self {
            Patch::Absent => {}
            Patch::Unset => *target = None,
            Patch::Set(v) => *target = Some(v),
        }
    }

    /// The value if one was sent.
    pub fn into_option(self) -> Option<T> {
        match self {
            Patch::Set(v) => Some(v),
            Patch::Absent | Patch::Unset => None,
        }
    }
}

/// A metadata update, with Stripe's merge rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MetadataUpdate {
    /// `metadata=` (v1) or `metadata: null` (v2): remove every key.
    Clear,
    /// Merge these keys; `None` removes the key.
    Merge(Vec<(String, Option<String>)>),
}

impl MetadataUpdate {
    /// Applies the update with merge semantics.
    pub fn merge_into(self, target: &mut std::collections::BTreeMap<String, String>) {
        match self {
            MetadataUpdate::Clear => target.clear(),
            MetadataUpdate::Merge(entries) => {
                for (k, v) in entries {
                    match v {
                        Some(v) => {
                            target.insert(k, v);
                        }
                        None => {
                            target.remove(&k);
                        }
                    }
                }
            }
        }
    }

    /// Applies the update by replacing the whole map (keys with empty values are dropped).
    pub fn replace(self, target: &mut std::collections::BTreeMap<String, String>) {
        target.clear();
        self.merge_into(target);
    }
}
