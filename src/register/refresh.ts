/**
 * `POST /register/refresh` (the `register` function's `/refresh`): a desktop holding a valid, unexpired
 * JWT of ours (`Authorization: Bearer <JWT>`) gets a fresh one without going back to its provider. The
 * new token keeps the user, the subject and the time of the original platform check (`auth_time`), and
 * is refused once `JWT_REFRESH_WINDOW_MINUTES` have passed since that check: a stolen token cannot be
 * renewed forever, and a platform that revoked the agent is asked again at least that often.
 * A distinct route, because a JWT sent to `/register` would be taken for a platform token.
 */
import { TokenError, tokenFromHeader, verifyToken, type TokenClaims } from '../auth/jwt';
import { traceFields } from '../log';
import { clientAddress } from './client-address';
import { RefusedError } from './errors';
import { resolveDeps, sendFailure, sendToken, type RegistrationDeps, type RegistrationHandler } from './respond';
import { allowMethods } from '../http/edge';

export function createRefreshHandler(deps: () => Promise<RegistrationDeps>): RegistrationHandler {
  return async (req, res) => {
    const resolved = await resolveDeps(deps, res);
    if (!resolved) return;
    const { jwt, config, gate } = resolved;
    if (!allowMethods(req, res, ['POST'])) return;
    if (config.refreshWindowMinutes === 0) {
      res.status(404).json({ error: 'token refresh is disabled' });
      return;
    }
    const address = clientAddress(req, config.trustedProxyHops);
    const fields = { route: 'refresh', address };
    const log = resolved.log.child(traceFields(req.headers['x-cloud-trace-context'], resolved.projectId));
    let renewed: { claims: TokenClaims; authTime: number } | undefined;
    try {
      await gate.pass(address, undefined, async () => {
        const token = tokenFromHeader(req.headers.authorization);
        if (token === undefined) throw new RefusedError('missing token');
        let claims: TokenClaims;
        try {
          claims = verifyToken(jwt, token);
        } catch (error) {
          if (error instanceof TokenError) throw new RefusedError(error.message);
          throw error;
        }
        const authTime = typeof claims.auth_time === 'number' ? claims.auth_time : claims.iat;
        if (Date.now() / 1000 - authTime > config.refreshWindowMinutes * 60) throw new RefusedError('refresh window passed: register again');
        renewed = { claims, authTime };
        return {};
      });
      const { claims, authTime } = renewed as { claims: TokenClaims; authTime: number };
      const jti = sendToken(res, jwt, claims.gcp_agent_assist_user ?? '', { subject: claims.sub, authTime });
      log.info('token refreshed', { ...fields, subject: claims.sub, previous: claims.jti, jti });
    } catch (error) {
      sendFailure(res, error, log, fields);
    }
  };
}
