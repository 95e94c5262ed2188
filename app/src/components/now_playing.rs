//! The "Now playing" section of the dashboard: a card per active stream (poster through the
//! image proxy, user, title, a progress bar the browser advances between updates, state,
//! quality, device, server, and a Stop button with a confirmation and an optional message to the
//! viewer), today's counters, and an empty state that says what to do.

use crate::api::enforce::StopStream;
use crate::api::live::{NowPlayingView, get_now_playing};
use crate::api::trust::{TrustScores, trust_badges, trust_level};
use crate::live::use_live;
use crate::model::human_duration;
use leptos::prelude::*;
use sightline_domain::live::NowPlaying;
use sightline_domain::media::{MediaType, PlaybackState, ServerKind, StreamDecision};
use std::collections::BTreeMap;

#[component]
pub fn NowPlayingSection() -> impl IntoView {
    let live = use_live();
    let resync = move || live.map_or(0, |l| l.resync.get());
    let activity = move || live.map_or(0, |l| l.activity.get());
    // The base list refetches on resync; the counters also after each start or stop.
    let base = Resource::new(resync, move |_| get_now_playing());
    let counters = Resource::new(move || (resync(), activity()), move |_| get_now_playing());
    // Trust changes when incidents open.
    let incidents = move || live.map_or(0, |l| l.incidents.get());
    let trust = Resource::new(move || (resync(), incidents()), |_| trust_badges());
    // A local clock so progress bars advance between live updates.
    let tick = RwSignal::new(0u64);
    #[cfg(feature = "hydrate")]
    {
        let handle = set_interval_with_handle(move || tick.update(|t| *t += 1), std::time::Duration::from_secs(1));
        on_cleanup(move || {
            if let Ok(h) = handle {
                h.clear();
            }
        });
    }

    // Kept here, not in the cards: a card is rebuilt at each update of its stream.
    let stop = StopControls {
        open: RwSignal::new(None),
        message: RwSignal::new(String::new()),
        action: ServerAction::<StopStream>::new(),
    };

    let streams = move || {
        let mut map: BTreeMap<String, NowPlaying> = BTreeMap::new();
        if let Some(Ok(view)) = base.get() {
            for s in view.sessions {
                map.insert(s.key(), s);
            }
        }
        if let Some(l) = live {
            for (key, change) in l.plays.get() {
                match change {
                    Some(s) => {
                        map.insert(key, s);
                    }
                    None => {
                        map.remove(&key);
                    }
                }
            }
        }
        let mut list: Vec<NowPlaying> = map.into_values().collect();
        list.sort_by(|a, b| b.started_at.cmp(&a.started_at).then_with(|| a.key().cmp(&b.key())));
        list
    };

    view! {
        <section class="card" id="now-playing">
            <div class="section-head">
                <h2>"Now playing"</h2>
                <Suspense fallback=|| ()>
                    {move || counters.get().and_then(Result::ok).map(|v| counters_view(&v))}
                </Suspense>
            </div>
            {move || stop_notice(stop.action)}
            {move || stop_dialog(stop)}
            <Suspense fallback=|| ()>
                {move || counters.get().and_then(Result::ok).map(|v| v.warnings.into_iter().map(|w| view! {
                    <p class="alert warn hidden-clients">{w}</p>
                }).collect_view())}
            </Suspense>
            <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || base.get().map(|r| match r {
                    Err(e) => view! { <p class="alert error">{e.to_string()}</p> }.into_any(),
                    Ok(view) => {
                        let configured = view.servers_configured;
                        view! {
                            <Show
                                when=move || !streams().is_empty()
                                fallback=move || empty_state(configured)
                            >
                                <ul class="streams">
                                    <For each=streams key=|s| format!("{}-{}-{:?}-{:?}", s.key(), s.updated_at, s.session.state, s.session.position_ms) let:s>
                                        <StreamCard stream=s tick=tick trust stop/>
                                    </For>
                                </ul>
                            </Show>
                        }.into_any()
                    }
                })}
            </Suspense>
        </section>
    }
}

fn counters_view(v: &NowPlayingView) -> AnyView {
    let t = v.today;
    view! {
        <dl class="counters" id="today-counters">
            <div><dt>"Streaming"</dt><dd id="count-streaming">{t.streaming_now}</dd></div>
            <div><dt>"Plays today"</dt><dd id="count-plays">{t.plays}</dd></div>
            <div><dt>"Watched today"</dt><dd id="count-watch">{human_duration(i64::try_from(t.watch_ms / 1000).unwrap_or(i64::MAX))}</dd></div>
            <div><dt>"Viewers today"</dt><dd id="count-users">{t.active_users}</dd></div>
        </dl>
    }
    .into_any()
}

fn empty_state(servers: usize) -> AnyView {
    if servers == 0 {
        view! {
            <div class="empty" id="now-playing-empty">
                <p><strong>"No media server yet."</strong></p>
                <p>"Add your Plex, Jellyfin or Emby server under "<a href="/settings/servers">"Servers"</a>
                   ", or try Sightline with simulated servers: "<code>"sightline demo"</code>"."</p>
            </div>
        }
        .into_any()
    } else {
        view! {
            <div class="empty" id="now-playing-empty">
                <p><strong>"Nothing is playing right now."</strong></p>
                <p class="muted">"Streams appear here the moment they start."</p>
            </div>
        }
        .into_any()
    }
}

/// The stream whose stop is being confirmed.
#[derive(Debug, Clone, PartialEq)]
struct StopTarget {
    server: i64,
    play: String,
    /// "carol · Shared Film · Plex".
    label: String,
    note: Option<&'static str>,
}

/// The stop confirmation and its answer, shared by every card. The confirmation sits outside the
/// cards, which are rebuilt at each update of their stream (the message being typed would lose focus).
#[derive(Clone, Copy)]
struct StopControls {
    open: RwSignal<Option<StopTarget>>,
    /// The message to the viewer being written.
    message: RwSignal<String>,
    action: ServerAction<StopStream>,
}

/// The answer to the last stop, above the cards (a stopped stream's card is gone by then).
fn stop_notice(action: ServerAction<StopStream>) -> Option<AnyView> {
    let answer = action.value().get()?;
    Some(match answer {
        Ok(v) => {
            let class = if v.outcome == "stopped" { "alert ok stop-outcome" } else { "alert warn stop-outcome" };
            view! { <p class=class role="status" data-outcome=v.outcome>{v.detail}</p> }.into_any()
        }
        Err(e) => view! { <p class="alert error stop-outcome" role="alert">{e.to_string()}</p> }.into_any(),
    })
}

/// A note in the confirmation about what this client allows.
fn stop_note(stream: &NowPlaying) -> Option<&'static str> {
    match stream.session.control.as_ref() {
        None => Some("The server gave no id for this stream, so it cannot be stopped from here."),
        Some(c) if !c.remote_control => Some("This client does not accept remote control; the server cannot stop it."),
        Some(c) if !c.messages && stream.server.kind != ServerKind::Plex => {
            Some("This client cannot show messages; it will only be stopped.")
        }
        Some(_) => None,
    }
}

/// The card's Stop button: opens the confirmation for this stream.
fn stop_button(stream: &NowPlaying, user: &str, title: &str, stop: StopControls) -> impl IntoView + use<> {
    let target = StopTarget {
        server: stream.server.id.0,
        play: stream.play.clone(),
        label: format!("{user} · {title} · {}", stream.server.name),
        note: stop_note(stream),
    };
    let open = move |_| {
        stop.message.set(String::new());
        stop.open.set(Some(target.clone()));
    };
    view! { <button type="button" class="secondary stream-stop" on:click=open>"Stop"</button> }
}

/// The confirmation, with the optional message to the viewer, while a stop is being confirmed.
fn stop_dialog(stop: StopControls) -> Option<AnyView> {
    let target = stop.open.get()?;
    let StopTarget { server, play, label, note } = target;
    let confirm = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let message = stop.message.get_untracked();
        stop.action.dispatch(StopStream { server, play: play.clone(), message });
        stop.open.set(None);
    };
    Some(
        view! {
            <form class="confirm stream-stop-confirm" role="alertdialog" aria-label="Stop this stream" on:submit=confirm>
                <p><strong>"Stop this stream?"</strong></p>
                <p class="stream-stop-label">{label}</p>
                {note.map(|n| view! { <p class="muted small">{n}</p> })}
                <label>"Message to the viewer (optional)"
                    <textarea name="message" rows="2" maxlength="500" placeholder="Please use your own account."
                        prop:value=move || stop.message.get()
                        on:input=move |ev| stop.message.set(event_target_value(&ev))></textarea>
                </label>
                <div class="form-actions">
                    <button type="submit" class="danger stream-stop-confirm-button" disabled=move || stop.action.pending().get()>
                        "Stop stream"
                    </button>
                    <button type="button" on:click=move |_| stop.open.set(None)>"Cancel"</button>
                </div>
            </form>
        }
        .into_any(),
    )
}

#[component]
fn StreamCard(
    stream: NowPlaying,
    tick: RwSignal<u64>,
    trust: Resource<Result<TrustScores, crate::error::AppError>>,
    stop: StopControls,
) -> impl IntoView {
    let s = &stream.session;
    let title = match (s.media.media_type, &s.media.grandparent_title) {
        (MediaType::Episode, Some(show)) => show.clone(),
        (MediaType::Track, Some(artist)) => artist.clone(),
        _ => s.media.title.clone(),
    };
    let subtitle = match s.media.media_type {
        MediaType::Episode => format!(
            "S{:02}E{:02} · {}",
            s.media.season_number.unwrap_or(0),
            s.media.episode_number.unwrap_or(0),
            s.media.title
        ),
        MediaType::Track => s.media.title.clone(),
        _ => s.media.year.map(|y| y.to_string()).unwrap_or_default(),
    };
    let title_attr = title.clone();
    let state = s.state;
    let state_label = match state {
        PlaybackState::Playing => "Playing",
        PlaybackState::Paused => "Paused",
        PlaybackState::Buffering => "Buffering",
        PlaybackState::Stopped => "Stopped",
    };
    let decision = match s.decision.overall {
        StreamDecision::DirectPlay => "Direct play",
        StreamDecision::DirectStream => "Direct stream",
        StreamDecision::Transcode if s.decision.hw_transcode => "Transcode (hw)",
        StreamDecision::Transcode => "Transcode",
    };
    let quality = s.quality.resolution.map(|r| r.label().to_owned()).unwrap_or_default()
        + if s.quality.hdr { " HDR" } else { "" };
    let device = [s.player.product.clone(), s.player.name.clone().or_else(|| s.player.device.clone())]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" · ");
    let user = if s.user.name.is_empty() { s.user.id.clone() } else { s.user.name.clone() };
    let stop_view = stop_button(&stream, &user, &title, stop);
    let duration = s.media.duration_ms;
    let position = s.position_ms;
    let poster = stream.poster_url.clone();
    let server_name = stream.server.name.clone();
    let color = format!("--server-color: {}", stream.server.color);
    let ip = s.client_ip.map(|ip| ip.to_string()).unwrap_or_default();
    let place = stream.geo.as_ref().map(sightline_domain::live::SessionGeo::label);
    let anonymous = stream.geo.as_ref().is_some_and(|g| g.anonymous);
    let (server_id, user_id) = (stream.server.id.0, s.user.id.clone());
    let badge = move || {
        trust.get().and_then(Result::ok).map(|t| {
            let score = t.of(server_id, &user_id);
            let (class, word) = trust_level(score);
            view! { <span class=format!("tag {class}") title=format!("Trust score {score} of 100: {word}")>{format!("trust {score}")}</span> }
        })
    };
    let start_tick = tick.get_untracked();
    let percent = move || {
        let elapsed_ms = if state == PlaybackState::Playing { (tick.get() - start_tick) * 1000 } else { 0 };
        match (position, duration) {
            (Some(p), Some(d)) if d > 0 => ((p + elapsed_ms).min(d) as f64 / d as f64 * 100.0).clamp(0.0, 100.0),
            _ => 0.0,
        }
    };
    view! {
        <li class="stream" data-play=stream.key() data-state=state_label.to_lowercase() style=color>
            <div class="poster">
                {poster.map(|src| view! { <img src=src alt="" loading="lazy" width="80" height="120"/> })}
            </div>
            <div class="stream-body">
                <div class="stream-title" title=title_attr>{title}</div>
                <div class="stream-sub muted">{subtitle}</div>
                <div class="stream-user"><span class="user-name">{user}</span>" · "<span class="server-name">{server_name}</span></div>
                <div class="stream-meta muted">{device}" "{ip}</div>
                {place.map(|p| view! { <div class="stream-place muted">{p}</div> })}
                <div class="badges">
                    <span class=format!("tag state-{}", state_label.to_lowercase())>{state_label}</span>
                    {(!quality.is_empty()).then(|| view! { <span class="tag">{quality}</span> })}
                    <span class="tag">{decision}</span>
                    <Suspense fallback=|| ()>{badge}</Suspense>
                    {anonymous.then(|| view! { <span class="tag warn" title="VPN, hosting network, proxy or Tor">"Anonymizer"</span> })}
                </div>
                <div class="progress" role="progressbar" aria-label="Progress">
                    <div class="progress-bar" style=move || format!("width: {:.1}%", percent())></div>
                </div>
                {stop_view}
            </div>
        </li>
    }
}
