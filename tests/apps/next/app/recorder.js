'use client';
// The hook in a client component (server-rendered first, then hydrated).
import { useVoiceNote } from 'vocafuse-wasm/react';

export default function Recorder({ api }) {
  const note = useVoiceNote({ tokenEndpoint: `${api}/api/token`, apiBaseUrl: api });
  const recording = note.state === 'recording' || note.state === 'paused';
  const toggle = () => (recording ? note.stop() : note.start()).catch(() => {});
  return (
    <section id="with-hook">
      <button id="record" type="button" data-state={note.state} onClick={toggle}>{recording ? 'Stop' : 'Record'}</button>
      <p>State: <span id="state">{note.state}</span> · supported: <span id="supported">{String(note.supported)}</span></p>
      <progress id="progress" max="100" value={note.uploadProgress} />
      <p>Uploaded: <span id="result">{note.result ? note.result.voicenote_id : ''}</span></p>
      <p id="error" role="alert">{note.error ? note.error.userMessage : ''}</p>
    </section>
  );
}
