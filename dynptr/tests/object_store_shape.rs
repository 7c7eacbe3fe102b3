//! A store trait with the shapes of object_store's `ObjectStore` (a real published
//! trait: formatting, `Send + Sync + 'static` supertraits written as paths, `async fn`s
//! over borrowed paths, default bodies that call an extension trait's methods on `self`,
//! boxed streams in and out, hand-written `impl<T: ObjectStore + ?Sized> .. for Arc<T>`),
//! moved from `#[async_trait]` to `#[dyn_trait(Send)]` without other edits, and used as
//! its users do: `Arc<DynStore<'static>>` where `impl Store` goes, on a multi-thread
//! runtime.

#![allow(missing_docs)]
// The supertrait is spelled as object_store spells it.
#![allow(clippy::std_instead_of_core)]

extern crate alloc;

use alloc::collections::BTreeMap;
use alloc::sync::Arc;
use core::fmt::{self, Debug, Display};
use core::future::Future;
use core::ops::Range;
use std::sync::Mutex;

use futures::stream::{self, BoxStream, StreamExt};

type Result<T, E = String> = core::result::Result<T, E>;

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Key(String);

pub trait Upload: Send {
    fn part(&mut self, bytes: Vec<u8>);
}

#[dynptr::dyn_trait(Send)]
pub trait Store: std::fmt::Display + Send + Sync + Debug + 'static {
    async fn put(&self, key: &Key, bytes: Vec<u8>) -> Result<usize>;
    async fn upload(&self, key: &Key) -> Result<Box<dyn Upload>>;
    async fn get_range(&self, key: &Key, range: Range<usize>) -> Result<Vec<u8>>;
    async fn get_ranges(&self, key: &Key, ranges: &[Range<usize>]) -> Result<Vec<Vec<u8>>> {
        let mut out = Vec::new();
        for r in ranges {
            out.push(self.head_then(key, r.clone()).await?);
        }
        Ok(out)
    }
    fn delete_stream(&self, keys: BoxStream<'static, Key>) -> BoxStream<'static, Result<Key>>;
    fn list(&self, prefix: Option<&Key>) -> BoxStream<'static, Key>;
    fn list_after(&self, prefix: Option<&Key>, offset: &Key) -> BoxStream<'static, Key> {
        let offset = offset.clone();
        self.list(prefix)
            .filter(move |k| futures::future::ready(*k > offset))
            .boxed()
    }
}

/// The extension trait with a blanket impl, as `ObjectStoreExt`.
pub trait StoreExt: Store {
    fn head_then(&self, key: &Key, range: Range<usize>) -> impl Future<Output = Result<Vec<u8>>>;
}

impl<T: Store + ?Sized> StoreExt for T {
    fn head_then(&self, key: &Key, range: Range<usize>) -> impl Future<Output = Result<Vec<u8>>> {
        self.get_range(key, range)
    }
}

// What object_store writes by hand for `Arc<T>` and `Box<T>`.
macro_rules! as_ref_impl {
    ($type:ty) => {
        impl<T: Store + ?Sized> Store for $type {
            async fn put(&self, key: &Key, bytes: Vec<u8>) -> Result<usize> {
                self.as_ref().put(key, bytes).await
            }
            async fn upload(&self, key: &Key) -> Result<Box<dyn Upload>> {
                self.as_ref().upload(key).await
            }
            async fn get_range(&self, key: &Key, range: Range<usize>) -> Result<Vec<u8>> {
                self.as_ref().get_range(key, range).await
            }
            async fn get_ranges(&self, key: &Key, ranges: &[Range<usize>]) -> Result<Vec<Vec<u8>>> {
                self.as_ref().get_ranges(key, ranges).await
            }
            fn delete_stream(&self, keys: BoxStream<'static, Key>) -> BoxStream<'static, Result<Key>> {
                self.as_ref().delete_stream(keys)
            }
            fn list(&self, prefix: Option<&Key>) -> BoxStream<'static, Key> {
                self.as_ref().list(prefix)
            }
            fn list_after(&self, prefix: Option<&Key>, offset: &Key) -> BoxStream<'static, Key> {
                self.as_ref().list_after(prefix, offset)
            }
        }
    };
}

as_ref_impl!(Arc<T>);
as_ref_impl!(Box<T>);

#[derive(Debug, Default)]
struct Memory(Arc<Mutex<BTreeMap<Key, Vec<u8>>>>);

impl Display for Memory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Memory({} keys)", self.0.lock().unwrap().len())
    }
}

struct MemUpload(Arc<Mutex<BTreeMap<Key, Vec<u8>>>>, Key);

impl Upload for MemUpload {
    fn part(&mut self, bytes: Vec<u8>) {
        self.0
            .lock()
            .unwrap()
            .entry(self.1.clone())
            .or_default()
            .extend(bytes);
    }
}

impl Store for Memory {
    async fn put(&self, key: &Key, bytes: Vec<u8>) -> Result<usize> {
        tokio::task::yield_now().await;
        let n = bytes.len();
        self.0.lock().unwrap().insert(key.clone(), bytes);
        Ok(n)
    }
    async fn upload(&self, key: &Key) -> Result<Box<dyn Upload>> {
        Ok(Box::new(MemUpload(Arc::clone(&self.0), key.clone())))
    }
    async fn get_range(&self, key: &Key, range: Range<usize>) -> Result<Vec<u8>> {
        let map = self.0.lock().unwrap();
        let v = map.get(key).ok_or_else(|| format!("no {key:?}"))?;
        v.get(range)
            .map(<[u8]>::to_vec)
            .ok_or_else(|| "out of range".into())
    }
    fn delete_stream(&self, keys: BoxStream<'static, Key>) -> BoxStream<'static, Result<Key>> {
        let map = Arc::clone(&self.0);
        keys.map(move |k| {
            map.lock()
                .unwrap()
                .remove(&k)
                .map(|_| k)
                .ok_or_else(|| "missing".into())
        })
        .boxed()
    }
    fn list(&self, prefix: Option<&Key>) -> BoxStream<'static, Key> {
        let p = prefix.map_or(String::new(), |k| k.0.clone());
        let keys: Vec<Key> = self
            .0
            .lock()
            .unwrap()
            .keys()
            .filter(|k| k.0.starts_with(&p))
            .cloned()
            .collect();
        stream::iter(keys).boxed()
    }
}

/// Generic code over `impl Store`, as object_store's users write it.
async fn roundtrip(store: impl Store, name: &str) -> (Vec<Vec<u8>>, Vec<Key>, String) {
    let key = Key(format!("a/{name}"));
    store.put(&key, vec![1, 2, 3, 4]).await.unwrap();
    let mut up = store.upload(&Key(format!("b/{name}"))).await.unwrap();
    up.part(vec![9]);
    let ranges = store.get_ranges(&key, &[0..2, 2..4]).await.unwrap();
    let after: Vec<Key> = store.list_after(None, &Key("a/".into())).collect().await;
    (ranges, after, store.to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(miri, ignore = "tokio's multi-thread runtime")]
async fn arc_of_the_wrapper_where_impl_store_goes() {
    let store: Arc<DynStore<'static>> = Arc::new(DynStore::boxed(Memory::default()));
    let tasks: Vec<_> = ["x", "y"]
        .into_iter()
        .map(|name| tokio::spawn(roundtrip(Arc::clone(&store), name)))
        .collect();
    for t in tasks {
        let (ranges, after, _) = t.await.unwrap();
        assert_eq!(ranges, [vec![1, 2], vec![3, 4]]);
        assert!(after.len() >= 2, "{after:?}");
    }
    assert_eq!(store.to_string(), "Memory(4 keys)");
    assert!(format!("{store:?}").contains("Memory"));
    let deleted: Vec<_> = store
        .delete_stream(stream::iter([Key("a/x".into()), Key("zz".into())]).boxed())
        .collect()
        .await;
    assert_eq!(deleted, [Ok(Key("a/x".into())), Err("missing".to_string())]);
}

#[test]
#[cfg_attr(
    miri,
    ignore = "tokio's runtime: slow under Miri, and the path has no unsafe of its own"
)]
fn box_and_borrowed_wrappers() {
    let boxed: Box<DynStore<'static>> = Box::new(DynStore::boxed(Memory::default()));
    let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let (ranges, _, shown) = rt.block_on(roundtrip(boxed, "z"));
    assert_eq!(ranges, [vec![1, 2], vec![3, 4]]);
    assert_eq!(shown, "Memory(2 keys)");
}
