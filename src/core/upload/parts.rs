//! How a file travels in parts: which files are multipart and the byte range of each part.

use crate::core::limits::MULTIPART_THRESHOLD;

/// True when a file of this size is sent in parts (above 5 MiB).
pub fn wants_multipart(file_size: u64) -> bool {
    file_size > MULTIPART_THRESHOLD
}

/// The inclusive byte ranges of a multipart upload: parts of `part_size` bytes (never less than
/// 5 MiB, the smallest part storage accepts), the last one smaller. No parts for an empty file.
pub fn plan_parts(file_size: u64, part_size: u64) -> Vec<(u64, u64)> {
    let part_size = part_size.max(MULTIPART_THRESHOLD);
    (0..file_size.div_ceil(part_size))
        .map(|i| {
            let start = i * part_size;
            (start, (start + part_size).min(file_size) - 1)
        })
        .collect()
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    const MIB5: u64 = MULTIPART_THRESHOLD;

    #[test]
    fn plan_parts_edges() {
        assert!(plan_parts(0, MIB5).is_empty());
        assert_eq!(plan_parts(1, MIB5), vec![(0, 0)]);
        assert_eq!(plan_parts(MIB5, MIB5), vec![(0, MIB5 - 1)]);
        assert_eq!(plan_parts(MIB5 + 1, MIB5), vec![(0, MIB5 - 1), (MIB5, MIB5)]);
        assert_eq!(plan_parts(2 * MIB5, MIB5), vec![(0, MIB5 - 1), (MIB5, 2 * MIB5 - 1)]);
        assert_eq!(plan_parts(2 * MIB5 - 1, MIB5), vec![(0, MIB5 - 1), (MIB5, 2 * MIB5 - 2)]);
        // 12 MB: two full parts and a short third.
        let parts = plan_parts(12_000_000, MIB5);
        assert_eq!(parts, vec![(0, 5_242_879), (5_242_880, 10_485_759), (10_485_760, 11_999_999)]);
    }

    #[test]
    fn plan_parts_never_cuts_below_five_mib() {
        assert_eq!(plan_parts(12_000_000, 1000), plan_parts(12_000_000, MIB5));
        assert_eq!(plan_parts(25_000_000, 10_000_000), vec![(0, 9_999_999), (10_000_000, 19_999_999), (20_000_000, 24_999_999)]);
    }

    #[test]
    fn plan_parts_cover_every_byte_once() {
        for size in [1, 7, MIB5 - 1, MIB5, MIB5 + 1, 3 * MIB5, 3 * MIB5 + 17, 25_000_000] {
            for part in [MIB5, MIB5 + 3, 8_000_000] {
                let parts = plan_parts(size, part);
                let mut next = 0;
                for (i, &(s, e)) in parts.iter().enumerate() {
                    assert_eq!(s, next, "{size}/{part}");
                    assert!(e >= s);
                    let len = e - s + 1;
                    if i + 1 < parts.len() {
                        assert_eq!(len, part.max(MIB5));
                    } else {
                        assert!(len <= part.max(MIB5));
                    }
                    next = e + 1;
                }
                assert_eq!(next, size);
            }
        }
    }

    #[test]
    fn multipart_is_above_five_mib() {
        assert!(!wants_multipart(MIB5));
        assert!(wants_multipart(MIB5 + 1));
    }
}
