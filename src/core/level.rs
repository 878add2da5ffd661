//! The input level shown to a person: RMS of the latest samples on a -60..0 dBFS scale.

/// 0 for silence (or anything under -60 dBFS), 1 for a full-scale signal.
pub fn level(samples: &[f32]) -> f64 {
    if samples.is_empty() {
        return 0.0;
    }
    let mean_square = samples.iter().map(|s| f64::from(*s) * f64::from(*s)).sum::<f64>() / samples.len() as f64;
    let rms = mean_square.sqrt();
    if !rms.is_finite() || rms <= 0.0 {
        return 0.0;
    }
    ((20.0 * rms.log10() + 60.0) / 60.0).clamp(0.0, 1.0)
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn silence_is_zero_and_full_scale_is_one() {
        assert_eq!(level(&[]), 0.0);
        assert_eq!(level(&[0.0; 128]), 0.0);
        assert_eq!(level(&[1.0, -1.0, 1.0, -1.0]), 1.0);
        assert_eq!(level(&[f32::NAN; 4]), 0.0);
    }

    #[test]
    fn minus_thirty_dbfs_is_half_way() {
        let a = 10f32.powf(-30.0 / 20.0);
        let l = level(&[a, -a, a, -a]);
        assert!((l - 0.5).abs() < 1e-6, "{l}");
    }
}
