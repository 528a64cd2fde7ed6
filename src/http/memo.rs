//! Rendered answers of shared objects, kept per worker thread.
//!
//! Stored objects are immutable `Arc`s: a write replaces the `Arc`, never the value inside it.
//! So the JSON rendered for one `Arc` in one shape stays right for as long as that `Arc` is the
//! stored one, and a repeated `GET` can answer with the bytes of the last one. Each entry holds a
//! `Weak` to its object: the allocation, and so its address, cannot be reused while the entry
//! exists (`Arc::make_mut` moves a value that has `Weak`s to a new allocation), so an entry found
//! by an object's address belongs to that very object. Each thread keeps at most
//! [`MAX_ENTRIES`]; when full, it starts again empty.

use hashbrown::HashMap;
use std::sync::{Arc, Weak};

use axum::body::Bytes;

/// Entries one thread keeps.
pub const MAX_ENTRIES: usize = 1024;

/// The JSON last rendered for `Arc`s of `T`, by address and shape `K`.
#[derive(Debug)]
pub struct Rendered<T, K> {
    entries: HashMap<usize, (Weak<T>, K, Bytes)>,
}

impl<T, K> Default for Rendered<T, K> {
    fn default() -> Self {
        Rendered {
            entries: HashMap::new(),
        }
    }
}

impl<T, K: Copy + PartialEq> Rendered<T, K> {
    /// The JSON of `object` in `shape`: the bytes rendered before for this very `Arc` and shape,
    /// else what `render` gives (kept for the next time).
    ///
    /// # Errors
    /// Those of `render`.
    pub fn get_or_render<E>(
        &mut self,
        object: &Arc<T>,
        shape: K,
        render: impl FnOnce(&T) -> Result<Bytes, E>,
    ) -> Result<Bytes, E> {
        let address = Arc::as_ptr(object) as usize;
        if let Some((kept, kept_shape, body)) = self.entries.get(&address)
            && *kept_shape == shape
            && Weak::ptr_eq(kept, &Arc::downgrade(object))
        {
            return Ok(body.clone());
        }
        let body = render(object)?;
        if self.entries.len() >= MAX_ENTRIES {
            self.entries.clear();
        }
        self.entries
            .insert(address, (Arc::downgrade(object), shape, body.clone()));
        Ok(body)
    }

    /// Entries kept.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing is kept.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::convert::Infallible;

    use super::*;

    fn render(count: &Cell<u32>) -> impl Fn(&String) -> Result<Bytes, Infallible> + '_ {
        move |s: &String| {
            count.set(count.get() + 1);
            Ok(Bytes::from(format!("\"{s}\"")))
        }
    }

    #[test]
    fn the_same_arc_and_shape_render_once() {
        let count = Cell::new(0);
        let mut memo = Rendered::<String, u8>::default();
        let object = Arc::new("a".to_owned());
        for _ in 0..3 {
            let body = memo.get_or_render(&object, 1, render(&count));
            assert_eq!(body, Ok(Bytes::from("\"a\"")));
        }
        assert_eq!(count.get(), 1);
        // Another shape renders again.
        assert_eq!(
            memo.get_or_render(&object, 2, render(&count)),
            Ok(Bytes::from("\"a\""))
        );
        assert_eq!(count.get(), 2);
    }

    #[test]
    fn a_replaced_object_is_rendered_afresh() {
        let count = Cell::new(0);
        let mut memo = Rendered::<String, u8>::default();
        let mut object = Arc::new("old".to_owned());
        let _ = memo.get_or_render(&object, 1, render(&count));
        // A write: the stored value is changed through make_mut, as the store does when it holds
        // the only strong reference; the memo's Weak moves it to a new allocation.
        Arc::make_mut(&mut object).replace_range(.., "new");
        assert_eq!(
            memo.get_or_render(&object, 1, render(&count)),
            Ok(Bytes::from("\"new\""))
        );
        assert_eq!(count.get(), 2);
        // A new Arc with the same value is another object, too.
        let other = Arc::new("new".to_owned());
        let _ = memo.get_or_render(&other, 1, render(&count));
        assert_eq!(count.get(), 3);
    }

    #[test]
    fn a_full_memo_starts_again() {
        let count = Cell::new(0);
        let mut memo = Rendered::<String, u8>::default();
        let objects: Vec<_> = (0..=MAX_ENTRIES).map(|i| Arc::new(i.to_string())).collect();
        for object in &objects {
            let _ = memo.get_or_render(object, 1, render(&count));
        }
        assert_eq!(memo.len(), 1);
        assert!(!memo.is_empty());
    }
}
