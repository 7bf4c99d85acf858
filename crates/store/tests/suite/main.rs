//! The store's tests on SQLite and PostgreSQL, in one test binary (one link instead of one per
//! file keeps a build small): the contract every backend keeps, and upgrades from earlier versions.

mod admin;
mod bulk;
mod contract;
mod goals;
mod people;
mod photos;
mod play;
mod reflections;
mod scale;
mod sealing;
mod upgrade;
