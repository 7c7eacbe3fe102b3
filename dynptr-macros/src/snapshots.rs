//! Expansion snapshots of representative traits: what `#[dyn_trait]` generates, kept in
//! `snapshots/*.expanded.rs` so that a change to the expansion shows in review. Run with
//! `DYNPTR_BLESS=1` to rewrite them.

use std::io::Write;
use std::process::{Command, Stdio};

use quote::quote;

fn expand(attr: proc_macro2::TokenStream, item: proc_macro2::TokenStream) -> String {
    let args: crate::args::Args = syn::parse2(attr).expect("arguments");
    let item: syn::ItemTrait = syn::parse2(item).expect("a trait");
    let model = crate::parse::parse(&args, item).expect("a supported trait");
    let tokens = crate::expand::expand(&model).to_string();
    format_rust(&tokens)
}

/// Formats with `rustfmt` when it is installed (CI installs it), else returns the raw
/// token string (then the comparison below is skipped).
fn format_rust(code: &str) -> String {
    let child = Command::new("rustfmt")
        .args(["--edition", "2021", "--emit", "stdout", "--quiet"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn();
    let Ok(mut child) = child else {
        return code.to_string();
    };
    child.stdin.take().unwrap().write_all(code.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "rustfmt failed on the expansion:\n{code}");
    String::from_utf8(out.stdout).unwrap()
}

fn check(name: &str, expanded: &str) {
    let path = format!("{}/snapshots/{name}.expanded.rs", env!("CARGO_MANIFEST_DIR"));
    if std::env::var_os("DYNPTR_BLESS").is_some() {
        std::fs::write(&path, expanded).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        expected == expanded,
        "the expansion of `{name}` changed; review it and run with DYNPTR_BLESS=1 to accept:\n{expanded}"
    );
}

#[test]
fn async_iterator() {
    check(
        "async_iterator",
        &expand(
            quote!(),
            quote! {
                pub trait AsyncIterator {
                    type Item;
                    async fn next(&mut self) -> Option<Self::Item>;
                }
            },
        ),
    );
}

#[test]
fn store_send() {
    check(
        "store_send",
        &expand(
            quote!(Send),
            quote! {
                pub trait Store<K: Eq> {
                    type Value;
                    async fn get(&self, key: &K) -> Option<Self::Value>;
                    fn len(&self) -> usize;
                }
            },
        ),
    );
}

#[test]
fn words_impl_iterator() {
    check(
        "words_impl_iterator",
        &expand(
            quote!(wrapper = AnyWords),
            quote! {
                trait Words<'t>: Sync {
                    fn words(&self) -> impl Iterator<Item = &'t str> + '_;
                    fn shout(&mut self) -> impl core::fmt::Display;
                }
            },
        ),
    );
}

/// By-value `self` (plain and `Box<Self>`), an `async fn` and a plain return.
#[test]
fn by_value_self() {
    check(
        "by_value_self",
        &expand(
            quote!(),
            quote! {
                pub trait Job {
                    async fn run(self, budget: u32) -> u32;
                    fn cancel(self: Box<Self>) -> bool;
                    fn name(&self) -> &str;
                }
            },
        ),
    );
}

/// Every argument adaptation: `impl Into`, `impl FnMut`, `impl FnOnce`, `impl Future`,
/// `&impl Debug`, an `impl Iterator` by `&mut`, and a borrowed plain argument.
#[test]
fn adapted_arguments() {
    check(
        "adapted_arguments",
        &expand(
            quote!(),
            quote! {
                pub trait Sink {
                    async fn put(&mut self, name: impl Into<String>, each: impl FnMut(u8) -> u8);
                    async fn then(&mut self, done: impl FnOnce(u32) -> u32, wait: impl core::future::Future<Output = ()>);
                    async fn show(&self, what: &impl core::fmt::Debug, key: &str) -> usize;
                    async fn fill(&mut self, items: impl Iterator<Item = u8>) -> usize;
                }
            },
        ),
    );
}

/// Supertraits (`Clone`, `Debug`, a `#[dyn_trait]` one) and a default body.
#[test]
fn supertraits_and_defaults() {
    check(
        "supertraits_and_defaults",
        &expand(
            quote!(),
            quote! {
                pub trait Named: Clone + core::fmt::Debug + Base {
                    async fn greet(&self) -> String {
                        String::from("hello")
                    }
                    fn id(&self) -> u64;
                }
            },
        ),
    );
}

/// Shapes beyond the seed: a generic method adapted like an `impl Trait` argument,
/// typed receivers (`self: &Self` dispatched, `self: Arc<Self>` left outside), `-> impl
/// Send` alone, a method without `self`, and a trait-level `where Self: ..` predicate.
#[test]
fn migration_shapes() {
    check(
        "migration_shapes",
        &expand(
            quote!(Send),
            quote! {
                pub trait Repo: Sized where Self: Sync {
                    fn put<V: Into<String>>(&mut self, v: V) -> usize;
                    fn get(self: &Self, key: u32) -> Option<String>;
                    async fn share(self: std::sync::Arc<Self>) -> u32 { 0 }
                    fn token(&self) -> impl Send;
                    async fn open(path: &str) -> Self;
                }
            },
        ),
    );
}

#[test]
fn outlives_bounds() {
    check(
        "outlives_bounds",
        &expand(
            quote!(),
            quote! {
                pub trait Sink<'buf>: 'buf {
                    async fn write(&mut self, bytes: &'buf [u8]) -> usize;
                    fn written(&self) -> usize;
                    fn parts<'x>(&'x self, skip: usize) -> impl Iterator<Item = &'buf [u8]> + 'x;
                }
            },
        ),
    );
}
