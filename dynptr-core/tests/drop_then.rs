//! `drop_in_place_then` and `drop_in_place_then_release` run their release step exactly once, after the
//! drop, also when the drop panics (which then propagates).

use core::alloc::Layout;
use core::cell::RefCell;
use core::fmt;
use core::mem::ManuallyDrop;
use core::panic::AssertUnwindSafe;
use core::ptr::NonNull;

use dynptr_core::{drop_in_place_then, drop_in_place_then_release};

/// Logs its drop, and panics in it if asked.
struct Logged<'a> {
    log: &'a RefCell<Vec<&'static str>>,
    panic: bool,
}

impl fmt::Debug for Logged<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Logged")
    }
}

impl Drop for Logged<'_> {
    fn drop(&mut self) {
        self.log.borrow_mut().push("drop");
        if self.panic {
            panic!("Logged dropped (expected)");
        }
    }
}

/// Drops a `Logged` through `dyn Debug` with `run`, which must log "then" once.
fn check(panic: bool, run: impl FnOnce(NonNull<dyn fmt::Debug + '_>, &RefCell<Vec<&'static str>>)) {
    let log = RefCell::new(Vec::new());
    let mut value = ManuallyDrop::new(Logged { log: &log, panic });
    let ptr: NonNull<dyn fmt::Debug + '_> = NonNull::from(&mut *value as &mut dyn fmt::Debug);
    let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| run(ptr, &log)));
    assert_eq!(outcome.is_err(), panic, "the panic was not propagated");
    assert_eq!(*log.borrow(), ["drop", "then"]);
}

#[test]
fn drop_then_runs_after_the_drop_once() {
    for panic in [false, true] {
        check(panic, |ptr, log| {
            // SAFETY: the value is initialised and owned by `check`, which never drops
            // it otherwise (`ManuallyDrop`).
            unsafe { drop_in_place_then(ptr, || log.borrow_mut().push("then")) }
        });
    }
}

#[test]
fn drop_then_release_passes_address_and_layout_once() {
    for panic in [false, true] {
        check(panic, |ptr, log| {
            let expected = (ptr.cast::<u8>(), Layout::new::<Logged<'_>>());
            // SAFETY: as above.
            unsafe {
                drop_in_place_then_release(ptr, |addr, layout| {
                    assert_eq!((addr, layout), expected);
                    log.borrow_mut().push("then");
                })
            }
        });
    }
}
