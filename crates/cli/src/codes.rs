//! `zhijian codes …`: issue codes to a file, verify one, count what the node holds.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Subcommand;
use zhijian_core::code::SupervisionCode;
use zhijian_store::Store;
use zhijian_store::codes::Segment;
use zhijian_store::verify::{Channel, Query, Verifier, VerifyRules};

use crate::config::{self, NodeFlags};

/// The `codes` subcommands.
#[derive(Subcommand)]
pub enum CodesCommand {
    /// Write the codes of a segment to a file, one per line, with a progress bar.
    ///
    /// Either the segment of an approved application (--application), or new codes for
    /// an enterprise's product, issued at once as an application approved by the CLI
    /// (--enterprise, --product, --quantity).
    Issue {
        #[command(flatten)]
        node: NodeFlags,
        /// An approved application whose segment to write.
        #[arg(long, value_name = "ID", conflicts_with_all = ["enterprise", "product", "quantity"])]
        application: Option<i64>,
        /// The enterprise's credit code.
        #[arg(long, value_name = "USCC", requires_all = ["product", "quantity"])]
        enterprise: Option<String>,
        /// One of its products (its id).
        #[arg(long, value_name = "ID")]
        product: Option<i64>,
        /// How many codes.
        #[arg(long, value_name = "N")]
        quantity: Option<i64>,
        /// The file to write (`-` for standard output).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Verify one code as an officer would; the query is recorded.
    Verify {
        #[command(flatten)]
        node: NodeFlags,
        /// The code (spaces, dashes and full-width digits are fine).
        code: String,
        /// Where the check happens (six-digit region code).
        #[arg(long, value_name = "CODE")]
        region: Option<String>,
    },
    /// Count applications, segments, codes issued and activated, verifications (also by
    /// verdict), counterfeit signals, and the bytes the database takes.
    Stats {
        #[command(flatten)]
        node: NodeFlags,
    },
}

/// Opens the node's store with its code space installed.
pub(crate) async fn open(
    node: &NodeFlags,
) -> anyhow::Result<(Store, zhijian_server::config::Config)> {
    let mut config = config::load(node, None)?;
    let store = config::open_store(&config).await?;
    config.node_code = Some(
        store
            .claim_node_code(config.node_code.as_deref())
            .await
            .context("checking the node code")?,
    );
    store.install_code_space(
        zhijian_server::keys::code_space(&config).context("setting up the code key")?,
    );
    Ok((store, config))
}

/// Runs a `codes` subcommand.
pub async fn run(command: CodesCommand) -> anyhow::Result<()> {
    match command {
        CodesCommand::Issue {
            node,
            application,
            enterprise,
            product,
            quantity,
            out,
        } => {
            let (store, _) = open(&node).await?;
            let segment = match (application, enterprise, product, quantity) {
                (Some(id), ..) => store
                    .segment_of_application(id)
                    .await
                    .map_err(|e| match e {
                        zhijian_store::StoreError::NotFound { .. } => {
                            anyhow::anyhow!("application {id} does not exist or is not approved")
                        }
                        other => other.into(),
                    })?,
                (None, Some(e), Some(p), Some(q)) => {
                    store.issue_codes(e.trim(), p, q, "cli").await?
                }
                _ => anyhow::bail!(
                    "give --application ID, or --enterprise USCC --product ID --quantity N"
                ),
            };
            let space = store.code_space()?.clone();
            store.close().await;
            let started = std::time::Instant::now();
            write_segment(&space, &segment, &out)?;
            let secs = started.elapsed().as_secs_f64();
            eprintln!(
                "segment {}: {} codes written to {} in {:.1} s ({:.1} million codes/s); first {} last {}",
                segment.id,
                segment.quantity,
                out.display(),
                secs,
                segment.quantity as f64 / secs.max(1e-9) / 1e6,
                segment.first_code.as_deref().unwrap_or("-"),
                segment.last_code.as_deref().unwrap_or("-")
            );
        }
        CodesCommand::Verify { node, code, region } => {
            let (store, config) = open(&node).await?;
            let verifier = Verifier::start(
                store.clone(),
                VerifyRules {
                    repeat_threshold: config.repeat_threshold,
                    region_threshold: config.region_threshold as usize,
                },
            );
            let region = region
                .map(|r| zhijian_core::region::RegionCode::parse(&r))
                .transpose()
                .map_err(|e| anyhow::anyhow!("--region: {e}"))?;
            let query = Query {
                channel: Channel::Officer,
                region,
                terminal: None,
            };
            let found = match SupervisionCode::parse(&code) {
                Ok(c) => verifier.verify(&c, &query, today()).await?,
                Err(zhijian_core::code::CodeError::Mistyped) => {
                    verifier.mistyped(&code, &query).await?
                }
                Err(e) => anyhow::bail!("{e}"),
            };
            println!("{}", serde_json::to_string_pretty(&found)?);
            store.close().await;
        }
        CodesCommand::Stats { node } => {
            let (store, _) = open(&node).await?;
            for (name, n) in store.code_stats().await? {
                println!("{name:<22} {n:>16}");
            }
            store.close().await;
        }
    }
    Ok(())
}

fn today() -> jiff::civil::Date {
    jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(8)))
        .date()
}

/// Writes a segment's codes in million-code steps, so the bar moves and a full disk
/// stops the run early.
fn write_segment(
    space: &zhijian_core::code::CodeSpace,
    segment: &Segment,
    out: &Path,
) -> anyhow::Result<()> {
    let mut file: Box<dyn Write> = if out == Path::new("-") {
        Box::new(std::io::stdout().lock())
    } else {
        Box::new(std::fs::File::create(out).with_context(|| format!("creating {}", out.display()))?)
    };
    let total = segment.quantity as u64;
    let bar = indicatif::ProgressBar::new(total);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{bar:40} {human_pos}/{human_len} codes  {per_sec}  eta {eta}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    const STEP: u64 = 1 << 20;
    let first = segment.first_index as u64;
    let mut done = 0;
    while done < total {
        let n = (total - done).min(STEP);
        space
            .write_range(first + done, n, &mut file)
            .with_context(|| format!("writing {}", out.display()))?;
        done += n;
        bar.set_position(done);
    }
    file.flush()?;
    bar.finish_and_clear();
    Ok(())
}
