//! A server's text made fit for a message: control and invisible characters out, whitespace
//! collapsed, cut at a length; and the byte-wise cutting and searching that keeps str's substring
//! searcher and slicing panics out of the wasm.

/// Longest `message`, in chars, including the trailing "…" when cut.
pub const MAX_MESSAGE_CHARS: usize = 300;

/// `prefix` + ": " + the cleaned text, or `None` when the text has nothing visible.
pub(crate) fn compose(prefix: &str, text: &str) -> Option<String> {
    let mut out = String::with_capacity(64);
    out.push_str(prefix);
    if !prefix.is_empty() {
        out.push_str(": ");
    }
    append_clean(&mut out, text).then_some(out)
}

/// Appends `text` with control characters removed and whitespace collapsed, keeping `out` at
/// most `MAX_MESSAGE_CHARS` chars (cut with "…"). Reads only as much of `text` as it needs.
/// Returns whether anything visible was appended.
fn append_clean(out: &mut String, text: &str) -> bool {
    let mut count = out.chars().count();
    let (mut pending_space, mut any, mut cut) = (false, false, false);
    for c in text.chars() {
        if c.is_whitespace() {
            pending_space = any;
            continue;
        }
        if c.is_control() || is_invisible(c) {
            continue;
        }
        let needed = if pending_space { 2 } else { 1 };
        if count + needed > MAX_MESSAGE_CHARS {
            cut = true;
            break;
        }
        if pending_space {
            out.push(' ');
        }
        out.push(c);
        count += needed;
        pending_space = false;
        any = true;
    }
    if cut {
        while count > MAX_MESSAGE_CHARS - 1 {
            out.pop();
            count -= 1;
        }
        let trimmed_len = out.trim_end().len();
        out.truncate(trimmed_len);
        out.push('…');
    }
    any
}

/// Zero-width and bidi-override characters: invisible in logs, and a spoofing risk.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2069}' | '\u{feff}')
}

/// The longest start of `s` of at most `max` bytes, cut between chars.
pub(crate) fn clip(s: &str, max: usize) -> &str {
    let mut i = max.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    s.get(..i).unwrap_or_default()
}

/// `s` from byte `from` on (empty past the end). The text helpers here cut only where they found
/// an ASCII byte or a whole char, so never inside one; `get` instead of `&s[from..]` keeps str
/// slicing's panic messages, with their formatting, out of the wasm.
pub(crate) fn tail(s: &str, from: usize) -> &str {
    s.get(from..).unwrap_or_default()
}

/// Where `needle` first occurs in `hay`, comparing bytes: a match of valid UTF-8 in valid UTF-8
/// starts on a char boundary. `str::find` with a string pattern would bring the two-way searcher
/// (and str slicing's panic formatting) into the wasm for haystacks of at most 64 KB.
pub(crate) fn find(hay: &str, needle: &str) -> Option<usize> {
    let (hay, needle) = (hay.as_bytes(), needle.as_bytes());
    (0..=hay.len().checked_sub(needle.len())?).find(|&i| hay.get(i..i + needle.len()) == Some(needle))
}
