/**
 * Who may read `/metrics`. Metrics name no conversation, but they tell anyone how busy an instance is
 * and which features run, so in production they are for the operator's collector only:
 * - `METRICS_TOKEN` set: only `Authorization: Bearer <METRICS_TOKEN>` is answered (else 401);
 * - unset, in production: 404, as if there were no such route;
 * - unset, in local mode: open, for a developer's curl.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { tokenFromHeader } from '../auth/jwt';

export interface MetricsAccess {
  readonly token?: string;
  /** Local mode: without a token, anyone may read. */
  readonly openWithoutToken: boolean;
}

/** The status a `/metrics` request gets before any metric is read: 200 to serve it, else 401 or 404. */
export function metricsStatus(access: MetricsAccess, authorization: string | string[] | undefined): 200 | 401 | 404 {
  if (access.token === undefined) return access.openWithoutToken ? 200 : 404;
  const presented = /^Bearer\s/i.test((Array.isArray(authorization) ? authorization[0] : authorization) ?? '') ? tokenFromHeader(authorization) : undefined;
  if (presented === undefined) return 401;
  // Equal-length digests, so the comparison takes the same time whatever was presented.
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(presented), digest(access.token)) ? 200 : 401;
}
