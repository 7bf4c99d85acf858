//! Running the `tend` binary as a host does, for the binary's own tests.
#![allow(dead_code)]

use reqwest::StatusCode;
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

pub const BIN: &str = env!("CARGO_BIN_EXE_tend");

/// Runs `tend ARGS` on the data folder: whether it succeeded, its stdout and its stderr.
pub fn tend(data: &Path, args: &[&str], env: &[(&str, &str)]) -> (bool, String, String) {
    let out = Command::new(BIN)
        .args(args)
        .env("TEND_DATA_DIR", data)
        .env("TEND_LOG", "warn")
        .envs(env.iter().copied())
        .output()
        .expect("run tend");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A running `tend serve` on a free port, killed when dropped.
pub struct Node {
    pub child: Child,
    pub base: String,
}

impl Node {
    pub fn start(data: &Path, env: &[(&str, &str)]) -> Node {
        Node::start_logging(data, env, Stdio::inherit())
    }

    /// As [`Node::start`], with its log (stderr) going to `log`; `env` may set `TEND_LOG`.
    pub fn start_logging(data: &Path, env: &[(&str, &str)], log: impl Into<Stdio>) -> Node {
        let mut child = Command::new(BIN)
            .arg("serve")
            .env("TEND_DATA_DIR", data)
            .env("TEND_ADDR", "127.0.0.1:0")
            .env("TEND_LOG", "warn")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .expect("spawn tend serve");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let base = loop {
            let line = lines.next().expect("tend serve printed its address").expect("line");
            if let Some(rest) = line.strip_prefix("Tend is running at ") {
                break rest.trim().to_owned();
            }
        };
        Node { child, base }
    }

    /// Sends SIGTERM and waits; true when the process exited cleanly.
    pub fn stop(mut self) -> bool {
        Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status().expect("kill");
        self.child.wait().map(|s| s.success()).unwrap_or(false)
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub async fn post(base: &str, path: &str, token: Option<&str>, body: Value) -> (StatusCode, Value) {
    let mut r = reqwest::Client::new().post(format!("{base}{path}")).json(&body);
    if let Some(t) = token {
        r = r.bearer_auth(t);
    }
    let r = r.send().await.expect("post");
    (r.status(), r.json().await.unwrap_or(Value::Null))
}

pub async fn get(base: &str, path: &str, token: &str) -> (StatusCode, Value) {
    let r = reqwest::Client::new().get(format!("{base}{path}")).bearer_auth(token).send().await.expect("get");
    (r.status(), r.json().await.unwrap_or(Value::Null))
}
