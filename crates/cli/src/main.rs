//! `zhijian`: run a product quality supervision node, or work on its data.
//!
//! ```text
//! zhijian demo                      # a node with a generated province data set
//! zhijian serve --database postgres://…
//! zhijian user add --username li --password … --role officer --region 130100
//! ```

mod backup;
mod bench;
mod bench_epcis;
mod bench_grading;
mod bench_risk;
mod bench_sampling;
mod codes;
mod config;
mod demo;
mod demo_codes;
mod demo_flow;
mod demo_grades;
mod demo_risk;
mod demo_sampling;
mod node;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
use zhijian_core::access::Role;
use zhijian_core::region::RegionCode;
use zhijian_store::audit::{self, Verdict};
use zhijian_store::identity::{Membership, NewUser};

use crate::config::NodeFlags;

/// mimalloc instead of the system allocator: the node allocates in small pieces
/// (JSON values, strings, rows) from many threads, and glibc's malloc and free were
/// a fifth of EPCIS capture's profile.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// zhijian (质监): the product quality electronic supervision system.
///
/// Every command works on the node named by --data (an embedded SQLite database, the
/// default) or --database (PostgreSQL). Settings are read from zhijian.toml, then
/// ZHIJIAN_* environment variables, then flags.
#[derive(Parser)]
#[command(name = "zhijian", version, about, long_about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the node: the JSON API, the console and the public pages.
    Serve {
        #[command(flatten)]
        node: NodeFlags,
        /// Address to listen on. Default: 127.0.0.1:8080
        #[arg(long, value_name = "ADDR")]
        listen: Option<String>,
    },
    /// Run a node with a generated, realistic data set for Hebei province (130000).
    ///
    /// The data is generated once, deterministically from --seed, into an empty data
    /// folder; later runs reuse it. The accounts are printed at start.
    Demo {
        #[command(flatten)]
        node: NodeFlags,
        /// Address to listen on. Default: 127.0.0.1:8080
        #[arg(long, value_name = "ADDR")]
        listen: Option<String>,
        /// small: about 500 enterprises; city: 80,000 (a prefecture-level city's worth).
        #[arg(long, value_enum, default_value_t = demo::Scale::Small)]
        scale: demo::Scale,
        /// Seed of the generator: the same seed gives the same data.
        #[arg(long, default_value_t = 2007)]
        seed: u64,
        /// Generate the data and exit without serving.
        #[arg(long)]
        no_serve: bool,
    },
    /// Bring the database schema up to date (also done at every start).
    Migrate {
        #[command(flatten)]
        node: NodeFlags,
    },
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Check the audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Write a consistent backup of the node (database, attachments, keys) to one file.
    Backup {
        #[command(flatten)]
        node: NodeFlags,
        /// The backup file to write (a tar archive).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Supervision codes: issue to a file, verify one, statistics.
    Codes {
        #[command(subcommand)]
        command: codes::CodesCommand,
    },
    /// Load-test data and requests for the benchmarks in docs/benchmarks.md.
    Bench {
        #[command(subcommand)]
        command: bench::BenchCommand,
    },
    /// Settings.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a user.
    ///
    /// Officers and viewers belong to the bureau of --region (created when missing);
    /// enterprise, printer and lab users to the organisation with credit code --org;
    /// admins to none.
    Add {
        #[command(flatten)]
        node: NodeFlags,
        /// Login name: 3–64 letters, digits, or _ . - @
        #[arg(long)]
        username: String,
        /// At least 8 characters. Prefer --password-file or ZHIJIAN_PASSWORD over the command line.
        #[arg(
            long,
            env = "ZHIJIAN_PASSWORD",
            hide_env_values = true,
            required_unless_present = "password_file"
        )]
        password: Option<String>,
        /// Read the password from the first line of this file.
        #[arg(long, value_name = "FILE")]
        password_file: Option<PathBuf>,
        /// The role.
        #[arg(long, value_enum)]
        role: RoleArg,
        /// The bureau's region (GB/T 2260 code) for officers and viewers.
        #[arg(long, value_name = "CODE")]
        region: Option<String>,
        /// The organisation's credit code for enterprise, printer and lab users.
        #[arg(long, value_name = "USCC")]
        org: Option<String>,
        /// A name to show in the console.
        #[arg(long)]
        display_name: Option<String>,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create an API bearer token for a user; prints the token alone on stdout.
    Create {
        #[command(flatten)]
        node: NodeFlags,
        /// Whose token.
        #[arg(long)]
        username: String,
        /// What the token is for.
        #[arg(long, default_value = "cli")]
        label: String,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Recompute the hash chain; exit 1 naming the first bad entry.
    Verify {
        #[command(flatten)]
        node: NodeFlags,
    },
}

#[derive(Subcommand)]
enum ConfigCommand {
    /// Print a commented example zhijian.toml.
    Example,
}

#[derive(Clone, Copy, ValueEnum)]
enum RoleArg {
    Admin,
    Officer,
    Viewer,
    Enterprise,
    Printer,
    Lab,
}

impl From<RoleArg> for Role {
    fn from(r: RoleArg) -> Role {
        match r {
            RoleArg::Admin => Role::Admin,
            RoleArg::Officer => Role::Officer,
            RoleArg::Viewer => Role::Viewer,
            RoleArg::Enterprise => Role::Enterprise,
            RoleArg::Printer => Role::Printer,
            RoleArg::Lab => Role::Lab,
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {e}");
            for cause in e.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Serve { node, listen } => {
            let config = config::load(&node, listen.as_deref())?;
            node::init_logging(&config);
            let store = config::open_store(&config).await?;
            node::serve(store, config, None).await?;
        }
        Command::Demo {
            node,
            listen,
            scale,
            seed,
            no_serve,
        } => {
            let mut config = config::load(&node, listen.as_deref())?;
            node::init_logging(&config);
            let store = config::open_store(&config).await?;
            // The demo is Hebei's node (13) unless told otherwise.
            config.node_code = Some(
                store
                    .claim_node_code(Some(config.node_code.as_deref().unwrap_or("13")))
                    .await
                    .context("checking the node code")?,
            );
            store.install_code_space(
                zhijian_server::keys::code_space(&config).context("setting up the code key")?,
            );
            let accounts = demo::ensure(&store, scale, seed).await?;
            if no_serve {
                demo::print_accounts(&accounts, None);
                store.close().await;
            } else {
                node::serve(store, config, Some(accounts)).await?;
            }
        }
        Command::Migrate { node } => {
            let config = config::load(&node, None)?;
            let store =
                zhijian_store::Store::open_unmigrated(&config.database_url(), config.files_dir())
                    .await
                    .context("opening the database")?;
            let applied = store.migrate().await?;
            println!("schema up to date ({applied} migration(s) applied)");
            store.close().await;
        }
        Command::User {
            command:
                UserCommand::Add {
                    node,
                    username,
                    password,
                    password_file,
                    role,
                    region,
                    org,
                    display_name,
                },
        } => {
            let config = config::load(&node, None)?;
            let store = config::open_store(&config).await?;
            let password = match (password, password_file) {
                (_, Some(f)) => std::fs::read_to_string(&f)
                    .with_context(|| format!("reading {}", f.display()))?
                    .lines()
                    .next()
                    .unwrap_or("")
                    .to_owned(),
                (Some(p), None) => p,
                (None, None) => anyhow::bail!("give --password or --password-file"),
            };
            let role = Role::from(role);
            let membership = match (region, org) {
                (Some(_), Some(_)) => anyhow::bail!(
                    "give --region (officers, viewers) or --org (enterprise, printer, lab users), not both"
                ),
                (Some(r), None) => Membership::Bureau(
                    RegionCode::parse(&r).map_err(|e| anyhow::anyhow!("--region: {e}"))?,
                ),
                (None, Some(o)) => Membership::Organisation(o.trim().to_uppercase()),
                (None, None) => Membership::None,
            };
            let user = store
                .create_user(
                    &NewUser {
                        username,
                        password,
                        role,
                        membership,
                        display_name,
                    },
                    "cli",
                )
                .await?;
            eprintln!("created user {} ({})", user.username, user.role.as_str());
            store.close().await;
        }
        Command::Token {
            command:
                TokenCommand::Create {
                    node,
                    username,
                    label,
                },
        } => {
            let config = config::load(&node, None)?;
            let store = config::open_store(&config).await?;
            let token =
                store
                    .create_token(&username, &label, "cli")
                    .await
                    .map_err(|e| match e {
                        zhijian_store::StoreError::NotFound { .. } => {
                            anyhow::anyhow!("no user is called {username}")
                        }
                        other => other.into(),
                    })?;
            let mut out = std::io::stdout().lock();
            writeln!(out, "{token}")?;
            store.close().await;
        }
        Command::Audit {
            command: AuditCommand::Verify { node },
        } => {
            let config = config::load(&node, None)?;
            let store = config::open_store(&config).await?;
            let bar = indicatif::ProgressBar::new_spinner();
            bar.set_message("verifying the audit chain");
            let verdict = audit::verify(store.db(), |n| {
                bar.set_message(format!("{n} entries verified"))
            })
            .await?;
            bar.finish_and_clear();
            store.close().await;
            match verdict {
                Verdict::Intact { entries } => println!("audit chain intact: {entries} entries"),
                Verdict::Broken { seq, reason } => {
                    println!("audit chain BROKEN at entry {seq}: {reason}");
                    return Ok(ExitCode::FAILURE);
                }
            }
        }
        Command::Backup { node, out } => {
            let config = config::load(&node, None)?;
            let store = config::open_store(&config).await?;
            backup::write(&store, &config, &out).await?;
            store.close().await;
            println!("backup written to {}", out.display());
        }
        Command::Codes { command } => codes::run(command).await?,
        Command::Bench { command } => bench::run(command).await?,
        Command::Config {
            command: ConfigCommand::Example,
        } => {
            print!("{}", zhijian_server::config::EXAMPLE);
        }
    }
    Ok(ExitCode::SUCCESS)
}
