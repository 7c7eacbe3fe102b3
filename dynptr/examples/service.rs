//! A small async TCP service on tokio: its routes are `#[dyn_trait(Send)]` handlers
//! (`async fn handle(&self, req: &Request) -> Response`) in a
//! `HashMap<String, DynHandler<'static, S>>`, one table per connection, and each
//! handler's futures are stored with a strategy of that connection: `Cached`, so a
//! connection's requests to a route reuse one block (counted by the `CountingHeap` it
//! allocates from).
//!
//! ```text
//! cargo run --example service                       # a demo: serves itself a few requests, exits
//! cargo run --example service -- --serve 0 30       # serve 127.0.0.1:<free port> for 30 s
//! cargo run --example service -- --serve 7878 60    # serve 127.0.0.1:7878 for 60 s
//! ```
//!
//! While it serves, talk to it with `nc 127.0.0.1 <port>`: `GET /hello`, `GET /echo hi`,
//! `GET /sleep 100`, `GET /count`. The protocol and the server are in
//! `tests/common/service.rs`, shared with the integration test `tests/service.rs`. The
//! server binds loopback addresses only.

extern crate alloc;

#[allow(dead_code, unreachable_pub)]
#[path = "../tests/common/service.rs"]
mod service;

use alloc::sync::Arc;
use core::error::Error;
use core::net::{Ipv4Addr, SocketAddr};
use core::time::Duration;

use dynptr_cache::Cached;
use service::{Client, Config, CountingHeap, Server, State, MAX_LINE};

/// The heap the handlers' strategies allocate from: `Global`, counted.
static HEAP: CountingHeap = CountingHeap::new();

/// The strategy of each route of each connection: one block, reused by every request
/// of the connection to that route.
type Strategy = Cached<&'static CountingHeap>;
const STRATEGY: &str = "Cached<&'static CountingHeap>";

fn strategy() -> Strategy {
    Cached::new_in(&HEAP)
}

const TIMEOUT: Duration = Duration::from_secs(5);

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        [] => runtime.block_on(demo()),
        ["--serve", port] => runtime.block_on(serve(port.parse()?, 60)),
        ["--serve", port, seconds] => runtime.block_on(serve(port.parse()?, seconds.parse()?)),
        _ => Err("usage: service [--serve PORT [SECONDS]]".into()),
    }
}

/// Serves `127.0.0.1:port` (0: a free port) for `seconds`.
async fn serve(port: u16, seconds: u64) -> Result<(), Box<dyn Error>> {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let server = Server::bind(addr, Config::default(), strategy).await?;
    let state = server.state();
    let addr = server.local_addr()?;
    println!("listening on {addr} for {seconds} s (loopback only)");
    println!(
        "try: printf 'GET /hello\\nGET /echo hi\\n' | nc -q1 {} {}",
        addr.ip(),
        addr.port()
    );
    server
        .serve(tokio::time::sleep(Duration::from_secs(seconds)))
        .await;
    report(&state);
    Ok(())
}

/// Starts the server on a free port, sends it requests (good and bad) from clients in
/// this process, prints each exchange, checks each answer, and shuts the server down.
async fn demo() -> Result<(), Box<dyn Error>> {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
    let server = Server::bind(addr, Config::default(), strategy).await?;
    let addr = server.local_addr()?;
    let state = server.state();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(server.serve(async {
        let _ = stopped.await;
    }));
    println!("dynptr service example: routes are #[dyn_trait(Send)] handlers in a");
    println!("HashMap<String, DynHandler<'static, {STRATEGY}>>, one table per connection");
    println!("listening on {addr} (loopback only, port picked by the system)");

    println!("\nconnection 1: requests answered by the handlers");
    let mut client = Client::connect(addr, TIMEOUT).await?;
    let before = HEAP.allocs();
    for (request, expected) in [
        ("GET /hello", "200 hello, world"),
        ("GET /echo dynptr", "200 dynptr"),
        ("GET /sleep 20", "200 slept 20 ms"),
        ("GET /count", "200 3"),
    ] {
        exchange(&mut client, request, expected).await?;
    }
    let quiet = 40;
    for i in 0..quiet {
        let echo = format!("GET /echo {i}");
        let (request, expected) = match i % 3 {
            0 => ("GET /hello", "200 hello, world".to_owned()),
            1 => (echo.as_str(), format!("200 {i}")),
            _ => ("GET /sleep 1", "200 slept 1 ms".to_owned()),
        };
        check(request, &client.request(request).await?, &expected)?;
    }
    println!("  ... and {quiet} more requests to /hello, /echo and /sleep");
    let blocks = HEAP.allocs() - before;
    println!(
        "  the strategies of this connection's routes allocated {blocks} blocks for {} requests \
         (one per route used; Boxed would allocate one per request)",
        4 + quiet
    );
    if blocks != 4 {
        return Err(format!("expected one block per route used (4), got {blocks}").into());
    }

    println!("\nconnections 2 and 3 at once: two tasks on the multi-threaded runtime");
    let (a, b) = tokio::join!(
        async {
            let mut c = Client::connect(addr, TIMEOUT).await?;
            c.request("GET /sleep 50").await
        },
        async {
            let mut c = Client::connect(addr, TIMEOUT).await?;
            c.request("GET /echo in parallel").await
        },
    );
    let (a, b) = (a?, b?);
    println!("  > GET /sleep 50\n  < {a}\n  > GET /echo in parallel\n  < {b}");
    check("GET /sleep 50", &a, "200 slept 50 ms")?;
    check("GET /echo in parallel", &b, "200 in parallel")?;

    println!("\nconnection 4: errors are answers, the connection stays open");
    let mut client = Client::connect(addr, TIMEOUT).await?;
    for (request, expected) in [
        ("GET /nope", "404 no route for /nope"),
        ("POST /hello", "400 unsupported method (only GET)"),
        ("GET hello", "400 missing /path"),
        ("GET /sleep forever", "400 /sleep takes 0..=1000 milliseconds"),
        ("", "400 empty request"),
    ] {
        exchange(&mut client, request, expected).await?;
    }
    client.send_raw(b"\xff\xfe\x00garbage\n").await?;
    let answer = read_answer(&mut client).await?;
    println!("  > (bytes ff fe 00 67 61 72 62 61 67 65 0a)\n  < {answer}");
    check("garbage", &answer, "400 request is not UTF-8")?;
    exchange(&mut client, "GET /hello", "200 hello, world").await?;

    println!("\nconnection 5: a line over {MAX_LINE} bytes (the framing is lost: answer, then close)");
    let mut client = Client::connect(addr, TIMEOUT).await?;
    client.send_raw(&[b'x'; 2 * MAX_LINE]).await?;
    let answer = read_answer(&mut client).await?;
    println!("  > ({} bytes, no line break)\n  < {answer}", 2 * MAX_LINE);
    check(
        "an overlong line",
        &answer,
        "400 request line longer than 1024 bytes",
    )?;
    println!("  {}", closed(&mut client).await?);

    println!("\nconnection 6: half-closed in the middle of a line");
    let mut client = Client::connect(addr, TIMEOUT).await?;
    client.send_raw(b"GET /hel").await?;
    client.close_send().await?;
    let answer = read_answer(&mut client).await?;
    println!("  > GET /hel (then end of input)\n  < {answer}");
    check(
        "a half-closed line",
        &answer,
        "400 incomplete request: input ended before the end of the line",
    )?;
    println!("  {}", closed(&mut client).await?);

    println!("\nconnection 7: the server is still up");
    let mut client = Client::connect(addr, TIMEOUT).await?;
    exchange(&mut client, "GET /hello", "200 hello, world").await?;
    let served = 4 + quiet + 2 + 1 + 1;
    exchange(&mut client, "GET /count", &format!("200 {served}")).await?;
    drop(client);

    let _ = stop.send(());
    tokio::time::timeout(TIMEOUT, serving).await??;
    println!();
    report(&state);
    Ok(())
}

/// Sends `request`, prints it and the answer, checks the answer.
async fn exchange(client: &mut Client, request: &str, expected: &str) -> Result<(), Box<dyn Error>> {
    let answer = client.request(request).await?;
    let shown = if request.is_empty() {
        "(an empty line)"
    } else {
        request
    };
    println!("  > {shown}\n  < {answer}");
    check(request, &answer, expected)
}

/// An error unless `answer` is `expected`.
fn check(request: &str, answer: &str, expected: &str) -> Result<(), Box<dyn Error>> {
    if answer == expected {
        Ok(())
    } else {
        Err(format!("{request:?}: expected {expected:?}, got {answer:?}").into())
    }
}

async fn read_answer(client: &mut Client) -> Result<String, Box<dyn Error>> {
    Ok(client
        .read_answer()
        .await?
        .ok_or("the server closed without an answer")?)
}

async fn closed(client: &mut Client) -> Result<&'static str, Box<dyn Error>> {
    match client.read_answer().await? {
        None => Ok("(closed by the server)"),
        Some(more) => Err(format!("expected the end of the connection, got {more:?}").into()),
    }
}

fn report(state: &Arc<State>) {
    println!(
        "server stopped: {} connections, {} requests served with 200, {} blocks allocated by the handlers' strategies",
        state.connections.load(core::sync::atomic::Ordering::SeqCst),
        state.served.load(core::sync::atomic::Ordering::SeqCst),
        HEAP.allocs()
    );
}
