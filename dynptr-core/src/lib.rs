//! The core of [dynptr](https://docs.rs/dynptr): the [`Strategy`] trait, the
//! owning-pointer contract ([`OwningPtr`]), the unsizing witness ([`CoerceFrom`]), the
//! pointer callers see ([`DynPtr`]) and, behind the `testkit` feature, the conformance
//! kit every strategy must pass.
//!
//! `#![no_std]`, no `alloc`: this crate is usable on a target with no allocator at all.
//! Most users depend on the `dynptr` facade instead; depend on `dynptr-core` directly to
//! write a strategy of your own.
//!
//! # The problem
//!
//! A trait with `async fn` or `-> impl Trait` is not dyn-compatible: the callee knows
//! the concrete type of the value it returns, the caller does not. Somebody has to turn
//! "a value of a type only the callee knows" into "some kind of pointer to
//! `dyn Trait`". dynptr makes that *some kind of pointer* a [`Strategy`], picked where a
//! dyn value is created and used by the callee's vtable shim:
//!
//! ```
//! use core::future::Future;
//! use dynptr_core::{DynPtr, Strategy};
//!
//! // The callee side (what `#[dyn_trait]` generates as a shim): it knows the future's
//! // type and hands it to the strategy.
//! fn next<'s, S: Strategy>(
//!     counter: &'s mut u32,
//!     strategy: &'s mut S,
//! ) -> DynPtr<'s, dyn Future<Output = u32> + 's, S> {
//!     DynPtr::new(strategy, async move {
//!         *counter += 1;
//!         *counter
//!     })
//! }
//! ```
//!
//! # Decisions every backend and the macro rely on
//!
//! **Entry points.** A strategy finds a *place* for a value of a type only the callee
//! knows. [`Strategy::try_place`] takes the strategy by `&mut`: it serves methods taking
//! `&mut self` or `self`, whose value borrows the dyn value exclusively, so at most one
//! such value is alive (plus abandoned ones, below) and a strategy can reuse one place.
//! [`Strategy::try_place_shared`] takes `&self`: it serves `&self` methods, whose values
//! can be alive together (`join!(a.get(1), a.get(2))`), so a strategy must hand out
//! distinct places (fall back to a fresh allocation, a set of places, or
//! [`RejectReason::Busy`]); it is thread-safe when the strategy is `Sync`. The value is
//! built in its place by a maker closure (no stack copy of a large future). The strategy
//! then either *commits* ([`Strategy::commit`]: writes its pointer, the value lives on)
//! or *discards* ([`Strategy::discard`]: the value was dropped in place, the place is
//! given back, no pointer was ever written). That is all a strategy implements; the
//! panicking forms ([`Strategy::place`]) and the by-value forms that return a pointer
//! ([`Strategy::adapt`], [`Strategy::try_adapt`], used by eager returns) are built on it.
//!
//! **The call.** An `async fn` call is a [`call::Call`]: the first poll makes the one
//! indirect call, the shim places the future in the call's slot (or wherever the
//! strategy puts it) and polls it there; ready, it is dropped and discarded, pending,
//! committed. See [`call`].
//!
//! **Capacity.** [`Strategy::CAPACITY`] declares the largest size and alignment a
//! strategy stores ([`Capacity::UNBOUNDED`] for heap strategies). [`Strategy::place`]
//! checks it at compile time ([`Capacity::assert_fits`]: the message names both
//! layouts); [`Strategy::try_place`] returns [`Rejected`], which gives the maker (or,
//! for `try_adapt`, the value) back intact, for a value too large, an allocator that
//! failed, or a storage that is busy.
//!
//! **Owning pointers.** A strategy's [`Strategy::Ptr`] implements the unsafe
//! [`OwningPtr`] contract: drop exactly once with the exact layout; pinning is
//! structural; a *forgotten* pointee is **abandoned** (never dropped later, never moved,
//! its memory never reused or freed: leak the block, leak the arena, or abort where
//! memory cannot be leaked). Callers get it wrapped in [`DynPtr`], which adds `Deref`,
//! pinning, `Future`, `Iterator`, `Debug`, `Display` (and `Stream`, feature `futures`).
//!
//! **Auto traits.** `DynPtr<'s, D, S>` is `Unpin` iff `D: Unpin` (structural pinning),
//! `Send` iff `D: Send` and `S:` [`ThreadSafePointers`], `Sync` iff `D: Sync` and
//! `S: ThreadSafePointers`. A bound "`S::Ptr<'s, D>: Send` for all `D: Send`" cannot be written,
//! so the unsafe marker [`ThreadSafePointers`] says it once per strategy. `#[dyn_trait(Send)]`
//! wrappers require `S: ThreadSafePointers`, and are `Sync` when `S: Sync`.
//!
//! **Receivers.** A dyn wrapper (`DynFoo<'a, .., S>`) is sized and holds its receiver
//! as a pointer to the erased trait, `dyn ErasedFoo<S> + 'a`, next to the strategy
//! state. A borrowing wrapper holds `&'a mut` (or `&'a` for traits whose methods all
//! take `&self`). An owning wrapper holds a type-erased owning handle: a pointer to the
//! receiver plus a release function supplied by the storage that holds it (a `Boxed`
//! allocation, or a pinned slot for the no-allocator case). That keeps the wrapper's
//! type independent of how the receiver is stored, so `fn f<S>(d: &mut DynFoo<'_, S>)`
//! accepts borrowed and owned wrappers alike, and gives by-value `self` methods the
//! [`OwningPtr::release_moved`] path: move the receiver out once, release its storage
//! without a second drop. Inline storage cannot hold a receiver (the wrapper's size
//! would depend on it); its users borrow the receiver instead.
//!
//! **Generated code holds no bare `unsafe`.** The `#[doc(hidden)] __private` module is
//! the runtime the macro calls; its functions are safe or document what the macro
//! guarantees.
//!
//! **Learning another trait's items.** `#[dyn_trait]` sees only its own trait, so it
//! also emits a `macro_rules!` callback carrying the trait's items; another
//! `#[dyn_trait]` (an `impl Bar` argument, a supertrait) or the sealed-enum derive calls
//! it to learn the methods.
//!
//! # Families of trait objects
//!
//! [`CoerceFrom`] is implemented for: `dyn Future<Output = O>` (plain, `+ Send`,
//! `+ Send + Sync`), `dyn Iterator<Item = I>` (plain, `+ Send`),
//! `dyn DoubleEndedIterator`, `dyn ExactSizeIterator`, `dyn Any` (plain, `+ Send`,
//! `+ Send + Sync`), `dyn Debug` and `dyn Display` (plain, `+ Send`, `+ Send + Sync`),
//! `dyn FnOnce`/`dyn FnMut` (plain, `+ Send`) and `dyn Fn` (plain, `+ Send + Sync`) for 0
//! to 4 arguments, each with any lifetime bound (`'static` for `Any`), and for every
//! sized type (identity); with the `futures` feature, `dyn Stream<Item = I>` (plain,
//! `+ Send`, `+ Send + Sync`; the trait of `futures-core`). Add your own with
//! [`impl_coerce!`]. A stored `dyn FnOnce` can be dropped but not called: calling it
//! would move an unsized value out of its storage, which stable Rust cannot do outside
//! `Box`; store a `dyn FnMut` instead.
//!
//! # Glossary
//!
//! - **place**: where a strategy puts one value (a heap block, the call's slot, a cache
//!   block, an arena chunk, a stack slot).
//! - **commit** / **discard**: after placing, write the pointer that owns the value, or
//!   give the place back without one (the value was dropped in place).
//! - **release**: what a pointer's drop does after dropping the value: give the place
//!   back to the strategy (free the block, clear the flag, decrement the count).
//! - **abandon**: what happens to a value whose pointer is forgotten: never dropped,
//!   its memory never reused or freed.
//! - **holder**: what a dyn wrapper keeps its receiver in ([`Holder`],
//!   [`SharedHolder`], or a [`DynPtr`] another method returned).
//! - **family**: a kind of trait object a strategy stores (`dyn Future<Output = T>`,
//!   `dyn Iterator<Item = T>`, ...), named by [`CoerceFrom`].
//!
//! # Writing a strategy
//!
//! Implement [`Strategy`] (its four methods: two entry points that find a place,
//! [`Strategy::commit`] and [`Strategy::discard`]) and, for its pointer, [`OwningPtr`]
//! (use [`write_with`], [`drop_in_place_then_release`] (or [`drop_in_place_then`]) rather than repeating
//! their unsafe steps; storage inside a movable pointer finds its value again with
//! [`with_metadata_of`]), then run the conformance kit in your tests (feature
//! `testkit`):
//!
//! ```toml
//! [dev-dependencies]
//! dynptr-core = { version = "0.1", features = ["testkit"] }
//! ```
//!
//! ```ignore
//! #[test]
//! fn conformance() {
//!     dynptr_core::testkit::check(MyStrategy::default);
//! }
//! ```
#![no_std]
// docs.rs (`--cfg docsrs`, nightly) marks each feature-gated item with its feature.
#![cfg_attr(docsrs, feature(doc_cfg))]
#![doc(test(attr(deny(warnings), allow(dead_code))))]

#[cfg(feature = "testkit")]
extern crate alloc;
#[cfg(feature = "testkit")]
extern crate std;

pub mod call;
mod coerce;
mod held;
mod ptr;
mod receiver;
mod strategy;

pub use coerce::CoerceFrom;
pub use held::{GiveBack, Held};
// The grammar of `impl_coerce!` (a proc macro), reached through `$crate`.
#[doc(hidden)]
pub use dynptr_macros::__impl_coerce;
pub use ptr::{
    drop_in_place_then, drop_in_place_then_release, layout_of, with_metadata_of, write_coerced, write_with,
    DynPtr, OwningPtr,
};
pub use receiver::{
    DefaultHolder, Holder, HoldsMut, HoldsOwned, HoldsPinned, HoldsRef, MoveToken, OwnedHolder, PinHolder,
    ReceiverSlot, Release, ReleaseFn, SharedHolder, Wrapper,
};
pub use strategy::{
    Capacity, Committed, Out, Placed, RejectReason, Rejected, SendStrategy, Strategy, ThreadSafePointers,
};

// The names before the 2026-12 renames (see the glossary), kept so that code written
// against them still builds.
#[doc(hidden)]
pub use ptr::{drop_in_place_then as drop_then, drop_in_place_then_release as drop_then_release};
#[doc(hidden)]
pub use receiver::{
    Holder as Receiver, HoldsMut as ReceiverMut, HoldsOwned as ReceiverOwned, HoldsRef as ReceiverRef,
    OwnedHolder as OwnedReceiver, SharedHolder as SharedReceiver,
};
#[doc(hidden)]
pub use strategy::ThreadSafePointers as ThreadSafe;

#[cfg(feature = "testkit")]
pub mod testkit;

/// The runtime that code generated by `#[dyn_trait]` calls. Not a public API: its
/// contents change with the macro.
#[doc(hidden)]
pub mod __private {
    use core::convert::Infallible;
    use core::marker::PhantomData;
    use core::mem::MaybeUninit;
    use core::ptr::NonNull;

    pub use crate::call::{start, start_shared, Call, CallSlot, Started};
    pub use crate::receiver::take;
    pub use crate::{
        CoerceFrom, Committed, DynPtr, Holder, HoldsMut, HoldsOwned, HoldsPinned, HoldsRef, MoveToken,
        OwnedHolder, OwningPtr, PinHolder, Placed, ReceiverSlot, Rejected, SharedHolder, Strategy,
        ThreadSafePointers,
    };
    pub use core;
    #[cfg(feature = "futures")]
    pub use futures_core::Stream;

    /// Implemented by `#[dyn_trait]` for `dyn ErasedBar<..> + 's`: the wrapper type a
    /// method returning `impl Bar` returns through the strategy `S`.
    pub trait WrapperOf<'s, S: Strategy + 's> {
        /// `DynBar<'s, .., S, DynPtr<'s, dyn ErasedBar<..> + 's, S>>`.
        type Wrapper;
        /// `DynBar<'s, .., S>` borrowing its receiver: what an `impl Bar` argument is
        /// passed as.
        type Borrowed;
    }

    /// Implemented by `#[dyn_trait]`: stores a `T: Bar` through the strategy and wraps
    /// it in `DynBar`, with a fresh strategy of the same kind for `Bar`'s own calls.
    pub trait Wrap<'s, S: Strategy + 's, T>: WrapperOf<'s, S> {
        /// For methods taking `&mut self`.
        fn wrap(strategy: &'s mut S, value: T) -> Self::Wrapper;
        /// For methods taking `&self`.
        fn wrap_shared(strategy: &'s S, value: T) -> Self::Wrapper;
        /// Borrows an `impl Bar` argument as `DynBar`, with its own strategy.
        fn borrow(value: &'s mut T, strategy: S) -> Self::Borrowed;
    }

    /// The default strategy of wrappers when the facade has no `box` feature: it
    /// implements `Strategy` so that the wrapper types are well-formed, and using it
    /// fails to compile with a message.
    #[derive(Clone, Copy, Debug, Default)]
    pub struct NoDefaultStrategy;

    /// The pointer type of [`NoDefaultStrategy`]: uninhabited.
    #[derive(Debug)]
    pub struct Never<D: ?Sized>(Infallible, PhantomData<D>);

    // SAFETY: `Never` is uninhabited, so none of these functions can be called.
    unsafe impl<D: ?Sized> OwningPtr for Never<D> {
        type Target = D;
        fn as_ptr(&self) -> NonNull<D> {
            match self.0 {}
        }
        fn as_mut_ptr(&mut self) -> NonNull<D> {
            match self.0 {}
        }
        unsafe fn release_moved(this: Self) {
            match this.0 {}
        }
    }

    /// The value of an associated constant a dyn wrapper cannot have (outside the
    /// vtable, no default): fails to compile where it is read.
    #[derive(Debug)]
    pub struct OutsideVtable<W: ?Sized, T>(PhantomData<(fn() -> T, W)>);

    impl<W: ?Sized, T> OutsideVtable<W, T> {
        /// The compile-time error.
        pub const VALUE: T = panic!(
            "dynptr: this associated constant has no default and does not go through the vtable, \
             so the dyn wrapper has no value for it: read it from a concrete type, or give it a default"
        );
    }

    /// Fails to compile when instantiated.
    #[derive(Debug)]
    pub struct NoDefault<T>(PhantomData<T>);

    impl<T> NoDefault<T> {
        /// The compile-time error.
        pub const FAIL: () = panic!(
            "dynptr: this wrapper has no default strategy: enable the `box` feature of `dynptr`, \
             or pick a strategy with `with_strategy`"
        );
    }

    impl Strategy for NoDefaultStrategy {
        type Ptr<'s, D: ?Sized + 's> = Never<D>;
        type Token<'s> = ();

        fn try_place<'s, 'o, T: 's, D: ?Sized + CoerceFrom<T> + 's, M: FnOnce() -> T>(
            &'s mut self,
            _: &'o mut MaybeUninit<Never<D>>,
            _: M,
        ) -> Result<Placed<'o, 's, T, D, Self>, Rejected<M>> {
            #[allow(clippy::let_unit_value)]
            let () = NoDefault::<T>::FAIL;
            unreachable!()
        }

        fn try_place_shared<'s, 'o, T: 's, D: ?Sized + CoerceFrom<T> + 's, M: FnOnce() -> T>(
            &'s self,
            _: &'o mut MaybeUninit<Never<D>>,
            _: M,
        ) -> Result<Placed<'o, 's, T, D, Self>, Rejected<M>> {
            #[allow(clippy::let_unit_value)]
            let () = NoDefault::<T>::FAIL;
            unreachable!()
        }

        fn commit<'s, 'o, T: 's, D: ?Sized + CoerceFrom<T> + 's>(
            placed: Placed<'o, 's, T, D, Self>,
        ) -> Committed<'o> {
            let _ = placed;
            unreachable!("`NoDefaultStrategy` places no value")
        }

        unsafe fn discard<'s, 'o, T: 's, D: ?Sized + 's>(placed: Placed<'o, 's, T, D, Self>) {
            let _ = placed;
            unreachable!("`NoDefaultStrategy` places no value")
        }
    }
}
