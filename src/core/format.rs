//! Choosing what to record: only formats the service accepts, never `mp4`.

use super::errors::{ErrorCode, SdkError};

/// A container the service accepts (`audio_format` in PROTOCOL.md). The one place that maps a
/// format to its name, file extension and MIME type; the SDK and the development server read it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AudioFormat {
    /// WebM with Opus: what Chromium and Firefox record.
    Webm,
    /// Ogg with Opus: Firefox's other container.
    Ogg,
    /// 16-bit PCM WAV, encoded by the SDK where `MediaRecorder` has neither.
    Wav,
}

impl AudioFormat {
    /// Every format the service accepts, in the order its 2005 error lists them
    /// (`supported_formats`).
    pub const ALL: [AudioFormat; 3] = [AudioFormat::Webm, AudioFormat::Wav, AudioFormat::Ogg];

    /// The name on the wire (`audio_format`, `format`), lowercase.
    pub const fn as_str(self) -> &'static str {
        match self {
            AudioFormat::Webm => "webm",
            AudioFormat::Ogg => "ogg",
            AudioFormat::Wav => "wav",
        }
    }

    /// The file extension, without the dot: the wire name.
    pub const fn extension(self) -> &'static str {
        self.as_str()
    }

    /// The MIME type a file of this format is sent and served with (no codec parameter).
    pub const fn mime(self) -> &'static str {
        match self {
            AudioFormat::Webm => "audio/webm",
            AudioFormat::Ogg => "audio/ogg",
            AudioFormat::Wav => "audio/wav",
        }
    }

    /// The format of a wire name (`"webm"`), exactly as [`AudioFormat::as_str`] writes it.
    pub fn from_name(name: &str) -> Option<AudioFormat> {
        // A match, not a search of `ALL`: 77 bytes less wasm (a test checks the two agree).
        match name {
            "webm" => Some(AudioFormat::Webm),
            "ogg" => Some(AudioFormat::Ogg),
            "wav" => Some(AudioFormat::Wav),
            _ => None,
        }
    }

    /// The format of a MIME type a recorder reported, if it is one the service accepts.
    pub fn from_mime(mime: &str) -> Option<AudioFormat> {
        let essence = mime.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
        match essence.as_str() {
            "audio/webm" | "video/webm" => Some(AudioFormat::Webm),
            "audio/ogg" | "application/ogg" => Some(AudioFormat::Ogg),
            "audio/wav" | "audio/wave" | "audio/x-wav" => Some(AudioFormat::Wav),
            _ => None,
        }
    }
}

/// What the app asked for in `format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FormatPreference {
    /// The best format the browser records (`"auto"` or no `format`).
    Auto,
    /// This format or none.
    Only(AudioFormat),
}

impl FormatPreference {
    /// The `format` option: `"auto"`, a format's name, or absent (auto); anything else is `INVALID_CONFIG`.
    pub fn parse(value: Option<&str>) -> Result<Self, SdkError> {
        match value {
            None | Some("auto") => Ok(FormatPreference::Auto),
            Some(name) => AudioFormat::from_name(name)
                .map(FormatPreference::Only)
                .ok_or_else(|| SdkError::invalid_config(format!("format must be 'auto', 'webm', 'ogg' or 'wav', not '{name}'"))),
        }
    }
}

/// `MediaRecorder` MIME types worth asking for, best first. Opus is the codec for speech.
const MEDIA_RECORDER_TYPES: &[(AudioFormat, &str)] = &[
    (AudioFormat::Webm, "audio/webm;codecs=opus"),
    (AudioFormat::Webm, "audio/webm"),
    (AudioFormat::Ogg, "audio/ogg;codecs=opus"),
    (AudioFormat::Ogg, "audio/ogg"),
];

/// How a recording will be made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecordingPlan {
    /// What the recording will be.
    pub format: AudioFormat,
    /// The MIME type to ask `MediaRecorder` for.
    pub mime_type: &'static str,
}

impl RecordingPlan {
    /// Whether recording needs Web Audio: only WAV, whose PCM is captured through it. Without
    /// Web Audio any other recording still works, unmetered.
    pub fn needs_web_audio(self) -> bool {
        self.format == AudioFormat::Wav
    }
}

/// The WAV plan: PCM captured through Web Audio and encoded in Rust.
pub const WAV_PLAN: RecordingPlan = RecordingPlan { format: AudioFormat::Wav, mime_type: AudioFormat::Wav.mime() };

/// Picks how to record: a `MediaRecorder` type the browser supports (`is_supported` is
/// `MediaRecorder.isTypeSupported`, `None` without `MediaRecorder`), else WAV through Web Audio
/// when `wav_available`. Never mp4.
pub fn negotiate(pref: FormatPreference, is_supported: Option<&dyn Fn(&str) -> bool>, wav_available: bool) -> Result<RecordingPlan, SdkError> {
    let media = is_supported.and_then(|supported| {
        MEDIA_RECORDER_TYPES
            .iter()
            .filter(|(format, _)| pref == FormatPreference::Auto || pref == FormatPreference::Only(*format))
            .find(|(_, mime)| supported(mime))
            .map(|&(format, mime_type)| RecordingPlan { format, mime_type })
    });
    let wav_wanted = matches!(pref, FormatPreference::Auto | FormatPreference::Only(AudioFormat::Wav));
    media.or((wav_wanted && wav_available).then_some(WAV_PLAN)).ok_or_else(|| {
        let wanted = match pref {
            FormatPreference::Auto => "webm, ogg or wav",
            FormatPreference::Only(f) => f.as_str(),
        };
        SdkError::new(ErrorCode::NotSupported, format!("this browser cannot record {wanted} audio"))
    })
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn chromium_gets_webm_opus_and_firefox_too() {
        let chromium = |m: &str| m.starts_with("audio/webm");
        assert_eq!(negotiate(FormatPreference::Auto, Some(&chromium), true).unwrap().mime_type, "audio/webm;codecs=opus");
        let firefox = |m: &str| m.starts_with("audio/webm") || m.starts_with("audio/ogg");
        assert_eq!(negotiate(FormatPreference::Auto, Some(&firefox), true).unwrap().format, AudioFormat::Webm);
        let plan = negotiate(FormatPreference::Only(AudioFormat::Ogg), Some(&firefox), true).unwrap();
        assert_eq!((plan.format, plan.mime_type), (AudioFormat::Ogg, "audio/ogg;codecs=opus"));
        assert_eq!(negotiate(FormatPreference::Only(AudioFormat::Wav), Some(&firefox), true).unwrap(), WAV_PLAN);
    }

    #[test]
    fn only_wav_needs_web_audio_to_record() {
        assert!(WAV_PLAN.needs_web_audio());
        let chromium = |m: &str| m.starts_with("audio/webm");
        assert!(!negotiate(FormatPreference::Auto, Some(&chromium), true).unwrap().needs_web_audio(), "WebM records unmetered without it");
    }

    #[test]
    fn safari_with_only_mp4_records_wav_never_mp4() {
        let safari = |m: &str| m.starts_with("audio/mp4");
        assert_eq!(negotiate(FormatPreference::Auto, Some(&safari), true).unwrap(), WAV_PLAN);
        assert_eq!(negotiate(FormatPreference::Auto, None, true).unwrap(), WAV_PLAN);
        let err = negotiate(FormatPreference::Auto, Some(&safari), false).unwrap_err();
        assert_eq!(err.code, ErrorCode::NotSupported);
        let err = negotiate(FormatPreference::Only(AudioFormat::Wav), Some(&|_: &str| true), false).unwrap_err();
        assert_eq!(err.code, ErrorCode::NotSupported);
        assert!(err.message.contains("wav"));
        let err = negotiate(FormatPreference::Only(AudioFormat::Webm), Some(&safari), true).unwrap_err();
        assert_eq!(err.code, ErrorCode::NotSupported, "asking for webm never falls back to another format");
    }

    #[test]
    fn preferences_parse_strictly() {
        assert_eq!(FormatPreference::parse(None).unwrap(), FormatPreference::Auto);
        assert_eq!(FormatPreference::parse(Some("ogg")).unwrap(), FormatPreference::Only(AudioFormat::Ogg));
        assert_eq!(FormatPreference::parse(Some("mp4")).unwrap_err().code, ErrorCode::InvalidConfig);
    }

    #[test]
    fn mime_types_map_to_accepted_formats_only() {
        assert_eq!(AudioFormat::from_mime("audio/webm;codecs=opus"), Some(AudioFormat::Webm));
        assert_eq!(AudioFormat::from_mime("Audio/Ogg; codecs=opus"), Some(AudioFormat::Ogg));
        assert_eq!(AudioFormat::from_mime("audio/mp4"), None);
        assert_eq!(AudioFormat::from_mime(""), None);
    }

    #[test]
    fn every_format_reads_back_from_its_name_and_its_mime_type() {
        for f in AudioFormat::ALL {
            assert_eq!(AudioFormat::from_name(f.as_str()), Some(f));
            assert_eq!(AudioFormat::from_mime(f.mime()), Some(f));
            assert_eq!(f.extension(), f.as_str());
        }
        assert_eq!(AudioFormat::ALL.map(AudioFormat::as_str), ["webm", "wav", "ogg"]);
        assert_eq!(AudioFormat::from_name("mp4"), None);
        assert_eq!(AudioFormat::from_name("WEBM"), None, "wire names are lowercase");
    }
}
