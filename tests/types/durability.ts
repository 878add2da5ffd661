// API.md "Durability": the config fields and methods for recordings kept in IndexedDB.
// Checked on its own: tools/node_modules/.bin/tsc -p tests/types/tsconfig.durability.json --noEmit
import { VocaFuseSDK, VocaFuseError } from 'vocafuse-wasm';
import type { UploadResult } from 'vocafuse-wasm';

const sdk = new VocaFuseSDK({
  tokenEndpoint: '/api/voicenotes/token',
  persist: true,
  resumeOnInit: false,
  offlineWaitMs: 24 * 3600 * 1000,
});

export async function pending(): Promise<void> {
  const list = await sdk.pendingRecordings();
  for (const p of list) {
    const id: string = p.id;
    const createdAt: number = p.createdAt;
    const format: 'webm' | 'ogg' | 'wav' = p.format;
    const mimeType: string = p.mimeType;
    const duration: number = p.duration;
    const size: number = p.size;
    const state: 'recorded' | 'uploading' = p.state;
    const blob: Blob = await p.blob();
    const uploaded: UploadResult = await p.upload();
    const discarded: void = await p.discard();
    void [id, createdAt, format, mimeType, duration, size, state, blob, uploaded, discarded];
  }
  const resumed: Array<UploadResult | VocaFuseError> = await sdk.resumePending();
  void resumed;
}

// @ts-expect-error persist is a boolean
new VocaFuseSDK({ tokenEndpoint: '/t', persist: 'yes' });
// @ts-expect-error offlineWaitMs is a number of ms
new VocaFuseSDK({ tokenEndpoint: '/t', offlineWaitMs: '1h' });
export async function states(): Promise<void> {
  const [p] = await sdk.pendingRecordings();
  // @ts-expect-error a pending recording is 'recorded' or 'uploading', never 'uploaded'
  const s: 'uploaded' = p.state;
  void s;
}
