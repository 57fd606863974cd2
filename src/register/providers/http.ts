/**
 * One outbound call to an identity provider, with the failure policy every provider shares:
 * a timeout (AbortSignal), no redirects followed (a token is never sent anywhere but the configured
 * URL), 5xx / 429 / network failure / timeout → UnavailableError (503), other 4xx → RefusedError (401).
 * Only 2xx answers reach the provider, with the body parsed as JSON when it is JSON.
 */
import { UnavailableError } from '../../errors';
import { RefusedError } from '../errors';

export interface ProviderAnswer {
  readonly status: number;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  readonly json: unknown;
}

/** Calls `url`; resolves with a 2xx answer or throws as described above. */
export async function callProvider(provider: string, url: string, init: RequestInit, timeoutMs: number): Promise<ProviderAnswer> {
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    // The body is read under the same timeout: a provider that sends headers and then stalls still fails.
    text = await response.text();
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
    throw new UnavailableError(`${provider} ${timedOut ? 'timed out' : 'unreachable'}`, { cause: error });
  }
  const { status } = response;
  if (status >= 500 || status === 429 || (status >= 300 && status < 400)) {
    throw new UnavailableError(`${provider} answered ${status}`);
  }
  if (status >= 400) throw new RefusedError('platform token refused');
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status, json };
}

/** A string field of a JSON object, or undefined. */
export function field(json: unknown, name: string): string | undefined {
  if (typeof json !== 'object' || json === null) return undefined;
  const value = (json as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}
