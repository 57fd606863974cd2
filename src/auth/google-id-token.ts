/**
 * Verifies Google-signed OIDC ID tokens (Pub/Sub push authentication, Dialogflow's webhook calls) with
 * google-auth-library: signature against Google's certificates (cached by the library), expiry, issuer
 * and audience; then the caller's email, which must be verified and one of the expected accounts.
 * The certificates URL is configurable so tests verify tokens signed with keys they generate.
 */
import type { OAuth2Client } from 'google-auth-library';
import type { Setting } from '../config/settings';
import { UnavailableError } from '../errors';

/** `GOOGLE_CERTS_URL`: shared by everyone who verifies Google ID tokens (event functions, the webhook). */
export const GOOGLE_CERTS_SETTING = {
  doc: "Where Google's OIDC signing certificates (PEM) are fetched; change only for tests.",
  default: 'https://www.googleapis.com/oauth2/v1/certs',
} as const satisfies Setting;

export interface IdTokenSettings {
  /** The audience the token must carry (the push endpoint's URL, or the configured audience). */
  readonly audience: string;
  /** Accepted caller emails (for example the push subscription's service account). */
  readonly emails: readonly string[];
  /** Where to fetch Google's PEM certificates; Google's own URL when unset. */
  readonly certsUrl?: string;
}

/** Why a token was refused: `unauthenticated` (missing or invalid, 401) or `forbidden` (wrong caller, 403). */
export class IdTokenError extends Error {
  constructor(
    readonly kind: 'unauthenticated' | 'forbidden',
    message: string,
  ) {
    super(message);
    this.name = 'IdTokenError';
  }
}

export interface IdTokenVerifier {
  /**
   * Verifies the `Authorization` header; resolves with the caller's email or throws IdTokenError, or
   * UnavailableError when Google's certificates cannot be fetched.
   */
  verify(authorization: string | undefined): Promise<string>;
}

/** Builds a verifier; google-auth-library is loaded on the first verification, not at import. */
export function createIdTokenVerifier(settings: IdTokenSettings): IdTokenVerifier {
  let client: OAuth2Client | undefined;
  const getClient = async (): Promise<OAuth2Client> => {
    if (!client) {
      const { OAuth2Client } = await import('google-auth-library');
      client = new OAuth2Client(
        settings.certsUrl ? { endpoints: { oauth2FederatedSignonPemCertsUrl: settings.certsUrl } } : {},
      );
    }
    return client;
  };
  return {
    async verify(authorization) {
      const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
      if (!match) throw new IdTokenError('unauthenticated', 'missing bearer token');
      const oauth = await getClient();
      try {
        // Fetched (and cached by the library) apart from the check itself: failing to fetch Google's
        // certificates is an outage, for which the caller should retry, not a bad token.
        await oauth.getFederatedSignonCertsAsync();
      } catch (error) {
        throw new UnavailableError('google signing certificates could not be fetched', { cause: error });
      }
      let payload;
      try {
        const ticket = await oauth.verifyIdToken({ idToken: match[1], audience: settings.audience });
        payload = ticket.getPayload();
      } catch {
        throw new IdTokenError('unauthenticated', 'invalid token');
      }
      if (!payload?.email || payload.email_verified !== true) {
        throw new IdTokenError('forbidden', 'token has no verified email');
      }
      if (!settings.emails.includes(payload.email)) throw new IdTokenError('forbidden', 'caller is not allowed');
      return payload.email;
    },
  };
}
