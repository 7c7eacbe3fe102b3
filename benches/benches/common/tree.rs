//! A 5-deep async call tree through dyn at each level: every inner node awaits its two
//! children in turn (31 nodes, 31 dyn calls per root call, futures nested 5 deep). The
//! Fuchsia netstack3 measurements are an anchor for this shape (native 639 ns against
//! 1.82 µs boxed for their call tree).
//!
//! Inline storage nests: a node's future holds its child's pointer, so the capacity
//! grows by level (`Inline`, stackfuture and dynify get 64, 128, .. 320 bytes from the
//! leaves up). The non-moving strategies (slot, arena) hold only a handle to the
//! child's future and keep one size.

use core::future::Future;
use core::hint::black_box;
use core::mem::MaybeUninit;
use core::pin::Pin;
use core::task::{Context, Poll, Waker};

use dynify::Dynify;
use dynptr::{dyn_trait, Boxed, Bumped, Cached, Inline, InlineOr, Slot, SlotRef, Strategy};
use smallbox::space::S64;
use smallbox::{smallbox, SmallBox};
use stackfuture::StackFuture;
use tokio_util::sync::ReusableBoxFuture;

use super::alloc::FORWARD;
use super::async_iter::block_on;
use super::{Variants, Workload};

pub(crate) static WORKLOAD: Workload = Workload {
    key: "tree",
    title: "5-deep async call tree, dyn at each level (31 calls)",
    unit: "call tree",
    units_per_n: 1,
    bench_n: 1_000,
    diff_n: (10_000, 20_000),
};

/// Levels below the root: the root is level 0, the leaves level 4.
const DEPTH: u32 = 4;

/// Capacity at each level, for the storage that holds that level's futures: a level-k
/// future holds a level-(k+1) pointer, a few words more.
const L4: usize = 64;
const L3: usize = L4 + 64;
const L2: usize = L3 + 64;
const L1: usize = L2 + 64;
const L0: usize = L1 + 64;
/// One slot size for every node: an inner node's future holds its children's call
/// futures (a slot pointer and the call's state) besides its own.
const SLOT: usize = 96;

pub(crate) static VARIANTS: Variants = &[
    ("static", "static dispatch", run_static),
    ("floor", "poll-based dyn (floor)", run_floor),
    ("async-trait", "async-trait", run_async_trait),
    ("dynosaur", "dynosaur", run_dynosaur),
    (
        "stackfuture",
        "stackfuture (N = 64 .. 320 by level)",
        run_stackfuture,
    ),
    ("reusable-box", "tokio-util ReusableBoxFuture", run_reusable_box),
    ("dynify", "dynify `.init(&mut [u8; 64 .. 320])`", run_dynify),
    (
        "smallbox",
        "smallbox `SmallBox<_, S64>` (leaves inline, others on the heap)",
        run_smallbox,
    ),
    ("boxed", "dynptr Boxed", run_boxed),
    ("boxed-in", "dynptr Boxed<&'static A>", run_boxed_in),
    ("inline", "dynptr Inline<64 .. 320 by level>", run_inline),
    (
        "inline-or",
        "dynptr InlineOr<64> (leaves inline, others boxed)",
        run_inline_or,
    ),
    ("slot", "dynptr Slot<96>, one per node", run_slot),
    ("bumped", "dynptr Bumped, one per node", run_bumped),
    (
        "bumped-shared",
        "dynptr &Bumped, one arena for the tree",
        run_bumped_shared,
    ),
    ("cached", "dynptr Cached, one per node", run_cached),
];

/// A leaf's value.
#[inline(always)]
fn leaf(salt: u32, x: u32) -> u32 {
    x.wrapping_mul(0x9E37_79B9) ^ salt
}

/// An inner node's value from its children's: the second child's argument depends on
/// the first child's result, so the calls are sequential.
#[inline(always)]
fn combine(a: u32, b: u32) -> u32 {
    a ^ b.rotate_left(5)
}

/// The second child's argument.
#[inline(always)]
fn second(x: u32, a: u32) -> u32 {
    x.wrapping_add(a)
}

/// A leaf's salt, hidden from the optimizer.
fn salt(i: u32) -> u32 {
    black_box(i.wrapping_mul(7) | 1)
}

/// The node trait, through `#[dyn_trait]`.
#[dyn_trait]
#[allow(async_fn_in_trait)]
pub(crate) trait Node {
    async fn eval(&mut self, x: u32) -> u32;
}

/// A leaf.
#[derive(Debug)]
pub(crate) struct Leaf(u32);

impl Node for Leaf {
    #[inline]
    async fn eval(&mut self, x: u32) -> u32 {
        leaf(self.0, x)
    }
}

/// An inner node over children of type `C`: `Inner<Leaf>` .. nested for static dispatch,
/// `Inner<DynNode<..>>` for dyn.
#[derive(Debug)]
pub(crate) struct Inner<C> {
    kids: [C; 2],
}

impl<C: Node> Node for Inner<C> {
    #[inline]
    async fn eval(&mut self, x: u32) -> u32 {
        let a = self.kids[0].eval(x).await;
        let b = self.kids[1].eval(second(x, a)).await;
        combine(a, b)
    }
}

/// Runs `n` root calls, with arguments `0..n`; the checksum xors the results.
fn drive(n: u32, mut call: impl AsyncFnMut(u32) -> u32) -> u64 {
    block_on(async {
        let mut acc = 0u32;
        for i in 0..n {
            acc = acc.wrapping_add(call(i).await);
        }
        u64::from(acc)
    })
}

/// Leaf salts are numbered left to right.
struct Salts(u32);

impl Salts {
    fn next(&mut self) -> u32 {
        self.0 += 1;
        salt(self.0)
    }
}

fn run_static(n: u32) -> u64 {
    fn build<C>(kid: &mut impl FnMut() -> C) -> Inner<C> {
        Inner { kids: [kid(), kid()] }
    }
    let mut salts = Salts(0);
    let mut root = build(&mut || build(&mut || build(&mut || build(&mut || Leaf(salts.next())))));
    drive(n, async |x| root.eval(x).await)
}

// ---------------------------------------------------------------------------------------
// dynptr: the tree of `#[dyn_trait]` wrappers, each owning its node (boxed once, when the
// tree is built) and a strategy of its own; level k uses strategy `Sk`.
// ---------------------------------------------------------------------------------------

/// Makes the strategy for each new wrapper of one level.
trait Make<S> {
    fn make(&mut self) -> S;
}

impl<S, F: FnMut() -> S> Make<S> for F {
    fn make(&mut self) -> S {
        self()
    }
}

type Dyn<'a, S> = DynNode<'a, S>;

#[allow(clippy::type_complexity)]
fn build_dyn<'a, S0, S1, S2, S3, S4>(
    salts: &mut Salts,
    m: &mut (
        impl Make<S0>,
        impl Make<S1>,
        impl Make<S2>,
        impl Make<S3>,
        impl Make<S4>,
    ),
) -> Dyn<'a, S0>
where
    S0: Strategy + 'a,
    S1: Strategy + 'a,
    S2: Strategy + 'a,
    S3: Strategy + 'a,
    S4: Strategy + 'a,
{
    fn node<'a, C: Node + 'a, S: Strategy + 'a>(kids: [C; 2], s: S) -> Dyn<'a, S> {
        DynNode::boxed_with_strategy(Inner { kids }, s)
    }
    let mut l4 = || Dyn::boxed_with_strategy(Leaf(salts.next()), m.4.make());
    let mut l3 = || node([l4(), l4()], m.3.make());
    let mut l2 = || node([l3(), l3()], m.2.make());
    let mut l1 = || node([l2(), l2()], m.1.make());
    node([l1(), l1()], m.0.make())
}

fn run_tree<'a, S0, S1, S2, S3, S4>(
    n: u32,
    mut m: (
        impl Make<S0>,
        impl Make<S1>,
        impl Make<S2>,
        impl Make<S3>,
        impl Make<S4>,
    ),
) -> u64
where
    S0: Strategy + 'a,
    S1: Strategy + 'a,
    S2: Strategy + 'a,
    S3: Strategy + 'a,
    S4: Strategy + 'a,
{
    let mut root = build_dyn(&mut Salts(0), &mut m);
    let root = black_box(&mut root);
    drive(n, async |x| root.eval(x).await)
}

/// The same strategy at every level.
fn run_uniform<'a, S: Strategy + 'a>(n: u32, mut make: impl FnMut() -> S) -> u64 {
    // Five (copies of one) closures share `make`.
    let make = core::cell::RefCell::new(&mut make);
    let m = || make.borrow_mut()();
    run_tree::<S, S, S, S, S>(n, (m, m, m, m, m))
}

fn run_boxed(n: u32) -> u64 {
    run_uniform(n, Boxed::new)
}

fn run_boxed_in(n: u32) -> u64 {
    run_uniform(n, || Boxed::new_in(&FORWARD))
}

fn run_inline(n: u32) -> u64 {
    run_tree(
        n,
        (
            Inline::<L0>::new,
            Inline::<L1>::new,
            Inline::<L2>::new,
            Inline::<L3>::new,
            Inline::<L4>::new,
        ),
    )
}

fn run_inline_or(n: u32) -> u64 {
    run_uniform(n, InlineOr::<L4>::new)
}

fn run_slot(n: u32) -> u64 {
    // One slot per node, pinned in boxes that outlive the tree.
    let mut slots: Vec<Pin<Box<Slot<SLOT>>>> = (0..31).map(|_| Box::pin(Slot::new())).collect();
    let mut slots = slots.iter_mut();
    run_uniform(n, move || SlotRef::new(slots.next().expect("31 slots").as_mut()))
}

fn run_bumped(n: u32) -> u64 {
    run_uniform(n, Bumped::new)
}

fn run_bumped_shared(n: u32) -> u64 {
    let arena = Bumped::new();
    run_uniform(n, || &arena)
}

// ---------------------------------------------------------------------------------------
// The floor: a poll-based node trait; an inner node keeps its progress in itself.
// ---------------------------------------------------------------------------------------

/// `poll_eval` is called with the same `x` until it is ready.
pub(crate) trait PollNode {
    fn poll_eval(&mut self, x: u32, cx: &mut Context<'_>) -> Poll<u32>;
}

impl PollNode for Leaf {
    #[inline]
    fn poll_eval(&mut self, x: u32, _cx: &mut Context<'_>) -> Poll<u32> {
        Poll::Ready(leaf(self.0, x))
    }
}

struct PollInner {
    kids: [Box<dyn PollNode>; 2],
    /// The first child's result, once it is ready.
    first: Option<u32>,
}

impl PollNode for PollInner {
    #[inline]
    fn poll_eval(&mut self, x: u32, cx: &mut Context<'_>) -> Poll<u32> {
        let a = match self.first {
            Some(a) => a,
            None => match self.kids[0].poll_eval(x, cx) {
                Poll::Ready(a) => a,
                Poll::Pending => return Poll::Pending,
            },
        };
        match self.kids[1].poll_eval(second(x, a), cx) {
            Poll::Ready(b) => {
                self.first = None;
                Poll::Ready(combine(a, b))
            }
            Poll::Pending => {
                self.first = Some(a);
                Poll::Pending
            }
        }
    }
}

fn run_floor(n: u32) -> u64 {
    fn build(depth: u32, salts: &mut Salts) -> Box<dyn PollNode> {
        if depth == 0 {
            Box::new(Leaf(salts.next()))
        } else {
            let kids = [build(depth - 1, salts), build(depth - 1, salts)];
            Box::new(PollInner { kids, first: None })
        }
    }
    let mut root = build(DEPTH, &mut Salts(0));
    let root: &mut dyn PollNode = black_box(&mut *root);
    let mut cx = Context::from_waker(Waker::noop());
    let mut acc = 0u32;
    for i in 0..n {
        let r = loop {
            if let Poll::Ready(r) = root.poll_eval(i, &mut cx) {
                break r;
            }
        };
        acc = acc.wrapping_add(r);
    }
    u64::from(acc)
}

fn run_cached(n: u32) -> u64 {
    run_uniform(n, Cached::new)
}

// ---------------------------------------------------------------------------------------
// Peers.
// ---------------------------------------------------------------------------------------

mod at {
    use super::{combine, leaf, second, Leaf};

    #[async_trait::async_trait(?Send)]
    pub(crate) trait Node {
        async fn eval(&mut self, x: u32) -> u32;
    }

    #[async_trait::async_trait(?Send)]
    impl Node for Leaf {
        async fn eval(&mut self, x: u32) -> u32 {
            leaf(self.0, x)
        }
    }

    pub(crate) struct Inner {
        pub(crate) kids: [Box<dyn Node>; 2],
    }

    #[async_trait::async_trait(?Send)]
    impl Node for Inner {
        async fn eval(&mut self, x: u32) -> u32 {
            let a = self.kids[0].eval(x).await;
            let b = self.kids[1].eval(second(x, a)).await;
            combine(a, b)
        }
    }
}

fn run_async_trait(n: u32) -> u64 {
    fn build(depth: u32, salts: &mut Salts) -> Box<dyn at::Node> {
        if depth == 0 {
            Box::new(Leaf(salts.next()))
        } else {
            let kids = [build(depth - 1, salts), build(depth - 1, salts)];
            Box::new(at::Inner { kids })
        }
    }
    let mut root = build(DEPTH, &mut Salts(0));
    let root = black_box(&mut root);
    drive(n, async |x| root.eval(x).await)
}

mod dy {
    use super::{combine, leaf, second, Leaf};

    #[dynosaur::dynosaur(pub(crate) DynNode = dyn(box) Node)]
    #[allow(async_fn_in_trait)]
    pub(crate) trait Node {
        async fn eval(&mut self, x: u32) -> u32;
    }

    impl Node for Leaf {
        #[inline]
        async fn eval(&mut self, x: u32) -> u32 {
            leaf(self.0, x)
        }
    }

    pub(crate) struct Inner {
        pub(crate) kids: [Box<DynNode<'static>>; 2],
    }

    impl Node for Inner {
        #[inline]
        async fn eval(&mut self, x: u32) -> u32 {
            let a = self.kids[0].eval(x).await;
            let b = self.kids[1].eval(second(x, a)).await;
            combine(a, b)
        }
    }
}

fn run_dynosaur(n: u32) -> u64 {
    use dy::Node as _;
    fn build(depth: u32, salts: &mut Salts) -> Box<dy::DynNode<'static>> {
        if depth == 0 {
            dy::DynNode::new_box(Leaf(salts.next()))
        } else {
            let kids = [build(depth - 1, salts), build(depth - 1, salts)];
            dy::DynNode::new_box(dy::Inner { kids })
        }
    }
    let mut root = build(DEPTH, &mut Salts(0));
    let root = black_box(&mut root);
    drive(n, async |x| root.eval(x).await)
}

/// stackfuture: level k returns a `StackFuture` of capacity `N` (the level's capacity).
pub(crate) trait SfNode<const N: usize> {
    fn eval(&mut self, x: u32) -> StackFuture<'_, u32, N>;
}

impl<const N: usize> SfNode<N> for Leaf {
    #[inline]
    fn eval(&mut self, x: u32) -> StackFuture<'_, u32, N> {
        StackFuture::from(Node::eval(self, x))
    }
}

/// An inner node whose children return `StackFuture`s of capacity `M`.
struct SfInner<const M: usize> {
    kids: [Box<dyn SfNode<M> + Send>; 2],
}

impl<const M: usize, const N: usize> SfNode<N> for SfInner<M> {
    #[inline]
    fn eval(&mut self, x: u32) -> StackFuture<'_, u32, N> {
        StackFuture::from(async move {
            let a = self.kids[0].eval(x).await;
            let b = self.kids[1].eval(second(x, a)).await;
            combine(a, b)
        })
    }
}

fn run_stackfuture(n: u32) -> u64 {
    fn node<const M: usize, const N: usize>(
        kid: &mut impl FnMut() -> Box<dyn SfNode<M> + Send>,
    ) -> Box<dyn SfNode<N> + Send> {
        Box::new(SfInner::<M> { kids: [kid(), kid()] })
    }
    let mut salts = Salts(0);
    let mut l4 = || Box::new(Leaf(salts.next())) as Box<dyn SfNode<L4> + Send>;
    let mut l3 = || node::<L4, L3>(&mut l4);
    let mut l2 = || node::<L3, L2>(&mut l3);
    let mut l1 = || node::<L2, L1>(&mut l2);
    let mut root: Box<dyn SfNode<L0> + Send> = node::<L1, L0>(&mut l1);
    let root = black_box(&mut root);
    drive(n, async |x| root.eval(x).await)
}

/// See `tiny::RbIterator`: futures own what they use, so a node moves into its future
/// and comes back with the result; each inner node keeps one `ReusableBoxFuture` per
/// child.
pub(crate) trait RbNode: Send {
    fn eval_into(self: Box<Self>, x: u32, slot: &mut ReusableBoxFuture<'static, RbOutput>);
}

type RbOutput = (u32, Box<dyn RbNode>);

fn rb_slot() -> ReusableBoxFuture<'static, RbOutput> {
    ReusableBoxFuture::new(core::future::pending())
}

impl RbNode for Leaf {
    #[inline]
    fn eval_into(self: Box<Self>, x: u32, slot: &mut ReusableBoxFuture<'static, RbOutput>) {
        slot.set(async move {
            let mut this = self;
            let r = Node::eval(&mut *this, x).await;
            (r, this as Box<dyn RbNode>)
        });
    }
}

struct RbInner {
    kids: [Option<Box<dyn RbNode>>; 2],
    slots: [ReusableBoxFuture<'static, RbOutput>; 2],
}

impl RbInner {
    async fn call(&mut self, i: usize, x: u32) -> u32 {
        let kid = self.kids[i].take().expect("a child is home between calls");
        kid.eval_into(x, &mut self.slots[i]);
        let (r, kid) = (&mut self.slots[i]).await;
        self.kids[i] = Some(kid);
        r
    }
}

impl RbNode for RbInner {
    #[inline]
    fn eval_into(self: Box<Self>, x: u32, slot: &mut ReusableBoxFuture<'static, RbOutput>) {
        slot.set(async move {
            let mut this = self;
            let a = this.call(0, x).await;
            let b = this.call(1, second(x, a)).await;
            (combine(a, b), this as Box<dyn RbNode>)
        });
    }
}

fn run_reusable_box(n: u32) -> u64 {
    fn build(depth: u32, salts: &mut Salts) -> Box<dyn RbNode> {
        if depth == 0 {
            Box::new(Leaf(salts.next()))
        } else {
            let kids = [Some(build(depth - 1, salts)), Some(build(depth - 1, salts))];
            Box::new(RbInner {
                kids,
                slots: [rb_slot(), rb_slot()],
            })
        }
    }
    let mut root = Some(black_box(build(DEPTH, &mut Salts(0))));
    let mut slot = rb_slot();
    block_on(async {
        let mut acc = 0u32;
        for i in 0..n {
            root.take().expect("home").eval_into(i, &mut slot);
            let (r, back) = (&mut slot).await;
            root = Some(back);
            acc = acc.wrapping_add(r);
        }
        u64::from(acc)
    })
}

mod dn {
    use super::{combine, leaf, second, Leaf};
    use core::mem::MaybeUninit;
    use dynify::Dynify;

    #[dynify::dynify]
    #[allow(async_fn_in_trait)]
    pub(crate) trait Node {
        async fn eval(&mut self, x: u32) -> u32;
    }

    impl Node for Leaf {
        #[inline]
        async fn eval(&mut self, x: u32) -> u32 {
            leaf(self.0, x)
        }
    }

    /// Its children's futures are initialised in a `M`-byte buffer in its own future.
    pub(crate) struct Inner<const M: usize> {
        pub(crate) kids: [Box<dyn DynNode>; 2],
    }

    impl<const M: usize> Node for Inner<M> {
        #[inline]
        async fn eval(&mut self, x: u32) -> u32 {
            let mut buf = [MaybeUninit::<u8>::uninit(); M];
            let a = self.kids[0].eval(x).init(&mut buf).await;
            let b = self.kids[1].eval(second(x, a)).init(&mut buf).await;
            combine(a, b)
        }
    }
}

fn run_dynify(n: u32) -> u64 {
    fn node<const M: usize>(kid: &mut impl FnMut() -> Box<dyn dn::DynNode>) -> Box<dyn dn::DynNode> {
        Box::new(dn::Inner::<M> { kids: [kid(), kid()] })
    }
    let mut salts = Salts(0);
    let mut l4 = || Box::new(Leaf(salts.next())) as Box<dyn dn::DynNode>;
    let mut l3 = || node::<L4>(&mut l4);
    let mut l2 = || node::<L3>(&mut l3);
    let mut l1 = || node::<L2>(&mut l2);
    let mut root = node::<L1>(&mut l1);
    let root: &mut dyn dn::DynNode = black_box(&mut *root);
    let mut buf = [MaybeUninit::<u8>::uninit(); L0];
    drive(n, async |x| root.eval(x).init(&mut buf).await)
}

/// smallbox: every node returns a `SmallBox` with 512 bytes of inline space. A leaf's
/// future fits; an inner node's holds its child's `SmallBox` (512 bytes and a pointer)
/// and goes to the heap.
pub(crate) trait SbNode {
    fn eval(&mut self, x: u32) -> SmallBox<dyn Future<Output = u32> + '_, S64>;
}

impl SbNode for Leaf {
    #[inline]
    fn eval(&mut self, x: u32) -> SmallBox<dyn Future<Output = u32> + '_, S64> {
        smallbox!(Node::eval(self, x))
    }
}

struct SbInner {
    kids: [Box<dyn SbNode>; 2],
}

impl SbNode for SbInner {
    #[inline]
    fn eval(&mut self, x: u32) -> SmallBox<dyn Future<Output = u32> + '_, S64> {
        smallbox!(async move {
            let a = self.kids[0].eval(x).await;
            let b = self.kids[1].eval(second(x, a)).await;
            combine(a, b)
        })
    }
}

fn run_smallbox(n: u32) -> u64 {
    fn build(depth: u32, salts: &mut Salts) -> Box<dyn SbNode> {
        if depth == 0 {
            Box::new(Leaf(salts.next()))
        } else {
            let kids = [build(depth - 1, salts), build(depth - 1, salts)];
            Box::new(SbInner { kids })
        }
    }
    let mut root = build(DEPTH, &mut Salts(0));
    let root: &mut dyn SbNode = black_box(&mut *root);
    drive(n, async |x| root.eval(x).await)
}

/// Whether smallbox stores a leaf's future, and a lowest inner node's, on the heap.
pub(crate) fn smallbox_on_heap() -> [bool; 2] {
    let mut leaf = Leaf(1);
    let mut inner = SbInner {
        kids: [Box::new(Leaf(2)), Box::new(Leaf(3))],
    };
    let leaf_on_heap = SbNode::eval(&mut leaf, 0).is_heap();
    let inner_on_heap = SbNode::eval(&mut inner, 0).is_heap();
    [leaf_on_heap, inner_on_heap]
}
