//! `Holder` and `SharedHolder`: borrowed and owned receivers drop their value
//! exactly once, and a by-value move releases the storage without a drop.

use core::cell::Cell;
use core::ptr::NonNull;

use dynptr_core::{impl_coerce, Holder, ReceiverSlot, SharedHolder};

trait Counter {
    fn bump(&mut self) -> u32;
    fn peek(&self) -> u32;
}
impl_coerce!(dyn Counter);

struct Tracked<'c> {
    n: u32,
    drops: &'c Cell<u32>,
}

impl Counter for Tracked<'_> {
    fn bump(&mut self) -> u32 {
        self.n += 1;
        self.n
    }
    fn peek(&self) -> u32 {
        self.n
    }
}

impl Drop for Tracked<'_> {
    fn drop(&mut self) {
        self.drops.set(self.drops.get() + 1);
    }
}

#[test]
fn borrowed_receivers_never_drop() {
    let drops = Cell::new(0);
    let mut value = Tracked { n: 1, drops: &drops };
    {
        let mut r: Holder<'_, dyn Counter + '_> = Holder::from_mut(&mut value);
        assert!(!r.is_owned());
        assert_eq!(r.get_mut().bump(), 2);
        assert_eq!(r.get().peek(), 2);
    }
    assert_eq!(drops.get(), 0);
    {
        let r: SharedHolder<'_, dyn Counter + '_> = SharedHolder::from_ref(&value);
        assert_eq!(r.get().peek(), 2);
        assert!(r.into_owned().is_none());
    }
    assert_eq!(drops.get(), 0);
    assert_eq!(value.n, 2);
}

#[test]
fn a_slot_receiver_owns_and_drops_once() {
    let drops = Cell::new(0);
    let mut slot = ReceiverSlot::new();
    let mut r: Holder<'_, dyn Counter + '_> = Holder::in_slot(&mut slot, Tracked { n: 10, drops: &drops });
    assert!(r.is_owned());
    assert_eq!(r.get_mut().bump(), 11);
    assert_eq!(drops.get(), 0);
    drop(r);
    assert_eq!(drops.get(), 1);
    // The slot can be used again.
    let r: Holder<'_, dyn Counter + '_> = Holder::in_slot(&mut slot, Tracked { n: 20, drops: &drops });
    let shared = SharedHolder::from_owned(r);
    assert_eq!(shared.get().peek(), 20);
    drop(shared);
    assert_eq!(drops.get(), 2);
}

#[test]
fn take_owned_moves_out_without_a_second_drop() {
    let drops = Cell::new(0);
    let mut slot = ReceiverSlot::new();
    let r: Holder<'_, dyn Counter + '_> = Holder::in_slot(&mut slot, Tracked { n: 5, drops: &drops });
    let take = |ptr: NonNull<dyn Counter + '_>| {
        // SAFETY: `ptr` is the slot's initialised `Tracked`, read exactly once.
        unsafe { ptr.cast::<Tracked<'_>>().as_ptr().read() }
    };
    // SAFETY: `take` moves the `Tracked` out exactly once and keeps no pointer.
    let moved = unsafe { r.take_owned(take) };
    let moved = moved.expect("an owned receiver");
    assert_eq!(drops.get(), 0, "moving out must not drop");
    assert_eq!(moved.n, 5);
    drop(moved);
    assert_eq!(drops.get(), 1);

    let mut value = Tracked { n: 1, drops: &drops };
    let borrowed: Holder<'_, dyn Counter + '_> = Holder::from_mut(&mut value);
    // SAFETY: not called for a borrowed receiver.
    let none = unsafe { borrowed.take_owned(|_| -> u32 { unreachable!() }) };
    assert!(none.is_none());
}

#[test]
fn a_forgotten_slot_receiver_leaks_its_value_in_place() {
    let drops = Cell::new(0);
    let mut slot = ReceiverSlot::new();
    let r: Holder<'_, dyn Counter + '_> = Holder::in_slot(&mut slot, Tracked { n: 1, drops: &drops });
    core::mem::forget(r);
    assert_eq!(drops.get(), 0);
    // Reusing the slot overwrites the leaked value without dropping it.
    let r: Holder<'_, dyn Counter + '_> = Holder::in_slot(&mut slot, Tracked { n: 2, drops: &drops });
    assert_eq!(r.get().peek(), 2);
    drop(r);
    assert_eq!(drops.get(), 1);
}
