//! `(Send)` default bodies: argument patterns compile, and unused arguments are dropped
//! when the future is, as in a native `async fn`.

use std::sync::Mutex;

use dynptr::dyn_trait;

#[dyn_trait(Send)]
trait Area {
    async fn area(&self, (w, h): (u32, u32)) -> u32 {
        w * h
    }
    async fn countdown(&self, mut n: u32) -> u32 {
        let mut steps = 0;
        while n > 0 {
            n -= 1;
            steps += 1;
        }
        steps
    }
    fn id(&self) -> u32;
    async fn consume<'l>(&self, guard: Guard<'l>, log: &Mutex<Vec<&'static str>>) -> u32 {
        log.lock().unwrap().push("body");
        7
    }
}

/// Logs its drop.
struct Guard<'l>(&'l Mutex<Vec<&'static str>>);

impl Drop for Guard<'_> {
    fn drop(&mut self) {
        self.0.lock().unwrap().push("drop");
    }
}

struct A;
impl Area for A {
    fn id(&self) -> u32 {
        1
    }
}

#[test]
fn default_bodies_with_argument_patterns() {
    let a = A;
    let d = DynArea::from_ref(&a);
    assert_eq!(futures::executor::block_on(d.area((3, 4))), 12);
    assert_eq!(futures::executor::block_on(d.countdown(5)), 5);
    assert_eq!(d.id(), 1);
}

#[test]
fn an_unused_argument_is_dropped_after_the_body_as_natively() {
    let log = Mutex::new(Vec::new());
    let a = A;
    let d = DynArea::from_ref(&a);
    assert_eq!(futures::executor::block_on(d.consume(Guard(&log), &log)), 7);
    assert_eq!(*log.lock().unwrap(), ["body", "drop"]);
    // The same order as the static call.
    let log2 = Mutex::new(Vec::new());
    assert_eq!(futures::executor::block_on(a.consume(Guard(&log2), &log2)), 7);
    assert_eq!(*log2.lock().unwrap(), *log.lock().unwrap());
}
