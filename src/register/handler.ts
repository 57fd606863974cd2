/**
 * `POST /register`: a desktop exchanges its platform token for our JWT.
 * `Authorization: <platform token>` (raw or `Bearer`), optional body `{"gcp_agent_assist_user": "..."}`
 * → `200 {"token": "<JWT>"}`, or 401 with a short reason.
 */
import type { Request, Response } from '@google-cloud/functions-framework';
import { signToken, tokenFromHeader, type JwtSettings } from '../auth/jwt';
import type { Logger } from '../log';

/** Checks a platform token; resolves with the user it names (if any), rejects when refused. */
export type PlatformCheck = (token: string | undefined, req: Request) => Promise<{ user?: string }>;

export interface RegisterDeps {
  readonly jwt: JwtSettings;
  readonly log: Logger;
  readonly check: PlatformCheck;
}

export function createRegisterHandler(deps: () => Promise<RegisterDeps>) {
  return async (req: Request, res: Response): Promise<void> => {
    const { jwt, log, check } = await deps();
    if (req.method !== 'POST') {
      res.status(405).set('Allow', 'POST').json({ error: 'method not allowed' });
      return;
    }
    let checked: { user?: string };
    try {
      checked = await check(tokenFromHeader(req.headers.authorization), req);
    } catch {
      res.status(401).json({ error: 'platform token refused' });
      return;
    }
    const body = req.body as { gcp_agent_assist_user?: unknown } | undefined;
    const requested = typeof body?.gcp_agent_assist_user === 'string' ? body.gcp_agent_assist_user.slice(0, 256) : '';
    const user = checked.user ?? requested;
    const { token } = signToken(jwt, user);
    log.info('token issued', { user: user === '' ? undefined : user });
    res.status(200).json({ token });
  };
}
