//! `#[dyn_trait]` beyond today's `dyn`: `impl Trait` arguments, by-value `self`, and the
//! seed's `Widget` trait verbatim.

use core::cell::Cell;
use core::fmt::Debug;
use core::future::Future;
use core::pin::pin;
use core::task::{Context, Waker};

use dynptr::{dyn_trait, Boxed, ReceiverSlot};
use dynptr_core::testkit::{block_on, YieldOnce};

mod arguments {
    use super::*;

    #[dyn_trait]
    pub(crate) trait Sink {
        async fn push(&mut self, item: impl Into<u64>);
        async fn extend(&mut self, items: impl Iterator<Item = u64>);
        fn extend_now(&mut self, items: impl Iterator<Item = u64>) -> usize;
        async fn map_all(&mut self, f: impl FnMut(u64) -> u64);
        fn count_if(&self, pred: impl Fn(u64) -> bool) -> usize;
        async fn finish(&mut self, done: impl FnOnce(u64) -> String) -> String;
        async fn push_later(&mut self, item: impl Future<Output = u64>);
        fn describe(&self, label: &impl Debug) -> String;
        async fn take_from(&mut self, src: &mut impl Iterator<Item = u64>, n: usize);
        fn total(&self) -> u64;
    }

    #[derive(Default)]
    pub(crate) struct Vecs(Vec<u64>);

    impl Sink for Vecs {
        async fn push(&mut self, item: impl Into<u64>) {
            YieldOnce::new().await;
            self.0.push(item.into());
        }
        async fn extend(&mut self, items: impl Iterator<Item = u64>) {
            for i in items {
                YieldOnce::new().await;
                self.0.push(i);
            }
        }
        fn extend_now(&mut self, items: impl Iterator<Item = u64>) -> usize {
            let before = self.0.len();
            self.0.extend(items);
            self.0.len() - before
        }
        async fn map_all(&mut self, mut f: impl FnMut(u64) -> u64) {
            for x in &mut self.0 {
                YieldOnce::new().await;
                *x = f(*x);
            }
        }
        fn count_if(&self, pred: impl Fn(u64) -> bool) -> usize {
            self.0.iter().filter(|x| pred(**x)).count()
        }
        async fn finish(&mut self, done: impl FnOnce(u64) -> String) -> String {
            YieldOnce::new().await;
            done(self.0.iter().sum())
        }
        async fn push_later(&mut self, item: impl Future<Output = u64>) {
            let v = item.await;
            self.0.push(v);
        }
        fn describe(&self, label: &impl Debug) -> String {
            format!("{label:?}: {:?}", self.0)
        }
        async fn take_from(&mut self, src: &mut impl Iterator<Item = u64>, n: usize) {
            YieldOnce::new().await;
            self.0.extend(src.take(n));
        }
        fn total(&self) -> u64 {
            self.0.iter().sum()
        }
    }

    #[test]
    fn every_kind_of_impl_argument() {
        let mut v = Vecs::default();
        let mut d = DynSink::new(&mut v);
        block_on(d.push(3u8));
        block_on(d.push(4u32));
        block_on(d.extend([10u64, 20].into_iter()));
        assert_eq!(d.extend_now(1..=2), 2);
        assert_eq!(d.total(), 3 + 4 + 10 + 20 + 1 + 2);
        let mut calls = 0;
        block_on(d.map_all(|x| {
            calls += 1;
            x * 2
        }));
        assert_eq!(calls, 6);
        assert_eq!(d.count_if(|x| x > 10), 2);
        let owned = String::from("sum");
        assert_eq!(block_on(d.finish(move |t| format!("{owned}={t}"))), "sum=80");
        block_on(d.push_later(async {
            YieldOnce::new().await;
            7
        }));
        assert_eq!(d.describe(&"v"), "\"v\": [6, 8, 20, 40, 2, 4, 7]");
        let mut src = 100..;
        block_on(d.take_from(&mut src, 2));
        assert_eq!(src.next(), Some(102), "the callee advanced the caller's iterator");
        assert_eq!(d.total(), 6 + 8 + 20 + 40 + 2 + 4 + 7 + 100 + 101);
    }

    #[test]
    fn a_dropped_future_drops_its_adapted_argument_once() {
        struct Counted<'c>(&'c Cell<u32>, u32);
        impl Iterator for Counted<'_> {
            type Item = u64;
            fn next(&mut self) -> Option<u64> {
                self.1 = self.1.checked_sub(1)?;
                Some(u64::from(self.1))
            }
        }
        impl Drop for Counted<'_> {
            fn drop(&mut self) {
                self.0.set(self.0.get() + 1);
            }
        }
        let drops = Cell::new(0);
        let mut v = Vecs::default();
        let mut d = DynSink::with_strategy(&mut v, Boxed::new());
        {
            let mut fut = pin!(d.extend(Counted(&drops, 5)));
            // Poll once: the iterator is moved into the future and partly consumed.
            assert!(fut
                .as_mut()
                .poll(&mut Context::from_waker(Waker::noop()))
                .is_pending());
            assert_eq!(drops.get(), 0);
        }
        assert_eq!(drops.get(), 1);
        assert_eq!(
            d.total(),
            0,
            "the item was pushed after the first await, which never resumed"
        );
    }
}

mod by_value {
    use super::*;

    #[dyn_trait]
    pub(crate) trait Message {
        fn len(&self) -> usize;
        fn into_text(self) -> String;
        async fn send(self, prefix: &str) -> String;
    }

    pub(crate) struct Note<'c> {
        text: String,
        drops: &'c Cell<u32>,
    }
    impl Drop for Note<'_> {
        fn drop(&mut self) {
            self.drops.set(self.drops.get() + 1);
        }
    }
    impl Message for Note<'_> {
        fn len(&self) -> usize {
            self.text.len()
        }
        fn into_text(self) -> String {
            self.text.clone()
        }
        async fn send(self, prefix: &str) -> String {
            YieldOnce::new().await;
            format!("{prefix}{}", self.text)
        }
    }

    #[test]
    fn by_value_methods_move_the_receiver_out_once() {
        let drops = Cell::new(0);
        let d = DynMessage::boxed(Note {
            text: "hello".into(),
            drops: &drops,
        });
        assert_eq!(d.len(), 5);
        assert_eq!(d.into_text(), "hello");
        assert_eq!(drops.get(), 1, "dropped once, by `into_text`");

        let d = DynMessage::boxed(Note {
            text: "async".into(),
            drops: &drops,
        });
        assert_eq!(block_on(d.send("> ")), "> async");
        assert_eq!(drops.get(), 2);

        let mut slot = ReceiverSlot::new();
        let d = DynMessage::in_slot(
            &mut slot,
            Note {
                text: "slot".into(),
                drops: &drops,
            },
        );
        assert_eq!(d.into_text(), "slot");
        assert_eq!(drops.get(), 3);

        // Never consumed: dropped with the wrapper.
        let d = DynMessage::boxed_with_strategy(
            Note {
                text: "unused".into(),
                drops: &drops,
            },
            Boxed::new(),
        );
        drop(d);
        assert_eq!(drops.get(), 4);
    }

    #[test]
    fn an_unpolled_by_value_future_drops_the_receiver_once() {
        let drops = Cell::new(0);
        let d = DynMessage::boxed(Note {
            text: "x".into(),
            drops: &drops,
        });
        let fut = d.send("never ");
        assert_eq!(drops.get(), 0);
        drop(fut);
        assert_eq!(drops.get(), 1);
    }
}

mod widget {
    //! The seed's `Widget`, verbatim.
    use super::*;

    #[derive(Clone, Debug, PartialEq)]
    pub(crate) struct WidgetComponent(pub(crate) String);

    impl From<&str> for WidgetComponent {
        fn from(s: &str) -> Self {
            WidgetComponent(s.to_string())
        }
    }

    #[dyn_trait]
    pub(crate) trait Factory {
        async fn build(&mut self, parts: Vec<WidgetComponent>) -> usize;
    }

    #[dyn_trait]
    pub(crate) trait Widget {
        async fn augment(&mut self, component: impl Into<WidgetComponent>);
        fn components(&self) -> impl Iterator<Item = WidgetComponent>;
        async fn transmit(self, factory: impl Factory);
    }

    pub(crate) struct Button(Vec<WidgetComponent>);

    impl Widget for Button {
        async fn augment(&mut self, component: impl Into<WidgetComponent>) {
            YieldOnce::new().await;
            self.0.push(component.into());
        }
        fn components(&self) -> impl Iterator<Item = WidgetComponent> {
            self.0.clone().into_iter()
        }
        async fn transmit(self, mut factory: impl Factory) {
            factory.build(self.0).await;
        }
    }

    pub(crate) struct Counter<'c>(&'c Cell<usize>);
    impl Factory for Counter<'_> {
        async fn build(&mut self, parts: Vec<WidgetComponent>) -> usize {
            YieldOnce::new().await;
            self.0.set(self.0.get() + parts.len());
            parts.len()
        }
    }

    #[test]
    fn the_seed_widget_through_dyn() {
        let built = Cell::new(0);
        let mut w = DynWidget::boxed(Button(vec!["frame".into()]));
        block_on(w.augment("label"));
        block_on(w.augment(WidgetComponent("icon".into())));
        assert_eq!(
            w.components().map(|c| c.0).collect::<Vec<_>>(),
            ["frame", "label", "icon"]
        );
        block_on(w.transmit(Counter(&built)));
        assert_eq!(built.get(), 3);
    }

    fn drive<S: dynptr::Strategy + Default>(strategy: S) -> usize {
        let built = Cell::new(0);
        let mut w = DynWidget::boxed_with_strategy(Button(vec!["frame".into()]), strategy);
        block_on(w.augment("label"));
        assert_eq!(w.components().count(), 2);
        block_on(w.transmit(Counter(&built)));
        built.get()
    }

    #[test]
    fn the_seed_widget_with_every_default_strategy() {
        // `impl Factory` arguments are passed as a `DynFactory` with a fresh
        // `S::default()`, so the strategy must be `Default` (the stack slot is not).
        // Plain `Inline<N>` cannot work here: `transmit`'s future holds a
        // `DynFactory<Inline<N>>`, whose buffer is `N` bytes, so the future is always
        // larger than `N` (a compile-time error says so); `InlineOr` falls back instead.
        assert_eq!(drive(Boxed::new()), 2);
        assert_eq!(drive(dynptr_stack::InlineOr::<32>::new()), 2);
        assert_eq!(drive(dynptr_stack::InlineOr::<512>::new()), 2);
        assert_eq!(drive(dynptr_bump::Bumped::new()), 2);
        assert_eq!(drive(dynptr_cache::Cached::new()), 2);
    }
}

mod clone {
    //! `trait Widget: Clone`: the seed's appendix, "given `w: Box<dyn Widget>`, able to
    //! invoke `w.clone()`".
    use super::*;

    #[dyn_trait]
    pub(crate) trait Counter: Clone {
        async fn bump(&mut self) -> u32;
        fn get(&self) -> u32;
    }

    #[derive(Clone)]
    pub(crate) struct Tally(u32);

    impl Counter for Tally {
        async fn bump(&mut self) -> u32 {
            self.0 += 1;
            self.0
        }
        fn get(&self) -> u32 {
            self.0
        }
    }

    fn clone_generic<C: Counter>(c: &C) -> C {
        c.clone()
    }

    #[test]
    fn an_owning_wrapper_clones_into_a_new_box() {
        let mut a = DynCounter::boxed(Tally(1));
        block_on(a.bump());
        let mut b = a.clone();
        assert!(b.is_owned());
        assert_eq!(block_on(b.bump()), 3);
        assert_eq!((a.get(), b.get()), (2, 3), "independent after the clone");
        // A borrowing wrapper clones into an owned one.
        let mut t = Tally(10);
        let borrowed = DynCounter::new(&mut t);
        let owned = clone_generic(&borrowed);
        assert!(!borrowed.is_owned() && owned.is_owned());
        assert_eq!(owned.get(), 10);
    }
}

mod supertraits {
    //! `trait Widget: Named` where `Named` is a `#[dyn_trait]` trait: `DynWidget`
    //! implements `Named` too.
    use super::*;

    #[dyn_trait]
    pub(crate) trait Named {
        fn name(&self) -> String;
        async fn rename(&mut self, to: &str);
    }

    #[dyn_trait]
    pub(crate) trait Gadget: Named {
        async fn size(&self) -> u32;
    }

    struct Knob(String, u32);

    impl Named for Knob {
        fn name(&self) -> String {
            self.0.clone()
        }
        async fn rename(&mut self, to: &str) {
            YieldOnce::new().await;
            self.0 = to.to_string();
        }
    }

    impl Gadget for Knob {
        async fn size(&self) -> u32 {
            self.1
        }
    }

    fn label(n: &impl Named) -> String {
        format!("<{}>", n.name())
    }

    #[test]
    fn the_wrapper_implements_the_supertrait() {
        let mut k = Knob("volume".into(), 3);
        let mut d = DynGadget::new(&mut k);
        assert_eq!(label(&d), "<volume>");
        block_on(d.rename("gain"));
        assert_eq!(block_on(d.size()), 3);
        assert_eq!(d.name(), "gain");
        drop(d);
        assert_eq!(k.0, "gain");
    }
}

mod boxed_self {
    //! `self: Box<Self>` receivers: the wrapper owns its receiver; the shim moves it out
    //! and boxes it for the implementation.
    use super::*;

    #[dyn_trait]
    pub(crate) trait Node {
        fn detach(self: Box<Self>) -> String;
        fn label(&self) -> String;
    }

    struct Leaf(String);
    impl Node for Leaf {
        fn detach(self: Box<Self>) -> String {
            format!("detached {}", self.0)
        }
        fn label(&self) -> String {
            self.0.clone()
        }
    }

    #[test]
    fn boxed_self_through_dyn() {
        let d = DynNode::boxed(Leaf("a".into()));
        assert_eq!(d.label(), "a");
        assert_eq!(Box::new(d).detach(), "detached a");
    }
}
