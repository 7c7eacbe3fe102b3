//! A model test across strategies (issue 13, item 7): random sequences of operations on
//! every strategy, checked against a simple model after each step.
//!
//! Operations: store through the shared entry point (`try_new_shared`, several values
//! alive at once) or the exclusive one (`try_new`, one value at a time, which ends the
//! shared values first), values of random size (1 B to 5000 B) and alignment (1 to
//! 4096), futures that borrow their own state across an await (small and 1 KiB), a poll
//! to pending or to ready, a panic in poll or in drop under `catch_unwind`, drop,
//! `mem::forget` of a pinned future or of an unpinned value, reuse of the strategy and
//! `reset` where it has one.
//!
//! The model, checked after every step: every value is dropped exactly once or, if
//! forgotten, never (abandoned); an abandoned value's bytes never change, also after the
//! strategy is gone; live and abandoned values never overlap; a rejected value comes back
//! intact and undropped. Allocation balance is not checked here (each backend's own
//! tests count its allocations, and abandoned values leak by design).
//!
//! Natively a few hundred cases per strategy; under Miri a few fixed-seed cases, so that
//! the borrow models see every operation.

#![cfg(feature = "box")]

use core::cell::RefCell;
use core::future::Future;
use core::panic::AssertUnwindSafe;
use core::pin::Pin;
use core::task::Poll;
use std::panic::catch_unwind;

use dynptr::{impl_coerce, Boxed, DynPtr, Strategy};
use dynptr_core::testkit::{forget_reachable, poll_once, YieldOnce};
use proptest::prelude::{any, prop, prop_oneof};
use proptest::strategy::{Just, Strategy as Gen};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

// ---------------------------------------------------------------------------------------
// Values
// ---------------------------------------------------------------------------------------

std::thread_local! {
    /// Drops per value id.
    static DROPS: RefCell<Vec<u32>> = const { RefCell::new(Vec::new()) };
}

fn new_id() -> usize {
    DROPS.with(|d| {
        let mut d = d.borrow_mut();
        d.push(0);
        d.len() - 1
    })
}

fn drops(id: usize) -> u32 {
    DROPS.with(|d| d.borrow()[id])
}

/// Counts the drop of `id`, then panics if asked to.
struct Track {
    id: usize,
    panic_on_drop: bool,
}

impl Drop for Track {
    fn drop(&mut self) {
        DROPS.with(|d| d.borrow_mut()[self.id] += 1);
        if self.panic_on_drop {
            panic!("model: panic in drop");
        }
    }
}

/// What plain values show through the trait object.
trait Probe {
    fn id(&self) -> usize;
    /// Every byte still holds the value's fill pattern.
    fn intact(&self) -> bool;
}

impl_coerce!(dyn Probe);

/// The payload of a plain value: bytes of a given size and alignment.
trait Bytes: 'static {
    fn filled(fill: u8) -> Self;
    fn bytes(&self) -> &[u8];
}

macro_rules! bytes {
    ($($name:ident = $align:literal, $n:literal;)*) => {$(
        #[repr(align($align))]
        struct $name([u8; $n]);
        impl Bytes for $name {
            fn filled(fill: u8) -> Self {
                $name([fill; $n])
            }
            fn bytes(&self) -> &[u8] {
                &self.0
            }
        }
    )*};
}

bytes! {
    B1 = 1, 1;
    B24 = 8, 24;
    B100 = 1, 100;
    B1000 = 1, 1000;
    B5000 = 1, 5000;
    A64 = 64, 64;
    A4096 = 4096, 16;
}

struct Val<B> {
    bytes: B,
    fill: u8,
    track: Track,
}

impl<B: Bytes> Probe for Val<B> {
    fn id(&self) -> usize {
        self.track.id
    }
    fn intact(&self) -> bool {
        self.bytes.bytes().iter().all(|&b| b == self.fill)
    }
}

fn val<B: Bytes>(id: usize, fill: u8, panic_on_drop: bool) -> Val<B> {
    Val {
        bytes: B::filled(fill),
        fill,
        track: Track { id, panic_on_drop },
    }
}

/// Holds a `&mut` into the future's own state and writes through it on drop.
struct WriteOnDrop<'a>(&'a mut [u8; 8]);

impl Drop for WriteOnDrop<'_> {
    fn drop(&mut self) {
        self.0[0] = self.0[0].wrapping_add(1);
    }
}

/// A future that borrows its own state across one await; ready on its second poll with
/// its first byte, or panicking there.
async fn small_fut(track: Track, fill: u8, panic_in_poll: bool) -> u8 {
    let _track = track;
    let mut buf = [fill; 8];
    let guard = WriteOnDrop(&mut buf);
    YieldOnce::new().await;
    if panic_in_poll {
        panic!("model: panic in poll");
    }
    guard.0[1]
}

/// [`small_fut`], also holding 1 KiB across the await.
async fn big_fut(track: Track, fill: u8, panic_in_poll: bool) -> u8 {
    let large = [fill; 1024];
    let out = small_fut(track, fill, panic_in_poll).await;
    assert_eq!(large[1023], fill);
    out
}

/// Runs `$body` with `$f` bound to a small or a big future.
macro_rules! with_fut {
    ($big:expr, $track:expr, $fill:expr, $panic:expr, $f:ident => $body:expr) => {
        if $big {
            let $f = big_fut($track, $fill, $panic);
            $body
        } else {
            let $f = small_fut($track, $fill, $panic);
            $body
        }
    };
}

// ---------------------------------------------------------------------------------------
// Operations
// ---------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug)]
enum End {
    Drop,
    Forget,
}

#[derive(Clone, Copy, Debug)]
enum Op {
    /// A plain value through the shared entry point.
    Shared { kind: u8, fill: u8, panic_on_drop: bool },
    /// A future through the shared entry point (pinned in a box, not yet polled).
    SharedFut {
        big: bool,
        fill: u8,
        panic_on_drop: bool,
        panic_in_poll: bool,
    },
    /// Polls the live future at this index (modulo), unless it finished.
    Poll(usize),
    /// Drops the live value at this index (modulo), under `catch_unwind`.
    Drop(usize),
    /// Forgets the live value at this index (modulo): futures pinned, plain values not.
    Forget(usize),
    /// Ends every shared value, then one plain value through the exclusive entry point.
    Exclusive {
        kind: u8,
        fill: u8,
        panic_on_drop: bool,
        end: End,
    },
    /// Ends every shared value, then one future through the exclusive entry point,
    /// polled `polls` times (0 to 2), then dropped or forgotten.
    ExclusiveFut {
        big: bool,
        fill: u8,
        polls: u8,
        panic_on_drop: bool,
        panic_in_poll: bool,
        end: End,
    },
    /// Ends every shared value, then resets the strategy where it can be.
    Reset,
}

impl Op {
    fn shared(&self) -> bool {
        matches!(
            self,
            Op::Shared { .. } | Op::SharedFut { .. } | Op::Poll(_) | Op::Drop(_) | Op::Forget(_)
        )
    }
}

fn op() -> impl Gen<Value = Op> {
    let end = prop_oneof![Just(End::Drop), Just(End::Forget)];
    // A panic in drop and one in poll are exclusive: both at once abort, as in std.
    let panics = prop_oneof![
        6 => Just((false, false)),
        1 => Just((true, false)),
        1 => Just((false, true)),
    ];
    prop_oneof![
        4 => (0u8..7, any::<u8>(), prop::bool::weighted(0.1))
            .prop_map(|(kind, fill, panic_on_drop)| Op::Shared { kind, fill, panic_on_drop }),
        3 => (any::<bool>(), any::<u8>(), panics.clone()).prop_map(|(big, fill, (panic_on_drop, panic_in_poll))| {
            Op::SharedFut { big, fill, panic_on_drop, panic_in_poll }
        }),
        4 => any::<usize>().prop_map(Op::Poll),
        3 => any::<usize>().prop_map(Op::Drop),
        1 => any::<usize>().prop_map(Op::Forget),
        2 => (0u8..7, any::<u8>(), prop::bool::weighted(0.1), end.clone())
            .prop_map(|(kind, fill, panic_on_drop, end)| Op::Exclusive { kind, fill, panic_on_drop, end }),
        2 => (any::<bool>(), any::<u8>(), 0u8..3, panics, end).prop_map(
            |(big, fill, polls, (panic_on_drop, panic_in_poll), end)| Op::ExclusiveFut {
                big, fill, polls, panic_on_drop, panic_in_poll, end,
            }
        ),
        1 => Just(Op::Reset),
    ]
}

// ---------------------------------------------------------------------------------------
// The model
// ---------------------------------------------------------------------------------------

/// A forgotten plain value: where it is (stable: it was forgotten in a box) and what it
/// must still read.
struct Abandoned {
    ptr: *const u8,
    read: Reader,
    id: usize,
    size: usize,
}

/// Reads a plain value's id and whether it is intact, from its address: monomorphic in
/// its payload type, so an abandoned value is read without its (strategy-borrowing)
/// trait object type.
type Reader = fn(*const u8) -> (usize, bool);

fn read_val<B: Bytes>(p: *const u8) -> (usize, bool) {
    // SAFETY: callers pass the address of a `Val<B>` that is live or abandoned (never
    // dropped, moved, reused or freed: `OwningPtr` rule 4; a strategy that breaks the
    // rule makes this a use-after-free that Miri reports).
    let v = unsafe { &*p.cast::<Val<B>>() };
    (v.track.id, v.intact())
}

#[derive(Default)]
struct Model {
    /// How many values may be abandoned: a slot aborts the process (by design) when an
    /// exclusive call finds every place holding one, so the model stops forgetting one
    /// short of that and drops instead.
    max_abandoned: usize,
    /// Ids whose value must have been dropped exactly once.
    dropped: Vec<usize>,
    /// Ids of abandoned values of any kind: never dropped.
    forgotten: Vec<usize>,
    /// Abandoned plain values, re-read after every step.
    abandoned: Vec<Abandoned>,
    /// Address ranges of abandoned futures (pinned, so stable).
    abandoned_futs: Vec<(usize, usize)>,
}

enum Live<'s, S: Strategy + 's> {
    Plain {
        p: DynPtr<'s, dyn Probe + 's, S>,
        read: Reader,
        id: usize,
        size: usize,
    },
    Fut {
        p: Pin<Box<DynPtr<'s, dyn Future<Output = u8> + 's, S>>>,
        id: usize,
        addr: usize,
        size: usize,
        polls: u8,
        done: bool,
    },
}

impl<'s, S: Strategy + 's> Live<'s, S> {
    fn id(&self) -> usize {
        match self {
            Live::Plain { id, .. } | Live::Fut { id, .. } => *id,
        }
    }
}

impl Model {
    fn check<S: Strategy>(&self, live: &[Live<'_, S>], step: &str) {
        for &id in &self.dropped {
            assert_eq!(drops(id), 1, "{step}: value {id} not dropped exactly once");
        }
        for &id in &self.forgotten {
            assert_eq!(drops(id), 0, "{step}: abandoned value {id} was dropped");
        }
        let mut ranges: Vec<(usize, usize, usize)> = Vec::new();
        for a in &self.abandoned {
            let (id, intact) = (a.read)(a.ptr);
            assert_eq!(id, a.id, "{step}: abandoned value {} was overwritten", a.id);
            assert!(intact, "{step}: abandoned value {} was overwritten", a.id);
            ranges.push((a.ptr as usize, a.size, a.id));
        }
        for &(addr, size) in &self.abandoned_futs {
            ranges.push((addr, size, usize::MAX));
        }
        for l in live {
            match l {
                Live::Plain { p, id, size, .. } => {
                    assert_eq!(drops(*id), 0, "{step}: live value {id} was dropped");
                    assert_eq!(p.id(), *id, "{step}: live value {id} reads another value");
                    assert!(p.intact(), "{step}: live value {id} was overwritten");
                    ranges.push((DynPtr::as_ptr(p) as *const u8 as usize, *size, *id));
                }
                Live::Fut {
                    id, addr, size, done, ..
                } => {
                    assert_eq!(drops(*id), u32::from(*done), "{step}: future {id}'s state");
                    ranges.push((*addr, *size, *id));
                }
            }
        }
        ranges.retain(|&(_, size, _)| size > 0);
        ranges.sort_unstable();
        for w in ranges.windows(2) {
            let ((a, size_a, id_a), (b, _, id_b)) = (w[0], w[1]);
            assert!(a + size_a <= b, "{step}: values {id_a} and {id_b} overlap");
        }
    }

    /// Drops `l` under `catch_unwind` (its drop may panic, by design).
    fn drop_live<S: Strategy>(&mut self, l: Live<'_, S>) {
        let id = l.id();
        let _ = catch_unwind(AssertUnwindSafe(move || drop(l)));
        self.dropped.push(id);
    }

    fn forget_live<S: Strategy>(&mut self, l: Live<'_, S>) {
        if self.abandoned.len() + self.abandoned_futs.len() >= self.max_abandoned {
            return self.drop_live(l);
        }
        match l {
            Live::Plain { p, read, id, size } => {
                let boxed = Box::new(p);
                let ptr = DynPtr::as_ptr(&*boxed) as *const u8;
                // The value lives on in the box (an inline strategy's value moved there
                // with its pointer): its address is stable from now on.
                forget_reachable(boxed);
                self.forgotten.push(id);
                self.abandoned.push(Abandoned { ptr, read, id, size });
            }
            Live::Fut {
                p,
                id,
                addr,
                size,
                done,
                ..
            } => {
                forget_reachable(p);
                if done {
                    // Its state was dropped when it finished (or panicked).
                    self.dropped.push(id);
                } else {
                    self.forgotten.push(id);
                }
                self.abandoned_futs.push((addr, size));
            }
        }
    }

    /// Polls a future once; a panic in poll finishes it (its state is dropped by the
    /// unwind).
    fn poll<S: Strategy>(l: &mut Live<'_, S>) {
        if let Live::Fut {
            p, polls, done, id, ..
        } = l
        {
            if *done {
                return;
            }
            let r = catch_unwind(AssertUnwindSafe(|| poll_once(p.as_mut())));
            *polls += 1;
            match r {
                Ok(Poll::Pending) => assert_eq!(*polls, 1, "future {id}: pending twice"),
                Ok(Poll::Ready(_)) => {
                    assert_eq!(*polls, 2, "future {id}: ready too soon");
                    *done = true;
                }
                Err(_) => *done = true,
            }
        }
    }
}

/// Runs `$body` with `$t` naming the payload type of kind `$kind` (modulo 7).
macro_rules! with_kind {
    ($kind:expr, $t:ident => $body:expr) => {
        with_kind!(@arms $kind, $t, $body, [0 B1, 1 B24, 2 B100, 3 B1000, 4 B5000, 5 A64], A4096)
    };
    (@arms $kind:expr, $t:ident, $body:expr, [$($n:literal $ty:ident),*], $last:ident) => {
        match $kind % 7 {
            $($n => {
                type $t = $ty;
                $body
            })*
            _ => {
                type $t = $last;
                $body
            }
        }
    };
}

fn given_back<T: Probe>(v: T, id: usize, model: &mut Model) {
    assert_eq!(drops(id), 0, "a rejected value was dropped");
    assert!(v.intact() && v.id() == id, "a rejected value came back changed");
    let _ = catch_unwind(AssertUnwindSafe(move || drop(v)));
    model.dropped.push(id);
}

fn shared_plain<'s, S: Strategy + 's, B: Bytes>(
    s: &'s S,
    fill: u8,
    panic_on_drop: bool,
    model: &mut Model,
) -> Option<Live<'s, S>> {
    let id = new_id();
    match DynPtr::<dyn Probe + 's, S>::try_new_shared(s, val::<B>(id, fill, panic_on_drop)) {
        Ok(p) => Some(Live::Plain {
            p,
            read: read_val::<B>,
            id,
            size: size_of::<Val<B>>(),
        }),
        Err(rejected) => {
            given_back(rejected.into_value(), id, model);
            None
        }
    }
}

fn exclusive_plain<S: Strategy, B: Bytes>(
    s: &mut S,
    fill: u8,
    panic_on_drop: bool,
    end: End,
    model: &mut Model,
) {
    let id = new_id();
    match DynPtr::<dyn Probe + '_, S>::try_new(s, val::<B>(id, fill, panic_on_drop)) {
        Ok(p) => {
            let l = Live::Plain {
                p,
                read: read_val::<B>,
                id,
                size: size_of::<Val<B>>(),
            };
            model.check(core::slice::from_ref(&l), "exclusive store");
            match end {
                End::Drop => model.drop_live(l),
                End::Forget => model.forget_live(l),
            }
        }
        Err(rejected) => given_back(rejected.into_value(), id, model),
    }
}

fn pin_fut<'s, S: Strategy + 's>(p: DynPtr<'s, dyn Future<Output = u8> + 's, S>, id: usize) -> Live<'s, S> {
    let p = Box::pin(p);
    // Read before the first poll: no borrow of itself exists yet.
    let ptr = DynPtr::as_ptr(&*p);
    // SAFETY: `ptr` points to the pinned, initialised future; `layout_of` creates no
    // reference that could disturb its later self-borrows.
    let size = unsafe { dynptr::layout_of(core::ptr::NonNull::new(ptr.cast_mut()).unwrap()) }.size();
    Live::Fut {
        p,
        id,
        addr: ptr as *const u8 as usize,
        size,
        polls: 0,
        done: false,
    }
}

/// Runs `ops` on one strategy and checks the model after every step.
fn run<S: Strategy>(mut strategy: S, reset: Option<fn(&mut S)>, places: Option<usize>, ops: &[Op]) {
    let mut model = Model {
        max_abandoned: places.map_or(usize::MAX, |k| k - 1),
        ..Model::default()
    };
    let mut i = 0;
    while i < ops.len() {
        {
            let s = &strategy;
            let mut live: Vec<Live<'_, S>> = Vec::new();
            while i < ops.len() && ops[i].shared() {
                match ops[i] {
                    Op::Shared {
                        kind,
                        fill,
                        panic_on_drop,
                    } => {
                        if let Some(l) =
                            with_kind!(kind, B => shared_plain::<S, B>(s, fill, panic_on_drop, &mut model))
                        {
                            live.push(l);
                        }
                    }
                    Op::SharedFut {
                        big,
                        fill,
                        panic_on_drop,
                        panic_in_poll,
                    } => {
                        let id = new_id();
                        let track = Track { id, panic_on_drop };
                        with_fut!(big, track, fill, panic_in_poll, f => {
                        match DynPtr::<dyn Future<Output = u8> + '_, S>::try_new_shared(s, f) {
                            Ok(p) => live.push(pin_fut(p, id)),
                            Err(rejected) => {
                                let f = rejected.into_value();
                                assert_eq!(drops(id), 0, "a rejected future was dropped");
                                let _ = catch_unwind(AssertUnwindSafe(move || drop(f)));
                                model.dropped.push(id);
                            }
                        }
                        })
                    }
                    Op::Poll(n) if !live.is_empty() => {
                        let k = n % live.len();
                        Model::poll(&mut live[k]);
                    }
                    Op::Drop(n) if !live.is_empty() => {
                        let l = live.swap_remove(n % live.len());
                        model.drop_live(l);
                    }
                    Op::Forget(n) if !live.is_empty() => {
                        let l = live.swap_remove(n % live.len());
                        model.forget_live(l);
                    }
                    _ => {}
                }
                model.check(&live, &format!("step {i} ({:?})", ops[i]));
                i += 1;
            }
            for l in live.drain(..) {
                model.drop_live(l);
            }
            model.check::<S>(&[], "end of the shared values");
        }
        if i < ops.len() {
            match ops[i] {
                Op::Exclusive {
                    kind,
                    fill,
                    panic_on_drop,
                    end,
                } => {
                    with_kind!(kind, B => exclusive_plain::<S, B>(&mut strategy, fill, panic_on_drop, end, &mut model))
                }
                Op::ExclusiveFut {
                    big,
                    fill,
                    polls,
                    panic_on_drop,
                    panic_in_poll,
                    end,
                } => {
                    let id = new_id();
                    let track = Track { id, panic_on_drop };
                    with_fut!(big, track, fill, panic_in_poll, f => {
                    match DynPtr::<dyn Future<Output = u8> + '_, S>::try_new(&mut strategy, f) {
                        Ok(p) => {
                            let mut l = pin_fut(p, id);
                            for _ in 0..polls {
                                Model::poll(&mut l);
                            }
                            model.check(core::slice::from_ref(&l), "exclusive future");
                            match end {
                                End::Drop => model.drop_live(l),
                                End::Forget => model.forget_live(l),
                            }
                        }
                        Err(rejected) => {
                            let f = rejected.into_value();
                            let _ = catch_unwind(AssertUnwindSafe(move || drop(f)));
                            model.dropped.push(id);
                        }
                    }
                    })
                }
                Op::Reset => {
                    if let Some(reset) = reset {
                        reset(&mut strategy);
                    }
                }
                _ => unreachable!("shared operations are handled above"),
            }
            model.check::<S>(&[], &format!("step {i} ({:?})", ops[i]));
            i += 1;
        }
    }
    let abandoned = !model.abandoned.is_empty() || !model.abandoned_futs.is_empty();
    if places.is_some() && abandoned {
        forget_reachable(strategy);
    } else {
        drop(strategy);
    }
    // Abandoned values outlive their strategy.
    model.check::<S>(&[], "after the strategy is gone");
}

/// The model's own panics (in drop, in poll) are expected by the thousand: only other
/// panics reach the default hook.
fn quiet_intended_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let intended = info
                .payload()
                .downcast_ref::<&str>()
                .is_some_and(|m| m.starts_with("model: panic in"));
            if !intended {
                default(info);
            }
        }));
    });
}

fn cases() -> u32 {
    if cfg!(miri) {
        3
    } else {
        2000
    }
}

/// Runs the model on strategies from `make`; `places` is `Some(k)` for a strategy with
/// `k` places that aborts when dropped holding an abandoned value (a stack slot).
fn model<S: Strategy>(make: impl Fn() -> S, reset: Option<fn(&mut S)>, places: Option<usize>) {
    quiet_intended_panics();
    let config = Config {
        cases: cases(),
        failure_persistence: None,
        ..Config::default()
    };
    let len = if cfg!(miri) { 12 } else { 40 };
    // Under Miri the seed is fixed: the run is reproducible and needs no OS randomness.
    let mut runner = if cfg!(miri) {
        TestRunner::new_with_rng(config, TestRng::deterministic_rng(RngAlgorithm::ChaCha))
    } else {
        TestRunner::new(config)
    };
    let result = runner.run(&prop::collection::vec(op(), 1..len), |ops| {
        run(make(), reset, places, &ops);
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}

#[test]
fn boxed() {
    model(Boxed::new, None, None);
}

#[test]
fn inline() {
    model(dynptr_stack::Inline::<256>::new, None, None);
}

#[test]
fn inline_or_boxed() {
    model(dynptr_stack::InlineOr::<64>::new, None, None);
}

#[test]
fn slot() {
    use dynptr_stack::{align::A64, Slot, SlotRef};
    model(
        || {
            let slot = Box::into_raw(Box::new(Slot::<1200, A64, 3>::new()));
            // Keeps the slot reachable for Miri's leak checker: it is leaked when it holds
            // an abandoned value (a slot aborts rather than be dropped then).
            forget_reachable(slot);
            // SAFETY: `slot` is a fresh, leaked allocation: valid forever, and only this
            // strategy uses it.
            let slot: &'static mut Slot<1200, A64, 3> = unsafe { &mut *slot };
            // SAFETY: the slot is never moved: it is leaked and reached only through this
            // reference.
            SlotRef::new(unsafe { Pin::new_unchecked(slot) })
        },
        None,
        Some(3),
    );
}

#[test]
fn bumped() {
    model(
        dynptr_bump::Bumped::new,
        Some(|b| {
            let _ = b.reset();
        }),
        None,
    );
}

#[test]
fn bumped_shared() {
    // `&Bumped` is a strategy too: several dyn values sharing one arena.
    model(
        || -> &'static dynptr_bump::Bumped {
            let arena = Box::into_raw(Box::new(dynptr_bump::Bumped::new()));
            forget_reachable(arena);
            // SAFETY: a fresh, leaked allocation, valid forever and only read through `&`.
            unsafe { &*arena }
        },
        None,
        None,
    );
}

#[test]
fn cached() {
    model(dynptr_cache::Cached::new, None, None);
}
