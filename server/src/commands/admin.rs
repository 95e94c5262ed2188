//! `sightline admin reset-password`: a way back in for a locked-out owner, run on the host.

use crate::boot;
use crate::cli::ResetPassword;
use anyhow::Context as _;
use sightline_backend::auth::token::random_token;
use sightline_backend::clock;

pub async fn reset_password(env: Vec<(String, String)>, args: &ResetPassword) -> anyhow::Result<()> {
    let config = boot::load_config(env)?;
    let auth = boot::offline_auth(&config).await?;
    let (password, generated) = if args.password_stdin {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line).context("cannot read the password from standard input")?;
        (line.trim_end_matches(['\r', '\n']).to_owned(), false)
    } else {
        (random_token(15), true)
    };
    let username = auth.reset_owner_password(&password, clock::now()).await.context("cannot reset the password")?;
    println!("The password of owner \"{username}\" was reset and every session signed out.");
    if generated {
        println!("New password (shown once): {password}");
    }
    Ok(())
}
