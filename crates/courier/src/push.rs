//! Web Push: encrypts a reminder for one device (RFC 8291), signs it (RFC 8292) and posts it
//! to the device's push service (RFC 8030), only ever to the public addresses it checked.

use crate::VapidKeys;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;
use tend_domain::reminder::{Delivery, EndpointPolicy, Message, endpoint_refusal, is_public};
use tend_domain::store::reminders::PushSubscription;
use web_push_native::{Auth, WebPushBuilder, p256};

/// How long a push service keeps a reminder for a device that is offline; also how long the
/// VAPID token is valid (RFC 8292 allows at most 24 hours).
pub(crate) const TTL: Duration = Duration::from_secs(12 * 60 * 60);
/// For resolving the push service's name, connecting, and the whole exchange, each.
const TIMEOUT: Duration = Duration::from_secs(10);
/// How much of a push service's answer is read, for the log.
const ANSWER_LIMIT: usize = 1024;
/// A push message may carry 4096 bytes; encryption adds 103 (salt, record size and key: 86;
/// the padding delimiter: 1; the tag: 16).
const PAYLOAD_LIMIT: usize = 4096 - 103;

/// The push half of the courier.
#[derive(Debug)]
pub(crate) struct Pusher {
    pub keys: VapidKeys,
    pub subject: String,
    pub policy: EndpointPolicy,
}

/// What the service worker receives, as JSON.
#[derive(serde::Serialize)]
struct Payload<'a> {
    title: &'a str,
    body: &'a str,
    /// A path in Tend, which the service worker opens on a tap.
    url: &'a str,
    tag: &'a str,
}

impl Pusher {
    pub async fn send(&self, to: &PushSubscription, message: &Message) -> Delivery {
        let request = match self.request(to, message) {
            Ok(r) => r,
            Err(refused) => return refused,
        };
        let client = match self.pinned_client(request.url()).await {
            Ok(c) => c,
            Err(outcome) => return outcome,
        };
        match client.execute(request).await {
            Ok(response) => answer(response).await,
            Err(e) if e.is_timeout() => Delivery::Failed("The push service did not answer in time.".into()),
            Err(e) => Delivery::Failed(format!("The push service could not be reached: {}", chain(&e))),
        }
    }

    /// The encrypted, signed request, or why it can't be made (which no retry would change).
    fn request(&self, to: &PushSubscription, message: &Message) -> Result<reqwest::Request, Delivery> {
        let refused = Delivery::Refused;
        if let Some(why) = endpoint_refusal(&to.endpoint, self.policy) {
            return Err(refused(why));
        }
        let not_web = || refused("That push address is not a web address.".into());
        // The VAPID audience is the endpoint's origin: lowercase, default port left out.
        let origin = reqwest::Url::parse(&to.endpoint).map_err(|_| not_web())?.origin();
        if !origin.is_tuple() {
            return Err(not_web());
        }
        let origin = origin.ascii_serialization();
        let endpoint: http::Uri = to.endpoint.parse().map_err(|_| not_web())?;
        let device_key = decode(&to.p256dh)
            .and_then(|bytes| p256::PublicKey::from_sec1_bytes(&bytes).ok())
            .ok_or_else(|| refused("The device's public key is malformed.".into()))?;
        let auth = decode(&to.auth)
            .filter(|bytes| bytes.len() == 16)
            .map(|bytes| Auth::clone_from_slice(&bytes))
            .ok_or_else(|| refused("The device's authentication secret is malformed.".into()))?;

        let payload = Payload { title: &message.title, body: &message.body, url: &message.path, tag: &message.tag };
        let payload =
            serde_json::to_vec(&payload).map_err(|e| refused(format!("The message can't be written: {e}")))?;
        if payload.len() > PAYLOAD_LIMIT {
            return Err(refused("The message is too long for a notification.".into()));
        }
        let mut request = WebPushBuilder::new(endpoint, device_key, auth)
            .with_valid_duration(TTL)
            .build(payload)
            .map_err(|e| refused(format!("The message can't be encrypted for this device: {e}")))?;
        let authorization = self
            .keys
            .authorization(&origin, &self.subject, TTL)
            .map_err(|e| refused(e.to_string()))
            .and_then(|v| http::HeaderValue::try_from(v).map_err(|e| refused(e.to_string())))?;
        let headers = request.headers_mut();
        headers.insert(http::header::AUTHORIZATION, authorization);
        headers.insert("urgency", http::HeaderValue::from_static("normal"));
        if let Some(topic) = topic(&message.tag)
            && let Ok(value) = http::HeaderValue::try_from(topic)
        {
            headers.insert("topic", value);
        }
        reqwest::Request::try_from(request).map_err(|e| refused(format!("That push address can't be used: {e}")))
    }

    /// A client that can reach only the addresses checked here, so that a name which resolves
    /// to a public address now and a private one a moment later (DNS rebinding) gains nothing.
    async fn pinned_client(&self, url: &reqwest::Url) -> Result<reqwest::Client, Delivery> {
        let private = || Delivery::Refused("That push address points to this machine or a private network.".into());
        // Checked on the URL as reqwest parsed it: `0x7f.1` is 127.0.0.1 by now.
        let host = url.host_str().ok_or_else(|| Delivery::Refused("That push address has no host.".into()))?;
        let builder = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            // A proxy would make its own connection, to addresses nobody checked.
            .no_proxy()
            .https_only(!self.policy.allow_private)
            .connect_timeout(TIMEOUT)
            .timeout(TIMEOUT)
            .user_agent(concat!("Tend/", env!("CARGO_PKG_VERSION")));
        let literal = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host);
        let builder = match literal.parse::<IpAddr>() {
            Ok(ip) if !self.policy.allow_private && !is_public(ip) => return Err(private()),
            Ok(_) => builder,
            Err(_) => {
                let port = url.port_or_known_default().unwrap_or(443);
                let found = tokio::time::timeout(TIMEOUT, tokio::net::lookup_host((host, port))).await;
                let addrs: Vec<SocketAddr> = match found {
                    Ok(Ok(addrs)) => addrs.collect(),
                    Ok(Err(e)) => {
                        return Err(Delivery::Failed(format!("The push service's name did not resolve: {e}")));
                    }
                    Err(_) => return Err(Delivery::Failed("The push service's name did not resolve in time.".into())),
                };
                if addrs.is_empty() {
                    return Err(Delivery::Failed("The push service's name resolved to no address.".into()));
                }
                if !self.policy.allow_private && addrs.iter().any(|a| !is_public(a.ip())) {
                    return Err(private());
                }
                builder.resolve_to_addrs(host, &addrs)
            }
        };
        builder.build().map_err(|e| Delivery::Failed(format!("The push client could not start: {}", chain(&e))))
    }
}

/// What the push service's answer means for the device (RFC 8030 section 5, and what FCM,
/// Mozilla and Apple answer in practice).
async fn answer(mut response: reqwest::Response) -> Delivery {
    let status = response.status();
    if status.is_success() {
        return Delivery::Delivered;
    }
    let mut said = Vec::new();
    while said.len() < ANSWER_LIMIT {
        match tokio::time::timeout(TIMEOUT, response.chunk()).await {
            Ok(Ok(Some(chunk))) => said.extend_from_slice(&chunk[..chunk.len().min(ANSWER_LIMIT - said.len())]),
            _ => break,
        }
    }
    let said = String::from_utf8_lossy(&said);
    let said: String = said.chars().filter(|c| !c.is_control()).take(200).collect();
    let why = format!("The push service answered {status}: {}", said.trim());
    match status.as_u16() {
        404 | 410 => Delivery::Gone,
        429 | 500..=599 => Delivery::Failed(why),
        // 400, 401, 403, 413, and anything else it would answer the same way again.
        _ => Delivery::Refused(why),
    }
}

fn decode(raw: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(raw.trim().trim_end_matches('=')).ok()
}

/// The `Topic` (RFC 8030 section 5.4) for a tag: a newer message with the same topic replaces an
/// undelivered older one. At most 32 characters of the URL-safe base64 alphabet.
pub(crate) fn topic(tag: &str) -> Option<String> {
    let topic: String =
        tag.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' || c == '-' { c } else { '_' }).take(32).collect();
    (!topic.is_empty()).then_some(topic)
}

/// An error with its causes, which is where reqwest says what actually went wrong.
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topics_are_url_safe_and_short() {
        assert_eq!(topic("check-in").as_deref(), Some("check-in"));
        assert_eq!(topic("nudge-tech-free-evening").as_deref(), Some("nudge-tech-free-evening"));
        assert_eq!(topic("a b/c+d=é").as_deref(), Some("a_b_c_d__"));
        assert_eq!(topic(&"x".repeat(40)).map(|t| t.len()), Some(32));
        assert_eq!(topic(""), None);
    }
}
