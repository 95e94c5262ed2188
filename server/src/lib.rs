//! The Sightline server: composition root (config → store → services → router → tasks),
//! HTTP middleware and handlers, and the command-line commands.
//!
//! Invariants: this crate wires things together; domain rules live in `sightline-domain`,
//! persistence and auth logic in `sightline-backend`, pages in `app`.
// Leptos views of the app crate are deep types; their layout is computed here too.
#![recursion_limit = "256"]

pub mod boot;
pub mod cli;
pub mod commands;
pub mod handlers;
pub mod logging;
pub mod middleware;
pub mod router;
pub mod serve;
pub mod state;
pub mod tasks;
