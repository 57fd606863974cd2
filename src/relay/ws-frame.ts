/**
 * A WebSocket text frame as a server sends it (RFC 6455 section 5.2): final, unmasked, no extension bits,
 * the payload's UTF-8 length in 7, 16 or 64 bits, then the payload. The relay frames an event once and
 * writes the same bytes to every socket of its room (src/relay/native.ts), instead of `ws` framing and
 * encoding the text again for each socket and writing it in two pieces.
 */

/** FIN and opcode 1 (text). */
const FIN_TEXT = 0x81;

/** The whole frame of `payload`, header and UTF-8 payload in one buffer. */
export function textFrame(payload: string): Buffer {
  const length = Buffer.byteLength(payload);
  const header = length < 126 ? 2 : length < 0x10000 ? 4 : 10;
  const frame = Buffer.allocUnsafe(header + length);
  frame[0] = FIN_TEXT;
  if (header === 2) {
    frame[1] = length;
  } else if (header === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    // A JavaScript string's UTF-8 length is far below 2^53: the high 32 bits are what division leaves.
    frame.writeUInt32BE(Math.floor(length / 0x1_0000_0000), 2);
    frame.writeUInt32BE(length >>> 0, 6);
  }
  frame.write(payload, header, 'utf8');
  return frame;
}
