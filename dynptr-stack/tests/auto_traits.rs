//! Auto traits follow the pointee (rule 6 of the design): asserted at compile time.

use core::cell::Cell;
use core::fmt::Debug;
use core::future::Future;

use dynptr_box::Boxed;
use dynptr_core::DynPtr;
use dynptr_stack::{Inline, InlineOr, InlineOrPtr, InlinePtr, Slot, SlotPtr, SlotRef};
use static_assertions::{assert_impl_all, assert_not_impl_any};

type SendFut = dyn Future<Output = u8> + Send;
type LocalFut = dyn Future<Output = u8>;
type SyncDebug = dyn Debug + Send + Sync;
type UnpinDebug = dyn Debug + Send + Sync + Unpin;

// Inline: as thread-safe as the value; `Unpin` only if the value is.
assert_impl_all!(Inline<64>: Send, Sync, Unpin, Copy, Default, Debug);
assert_impl_all!(InlinePtr<SendFut, 64>: Send);
assert_not_impl_any!(InlinePtr<SendFut, 64>: Sync);
assert_not_impl_any!(InlinePtr<LocalFut, 64>: Send, Sync);
assert_impl_all!(InlinePtr<UnpinDebug, 64>: Send, Sync, Unpin);
assert_not_impl_any!(InlinePtr<SyncDebug, 64>: Unpin);
assert_impl_all!(DynPtr<'static, SendFut, Inline<64>>: Send);
assert_not_impl_any!(DynPtr<'static, SendFut, Inline<64>>: Unpin, Sync);
assert_not_impl_any!(DynPtr<'static, LocalFut, Inline<64>>: Send, Sync);
// A value with interior mutability that is not `Sync` makes the pointer `!Sync`.
assert_not_impl_any!(InlinePtr<Cell<u8>, 64>: Sync);
assert_impl_all!(InlinePtr<Cell<u8>, 64>: Send);

// InlineOr: as Inline, with a thread-safe fallback.
assert_impl_all!(InlineOr<64>: Send, Sync, Unpin, Default, Clone, Debug);
assert_impl_all!(DynPtr<'static, SendFut, InlineOr<64>>: Send);
assert_not_impl_any!(DynPtr<'static, LocalFut, InlineOr<64>>: Send, Sync);
assert_impl_all!(DynPtr<'static, UnpinDebug, InlineOr<64>>: Send, Sync, Unpin);
assert_impl_all!(InlineOrPtr<'static, SyncDebug, 64, Boxed>: Send, Sync);

// Slot: `Send`, never `Sync`, never `Unpin`; its handles are neither `Send` nor `Sync`.
assert_impl_all!(Slot<64>: Send, Default, Debug);
assert_not_impl_any!(Slot<64>: Sync, Unpin);
assert_not_impl_any!(SlotRef<'static, 64>: Send, Sync, Clone, Default);
assert_not_impl_any!(SlotPtr<'static, SyncDebug>: Send, Sync);
assert_not_impl_any!(DynPtr<'static, SyncDebug, SlotRef<'static, 64>>: Send, Sync);
assert_impl_all!(DynPtr<'static, UnpinDebug, SlotRef<'static, 64>>: Unpin);
assert_not_impl_any!(DynPtr<'static, SendFut, SlotRef<'static, 64>>: Unpin);
