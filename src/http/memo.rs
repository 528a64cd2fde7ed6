//! Rendered answers of unchanged objects, so that reading an object again copies its JSON
//! instead of serialising it again.
//!
//! An entry keeps the object it was rendered from (the `Arc` the store shares) and answers
//! only for that very allocation. The store never changes a shared object in place: a change
//! goes through `Arc::make_mut`, which copies an object anyone else holds, or stores a new
//! `Arc`. While an entry holds its object, then, the object cannot change and its address
//! cannot be reused, so a hit is always the current object as rendered. Entries sit in a
//! fixed table indexed by the object's address; a newer object displaces an older one.

use std::sync::{Arc, Mutex};

use axum::body::Bytes;

use crate::domain::id::mix;
use crate::sync::lock;

/// Table size: bounds what the memo keeps alive (objects and their JSON) at a few MB.
const SLOTS: usize = 1024;

/// Rendered JSON of objects of type `T`, per variant (the API version's shape).
#[derive(Debug)]
pub struct Rendered<T> {
    slots: Box<[Mutex<Option<Entry<T>>>]>,
}

#[derive(Debug)]
struct Entry<T> {
    object: Arc<T>,
    variant: u8,
    body: Bytes,
}

impl<T> Default for Rendered<T> {
    fn default() -> Self {
        Rendered {
            slots: (0..SLOTS).map(|_| Mutex::new(None)).collect(),
        }
    }
}

impl<T> Rendered<T> {
    /// The JSON of `object` in `variant`: as rendered before, or rendered now by `render` and
    /// kept. `render` runs without the table's lock.
    ///
    /// # Errors
    /// What `render` returns.
    pub fn get_or_render<E>(
        &self,
        object: &Arc<T>,
        variant: u8,
        render: impl FnOnce(&T) -> Result<Bytes, E>,
    ) -> Result<Bytes, E> {
        let address = Arc::as_ptr(object) as usize as u64;
        let slot = &self.slots[(mix(address ^ u64::from(variant)) as usize) % SLOTS];
        if let Some(entry) = lock(slot).as_ref() {
            if Arc::ptr_eq(&entry.object, object) && entry.variant == variant {
                return Ok(entry.body.clone());
            }
        }
        let body = render(object)?;
        *lock(slot) = Some(Entry {
            object: Arc::clone(object),
            variant,
            body: body.clone(),
        });
        Ok(body)
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use super::*;

    fn json(text: &str) -> Result<Bytes, ()> {
        Ok(Bytes::from(text.to_owned()))
    }

    #[test]
    fn renders_once_per_object_and_variant() {
        let memo = Rendered::default();
        let renders = Cell::new(0);
        let object = Arc::new(String::from("a"));
        let render = |s: &String| {
            renders.set(renders.get() + 1);
            json(s)
        };
        assert_eq!(memo.get_or_render(&object, 0, render), Ok(Bytes::from("a")));
        assert_eq!(memo.get_or_render(&object, 0, render), Ok(Bytes::from("a")));
        assert_eq!(renders.get(), 1);
        memo.get_or_render(&object, 1, render).unwrap();
        assert_eq!(renders.get(), 2, "another variant is rendered on its own");
    }

    #[test]
    fn a_changed_object_is_rendered_again() {
        let memo = Rendered::default();
        let mut stored = Arc::new(String::from("draft"));
        memo.get_or_render(&stored, 0, |s| json(s)).unwrap();
        // The store's way of changing an object: the memo holds it, so this copies it.
        Arc::make_mut(&mut stored).replace_range(.., "reserved");
        let body = memo.get_or_render(&stored, 0, |s| json(s)).unwrap();
        assert_eq!(body, Bytes::from("reserved"));
        // An equal but distinct object is not the rendered one either.
        let twin = Arc::new(String::from("reserved"));
        let body = memo.get_or_render(&twin, 0, |_| json("fresh")).unwrap();
        assert_eq!(body, Bytes::from("fresh"));
    }

    #[test]
    fn failures_are_not_kept_and_many_objects_displace_each_other_safely() {
        let memo = Rendered::default();
        let object = Arc::new(String::from("x"));
        assert_eq!(memo.get_or_render(&object, 0, |_| Err("boom")), Err("boom"));
        assert_eq!(
            memo.get_or_render(&object, 0, |s| Ok::<_, &str>(Bytes::from(s.clone()))),
            Ok(Bytes::from("x"))
        );
        let objects: Vec<Arc<String>> = (0..4 * SLOTS).map(|i| Arc::new(i.to_string())).collect();
        for _ in 0..2 {
            for o in &objects {
                let body = memo.get_or_render(o, 0, |s| json(s)).unwrap();
                assert_eq!(body, Bytes::from(o.to_string()));
            }
        }
    }
}
