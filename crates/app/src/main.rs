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
use tend_store::{Database, StoreConfig};
use tend_web::{AppState, WebConfig};
use tracing_subscriber::EnvFilter;

/// mimalloc gives freed memory back to the system; glibc's allocator kept each password hash's
/// 19 MiB for good, so a burst of log-ins left the process gigabytes large (bench/login-burst.sh).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "tend", version, about = "Tend: small daily practices for two partners, on a machine you trust.")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Runs Tend (migrating the database first).
    Serve {
        /// Also create (or refresh) the demo couple and print how to log in.
        #[arg(long)]
        demo: bool,
    },
    /// Brings the database schema up to date and exits.
    Migrate,
    /// Creates the demo couple, with a few weeks of history, and prints how to log in.
    Demo,
    /// Account tools for the host.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Writes a consistent copy of a running SQLite database to PATH (PostgreSQL: use pg_dump).
    Backup { path: PathBuf },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Sets a new random password, signs the person out everywhere and prints the password.
    ResetPassword { email: String },
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
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
    let filter = EnvFilter::try_new(&config.log).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if config.log_json { builder.json().init() } else { builder.init() }
}

async fn open_store(config: &Config) -> anyhow::Result<(Database, StoreConfig)> {
    let store_config = match &config.database_url {
        Some(url) => StoreConfig { schema: config.database_schema.clone(), ..StoreConfig::from_url(url.clone()) },
        None => {
            std::fs::create_dir_all(&config.data_dir)
                .with_context(|| format!("creating data folder {}", config.data_dir.display()))?;
            StoreConfig::sqlite_in(&config.data_dir)
        }
    };
    let database = Database::connect(&store_config).await.context("connecting to the database")?;
    database.migrate().await.context("migrating the database")?;
    // A database that opens and reads but cannot take writes (a full disk, a read-only
    // file or folder) would fail every action later: say so now instead.
    database.store().probe_write(jiff::Timestamp::now()).await.context("writing to the database")?;
    Ok((database, store_config))
}

/// The use cases' world: the store, the real clock, and live events that fit the database.
async fn context(config: &Config) -> anyhow::Result<(Ctx, Database)> {
    let (database, store_config) = open_store(config).await?;
    let events = tend_store::events::for_database(&database, &store_config).await;
    let ctx = Ctx::new(
        database.store(),
        Arc::new(SystemClock),
        events,
        Policy { registration: config.registration, conversation_minute: config.conversation_minute },
    );
    Ok((ctx, database))
}

async fn run(cli: Cli, config: Config) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve { demo } => {
            let (ctx, database) = context(&config).await?;
            if demo {
                print_demo(&ctx).await?;
            }
            serve(ctx, &config).await?;
            database.close().await;
            Ok(())
        }
        Command::Migrate => {
            open_store(&config).await?;
            println!("The database is up to date.");
            Ok(())
        }
        Command::Demo => print_demo(&context(&config).await?.0).await,
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
        Command::Backup { path } => {
            let (database, _) = open_store(&config).await?;
            database.backup_to(&path).await?;
            println!("Backed up to {}", path.display());
            Ok(())
        }
    }
}

const DEMO: [Person<'static>; 2] = [
    Person { name: "Alex", email: "alex@demo.tend", password: "alex-demo-password", time_zone: "Europe/Berlin" },
    Person { name: "Sam", email: "sam@demo.tend", password: "sam-demo-password", time_zone: "Europe/Berlin" },
];

/// Creates the demo couple unless it exists, then prints how to log in as each partner.
async fn print_demo(ctx: &Ctx) -> anyhow::Result<()> {
    if !fixtures::exists(ctx, &DEMO[0]).await? {
        let us = fixtures::paired_couple(ctx, &DEMO[0], &DEMO[1], 4).await.context("creating the demo couple")?;
        fixtures::daily_history(ctx, &us, 21).await.context("writing the demo couple's history")?;
        fixtures::practice_history(ctx, &us, 21).await.context("writing the demo couple's practices")?;
        fixtures::question_history(ctx, &us).await.context("writing the demo couple's questions")?;
        fixtures::rhythm_history(ctx, &us).await.context("writing the demo couple's rhythm")?;
        println!(
            "Created the demo couple, together for four weeks, with three weeks of check-ins, appreciations, \
             conversations, hugs, listening and questions."
        );
    } else {
        for person in &DEMO {
            fixtures::set_password(ctx, person).await?;
        }
        println!("The demo couple is here already; their passwords are as below.");
    }
    for person in &DEMO {
        println!("  {}: log in with {} / {}", person.name, person.email, person.password);
    }
    Ok(())
}

async fn serve(ctx: Ctx, config: &Config) -> anyhow::Result<()> {
    let web = WebConfig { base_url: config.base_url.clone(), trust_proxy: config.trust_proxy };
    let listener =
        tokio::net::TcpListener::bind(&config.addr).await.with_context(|| format!("listening on {}", config.addr))?;
    let addr = listener.local_addr()?;
    let policy = EndpointPolicy { allow_private: config.push_allow_private };
    let courier: Arc<dyn Courier> = Arc::new(courier(&ctx, config, addr, policy).await?);
    let state = AppState::new(ctx.clone(), web).with_courier(courier.clone(), policy);
    let app = tend_web::router(state.clone());
    tracing::info!(%addr, email = courier.email_ready(), "Tend is listening");
    println!("Tend is running at http://{addr}");

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
async fn scheduler(ctx: Ctx, courier: Arc<dyn Courier>) {
    let mut tick = tokio::time::interval(Duration::from_secs(30));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if let Err(e) = reminder::plan(&ctx).await {
            tracing::warn!(error = %e, "planning reminders failed");
        }
        match reminder::dispatch(&ctx, courier.as_ref()).await {
            Ok(r) if r.sent + r.dropped + r.later > 0 => {
                tracing::info!(sent = r.sent, dropped = r.dropped, later = r.later, "reminders")
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "sending reminders failed"),
        }
        match tend_domain::housekeeping::run_if_due(&ctx).await {
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
