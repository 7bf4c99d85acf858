//! A real Tend router on port 0, a settable clock, and a browser-like client.

#![allow(dead_code)]

use jiff::Timestamp;
use reqwest::cookie::{CookieStore, Jar};
use reqwest::redirect::Policy;
use reqwest::{Client, Response, StatusCode};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tend_domain::reminder::{Courier, Delivery, EndpointPolicy, Message};
use tend_domain::store::User;
use tend_domain::store::reminders::PushSubscription;
use tend_domain::{Ctx, ManualClock, Registration};
use tend_store::testing::TestDb;
use tend_web::{AppState, WebConfig};

/// One message the app handed to its courier.
#[derive(Clone, Debug)]
pub struct Sent {
    /// `push` or `email`.
    pub channel: &'static str,
    /// The device's endpoint, or the email address.
    pub to: String,
    pub message: Message,
    /// The one-click unsubscribe path of an email.
    pub stop_path: Option<String>,
}

/// A courier that records what it is given. Push and email both work, unless told to fail.
#[derive(Default)]
pub struct FakeCourier {
    pub sent: std::sync::Mutex<Vec<Sent>>,
    /// How many of the next deliveries fail as an unreachable service would.
    pub failing: std::sync::atomic::AtomicUsize,
}

impl FakeCourier {
    pub fn sent(&self) -> Vec<Sent> {
        self.sent.lock().expect("lock").clone()
    }

    pub fn take(&self) -> Vec<Sent> {
        std::mem::take(&mut *self.sent.lock().expect("lock"))
    }

    fn outcome(&self) -> Option<Delivery> {
        use std::sync::atomic::Ordering;
        let failing = self.failing.load(Ordering::SeqCst);
        (failing > 0).then(|| {
            self.failing.store(failing - 1, Ordering::SeqCst);
            Delivery::Failed("the push service did not answer".into())
        })
    }
}

#[async_trait::async_trait]
impl Courier for FakeCourier {
    fn email_ready(&self) -> bool {
        true
    }
    fn push_public_key(&self) -> Option<String> {
        Some("BFakeKeyForTests".into())
    }
    async fn push(&self, to: &PushSubscription, message: &Message) -> Delivery {
        if let Some(failed) = self.outcome() {
            return failed;
        }
        let sent = Sent { channel: "push", to: to.endpoint.clone(), message: message.clone(), stop_path: None };
        self.sent.lock().expect("lock").push(sent);
        Delivery::Delivered
    }
    async fn email(&self, to: &User, message: &Message, stop_path: &str) -> Delivery {
        if let Some(failed) = self.outcome() {
            return failed;
        }
        let sent = Sent {
            channel: "email",
            to: to.email.clone(),
            message: message.clone(),
            stop_path: Some(stop_path.into()),
        };
        self.sent.lock().expect("lock").push(sent);
        Delivery::Delivered
    }
    async fn account_email(&self, to: &User, message: &Message) -> Delivery {
        let sent = Sent { channel: "account-email", to: to.email.clone(), message: message.clone(), stop_path: None };
        self.sent.lock().expect("lock").push(sent);
        Delivery::Delivered
    }
}

/// Photos kept in memory, sealed with the test database's vault, developed for real.
pub fn with_photos(ctx: Ctx, db: &TestDb) -> Ctx {
    let Some(vault) = db.vault.clone() else { return ctx };
    let media = tend_media::objects::Objects::open(&tend_media::objects::Place::Memory, vault).expect("memory media");
    ctx.with_photos(Arc::new(media), Arc::new(tend_media::darkroom::Lab::new(2)))
}

pub struct TestApp {
    pub base: String,
    /// Every reminder and test message the app sent, instead of sending them.
    pub courier: Arc<FakeCourier>,
    pub clock: Arc<ManualClock>,
    pub ctx: Ctx,
    /// The database underneath, for tests that check what was (or was not) stored. The app
    /// itself reaches it only through the use cases.
    pub store: Arc<dyn tend_domain::Store>,
    _db: TestDb,
}

pub async fn spawn(db: TestDb) -> TestApp {
    spawn_with(db, Registration::InviteOnly).await
}

pub async fn spawn_with(db: TestDb, registration: Registration) -> TestApp {
    let clock = Arc::new(ManualClock::new("2026-03-10T18:00:00Z".parse().expect("time")));
    let events = tend_store::events::for_database(&db.database, &db.config).await;
    let store = db.store.clone();
    let policy = tend_domain::Policy { registration, ..Default::default() };
    let ctx = with_photos(Ctx::new(store.clone(), clock.clone(), events, policy), &db);
    let courier = Arc::new(FakeCourier::default());
    let state =
        AppState::new(ctx.clone(), WebConfig::default()).with_courier(courier.clone(), EndpointPolicy::default());
    let app = tend_web::router(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await.expect("serve");
    });
    TestApp { base: format!("http://{addr}"), courier, clock, ctx, store, _db: db }
}

/// A second node on the same database, opened so that the database refuses every write: what
/// a full disk or a read-only file does to a running Tend.
pub async fn refusing_node(app: &TestApp) -> TestApp {
    let db = app._db.read_only().await;
    let events = tend_store::events::for_database(&db.database, &db.config).await;
    let store = db.store.clone();
    let ctx = Ctx::new(store.clone(), app.ctx.clock.clone(), events, app.ctx.policy.clone());
    let router = tend_web::router(AppState::new(ctx.clone(), WebConfig::default()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>()).await.expect("serve");
    });
    TestApp {
        base: format!("http://{addr}"),
        courier: app.courier.clone(),
        clock: app.clock.clone(),
        ctx,
        store,
        _db: db,
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A browser: keeps cookies, does not follow redirects (so tests can see them).
    pub fn browser(&self) -> Browser {
        let jar = Arc::new(Jar::default());
        let client = Client::builder().cookie_provider(jar.clone()).redirect(Policy::none()).build().expect("client");
        Browser { client, base: self.base.clone(), jar }
    }

    /// A plain client for the API.
    pub fn api(&self) -> Api {
        Api {
            client: Client::builder().redirect(Policy::none()).build().expect("client"),
            base: self.base.clone(),
            token: None,
        }
    }

    pub fn advance_minutes(&self, minutes: i64) {
        self.clock.advance(jiff::SignedDuration::from_mins(minutes));
    }

    pub fn now(&self) -> Timestamp {
        tend_domain::Clock::now(&*self.clock)
    }
}

pub struct Browser {
    pub client: Client,
    pub base: String,
    pub jar: Arc<Jar>,
}

/// The value of the first `name="csrf"` field on a page.
pub fn csrf_of(html: &str) -> String {
    attr_after(html, "name=\"csrf\" value=\"").expect("page has a csrf field")
}

/// Text up to the next quote after `marker`.
pub fn attr_after(html: &str, marker: &str) -> Option<String> {
    let start = html.find(marker)? + marker.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_owned())
}

pub fn location(r: &Response) -> String {
    r.headers().get("location").and_then(|l| l.to_str().ok()).unwrap_or("").to_owned()
}

impl Browser {
    /// The value of one of this browser's cookies.
    pub fn cookie(&self, name: &str) -> Option<String> {
        let url = self.base.parse().expect("url");
        let header = self.jar.cookies(&url)?;
        header.to_str().ok()?.split("; ").find_map(|kv| kv.strip_prefix(&format!("{name}="))).map(str::to_owned)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client.get(format!("{}{path}", self.base)).send().await.expect("get")
    }

    pub async fn page(&self, path: &str) -> (StatusCode, String) {
        let r = self.get(path).await;
        let status = r.status();
        (status, r.text().await.expect("body"))
    }

    /// Posts a form from `from`, with the CSRF token that page carries.
    pub async fn submit(&self, from: &str, action: &str, fields: &[(&str, &str)]) -> Response {
        let (_, html) = self.page(from).await;
        let csrf = csrf_of(&html);
        self.post_raw(action, &csrf, fields).await
    }

    pub async fn post_raw(&self, action: &str, csrf: &str, fields: &[(&str, &str)]) -> Response {
        let mut all: Vec<(&str, &str)> = vec![("csrf", csrf)];
        all.extend_from_slice(fields);
        self.client.post(format!("{}{action}", self.base)).form(&all).send().await.expect("post")
    }

    pub async fn sign_up(&self, name: &str, email: &str, invite: Option<&str>) -> Response {
        let mut fields = vec![
            ("display_name", name),
            ("email", email),
            ("password", "a long enough password"),
            ("time_zone", "Europe/Berlin"),
        ];
        if let Some(i) = invite {
            fields.push(("invite", i));
        }
        self.submit("/signup", "/signup", &fields).await
    }

    pub async fn log_in(&self, email: &str, password: &str) -> Response {
        self.submit("/login", "/login", &[("email", email), ("password", password)]).await
    }

    /// Creates an invite on the pair page and returns (link, code).
    pub async fn invite(&self) -> (String, String) {
        let r = self.submit("/pair", "/pair/invite", &[]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "making an invite redirects (reload-safe)");
        let (_, html) = self.page(&location(&r)).await;
        let link = attr_after(&html, "id=\"invite-link\" type=\"text\" readonly value=\"").expect("link shown");
        let code = attr_after(&html, "aria-label=\"Invite code ").expect("code shown");
        (link, code)
    }
}

pub struct Api {
    pub client: Client,
    pub base: String,
    pub token: Option<String>,
}

impl Api {
    pub fn with_token(&self, token: &str) -> Api {
        Api { client: self.client.clone(), base: self.base.clone(), token: Some(token.to_owned()) }
    }

    pub fn req(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let r = self.client.request(method, format!("{}{path}", self.base));
        match &self.token {
            Some(t) => r.bearer_auth(t),
            None => r,
        }
    }

    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> (StatusCode, serde_json::Value) {
        let mut r = self.req(method, path);
        if let Some(b) = body {
            r = r.json(&b);
        }
        let response = r.send().await.expect("request");
        let status = response.status();
        let text = response.text().await.expect("body");
        (status, serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)))
    }

    pub async fn get(&self, path: &str) -> (StatusCode, serde_json::Value) {
        self.call(reqwest::Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: serde_json::Value) -> (StatusCode, serde_json::Value) {
        self.call(reqwest::Method::POST, path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> (StatusCode, serde_json::Value) {
        self.call(reqwest::Method::DELETE, path, None).await
    }

    /// Signs up through the API and returns a client holding the new token.
    pub async fn sign_up(&self, name: &str, email: &str, invite: Option<&str>) -> Api {
        let (status, body) = self
            .post("/api/v1/auth/signup", serde_json::json!({"display_name": name, "email": email, "password": "a long enough password", "time_zone": "America/Chicago", "invite": invite}))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        self.with_token(body["token"].as_str().expect("token"))
    }
}

/// A couple made through the pages, Alex and Sam: (Alex's browser, Sam's browser).
pub async fn browser_couple(app: &TestApp) -> (Browser, Browser) {
    let alex = app.browser();
    alex.sign_up("Alex", "alex@example.org", None).await;
    let (link, _) = alex.invite().await;
    let sam = app.browser();
    sam.sign_up("Sam", "sam@example.org", Some(link.rsplit('/').next().expect("token"))).await;
    (alex, sam)
}

/// A couple made through the API: (first partner, second partner).
pub async fn api_couple(app: &TestApp, tag: &str) -> (Api, Api) {
    let api = app.api();
    let a = match api.post("/api/v1/auth/signup", serde_json::json!({"display_name": format!("A {tag}"), "email": format!("a-{tag}@example.org"), "password": "a long enough password", "time_zone": "UTC"})).await {
        (StatusCode::CREATED, body) => api.with_token(body["token"].as_str().expect("token")),
        (status, body) => panic!("first partner's sign-up failed (a second couple needs open registration): {status} {body}"),
    };
    let (status, invite) = a.post("/api/v1/invites", serde_json::json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{invite}");
    let b = api.sign_up(&format!("B {tag}"), &format!("b-{tag}@example.org"), invite["code"].as_str()).await;
    (a, b)
}

/// An open event stream for an API client, read chunk by chunk.
pub struct Stream(reqwest::Response);

impl Stream {
    pub async fn open(app: &TestApp, token: &str) -> Stream {
        let r = reqwest::Client::new().get(app.url("/api/v1/events")).bearer_auth(token).send().await.expect("events");
        assert_eq!(r.status(), StatusCode::OK);
        assert!(r.headers()["content-type"].to_str().expect("ct").starts_with("text/event-stream"));
        // What a reverse proxy needs to pass events on at once, not hold them in a buffer.
        assert_eq!(
            (r.headers()["cache-control"].as_bytes(), r.headers()["x-accel-buffering"].as_bytes()),
            (&b"no-cache"[..], &b"no"[..])
        );
        let mut s = Stream(r);
        let first = s.next_event(Duration::from_secs(5)).await.expect("ready");
        assert!(first.contains("event: ready"), "{first}");
        s
    }

    /// True when the server closes the stream within `wait` (frames sent before it, such as a
    /// keep-alive comment, are read and passed over).
    pub async fn ends_within(&mut self, wait: Duration) -> bool {
        let deadline = Instant::now() + wait;
        loop {
            let Some(left) = deadline.checked_duration_since(Instant::now()) else { return false };
            match tokio::time::timeout(left, self.0.chunk()).await {
                Ok(Ok(Some(_))) => {}
                Ok(Ok(None) | Err(_)) => return true,
                Err(_) => return false,
            }
        }
    }

    /// Text up to the next blank line, or None after `wait`.
    pub async fn next_event(&mut self, wait: Duration) -> Option<String> {
        let mut text = String::new();
        let deadline = Instant::now() + wait;
        while !text.contains("\n\n") {
            let left = deadline.checked_duration_since(Instant::now())?;
            match tokio::time::timeout(left, self.0.chunk()).await {
                Ok(Ok(Some(bytes))) => text.push_str(&String::from_utf8_lossy(&bytes)),
                _ => return None,
            }
        }
        Some(text)
    }
}
