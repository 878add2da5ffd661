use super::*;
use proptest::prelude::*;

/// The first 192 bytes of a recording Chromium's MediaRecorder made (audio/webm;codecs=opus):
/// EBML header, unknown-size Segment, Info, Tracks, the start of the first Cluster.
const REAL_CHROME: [u8; 192] = [
    0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 0x01, 0x42, 0xf7, 0x81, 0x01, 0x42, 0xf2, 0x81, 0x04, 0x42, 0xf3, 0x81, 0x08, 0x42, 0x82, 0x84, 0x77, 0x65,
    0x62, 0x6d, 0x42, 0x87, 0x81, 0x04, 0x42, 0x85, 0x81, 0x02, 0x18, 0x53, 0x80, 0x67, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x15, 0x49, 0xa9, 0x66,
    0x99, 0x2a, 0xd7, 0xb1, 0x83, 0x0f, 0x42, 0x40, 0x4d, 0x80, 0x86, 0x43, 0x68, 0x72, 0x6f, 0x6d, 0x65, 0x57, 0x41, 0x86, 0x43, 0x68, 0x72, 0x6f, 0x6d, 0x65,
    0x16, 0x54, 0xae, 0x6b, 0xbf, 0xae, 0xbd, 0xd7, 0x81, 0x01, 0x73, 0xc5, 0x87, 0xd5, 0x59, 0x34, 0x51, 0xf2, 0x8f, 0x98, 0x83, 0x81, 0x02, 0x86, 0x86, 0x41,
    0x5f, 0x4f, 0x50, 0x55, 0x53, 0x63, 0xa2, 0x93, 0x4f, 0x70, 0x75, 0x73, 0x48, 0x65, 0x61, 0x64, 0x01, 0x01, 0x00, 0x00, 0x80, 0xbb, 0x00, 0x00, 0x00, 0x00,
    0x00, 0xe1, 0x8d, 0xb5, 0x84, 0x47, 0x3b, 0x80, 0x00, 0x9f, 0x81, 0x01, 0x62, 0x64, 0x81, 0x20, 0x1f, 0x43, 0xb6, 0x75, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xe7, 0x81, 0x00, 0xa3, 0x8c, 0x81, 0x00, 0x00, 0x80, 0xfb, 0x03, 0xff, 0xfe, 0xff, 0xfe, 0xff, 0xfe, 0xa3, 0x8c, 0x81, 0x00, 0x3c, 0x80, 0xfb,
    0x03, 0xff, 0xfe, 0xff, 0xfe, 0xff, 0xfe, 0xa3, 0x8c, 0x81,
];

/// The first 272 bytes of a recording Firefox's MediaRecorder made: 8-byte sizes, an empty
/// SeekHead, and an Info whose Duration is 0.
const REAL_FIREFOX: [u8; 272] = [
    0x1a, 0x45, 0xdf, 0xa3, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x1f, 0x42, 0x86, 0x81, 0x01, 0x42, 0xf7, 0x81, 0x01, 0x42, 0xf2, 0x81, 0x04, 0x42, 0xf3,
    0x81, 0x08, 0x42, 0x82, 0x84, 0x77, 0x65, 0x62, 0x6d, 0x42, 0x87, 0x81, 0x02, 0x42, 0x85, 0x81, 0x02, 0x18, 0x53, 0x80, 0x67, 0x01, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0x11, 0x4d, 0x9b, 0x74, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x15, 0x49, 0xa9, 0x66, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x49, 0x2a, 0xd7, 0xb1, 0x83, 0x0f, 0x42, 0x40, 0x44, 0x89, 0x88, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x4d, 0x80, 0x98, 0x51, 0x54, 0x6d, 0x75,
    0x78, 0x69, 0x6e, 0x67, 0x41, 0x70, 0x70, 0x4c, 0x69, 0x62, 0x57, 0x65, 0x62, 0x4d, 0x2d, 0x30, 0x2e, 0x30, 0x2e, 0x31, 0x57, 0x41, 0x99, 0x51, 0x54, 0x77,
    0x72, 0x69, 0x74, 0x69, 0x6e, 0x67, 0x41, 0x70, 0x70, 0x4c, 0x69, 0x62, 0x57, 0x65, 0x62, 0x4d, 0x2d, 0x30, 0x2e, 0x30, 0x2e, 0x31, 0x16, 0x54, 0xae, 0x6b,
    0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x60, 0xae, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x57, 0xd7, 0x81, 0x02, 0x73, 0xc5, 0x84, 0x83, 0x73, 0xa6,
    0xc9, 0x83, 0x81, 0x02, 0x56, 0xaa, 0x84, 0x00, 0x63, 0x2e, 0xa0, 0x56, 0xbb, 0x84, 0x04, 0xc4, 0xb4, 0x00, 0x86, 0x86, 0x41, 0x5f, 0x4f, 0x50, 0x55, 0x53,
    0x63, 0xa2, 0x93, 0x4f, 0x70, 0x75, 0x73, 0x48, 0x65, 0x61, 0x64, 0x01, 0x01, 0x38, 0x01, 0x44, 0xac, 0x00, 0x00, 0x00, 0x00, 0x00, 0x25, 0x86, 0x88, 0x84,
    0x4f, 0x50, 0x55, 0x53, 0xe1, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0d, 0xb5, 0x88, 0x40, 0xe5, 0x88, 0x80, 0x00, 0x00, 0x00, 0x00, 0x9f, 0x81, 0x01,
    0x1f, 0x43, 0xb6, 0x75, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
];

/// Builds EBML the way muxers do, with a chosen size width (0 = minimal).
fn el_w(id: u32, width: usize, body: &[u8]) -> Vec<u8> {
    let mut v: Vec<u8> = id.to_be_bytes().into_iter().skip_while(|b| *b == 0).collect();
    let width = if width == 0 { size_width(body.len() as u64).unwrap() } else { width };
    v.extend(write_size(body.len() as u64, width).unwrap());
    v.extend_from_slice(body);
    v
}
fn el(id: u32, body: &[u8]) -> Vec<u8> {
    el_w(id, 0, body)
}
fn uint(id: u32, v: u64) -> Vec<u8> {
    let b: Vec<u8> = v.to_be_bytes().into_iter().skip_while(|b| *b == 0).collect();
    el(id, if b.is_empty() { &[0] } else { &b })
}
fn string(id: u32, s: &str) -> Vec<u8> {
    el(id, s.as_bytes())
}
fn float(id: u32, f: f64) -> Vec<u8> {
    el(id, &f.to_be_bytes())
}
fn unknown_size(id: u32) -> Vec<u8> {
    let mut v: Vec<u8> = id.to_be_bytes().to_vec();
    v.extend([0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]);
    v
}
fn cat(parts: &[Vec<u8>]) -> Vec<u8> {
    parts.concat()
}

fn ebml_header(width: usize) -> Vec<u8> {
    el_w(EBML, width, &cat(&[uint(0x4286, 1), uint(0x42F7, 1), uint(0x42F2, 4), uint(0x42F3, 8), string(DOC_TYPE, "webm"), uint(0x4287, 4), uint(0x4285, 2)]))
}

fn opus_tracks(width: usize) -> Vec<u8> {
    let opus_head = b"OpusHead\x01\x01\x38\x01\x80\xbb\x00\x00\x00\x00\x00";
    el_w(
        TRACKS,
        width,
        &el_w(
            0xAE,
            width,
            &cat(&[
                uint(0xD7, 1),
                uint(0x73C5, 0x1234_5678),
                uint(0x83, 2),
                string(0x86, "A_OPUS"),
                el(0x63A2, opus_head),
                el(0xE1, &cat(&[float(0xB5, 48_000.0), uint(0x9F, 1)])),
            ]),
        ),
    )
}

fn clusters() -> Vec<u8> {
    let block = |t: u8| el(0xA3, &[0x81, 0x00, t, 0x80, 0xFC, 0xFF, 0xFE, 0x12, 0x34]);
    cat(&[unknown_size(CLUSTER), uint(0xE7, 0), block(0), block(20), block(40)])
}

/// Chrome: minimal sizes, unknown Segment and Cluster sizes, no SeekHead, no Duration.
fn chrome() -> Vec<u8> {
    cat(&[
        ebml_header(0),
        unknown_size(SEGMENT),
        el(INFO, &cat(&[uint(TIMECODE_SCALE, 1_000_000), string(0x4D80, "Chrome"), string(0x5741, "Chrome")])),
        opus_tracks(0),
        clusters(),
    ])
}

/// Firefox: 8-byte sizes for master elements, unknown Segment size.
fn firefox(duration: Option<f64>) -> Vec<u8> {
    let mut info = uint(TIMECODE_SCALE, 1_000_000);
    if let Some(d) = duration {
        info.extend(float(DURATION, d));
    }
    info.extend(string(0x4D80, "QTmuxingAppLibWebM-0.0.1"));
    info.extend(string(0x5741, "QTwritingAppLibWebM-0.0.1"));
    cat(&[ebml_header(8), unknown_size(SEGMENT), el_w(INFO, 8, &info), opus_tracks(8), clusters()])
}

/// A muxer that reserves room: SeekHead (Info, Tracks), Info, Void, Tracks, known sizes.
fn with_seek_head(void_len: usize, scale: u64) -> Vec<u8> {
    let info = el(INFO, &cat(&[uint(TIMECODE_SCALE, scale), string(0x4D80, "libwebm"), string(0x5741, "test")]));
    let void = void_of_len(void_len).unwrap();
    let seek = |id: u32, pos: u64| el(SEEK, &cat(&[el(SEEK_ID, &id.to_be_bytes()), el(SEEK_POSITION, &[(pos >> 8) as u8, pos as u8])]));
    // SeekHead has a fixed size whatever the positions: 2-byte SeekPositions.
    let head_len = el(SEEK_HEAD, &cat(&[seek(INFO, 0), seek(TRACKS, 0)])).len() as u64;
    let head = el(SEEK_HEAD, &cat(&[seek(INFO, head_len), seek(TRACKS, head_len + (info.len() + void.len()) as u64)]));
    let body = cat(&[head, info, void, opus_tracks(0), clusters()]);
    cat(&[ebml_header(0), el_w(SEGMENT, 8, &body)])
}

/// The Duration Info holds, in ms, and the scale.
fn duration_of(file: &[u8]) -> Option<f64> {
    let l = layout(file)?;
    let info = Element::read(file, l.info.start)?;
    let kids = children(file, &info)?;
    let scale = kids.iter().find(|c| c.id == TIMECODE_SCALE).map(|c| read_uint(&file[c.data..c.end(file).unwrap().unwrap()]).unwrap());
    let d = kids.iter().find(|c| c.id == DURATION)?;
    let body = &file[d.data..d.end(file)??];
    let ticks = match body.len() {
        8 => f64::from_be_bytes(body.try_into().ok()?),
        4 => f64::from(f32::from_be_bytes(body.try_into().ok()?)),
        _ => return None,
    };
    Some(ticks * scale.unwrap_or(DEFAULT_TIMECODE_SCALE) as f64 / 1e6)
}

fn check_patched(original: &[u8], duration_ms: f64) -> Vec<u8> {
    let patch = patch_duration(original, duration_ms).expect("patchable");
    let patched = patch.apply(original);
    assert_eq!(duration_of(&patched), Some(duration_ms));
    let (a, b) = (layout(original).unwrap(), layout(&patched).unwrap());
    // Everything before Info and after the replaced bytes is unchanged.
    assert_eq!(&patched[..a.segment], &original[..a.segment]);
    assert_eq!(&patched[patched.len() - (original.len() - patch.replace_len)..], &original[patch.replace_len..]);
    // Info keeps its children, and gains only the Duration.
    let kids = |f: &[u8], l: &Layout| -> Vec<Vec<u8>> {
        let info = Element::read(f, l.info.start).unwrap();
        children(f, &info).unwrap().iter().filter(|c| c.id != DURATION).map(|c| f[c.start..c.end(f).unwrap().unwrap()].to_vec()).collect()
    };
    assert_eq!(kids(original, &a), kids(&patched, &b));
    // Tracks and the clusters are byte-for-byte the same.
    let tracks = |f: &[u8], l: &Layout| f[l.tracks.clone().unwrap()].to_vec();
    assert_eq!(tracks(original, &a), tracks(&patched, &b));
    assert_eq!(&patched[b.first_cluster.unwrap()..], &original[a.first_cluster.unwrap()..]);
    // Patching again is the same patch, in place.
    let again = patch_duration(&patched, duration_ms).unwrap();
    assert_eq!(again.bytes.len(), again.replace_len);
    assert_eq!(again.apply(&patched), patched);
    patched
}

#[test]
fn chrome_gets_a_duration() {
    let original = chrome();
    let patch = patch_duration(&original, 12_345.0).unwrap();
    let l = layout(&original).unwrap();
    assert_eq!(patch.replace_len, l.info.end, "only the header up to Info's end is touched");
    assert_eq!(patch.bytes.len(), patch.replace_len + 11);
    let info = el(INFO, &cat(&[uint(TIMECODE_SCALE, 1_000_000), string(0x4D80, "Chrome"), string(0x5741, "Chrome"), float(DURATION, 12_345.0)]));
    assert_eq!(&patch.bytes[l.info.start..], &info[..]);
    check_patched(&original, 12_345.0);
    check_patched(&original, 0.0);
    check_patched(&original, 60_000.5);
}

#[test]
fn firefox_gets_a_duration_and_keeps_its_size_widths() {
    let original = firefox(None);
    let patched = check_patched(&original, 4_321.0);
    let l = layout(&patched).unwrap();
    assert_eq!(patched[l.info.start + 4], 0x01, "Info's 8-byte size stays 8 bytes");
    assert_eq!(patched.len(), original.len() + 11);
}

#[test]
fn an_existing_duration_is_overwritten_in_place() {
    let original = firefox(Some(0.0));
    let patch = patch_duration(&original, 9_999.0).unwrap();
    assert_eq!(patch.bytes.len(), patch.replace_len);
    let patched = check_patched(&original, 9_999.0);
    assert_eq!(patched.len(), original.len());
    // A 4-byte float Duration stays 4 bytes.
    let short = cat(&[
        ebml_header(0),
        unknown_size(SEGMENT),
        el(INFO, &cat(&[uint(TIMECODE_SCALE, 1_000_000), el(DURATION, &1.0f32.to_be_bytes())])),
        opus_tracks(0),
        clusters(),
    ]);
    let patched = check_patched(&short, 2_500.0);
    assert_eq!(patched.len(), short.len());
}

#[test]
fn a_void_after_info_gives_up_the_room() {
    for void_len in [11, 13, 40, 200] {
        let original = with_seek_head(void_len, 1_000_000);
        let patch = patch_duration(&original, 7_000.0).unwrap();
        assert_eq!(patch.bytes.len(), patch.replace_len, "nothing moves ({void_len})");
        let patched = check_patched(&original, 7_000.0);
        assert_eq!(patched.len(), original.len());
        assert_eq!(&patched[..layout(&original).unwrap().info.start], &original[..layout(&original).unwrap().info.start]);
    }
}

#[test]
fn without_room_the_segment_size_and_seek_head_follow() {
    for void_len in [0, 2, 12] {
        let original = with_seek_head(void_len, 1_000_000);
        let patched = check_patched(&original, 1_500.0);
        assert_eq!(patched.len(), original.len() + 11);
        let l = layout(&patched).unwrap();
        assert_eq!(l.segment_size, Some((patched.len() - l.segment_data) as u64));
        let head = Element::read(&patched, l.seek_heads[0].start).unwrap();
        for seek in children(&patched, &head).unwrap() {
            let kids = children(&patched, &seek).unwrap();
            let id = read_uint(&patched[kids[0].data..kids[0].end(&patched).unwrap().unwrap()]).unwrap();
            let pos = read_uint(&patched[kids[1].data..kids[1].end(&patched).unwrap().unwrap()]).unwrap();
            let target = Element::read(&patched, l.segment_data + pos as usize).unwrap();
            assert_eq!(u64::from(target.id), id, "SeekHead points at the moved element");
        }
    }
}

#[test]
fn the_timecode_scale_is_honoured() {
    let original = with_seek_head(0, 500_000);
    let patched = check_patched(&original, 3_000.0);
    let l = layout(&patched).unwrap();
    let d = patched[l.info.end - 8..l.info.end].try_into().unwrap();
    assert_eq!(f64::from_be_bytes(d), 6_000.0, "ticks of 0.5 ms");
}

#[test]
fn the_layout_finds_tracks_and_the_first_cluster() {
    let file = chrome();
    let l = layout(&file).unwrap();
    let cluster = file.windows(4).position(|w| w == CLUSTER.to_be_bytes()).unwrap();
    assert_eq!(l.first_cluster, Some(cluster));
    assert_eq!(l.tracks.clone().unwrap().end, cluster);
    assert_eq!(first_cluster_offset(&file), Some(cluster));
    assert_eq!(l.segment_size, None);
    assert!(cluster < header_len_needed());
    assert_eq!(first_cluster_offset(&file[..cluster]), None, "cut before the cluster");
}

#[test]
fn garbage_and_odd_files_give_none() {
    let file = chrome();
    assert_eq!(patch_duration(&[], 1.0), None);
    assert_eq!(patch_duration(b"OggS\0\x02", 1.0), None);
    assert_eq!(patch_duration(&file, f64::NAN), None);
    assert_eq!(patch_duration(&file, -1.0), None);
    assert_eq!(patch_duration(&file, f64::INFINITY), None);
    let mut not_webm = file.clone();
    let at = not_webm.windows(4).position(|w| w == b"webm").unwrap();
    not_webm[at..at + 4].copy_from_slice(b"mp4a");
    assert_eq!(patch_duration(&not_webm, 1.0), None);
    // A file with Cues can't have its clusters moved.
    let l = layout(&file).unwrap();
    let cues = cat(&[file[..l.info.end].to_vec(), el(CUES, &[]), file[l.info.end..].to_vec()]);
    assert_eq!(patch_duration(&cues, 1.0), None);
    // Two Infos, or a CRC in Info: not ours to edit.
    let two = cat(&[file[..l.info.end].to_vec(), file[l.info.clone()].to_vec(), file[l.info.end..].to_vec()]);
    assert_eq!(patch_duration(&two, 1.0), None);
    let crc = cat(&[ebml_header(0), unknown_size(SEGMENT), el(INFO, &cat(&[el(CRC32, &[1, 2, 3, 4]), uint(TIMECODE_SCALE, 1_000_000)])), opus_tracks(0)]);
    assert_eq!(patch_duration(&crc, 1.0), None);
    // Nothing known after Info: wait for more bytes.
    assert_eq!(patch_duration(&file[..l.info.end], 1.0), None);
}

#[test]
fn a_real_chrome_header() {
    let l = layout(&REAL_CHROME).unwrap();
    assert_eq!((l.segment_size, l.info.clone(), l.first_cluster), (None, 0x30..0x4E, Some(0x92)));
    assert_eq!(l.tracks, Some(0x4E..0x92));
    let patch = patch_duration(&REAL_CHROME, 1_000.0).unwrap();
    assert_eq!((patch.replace_len, patch.bytes.len()), (0x4E, 0x4E + 11));
    assert_eq!(&patch.bytes[0x30..0x35], &[0x15, 0x49, 0xA9, 0x66, 0x99 + 11]);
    assert_eq!(&patch.bytes[0x4E..], &[0x44, 0x89, 0x88, 0x40, 0x8F, 0x40, 0, 0, 0, 0, 0]);
    check_patched(&REAL_CHROME, 1_000.0);
}

#[test]
#[allow(clippy::single_range_in_vec_init)] // a list of seek heads that happens to hold one
fn a_real_firefox_header() {
    let l = layout(&REAL_FIREFOX).unwrap();
    assert_eq!((l.seek_heads.clone(), l.info.clone(), l.first_cluster), (vec![0x37..0x43], 0x43..0x98, Some(0x104)));
    let patch = patch_duration(&REAL_FIREFOX, 1_000.0).unwrap();
    assert_eq!((patch.replace_len, patch.bytes.len()), (0x61, 0x61), "the zero Duration is overwritten");
    assert_eq!(&patch.bytes[0x59..], &1_000f64.to_be_bytes());
    check_patched(&REAL_FIREFOX, 1_000.0);
}

#[test]
fn every_truncation_is_none_or_the_same_patch() {
    for file in [REAL_CHROME.to_vec(), chrome(), firefox(None), firefox(Some(5.0)), with_seek_head(0, 1_000_000), with_seek_head(20, 1_000_000)] {
        let full = patch_duration(&file, 1_234.0).unwrap();
        for len in 0..file.len() {
            match patch_duration(&file[..len], 1_234.0) {
                None => {}
                Some(p) => {
                    assert!(p.replace_len <= len);
                    assert_eq!(p.apply(&file), full.apply(&file), "cut at {len}");
                }
            }
        }
    }
}

#[test]
fn void_lengths() {
    assert_eq!(void_of_len(0), Some(vec![]));
    assert_eq!(void_of_len(1), None);
    assert_eq!(void_of_len(2), Some(vec![0xEC, 0x80]));
    for len in 2..400 {
        let v = void_of_len(len).unwrap();
        let e = Element::read(&v, 0).unwrap();
        assert_eq!((e.id, e.end(&v)), (VOID, Some(Some(len))), "{len}");
    }
}

proptest! {
    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600), ms in any::<f64>()) {
        let _ = layout(&bytes);
        if let Some(p) = patch_duration(&bytes, ms) {
            prop_assert!(p.replace_len <= bytes.len());
        }
        // And behind a valid EBML header and Segment start, to get further in.
        let mut deeper = cat(&[ebml_header(0), unknown_size(SEGMENT)]);
        deeper.extend(&bytes);
        if let Some(p) = patch_duration(&deeper, 1.0) {
            prop_assert!(p.replace_len <= deeper.len());
        }
    }

    #[test]
    fn corrupted_headers_never_panic(
        which in 0usize..6,
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut file = [REAL_CHROME.to_vec(), REAL_FIREFOX.to_vec(), chrome(), firefox(None), with_seek_head(0, 1_000_000), with_seek_head(30, 1_000_000)]
            [which]
            .clone();
        for (i, b) in flips {
            let i = i.index(file.len());
            file[i] = b;
        }
        file.truncate(cut.index(file.len() + 1));
        if let Some(p) = patch_duration(&file, 2_000.0) {
            prop_assert!(p.replace_len <= file.len());
            let d = duration_of(&p.apply(&file));
            prop_assert!(d.is_some_and(|d| (d - 2_000.0).abs() < 1e-3 * 2_000.0), "{:?}", d);
        }
    }
}
