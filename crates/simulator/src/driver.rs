//! The driver task: every tick it moves the script forward (starting, pausing, resuming and
//! ending scripted sessions on schedule, looping if asked), advances the position of sessions
//! started by control calls, and lets each server send its periodic updates.

use crate::devices::Device;
use crate::scenario::Scenario;
use crate::script;
use crate::state::{PlayState, ServerShared, Session, SessionRef, lock};
use std::sync::Arc;
use std::time::Duration;
use tokio::time::{Instant, MissedTickBehavior};
use tokio_util::sync::CancellationToken;

/// What the driver does each tick.
pub(crate) struct Driver {
    pub servers: Vec<Arc<ServerShared>>,
    pub scenario: Arc<Scenario>,
    pub run_script: bool,
    pub advance_time: bool,
    pub tick: Duration,
}

impl Driver {
    pub(crate) async fn run(self, cancel: CancellationToken) {
        let started = Instant::now();
        let mut last = started;
        let mut ticks = tokio::time::interval(self.tick);
        ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                () = cancel.cancelled() => return,
                _ = ticks.tick() => {}
            }
            let now = Instant::now();
            let speed = self.scenario.speed;
            if self.run_script {
                self.script_step((now - started).mul_f64(speed));
            }
            if self.advance_time {
                self.advance_manual((now - last).mul_f64(speed));
            }
            last = now;
            for server in &self.servers {
                server.tick();
            }
        }
    }

    /// Brings every scripted session to where the script says it is at script time `t`.
    fn script_step(&self, t: Duration) {
        let Some(cycle_length) = script::cycle_length(&self.scenario) else { return };
        let (cycle, t) = if self.scenario.looping {
            let n = t.as_nanos() / cycle_length.as_nanos().max(1);
            (u64::try_from(n).unwrap_or(u64::MAX), t.saturating_sub(cycle_length.mul_f64(n as f64)))
        } else {
            (0, t)
        };
        for server in &self.servers {
            self.step_server(server, cycle, t);
        }
    }

    fn step_server(&self, server: &ServerShared, cycle: u64, t: Duration) {
        // Sessions of an earlier cycle end before the new cycle's start.
        let stale: Vec<SessionRef> = lock(&server.state)
            .sessions
            .iter()
            .filter(|s| s.script.is_some_and(|(_, c)| c != cycle))
            .map(Session::reference)
            .collect();
        stale.iter().for_each(|key| drop(server.remove(key)));
        lock(&server.state).killed.retain(|(_, c)| *c == cycle);

        for (index, stream) in self.scenario.streams.iter().enumerate().filter(|(_, s)| s.server == server.name) {
            let Some(media) = self.scenario.media(&stream.media) else { continue };
            let planned = script::at(stream, media, t);
            let (existing, killed) = {
                let state = lock(&server.state);
                let existing = state.sessions.iter().find(|s| s.script == Some((index, cycle))).cloned();
                (existing, state.killed.contains(&(index, cycle)))
            };
            let position_ms = planned.map(|p| u64::try_from(p.position.as_millis()).unwrap_or(u64::MAX));
            let wanted = planned.map(|p| if p.paused { PlayState::Paused } else { PlayState::Playing });
            match (existing, planned, wanted, position_ms) {
                (Some(session), Some(_), Some(state), Some(position)) => {
                    if session.state == state {
                        // Progress alone is announced by the periodic tick.
                        if let Some(s) = lock(&server.state).sessions.iter_mut().find(|s| s.key == session.key) {
                            s.position_ms = position;
                        }
                    } else {
                        server.update(&session.reference(), |s| {
                            s.state = state;
                            s.position_ms = position;
                        });
                    }
                }
                (None, Some(_), Some(state), Some(position)) if !killed => {
                    let (Some(user), Some(device)) =
                        (server.user(&stream.user).cloned(), Device::resolve(&stream.device))
                    else {
                        continue;
                    };
                    let mut session = server.new_session(user, media.clone(), device, stream.ip);
                    session.position_ms = position;
                    session.state = state;
                    session.decision = stream.decision;
                    session.hw = stream.hw;
                    session.script = Some((index, cycle));
                    server.add(session);
                }
                (Some(session), None, _, _) => {
                    server.remove(&session.reference());
                }
                _ => {}
            }
        }
    }

    /// Moves sessions started by control calls forward; one that reaches its end stops.
    fn advance_manual(&self, elapsed: Duration) {
        let step = u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX);
        for server in &self.servers {
            let finished: Vec<SessionRef> = {
                let mut state = lock(&server.state);
                state
                    .sessions
                    .iter_mut()
                    .filter(|s| s.script.is_none() && s.state == PlayState::Playing)
                    .filter_map(|s| {
                        s.position_ms = s.position_ms.saturating_add(step);
                        (s.position_ms >= s.duration_ms()).then(|| s.reference())
                    })
                    .collect()
            };
            finished.iter().for_each(|key| drop(server.remove(key)));
        }
    }
}
