//! Dyn-compatible traits with `async fn`, `-> impl Trait`, `impl Trait` arguments and
//! by-value `self`, where the storage of every returned value is a *strategy* picked
//! per call site.
//!
//! A trait with `async fn next(&mut self)` cannot be used as `dyn AsyncIterator`
//! (error E0038): the callee knows the concrete future type, the caller does not. The
//! usual answer boxes every returned future. dynptr lets the place where the dyn value
//! is created choose where returned values live:
//!
//! | strategy | crate (feature) | storage | allocations per call |
//! |---|---|---|---|
//! | [`Boxed<A>`](Boxed) | `dynptr-box` (`box`, default) | a heap block in any `allocator-api2` allocator | 1 |
//! | [`Bumped`], `&Bumped` | `dynptr-bump` (`bump`) | a `bumpalo` arena owned by the strategy (or shared by several dyn values), reset when no value is alive | 0 in steady state |
//!
//! More strategies (inline, recycled box) and the `#[dyn_trait]` macro
//! arrive in their own crates; this facade re-exports each behind a feature.
//!
//! # Features
//!
//! - `box` (default): [`Boxed`], the heap strategy. Implies `alloc`.
//! - `bump`: [`Bumped`], the arena strategy. Implies `alloc`.
//! - `alloc`: strategies and conveniences that need an allocator.
//! - `std`: implies `alloc`.
//!
//! Without default features the crate is `no_std` and needs no allocator.
//!
//! # Examples
//!
//! The call flow a `#[dyn_trait]` wrapper generates, written by hand: the callee
//! (`next_erased`) knows the future's type and hands it to the strategy; the caller
//! awaits a [`DynPtr`] without knowing that type.
//!
//! ```
//! use core::future::Future;
//! use dynptr::{Boxed, DynPtr, Strategy};
//!
//! struct Countdown(u32);
//!
//! impl Countdown {
//!     async fn next(&mut self) -> Option<u32> {
//!         self.0 = self.0.checked_sub(1)?;
//!         Some(self.0)
//!     }
//!     // What the shim does: adapt the returned future through the strategy.
//!     fn next_erased<'s, S: Strategy>(
//!         &'s mut self,
//!         strategy: &'s mut S,
//!     ) -> DynPtr<'s, dyn Future<Output = Option<u32>> + 's, S> {
//!         DynPtr::new(strategy, self.next())
//!     }
//! }
//!
//! let mut it = Countdown(4);
//! let mut strategy = Boxed::new();
//! let mut sum = 0;
//! while let Some(i) = futures::executor::block_on(it.next_erased(&mut strategy)) {
//!     sum += i;
//! }
//! assert_eq!(sum, 3 + 2 + 1);
//! ```
#![no_std]
#![doc(test(attr(deny(warnings), allow(dead_code))))]

pub use dynptr_core::{
    drop_then_release, impl_coerce, write_coerced, Capacity, CoerceFrom, DynPtr, OwningPtr, RejectReason,
    Rejected, Strategy, ThreadSafe,
};

#[cfg(feature = "box")]
pub use dynptr_box::{AllocError, Allocator, BoxPtr, Boxed, Global};

#[cfg(feature = "bump")]
pub use dynptr_bump::{leaked_arenas, BumpPtr, Bumped, Reset};

#[doc(hidden)]
pub use dynptr_core::__private;
