//! The one-attribute migration paths, on the README examples of `async-trait` and
//! `dynosaur` (ported; the peer crates are not needed).

use std::sync::Mutex;

use dynptr::dyn_trait;
use dynptr_core::testkit::block_on;

mod from_async_trait {
    //! `#[async_trait]` (Send futures by default) becomes `#[dyn_trait(Send)]` on the
    //! trait, and nothing on the impls; `Box<dyn Advertisement + Sync>` becomes
    //! `DynAdvertisement<'static>` built with `DynAdvertisement::boxed`.
    use super::*;

    static LOG: Mutex<Vec<String>> = Mutex::new(Vec::new());

    fn log(s: impl Into<String>) {
        LOG.lock().unwrap().push(s.into());
    }

    #[dyn_trait(Send)]
    pub(crate) trait Advertisement {
        async fn run(&self);
    }

    struct Modal;

    impl Modal {
        async fn render_fullscreen(&self) {
            log("fullscreen");
        }
        async fn hide_for_now(&self) {
            log("hide");
        }
    }

    async fn remind_user_to_join_mailing_list() {
        log("remind");
    }

    impl Advertisement for Modal {
        async fn run(&self) {
            self.render_fullscreen().await;
            for _ in 0..4u16 {
                remind_user_to_join_mailing_list().await;
            }
            self.hide_for_now().await;
        }
    }

    struct AutoplayingVideo {
        media_url: String,
    }

    impl Advertisement for AutoplayingVideo {
        async fn run(&self) {
            log(format!("play {}", self.media_url));
            Modal.run().await;
        }
    }

    #[test]
    fn advertisements() {
        let ads: Vec<DynAdvertisement<'static>> = vec![
            DynAdvertisement::boxed(Modal),
            DynAdvertisement::boxed(AutoplayingVideo {
                media_url: "https://example.invalid/ad.mp4".into(),
            }),
        ];
        fn assert_send_sync<T: Send + Sync>(_: &T) {}
        assert_send_sync(&ads);
        for ad in &ads {
            block_on(ad.run());
        }
        let log = LOG.lock().unwrap();
        assert_eq!(log.len(), 6 + 7);
        assert_eq!(log[6], "play https://example.invalid/ad.mp4");
        assert_eq!(log.iter().filter(|l| *l == "remind").count(), 8);
    }
}

mod from_dynosaur {
    //! `#[dynosaur::dynosaur(DynNext = dyn(box) Next)]` becomes
    //! `#[dyn_trait(wrapper = DynNext)]`; `DynNext::boxed` and `DynNext::from_mut` keep
    //! their names, and the wrapper is sized (no `Box<DynNext>`).
    use super::*;
    use core::cell::Cell;

    #[dyn_trait(wrapper = DynNext)]
    pub(crate) trait Next {
        type Item;
        async fn next(&self) -> Option<Self::Item>;
    }

    struct FromIter<I: Iterator>(Cell<Option<I>>);

    fn from_iter<I: IntoIterator>(v: I) -> FromIter<I::IntoIter> {
        FromIter(Cell::new(Some(v.into_iter())))
    }

    impl<I: Iterator> Next for FromIter<I> {
        type Item = I::Item;
        async fn next(&self) -> Option<I::Item> {
            let mut it = self.0.take()?;
            let item = it.next();
            self.0.set(Some(it));
            item
        }
    }

    async fn dyn_dispatch(iter: &mut DynNext<'_, i32>) -> Vec<i32> {
        let mut seen = Vec::new();
        while let Some(item) = iter.next().await {
            seen.push(item);
        }
        seen
    }

    #[test]
    fn next() {
        let v = [1, 2, 3];
        assert_eq!(
            block_on(dyn_dispatch(&mut DynNext::boxed(from_iter(v)))),
            [1, 2, 3]
        );
        assert_eq!(
            block_on(dyn_dispatch(&mut DynNext::from_mut(&mut from_iter(v)))),
            [1, 2, 3]
        );
        // dynosaur's constructor name, kept for ported code.
        assert_eq!(
            block_on(dyn_dispatch(&mut DynNext::new_box(from_iter(v)))),
            [1, 2, 3]
        );
    }
}
