//! The ceiling: a bare axum server answering one static HTML page, for bench/run to compare
//! Tend against in the same run.
//!
//! `bare [ADDR]` (or `BARE_ADDR`; default 127.0.0.1:8090) serves a 6.3 KB page at `/` and
//! nothing else: no session, no database, no middleware. It runs as Tend does: axum 0.8 on a
//! multi-thread tokio runtime, with mimalloc.

use anyhow::Context;
use axum::Router;
use axum::response::Html;
use axum::routing::get;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A page shaped like a signed-in daily page: a header with navigation, a few cards of text, a
/// form and a footer, about 6.3 KB.
const PAGE: &str = r##"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>Today · Tend</title>
<link rel="stylesheet" href="/static/app.css">
<link rel="manifest" href="/manifest.webmanifest">
<link rel="icon" href="/static/icon.svg" type="image/svg+xml">
<script src="/static/app.js" defer></script>
</head>
<body class="page-today">
<a class="skip" href="#main">Skip to the page</a>
<header class="top">
  <nav aria-label="Main">
    <a class="brand" href="/today" aria-current="page">Tend</a>
    <ul>
      <li><a href="/today" aria-current="page">Today</a></li>
      <li><a href="/questions">Questions</a></li>
      <li><a href="/practices">Practices</a></li>
      <li><a href="/history">History</a></li>
      <li><a href="/appreciations">Appreciations</a></li>
      <li><a href="/rhythm">Rhythm</a></li>
      <li><a href="/settings">Settings</a></li>
    </ul>
  </nav>
</header>
<main id="main">
  <h1>Good evening, Alex</h1>
  <p class="lede">Thursday, 14 March. You and Sam have connected on 5 of the last 7 days.</p>

  <section class="card check-in" aria-labelledby="check-in-title">
    <h2 id="check-in-title">Today's check-in</h2>
    <p class="state">Sam has checked in today. Check in to see what they wrote.</p>
    <form method="post" action="/check-ins" class="stack">
      <input type="hidden" name="csrf" value="kq3Xn0d7m2VwZl8pR4tYcA9sE1uJ6hGfBvNiOeLxWbQ">
      <label for="high">A high of your day</label>
      <textarea id="high" name="high" rows="2" maxlength="500" placeholder="Something that went well, big or small"></textarea>
      <label for="low">A low of your day</label>
      <textarea id="low" name="low" rows="2" maxlength="500" placeholder="Something that was hard"></textarea>
      <fieldset class="closeness">
        <legend>How close do you feel today?</legend>
        <div class="circles">
          <label><input type="radio" name="closeness" value="1"><span class="pair p1" aria-hidden="true"></span><span class="sr">1, far apart</span></label>
          <label><input type="radio" name="closeness" value="2"><span class="pair p2" aria-hidden="true"></span><span class="sr">2</span></label>
          <label><input type="radio" name="closeness" value="3"><span class="pair p3" aria-hidden="true"></span><span class="sr">3</span></label>
          <label><input type="radio" name="closeness" value="4" checked><span class="pair p4" aria-hidden="true"></span><span class="sr">4</span></label>
          <label><input type="radio" name="closeness" value="5"><span class="pair p5" aria-hidden="true"></span><span class="sr">5</span></label>
          <label><input type="radio" name="closeness" value="6"><span class="pair p6" aria-hidden="true"></span><span class="sr">6</span></label>
          <label><input type="radio" name="closeness" value="7"><span class="pair p7" aria-hidden="true"></span><span class="sr">7, as one</span></label>
        </div>
      </fieldset>
      <label for="need">One thing you need today <span class="hint">(optional)</span></label>
      <input id="need" name="need" type="text" maxlength="200" placeholder="A walk together after dinner">
      <button type="submit" class="primary">Check in</button>
    </form>
  </section>

  <section class="card question" aria-labelledby="question-title">
    <h2 id="question-title">Today's question</h2>
    <blockquote class="prompt">What is a small thing I did this week that made you feel cared for?</blockquote>
    <p class="meta">Light · emotional · from the Everyday deck</p>
    <p class="state">Neither of you has answered yet. Your answer stays hidden until Sam answers too.</p>
    <p><a class="button" href="/questions/everyday-012">Answer</a>
       <a class="quiet" href="/questions">All questions</a></p>
  </section>

  <section class="card appreciations" aria-labelledby="appreciation-title">
    <h2 id="appreciation-title">Appreciations</h2>
    <ul class="list">
      <li>
        <p class="from">From Sam · gratitude · yesterday</p>
        <p>Thank you for making coffee before my early meeting, and for the note on the cup.</p>
        <p class="reaction">You answered with a hug.</p>
      </li>
      <li>
        <p class="from">To Sam · admiration · Monday</p>
        <p>I admire how calmly you talked to your brother on the phone, even when it got loud.</p>
      </li>
      <li>
        <p class="from">From Sam · respect · last week</p>
        <p>I respect how you kept your promise to rest on Sunday, even with the deadline.</p>
      </li>
    </ul>
    <form method="post" action="/appreciations" class="inline">
      <input type="hidden" name="csrf" value="kq3Xn0d7m2VwZl8pR4tYcA9sE1uJ6hGfBvNiOeLxWbQ">
      <label for="kind">Kind</label>
      <select id="kind" name="kind">
        <option value="gratitude">Gratitude</option>
        <option value="respect">Respect</option>
        <option value="admiration">Admiration</option>
      </select>
      <label for="body">Tell Sam</label>
      <input id="body" name="body" type="text" maxlength="1000" placeholder="I'm grateful that you…">
      <button type="submit">Send</button>
    </form>
  </section>

  <section class="card rhythm" aria-labelledby="rhythm-title">
    <h2 id="rhythm-title">This week</h2>
    <ol class="week">
      <li class="both"><span>Mon</span><span class="sr">both of you</span></li>
      <li class="both"><span>Tue</span><span class="sr">both of you</span></li>
      <li class="one"><span>Wed</span><span class="sr">one of you</span></li>
      <li class="both"><span>Thu</span><span class="sr">both of you</span></li>
      <li class="none"><span>Fri</span><span class="sr">not yet</span></li>
      <li class="none"><span>Sat</span><span class="sr">not yet</span></li>
      <li class="none"><span>Sun</span><span class="sr">not yet</span></li>
    </ol>
    <p>A weekly check-in is planned for Sunday evening. <a href="/rhythm">See the rhythm</a></p>
    <p class="hug">3 hugs this week. Today's touch idea: hold hands for a minute without talking. <a href="/hugs">Log a hug</a></p>
  </section>
</main>
<footer class="bottom">
  <p>Tend keeps your words on a machine you trust. <a href="/support">Support</a> · <a href="/learn">Learn</a></p>
</footer>
</body>
</html>
"##;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .or_else(|| std::env::var("BARE_ADDR").ok().filter(|a| !a.is_empty()))
        .unwrap_or_else(|| "127.0.0.1:8090".to_owned());
    let app = Router::new().route("/", get(|| async { Html(PAGE) }));
    let listener = tokio::net::TcpListener::bind(&addr).await.with_context(|| format!("binding {addr}"))?;
    eprintln!("bare axum: {} bytes at http://{addr}/", PAGE.len());
    axum::serve(listener, app).await.context("serving")?;
    Ok(())
}
