/**
 * `npm run simulate -- --pubsub`: the real `@google-cloud/pubsub` client, pointed by PUBSUB_EMULATOR_HOST at
 * a loopback gRPC stand-in that implements `google.pubsub.v1.Publisher/Publish` from the client's own
 * protos, receives the sample call on the tutorial's four topics with the right data and attributes.
 * Not exercised here: Google's Pub/Sub service and Application Default Credentials.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { sampleCall } from '../src/samples/notifications';
import { publishSamples, pubsubPublisher, topicOf } from '../src/tools/simulate-pubsub';

interface Received {
  readonly topic: string;
  readonly data: string;
  readonly attributes: Record<string, string>;
}

/** A Pub/Sub Publisher stand-in on 127.0.0.1 (insecure gRPC, as the emulator speaks). */
async function startPublisherStandIn(): Promise<{ host: string; received: Received[]; close(): Promise<void> }> {
  const protosJson = JSON.parse(readFileSync(join(require.resolve('@google-cloud/pubsub'), '..', '..', 'protos', 'protos.json'), 'utf8')) as Record<string, unknown>;
  const definition = protoLoader.fromJSON(protosJson, { keepCase: false, longs: String, defaults: true });
  const loaded = grpc.loadPackageDefinition(definition) as unknown as { google: { pubsub: { v1: { Publisher: grpc.ServiceClientConstructor } } } };
  const received: Received[] = [];
  let next = 0;
  const server = new grpc.Server();
  server.addService(loaded.google.pubsub.v1.Publisher.service, {
    publish: (call: grpc.ServerUnaryCall<{ topic: string; messages: Array<{ data: Buffer; attributes: Record<string, string> }> }, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      const messageIds = call.request.messages.map((message) => {
        received.push({ topic: call.request.topic, data: Buffer.from(message.data).toString('utf8'), attributes: { ...message.attributes } });
        return String(++next);
      });
      callback(null, { messageIds });
    },
  });
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))));
  return { host: `127.0.0.1:${port}`, received, close: () => new Promise((resolve) => server.tryShutdown(() => resolve())) };
}

describe('simulate --pubsub (publishing the sample call to the deployed topics)', function () {
  this.timeout(20_000);

  it('maps each notification type to the tutorial topic names under the prefix', () => {
    assert.equal(topicOf('human-agent-assistant-event', 'aa-'), 'aa-new-suggestion-topic');
    assert.equal(topicOf('new-message-event', 'aa-'), 'aa-new-message-topic');
    assert.equal(topicOf('conversation-lifecycle-event', 'aa-'), 'aa-conversation-event-topic');
    assert.equal(topicOf('new-recognition-result-notification-event', 'x-'), 'x-intermediate-transcript-topic');
  });

  it('publishes every sample, in order, with JSON data and the recognition attributes, through the real client', async () => {
    const standIn = await startPublisherStandIn();
    const saved = { PUBSUB_EMULATOR_HOST: process.env.PUBSUB_EMULATOR_HOST, METADATA_SERVER_DETECTION: process.env.METADATA_SERVER_DETECTION };
    process.env.PUBSUB_EMULATOR_HOST = standIn.host;
    // Loopback only: keep google-auth-library from probing the GCE metadata server for credentials.
    process.env.METADATA_SERVER_DETECTION = 'none';
    const publisher = await pubsubPublisher('sim-project');
    try {
      const conversation = 'projects/sim-project/locations/global/conversations/sim-1';
      const samples = sampleCall(conversation);
      const lines: string[] = [];
      const published = await publishSamples(samples, { publish: publisher.publish, topicPrefix: 'aa-', onPublished: (p) => lines.push(`${p.type} ${p.topic}`) });

      assert.equal(published.length, samples.length);
      assert.equal(standIn.received.length, samples.length);
      for (const [i, sample] of samples.entries()) {
        const got = standIn.received[i];
        assert.equal(got.topic, `projects/sim-project/topics/${topicOf(sample.type, 'aa-')}`);
        assert.deepEqual(JSON.parse(got.data), sample.data);
        assert.deepEqual(got.attributes, sample.attributes);
        assert.match(published[i].messageId, /^\d+$/);
      }
      const transcript = standIn.received.find((message) => message.topic.endsWith('aa-intermediate-transcript-topic'));
      assert.deepEqual(transcript?.attributes, { participant_role: 'END_USER', message_id: 'utterance-1' });
      assert.equal(new Set(standIn.received.map((message) => message.topic)).size, 4, 'all four topics');
      assert.equal(lines.length, samples.length);
    } finally {
      await publisher.close();
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      await standIn.close();
    }
  });

  it('stops at the first failed publish and reports what was published', async () => {
    const topics: string[] = [];
    const publish = async (topic: string): Promise<string> => {
      topics.push(topic);
      if (topics.length === 2) throw new Error('PERMISSION_DENIED');
      return 'id';
    };
    await assert.rejects(publishSamples(sampleCall('projects/p/conversations/c'), { publish, topicPrefix: 'aa-' }), /PERMISSION_DENIED/);
    assert.equal(topics.length, 2);
  });
});
