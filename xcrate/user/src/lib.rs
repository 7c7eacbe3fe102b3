//! Combines `xcrate-traits`' `#[dyn_trait]` traits from another crate: a supertrait
//! (`Probe: Sensor`), `impl Sensor` arguments and `-> impl Sink` returns, and a
//! `#[sealed]` enum over the other crate's trait. Tests in `tests/`.

#![forbid(unsafe_code)]
#![allow(async_fn_in_trait)]

use xcrate_traits::sensors::{Counter, Sensor};
// An `impl Sink` argument or return names the erased trait next to it: import both
// (or write the path, as `impl xcrate_traits::sensors::Sensor` does below).
use xcrate_traits::{ErasedSink, Log, Reading, Sink};

/// A sensor that can also calibrate itself: its supertrait is another crate's.
#[dynptr::dyn_trait]
pub trait Probe: xcrate_traits::sensors::Sensor {
    /// Sets the offset; returns the old one.
    fn calibrate(&mut self, offset: u32) -> u32;
}

/// A probe over a counter.
pub struct Thermo {
    pub counter: Counter,
    pub offset: u32,
}

impl Sensor for Thermo {
    async fn read(&mut self) -> Reading {
        let r = self.counter.read().await;
        Reading(r.0 + self.offset)
    }
    fn name(&self) -> &str {
        "thermo"
    }
}

impl Probe for Thermo {
    fn calibrate(&mut self, offset: u32) -> u32 {
        core::mem::replace(&mut self.offset, offset)
    }
}

/// Moves readings between the other crate's traits, through the vtable.
#[dynptr::dyn_trait]
pub trait Pump {
    /// Reads `n` times from `from` into `to`; returns the sink's count.
    async fn pump(
        &self,
        from: &mut impl xcrate_traits::sensors::Sensor,
        to: &mut impl Sink,
        n: usize,
    ) -> usize;
    /// A fresh sink.
    fn sink(&self) -> impl Sink;
}

/// The only pump.
pub struct Plain;

impl Pump for Plain {
    async fn pump(&self, from: &mut impl Sensor, to: &mut impl Sink, n: usize) -> usize {
        let mut count = 0;
        for _ in 0..n {
            let r = from.read().await;
            count = to.put(r).await;
        }
        count
    }
    fn sink(&self) -> impl Sink {
        Log::default()
    }
}

/// A closed set of the other crate's sensors.
#[dynptr::sealed(xcrate_traits::sensors::Sensor)]
pub enum AnySensor {
    Counter(Counter),
    Thermo(Thermo),
}
