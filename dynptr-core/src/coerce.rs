//! The unsizing witness: how a strategy turns a pointer to a concrete `T` into a
//! pointer to `dyn Trait` without the unstable `Unsize`/`CoerceUnsized` traits.

use core::ptr::NonNull;

/// Witness that `T` unsizes to `Self` (a `dyn Trait` type).
///
/// Stable Rust cannot name "any `T` that coerces to `dyn Trait`" in a bound, so every
/// family of trait objects a strategy stores gets an impl of this trait. The impl is
/// written on the trait object type (`dyn Future<Output = O> + 'a: CoerceFrom<T>`), not
/// on `T`, so that a crate may add one for its own trait without breaking the orphan
/// rule.
///
/// `dynptr-core` implements it for the standard families (see the
/// [crate docs](crate#families-of-trait-objects)); [`impl_coerce!`](crate::impl_coerce)
/// adds a family for your own trait without writing `unsafe`; `#[dyn_trait]` emits one
/// for the traits it erases.
///
/// # Examples
///
/// ```
/// use dynptr_core::{impl_coerce, CoerceFrom};
///
/// trait Shape {
///     fn area(&self) -> f64;
/// }
/// impl_coerce!(dyn Shape);
///
/// struct Square(f64);
/// impl Shape for Square {
///     fn area(&self) -> f64 {
///         self.0 * self.0
///     }
/// }
///
/// let mut sq = Square(3.0);
/// let p: *mut dyn Shape = <dyn Shape>::coerce(&mut sq);
/// // SAFETY: `p` points at `sq`, which is alive and not otherwise borrowed.
/// assert_eq!(unsafe { (*p).area() }, 9.0);
/// ```
///
/// # Safety
///
/// ## Implementor
///
/// `coerce(ptr)` must return a pointer with the same address and the same provenance
/// as `ptr`, whose metadata describes a `T`: exactly what the compiler's unsizing
/// coercion `ptr as *mut Self` produces. It must not dereference `ptr` (it may be
/// dangling, for a zero-sized `T`), and it must not panic. In particular
/// `size_of_val`/`align_of_val` of the result equal `size_of::<T>()`/`align_of::<T>()`.
/// The body `{ ptr }` (an implicit unsizing coercion) is the only body that qualifies;
/// [`impl_coerce!`](crate::impl_coerce) writes exactly that.
///
/// ## Caller
///
/// Nothing: `coerce` is safe to call. The result is exactly as valid as `ptr`: it may be
/// dereferenced only where `ptr` could be, and for no longer.
pub unsafe trait CoerceFrom<T> {
    /// Unsizes `ptr`, keeping its address and provenance.
    fn coerce(ptr: *mut T) -> *mut Self;

    /// [`coerce`](Self::coerce) for non-null pointers.
    #[inline(always)]
    fn coerce_non_null(ptr: NonNull<T>) -> NonNull<Self> {
        let raw = Self::coerce(ptr.as_ptr());
        // SAFETY: the implementor contract keeps the address of `ptr`, which is non-null.
        unsafe { NonNull::new_unchecked(raw) }
    }
}

/// Every sized type is trivially its own family: a strategy can store a concrete value
/// behind the same pointer types (useful in tests and for monomorphic call sites).
// SAFETY: the identity conversion keeps address, provenance and (absent) metadata.
unsafe impl<T> CoerceFrom<T> for T {
    #[inline(always)]
    fn coerce(ptr: *mut T) -> *mut T {
        ptr
    }
}

/// Adds a family of trait objects: `impl_coerce!(dyn MyTrait)` lets every strategy store
/// any `T: MyTrait` as a pointer to `dyn MyTrait + 'a`.
///
/// Forms:
/// - `impl_coerce!(dyn Trait)` and `impl_coerce!(dyn Trait + Send + Sync)`: the trait
///   object with any lifetime bound `'a`, for every `T: Trait (+ Send ..) + 'a`;
/// - `impl_coerce!(['a, X, Y: Bound] dyn Trait<X, Assoc = Y> + 'a)`: with generic
///   parameters, listed in brackets (lifetimes first, as in any generic list). The
///   trait object is written out in full, lifetime included; no trailing comma in the
///   brackets;
/// - `impl_coerce!(['a, K] where [K: Clone] dyn Trait<K> + 'a)`: with `where` predicates.
///
/// The generated impl's body is an implicit unsizing coercion that the compiler checks,
/// and the pieces you give are parsed with Rust's grammar (generic parameters, `where`
/// predicates, a trait object type, by `syn` in `dynptr-macros`) and re-emitted from the
/// syntax tree: no invocation can close the generic list, end the `where` clause or add
/// an item or a body of its own under the generated `unsafe impl`, so none can be
/// unsound. Trailing commas are accepted; attributes on generic parameters are not.
/// An invocation that names something other than a trait object is a compile error.
///
/// # Examples
///
/// ```
/// use dynptr_core::impl_coerce;
///
/// trait Store<K> {
///     type Value;
///     fn get(&self, key: &K) -> Option<&Self::Value>;
/// }
/// impl_coerce!(['a, K, V] dyn Store<K, Value = V> + 'a);
/// impl_coerce!(['a, K, V] dyn Store<K, Value = V> + Send + 'a);
///
/// trait Named {
///     fn name(&self) -> &str;
/// }
/// impl_coerce!(dyn Named);
/// impl_coerce!(dyn Named + Send + Sync);
/// ```
///
/// ```compile_fail
/// // `u8` is not a trait object: rejected at compile time.
/// dynptr_core::impl_coerce!([] u8);
/// ```
///
/// Tokens that would close the generic list and write a body of their own (the audit's
/// smuggling route) are not generic parameters: rejected.
///
/// ```compile_fail
/// #![forbid(unsafe_code)]
/// use dynptr_core::impl_coerce;
/// trait Foo { fn last(&self) -> u64; }
/// struct Small(u8);
/// impl Foo for Small { fn last(&self) -> u64 { 0 } }
/// struct Big([u64; 64]);
/// impl Foo for Big { fn last(&self) -> u64 { self.0[63] } }
/// impl_coerce!(['z> dynptr_core::CoerceFrom<Small> for dyn Foo + 'z {
///     fn coerce(p: *mut Small) -> *mut Self { p as *mut Big }
/// } #[cfg(any())] impl<'u] dyn Foo);
/// ```
#[macro_export]
macro_rules! impl_coerce {
    ($($input:tt)*) => {
        $crate::__impl_coerce! { $crate; $($input)* }
    };
}

// The standard families users return. `dyn Any` needs `'static`, so it gets its own
// impls below; the others accept any lifetime.
impl_coerce!(['a, O] dyn core::future::Future<Output = O> + 'a);
impl_coerce!(['a, O] dyn core::future::Future<Output = O> + Send + 'a);
impl_coerce!(['a, O] dyn core::future::Future<Output = O> + Send + Sync + 'a);
impl_coerce!(['a, I] dyn Iterator<Item = I> + 'a);
impl_coerce!(['a, I] dyn Iterator<Item = I> + Send + 'a);
impl_coerce!(['a, I] dyn DoubleEndedIterator<Item = I> + 'a);
impl_coerce!(['a, I] dyn ExactSizeIterator<Item = I> + 'a);
// `-> impl Stream` (feature `futures`).
#[cfg(feature = "futures")]
impl_coerce!(['a, I] dyn futures_core::Stream<Item = I> + 'a);
#[cfg(feature = "futures")]
impl_coerce!(['a, I] dyn futures_core::Stream<Item = I> + Send + 'a);
#[cfg(feature = "futures")]
impl_coerce!(['a, I] dyn futures_core::Stream<Item = I> + Send + Sync + 'a);
// `-> impl Send` and the other auto traits alone: values only moved and dropped.
impl_coerce!(['a] dyn Send + 'a);
impl_coerce!(['a] dyn Sync + 'a);
impl_coerce!(['a] dyn Send + Sync + 'a);
impl_coerce!(['a] dyn Unpin + 'a);
impl_coerce!(['a] dyn Send + Unpin + 'a);
impl_coerce!(['a] dyn Send + Sync + Unpin + 'a);
impl_coerce!(dyn core::fmt::Debug);
impl_coerce!(dyn core::fmt::Debug + Send);
impl_coerce!(dyn core::fmt::Debug + Send + Sync);
impl_coerce!(dyn core::fmt::Display);
impl_coerce!(dyn core::fmt::Display + Send);
impl_coerce!(dyn core::fmt::Display + Send + Sync);

macro_rules! impl_coerce_fn {
    ($($arg:ident),*) => {
        impl_coerce!(['a, R $(, $arg)*] dyn FnOnce($($arg),*) -> R + 'a);
        impl_coerce!(['a, R $(, $arg)*] dyn FnOnce($($arg),*) -> R + Send + 'a);
        impl_coerce!(['a, R $(, $arg)*] dyn FnMut($($arg),*) -> R + 'a);
        impl_coerce!(['a, R $(, $arg)*] dyn FnMut($($arg),*) -> R + Send + 'a);
        impl_coerce!(['a, R $(, $arg)*] dyn Fn($($arg),*) -> R + 'a);
        impl_coerce!(['a, R $(, $arg)*] dyn Fn($($arg),*) -> R + Send + Sync + 'a);
    };
}
impl_coerce_fn!();
impl_coerce_fn!(A1);
impl_coerce_fn!(A1, A2);
impl_coerce_fn!(A1, A2, A3);
impl_coerce_fn!(A1, A2, A3, A4);

// SAFETY: the body is an unsizing coercion (see `impl_coerce!`).
unsafe impl<T: core::any::Any> CoerceFrom<T> for dyn core::any::Any {
    #[inline(always)]
    fn coerce(ptr: *mut T) -> *mut Self {
        ptr
    }
}

// SAFETY: the body is an unsizing coercion (see `impl_coerce!`).
unsafe impl<T: core::any::Any + Send> CoerceFrom<T> for dyn core::any::Any + Send {
    #[inline(always)]
    fn coerce(ptr: *mut T) -> *mut Self {
        ptr
    }
}

// SAFETY: the body is an unsizing coercion (see `impl_coerce!`).
unsafe impl<T: core::any::Any + Send + Sync> CoerceFrom<T> for dyn core::any::Any + Send + Sync {
    #[inline(always)]
    fn coerce(ptr: *mut T) -> *mut Self {
        ptr
    }
}
