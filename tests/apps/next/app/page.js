// A server component: rendered per request, it puts the SDK's <VoiceNoteButton> (a client
// component, "use client" in the package) straight into the page with the API origin it knows.
import { VoiceNoteButton } from 'vocafuse-wasm/react';
import Recorder from './recorder.js';

export const dynamic = 'force-dynamic';

export default function Page() {
  const api = process.env.VOCAFUSE_API || 'http://127.0.0.1:8787';
  return (
    <main>
      <h1 id="heading">Voice note (Next.js)</h1>
      <p id="rendered-on">rendered on the server at {new Date().toISOString()}</p>
      <section id="with-button">
        {/* WAV: the Web Audio path, so any worklet or encoder file the SDK loads must be served too. */}
        <VoiceNoteButton tokenEndpoint={`${api}/api/token`} apiBaseUrl={api} format="wav" className="vocafuse-button" />
      </section>
      <Recorder api={api} />
    </main>
  );
}
