#[dynptr::dyn_trait(Sync)]
trait Job {
    async fn run(&self);
}

fn main() {}
