//! dynptr on a real (emulated) Cortex-M3 without an allocator: `#![no_std]`,
//! `#![no_main]`, no `alloc`, no global allocator. One embassy task drives the seed's
//! `AsyncIterator` through `Inline` and a stack `Slot` (the wrapper from
//! `embedded-demo`), two `Sensor` implementors behind one `DynSensor`, and the seed's
//! `Widget`, prints the sums over semihosting and exits QEMU with status 0, or 1 on a
//! wrong sum. The cargo features build the variants measured in `README.md`.
#![no_std]
#![no_main]

mod drivers;
mod stack;

use core::hint::black_box;
#[cfg(not(any(feature = "static-dispatch", feature = "inline-only")))]
use core::pin::pin;

use cortex_m_rt::entry;
use cortex_m_semihosting::{debug, hprintln};
use embassy_executor::Executor;

#[cfg(not(feature = "static-dispatch"))]
use dynptr::Inline;
use embedded_demo::{sum, Count};

use drivers::{build_widget, sum_reads, Button, Ramp, Steps};

/// Items of each `AsyncIterator` run: `1 + .. + N`.
const N: u32 = 1000;
/// Reads per sensor.
const READS: u16 = 100;

const EXPECTED_ITER: u32 = N * (N + 1) / 2;
/// `Ramp(0)`: `1 + .. + 100`.
const EXPECTED_RAMP: u32 = 5050;
/// `Steps { next: 1000, step: 7 }`: `100 * 1000 + 7 * (0 + .. + 99)`.
const EXPECTED_STEPS: u32 = 134_650;
/// `Button::new(1)` plus the components 20 and 300.
const EXPECTED_WIDGET: u32 = 321;

const DISPATCH: &str = if cfg!(feature = "static-dispatch") {
    "static"
} else if cfg!(feature = "one-trait") {
    "dyn (Widget static)"
} else if cfg!(feature = "inline-only") {
    "dyn (Inline only)"
} else {
    "dyn"
};

#[entry]
fn main() -> ! {
    let executor =
        cortex_m::singleton!(: Executor = Executor::new()).expect("main runs once, so the singleton is free");
    executor.run(|spawner| {
        if spawner.spawn(run()).is_err() {
            fail("the task could not be spawned");
        }
    })
}

/// The bytes of stack one workload used below the task's own frame.
#[derive(Clone, Copy, Default)]
struct Depth {
    below_task: usize,
    total: usize,
}

/// Paints the free stack (below the task's frame), runs `f`, and reports how deep it went.
async fn measured<F: core::future::Future>(task_depth: usize, f: F) -> (F::Output, Depth) {
    stack::paint();
    let out = f.await;
    let total = stack::deepest();
    (
        out,
        Depth {
            below_task: total.saturating_sub(task_depth),
            total,
        },
    )
}

#[embassy_executor::task]
async fn run() {
    let task_depth = stack::reserved_top() - cortex_m::register::msp::read() as usize;
    hprintln!(
        "dynptr firmware: embassy-executor on lm3s6965evb (Cortex-M3), no allocator, dispatch: {}",
        DISPATCH
    );

    let (iter_inline, d_inline) = measured(task_depth, async {
        #[cfg_attr(feature = "static-dispatch", allow(unused_mut))]
        let mut it = Count::new(N);
        #[cfg(not(feature = "static-dispatch"))]
        let it = embedded_demo::DynAsyncIterator::with_strategy(black_box(&mut it), Inline::<64>::new());
        #[cfg(feature = "static-dispatch")]
        let it = black_box(it);
        sum(it).await
    })
    .await;

    let (iter_slot, d_slot) = measured(task_depth, async {
        #[cfg_attr(feature = "static-dispatch", allow(unused_mut))]
        let mut it = Count::new(N);
        #[cfg(not(any(feature = "static-dispatch", feature = "inline-only")))]
        let slot = pin!(dynptr::Slot::<64>::new());
        #[cfg(not(any(feature = "static-dispatch", feature = "inline-only")))]
        let it =
            embedded_demo::DynAsyncIterator::with_strategy(black_box(&mut it), dynptr::SlotRef::new(slot));
        #[cfg(all(feature = "inline-only", not(feature = "static-dispatch")))]
        let it = embedded_demo::DynAsyncIterator::with_strategy(black_box(&mut it), Inline::<64>::new());
        #[cfg(feature = "static-dispatch")]
        let it = black_box(it);
        sum(it).await
    })
    .await;

    let ((ramp, steps), d_sensors) = measured(task_depth, async {
        let (mut ramp, mut steps) = (Ramp(0), Steps { next: 1000, step: 7 });
        #[cfg(not(feature = "static-dispatch"))]
        {
            // Two implementors behind one type: the array's element is `DynSensor`.
            let mut sensors = [
                drivers::DynSensor::with_strategy(&mut ramp, Inline::<32>::new()),
                drivers::DynSensor::with_strategy(&mut steps, Inline::<32>::new()),
            ];
            let [a, b] = black_box(&mut sensors);
            (sum_reads(a, READS).await, sum_reads(b, READS).await)
        }
        #[cfg(feature = "static-dispatch")]
        {
            (
                sum_reads(black_box(&mut ramp), READS).await,
                sum_reads(black_box(&mut steps), READS).await,
            )
        }
    })
    .await;

    let (widget, d_widget) = measured(task_depth, async {
        let mut button = Button::new(1);
        #[cfg(not(any(feature = "static-dispatch", feature = "one-trait")))]
        let mut w = drivers::DynWidget::with_strategy(&mut button, Inline::<32>::new());
        #[cfg(not(any(feature = "static-dispatch", feature = "one-trait")))]
        let w = black_box(&mut w);
        #[cfg(any(feature = "static-dispatch", feature = "one-trait"))]
        let w = black_box(&mut button);
        build_widget(w).await
    })
    .await;

    hprintln!("AsyncIterator, Inline<64>: 1 + .. + {} = {}", N, iter_inline);
    hprintln!("AsyncIterator, Slot<64>: 1 + .. + {} = {}", N, iter_slot);
    hprintln!(
        "Sensor x2, Inline<32>: {} reads each = {} + {} = {}",
        READS,
        ramp,
        steps,
        ramp + steps
    );
    hprintln!("Widget, Inline<32>: components 1 + 20 + 300 = {}", widget);
    let deepest = [d_inline, d_slot, d_sensors, d_widget]
        .into_iter()
        .fold(Depth::default(), |a, b| Depth {
            below_task: a.below_task.max(b.below_task),
            total: a.total.max(b.total),
        });
    hprintln!(
        "stack below the task (bytes): iterator inline {}, iterator slot {}, sensors {}, widget {}",
        d_inline.below_task,
        d_slot.below_task,
        d_sensors.below_task,
        d_widget.below_task
    );
    hprintln!(
        "stack: deepest {} bytes from the top ({} of them below the task), {} bytes reserved",
        deepest.total,
        deepest.below_task,
        stack::reserved()
    );

    let ok = iter_inline == EXPECTED_ITER
        && iter_slot == EXPECTED_ITER
        && ramp == EXPECTED_RAMP
        && steps == EXPECTED_STEPS
        && widget == EXPECTED_WIDGET;
    if ok {
        hprintln!("result: ok");
        debug::exit(debug::EXIT_SUCCESS);
    } else {
        fail("a sum is wrong");
    }
    loop {
        cortex_m::asm::wfi();
    }
}

/// Prints `why` and exits QEMU with a failure status.
fn fail(why: &str) -> ! {
    hprintln!("result: FAILED: {}", why);
    debug::exit(debug::EXIT_FAILURE);
    loop {
        cortex_m::asm::wfi();
    }
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    hprintln!("panic: {}", info);
    debug::exit(debug::EXIT_FAILURE);
    loop {
        cortex_m::asm::wfi();
    }
}
