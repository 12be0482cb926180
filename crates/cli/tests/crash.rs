//! Crash safety: a node killed with SIGKILL mid-stream keeps every write it acknowledged,
//! and its audit chain still verifies — on SQLite and, when configured, PostgreSQL.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use zhijian_core::uscc::{check_character, organisation_check_character};

const BIN: &str = env!("CARGO_BIN_EXE_zhijian");

fn uscc(serial: u32) -> String {
    let org = format!("{serial:08}");
    let body = format!(
        "91130102{org}{}",
        organisation_check_character(&org).unwrap()
    );
    format!("{body}{}", check_character(&body).unwrap())
}

/// The node flags for a data folder and an optional PostgreSQL database.
fn node_args(data: &Path, database: Option<&str>) -> Vec<String> {
    let mut args = vec!["--data".to_owned(), data.display().to_string()];
    if let Some(db) = database {
        args.extend(["--database".to_owned(), db.to_owned()]);
    }
    args
}

fn zhijian(args: &[&str], node: &[String]) -> std::process::Output {
    let out = Command::new(BIN)
        .args(args)
        .args(node)
        .output()
        .expect("run zhijian");
    assert!(
        out.status.success(),
        "zhijian {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Starts `zhijian serve` on a free port and returns it with its address once it listens.
fn start(node: &[String]) -> (Child, String) {
    let mut child = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .args(node)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start zhijian serve");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    // "zhijian is serving at http://127.0.0.1:PORT  (console: …)"
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("unexpected first line: {line:?}"))
        .to_owned();
    (child, addr)
}

/// One HTTP/1.1 request on a fresh connection; the status, or `None` when the
/// connection failed (the server was killed).
fn http(addr: &str, method: &str, path: &str, token: &str, body: &str) -> Option<u16> {
    let mut s = TcpStream::connect(addr).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).ok()?;
    let mut answer = String::new();
    s.read_to_string(&mut answer).ok()?;
    answer.split_whitespace().nth(1)?.parse().ok()
}

fn crash_and_recover(label: &str, node: Vec<String>) {
    zhijian(
        &[
            "user",
            "add",
            "--username",
            "root",
            "--password",
            "correct horse",
            "--role",
            "admin",
        ],
        &node,
    );
    let token =
        String::from_utf8(zhijian(&["token", "create", "--username", "root"], &node).stdout)
            .unwrap();
    let token = token.trim().to_owned();
    let (mut child, addr) = start(&node);

    let acknowledged = Arc::new(Mutex::new(Vec::new()));
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let (addr, token, acknowledged) = (addr.clone(), token.clone(), acknowledged.clone());
            std::thread::spawn(move || {
                for i in 0..400 {
                    let code = uscc(w * 10_000 + i);
                    let body = format!(
                        r#"{{"uscc":"{code}","name":"崩溃测试企业{w}-{i}","region":"130102"}}"#
                    );
                    match http(&addr, "POST", "/api/v1/enterprises", &token, &body) {
                        Some(201) => acknowledged.lock().unwrap().push(code),
                        Some(other) => panic!("unexpected status {other}"),
                        None => return,
                    }
                }
            })
        })
        .collect();
    // Kill once a good number of writes were acknowledged, while others are in flight.
    while acknowledged.lock().unwrap().len() < 60 {
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().expect("SIGKILL"); // std's kill is SIGKILL on Unix
    child.wait().unwrap();
    for w in writers {
        w.join().unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(acknowledged.len() >= 60, "{label}");
    assert!(
        acknowledged.len() < 1600,
        "{label}: the kill came too late to test anything"
    );

    let (mut child, addr) = start(&node);
    for code in &acknowledged {
        assert_eq!(
            http(
                &addr,
                "GET",
                &format!("/api/v1/enterprises/{code}"),
                &token,
                ""
            ),
            Some(200),
            "{label}: acknowledged write {code} lost after SIGKILL"
        );
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let verify = Command::new(BIN)
        .args(["audit", "verify"])
        .args(&node)
        .output()
        .unwrap();
    assert!(
        verify.status.success(),
        "{label}: {}",
        String::from_utf8_lossy(&verify.stdout)
    );
}

#[test]
fn acknowledged_writes_survive_sigkill_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    crash_and_recover("sqlite", node_args(dir.path(), None));
}

#[test]
fn acknowledged_writes_survive_sigkill_on_postgres() {
    let Some(server) = zhijian_store::testing::postgres_url() else {
        eprintln!("ZHIJIAN_TEST_DATABASE_URL not set: PostgreSQL crash test not run");
        return;
    };
    let rt = tokio::runtime::Runtime::new().unwrap();
    let url = rt.block_on(zhijian_store::testing::fresh_postgres_database(&server));
    let dir = tempfile::tempdir().unwrap();
    crash_and_recover("postgres", node_args(dir.path(), Some(&url)));
}
