//! The conformance kit fails strategies that break the rules: a kit that cannot fail
//! proves nothing.

#![cfg(feature = "testkit")]

use core::cell::UnsafeCell;
use core::marker::PhantomData;
use core::mem::MaybeUninit;
use core::ptr::NonNull;

use dynptr_core::{
    drop_in_place_then_release, testkit, write_with, Capacity, CoerceFrom, Committed, OwningPtr, Placed,
    Rejected, Strategy,
};

#[repr(align(16))]
struct Buf(#[allow(dead_code)] [MaybeUninit<u8>; 128]);

/// Broken on purpose: every value goes to the same buffer, whether or not an earlier
/// value (live or abandoned) is still there.
struct OneBuffer {
    buf: Box<UnsafeCell<Buf>>,
}

impl OneBuffer {
    fn new() -> Self {
        OneBuffer {
            buf: Box::new(UnsafeCell::new(Buf([MaybeUninit::uninit(); 128]))),
        }
    }

    fn put<'s, 'o, T: 's, D: ?Sized + 's, M: FnOnce() -> T>(
        &'s self,
        out: &'o mut MaybeUninit<OnePtr<'s, D>>,
        make: M,
    ) -> Result<Placed<'o, 's, T, D, Self>, Rejected<M>> {
        if !Self::CAPACITY.fits::<T>() {
            return Err(Rejected::too_large_for::<T>(make, Self::CAPACITY));
        }
        let dst = NonNull::new(self.buf.get()).unwrap().cast::<T>();
        // SAFETY: the buffer is 128 bytes aligned to 16 and `T` fits that (checked above).
        // Overwriting an earlier occupant is the bug this strategy exists to show.
        unsafe { write_with(dst, make, || {}) };
        // SAFETY: `dst` is the value just built (in a buffer this strategy wrongly
        // shares).
        Ok(unsafe { Placed::new(dst, NonNull::from(out), ()) })
    }
}

struct OnePtr<'s, D: ?Sized> {
    ptr: NonNull<D>,
    _strategy: PhantomData<&'s OneBuffer>,
}

// SAFETY: (for a correct use) the pointer is to an initialised value in the buffer,
// dropped once in `drop`. The broken part is in `OneBuffer::place`, not here.
unsafe impl<D: ?Sized> OwningPtr for OnePtr<'_, D> {
    type Target = D;
    fn as_ptr(&self) -> NonNull<D> {
        self.ptr
    }
    fn as_mut_ptr(&mut self) -> NonNull<D> {
        self.ptr
    }
    unsafe fn release_moved(this: Self) {
        core::mem::forget(this);
    }
}

impl<D: ?Sized> Drop for OnePtr<'_, D> {
    fn drop(&mut self) {
        // SAFETY: the value is initialised and dropped only here.
        unsafe { drop_in_place_then_release(self.ptr, |_, _| {}) }
    }
}

impl Strategy for OneBuffer {
    type Ptr<'s, D: ?Sized + 's> = OnePtr<'s, D>;
    const CAPACITY: Capacity = Capacity::new(128, 16);

    type Token<'s> = ();

    fn try_place<'s, 'o, T: 's, D: ?Sized + CoerceFrom<T> + 's, M: FnOnce() -> T>(
        &'s mut self,
        out: &'o mut MaybeUninit<OnePtr<'s, D>>,
        make: M,
    ) -> Result<Placed<'o, 's, T, D, Self>, Rejected<M>> {
        self.put(out, make)
    }

    fn try_place_shared<'s, 'o, T: 's, D: ?Sized + CoerceFrom<T> + 's, M: FnOnce() -> T>(
        &'s self,
        out: &'o mut MaybeUninit<OnePtr<'s, D>>,
        make: M,
    ) -> Result<Placed<'o, 's, T, D, Self>, Rejected<M>> {
        self.put(out, make)
    }

    fn commit<'s, 'o, T: 's, D: ?Sized + CoerceFrom<T> + 's>(
        placed: Placed<'o, 's, T, D, Self>,
    ) -> Committed<'o> {
        let (value, out, ()) = placed.into_parts();
        let ptr = OnePtr {
            ptr: D::coerce_non_null(value),
            _strategy: PhantomData,
        };
        // SAFETY: `out` is valid for writes; the value is in the buffer, not in `out`.
        unsafe { (*out.as_ptr()).write(ptr) };
        // SAFETY: `out` holds a pointer owning the value.
        unsafe { Committed::new() }
    }

    unsafe fn discard<'s, 'o, T: 's, D: ?Sized + 's>(_: Placed<'o, 's, T, D, Self>) {}
}

#[test]
fn the_exclusive_path_alone_is_fine() {
    // With one value at a time and nothing forgotten, reusing one buffer is correct.
    testkit::drops_exactly_once(&mut OneBuffer::new());
    testkit::zero_sized(&mut OneBuffer::new());
    testkit::layouts(&mut OneBuffer::new());
}

#[test]
#[should_panic(expected = "two live shared values at the same address")]
fn catches_shared_values_sharing_storage() {
    testkit::shared_values_do_not_overlap(&mut OneBuffer::new());
}

#[test]
#[should_panic(expected = "storage of an abandoned value was reused")]
fn catches_reuse_of_an_abandoned_value() {
    testkit::forget_abandons(testkit::Config::new(), &mut OneBuffer::new);
}

#[test]
#[should_panic(expected = "two pending calls share storage")]
fn catches_pending_shared_calls_sharing_storage() {
    testkit::call_paths(testkit::Config::new(), &mut OneBuffer::new);
}
