import { noAnswer, PermanentDeliveryError } from './transport';

export interface JsonPost {
  url: string;
  body: unknown;
  headers?: Record<string, string>;
  timeoutMs?: number;
  /** Names the destination in errors (never a credential, never the content). */
  what: string;
}

/**
 * POSTs JSON to a provider's HTTP API and sorts the outcome the way every transport must: 2xx is
 * taken; 408/429/5xx and a network failure are worth retrying; any other 4xx means this request
 * will never be accepted, so it is permanent and not retried.
 */
export async function postJson(post: JsonPost): Promise<{ status: number; json: unknown; headers: Headers }> {
  let response: Response;
  try {
    response = await fetch(post.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...post.headers },
      body: typeof post.body === 'string' ? post.body : JSON.stringify(post.body),
      signal: AbortSignal.timeout(post.timeoutMs ?? 30_000),
    });
  } catch (error) {
    throw noAnswer(post.what, error);
  }
  const text = await response.text();
  if (response.ok) {
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = null;
    }
    return { status: response.status, json, headers: response.headers };
  }
  if (response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429) {
    throw new PermanentDeliveryError(`${post.what} answered ${response.status}`, 'rejected');
  }
  throw new Error(`${post.what} answered ${response.status}: will be retried`);
}
