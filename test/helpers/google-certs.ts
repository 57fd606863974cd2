/**
 * A stand-in for Google's OIDC certificate endpoint: generates an RSA key pair, serves the PEM map
 * google-auth-library fetches (`{ "<kid>": "<PEM>" }`, as at https://www.googleapis.com/oauth2/v1/certs)
 * on a loopback port, and signs ID tokens with the private key. The library verifies with Node's crypto,
 * which accepts a PEM public key as well as a certificate, so no X.509 certificate is needed.
 *
 * Point a verifier at it with `GOOGLE_CERTS_URL=<url>` (or `certsUrl`).
 */
import { createSign, generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CertServer {
  /** The PEM map's URL. */
  readonly url: string;
  /** The key id tokens carry in their header. */
  readonly kid: string;
  /**
   * A signed ID token. Defaults: `iss` https://accounts.google.com, `iat` now, `exp` in an hour,
   * `email_verified` true; `claims` add to or override them (`aud` and `email` are the caller's to set).
   */
  sign(claims: Record<string, unknown>): string;
  /** How many times the certificates were fetched. */
  readonly fetches: number;
  close(): Promise<void>;
}

function base64url(value: string | Buffer): string {
  return Buffer.from(value).toString('base64url');
}

export async function startCertServer(): Promise<CertServer> {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = randomBytes(8).toString('hex');
  const body = JSON.stringify({ [kid]: publicKey.export({ type: 'spki', format: 'pem' }).toString() });
  let fetches = 0;
  const server = createServer((_req, res) => {
    fetches += 1;
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'public, max-age=60' });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/oauth2/v1/certs`,
    kid,
    get fetches() {
      return fetches;
    },
    sign(claims) {
      const now = Math.floor(Date.now() / 1000);
      const header = base64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid }));
      const payload = base64url(JSON.stringify({ iss: 'https://accounts.google.com', iat: now, exp: now + 3600, email_verified: true, ...claims }));
      const signer = createSign('RSA-SHA256');
      signer.update(`${header}.${payload}`);
      return `${header}.${payload}.${base64url(signer.sign(privateKey))}`;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
