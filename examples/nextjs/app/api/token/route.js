// Your backend's token endpoint as a Next.js route handler (App Router): the browser SDK's
// `tokenEndpoint: '/api/token'`. Set VOCAFUSE_API_KEY and VOCAFUSE_API_SECRET in the server's
// environment (never NEXT_PUBLIC_…); VOCAFUSE_API_BASE points it at the dev server offline.
const API = process.env.VOCAFUSE_API_BASE || 'https://api.vocafuse.com';

/** The signed-in user; replace with your auth (a `user` cookie stands in for a session here). */
async function currentUser(request) {
  const cookie = (request.headers.get('cookie') || '').split(/;\s*/).find((c) => c.startsWith('user='));
  return cookie ? decodeURIComponent(cookie.slice(5)) : null;
}

export async function POST(request) {
  const userId = await currentUser(request);
  if (!userId) return Response.json({ success: false, message: 'sign in first' }, { status: 401 });
  const answer = await fetch(`${API}/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-vocafuse-api-key': process.env.VOCAFUSE_API_KEY,
      'x-vocafuse-api-secret': process.env.VOCAFUSE_API_SECRET,
    },
    body: JSON.stringify({ user_id: userId, expires_in: 3600, scopes: ['voice-api.upload'] }),
  });
  // The envelope as it came: the SDK reads `data.id_token` / `data.jwt_token`, and a refusal
  // keeps its status.
  return new Response(await answer.text(), { status: answer.status, headers: { 'content-type': 'application/json' } });
}
