//! The service example's server (`tests/common/service.rs`), driven over loopback TCP:
//! good requests, concurrent clients, malformed input that must get an error answer
//! without taking the server down, an idle client, and how often the handlers'
//! strategies allocate (`Cached`: once per route and connection; `Boxed`: once per
//! request). Every network step runs under a timeout; every loop is bounded.
//!
//! Sockets are not supported under Miri: those tests are ignored there; the parser and a
//! direct handler call still run.

extern crate alloc;

#[allow(dead_code, unreachable_pub)]
#[path = "common/service.rs"]
mod service;

use alloc::sync::Arc;
use core::future::Future;
use core::net::{Ipv4Addr, SocketAddr};
use core::sync::atomic::Ordering;
use core::time::Duration;
use std::io;

use dynptr::{Boxed, ThreadSafePointers};
use dynptr_cache::Cached;
use service::{routes, Client, Config, CountingHeap, Handler, Request, Response, Server, State, MAX_LINE};

const TIMEOUT: Duration = Duration::from_secs(10);

/// A server on `127.0.0.1:<free port>`, serving in a task until the returned sender
/// fires or is dropped.
async fn start<S>(
    config: Config,
    make_strategy: fn() -> S,
) -> (
    SocketAddr,
    Arc<State>,
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<()>,
)
where
    S: ThreadSafePointers + Send + Sync + 'static,
{
    let server = Server::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)), config, make_strategy)
        .await
        .expect("bind 127.0.0.1:0");
    let addr = server.local_addr().unwrap();
    assert!(addr.ip().is_loopback() && addr.port() != 0);
    let state = server.state();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(server.serve(async {
        let _ = stopped.await;
    }));
    (addr, state, stop, serving)
}

/// Runs `test` on a two-thread runtime, under an overall timeout.
fn run<F: Future<Output = ()>>(test: F) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        tokio::time::timeout(Duration::from_secs(60), test)
            .await
            .expect("the test took over 60 s");
    });
}

async fn connect(addr: SocketAddr) -> Client {
    Client::connect(addr, TIMEOUT).await.expect("connect")
}

/// Reads the end of the connection: the server closed it.
async fn assert_closed(client: &mut Client) {
    match client.read_answer().await {
        Ok(None) => {}
        // A reset is a close too (it should not happen: the server drains first).
        Err(e) if e.kind() == io::ErrorKind::ConnectionReset => {}
        other => panic!("expected the server to close the connection, got {other:?}"),
    }
}

/// Good requests, malformed input, concurrent clients, against a server whose handlers
/// use strategies made by `make_strategy`.
fn answers_requests_and_survives_malformed_input<S>(make_strategy: fn() -> S)
where
    S: ThreadSafePointers + Send + Sync + 'static,
{
    run(async {
        let (addr, state, stop, serving) = start(Config::default(), make_strategy).await;

        // Good requests on one connection.
        let mut client = connect(addr).await;
        assert_eq!(client.request("GET /hello").await.unwrap(), "200 hello, world");
        assert_eq!(client.request("GET /echo a b  c").await.unwrap(), "200 a b  c");
        assert_eq!(client.request("GET /echo").await.unwrap(), "200 ");
        assert_eq!(client.request("GET /sleep 5").await.unwrap(), "200 slept 5 ms");
        assert_eq!(client.request("GET /hello\r").await.unwrap(), "200 hello, world");
        assert_eq!(client.request("GET /count").await.unwrap(), "200 5");

        // Errors that keep the framing: an answer each, the connection stays usable.
        let errors = [
            ("GET /nope", "404 no route for /nope"),
            ("GET /hello/", "404 no route for /hello/"),
            ("POST /hello", "400 unsupported method (only GET)"),
            ("get /hello", "400 unsupported method (only GET)"),
            ("GET hello", "400 missing /path"),
            ("GET", "400 missing /path"),
            ("", "400 empty request"),
            ("   ", "400 empty request"),
            ("GET /sleep 999999", "400 /sleep takes 0..=1000 milliseconds"),
            ("GET /sleep -1", "400 /sleep takes 0..=1000 milliseconds"),
        ];
        for (request, expected) in errors {
            assert_eq!(
                client.request(request).await.unwrap(),
                expected,
                "for {request:?}"
            );
        }
        client.send_raw(b"\xff\xfe\x00\x80garbage\n").await.unwrap();
        assert_eq!(
            client.read_answer().await.unwrap().as_deref(),
            Some("400 request is not UTF-8")
        );
        client.send_raw(&[0u8; 100]).await.unwrap();
        client.send_raw(b"\n").await.unwrap();
        assert_eq!(
            client.read_answer().await.unwrap().as_deref(),
            Some("400 unsupported method (only GET)"),
            "NUL bytes are UTF-8 but not GET"
        );
        // A line of exactly MAX_LINE bytes is still a request.
        let longest = format!("GET /echo {}", "y".repeat(MAX_LINE - "GET /echo ".len()));
        assert_eq!(longest.len(), MAX_LINE);
        let echoed = client.request(&longest).await.unwrap();
        assert_eq!(echoed, format!("200 {}", &longest["GET /echo ".len()..]));
        // Two requests in one write: two answers, in order.
        client.send_raw(b"GET /echo one\nGET /echo two\n").await.unwrap();
        assert_eq!(client.read_answer().await.unwrap().as_deref(), Some("200 one"));
        assert_eq!(client.read_answer().await.unwrap().as_deref(), Some("200 two"));
        assert_eq!(client.request("GET /hello").await.unwrap(), "200 hello, world");

        // An overlong line: an answer, then the server closes (the framing is lost).
        let mut client = connect(addr).await;
        client.send_raw(&vec![b'x'; 3 * MAX_LINE]).await.unwrap();
        assert_eq!(
            client.read_answer().await.unwrap().as_deref(),
            Some("400 request line longer than 1024 bytes")
        );
        assert_closed(&mut client).await;
        // One byte over the limit, with the LF after it.
        let mut client = connect(addr).await;
        let request = format!("GET /echo {}\n", "z".repeat(MAX_LINE + 1 - "GET /echo ".len()));
        client.send_raw(request.as_bytes()).await.unwrap();
        assert_eq!(
            client.read_answer().await.unwrap().as_deref(),
            Some("400 request line longer than 1024 bytes")
        );
        assert_closed(&mut client).await;

        // Half-closed in the middle of a line: an error answer, then the close.
        let mut client = connect(addr).await;
        client.send_raw(b"GET /hel").await.unwrap();
        client.close_send().await.unwrap();
        assert_eq!(
            client.read_answer().await.unwrap().as_deref(),
            Some("400 incomplete request: input ended before the end of the line")
        );
        assert_closed(&mut client).await;
        // Half-closed after full requests: they are answered, then the close.
        let mut client = connect(addr).await;
        client.send_raw(b"GET /hello\nGET /echo last\n").await.unwrap();
        client.close_send().await.unwrap();
        assert_eq!(
            client.read_answer().await.unwrap().as_deref(),
            Some("200 hello, world")
        );
        assert_eq!(client.read_answer().await.unwrap().as_deref(), Some("200 last"));
        assert_closed(&mut client).await;
        // Garbage without a line break, then a half-close.
        let mut client = connect(addr).await;
        client.send_raw(b"\x00\x01\x02\xff").await.unwrap();
        client.close_send().await.unwrap();
        assert_eq!(
            client.read_answer().await.unwrap().as_deref(),
            Some("400 incomplete request: input ended before the end of the line")
        );
        assert_closed(&mut client).await;
        // Connect and leave at once.
        drop(connect(addr).await);

        // The server is still up: several clients at once, each a few requests.
        let clients = (0..8).map(|i| {
            tokio::spawn(async move {
                let mut client = connect(addr).await;
                for j in 0..5 {
                    let answer = client.request(&format!("GET /echo {i}.{j}")).await.unwrap();
                    assert_eq!(answer, format!("200 {i}.{j}"));
                }
                assert_eq!(client.request("GET /sleep 1").await.unwrap(), "200 slept 1 ms");
            })
        });
        for client in clients.collect::<Vec<_>>() {
            tokio::time::timeout(TIMEOUT, client).await.unwrap().unwrap();
        }

        // 5 + 5 (first connection) + 2 (half-close) + 8 * 6 (clients) = 60.
        let mut client = connect(addr).await;
        assert_eq!(client.request("GET /count").await.unwrap(), "200 60");
        assert_eq!(client.request("GET /hello").await.unwrap(), "200 hello, world");
        drop(client);

        stop.send(()).unwrap();
        tokio::time::timeout(TIMEOUT, serving).await.unwrap().unwrap();
        assert_eq!(state.served.load(Ordering::SeqCst), 62);
        assert_eq!(state.connections.load(Ordering::SeqCst), 16);
    });
}

#[test]
#[cfg_attr(miri, ignore = "sockets are not supported under Miri")]
fn answers_requests_and_survives_malformed_input_cached() {
    static HEAP: CountingHeap = CountingHeap::new();
    answers_requests_and_survives_malformed_input(|| Cached::new_in(&HEAP));
}

#[test]
#[cfg_attr(miri, ignore = "sockets are not supported under Miri")]
fn answers_requests_and_survives_malformed_input_boxed() {
    static HEAP: CountingHeap = CountingHeap::new();
    answers_requests_and_survives_malformed_input(|| Boxed::new_in(&HEAP));
}

#[test]
#[cfg_attr(miri, ignore = "sockets are not supported under Miri")]
fn a_silent_client_gets_408_and_is_closed() {
    static HEAP: CountingHeap = CountingHeap::new();
    run(async {
        let config = Config {
            idle_timeout: Duration::from_millis(250),
        };
        let (addr, _state, stop, serving) = start(config, || Cached::new_in(&HEAP)).await;
        let mut client = connect(addr).await;
        assert_eq!(client.request("GET /hello").await.unwrap(), "200 hello, world");
        // Silent: the server times out, answers 408 and closes.
        assert_eq!(
            client.read_answer().await.unwrap().as_deref(),
            Some("408 idle timeout")
        );
        assert_closed(&mut client).await;
        // Others are still served.
        let mut client = connect(addr).await;
        assert_eq!(client.request("GET /hello").await.unwrap(), "200 hello, world");
        drop(stop);
        tokio::time::timeout(TIMEOUT, serving).await.unwrap().unwrap();
    });
}

#[test]
#[cfg_attr(miri, ignore = "sockets are not supported under Miri")]
fn only_loopback_addresses_are_served() {
    run(async {
        for addr in ["0.0.0.0:0", "192.0.2.1:0", "[::]:0"] {
            let addr: SocketAddr = addr.parse().unwrap();
            let err = Server::bind(addr, Config::default(), Boxed::new)
                .await
                .expect_err("a non-loopback address was accepted");
            assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
        }
    });
}

#[test]
#[cfg_attr(miri, ignore = "sockets are not supported under Miri")]
fn each_handler_call_allocates_one_block_with_boxed() {
    static HEAP: CountingHeap = CountingHeap::new();
    run(async {
        let (addr, _state, stop, serving) = start(Config::default(), || Boxed::new_in(&HEAP)).await;
        let requests = 20;
        for _connection in 0..2 {
            let mut client = connect(addr).await;
            let before = HEAP.allocs();
            for i in 0..requests {
                let route = if i % 2 == 0 { "/hello" } else { "/echo x" };
                assert!(client
                    .request(&format!("GET {route}"))
                    .await
                    .unwrap()
                    .starts_with("200 "));
            }
            // Errors never reach a handler: no allocation.
            assert!(client.request("GET /nope").await.unwrap().starts_with("404 "));
            assert!(client.request("POST /").await.unwrap().starts_with("400 "));
            assert_eq!(
                HEAP.allocs() - before,
                requests,
                "Boxed: one block per handler call"
            );
        }
        drop(stop);
        tokio::time::timeout(TIMEOUT, serving).await.unwrap().unwrap();
    });
}

#[test]
#[cfg_attr(miri, ignore = "sockets are not supported under Miri")]
fn cached_allocates_once_per_route_and_connection() {
    static HEAP: CountingHeap = CountingHeap::new();
    run(async {
        let (addr, _state, stop, serving) = start(Config::default(), || Cached::new_in(&HEAP)).await;
        for _connection in 0..2 {
            let mut client = connect(addr).await;
            let before = HEAP.allocs();
            for i in 0..20 {
                let route = if i % 2 == 0 { "/hello" } else { "/echo x" };
                assert!(client
                    .request(&format!("GET {route}"))
                    .await
                    .unwrap()
                    .starts_with("200 "));
            }
            assert_eq!(HEAP.allocs() - before, 2, "Cached: one block per route used");
            // A larger future on a third route: one more block, then none.
            for _ in 0..5 {
                assert_eq!(client.request("GET /sleep 0").await.unwrap(), "200 slept 0 ms");
            }
            assert_eq!(HEAP.allocs() - before, 3);
        }
        drop(stop);
        tokio::time::timeout(TIMEOUT, serving).await.unwrap().unwrap();
    });
}

#[test]
fn requests_parse() {
    let req = |path: &str, argument: &str| {
        Ok(Request {
            path: path.to_owned(),
            argument: argument.to_owned(),
        })
    };
    assert_eq!(Request::parse(b"GET /a"), req("/a", ""));
    assert_eq!(Request::parse(b"GET /a\r"), req("/a", ""));
    assert_eq!(Request::parse(b"GET /a b c"), req("/a", "b c"));
    assert_eq!(Request::parse(b"GET /a "), req("/a", ""));
    assert_eq!(Request::parse(b"GET / x"), req("/", "x"));
    let bad = |why: &str| Err(Response::bad_request(why));
    assert_eq!(Request::parse(b""), bad("empty request"));
    assert_eq!(Request::parse(b"\r"), bad("empty request"));
    assert_eq!(Request::parse(b"PUT /a"), bad("unsupported method (only GET)"));
    assert_eq!(Request::parse(b"GET  /a"), bad("missing /path"));
    assert_eq!(Request::parse(b"GET a"), bad("missing /path"));
    assert_eq!(Request::parse(b"GET /\xff"), bad("request is not UTF-8"));
    assert_eq!(Response::ok("a\nb\rc").to_string(), "200 a b c\n");
    assert_eq!(Response::not_found("/x").to_string(), "404 no route for /x\n");
}

/// The handlers through a route table of strategies from `make_strategy`, without
/// sockets (so Miri runs the strategies' code too); gives the number of blocks `heap`
/// handed out.
fn route_table<S>(heap: &CountingHeap, make_strategy: fn() -> S) -> usize
where
    S: ThreadSafePointers + Send + Sync + 'static,
{
    let state = Arc::new(State::default());
    let table = routes(&state, make_strategy);
    let mut keys: Vec<&str> = table.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["/count", "/echo", "/hello", "/sleep"]);
    let call = |line: &[u8]| {
        let req = Request::parse(line).unwrap();
        futures::executor::block_on(table[&req.path].handle(&req))
    };
    for _ in 0..3 {
        assert_eq!(call(b"GET /hello"), Response::ok("hello, world"));
    }
    assert_eq!(call(b"GET /echo hi"), Response::ok("hi"));
    state.served.store(41, Ordering::SeqCst);
    assert_eq!(call(b"GET /count"), Response::ok("41"));
    assert_eq!(call(b"GET /sleep x").status, 400);
    heap.allocs()
}

#[test]
fn handlers_answer_through_the_route_table() {
    static BOXED: CountingHeap = CountingHeap::new();
    static CACHED: CountingHeap = CountingHeap::new();
    assert_eq!(
        route_table(&BOXED, || Boxed::new_in(&BOXED)),
        6,
        "Boxed: one block per call"
    );
    assert_eq!(
        route_table(&CACHED, || Cached::new_in(&CACHED)),
        4,
        "Cached: one block per route"
    );
}
