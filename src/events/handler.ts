/**
 * The HTTP handler behind the four event functions. Status codes are the contract with Pub/Sub
 * (2xx acknowledges, anything else is redelivered):
 * - 204: published, or a duplicate of a message already published;
 * - 204 plus an ERROR log (`reason`) and a counter: a delivery that can never succeed (undecodable data,
 *   no conversation), acknowledged so it is not redelivered forever;
 * - 400: the request is not a Pub/Sub or Eventarc delivery at all; 413: the body is too large;
 * - 401/403: push authentication is configured and the caller fails it;
 * - 503: Redis is unavailable, so Pub/Sub retries and nothing is lost; 500: an unexpected fault (retried).
 */
import { IdTokenError, type IdTokenVerifier } from '../auth/google-id-token';
import type { Broker, PublishResult } from '../broker/broker';
import { conversationKey } from '../conversation';
import { UnavailableError } from '../errors';
import { isLevelEnabled, traceFields, type Logger } from '../log';
import { counter, increment } from '../metrics/counters';
import { decodeNotification, parseDelivery } from './delivery';
import type { DataType, EventRecord } from '../broker/event';
import type { Request, Response } from '@google-cloud/functions-framework';
import type { Handler } from '../http/handler';
import { allowMethods, answerError, outsideRequestDomain, resolveDeps } from '../http/edge';

export interface EventHandlerDeps {
  readonly broker: Broker;
  /** Verifies push authentication; undefined when it is not configured. */
  readonly pushAuth?: IdTokenVerifier;
  readonly log: Logger;
  readonly maxBodyBytes: number;
  readonly projectId?: string;
  readonly now?: () => Date;
}

/** The handler type, under the name this module's callers know. */
export type HttpHandler = Handler;

let isoSecond = NaN;
let isoSecondPrefix = '';

/**
 * `new Date(ms).toISOString()` for whole milliseconds (`Date.now()`), the date and time formatted once a
 * second and the milliseconds added: the same string, without formatting a date per delivery.
 */
export function isoTime(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== isoSecond) {
    // Everything but the milliseconds and the Z ("sssZ"), whatever the year's width.
    isoSecondPrefix = new Date(second * 1000).toISOString().slice(0, -4);
    isoSecond = second;
  }
  const millis = ms - second * 1000;
  return `${isoSecondPrefix}${millis < 10 ? '00' : millis < 100 ? '0' : ''}${millis}Z`;
}

/**
 * Builds the handler of one notification type; `deps` is resolved on the first request that gets them.
 * A delivery is handled by plain functions and one promise chain, not async functions, and outside the
 * functions-framework's per-request domain (`outsideRequestDomain`): every promise pays for async hooks
 * once the framework has made a domain, more when it is bound to one, and the framework's floor is what
 * this path is measured against (`npm run bench`). Everything here works through promises and no user
 * code runs here, so the domain would catch nothing of it. Once its dependencies are ready the handler
 * returns no promise, with push authentication or without (the framework would make one more to catch
 * it): it answers every outcome itself, an unexpected fault while answering included (`answerFault`).
 */
export function createEventHandler(type: DataType, deps: () => Promise<EventHandlerDeps>): Handler {
  const published = counter('events_received_total', { type, outcome: 'published' });
  const duplicate = counter('events_received_total', { type, outcome: 'duplicate' });
  // Once resolved, the dependencies are used as they are: no await per request for them.
  let ready: EventHandlerDeps | undefined;
  return (req, res) =>
    outsideRequestDomain(() => {
      if (ready) return handle(ready, req, res);
      return resolveDeps(deps, res).then((resolved) => {
        if (!resolved) return;
        ready = resolved;
        return handle(resolved, req, res);
      });
    });

  function handle(resolved: EventHandlerDeps, req: Request, res: Response): Promise<void> | void {
    const { pushAuth, projectId } = resolved;
    // The request's logger (trace fields and all) is built only when the request logs something.
    let requestLog: Logger | undefined;
    const log = (): Logger =>
      (requestLog ??= resolved.log.child({ dataType: type, ...traceFields(req.headers['x-cloud-trace-context'], projectId) }));

    if (!allowMethods(req, res, ['POST'])) return;
    if (!pushAuth) return accept(resolved, req, res, log);
    pushAuth.verify(req.headers.authorization).then(
      () => {
        try {
          accept(resolved, req, res, log);
        } catch (fault) {
          answerFault(res, log, fault);
        }
      },
      (error: unknown) => {
        try {
          if (error instanceof UnavailableError) {
            log().warn('push authentication unavailable: signing certificates could not be fetched; pub/sub will retry');
            increment('events_failed_total', { type, reason: 'auth-unavailable' });
            answerError(res, error, 'authentication unavailable, retry later');
            return;
          }
          if (!(error instanceof IdTokenError)) throw error;
          log().warn('push authentication failed', { reason: error.message });
          increment('events_rejected_total', { type, reason: error.kind });
          res.status(error.kind === 'forbidden' ? 403 : 401).json({ error: error.message });
        } catch (fault) {
          answerFault(res, log, fault);
        }
      },
    );
  }

  /** An authenticated request: checks and decodes the delivery, then publishes it. */
  function accept(resolved: EventHandlerDeps, req: Request, res: Response, log: () => Logger): void {
    const { broker, maxBodyBytes } = resolved;
    const size = req.rawBody?.length ?? Number(req.headers['content-length'] ?? 0);
    if (size > maxBodyBytes) {
      res.status(413).json({ error: `body larger than ${maxBodyBytes} bytes` });
      return;
    }
    const delivery = parseDelivery(req.headers, req.body);
    if (!delivery.ok) {
      log().warn('not a pub/sub delivery', { reason: delivery.reason });
      res.status(400).json({ error: delivery.reason });
      return;
    }
    const { message } = delivery;
    const decoded = decodeNotification(message.data);
    const conversation = decoded.ok ? conversationKey(decoded.conversation) : undefined;
    if (!decoded.ok || conversation === undefined) {
      const reason = decoded.ok ? 'no-conversation' : decoded.reason;
      log().error('undeliverable notification acknowledged', { reason, messageId: message.messageId });
      increment('events_undeliverable_total', { type, reason });
      res.status(204).end();
      return;
    }

    const record: EventRecord = {
      type,
      conversation,
      messageId: message.messageId,
      publishTime: message.publishTime,
      ackTime: resolved.now ? resolved.now().toISOString() : isoTime(Date.now()),
      attributes: message.attributes,
      data: decoded.json,
    };
    let publishing: Promise<PublishResult>;
    try {
      publishing = broker.publish(record);
    } catch (error) {
      // A broker that throws instead of rejecting is answered like one that rejects.
      publishing = Promise.reject(error);
    }
    publishing.then(
      (result) => {
        try {
          (result.duplicate ? duplicate : published)();
          if (isLevelEnabled('DEBUG')) {
            log().debug(result.duplicate ? 'duplicate delivery acknowledged' : 'event published', {
              conversation,
              messageId: message.messageId,
              eventId: result.id,
            });
          }
          res.status(204).end();
        } catch (fault) {
          answerFault(res, log, fault);
        }
      },
      (error: unknown) => {
        try {
          const unavailable = error instanceof UnavailableError;
          increment('events_failed_total', { type, reason: unavailable ? 'unavailable' : 'error' });
          log()[unavailable ? 'warn' : 'error']('event not published; pub/sub will retry', {
            messageId: message.messageId,
            error: unavailable ? error.message : error,
          });
          res.status(unavailable ? 503 : 500).json({ error: unavailable ? 'store unavailable, retry later' : 'internal error' });
        } catch (fault) {
          answerFault(res, log, fault);
        }
      },
    );
  }
}

/**
 * What the framework's crash response would have done for a fault while answering: the fault logged, and
 * a 500 (retried by Pub/Sub) when nothing was sent yet, or the response cut off when part of it was. It
 * never throws: nothing is left to catch what it would throw (an unhandled rejection ends the instance).
 */
function answerFault(res: Response, log: () => Logger, fault: unknown): void {
  try {
    log().error('fault while answering a delivery; pub/sub will retry', { error: fault });
  } catch {
    // The log line is lost; the answer is not.
  }
  try {
    if (!res.headersSent) res.status(500).json({ error: 'internal error' });
    else if (!res.writableEnded) res.destroy();
  } catch {
    res.destroy();
  }
}
