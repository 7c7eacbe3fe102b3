//! Another crate's `#[dyn_trait]` traits, combined here.

use futures::executor::block_on;
use xcrate_traits::sensors::{Counter, DynSensor, Sensor};
use xcrate_traits::{Log, Reading, Sink};
use xcrate_user::{AnySensor, DynProbe, DynPump, Plain, Probe, Pump, Thermo};

fn thermo() -> Thermo {
    Thermo {
        counter: Counter(0),
        offset: 100,
    }
}

#[test]
fn a_supertrait_from_another_crate_goes_through_the_wrapper() {
    let mut t = thermo();
    let mut p = DynProbe::new(&mut t);
    // `Sensor`'s methods, on the wrapper of `Probe`.
    assert_eq!(block_on(p.read()), Reading(101));
    assert_eq!(p.name(), "thermo");
    assert_eq!(p.calibrate(7), 100);
    assert_eq!(block_on(p.read()), Reading(9));

    // The wrapper implements the other crate's trait: generic code takes it.
    async fn twice(s: &mut impl Sensor) -> u32 {
        s.read().await.0 + s.read().await.0
    }
    assert_eq!(block_on(twice(&mut p)), 10 + 11);
    drop(p);
    assert_eq!(t.offset, 7);
}

#[test]
fn impl_arguments_and_returns_of_another_crates_traits() {
    let pump = Plain;
    let d = DynPump::from_ref(&pump);
    let mut c = Counter(0);
    let mut log = Log::default();
    assert_eq!(block_on(d.pump(&mut c, &mut log, 3)), 3);
    assert_eq!(log.0, [Reading(1), Reading(2), Reading(3)]);
    // A wrapper of the other crate's trait is an `impl Sensor` too.
    let mut t = thermo();
    let mut s = DynSensor::new(&mut t);
    assert_eq!(block_on(d.pump(&mut s, &mut log, 1)), 4);
    assert_eq!(log.0[3], Reading(101));
    // `-> impl Sink` comes back as the other crate's wrapper.
    let mut fresh = d.sink();
    assert_eq!(block_on(fresh.put(Reading(5))), 1);
    assert_eq!(block_on(fresh.put(Reading(6))), 2);
}

#[test]
fn a_sealed_enum_over_another_crates_trait() {
    let mut sensors = [AnySensor::Counter(Counter(10)), AnySensor::Thermo(thermo())];
    let mut got = Vec::new();
    for s in &mut sensors {
        got.push((s.name().to_owned(), block_on(s.read()).0));
    }
    assert_eq!(got, [("counter".to_owned(), 11), ("thermo".to_owned(), 101)]);
    // And it goes into the other crate's wrapper like any implementor.
    let mut d = DynSensor::new(&mut sensors[0]);
    assert_eq!(block_on(d.read()), Reading(12));
}
