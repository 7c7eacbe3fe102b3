// A supertrait the macro does not know as a standard one is taken for a `#[dyn_trait]`
// trait, whose callback (a macro under the trait's name) implements it for the wrapper;
// a plain `Named` has no callback. The fix: put `#[dyn_trait]` on `Named`.
trait Named {
    fn name(&self) -> String;
}

#[dynptr::dyn_trait]
trait Store: Named {
    async fn get(&self, key: u32) -> u32;
}

fn main() {}
