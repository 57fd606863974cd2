/**
 * Domain errors shared by every edge. They carry no HTTP status: each edge maps them once
 * (HTTP: 503 for UnavailableError; Pub/Sub: fail so the delivery is retried).
 */

/** A dependency (Redis, an identity provider, Google) cannot be reached now; retrying later may work. */
export class UnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UnavailableError';
  }
}
