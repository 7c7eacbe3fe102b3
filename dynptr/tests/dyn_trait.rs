//! `#[dyn_trait]`: one module per trait shape.

use dynptr_core::testkit::block_on;

mod async_iterator {
    use super::block_on;
    use dynptr::{dyn_trait, Boxed, Strategy};

    #[dyn_trait]
    pub(crate) trait AsyncIterator {
        type Item;
        async fn next(&mut self) -> Option<Self::Item>;
    }

    pub(crate) struct Count(pub(crate) u32, pub(crate) u32);

    impl AsyncIterator for Count {
        type Item = u32;
        async fn next(&mut self) -> Option<u32> {
            if self.0 < self.1 {
                self.0 += 1;
                Some(self.0)
            } else {
                None
            }
        }
    }

    async fn sum_static(mut v: impl AsyncIterator<Item = u32>) -> u32 {
        let mut result = 0;
        while let Some(i) = v.next().await {
            result += i;
        }
        result
    }

    async fn sum_dyn<S: Strategy>(v: &mut DynAsyncIterator<'_, u32, S>) -> u32 {
        let mut result = 0;
        while let Some(i) = v.next().await {
            result += i;
        }
        result
    }

    #[test]
    fn static_and_dyn_sums_agree() {
        for n in [0, 1, 10, 100] {
            let expected = n * (n + 1) / 2;
            assert_eq!(block_on(sum_static(Count(0, n))), expected);
            let mut it = Count(0, n);
            {
                let mut d = DynAsyncIterator::new(&mut it);
                assert_eq!(block_on(sum_dyn(&mut d)), expected);
            }
            let mut d = DynAsyncIterator::with_strategy(&mut it, Boxed::new());
            assert_eq!(block_on(sum_dyn(&mut d)), 0, "the borrowed iterator is exhausted");
        }
    }

    #[test]
    fn every_strategy() {
        use dynptr_bump::Bumped;
        use dynptr_stack::{Inline, InlineOr, Slot, SlotRef};
        let n = 50;
        let expected = n * (n + 1) / 2;
        let mut it = Count(0, n);
        assert_eq!(
            block_on(sum_dyn(&mut DynAsyncIterator::with_strategy(
                &mut it,
                Boxed::new()
            ))),
            expected
        );
        let mut it = Count(0, n);
        let mut d: DynAsyncIterator<'_, u32, Inline<64>> =
            DynAsyncIterator::with_strategy(&mut it, Inline::new());
        assert_eq!(block_on(sum_dyn(&mut d)), expected);
        let mut it = Count(0, n);
        let mut d = DynAsyncIterator::with_strategy(&mut it, InlineOr::<16>::new());
        assert_eq!(block_on(sum_dyn(&mut d)), expected);
        let mut it = Count(0, n);
        let slot = core::pin::pin!(Slot::<64>::new());
        let mut d = DynAsyncIterator::with_strategy(&mut it, SlotRef::new(slot));
        assert_eq!(block_on(sum_dyn(&mut d)), expected);
        let mut it = Count(0, n);
        let mut d = DynAsyncIterator::with_strategy(&mut it, Bumped::new());
        assert_eq!(block_on(sum_dyn(&mut d)), expected);
        let mut it = Count(0, n);
        let mut d = DynAsyncIterator::with_strategy(&mut it, dynptr_cache::Cached::new());
        assert_eq!(block_on(sum_dyn(&mut d)), expected);
        let arena = Bumped::new();
        let (mut a, mut b) = (Count(0, n), Count(0, 2 * n));
        let mut da = DynAsyncIterator::with_strategy(&mut a, &arena);
        let mut db = DynAsyncIterator::with_strategy(&mut b, &arena);
        assert_eq!(
            block_on(sum_dyn(&mut da)) + block_on(sum_dyn(&mut db)),
            expected + 2 * n * (2 * n + 1) / 2
        );
        // Static dispatch agrees.
        assert_eq!(block_on(sum_static(Count(0, n))), expected);
    }

    #[test]
    fn the_wrapper_implements_the_trait() {
        let mut it = Count(0, 4);
        assert_eq!(block_on(sum_static(DynAsyncIterator::new(&mut it))), 10);
    }

    #[test]
    fn owned_wrappers() {
        let mut owned = DynAsyncIterator::boxed(Count(0, 3));
        assert!(owned.is_owned());
        assert_eq!(block_on(sum_dyn(&mut owned)), 6);
        let mut slot = dynptr::ReceiverSlot::new();
        let mut in_slot = DynAsyncIterator::in_slot(&mut slot, Count(0, 5));
        assert!(in_slot.is_owned());
        assert_eq!(block_on(sum_dyn(&mut in_slot)), 15);
    }
}

mod store {
    //! A generic trait with `&self` methods, borrowed arguments, an associated type,
    //! a where clause, a plain method and a default body.
    use super::block_on;
    use core::future::Future;
    use core::hash::Hash;
    use dynptr::{dyn_trait, Boxed};
    use std::collections::HashMap;

    /// A key-value store.
    #[dyn_trait]
    pub(crate) trait Store<K>
    where
        K: Hash + Eq,
    {
        /// What the store holds.
        type Value: Clone;

        /// Looks a key up.
        async fn get(&self, key: &K) -> Option<Self::Value>;

        /// The number of entries (plain method, no strategy involved).
        fn len(&self) -> usize;

        /// Keys starting with a prefix, through `impl Future` written out.
        fn count_prefix(&self, prefix: &str) -> impl Future<Output = usize>;

        /// A default body.
        async fn contains(&self, key: &K) -> bool {
            self.get(key).await.is_some()
        }
    }

    struct Map(HashMap<String, u32>);

    impl Store<String> for Map {
        type Value = u32;
        async fn get(&self, key: &String) -> Option<u32> {
            self.0.get(key).copied()
        }
        fn len(&self) -> usize {
            self.0.len()
        }
        async fn count_prefix(&self, prefix: &str) -> usize {
            self.0.keys().filter(|k| k.starts_with(prefix)).count()
        }
    }

    fn map() -> Map {
        Map(HashMap::from([
            ("apple".into(), 1),
            ("apricot".into(), 2),
            ("banana".into(), 3),
        ]))
    }

    #[test]
    fn shared_methods_with_borrowed_arguments() {
        let m = map();
        let d: DynStore<'_, String, u32> = DynStore::from_ref(&m);
        assert_eq!(block_on(d.get(&"apple".to_string())), Some(1));
        assert_eq!(block_on(d.get(&"cherry".to_string())), None);
        assert_eq!(d.len(), 3);
        assert_eq!(block_on(d.count_prefix("ap")), 2);
        assert!(block_on(d.contains(&"banana".to_string())));
    }

    #[test]
    fn two_live_futures_from_one_wrapper() {
        let m = map();
        let d = DynStore::from_ref_with_strategy(&m, Boxed::new());
        let (a, b) = (String::from("apple"), String::from("banana"));
        let fa = d.get(&a);
        let fb = d.get(&b);
        assert_eq!(block_on(async { (fa.await, fb.await) }), (Some(1), Some(3)));
    }

    #[test]
    fn generic_code_over_the_trait() {
        async fn total<K: Hash + Eq, S: Store<K, Value = u32>>(s: &S, keys: &[K]) -> u32 {
            let mut t = 0;
            for k in keys {
                t += s.get(k).await.unwrap_or(0);
            }
            t
        }
        let m = map();
        let d = DynStore::boxed(m);
        let keys = ["apple".to_string(), "banana".to_string(), "kiwi".to_string()];
        assert_eq!(block_on(total(&d, &keys)), 4);
    }
}

mod iterators {
    //! `-> impl Iterator`, `-> impl Display`, `&mut self` and `&self` mixed, lifetimes on
    //! the trait.
    use core::fmt::Display;
    use dynptr::dyn_trait;

    #[dyn_trait]
    pub(crate) trait Words<'t> {
        fn words(&self) -> impl Iterator<Item = &'t str> + '_;
        fn shout(&mut self) -> impl Display;
        fn text(&self) -> &'t str;
    }

    struct Text<'t>(&'t str, u32);

    impl<'t> Words<'t> for Text<'t> {
        fn words(&self) -> impl Iterator<Item = &'t str> + '_ {
            self.0.split_whitespace()
        }
        fn shout(&mut self) -> impl Display {
            self.1 += 1;
            format!("{}{}", self.0.to_uppercase(), "!".repeat(self.1 as usize))
        }
        fn text(&self) -> &'t str {
            self.0
        }
    }

    #[test]
    fn returned_iterators_and_displays() {
        let source = String::from("the quick brown fox");
        let mut t = Text(&source, 0);
        let mut d = DynWords::new(&mut t);
        assert_eq!(d.words().collect::<Vec<_>>(), ["the", "quick", "brown", "fox"]);
        assert_eq!(d.words().count(), 4);
        assert_eq!(d.shout().to_string(), "THE QUICK BROWN FOX!");
        assert_eq!(d.shout().to_string(), "THE QUICK BROWN FOX!!");
        assert_eq!(d.text(), "the quick brown fox");
    }
}

mod markers {
    //! Marker supertraits, and a method kept out of the vtable with `where Self: Sized`.
    use super::block_on;
    use dynptr::dyn_trait;

    #[dyn_trait]
    pub(crate) trait Job: Send + Sync + 'static {
        async fn run(&self, input: u64) -> u64;

        fn boxed_clone(&self) -> u64
        where
            Self: Sized,
        {
            0
        }
    }

    struct Double;
    impl Job for Double {
        async fn run(&self, input: u64) -> u64 {
            input * 2
        }
    }

    fn assert_send_sync<T: Send + Sync + 'static>(_: &T) {}

    #[test]
    fn markers_carry_over() {
        let d = DynJob::boxed(Double);
        assert_send_sync(&d);
        assert_eq!(block_on(d.run(21)), 42);
        assert_eq!(d.boxed_clone(), 0);
    }
}

mod returns_a_dyn_trait {
    //! `fn -> impl Bar` where `Bar` is itself a `#[dyn_trait]` trait: the wrapper returns
    //! `DynBar`, which owns the value through the strategy.
    use super::block_on;
    use dynptr::{dyn_trait, Boxed};

    #[dyn_trait]
    pub(crate) trait Connection {
        async fn send(&mut self, msg: &str) -> usize;
        fn peer(&self) -> u32;
    }

    #[dyn_trait]
    pub(crate) trait Source {
        type Item;
        async fn pull(&mut self) -> Option<Self::Item>;
    }

    #[dyn_trait]
    pub(crate) trait Pool {
        fn connect(&mut self, id: u32) -> impl Connection;
        fn numbers(&self) -> impl Source<Item = u8> + '_;
    }

    struct Conn {
        peer: u32,
        sent: usize,
    }
    impl Connection for Conn {
        async fn send(&mut self, msg: &str) -> usize {
            self.sent += msg.len();
            self.sent
        }
        fn peer(&self) -> u32 {
            self.peer
        }
    }

    struct Digits<'p>(&'p [u8]);
    impl Source for Digits<'_> {
        type Item = u8;
        async fn pull(&mut self) -> Option<u8> {
            let (first, rest) = self.0.split_first()?;
            self.0 = rest;
            Some(*first)
        }
    }

    struct Local {
        opened: u32,
        data: Vec<u8>,
    }
    impl Pool for Local {
        fn connect(&mut self, id: u32) -> impl Connection {
            self.opened += 1;
            Conn { peer: id, sent: 0 }
        }
        fn numbers(&self) -> impl Source<Item = u8> + '_ {
            Digits(&self.data)
        }
    }

    #[test]
    fn returned_values_are_dyn_wrappers() {
        let mut pool = Local {
            opened: 0,
            data: vec![4, 5, 6],
        };
        {
            let mut d = DynPool::with_strategy(&mut pool, Boxed::new());
            let mut c = d.connect(7);
            assert_eq!(c.peer(), 7);
            assert_eq!(block_on(c.send("hi")), 2);
            assert_eq!(block_on(c.send("there")), 7);
            drop(c);
            let mut n = d.numbers();
            let mut total = 0u32;
            while let Some(x) = block_on(n.pull()) {
                total += u32::from(x);
            }
            assert_eq!(total, 15);
        }
        assert_eq!(pool.opened, 1);
    }
}

mod formatting_supertraits {
    //! `Debug` and `Display` supertraits: the wrapper forwards them to its receiver.
    use core::fmt;
    use dynptr::dyn_trait;

    #[dyn_trait]
    pub(crate) trait Shape: fmt::Debug + fmt::Display {
        fn area(&self) -> f64;
    }

    #[derive(Debug)]
    struct Square(f64);

    impl fmt::Display for Square {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "a square of side {}", self.0)
        }
    }

    impl Shape for Square {
        fn area(&self) -> f64 {
            self.0 * self.0
        }
    }

    fn describe(s: &impl Shape) -> String {
        format!("{s} ({s:?}) of area {}", s.area())
    }

    #[test]
    fn the_wrapper_forwards_debug_and_display() {
        let sq = Square(2.0);
        let d = DynShape::from_ref(&sq);
        assert_eq!(describe(&d), "a square of side 2 (Square(2.0)) of area 4");
    }
}
