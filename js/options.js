// Generated from src/core/options.rs by `cargo run --example option_keys > js/options.js`: the option
// names the facade's parser reads. Do not edit by hand (a cargo test compares).
export const CONFIG_KEYS = ['tokenEndpoint', 'apiBaseUrl', 'timeout', 'retries', 'tokenRequestHeaders', 'persist', 'resumeOnInit', 'offlineWaitMs', 'assetsUrl', 'messages'];
export const RECORDER_KEYS = ['maxDuration', 'maxFileSize', 'format', 'audioBitsPerSecond', 'deviceId', 'autoUpload', 'audio', 'silenceTimeout', 'stopOnSilence'];
export const CALLBACKS = ['onStateChange', 'onRecordProgress', 'onLevel', 'onUploadProgress', 'onComplete', 'onError', 'onCancel'];
