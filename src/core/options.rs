//! The option names the facade's parser reads (`new VocaFuseSDK(config)`,
//! `createRecorder(options)`), listed once: a test holds the parser to exactly these, and the framework entries
//! (`js/options.js`, generated from here) sort an app's options with them, so no option is
//! silently dropped on the way.

/// `new VocaFuseSDK(config)`'s fields.
pub const SDK_CONFIG: &[&str] =
    &["tokenEndpoint", "apiBaseUrl", "timeout", "retries", "tokenRequestHeaders", "persist", "resumeOnInit", "offlineWaitMs", "assetsUrl", "messages"];

/// `RecorderOptions`' fields that are not callbacks: a change to one makes a new recorder.
pub const RECORDER: &[&str] =
    &["maxDuration", "maxFileSize", "format", "audioBitsPerSecond", "deviceId", "autoUpload", "audio", "silenceTimeout", "stopOnSilence"];

/// `RecorderOptions.autoUpload` when the app leaves it out: `stop()` uploads.
pub const AUTO_UPLOAD: bool = true;

/// `RecorderOptions.audio`'s fields.
pub const AUDIO: &[&str] = &["echoCancellation", "noiseSuppression", "autoGainControl", "channelCount"];

/// `RecorderOptions`' callbacks.
pub const CALLBACKS: &[&str] = &["onStateChange", "onRecordProgress", "onLevel", "onUploadProgress", "onComplete", "onError", "onCancel"];

/// `js/options.js`: the lists for the framework entries (`cargo run --example option_keys`).
pub fn js_module() -> String {
    let list = |keys: &[&str]| keys.iter().map(|k| format!("'{k}'")).collect::<Vec<_>>().join(", ");
    format!(
        "// Generated from src/core/options.rs by `cargo run --example option_keys > js/options.js`: the option\n\
         // names the facade's parser reads. Do not edit by hand (a cargo test compares).\n\
         export const CONFIG_KEYS = [{}];\n\
         export const RECORDER_KEYS = [{}];\n\
         export const CALLBACKS = [{}];\n",
        list(SDK_CONFIG),
        list(RECORDER),
        list(CALLBACKS)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The keys `f.<reader>("key")` reads in `function` of the facade's parser, in order.
    fn keys_read(source: &str, function: &str) -> Vec<String> {
        let start = source.find(&format!("pub fn {function}(")).or_else(|| source.find(&format!("fn {function}("))).expect(function);
        let body = &source[start..];
        let body = &body[..body.find("\n}\n").expect("the function's end")];
        let mut out = Vec::new();
        for part in body.split("f.").skip(1) {
            let Some(open) = part.find("(\"") else { continue };
            let reader = &part[..open];
            if !reader.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
                continue;
            }
            let rest = &part[open + 2..];
            out.push(rest[..rest.find('"').expect("a closing quote")].to_string());
        }
        out
    }

    fn sorted(keys: &[&str]) -> Vec<String> {
        let mut v: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
        v.sort();
        v
    }

    #[test]
    fn the_parser_reads_exactly_the_listed_keys() {
        let source = include_str!("../facade/convert.rs");
        let mut config = keys_read(source, "sdk_config");
        config.sort();
        assert_eq!(config, sorted(SDK_CONFIG), "sdk_config and SDK_CONFIG");
        let mut recorder = keys_read(source, "recorder_options");
        recorder.sort();
        let mut listed: Vec<&str> = RECORDER.to_vec();
        listed.extend(CALLBACKS);
        assert_eq!(recorder, sorted(&listed), "recorder_options and RECORDER + CALLBACKS");
        let mut audio = keys_read(source, "audio_options");
        audio.sort();
        assert_eq!(audio, sorted(AUDIO), "audio_options and AUDIO");
    }

    #[test]
    fn js_options_is_generated_from_these_lists() {
        assert_eq!(include_str!("../../js/options.js"), js_module(), "run `cargo run --example option_keys > js/options.js`");
    }
}
