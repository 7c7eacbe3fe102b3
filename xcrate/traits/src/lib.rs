//! A library defining `#[dyn_trait]` traits, for `xcrate-user` to combine across the
//! crate boundary: as a supertrait, as an `impl Trait` argument and return, and as a
//! `#[sealed]` target. The types the traits name are paths from the crate root
//! (`crate::Reading`), which the callback carries as `$crate::`.

#![forbid(unsafe_code)]
// The traits' futures are not `Send`: fine for this fixture.
#![allow(async_fn_in_trait)]

/// A value read from a sensor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reading(pub u32);

pub mod sensors {
    /// Something that measures.
    #[dynptr::dyn_trait]
    pub trait Sensor {
        /// The next reading.
        async fn read(&mut self) -> crate::Reading;
        /// The sensor's name.
        fn name(&self) -> &str;
    }

    /// A sensor counting up from its start.
    pub struct Counter(pub u32);

    impl Sensor for Counter {
        async fn read(&mut self) -> crate::Reading {
            self.0 += 1;
            crate::Reading(self.0)
        }
        fn name(&self) -> &str {
            "counter"
        }
    }
}

/// Something readings go to.
#[dynptr::dyn_trait]
pub trait Sink {
    /// Takes a reading; returns how many it holds.
    async fn put(&mut self, r: Reading) -> usize;
}

/// A sink keeping every reading.
#[derive(Default)]
pub struct Log(pub Vec<Reading>);

impl Sink for Log {
    async fn put(&mut self, r: Reading) -> usize {
        self.0.push(r);
        self.0.len()
    }
}
