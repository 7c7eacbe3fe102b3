//! dynptr's strategies that need no allocator: where a dyn call's returned value
//! (a future, an iterator, a closure) lives when there is no heap, or when the heap is
//! too slow for the call rate: a kernel, a tight loop, an embedded target.
//!
//! | strategy | the value lives | pick it when |
//! |---|---|---|
//! | [`Inline<N, A>`](Inline) | inside the returned pointer (`N` bytes, aligned to `A`) | values are small, and pointers must be free to move or be sent to other threads |
//! | [`InlineOr<N, F>`](InlineOr) (feature `alloc`) | inline if the value fits, else in the fallback strategy `F` (default `Boxed`) | most values are small, a few are not |
//! | [`SlotRef`] to a [`Slot<N, A, K>`](Slot) | in a slot the caller reserved once on its stack, pinned | a loop calls the same dyn method over and over: the value is built where it is polled, nothing is copied |
//!
//! A value too large for the storage is a compile-time error (naming the value's size
//! and alignment and the capacity) from `adapt`/`DynPtr::new`, and a [`Rejected`]
//! holding the value from `try_adapt`. The alignment is a type parameter
//! ([`align::A1`] to [`align::A4096`], default [`align::A16`]).
//!
//! `#![no_std]`; without the `alloc` feature this crate needs no allocator at all.
//!
//! [`Rejected`]: dynptr_core::Rejected
//!
//! # Examples
//!
//! The seed's `AsyncIterator` loop, written by hand (what `#[dyn_trait]` generates),
//! with each future stored inline, then in a slot reserved on the stack:
//!
//! ```
//! use core::future::Future;
//! use core::pin::pin;
//! use core::task::{Context, Poll, Waker};
//! use dynptr_core::{DynPtr, Strategy};
//! use dynptr_stack::{Inline, Slot, SlotRef};
//!
//! struct Count(u32);
//!
//! impl Count {
//!     async fn next(&mut self) -> Option<u32> {
//!         self.0 = self.0.checked_sub(1)?;
//!         Some(self.0)
//!     }
//!     // The vtable shim: the future's type is known here, the strategy stores it.
//!     fn next_erased<'s, S: Strategy>(
//!         &'s mut self,
//!         strategy: &'s mut S,
//!     ) -> DynPtr<'s, dyn Future<Output = Option<u32>> + 's, S> {
//!         DynPtr::new(strategy, self.next())
//!     }
//! }
//!
//! fn sum<S: Strategy>(it: &mut Count, strategy: &mut S) -> u32 {
//!     let mut cx = Context::from_waker(Waker::noop());
//!     let mut total = 0;
//!     loop {
//!         let mut fut = pin!(it.next_erased(strategy));
//!         match fut.as_mut().poll(&mut cx) {
//!             Poll::Ready(Some(i)) => total += i,
//!             Poll::Ready(None) => return total,
//!             Poll::Pending => {}
//!         }
//!     }
//! }
//!
//! assert_eq!(sum(&mut Count(5), &mut Inline::<64>::new()), 4 + 3 + 2 + 1);
//! assert_eq!(sum(&mut Count(5), &mut SlotRef::new(pin!(Slot::<64>::new()))), 10);
//! ```
//!
//! # Forgotten values
//!
//! A forgotten `Inline` pointer keeps its value inside itself, wherever the forgotten
//! bytes live (a leaked box): nothing to do. A slot cannot leak its memory, so a slot
//! holding a forgotten value **aborts the process** when it is next used with no free
//! place, or dropped; see [`Slot`].
#![no_std]
// docs.rs (`--cfg docsrs`, nightly) marks each feature-gated item with its feature.
#![cfg_attr(docsrs, feature(doc_cfg))]
#![doc(test(attr(deny(warnings), allow(dead_code))))]

pub mod align;
mod inline;
#[cfg(feature = "alloc")]
mod inline_or;
mod slot;

pub use align::Alignment;
pub use inline::{Inline, InlinePtr};
#[cfg(feature = "alloc")]
pub use inline_or::{InlineOr, InlineOrPtr};
pub use slot::{Slot, SlotBack, SlotPtr, SlotRef, SlotToken};

/// Aborts the process, without `std`: a panic whose unwinding drops a value that
/// panics again, which the runtime turns into an abort ("panic in a destructor during
/// cleanup"). With `panic = "abort"` the first panic already aborts; on bare metal the
/// `#[panic_handler]` never returns.
#[cold]
#[inline(never)]
fn abort(message: &'static str) -> ! {
    struct PanicAgain;
    impl Drop for PanicAgain {
        fn drop(&mut self) {
            panic!("dynptr-stack: aborting the process");
        }
    }
    let _again = PanicAgain;
    panic!("{message}");
}
