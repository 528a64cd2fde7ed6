//! An insertion-ordered map of objects by id, paged newest first.
//!
//! Lookups by id are O(1); a page costs O(log n + limit) whatever the cursor, so lists stay
//! fast with a million objects in an account. Every object gets a sequence number when it is
//! inserted; cursors (v1 `starting_after` ids, v2 page tokens) are resolved to that number.
//!
//! Each entry keeps its id's hash, so growing the table moves entries without hashing their
//! ids again or reading them from the heap: with half a million objects in an account, a
//! resize under the account's lock took 44 ms when every id was rehashed.

use std::collections::BTreeMap;
use std::hash::BuildHasher;
use std::sync::Arc;

use hashbrown::{DefaultHashBuilder, HashTable};

/// Where a page starts, in newest-first order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cursor {
    /// From the newest object.
    Start,
    /// Objects older than the one with this sequence number (v1 `starting_after`).
    After(u64),
    /// Objects newer than the one with this sequence number (v1 `ending_before`).
    Before(u64),
}

/// One page of a list, newest first.
#[derive(Debug)]
pub struct Page<'a, T> {
    /// The objects on the page.
    pub items: Vec<&'a T>,
    /// Whether more objects lie beyond the page in the direction of travel.
    pub has_more: bool,
}

#[derive(Debug, Clone)]
struct Slot<T> {
    /// Hash of `id` under the collection's hasher.
    hash: u64,
    id: Arc<str>,
    seq: u64,
    /// Boxed so that growing the map moves pointers, not whole objects (a large account would
    /// otherwise copy every object on each resize, stalling the requests of that moment).
    value: Box<T>,
}

/// Objects of one type in one account.
#[derive(Debug, Clone)]
pub struct Collection<T> {
    items: HashTable<Slot<T>>,
    hasher: DefaultHashBuilder,
    order: BTreeMap<u64, Arc<str>>,
    next_seq: u64,
}

impl<T> Default for Collection<T> {
    fn default() -> Self {
        Collection {
            items: HashTable::new(),
            hasher: DefaultHashBuilder::default(),
            order: BTreeMap::new(),
            next_seq: 0,
        }
    }
}

impl<T> Collection<T> {
    /// Inserts `value` under `id` as the newest object (replacing any object with that id).
    pub fn insert(&mut self, id: &str, value: T) {
        let hash = self.hasher.hash_one(id);
        self.remove_hashed(hash, id);
        let key: Arc<str> = Arc::from(id);
        let seq = self.next_seq;
        self.next_seq += 1;
        self.order.insert(seq, Arc::clone(&key));
        self.items.insert_unique(
            hash,
            Slot {
                hash,
                id: key,
                seq,
                value: Box::new(value),
            },
            |s| s.hash,
        );
    }

    fn slot(&self, id: &str) -> Option<&Slot<T>> {
        let hash = self.hasher.hash_one(id);
        self.items.find(hash, |s| s.hash == hash && *s.id == *id)
    }

    /// The object with `id`.
    pub fn get(&self, id: &str) -> Option<&T> {
        self.slot(id).map(|s| &*s.value)
    }

    /// The object with `id`, mutably.
    pub fn get_mut(&mut self, id: &str) -> Option<&mut T> {
        let hash = self.hasher.hash_one(id);
        self.items
            .find_mut(hash, |s| s.hash == hash && *s.id == *id)
            .map(|s| &mut *s.value)
    }

    /// Whether an object with `id` exists.
    pub fn contains(&self, id: &str) -> bool {
        self.slot(id).is_some()
    }

    /// Removes and returns the object with `id`.
    pub fn remove(&mut self, id: &str) -> Option<T> {
        self.remove_hashed(self.hasher.hash_one(id), id)
    }

    fn remove_hashed(&mut self, hash: u64, id: &str) -> Option<T> {
        let entry = self
            .items
            .find_entry(hash, |s| s.hash == hash && *s.id == *id)
            .ok()?;
        let (slot, _) = entry.remove();
        self.order.remove(&slot.seq);
        Some(*slot.value)
    }

    /// Number of objects.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether there are no objects.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Sequence number of the object with `id`, for cursors.
    pub fn seq_of(&self, id: &str) -> Option<u64> {
        self.slot(id).map(|s| s.seq)
    }

    /// All objects, newest first.
    pub fn iter_newest_first(&self) -> impl Iterator<Item = &T> {
        self.order
            .values()
            .rev()
            .filter_map(|id| self.slot(id).map(|s| &*s.value))
    }

    /// All objects, mutably, in no particular order.
    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut T> {
        self.items.iter_mut().map(|s| &mut *s.value)
    }

    /// One page of objects accepted by `keep`, newest first.
    pub fn page(&self, cursor: Cursor, limit: usize, keep: impl Fn(&T) -> bool) -> Page<'_, T> {
        let ids: Box<dyn Iterator<Item = &Arc<str>>> = match cursor {
            Cursor::Start => Box::new(self.order.values().rev()),
            Cursor::After(seq) => Box::new(self.order.range(..seq).map(|(_, v)| v).rev()),
            Cursor::Before(seq) => {
                Box::new(self.order.range(seq.saturating_add(1)..).map(|(_, v)| v))
            }
        };
        let mut items: Vec<&T> = Vec::with_capacity(limit.min(100) + 1);
        let mut has_more = false;
        for value in ids.filter_map(|id| self.slot(id)).map(|s| &s.value) {
            if !keep(value) {
                continue;
            }
            if items.len() == limit {
                has_more = true;
                break;
            }
            items.push(value);
        }
        if matches!(cursor, Cursor::Before(_)) {
            items.reverse();
        }
        Page { items, has_more }
    }

    /// Whether any object accepted by `keep` is newer than `seq`.
    pub fn any_newer(&self, seq: u64, keep: impl Fn(&T) -> bool) -> bool {
        self.order
            .range(seq.saturating_add(1)..)
            .any(|(_, id)| self.slot(id).is_some_and(|s| keep(&s.value)))
    }

    /// Whether any object accepted by `keep` is older than `seq`.
    pub fn any_older(&self, seq: u64, keep: impl Fn(&T) -> bool) -> bool {
        self.order
            .range(..seq)
            .any(|(_, id)| self.slot(id).is_some_and(|s| keep(&s.value)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filled(n: u32) -> Collection<u32> {
        let mut c = Collection::default();
        for i in 0..n {
            c.insert(&format!("id{i}"), i);
        }
        c
    }

    fn values(p: &Page<'_, u32>) -> Vec<u32> {
        p.items.iter().map(|v| **v).collect()
    }

    #[test]
    fn first_page_is_newest_first() {
        let c = filled(5);
        let p = c.page(Cursor::Start, 2, |_| true);
        assert_eq!(values(&p), vec![4, 3]);
        assert!(p.has_more);
    }

    #[test]
    fn after_cursor_walks_older() {
        let c = filled(5);
        let seq = c.seq_of("id3").expect("exists");
        let p = c.page(Cursor::After(seq), 10, |_| true);
        assert_eq!(values(&p), vec![2, 1, 0]);
        assert!(!p.has_more);
    }

    #[test]
    fn before_cursor_walks_newer_and_keeps_newest_first() {
        let c = filled(5);
        let seq = c.seq_of("id0").expect("exists");
        let p = c.page(Cursor::Before(seq), 2, |_| true);
        assert_eq!(values(&p), vec![2, 1]);
        assert!(p.has_more);
    }

    #[test]
    fn filter_applies() {
        let c = filled(6);
        let p = c.page(Cursor::Start, 10, |v| v % 2 == 0);
        assert_eq!(values(&p), vec![4, 2, 0]);
        assert!(c.any_older(c.seq_of("id3").expect("exists"), |v| *v == 0));
        assert!(!c.any_newer(c.seq_of("id3").expect("exists"), |v| *v == 0));
    }

    #[test]
    fn lookups_survive_growth_and_removals() {
        let mut c = Collection::default();
        for i in 0..20_000u32 {
            c.insert(&format!("obj_{i}"), i);
        }
        for i in (0..20_000u32).step_by(3) {
            assert_eq!(c.remove(&format!("obj_{i}")), Some(i));
        }
        for i in 0..20_000u32 {
            let expected = (i % 3 != 0).then_some(i);
            assert_eq!(c.get(&format!("obj_{i}")).copied(), expected, "{i}");
        }
        assert_eq!(c.len(), 20_000 - 6_667);
        let copy = c.clone();
        assert_eq!(copy.get("obj_1"), Some(&1));
        assert_eq!(copy.seq_of("obj_19999"), c.seq_of("obj_19999"));
    }

    #[test]
    fn remove_and_reinsert() {
        let mut c = filled(3);
        assert_eq!(c.remove("id1"), Some(1));
        assert!(!c.contains("id1"));
        assert_eq!(c.len(), 2);
        c.insert("id0", 9);
        assert_eq!(values(&c.page(Cursor::Start, 10, |_| true)), vec![9, 2]);
    }
}
