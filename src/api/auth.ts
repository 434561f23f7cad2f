/**
 * @module api/auth
 * Bearer-token auth, on by default. Tokens are compared in constant time (hash both sides, then
 * timingSafeEqual against every configured token without stopping early), so neither a token's
 * content nor its length leaks through response timing.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/** Checks `Authorization: Bearer <token>` headers against a fixed set of tokens. */
export class BearerAuth {
  private readonly digests: readonly Buffer[];

  /** @param tokens accepted tokens; empty strings are ignored */
  constructor(tokens: readonly string[]) {
    this.digests = tokens.filter((t) => t.length > 0).map(digest);
  }

  /** True when at least one token is configured. */
  get enabled(): boolean {
    return this.digests.length > 0;
  }

  /** True when the header carries one of the tokens. */
  verify(header: string | undefined): boolean {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
    const presented = digest(m?.[1] ?? '');
    let ok = false;
    for (const d of this.digests) ok = timingSafeEqual(d, presented) || ok;
    return ok && m !== null;
  }

  /** A short, non-reversible id of the presented token, for rate-limit keys and logs. */
  static fingerprint(header: string | undefined): string | undefined {
    const m = /^Bearer\s+(\S+)/i.exec(header ?? '');
    return m?.[1] ? digest(m[1]).toString('hex').slice(0, 12) : undefined;
  }
}
