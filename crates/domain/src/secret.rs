//! Random secrets and how they are kept: the database stores only a SHA-256 of each
//! session token, API token and invite, so a copy of the database opens no door.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::{Rng, RngCore};
use sha2::{Digest, Sha256};

/// A secret as handed to its holder, once.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(..)")
    }
}

impl Secret {
    /// 256 random bits, URL-safe, with a prefix telling what it is for.
    pub fn generate(prefix: &str) -> Self {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        Self(format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes)))
    }

    pub fn from_presented(s: &str) -> Self {
        Self(s.trim().to_owned())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn hash(&self) -> SecretHash {
        SecretHash::of(&self.0)
    }
}

/// What the database keeps of a secret: hex SHA-256.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SecretHash(pub String);

impl SecretHash {
    pub fn of(s: &str) -> Self {
        let digest = Sha256::digest(s.as_bytes());
        Self(digest.iter().map(|b| format!("{b:02x}")).collect())
    }
}

/// Letters that cannot be mistaken for one another when read aloud or typed on a phone.
const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
pub const CODE_LEN: usize = 10;

/// A short invite code such as `K7PD-QX3M-AB`: 10 symbols of 31, about 49 bits, and every
/// wrong guess counts toward the same throttle as a failed log-in.
pub fn invite_code() -> String {
    let mut rng = rand::rng();
    let raw: String = (0..CODE_LEN).map(|_| CODE_ALPHABET[rng.random_range(0..CODE_ALPHABET.len())] as char).collect();
    format!("{}-{}-{}", &raw[0..4], &raw[4..8], &raw[8..])
}

/// A code made from (at least [`CODE_LEN`]) random-looking bytes, such as a MAC: the same
/// bytes always give the same code.
pub fn code_from(bytes: &[u8]) -> String {
    // 256 is not a multiple of 31; the slight lean toward the first letters costs far less
    // than a bit of the code's 49.
    let raw: String =
        bytes.iter().take(CODE_LEN).map(|b| CODE_ALPHABET[usize::from(*b) % CODE_ALPHABET.len()] as char).collect();
    format!("{}-{}-{}", &raw[0..4], &raw[4..8], &raw[8..])
}

/// The canonical form of a code as someone typed it: case, spaces and dashes ignored.
/// `None` when it cannot be a code at all.
pub fn normalize_code(typed: &str) -> Option<String> {
    let code: String =
        typed.chars().filter(|c| !c.is_whitespace() && *c != '-').map(|c| c.to_ascii_uppercase()).collect();
    (code.len() == CODE_LEN && code.bytes().all(|b| CODE_ALPHABET.contains(&b))).then_some(code)
}

/// A constant-time comparison for CSRF tokens and the like.
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_unique_and_hash_stably() {
        let a = Secret::generate("tend_");
        let b = Secret::generate("tend_");
        assert_ne!(a, b);
        assert!(a.expose().starts_with("tend_"));
        assert_eq!(a.expose().len(), 5 + 43);
        assert_eq!(a.hash(), SecretHash::of(a.expose()));
        assert_ne!(a.hash(), b.hash());
        assert_eq!(a.hash().0.len(), 64);
    }

    #[test]
    fn codes_normalize_whatever_the_typing() {
        let code = invite_code();
        assert_eq!(code.len(), CODE_LEN + 2);
        let canonical = normalize_code(&code).expect("a generated code is valid");
        assert_eq!(normalize_code(&code.to_lowercase()), Some(canonical.clone()));
        assert_eq!(normalize_code(&format!("  {} ", canonical)), Some(canonical));
        assert_eq!(normalize_code("ABCD"), None);
        assert_eq!(normalize_code("ABCD-EFGH-I0"), None, "I and 0 are not in the alphabet");
    }

    #[test]
    fn same_compares_exactly() {
        assert!(same("abc", "abc"));
        assert!(!same("abc", "abd"));
        assert!(!same("abc", "ab"));
    }
}
