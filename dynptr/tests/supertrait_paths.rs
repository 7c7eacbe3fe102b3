//! Supertraits written as paths, `Sized`, and `unsafe trait`s.

use dynptr::{dyn_trait, Boxed};
use dynptr_core::testkit::block_on;

#[dyn_trait]
#[allow(unused_qualifications)]
trait Named: ::core::marker::Sync + core::fmt::Debug + Sized + core::marker::Send {
    async fn name(&self) -> String;
}

#[derive(Debug)]
struct N(&'static str);

impl Named for N {
    async fn name(&self) -> String {
        self.0.to_string()
    }
}

fn is_sync_debug<T: Sync + core::fmt::Debug>(t: &T) -> String {
    format!("{t:?}")
}

#[test]
fn path_supertraits_and_sized() {
    let mut n = N("x");
    let d = DynNamed::<Boxed>::new(&mut n);
    assert_eq!(block_on(d.name()), "x");
    // The wrapper forwards `Debug` and is `Sync`; `Sized` holds for any wrapper.
    assert_eq!(is_sync_debug(&d), "N(\"x\")");
}

/// # Safety
///
/// `len` returns the number of bytes `bytes` may read.
#[dyn_trait(unsafe(forward))]
unsafe trait Buffer {
    fn len(&self) -> usize;
    fn bytes(&self) -> &[u8];
}

struct B(Vec<u8>);

// SAFETY: `len` is the length of the vector `bytes` reads.
unsafe impl Buffer for B {
    fn len(&self) -> usize {
        self.0.len()
    }
    fn bytes(&self) -> &[u8] {
        &self.0
    }
}

fn checked_sum<T: Buffer>(b: &T) -> u32 {
    b.bytes()[..b.len()].iter().map(|&x| u32::from(x)).sum()
}

#[test]
fn unsafe_trait_with_forwarding_wrapper() {
    let b = B(vec![1, 2, 3]);
    let d = DynBuffer::<Boxed>::from_ref(&b);
    assert_eq!(checked_sum(&d), 6);
}

/// An empty `unsafe trait` (async-trait's case).
///
/// # Safety
///
/// None: a marker.
#[dyn_trait(Send, unsafe(forward))]
unsafe trait Marker {}

// SAFETY: no contract to uphold.
unsafe impl Marker for () {}

#[test]
fn empty_unsafe_trait() {
    fn marked<T: Marker>(_: &T) -> bool {
        true
    }
    assert!(marked(&()));
    assert!(marked(&DynMarker::<Boxed>::from_ref(&())));
}
