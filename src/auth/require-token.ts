/**
 * The one check of our JWT, on desktop-facing HTTP routes (the Dialogflow proxy, the conversation-name
 * API) and on the relay's sockets. On HTTP the token is the `Authorization` header, raw or `Bearer`.
 */
import type { Request, Response } from '@google-cloud/functions-framework';
import { TokenError, tokenFromHeader, verifyToken, type JwtSettings, type TokenClaims } from './jwt';

/** The claims of `token`, verified with `jwt`; a TokenError when it is missing or invalid (HTTP routes and both socket protocols). */
export function checkToken(jwt: JwtSettings, token: string | undefined): TokenClaims {
  if (!token) throw new TokenError('missing token');
  return verifyToken(jwt, token);
}

/**
 * The verified claims of the request's token, or undefined after answering 401 with a short reason
 * (the Python original answered 401 too; the reason never echoes the token).
 */
export function requireToken(req: Request, res: Response, jwt: JwtSettings): TokenClaims | undefined {
  try {
    return checkToken(jwt, tokenFromHeader(req.headers.authorization));
  } catch (error) {
    if (!(error instanceof TokenError)) throw error;
    res.status(401).json({ error: error.message });
    return undefined;
  }
}
