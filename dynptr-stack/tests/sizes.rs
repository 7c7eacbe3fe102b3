//! Eager returns (`-> impl Iterator`) come back in registers when the pointer is two
//! words: the slot's pointer is, finding its place's flag from the value's address.

use core::mem::size_of;

use dynptr_stack::{InlinePtr, SlotPtr};

const WORD: usize = size_of::<usize>();

#[test]
fn slot_pointer_is_two_words() {
    assert_eq!(size_of::<SlotPtr<'static, dyn Iterator<Item = u8>>>(), 2 * WORD);
    assert_eq!(size_of::<SlotPtr<'static, [u8; 100]>>(), WORD);
}

#[test]
fn inline_pointer_holds_its_value_and_the_metadata() {
    // The value lives inside it: `N` bytes plus the vtable's fat pointer, aligned.
    assert_eq!(size_of::<InlinePtr<dyn Iterator<Item = u8>, 64>>(), 64 + 2 * WORD);
}
