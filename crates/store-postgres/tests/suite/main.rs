//! The PostgreSQL backend's own tests in one test binary (one link instead of one per file
//! keeps a build small).

#[path = "../common/mod.rs"]
mod common;

mod smoke;
mod upgrade;
mod upgrade_0014;
