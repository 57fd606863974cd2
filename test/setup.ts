/**
 * Mocha setup: log lines go to a buffer instead of the console (a test that cares reads them with
 * `capturedLogs()`), and show only when LOG_TESTS=1.
 */
import { setLogSink } from '../src/log';

const lines: string[] = [];

if (process.env.LOG_TESTS !== '1') {
  setLogSink((line) => {
    lines.push(line);
    if (lines.length > 10_000) lines.splice(0, 5_000);
  });
}

/** Log entries written since the test run started (parsed), newest last. */
export function capturedLogs(): Array<Record<string, unknown>> {
  return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Forgets the captured log lines. */
export function clearLogs(): void {
  lines.length = 0;
}
