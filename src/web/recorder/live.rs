//! The live take: opening the microphone and the encoder, the encoder's controls, and the
//! browser's events while recording (chunks, WAV blocks, the 100 ms tick).

use super::*;

impl Recorder {
    /// Opens microphone `device` (`None`: the default) and the encoder; answers `Opened` or
    /// `OpenFailed`. Web Audio (the WAV path, the level meter every take's waveform is read
    /// from) is created and resumed here, before any await, so that Safari counts the click
    /// that called `start()`. Without it a WebM or Ogg take records unmetered.
    pub(super) fn open(&self, device: Option<String>) {
        let task = self.begin_task(None);
        let plan = match recording_plan(self.options.format) {
            Ok(plan) => plan,
            Err(e) => return self.answer_of(&task, Event::OpenFailed(e)),
        };
        let graph = match AudioGraph::new() {
            Ok(graph) => Some(graph),
            Err(_) if !plan.needs_web_audio() => None,
            Err(e) => return self.answer_of(&task, Event::OpenFailed(e)),
        };
        let context = graph.as_ref().map(|g| g.context().clone());
        let old = self.graph.replace(graph);
        drop(old);
        let me = self.me.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let opened = open_live(me.clone(), &task, plan, device.as_deref(), context).await;
            let Some(r) = me.upgrade() else { return };
            // cancel() or destroy() while the browser asked: the answer is stale and dropped.
            if task.strong_count() == 0 {
                return;
            }
            match opened {
                Ok((mut live, take)) => {
                    let made_in_start = r.graph.borrow_mut().take();
                    if live._graph.is_none() {
                        live._graph = made_in_start;
                    }
                    *r.live.borrow_mut() = Some(live);
                    r.answer_with(&task, Event::Opened, Some(Held::Take(take)));
                }
                Err(e) => r.answer_of(&task, Event::OpenFailed(e)),
            }
        });
    }

    /// The encoder was started when the microphone opened (a failure there is `OpenFailed`):
    /// from now on the clock runs and progress is reported.
    pub(super) fn start_encoder(&self) {
        self.with_take(|take| take.clock = RecordClock::start(now_ms()));
        let muted = self.live.borrow().as_ref().is_some_and(|l| l.mic.tracks().iter().any(web_sys::MediaStreamTrack::muted));
        if muted {
            let _ = self.dispatch(Event::Muted { seconds: 0.0 });
        }
    }

    pub(super) fn pause_encoder(&self, pause: bool) {
        if pause {
            self.measure();
        }
        if let Some(live) = self.live.borrow_mut().as_mut() {
            live.silence.pause();
            live.stop_on_silence.pause();
        }
        let media = match self.live.borrow().as_ref().map(|l| &l.encoder) {
            Some(Encoder::Media(media)) => Some(media.clone()),
            _ => None,
        };
        if let Some(media) = media {
            let _ = if pause { media.pause() } else { media.resume() };
        }
        self.with_take(|take| {
            if pause {
                take.clock.pause(now_ms());
                take.waveform.pause(take.clock.elapsed_ms(now_ms()));
            } else {
                take.clock.resume(now_ms());
            }
        });
    }

    pub(super) fn schedule_auto_stop(&self) {
        let max_ms = self.options.limits.max_duration_secs * 1000.0;
        let Some(remaining) = self.with_take(|t| t.clock.remaining_ms(now_ms(), max_ms).ceil() as u32) else { return };
        let me = self.me.clone();
        let timer = Timeout::new(remaining, move || {
            if let Some(r) = me.upgrade() {
                let actual = r.duration();
                let _ = r.dispatch(Event::Limit(duration_notice(r.options.limits.max_duration_secs, actual)));
            }
        });
        if let Some(live) = self.live.borrow_mut().as_mut() {
            live.auto_stop = Some(timer);
        }
    }

    /// The encoder flushes; `Flushed` follows (from `MediaRecorder`'s `stop` event, at once for
    /// WAV, or from the grace timer).
    pub(super) fn stop_encoder(&self) {
        // The last stretch before the clock stops belongs in the waveform.
        self.measure();
        self.with_take(|take| take.clock.pause(now_ms()));
        let me = self.me.clone();
        let grace = Timeout::new(STOP_GRACE_MS, move || {
            if let Some(r) = me.upgrade() {
                let _ = r.dispatch(Event::Flushed);
            }
        });
        let (media, capture) = {
            let mut live = self.live.borrow_mut();
            let Some(live) = live.as_mut() else { return };
            live.stop_grace = Some(grace);
            match &mut live.encoder {
                Encoder::Media(media) => (Some(media.clone()), None),
                Encoder::Wav(capture) => (None, capture.take()),
            }
        };
        match media {
            Some(media) if media.state() != RecordingState::Inactive => {
                self.with_take(|take| take.mime_type = media.mime_type());
                let _ = media.stop();
            }
            // The WAV encoder on the audio thread holds the resampler's last few ms: fetch
            // them into the take's tail, then it has flushed.
            _ => match capture {
                Some(capture) => {
                    let task = self.begin_task(None);
                    let me = self.me.clone();
                    wasm_bindgen_futures::spawn_local(async move {
                        let last = capture.finish().await;
                        let Some(r) = me.upgrade() else { return };
                        if task.strong_count() == 0 {
                            return; // cancelled, or the grace timer gave up on it
                        }
                        r.with_take(|take| take.tail = last);
                        r.answer_of(&task, Event::Flushed);
                    });
                }
                None => {
                    let _ = self.dispatch(Event::Flushed);
                }
            },
        }
    }

    // ---- the browser's events while recording ----

    /// Every 100 ms while recording: progress, the level and the waveform, the silence watch
    /// and `stopOnSilence`.
    pub(super) fn tick(&self) {
        if !self.records() {
            return;
        }
        let seconds = self.duration();
        self.observer.recorded(seconds);
        let Some((level, loudest)) = self.measure() else { return };
        let (heard, ended) = self
            .live
            .borrow_mut()
            .as_mut()
            .map_or((None, false), |live| (live.silence.observe(seconds * 1000.0, level), live.stop_on_silence.observe(seconds * 1000.0, loudest)));
        // The stored copy carries the waveform so far, so a note recovered after a crash has it.
        if let Some(stored) = self.stored.borrow().as_ref() {
            if let Some(peaks) = self.with_take(|take| take.waveform.peaks(seconds * 1000.0)) {
                stored.set_waveform(peaks);
            }
        }
        if self.observer.wants_level() {
            self.observer.level(level);
        }
        match heard {
            Some(Heard::Silence { seconds }) => drop(self.dispatch(Event::Silent { seconds })),
            Some(Heard::Sound) => drop(self.dispatch(Event::Sound)),
            None => {}
        }
        if ended {
            let _ = self.dispatch(Event::SpeechEnded);
        }
    }

    /// Reads the level meter into the take's waveform: the level now and the loudest since the
    /// last read, or `None` when the take records unmetered.
    pub(super) fn measure(&self) -> Option<(f64, f64)> {
        // Out of the `Live` while the analyser is read, back in after.
        let mut meter = self.live.borrow_mut().as_mut().and_then(|l| l.level.take())?;
        let block_ms = meter.block_ms;
        let levels = meter.read();
        let level = levels.last().copied().unwrap_or(0.0);
        let loudest = levels.iter().copied().fold(0.0, f64::max);
        self.with_take(|take| take.waveform.measure(take.clock.elapsed_ms(now_ms()), levels, block_ms));
        if let Some(live) = self.live.borrow_mut().as_mut() {
            live.level = Some(meter);
        }
        Some((level, loudest))
    }

    pub(super) fn on_chunk(&self, blob: Blob) {
        let size = blob.size() as u64;
        if size > 0 {
            self.keep_chunk(size, &blob);
        }
    }

    /// A block of WAV data from the capture: keep it (within the size limit).
    pub(super) fn on_pcm(&self, block: &Uint8Array) {
        // Blocks are dropped while the clock stands still.
        if !self.records() || block.length() == 0 {
            return;
        }
        self.keep_chunk(u64::from(block.length()), block);
    }

    /// Offers a chunk to the size guard and keeps it (in memory, and in the stored copy) if it
    /// fits; the guard's first trip stops recording.
    pub(super) fn keep_chunk(&self, size: u64, chunk: &JsValue) {
        let tripped = {
            let mut phased = self.phased.borrow_mut();
            let Some(take) = phased.held.take_mut() else { return };
            let already = take.guard.tripped();
            let verdict = take.guard.offer(size);
            if verdict != ChunkVerdict::DropAndStop {
                take.chunks.push(chunk);
                if let Some(stored) = self.stored.borrow().as_ref() {
                    stored.buffer(chunk, take.clock.elapsed_ms(now_ms()) / 1000.0, take.guard.kept());
                }
            }
            let header = if take.wav() { wav::HEADER_LEN as u64 } else { 0 };
            (!already && verdict != ChunkVerdict::Keep).then_some(take.guard.kept() + header)
        };
        if let Some(kept) = tripped {
            let _ = self.dispatch(Event::Limit(size_notice(self.options.limits.max_file_size, kept)));
        }
    }
}

/// Opens the microphone and the encoder for `plan`, with the listeners that report back.
async fn open_live(
    me: Weak<Recorder>,
    task: &Weak<()>,
    plan: RecordingPlan,
    device_id: Option<&str>,
    graph: Option<AudioContext>,
) -> Result<(Live, Take), SdkError> {
    let Some(r) = me.upgrade() else { return Err(recording_cancelled()) };
    let (audio, bits, silence_ms, assets_url, max) =
        (r.options.audio, r.options.bits_per_second, r.options.silence_timeout_ms, r.ctx.config.assets_url.clone(), r.options.limits.max_file_size);
    let stop_on_silence_ms = r.options.stop_on_silence_ms;
    drop(r);
    let mic = Microphone::open(device_id, &audio).await?;
    if task.upgrade().is_none() {
        // cancel() or destroy() while the browser asked: let go of the answer at once.
        return Err(SdkError::new(ErrorCode::Aborted, "start() was cancelled"));
    }
    // Without a click behind start() (an app calling it by itself, a test), some browsers keep
    // that context suspended; WebKit lets one made while the microphone is open start.
    let mut fresh = None;
    let graph = match graph {
        Some(context) if context.state() != AudioContextState::Running => {
            let made = AudioGraph::new()?;
            let context = made.context().clone();
            fresh = Some(made);
            Some(context)
        }
        other => other,
    };
    let wav = plan.format == AudioFormat::Wav;
    let encoder = match &graph {
        Some(graph) if wav => {
            let weak = me.clone();
            let on_block = Closure::<dyn FnMut(Uint8Array)>::new(move |block: Uint8Array| {
                if let Some(r) = weak.upgrade() {
                    r.on_pcm(&block);
                }
            });
            Encoder::Wav(Some(WavCapture::open(graph, mic.stream(), assets_url.as_deref(), on_block).await?))
        }
        _ => Encoder::Media(media_recorder(mic.stream(), plan, bits)?),
    };
    let mut listeners = Vec::new();
    if let Encoder::Media(media) = &encoder {
        let weak = me.clone();
        listeners.push(EventListener::new(media, "dataavailable", move |e| {
            if let (Some(r), Some(data)) = (weak.upgrade(), e.dyn_ref::<BlobEvent>().and_then(BlobEvent::data)) {
                r.on_chunk(data);
            }
        }));
        let weak = me.clone();
        listeners.push(EventListener::new(media, "stop", move |_| {
            if let Some(r) = weak.upgrade() {
                let _ = r.dispatch(Event::Flushed);
            }
        }));
        let weak = me.clone();
        listeners.push(EventListener::new(media, "error", move |e| {
            if let Some(r) = weak.upgrade() {
                let err = error_from_js(e.as_ref(), ErrorCode::RecordingFailed);
                let _ = r.dispatch(Event::EncoderFailed(SdkError::new(ErrorCode::RecordingFailed, err.message)));
            }
        }));
    }
    for track in mic.tracks() {
        let listen = |name: &'static str, event: fn(&Recorder) -> Event| {
            let weak = me.clone();
            EventListener::new(&track, name, move |_| {
                if let Some(r) = weak.upgrade() {
                    let _ = r.dispatch(event(&r));
                }
            })
        };
        // Unplugged, revoked, taken by the OS: recording stops and keeps what it has.
        listeners.push(listen("ended", |r| Event::TrackEnded(track_ended_notice(r.duration()))));
        listeners.push(listen("mute", |r| Event::Muted { seconds: r.duration() }));
        listeners.push(listen("unmute", |_| Event::Unmuted));
    }
    if let Some(window) = web_sys::window() {
        let weak = me.clone();
        listeners.push(EventListener::new(&window, "pagehide", move |_| {
            if let Some(r) = weak.upgrade() {
                let _ = r.dispatch(Event::PageHidden);
            }
        }));
    }
    let level = match &graph {
        Some(graph) => LevelMeter::new(graph, mic.stream()).ok(),
        _ => None,
    };
    if let Encoder::Media(media) = &encoder {
        media.start_with_time_slice(TIMESLICE_MS).map_err(|e| error_from_js(&e, ErrorCode::RecordingFailed))?;
    }
    let weak = me.clone();
    let ticker = Interval::new(TICK_MS, move || {
        if let Some(r) = weak.upgrade() {
            r.tick();
        }
    });
    // The WAV data is measured without its 44-byte header, which is written at the end.
    let guard_limit = if wav { max.saturating_sub(wav::HEADER_LEN as u64) } else { max };
    let take = Take {
        plan,
        chunks: Array::new(),
        guard: SizeGuard::new(guard_limit),
        clock: RecordClock::start(now_ms()),
        tail: None,
        mime_type: String::new(),
        created_at_ms: js_sys::Date::now(),
        settings: mic.settings(),
        waveform: Waveform::new(),
    };
    let live = Live {
        mic,
        encoder,
        level,
        silence: SilenceWatch::new(silence_ms),
        stop_on_silence: SilenceStop::new(stop_on_silence_ms),
        auto_stop: None,
        stop_grace: None,
        _ticker: ticker,
        _listeners: listeners,
        _graph: fresh,
    };
    Ok((live, take))
}
