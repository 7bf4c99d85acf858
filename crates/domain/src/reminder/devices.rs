//! The devices that get notifications: a browser's push subscription, checked (an https
//! endpoint on a public host, keys of the right size) before it is kept, and a test message.

use super::{Channel, Courier, Delivery, Message, stop_path};
use crate::Ctx;
use crate::error::{Error, FieldErrors, Result};
use crate::ids::PushSubscriptionId;
use crate::store::User;
use crate::store::reminders::{NewPushSubscription, PushSubscription};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;

/// A push subscription as the browser's `PushSubscription.toJSON()` gives it.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct NewDevice {
    #[serde(default)]
    pub endpoint: String,
    #[serde(default)]
    pub keys: DeviceKeys,
    /// "Chrome on Android"; made from the browser's name when empty.
    #[serde(default)]
    pub label: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct DeviceKeys {
    #[serde(default)]
    pub p256dh: String,
    #[serde(default)]
    pub auth: String,
}

/// Where push endpoints may point. Off by default: only public https hosts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EndpointPolicy {
    /// Allows http and private or loopback addresses: for a test push service only.
    pub allow_private: bool,
}

/// Why an address may not receive pushes, if it may not: the check made when a device
/// subscribes and again, on the addresses a name resolves to, before each send.
pub fn endpoint_refusal(endpoint: &str, policy: EndpointPolicy) -> Option<String> {
    let bad = |why: &str| Some(format!("That push address can't be used: {why}"));
    if endpoint.len() > 2048 {
        return bad("it is too long.");
    }
    let Some((scheme, rest)) = endpoint.split_once("://") else { return bad("it is not a web address.") };
    match (scheme, policy.allow_private) {
        ("https", _) | ("http", true) => {}
        _ => return bad("it must start with https://."),
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.is_empty() || authority.contains('@') {
        return bad("it has no plain host name.");
    }
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => authority.rsplit_once(':').map_or(authority, |(h, _)| h),
    };
    if host.is_empty() || host.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return bad("it has no plain host name.");
    }
    if policy.allow_private {
        return None;
    }
    let lower = host.to_ascii_lowercase();
    if lower == "localhost"
        || lower.ends_with(".localhost")
        || lower.ends_with(".local")
        || lower.ends_with(".internal")
    {
        return bad("it points to this machine or a private network.");
    }
    if let Ok(ip) = lower.parse::<std::net::IpAddr>()
        && !is_public(ip)
    {
        return bad("it points to this machine or a private network.");
    }
    if !lower.contains('.') && lower.parse::<std::net::IpAddr>().is_err() {
        return bad("it has no public host name.");
    }
    None
}

/// Whether an address is on the public internet (not loopback, private, link-local,
/// shared, documentation, multicast or unspecified), for IPv4 and IPv6 alike.
pub fn is_public(ip: std::net::IpAddr) -> bool {
    use std::net::IpAddr;
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_broadcast()
                || v4.is_documentation()
                || v4.is_unspecified()
                || v4.is_multicast()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
                || (a == 192 && b == 0)
                || (a == 198 && (18..20).contains(&b))
                || a >= 240)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || first == 0x2001 && v6.segments()[1] == 0x0db8
                || first == 0x64 && v6.segments()[1] == 0xff9b)
        }
    }
}

fn decoded_len(raw: &str) -> Option<usize> {
    URL_SAFE_NO_PAD.decode(raw.trim().trim_end_matches('=')).ok().map(|b| b.len())
}

impl NewDevice {
    pub fn parse(&self, user_agent: &str, policy: EndpointPolicy) -> Result<NewPushSubscription> {
        let mut errors = FieldErrors::default();
        let endpoint = self.endpoint.trim().to_owned();
        if let Some(why) = endpoint_refusal(&endpoint, policy) {
            errors.add("endpoint", why);
        }
        // An uncompressed P-256 point is 65 bytes; the authentication secret 16.
        if decoded_len(&self.keys.p256dh) != Some(65) || !self.keys.p256dh.trim().starts_with('B') {
            errors.add("keys.p256dh", "The device's public key is missing or malformed.");
        }
        if decoded_len(&self.keys.auth) != Some(16) {
            errors.add("keys.auth", "The device's authentication secret is missing or malformed.");
        }
        let label = self.label.as_deref().map(str::trim).filter(|l| !l.is_empty());
        let label = match label {
            Some(l) if l.chars().count() > 80 => {
                errors.add("label", "Please keep the device's name under 80 characters.");
                String::new()
            }
            Some(l) => l.to_owned(),
            None => crate::auth::device_name(user_agent),
        };
        errors.into_result()?;
        Ok(NewPushSubscription {
            endpoint,
            p256dh: self.keys.p256dh.trim().trim_end_matches('=').to_owned(),
            auth: self.keys.auth.trim().trim_end_matches('=').to_owned(),
            label,
        })
    }
}

pub async fn add_device(
    ctx: &Ctx,
    me: &User,
    form: &NewDevice,
    user_agent: &str,
    policy: EndpointPolicy,
) -> Result<PushSubscription> {
    let sub = form.parse(user_agent, policy)?;
    let id = ctx.store.save_push_subscription(me.id, &sub, ctx.now()).await?;
    ctx.store.push_subscriptions(me.id).await?.into_iter().find(|d| d.id == id).ok_or(Error::NotFound)
}

pub async fn remove_device(ctx: &Ctx, me: &User, id: PushSubscriptionId) -> Result<()> {
    if ctx.store.delete_push_subscription(me.id, id).await? { Ok(()) } else { Err(Error::NotFound) }
}

/// Sends a test notification to each of the person's devices, or a test email; how many went.
pub async fn send_test(ctx: &Ctx, courier: &dyn Courier, me: &User, channel: Channel) -> Result<usize> {
    let message = Message::test();
    match channel {
        Channel::Push => {
            let devices = ctx.store.push_subscriptions(me.id).await?;
            if devices.is_empty() {
                return Err(Error::rejected(
                    "This account has no device for notifications yet: turn them on on this phone first.",
                ));
            }
            let mut sent = 0;
            let mut last_error = None;
            for device in &devices {
                match courier.push(device, &message).await {
                    Delivery::Delivered => sent += 1,
                    Delivery::Gone => ctx.store.forget_push_endpoint(&device.endpoint).await?,
                    Delivery::Refused(e) | Delivery::Failed(e) => last_error = Some(e),
                }
            }
            match (sent, last_error) {
                (0, Some(e)) => Err(Error::Unavailable(format!("The test notification could not be sent: {e}"))),
                (0, None) => {
                    Err(Error::rejected("That device is no longer subscribed. Turn notifications on again on it."))
                }
                (n, _) => Ok(n),
            }
        }
        Channel::Email => {
            if !courier.email_ready() {
                return Err(Error::rejected(
                    "Email is not set up on this Tend. The person who hosts it can set TEND_SMTP_URL.",
                ));
            }
            let stop = stop_path(ctx, me.id).await?;
            match courier.email(me, &message, &stop).await {
                Delivery::Delivered => Ok(1),
                Delivery::Gone | Delivery::Refused(_) | Delivery::Failed(_) => {
                    Err(Error::Unavailable("The test email could not be sent just now. Please try again later.".into()))
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_endpoints_must_be_public_https() {
        let strict = EndpointPolicy::default();
        assert_eq!(endpoint_refusal("https://fcm.googleapis.com/fcm/send/x", strict), None);
        assert_eq!(endpoint_refusal("https://updates.push.services.mozilla.com/wpush/v2/x", strict), None);
        assert_eq!(endpoint_refusal("https://8.8.8.8/x", strict), None);
        for bad in [
            "http://fcm.googleapis.com/x",
            "https://127.0.0.1/x",
            "https://127.1.2.3:443/x",
            "https://0.0.0.0/x",
            "https://[::1]/x",
            "https://[::ffff:10.0.0.1]/x",
            "https://172.16.5.4/x",
            "https://100.64.0.1/x",
            "https://localhost:8080/x",
            "https://tend.localhost/x",
            "https://router.local/x",
            "https://metadata.google.internal/x",
            "https://u:p@fcm.googleapis.com/x",
            "https:///x",
            "javascript:alert(1)",
        ] {
            assert!(endpoint_refusal(bad, strict).is_some(), "{bad} was allowed");
        }
        let local = EndpointPolicy { allow_private: true };
        assert_eq!(endpoint_refusal("http://127.0.0.1:4000/push", local), None);
        assert!(endpoint_refusal("ftp://127.0.0.1/push", local).is_some());
    }
}
