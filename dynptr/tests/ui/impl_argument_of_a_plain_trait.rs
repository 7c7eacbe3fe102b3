// An `impl Tag` argument goes through the vtable as `ErasedTag`, the dyn-compatible form
// `#[dyn_trait]` emits next to `Tag`; a plain `Tag` has none, and a proc macro sees only
// the tokens `Tag`, so rustc reports the missing `ErasedTag`. The fix (the migration
// guide's): put `#[dyn_trait]` on `Tag`, or import `ErasedTag` beside `Tag`.
trait Tag {
    fn tag(&self) -> u32;
}

#[dynptr::dyn_trait]
trait Store {
    async fn put(&self, tag: impl Tag) -> u32;
}

fn main() {}
