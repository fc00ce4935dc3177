/**
 * The challenge–response of the protocol: the Lab sends a random nonce, the worker answers
 * HMAC-SHA256(token, nonce). The token never crosses the wire, and an answer seen on the
 * network is useless for the next connection (a fresh nonce each time). Here, in worker/,
 * because both sides need it and the Lab may import worker/ but not the reverse.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export function hmacHex(token: string, nonce: string): string {
  return createHmac('sha256', token).update(nonce).digest('hex');
}

/** Constant-time check of a worker's answer (no timing hint about how much of it was right). */
export function hmacMatches(token: string, nonce: string, answer: string): boolean {
  const want = Buffer.from(hmacHex(token, nonce), 'utf8');
  const got = Buffer.from(answer, 'utf8');
  return got.length === want.length && timingSafeEqual(got, want);
}
