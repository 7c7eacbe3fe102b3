//! A tour of dynptr: the seed post's `AsyncIterator` sum loop, through static dispatch,
//! a hand-written poll-based dyn trait (the floor no strategy can beat) and dynptr's
//! strategies (`Boxed`, `Inline`, `InlineOr`, the stack `Slot`, `Bumped`, a shared
//! `&Bumped` arena, `Cached`), with the time per item, the heap allocations per item and
//! the peak heap growth (counted by a `#[global_allocator]`), the process's peak resident
//! memory, and the ratio to the floor measured in this same run. A second table runs
//! the heap strategies with a future that holds 4 KiB across an await point ([`Big`]).
//!
//! ```text
//! cargo run --release --example tour
//! DYNPTR_TOUR_ITEMS=1000000 cargo run --release --example tour
//! DYNPTR_TOUR_ONLY=slot cargo run --release --example tour   # one variant (for callgrind)
//! ```
//!
//! `DYNPTR_TOUR_ONLY` takes a comma-separated list of variant keys (`static`, `floor`,
//! `boxed`, `boxed-macro`, `inline`, `inline-or`, `slot`, `bumped`, `bumped-shared`,
//! `cached`, and `static-4k`, `floor-4k`, `boxed-4k`, `bumped-4k`, `cached-4k`) or parts
//! of variant names, and runs only those (for a profiler such as callgrind: the
//! difference between two item counts, divided by the difference in items, gives that
//! variant's instructions per item).
//!
//! The dyn wrapper used here, `DynAsyncIterator`, is written by hand in
//! `tests/common/async_iter.rs`: exactly the shape `#[dyn_trait]` generates.

#[allow(dead_code, unreachable_pub)]
#[path = "../tests/common/async_iter.rs"]
mod async_iter;

use core::hint::black_box;
use core::pin::{pin, Pin};
use std::time::Instant;

use core::task::{Context, Poll};

use async_iter::{block_on, sum_dyn, sum_poll, sum_static, AsyncIterator, Count, DynAsyncIterator, PollNext};
use dynptr::{Boxed, Strategy};
use dynptr_bump::Bumped;
use dynptr_cache::Cached;
use dynptr_core::testkit::{count_global, CountingGlobalAllocator};
use dynptr_stack::{Inline, InlineOr, Slot, SlotRef};

/// The same trait through `#[dyn_trait]`: the generated wrapper must cost what the
/// hand-written one costs.
mod generated {
    /// The seed's trait, with the macro.
    #[dynptr::dyn_trait]
    #[allow(async_fn_in_trait)]
    pub(crate) trait AsyncIterator {
        /// What it yields.
        type Item;
        /// The next item.
        async fn next(&mut self) -> Option<Self::Item>;
    }

    impl AsyncIterator for super::Count {
        type Item = u32;
        #[inline]
        async fn next(&mut self) -> Option<u32> {
            self.step()
        }
    }

    /// A second implementor, so the sealed enum has a real choice to make.
    pub(crate) struct Countdown(pub(crate) u32);

    impl AsyncIterator for Countdown {
        type Item = u32;
        #[inline]
        async fn next(&mut self) -> Option<u32> {
            self.0 = self.0.checked_sub(1)?;
            Some(self.0 + 1)
        }
    }

    /// The sealed strategy: an enum over a closed set of implementors, dispatched by a
    /// `match` (no vtable, no allocation).
    #[dynptr::sealed(AsyncIterator)]
    pub(crate) enum AnyIter {
        Count(super::Count),
        Countdown(Countdown),
    }
}

/// Static-dispatch sum over the generated trait (used with the sealed enum). Wrapping sum.
async fn sum_generated_static(mut v: impl generated::AsyncIterator<Item = u32>) -> u32 {
    let mut result = 0u32;
    while let Some(i) = v.next().await {
        result = result.wrapping_add(i);
    }
    result
}

/// `sum_dyn` over the generated wrapper. Wrapping sum.
async fn sum_generated<S: Strategy>(v: &mut generated::DynAsyncIterator<'_, u32, S>) -> u32 {
    use generated::AsyncIterator;
    let mut result = 0u32;
    while let Some(i) = v.next().await {
        result = result.wrapping_add(i);
    }
    result
}

/// The kit's counting allocator: `System`, counting every allocation and its bytes, and
/// tracking the heap's growth and its peak, inside [`count_global`].
///
/// Counting is switched off during the timed rounds: on this kind of machine the
/// `lock`-prefixed atomic increments per allocation cost about 5 ns each, which would
/// more than double the measured time of a strategy that allocates once per item. A
/// separate, untimed round counts. With counting off, each allocation pays one relaxed
/// load of the switch (a plain `mov`) and a thread-local increment.
#[global_allocator]
static GLOBAL: CountingGlobalAllocator = CountingGlobalAllocator;

/// Each variant runs this many times; the fastest round is reported.
const ROUNDS: usize = 3;
/// The floor's name: the other rows' time is given as a multiple of its (in each table).
const FLOOR: &str = "poll-based dyn, floor (sum_poll)";
/// Items per round unless `DYNPTR_TOUR_ITEMS` says otherwise.
const DEFAULT_ITEMS: u32 = 10_000_000;

/// One measured variant.
struct Row {
    /// The future it drives: `Count`'s tiny one, or [`Big`]'s 4 KiB one.
    group: Group,
    name: &'static str,
    sum: u32,
    ns_per_item: f64,
    allocs_per_item: f64,
    bytes_per_item: f64,
    /// The heap's largest growth during the counted round, in bytes.
    peak_heap: isize,
    /// The process's peak resident memory during the counted round, in KiB (Linux).
    peak_rss_kib: Option<u64>,
}

/// Resets the kernel's peak-RSS mark of this process to its current RSS (Linux; `false`
/// elsewhere).
fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// The process's peak resident memory since the last [`reset_peak_rss`], in KiB (Linux).
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Runs `round` once over `items` items counting allocations, then [`ROUNDS`] times
/// timed (counting off); reports the fastest timed round.
fn measure(group: Group, name: &'static str, items: u32, mut round: impl FnMut(u32) -> u32) -> Row {
    eprintln!("running {name}: 1 counted round, {ROUNDS} timed rounds, {items} items each...");
    let per_item = |x: f64| x / f64::from(items.max(1));

    let rss_reset = reset_peak_rss();
    let (sum, counts) = count_global(|| black_box(round(black_box(items))));
    let peak_heap = counts.peak_growth;
    let peak_rss_kib = if rss_reset { peak_rss_kib() } else { None };
    let (allocs, bytes) = (counts.allocations, counts.bytes);

    let mut best = f64::INFINITY;
    for _ in 0..ROUNDS {
        let start = Instant::now();
        let round_sum = black_box(round(black_box(items)));
        let elapsed = start.elapsed();
        assert_eq!(round_sum, sum, "{name}: rounds disagree");
        best = best.min(per_item(elapsed.as_nanos() as f64));
    }
    Row {
        group,
        name,
        sum,
        ns_per_item: best,
        allocs_per_item: per_item(allocs as f64),
        bytes_per_item: per_item(bytes as f64),
        peak_heap,
        peak_rss_kib,
    }
}

/// Prints one table, with the time as a multiple of its floor row's.
fn table(title: &str, rows: &[&Row], items: u32) {
    let floor = rows
        .iter()
        .find(|row| row.name == FLOOR)
        .map(|row| row.ns_per_item);
    println!();
    println!("{title}, {items} items; time: fastest of {ROUNDS} rounds; allocations and memory: counted in a separate round");
    println!();
    println!(
        "| {:<34} | {:>10} | {:>7} | {:>11} | {:>10} | {:>10} | {:>12} | {:>7} |",
        "strategy", "sum", "ns/item", "allocs/item", "bytes/item", "peak heap", "peak RSS KiB", "x floor"
    );
    println!(
        "|{:-<36}|{:->12}|{:->9}|{:->13}|{:->12}|{:->12}|{:->14}|{:->9}|",
        "", ":", ":", ":", ":", ":", ":", ":"
    );
    for row in rows {
        let rss = row
            .peak_rss_kib
            .map_or_else(|| "n/a".to_string(), |kib| kib.to_string());
        let ratio = floor.map_or_else(
            || "n/a".to_string(),
            |floor| format!("{:.2}", row.ns_per_item / floor),
        );
        println!(
            "| {:<34} | {:>10} | {:>7.2} | {:>11.2} | {:>10.1} | {:>10} | {:>12} | {:>7} |",
            row.name,
            row.sum,
            row.ns_per_item,
            row.allocs_per_item,
            row.bytes_per_item,
            row.peak_heap,
            rss,
            ratio
        );
    }
}

/// Which future a variant drives; each group gets its own table and floor.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Group {
    /// `Count::next`: a future that holds `&mut Count` and is ready at once.
    Tiny,
    /// [`Big::next`](AsyncIterator::next): a future that holds 4 KiB across an await.
    Big,
}

impl Group {
    /// The items a round of this group runs: all of them for the tiny future, a tenth
    /// for the 4 KiB one (about 50 ns an item).
    fn items(self, items: u32) -> u32 {
        match self {
            Group::Tiny => items,
            Group::Big => (items / 10).max(1),
        }
    }
}

/// [`Count`], but the future of [`AsyncIterator::next`] holds a 4 KiB buffer across an
/// await point (the inner `Count::next`), as a future with a large local state does. The
/// buffer is zeroed and handed to [`black_box`] on every call, so it really is in the
/// future's state; it stays zero, and the items are those of `Count`.
struct Big(Count);

impl AsyncIterator for Big {
    type Item = u32;

    #[inline]
    async fn next(&mut self) -> Option<u32> {
        let mut buf = [0u8; 4096];
        black_box(&mut buf);
        let item = self.0.next().await?;
        Some(item + u32::from(buf[item as usize % 4096]))
    }
}

/// The poll-based floor for [`Big`]: the same buffer, on the stack of `poll_next`.
impl PollNext for Big {
    #[inline]
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<u32>> {
        let mut buf = [0u8; 4096];
        black_box(&mut buf);
        match Pin::new(&mut self.0).poll_next(cx) {
            Poll::Ready(Some(item)) => Poll::Ready(Some(item + u32::from(buf[item as usize % 4096]))),
            other => other,
        }
    }
}

fn main() {
    let items: u32 = match std::env::var("DYNPTR_TOUR_ITEMS") {
        Ok(s) => s.trim().replace('_', "").parse().unwrap_or_else(|e| {
            eprintln!("DYNPTR_TOUR_ITEMS={s:?} is not a u32 item count: {e}");
            std::process::exit(2)
        }),
        Err(_) => DEFAULT_ITEMS,
    };

    let only: Option<Vec<String>> = std::env::var("DYNPTR_TOUR_ONLY")
        .ok()
        .map(|s| s.split(',').map(|k| k.trim().to_string()).collect());
    let wanted = |key: &str| only.as_ref().is_none_or(|keys| keys.iter().any(|k| k == key));

    type Round = Box<dyn FnMut(u32) -> u32>;
    let variants: Vec<(&str, &'static str, Round)> = vec![
        (
            "static",
            "static dispatch (sum_static)",
            Box::new(|n| block_on(sum_static(Count::new(n)))),
        ),
        (
            "floor",
            FLOOR,
            Box::new(|n| {
                let mut it = Count::new(n);
                // `black_box` hides the concrete type: a real indirect call per item.
                let v: Pin<&mut dyn PollNext> = black_box(Pin::new(&mut it) as Pin<&mut dyn PollNext>);
                sum_poll(v)
            }),
        ),
        (
            "boxed",
            "dynptr Boxed (sum_dyn)",
            Box::new(|n| {
                let mut it = Count::new(n);
                let mut d: DynAsyncIterator<'_, u32, Boxed> = DynAsyncIterator::new(&mut it);
                // As above: the optimizer must not see through the vtable.
                block_on(sum_dyn(black_box(&mut d)))
            }),
        ),
        (
            "boxed-macro",
            "dynptr Boxed (#[dyn_trait])",
            Box::new(|n| {
                let mut it = Count::new(n);
                let mut d = generated::DynAsyncIterator::with_strategy(&mut it, Boxed::new());
                block_on(sum_generated(black_box(&mut d)))
            }),
        ),
        (
            "inline-macro",
            "dynptr Inline<64> (#[dyn_trait])",
            Box::new(|n| {
                let mut it = Count::new(n);
                let mut d = generated::DynAsyncIterator::with_strategy(&mut it, Inline::<64>::new());
                block_on(sum_generated(black_box(&mut d)))
            }),
        ),
        (
            "inline-or-macro",
            "dynptr InlineOr<64> (#[dyn_trait])",
            Box::new(|n| {
                let mut it = Count::new(n);
                let mut d = generated::DynAsyncIterator::with_strategy(&mut it, InlineOr::<64>::new());
                block_on(sum_generated(black_box(&mut d)))
            }),
        ),
        (
            "slot-macro",
            "dynptr Slot<64> (#[dyn_trait])",
            Box::new(|n| {
                let mut it = Count::new(n);
                let slot = pin!(Slot::<64>::new());
                let mut d = generated::DynAsyncIterator::with_strategy(&mut it, SlotRef::new(slot));
                block_on(sum_generated(black_box(&mut d)))
            }),
        ),
        (
            "bumped-macro",
            "dynptr Bumped (#[dyn_trait])",
            Box::new(|n| {
                let mut it = Count::new(n);
                let mut d = generated::DynAsyncIterator::with_strategy(&mut it, Bumped::new());
                block_on(sum_generated(black_box(&mut d)))
            }),
        ),
        (
            "cached-macro",
            "dynptr Cached (#[dyn_trait])",
            Box::new(|n| {
                let mut it = Count::new(n);
                let mut d = generated::DynAsyncIterator::with_strategy(&mut it, Cached::new());
                block_on(sum_generated(black_box(&mut d)))
            }),
        ),
        (
            "sealed",
            "dynptr #[sealed] enum (match)",
            Box::new(|n| {
                // `black_box` hides which variant it is: a real `match` per call.
                let it: generated::AnyIter = black_box(Count::new(n).into());
                block_on(sum_generated_static(it))
            }),
        ),
        (
            "inline",
            "dynptr Inline<64> (sum_dyn)",
            Box::new(|n| {
                let mut it = Count::new(n);
                let mut d: DynAsyncIterator<'_, u32, Inline<64>> = DynAsyncIterator::new(&mut it);
                block_on(sum_dyn(black_box(&mut d)))
            }),
        ),
        (
            "inline-or",
            "dynptr InlineOr<64> (sum_dyn)",
            Box::new(|n| {
                let mut it = Count::new(n);
                let mut d: DynAsyncIterator<'_, u32, InlineOr<64>> = DynAsyncIterator::new(&mut it);
                block_on(sum_dyn(black_box(&mut d)))
            }),
        ),
        (
            "slot",
            "dynptr Slot<64> (sum_dyn)",
            Box::new(|n| {
                let mut it = Count::new(n);
                // Reserved once on this stack frame, reused by every call.
                let slot = pin!(Slot::<64>::new());
                let mut d = DynAsyncIterator::with_strategy(&mut it, SlotRef::new(slot));
                block_on(sum_dyn(black_box(&mut d)))
            }),
        ),
        (
            "bumped",
            "dynptr Bumped (sum_dyn)",
            Box::new(|n| {
                let mut it = Count::new(n);
                let mut d: DynAsyncIterator<'_, u32, Bumped> = DynAsyncIterator::new(&mut it);
                block_on(sum_dyn(black_box(&mut d)))
            }),
        ),
        (
            "bumped-shared",
            "dynptr &Bumped, shared arena",
            Box::new(|n| {
                let arena = Bumped::new();
                let mut it = Count::new(n);
                let mut d = DynAsyncIterator::with_strategy(&mut it, &arena);
                block_on(sum_dyn(black_box(&mut d)))
            }),
        ),
        (
            "cached",
            "dynptr Cached (sum_dyn)",
            Box::new(|n| {
                let mut it = Count::new(n);
                let mut d: DynAsyncIterator<'_, u32, Cached> = DynAsyncIterator::new(&mut it);
                block_on(sum_dyn(black_box(&mut d)))
            }),
        ),
    ];
    let big: Vec<(&str, &'static str, Round)> = vec![
        (
            "static-4k",
            "static dispatch (sum_static)",
            Box::new(|n| block_on(sum_static(Big(Count::new(n))))),
        ),
        (
            "floor-4k",
            FLOOR,
            Box::new(|n| {
                let mut it = Big(Count::new(n));
                let v: Pin<&mut dyn PollNext> = black_box(Pin::new(&mut it) as Pin<&mut dyn PollNext>);
                sum_poll(v)
            }),
        ),
        (
            "boxed-4k",
            "dynptr Boxed (sum_dyn)",
            Box::new(|n| {
                let mut it = Big(Count::new(n));
                let mut d: DynAsyncIterator<'_, u32, Boxed> = DynAsyncIterator::new(&mut it);
                block_on(sum_dyn(black_box(&mut d)))
            }),
        ),
        (
            "bumped-4k",
            "dynptr Bumped (sum_dyn)",
            Box::new(|n| {
                let mut it = Big(Count::new(n));
                let mut d: DynAsyncIterator<'_, u32, Bumped> = DynAsyncIterator::new(&mut it);
                block_on(sum_dyn(black_box(&mut d)))
            }),
        ),
        (
            "cached-4k",
            "dynptr Cached (sum_dyn)",
            Box::new(|n| {
                let mut it = Big(Count::new(n));
                let mut d: DynAsyncIterator<'_, u32, Cached> = DynAsyncIterator::new(&mut it);
                block_on(sum_dyn(black_box(&mut d)))
            }),
        ),
    ];
    let groups = [(Group::Tiny, variants), (Group::Big, big)];
    let keys: Vec<&str> = groups
        .iter()
        .flat_map(|(_, v)| v.iter().map(|(key, _, _)| *key))
        .chain(["widget"])
        .collect();
    // A word of `DYNPTR_TOUR_ONLY` that is a key selects that variant only (the 4 KiB
    // table reuses the names of the first, so `floor` must not pick both floors); any
    // other word selects the variants whose name contains it.
    let selects = |key: &str, name: &str| {
        only.as_ref().is_none_or(|words| {
            words.iter().any(|w| {
                if keys.contains(&w.as_str()) {
                    w == key
                } else {
                    name.contains(w.as_str())
                }
            })
        })
    };
    let rows: Vec<Row> = groups
        .into_iter()
        .flat_map(|(group, variants)| variants.into_iter().map(move |v| (group, v)))
        .filter(|(_, (key, name, _))| selects(key, name))
        // The 4 KiB future costs ~50 ns an item: a tenth of the items keeps the tour short.
        .map(|(group, (_, name, round))| measure(group, name, group.items(items), round))
        .collect();
    if rows.is_empty() && !wanted("widget") {
        eprintln!("DYNPTR_TOUR_ONLY={only:?} matches no variant");
        std::process::exit(2);
    }

    for (group, title) in [
        (Group::Tiny, "AsyncIterator sum loop"),
        (
            Group::Big,
            "AsyncIterator sum loop, a future holding 4 KiB across an await (Big)",
        ),
    ] {
        let rows: Vec<&Row> = rows.iter().filter(|row| row.group == group).collect();
        if !rows.is_empty() {
            table(title, &rows, group.items(items));
        }
    }
    println!();
    println!(
        "peak heap: the largest growth of the heap (bytes allocated minus freed) during the counted round"
    );
    println!("peak RSS: the process's peak resident memory during the counted round (VmHWM, Linux), binary included");
    println!();
    for row in &rows {
        let n = row.group.items(items);
        let expected = (1..=n).fold(0u32, u32::wrapping_add);
        assert_eq!(row.sum, expected, "{}: wrong sum", row.name);
    }
    println!("all sums equal 1 + 2 + .. + n (mod 2^32) for their n");

    if only.is_none() || wanted("widget") {
        widget::table(items / 100);
    }
}

/// The seed's `Widget`, verbatim, through `#[dyn_trait]` and every strategy that can
/// serve it: `augment` takes `impl Into<WidgetComponent>`, `components` returns
/// `impl Iterator`, `transmit` takes `self` by value and an `impl Factory`.
mod widget {
    use core::cell::Cell;
    use core::future::Future;
    use core::mem::size_of;
    use std::time::Instant;

    use dynptr::{Boxed, DynPtr, Strategy};
    use dynptr_bump::Bumped;
    use dynptr_cache::Cached;
    use dynptr_stack::InlineOr;

    use dynptr_core::testkit::count_global;

    use super::block_on;

    /// A part of a widget.
    #[derive(Clone, Debug, PartialEq)]
    pub(crate) struct WidgetComponent(pub(crate) u32);

    impl From<u32> for WidgetComponent {
        fn from(n: u32) -> Self {
            WidgetComponent(n)
        }
    }

    /// Builds something from a widget's parts.
    #[dynptr::dyn_trait]
    #[allow(async_fn_in_trait)]
    pub(crate) trait Factory {
        /// Takes the parts.
        async fn build(&mut self, parts: Vec<WidgetComponent>);
    }

    /// The seed post's trait.
    #[dynptr::dyn_trait]
    #[allow(async_fn_in_trait)]
    pub(crate) trait Widget {
        /// Adds a component.
        async fn augment(&mut self, component: impl Into<WidgetComponent>);
        /// The components so far.
        fn components(&self) -> impl Iterator<Item = WidgetComponent>;
        /// Hands the widget to a factory.
        async fn transmit(self, factory: impl Factory);
    }

    struct Button(Vec<WidgetComponent>);

    impl Widget for Button {
        async fn augment(&mut self, component: impl Into<WidgetComponent>) {
            self.0.push(component.into());
        }
        fn components(&self) -> impl Iterator<Item = WidgetComponent> {
            self.0.clone().into_iter()
        }
        async fn transmit(self, mut factory: impl Factory) {
            factory.build(self.0).await;
        }
    }

    struct Tally<'t>(&'t Cell<u64>);

    impl Factory for Tally<'_> {
        async fn build(&mut self, parts: Vec<WidgetComponent>) {
            self.0
                .set(self.0.get() + parts.iter().map(|p| u64::from(p.0)).sum::<u64>());
        }
    }

    /// One widget's life: boxed, augmented twice, its components read, transmitted.
    fn one<S: Strategy + Default>(i: u32, built: &Cell<u64>) -> usize {
        let mut w = DynWidget::boxed_with_strategy(Button(Vec::with_capacity(2)), S::default());
        block_on(w.augment(i));
        block_on(w.augment(WidgetComponent(1)));
        let n = w.components().count();
        block_on(w.transmit(Tally(built)));
        n
    }

    fn row<S: Strategy + Default + 'static>(name: &str, rounds: u32) {
        let built = Cell::new(0);
        let ((ns, parts), counts) = count_global(|| {
            let start = Instant::now();
            let mut parts = 0;
            for i in 0..rounds {
                parts += one::<S>(i, &built);
            }
            (
                start.elapsed().as_nanos() as f64 / f64::from(rounds.max(1)),
                parts,
            )
        });
        let allocs = counts.allocations as f64 / f64::from(rounds.max(1));
        let expected = (0..u64::from(rounds)).sum::<u64>() + u64::from(rounds);
        assert_eq!(built.get(), expected, "{name}: wrong result");
        let ptr = size_of::<DynPtr<'static, dyn Future<Output = ()> + 'static, S>>();
        println!(
            "| {name:<22} | {:>8} | {ns:>9.1} | {allocs:>12.2} | {ptr:>13} |",
            built.get() % 1_000_000
        );
        let _ = parts;
    }

    pub(crate) fn table(rounds: u32) {
        eprintln!("running the seed's Widget through each strategy, {rounds} widgets...");
        println!();
        println!("The seed's Widget (augment x2, components, transmit), {rounds} widgets; allocations counted while timing");
        println!();
        println!(
            "| {:<22} | {:>8} | {:>9} | {:>12} | {:>13} |",
            "strategy", "result", "ns/widget", "allocs/widget", "pointer bytes"
        );
        println!(
            "|{:-<24}|{:->10}|{:->11}|{:->14}|{:->15}|",
            "", ":", ":", ":", ":"
        );
        row::<Boxed>("Boxed", rounds);
        row::<InlineOr<64>>("InlineOr<64>", rounds);
        row::<Cached>("Cached", rounds);
        row::<Bumped>("Bumped", rounds);
        println!();
        println!("result: the factory's tally mod 10^6 (the same in every row); pointer bytes: size of the");
        println!("returned `DynPtr` to a future. `Inline<N>` cannot serve `transmit`: its future holds a");
        println!(
            "`DynFactory<Inline<N>>`, itself `N` bytes, so it never fits (a compile-time error says so);"
        );
        println!(
            "the stack slot is not `Default`, which `impl Factory` arguments need for their own strategy."
        );
        println!(
            "Every widget is boxed (`DynWidget::boxed`): `transmit` takes `self`, so the wrapper owns it."
        );
    }
}
