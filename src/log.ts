/**
 * Structured logging for Cloud Logging: one JSON object per line on stdout, with `severity`, a constant
 * `message`, and fields. Callers pass identifiers and counts, never tokens, secrets or conversation text.
 * The trace from `X-Cloud-Trace-Context` goes in `logging.googleapis.com/trace` so a request's lines group.
 */

/** The severities, lowest first (Cloud Logging's names). */
export const SEVERITIES = ['DEBUG', 'INFO', 'NOTICE', 'WARNING', 'ERROR', 'CRITICAL'] as const;

export type Severity = (typeof SEVERITIES)[number];

const RANK: Record<Severity, number> = { DEBUG: 0, INFO: 1, NOTICE: 2, WARNING: 3, ERROR: 4, CRITICAL: 5 };

export type Fields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: Fields): void;
  info(message: string, fields?: Fields): void;
  notice(message: string, fields?: Fields): void;
  warn(message: string, fields?: Fields): void;
  error(message: string, fields?: Fields): void;
  /** A logger whose lines all carry `fields` as well. */
  child(fields: Fields): Logger;
}

export type Sink = (line: string) => void;

let sink: Sink = (line) => process.stdout.write(line + '\n');
// INFO until the composition root applies LOG_LEVEL, which it reads with every other setting.
let threshold: number = RANK.INFO;

/** Redirects every logger's output (tests capture lines with it); returns the previous sink. */
export function setLogSink(next: Sink): Sink {
  const previous = sink;
  sink = next;
  return previous;
}

/** Sets the lowest severity every logger writes (the composition root applies LOG_LEVEL with it). */
export function setLogLevel(level: Severity): void {
  threshold = RANK[level];
}

/** Whether lines of `level` are written at all (a caller can skip building fields that would be dropped). */
export function isLevelEnabled(level: Severity): boolean {
  return RANK[level] >= threshold;
}

function errorFields(value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  return value;
}

class JsonLogger implements Logger {
  constructor(private readonly base: Fields) {}

  private write(severity: Severity, message: string, fields?: Fields): void {
    if (RANK[severity] < threshold) return;
    const entry: Fields = { severity, message, time: new Date().toISOString(), ...this.base };
    if (fields) for (const [key, value] of Object.entries(fields)) entry[key] = errorFields(value);
    let line: string;
    try {
      line = JSON.stringify(entry);
    } catch {
      line = JSON.stringify({ severity, message, time: entry.time, note: 'fields were not serializable' });
    }
    sink(line);
  }

  debug(message: string, fields?: Fields): void { this.write('DEBUG', message, fields); }
  info(message: string, fields?: Fields): void { this.write('INFO', message, fields); }
  notice(message: string, fields?: Fields): void { this.write('NOTICE', message, fields); }
  warn(message: string, fields?: Fields): void { this.write('WARNING', message, fields); }
  error(message: string, fields?: Fields): void { this.write('ERROR', message, fields); }
  child(fields: Fields): Logger { return new JsonLogger({ ...this.base, ...fields }); }
}

/** The root logger of a component (`component` names the deployable unit or module). */
export function createLogger(component: string): Logger {
  return new JsonLogger({ component });
}

/**
 * The Cloud Logging trace field for a request, from `X-Cloud-Trace-Context: TRACE_ID/SPAN_ID;o=1`,
 * or an empty object when there is none (or no project to qualify it with).
 */
export function traceFields(header: string | string[] | undefined, projectId: string | undefined): Fields {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value || !projectId) return {};
  const traceId = value.split('/')[0];
  if (!/^[0-9a-f]{1,32}$/i.test(traceId)) return {};
  return { 'logging.googleapis.com/trace': `projects/${projectId}/traces/${traceId}` };
}
