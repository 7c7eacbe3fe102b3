//! A stack slot cannot leak its memory, so a slot holding an abandoned (forgotten)
//! value aborts the process when it is next used with no free place, or dropped.
//!
//! Each scenario runs in a child process: this test binary again, with
//! `DYNPTR_STACK_ABORT` naming the scenario and only the test `child` selected. The
//! parent asserts the child was killed by `SIGABRT` after printing the slot's message.
//! Miri cannot spawn processes, so the parents are skipped there.

use core::future::Future;
use core::pin::pin;
use std::process::Command;

use dynptr_core::testkit::poll_once;
use dynptr_core::DynPtr;
use dynptr_stack::{Slot, SlotRef};
use tokio::sync::Notify;

const SCENARIO: &str = "DYNPTR_STACK_ABORT";

/// Runs `scenario` in a child process and checks that it aborted with `message`.
fn expect_abort(scenario: &str, message: &str) {
    let exe = std::env::current_exe().expect("path of the test binary");
    let out = Command::new(exe)
        .args(["--exact", "child", "--nocapture", "--test-threads=1"])
        .env(SCENARIO, scenario)
        .output()
        .expect("spawn the test binary");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success(),
        "{scenario}: the child did not abort; stderr:\n{stderr}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(
            out.status.signal(),
            Some(6),
            "{scenario}: expected SIGABRT, got {:?}; stderr:\n{stderr}",
            out.status
        );
    }
    assert!(
        stderr.contains(message),
        "{scenario}: the child's stderr lacks {message:?}:\n{stderr}"
    );
    assert!(
        stderr.contains(&format!("scenario {scenario}: before")),
        "{scenario}: the scenario did not start:\n{stderr}"
    );
    assert!(
        !stderr.contains(&format!("scenario {scenario}: after")),
        "{scenario}: the child went on after the abort point:\n{stderr}"
    );
}

/// The child: does nothing unless `DYNPTR_STACK_ABORT` names a scenario.
#[test]
fn child() {
    let Ok(scenario) = std::env::var(SCENARIO) else {
        return;
    };
    eprintln!("scenario {scenario}: start");
    match scenario.as_str() {
        "next-use" => next_use_after_forget(&scenario),
        "drop" => drop_with_abandoned(&scenario),
        "notify" => notify_forget_then_call(&scenario),
        "all-places" => every_place_abandoned(&scenario),
        "none" => eprintln!("scenario none: before"),
        other => panic!("unknown scenario {other}"),
    }
    eprintln!("scenario {scenario}: after");
}

fn next_use_after_forget(scenario: &str) {
    let slot = pin!(Slot::<64>::new());
    let mut strategy = SlotRef::new(slot);
    let p: DynPtr<'_, dyn Iterator<Item = u8>, _> = DynPtr::new(&mut strategy, 0..3u8);
    core::mem::forget(p);
    eprintln!("scenario {scenario}: before");
    let _q: DynPtr<'_, dyn Iterator<Item = u8>, _> = DynPtr::new(&mut strategy, 0..3u8);
}

fn drop_with_abandoned(scenario: &str) {
    {
        let slot = pin!(Slot::<64>::new());
        let mut strategy = SlotRef::new(slot);
        let p: DynPtr<'_, dyn Iterator<Item = u8>, _> = DynPtr::new(&mut strategy, 0..3u8);
        core::mem::forget(p);
        eprintln!("scenario {scenario}: before");
    }
}

/// The Notify scenario of rule 1 with a one-place slot on the stack: the call after
/// the forget aborts before anything can touch the abandoned waiter node.
fn notify_forget_then_call(scenario: &str) {
    static NOTIFY: Notify = Notify::const_new();
    let slot = pin!(Slot::<128>::new());
    let mut strategy = SlotRef::new(slot);
    let mut fut = Box::pin(DynPtr::<dyn Future<Output = ()>, _>::new(
        &mut strategy,
        NOTIFY.notified(),
    ));
    assert!(poll_once(fut.as_mut()).is_pending());
    core::mem::forget(fut);
    eprintln!("scenario {scenario}: before");
    let _next: DynPtr<'_, dyn Future<Output = u8>, _> = DynPtr::new(&mut strategy, async { 1 });
    NOTIFY.notify_waiters();
}

/// Two places: the first forget is survived, the second makes the next use abort.
fn every_place_abandoned(scenario: &str) {
    let slot = pin!(Slot::<64, dynptr_stack::align::A16, 2>::new());
    let mut strategy = SlotRef::new(slot);
    let p: DynPtr<'_, dyn Iterator<Item = u8>, _> = DynPtr::new(&mut strategy, 0..3u8);
    core::mem::forget(p);
    // Still usable: one place is free.
    let q: DynPtr<'_, dyn Iterator<Item = u8>, _> = DynPtr::new(&mut strategy, 0..3u8);
    assert_eq!(q.sum::<u8>(), 3);
    let p: DynPtr<'_, dyn Iterator<Item = u8>, _> = DynPtr::new(&mut strategy, 0..3u8);
    core::mem::forget(p);
    eprintln!("scenario {scenario}: before");
    let _r: DynPtr<'_, dyn Iterator<Item = u8>, _> = DynPtr::new(&mut strategy, 0..3u8);
}

const NO_FREE_PLACE: &str = "every place of this Slot holds an abandoned (forgotten) value";
const DROPPED: &str = "a Slot is dropped while it holds an abandoned (forgotten) value";

#[test]
#[cfg_attr(miri, ignore = "spawns a process")]
fn next_use_of_a_slot_holding_an_abandoned_value_aborts() {
    expect_abort("next-use", NO_FREE_PLACE);
}

#[test]
#[cfg_attr(miri, ignore = "spawns a process")]
fn dropping_a_slot_holding_an_abandoned_value_aborts() {
    expect_abort("drop", DROPPED);
}

#[test]
#[cfg_attr(miri, ignore = "spawns a process")]
fn notify_waiter_forgotten_in_a_slot_aborts_at_the_next_call() {
    expect_abort("notify", NO_FREE_PLACE);
}

#[test]
#[cfg_attr(miri, ignore = "spawns a process")]
fn a_multi_place_slot_aborts_when_every_place_is_abandoned() {
    expect_abort("all-places", NO_FREE_PLACE);
}

/// The harness itself: a scenario that does not abort is reported.
#[test]
#[cfg_attr(miri, ignore = "spawns a process")]
#[should_panic(expected = "the child did not abort")]
fn the_harness_catches_a_scenario_that_does_not_abort() {
    expect_abort("none", "never printed");
}
