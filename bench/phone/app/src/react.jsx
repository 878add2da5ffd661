// The README's React quick start. window.__benchMark is the phone bench's (scripts/phone-bench.mjs).
import { createRoot } from 'react-dom/client';
import { useVoiceNote } from 'vocafuse-wasm/react';

function Recorder() {
  const { state, error, start, stop } = useVoiceNote({
    tokenEndpoint: '/api/token', apiBaseUrl: '__VOCAFUSE_API__', maxDuration: 60,
    onStateChange: (s) => window.__benchMark?.(`state:${s}`),
    onComplete: (result) => { window.__result = result; },
    onError: (e) => window.__benchError?.(e),
  });
  const recording = state === 'recording';
  const toggle = () => (recording ? stop() : start()).catch(() => {});
  return <>
    <button id="record" type="button" onClick={toggle}>{recording ? 'Stop' : 'Record'}</button>
    {error && <p role="alert">{error.userMessage}</p>}
  </>;
}

createRoot(document.getElementById('root')).render(<Recorder />);
