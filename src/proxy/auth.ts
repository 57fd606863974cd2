/**
 * Our JWT on desktop-facing HTTP routes (the Dialogflow proxy and the conversation-name API): the
 * `Authorization` header, raw or `Bearer`, verified with the process's JWT settings.
 */
import type { Request, Response } from '@google-cloud/functions-framework';
import { TokenError, tokenFromHeader, verifyToken, type JwtSettings, type TokenClaims } from '../auth/jwt';

/**
 * The verified claims of the request's token, or undefined after answering 401 with a short reason
 * (the Python original answered 401 too; the reason never echoes the token).
 */
export function requireToken(req: Request, res: Response, jwt: JwtSettings): TokenClaims | undefined {
  const token = tokenFromHeader(req.headers.authorization);
  if (!token) {
    res.status(401).json({ error: 'missing token' });
    return undefined;
  }
  try {
    return verifyToken(jwt, token);
  } catch (error) {
    if (!(error instanceof TokenError)) throw error;
    res.status(401).json({ error: error.message });
    return undefined;
  }
}
