/**
 * Which Dialogflow calls the proxy forwards: exactly the Python UI connector's routes, for any API version.
 *
 * | method | path under `/<version>/projects/<project>/locations/<location>/` |
 * |---|---|
 * | GET   | `conversations/**`, `conversationProfiles/**`, `conversationModels/**`, `generators/**` |
 * | POST  | `conversations`, `conversations/**`, `suggestions:searchKnowledge`, `statelessSuggestion:generate` |
 * | PATCH | `answerRecords/**`, `conversations/**` |
 *
 * `**` is one or more further segments. Every segment is checked against a strict grammar before
 * anything is forwarded, because the location becomes part of a host name and the path part of a URL:
 * a segment that decodes to `.`/`..`, holds `/`, `\`, `@`, `%`, `?` or `#`, or is empty cannot match, so
 * no crafted path reaches another host or API. Anything that does not match is refused.
 */

export type ProxyMethod = 'GET' | 'POST' | 'PATCH';

/** An allowlisted call, parsed and checked; safe to build the upstream URL from. */
export interface ProxyTarget {
  readonly method: ProxyMethod;
  /** The allowlist entry that matched, e.g. `POST conversations/**` (for logs and metrics). */
  readonly rule: string;
  readonly version: string;
  readonly project: string;
  readonly location: string;
  /** The path to forward, rebuilt from the checked segments: `/<version>/projects/.../<tail>`. */
  readonly path: string;
  /** The query string as the desktop sent it, with its `?`, or `''`. */
  readonly query: string;
  /** `projects.locations.conversations.complete`, which the original forwards with an empty body. */
  readonly complete: boolean;
}

interface Rule {
  readonly method: ProxyMethod;
  readonly collection: string;
  /** Whether further segments must follow the collection (`**`) or must not (exact). */
  readonly tail: boolean;
}

const RULES: readonly Rule[] = [
  { method: 'GET', collection: 'conversations', tail: true },
  { method: 'GET', collection: 'conversationProfiles', tail: true },
  { method: 'GET', collection: 'conversationModels', tail: true },
  { method: 'GET', collection: 'generators', tail: true },
  { method: 'POST', collection: 'conversations', tail: false },
  { method: 'POST', collection: 'conversations', tail: true },
  { method: 'POST', collection: 'suggestions:searchKnowledge', tail: false },
  { method: 'POST', collection: 'statelessSuggestion:generate', tail: false },
  { method: 'PATCH', collection: 'answerRecords', tail: true },
  { method: 'PATCH', collection: 'conversations', tail: true },
];

/** The allowlist, for documentation and tests: `METHOD collection[/**]`. */
export const ALLOWLIST: readonly string[] = RULES.map(ruleName);

function ruleName(rule: Rule): string {
  return `${rule.method} ${rule.collection}${rule.tail ? '/**' : ''}`;
}

/** `v2`, `v2beta1`, `v3alpha1`: any Dialogflow API version, and nothing that is not one. */
const VERSION = /^v\d{1,2}(?:(?:alpha|beta)\d{0,2})?$/;
/** A DNS label, because a location other than `global` becomes `<location>-dialogflow.googleapis.com`. */
const LOCATION = /^[a-z](?:[a-z0-9-]{0,40}[a-z0-9])?$/;
/** A project id, a project number, or a legacy domain-scoped id (`example.com:project`). */
const PROJECT = /^[a-z0-9](?:[a-z0-9.:-]{0,126}[a-z0-9])?$/;
/** Any other segment: resource ids and `:method` suffixes. Unreserved characters and `:` only. */
const SEGMENT = /^[A-Za-z0-9_~-][A-Za-z0-9._~:-]{0,255}$/;
const MAX_SEGMENTS = 16;
const MAX_QUERY = 8192;
/**
 * Query parameters Google's front end reads as a method override: refused, or a GET on an allowlisted
 * read route could become a DELETE.
 */
const METHOD_OVERRIDE = /^(?:\$?http-?method|\$?method|x-http-method-override|\$?x-http-method)$/i;

/** Decodes one path segment, or undefined when it is not valid percent-encoding. */
function decode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/**
 * True when the query asks for what the proxy does not pass on: a method override. Other system parameters
 * (`$alt`, `$.xgafv`, `fields`, ...) pass, since Google's client libraries send them.
 *
 * The query is read as a front end may read it, not only as WHATWG does: `;` separates parameters as well
 * as `&` (HTML 4's recommendation, which many servers follow), so `?pageSize=1;$httpMethod=DELETE` is a
 * method override. An encoded `%3B` stays inside its value (`$alt=json%3Benum-encoding%3Dint`).
 */
function refusedQuery(query: string): boolean {
  if (query.length > MAX_QUERY) return true;
  for (const part of query.split(/[&;]/)) {
    for (const key of new URLSearchParams(part).keys()) {
      if (METHOD_OVERRIDE.test(key.trim())) return true;
    }
  }
  return false;
}

/**
 * Matches a request against the allowlist. `url` is the raw request target (path and query, as received,
 * not normalized). Returns undefined for anything not allowlisted or not well formed.
 */
export function matchProxyRoute(method: string, url: string): ProxyTarget | undefined {
  const upper = method.toUpperCase();
  const queryAt = url.indexOf('?');
  const rawPath = queryAt === -1 ? url : url.slice(0, queryAt);
  const query = queryAt === -1 ? '' : url.slice(queryAt);
  if (rawPath.includes('#') || query.includes('#') || refusedQuery(query.slice(1))) return undefined;

  const raw = rawPath.split('/');
  if (raw[0] !== '' || raw.length < 7 || raw.length > MAX_SEGMENTS + 1) return undefined;
  const segments: string[] = [];
  for (const part of raw.slice(1)) {
    const decoded = decode(part);
    if (decoded === undefined) return undefined;
    segments.push(decoded);
  }
  const [version, projects, project, locations, location, collection, ...tail] = segments;
  if (!VERSION.test(version) || projects !== 'projects' || locations !== 'locations') return undefined;
  if (!PROJECT.test(project) || !LOCATION.test(location)) return undefined;
  if (![collection, ...tail].every((segment) => SEGMENT.test(segment))) return undefined;

  const rule = RULES.find((r) => r.method === upper && r.collection === collection && r.tail === tail.length > 0);
  if (!rule) return undefined;
  return {
    method: rule.method,
    rule: ruleName(rule),
    version,
    project,
    location,
    path: `/${segments.join('/')}`,
    query,
    complete: rule.method === 'POST' && tail.length > 0 && tail[tail.length - 1].endsWith(':complete'),
  };
}
