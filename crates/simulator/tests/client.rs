//! Sightline's real `MediaServer` adapters against a started simulator, over HTTP on loopback:
//! connection checks, session lists, a wrong token, and every fault's error.

mod support;

use sightline_backend::media::server::{MediaError, connect};
use sightline_backend::secret::SecretString;
use sightline_simulator::Fault;
use support::*;

#[tokio::test]
async fn sightlines_adapters_connect_and_read_sessions_from_every_kind() {
    let sim = start().await;
    for server in sim.servers() {
        server.start_stream(&bob_transcoding()).expect("bob");
        let adapter = connect(server.kind(), server.base_url(), &SecretString::new(server.token())).expect("adapter");
        let identity = adapter.check_connection().await.expect("connection works");
        assert_eq!(identity.name.as_deref(), Some(server.name()), "{:?}", server.kind());
        assert_eq!(identity.machine_id.as_deref(), Some(server.machine_id()));
        let sessions = adapter.sessions().await.expect("sessions");
        assert_eq!(sessions.len(), 1, "{:?}", server.kind());
        assert_eq!(sessions[0].user.name, "bob");

        let wrong = connect(server.kind(), server.base_url(), &SecretString::new("wrong-token")).expect("adapter");
        assert_eq!(wrong.check_connection().await, Err(MediaError::BadToken), "{:?}", server.kind());
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn each_fault_gives_the_matching_media_error() {
    let sim = start().await;
    for server in sim.servers() {
        let adapter = connect(server.kind(), server.base_url(), &SecretString::new(server.token())).expect("adapter");
        let kind = server.kind();
        server.set_fault(Some(Fault::Html));
        assert!(matches!(adapter.sessions().await, Err(MediaError::UnexpectedContentType(_))), "{kind:?}");
        server.set_fault(Some(Fault::Huge));
        assert_eq!(adapter.sessions().await, Err(MediaError::TooLarge), "{kind:?}");
        server.set_fault(Some(Fault::Status(500)));
        assert_eq!(adapter.sessions().await, Err(MediaError::Http(500)), "{kind:?}");
        server.set_fault(Some(Fault::Truncated));
        assert!(adapter.sessions().await.is_err(), "{kind:?}");
        server.set_fault(Some(Fault::Down));
        assert!(matches!(adapter.sessions().await, Err(MediaError::Unreachable(_))), "{kind:?}");
        server.set_fault(Some(Fault::Slow(std::time::Duration::from_millis(10))));
        assert!(adapter.sessions().await.is_ok(), "{kind:?}");
        server.set_fault(None);
        assert!(adapter.check_connection().await.is_ok(), "{kind:?}");
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn a_revoked_token_is_a_bad_token() {
    let sim = start().await;
    let server = &sim.servers()[0];
    let adapter = connect(server.kind(), server.base_url(), &SecretString::new(server.token())).expect("adapter");
    server.revoke_token();
    assert_eq!(adapter.sessions().await, Err(MediaError::BadToken));
    server.restore_token();
    assert!(adapter.sessions().await.is_ok());
    sim.shutdown().await;
}
