//! The capture worklet's wasm (`vocafuse_wav.wasm`): `vocafuse-dsp`'s `WavStream` behind a C
//! ABI, instantiated by `js/capture-worklet.js` on the audio rendering thread (or on the main
//! thread behind the ScriptProcessor fallback). No wasm-bindgen: five exports and the memory.
//!
//! One instance encodes one recording: `create(rate)` returns where to write input samples,
//! `push(n)` encodes `n` of them and returns how many bytes of 16 kHz WAV data it left at
//! `output()`, `finish()` does the same for the resampler's tail. The header is the SDK's
//! (it knows how much data it kept).

#![cfg(target_arch = "wasm32")]
#![no_std]

extern crate alloc;

use alloc::vec;
use alloc::vec::Vec;
use core::alloc::{GlobalAlloc, Layout};
use core::cell::{Cell, RefCell};
use core::ptr::null_mut;

use vocafuse_dsp::wav::WavStream;

/// The most samples one `push` takes: a render quantum is 128, a ScriptProcessor buffer 2048.
const MAX_BLOCK: usize = 4096;

struct Encoder {
    stream: WavStream,
    input: Vec<f32>,
    output: Vec<u8>,
}

/// The one encoder of this instance (the audio thread is the only thread).
struct Slot(RefCell<Option<Encoder>>);
unsafe impl Sync for Slot {}
static ENCODER: Slot = Slot(RefCell::new(None));

/// Starts a recording from `rate` Hz; returns where `push` reads its input (`MAX_BLOCK` floats),
/// or null for a rate the resampler does not take.
#[no_mangle]
pub extern "C" fn create(rate: u32) -> *mut f32 {
    let Ok(stream) = WavStream::new(rate) else { return null_mut() };
    // Room for a block upsampled from 8 kHz (2x) as 16-bit samples, so no push allocates it.
    let mut e = Encoder { stream, input: vec![0.0; MAX_BLOCK], output: Vec::with_capacity(4 * MAX_BLOCK + 64) };
    let at = e.input.as_mut_ptr();
    *ENCODER.0.borrow_mut() = Some(e);
    at
}

/// Encodes the first `n` input samples; returns the bytes of WAV data now at `output()`.
#[no_mangle]
pub extern "C" fn push(n: u32) -> u32 {
    let mut slot = ENCODER.0.borrow_mut();
    let Some(e) = slot.as_mut() else { return 0 };
    e.output.clear();
    e.stream.push_into(&e.input[..(n as usize).min(MAX_BLOCK)], &mut e.output);
    e.output.len() as u32
}

/// Ends the recording: the resampler's tail, as bytes at `output()`.
#[no_mangle]
pub extern "C" fn finish() -> u32 {
    let mut slot = ENCODER.0.borrow_mut();
    let Some(e) = slot.as_mut() else { return 0 };
    e.output.clear();
    e.stream.finish_into(&mut e.output);
    e.output.len() as u32
}

/// Where the last `push` or `finish` left its bytes.
#[no_mangle]
pub extern "C" fn output() -> *const u8 {
    ENCODER.0.borrow().as_ref().map_or(core::ptr::null(), |e| e.output.as_ptr())
}

/// A bump allocator: the encoder allocates its filter, buffers and history once, when it starts
/// (the history settles at its largest size within a few blocks), so freeing memory would buy
/// nothing; the last block is freed or grown in place. A few hundred bytes of code instead of an
/// allocator's few KB.
struct Bump {
    next: Cell<usize>,
    end: Cell<usize>,
}
unsafe impl Sync for Bump {}

const PAGE: usize = 65_536;

extern "C" {
    /// Where the linker put the end of the static data and the stack: the heap starts here.
    static __heap_base: u8;
}

impl Bump {
    /// Makes `[start, end)` available; false when memory cannot grow.
    fn reserve(&self, end: usize) -> bool {
        if self.end.get() == 0 {
            self.next.set(core::ptr::addr_of!(__heap_base) as usize);
            self.end.set(core::arch::wasm32::memory_size(0) * PAGE);
        }
        if end > self.end.get() {
            let pages = (end - self.end.get()).div_ceil(PAGE);
            if core::arch::wasm32::memory_grow(0, pages) == usize::MAX {
                return false;
            }
            self.end.set(self.end.get() + pages * PAGE);
        }
        true
    }
}

unsafe impl GlobalAlloc for Bump {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if !self.reserve(0) {
            return null_mut();
        }
        let start = self.next.get().next_multiple_of(layout.align());
        let Some(end) = start.checked_add(layout.size()) else { return null_mut() };
        if !self.reserve(end) {
            return null_mut();
        }
        self.next.set(end);
        start as *mut u8
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if ptr as usize + layout.size() == self.next.get() {
            self.next.set(ptr as usize);
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if ptr as usize + layout.size() == self.next.get() && self.reserve(ptr as usize + new_size) {
            self.next.set(ptr as usize + new_size);
            return ptr;
        }
        let new = self.alloc(Layout::from_size_align_unchecked(new_size, layout.align()));
        if !new.is_null() {
            core::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
        }
        new
    }
}

#[global_allocator]
static ALLOCATOR: Bump = Bump { next: Cell::new(0), end: Cell::new(0) };

/// A panic traps: the worklet reports the failed call (there is no console to print to, and
/// formatting the message would bring core::fmt into the wasm).
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}
