//! `sightline simulate [--scenario FILE] [--manual]`: only the simulated media servers, for
//! pointing a Sightline at them through Settings, for the browser tests and for the benchmark.
//! Prints one JSON line per server (`kind`, `name`, `url`, `token`), then obeys lines on stdin:
//! `start <kind> <user> <media> [ip]`, `pause-all`, `resume-all`, `stop-all`, `revoke <kind>`,
//! `restore <kind>`. Runs until Ctrl-C or SIGTERM.

use crate::cli::Simulate;
use crate::serve;
use anyhow::Context as _;
use serde_json::json;
use sightline_simulator::{Scenario, ServerHandle, ServerKind, SimHandle, SimOptions, Simulator, StreamSpec};
use tokio::io::{AsyncBufReadExt as _, BufReader};

pub async fn run(args: &Simulate) -> anyhow::Result<()> {
    let scenario = load_scenario(args.scenario.as_deref())?;
    let options = if args.manual { SimOptions::manual() } else { SimOptions::default() };
    let sim = Simulator::start(scenario, options).await.context("cannot start the simulated servers")?;
    let stop = serve::shutdown_signal();
    tokio::pin!(stop);
    for s in sim.servers() {
        println!("{}", json!({ "kind": s.kind().as_str(), "name": s.name(), "url": s.base_url(), "token": s.token() }));
    }
    println!("{}", json!({ "plextv_url": sim.plextv_url() }));
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    let mut stdin_open = true;
    loop {
        tokio::select! {
            () = &mut stop => break,
            line = lines.next_line(), if stdin_open => match line {
                Ok(Some(line)) => println!("{}", obey(&sim, &line)),
                Ok(None) | Err(_) => stdin_open = false,
            },
        }
    }
    sim.shutdown().await;
    Ok(())
}

/// The scenario in `path`, or the built-in demo; errors name the file.
pub(super) fn load_scenario(path: Option<&std::path::Path>) -> anyhow::Result<Scenario> {
    let Some(path) = path else { return Ok(Scenario::builtin()) };
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read the scenario {}", path.display()))?;
    Scenario::from_toml_str(&text).with_context(|| format!("the scenario {} is not valid", path.display()))
}

fn server<'a>(sim: &'a SimHandle, kind: &str) -> Result<&'a ServerHandle, String> {
    let kind = ServerKind::parse(kind).ok_or_else(|| format!("unknown server kind {kind:?}"))?;
    sim.first(kind).ok_or_else(|| format!("no {} server in the scenario", kind.as_str()))
}

/// Runs one command line and says what happened.
fn obey(sim: &SimHandle, line: &str) -> String {
    let words: Vec<&str> = line.split_whitespace().collect();
    let result = match words.as_slice() {
        ["start", kind, user, media, rest @ ..] => server(sim, kind).and_then(|s| {
            let mut spec = StreamSpec::new(user, media);
            if let Some(ip) = rest.first() {
                spec.ip = ip.parse().map_err(|_| format!("not an address: {ip}"))?;
            }
            s.start_stream(&spec).map(|r| format!("started {}", r.0)).map_err(|e| e.to_string())
        }),
        [cmd @ ("pause-all" | "resume-all" | "stop-all")] => {
            let mut n = 0;
            for s in sim.servers() {
                for session in s.sessions() {
                    let r = session.reference();
                    let done = match *cmd {
                        "pause-all" => s.pause(&r),
                        "resume-all" => s.resume(&r),
                        _ => s.stop(&r),
                    };
                    n += usize::from(done.is_ok());
                }
            }
            Ok(format!("{cmd} {n}"))
        }
        ["revoke", kind] => server(sim, kind).map(|s| {
            s.revoke_token();
            "revoked".to_owned()
        }),
        ["restore", kind] => server(sim, kind).map(|s| {
            s.restore_token();
            "restored".to_owned()
        }),
        _ => Err(format!("unknown command: {line}")),
    };
    result.unwrap_or_else(|e| format!("error {e}"))
}
