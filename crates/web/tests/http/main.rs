//! The HTTP tests: pages and the API, on SQLite and PostgreSQL, in one test binary (one link
//! instead of one per file keeps a build small). `burst.rs` and `support_pages.rs` stay binaries
//! of their own: one holds the process-wide hashing limit, the other installs a process-wide
//! log capture.

#[path = "../support/mod.rs"]
mod support;

mod account_delete;
mod admin;
mod api;
mod copy;
mod daily;
mod export;
mod goals;
mod installable;
mod knowing;
mod openapi;
mod pages;
mod photos;
mod play;
mod practices;
mod questions;
mod refused_writes;
mod reminders;
mod rhythm;
mod security;
mod today;
