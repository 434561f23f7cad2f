/**
 * @module providers/oauth2
 * OAuth2 client-credentials tokens for providers that support Argo's `authentication.oauth2`
 * block (prometheus, web). Tokens are cached per (token URL, client, scopes) until shortly
 * before they expire, so a metric measured every 10 s does not fetch a token every 10 s.
 */
import { z } from 'zod';
import { ProviderError } from './provider.js';

/** Argo's OAuth2Config. */
export const oauth2Schema = z.strictObject({
  tokenUrl: z.string().optional(),
  clientId: z.string().optional(),
  clientSecret: z.string().optional(),
  scopes: z.array(z.string()).optional(),
});
export type OAuth2Config = z.infer<typeof oauth2Schema>;

/** A token cache; one per provider instance. */
export class OAuth2Tokens {
  private readonly tokens = new Map<string, { token: string; expiresAt: number }>();

  /** A bearer token for `config`; throws ProviderError naming what is missing or what the server said. */
  async token(config: OAuth2Config): Promise<string> {
    if (!config.clientId || !config.clientSecret || !config.tokenUrl) {
      throw new ProviderError('PROVIDER_CONFIG', 'missing mandatory parameter in metric for OAuth2 setup: tokenUrl, clientId and clientSecret are required');
    }
    const key = `${config.tokenUrl}|${config.clientId}|${(config.scopes ?? []).join(' ')}`;
    const cached = this.tokens.get(key);
    if (cached && cached.expiresAt > Date.now()) return cached.token;
    const body = new URLSearchParams({ grant_type: 'client_credentials', client_id: config.clientId, client_secret: config.clientSecret });
    if (config.scopes?.length) body.set('scope', config.scopes.join(' '));
    let response: Response;
    try {
      response = await fetch(config.tokenUrl, { method: 'POST', body, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    } catch (err) {
      throw new ProviderError('PROVIDER_UNREACHABLE', `oauth2 token request to ${config.tokenUrl} failed: ${(err as Error).message}`, { cause: err });
    }
    const json = (await response.json().catch(() => ({}))) as { access_token?: unknown; expires_in?: unknown; error?: unknown };
    if (!response.ok || typeof json.access_token !== 'string') {
      throw new ProviderError('PROVIDER_HTTP', `oauth2 token request to ${config.tokenUrl} failed: HTTP ${response.status} ${String(json.error ?? '')}`.trim(), { status: response.status });
    }
    const ttl = typeof json.expires_in === 'number' ? json.expires_in : 300;
    this.tokens.set(key, { token: json.access_token, expiresAt: Date.now() + Math.max(0, ttl - 30) * 1000 });
    return json.access_token;
  }
}
