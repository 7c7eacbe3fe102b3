//! Lifetimes as native `dyn` has them: a trait that asks its implementors to outlive a
//! lifetime (`'static` among its supertraits, `trait Sink<'b>: 'b`, `where Self: 'b`)
//! still gives a wrapper that borrows for less, whose calls borrow it for the call alone.
//! Each test below fails to compile if the wrapper's borrow is stretched to that lifetime.

use core::cell::Cell;

use dynptr::dyn_trait;
use dynptr_stack::Inline;

use dynptr_core::testkit::block_on;

#[dyn_trait]
trait Store: Send + Sync + 'static {
    async fn get(&self, key: u32) -> u32;
    fn len(&self) -> usize;
    // The wrapper's `is_owned` is its own: the trait's is reached through the trait.
    fn is_owned(&self) -> bool {
        false
    }
    fn keys(&self) -> impl Iterator<Item = u32> + '_;
}

struct Mem(Vec<u32>);

impl Store for Mem {
    async fn get(&self, key: u32) -> u32 {
        self.0[key as usize]
    }
    fn len(&self) -> usize {
        self.0.len()
    }
    fn keys(&self) -> impl Iterator<Item = u32> + '_ {
        0..self.0.len() as u32
    }
}

/// Generic code over the trait: it takes a wrapper that meets `'static`.
fn total(store: &impl Store) -> u32 {
    store.keys().map(|k| block_on(store.get(k))).sum()
}

#[test]
fn a_static_trait_borrows_a_local_for_a_short_time() {
    // A local, not a `'static` value: `&dyn Store` borrows it; so does the wrapper.
    let local = Mem(vec![3, 5, 7]);
    let store = DynStore::from_ref(&local);
    assert_eq!(block_on(store.get(1)), 5);
    assert_eq!(store.len(), 3);
    assert!(!store.is_owned(), "the wrapper's own is_owned: it borrows");
    // Another local, with a strategy that needs no allocator.
    let other = Mem(vec![1, 2]);
    let inline = DynStore::from_ref_with_strategy(&other, Inline::<64>::new());
    assert_eq!(block_on(inline.get(0)), 1);
    // Both locals are free again once the wrappers are gone.
    drop((store, inline));
    drop((local, other));
}

#[test]
fn a_static_trait_still_implemented_by_an_owning_wrapper() {
    let owned = DynStore::boxed(Mem(vec![1, 2, 3]));
    assert_eq!(total(&owned), 6);
    // The trait's own `is_owned` default, through the trait.
    assert!(!Store::is_owned(&owned));
    assert!(owned.is_owned(), "the wrapper's is_owned: it owns");
    static GLOBAL: Mem = Mem(Vec::new());
    let borrowed: DynStore<'static> = DynStore::from_ref(&GLOBAL);
    assert_eq!(total(&borrowed), 0);
}

#[dyn_trait(Send)]
trait SendStore: Send + Sync + 'static {
    async fn get(&self, key: u32) -> u32;
}

impl SendStore for Mem {
    async fn get(&self, key: u32) -> u32 {
        self.0[key as usize] * 2
    }
}

fn assert_send<T: Send>(t: T) -> T {
    t
}

#[test]
fn a_static_send_trait_borrows_a_local_and_its_futures_are_send() {
    let local = Mem(vec![4, 9]);
    let store = DynSendStore::from_ref(&local);
    assert_eq!(block_on(assert_send(store.get(1))), 18);
}

#[dyn_trait]
trait Sink<'buf>
where
    Self: 'buf,
{
    async fn write(&mut self, bytes: &'buf [u8]) -> usize;
    fn written(&self) -> usize;
}

struct Collect<'buf>(Vec<&'buf [u8]>);

impl<'buf> Sink<'buf> for Collect<'buf> {
    async fn write(&mut self, bytes: &'buf [u8]) -> usize {
        self.0.push(bytes);
        bytes.len()
    }
    fn written(&self) -> usize {
        self.0.iter().map(|b| b.len()).sum()
    }
}

#[test]
fn where_self_outlives_does_not_stretch_the_borrow() {
    let data = [1u8, 2, 3, 4];
    let mut collect = Collect(Vec::new());
    {
        let mut sink = DynSink::new(&mut collect);
        assert_eq!(block_on(sink.write(&data[..3])), 3);
        assert_eq!(block_on(sink.write(&data[3..])), 1);
        assert_eq!(sink.written(), 4);
    }
    // `&mut dyn Sink<'_>` ends its borrow here; so does the wrapper (E0502 otherwise).
    assert_eq!(collect.0, [&data[..3], &data[3..]]);
    let mut again = DynSink::new(&mut collect);
    assert_eq!(block_on(again.write(&data)), 4);
    assert_eq!(again.written(), 8);
}

#[dyn_trait]
trait Log<'buf>: 'buf {
    fn push(&mut self, line: &'buf str);
    async fn count(&self) -> usize;
    fn lines<'x>(&'x self, skip: usize) -> impl Iterator<Item = &'buf str> + 'x;
    fn drain(&mut self) -> impl Iterator<Item = &'buf str> + '_;
}

struct Lines<'buf> {
    lines: Vec<&'buf str>,
    counted: Cell<u32>,
}

impl<'buf> Log<'buf> for Lines<'buf> {
    fn push(&mut self, line: &'buf str) {
        self.lines.push(line);
    }
    async fn count(&self) -> usize {
        self.counted.set(self.counted.get() + 1);
        self.lines.len()
    }
    fn lines<'x>(&'x self, skip: usize) -> impl Iterator<Item = &'buf str> + 'x {
        self.lines.iter().copied().skip(skip)
    }
    fn drain(&mut self) -> impl Iterator<Item = &'buf str> + '_ {
        self.lines.drain(..)
    }
}

/// Generic code over the trait, with a wrapper whose borrow is as long as `'buf`.
fn push_all<'buf>(log: &mut impl Log<'buf>, lines: &[&'buf str]) {
    for line in lines {
        log.push(line);
    }
}

#[test]
fn a_lifetime_supertrait_is_met_and_does_not_stretch_the_borrow() {
    let text = String::from("a b c");
    let words: Vec<&str> = text.split(' ').collect();
    let mut lines = Lines {
        lines: Vec::new(),
        counted: Cell::new(0),
    };
    {
        let mut log = DynLog::new(&mut lines);
        log.push(words[0]);
        log.push(words[1]);
        assert_eq!(block_on(log.count()), 2);
        assert_eq!(log.lines(1).collect::<Vec<_>>(), ["b"]);
    }
    assert_eq!(lines.lines, ["a", "b"]);
    {
        let mut log = DynLog::new(&mut lines);
        assert_eq!(log.drain().collect::<Vec<_>>(), ["a", "b"]);
        log.push(words[2]);
    }
    assert_eq!(lines.lines, ["c"]);
    assert_eq!(lines.counted.get(), 1);
    lines.lines.clear();
    // An owning wrapper meets `'buf` and goes where `impl Log<'buf>` does.
    let mut owned = DynLog::boxed(Lines {
        lines: Vec::new(),
        counted: Cell::new(0),
    });
    push_all(&mut owned, &words);
    assert_eq!(block_on(owned.count()), 3);
}

#[test]
fn a_static_trait_returns_impl_iterator_from_a_short_borrow() {
    let local = Mem(vec![2, 4, 6]);
    let store = DynStore::from_ref(&local);
    assert_eq!(store.keys().collect::<Vec<_>>(), [0, 1, 2]);
    let sum: u32 = store.keys().map(|k| block_on(store.get(k))).sum();
    assert_eq!(sum, 12);
}
