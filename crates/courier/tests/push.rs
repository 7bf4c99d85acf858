//! Web Push against a push service started here, which checks what a browser's push service
//! checks and decrypts the message with the browser's keys.
#![allow(clippy::unwrap_used)]

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tend_courier::{Channels, CourierConfig, VapidKeys};
use tend_domain::ids::{PushSubscriptionId, UserId};
use tend_domain::reminder::{Courier, Delivery, EndpointPolicy, Message};
use tend_domain::store::reminders::PushSubscription;
use web_push_native::Auth;
use web_push_native::jwt_simple::algorithms::{ECDSAP256PublicKeyLike, ES256PublicKey};
use web_push_native::jwt_simple::claims::{Audiences, NoCustomClaims};
use web_push_native::jwt_simple::common::VerificationOptions;
use web_push_native::p256;
use web_push_native::p256::elliptic_curve::sec1::ToEncodedPoint;

/// One request as the push service received it.
#[derive(Clone, Debug)]
struct Received {
    path: String,
    headers: HeaderMap,
    body: Bytes,
}

type Log = Arc<Mutex<Vec<Received>>>;

/// A push service on a port of its own that answers by path: `/gone/…` 410, `/broken/…` 500,
/// `/slow/…` after a long while, anything else 201.
async fn push_service() -> (String, Log) {
    async fn receive(State(log): State<Log>, uri: Uri, headers: HeaderMap, body: Bytes) -> StatusCode {
        let path = uri.path().to_owned();
        log.lock().unwrap().push(Received { path: path.clone(), headers, body });
        match path.split('/').nth(1) {
            Some("gone") => StatusCode::GONE,
            Some("broken") => StatusCode::INTERNAL_SERVER_ERROR,
            Some("slow") => {
                tokio::time::sleep(Duration::from_secs(60)).await;
                StatusCode::CREATED
            }
            _ => StatusCode::CREATED,
        }
    }
    let log = Log::default();
    let app = Router::new().fallback(receive).with_state(log.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (origin, log)
}

/// What a browser keeps when it subscribes: its private key and authentication secret.
struct Browser {
    secret: p256::SecretKey,
    auth: [u8; 16],
}

impl Browser {
    fn new() -> Self {
        let secret = loop {
            if let Ok(key) = p256::SecretKey::from_slice(&rand::random::<[u8; 32]>()) {
                break key;
            }
        };
        Self { secret, auth: rand::random() }
    }

    fn subscription(&self, endpoint: &str) -> PushSubscription {
        PushSubscription {
            id: PushSubscriptionId(1),
            user_id: UserId(1),
            endpoint: endpoint.to_owned(),
            p256dh: URL_SAFE_NO_PAD.encode(self.secret.public_key().to_encoded_point(false).as_bytes()),
            auth: URL_SAFE_NO_PAD.encode(self.auth),
            label: "Test browser".into(),
            created_at: jiff::Timestamp::UNIX_EPOCH,
        }
    }

    fn decrypt(&self, body: &[u8]) -> Vec<u8> {
        web_push_native::decrypt(body.to_vec(), &self.secret, Auth::from_slice(&self.auth)).unwrap()
    }
}

fn courier(keys: &VapidKeys, policy: EndpointPolicy) -> Channels {
    Channels::new(CourierConfig {
        base_url: "https://tend.example".into(),
        vapid: keys.clone(),
        vapid_subject: "mailto:admin@tend.example".into(),
        smtp: None,
        endpoint_policy: policy,
    })
    .unwrap()
}

const TEST_POLICY: EndpointPolicy = EndpointPolicy { allow_private: true };

fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default()
}

#[tokio::test]
async fn a_push_arrives_signed_and_readable_only_by_the_browser() {
    let (origin, log) = push_service().await;
    let keys = VapidKeys::generate();
    let courier = courier(&keys, TEST_POLICY);
    assert_eq!(courier.push_public_key(), Some(keys.public_key()));
    let browser = Browser::new();
    let message = Message {
        title: "Time for your check-in".into(),
        body: "A few quiet minutes, together.".into(),
        path: "/today#check-in".into(),
        tag: "nudge check-in/ä".into(),
    };

    let outcome = courier.push(&browser.subscription(&format!("{origin}/ok/device-1")), &message).await;
    assert_eq!(outcome, Delivery::Delivered);

    let received = log.lock().unwrap().clone();
    assert_eq!(received.len(), 1);
    let got = &received[0];
    assert_eq!(got.path, "/ok/device-1");
    let h = &got.headers;
    assert_eq!(header(h, "content-encoding"), "aes128gcm");
    assert_eq!(header(h, "content-type"), "application/octet-stream");
    assert_eq!(header(h, "ttl"), "43200");
    assert_eq!(header(h, "urgency"), "normal");
    assert_eq!(header(h, "topic"), "nudge_check-in__");

    // Authorization: vapid t=<JWT>, k=<our public key> (RFC 8292 section 3).
    let auth = header(h, "authorization");
    let rest = auth.strip_prefix("vapid ").unwrap();
    let mut token = None;
    let mut key = None;
    for part in rest.split(',').map(str::trim) {
        match part.split_once('=') {
            Some(("t", v)) => token = Some(v),
            Some(("k", v)) => key = Some(v),
            _ => panic!("unexpected part {part:?} in {auth:?}"),
        }
    }
    let (token, key) = (token.unwrap(), key.unwrap());
    assert_eq!(key, keys.public_key());
    let public = ES256PublicKey::from_bytes(&URL_SAFE_NO_PAD.decode(key).unwrap()).unwrap();
    let options =
        VerificationOptions { allowed_audiences: Some([origin.clone()].into_iter().collect()), ..Default::default() };
    let claims = public.verify_token::<NoCustomClaims>(token, Some(options)).unwrap();
    match claims.audiences {
        Some(Audiences::AsString(aud)) => assert_eq!(aud, origin),
        other => panic!("audience {other:?}"),
    }
    assert_eq!(claims.subject.as_deref(), Some("mailto:admin@tend.example"));
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let exp = claims.expires_at.unwrap().as_secs();
    assert!(exp > now && exp <= now + 24 * 60 * 60, "exp {exp} now {now}");
    // A token signed by another key does not verify.
    let stranger =
        ES256PublicKey::from_bytes(&URL_SAFE_NO_PAD.decode(VapidKeys::generate().public_key()).unwrap()).unwrap();
    assert!(stranger.verify_token::<NoCustomClaims>(token, None).is_err());

    // The body is RFC 8291 ciphertext only this browser can read.
    assert!(!got.body.windows(8).any(|w| w == b"check-in"));
    let plain = browser.decrypt(&got.body);
    let payload: serde_json::Value = serde_json::from_slice(&plain).unwrap();
    assert_eq!(
        payload,
        serde_json::json!({
            "title": "Time for your check-in",
            "body": "A few quiet minutes, together.",
            "url": "/today#check-in",
            "tag": "nudge check-in/ä",
        })
    );
    assert!(
        web_push_native::decrypt(got.body.to_vec(), &Browser::new().secret, Auth::from_slice(&browser.auth)).is_err()
    );
}

#[tokio::test]
async fn the_push_services_answer_decides_the_outcome() {
    let (origin, log) = push_service().await;
    let courier = courier(&VapidKeys::generate(), TEST_POLICY);
    let browser = Browser::new();
    let message = Message::test();

    let gone = courier.push(&browser.subscription(&format!("{origin}/gone/x")), &message).await;
    assert_eq!(gone, Delivery::Gone);
    let broken = courier.push(&browser.subscription(&format!("{origin}/broken/x")), &message).await;
    assert!(matches!(&broken, Delivery::Failed(why) if why.contains("500")), "{broken:?}");
    assert_eq!(log.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn an_unreachable_push_service_fails_to_be_tried_again() {
    // Bound and dropped: nothing listens there now.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let courier = courier(&VapidKeys::generate(), TEST_POLICY);
    let outcome =
        courier.push(&Browser::new().subscription(&format!("http://127.0.0.1:{port}/x")), &Message::test()).await;
    assert!(matches!(outcome, Delivery::Failed(_)), "{outcome:?}");
}

#[tokio::test]
async fn a_push_service_that_hangs_fails_in_time() {
    let (origin, _log) = push_service().await;
    let courier = courier(&VapidKeys::generate(), TEST_POLICY);
    let started = std::time::Instant::now();
    let outcome = courier.push(&Browser::new().subscription(&format!("{origin}/slow/x")), &Message::test()).await;
    assert!(matches!(&outcome, Delivery::Failed(why) if why.contains("in time")), "{outcome:?}");
    assert!(started.elapsed() < Duration::from_secs(20));
}

#[tokio::test]
async fn private_and_loopback_endpoints_are_refused_before_any_request() {
    let (origin, log) = push_service().await;
    let port = origin.rsplit(':').next().unwrap();
    let courier = courier(&VapidKeys::generate(), EndpointPolicy::default());
    let browser = Browser::new();
    let plain_http =
        courier.push(&browser.subscription(&format!("http://127.0.0.1:{port}/ok/x")), &Message::test()).await;
    assert!(matches!(&plain_http, Delivery::Refused(why) if why.contains("https://")), "{plain_http:?}");
    for endpoint in [
        format!("https://127.0.0.1:{port}/ok/x"),
        format!("https://localhost:{port}/ok/x"),
        format!("https://[::1]:{port}/ok/x"),
        format!("https://[::ffff:127.0.0.1]:{port}/ok/x"),
        // Another spelling of 127.0.0.1, which the URL parser turns back into it.
        format!("https://0x7f.0.0.1:{port}/ok/x"),
        format!("https://10.0.0.1:{port}/ok/x"),
        format!("https://169.254.169.254:{port}/latest/meta-data"),
    ] {
        let outcome = courier.push(&browser.subscription(&endpoint), &Message::test()).await;
        assert!(
            matches!(&outcome, Delivery::Refused(why) if why.contains("private network")),
            "{endpoint}: {outcome:?}"
        );
    }
    assert!(log.lock().unwrap().is_empty(), "a refused push reached the server");
}

#[tokio::test]
async fn a_host_name_is_resolved_checked_and_pinned() {
    let (origin, log) = push_service().await;
    let port = origin.rsplit(':').next().unwrap();
    let courier = courier(&VapidKeys::generate(), TEST_POLICY);
    let endpoint = format!("http://localhost:{port}/ok/by-name");
    let outcome = courier.push(&Browser::new().subscription(&endpoint), &Message::test()).await;
    assert_eq!(outcome, Delivery::Delivered);
    let received = log.lock().unwrap().clone();
    assert_eq!(received.len(), 1);
    assert_eq!(header(&received[0].headers, "host"), format!("localhost:{port}"));
}

#[tokio::test]
async fn malformed_subscriptions_are_refused() {
    let (origin, log) = push_service().await;
    let courier = courier(&VapidKeys::generate(), TEST_POLICY);
    let good = Browser::new().subscription(&format!("{origin}/ok/x"));
    let bad_key = PushSubscription { p256dh: URL_SAFE_NO_PAD.encode([4u8; 65]), ..good.clone() };
    let bad_auth = PushSubscription { auth: URL_SAFE_NO_PAD.encode([1u8; 8]), ..good.clone() };
    let bad_endpoint = PushSubscription { endpoint: "not a url".into(), ..good.clone() };
    for sub in [bad_key, bad_auth, bad_endpoint] {
        let outcome = courier.push(&sub, &Message::test()).await;
        assert!(matches!(outcome, Delivery::Refused(_)), "{sub:?}: {outcome:?}");
    }
    assert!(log.lock().unwrap().is_empty());
}

#[tokio::test]
async fn a_message_fits_one_push_or_is_refused() {
    let (origin, log) = push_service().await;
    let courier = courier(&VapidKeys::generate(), TEST_POLICY);
    let browser = Browser::new();
    let sub = browser.subscription(&format!("{origin}/ok/x"));
    let empty = serde_json::json!({ "title": "t", "body": "", "url": "/", "tag": "x" });
    let room = 4096 - 103 - serde_json::to_vec(&empty).unwrap().len();
    let message = |n: usize| Message { title: "t".into(), body: "b".repeat(n), path: "/".into(), tag: "x".into() };

    assert_eq!(courier.push(&sub, &message(room)).await, Delivery::Delivered);
    let body = log.lock().unwrap()[0].body.clone();
    assert_eq!(body.len(), 4096);
    assert_eq!(browser.decrypt(&body).len(), 4096 - 103);

    let too_long = courier.push(&sub, &message(room + 1)).await;
    assert!(matches!(&too_long, Delivery::Refused(why) if why.contains("too long")), "{too_long:?}");
    assert_eq!(log.lock().unwrap().len(), 1);
}
