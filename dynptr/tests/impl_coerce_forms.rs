//! Every documented form of `impl_coerce!` compiles in a crate that forbids unsafe code,
//! and the witness it makes stores and reads values back through `DynPtr`.

#![forbid(unsafe_code)]
#![cfg(feature = "box")]

use dynptr::{impl_coerce, Boxed, DynPtr};

trait Shape {
    fn area(&self) -> u64;
}
impl_coerce!(dyn Shape);
impl_coerce!(dyn Shape + Send + Sync);

trait Store<K> {
    type Value: ?Sized;
    fn get(&self, key: &K) -> Option<&Self::Value>;
}
// Trailing commas, `?Sized` and a lifetime bound on parameters, `where` predicates.
impl_coerce!(['a, K: 'a, V: ?Sized + 'a,] where [K: Clone,] dyn Store<K, Value = V> + 'a);
impl_coerce!(['a, K, V] dyn Store<K, Value = V> + Send + 'a);

trait Visit<'b> {
    fn visit(&self, x: &'b u8) -> u8;
}
// Lifetimes with bounds, and a higher-ranked object.
impl_coerce!(['a, 'b: 'a] dyn Visit<'b> + Send + 'a);
impl_coerce!(['a] dyn for<'x> Visit<'x> + 'a);

struct Square(u64);
impl Shape for Square {
    fn area(&self) -> u64 {
        self.0 * self.0
    }
}

struct One(u32, String);
impl Store<u32> for One {
    type Value = str;
    fn get(&self, key: &u32) -> Option<&str> {
        (*key == self.0).then_some(self.1.as_str())
    }
}

struct Add(u8);
impl<'b> Visit<'b> for Add {
    fn visit(&self, x: &'b u8) -> u8 {
        x + self.0
    }
}

#[test]
fn each_form_stores_and_reads_back() {
    let mut s = Boxed::new();
    let p: DynPtr<'_, dyn Shape, Boxed> = DynPtr::new(&mut s, Square(7));
    assert_eq!(p.area(), 49);
    drop(p);
    let p: DynPtr<'_, dyn Shape + Send + Sync, Boxed> = DynPtr::new(&mut s, Square(3));
    assert_eq!(p.area(), 9);
    drop(p);
    let p: DynPtr<'_, dyn Store<u32, Value = str>, Boxed> = DynPtr::new(&mut s, One(4, "four".into()));
    assert_eq!(p.get(&4), Some("four"));
    assert_eq!(p.get(&5), None);
    drop(p);
    let p: DynPtr<'_, dyn for<'x> Visit<'x>, Boxed> = DynPtr::new(&mut s, Add(2));
    assert_eq!(p.visit(&40), 42);
}
