// The wrapper's name is taken: rustc reports E0428, and the generated items that name the
// wrapper find the other `DynStore`. The fix: `#[dyn_trait(wrapper = AnyStore)]`.
struct DynStore;

#[dynptr::dyn_trait]
trait Store {
    async fn get(&self, key: u32) -> u32;
}

fn main() {
    let _ = DynStore;
}
