// Your backend's half, with Express: the token endpoint the browser SDK's `tokenEndpoint` calls,
// and a webhook receiver that checks VocaFuse's signature before trusting an event.
//
//   VOCAFUSE_API_KEY=sk_test_… VOCAFUSE_API_SECRET=… WEBHOOK_SECRET=whsec_… node server.mjs
//
// VOCAFUSE_API_BASE defaults to the real service; point it at the dev server to work offline.
import crypto from 'node:crypto';
import express from 'express';

const API = process.env.VOCAFUSE_API_BASE || 'https://api.vocafuse.com';
const KEY = process.env.VOCAFUSE_API_KEY;
const SECRET = process.env.VOCAFUSE_API_SECRET;
const WEBHOOK_SECRET = process.env.WEBHOOK_SECRET;

const app = express();

// The signed-in user of your app; here a header stands in for your session.
const currentUser = (req) => req.get('x-demo-user') || null;

app.post('/api/token', express.json(), async (req, res) => {
  const user = currentUser(req);
  if (!user) return res.status(401).json({ success: false, message: 'sign in first' });
  // The API key never leaves the server: exchange it for a short-lived token for this user.
  const answer = await fetch(`${API}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-vocafuse-api-key': KEY, 'x-vocafuse-api-secret': SECRET },
    body: JSON.stringify({ user_id: user, expires_in: 3600, scopes: ['voice-api.upload'] }),
  });
  // The envelope goes to the browser as it came: the SDK reads `data.id_token` / `data.jwt_token`.
  res.status(answer.status).type('application/json').send(await answer.text());
});

/** True when `signature` is VocaFuse's: sha256= hex HMAC of `{timestamp}.{delivery_id}.{payload}`. */
export function verify(payload, signature, timestamp, deliveryId, secret) {
  const expected = crypto.createHmac('sha256', secret).update(`${timestamp}.${deliveryId}.${payload}`).digest('hex');
  const given = String(signature || '').replace(/^sha256=/, '');
  return given.length === expected.length && crypto.timingSafeEqual(Buffer.from(given), Buffer.from(expected));
}

// The raw body, exactly as signed: parse JSON only after the signature checks out.
app.post('/webhooks/vocafuse', express.raw({ type: 'application/json' }), (req, res) => {
  const payload = req.body.toString('utf8');
  const ok = verify(payload, req.get('x-vocafuse-signature'), req.get('x-vocafuse-timestamp'), req.get('x-vocafuse-delivery-id'), WEBHOOK_SECRET);
  if (!ok) return res.status(401).json({ error: 'bad signature' });
  const event = JSON.parse(payload);
  console.log(`verified ${event.event} ${event.data.id}`);
  res.json({ received: true });
});

const server = app.listen(Number(process.env.PORT || 3000), '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`);
});
