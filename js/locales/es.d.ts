import type { ErrorCodeName } from '../index.js';

/** userMessages by error code, complete for every code: pass as the SDK's `messages` option. */
declare const messages: Readonly<Record<ErrorCodeName, string>>;
export default messages;

/** The texts of <vocafuse-recorder> in this language. */
export declare const labels: Readonly<Record<'record' | 'stop' | 'starting' | 'sending' | 'waiting' | 'sent' | 'level' | 'progress' | 'timer' | 'player', string>>;
