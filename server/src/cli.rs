//! The command line: `sightline [serve]`, `sightline demo`, `sightline api-key create`,
//! `sightline admin reset-password`.

use clap::{Args, Parser, Subcommand};

/// Sightline: who is really using your Plex, Jellyfin and Emby servers.
///
/// Configuration comes from SIGHTLINE_* environment variables and DATA_DIR/sightline.toml;
/// see the README for the full list.
#[derive(Debug, Parser)]
#[command(name = "sightline", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start the web server (the default when no command is given).
    Serve,
    /// Manage API keys for scripts and integrations.
    #[command(subcommand, name = "api-key")]
    ApiKey(ApiKeyCommand),
    /// Administrative tasks for the owner account.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Start simulated Plex, Jellyfin and Emby servers and Sightline connected to them.
    Demo(Demo),
    /// Start only the simulated media servers (printed as JSON lines; commands on stdin).
    Simulate(Simulate),
    /// Judge recorded session events (JSON lines on stdin) offline; print incidents as JSON lines.
    Replay(crate::commands::replay::Replay),
}

#[derive(Debug, Args)]
pub struct Simulate {
    /// A scenario file (TOML; see crates/simulator/SCENARIO.md). Default: the built-in one.
    #[arg(long)]
    pub scenario: Option<std::path::PathBuf>,
    /// Do not play the scenario's streams; start them with commands on stdin.
    #[arg(long)]
    pub manual: bool,
}

#[derive(Debug, Args)]
pub struct Demo {
    /// A scenario file (TOML; see crates/simulator/SCENARIO.md). Default: the built-in one.
    #[arg(long)]
    pub scenario: Option<std::path::PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum ApiKeyCommand {
    /// Create an API key and print it once. Only its hash is stored.
    Create(CreateApiKey),
}

#[derive(Debug, Args)]
pub struct CreateApiKey {
    /// A name that says what the key is for.
    #[arg(long)]
    pub name: String,
    /// The key may read but not change anything.
    #[arg(long)]
    pub read_only: bool,
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Set a new owner password and sign the owner out everywhere.
    ResetPassword(ResetPassword),
}

#[derive(Debug, Args)]
pub struct ResetPassword {
    /// Read the new password from the first line of standard input instead of generating one.
    #[arg(long)]
    pub password_stdin: bool,
}
