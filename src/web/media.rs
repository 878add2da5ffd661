//! The microphone (`getUserMedia`), `MediaRecorder` and the level meter, as owned values that
//! release what they hold when dropped.

use js_sys::Reflect;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    AnalyserNode, AudioContext, ConstrainDomStringParameters, MediaRecorder, MediaRecorderOptions, MediaStream, MediaStreamConstraints, MediaStreamTrack,
    MediaTrackConstraints, MediaTrackSettings,
};

use super::js::exception_parts;
use crate::core::device::media_exception_code;
use crate::core::errors::{ErrorCode, SdkError};
use crate::core::format::{negotiate, FormatPreference, RecordingPlan};
use crate::core::waveform;

fn global_has(name: &str) -> bool {
    Reflect::has(&js_sys::global(), &JsValue::from_str(name)).unwrap_or(false)
}

fn secure_context() -> bool {
    Reflect::get(&js_sys::global(), &"isSecureContext".into()).ok().and_then(|v| v.as_bool()).unwrap_or(false)
}

fn media_devices() -> Option<web_sys::MediaDevices> {
    let navigator = web_sys::window()?.navigator();
    // `mediaDevices` is missing outside secure contexts, so ask before web-sys unwraps it.
    let devices = Reflect::get(&navigator, &"mediaDevices".into()).ok()?;
    if devices.is_undefined() || devices.is_null() {
        return None;
    }
    Some(devices.unchecked_into())
}

/// How this browser will record `pref`, or why it cannot (`NOT_SUPPORTED`).
pub fn recording_plan(pref: FormatPreference) -> Result<RecordingPlan, SdkError> {
    if !secure_context() {
        return Err(SdkError::new(ErrorCode::NotSupported, "recording needs a secure context (https or localhost)"));
    }
    if media_devices().is_none() {
        return Err(SdkError::new(ErrorCode::NotSupported, "navigator.mediaDevices is not available"));
    }
    let media_recorder = global_has("MediaRecorder");
    let is_supported: &dyn Fn(&str) -> bool = &MediaRecorder::is_type_supported;
    negotiate(pref, media_recorder.then_some(is_supported), has_web_audio())
}

/// What `getUserMedia` is asked for besides the device (`RecorderOptions.audio`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AudioOptions {
    /// Cancel the speaker's echo (`echoCancellation`).
    pub echo_cancellation: bool,
    /// Reduce background noise (`noiseSuppression`).
    pub noise_suppression: bool,
    /// Level the input (`autoGainControl`).
    pub auto_gain_control: bool,
    /// Channels asked for (`channelCount`).
    pub channel_count: u32,
}

impl Default for AudioOptions {
    /// Tuned for voice: the browser's processing on, mono.
    fn default() -> Self {
        AudioOptions { echo_cancellation: true, noise_suppression: true, auto_gain_control: true, channel_count: 1 }
    }
}

/// An open microphone. Dropping it stops every track.
#[derive(Debug)]
pub struct Microphone {
    stream: MediaStream,
}

impl Microphone {
    /// Asks for the microphone `device_id` (else the browser's choice) with `audio`'s processing.
    pub async fn open(device_id: Option<&str>, audio: &AudioOptions) -> Result<Microphone, SdkError> {
        let devices = media_devices().ok_or_else(|| SdkError::new(ErrorCode::NotSupported, "navigator.mediaDevices is not available"))?;
        let constraints = MediaTrackConstraints::new();
        if let Some(id) = device_id {
            let exact = ConstrainDomStringParameters::new();
            exact.set_exact_str(id);
            constraints.set_device_id_constrain_dom_string_parameters(&exact);
        }
        constraints.set_channel_count_i32(audio.channel_count as i32);
        constraints.set_echo_cancellation_bool(audio.echo_cancellation);
        constraints.set_noise_suppression_bool(audio.noise_suppression);
        constraints.set_auto_gain_control_bool(audio.auto_gain_control);
        let request = MediaStreamConstraints::new();
        request.set_audio_media_track_constraints(&constraints);
        request.set_video_bool(false);
        let promise = devices.get_user_media_with_constraints(&request).map_err(|e| media_error(&e))?;
        let stream: MediaStream = JsFuture::from(promise).await.map_err(|e| media_error(&e))?.unchecked_into();
        Ok(Microphone { stream })
    }

    /// The stream the encoder and the meter read.
    pub fn stream(&self) -> &MediaStream {
        &self.stream
    }

    /// The stream's tracks.
    pub fn tracks(&self) -> Vec<MediaStreamTrack> {
        self.stream.get_tracks().iter().map(|t| t.unchecked_into()).collect()
    }

    /// What the browser applied (`track.getSettings()` of the first track).
    pub fn settings(&self) -> Option<TrackSettings> {
        let track = self.tracks().into_iter().next()?;
        track.unchecked_ref::<SettingsOf>().get_settings().ok().map(|s| TrackSettings::read(&s))
    }

    /// Stops every track (the browser's recording indicator goes out).
    pub fn stop(&self) {
        for track in self.tracks() {
            track.stop();
        }
    }
}

impl Drop for Microphone {
    fn drop(&mut self) {
        self.stop();
    }
}

#[wasm_bindgen]
extern "C" {
    /// A track, to call `getSettings()` caught: a browser without it leaves no settings.
    type SettingsOf;
    #[wasm_bindgen(method, catch, js_name = getSettings)]
    fn get_settings(this: &SettingsOf) -> Result<MediaTrackSettings, JsValue>;
    /// The audio settings web-sys's `MediaTrackSettings` does not list.
    #[wasm_bindgen(extends = MediaTrackSettings)]
    type AudioSettings;
    #[wasm_bindgen(method, getter, js_name = groupId)]
    fn group_id(this: &AudioSettings) -> Option<String>;
    #[wasm_bindgen(method, getter, js_name = sampleRate)]
    fn sample_rate(this: &AudioSettings) -> Option<f64>;
    #[wasm_bindgen(method, getter, js_name = sampleSize)]
    fn sample_size(this: &AudioSettings) -> Option<f64>;
    #[wasm_bindgen(method, getter)]
    fn latency(this: &AudioSettings) -> Option<f64>;
    #[wasm_bindgen(method, getter, js_name = voiceIsolation)]
    fn voice_isolation(this: &AudioSettings) -> Option<bool>;
}

/// What the browser applied to the microphone (`track.getSettings()`): each field is `None`
/// where the browser does not report it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TrackSettings {
    /// `deviceId`.
    pub device_id: Option<String>,
    /// `groupId`.
    pub group_id: Option<String>,
    /// `sampleRate`, in Hz.
    pub sample_rate: Option<f64>,
    /// `sampleSize`, in bits.
    pub sample_size: Option<f64>,
    /// `channelCount`.
    pub channel_count: Option<i32>,
    /// `echoCancellation`.
    pub echo_cancellation: Option<bool>,
    /// `noiseSuppression`.
    pub noise_suppression: Option<bool>,
    /// `autoGainControl`.
    pub auto_gain_control: Option<bool>,
    /// `voiceIsolation`.
    pub voice_isolation: Option<bool>,
    /// `latency`, in seconds.
    pub latency: Option<f64>,
}

impl TrackSettings {
    fn read(s: &MediaTrackSettings) -> TrackSettings {
        let audio: &AudioSettings = s.unchecked_ref();
        TrackSettings {
            device_id: s.get_device_id(),
            group_id: audio.group_id(),
            sample_rate: audio.sample_rate(),
            sample_size: audio.sample_size(),
            channel_count: s.get_channel_count(),
            echo_cancellation: s.get_echo_cancellation(),
            noise_suppression: s.get_noise_suppression(),
            auto_gain_control: s.get_auto_gain_control(),
            voice_isolation: audio.voice_isolation(),
            latency: audio.latency(),
        }
    }
}

/// A microphone the browser lists (`sdk.listMicrophones()`).
#[derive(Clone, Debug, PartialEq)]
pub struct MicrophoneInfo {
    /// The browser's id for it (`deviceId`).
    pub device_id: String,
    /// Empty until the person has granted the microphone once (the browser's rule).
    pub label: String,
    /// The one the browser uses when none is chosen.
    pub is_default: bool,
}

/// The microphones `enumerateDevices()` lists: one entry per audio input (before permission
/// some browsers give empty ids and labels). The default is the one Chromium calls `default`,
/// else the first.
pub async fn microphones() -> Result<Vec<MicrophoneInfo>, SdkError> {
    let devices = media_devices().ok_or_else(|| SdkError::new(ErrorCode::NotSupported, "navigator.mediaDevices is not available"))?;
    let list = JsFuture::from(devices.enumerate_devices().map_err(|e| media_error(&e))?).await.map_err(|e| media_error(&e))?;
    let text = |d: &JsValue, k: &str| Reflect::get(d, &JsValue::from_str(k)).ok().and_then(|v| v.as_string()).unwrap_or_default();
    let inputs: Vec<JsValue> = js_sys::Array::from(&list).iter().filter(|d| text(d, "kind") == "audioinput").collect();
    let default = inputs.iter().position(|d| text(d, "deviceId") == "default").unwrap_or(0);
    Ok(inputs.iter().enumerate().map(|(i, d)| MicrophoneInfo { device_id: text(d, "deviceId"), label: text(d, "label"), is_default: i == default }).collect())
}

/// Calls `on_change` whenever the browser's devices change; dropping it stops that.
pub fn on_devices_change(on_change: impl FnMut() + 'static) -> Option<gloo_events::EventListener> {
    let devices = media_devices()?;
    let mut on_change = on_change;
    Some(gloo_events::EventListener::new(&devices, "devicechange", move |_| on_change()))
}

/// A `getUserMedia` or `MediaRecorder` exception as an `SdkError`.
pub fn media_error(value: &JsValue) -> SdkError {
    let (name, message) = exception_parts(value);
    let code = media_exception_code(&name);
    SdkError::new(code, if name.is_empty() { message } else { format!("{name}: {message}") })
}

/// A `MediaRecorder` on `stream` for `plan` at `bits_per_second`; a type it refuses is `NOT_SUPPORTED`.
pub fn media_recorder(stream: &MediaStream, plan: RecordingPlan, bits_per_second: u32) -> Result<MediaRecorder, SdkError> {
    let options = MediaRecorderOptions::new();
    options.set_mime_type(plan.mime_type);
    options.set_audio_bits_per_second(bits_per_second);
    MediaRecorder::new_with_media_stream_and_media_recorder_options(stream, &options).map_err(|e| {
        let mut err = media_error(&e);
        if err.code == ErrorCode::RecordingFailed || err.code == ErrorCode::MicrophoneNotFound {
            err.code = ErrorCode::NotSupported;
        }
        err
    })
}

/// The recorder's `AudioContext`, for the level meter and the WAV capture. It is created and
/// resumed synchronously inside `start()`, before any await, so that Safari counts the click
/// that called it; dropping it closes it.
#[derive(Debug)]
pub struct AudioGraph {
    context: AudioContext,
}

impl AudioGraph {
    /// A new, resumed context (`RECORDING_FAILED` without Web Audio).
    pub fn new() -> Result<AudioGraph, SdkError> {
        let context = AudioContext::new().map_err(|e| {
            let err = media_error(&e);
            SdkError::new(ErrorCode::RecordingFailed, format!("Web Audio is not available: {}", err.message))
        })?;
        // Autoplay policies may create the context suspended; a meter reading zeros is useless.
        let _ = context.resume();
        Ok(AudioGraph { context })
    }

    /// The context, to build nodes in.
    pub fn context(&self) -> &AudioContext {
        &self.context
    }
}

impl Drop for AudioGraph {
    fn drop(&mut self) {
        let _ = self.context.close();
    }
}

/// Reads the input level through an `AnalyserNode` in the recorder's graph.
#[derive(Debug)]
pub struct LevelMeter {
    analyser: AnalyserNode,
    samples: Vec<f32>,
    levels: Vec<f64>,
    /// How long one block of samples (one measurement) lasts, in ms.
    pub block_ms: f64,
}

impl LevelMeter {
    /// A meter on `stream` in `context`, its window most of the time between two ticks.
    pub fn new(context: &AudioContext, stream: &MediaStream) -> Result<LevelMeter, JsValue> {
        let source = context.create_media_stream_source(stream)?;
        let analyser = context.create_analyser()?;
        let rate = f64::from(context.sample_rate());
        let window = waveform::window_samples(rate);
        analyser.set_fft_size(window);
        source.connect_with_audio_node(&analyser)?;
        let block_ms = f64::from(waveform::BLOCK_SAMPLES) * 1000.0 / rate;
        Ok(LevelMeter { analyser, samples: vec![0.0; window as usize], levels: Vec::new(), block_ms })
    }

    /// The levels (0 to 1) of the latest blocks of samples, oldest first: the last is the level
    /// now. One read of the analyser gives the waveform several measurements.
    pub fn read(&mut self) -> &[f64] {
        self.analyser.get_float_time_domain_data(&mut self.samples);
        self.levels.clear();
        self.levels.extend(self.samples.chunks(waveform::BLOCK_SAMPLES as usize).map(crate::core::level::level));
        &self.levels
    }
}

#[wasm_bindgen(module = "/js/platform.js")]
extern "C" {
    #[wasm_bindgen(js_name = openCapture, catch)]
    async fn open_capture(stream: &MediaStream, on_block: &js_sys::Function, assets_url: Option<&str>, context: &AudioContext) -> Result<JsValue, JsValue>;
    /// What `openCapture` resolves with.
    type CaptureHandle;
    #[wasm_bindgen(method, getter, js_name = sampleRate)]
    fn sample_rate(this: &CaptureHandle) -> f64;
    #[wasm_bindgen(method)]
    fn finish(this: &CaptureHandle) -> js_sys::Promise;
    #[wasm_bindgen(method)]
    fn close(this: &CaptureHandle);
    /// Whether the browser has Web Audio (the WAV path and the level meter need it).
    #[wasm_bindgen(js_name = hasWebAudio)]
    pub fn has_web_audio() -> bool;
}

/// The WAV path's capture: the microphone through Web Audio into the WAV encoder's own wasm on
/// the audio thread (`js/capture-worklet.js`, `worklet/`), which hands `on_block` blocks of
/// 16 kHz 16-bit WAV data (without the header, which the recorder writes for what it kept).
/// Dropping it disconnects it from the recorder's graph.
pub struct WavCapture {
    handle: CaptureHandle,
    /// The rate the worklet captures at, in Hz.
    pub sample_rate: u32,
    _on_block: Closure<dyn FnMut(js_sys::Uint8Array)>,
}

impl WavCapture {
    /// Loads the worklet and the encoder's wasm from `assets_url` (by default next to the
    /// package's entry) and starts capturing. A microphone rate the encoder cannot resample is
    /// `NOT_SUPPORTED`; anything else that fails is `RECORDING_FAILED`.
    pub async fn open(
        context: &AudioContext,
        stream: &MediaStream,
        assets_url: Option<&str>,
        on_block: Closure<dyn FnMut(js_sys::Uint8Array)>,
    ) -> Result<WavCapture, SdkError> {
        let handle = open_capture(stream, on_block.as_ref().unchecked_ref(), assets_url, context).await.map_err(|e| {
            let mut err = media_error(&e);
            if err.code != ErrorCode::NotSupported {
                err.code = ErrorCode::RecordingFailed;
            }
            err
        })?;
        let handle: CaptureHandle = handle.unchecked_into();
        let sample_rate = handle.sample_rate() as u32;
        Ok(WavCapture { handle, sample_rate, _on_block: on_block })
    }

    /// Stops capturing and returns the encoder's last data (what it had not handed over yet and
    /// the resampler's tail), or `None` if the audio thread did not answer within a second.
    /// Disconnects either way.
    pub async fn finish(self) -> Option<js_sys::Uint8Array> {
        JsFuture::from(self.handle.finish()).await.ok()?.dyn_into::<js_sys::Uint8Array>().ok()
    }
}

// By hand: the JS handle has no Debug.
impl std::fmt::Debug for WavCapture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WavCapture").field("sample_rate", &self.sample_rate).finish_non_exhaustive()
    }
}

impl Drop for WavCapture {
    fn drop(&mut self) {
        self.handle.close();
    }
}
