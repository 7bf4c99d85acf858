//! Whether this node can do its work: read the database, and write to it. A read alone
//! answers while the disk is full or the file is read-only, so the check also writes.

use crate::Ctx;

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Health {
    pub reads: bool,
    pub writes: bool,
    /// What failed, for the host's logs and the health response; empty when all is well.
    pub problem: Option<String>,
}

impl Health {
    pub fn is_ok(&self) -> bool {
        self.reads && self.writes
    }

    /// `ok`, `degraded` (reads work, writes fail) or `down`.
    pub fn status(&self) -> &'static str {
        match (self.reads, self.writes) {
            (true, true) => "ok",
            (true, false) => "degraded",
            _ => "down",
        }
    }
}

pub async fn check(ctx: &Ctx) -> Health {
    if let Err(e) = ctx.store.ping().await {
        return Health { reads: false, writes: false, problem: Some(format!("the database does not answer: {e}")) };
    }
    match ctx.store.probe_write(ctx.now()).await {
        Ok(()) => Health { reads: true, writes: true, problem: None },
        Err(e) => Health { reads: true, writes: false, problem: Some(format!("the database refuses writes: {e}")) },
    }
}
