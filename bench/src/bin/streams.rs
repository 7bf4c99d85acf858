//! Opens many event streams on a Tend node and measures delivery (used by bench/run).
//!
//! ```text
//! streams --addr 127.0.0.1:8080 --tokens FILE [--streams 10000] [--events 300] [--rate 50]
//!         [--write-addr 127.0.0.1:8081] [--connecting 256] [--hold 2] [--timeout 5]
//! ```
//!
//! The token file holds one bearer token a line, partner A then partner B of each couple
//! (couple i is lines 2i and 2i+1). Stream j belongs to token j modulo the number of tokens, so
//! the streams are spread over as many couples as the file has. Once every stream has had its
//! `ready` event, partner A of a couple whose partner B has a stream open sends an appreciation
//! (`POST /api/v1/appreciations`, to `--write-addr` when given: another node), at `--rate` a
//! second, and the tool times the `change` event's arrival on each of partner B's streams.
//!
//! Prints `key=value` lines. Latency is counted from the moment the request is sent (so it
//! includes the write) and, as `after_response_*`, from the moment its response has arrived
//! (zero when the event came first). It asserts nothing.

use anyhow::{Context, bail};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::sync::{Mutex, Notify, Semaphore};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Debug)]
struct Options {
    addr: String,
    write_addr: String,
    tokens: Vec<String>,
    streams: usize,
    events: usize,
    rate: f64,
    connecting: usize,
    hold: Duration,
    timeout: Duration,
}

fn options() -> anyhow::Result<Options> {
    let mut args = std::env::args().skip(1);
    let (mut addr, mut write_addr, mut tokens_file) = (None, None, None);
    let (mut streams, mut events, mut rate, mut connecting, mut hold, mut timeout) =
        (10_000usize, 300usize, 50f64, 256usize, 2f64, 5f64);
    while let Some(flag) = args.next() {
        let mut value = || args.next().with_context(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--addr" => addr = Some(value()?),
            "--write-addr" => write_addr = Some(value()?),
            "--tokens" => tokens_file = Some(value()?),
            "--streams" => streams = value()?.parse().context("--streams")?,
            "--events" => events = value()?.parse().context("--events")?,
            "--rate" => rate = value()?.parse().context("--rate")?,
            "--connecting" => connecting = value()?.parse().context("--connecting")?,
            "--hold" => hold = value()?.parse().context("--hold")?,
            "--timeout" => timeout = value()?.parse().context("--timeout")?,
            "-h" | "--help" => {
                println!(
                    "streams --addr HOST:PORT --tokens FILE [--streams N] [--events N] [--rate PER_S] \
                     [--write-addr HOST:PORT] [--connecting N] [--hold S] [--timeout S]"
                );
                std::process::exit(0);
            }
            other => bail!("unknown argument {other:?} (see --help)"),
        }
    }
    let addr = addr.context("--addr is required")?;
    let tokens_file = tokens_file.context("--tokens is required")?;
    let tokens: Vec<String> = std::fs::read_to_string(&tokens_file)
        .with_context(|| format!("reading {tokens_file}"))?
        .lines()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect();
    if tokens.len() < 2 {
        bail!("{tokens_file} needs at least two tokens (one couple)");
    }
    if rate.is_nan() || rate <= 0.0 || streams == 0 || connecting == 0 {
        bail!("--rate, --streams and --connecting must be above zero");
    }
    Ok(Options {
        write_addr: write_addr.unwrap_or_else(|| addr.clone()),
        addr,
        tokens,
        streams,
        events,
        rate,
        connecting,
        hold: Duration::from_secs_f64(hold),
        timeout: Duration::from_secs_f64(timeout),
    })
}

/// What one couple's partner-B streams have seen since the last appreciation was sent.
#[derive(Default)]
struct Couple {
    arrivals: std::sync::Mutex<Vec<Instant>>,
    arrived: Notify,
    /// One appreciation in flight a couple at a time, since events carry no id.
    busy: Mutex<()>,
    /// Partner B's streams that are open.
    listening: AtomicUsize,
}

#[derive(Default)]
struct Counters {
    ready: AtomicUsize,
    failed: AtomicUsize,
    closed: AtomicUsize,
    /// `change` events other than appreciations: `lagged` and `resync` mean a stream missed some.
    lagged: AtomicUsize,
    changes: AtomicUsize,
}

/// Reads the status line and headers; returns the status code.
async fn read_head<R: AsyncBufReadExt + Unpin>(reader: &mut R, line: &mut String) -> anyhow::Result<u16> {
    line.clear();
    reader.read_line(line).await?;
    let status = line.split_whitespace().nth(1).and_then(|s| s.parse().ok()).context("no HTTP status line")?;
    loop {
        line.clear();
        if reader.read_line(line).await? == 0 {
            bail!("the connection closed in the headers");
        }
        if line.trim_end().is_empty() {
            return Ok(status);
        }
    }
}

/// One event stream: counts `ready`, then reports each appreciation's arrival to its couple.
async fn stream(
    addr: String,
    token: String,
    couple: Option<Arc<Couple>>,
    counters: Arc<Counters>,
    opening: Arc<Semaphore>,
) -> anyhow::Result<()> {
    let permit = opening.acquire_owned().await?;
    let connection = TcpStream::connect(&addr).await.with_context(|| format!("connecting to {addr}"))?;
    connection.set_nodelay(true)?;
    let (read, mut write) = connection.into_split();
    let request = format!(
        "GET /api/v1/events HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nAccept: text/event-stream\r\n\r\n"
    );
    write.write_all(request.as_bytes()).await?;
    let mut reader = BufReader::with_capacity(512, read);
    let mut line = String::with_capacity(128);
    let status = read_head(&mut reader, &mut line).await?;
    if status != 200 {
        bail!("GET /api/v1/events answered {status}");
    }
    let mut permit = Some(permit);
    let mut event = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line).await? == 0 {
            counters.closed.fetch_add(1, Ordering::Relaxed);
            return Ok(());
        }
        // Chunk sizes and blank lines fall through; an event is `event: NAME` then `data: …`.
        let text = line.trim_end();
        if let Some(name) = text.strip_prefix("event:") {
            event.clear();
            event.push_str(name.trim());
        } else if let Some(data) = text.strip_prefix("data:") {
            let now = Instant::now();
            match event.as_str() {
                "ready" => {
                    // The first `ready` opens the way for the next connection.
                    let first = permit.take().is_some();
                    if first {
                        counters.ready.fetch_add(1, Ordering::Relaxed);
                        if let Some(c) = &couple {
                            c.listening.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
                "change" if data.contains("\"appreciation\"") => {
                    counters.changes.fetch_add(1, Ordering::Relaxed);
                    if let Some(c) = &couple {
                        c.arrivals.lock().map_err(|_| anyhow::anyhow!("poisoned"))?.push(now);
                        c.arrived.notify_one();
                    }
                }
                "change" if data.contains("lagged") || data.contains("resync") => {
                    counters.lagged.fetch_add(1, Ordering::Relaxed);
                }
                "change" => {
                    counters.changes.fetch_add(1, Ordering::Relaxed);
                }
                _ => {}
            }
            event.clear();
        }
    }
}

/// Sends one request on a new connection and returns the status code.
async fn post(addr: &str, token: &str, path: &str, body: &str) -> anyhow::Result<u16> {
    let mut connection = TcpStream::connect(addr).await?;
    connection.set_nodelay(true)?;
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    connection.write_all(request.as_bytes()).await?;
    let mut reader = BufReader::new(connection);
    let mut line = String::new();
    let status = read_head(&mut reader, &mut line).await?;
    let mut rest = Vec::new();
    reader.read_to_end(&mut rest).await?;
    Ok(status)
}

struct Sample {
    from_request: Vec<f64>,
    after_response: Vec<f64>,
    missing: usize,
    post_error: bool,
}

/// Partner A of `couple` sends an appreciation; waits for it on partner B's streams.
async fn trigger(opts: &Options, index: usize, couple: &Couple, token: &str) -> Sample {
    let _one_at_a_time = couple.busy.lock().await;
    let expected = couple.listening.load(Ordering::Relaxed);
    if let Ok(mut a) = couple.arrivals.lock() {
        a.clear();
    }
    let body = format!("{{\"kind\":\"gratitude\",\"body\":\"Thank you for the {index}th cup of tea.\"}}");
    let sent = Instant::now();
    let status = post(&opts.write_addr, token, "/api/v1/appreciations", &body).await;
    let responded = Instant::now();
    let post_error = !matches!(status, Ok(201));
    if let Err(e) = &status {
        eprintln!("streams: POST failed: {e:#}");
    }
    let deadline = sent + opts.timeout;
    loop {
        let seen = couple.arrivals.lock().map(|a| a.len()).unwrap_or(0);
        if seen >= expected || post_error {
            break;
        }
        let now = Instant::now();
        if now >= deadline {
            break;
        }
        let _ = tokio::time::timeout(deadline - now, couple.arrived.notified()).await;
    }
    let arrivals = couple.arrivals.lock().map(|a| a.clone()).unwrap_or_default();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    Sample {
        from_request: arrivals.iter().map(|a| ms(a.saturating_duration_since(sent))).collect(),
        after_response: arrivals.iter().map(|a| ms(a.saturating_duration_since(responded))).collect(),
        missing: if post_error { 0 } else { expected.saturating_sub(arrivals.len()) },
        post_error,
    }
}

fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    // Nearest rank.
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn print_latency(prefix: &str, mut values: Vec<f64>) {
    values.sort_by(f64::total_cmp);
    let max = values.last().copied().unwrap_or(f64::NAN);
    println!(
        "{prefix}_p50_ms={:.2} {prefix}_p99_ms={:.2} {prefix}_max_ms={max:.2}",
        percentile(&values, 0.50),
        percentile(&values, 0.99)
    );
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let opts = Arc::new(options()?);
    let couples: Vec<Arc<Couple>> = (0..opts.tokens.len() / 2).map(|_| Arc::new(Couple::default())).collect();
    let counters = Arc::new(Counters::default());
    let opening = Arc::new(Semaphore::new(opts.connecting));
    let started = Instant::now();
    println!("streams_requested={} tokens={} couples={}", opts.streams, opts.tokens.len(), couples.len());
    for j in 0..opts.streams {
        let t = j % opts.tokens.len();
        // Partner B's streams (odd lines) are the ones timed.
        let couple = (t % 2 == 1).then(|| couples.get(t / 2).cloned()).flatten();
        let (addr, token, counters, opening) =
            (opts.addr.clone(), opts.tokens[t].clone(), counters.clone(), opening.clone());
        tokio::spawn(async move {
            if let Err(e) = stream(addr, token, couple, counters.clone(), opening).await
                && counters.failed.fetch_add(1, Ordering::Relaxed) < 5
            {
                eprintln!("streams: a stream failed: {e:#}");
            }
        });
    }
    // Every stream either ready or failed, or two minutes at most.
    let give_up = started + Duration::from_secs(120);
    loop {
        let (ready, failed) = (counters.ready.load(Ordering::Relaxed), counters.failed.load(Ordering::Relaxed));
        if ready + failed >= opts.streams || Instant::now() >= give_up {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    println!(
        "streams_open={} streams_failed={} open_seconds={:.2}",
        counters.ready.load(Ordering::Relaxed),
        counters.failed.load(Ordering::Relaxed),
        started.elapsed().as_secs_f64()
    );
    tokio::time::sleep(opts.hold).await;

    let listened: Vec<usize> =
        (0..couples.len()).filter(|&c| couples[c].listening.load(Ordering::Relaxed) > 0).collect();
    if listened.is_empty() || opts.events == 0 {
        println!("events_sent=0 deliveries_expected=0 deliveries_received=0 post_errors=0");
        return Ok(());
    }
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let mut ticker = tokio::time::interval(Duration::from_secs_f64(1.0 / opts.rate));
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let sending = Instant::now();
    for i in 0..opts.events {
        ticker.tick().await;
        let c = listened[i % listened.len()];
        let (opts, couple, tx) = (opts.clone(), couples[c].clone(), tx.clone());
        tokio::spawn(async move {
            let sample = trigger(&opts, i, &couple, &opts.tokens[2 * c]).await;
            let _ = tx.send(sample);
        });
    }
    drop(tx);
    let (mut from_request, mut after_response, mut missing, mut post_errors) = (Vec::new(), Vec::new(), 0, 0);
    while let Some(s) = rx.recv().await {
        from_request.extend(s.from_request);
        after_response.extend(s.after_response);
        missing += s.missing;
        post_errors += usize::from(s.post_error);
    }
    let received = from_request.len();
    println!(
        "events_sent={} couples_written={} deliveries_expected={} deliveries_received={received} post_errors={post_errors} \
         send_seconds={:.2}",
        opts.events,
        listened.len().min(opts.events),
        received + missing,
        sending.elapsed().as_secs_f64()
    );
    print_latency("latency", from_request);
    print_latency("after_response", after_response);
    println!(
        "streams_still_open={} streams_closed={} lagged_events={} change_events={}",
        counters.ready.load(Ordering::Relaxed).saturating_sub(counters.closed.load(Ordering::Relaxed)),
        counters.closed.load(Ordering::Relaxed),
        counters.lagged.load(Ordering::Relaxed),
        counters.changes.load(Ordering::Relaxed)
    );
    Ok(())
}
