//! `#[dyn_trait(Send)]`: the wrapper and its futures are `Send`; futures of `&self`
//! methods are spawned on a multi-threaded tokio runtime and joined.

use std::collections::HashMap;
extern crate alloc;

use alloc::sync::Arc;

use dynptr::{dyn_trait, Boxed};

/// An HTTP-ish handler.
#[dyn_trait(Send)]
pub trait Handler {
    /// Answers a request.
    async fn handle(&self, path: &str) -> String;
    /// Counts requests (exclusive access).
    async fn reset(&mut self) -> u32;
}

struct Echo {
    served: u32,
}

impl Handler for Echo {
    async fn handle(&self, path: &str) -> String {
        tokio::task::yield_now().await;
        format!("echo {path}")
    }
    async fn reset(&mut self) -> u32 {
        tokio::task::yield_now().await;
        core::mem::take(&mut self.served)
    }
}

static_assertions::assert_impl_all!(DynHandler<'static>: Send, Sync);
static_assertions::assert_impl_all!(DynHandler<'static, Boxed>: Send, Sync);

#[test]
fn futures_are_send_and_joinable_on_a_multithreaded_runtime() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    rt.block_on(async {
        let mut routes: HashMap<String, DynHandler<'static>> = HashMap::new();
        routes.insert("echo".into(), DynHandler::boxed(Echo { served: 7 }));
        let routes = Arc::new(routes);
        let mut tasks = Vec::new();
        for i in 0..4 {
            let routes = Arc::clone(&routes);
            tasks.push(tokio::spawn(async move {
                let h = &routes["echo"];
                let (pa, pb) = (format!("/a{i}"), format!("/b{i}"));
                tokio::join!(h.handle(&pa), h.handle(&pb))
            }));
        }
        for (i, t) in tasks.into_iter().enumerate() {
            let (a, b) = t.await.unwrap();
            assert_eq!(a, format!("echo /a{i}"));
            assert_eq!(b, format!("echo /b{i}"));
        }
        // `&mut self` futures are `Send` too: move the wrapper into a task.
        let mut routes = Arc::try_unwrap(routes).ok().unwrap();
        let mut h = routes.remove("echo").unwrap();
        let served = tokio::spawn(async move { (h.reset().await, h.reset().await) })
            .await
            .unwrap();
        assert_eq!(served, (7, 0));
    });
}
