//! Encryption at rest, with crypto-shredding.
//!
//! Every word a person writes (check-ins, appreciations and replies, answers and responses,
//! listening shares and reflections, evening notes) is sealed with that person's own data key
//! before it reaches the database, with XChaCha20-Poly1305 and a random 24-byte nonce per
//! text; the person's id is bound in as associated data, so a sealed text moved onto someone
//! else's row does not open. Data keys are random, one per person, and stored only wrapped
//! (sealed) by the instance's master key, which never enters the database.
//!
//! Deleting a person deletes their data key, so what they wrote is unreadable everywhere a
//! copy of it went: the database's free pages, its write-ahead log, backups and dumps.
//!
//! A sealed text is [`MARK`] followed by base64url(nonce ‖ ciphertext). Written text can never
//! begin with it: the domain refuses control characters in everything people write. An empty
//! text stays empty, so "no reply yet" still reads as such in SQL.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use tend_domain::UserId;
use tend_domain::store::keys::{Keys, PlainTable, WrappedKey};
use tend_domain::store::{StoreError, StoreResult};

/// What every sealed text starts with.
pub const MARK: char = '\u{1}';
const MARK_STR: &str = "\u{1}";
const NONCE_LEN: usize = 24;
const KEY_LEN: usize = 32;

/// The instance's master key: wraps every person's data key. It lives outside the database,
/// in `TEND_MASTER_KEY` (or `TEND_MASTER_KEY_FILE`) or in `master.key` in the data folder.
#[derive(Clone)]
pub struct MasterKey {
    key: Key,
    id: String,
}

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MasterKey").field("id", &self.id).finish_non_exhaustive()
    }
}

impl MasterKey {
    pub fn generate() -> Self {
        Self::from_bytes(XChaCha20Poly1305::generate_key(&mut OsRng))
    }

    fn from_bytes(key: Key) -> Self {
        let digest = Sha256::new().chain_update(b"tend master key id\0").chain_update(key.as_slice()).finalize();
        let id = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
        Self { key, id }
    }

    /// Reads a key written by [`MasterKey::to_text`]: 32 bytes in base64 (either alphabet,
    /// padded or not), surrounding whitespace ignored.
    pub fn from_text(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let bytes = URL_SAFE_NO_PAD
            .decode(text.trim_end_matches('='))
            .or_else(|_| base64::engine::general_purpose::STANDARD.decode(text))
            .map_err(|_| "a master key is 32 bytes in base64, as `tend keys generate` prints".to_owned())?;
        if bytes.len() != KEY_LEN {
            return Err(format!("a master key is 32 bytes; this one is {}", bytes.len()));
        }
        Ok(Self::from_bytes(*Key::from_slice(&bytes)))
    }

    /// The key in base64url, for a key file or an environment variable.
    pub fn to_text(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.key.as_slice())
    }

    /// A short public fingerprint, stored beside each data key it wraps.
    pub fn id(&self) -> &str {
        &self.id
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(&self.key)
    }
}

/// The master key file's usual place: `master.key` in the data folder.
pub fn key_file_in(data_dir: &Path) -> PathBuf {
    data_dir.join("master.key")
}

/// Reads a master key file; `None` when there is none.
pub fn read_key_file(path: &Path) -> Result<Option<MasterKey>, String> {
    match std::fs::read_to_string(path) {
        Ok(text) => MasterKey::from_text(&text).map(Some).map_err(|e| format!("{}: {e}", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("reading {}: {e}", path.display())),
    }
}

/// Writes a master key file readable by its owner only (0600), replacing any earlier one
/// atomically: the new key is written and flushed beside it, then renamed over it.
pub fn write_key_file(path: &Path, key: &MasterKey) -> Result<(), String> {
    use std::io::Write;
    let fail = |e: std::io::Error| format!("writing {}: {e}", path.display());
    let tmp = path.with_extension("key.new");
    let _ = std::fs::remove_file(&tmp);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&tmp).map_err(fail)?;
    file.write_all(format!("{}\n", key.to_text()).as_bytes()).map_err(fail)?;
    file.sync_all().map_err(fail)?;
    std::fs::rename(&tmp, path).map_err(fail)?;
    if let Some(dir) = path.parent().and_then(|d| std::fs::File::open(d).ok()) {
        let _ = dir.sync_all();
    }
    Ok(())
}

/// Seals and opens people's words with their data keys. Cloning shares the key cache.
#[derive(Clone)]
pub struct Vault {
    inner: Arc<Inner>,
}

struct Inner {
    master: RwLock<MasterKey>,
    /// The key file the master key came from, read again when a data key turns out to be
    /// wrapped by a newer master key (`tend keys rotate` ran while this node was up).
    key_file: Option<PathBuf>,
    keys: Arc<dyn Keys>,
    /// Data keys already unwrapped, by person.
    cache: RwLock<HashMap<UserId, Arc<XChaCha20Poly1305>>>,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vault").field("master", &self.master()).finish_non_exhaustive()
    }
}

fn broken(what: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(what.to_string())
}

impl Vault {
    /// Opens the vault over the stored data keys, after checking that `master` is the key
    /// they were wrapped with: a wrong key is refused here, never used to make new keys.
    pub async fn open(keys: Arc<dyn Keys>, master: MasterKey, key_file: Option<PathBuf>) -> StoreResult<Self> {
        let stored = keys.data_keys().await?;
        if let Some(other) = stored.iter().find(|k| k.master_id != master.id) {
            return Err(broken(format!(
                "the master key given (id {}) is not the one this database's words were sealed with (id {}): \
                 set TEND_MASTER_KEY or TEND_MASTER_KEY_FILE to that key, or restore master.key in the data folder",
                master.id, other.master_id
            )));
        }
        if let Some(first) = stored.first() {
            unwrap_key(&master, first).map_err(|_| {
                broken(format!(
                    "the master key (id {}) does not open this database's data keys: the key file or variable was changed",
                    master.id
                ))
            })?;
        }
        let inner = Inner { master: RwLock::new(master), key_file, keys, cache: RwLock::new(HashMap::new()) };
        Ok(Self { inner: Arc::new(inner) })
    }

    pub fn master_id(&self) -> String {
        self.master().id
    }

    fn master(&self) -> MasterKey {
        match self.inner.master.read() {
            Ok(m) => m.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// The master key, read again from its file if that holds a newer one.
    fn fresh_master(&self) -> MasterKey {
        let current = self.master();
        let Some(Ok(Some(newer))) = self.inner.key_file.as_deref().map(read_key_file) else { return current };
        if newer.id == current.id {
            return current;
        }
        if let Ok(mut m) = self.inner.master.write() {
            *m = newer.clone();
        }
        newer
    }

    /// Seals `text` with `author`'s data key, making the key on first use.
    pub async fn seal(&self, author: UserId, text: &str) -> StoreResult<String> {
        if text.is_empty() {
            return Ok(String::new());
        }
        let cipher = self.key(author, true).await?.ok_or_else(|| broken("a data key could not be made"))?;
        Ok(seal_with(&cipher, author, text.as_bytes()))
    }

    pub async fn seal_opt(&self, author: UserId, text: Option<&str>) -> StoreResult<Option<String>> {
        match text {
            Some(t) => Ok(Some(self.seal(author, t).await?)),
            None => Ok(None),
        }
    }

    /// Opens a text `author` sealed; a text that was never sealed comes back as it is. A text
    /// whose key was destroyed (its author deleted their account, and a write raced that)
    /// reads as nothing: those words are gone, and a partner's page must not break on them.
    pub async fn open_text(&self, author: UserId, text: String) -> StoreResult<String> {
        let Some(body) = text.strip_prefix(MARK) else { return Ok(text) };
        let Some(cipher) = self.key(author, false).await? else { return Ok(String::new()) };
        let bytes = open_with(&cipher, author, body)
            .ok_or_else(|| broken(format!("a sealed text of person {} does not open with their key", author.0)))?;
        String::from_utf8(bytes).map_err(|_| broken("a sealed text is not UTF-8"))
    }

    pub async fn open_opt(&self, author: Option<UserId>, text: Option<String>) -> StoreResult<Option<String>> {
        match (author, text) {
            (Some(a), Some(t)) => Ok(Some(self.open_text(a, t).await?)),
            (None, Some(t)) if !t.starts_with(MARK) => Ok(Some(t)),
            (None, Some(_)) => Err(broken("a sealed text has no author")),
            (_, None) => Ok(None),
        }
    }

    /// Seals a file's bytes with `owner`'s data key, bound to `name` (where it is kept), so a
    /// sealed file cannot be passed off as another: nonce, then ciphertext and tag.
    pub async fn seal_bytes(&self, owner: UserId, name: &str, bytes: &[u8]) -> StoreResult<Vec<u8>> {
        let cipher = self.key(owner, true).await?.ok_or_else(|| broken("a data key could not be made"))?;
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let aad = file_aad(owner, name);
        let sealed = cipher
            .encrypt(&nonce, Payload { msg: bytes, aad: &aad })
            .map_err(|_| broken("a file could not be sealed"))?;
        let mut out = Vec::with_capacity(NONCE_LEN + sealed.len());
        out.extend_from_slice(nonce.as_slice());
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    /// Opens what [`Vault::seal_bytes`] sealed; `None` once the owner's key is gone.
    pub async fn open_bytes(&self, owner: UserId, name: &str, sealed: &[u8]) -> StoreResult<Option<Vec<u8>>> {
        let Some(cipher) = self.key(owner, false).await? else { return Ok(None) };
        if sealed.len() < NONCE_LEN {
            return Err(broken(format!("the sealed file {name} is too short")));
        }
        let (nonce, body) = sealed.split_at(NONCE_LEN);
        let aad = file_aad(owner, name);
        cipher
            .decrypt(XNonce::from_slice(nonce), Payload { msg: body, aad: &aad })
            .map(Some)
            .map_err(|_| broken(format!("the sealed file {name} does not open with person {}'s key", owner.0)))
    }

    /// Forgets a person's key (their account is gone).
    pub fn forget(&self, user: UserId) {
        if let Ok(mut cache) = self.inner.cache.write() {
            cache.remove(&user);
        }
    }

    async fn key(&self, user: UserId, create: bool) -> StoreResult<Option<Arc<XChaCha20Poly1305>>> {
        if let Some(found) = self.inner.cache.read().ok().and_then(|c| c.get(&user).cloned()) {
            return Ok(Some(found));
        }
        let stored = match self.inner.keys.data_key(user).await? {
            Some(k) => k,
            None if create => {
                // A new key is wrapped by the newest master key, never a rotated-out one.
                let master = self.fresh_master();
                let fresh = XChaCha20Poly1305::generate_key(&mut OsRng);
                let wrapped = WrappedKey {
                    user,
                    master_id: master.id.clone(),
                    wrapped: seal_with(&master.cipher(), user, fresh.as_slice()),
                    created_at: jiff::Timestamp::now(),
                };
                // Another node may have made one first: the stored key is the one to use.
                self.inner.keys.add_data_key(&wrapped).await?
            }
            None => return Ok(None),
        };
        let master = if stored.master_id == self.master().id { self.master() } else { self.fresh_master() };
        let cipher = Arc::new(unwrap_key(&master, &stored)?);
        if let Ok(mut cache) = self.inner.cache.write() {
            cache.insert(user, cipher.clone());
        }
        Ok(Some(cipher))
    }

    /// Seals every text written before sealing existed (a database made by an earlier version
    /// of Tend), a batch at a time; a no-op, and no write, once done. Returns the rows sealed.
    pub async fn seal_plain_rows(&self) -> StoreResult<u64> {
        let mut sealed = 0;
        for table in PlainTable::ALL {
            loop {
                let rows = self.inner.keys.plain_rows(table, MARK_STR, 500).await?;
                if rows.is_empty() {
                    break;
                }
                let mut done = 0;
                for row in &rows {
                    let mut new = row.clone();
                    for (author, text) in &mut new.texts {
                        if let Some(t) = text.as_mut().filter(|t| !t.starts_with(MARK)) {
                            *t = self.seal(*author, t).await?;
                        }
                    }
                    if self.inner.keys.replace_row(row, &new).await? {
                        done += 1;
                    }
                }
                if done == 0 {
                    return Err(broken(format!("{table:?}: plain rows were found but none could be sealed")));
                }
                sealed += done;
            }
        }
        Ok(sealed)
    }
}

/// Rewraps every data key from `old` to `new` in one transaction; returns how many.
pub async fn rotate(keys: &dyn Keys, old: &MasterKey, new: &MasterKey) -> StoreResult<u64> {
    let stored = keys.data_keys().await?;
    let mut rewrapped = Vec::with_capacity(stored.len());
    for key in &stored {
        if key.master_id != old.id {
            return Err(broken(format!(
                "person {}'s data key is wrapped by master key {}, not by the current key {}",
                key.user.0, key.master_id, old.id
            )));
        }
        let plain = unwrap_raw(old, key)?;
        rewrapped.push(WrappedKey {
            user: key.user,
            master_id: new.id.clone(),
            wrapped: seal_with(&new.cipher(), key.user, &plain),
            created_at: key.created_at,
        });
    }
    let n = keys.rewrap_data_keys(&old.id, &rewrapped).await?;
    if n != stored.len() as u64 {
        return Err(broken(format!(
            "{} of {} data keys were rewrapped: the keys changed meanwhile; run it again",
            n,
            stored.len()
        )));
    }
    Ok(n)
}

fn aad(user: UserId) -> [u8; 8] {
    user.0.to_be_bytes()
}

fn file_aad(user: UserId, name: &str) -> Vec<u8> {
    let mut aad = user.0.to_be_bytes().to_vec();
    aad.extend_from_slice(name.as_bytes());
    aad
}

fn seal_with(cipher: &XChaCha20Poly1305, user: UserId, plain: &[u8]) -> String {
    let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
    let aad = aad(user);
    // Encrypting into a Vec cannot fail: the only error is a message longer than 256 GiB.
    let sealed = cipher.encrypt(&nonce, Payload { msg: plain, aad: &aad }).unwrap_or_default();
    let mut bytes = Vec::with_capacity(NONCE_LEN + sealed.len());
    bytes.extend_from_slice(nonce.as_slice());
    bytes.extend_from_slice(&sealed);
    format!("{MARK}{}", URL_SAFE_NO_PAD.encode(bytes))
}

fn open_with(cipher: &XChaCha20Poly1305, user: UserId, body: &str) -> Option<Vec<u8>> {
    let bytes = URL_SAFE_NO_PAD.decode(body).ok()?;
    if bytes.len() < NONCE_LEN {
        return None;
    }
    let (nonce, sealed) = bytes.split_at(NONCE_LEN);
    let aad = aad(user);
    cipher.decrypt(XNonce::from_slice(nonce), Payload { msg: sealed, aad: &aad }).ok()
}

fn unwrap_raw(master: &MasterKey, key: &WrappedKey) -> StoreResult<Vec<u8>> {
    let body = key.wrapped.strip_prefix(MARK).ok_or_else(|| broken("a stored data key is not wrapped"))?;
    let plain = open_with(&master.cipher(), key.user, body).ok_or_else(|| {
        broken(format!("person {}'s data key does not open with master key {}", key.user.0, master.id))
    })?;
    if plain.len() != KEY_LEN {
        return Err(broken("a stored data key has the wrong length"));
    }
    Ok(plain)
}

fn unwrap_key(master: &MasterKey, key: &WrappedKey) -> StoreResult<XChaCha20Poly1305> {
    let plain = unwrap_raw(master, key)?;
    Ok(XChaCha20Poly1305::new(Key::from_slice(&plain)))
}

/// For tests: a text as the vault would seal it.
pub fn looks_sealed(text: &str) -> bool {
    text.starts_with(MARK)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn master_keys_round_trip_and_refuse_the_wrong_size() {
        let key = MasterKey::generate();
        let again = MasterKey::from_text(&format!("  {}\n", key.to_text())).expect("reads back");
        assert_eq!(again.id(), key.id());
        assert_eq!(key.id().len(), 16);
        assert!(MasterKey::from_text("dG9vIHNob3J0").is_err());
        assert!(MasterKey::from_text("not base64 at all!").is_err());
    }

    #[test]
    fn a_sealed_text_opens_only_with_its_key_and_its_person() {
        let cipher = XChaCha20Poly1305::new(&XChaCha20Poly1305::generate_key(&mut OsRng));
        let other = XChaCha20Poly1305::new(&XChaCha20Poly1305::generate_key(&mut OsRng));
        let sealed = seal_with(&cipher, UserId(7), "our secret word".as_bytes());
        assert!(sealed.starts_with(MARK) && !sealed.contains("secret"));
        let body = &sealed[1..];
        assert_eq!(open_with(&cipher, UserId(7), body).as_deref(), Some("our secret word".as_bytes()));
        assert_eq!(open_with(&cipher, UserId(8), body), None, "bound to its person");
        assert_eq!(open_with(&other, UserId(7), body), None, "bound to its key");
        assert_ne!(seal_with(&cipher, UserId(7), b"same"), seal_with(&cipher, UserId(7), b"same"), "fresh nonces");
    }
}
