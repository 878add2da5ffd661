// The home page under the strict policy proxy.js sets on this path (rendered per request: each
// response has its own nonce).
import Page from '../page.js';

export const dynamic = 'force-dynamic';
export default Page;
