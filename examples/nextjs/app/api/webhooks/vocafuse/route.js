// VocaFuse's webhooks as a Next.js route handler: the signature is checked on the raw body
// before the event is trusted. WEBHOOK_SECRET is the secret the webhook was registered with.
import crypto from 'node:crypto';

/** True when `signature` is VocaFuse's: sha256= hex HMAC of `{timestamp}.{delivery_id}.{payload}`. */
export function verify(payload, signature, timestamp, deliveryId, secret) {
  const expected = crypto.createHmac('sha256', secret).update(`${timestamp}.${deliveryId}.${payload}`).digest('hex');
  const given = String(signature || '').replace(/^sha256=/, '');
  return given.length === expected.length && crypto.timingSafeEqual(Buffer.from(given), Buffer.from(expected));
}

export async function POST(request) {
  const payload = await request.text();
  const h = (name) => request.headers.get(name);
  if (!verify(payload, h('x-vocafuse-signature'), h('x-vocafuse-timestamp'), h('x-vocafuse-delivery-id'), process.env.WEBHOOK_SECRET)) {
    return Response.json({ error: 'bad signature' }, { status: 401 });
  }
  const event = JSON.parse(payload);
  // e.g. voicenote.transcribed: event.data.transcription.text
  console.log(`verified ${event.event} ${event.data.id}`);
  return Response.json({ received: true });
}
