/**
 * The stored record and the live channel's message, as the publish script writes them and the relay reads
 * them: what is read back is the record as written, with its history id (and, live, the id before it),
 * whatever else a record's JSON holds; what is not a record is refused, never thrown.
 */
import assert from 'node:assert/strict';
import { parseRecord, serializeRecord, type EventRecord } from '../src/broker/event';
import { parseChannelMessage } from '../src/broker/redis';

const record: EventRecord = {
  type: 'new-message-event',
  conversation: 'projects/p/conversations/c',
  messageId: '17',
  publishTime: '2026-12-01T10:00:00.000Z',
  ackTime: '2026-12-01T10:00:00.012Z',
  attributes: { participant_role: 'END_USER' },
  data: '{"conversation":"projects/p/locations/global/conversations/c","payload":{"text":"héllo \\u2028"}}',
};

describe('event records', () => {
  it('reads back what serializeRecord wrote, with its id, and nothing else', () => {
    const event = parseRecord('1764583200000-3', serializeRecord(record));
    assert.deepEqual(event, { ...record, id: '1764583200000-3' });
    assert.equal('prevId' in event!, false, 'a history entry says nothing of the entry before it');
  });

  it('reads a channel message with the id before it, and one from a publisher that did not say', () => {
    const json = serializeRecord(record);
    assert.deepEqual(parseChannelMessage(`1764583200000-3 1764583200000-2 ${json}`), { ...record, id: '1764583200000-3', prevId: '1764583200000-2' });
    assert.deepEqual(parseChannelMessage(`1764583200000-0  ${json}`), { ...record, id: '1764583200000-0', prevId: '' }, 'the first entry: an empty prevId');
    const old = parseChannelMessage(`1764583200000-3 ${json}`);
    assert.deepEqual(old, { ...record, id: '1764583200000-3' });
    assert.equal('prevId' in old!, false);
    assert.equal(parseChannelMessage('1764583200000-3'), undefined);
    assert.equal(parseChannelMessage(` ${json}`), undefined);
    assert.equal(parseChannelMessage('1764583200000-3 1764583200000-2'), undefined);
  });

  it('takes the id (and prevId) from where the store put them, never from the JSON', () => {
    const forged = JSON.stringify({ ...JSON.parse(serializeRecord(record)), id: '9-9', prevId: '9-8' });
    assert.deepEqual(parseRecord('1-0', forged), { ...record, id: '1-0' });
    assert.deepEqual(parseRecord('1-0', forged, '0-5'), { ...record, id: '1-0', prevId: '0-5' });
  });

  it('fills what an older or partial record lacks; fields it does not know are not read', () => {
    const partial = JSON.stringify({ type: record.type, conversation: record.conversation, data: record.data, messageId: 17, attributes: 'x', extra: 1 });
    assert.deepEqual(parseRecord('1-0', partial), {
      id: '1-0',
      type: record.type,
      conversation: record.conversation,
      messageId: '17',
      publishTime: '',
      ackTime: '',
      attributes: {},
      data: record.data,
    });
    const event = parseRecord('1-0', JSON.stringify({ ...JSON.parse(serializeRecord(record)), extra: 1 }));
    assert.equal(event?.data, record.data);
    assert.equal(event?.messageId, record.messageId);
  });

  it('refuses what is not a record, without throwing', () => {
    const json = JSON.parse(serializeRecord(record)) as Record<string, unknown>;
    for (const text of ['', 'not json', 'null', '[]', '7', '"text"', JSON.stringify({ ...json, type: 'other-event' }), JSON.stringify({ ...json, data: {} }), JSON.stringify({ ...json, conversation: 5 })]) {
      assert.equal(parseRecord('1-0', text), undefined, text);
    }
  });
});
