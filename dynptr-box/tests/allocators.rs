//! `Boxed<A>` with allocators of its own: a counting allocator that checks every
//! deallocation against the block it frees, a fixed static buffer as a kernel would bring
//! (with proof that the global allocator is never touched), out of memory giving the value
//! back, abandon-on-forget (DESIGN.md rule 1), a panic in the user's drop, and the auto
//! traits.
//!
//! Blocks that a test abandons on purpose (rule 1) stay reachable from a `static` (the
//! counting allocator's table of live blocks holds their pointers), so Miri's leak checker
//! accepts them without `-Zmiri-ignore-leaks`.

use core::alloc::Layout;
use core::any::Any;
use core::cell::RefCell;
use core::fmt::Debug;
use core::future::Future;
use core::marker::PhantomData;
use core::panic::AssertUnwindSafe;
use core::pin::pin;
use core::ptr::NonNull;
use core::sync::atomic::{AtomicUsize, Ordering};
use core::task::{Context, Waker};

use allocator_api2::boxed::Box as AllocBox;
use dynptr_box::{AllocError, Allocator, Boxed, Global};
use dynptr_core::testkit::{block_on, thread_allocations, CountingAllocator, FixedBuf, HeapStats, YieldOnce};
use dynptr_core::{DynPtr, RejectReason, Strategy, ThreadSafePointers};
use static_assertions::{assert_impl_all, assert_not_impl_any, const_assert_eq};
use tokio::sync::Notify;

/// Loop counts: small under Miri, which is slow.
const N: usize = if cfg!(miri) { 10 } else { 1000 };

// Global allocations are counted per thread by the testkit's allocator.
#[global_allocator]
static GLOBAL: dynptr_core::testkit::CountingGlobalAllocator = dynptr_core::testkit::CountingGlobalAllocator;

// ---------------------------------------------------------------------------------------
// A counting allocator that checks every deallocation: the kit's.
// ---------------------------------------------------------------------------------------

/// Wraps `Global`, counts, and keeps a table of live blocks: a deallocation that does
/// not match a live block exactly is counted as an error and not forwarded; every test
/// asserts `errors() == 0`. Used as `&'static Counting`, one per test.
type Counting = CountingAllocator;

/// Stores `value` as `dyn Any` through `counter` and checks one allocation with `T`'s
/// layout at a `T`-aligned address, then one deallocation of that same block on drop.
fn adapt_then_drop<T: Any + Clone + PartialEq + Debug>(counter: &'static Counting, value: T) {
    let mut strategy = Boxed::new_in(counter);
    let (allocs, deallocs) = (counter.allocs(), counter.deallocs());

    let p: DynPtr<'_, dyn Any, _> = DynPtr::new(&mut strategy, value.clone());
    let addr = DynPtr::as_ptr(&p).cast::<u8>().addr();
    assert_eq!(
        addr % align_of::<T>(),
        0,
        "pointee not aligned to {}",
        align_of::<T>()
    );
    assert_eq!(counter.allocs(), allocs + 1, "one adapt, one allocation");
    assert_eq!(counter.deallocs(), deallocs);
    assert_eq!(counter.last_layout(), Some(Layout::new::<T>()));
    assert!(
        counter.is_live(addr),
        "the pointee is the start of the allocated block"
    );
    assert_eq!(p.downcast_ref::<T>(), Some(&value));

    drop(p);
    assert_eq!(counter.allocs(), allocs + 1);
    assert_eq!(counter.deallocs(), deallocs + 1, "one drop, one deallocation");
    assert!(!counter.is_live(addr));
    assert_eq!(counter.live_blocks(), 0);
    assert_eq!(counter.errors(), 0, "a deallocation did not match its allocation");
}

#[test]
fn counting_allocator_catches_a_wrong_layout() {
    // The checker itself: a deallocation with another layout or of an unknown pointer is
    // an error (and is not forwarded to `Global`).
    static COUNTER: Counting = Counting::new();
    let layout = Layout::new::<[u64; 2]>();
    let block = COUNTER.allocate(layout).expect("allocation failed").cast::<u8>();
    assert_eq!(COUNTER.live_blocks(), 1);

    // SAFETY: `block` came from `COUNTER`; with a wrong layout `Counting` records an error
    // and keeps the block instead of forwarding the call.
    unsafe { COUNTER.deallocate(block, Layout::new::<[u64; 4]>()) };
    assert_eq!(COUNTER.errors(), 1);
    assert_eq!(COUNTER.live_blocks(), 1);

    // SAFETY: `block` was allocated by `COUNTER` with `layout` and is still live.
    unsafe { COUNTER.deallocate(block, layout) };
    assert_eq!(COUNTER.errors(), 1);
    assert_eq!(COUNTER.live_blocks(), 0);

    // SAFETY: a double free; `Counting` does not find it in its table and only records it.
    unsafe { COUNTER.deallocate(block, layout) };
    assert_eq!(COUNTER.errors(), 2);
    assert_eq!((COUNTER.allocs(), COUNTER.deallocs()), (1, 3));
}

#[test]
fn each_adapt_allocates_once_and_each_drop_frees_that_block() {
    static COUNTER: Counting = Counting::new();
    for i in 0..N {
        let byte = i as u8;
        adapt_then_drop(&COUNTER, [byte; 1]);
        adapt_then_drop(&COUNTER, [byte; 24]);
        adapt_then_drop(&COUNTER, [byte; 1000]);
    }
    assert_eq!(COUNTER.allocs(), 3 * N);
    assert_eq!(COUNTER.deallocs(), 3 * N);
    assert_eq!(COUNTER.errors(), 0);
}

#[repr(align(16))]
#[derive(Clone, Copy, Debug, PartialEq)]
struct Align16([u8; 3]);

#[repr(align(64))]
#[derive(Clone, Copy, Debug, PartialEq)]
struct Align64([u8; 3]);

#[repr(align(4096))]
#[derive(Clone, Copy, Debug, PartialEq)]
struct Align4096([u8; 3]);

#[test]
fn over_aligned_values_get_blocks_with_their_alignment() {
    static COUNTER: Counting = Counting::new();
    let rounds = if cfg!(miri) { 3 } else { 100 };
    for i in 0..rounds {
        let byte = i as u8;
        adapt_then_drop(&COUNTER, Align16([byte, 1, 2]));
        adapt_then_drop(&COUNTER, Align64([byte, 3, 4]));
        adapt_then_drop(&COUNTER, Align4096([byte, 5, 6]));
    }
    assert_eq!(COUNTER.allocs(), 3 * rounds);
    assert_eq!(COUNTER.deallocs(), 3 * rounds);
    assert_eq!(COUNTER.errors(), 0);
}

const_assert_eq!(align_of::<Align16>(), 16);
const_assert_eq!(align_of::<Align64>(), 64);
const_assert_eq!(align_of::<Align4096>(), 4096);

#[repr(align(4096))]
#[derive(Clone, Copy, Debug, PartialEq)]
struct ZeroSizedAligned;

/// Zero-sized, with a drop that counts: the drop must run even though no memory was used.
struct ZeroSizedDrop(PhantomData<()>);

static ZST_DROPS: AtomicUsize = AtomicUsize::new(0);

impl Drop for ZeroSizedDrop {
    fn drop(&mut self) {
        ZST_DROPS.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn zero_sized_values_never_reach_the_allocator() {
    static COUNTER: Counting = Counting::new();
    let mut strategy = Boxed::new_in(&COUNTER);
    for i in 0..N {
        let unit: DynPtr<'_, dyn Debug, _> = DynPtr::new(&mut strategy, ());
        assert_eq!(format!("{unit:?}"), "()");
        drop(unit);

        let aligned: DynPtr<'_, dyn Any, _> = DynPtr::new(&mut strategy, ZeroSizedAligned);
        assert_eq!(DynPtr::as_ptr(&aligned).cast::<u8>().addr() % 4096, 0);
        assert_eq!(
            aligned.downcast_ref::<ZeroSizedAligned>(),
            Some(&ZeroSizedAligned)
        );
        drop(aligned);

        let dropper: DynPtr<'_, dyn Any, _> = DynPtr::new(&mut strategy, ZeroSizedDrop(PhantomData));
        assert_eq!(ZST_DROPS.load(Ordering::SeqCst), i);
        drop(dropper);
        assert_eq!(
            ZST_DROPS.load(Ordering::SeqCst),
            i + 1,
            "a zero-sized value is dropped once"
        );
    }
    assert_eq!(COUNTER.allocs(), 0, "a zero-sized value reached `allocate`");
    assert_eq!(COUNTER.deallocs(), 0, "a zero-sized value reached `deallocate`");
    assert_eq!(COUNTER.errors(), 0);
}

// ---------------------------------------------------------------------------------------
// A fixed buffer, as a kernel would bring: the kit's `FixedBuf`.
// ---------------------------------------------------------------------------------------

/// The buffer's size: small, so that running out is easy to reach.
type Fixed = FixedBuf<4096>;

#[test]
fn a_fixed_buffer_allocator_never_touches_the_global_heap() {
    // Control: the counter sees the global allocator, and `Boxed<Global>` uses it once.
    let before = thread_allocations();
    let mut global = Boxed::new();
    let boxed: DynPtr<'_, dyn Future<Output = usize>, Boxed> = DynPtr::new(&mut global, async { 1 });
    let boxed = core::hint::black_box(boxed);
    assert_eq!(
        thread_allocations(),
        before + 1,
        "the per-thread counter misses allocations"
    );
    assert_eq!(block_on(boxed), 1);

    static FIXED: Fixed = Fixed::new();
    // Each round frees its block before the next: the buffer takes it back.
    let rounds = if cfg!(miri) { 10 } else { 100 };

    let before = thread_allocations();
    let total = block_on(async {
        let mut strategy = Boxed::new_in(&FIXED);
        let mut total = 0;
        for i in 0..rounds {
            let fut: DynPtr<'_, dyn Future<Output = usize>, _> = DynPtr::try_new(&mut strategy, async move {
                YieldOnce::default().await;
                i * 2
            })
            .expect("the fixed buffer is exhausted");
            assert!(FIXED.contains(DynPtr::as_ptr(&fut).cast::<u8>()));
            total += fut.await;
        }
        total
    });
    let after = thread_allocations();

    assert_eq!(
        after, before,
        "the fixed-buffer path allocated in the global heap"
    );
    assert_eq!(total, rounds * (rounds - 1));
    let HeapStats {
        allocs,
        deallocs,
        failures,
        live,
        errors,
        ..
    } = FIXED.stats();
    assert_eq!(
        (allocs, deallocs, failures, live, errors),
        (rounds, rounds, 0, 0, 0)
    );
}

/// A value with recognisable contents and a drop counter.
struct Payload<const LEN: usize> {
    bytes: [u8; LEN],
    id: u32,
    drops: &'static AtomicUsize,
}

impl<const LEN: usize> Drop for Payload<LEN> {
    fn drop(&mut self) {
        self.drops.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn out_of_memory_gives_the_value_back_intact() {
    static FIXED: Fixed = Fixed::new();
    static DROPS: AtomicUsize = AtomicUsize::new(0);
    let mut strategy = Boxed::new_in(&FIXED);

    // Larger than the whole buffer.
    let value = Payload {
        bytes: [0xA5; 5000],
        id: 1,
        drops: &DROPS,
    };
    let rejected = match strategy.try_adapt::<_, dyn Any>(value) {
        Ok(_) => panic!("5000 bytes fit in a 4096-byte buffer"),
        Err(rejected) => rejected,
    };
    assert_eq!(
        rejected.reason(),
        RejectReason::OutOfMemory {
            layout: Layout::new::<Payload<5000>>()
        }
    );
    assert_eq!(
        DROPS.load(Ordering::SeqCst),
        0,
        "the strategy dropped a rejected value"
    );
    let value = rejected.into_value();
    assert_eq!((value.bytes, value.id), ([0xA5; 5000], 1));
    assert_eq!(DROPS.load(Ordering::SeqCst), 0);
    drop(value);
    assert_eq!(DROPS.load(Ordering::SeqCst), 1);

    // Fits an empty buffer, but not what is left of it.
    let filler = match strategy.try_adapt::<_, dyn Any>([7u8; 3000]) {
        Ok(filler) => DynPtr::<'_, dyn Any, Boxed<&Fixed>>::from_raw(filler),
        Err(rejected) => panic!("{rejected}"),
    };
    let value = Payload {
        bytes: [0x5A; 2000],
        id: 2,
        drops: &DROPS,
    };
    let rejected = match strategy.try_adapt::<_, dyn Any>(value) {
        Ok(_) => panic!("3000 + 2000 bytes fit in a 4096-byte buffer"),
        Err(rejected) => rejected,
    };
    assert_eq!(
        rejected.reason(),
        RejectReason::OutOfMemory {
            layout: Layout::new::<Payload<2000>>()
        }
    );
    assert_eq!(
        DROPS.load(Ordering::SeqCst),
        1,
        "the strategy dropped a rejected value"
    );
    let value = rejected.into_value();
    assert_eq!((value.bytes, value.id), ([0x5A; 2000], 2));
    drop(value);
    assert_eq!(DROPS.load(Ordering::SeqCst), 2);

    // The value already stored is untouched.
    assert_eq!(filler.downcast_ref::<[u8; 3000]>(), Some(&[7u8; 3000]));
    drop(filler);
    let stats = FIXED.stats();
    assert_eq!((stats.allocs, stats.deallocs, stats.failures), (1, 1, 2));
    assert_eq!((stats.live, stats.errors), (0, 0));
}

// ---------------------------------------------------------------------------------------
// Abandon on forget (DESIGN.md rule 1).
// ---------------------------------------------------------------------------------------

#[test]
fn forgotten_pinned_future_in_an_intrusive_list_is_abandoned() {
    static NOTIFY: Notify = Notify::const_new();
    static COUNTER: Counting = Counting::new();
    let mut strategy = Boxed::new_in(&COUNTER);
    let mut cx = Context::from_waker(Waker::noop());

    // A future whose state holds an intrusive list node linked into `NOTIFY`.
    let first: DynPtr<'_, dyn Future<Output = ()>, _> =
        DynPtr::new(&mut strategy, async { NOTIFY.notified().await });
    let first_addr = DynPtr::as_ptr(&first).cast::<u8>().addr();
    // The pinning box comes from `COUNTER` too, so it stays recorded (and reachable).
    let mut first = AllocBox::pin_in(first, &COUNTER);
    assert!(
        first.as_mut().poll(&mut cx).is_pending(),
        "the node is now linked into NOTIFY"
    );
    assert_eq!((COUNTER.allocs(), COUNTER.live_blocks()), (2, 2));
    core::mem::forget(first);
    assert_eq!(COUNTER.deallocs(), 0);

    // The strategy is used again: a fresh block, the abandoned one untouched.
    let second_addr = {
        let second: DynPtr<'_, dyn Future<Output = ()>, _> =
            DynPtr::new(&mut strategy, async { NOTIFY.notified().await });
        let second_addr = DynPtr::as_ptr(&second).cast::<u8>().addr();
        assert_ne!(second_addr, first_addr, "the abandoned block was reused");
        let mut second = pin!(second);
        assert!(second.as_mut().poll(&mut cx).is_pending());

        // Walks the waiter list, writing to the abandoned node: its memory must still be
        // valid (Miri reports a use-after-free otherwise).
        NOTIFY.notify_waiters();
        assert!(second.as_mut().poll(&mut cx).is_ready());
        second_addr
    }; // `second` is dropped here.

    assert_eq!((COUNTER.allocs(), COUNTER.deallocs()), (3, 1));
    assert!(COUNTER.is_live(first_addr), "the abandoned block was deallocated");
    assert!(!COUNTER.is_live(second_addr));
    assert_eq!(COUNTER.live_blocks(), 2);
    assert_eq!(COUNTER.errors(), 0);
}

#[test]
fn forgotten_future_borrowing_a_dead_local_is_never_dropped() {
    static COUNTER: Counting = Counting::new();
    let mut strategy = Boxed::new_in(&COUNTER);
    let mut cx = Context::from_waker(Waker::noop());

    let abandoned_addr;
    {
        let cell = RefCell::new(0u32);
        #[expect(
            clippy::await_holding_refcell_ref,
            reason = "the point of the test: a borrow held while pending"
        )]
        let holds_refmut = async {
            let mut guard = cell.borrow_mut();
            *guard += 1;
            YieldOnce::default().await;
            *guard += 1;
        };
        let fut: DynPtr<'_, dyn Future<Output = ()> + '_, _> = DynPtr::new(&mut strategy, holds_refmut);
        abandoned_addr = DynPtr::as_ptr(&fut).cast::<u8>().addr();
        let mut fut = AllocBox::pin_in(fut, &COUNTER);
        assert!(fut.as_mut().poll(&mut cx).is_pending());
        assert!(cell.try_borrow().is_err(), "the future holds the RefMut");
        core::mem::forget(fut);
        assert!(cell.try_borrow().is_err(), "the forgotten future's drop ran");
    } // `cell` dies here, while the abandoned future still holds a `RefMut` of it.

    // Using the strategy again must not touch the abandoned future (Miri would report a
    // use-after-free of `cell`).
    for i in 0..N {
        let fut: DynPtr<'_, dyn Future<Output = usize>, _> = DynPtr::new(&mut strategy, async move {
            YieldOnce::default().await;
            i
        });
        assert_ne!(DynPtr::as_ptr(&fut).cast::<u8>().addr(), abandoned_addr);
        assert_eq!(block_on(fut), i);
    }

    assert_eq!((COUNTER.allocs(), COUNTER.deallocs()), (2 + N, N));
    assert!(
        COUNTER.is_live(abandoned_addr),
        "the abandoned block was deallocated"
    );
    assert_eq!(COUNTER.live_blocks(), 2);
    assert_eq!(COUNTER.errors(), 0);
}

// ---------------------------------------------------------------------------------------
// A panic in the user's drop (DESIGN.md rule 4).
// ---------------------------------------------------------------------------------------

struct PanicOnDrop {
    drops: &'static AtomicUsize,
    _bytes: [u8; 32],
}

impl Debug for PanicOnDrop {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("PanicOnDrop")
    }
}

impl Drop for PanicOnDrop {
    fn drop(&mut self) {
        self.drops.fetch_add(1, Ordering::SeqCst);
        panic!("panic in the user's drop");
    }
}

#[test]
fn a_panic_in_drop_still_deallocates_once() {
    static COUNTER: Counting = Counting::new();
    static DROPS: AtomicUsize = AtomicUsize::new(0);
    let mut strategy = Boxed::new_in(&COUNTER);
    let rounds = if cfg!(miri) { 3 } else { 100 };

    for i in 0..rounds {
        let p: DynPtr<'_, dyn Debug, _> = DynPtr::new(
            &mut strategy,
            PanicOnDrop {
                drops: &DROPS,
                _bytes: [0; 32],
            },
        );
        assert_eq!(format!("{p:?}"), "PanicOnDrop");
        assert_eq!((COUNTER.allocs(), COUNTER.deallocs()), (i + 1, i));

        let result = std::panic::catch_unwind(AssertUnwindSafe(move || drop(p)));
        let payload = result.expect_err("the drop's panic was not propagated");
        assert_eq!(payload.downcast_ref::<&str>(), Some(&"panic in the user's drop"));
        assert_eq!(
            DROPS.load(Ordering::SeqCst),
            i + 1,
            "the value was not dropped exactly once"
        );
        assert_eq!(
            COUNTER.deallocs(),
            i + 1,
            "the block was not deallocated after the panic"
        );
        assert_eq!(COUNTER.live_blocks(), 0);
    }

    // The strategy still works.
    let p: DynPtr<'_, dyn Any, _> = DynPtr::new(&mut strategy, 42u64);
    assert_eq!(p.downcast_ref::<u64>(), Some(&42));
    drop(p);
    assert_eq!((COUNTER.allocs(), COUNTER.deallocs()), (rounds + 1, rounds + 1));
    assert_eq!(COUNTER.errors(), 0);
}

// ---------------------------------------------------------------------------------------
// Auto traits (DESIGN.md rule 6).
// ---------------------------------------------------------------------------------------

/// An allocator that is neither `Send` nor `Sync` (so `Boxed` over it is not `ThreadSafePointers`).
#[derive(Clone)]
struct ThreadLocalOnly(PhantomData<*const ()>);

// SAFETY: forwards to `Global` unchanged.
unsafe impl Allocator for ThreadLocalOnly {
    fn allocate(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        Global.allocate(layout)
    }

    unsafe fn deallocate(&self, ptr: NonNull<u8>, layout: Layout) {
        // SAFETY: forwarded: the caller got `ptr` from `allocate` (so from `Global`)
        // with `layout`.
        unsafe { Global.deallocate(ptr, layout) }
    }
}

assert_impl_all!(Boxed: ThreadSafePointers, Send, Sync);
assert_impl_all!(Boxed<&'static Counting>: ThreadSafePointers);
assert_impl_all!(Boxed<&'static Fixed>: ThreadSafePointers);
assert_not_impl_any!(Boxed<ThreadLocalOnly>: ThreadSafePointers);

assert_impl_all!(DynPtr<'static, dyn Future<Output = u8> + Send, Boxed>: Send);
assert_not_impl_any!(DynPtr<'static, dyn Future<Output = u8>, Boxed>: Send, Sync);
assert_not_impl_any!(DynPtr<'static, dyn Future<Output = u8> + Send, Boxed>: Sync);
assert_impl_all!(DynPtr<'static, dyn Debug + Send + Sync, Boxed>: Send, Sync);
assert_not_impl_any!(DynPtr<'static, dyn Debug + Send + Sync, Boxed<ThreadLocalOnly>>: Send, Sync);

assert_not_impl_any!(DynPtr<'static, dyn Future<Output = u8>, Boxed>: Unpin);
assert_not_impl_any!(DynPtr<'static, dyn Future<Output = u8> + Send, Boxed>: Unpin);
assert_impl_all!(DynPtr<'static, u8, Boxed>: Unpin, Send, Sync);

#[test]
fn a_thread_local_allocator_works_on_its_thread() {
    let mut strategy = Boxed::new_in(ThreadLocalOnly(PhantomData));
    let before = thread_allocations();
    let p: DynPtr<'_, dyn Debug, _> = DynPtr::new(&mut strategy, [1u16, 2, 3]);
    assert_eq!(thread_allocations(), before + 1);
    assert_eq!(format!("{p:?}"), "[1, 2, 3]");
}
