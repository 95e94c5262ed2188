//! Dispatches the parsed command line to each command.

mod admin;
mod api_key;
mod demo;
pub mod replay;
mod simulate;

use crate::cli::{AdminCommand, ApiKeyCommand, Cli, Command};

/// Runs the command the user asked for.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let env: Vec<(String, String)> = std::env::vars().collect();
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => crate::serve::run_until_signal(env).await,
        Command::ApiKey(ApiKeyCommand::Create(args)) => api_key::create(env, &args).await,
        Command::Admin(AdminCommand::ResetPassword(args)) => admin::reset_password(env, &args).await,
        Command::Demo(args) => demo::run(env, &args).await,
        Command::Simulate(args) => simulate::run(&args).await,
        Command::Replay(args) => replay::run(&args),
    }
}
