// The README's strict Content-Security-Policy on /csp (the home page again), with the nonce Next
// needs for its own inline bootstrap scripts (Next's CSP guide: a fresh nonce per request, set
// on the request so Next stamps its scripts with it). The SDK itself needs nothing added.
import { NextResponse } from 'next/server';

export function proxy(request) {
  const nonce = Buffer.from(crypto.randomUUID()).toString('base64');
  const api = process.env.VOCAFUSE_API || 'http://127.0.0.1:8787';
  const storage = process.env.VOCAFUSE_STORAGE || 'http://127.0.0.1:8788';
  const csp = `default-src 'self'; script-src 'self' 'nonce-${nonce}' 'wasm-unsafe-eval'; connect-src 'self' ${api} ${storage}`;
  const headers = new Headers(request.headers);
  headers.set('x-nonce', nonce);
  headers.set('content-security-policy', csp);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set('content-security-policy', csp);
  return response;
}

export const config = { matcher: '/csp' };
