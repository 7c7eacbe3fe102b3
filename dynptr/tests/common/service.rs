//! A small line-based TCP service on tokio whose routes are `#[dyn_trait(Send)]`
//! handlers with an `async fn`, looked up by path in a
//! `HashMap<String, DynHandler<'static, S>>`.
//!
//! The protocol, one line each way:
//!
//! ```text
//! > GET /hello
//! < 200 hello, world
//! > GET /echo any text
//! < 200 any text
//! > GET /nope
//! < 404 no route for /nope
//! ```
//!
//! A request is `METHOD SP PATH [SP ARGUMENT] LF` (a CR before the LF is ignored), at most
//! [`MAX_LINE`] bytes; an answer is `STATUS SP BODY LF`. Errors are answers too: `400` for
//! a request that is not UTF-8, empty, not `GET`, or without a `/path`; `404` for an
//! unknown path; `400` for a line longer than [`MAX_LINE`] or cut short by the end of the
//! input, after which the connection is closed (the framing is lost); `408` when the
//! client says nothing for [`Config::idle_timeout`]. Nothing a client sends takes the
//! server down.
//!
//! Storage: each connection builds its own route table, whose handlers store the futures
//! their `handle` returns with a strategy of that connection (`Cached` in the example:
//! one block per route, reused by every request of the connection; `Boxed` allocates one
//! per request). The handlers share the server's state through an `Arc`.
//!
//! Included with `#[path]` by `examples/service.rs` and `tests/service.rs`.

use core::fmt;
use core::net::SocketAddr;
use core::sync::atomic::{AtomicU64, Ordering};
use core::time::Duration;

use alloc::sync::Arc;
use std::collections::HashMap;
use std::io;

use dynptr::{dyn_trait, ThreadSafePointers};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;

/// The longest request line accepted, in bytes, without its LF.
pub const MAX_LINE: usize = 1024;

/// The longest `/sleep` a client may ask for, in milliseconds.
pub const MAX_SLEEP_MS: u64 = 1000;

/// A parsed request: `GET /path argument`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    /// The path, starting with `/`: the route's key.
    pub path: String,
    /// Everything after the first space following the path (may be empty).
    pub argument: String,
}

impl Request {
    /// Parses one request line (without its LF).
    ///
    /// # Errors
    ///
    /// A `400` [`Response`] saying what is wrong.
    pub fn parse(line: &[u8]) -> Result<Request, Response> {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let line = core::str::from_utf8(line).map_err(|_| Response::bad_request("request is not UTF-8"))?;
        if line.trim().is_empty() {
            return Err(Response::bad_request("empty request"));
        }
        let (method, rest) = line.split_once(' ').unwrap_or((line, ""));
        if method != "GET" {
            return Err(Response::bad_request("unsupported method (only GET)"));
        }
        let (path, argument) = rest.split_once(' ').unwrap_or((rest, ""));
        if !path.starts_with('/') {
            return Err(Response::bad_request("missing /path"));
        }
        Ok(Request {
            path: path.to_owned(),
            argument: argument.to_owned(),
        })
    }
}

/// An answer: a status code and a one-line body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    /// `200`, `400`, `404`, `408`.
    pub status: u16,
    /// The body; line breaks are sent as spaces.
    pub body: String,
}

impl Response {
    /// `200 body`.
    pub fn ok(body: impl Into<String>) -> Response {
        Response {
            status: 200,
            body: body.into(),
        }
    }

    /// `400 why`.
    pub fn bad_request(why: impl Into<String>) -> Response {
        Response {
            status: 400,
            body: why.into(),
        }
    }

    /// `404 no route for /path`.
    pub fn not_found(path: &str) -> Response {
        Response {
            status: 404,
            body: format!("no route for {path}"),
        }
    }
}

/// The wire form: `STATUS SP BODY LF`, with any line break in the body sent as a space.
impl fmt::Display for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ", self.status)?;
        for c in self.body.chars() {
            let c = if c == '\n' || c == '\r' { ' ' } else { c };
            fmt::Write::write_char(f, c)?;
        }
        f.write_str("\n")
    }
}

/// A route's handler. `(Send)`: the wrapper and the futures it returns are `Send`, so
/// connections run as tasks on a multi-threaded runtime.
#[dyn_trait(Send)]
pub trait Handler {
    /// Answers one request.
    async fn handle(&self, req: &Request) -> Response;
}

/// What all connections share.
#[derive(Debug, Default)]
pub struct State {
    /// Requests answered with `200`, over all connections.
    pub served: AtomicU64,
    /// Connections accepted.
    pub connections: AtomicU64,
}

/// `/hello`: a constant.
struct Hello;

impl Handler for Hello {
    async fn handle(&self, _req: &Request) -> Response {
        Response::ok("hello, world")
    }
}

/// `/echo text`: the argument back.
struct Echo;

impl Handler for Echo {
    async fn handle(&self, req: &Request) -> Response {
        Response::ok(req.argument.clone())
    }
}

/// `/count`: requests served so far, over all connections.
struct Count(Arc<State>);

impl Handler for Count {
    async fn handle(&self, _req: &Request) -> Response {
        Response::ok(self.0.served.load(Ordering::SeqCst).to_string())
    }
}

/// `/sleep ms`: waits on tokio's timer (a future that really suspends), at most
/// [`MAX_SLEEP_MS`].
struct Sleep;

impl Handler for Sleep {
    async fn handle(&self, req: &Request) -> Response {
        let ms = match req.argument.trim().parse::<u64>() {
            Ok(ms) if ms <= MAX_SLEEP_MS => ms,
            _ => return Response::bad_request(format!("/sleep takes 0..={MAX_SLEEP_MS} milliseconds")),
        };
        tokio::time::sleep(Duration::from_millis(ms)).await;
        Response::ok(format!("slept {ms} ms"))
    }
}

/// The route table of one connection: each handler stores its futures with its own
/// strategy from `make_strategy`.
pub fn routes<S>(state: &Arc<State>, make_strategy: fn() -> S) -> HashMap<String, DynHandler<'static, S>>
where
    S: ThreadSafePointers + Send + Sync + 'static,
{
    let mut routes = HashMap::new();
    routes.insert(
        "/hello".to_owned(),
        DynHandler::boxed_with_strategy(Hello, make_strategy()),
    );
    routes.insert(
        "/echo".to_owned(),
        DynHandler::boxed_with_strategy(Echo, make_strategy()),
    );
    routes.insert(
        "/count".to_owned(),
        DynHandler::boxed_with_strategy(Count(Arc::clone(state)), make_strategy()),
    );
    routes.insert(
        "/sleep".to_owned(),
        DynHandler::boxed_with_strategy(Sleep, make_strategy()),
    );
    routes
}

/// Server settings.
#[derive(Clone, Copy, Debug)]
pub struct Config {
    /// A connection whose client sends nothing for this long gets `408` and is closed.
    pub idle_timeout: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            idle_timeout: Duration::from_secs(10),
        }
    }
}

/// A listening server: bound, not yet serving.
pub struct Server<S> {
    listener: TcpListener,
    state: Arc<State>,
    config: Config,
    make_strategy: fn() -> S,
}

impl<S> fmt::Debug for Server<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Server")
            .field("addr", &self.listener.local_addr().ok())
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl<S> Server<S>
where
    S: ThreadSafePointers + Send + Sync + 'static,
{
    /// Binds `addr`, which must be a loopback address (`127.0.0.1:0` picks a free port).
    /// Each connection's handlers get a strategy from `make_strategy`.
    ///
    /// # Errors
    ///
    /// A non-loopback address, or what `bind` says.
    pub async fn bind(addr: SocketAddr, config: Config, make_strategy: fn() -> S) -> io::Result<Self> {
        if !addr.ip().is_loopback() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{addr} is not a loopback address: this example serves loopback only"),
            ));
        }
        Ok(Server {
            listener: TcpListener::bind(addr).await?,
            state: Arc::default(),
            config,
            make_strategy,
        })
    }

    /// The address the server listens on (with the port the system picked).
    ///
    /// # Errors
    ///
    /// What the socket says.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// The state all connections share.
    pub fn state(&self) -> Arc<State> {
        Arc::clone(&self.state)
    }

    /// Accepts connections, each served by a task of its own, until `shutdown`
    /// completes; then stops accepting and ends the connections still open.
    pub async fn serve(self, shutdown: impl core::future::Future<Output = ()>) {
        let mut shutdown = core::pin::pin!(shutdown);
        let mut connections = JoinSet::new();
        loop {
            tokio::select! {
                () = &mut shutdown => break,
                accepted = self.listener.accept() => match accepted {
                    Ok((stream, _peer)) => {
                        self.state.connections.fetch_add(1, Ordering::SeqCst);
                        let routes = routes(&self.state, self.make_strategy);
                        let (state, config) = (Arc::clone(&self.state), self.config);
                        connections.spawn(async move {
                            // A connection's I/O error ends that connection only.
                            let _ = serve_connection(stream, routes, &state, config).await;
                        });
                    }
                    // Out of file descriptors and the like: back off a little, go on.
                    Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
                },
                // Reap finished connections so the set does not grow.
                Some(_) = connections.join_next(), if !connections.is_empty() => {}
            }
        }
        connections.shutdown().await;
    }
}

/// Reads one line of at most [`MAX_LINE`] bytes (plus its LF) into `line`.
enum Line {
    /// A full line, LF stripped.
    Complete,
    /// End of input before any byte.
    Closed,
    /// End of input in the middle of a line.
    Truncated,
    /// More than [`MAX_LINE`] bytes without a LF.
    TooLong,
}

async fn read_line<R: tokio::io::AsyncBufRead + Unpin>(
    reader: &mut R,
    line: &mut Vec<u8>,
) -> io::Result<Line> {
    line.clear();
    let limit = MAX_LINE as u64 + 1; // + the LF
    let n = (&mut *reader).take(limit).read_until(b'\n', line).await?;
    Ok(if n == 0 {
        Line::Closed
    } else if line.last() == Some(&b'\n') {
        line.pop();
        Line::Complete
    } else if n as u64 == limit {
        Line::TooLong
    } else {
        Line::Truncated
    })
}

/// Serves one connection: a request, its answer, the next request, until the client
/// closes its side, breaks the framing or stays silent too long.
async fn serve_connection<S>(
    stream: TcpStream,
    routes: HashMap<String, DynHandler<'static, S>>,
    state: &State,
    config: Config,
) -> io::Result<()>
where
    S: ThreadSafePointers + Send + Sync + 'static,
{
    let (reader, mut writer) = stream.into_split();
    let mut reader = BufReader::new(reader);
    let mut line = Vec::with_capacity(128);
    loop {
        let read = tokio::time::timeout(config.idle_timeout, read_line(&mut reader, &mut line)).await;
        let (response, keep_open) = match read {
            Err(_elapsed) => (
                Response {
                    status: 408,
                    body: "idle timeout".to_owned(),
                },
                false,
            ),
            Ok(read) => match read? {
                Line::Closed => return writer.shutdown().await,
                Line::Truncated => (
                    Response::bad_request("incomplete request: input ended before the end of the line"),
                    false,
                ),
                Line::TooLong => (
                    Response::bad_request(format!("request line longer than {MAX_LINE} bytes")),
                    false,
                ),
                Line::Complete => (answer(&routes, &line, state).await, true),
            },
        };
        writer.write_all(response.to_string().as_bytes()).await?;
        if !keep_open {
            writer.shutdown().await?;
            // Read what the client still sends (bounded) before closing: closing a
            // socket with unread input resets the connection, and the reset can destroy
            // the answer before the client reads it.
            let mut rest = [0; 1024];
            let drain = async {
                for _ in 0..64 {
                    if reader.read(&mut rest).await? == 0 {
                        break;
                    }
                }
                io::Result::Ok(())
            };
            let _ = tokio::time::timeout(Duration::from_secs(1), drain).await;
            return Ok(());
        }
    }
}

/// The answer to one request line: through the route's `DynHandler`, or an error.
async fn answer<S>(routes: &HashMap<String, DynHandler<'static, S>>, line: &[u8], state: &State) -> Response
where
    S: ThreadSafePointers + Send + Sync + 'static,
{
    let req = match Request::parse(line) {
        Ok(req) => req,
        Err(bad) => return bad,
    };
    let Some(handler) = routes.get(&req.path) else {
        return Response::not_found(&req.path);
    };
    let response = handler.handle(&req).await;
    if response.status == 200 {
        state.served.fetch_add(1, Ordering::SeqCst);
    }
    response
}

/// A client for the tests and the demo: one connection, one line out, one line back,
/// each step under a timeout.
#[derive(Debug)]
pub struct Client {
    reader: BufReader<tokio::net::tcp::OwnedReadHalf>,
    writer: tokio::net::tcp::OwnedWriteHalf,
    timeout: Duration,
}

impl Client {
    /// Connects to `addr` (a loopback address).
    ///
    /// # Errors
    ///
    /// A timeout, or what `connect` says.
    pub async fn connect(addr: SocketAddr, timeout: Duration) -> io::Result<Client> {
        assert!(addr.ip().is_loopback(), "the client talks to loopback only");
        let stream = tokio::time::timeout(timeout, TcpStream::connect(addr))
            .await
            .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "connect timed out"))??;
        let (reader, writer) = stream.into_split();
        Ok(Client {
            reader: BufReader::new(reader),
            writer,
            timeout,
        })
    }

    /// Sends `bytes` as they are.
    ///
    /// # Errors
    ///
    /// A timeout, or what the socket says.
    pub async fn send_raw(&mut self, bytes: &[u8]) -> io::Result<()> {
        tokio::time::timeout(self.timeout, self.writer.write_all(bytes))
            .await
            .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "write timed out"))?
    }

    /// Closes the sending side (the server sees the end of input).
    ///
    /// # Errors
    ///
    /// What the socket says.
    pub async fn close_send(&mut self) -> io::Result<()> {
        self.writer.shutdown().await
    }

    /// Reads one answer line, without its LF; `None` if the server closed the
    /// connection.
    ///
    /// # Errors
    ///
    /// A timeout, a line over 4 KiB, or what the socket says.
    pub async fn read_answer(&mut self) -> io::Result<Option<String>> {
        let mut line = Vec::new();
        let mut limited = (&mut self.reader).take(4096);
        let n = tokio::time::timeout(self.timeout, limited.read_until(b'\n', &mut line))
            .await
            .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "read timed out"))??;
        if n == 0 {
            return Ok(None);
        }
        if line.pop() != Some(b'\n') {
            return Err(io::Error::new(io::ErrorKind::InvalidData, "answer without LF"));
        }
        String::from_utf8(line)
            .map(Some)
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "answer is not UTF-8"))
    }

    /// Sends `request` and a LF, and reads the answer.
    ///
    /// # Errors
    ///
    /// As [`send_raw`](Self::send_raw) and [`read_answer`](Self::read_answer); the
    /// server closing the connection instead of answering is `UnexpectedEof`.
    pub async fn request(&mut self, request: &str) -> io::Result<String> {
        self.send_raw(format!("{request}\n").as_bytes()).await?;
        self.read_answer().await?.ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "connection closed without an answer",
            )
        })
    }
}

/// The global heap, counting the blocks taken from it (the kit's counting allocator):
/// give it to a strategy (`Boxed::new_in(&HEAP)`, `Cached::new_in(&HEAP)`) to see how
/// often that strategy allocates.
pub use dynptr_core::testkit::CountingAllocator as CountingHeap;
