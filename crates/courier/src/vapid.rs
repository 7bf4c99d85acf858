//! The instance's VAPID key pair (RFC 8292): how push services know our pushes come from us.

use anyhow::{Context, bail};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;
use web_push_native::jwt_simple::algorithms::{ECDSAP256KeyPairLike, ECDSAP256PublicKeyLike, ES256KeyPair};
use web_push_native::jwt_simple::claims::Claims;

/// A P-256 key pair that signs every push. Browsers subscribe with its public key, so it must
/// stay the same for the life of the instance: store [`VapidKeys::private_key`] and load it
/// back with [`VapidKeys::from_private`].
#[derive(Clone)]
pub struct VapidKeys {
    pair: Arc<ES256KeyPair>,
    public: String,
}

impl VapidKeys {
    /// A fresh random key pair.
    pub fn generate() -> Self {
        Self::from_pair(ES256KeyPair::generate())
    }

    /// Loads a key pair from its private key: base64url (padded or not) of the 32-byte scalar.
    pub fn from_private(private_key: &str) -> anyhow::Result<Self> {
        let bytes = URL_SAFE_NO_PAD
            .decode(private_key.trim().trim_end_matches('='))
            .context("The VAPID private key is not base64url.")?;
        if bytes.len() != 32 {
            bail!("The VAPID private key must be 32 bytes, not {}.", bytes.len());
        }
        let pair = ES256KeyPair::from_bytes(&bytes)
            .map_err(|e| anyhow::anyhow!("The VAPID private key is not a P-256 key: {e}"))?;
        Ok(Self::from_pair(pair))
    }

    fn from_pair(pair: ES256KeyPair) -> Self {
        let public = URL_SAFE_NO_PAD.encode(pair.public_key().public_key().to_bytes_uncompressed());
        Self { pair: Arc::new(pair), public }
    }

    /// The private key, base64url without padding (32 bytes): a secret to store.
    pub fn private_key(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.pair.to_bytes())
    }

    /// The public key, base64url without padding of the uncompressed point (65 bytes,
    /// starting with 0x04): what browsers pass to `pushManager.subscribe`.
    pub fn public_key(&self) -> String {
        self.public.clone()
    }

    /// The `Authorization` header value for a push to `origin` (`https://host[:port]`),
    /// valid for `valid_for` (at most 24 hours by RFC 8292).
    ///
    /// Signed here rather than by `web_push_native`, whose audience leaves out a non-default
    /// port and so would not be the endpoint's origin.
    pub(crate) fn authorization(&self, origin: &str, subject: &str, valid_for: Duration) -> anyhow::Result<String> {
        let claims = Claims::create(valid_for.into()).with_audience(origin).with_subject(subject);
        let token = self.pair.sign(claims).map_err(|e| anyhow::anyhow!("signing the VAPID token failed: {e}"))?;
        Ok(format!("vapid t={token}, k={}", self.public))
    }
}

impl fmt::Debug for VapidKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VapidKeys").field("public", &self.public).finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn round_trip_keeps_the_public_key() {
        let keys = VapidKeys::generate();
        let private = keys.private_key();
        assert_eq!(URL_SAFE_NO_PAD.decode(&private).unwrap().len(), 32);
        let public = URL_SAFE_NO_PAD.decode(keys.public_key()).unwrap();
        assert_eq!(public.len(), 65);
        assert_eq!(public[0], 0x04);

        let again = VapidKeys::from_private(&private).unwrap();
        assert_eq!(again.public_key(), keys.public_key());
        assert_eq!(again.private_key(), private);
        // Padding and stray whitespace from a config file are forgiven.
        let padded = format!(" {private}=\n");
        assert_eq!(VapidKeys::from_private(&padded).unwrap().public_key(), keys.public_key());
    }

    #[test]
    fn two_fresh_pairs_differ() {
        assert_ne!(VapidKeys::generate().private_key(), VapidKeys::generate().private_key());
    }

    #[test]
    fn bad_private_keys_are_refused() {
        assert!(VapidKeys::from_private("").is_err());
        assert!(VapidKeys::from_private("not base64!").is_err());
        assert!(VapidKeys::from_private(&URL_SAFE_NO_PAD.encode([1u8; 31])).is_err());
        // Zero is not a valid scalar.
        assert!(VapidKeys::from_private(&URL_SAFE_NO_PAD.encode([0u8; 32])).is_err());
    }

    #[test]
    fn debug_does_not_show_the_private_key() {
        let keys = VapidKeys::generate();
        let shown = format!("{keys:?}");
        assert!(shown.contains(&keys.public_key()));
        assert!(!shown.contains(&keys.private_key()));
    }

    #[test]
    fn authorization_names_the_public_key() {
        let keys = VapidKeys::generate();
        let header =
            keys.authorization("https://push.example:8443", "mailto:a@example.org", Duration::from_secs(60)).unwrap();
        assert!(header.starts_with("vapid t="));
        assert!(header.ends_with(&format!(", k={}", keys.public_key())));
    }
}
