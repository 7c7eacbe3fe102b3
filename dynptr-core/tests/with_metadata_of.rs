//! `with_metadata_of`: the data-word rewrite inline storage uses to find its value after
//! a move. Run under Miri with strict provenance: the result must carry the provenance
//! of the new storage, never of the pointer the metadata came from.

use core::any::Any;
use core::fmt::Debug;
use core::mem::MaybeUninit;
use core::ptr::NonNull;

use dynptr_core::{with_metadata_of, CoerceFrom};

fn vtable_of<T: Debug + 'static>() -> NonNull<dyn Debug> {
    <dyn Debug>::coerce_non_null(NonNull::<T>::dangling())
}

#[test]
fn dyn_pointer_takes_address_and_provenance_of_data() {
    let mut a = 41u64;
    let mut s = String::from("moved");
    let ptr = with_metadata_of(NonNull::from(&mut a).cast(), vtable_of::<u64>());
    assert_eq!(ptr.cast::<u64>().as_ptr(), &raw mut a);
    // SAFETY: `ptr` points to `a` with `u64`'s vtable.
    assert_eq!(format!("{:?}", unsafe { ptr.as_ref() }), "41");

    let ptr = with_metadata_of(NonNull::from(&mut s).cast(), vtable_of::<String>());
    // SAFETY: `ptr` points to `s` with `String`'s vtable.
    assert_eq!(format!("{:?}", unsafe { ptr.as_ref() }), "\"moved\"");
    // The size and alignment come from the metadata.
    // SAFETY: as above.
    let value = unsafe { ptr.as_ref() };
    assert_eq!(core::mem::size_of_val(value), size_of::<String>());
}

#[test]
fn value_found_again_after_its_buffer_moved() {
    #[repr(C, align(16))]
    struct Buf([MaybeUninit<u8>; 32]);

    let mut first = Buf([MaybeUninit::uninit(); 32]);
    let dst = NonNull::from(&mut first).cast::<[u32; 4]>();
    // SAFETY: `first` is 32 bytes aligned to 16: room for a `[u32; 4]`.
    unsafe { dst.write([1, 2, 3, 4]) };
    let meta: NonNull<dyn Any> = <dyn Any>::coerce_non_null(dst);

    // Move the buffer (a by-value copy of its bytes); the old pointer is stale.
    let mut moved = first;
    let ptr = with_metadata_of(NonNull::from(&mut moved).cast(), meta);
    // SAFETY: `moved` holds the `[u32; 4]` at offset 0; `ptr` is derived from it.
    let value = unsafe { ptr.as_ref() };
    assert_eq!(value.downcast_ref::<[u32; 4]>(), Some(&[1, 2, 3, 4]));
    // Writes through the new pointer reach the new buffer.
    // SAFETY: as above, and `moved` is not otherwise borrowed.
    unsafe { (*ptr.as_ptr()).downcast_mut::<[u32; 4]>().unwrap()[0] = 9 };
    // SAFETY: the first four bytes of `moved` are the initialised first `u32`.
    assert_eq!(unsafe { NonNull::from(&moved).cast::<u32>().read() }, 9);
}

#[test]
fn slices_str_and_sized_types() {
    let mut xs = [5u16, 6, 7];
    let meta: NonNull<[u16]> = NonNull::from(&mut [0u16; 3][..]);
    let ptr = with_metadata_of(NonNull::from(&mut xs).cast(), meta);
    // SAFETY: `ptr` points to `xs` with length 3.
    assert_eq!(unsafe { ptr.as_ref() }, &[5, 6, 7]);

    let text = String::from("abc");
    let meta: NonNull<str> = NonNull::from("xyz");
    let ptr = with_metadata_of(NonNull::from(text.as_bytes()).cast(), meta);
    // SAFETY: `ptr` points to the three bytes of `text`, valid UTF-8.
    assert_eq!(unsafe { ptr.as_ref() }, "abc");

    let mut n = 3i32;
    let ptr = with_metadata_of(NonNull::from(&mut n).cast(), NonNull::<i32>::dangling());
    assert_eq!(ptr.as_ptr(), &raw mut n);
}

#[test]
fn zero_sized_values() {
    let meta = vtable_of::<()>();
    let ptr = with_metadata_of(NonNull::<u8>::dangling(), meta);
    // SAFETY: a dangling, aligned pointer is valid for a zero-sized value.
    assert_eq!(format!("{:?}", unsafe { ptr.as_ref() }), "()");
}
