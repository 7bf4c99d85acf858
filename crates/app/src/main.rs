//! `tend`: the one binary. Serves the app, migrates, makes a demo couple, resets passwords
//! and backs up.

mod config;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use config::Config;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tend_courier::{CourierConfig, SmtpConfig, VapidKeys};
use tend_domain::fixtures::{self, Person};
use tend_domain::reminder::{self, Courier, EndpointPolicy};
use tend_domain::{Ctx, Policy, SystemClock, account};
use tend_media::darkroom::Lab;
use tend_media::objects::{Objects, Place};
use tend_store::{Database, MasterKey, StoreConfig, Vault, vault};
use tend_web::{AppState, WebConfig};
use tracing_subscriber::EnvFilter;

/// mimalloc gives freed memory back to the system; glibc's allocator kept each password hash's
/// 19 MiB for good, so a burst of log-ins left the process gigabytes large (bench/login-burst.sh).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "tend",
    version,
    about = "Tend: small daily practices for two partners, on a machine you trust.",
    after_help = config::help()
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Runs Tend (migrating the database first).
    #[command(after_help = config::help())]
    Serve {
        /// Also create (or refresh) the demo couple and print how to log in.
        #[arg(long)]
        demo: bool,
    },
    /// Brings the database schema up to date and exits.
    Migrate,
    /// Asks the Tend listening at TEND_ADDR (on this machine) for /healthz and exits 0 when it
    /// answers 200: for a container's or a supervisor's health check, with no curl needed.
    Healthcheck,
    /// Prints the configuration in effect (environment, TEND_CONFIG file, defaults), with
    /// secrets masked.
    #[command(after_help = config::help())]
    Config,
    /// Creates the demo couple, with a few weeks of history, and prints how to log in.
    /// With --couples, creates many couples for benchmarks instead.
    Demo {
        /// Years of history instead of three weeks: a busy couple, for benchmarks such as
        /// bench/export.sh (five years take a few minutes to write).
        #[arg(long, conflicts_with = "couples")]
        years: Option<u16>,
        /// For benchmarks at scale: instead of the demo couple, N couples (c000000-a@scale.tend
        /// and c000000-b@scale.tend, and so on), each with --days of daily use ending today,
        /// written through the store's bulk writes with every word sealed. Refused if scale
        /// couples are here already: use a fresh data folder (or PostgreSQL schema).
        #[arg(long, value_name = "N")]
        couples: Option<u32>,
        /// With --couples: days of daily use per couple, ending today.
        #[arg(long, value_name = "D", requires = "couples", default_value_t = 365,
              value_parser = clap::value_parser!(u32).range(1..=i64::from(fixtures::scale::MAX_DAYS)))]
        days: u32,
        /// With --couples, for benchmarks: also create one API token per account and write them
        /// to FILE, one a line: couple i's first partner on line 2i, the second on line 2i+1
        /// (counting lines from 0).
        #[arg(long, value_name = "FILE", requires = "couples")]
        tokens: Option<PathBuf>,
        /// With --couples: couples written at once.
        #[arg(long, hide = true, default_value_t = 4, requires = "couples")]
        parallel: usize,
    },
    /// Account tools for the host.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Writes a consistent copy of a running SQLite database to PATH (PostgreSQL: use pg_dump),
    /// and the photos, still sealed, to PATH.photos/ beside it.
    Backup { path: PathBuf },
    /// Writes everything one person may see (as "Download my data" in Settings does) to a ZIP.
    Export {
        /// The person's email.
        #[arg(long)]
        user: String,
        /// Where to write it; by default tend-export-YYYY-MM-DD.zip in this folder.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Copies a whole SQLite instance into a new, empty PostgreSQL database, checking every
    /// table's rows and checksum before committing. Start Tend on PostgreSQL afterwards with
    /// the same master key.
    Copy {
        /// The SQLite database, e.g. sqlite:///srv/tend/data/tend.db
        #[arg(long)]
        from: String,
        /// The PostgreSQL database, e.g. postgres://tend@db/tend (with TEND_DATABASE_SCHEMA if you use one).
        #[arg(long)]
        to: String,
    },
    /// The master key that wraps each person's data key.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Prints a new random master key, for TEND_MASTER_KEY before a first start (every node of
    /// one instance needs the same key).
    Generate,
    /// Makes a new master key and rewraps every person's data key with it, while Tend runs.
    /// The key file in the data folder is replaced (a node reads it again when it meets a
    /// rewrapped key); with TEND_MASTER_KEY, the new key is printed: set it on every node and
    /// restart them.
    Rotate,
    /// Says which master key is in use (its fingerprint) and how many data keys it wraps.
    Status,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Sets a new random password, signs the person out everywhere and prints the password.
    ResetPassword { email: String },
    /// Names the account an admin: it can open the admin page (accounts, reset links,
    /// switching accounts off). The account that founded the instance is one from the start.
    Admin {
        email: String,
        /// Take the admin role back instead.
        #[arg(long)]
        remove: bool,
    },
    /// Deletes the person's account and everything they wrote; their partner keeps their own
    /// words. Without --yes, only says what would be deleted.
    Delete {
        email: String,
        /// Really delete: this cannot be undone.
        #[arg(long)]
        yes: bool,
    },
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    // A couple's words are theirs: the database, its journal, backups, exports, the key file
    // and photos are created readable by this user only (0600, folders 0700), whatever the
    // shell's umask, so that other accounts on a shared machine cannot read them.
    #[cfg(unix)]
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
    let cli = Cli::parse();
    let config = match Config::load() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("tend: configuration error: {e:#}");
            return std::process::ExitCode::from(2);
        }
    };
    init_logging(&config);
    match run(cli, config).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tend: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn init_logging(config: &Config) {
    // Checked when the configuration was read, so this cannot fall back in silence.
    let filter = config::log_filter(&config.log).unwrap_or_else(|_| EnvFilter::new("info"));
    // Colours only for a person at a terminal: a journal or a log file gets plain text.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(ansi);
    if config.log_json { builder.json().init() } else { builder.init() }
}

async fn open_store(config: &Config) -> anyhow::Result<(Database, StoreConfig)> {
    let store_config = match &config.database_url {
        Some(url) => StoreConfig { schema: config.database_schema.clone(), ..StoreConfig::from_url(url.clone()) },
        None => {
            std::fs::create_dir_all(&config.data_dir)
                .with_context(|| format!("creating data folder {}", config.data_dir.display()))?;
            owner_only(&config.data_dir)?;
            StoreConfig::sqlite_in(&config.data_dir)
        }
    };
    let database = Database::connect(&store_config).await.context("connecting to the database")?;
    database.migrate().await.context("migrating the database")?;
    // A database that opens and reads but cannot take writes (a full disk, a read-only
    // file or folder) would fail every action later: say so now instead.
    database.raw_store().probe_write(jiff::Timestamp::now()).await.context("writing to the database")?;
    Ok((database, store_config))
}

/// Closes a data folder that others can enter (0755, as versions before 0.2 made it) to its
/// owner, once, and says so: everything in it is reached through it.
fn owner_only(folder: &std::path::Path) -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(folder)?.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            std::fs::set_permissions(folder, std::fs::Permissions::from_mode(0o700))
                .with_context(|| format!("making the data folder {} its owner's alone", folder.display()))?;
            tracing::warn!(folder = %folder.display(), was = format!("{mode:o}"), "the data folder was open to others; it is now 0700");
        }
    }
    Ok(())
}

/// Where the master key comes from: `TEND_MASTER_KEY` (or `_FILE`), else `master.key` in the
/// data folder, made at the first start of a database that has no data keys yet. A database
/// whose words are sealed never gets a new key silently: without its key, Tend stops and says so.
async fn master_key(config: &Config, database: &Database) -> anyhow::Result<(MasterKey, Option<PathBuf>)> {
    if let Some(text) = &config.master_key {
        let key = MasterKey::from_text(text).map_err(anyhow::Error::msg).context("TEND_MASTER_KEY")?;
        return Ok((key, None));
    }
    let path = vault::key_file_in(&config.data_dir);
    let next = path.with_extension("key.next");
    // A rotation that stopped between rewrapping and replacing the file: the keys tell which.
    if let Some(newer) = vault::read_key_file(&next).map_err(anyhow::Error::msg)? {
        let ids: Vec<String> = database.keys().data_keys().await?.into_iter().map(|k| k.master_id).collect();
        if !ids.is_empty() && ids.iter().all(|id| id == newer.id()) {
            std::fs::rename(&next, &path).with_context(|| format!("finishing the key rotation: {}", next.display()))?;
        } else {
            std::fs::remove_file(&next).with_context(|| format!("removing {}", next.display()))?;
        }
    }
    if let Some(key) = vault::read_key_file(&path).map_err(anyhow::Error::msg)? {
        return Ok((key, Some(path)));
    }
    if database.has_data_keys().await? {
        bail!(
            "the master key is missing: this database's words are sealed, but TEND_MASTER_KEY is unset and {} \
             does not exist. Restore that file from where you keep it (or set TEND_MASTER_KEY to the key). \
             Tend will not make a new key, which would leave everyone's words unreadable.",
            path.display()
        );
    }
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("creating data folder {}", config.data_dir.display()))?;
    let key = MasterKey::generate();
    vault::write_key_file(&path, &key).map_err(anyhow::Error::msg)?;
    tracing::info!(
        path = %path.display(),
        id = key.id(),
        "made a new master key: keep a copy somewhere safe, apart from your backups"
    );
    Ok((key, Some(path)))
}

/// The store the use cases see: sealed by the vault, after sealing any words an earlier
/// version of Tend stored in plain text.
async fn sealed_store(config: &Config, database: &Database) -> anyhow::Result<(Arc<dyn tend_domain::Store>, Vault)> {
    let (key, file) = master_key(config, database).await?;
    database.sealed_from(key, file).await.context("opening the vault")
}

/// Where `tend backup PATH` puts the photos: `PATH.photos/`, beside the database copy.
fn photo_backup_folder(path: &std::path::Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".photos");
    PathBuf::from(name)
}

/// Where photos are kept (`TEND_MEDIA_URL`), sealed with the vault's keys.
fn photo_objects(config: &Config, vault: Vault) -> anyhow::Result<Objects> {
    let place = Place::parse(config.media_url.as_deref(), &config.data_dir).map_err(anyhow::Error::msg)?;
    Objects::open(&place, vault).map_err(anyhow::Error::msg).context("TEND_MEDIA_URL")
}

/// The use cases' world: the store, the real clock, and live events that fit the database.
async fn context(config: &Config) -> anyhow::Result<(Ctx, Database)> {
    let (database, store_config) = open_store(config).await?;
    let events = tend_store::events::for_database(&database, &store_config).await;
    let (store, vault) = sealed_store(config, &database).await?;
    let objects = photo_objects(config, vault)?;
    let ctx = Ctx::new(
        store,
        Arc::new(SystemClock),
        events,
        Policy { registration: config.registration, conversation_minute: config.conversation_minute },
    )
    // Two photos develop at once on this many cores; more would only queue for them.
    .with_photos(Arc::new(objects), Arc::new(Lab::new(2)));
    Ok((ctx, database))
}

async fn run(cli: Cli, config: Config) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve { demo } => {
            let (ctx, database) = context(&config).await?;
            if demo {
                print_demo(&ctx, config.log_json).await?;
            }
            serve(ctx, &config, &database).await?;
            database.close().await;
            Ok(())
        }
        Command::Healthcheck => healthcheck(&config.addr),
        Command::Config => {
            let shown = config.effective();
            let width = shown.iter().map(|(name, _)| name.len()).max().unwrap_or(0);
            for (name, value) in shown {
                println!("{name:width$}  {value}");
            }
            Ok(())
        }
        Command::Migrate => {
            let (database, _) = open_store(&config).await?;
            sealed_store(&config, &database).await?;
            println!("The database is up to date.");
            Ok(())
        }
        Command::Demo { couples: Some(couples), days, tokens, parallel, .. } => {
            let plan = fixtures::scale::Plan {
                couples,
                days,
                tokens: tokens.is_some(),
                passwords: DEMO.map(|p| p.password.to_owned()),
                parallel,
            };
            scale_demo(&context(&config).await?.0, &plan, tokens.as_deref()).await
        }
        Command::Demo { years: None, .. } => print_demo(&context(&config).await?.0, config.log_json).await,
        Command::Demo { years: Some(years), .. } => busy_demo(&context(&config).await?.0, years).await,
        Command::User { command: UserCommand::ResetPassword { email } } => {
            let (ctx, _) = context(&config).await?;
            match account::reset_password(&ctx, &email).await {
                Ok(password) => {
                    println!("New password for {email}: {password}");
                    println!(
                        "They were signed out everywhere and their API tokens were revoked. They can change the password in Settings."
                    );
                    Ok(())
                }
                Err(tend_domain::Error::NotFound) => {
                    bail!("there is no account with the email {email}")
                }
                Err(e) => Err(e.into()),
            }
        }
        Command::User { command: UserCommand::Admin { email, remove } } => {
            let (ctx, _) = context(&config).await?;
            match tend_domain::admin::name_admin(&ctx, &email, !remove).await {
                Ok(user) if remove => {
                    println!("{} ({}) is no longer an admin.", user.display_name, user.email);
                    Ok(())
                }
                Ok(user) => {
                    println!(
                        "{} ({}) is an admin: the admin page is in their Settings, at /admin.",
                        user.display_name, user.email
                    );
                    Ok(())
                }
                Err(tend_domain::Error::NotFound) => bail!("there is no account with the email {email}"),
                Err(e) => Err(e.into()),
            }
        }
        Command::User { command: UserCommand::Delete { email, yes } } => {
            let (ctx, _) = context(&config).await?;
            let found = if yes {
                account::delete_by_email(&ctx, &email).await
            } else {
                account::find_by_email(&ctx, &email).await
            };
            let user = match found {
                Ok(user) => user,
                Err(tend_domain::Error::NotFound) => bail!("there is no account with the email {email}"),
                Err(e) => return Err(e.into()),
            };
            if yes {
                println!("Deleted the account of {} ({email}) and everything they wrote.", user.display_name);
                println!("A couple they were in has ended; their partner keeps their own words.");
                return Ok(());
            }
            eprintln!(
                "This would delete the account of {} ({email}). As Settings tells the person:",
                user.display_name
            );
            eprintln!("\nWhat will go:");
            account::DELETE_GOES.iter().for_each(|line| eprintln!("  - {line}"));
            eprintln!("\nWhat stays:");
            account::DELETE_STAYS.iter().for_each(|line| eprintln!("  - {line}"));
            eprintln!();
            bail!("nothing was deleted: this cannot be undone, so run `tend user delete {email} --yes` to delete it")
        }
        Command::Keys { command } => keys(&config, command).await,
        Command::Copy { from, to } => copy(&config, &from, &to).await,
        Command::Export { user, out } => {
            let (ctx, _) = context(&config).await?;
            let me = match tend_domain::export::person_by_email(&ctx, &user).await {
                Ok(me) => me,
                Err(tend_domain::Error::NotFound) => bail!("there is no account with the email {user}"),
                Err(e) => return Err(e.into()),
            };
            let plan = tend_domain::export::plan(&ctx, &me).await?;
            let path = out.unwrap_or_else(|| PathBuf::from(tend_domain::export::file_name(&plan)));
            let file = tokio::fs::File::create(&path).await.with_context(|| format!("creating {}", path.display()))?;
            let mut file = tend_web::export::write_zip(&ctx, &plan, tokio::io::BufWriter::new(file)).await?;
            tokio::io::AsyncWriteExt::shutdown(&mut file)
                .await
                .with_context(|| format!("writing {}", path.display()))?;
            file.into_inner().sync_all().await.with_context(|| format!("writing {}", path.display()))?;
            println!("Wrote everything {user} may see to {}", path.display());
            Ok(())
        }
        Command::Backup { path } => {
            let (database, _) = open_store(&config).await?;
            database.backup_to(&path).await?;
            println!("Backed up the database to {}", path.display());
            // The photos, still sealed, beside it: the database first, so every photo row in
            // the copy has its files (a photo's files are written before its row).
            let (_, vault) = sealed_store(&config, &database).await?;
            let objects = photo_objects(&config, vault)?;
            let folder = photo_backup_folder(&path);
            let copied = objects.copy_to_folder(&folder).await.context("copying the photos")?;
            println!("Copied {copied} photo files, still sealed, to {}", folder.display());
            Ok(())
        }
    }
}

/// `tend copy`: SQLite to PostgreSQL, both brought to this version's schema first.
async fn copy(config: &Config, from: &str, to: &str) -> anyhow::Result<()> {
    if !from.starts_with("sqlite:") {
        bail!("--from must be a sqlite: URL, e.g. sqlite:///srv/tend/data/tend.db");
    }
    if !(to.starts_with("postgres:") || to.starts_with("postgresql:")) {
        bail!("--to must be a postgres:// URL");
    }
    let source_url = if from.contains('?') { from.to_owned() } else { format!("{from}?mode=rw") };
    let source = Database::connect(&StoreConfig::from_url(source_url)).await.context("opening the SQLite database")?;
    source.migrate().await.context("bringing the SQLite database up to date")?;
    let target_config = StoreConfig { schema: config.database_schema.clone(), ..StoreConfig::from_url(to.to_owned()) };
    let target = Database::connect(&target_config).await.context("connecting to PostgreSQL")?;
    target.migrate().await.context("making the tables in PostgreSQL")?;
    let (Database::Sqlite(sqlite), Database::Postgres(pg)) = (&source, &target) else {
        bail!("this build of Tend cannot copy between these databases");
    };
    let started = std::time::Instant::now();
    let copied = tend_store::copy::sqlite_to_postgres(sqlite, pg).await.context("copying")?;
    let rows: u64 = copied.iter().map(|c| c.rows).sum();
    for table in copied.iter().filter(|c| c.rows > 0) {
        println!("  {:<20} {:>9} rows  checksum {}", table.table, table.rows, table.checksum);
    }
    println!(
        "Copied {rows} rows in {} tables in {:.1} s; every table's rows and checksum match.",
        copied.len(),
        started.elapsed().as_secs_f64()
    );
    println!(
        "Start Tend with TEND_DATABASE_URL set to the PostgreSQL URL and the same master key as before \
         (the words stay sealed): TEND_MASTER_KEY_FILE={} unless you set TEND_MASTER_KEY.",
        vault::key_file_in(&config.data_dir).display()
    );
    source.close().await;
    target.close().await;
    Ok(())
}

async fn keys(config: &Config, command: KeysCommand) -> anyhow::Result<()> {
    if let KeysCommand::Generate = command {
        let key = MasterKey::generate();
        println!("{}", key.to_text());
        eprintln!("A new master key (id {}). Keep it secret, and apart from your backups.", key.id());
        return Ok(());
    }
    let (database, _) = open_store(config).await?;
    let (old, file) = master_key(config, &database).await?;
    // Checks the key against the stored ones (and seals any plain words) before anything else.
    database.sealed(old.clone()).await.context("opening the vault")?;
    let count = database.keys().data_keys().await?.len();
    if let KeysCommand::Status = command {
        let source = file.map_or_else(|| "TEND_MASTER_KEY".to_owned(), |f| f.display().to_string());
        println!("Master key {} (from {source}) wraps {count} data key(s).", old.id());
        return Ok(());
    }
    let new = MasterKey::generate();
    match file {
        Some(path) => {
            // The new key is safe on disk before any data key depends on it.
            let next = path.with_extension("key.next");
            vault::write_key_file(&next, &new).map_err(anyhow::Error::msg)?;
            let n = vault::rotate(database.keys().as_ref(), &old, &new).await.context("rewrapping the data keys")?;
            std::fs::rename(&next, &path).with_context(|| format!("replacing {}", path.display()))?;
            println!("Rotated: {n} data key(s) now wrapped by master key {} in {}.", new.id(), path.display());
            println!("The old key no longer opens anything here; backups made before now still need it.");
        }
        None => {
            let n = vault::rotate(database.keys().as_ref(), &old, &new).await.context("rewrapping the data keys")?;
            println!("{}", new.to_text());
            eprintln!(
                "Rotated: {n} data key(s) now wrapped by the master key above (id {}). Set TEND_MASTER_KEY to it \
                 on every node and restart them; the old key no longer opens anything here.",
                new.id()
            );
        }
    }
    Ok(())
}

const DEMO: [Person<'static>; 2] = [
    Person { name: "Alex", email: "alex@demo.tend", password: "alex-demo-password", time_zone: "Europe/Berlin" },
    Person { name: "Sam", email: "sam@demo.tend", password: "sam-demo-password", time_zone: "Europe/Berlin" },
];

/// `GET /healthz` over plain HTTP/1.0 to this machine's Tend: enough for a health check, and
/// no HTTP client to carry for it. An address listening on every interface is asked on
/// loopback.
fn healthcheck(addr: &str) -> anyhow::Result<()> {
    use std::io::{Read, Write};
    let mut target: SocketAddr = addr.parse().with_context(|| format!("TEND_ADDR {addr:?} is not an address"))?;
    if target.ip().is_unspecified() {
        target.set_ip(if target.is_ipv4() { [127, 0, 0, 1].into() } else { std::net::Ipv6Addr::LOCALHOST.into() });
    }
    let mut stream = std::net::TcpStream::connect_timeout(&target, Duration::from_secs(5))
        .with_context(|| format!("nothing answers at {target}"))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    stream.write_all(b"GET /healthz HTTP/1.0\r\nHost: localhost\r\n\r\n")?;
    let mut answer = String::new();
    stream.take(4096).read_to_string(&mut answer)?;
    let status = answer.lines().next().unwrap_or_default();
    if status.split_whitespace().nth(1) == Some("200") {
        println!("healthy");
        Ok(())
    } else {
        bail!("unhealthy: {status}")
    }
}

/// Says something to the person who started Tend: a plain line on stdout, or, when logging
/// JSON, a log line, so that stdout holds nothing but JSON.
fn say(json: bool, text: &str) {
    if json {
        tracing::info!("{text}");
    } else {
        println!("{text}");
    }
}

/// Creates the demo couple unless it exists, then prints how to log in as each partner.
async fn print_demo(ctx: &Ctx, json: bool) -> anyhow::Result<()> {
    if !fixtures::exists(ctx, &DEMO[0]).await? {
        let us = fixtures::paired_couple(ctx, &DEMO[0], &DEMO[1], 4).await.context("creating the demo couple")?;
        fixtures::daily_history(ctx, &us, 21).await.context("writing the demo couple's history")?;
        fixtures::practice_history(ctx, &us, 21).await.context("writing the demo couple's practices")?;
        fixtures::question_history(ctx, &us).await.context("writing the demo couple's questions")?;
        fixtures::rhythm_history(ctx, &us).await.context("writing the demo couple's rhythm")?;
        fixtures::show_and_tell_history(ctx, &us, &tend_media::demo::pictures(), 1)
            .await
            .context("writing the demo couple's show-and-tell")?;
        fixtures::reflection_history(ctx, &us, 3, 2).await.context("writing the demo couple's maps and State of Us")?;
        fixtures::together_history(ctx, &us).await.context("writing the demo couple's play and goals")?;
        say(
            json,
            "Created the demo couple, together for four weeks, with three weeks of check-ins, appreciations, \
             conversations, hugs, listening and questions, last month's photo show-and-tell, two intimacy maps \
             a month apart, three weeks of State of Us, a few ideas they both like (and one they tried last \
             week) and a goal each, cheered on.",
        );
    } else {
        for person in &DEMO {
            fixtures::set_password(ctx, person).await?;
        }
        say(json, "The demo couple is here already; their passwords are as below.");
    }
    for person in &DEMO {
        say(json, &format!("  {}: log in with {} / {}", person.name, person.email, person.password));
    }
    Ok(())
}

/// Creates the demo couple with `years` years of daily history (check-ins, appreciations,
/// conversations, hugs, a photo show-and-tell a month), written through the use cases, unless
/// the couple exists.
async fn busy_demo(ctx: &Ctx, years: u16) -> anyhow::Result<()> {
    if fixtures::exists(ctx, &DEMO[0]).await? {
        println!("The demo couple is here already; nothing was added.");
        return Ok(());
    }
    let days = i64::from(years) * 365;
    let us = fixtures::paired_couple(ctx, &DEMO[0], &DEMO[1], days / 7 + 1).await.context("creating the couple")?;
    fixtures::daily_history(ctx, &us, days).await.context("writing check-ins and appreciations")?;
    fixtures::practice_history(ctx, &us, days).await.context("writing practices")?;
    fixtures::question_history(ctx, &us).await.context("writing questions")?;
    fixtures::rhythm_history(ctx, &us).await.context("writing the rhythm")?;
    let months = u32::from(years) * 12;
    fixtures::show_and_tell_history(ctx, &us, &tend_media::demo::pictures(), months)
        .await
        .context("writing the show-and-tells")?;
    fixtures::reflection_history(ctx, &us, days / 7, i64::from(months))
        .await
        .context("writing intimacy maps and State of Us")?;
    fixtures::together_history(ctx, &us).await.context("writing play and goals")?;
    println!(
        "Created the demo couple with {years} years of history, with a photo show-and-tell and an intimacy map \
         every month and State of Us every week."
    );
    Ok(())
}

/// `tend demo --couples N --days D [--tokens FILE]`: many couples for benchmarks, unless
/// scale couples are here already. Ends with one machine-readable line of throughput.
async fn scale_demo(ctx: &Ctx, plan: &fixtures::scale::Plan, tokens: Option<&std::path::Path>) -> anyhow::Result<()> {
    use fixtures::scale;
    if scale::exists(ctx).await? {
        bail!(
            "scale couples are here already ({} exists), so nothing was added: use a fresh data folder \
             (TEND_DATA_DIR), or another TEND_DATABASE_SCHEMA on PostgreSQL",
            scale::email(0, false)
        );
    }
    // Made before the work, so that a path that cannot be written fails at once.
    let file = match tokens {
        Some(path) => {
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create(true).truncate(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            Some((options.open(path).with_context(|| format!("creating {}", path.display()))?, path))
        }
        None => None,
    };
    let started = std::time::Instant::now();
    let every = (plan.couples / 20).max(1);
    let progress = |done: u32, rows: u64| {
        if done.is_multiple_of(every) || done == plan.couples {
            let rate = rows as f64 / started.elapsed().as_secs_f64().max(1e-9);
            eprintln!("  {done}/{} couples, {rows} rows, {rate:.0} rows/s", plan.couples);
        }
    };
    let made = scale::generate(ctx, plan, &progress).await.context("writing the scale couples")?;
    let seconds = started.elapsed().as_secs_f64();
    if let Some((mut file, path)) = file {
        use std::io::Write;
        let text: String = made.tokens.iter().map(|t| format!("{t}\n")).collect();
        file.write_all(text.as_bytes())
            .and_then(|()| file.sync_all())
            .with_context(|| format!("writing {}", path.display()))?;
    }
    println!("rows={} seconds={seconds:.2} rows_per_s={:.0}", made.rows, made.rows as f64 / seconds.max(1e-9));
    println!(
        "Created {} couples with {} days of daily use each (check-ins, appreciations, questions of the day and \
         exchanges, conversations, hugs): {} rows in {seconds:.1} s.",
        made.couples, plan.days, made.rows
    );
    println!(
        "  Couple 0: log in with {} / {} or {} / {}",
        scale::email(0, false),
        plan.passwords[0],
        scale::email(0, true),
        plan.passwords[1]
    );
    println!(
        "  Every couple has the same two passwords; couple 123, say, is {} and {}.",
        scale::email(123, false),
        scale::email(123, true)
    );
    if let Some(path) = tokens {
        println!(
            "  Wrote {} API tokens to {}: couple i's first partner on line 2i, the second on line 2i+1 (from 0).",
            made.tokens.len(),
            path.display()
        );
    }
    Ok(())
}

async fn serve(ctx: Ctx, config: &Config, database: &Database) -> anyhow::Result<()> {
    let web = WebConfig {
        base_url: config.base_url.clone(),
        trust_proxy: config.trust_proxy,
        client_ip_header: config.client_ip_header.clone(),
    };
    let listener =
        tokio::net::TcpListener::bind(&config.addr).await.with_context(|| format!("listening on {}", config.addr))?;
    let addr = listener.local_addr()?;
    let policy = EndpointPolicy { allow_private: config.push_allow_private };
    let courier: Arc<dyn Courier> = Arc::new(courier(&ctx, config, addr, policy).await?);
    let state = AppState::new(ctx.clone(), web).with_courier(courier.clone(), policy);
    let app = tend_web::router(state.clone());
    let base_url = config.base_url.clone().unwrap_or_else(|| format!("http://{addr}"));
    tracing::info!(
        version = env!("CARGO_PKG_VERSION"),
        database = ?database.backend(),
        schema = database.schema_version(),
        %base_url,
        registration = ?config.registration,
        trust_proxy = config.trust_proxy,
        photos = if config.media_url.as_deref().is_some_and(|u| u.starts_with("s3://")) { "s3" } else { "folder" },
        web_push = true,
        email = courier.email_ready(),
        "Tend is starting"
    );
    tracing::info!(%addr, "Tend is listening");
    say(config.log_json, &format!("Tend is running at http://{addr}"));

    if let Some(metrics_addr) = &config.metrics_addr {
        let listener = tokio::net::TcpListener::bind(metrics_addr)
            .await
            .with_context(|| format!("listening for /metrics on {metrics_addr}"))?;
        // Installed before the first request, so that none goes uncounted.
        let handle = metrics_exporter_prometheus::PrometheusBuilder::new()
            .set_buckets(&[0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0])
            .and_then(metrics_exporter_prometheus::PrometheusBuilder::install_recorder)
            .context("starting /metrics")?;
        tracing::info!(addr = %listener.local_addr()?, "metrics at /metrics");
        tokio::spawn(serve_metrics(listener, handle, database.clone()));
    }
    let scheduler = tokio::spawn(scheduler(ctx, courier));
    let signalled = async move {
        shutdown_signal().await;
        // Live streams never end by themselves: close them so in-flight requests can finish.
        state.begin_shutdown();
    };
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(signalled)
        .await?;
    scheduler.abort();
    tracing::info!("stopped");
    Ok(())
}

/// The channels reminders go out by: Web Push with the instance's VAPID key pair (from
/// `TEND_VAPID_PRIVATE_KEY`, else made once and kept in the database so every node signs with
/// the same one), and email when `TEND_SMTP_URL` is set.
async fn courier(
    ctx: &Ctx,
    config: &Config,
    addr: SocketAddr,
    policy: EndpointPolicy,
) -> anyhow::Result<tend_courier::Channels> {
    let private = match &config.vapid_private_key {
        Some(key) => key.clone(),
        None => {
            let fresh = VapidKeys::generate().private_key();
            reminder::instance_secret(ctx, "vapid-private-key", &fresh).await.context("reading the VAPID key")?
        }
    };
    let vapid = VapidKeys::from_private(&private).context("TEND_VAPID_PRIVATE_KEY")?;
    let base_url = config.base_url.clone().unwrap_or_else(|| format!("http://{addr}"));
    let from_address = config
        .smtp_from
        .as_deref()
        .map(|f| f.rsplit_once('<').map_or(f, |(_, rest)| rest.trim_end_matches('>')).trim().to_owned());
    let vapid_subject = match (&config.vapid_subject, from_address) {
        (Some(subject), _) => subject.clone(),
        (None, _) if base_url.starts_with("https://") => base_url.clone(),
        (None, Some(address)) => format!("mailto:{address}"),
        (None, None) => {
            tracing::info!("push services will see the contact mailto:tend@localhost: set TEND_VAPID_SUBJECT");
            "mailto:tend@localhost".into()
        }
    };
    let smtp = match (&config.smtp_url, &config.smtp_from) {
        (Some(url), Some(from)) => Some(SmtpConfig { url: url.clone(), from: from.clone() }),
        _ => None,
    };
    tend_courier::Channels::new(CourierConfig { base_url, vapid, vapid_subject, smtp, endpoint_policy: policy })
}

/// Every node, every half minute: plans the reminders now due (the outbox keeps each once),
/// sends those this node claims, and runs housekeeping when its hourly claim falls to this
/// node. A round that fails is logged and the next one tries again.
/// `/metrics` in Prometheus's text format, on a listener of its own: requests by route and
/// status with their latency, open event streams, the database pool, background jobs and
/// reminders. Nothing about anyone's words, and nothing on the public address.
async fn serve_metrics(
    listener: tokio::net::TcpListener,
    handle: metrics_exporter_prometheus::PrometheusHandle,
    database: Database,
) {
    let render = move || {
        let (handle, database) = (handle.clone(), database.clone());
        async move {
            let (open, idle) = database.pool_use();
            metrics::gauge!("tend_db_connections", "state" => "open").set(f64::from(open));
            #[allow(clippy::cast_precision_loss)]
            metrics::gauge!("tend_db_connections", "state" => "idle").set(idle as f64);
            handle.run_upkeep();
            ([(axum::http::header::CONTENT_TYPE, "text/plain; version=0.0.4")], handle.render())
        }
    };
    let app = axum::Router::new().route("/metrics", axum::routing::get(render));
    if let Err(e) = axum::serve(listener, app).await {
        tracing::error!(error = %e, "/metrics stopped");
    }
}

/// Counts a background job's run for /metrics.
fn job(name: &'static str, ok: bool) {
    metrics::counter!("tend_jobs_total", "job" => name, "outcome" => if ok { "ok" } else { "failed" }).increment(1);
}

async fn scheduler(ctx: Ctx, courier: Arc<dyn Courier>) {
    let mut tick = tokio::time::interval(Duration::from_secs(30));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let planned = reminder::plan(&ctx).await;
        job("plan-reminders", planned.is_ok());
        if let Err(e) = planned {
            tracing::warn!(error = %e, "planning reminders failed");
        }
        let dispatched = reminder::dispatch(&ctx, courier.as_ref()).await;
        job("send-reminders", dispatched.is_ok());
        match dispatched {
            Ok(r) => {
                for (outcome, n) in [("sent", r.sent), ("dropped", r.dropped), ("later", r.later)] {
                    metrics::counter!("tend_reminders_total", "outcome" => outcome)
                        .increment(u64::try_from(n).unwrap_or(0));
                }
                if r.sent + r.dropped + r.later > 0 {
                    tracing::info!(sent = r.sent, dropped = r.dropped, later = r.later, "reminders");
                }
            }
            Err(e) => tracing::warn!(error = %e, "sending reminders failed"),
        }
        let housekeeping = tend_domain::housekeeping::run_if_due(&ctx).await;
        job("housekeeping", housekeeping.is_ok());
        match housekeeping {
            Ok(Some(p)) => {
                tracing::debug!(failures = p.failures, sessions = p.sessions, reminders = p.reminders, "housekeeping")
            }
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "housekeeping failed"),
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down gracefully");
}
