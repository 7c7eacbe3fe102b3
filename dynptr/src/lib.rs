#![doc = include_str!("../README.md")]
//!
//! # Reference
//!
//! Dyn-compatible traits with `async fn` and `-> impl Trait`, where the storage of
//! every returned value is a *strategy* picked where the dyn value is created (the
//! strategies and how to pick one are in the table above).
//!
//! ## The problem
//!
//! ```compile_fail,E0038
//! trait AsyncIterator {
//!     type Item;
//!     async fn next(&mut self) -> Option<Self::Item>;
//! }
//!
//! // error[E0038]: the trait `AsyncIterator` is not dyn compatible
//! fn sum_dyn(v: &mut dyn AsyncIterator<Item = u32>) {}
//! ```
//!
//! The callee knows the concrete type of the future `next` returns; the caller does
//! not. The usual answer (`async-trait`, `dynosaur`) boxes every returned future: one
//! heap allocation per call, and no way out without an allocator. dynptr makes that
//! storage a [`Strategy`].
//!
//! ## `#[dyn_trait]`
//!
//! ```
//! use dynptr::{dyn_trait, Boxed, Strategy};
//!
//! #[dyn_trait] // generates `DynAsyncIterator<'a, Item, S = Boxed>`
//! trait AsyncIterator {
//!     type Item;
//!     async fn next(&mut self) -> Option<Self::Item>;
//! }
//!
//! struct Count(u32);
//!
//! impl AsyncIterator for Count {
//!     type Item = u32;
//!     async fn next(&mut self) -> Option<u32> {
//!         self.0 = self.0.checked_sub(1)?;
//!         Some(self.0 + 1)
//!     }
//! }
//!
//! // Static dispatch is untouched: no boxing, no wrapper.
//! async fn sum_static(mut v: impl AsyncIterator<Item = u32>) -> u32 {
//!     let mut sum = 0;
//!     while let Some(i) = v.next().await {
//!         sum += i;
//!     }
//!     sum
//! }
//!
//! // Dynamic dispatch, with whatever strategy the caller picked.
//! async fn sum_dyn<S: Strategy>(v: &mut DynAsyncIterator<'_, u32, S>) -> u32 {
//!     let mut sum = 0;
//!     while let Some(i) = v.next().await {
//!         sum += i;
//!     }
//!     sum
//! }
//!
//! # futures::executor::block_on(async {
//! let mut it = Count(4);
//! let mut d = DynAsyncIterator::new(&mut it); // borrowed, default strategy `Boxed`
//! assert_eq!(sum_dyn(&mut d).await, 4 + 3 + 2 + 1);
//!
//! let mut it = Count(3);
//! let d = DynAsyncIterator::with_strategy(&mut it, Boxed::new()); // strategy named here
//! assert_eq!(sum_static(d).await, 6); // the wrapper implements the trait
//!
//! let mut owned = DynAsyncIterator::boxed(Count(2)); // owns its receiver
//! assert_eq!(sum_dyn(&mut owned).await, 3);
//! # });
//! ```
//!
//! For a trait `Foo`, `#[dyn_trait]` leaves `Foo` as it is and generates:
//!
//! - `DynFoo<'a, <Foo's generic parameters>, <Foo's associated types>, S = Boxed>`: a
//!   sized wrapper holding the receiver (borrowed for `'a`, or owned) and the strategy
//!   `S`. It implements `Foo`, so it goes wherever `impl Foo` does.
//! - Constructors: `new(&mut value)` (default strategy), `with_strategy(&mut value, s)`,
//!   `from_ref(&value)` / `from_ref_with_strategy` when every method takes `&self`,
//!   `from_arc(arc)` / `from_arc_with_strategy` then too (shares an `Arc<T>` with its
//!   other owners: `'static` if `T` is; needs `alloc`; `arc()` gives it back),
//!   `boxed(value)` / `boxed_with_strategy` (owns the receiver on the heap),
//!   `in_slot(&mut slot, value)` / `in_slot_with_strategy` (owns it in a
//!   [`ReceiverSlot`] on your stack: no allocator). `strategy()`, `strategy_mut()`,
//!   `is_owned()`.
//! - A last parameter `R` (default: [`storage::DefaultHolder`], a borrowed or owned
//!   receiver) says what holds the receiver; a `DynFoo` returned by another trait's
//!   method holds it in a [`DynPtr`]. `S` defaults to [`DefaultStrategy`] (`Boxed`).
//! - `ErasedFoo<.., S>` (hidden): the dyn-compatible form, each method returning a
//!   [`DynPtr`] to `dyn Future`/`dyn Iterator`/`dyn Trait`, with a blanket impl for every
//!   `T: Foo` that calls `T`'s method and hands its value to the strategy.
//!
//! [`example`] shows the generated items of a sample trait.
//!
//! Supported: `async fn` and `fn -> impl Future<Output = T>`, `fn -> impl Trait` for the
//! standard families (`Iterator`, `DoubleEndedIterator`, `ExactSizeIterator`, `Debug`,
//! `Display`, `Fn*`, `Any`, and `Stream` with the `futures` feature: a [`DynPtr`] to
//! `dyn Trait`), `fn -> impl Bar` where `Bar` is
//! another `#[dyn_trait]` trait (a `DynBar` that owns the value through the strategy,
//! with a fresh `S::default()` for `Bar`'s own calls; write `Bar`'s associated types in
//! declaration order: `impl Bar<Item = u8, Error = E>`), plain
//! methods, `&self`, `&mut self` and by-value `self` receivers, borrowed arguments,
//! `impl Trait` arguments (below), associated types, generic traits, lifetimes, `where`
//! clauses, default bodies, methods kept out of the vtable with `where Self: Sized`
//! (partially dyn-safe traits), and these supertraits:
//! - `Send`, `Sync`, `'static`: the wrapper carries them;
//! - `Debug`, `Display`: the wrapper forwards them to its receiver;
//! - `Clone`: the wrapper clones its receiver onto the heap (a borrowed or slot-held
//!   receiver clones into a box), and clones its strategy (`S: Clone`); needs the `box`
//!   feature;
//! - another `#[dyn_trait]` trait (`trait Gadget: Named`, `trait Feed: Source<Item =
//!   u32> + Keyed<String>`: give its associated types as bindings, in their declaration
//!   order): `DynGadget` implements `Named` too, through the callback below. `Named` may be in another crate if it is `pub`.
//!
//! Every other shape is a compile error that says what to write instead.
//!
//! ## `impl Trait` arguments
//!
//! The caller (the wrapper) knows the argument's type, the callee does not: the wrapper
//! adapts the argument to a `dyn` form in its own frame (inside the returned future for
//! `async` methods: no allocation beyond what the strategy does), and the shim hands that
//! to the implementation as an `impl Trait` again.
//!
//! | argument | crosses the vtable as | note |
//! |---|---|---|
//! | `impl Into<T>` | `T` | converted eagerly, before the call |
//! | `impl Iterator<Item = T>` (and `DoubleEndedIterator`, `ExactSizeIterator`), `impl FnMut(..)` | `&mut dyn ..` | |
//! | `impl Fn(..)` | `&dyn Fn(..)` | |
//! | `impl FnOnce(..) -> R` | `&mut dyn FnMut` over an `Option` | called at most once |
//! | `impl Future<Output = T>` | `Pin<&mut dyn Future>` | pinned in the wrapper's future |
//! | `impl Stream<Item = T>` (feature `futures`) | `Pin<&mut dyn Stream>` | pinned as a future is; see [Streams](#streams) |
//! | `&impl Trait`, `&mut impl Trait` (`Debug`, `Display`, `Iterator`, ..) | `&&dyn Trait`, `&mut &mut dyn Trait` | the trait must hold for `&dyn Trait` / `&mut dyn Trait` |
//! | `impl Bar`, `&mut impl Bar` (`Bar` a `#[dyn_trait]` trait) | `DynBar` borrowing the argument | with a fresh `S::default()` |
//!
//! A method returning a non-future `impl Trait` cannot take `impl Trait` arguments (the
//! returned value could hold the adapted argument, which lives in the caller's frame): a
//! compile error. In `#[dyn_trait(Send)]` traits, `impl Trait` arguments gain `+ Send`
//! (`+ Sync` behind `&`), since the returned futures hold them.
//!
//! ## Streams
//!
//! With the `futures` feature, `Stream` (the trait of `futures-core`, re-exported as
//! `dynptr::Stream`) is one more standard family. A method returning
//! `impl Stream<Item = T>` (or `+ Send`) returns a [`DynPtr`] to `dyn Stream<Item = T>`,
//! itself a `Stream` (pinned structurally, as a future is; `size_hint` forwarded), held
//! by any strategy; an `impl Stream<Item = T>` argument is pinned by the wrapper and
//! passed as `Pin<&mut dyn Stream<Item = T>>`, like an `impl Future` one. Write the
//! trait as `Stream`, `futures::Stream` or `futures_core::stream::Stream`: a path
//! ending in `Stream` is taken for this trait. `futures-core` is `no_std`: the feature
//! needs no allocator.
//!
#![cfg_attr(all(feature = "futures", feature = "box", feature = "macros"), doc = "```")]
#![cfg_attr(
    not(all(feature = "futures", feature = "box", feature = "macros")),
    doc = "```ignore"
)]
//! use dynptr::{dyn_trait, Stream};
//! use futures::StreamExt;
//!
//! #[dyn_trait]
//! trait Source {
//!     fn numbers(&self, n: u32) -> impl Stream<Item = u32>;
//!     async fn sum(&mut self, s: impl Stream<Item = u32>) -> u32;
//! }
//!
//! struct Counter;
//!
//! impl Source for Counter {
//!     fn numbers(&self, n: u32) -> impl Stream<Item = u32> {
//!         futures::stream::iter(1..=n)
//!     }
//!     async fn sum(&mut self, s: impl Stream<Item = u32>) -> u32 {
//!         s.fold(0, |acc, x| async move { acc + x }).await
//!     }
//! }
//!
//! # futures::executor::block_on(async {
//! let mut counter = Counter;
//! let mut d = DynSource::new(&mut counter);
//! let v: Vec<u32> = d.numbers(3).collect().await; // a `Stream` through `dyn`
//! assert_eq!(v, [1, 2, 3]);
//! assert_eq!(d.sum(futures::stream::iter([4, 5])).await, 9);
//! # });
//! ```
//!
//! ## By-value `self`
//!
//! Only an owner can give its receiver away, so for a trait with a `self` method the
//! wrapper always owns its receiver: `DynFoo::boxed(value)` or
//! `DynFoo::in_slot(&mut slot, value)`; the borrowing constructors (`new`,
//! `with_strategy`, `from_ref`) do not exist, a compile error rather than a panic. The
//! method moves the receiver out of its storage exactly once and releases the storage
//! without a second drop. `self: Box<Self>` works the same way (the shim boxes the moved
//! receiver for the implementation: one allocation).
//!
//! `self: Pin<&mut Self>` goes through the vtable for a wrapper over a pinned borrow:
//! `DynFoo::from_pin(value.as_mut())` (or `from_pin_with_strategy`) holds a
//! `Pin<&mut dyn ErasedFoo>` ([`storage::PinHolder`]), which calls the trait's pinned
//! methods and its `&self` ones; that wrapper is `Unpin` itself, so `Pin::new(&mut d)`
//! calls a pinned method on it. A wrapper over `&mut value` (`new`) does not implement
//! the trait then: the value could move once the borrow ends, so it cannot be pinned.
//! In a trait that also has `&mut self` or `self` methods, the pinned ones stay out of
//! the vtable (static dispatch; the wrapper inherits their defaults), since `&mut`
//! access would unpin a value that may not be `Unpin`.
//!
//! A method returning `impl Trait` (other than a future) may borrow only `self`: an
//! opaque return type cannot name the intersection of several borrows (futures are
//! wrapped in an `async` block instead). Such a method with a borrowed argument is a
//! compile error that says so.
//!
//! One `#[dyn_trait]` finds another by name: `impl Bar` uses `ErasedBar` next to `Bar`
//! (and `Bar`'s own expansion says which wrapper goes with it). Where another macro needs
//! a trait's *items* (a supertrait, the sealed enum), it asks the trait: `#[dyn_trait]`
//! emits a hidden `macro_rules!` next to the trait, imported under the trait's own name
//! in the macro namespace (so `use path::Bar` brings it along), that hands the trait's
//! definition to the requesting macro. A `pub` trait's callback is `#[macro_export]`ed
//! under a name unique to the trait and re-exported next to it, so a trait, an
//! `impl Bar` argument or a `#[sealed]` enum in another crate reaches it through the
//! trait's path (tested by the workspace's `xcrate` pair). The definition expands where
//! it is used: its `crate::` paths become the defining crate's, but a name it brings in
//! with `use` must be in scope there too (write `crate::Reading`, not `Reading` after
//! `use crate::Reading`, in a trait meant for other crates); `impl Bar` needs `ErasedBar`
//! next to `Bar` (import both, or write the path `impl other::Bar`). The callback is not
//! emitted for traits named like a standard derive (`Clone`, `Debug`, `Hash`, ..), which
//! it would shadow.
//!
//! Arguments:
//! - `#[dyn_trait(Send)]`: adds `+ Send` to the trait's `async fn` and `-> impl Trait`
//!   returns (as `trait_variant::make(Send)` does; a generic shim cannot prove an impl's
//!   future `Send` otherwise); the wrapper is `Send`, and `Sync` when the trait has
//!   `&self` methods; it needs a [`ThreadSafePointers`] strategy.
//! - `#[dyn_trait(wrapper = AnyFoo)]`: names the wrapper.
//! - `#[dyn_trait(unsafe(forward))]`, only on an `unsafe trait`: you state that a wrapper
//!   which forwards every method to the value it holds upholds the trait's contract (true
//!   of a contract about what the methods return, false of one about the implementing
//!   type's layout), so the macro writes `unsafe impl Foo for DynFoo`. Without it the
//!   trait still compiles and `DynFoo` offers its `async fn` and plain methods as its
//!   own, but does not implement `Foo`.
//!
//! - `#[dyn_trait(bridge)]` (also dynosaur's spelling `bridge(blanket)`; `bridge(dyn)`
//!   and `bridge(none)` are the default): also implements the trait for `&T`, `&mut T`,
//!   `Box<T>` and `Arc<T>` of every implementor `T`, where the receivers allow (`&T` and
//!   `Arc<T>` when every method takes `&self`, `&mut T` with `&mut self` too, `Box<T>`
//!   also with `self`), so that `Arc<DynFoo<'static>>` goes where `impl Foo` does. Off by
//!   default: a blanket impl would clash with a hand-written `impl Foo for Box<MyType>`.
//!
//! ```
//! use std::sync::Arc;
//!
//! #[dynptr::dyn_trait(Send, bridge)]
//! trait Store: Sync {
//!     async fn get(&self, key: u32) -> u32;
//! }
//!
//! struct Mem;
//! impl Store for Mem {
//!     async fn get(&self, key: u32) -> u32 {
//!         key * 2
//!     }
//! }
//!
//! async fn use_store(s: impl Store) -> u32 {
//!     s.get(21).await
//! }
//!
//! let shared: Arc<DynStore<'static>> = Arc::new(DynStore::boxed(Mem));
//! assert_eq!(futures::executor::block_on(use_store(Arc::clone(&shared))), 42);
//! assert_eq!(futures::executor::block_on(use_store(&Mem)), 42);
//! ```
//!
//! Supertraits: `Send`, `Sync`, `Sized` (every wrapper is sized), `'static`, `Clone`,
//! `Debug`, `Display`, written bare or as paths (`::core::marker::Sync`, `fmt::Debug`),
//! and other `#[dyn_trait]` traits (of another crate too, if `pub`). Other standard traits
//! (`Future`, `Iterator`, `Hash`, `PartialEq`, ..) are not forwarded: the trait compiles,
//! and `DynFoo` implements `Foo` where `DynFoo` implements them, so an `impl Hash for
//! DynFoo<'_, S, R>` of your own makes it an `impl Foo`.
//!
//! Lifetimes: a trait that asks its implementors to outlive a lifetime (`'static` among
//! its supertraits, `trait Log<'b>: 'b`, `where Self: 'b`) still gives a wrapper that
//! borrows for less, as `&dyn Foo` does: the wrapper implements the trait where it meets
//! that bound (owning its value, or borrowing for as long), and offers the vtable's
//! methods as its own for any borrow, so a call borrows the wrapper for the call alone:
//!
//! ```
//! # use dynptr::dyn_trait;
//! #[dyn_trait]
//! trait Sink<'buf>
//! where
//!     Self: 'buf,
//! {
//!     async fn write(&mut self, bytes: &'buf [u8]) -> usize;
//! }
//!
//! struct Collect<'buf>(Vec<&'buf [u8]>);
//! impl<'buf> Sink<'buf> for Collect<'buf> {
//!     async fn write(&mut self, bytes: &'buf [u8]) -> usize {
//!         self.0.push(bytes);
//!         bytes.len()
//!     }
//! }
//!
//! let data = [1, 2, 3];
//! let mut collect = Collect(Vec::new());
//! {
//!     let mut sink = DynSink::new(&mut collect);
//!     assert_eq!(futures::executor::block_on(sink.write(&data)), 3);
//! }
//! assert_eq!(collect.0.len(), 1); // the wrapper's borrow ended with its block
//! ```
//!
//! Generic code that needs `impl Sink<'buf>` takes a wrapper that meets `Self: 'buf`
//! (`DynSink::boxed(..)`): a wrapper is itself the borrow of its value, where
//! `&'short mut (dyn Sink<'buf> + 'buf)` keeps the object's lifetime apart from it.
//!
//! Without the `box` feature there is no default strategy: name one with
//! `with_strategy` (naming none is a compile-time error that says so).
//!
//! ## Items outside the vtable
//!
//! A trait may have items that cannot go through a vtable: a method without `self`, with
//! `Self` by value in an argument or as its return type, with const parameters or with
//! type parameters that are more than an `impl Trait` argument in disguise (`fn put<V:
//! Into<String>>(&self, v: V)`, one parameter per argument bounded by a trait that
//! `impl Trait` arguments adapt, goes through the vtable as `v: impl Into<String>`), whose
//! output nests an `impl Trait` (`async fn f(&self) -> Result<impl AsRef<str>, E>`), with
//! `where Self: Sized`, with a typed receiver other than `self: Box<Self>`
//! (`self: Arc<Self>`, `self: Rc<Self>`, `self: Pin<Box<Self>>`: a wrapper holds its
//! value by borrow or in a strategy and cannot hand it out that way), and associated
//! constants. (`self: &Self` and `self: &mut Self` are `&self` and `&mut self`.) `#[dyn_trait]` keeps the trait as
//! written (static dispatch is untouched) and leaves those items out of the vtable;
//! `DynFoo` offers every other method and still implements `Foo`, inheriting the
//! defaults of the items left out:
//!
//! ```
//! use dynptr::dyn_trait;
//!
//! #[dyn_trait(Send)]
//! trait Repo {
//!     async fn open(path: &str) -> u32; // no `self`: static dispatch only
//!     async fn get(&self, key: u32) -> u32;
//!     fn label() -> &'static str {
//!         "repo" // a default: the wrapper inherits it
//!     }
//! }
//!
//! struct Mem;
//! impl Repo for Mem {
//!     async fn open(path: &str) -> u32 {
//!         path.len() as u32
//!     }
//!     async fn get(&self, key: u32) -> u32 {
//!         key + 1
//!     }
//! }
//!
//! # futures::executor::block_on(async {
//! assert_eq!(<Mem as Repo>::open("abc").await, 3);
//! let mut mem = Mem;
//! let repo = DynRepo::new(&mut mem);
//! assert_eq!(repo.get(1).await, 2);
//! assert_eq!(<DynRepo<'_> as Repo>::label(), "repo");
//! # });
//! ```
//!
//! Using an item without a default on the wrapper fails to compile (when the call is
//! built: `cargo build`, not `cargo check`), with a message naming the item and why it
//! is outside the vtable:
//!
//! ```compile_fail,E0080
//! # use dynptr::dyn_trait;
//! #[dyn_trait]
//! trait Factory {
//!     fn create() -> u32;
//!     fn get(&self) -> u32;
//! }
//!
//! // error: dynptr: `Factory::create` cannot be called on a `DynFactory`: it has no
//! // `self`, so it does not go through the vtable, and it has no default body.
//! let _ = <DynFactory<'_> as Factory>::create();
//! ```
//!
//! The same for a generic method, `Self` by value, `where Self: Sized` and an
//! associated constant without a default:
//!
//! ```compile_fail,E0080
//! # use dynptr::dyn_trait;
//! #[dyn_trait]
//! trait Visitor {
//!     fn visit<T: Clone>(&mut self, value: T);
//!     fn count(&self) -> u32;
//! }
//! struct V;
//! impl Visitor for V {
//!     fn visit<T: Clone>(&mut self, _: T) {}
//!     fn count(&self) -> u32 { 0 }
//! }
//! let mut v = V;
//! DynVisitor::new(&mut v).visit(1u8);
//! ```
//!
//! ```compile_fail,E0080
//! # use dynptr::dyn_trait;
//! #[dyn_trait]
//! trait Merge {
//!     fn merge(&mut self, other: Self);
//!     fn size(&self) -> u32;
//! }
//! struct M;
//! impl Merge for M {
//!     fn merge(&mut self, _: Self) {}
//!     fn size(&self) -> u32 { 0 }
//! }
//! let (mut a, mut b) = (M, M);
//! let db = DynMerge::new(&mut b);
//! DynMerge::new(&mut a).merge(db);
//! ```
//!
//! ```compile_fail,E0080
//! # use dynptr::dyn_trait;
//! #[dyn_trait]
//! trait Cloner {
//!     fn duplicate(&self) -> Self
//!     where
//!         Self: Sized;
//!     fn id(&self) -> u32;
//! }
//! struct C;
//! impl Cloner for C {
//!     fn duplicate(&self) -> Self { C }
//!     fn id(&self) -> u32 { 7 }
//! }
//! let mut c = C;
//! let _ = DynCloner::new(&mut c).duplicate();
//! ```
//!
//! ```compile_fail,E0080
//! # use dynptr::dyn_trait;
//! # use std::sync::Arc;
//! #[dyn_trait]
//! trait Job {
//!     async fn run(self: Arc<Self>) -> u32;
//!     fn id(&self) -> u32;
//! }
//! struct J;
//! impl Job for J {
//!     async fn run(self: Arc<Self>) -> u32 { 1 }
//!     fn id(&self) -> u32 { 7 }
//! }
//! let mut j = J;
//! let _ = Arc::new(DynJob::new(&mut j)).run();
//! ```
//!
//! ```compile_fail,E0080
//! # use dynptr::dyn_trait;
//! #[dyn_trait]
//! trait Limits {
//!     const MAX: usize;
//!     fn len(&self) -> usize;
//! }
//! let _ = <DynLimits<'_> as Limits>::MAX;
//! ```
//!
//! ## Migrating
//!
//! One attribute on the trait; impls stay plain Rust. Step by step, for each peer:
//!
//! **From `async-trait`**
//!
//! 1. On the trait, `#[async_trait]` becomes `#[dyn_trait(Send)]`, and
//!    `#[async_trait(?Send)]` becomes `#[dyn_trait]`.
//! 2. Remove `#[async_trait]` from every impl: impls are native `async fn`s. (Left in
//!    place, rustc reports "lifetime parameters or bounds on method `..` do not match
//!    the trait declaration".)
//! 3. `Box<dyn Trait + Send + Sync>` becomes `DynTrait<'static>` made with
//!    `DynTrait::boxed(value)`; `&dyn Trait` becomes `DynTrait::from_ref(&value)`,
//!    `&mut dyn Trait` becomes `DynTrait::new(&mut value)`. `Arc<dyn Trait>` becomes
//!    `Arc<DynTrait<'static>>`; with `#[dyn_trait(bridge)]` it implements `Trait` itself.
//!    An `Arc<T>` you keep sharing goes in with `DynTrait::from_arc(Arc::clone(&arc))`.
//! 4. What carries over unchanged: methods without `self` or with `where Self: Sized`
//!    (static dispatch only; the wrapper inherits their defaults), `self: Arc<Self>` and
//!    other typed receivers (likewise), generic methods over `Into`/`Iterator`/`Fn*`/
//!    `Future` parameters (through the vtable), trait-level `where Self: Sized + Send`,
//!    default bodies (their value coerces to the declared type, `return` too), argument
//!    patterns, `unsafe trait` (add `unsafe(forward)`, the promise that forwarding keeps
//!    the contract, for the wrapper to implement it), `Sized`/`Send`/`Sync` supertraits
//!    written as paths, other standard supertraits (`Future`, `Hash`: the wrapper
//!    implements the trait where you implement them for it), an `async fn` whose output
//!    nests `impl Trait` without a default (it stays with static dispatch; the wrapper
//!    offers the other methods as its own and does not implement the trait).
//! 5. Under `(Send)` the macro adds the bounds a `Send` future needs, as async-trait
//!    does: `T: Sync` for a `&T` argument, `Self: Sync` for a default body taking
//!    `&self`. Generic code over the strategy writes `S: SendStrategy`.
//! 6. What does not: `&dyn Trait` of the trait itself (use the wrapper), recursion
//!    without boxing (as in any native `async fn`), the `'async_trait` lifetime, and a
//!    supertrait that is a plain trait of your own: the macro takes any supertrait it
//!    does not know for a `#[dyn_trait]` one (the error is "cannot find macro `Tag`":
//!    put `#[dyn_trait]` on `Tag`).
//!
//! **From `dynosaur`**
//!
//! 1. `#[dynosaur(DynNext = dyn(box) Next)]` becomes `#[dyn_trait]` (the wrapper is
//!    `DynNext` by default; `#[dyn_trait(wrapper = AnyNext)]` names it otherwise).
//!    `bridge(blanket)` is `bridge`; `bridge(dyn)` and `bridge(none)` are the default.
//! 2. `DynNext::new_box(value)` and `DynNext::from_mut(&mut value)` keep working; they
//!    return the sized wrapper itself, not a `Box<DynNext>` or a `&mut DynNext`, so
//!    `dyn_dispatch(DynNext::from_mut(&mut x))` becomes
//!    `dyn_dispatch(&mut DynNext::from_mut(&mut x))`.
//! 3. Each call's future lives where the strategy says: `Boxed` (dynosaur's behaviour)
//!    by default; `DynNext::with_strategy(&mut value, Cached::new())` or `Inline::<N>`
//!    remove the allocation per call.
//! 4. `impl Trait` arguments of a trait that is not `#[dyn_trait]` (dynosaur boxes them
//!    as `Box<dyn Foo>` given `impl Foo for Box<dyn Foo>`) need `#[dyn_trait]` on that
//!    trait; rustc then finds the `ErasedFoo` it looks for (without it, the error is
//!    "cannot find trait `ErasedFoo` in this scope").
//!
//! **From `trait_variant`**
//!
//! `#[trait_variant::make(Send)]` rewrites the trait's `async fn`s to `-> impl Future +
//! Send`; `#[dyn_trait(Send)]` does the same and adds the wrapper, so it replaces it.
//! A trait written by hand in that form (`fn get(&self) -> impl Future<Output = T> +
//! Send`, `-> impl Iterator<Item = T> + Send`) works under plain `#[dyn_trait]`: its
//! wrapper then needs a [`ThreadSafePointers`] strategy. Keeping `trait_variant::make`
//! beside `#[dyn_trait]` works too (both `Foo` and the variant it writes get a wrapper),
//! with `#[dyn_trait]` written once: `make` copies the trait's attributes onto the
//! variant, so a second one would define every generated item twice (E0428).
//!
//! **For everyone**: the wrapper is named `DynFoo` in the trait's module. If a `DynFoo`
//! of your own is there already, rustc reports E0428 "the name `DynFoo` is defined
//! multiple times" at the attribute, followed by errors from generated items that find
//! your `DynFoo` (a proc macro cannot see other items to warn first): name the wrapper
//! with `#[dyn_trait(wrapper = AnyFoo)]`.
//!
//! The ports are tested: `dynptr/tests/migration.rs` (the crates' README examples),
//! `partial.rs`, `receivers_typed.rs`, `generic_methods.rs`, `send_bounds.rs`,
//! `supertrait_paths.rs`, `bridges.rs`, `send_returns.rs`; the messages quoted above are
//! UI tests (`tests/ui/async_trait_left_on_impl.rs`, `plain_supertrait.rs`,
//! `impl_argument_of_a_plain_trait.rs`, `wrapper_name_taken.rs`).
//!
//! ## Sealed: a closed set of types, no vtable
//!
//! When every implementor is known, `#[sealed(Trait)]` on an enum of them implements
//! `Trait` for the enum by matching on the variant: no vtable, no allocation, no indirect
//! call, at the speed of static dispatch. Each variant holds one implementor
//! (`Name(Type)`); `From<Type>` is implemented for each; a variant whose type does not
//! implement the trait is a compile error on that variant. The enum is an ordinary
//! implementor, so it also goes into a `DynFoo` where open and sealed dispatch mix.
//!
//! ```
//! use dynptr::{dyn_trait, sealed};
//!
//! #[dyn_trait]
//! trait Shape {
//!     fn area(&self) -> f64;
//!     fn corners(&self) -> impl Iterator<Item = (i32, i32)>;
//! }
//!
//! struct Square(i32);
//! struct Dot;
//!
//! impl Shape for Square {
//!     fn area(&self) -> f64 {
//!         f64::from(self.0 * self.0)
//!     }
//!     fn corners(&self) -> impl Iterator<Item = (i32, i32)> {
//!         let s = self.0;
//!         [(0, 0), (s, 0), (s, s), (0, s)].into_iter()
//!     }
//! }
//!
//! impl Shape for Dot {
//!     fn area(&self) -> f64 {
//!         0.0
//!     }
//!     fn corners(&self) -> impl Iterator<Item = (i32, i32)> {
//!         core::iter::empty()
//!     }
//! }
//!
//! #[sealed(Shape)]
//! enum AnyShape {
//!     Square(Square),
//!     Dot(Dot),
//! }
//!
//! let shapes: [AnyShape; 2] = [Square(3).into(), Dot.into()];
//! assert_eq!(shapes.iter().map(|s| s.area()).sum::<f64>(), 9.0);
//! assert_eq!(shapes[0].corners().count(), 4);
//! ```
//!
//! Methods returning a future return an `async` block over the `match`; methods returning
//! `impl Iterator` (`DoubleEndedIterator`, `ExactSizeIterator`), `impl Debug` or
//! `impl Display` return a hidden enum of the variants' values that implements the
//! trait. A `pub` trait from another crate works too. Not yet: generic traits and
//! methods returning another `#[dyn_trait]` trait.
//!
//! ## Features
//!
//! - `box` (default): [`Boxed`], the heap strategy. Implies `alloc`.
//! - `macros` (default): [`dyn_trait`].
//! - `stack`: `Inline`, `Slot`/`SlotRef` (no allocator needed) and, with `alloc`,
//!   `InlineOr`. The alignment markers are in `dynptr::align`.
//! - `bump`: `Bumped`, the arena strategy. Implies `alloc`.
//! - `cache`: `Cached`, the recycled heap block. Implies `alloc`.
//! - `alloc`: strategies and conveniences that need an allocator.
//! - `std`: implies `alloc`.
//! - `futures`: `Stream` through dyn ([Streams](#streams)), on `futures-core` (no_std).
//!
//! Without default features the crate is `no_std` and needs no allocator.
#![no_std]
// docs.rs (`--cfg docsrs`, nightly) marks each feature-gated item with its feature.
#![cfg_attr(docsrs, feature(doc_cfg))]
#![doc(test(attr(deny(warnings), allow(dead_code))))]

// Generated code names `::dynptr`; let it resolve inside this crate too (`example`).
extern crate self as dynptr;

#[cfg(feature = "alloc")]
extern crate alloc;

pub use dynptr_core::{
    impl_coerce, Capacity, CoerceFrom, DynPtr, RejectReason, Rejected, SendStrategy, Strategy,
    ThreadSafePointers,
};

/// The strategy a `#[dyn_trait]` wrapper uses when none is named (`DynFoo::new(&mut
/// value)`, `DynFoo<'a>`): [`Boxed`] with the `box` feature.
#[cfg(feature = "box")]
pub type DefaultStrategy = dynptr_box::Boxed;

/// The strategy a `#[dyn_trait]` wrapper uses when none is named: without the `box`
/// feature there is none, and using it is a compile-time error that says to enable `box`
/// or to name a strategy with `with_strategy`.
#[cfg(not(feature = "box"))]
pub type DefaultStrategy = dynptr_core::__private::NoDefaultStrategy;

/// The tools a strategy author uses: the owning-pointer contract, the in-place entry
/// point's vouchers, the drop and layout helpers, and the receiver holders. Users of
/// `#[dyn_trait]` and of the provided strategies need none of it.
pub mod storage {
    #[cfg(all(feature = "alloc", target_has_atomic = "ptr"))]
    pub use crate::arc_holder::ArcHolder;
    pub use dynptr_core::{
        drop_in_place_then, drop_in_place_then_release, layout_of, with_metadata_of, write_coerced,
        write_with, Committed, DefaultHolder, GiveBack, Held, Holder, HoldsMut, HoldsRef, Out, OwningPtr,
        Placed, ReceiverSlot, Release, SharedHolder, Wrapper,
    };
    pub use dynptr_core::{HoldsPinned, PinHolder};
    #[cfg(feature = "stack")]
    pub use dynptr_stack::{align, Alignment};
}

#[cfg(all(feature = "alloc", target_has_atomic = "ptr"))]
mod arc_holder {
    use alloc::sync::Arc;

    use dynptr_core::HoldsRef;

    /// A wrapper's receiver held through an [`Arc`], shared with the `Arc`'s other
    /// owners: what `DynFoo::from_arc` stores, for a trait whose methods all take
    /// `&self`. The wrapper is then `'static` if the value is, and clones of the `Arc`
    /// stay usable beside it.
    #[derive(Debug)]
    pub struct ArcHolder<D: ?Sized>(Arc<D>);

    impl<D: ?Sized> ArcHolder<D> {
        /// Holds `arc` (unsized already: `Arc<dyn ErasedFoo<S>>`).
        #[inline]
        pub fn new(arc: Arc<D>) -> Self {
            ArcHolder(arc)
        }

        /// The `Arc` it holds.
        #[inline]
        pub fn arc(&self) -> &Arc<D> {
            &self.0
        }

        /// Gives the `Arc` back.
        #[inline]
        pub fn into_arc(self) -> Arc<D> {
            self.0
        }
    }

    impl<D: ?Sized> HoldsRef<D> for ArcHolder<D> {
        #[inline(always)]
        fn receiver(&self) -> &D {
            &self.0
        }
        #[inline]
        fn is_owned(&self) -> bool {
            true
        }
    }
}

pub use dynptr_core::call;

// The strategy author's tools, also at the root under their first names (see
// `storage`), and the names before the 2026-12 renames.
#[doc(hidden)]
pub use dynptr_core::{
    drop_in_place_then, drop_in_place_then_release, layout_of, with_metadata_of, write_coerced, Holder,
    HoldsMut, HoldsRef, OwningPtr, ReceiverSlot, Release, SharedHolder,
};
#[doc(hidden)]
pub use dynptr_core::{
    drop_then, drop_then_release, OwnedReceiver, Receiver, ReceiverMut, ReceiverOwned, ReceiverRef,
    SharedReceiver, ThreadSafe,
};

#[cfg(feature = "box")]
pub use dynptr_box::{AllocError, Allocator, BoxPtr, Boxed, Global};

#[cfg(feature = "stack")]
pub use dynptr_stack::{Inline, InlinePtr, Slot, SlotPtr, SlotRef};

#[cfg(feature = "stack")]
#[doc(hidden)]
pub use dynptr_stack::{align, Alignment};

#[cfg(all(feature = "stack", feature = "alloc"))]
pub use dynptr_stack::{InlineOr, InlineOrPtr};

#[cfg(feature = "macros")]
pub use dynptr_macros::{dyn_trait, sealed};

/// The trait of asynchronous streams (`futures-core`'s), for `-> impl Stream` and
/// `impl Stream` arguments in `#[dyn_trait]` traits: see [Streams](crate#streams).
#[cfg(feature = "futures")]
pub use futures_core::Stream;

/// What `#[dyn_trait]` generates for a sample trait (documentation only).
#[cfg(all(doc, feature = "macros", feature = "box"))]
pub mod example {
    /// The seed's trait. `#[dyn_trait]` generates [`DynAsyncIterator`] next to it.
    #[crate::dyn_trait]
    #[allow(async_fn_in_trait)]
    pub trait AsyncIterator {
        /// What it yields.
        type Item;
        /// The next item.
        async fn next(&mut self) -> Option<Self::Item>;
    }
}

#[cfg(feature = "bump")]
pub use dynptr_bump::{leaked_arenas, BumpPtr, Bumped, Reset};

#[cfg(feature = "cache")]
pub use dynptr_cache::{CachePtr, Cached};
// The same allocator-api2 items `Boxed` brings, when it does not.
#[cfg(all(feature = "cache", not(feature = "box")))]
pub use dynptr_cache::{AllocError, Allocator, Global};

/// The runtime that code generated by `#[dyn_trait]` calls. Not a public API.
#[doc(hidden)]
pub mod __private {
    pub use dynptr_core::__private::*;

    #[cfg(feature = "macros")]
    pub use dynptr_macros::__dyn_trait_callback as dyn_trait_callback;

    pub use crate::DefaultStrategy;

    #[cfg(feature = "box")]
    pub use dynptr_box::boxed_receiver;

    #[cfg(all(feature = "alloc", target_has_atomic = "ptr"))]
    pub use crate::arc_holder::ArcHolder;
    pub use crate::{__dynptr_if_alloc as if_alloc, __dynptr_if_arc as if_arc};
    #[cfg(feature = "alloc")]
    pub use ::alloc::boxed::Box;
    #[cfg(all(feature = "alloc", target_has_atomic = "ptr"))]
    pub use ::alloc::sync::Arc;

    /// Without the `box` feature, `DynFoo::boxed` fails to compile with a message.
    #[cfg(not(feature = "box"))]
    pub fn boxed_receiver<'a, T: 'a, D: ?Sized + 'a>(_: T) -> Holder<'a, D> {
        #[allow(clippy::let_unit_value)]
        let () = NoDefault::<T>::FAIL;
        unreachable!()
    }
}

// `bridge` impls for `Box<T>` and `Arc<T>` exist only where this crate has them.
#[doc(hidden)]
#[cfg(feature = "alloc")]
#[macro_export]
macro_rules! __dynptr_if_alloc {
    ($($t:tt)*) => { $($t)* };
}
#[doc(hidden)]
#[cfg(not(feature = "alloc"))]
#[macro_export]
macro_rules! __dynptr_if_alloc {
    ($($t:tt)*) => {};
}
#[doc(hidden)]
#[cfg(all(feature = "alloc", target_has_atomic = "ptr"))]
#[macro_export]
macro_rules! __dynptr_if_arc {
    ($($t:tt)*) => { $($t)* };
}
#[doc(hidden)]
#[cfg(not(all(feature = "alloc", target_has_atomic = "ptr")))]
#[macro_export]
macro_rules! __dynptr_if_arc {
    ($($t:tt)*) => {};
}

/// The README's examples, run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;

/// Compile-time errors whose checks run when the code is built (after `cargo check`),
/// so trybuild cannot show them: doctests that must fail to compile.
#[cfg(all(doctest, feature = "stack"))]
mod compile_fail_checks {
    /// A future too large for `Inline<N>` through a wrapper fails to compile, naming
    /// both sizes:
    ///
    /// ```compile_fail,E0080
    /// #[dynptr::dyn_trait]
    /// trait Big {
    ///     async fn fill(&mut self) -> u8;
    /// }
    /// struct B;
    /// impl Big for B {
    ///     async fn fill(&mut self) -> u8 {
    ///         let buf = [1u8; 256];
    ///         std::future::ready(()).await;
    ///         buf[7]
    ///     }
    /// }
    /// let mut b = B;
    /// let mut d = DynBig::with_strategy(&mut b, dynptr::Inline::<64>::new());
    /// // error: the value does not fit this strategy's storage: size 2.., capacity: size 64
    /// let _ = futures::executor::block_on(d.fill());
    /// ```
    ///
    /// The same with room for it compiles:
    ///
    /// ```
    /// #[dynptr::dyn_trait]
    /// trait Big {
    ///     async fn fill(&mut self) -> u8;
    /// }
    /// struct B;
    /// impl Big for B {
    ///     async fn fill(&mut self) -> u8 {
    ///         let buf = [1u8; 256];
    ///         std::future::ready(()).await;
    ///         buf[7]
    ///     }
    /// }
    /// let mut b = B;
    /// let mut d = DynBig::with_strategy(&mut b, dynptr::Inline::<512>::new());
    /// assert_eq!(futures::executor::block_on(d.fill()), 1);
    /// ```
    struct InlineTooSmallThroughAWrapper;
}
