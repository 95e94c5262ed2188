//! CSV lines of the history: RFC 4180 quoting, and cells that a spreadsheet would run as a formula
//! (starting with `=`, `+`, `-`, `@`, a tab or a carriage return) prefixed with `'`.

use crate::store::history::HistoryChain;
use chrono::SecondsFormat;

/// The header line (without the line break).
pub const CSV_HEADER: &str = "chain,play,started_at,ended_at,server,user,user_id,media_type,title,show,season,\
    played_ms,paused_ms,watched,player,device,product,platform,ip,city,country,decision,resolution,video_codec,\
    audio_codec,bitrate_kbps";

/// One cell: guarded against formulas, quoted when it holds a comma, quote or line break.
#[must_use]
pub fn csv_cell(value: &str) -> String {
    let guarded =
        if value.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{value}") } else { value.to_owned() };
    if guarded.contains([',', '"', '\n', '\r']) { format!("\"{}\"", guarded.replace('"', "\"\"")) } else { guarded }
}

fn opt(value: Option<&String>) -> String {
    value.map_or_else(String::new, |v| csv_cell(v))
}

fn num<T: ToString>(value: Option<T>) -> String {
    value.map_or_else(String::new, |v| v.to_string())
}

/// The lines of one chain, one per play, each ending in CRLF.
#[must_use]
pub fn csv_lines(chain: &HistoryChain) -> String {
    let mut out = String::new();
    for s in &chain.sessions {
        let cells = [
            chain.head.to_string(),
            s.id.to_string(),
            s.started_at.to_rfc3339_opts(SecondsFormat::Millis, true),
            s.ended_at.map(|t| t.to_rfc3339_opts(SecondsFormat::Millis, true)).unwrap_or_default(),
            csv_cell(&chain.server_name),
            csv_cell(&chain.account_name),
            csv_cell(&chain.account.user_id),
            csv_cell(&chain.media_type),
            csv_cell(&chain.title),
            opt(chain.grandparent_title.as_ref()),
            opt(chain.parent_title.as_ref()),
            s.played_ms.to_string(),
            s.paused_ms.to_string(),
            u8::from(s.watched).to_string(),
            opt(s.player_name.as_ref()),
            opt(s.device.as_ref()),
            opt(s.product.as_ref()),
            opt(s.platform.as_ref()),
            opt(s.client_ip.as_ref()),
            opt(s.city.as_ref()),
            opt(s.country_code.as_ref()),
            csv_cell(&s.decision),
            opt(s.resolution.as_ref()),
            opt(s.video_codec.as_ref()),
            opt(s.audio_codec.as_ref()),
            num(s.bitrate_kbps),
        ];
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_quoted_only_when_needed() {
        assert_eq!(csv_cell("Heat"), "Heat");
        assert_eq!(csv_cell("Lock, Stock"), "\"Lock, Stock\"");
        assert_eq!(csv_cell("The \"Best\""), "\"The \"\"Best\"\"\"");
        assert_eq!(csv_cell("two\nlines"), "\"two\nlines\"");
        assert_eq!(csv_cell(""), "");
    }

    #[test]
    fn formula_starts_are_defused() {
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_cell("+1"), "'+1");
        assert_eq!(csv_cell("-2"), "'-2");
        assert_eq!(csv_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_cell("\tx"), "'\tx");
        assert_eq!(csv_cell("a=b"), "a=b");
    }

    #[test]
    fn the_header_has_one_name_per_cell() {
        assert_eq!(CSV_HEADER.split(',').count(), 26);
        assert!(!CSV_HEADER.contains(' '));
    }
}
