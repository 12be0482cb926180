//! Delivers the notification outbox ([`zhijian_store::notifications`]) through the
//! configured `notify_command`, or logs each message when none is set. Runs after every
//! change that queues messages and from the hourly jobs, one delivery at a time.

use std::process::Stdio;

use tokio::io::AsyncWriteExt;
use tokio::sync::Mutex;

use crate::state::AppState;

/// One delivery at a time per process, so a message is not handed over twice.
static DELIVERING: Mutex<()> = Mutex::const_new(());

/// How long the hook may take for one message.
const HOOK_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// Hands every unsent message to the hook (or the log) and records the outcome.
pub async fn deliver(state: &AppState) {
    let _one = DELIVERING.lock().await;
    loop {
        let batch = match state.store.unsent_notifications(100).await {
            Ok(b) => b,
            Err(e) => {
                tracing::warn!(error = %e, "reading the notification outbox failed");
                return;
            }
        };
        if batch.is_empty() {
            return;
        }
        for n in batch {
            let outcome = match &state.config.notify_command {
                None => {
                    tracing::info!(channel = %n.channel, recipient = %n.recipient, subject = %n.subject, body = %n.body, "notification (no notify_command set: logged only)");
                    "logged".to_owned()
                }
                Some(program) => {
                    let message = serde_json::json!({
                        "channel": n.channel, "recipient": n.recipient,
                        "subject": n.subject, "body": n.body,
                    });
                    match run(program, message.to_string()).await {
                        Ok(()) => "sent".to_owned(),
                        Err(e) => {
                            tracing::warn!(error = %e, id = n.id, "the notify_command failed");
                            format!("error: {e}")
                        }
                    }
                }
            };
            if let Err(e) = state.store.mark_notification(n.id, &outcome).await {
                tracing::warn!(error = %e, "recording a notification's outcome failed");
                return;
            }
        }
    }
}

async fn run(program: &std::path::Path, input: String) -> Result<(), String> {
    let mut child = tokio::process::Command::new(program)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", program.display()))?;
    if let Some(mut stdin) = child.stdin.take() {
        // A program that does not read its input closes the pipe early; its exit
        // status still says whether the message went out.
        match stdin.write_all(input.as_bytes()).await {
            Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                return Err(format!("writing to the hook: {e}"));
            }
            _ => {}
        }
    }
    let out = tokio::time::timeout(HOOK_TIMEOUT, child.wait_with_output())
        .await
        .map_err(|_| format!("no answer in {} s", HOOK_TIMEOUT.as_secs()))?
        .map_err(|e| e.to_string())?;
    if out.status.success() {
        Ok(())
    } else {
        let why = String::from_utf8_lossy(&out.stderr);
        Err(format!("{}: {}", out.status, why.trim()))
    }
}
