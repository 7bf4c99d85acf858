//! Configuration: environment variables first (`TEND_*`), then an optional TOML file named by
//! `TEND_CONFIG`, then defaults. Secrets may come from files (`TEND_DATABASE_URL_FILE`).
//! Zero configuration runs Tend on SQLite in `./data`.

use anyhow::{Context, bail};
use serde::Deserialize;
use std::path::PathBuf;
use tend_domain::Registration;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    data_dir: Option<PathBuf>,
    addr: Option<String>,
    database_url: Option<String>,
    database_schema: Option<String>,
    registration: Option<String>,
    base_url: Option<String>,
    trust_proxy: Option<TrustProxy>,
    log: Option<String>,
    log_format: Option<String>,
    conversation_minute_seconds: Option<u32>,
    vapid_private_key: Option<String>,
    vapid_subject: Option<String>,
    smtp_url: Option<String>,
    smtp_from: Option<String>,
    push_allow_private: Option<bool>,
    media_url: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Config {
    pub data_dir: PathBuf,
    pub addr: String,
    pub database_url: Option<String>,
    pub database_schema: Option<String>,
    pub registration: Registration,
    pub base_url: Option<String>,
    /// How many reverse proxies in front to trust for `X-Forwarded-*` (0: none).
    pub trust_proxy: u8,
    pub log: String,
    pub log_json: bool,
    /// One minute of a Stress-Reducing Conversation turn; shorter only for demos and tests.
    pub conversation_minute: jiff::SignedDuration,
    /// The VAPID private key (base64url); made at first start and kept in the database when unset.
    pub vapid_private_key: Option<String>,
    /// Who push services may contact: `mailto:` or `https://`.
    pub vapid_subject: Option<String>,
    /// The SMTP server for email reminders; no email without it.
    pub smtp_url: Option<String>,
    /// The From address of email reminders.
    pub smtp_from: Option<String>,
    /// Lets push endpoints be http or private addresses: only for a test push service.
    pub push_allow_private: bool,
    /// The master key (base64), from `TEND_MASTER_KEY` or `TEND_MASTER_KEY_FILE`; else the
    /// data folder's `master.key`.
    pub master_key: Option<String>,
    /// Where photos are kept: unset for `photos/` in the data folder, a folder path, or
    /// `s3://bucket/prefix` (credentials from the standard AWS variables).
    pub media_url: Option<String>,
}

/// `trust_proxy` in the file: `true`/`false`, or a number of proxies.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum TrustProxy {
    Flag(bool),
    Hops(u8),
}

impl TrustProxy {
    fn hops(self) -> u8 {
        match self {
            TrustProxy::Flag(on) => u8::from(on),
            TrustProxy::Hops(n) => n,
        }
    }
}

/// `TEND_TRUST_PROXY`: how many reverse proxies in front of Tend to trust. `true` (also `yes`,
/// `on`) means one, as it always has; `false` (`no`, `off`) means none; or a number.
fn trusted_hops(value: &str) -> Result<u8, String> {
    let v = value.trim().to_ascii_lowercase();
    match v.as_str() {
        "true" | "yes" | "on" => Ok(1),
        "false" | "no" | "off" => Ok(0),
        _ => v.parse::<u8>().map_err(|_| {
            format!("expected true, false or the number of proxies in front of Tend (0 to 255), got {value:?}")
        }),
    }
}

fn env(name: &str) -> anyhow::Result<Option<String>> {
    if let Ok(v) = std::env::var(name) {
        return Ok(Some(v).filter(|v| !v.is_empty()));
    }
    let file_var = format!("{name}_FILE");
    match std::env::var(&file_var) {
        Ok(path) if !path.is_empty() => {
            let text = std::fs::read_to_string(&path).with_context(|| format!("reading {file_var}={path}"))?;
            Ok(Some(text.trim().to_owned()))
        }
        _ => Ok(None),
    }
}

impl Config {
    pub fn load() -> anyhow::Result<Self> {
        let file: FileConfig = match env("TEND_CONFIG")? {
            Some(path) => {
                let text = std::fs::read_to_string(&path).with_context(|| format!("reading config file {path}"))?;
                toml::from_str(&text).with_context(|| format!("in config file {path}"))?
            }
            None => FileConfig::default(),
        };
        let registration = match env("TEND_REGISTRATION")?.or(file.registration) {
            Some(mode) => mode.parse().map_err(anyhow::Error::msg).context("TEND_REGISTRATION")?,
            None => Registration::default(),
        };
        let trust_proxy = match env("TEND_TRUST_PROXY")? {
            Some(v) => trusted_hops(&v).map_err(anyhow::Error::msg).context("TEND_TRUST_PROXY")?,
            None => file.trust_proxy.map_or(0, TrustProxy::hops),
        };
        let base_url = env("TEND_BASE_URL")?.or(file.base_url).map(|u| u.trim_end_matches('/').to_owned());
        if let Some(url) = &base_url
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            bail!("TEND_BASE_URL must start with http:// or https://, got {url:?}");
        }
        let minute_seconds = match env("TEND_CONVERSATION_MINUTE_SECONDS")? {
            Some(v) => v.trim().parse::<u32>().ok().filter(|s| (1..=60).contains(s)).with_context(|| {
                format!("TEND_CONVERSATION_MINUTE_SECONDS must be a whole number from 1 to 60, got {v:?}")
            })?,
            None => file.conversation_minute_seconds.unwrap_or(60),
        };
        if !(1..=60).contains(&minute_seconds) {
            bail!("conversation_minute_seconds must be from 1 to 60, got {minute_seconds}");
        }
        let smtp_url = env("TEND_SMTP_URL")?.or(file.smtp_url);
        let smtp_from = env("TEND_SMTP_FROM")?.or(file.smtp_from);
        if smtp_url.is_some() && smtp_from.is_none() {
            bail!(
                "TEND_SMTP_URL is set, so TEND_SMTP_FROM must say whom reminder emails come from, e.g. \"Tend <tend@example.org>\""
            );
        }
        let push_allow_private = match env("TEND_PUSH_ALLOW_PRIVATE")? {
            Some(v) => matches!(v.trim().to_ascii_lowercase().as_str(), "true" | "yes" | "on" | "1"),
            None => file.push_allow_private.unwrap_or(false),
        };
        let log_format = env("TEND_LOG_FORMAT")?.or(file.log_format).unwrap_or_else(|| "pretty".into());
        Ok(Self {
            data_dir: env("TEND_DATA_DIR")?
                .map(PathBuf::from)
                .or(file.data_dir)
                .unwrap_or_else(|| PathBuf::from("./data")),
            addr: env("TEND_ADDR")?.or(file.addr).unwrap_or_else(|| "127.0.0.1:8080".into()),
            database_url: env("TEND_DATABASE_URL")?.or(file.database_url),
            database_schema: env("TEND_DATABASE_SCHEMA")?.or(file.database_schema),
            registration,
            base_url,
            trust_proxy,
            log: env("TEND_LOG")?.or(file.log).unwrap_or_else(|| "info".into()),
            log_json: log_format.eq_ignore_ascii_case("json"),
            conversation_minute: jiff::SignedDuration::from_secs(i64::from(minute_seconds)),
            vapid_private_key: env("TEND_VAPID_PRIVATE_KEY")?.or(file.vapid_private_key),
            vapid_subject: env("TEND_VAPID_SUBJECT")?.or(file.vapid_subject),
            smtp_url,
            smtp_from,
            push_allow_private,
            master_key: env("TEND_MASTER_KEY")?,
            media_url: env("TEND_MEDIA_URL")?.or(file.media_url),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trust_proxy_takes_a_flag_or_a_number_of_proxies() {
        for (value, hops) in [("true", 1), ("TRUE", 1), ("yes", 1), ("on", 1), ("1", 1), ("2", 2), (" 3 ", 3)] {
            assert_eq!(trusted_hops(value), Ok(hops), "{value}");
        }
        for value in ["false", "no", "off", "0"] {
            assert_eq!(trusted_hops(value), Ok(0), "{value}");
        }
        for value in ["sometimes", "-1", "256", "1.5"] {
            assert!(trusted_hops(value).is_err(), "{value}");
        }
    }

    #[test]
    fn trust_proxy_in_the_file_is_a_flag_or_a_number() {
        let hops =
            |text: &str| toml::from_str::<FileConfig>(text).expect("parses").trust_proxy.map_or(0, TrustProxy::hops);
        assert_eq!(hops("trust_proxy = true"), 1);
        assert_eq!(hops("trust_proxy = false"), 0);
        assert_eq!(hops("trust_proxy = 2"), 2);
        assert_eq!(hops(""), 0);
        assert!(toml::from_str::<FileConfig>("trust_proxy = \"maybe\"").is_err());
    }
}
