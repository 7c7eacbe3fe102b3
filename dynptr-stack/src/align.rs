//! Alignment markers for [`Inline`](crate::Inline), `InlineOr` and
//! [`Slot`](crate::Slot): a zero-sized type whose alignment the storage takes.
//!
//! Stable Rust cannot write `#[repr(align(A))]` with a const parameter, so the
//! alignment is a type: `Inline<64, A32>` stores values of up to 64 bytes aligned to
//! up to 32. The default everywhere is [`A16`].

mod sealed {
    pub trait Sealed {}
}

/// An alignment marker: a zero-sized type aligned to [`ALIGN`](Self::ALIGN) bytes.
/// Implemented by [`A1`] to [`A4096`] only (sealed).
pub trait Alignment:
    sealed::Sealed + Copy + Default + core::fmt::Debug + Send + Sync + Unpin + 'static
{
    /// The alignment in bytes: `align_of::<Self>()`.
    const ALIGN: usize;

    /// `ALIGN - 1` bytes: what a [`Slot`](crate::Slot)'s place puts before its flag, so
    /// that the flag is the byte right before the value.
    #[doc(hidden)]
    type Pad: Copy + Send + Sync + Unpin + 'static;
}

macro_rules! markers {
    ($($name:ident = $n:literal),* $(,)?) => {$(
        #[doc = concat!("Alignment marker: ", stringify!($n), " bytes.")]
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
        #[repr(align($n))]
        pub struct $name;

        impl sealed::Sealed for $name {}

        impl Alignment for $name {
            const ALIGN: usize = $n;
            type Pad = [u8; $n - 1];
        }

        const _: () = assert!(core::mem::align_of::<$name>() == $n && core::mem::size_of::<$name>() == 0);
    )*};
}

markers!(
    A1 = 1,
    A2 = 2,
    A4 = 4,
    A8 = 8,
    A16 = 16,
    A32 = 32,
    A64 = 64,
    A128 = 128,
    A256 = 256,
    A512 = 512,
    A1024 = 1024,
    A2048 = 2048,
    A4096 = 4096,
);

/// `N` bytes aligned to `A`: the storage of every strategy of this crate. Its size is
/// `N` rounded up to a multiple of `A::ALIGN`.
#[repr(C)]
pub(crate) struct Buf<const N: usize, A> {
    _align: [A; 0],
    _bytes: [core::mem::MaybeUninit<u8>; N],
}
