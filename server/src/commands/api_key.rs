//! `sightline api-key create`: makes a key and prints it once.

use crate::boot;
use crate::cli::CreateApiKey;
use anyhow::Context as _;
use sightline_backend::clock;

pub async fn create(env: Vec<(String, String)>, args: &CreateApiKey) -> anyhow::Result<()> {
    let config = boot::load_config(env)?;
    let auth = boot::offline_auth(&config).await?;
    let (record, key) =
        auth.create_api_key(&args.name, args.read_only, clock::now()).await.context("cannot create the API key")?;
    let scope = if record.read_only { "read-only" } else { "read-write" };
    println!("Created {scope} API key \"{}\" (id {}).", record.name, record.id);
    println!("Store it now; it is not shown again:");
    println!();
    println!("{key}");
    println!();
    println!("Use it as: Authorization: Bearer {}…", record.prefix);
    Ok(())
}
