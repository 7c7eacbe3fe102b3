#[dynptr::dyn_trait]
trait Render {
    fn render(&self, out: &impl core::fmt::Write);
}

fn main() {}
