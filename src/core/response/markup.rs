//! Markup bodies (an HTML error page, an S3-style XML error): the text worth showing, with inner
//! tags dropped and entities decoded.

use crate::core::text::{clip, find, tail};

/// How much of a markup body is searched for `<title>` and friends.
const MARKUP_SCAN_BYTES: usize = 64 * 1024;
/// How much of a tag's content is decoded.
const TAG_TEXT_BYTES: usize = 2 * 1024;

pub(super) fn looks_like_html(trimmed: &str) -> bool {
    let head = clip(trimmed, 512).to_ascii_lowercase();
    head.starts_with('<') && ["<!doctype html", "<html", "<head", "<body"].iter().any(|t| find(&head, t).is_some())
}

/// The useful text of an HTML page or an XML error: `<title>`, S3-style `<Code>`/`<Message>`, `<h1>`.
pub(super) fn markup_text(trimmed: &str) -> Option<String> {
    let head = clip(trimmed, MARKUP_SCAN_BYTES);
    // ASCII lowercasing keeps byte offsets, so positions found in `lower` index `head`.
    let lower = head.to_ascii_lowercase();
    if let Some(title) = tag_text(head, &lower, "title") {
        return Some(title);
    }
    if let Some(message) = tag_text(head, &lower, "message") {
        return Some(match tag_text(head, &lower, "code") {
            Some(code) => format!("{code}: {message}"),
            None => message,
        });
    }
    tag_text(head, &lower, "h1")
}

/// The decoded text inside the first `<tag …>…</tag>`, when it has any.
fn tag_text(head: &str, lower: &str, tag: &str) -> Option<String> {
    let open = format!("<{tag}");
    let close = format!("</{tag}");
    let mut from = 0;
    while let Some(found) = find(tail(lower, from), &open) {
        let after = from + found + open.len();
        let next = lower.as_bytes().get(after).copied();
        if matches!(next, Some(b'>') | Some(b' ') | Some(b'\t') | Some(b'\n') | Some(b'\r') | Some(b'/')) {
            let start = after + tail(lower, after).find('>')? + 1;
            let end = start + find(tail(lower, start), &close).unwrap_or(lower.len() - start);
            let content = clip(head.get(start..end)?, TAG_TEXT_BYTES);
            let text = decode_markup(content);
            let text = text.trim();
            return (!text.is_empty()).then(|| text.to_string());
        }
        from = after;
    }
    None
}

/// Drops inner tags and decodes the common entities; unknown entities stay as written.
fn decode_markup(content: &str) -> String {
    let mut out = String::with_capacity(content.len());
    let mut rest = content;
    while let Some(c) = rest.chars().next() {
        match c {
            '<' => match rest.find('>') {
                Some(i) => {
                    rest = tail(rest, i + 1);
                    out.push(' ');
                }
                None => break,
            },
            '&' => {
                // Entity names are short: look for the ';' in the next few bytes only.
                let semicolon = rest.bytes().skip(1).take(11).position(|b| b == b';');
                let entity = semicolon.and_then(|i| Some((decode_entity(rest.get(1..1 + i)?)?, i)));
                match entity {
                    Some((decoded, i)) => {
                        out.push(decoded);
                        rest = tail(rest, i + 2);
                    }
                    None => {
                        out.push('&');
                        rest = tail(rest, 1);
                    }
                }
            }
            _ => {
                out.push(c);
                rest = tail(rest, c.len_utf8());
            }
        }
    }
    out
}

fn decode_entity(name: &str) -> Option<char> {
    let number = if let Some(hex) = name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")) {
        u32::from_str_radix(hex, 16).ok()
    } else if let Some(dec) = name.strip_prefix('#') {
        dec.parse::<u32>().ok()
    } else {
        return match name {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some(' '),
            _ => None,
        };
    };
    number.and_then(char::from_u32)
}
