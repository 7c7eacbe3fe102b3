//! A named receiver lifetime on a plain method (object_store's `delete_stream` shape).

// Named on purpose: the shape under test.
#![allow(clippy::needless_lifetimes)]

use dynptr::dyn_trait;

#[dyn_trait]
trait Named {
    fn name<'a>(&'a self) -> &'a str;
    fn first<'a>(&'a self, other: &'a str) -> &'a str;
    fn words<'a>(&'a self) -> impl Iterator<Item = &'a str> + 'a;
    async fn len_of<'a>(&'a self) -> usize;
}

struct N(String);

impl Named for N {
    fn name<'a>(&'a self) -> &'a str {
        &self.0
    }
    fn first<'a>(&'a self, other: &'a str) -> &'a str {
        if self.0.as_str() <= other {
            &self.0
        } else {
            other
        }
    }
    fn words<'a>(&'a self) -> impl Iterator<Item = &'a str> + 'a {
        self.0.split('e')
    }
    async fn len_of<'a>(&'a self) -> usize {
        self.0.len()
    }
}

#[test]
fn a_named_receiver_lifetime_goes_through() {
    let n = N(String::from("bee"));
    let d = DynNamed::from_ref(&n);
    assert_eq!(d.name(), "bee");
    assert_eq!(d.first("ant"), "ant");
    assert_eq!(d.words().collect::<Vec<_>>(), ["b", "", ""]);
    assert_eq!(futures::executor::block_on(d.len_of()), 3);
}
