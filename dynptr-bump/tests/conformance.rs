//! `Bumped` passes the strategy conformance kit, owned and as a shared arena (`&Bumped`),
//! and its auto traits are what its docs say.

use core::future::Future;

use dynptr_bump::{BumpPtr, Bumped};
use dynptr_core::{testkit, DynPtr, ThreadSafePointers};
use static_assertions::{assert_impl_all, assert_not_impl_any};

#[test]
fn owned_arena_passes_the_kit() {
    testkit::check(Bumped::new);
}

#[test]
#[cfg_attr(
    miri,
    ignore = "the same code paths as `owned_arena_passes_the_kit`; saves Miri time"
)]
fn arena_with_capacity_passes_the_kit() {
    testkit::check(|| Bumped::with_capacity(64));
}

#[test]
#[cfg_attr(
    miri,
    ignore = "`one_shared_arena_for_every_check` runs the same paths, and more; saves Miri time"
)]
fn shared_arena_passes_the_kit() {
    // A fresh arena for each check (the kit makes fewer than 16 strategies); the arenas
    // outlive the kit, and those holding abandoned values leak when dropped.
    let arenas: Vec<Bumped> = (0..16).map(|_| Bumped::new()).collect();
    let mut next = arenas.iter();
    testkit::check(|| next.next().expect("more arenas for the kit"));
}

#[test]
fn one_shared_arena_for_every_check() {
    // All checks through one arena: values abandoned by the forget checks stay in it,
    // so it is never reset again, and everything else must still work.
    let arena = Bumped::new();
    testkit::check(|| &arena);
    assert!(arena.outstanding() > 0, "the kit abandons values");
}

#[test]
fn both_forms_are_thread_safe() {
    testkit::assert_thread_safe::<Bumped>();
    testkit::assert_thread_safe::<&Bumped>();
}

// The strategy: `Send` (it owns its arena), not `Sync` (`Bump` is not).
assert_impl_all!(Bumped: Send, Default, ThreadSafePointers, core::fmt::Debug);
assert_not_impl_any!(Bumped: Sync);
// A dyn value borrowing the arena stays on the arena's thread.
assert_not_impl_any!(&'static Bumped: Send, Sync);
assert_impl_all!(&'static Bumped: ThreadSafePointers);

// Pointers follow their pointee.
assert_impl_all!(BumpPtr<'static, dyn Future<Output = u8> + Send>: Send);
assert_not_impl_any!(BumpPtr<'static, dyn Future<Output = u8> + Send>: Sync);
assert_not_impl_any!(BumpPtr<'static, dyn Future<Output = u8>>: Send, Sync);
assert_impl_all!(DynPtr<'static, dyn Future<Output = u8> + Send, Bumped>: Send);
assert_impl_all!(DynPtr<'static, dyn Future<Output = u8> + Send, &'static Bumped>: Send);
assert_not_impl_any!(DynPtr<'static, dyn Future<Output = u8>, Bumped>: Send, Sync);
assert_not_impl_any!(DynPtr<'static, dyn Future<Output = u8> + Send, Bumped>: Sync);
assert_impl_all!(DynPtr<'static, dyn core::fmt::Debug + Send + Sync, Bumped>: Send, Sync);
// Pinning is structural: a future's pointer is not `Unpin`, a `u64`'s is.
assert_not_impl_any!(DynPtr<'static, dyn Future<Output = u8>, Bumped>: Unpin);
assert_impl_all!(DynPtr<'static, u64, Bumped>: Unpin, Send, Sync);
