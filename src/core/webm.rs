//! Making a `MediaRecorder` WebM seekable: writing its Duration into the Segment Info.
//!
//! Chrome and Firefox write WebM live: the Segment's size is unknown and Info has no Duration
//! (Chrome) or a Duration of 0 (Firefox), so players show no length and can't seek. After the recording stops, the browser layer reads
//! the first `header_len_needed()` bytes, asks `patch_duration` for new bytes to put in place of
//! the first `replace_len` bytes, and builds `Blob([patch.bytes, blob.slice(patch.replace_len)])`:
//! the clusters are never copied. Anything not recognised gives `None` (keep the file as it is).
//!
//! The patch inserts an 8-byte float Duration at the end of Info (or overwrites the one there).
//! The 11 bytes come out of a Void element right after Info when there is one; otherwise
//! everything after Info moves, so a known Segment size and SeekHead positions are corrected,
//! and a file with Cues (whose positions can't be fixed from the header) is refused. No Cues
//! are written: players seek a Cue-less WebM with a known Duration by searching the clusters.

use std::ops::Range;

const EBML: u32 = 0x1A45_DFA3;
const DOC_TYPE: u32 = 0x4282;
const SEGMENT: u32 = 0x1853_8067;
const SEEK_HEAD: u32 = 0x114D_9B74;
const SEEK: u32 = 0x4DBB;
const SEEK_ID: u32 = 0x53AB;
const SEEK_POSITION: u32 = 0x53AC;
const INFO: u32 = 0x1549_A966;
const TIMECODE_SCALE: u32 = 0x2A_D7B1;
const DURATION: u32 = 0x4489;
const TRACKS: u32 = 0x1654_AE6B;
const CLUSTER: u32 = 0x1F43_B675;
const CUES: u32 = 0x1C53_BB6B;
const VOID: u32 = 0xEC;
const CRC32: u32 = 0xBF;
/// The other top-level elements a Segment may hold before its first Cluster.
const SKIPPABLE: [u32; 5] = [0x1941_A469, 0x1043_A770, 0x1254_C367, VOID, CRC32];
/// Nanoseconds per tick when Info doesn't say.
const DEFAULT_TIMECODE_SCALE: u64 = 1_000_000;

/// Leading bytes the browser layer should read (all of the file if it is shorter). Chrome's and
/// Firefox's headers, up to the first Cluster, are a few hundred bytes.
pub fn header_len_needed() -> usize {
    4096
}

/// New bytes for the start of a file: they replace its first `replace_len` bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Patch {
    /// How many bytes at the file's start `bytes` replace.
    pub replace_len: usize,
    /// The new bytes.
    pub bytes: Vec<u8>,
}

impl Patch {
    /// The patched file (for files already in memory, and tests).
    pub fn apply(&self, file: &[u8]) -> Vec<u8> {
        let mut out = self.bytes.clone();
        out.extend_from_slice(file.get(self.replace_len..).unwrap_or(&[]));
        out
    }
}

/// Where things are in a WebM header: whole elements, as byte ranges of the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Layout {
    /// The Segment element's first byte, and its children's (SeekHead positions count from there).
    pub segment: usize,
    pub segment_data: usize,
    /// `None` for the unknown size live recordings use.
    pub segment_size: Option<u64>,
    pub seek_heads: Vec<Range<usize>>,
    pub info: Range<usize>,
    pub tracks: Option<Range<usize>>,
    pub cues: Option<usize>,
    /// Where the media starts; `None` if it isn't within the bytes given.
    pub first_cluster: Option<usize>,
}

/// The start of the first Cluster: everything before it is header.
pub fn first_cluster_offset(header: &[u8]) -> Option<usize> {
    layout(header)?.first_cluster
}

/// Finds the Segment's top-level elements up to the first Cluster (or the end of `header`).
/// `None` unless it is an EBML file of DocType `webm` (or `matroska`) with a whole Info.
pub(crate) fn layout(header: &[u8]) -> Option<Layout> {
    let ebml = Element::read(header, 0)?;
    if ebml.id != EBML || ebml.end(header)?.is_none() {
        return None;
    }
    let doc_type = children(header, &ebml)?.into_iter().find(|c| c.id == DOC_TYPE);
    if let Some(d) = doc_type {
        let name = header.get(d.data..d.end(header)??)?;
        let name = name.split(|b| *b == 0).next().unwrap_or(&[]);
        if name != b"webm" && name != b"matroska" {
            return None;
        }
    }
    let segment = Element::read(header, ebml.end(header)??)?;
    if segment.id != SEGMENT {
        return None;
    }
    let segment_end = match segment.size {
        Some(size) => segment.data.checked_add(usize::try_from(size).ok()?)?,
        None => usize::MAX,
    };
    let mut found = Layout {
        segment: segment.start,
        segment_data: segment.data,
        segment_size: segment.size,
        seek_heads: Vec::new(),
        info: 0..0,
        tracks: None,
        cues: None,
        first_cluster: None,
    };
    let mut at = segment.data;
    while at < header.len() && at < segment_end {
        let Some(e) = Element::read(header, at) else { break };
        if e.id == CLUSTER {
            found.first_cluster = Some(at);
            break;
        }
        if e.id == CUES {
            found.cues = Some(at);
        }
        let Some(end) = e.end(header) else { break };
        let whole = end.map(|end| at..end);
        match e.id {
            INFO if found.info.is_empty() => found.info = whole?,
            INFO => return None,
            SEEK_HEAD => found.seek_heads.push(whole?),
            TRACKS => found.tracks = whole,
            CUES => {}
            id if SKIPPABLE.contains(&id) => {}
            _ => break,
        }
        match end {
            Some(end) => at = end,
            None => break,
        }
    }
    (!found.info.is_empty()).then_some(found)
}

/// The patch that gives the file whose first bytes are `header` a Duration of `duration_ms`
/// milliseconds. Patching an already patched file overwrites the Duration in place.
pub fn patch_duration(header: &[u8], duration_ms: f64) -> Option<Patch> {
    if !duration_ms.is_finite() || duration_ms < 0.0 {
        return None;
    }
    let layout = layout(header)?;
    let info = Element::read(header, layout.info.start)?;
    let (mut scale, mut duration) = (None, None);
    for c in children(header, &info)? {
        let body = header.get(c.data..c.end(header)??)?;
        match c.id {
            TIMECODE_SCALE if scale.is_none() => scale = Some(read_uint(body)?),
            DURATION if duration.is_none() => duration = Some(c.data..c.data + body.len()),
            TIMECODE_SCALE | DURATION | CRC32 => return None,
            _ => {}
        }
    }
    let scale = scale.unwrap_or(DEFAULT_TIMECODE_SCALE);
    if scale == 0 {
        return None;
    }
    let ticks = duration_ms * 1e6 / scale as f64;

    if let Some(at) = duration {
        let mut bytes = header[..at.end].to_vec();
        match at.len() {
            8 => bytes[at].copy_from_slice(&ticks.to_be_bytes()),
            4 => bytes[at].copy_from_slice(&(ticks as f32).to_be_bytes()),
            _ => return None,
        }
        return Some(Patch { replace_len: bytes.len(), bytes });
    }

    let mut body = header[info.data..layout.info.end].to_vec();
    body.extend_from_slice(&[0x44, 0x89, 0x88]);
    body.extend_from_slice(&ticks.to_be_bytes());
    let old_width = info.data - info.start - 4;
    let size = body.len() as u64;
    let width = if fits(size, old_width) { old_width } else { size_width(size)? };
    let mut new_info = INFO.to_be_bytes().to_vec();
    new_info.extend_from_slice(&write_size(size, width)?);
    new_info.extend_from_slice(&body);
    let growth = new_info.len() - layout.info.len();

    // What follows Info must be known: a Void right after it gives up the bytes, and then
    // nothing else moves.
    let next = Element::read(header, layout.info.end)?;
    if layout.segment_size.is_some_and(|s| (layout.info.end - layout.segment_data) as u64 >= s) {
        return None;
    }
    if next.id == VOID {
        let void_end = next.end(header)??;
        let room = void_end - next.start;
        if room == growth || room >= growth + 2 {
            let mut bytes = header[..layout.info.start].to_vec();
            bytes.extend_from_slice(&new_info);
            bytes.extend_from_slice(&void_of_len(room - growth)?);
            return Some(Patch { replace_len: void_end, bytes });
        }
    }

    // Otherwise everything after Info moves by `growth` bytes.
    if layout.cues.is_some() {
        return None;
    }
    let mut bytes = header[..layout.info.start].to_vec();
    if let Some(size) = layout.segment_size {
        let seg = Element::read(header, layout.segment)?;
        let width = seg.data - seg.start - 4;
        let new = size.checked_add(growth as u64)?;
        if !fits(new, width) {
            return None;
        }
        bytes[seg.start + 4..seg.data].copy_from_slice(&write_size(new, width)?);
    }
    let moved_from = (layout.info.end - layout.segment_data) as u64;
    for range in &layout.seek_heads {
        shift_seek_head(header, &mut bytes, range.start, moved_from, growth as u64)?;
    }
    bytes.extend_from_slice(&new_info);
    Some(Patch { replace_len: layout.info.end, bytes })
}

/// Adds `growth` to every SeekPosition at or after `moved_from`, in place in `bytes`.
fn shift_seek_head(header: &[u8], bytes: &mut [u8], at: usize, moved_from: u64, growth: u64) -> Option<()> {
    let head = Element::read(header, at)?;
    for seek in children(header, &head)? {
        match seek.id {
            SEEK => {}
            VOID => continue,
            _ => return None, // CRC-32 or garbage: can't edit safely
        }
        let entries = children(header, &seek)?;
        let target = entries.iter().find(|e| e.id == SEEK_ID)?;
        let target = read_uint(header.get(target.data..target.end(header)??)?)?;
        let pos = entries.iter().find(|e| e.id == SEEK_POSITION)?;
        let field = pos.data..pos.end(header)??;
        let old = read_uint(header.get(field.clone())?)?;
        if old < moved_from {
            continue;
        }
        if u64::from(CUES) == target || u64::from(SEEK_HEAD) == target {
            return None; // their own positions would be stale too
        }
        let new = old.checked_add(growth)?;
        let width = field.len();
        if width < 8 && new >> (8 * width) != 0 {
            return None;
        }
        bytes.get_mut(field)?.copy_from_slice(&new.to_be_bytes()[8 - width..]);
    }
    Some(())
}

/// An element's header: its ID, and where it and its data start.
#[derive(Clone, Copy, Debug)]
struct Element {
    id: u32,
    start: usize,
    data: usize,
    /// `None` for unknown size.
    size: Option<u64>,
}

impl Element {
    fn read(b: &[u8], start: usize) -> Option<Element> {
        let first = *b.get(start)?;
        let id_len = first.leading_zeros() as usize + 1;
        if id_len > 4 {
            return None;
        }
        let id = b.get(start..start + id_len)?.iter().fold(0u32, |v, x| v << 8 | u32::from(*x));
        let at = start + id_len;
        let first = *b.get(at)?;
        let size_len = first.leading_zeros() as usize + 1;
        if size_len > 8 {
            return None;
        }
        let rest = b.get(at + 1..at + size_len)?;
        let size = rest.iter().fold(u64::from(first) & (0xFF >> size_len), |v, x| v << 8 | u64::from(*x));
        let unknown = size == (1u64 << (7 * size_len)) - 1;
        Some(Element { id, start, data: at + size_len, size: (!unknown).then_some(size) })
    }

    /// Where it ends: `None` if its size is unknown, `Some(None)` if that is past `b`'s end.
    fn end(&self, b: &[u8]) -> Option<Option<usize>> {
        let size = usize::try_from(self.size?).ok();
        Some(size.and_then(|s| self.data.checked_add(s)).filter(|end| *end <= b.len()))
    }
}

/// The children of a master element wholly inside `b`: known sizes that tile its data exactly.
fn children(b: &[u8], parent: &Element) -> Option<Vec<Element>> {
    let end = parent.end(b)??;
    let mut out = Vec::new();
    let mut at = parent.data;
    while at < end {
        let c = Element::read(&b[..end], at)?;
        at = c.end(&b[..end])??;
        out.push(c);
    }
    Some(out)
}

fn read_uint(b: &[u8]) -> Option<u64> {
    (b.len() <= 8).then(|| b.iter().fold(0u64, |v, x| v << 8 | u64::from(*x)))
}

/// Can `v` be a size written in `width` bytes (all ones means unknown, so it's out)?
fn fits(v: u64, width: usize) -> bool {
    (1..=8).contains(&width) && v < (1u64 << (7 * width)) - 1
}

fn size_width(v: u64) -> Option<usize> {
    (1..=8).find(|w| fits(v, *w))
}

fn write_size(v: u64, width: usize) -> Option<Vec<u8>> {
    fits(v, width).then(|| (v | 1u64 << (7 * width)).to_be_bytes()[8 - width..].to_vec())
}

/// A Void element exactly `len` bytes long (0 gives nothing; 1 is impossible).
fn void_of_len(len: usize) -> Option<Vec<u8>> {
    if len == 0 {
        return Some(Vec::new());
    }
    let width = (1..=8).find(|w| len > *w && fits((len - 1 - w) as u64, *w))?;
    let mut v = vec![VOID as u8];
    v.extend_from_slice(&write_size((len - 1 - width) as u64, width)?);
    v.resize(len, 0);
    Some(v)
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;
