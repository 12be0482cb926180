//! Rebuilds the crate when a migration is added: `sqlx::migrate!` embeds the folders'
//! files at compile time, and cargo only watches what it is told to.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
