//! How many photo uploads a node takes in at once. An upload's body is read whole before its
//! photo is developed, and only two develop at a time (the darkroom), so without a bound a
//! burst of uploads would hold every body in memory while it waits: `bench/photo-uploads.sh`
//! measured 495 MiB for forty at once. An upload waits here before a byte of its body is
//! read (the rest stays with the sender), and is answered "busy" if no place frees up in time.

use std::sync::Arc;
use std::time::Duration;
use tend_domain::Error;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Uploads read and developed at once on this node.
pub const AT_ONCE: usize = 6;
/// How long an upload waits for a place before it is answered "busy, try again".
const WAIT: Duration = Duration::from_secs(20);

/// A place among the node's `places` to take in one upload, held until it is kept or refused.
pub async fn admit(places: &Arc<Semaphore>) -> Result<OwnedSemaphorePermit, Error> {
    match tokio::time::timeout(WAIT, places.clone().acquire_owned()).await {
        Ok(Ok(permit)) => Ok(permit),
        _ => Err(Error::Busy { retry_after_secs: 10 }),
    }
}
