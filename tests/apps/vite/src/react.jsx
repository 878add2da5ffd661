// vocafuse-wasm/react as an app uses it, under StrictMode. The API origin is this page's, or ?api=.
import { StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { useVoiceNote, VoiceNoteButton } from 'vocafuse-wasm/react';

const params = new URLSearchParams(location.search);
const api = params.get('api') || location.origin;
// ?autostart: start recording as soon as the component mounts, the case StrictMode's
// mount, unmount, mount is hardest on.
const autostart = params.has('autostart');
// ?token=/path: another token endpoint on the API origin (a missing one makes the SDK fail to start).
const tokenEndpoint = `${api}${params.get('token') || '/api/token'}`;
// ?button: the ready-made <VoiceNoteButton> in place of the hand-written recorder.
const readyMade = params.has('button');
// ?hold: hold to talk on a plain button (the hook's holdProps).
const holdToTalk = params.has('hold');
// ?review: autoUpload off; the kept note waits for Send or Discard.
const review = params.has('review');

function Recorder() {
  const note = useVoiceNote({ tokenEndpoint, apiBaseUrl: api, maxDuration: 30, autoUpload: !review });
  // Counts effect mounts, so the test can tell StrictMode's double mount (development) happened.
  useEffect(() => { window.__recorderMounts = (window.__recorderMounts || 0) + 1; }, []);
  useEffect(() => { if (autostart) note.start().catch(() => {}); }, []); // eslint-disable-line react-hooks/exhaustive-deps
  // The recorder says when the kept note is up for review: nothing to work out here.
  const reviewing = note.review;
  return (
    <section>
      <button id="record" type="button" data-state={note.state} aria-pressed={note.capturing}
              onClick={() => note.toggle().catch(() => {})}>{note.capturing ? 'Stop' : 'Record'}</button>
      {reviewing && <button id="send" type="button" onClick={() => note.send().catch(() => {})}>Send</button>}
      {reviewing && <button id="discard" type="button" onClick={() => note.discard().catch(() => {})}>Discard</button>}
      <p>State: <span id="state">{note.state}</span> · <span id="duration">{note.duration.toFixed(1)}</span> s</p>
      <meter id="level" min="0" max="1" value={note.level} />
      <progress id="progress" max="100" value={note.uploadProgress} />
      <p>Uploaded: <span id="result">{note.result ? note.result.voicenote_id : ''}</span></p>
      <p id="error" role="alert" data-code={note.error ? note.error.code : ''}>{note.error ? note.error.userMessage : ''}</p>
    </section>
  );
}

function HoldToTalk() {
  const note = useVoiceNote({ tokenEndpoint, apiBaseUrl: api, maxDuration: 30 });
  return (
    <section>
      <button id="hold" type="button" {...note.holdProps}>{note.gesture === 'idle' ? 'Hold to record' : note.gesture}</button>
      {note.hint && <p id="hint">Hold to record</p>}
      <p>State: <span id="state">{note.state}</span> · <span id="duration">{note.duration.toFixed(1)}</span> s</p>
      <p>Uploaded: <span id="result">{note.result ? note.result.voicenote_id : ''}</span></p>
    </section>
  );
}

function App() {
  const [shown, setShown] = useState(true);
  return (
    <main>
      <h1>Voice note (React)</h1>
      <button id="toggle" type="button" onClick={() => setShown((s) => !s)}>{shown ? 'Unmount' : 'Mount'}</button>
      {!shown ? <p id="unmounted">Recorder unmounted</p>
        : holdToTalk ? <HoldToTalk />
          : readyMade ? <VoiceNoteButton tokenEndpoint={tokenEndpoint} apiBaseUrl={api} maxDuration={30} className="voice-note" />
            : <Recorder />}
    </main>
  );
}

createRoot(document.getElementById('root')).render(<StrictMode><App /></StrictMode>);
