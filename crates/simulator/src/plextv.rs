//! A fake plex.tv for the simulator's Plex servers: the owner account (`/api/v2/user`, after
//! plex-api.rs's `user_info_free.json`), shared users (`/api/users/`, after HA's
//! `plextv_shared_users.xml`) and friends (`/api/v2/friends`, after plex-api.rs's friends
//! mocks). Any Plex server's token of this simulator is the owner's plex.tv token.

use crate::http::{header_text, query_param};
use crate::plex::element::Element;
use crate::plex::render_xml;
use crate::state::{ServerShared, SimUser};
use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};
use sightline_domain::media::ServerKind;
use std::sync::Arc;

/// What plex.tv knows: the simulator's Plex servers (for tokens and shares).
pub struct PlexTv {
    pub servers: Vec<Arc<ServerShared>>,
}

impl PlexTv {
    fn owner_of(&self, token: Option<&str>) -> Option<&Arc<ServerShared>> {
        self.servers.iter().find(|s| s.kind == ServerKind::Plex && s.token_ok(token))
    }
}

pub fn router(plextv: Arc<PlexTv>) -> Router {
    Router::new()
        .route("/api/v2/user", get(user))
        .route("/api/users/", get(shared_users))
        .route("/api/users", get(shared_users))
        .route("/api/v2/friends", get(friends))
        .route_layer(from_fn_with_state(plextv.clone(), require_token))
        .with_state(plextv)
}

async fn require_token(State(plextv): State<Arc<PlexTv>>, request: Request, next: Next) -> Response {
    let token = header_text(request.headers(), "x-plex-token")
        .map(str::to_owned)
        .or_else(|| query_param(request.uri().query(), "X-Plex-Token"));
    if plextv.owner_of(token.as_deref()).is_some() {
        next.run(request).await
    } else {
        StatusCode::UNAUTHORIZED.into_response()
    }
}

fn token(request: &Request) -> Option<String> {
    header_text(request.headers(), "x-plex-token").map(str::to_owned)
}

fn json_reply(value: &Value) -> Response {
    ([(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], value.to_string()).into_response()
}

fn avatar(user: &SimUser) -> String {
    format!("https://plex.tv/users/{}/avatar?c=1700000000", &user.image_tag[..16])
}

/// `GET /api/v2/user`: the account that owns the server whose token was presented.
async fn user(State(plextv): State<Arc<PlexTv>>, request: Request) -> Response {
    let token = token(&request).or_else(|| query_param(request.uri().query(), "X-Plex-Token"));
    let Some(server) = plextv.owner_of(token.as_deref()) else { return StatusCode::UNAUTHORIZED.into_response() };
    let owner = server.users.iter().find(|u| u.admin).cloned().unwrap_or_else(|| SimUser {
        name: "owner".into(),
        id: "1".into(),
        admin: true,
        image_tag: crate::ids::hex32(1),
    });
    let email = format!("{}@example.com", owner.name);
    json_reply(&json!({
        "id": owner.id.parse::<u64>().unwrap_or(1),
        "uuid": &owner.image_tag[..16],
        "username": owner.name,
        "title": owner.name,
        "email": email,
        "friendlyName": owner.name,
        "locale": null,
        "confirmed": true,
        "emailOnlyAuth": false,
        "hasPassword": true,
        "protected": false,
        "thumb": avatar(&owner),
        "authToken": server.token,
        "mailingListStatus": "unsubscribed",
        "mailingListActive": false,
        "scrobbleTypes": "",
        "country": "GB",
        "subscription": {
            "active": true,
            "subscribedAt": "2023-09-19 00:00:00 UTC",
            "status": "Active",
            "paymentService": null,
            "plan": "lifetime",
            "features": ["home", "adaptive_bitrate", "collections", "livetv", "hwtranscode", "session_kick"]
        },
        "subscriptionDescription": null,
        "restricted": false,
        "anonymous": null,
        "home": true,
        "guest": false,
        "homeSize": 1,
        "homeAdmin": true,
        "maxHomeSize": 15,
        "experimentalFeatures": false,
        "twoFactorEnabled": false,
        "backupCodesCreated": false,
        "joinedAt": 1_339_124_759
    }))
}

/// `GET /api/users/`: every non-owner user, shared on every Plex server of the simulator (XML).
async fn shared_users(State(plextv): State<Arc<PlexTv>>) -> Response {
    let others = others(&plextv);
    let machine = plextv.servers.first().map_or_else(String::new, |s| s.machine_id.clone());
    let container = Element::new("MediaContainer")
        .s("friendlyName", "myPlex")
        .s("identifier", "com.plexapp.plugins.myplex")
        .s("machineIdentifier", machine)
        .i("totalSize", others.len())
        .i("size", others.len());
    let container = others.iter().fold(container, |c, u| {
        let shares = plextv.servers.iter().filter(|s| s.kind == ServerKind::Plex).fold(
            Element::new("User")
                .s("id", u.id.clone())
                .s("title", u.name.clone())
                .s("username", u.name.clone())
                .s("email", format!("{}@example.com", u.name))
                .s("recommendationsPlaylistId", "")
                .s("thumb", avatar(u))
                .b("protected", false)
                .b("allowSync", false)
                .b("allowCameraUpload", false)
                .b("allowChannels", false)
                .b("restricted", false),
            |user, server| {
                user.child(
                    Element::new("Server")
                        .s("id", (crate::ids::hash(&server.machine_id) % 10_000_000).to_string())
                        .s("machineIdentifier", server.machine_id.clone())
                        .s("name", server.name.clone())
                        .i("lastSeenAt", 1_700_000_000)
                        .i("numLibraries", 4)
                        .b("allLibraries", true)
                        .b("owned", true)
                        .b("pending", false),
                )
            },
        );
        c.child(shares)
    });
    ([(header::CONTENT_TYPE, HeaderValue::from_static("text/xml;charset=utf-8"))], render_xml::document(&container))
        .into_response()
}

/// `GET /api/v2/friends`: the same users in plex.tv's v2 JSON form.
async fn friends(State(plextv): State<Arc<PlexTv>>) -> Response {
    let friends: Vec<Value> = others(&plextv)
        .iter()
        .map(|u| {
            json!({
                "status": "accepted",
                "sharedServers": plextv.servers.iter().filter(|s| s.kind == ServerKind::Plex).map(|s| json!({
                    "name": s.name,
                    "machineIdentifier": s.machine_id,
                    "accepted": true,
                    "owned": true,
                    "numLibraries": 4,
                    "allLibraries": true
                })).collect::<Vec<_>>(),
                "sharedSources": [],
                "id": u.id.parse::<u64>().unwrap_or(0),
                "uuid": &u.image_tag[..16],
                "title": u.name,
                "username": u.name,
                "restricted": false,
                "email": format!("{}@example.com", u.name),
                "friendlyName": u.name,
                "thumb": avatar(u),
                "home": false,
                "restrictionProfile": null
            })
        })
        .collect();
    json_reply(&Value::Array(friends))
}

/// The non-owner users, as the first Plex server knows them.
fn others(plextv: &PlexTv) -> Vec<SimUser> {
    plextv
        .servers
        .iter()
        .find(|s| s.kind == ServerKind::Plex)
        .map(|s| s.users.iter().filter(|u| !u.admin).cloned().collect())
        .unwrap_or_default()
}
