//! Tend's web layer: the router, server-rendered pages, the JSON API with its OpenAPI
//! document, authentication, and static assets.
//!
//! Handlers translate between HTTP and the domain's use cases and nothing more: every rule
//! lives in `tend_domain`, so pages and API always agree.

pub mod access_log;
pub mod api;
pub mod assets;
pub mod auth;
pub mod calendar;
pub mod charts;
pub mod error;
pub mod export;
pub mod flash;
pub mod live;
pub mod pages;
pub mod pwa;
pub mod router;
pub mod security;
pub mod uploads;

use std::sync::Arc;
use tend_domain::Ctx;
use tend_domain::reminder::{Courier, EndpointPolicy, NoCourier};

pub use router::router;

/// Settings of the web layer the host may change.
#[derive(Clone, Debug, Default)]
pub struct WebConfig {
    /// The public address, such as `https://tend.example.org`, used for invite links and to
    /// decide on `Secure` cookies. Unset: taken from each request's Host header.
    pub base_url: Option<String>,
    /// How many reverse proxies in front of Tend to trust: 0 trusts none (the connection's
    /// peer is the client), 1 takes the client's address from the rightmost
    /// `X-Forwarded-For` entry, N from the Nth entry from the right. `X-Forwarded-Proto` is
    /// read under the same rule; see [`auth::forwarded_for`].
    pub trust_proxy: u8,
    /// The header the trusted proxies put the client's address in; `X-Forwarded-For` when
    /// unset.
    pub client_ip_header: Option<String>,
}

impl WebConfig {
    /// The header to read the client's address from, behind trusted proxies.
    pub fn client_ip_header(&self) -> &str {
        self.client_ip_header.as_deref().unwrap_or("x-forwarded-for")
    }

    pub fn secure_cookies(&self) -> bool {
        self.base_url.as_deref().is_some_and(|u| u.starts_with("https://"))
    }
}

/// Shared by every handler; cheap to clone. Holds nothing that two nodes must agree on.
#[derive(Clone)]
pub struct AppState {
    pub ctx: Ctx,
    pub config: Arc<WebConfig>,
    /// The channels reminders and test messages go out by.
    pub courier: Arc<dyn Courier>,
    /// Where push endpoints may point (public https only, unless a test allows more).
    pub endpoint_policy: EndpointPolicy,
    /// Turns true when the server begins to shut down, so that endless live streams end and
    /// graceful shutdown can finish.
    shutdown: Arc<tokio::sync::watch::Sender<bool>>,
    /// Places for exports being written (see [`export::AT_ONCE`]) and uploads being taken in
    /// (see [`uploads::AT_ONCE`]): this node's, shared by its pages and its API.
    pub(crate) exports: Arc<tokio::sync::Semaphore>,
    pub(crate) uploads: Arc<tokio::sync::Semaphore>,
}

impl AppState {
    pub fn new(ctx: Ctx, config: WebConfig) -> Self {
        Self {
            ctx,
            config: Arc::new(config),
            courier: Arc::new(NoCourier),
            endpoint_policy: EndpointPolicy::default(),
            shutdown: Arc::new(tokio::sync::watch::channel(false).0),
            exports: Arc::new(tokio::sync::Semaphore::new(export::AT_ONCE)),
            uploads: Arc::new(tokio::sync::Semaphore::new(uploads::AT_ONCE)),
        }
    }

    /// Sends reminders and test messages through `courier`, with push endpoints held to `policy`.
    pub fn with_courier(mut self, courier: Arc<dyn Courier>, policy: EndpointPolicy) -> Self {
        self.courier = courier;
        self.endpoint_policy = policy;
        self
    }

    /// Ends every live stream; call when shutting down.
    pub fn begin_shutdown(&self) {
        self.shutdown.send_replace(true);
        tracing::info!(streams = self.shutdown.receiver_count(), "closing live streams");
    }

    /// Resolves once shutdown has begun.
    pub fn shutting_down(&self) -> impl std::future::Future<Output = ()> + Send + use<> {
        let mut rx = self.shutdown.subscribe();
        async move {
            let _ = rx.wait_for(|down| *down).await;
        }
    }
}
