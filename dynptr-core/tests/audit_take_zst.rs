//! Audit: `__private::take` with a `MoveToken` of a zero-sized receiver and a
//! `&'t mut` to *another* zero-sized value at the same (dangling) address.
//!
//! `take`'s docs argue that such a stand-in must be borrowed for `'static` (so it is a
//! leaked value with one owner). But when the holder's `D` is `dyn Trait + 'a`, the
//! closure's `'t` is bounded by `'a` (implied bound of `&'t mut (dyn Trait + 'a)`), so
//! a borrow of a local that lasts `'a` is enough, and the local is usable again
//! afterwards: the value is duplicated.
#![allow(missing_docs)]

use core::cell::UnsafeCell;
use core::sync::atomic::{AtomicBool, Ordering};

use dynptr_core::__private::{take, HoldsOwned};
use dynptr_core::{impl_coerce, Holder, OwnedHolder, ReceiverSlot};

/// A library that is sound on its own: at most one `Key` exists at a time (an atomic
/// flag), and a `Key` gives `&mut` access to a global cell.
mod victim {
    use super::*;

    static TAKEN: AtomicBool = AtomicBool::new(false);

    struct Data(UnsafeCell<u64>);
    // SAFETY: accessed only through the unique `Key`.
    unsafe impl Sync for Data {}
    static DATA: Data = Data(UnsafeCell::new(0));

    /// Zero-sized capability: whoever holds it may mutate `DATA`.
    pub(crate) struct Key(());

    impl Key {
        pub(crate) fn acquire() -> Option<Key> {
            (!TAKEN.swap(true, Ordering::AcqRel)).then_some(Key(()))
        }
        pub(crate) fn data(&mut self) -> &mut u64 {
            // SAFETY: only one `Key` exists, and it is borrowed mutably.
            unsafe { &mut *DATA.0.get() }
        }
    }

    impl Drop for Key {
        fn drop(&mut self) {
            TAKEN.store(false, Ordering::Release);
        }
    }
}

use victim::Key;

trait Tr {}
struct Other;
impl Tr for Other {}
impl_coerce!(dyn Tr);

#[test]
#[ignore = "finding: take() duplicates a zero-sized value borrowed for less than 'static"]
fn take_duplicates_a_zero_sized_value() {
    // Both zero-sized with alignment 1: boxed at the same dangling address.
    let mut key_box: Box<Key> = Box::new(Key::acquire().unwrap());
    let mut slot: Box<ReceiverSlot<Other>> = Box::new(ReceiverSlot::new());
    assert!(core::ptr::addr_eq(&*key_box as *const Key, &*slot as *const _));

    let dup: Key = {
        let owned: OwnedHolder<'_, dyn Tr> = OwnedHolder::new(Holder::in_slot(&mut *slot, Other)).unwrap();
        owned.consume(|_receiver, token| take(&mut *key_box, token))
    };
    let mut dup = dup;
    // Two `Key`s now: two live `&mut` to the same data.
    let a = key_box.data();
    let b = dup.data();
    *a += 1;
    *b += 1;
    *a += 1;
    assert_eq!(*a, 3);
}
