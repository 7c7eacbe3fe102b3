// Migrating from async-trait: the trait's `#[async_trait]` became `#[dyn_trait(Send)]`,
// but an impl kept its `#[async_trait]`, which rewrites the impl's `async fn` into a
// method with lifetimes of its own that the native trait does not declare (E0195). The
// macro cannot see impls; the migration guide quotes this message: drop the attribute.
#[dynptr::dyn_trait(Send)]
trait Store {
    async fn get(&self, key: u32) -> u32;
}

struct Mem;

#[async_trait::async_trait]
impl Store for Mem {
    async fn get(&self, key: u32) -> u32 {
        key
    }
}

fn main() {}
