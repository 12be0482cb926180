//! Running a node: logging, the listener, background jobs, graceful shutdown.

use std::time::Duration;

use anyhow::Context;
use tracing_subscriber::EnvFilter;
use zhijian_server::config::Config;
use zhijian_server::state::AppState;
use zhijian_store::Store;

use crate::demo::Accounts;

/// Logs to stderr as text or JSON lines; `RUST_LOG` filters (default `info`).
pub fn init_logging(config: &Config) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=error"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = if config.log_format == "json" {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}

/// Serves until Ctrl-C or SIGTERM, running the licence-expiry job hourly.
pub async fn serve(
    store: Store,
    mut config: Config,
    accounts: Option<Accounts>,
) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(&config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    let addr = listener.local_addr()?;
    let url = format!("http://{addr}");
    match &accounts {
        Some(a) => crate::demo::print_accounts(a, Some(&url)),
        None => println!("zhijian is serving at {url}  (console: {url}/console)"),
    }
    let rules = zhijian_core::sample_result::ObjectionRules {
        days: config.objection_days,
        food_working_days: config.food_objection_working_days,
    };
    tokio::spawn(hourly_jobs(store.clone(), rules, config.calendar()));
    let warm = store.clone();
    tokio::spawn(async move {
        if let Err(e) = warm.warm().await {
            tracing::warn!(error = %e, "building the name index failed; searches will retry");
        }
    });
    config.node_code = Some(
        store
            .claim_node_code(config.node_code.as_deref())
            .await
            .context("checking the node code")?,
    );
    let state = AppState::new(store.clone(), config).context("setting up the code key")?;
    tokio::spawn(zhijian_server::grading::run(state.clone()));
    // Messages queued but not handed over (the node stopped first) go out hourly.
    let outbox = state.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(3600));
        loop {
            tick.tick().await;
            zhijian_server::notify::deliver(&outbox).await;
        }
    });
    zhijian_server::serve(listener, state, shutdown_signal()).await?;
    store.close().await;
    Ok(())
}

/// Every hour (and at start): marks licences expired once their validity has ended
/// (dates in China Standard Time), and records the sampling failures that became final
/// as their objection windows closed and the new counterfeit signals as risk signals.
/// Every 24th pass (the first at start) runs risk detection as of now.
async fn hourly_jobs(
    store: Store,
    rules: zhijian_core::sample_result::ObjectionRules,
    calendar: zhijian_core::calendar::Calendar,
) {
    let mut tick = tokio::time::interval(Duration::from_secs(3600));
    let mut pass: u64 = 0;
    loop {
        tick.tick().await;
        pass += 1;
        let today = jiff::Zoned::now()
            .with_time_zone(
                jiff::tz::TimeZone::get("Asia/Shanghai").unwrap_or(jiff::tz::TimeZone::UTC),
            )
            .date();
        match store.expire_licences(today).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(expired = n, "licences past their validity marked expired"),
            Err(e) => tracing::warn!(error = %e, "licence expiry job failed"),
        }
        match store.record_sampling_signals(rules, &calendar).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(
                signals = n,
                "final sampling failures recorded as risk signals"
            ),
            Err(e) => tracing::warn!(error = %e, "recording risk signals failed"),
        }
        match store.record_counterfeit_signals().await {
            Ok(0) => {}
            Ok(n) => tracing::info!(signals = n, "counterfeit signals recorded as risk signals"),
            Err(e) => tracing::warn!(error = %e, "recording counterfeit risk signals failed"),
        }
        match store.record_recall_signals().await {
            Ok(0) => {}
            Ok(n) => tracing::info!(signals = n, "recalled batches recorded as risk signals"),
            Err(e) => tracing::warn!(error = %e, "recording recall risk signals failed"),
        }
        if pass % 24 == 1 {
            let now = jiff::Timestamp::now().as_millisecond();
            let thresholds = zhijian_core::risk::Thresholds::default();
            match store.run_detection(now, &thresholds, "system").await {
                Ok(s) => tracing::info!(
                    findings = s.findings,
                    raised = s.raised,
                    updated = s.updated,
                    "risk detection ran"
                ),
                Err(e) => tracing::warn!(error = %e, "risk detection failed"),
            }
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
    tracing::info!("shutting down");
}
