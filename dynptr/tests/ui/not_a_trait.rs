#[dynptr::dyn_trait]
struct NotATrait;

fn main() {}
