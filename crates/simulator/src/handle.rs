//! Starting the simulator and controlling it: `Simulator::start` binds every fake server and
//! plex.tv on loopback and starts the driver; `SimHandle` and `ServerHandle` are what demos,
//! tests and benchmarks hold (URLs, tokens, control calls, recorded requests, shutdown).

use crate::devices::{Device, DeviceRef};
use crate::driver::Driver;
use crate::error::SimError;
use crate::fault::{Fault, FaultyListener};
use crate::ids;
use crate::plextv::PlexTv;
use crate::record::RecordedRequest;
use crate::scenario::{Decision, Scenario};
use crate::state::{PlayState, ServerShared, Session, SessionRef, lock};
use sightline_domain::media::ServerKind;
use std::collections::{BTreeMap, HashMap};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// How the simulator runs.
#[derive(Debug, Clone)]
pub struct SimOptions {
    /// Play the scenario's `[[stream]]`s. Off: only control calls start sessions.
    pub run_script: bool,
    /// Move positions forward with time (scripted ones follow the script regardless).
    pub advance_time: bool,
    /// How often the driver ticks; default 1 s divided by the speed (when it is above 1).
    pub tick: Option<Duration>,
    /// Fixed ports by server name; others get a free port.
    pub ports: HashMap<String, u16>,
    pub plextv_port: Option<u16>,
}

impl Default for SimOptions {
    fn default() -> Self {
        Self { run_script: true, advance_time: true, tick: None, ports: HashMap::new(), plextv_port: None }
    }
}

impl SimOptions {
    /// Deterministic: no script, positions only move on control calls.
    #[must_use]
    pub fn manual() -> Self {
        Self { run_script: false, advance_time: false, ..Self::default() }
    }
}

/// The entry point.
pub struct Simulator;

impl Simulator {
    /// Binds every server of `scenario` and the fake plex.tv on 127.0.0.1 and starts the driver.
    pub async fn start(scenario: Scenario, options: SimOptions) -> Result<SimHandle, SimError> {
        scenario.validate()?;
        let scenario = Arc::new(scenario);
        let cancel = CancellationToken::new();
        let mut tasks = Vec::new();
        let mut servers = Vec::new();
        let mut shared_all = Vec::new();
        for (index, spec) in scenario.servers.iter().enumerate() {
            let port = options.ports.get(&spec.name).copied().unwrap_or(0);
            let listener = bind(port, &spec.name).await?;
            let addr = listener.local_addr().map_err(|source| SimError::Bind { what: spec.name.clone(), source })?;
            let base_url = format!("http://{addr}");
            let token = spec.token.clone().unwrap_or_else(|| generated_token(&spec.name, index));
            let shared =
                Arc::new(ServerShared::new(spec, index, scenario.clone(), token, base_url.clone(), cancel.clone()));
            shared.publish(&[], &[]);
            let router = match spec.kind {
                ServerKind::Plex => crate::plex::router(shared.clone()),
                ServerKind::Jellyfin | ServerKind::Emby => crate::jellyfin_like::router(shared.clone()),
            };
            let listener = FaultyListener { inner: listener, shared: shared.clone() };
            tasks.push(tokio::spawn(crate::http::serve(listener, router, cancel.clone())));
            servers.push(ServerHandle { shared: shared.clone() });
            shared_all.push(shared);
        }
        let plextv_listener = bind(options.plextv_port.unwrap_or(0), "plex.tv").await?;
        let plextv_addr =
            plextv_listener.local_addr().map_err(|source| SimError::Bind { what: "plex.tv".into(), source })?;
        let plextv = Arc::new(PlexTv { servers: shared_all.clone() });
        let plextv_cancel = cancel.clone();
        let plextv_router = crate::plextv::router(plextv);
        tasks.push(tokio::spawn(async move {
            let result = axum::serve(plextv_listener, plextv_router)
                .with_graceful_shutdown(async move { plextv_cancel.cancelled().await })
                .await;
            if let Err(e) = result {
                tracing::warn!(error = %e, "simulated plex.tv stopped with an error");
            }
        }));
        let speed = scenario.speed;
        let tick = options.tick.unwrap_or_else(|| Duration::from_secs(1).div_f64(speed.max(1.0)));
        let driver = Driver {
            servers: shared_all,
            scenario,
            run_script: options.run_script,
            advance_time: options.advance_time,
            tick,
        };
        tasks.push(tokio::spawn(driver.run(cancel.clone())));
        Ok(SimHandle { servers, plextv_url: format!("http://{plextv_addr}"), cancel, tasks })
    }
}

async fn bind(port: u16, what: &str) -> Result<TcpListener, SimError> {
    TcpListener::bind(SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port))
        .await
        .map_err(|source| SimError::Bind { what: what.to_owned(), source })
}

/// A token that differs per run: the clock seeds it.
fn generated_token(name: &str, index: usize) -> String {
    let nanos = crate::clock::now().timestamp_nanos_opt().unwrap_or_default();
    ids::alnum(ids::hash(name) ^ index as u64 ^ nanos.unsigned_abs(), 20)
}

/// The running simulator.
pub struct SimHandle {
    servers: Vec<ServerHandle>,
    plextv_url: String,
    cancel: CancellationToken,
    tasks: Vec<JoinHandle<()>>,
}

impl SimHandle {
    #[must_use]
    pub fn servers(&self) -> &[ServerHandle] {
        &self.servers
    }

    #[must_use]
    pub fn server(&self, name: &str) -> Option<&ServerHandle> {
        self.servers.iter().find(|s| s.name() == name)
    }

    /// The first server of that kind.
    #[must_use]
    pub fn first(&self, kind: ServerKind) -> Option<&ServerHandle> {
        self.servers.iter().find(|s| s.kind() == kind)
    }

    /// `http://127.0.0.1:PORT` of the fake plex.tv.
    #[must_use]
    pub fn plextv_url(&self) -> &str {
        &self.plextv_url
    }

    /// Stops the driver and every listener, ends open event streams and waits for them.
    pub async fn shutdown(self) {
        self.cancel.cancel();
        for task in self.tasks {
            let _ = task.await;
        }
    }
}

/// A playback to start through `ServerHandle::start_stream`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamSpec {
    /// A `[[user]]` name of the scenario.
    pub user: String,
    /// A `[[media]]` id of the scenario.
    pub media: String,
    pub device: DeviceRef,
    pub ip: IpAddr,
    pub position: Duration,
    pub decision: Decision,
    pub hw: bool,
    pub paused: bool,
    /// Jellyfin/Emby: the client obeys remote commands (default); off, stops and messages are ignored.
    pub remote_control: bool,
}

impl StreamSpec {
    /// Direct play from the start on an Apple TV on the LAN.
    #[must_use]
    pub fn new(user: &str, media: &str) -> Self {
        Self {
            user: user.to_owned(),
            media: media.to_owned(),
            device: DeviceRef::Preset("apple_tv".into()),
            ip: IpAddr::V4(Ipv4Addr::new(192, 168, 1, 10)),
            position: Duration::ZERO,
            decision: Decision::DirectPlay,
            hw: false,
            paused: false,
            remote_control: true,
        }
    }
}

/// Control of one fake server.
#[derive(Clone)]
pub struct ServerHandle {
    shared: Arc<ServerShared>,
}

impl ServerHandle {
    #[must_use]
    pub fn kind(&self) -> ServerKind {
        self.shared.kind
    }

    #[must_use]
    pub fn name(&self) -> &str {
        &self.shared.name
    }

    /// `http://127.0.0.1:PORT`.
    #[must_use]
    pub fn base_url(&self) -> &str {
        &self.shared.base_url
    }

    /// The administrator token (still reported after `revoke_token`).
    #[must_use]
    pub fn token(&self) -> &str {
        &self.shared.token
    }

    /// Plex `machineIdentifier`; Jellyfin/Emby server `Id`.
    #[must_use]
    pub fn machine_id(&self) -> &str {
        &self.shared.machine_id
    }

    /// The user as this server reports them (its id differs per server kind).
    #[must_use]
    pub fn user_id(&self, name: &str) -> Option<String> {
        self.shared.user(name).map(|u| u.id.clone())
    }

    /// Starts a playback now.
    pub fn start_stream(&self, spec: &StreamSpec) -> Result<SessionRef, SimError> {
        let user = self
            .shared
            .user(&spec.user)
            .cloned()
            .ok_or_else(|| SimError::Unknown { what: "user", name: spec.user.clone() })?;
        let media = self
            .shared
            .scenario
            .media(&spec.media)
            .cloned()
            .ok_or_else(|| SimError::Unknown { what: "media", name: spec.media.clone() })?;
        let device = Device::resolve(&spec.device)
            .ok_or_else(|| SimError::Unknown { what: "device preset", name: format!("{:?}", spec.device) })?;
        let mut session = self.shared.new_session(user, media, device, spec.ip);
        session.position_ms = u64::try_from(spec.position.as_millis()).unwrap_or(u64::MAX).min(session.duration_ms());
        session.decision = spec.decision;
        session.hw = spec.hw;
        session.state = if spec.paused { PlayState::Paused } else { PlayState::Playing };
        session.remote_control = spec.remote_control;
        Ok(self.shared.add(session))
    }

    fn change(&self, session: &SessionRef, change: impl FnOnce(&mut Session)) -> Result<(), SimError> {
        self.shared.update(session, change).map(drop).ok_or_else(|| SimError::NoSession(session.0.clone()))
    }

    pub fn pause(&self, session: &SessionRef) -> Result<(), SimError> {
        self.change(session, |s| s.state = PlayState::Paused)
    }

    pub fn resume(&self, session: &SessionRef) -> Result<(), SimError> {
        self.change(session, |s| s.state = PlayState::Playing)
    }

    pub fn buffer(&self, session: &SessionRef) -> Result<(), SimError> {
        self.change(session, |s| s.state = PlayState::Buffering)
    }

    pub fn seek(&self, session: &SessionRef, to: Duration) -> Result<(), SimError> {
        let to = u64::try_from(to.as_millis()).unwrap_or(u64::MAX);
        self.change(session, |s| s.position_ms = to.min(s.duration_ms()))
    }

    /// Ends the playback as a player would (a natural stop, not a kill).
    pub fn stop(&self, session: &SessionRef) -> Result<(), SimError> {
        self.shared.remove(session).map(drop).ok_or_else(|| SimError::NoSession(session.0.clone()))
    }

    /// From now on the token gets 401 and open notification connections close.
    pub fn revoke_token(&self) {
        self.shared.set_revoked(true);
    }

    pub fn restore_token(&self) {
        self.shared.set_revoked(false);
    }

    /// Plex: with `false` the owner has no Plex Pass, and terminate answers 401 (recorded, nothing ends).
    pub fn set_plex_pass(&self, on: bool) {
        self.shared.session_kick.store(on, std::sync::atomic::Ordering::SeqCst);
    }

    pub fn set_fault(&self, fault: Option<Fault>) {
        *lock(&self.shared.fault) = fault;
    }

    /// Control calls received (terminate, playstate commands, messages), in order.
    #[must_use]
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.shared.log).calls.clone()
    }

    /// Requests received per `METHOD /route`.
    #[must_use]
    pub fn request_counts(&self) -> BTreeMap<String, u64> {
        lock(&self.shared.log).counts.clone()
    }

    /// The current sessions.
    #[must_use]
    pub fn sessions(&self) -> Vec<Session> {
        self.shared.sessions()
    }
}
