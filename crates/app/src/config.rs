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
    metrics_addr: Option<String>,
    client_ip_header: Option<String>,
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
    /// The header trusted proxies put the client's address in (`X-Forwarded-For` if unset).
    pub client_ip_header: Option<String>,
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
    /// Where to serve `/metrics` (Prometheus), on a listener of its own; off when unset.
    pub metrics_addr: Option<String>,
}

/// One setting, as `tend --help` lists it and `tend config` shows it.
pub struct Setting {
    /// The environment variable; secrets may come from `<VAR>_FILE` instead.
    pub var: &'static str,
    /// Its key in the `TEND_CONFIG` file, if it may be set there.
    pub key: Option<&'static str>,
    pub default: &'static str,
    pub secret: bool,
    pub help: &'static str,
}

/// Every setting Tend reads. `every_setting_read_is_listed` holds this to the code.
pub const SETTINGS: &[Setting] = &[
    Setting {
        var: "TEND_CONFIG",
        key: None,
        default: "(none)",
        secret: false,
        help: "A TOML file with any of the keys below; environment variables win over it.",
    },
    Setting {
        var: "TEND_DATA_DIR",
        key: Some("data_dir"),
        default: "./data",
        secret: false,
        help: "The data folder: tend.db (SQLite), master.key, photos. Created 0700.",
    },
    Setting {
        var: "TEND_ADDR",
        key: Some("addr"),
        default: "127.0.0.1:8080",
        secret: false,
        help: "The address and port to listen on.",
    },
    Setting {
        var: "TEND_DATABASE_URL",
        key: Some("database_url"),
        default: "SQLite in the data folder",
        secret: true,
        help: "postgres://user:password@host/db for PostgreSQL, or sqlite:///path/tend.db.",
    },
    Setting {
        var: "TEND_DATABASE_SCHEMA",
        key: Some("database_schema"),
        default: "public",
        secret: false,
        help: "PostgreSQL only: the schema Tend's tables live in.",
    },
    Setting {
        var: "TEND_REGISTRATION",
        key: Some("registration"),
        default: "invite",
        secret: false,
        help: "invite: the first account, then only people with a partner's invite; open: anyone.",
    },
    Setting {
        var: "TEND_BASE_URL",
        key: Some("base_url"),
        default: "http://<TEND_ADDR>",
        secret: false,
        help: "The public address, e.g. https://tend.example.org: invite links, and https makes cookies Secure.",
    },
    Setting {
        var: "TEND_TRUST_PROXY",
        key: Some("trust_proxy"),
        default: "0",
        secret: false,
        help: "How many reverse proxies in front to trust for X-Forwarded-For (true = 1, false = 0).",
    },
    Setting {
        var: "TEND_CLIENT_IP_HEADER",
        key: Some("client_ip_header"),
        default: "X-Forwarded-For",
        secret: false,
        help: "The header trusted proxies put the client's address in, e.g. X-Real-IP; read as TEND_TRUST_PROXY says.",
    },
    Setting {
        var: "TEND_LOG",
        key: Some("log"),
        default: "info",
        secret: false,
        help: "A level (error, warn, info, debug, trace) or target=level directives, e.g. info,sqlx=warn.",
    },
    Setting {
        var: "TEND_LOG_FORMAT",
        key: Some("log_format"),
        default: "pretty",
        secret: false,
        help: "pretty, or json for one JSON object a line (then nothing else goes to stdout).",
    },
    Setting {
        var: "TEND_CONVERSATION_MINUTE_SECONDS",
        key: Some("conversation_minute_seconds"),
        default: "60",
        secret: false,
        help: "Seconds in a conversation minute, 1 to 60: shorter only for demos and tests.",
    },
    Setting {
        var: "TEND_VAPID_PRIVATE_KEY",
        key: Some("vapid_private_key"),
        default: "made at first start, kept in the database",
        secret: true,
        help: "The Web Push signing key (base64url); every node needs the same one.",
    },
    Setting {
        var: "TEND_VAPID_SUBJECT",
        key: Some("vapid_subject"),
        default: "the base URL",
        secret: false,
        help: "How push services may contact the host: mailto: or https://.",
    },
    Setting {
        var: "TEND_SMTP_URL",
        key: Some("smtp_url"),
        default: "(none: no email)",
        secret: true,
        help: "The mail server for reminders, e.g. smtps://user:password@mail.example.org.",
    },
    Setting {
        var: "TEND_SMTP_FROM",
        key: Some("smtp_from"),
        default: "(none)",
        secret: false,
        help: "The From of reminder emails, e.g. \"Tend <tend@example.org>\"; needed with TEND_SMTP_URL.",
    },
    Setting {
        var: "TEND_PUSH_ALLOW_PRIVATE",
        key: Some("push_allow_private"),
        default: "false",
        secret: false,
        help: "Lets push endpoints be http or private addresses: only for a test push service.",
    },
    Setting {
        var: "TEND_MASTER_KEY",
        key: None,
        default: "master.key in the data folder",
        secret: true,
        help: "The master key (base64) that wraps each person's data key; see tend keys.",
    },
    Setting {
        var: "TEND_MEDIA_URL",
        key: Some("media_url"),
        default: "photos/ in the data folder",
        secret: false,
        help: "Where photos go: a folder, or s3://bucket/prefix (credentials from the AWS_* variables).",
    },
    Setting {
        var: "TEND_METRICS_ADDR",
        key: Some("metrics_addr"),
        default: "(none: off)",
        secret: false,
        help: "Serves /metrics (Prometheus) on this address of its own, e.g. 127.0.0.1:9464; keep it private.",
    },
];

/// The settings, for the end of `tend --help`.
pub fn help() -> String {
    let mut text = String::from(
        "Settings (environment variables; most may also be keys in the TEND_CONFIG file, and\n\
         secrets may be read from a file named by <VARIABLE>_FILE):\n",
    );
    for s in SETTINGS {
        let key = s.key.map(|k| format!(", file key {k}")).unwrap_or_default();
        let secret = if s.secret {
            format!("\n      A secret: {}_FILE keeps it out of the environment.", s.var)
        } else {
            String::new()
        };
        text.push_str(&format!("\n  {}  [default: {}{key}]\n      {}{secret}\n", s.var, s.default, s.help));
    }
    text
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

/// A yes-or-no setting: `true`, `yes`, `on` or `1`, and `false`, `no`, `off` or `0`.
fn flag(value: &str) -> Result<bool, String> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "on" | "1" => Ok(true),
        "false" | "no" | "off" | "0" => Ok(false),
        _ => Err(format!("expected true or false, got {value:?}")),
    }
}

/// `TEND_LOG_FORMAT`: `pretty` (lines for a person) or `json` (one object a line); true for json.
fn log_format(value: &str) -> Result<bool, String> {
    match value.trim().to_ascii_lowercase().as_str() {
        "pretty" => Ok(false),
        "json" => Ok(true),
        _ => Err(format!("expected pretty or json, got {value:?}")),
    }
}

const LEVELS: [&str; 6] = ["trace", "debug", "info", "warn", "error", "off"];

/// `TEND_LOG`: a level, or comma-separated `target=level` directives (`info,tend_web=debug`).
/// A bare word that is not a level would quietly be read as a target to log everything of, so
/// it is refused, as is anything the filter itself cannot read.
pub fn log_filter(value: &str) -> Result<tracing_subscriber::EnvFilter, String> {
    let directives: Vec<&str> = value.split(',').map(str::trim).filter(|d| !d.is_empty()).collect();
    for &directive in &directives {
        let level = directive.rsplit_once('=').map_or(directive, |(_, level)| level).trim();
        if !LEVELS.contains(&level.to_ascii_lowercase().as_str()) {
            return Err(format!(
                "{directive:?} is not a level: use one of {} or target=level, e.g. \"info,tend_web=debug\"",
                LEVELS.join(", ")
            ));
        }
    }
    tracing_subscriber::EnvFilter::try_new(directives.join(",")).map_err(|e| format!("{value:?}: {e}"))
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

/// A URL with its password, if any, replaced by `***`.
fn without_password(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        Ok(u) => u.to_string(),
        Err(_) => "(set, not a URL)".into(),
    }
}

impl Config {
    /// The configuration in effect, setting by setting, with secrets masked: for `tend config`.
    pub fn effective(&self) -> Vec<(&'static str, String)> {
        let or = |value: &Option<String>, default: &str| value.clone().unwrap_or_else(|| format!("({default})"));
        let secret = |value: &Option<String>| if value.is_some() { "(set)".to_owned() } else { "(not set)".to_owned() };
        vec![
            ("TEND_CONFIG", std::env::var("TEND_CONFIG").unwrap_or_else(|_| "(none)".into())),
            ("TEND_DATA_DIR", self.data_dir.display().to_string()),
            ("TEND_ADDR", self.addr.clone()),
            (
                "TEND_DATABASE_URL",
                self.database_url.as_deref().map_or_else(|| "(SQLite in the data folder)".into(), without_password),
            ),
            ("TEND_DATABASE_SCHEMA", or(&self.database_schema, "public")),
            (
                "TEND_REGISTRATION",
                match self.registration {
                    Registration::InviteOnly => "invite".into(),
                    Registration::Open => "open".into(),
                },
            ),
            ("TEND_BASE_URL", or(&self.base_url, &format!("http://{}", self.addr))),
            ("TEND_TRUST_PROXY", self.trust_proxy.to_string()),
            ("TEND_CLIENT_IP_HEADER", or(&self.client_ip_header, "X-Forwarded-For")),
            ("TEND_LOG", self.log.clone()),
            ("TEND_LOG_FORMAT", if self.log_json { "json".into() } else { "pretty".into() }),
            ("TEND_CONVERSATION_MINUTE_SECONDS", self.conversation_minute.as_secs().to_string()),
            ("TEND_VAPID_PRIVATE_KEY", secret(&self.vapid_private_key)),
            ("TEND_VAPID_SUBJECT", or(&self.vapid_subject, "the base URL")),
            ("TEND_SMTP_URL", self.smtp_url.as_deref().map_or_else(|| "(not set: no email)".into(), without_password)),
            ("TEND_SMTP_FROM", or(&self.smtp_from, "not set")),
            ("TEND_PUSH_ALLOW_PRIVATE", self.push_allow_private.to_string()),
            ("TEND_MASTER_KEY", secret(&self.master_key)),
            (
                "TEND_MEDIA_URL",
                self.media_url.as_deref().map_or_else(|| "(photos/ in the data folder)".into(), without_password),
            ),
            ("TEND_METRICS_ADDR", or(&self.metrics_addr, "none: off")),
        ]
    }

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
        let client_ip_header = match env("TEND_CLIENT_IP_HEADER")?.or(file.client_ip_header) {
            Some(name) => {
                let name = name.trim().to_ascii_lowercase();
                axum::http::HeaderName::from_bytes(name.as_bytes())
                    .map_err(|_| anyhow::anyhow!("TEND_CLIENT_IP_HEADER: {name:?} is not a header name"))?;
                Some(name)
            }
            None => None,
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
            Some(v) => flag(&v).map_err(anyhow::Error::msg).context("TEND_PUSH_ALLOW_PRIVATE")?,
            None => file.push_allow_private.unwrap_or(false),
        };
        let log_json = match env("TEND_LOG_FORMAT")?.or(file.log_format) {
            Some(format) => log_format(&format).map_err(anyhow::Error::msg).context("TEND_LOG_FORMAT")?,
            None => false,
        };
        let log = env("TEND_LOG")?.or(file.log).unwrap_or_else(|| "info".into());
        log_filter(&log).map_err(anyhow::Error::msg).context("TEND_LOG")?;
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
            client_ip_header,
            log,
            log_json,
            conversation_minute: jiff::SignedDuration::from_secs(i64::from(minute_seconds)),
            vapid_private_key: env("TEND_VAPID_PRIVATE_KEY")?.or(file.vapid_private_key),
            vapid_subject: env("TEND_VAPID_SUBJECT")?.or(file.vapid_subject),
            smtp_url,
            smtp_from,
            push_allow_private,
            master_key: env("TEND_MASTER_KEY")?,
            media_url: env("TEND_MEDIA_URL")?.or(file.media_url),
            metrics_addr: env("TEND_METRICS_ADDR")?.or(file.metrics_addr),
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
    fn every_setting_read_is_listed_and_shown() {
        let source = include_str!("config.rs");
        let read: std::collections::BTreeSet<&str> = source
            .match_indices("env(\"TEND_")
            .map(|(at, _)| {
                let name = &source[at + 5..];
                &name[..name.find('"').unwrap_or(0)]
            })
            .collect();
        let listed: std::collections::BTreeSet<&str> = SETTINGS.iter().map(|s| s.var).collect();
        assert_eq!(read, listed, "SETTINGS lists every variable Config::load reads");
        let config = Config {
            data_dir: "/srv/tend".into(),
            addr: "127.0.0.1:8080".into(),
            database_url: Some("postgres://tend:hunter2@db/tend".into()),
            database_schema: None,
            registration: Registration::InviteOnly,
            base_url: None,
            trust_proxy: 1,
            client_ip_header: None,
            log: "info".into(),
            log_json: false,
            conversation_minute: jiff::SignedDuration::from_secs(60),
            vapid_private_key: Some("private-vapid".into()),
            vapid_subject: None,
            smtp_url: Some("smtps://me:mailsecret@mail.example.org".into()),
            smtp_from: Some("Tend <t@example.org>".into()),
            push_allow_private: false,
            master_key: Some("master-secret".into()),
            media_url: None,
            metrics_addr: None,
        };
        let shown = config.effective();
        let names: std::collections::BTreeSet<&str> = shown.iter().map(|(n, _)| *n).collect();
        assert_eq!(names, listed, "tend config shows every setting");
        let all = format!("{shown:?}");
        for secret in ["hunter2", "private-vapid", "mailsecret", "master-secret"] {
            assert!(!all.contains(secret), "{secret} leaked: {all}");
        }
        assert!(all.contains("postgres://tend:***@db/tend"), "{all}");
        let help = help();
        assert!(SETTINGS.iter().all(|s| help.contains(s.var) && help.contains(s.default)));
    }

    #[test]
    fn mistyped_settings_are_refused_not_replaced() {
        assert_eq!((flag("yes"), flag("0")), (Ok(true), Ok(false)));
        assert!(flag("treu").is_err() && flag("").is_err());
        assert_eq!((log_format("JSON"), log_format("pretty")), (Ok(true), Ok(false)));
        assert!(log_format("jsn").is_err());
        for good in ["info", "warn,tend_web=debug", "tend=trace, sqlx=warn", "off"] {
            assert!(log_filter(good).is_ok(), "{good}");
        }
        for bad in ["infoo", "tend_web=loud", "verbose", "info,=", "debug,tend["] {
            assert!(log_filter(bad).is_err(), "{bad}");
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
