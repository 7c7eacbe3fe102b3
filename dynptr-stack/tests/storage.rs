//! Where each strategy puts a value, and what happens when it moves, does not fit, or
//! meets another live value.

use core::cell::Cell;
use core::fmt::Debug;
use core::future::Future;
use core::pin::pin;
use core::ptr::NonNull;
use core::task::Poll;

use dynptr_core::testkit::poll_once;
use dynptr_core::testkit::YieldOnce;
use dynptr_core::{DynPtr, OwningPtr, RejectReason, Strategy};
use dynptr_stack::align::{A16, A4096, A64};
use dynptr_stack::{Inline, InlineOr, Slot, SlotRef};

fn addr<D: ?Sized, S: Strategy>(p: &DynPtr<'_, D, S>) -> usize {
    DynPtr::as_ptr(p).cast::<u8>().addr()
}

trait Counter {
    fn bump(&self) -> u32;
}
dynptr_core::impl_coerce!(dyn Counter);

/// Interior mutability reached through `&`: must live in an `UnsafeCell` (rule 5).
struct Shared(Cell<u32>, [u64; 3]);

impl Counter for Shared {
    fn bump(&self) -> u32 {
        self.0.set(self.0.get() + 1);
        self.0.get() + self.1.iter().sum::<u64>() as u32
    }
}

#[test]
fn an_inline_value_follows_its_pointer_through_moves() {
    let mut strategy = Inline::<64>::new();
    let p: DynPtr<'_, dyn Counter, _> = DynPtr::new(&mut strategy, Shared(Cell::new(0), [1, 2, 3]));
    let first = addr(&p);
    assert_eq!(p.bump(), 7);
    // Into a vector, out of it, into a box: the value moves with the pointer each time.
    let mut v = vec![p];
    let p = v.pop().unwrap();
    assert_eq!(p.bump(), 8);
    let boxed = Box::new(p);
    assert_ne!(addr(&boxed), first, "the box holds the pointer elsewhere");
    assert_eq!(boxed.bump(), 9);
    let p = *boxed;
    assert_eq!(p.bump(), 10);
    // The value is inside the pointer.
    let start = (&raw const p).addr();
    assert!((start..start + size_of_val(&p)).contains(&addr(&p)));
}

/// A future that borrows itself once polled, pinned in the strategy's storage: the
/// strategy must not assert uniqueness over it between polls (Miri checks).
fn self_referential_future_stays_valid<S: Strategy>(strategy: &mut S) {
    let local = Cell::new(0);
    let fut = async {
        let on_stack = [1u8; 16];
        let r = &on_stack; // self-referential once polled
        YieldOnce::new().await;
        local.set(r.iter().map(|&b| u32::from(b)).sum());
    };
    let mut p = pin!(DynPtr::<dyn Future<Output = ()>, S>::new(strategy, fut));
    let at = addr(&p);
    assert!(poll_once(p.as_mut()).is_pending());
    assert_eq!(addr(&p), at);
    // Access through `&` and `&mut` in between, as a caller may.
    let _ = &*p;
    let inner = p.as_mut().as_pin_mut();
    assert_eq!((&raw const *inner).cast::<u8>().addr(), at);
    assert!(poll_once(p.as_mut()).is_ready());
    assert_eq!(local.get(), 16);
}

#[test]
fn a_polled_future_is_pinned_in_place() {
    self_referential_future_stays_valid(&mut Inline::<128>::new());
    self_referential_future_stays_valid(&mut InlineOr::<128>::new());
    self_referential_future_stays_valid(&mut InlineOr::<8>::new());
    let slot = pin!(Slot::<128>::new());
    self_referential_future_stays_valid(&mut SlotRef::new(slot));
}

#[repr(align(64))]
#[derive(Debug, PartialEq)]
struct Line([u8; 64]);

#[repr(align(4096))]
#[derive(Debug, PartialEq)]
struct Page(u8);

#[test]
fn over_aligned_values() {
    let mut s = Inline::<64, A64>::new();
    let p: DynPtr<'_, dyn Debug, _> = DynPtr::new(&mut s, Line([3; 64]));
    assert_eq!(addr(&p) % 64, 0);
    let moved = Box::new(p);
    assert_eq!(addr(&moved) % 64, 0);

    let mut s = Inline::<4096, A4096>::new();
    let p: DynPtr<'_, dyn Debug, _> = DynPtr::new(&mut s, Page(9));
    assert_eq!(addr(&p) % 4096, 0);
    assert_eq!(format!("{p:?}"), "Page(9)");

    let slot = pin!(Slot::<64, A64>::new());
    let mut s = SlotRef::new(slot);
    let p: DynPtr<'_, dyn Debug, _> = DynPtr::new(&mut s, Line([4; 64]));
    assert_eq!(addr(&p) % 64, 0);
}

#[test]
fn values_that_do_not_fit_come_back() {
    let mut s = Inline::<32>::new();
    let err = DynPtr::<dyn Debug, _>::try_new(&mut s, [9u8; 33]).unwrap_err();
    assert_eq!(
        err.reason(),
        RejectReason::TooLarge {
            layout: core::alloc::Layout::new::<[u8; 33]>(),
            capacity: dynptr_core::Capacity::new(32, 16),
        }
    );
    assert_eq!(err.into_value(), [9u8; 33]);
    let err = DynPtr::<dyn Debug, _>::try_new_shared(&s, Line([1; 64])).unwrap_err();
    assert_eq!(err.into_value(), Line([1; 64]));

    let slot = pin!(Slot::<32>::new());
    let mut s = SlotRef::new(slot);
    let err = DynPtr::<dyn Debug, _>::try_new(&mut s, Line([2; 64])).unwrap_err();
    assert!(matches!(err.reason(), RejectReason::TooLarge { .. }));
    assert_eq!(err.into_value(), Line([2; 64]));
    // The slot was not touched: it takes the next value.
    let p: DynPtr<'_, dyn Debug, _> = DynPtr::new(&mut s, 1u8);
    assert_eq!(format!("{p:?}"), "1");
}

#[test]
fn a_slot_builds_every_value_in_the_same_place() {
    let slot = pin!(Slot::<64>::new());
    let slot_range = {
        let start = (&raw const *slot).addr();
        start..start + size_of::<Slot<64>>()
    };
    let mut s = SlotRef::new(slot);
    let mut at = None;
    for i in 0..5u32 {
        let fut = pin!(DynPtr::<dyn Future<Output = u32>, _>::new(
            &mut s,
            async move { i }
        ));
        let here = addr(&fut);
        assert!(slot_range.contains(&here));
        assert_eq!(*at.get_or_insert(here), here);
        let mut fut = fut;
        assert_eq!(poll_once(fut.as_mut()), Poll::Ready(i));
    }
}

#[test]
fn the_shared_path_of_a_slot_has_one_value_per_place() {
    let slot = pin!(Slot::<16, A16, 2>::new());
    let s = SlotRef::new(slot);
    let a: DynPtr<'_, dyn Debug, _> = DynPtr::new_shared(&s, 1u32);
    let b: DynPtr<'_, dyn Debug, _> = DynPtr::new_shared(&s, 2u32);
    assert_ne!(addr(&a), addr(&b));
    let c = DynPtr::<dyn Debug, _>::try_new_shared(&s, 3u32).unwrap_err();
    assert_eq!(c.reason(), RejectReason::Busy);
    assert_eq!(c.into_value(), 3);
    drop(a);
    let c: DynPtr<'_, dyn Debug, _> = DynPtr::new_shared(&s, 3u32);
    assert_eq!(format!("{b:?} {c:?}"), "2 3");
}

#[test]
#[should_panic(expected = "the strategy's storage is occupied")]
fn adapt_shared_panics_when_every_place_is_live() {
    let slot = pin!(Slot::<16>::new());
    let s = SlotRef::new(slot);
    let _a: DynPtr<'_, dyn Debug, _> = DynPtr::new_shared(&s, 1u32);
    let _b: DynPtr<'_, dyn Debug, _> = DynPtr::new_shared(&s, 2u32);
}

#[test]
fn inline_or_decides_per_type() {
    let mut s = InlineOr::<16>::new();
    let small: DynPtr<'_, dyn Debug, _> = DynPtr::new(&mut s, [1u32; 4]);
    assert!(DynPtr::into_raw(small).is_inline());
    let large: DynPtr<'_, dyn Debug, _> = DynPtr::new(&mut s, [1u32; 5]);
    assert!(!DynPtr::into_raw(large).is_inline());
    let aligned: DynPtr<'_, dyn Debug, _> = DynPtr::new(&mut s, Line([0; 64]));
    assert_eq!(addr(&aligned) % 64, 0);
    assert!(!DynPtr::into_raw(aligned).is_inline());
    let shared: DynPtr<'_, dyn Debug, _> = DynPtr::new_shared(&s, 5u8);
    assert_eq!(format!("{shared:?}"), "5");
    assert!(DynPtr::into_raw(shared).is_inline());
}

/// `release_moved`: a by-value `self` method moved the value out; the storage is
/// released without a second drop (a one-place slot can then be reused and dropped).
#[test]
fn release_after_moving_the_value_out() {
    let slot = pin!(Slot::<32>::new());
    let mut s = SlotRef::new(slot);
    let p = s.adapt::<_, String>(String::from("moved out"));
    let value = read_out(p);
    assert_eq!(value, "moved out");
    let q = s.adapt::<_, String>(String::from("again"));
    assert_eq!(read_out(q), "again");

    let mut inline = Inline::<32>::new();
    let p = inline.adapt::<_, String>(String::from("inline"));
    assert_eq!(read_out(p), "inline");

    let mut or = InlineOr::<8>::new();
    let p = or.adapt::<_, String>(String::from("boxed"));
    assert_eq!(read_out(p), "boxed");
}

fn read_out<P: OwningPtr<Target = String>>(mut p: P) -> String {
    let ptr: NonNull<String> = p.as_mut_ptr();
    // SAFETY: the pointee is initialised and owned by `p`; it is read out once and
    // `p` is released without dropping it.
    let value = unsafe { ptr.read() };
    // SAFETY: the value was moved out just above; `p` was never pinned.
    unsafe { P::release_moved(p) };
    value
}

#[test]
fn zero_sized_values_in_a_zero_sized_inline() {
    let mut s = Inline::<0>::new();
    let p: DynPtr<'_, dyn Debug, _> = DynPtr::new(&mut s, ());
    assert_eq!(format!("{p:?}"), "()");
    assert!(DynPtr::<dyn Debug, _>::try_new(&mut s, 1u8).is_err());
}
