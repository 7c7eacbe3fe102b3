//! A method returning `impl Iterator` through dyn: each call returns an iterator over
//! the next 8 values of a counter, which the caller sums. Per call: the returned
//! iterator's storage, one dyn call to get it and 9 to drain it.

use core::hint::black_box;
use core::mem::MaybeUninit;
use core::pin::pin;

use dynify::Dynify;
use dynptr::{dyn_trait, Boxed, Bumped, Cached, Inline, InlineOr, Slot, SlotRef, Strategy};
use smallbox::space::S64;
use smallbox::{smallbox, SmallBox};

use super::alloc::FORWARD;
use super::{Variants, Workload};

pub(crate) static WORKLOAD: Workload = Workload {
    key: "iter",
    title: "`-> impl Iterator` through dyn, 8 items per call",
    unit: "call",
    units_per_n: 1,
    bench_n: 2_000,
    diff_n: (20_000, 40_000),
};

/// Items per returned iterator.
const ROW: u32 = 8;
/// Capacity of the fixed-size variants.
const CAP: usize = 64;

pub(crate) static VARIANTS: Variants = &[
    ("static", "static dispatch", run_static),
    ("floor", "hand-written cursor, `&mut dyn` (floor)", run_floor),
    (
        "box-by-hand",
        "`Box<dyn Iterator>` by hand (async-trait's approach)",
        run_box_by_hand,
    ),
    ("dynosaur", "dynosaur", run_dynosaur),
    ("dynify", "dynify `.init(&mut [u8; 64])`", run_dynify),
    ("smallbox", "smallbox `SmallBox<_, S64>` (inline)", run_smallbox),
    ("boxed", "dynptr Boxed", run_boxed),
    ("boxed-in", "dynptr Boxed<&'static A>", run_boxed_in),
    ("inline", "dynptr Inline<64>", run_inline),
    ("inline-or", "dynptr InlineOr<64>", run_inline_or),
    ("slot", "dynptr Slot<64>", run_slot),
    ("bumped", "dynptr Bumped", run_bumped),
    (
        "bumped-shared",
        "dynptr &Bumped (shared arena)",
        run_bumped_shared,
    ),
    ("cached", "dynptr Cached", run_cached),
];

/// A counter handing out rows of `ROW` values.
#[derive(Debug)]
pub(crate) struct Rows {
    next: u32,
    /// All ones, hidden from the optimizer (see `Count`).
    mask: u32,
}

impl Rows {
    fn new() -> Self {
        Rows {
            next: 0,
            mask: black_box(u32::MAX),
        }
    }

    #[inline(always)]
    fn step(&mut self) -> u32 {
        self.next = self.next.wrapping_add(1) & self.mask;
        self.next
    }

    /// The iterator every variant returns.
    #[inline(always)]
    fn row(&mut self) -> impl Iterator<Item = u32> + '_ {
        (0..ROW).map(move |_| self.step())
    }
}

/// The trait, through `#[dyn_trait]`.
#[dyn_trait]
pub(crate) trait Source {
    fn items(&mut self) -> impl Iterator<Item = u32> + '_;
}

impl Source for Rows {
    #[inline]
    fn items(&mut self) -> impl Iterator<Item = u32> + '_ {
        self.row()
    }
}

/// Sums `$n` rows, each the iterator `$items` evaluates to.
macro_rules! sum_rows {
    ($n:expr, $items:expr) => {{
        let mut sum = 0u32;
        for _ in 0..$n {
            for x in $items {
                sum = sum.wrapping_add(x);
            }
        }
        u64::from(sum)
    }};
}

fn run_static(n: u32) -> u64 {
    let mut rows = Rows::new();
    sum_rows!(n, Source::items(&mut rows))
}

/// The floor: the caller drives a cursor the callee keeps in itself, so there is no
/// returned value to store; as many dyn calls as through `DynPtr<dyn Iterator>`.
pub(crate) trait Cursor {
    fn start(&mut self);
    fn next_item(&mut self) -> Option<u32>;
}

struct RowCursor {
    rows: Rows,
    left: u32,
}

impl Cursor for RowCursor {
    #[inline]
    fn start(&mut self) {
        self.left = ROW;
    }
    #[inline]
    fn next_item(&mut self) -> Option<u32> {
        self.left = self.left.checked_sub(1)?;
        Some(self.rows.step())
    }
}

fn run_floor(n: u32) -> u64 {
    let mut cursor = RowCursor {
        rows: Rows::new(),
        left: 0,
    };
    let c: &mut dyn Cursor = black_box(&mut cursor);
    let mut sum = 0u32;
    for _ in 0..n {
        c.start();
        while let Some(x) = c.next_item() {
            sum = sum.wrapping_add(x);
        }
    }
    u64::from(sum)
}

#[inline(always)]
fn run_dynptr<S: Strategy>(n: u32, s: S) -> u64 {
    let mut rows = Rows::new();
    let mut d = DynSource::with_strategy(&mut rows, s);
    let d = black_box(&mut d);
    sum_rows!(n, d.items())
}

fn run_boxed(n: u32) -> u64 {
    run_dynptr(n, Boxed::new())
}

fn run_boxed_in(n: u32) -> u64 {
    run_dynptr(n, Boxed::new_in(&FORWARD))
}

fn run_inline(n: u32) -> u64 {
    run_dynptr(n, Inline::<CAP>::new())
}

fn run_inline_or(n: u32) -> u64 {
    run_dynptr(n, InlineOr::<CAP>::new())
}

fn run_slot(n: u32) -> u64 {
    let slot = pin!(Slot::<CAP>::new());
    run_dynptr(n, SlotRef::new(slot))
}

fn run_bumped(n: u32) -> u64 {
    run_dynptr(n, Bumped::new())
}

fn run_bumped_shared(n: u32) -> u64 {
    let arena = Bumped::new();
    run_dynptr(n, &arena)
}

fn run_cached(n: u32) -> u64 {
    run_dynptr(n, Cached::new())
}

// ---------------------------------------------------------------------------------------
// Peers. async-trait, stackfuture and ReusableBoxFuture handle futures only.
// ---------------------------------------------------------------------------------------

/// What async-trait does for futures, by hand for an iterator.
pub(crate) trait BoxSource {
    fn items(&mut self) -> Box<dyn Iterator<Item = u32> + '_>;
}

impl BoxSource for Rows {
    #[inline]
    fn items(&mut self) -> Box<dyn Iterator<Item = u32> + '_> {
        Box::new(self.row())
    }
}

fn run_box_by_hand(n: u32) -> u64 {
    let mut rows = Rows::new();
    let s: &mut dyn BoxSource = black_box(&mut rows);
    sum_rows!(n, s.items())
}

mod dy {
    #[dynosaur::dynosaur(pub(crate) DynSource = dyn(box) Source)]
    pub(crate) trait Source {
        fn items(&mut self) -> impl Iterator<Item = u32> + '_;
    }

    impl Source for super::Rows {
        #[inline]
        fn items(&mut self) -> impl Iterator<Item = u32> + '_ {
            self.row()
        }
    }
}

fn run_dynosaur(n: u32) -> u64 {
    use dy::Source as _;
    let mut rows = Rows::new();
    let s = black_box(dy::DynSource::from_mut(&mut rows));
    sum_rows!(n, s.items())
}

mod dn {
    #[dynify::dynify]
    pub(crate) trait Source {
        fn items(&mut self) -> impl Iterator<Item = u32> + '_;
    }

    impl Source for super::Rows {
        #[inline]
        fn items(&mut self) -> impl Iterator<Item = u32> + '_ {
            self.row()
        }
    }
}

fn run_dynify(n: u32) -> u64 {
    let mut rows = Rows::new();
    let s: &mut dyn dn::DynSource = black_box(&mut rows);
    let mut buf = [MaybeUninit::<u8>::uninit(); CAP];
    let mut sum = 0u32;
    for _ in 0..n {
        let mut it = s.items().init(&mut buf);
        for x in &mut *it {
            sum = sum.wrapping_add(x);
        }
    }
    u64::from(sum)
}

/// smallbox: the iterator moves into a `SmallBox` with 512 bytes of inline space (or to
/// the heap when a check of its size at run time says it does not fit).
pub(crate) trait SbSource {
    fn items(&mut self) -> SmallBox<dyn Iterator<Item = u32> + '_, S64>;
}

impl SbSource for Rows {
    #[inline]
    fn items(&mut self) -> SmallBox<dyn Iterator<Item = u32> + '_, S64> {
        smallbox!(self.row())
    }
}

fn run_smallbox(n: u32) -> u64 {
    let mut rows = Rows::new();
    let s: &mut dyn SbSource = black_box(&mut rows);
    let mut sum = 0u32;
    for _ in 0..n {
        let mut it = s.items();
        for x in &mut *it {
            sum = sum.wrapping_add(x);
        }
    }
    u64::from(sum)
}

/// Whether smallbox stores this workload's iterator on the heap.
pub(crate) fn smallbox_on_heap() -> bool {
    let mut rows = Rows::new();
    let on_heap = SbSource::items(&mut rows).is_heap();
    on_heap
}
