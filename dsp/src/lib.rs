//! The WAV path's signal processing, shared by the SDK (sizes, the header) and the capture
//! worklet's own small wasm (which runs it on the audio thread): resampling microphone PCM to
//! 16 kHz, and encoding it as 16-bit PCM WAV.
//!
//! `no_std` with `alloc` and no dependencies, so the worklet's wasm links neither std's panic
//! and formatting machinery nor an allocator it does not choose.

#![cfg_attr(not(test), no_std)]
#![deny(missing_debug_implementations)]

extern crate alloc;

pub mod resample;
pub mod wav;

/// The few float functions core lacks (they are std's). `sqrt` is IEEE 754's correctly rounded
/// square root on every target: std's where there is std, else the `sqrt` symbol that the
/// compiler's builtins provide on wasm32-unknown-unknown (LLVM makes it the `f64.sqrt`
/// instruction). The others are written out, exactly, for the ranges the filter design uses.
mod math {
    #[cfg(not(target_arch = "wasm32"))]
    extern crate std;

    #[cfg(not(target_arch = "wasm32"))]
    pub fn sqrt(x: f64) -> f64 {
        std::primitive::f64::sqrt(x)
    }

    #[cfg(target_arch = "wasm32")]
    pub fn sqrt(x: f64) -> f64 {
        extern "C" {
            fn sqrt(x: f64) -> f64;
        }
        // SAFETY: a pure function of its argument, from compiler-builtins' libm.
        unsafe { sqrt(x) }
    }

    /// The smallest whole number not below `x`, for `0 <= x < 2^53`.
    pub fn ceil(x: f64) -> f64 {
        let t = x as u64 as f64;
        if t < x {
            t + 1.0
        } else {
            t
        }
    }

    /// `x` rounded to the nearest whole number, ties to even, for |x| below 2^52.
    pub fn round_ties_even(x: f64) -> f64 {
        let t = x as i64;
        let frac = x - t as f64; // exact below 2^52
        let up = if x < 0.0 { -1 } else { 1 };
        let r = if frac.abs() > 0.5 || (frac.abs() == 0.5 && t % 2 != 0) { t + up } else { t };
        r as f64
    }

    /// Rounds half away from zero, as `f32::round`, for |x| below 2^31 (NaN gives 0): by the
    /// truncation, which is exact there, and the fraction it left.
    pub fn round_to_i32(x: f32) -> i32 {
        let t = x as i32;
        let frac = x - t as f32;
        if frac >= 0.5 {
            t + 1
        } else if frac <= -0.5 {
            t - 1
        } else {
            t
        }
    }

    #[cfg(test)]
    mod tests {
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn round_ties_even_is_std_s(x in -1.0e6f64..1.0e6, halves in -4000i32..4000) {
                prop_assert_eq!(super::round_ties_even(x), x.round_ties_even());
                let tie = f64::from(halves) + 0.5;
                prop_assert_eq!(super::round_ties_even(tie), tie.round_ties_even());
            }

            #[test]
            fn ceil_is_std_s(x in 0.0f64..1.0e9, n in 0u32..100_000) {
                prop_assert_eq!(super::ceil(x), x.ceil());
                prop_assert_eq!(super::ceil(f64::from(n)), f64::from(n));
            }
        }
    }
}
