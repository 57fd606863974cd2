/**
 * Reading a delivery's notification: its data is accepted exactly when it is standard, padded base64
 * (RFC 4648, section 4), whichever way the decoder is reached; and the acknowledgement time the function
 * stamps is the instant's ISO string, to the millisecond.
 */
import assert from 'node:assert/strict';
import { decodeNotification } from '../src/events/delivery';
import { isoTime } from '../src/events/handler';

/** Standard, padded base64, written from the RFC rather than from the code under test. */
const STANDARD_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** decodeNotification's verdict on `data` as base64 (valid base64 that is not a notification is still valid base64). */
function acceptedAsBase64(data: string): boolean {
  const result = decodeNotification(data);
  return result.ok || result.reason !== 'bad-base64';
}

function* strings(alphabet: readonly string[], length: number): Generator<string> {
  if (length === 0) {
    yield '';
    return;
  }
  for (const head of alphabet) for (const tail of strings(alphabet, length - 1)) yield head + tail;
}

describe('event deliveries: the notification data', () => {
  it('accepts exactly the standard, padded base64 strings, over every string of a mixed alphabet', () => {
    // Canonical and non-canonical letters, padding, the URL-safe alphabet, whitespace, punctuation and
    // characters past Latin-1: what a lenient decoder skips, maps or stops at.
    const mixed = ['A', 'Q', 'z', '+', '/', '=', '-', '_', ' ', '!', '\n', 'é', '\u2603'];
    let checked = 0;
    let valid = 0;
    for (const length of [1, 2, 3, 4]) {
      for (const data of strings(mixed, length)) {
        assert.equal(acceptedAsBase64(data), STANDARD_BASE64.test(data), JSON.stringify(data));
        checked += 1;
        if (STANDARD_BASE64.test(data)) valid += 1;
      }
    }
    for (const data of strings(['A', '/', '=', '-', '!'], 8)) {
      assert.equal(acceptedAsBase64(data), STANDARD_BASE64.test(data), JSON.stringify(data));
      checked += 1;
    }
    assert.ok(checked > 400_000 && valid > 500, `${checked} strings, ${valid} of the short ones valid`);
  });

  it('accepts long valid data and refuses it once one character anywhere is wrong', () => {
    const notification = JSON.stringify({ conversation: 'projects/p/conversations/c', text: 'x'.repeat(3000) });
    const data = Buffer.from(notification).toString('base64');
    assert.deepEqual(decodeNotification(data), { ok: true, json: notification, conversation: 'projects/p/conversations/c' });
    for (let at = 0; at < data.length; at += 97) {
      for (const wrong of ['-', '_', '=', ' ', '\u00e9']) {
        const corrupted = data.slice(0, at) + wrong + data.slice(at + 1);
        assert.equal(acceptedAsBase64(corrupted), STANDARD_BASE64.test(corrupted), `${wrong} at ${at}`);
      }
    }
  });

  it('takes base64 whose last character carries stray bits, as the alphabet allows', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    const notification = '{"conversation":"projects/p/conversations/ccc"}';
    const canonical = Buffer.from(notification).toString('base64');
    assert.match(canonical, /[^=]=$/, 'one padding character: the last data character has two unused bits');
    const last = canonical.length - 2;
    const stray = canonical.slice(0, last) + alphabet[alphabet.indexOf(canonical[last]) ^ 1] + '=';
    assert.notEqual(stray, canonical);
    assert.deepEqual(decodeNotification(stray), { ok: true, json: notification, conversation: 'projects/p/conversations/ccc' });
    assert.deepEqual(decodeNotification('QR=='), { ok: false, reason: 'data-not-json' });
  });
});

describe('event deliveries: the acknowledgement time', () => {
  it('is the ISO string of the instant, across second boundaries, back in time and over the years', () => {
    const instants: number[] = [];
    const base = Date.UTC(2026, 11, 31, 23, 59, 58, 990);
    for (let ms = base; ms < base + 2_100; ms += 1) instants.push(ms);
    for (const remainder of [0, 1, 9, 10, 99, 100, 999]) instants.push(Date.UTC(2027, 0, 1, 0, 0, 0) + remainder, Date.UTC(2000, 1, 29, 12, 0, 0) + remainder);
    // Before 1970, before year 0 and past 9999 (six-digit years), to the ends of the Date range.
    instants.push(-1, -999, -1000, -1001, Date.UTC(-1, 0, 1) + 5, Date.UTC(10000, 0, 1) + 7, 8.64e15, -8.64e15);
    let seed = 20261201;
    const next = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 5_000; i++) instants.push(Math.floor((next() * 2 - 1) * 8.64e15));
    for (const ms of instants) assert.equal(isoTime(ms), new Date(ms).toISOString(), String(ms));
  });
});
