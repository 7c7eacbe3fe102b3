// An `async fn` whose output nests an `impl Trait`, without a default body: the wrapper
// could not implement the trait, and the error says what to write instead.
#[dynptr::dyn_trait(Send)]
trait Named {
    async fn method(&self) -> Result<impl AsRef<str> + Send, ()>;
    fn id(&self) -> u32;
}

fn main() {}
