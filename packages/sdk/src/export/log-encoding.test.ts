import { ProtobufLogsSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { describe, expect, it } from 'vitest';
import { fuzz } from '../../test/support/fuzz.ts';
import { encodeEnvelope, encodeLogRecord, encodeLogsRequest } from './log-encoding.ts';

const SKIP = new Set(['message', 'level', 'timestamp']);
const resource = resourceFromAttributes({
  'service.name': 'svc',
  'service.version': '1.2.3',
  'service.instance.id': 'ä-instance-😀',
});
const scope = { name: '@authlens/sdk/logger', version: undefined, schemaUrl: undefined };

function stockRecord(
  timeMs: number,
  severityNumber: number,
  severityText: string,
  body: string,
  attributes: Record<string, unknown>,
  spanContext?: { traceId: string; spanId: string; traceFlags: number },
): ReadableLogRecord {
  const hr: [number, number] = [Math.floor(timeMs / 1000), (timeMs % 1000) * 1e6];
  const attrs: Record<string, unknown> = {};
  for (const k of Object.keys(attributes)) if (!SKIP.has(k)) attrs[k] = attributes[k];
  return {
    hrTime: hr,
    hrTimeObserved: hr,
    severityNumber,
    severityText,
    body,
    attributes: attrs,
    droppedAttributesCount: 0,
    spanContext,
    resource,
    instrumentationScope: scope,
  } as unknown as ReadableLogRecord;
}

/** Random values of every shape a redacted winston record can carry. */
function randomValue(random: () => number, depth: number): unknown {
  const r = Math.floor(random() * (depth > 2 ? 6 : 8));
  switch (r) {
    case 0:
      return `${'x'.repeat(Math.floor(random() * 300))}é漢😀`;
    case 1:
      return random() < 0.5;
    case 2:
      return Math.floor((random() - 0.5) * 2 ** 40);
    case 3:
      return (random() - 0.5) * 1e6;
    case 4:
      return null;
    case 5:
      return random() < 0.5 ? -1 : 2 ** 53;
    case 6:
      return Array.from({ length: Math.floor(random() * 4) }, () => randomValue(random, depth + 1));
    default: {
      const o: Record<string, unknown> = {};
      for (let i = 0; i < Math.floor(random() * 5); i++) o[`k${i}`] = randomValue(random, depth + 1);
      return o;
    }
  }
}

describe('getLogger() record encoding', () => {
  it('writes byte for byte what the stock OTLP serializer writes (fuzzed over many shapes)', () => {
    const { seed, random } = fuzz('log encoding');
    const envelope = encodeEnvelope(resource.attributes, scope.name, undefined);
    for (let round = 0; round < 200; round++) {
      const n = 1 + Math.floor(random() * 5);
      const mine = [];
      const stock = [];
      for (let i = 0; i < n; i++) {
        const info: Record<string, unknown> = {
          message: 'login attempt',
          level: 'info',
          timestamp: 'skipped',
          logger: 'login',
          'http.route': '/login',
        };
        for (let k = 0; k < Math.floor(random() * 8); k++) info[`a${k}`] = randomValue(random, 0);
        const time = 1_790_000_000_000 + Math.floor(random() * 1e6);
        const sc =
          random() < 0.7
            ? {
                traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
                spanId: '00f067aa0ba902b7',
                traceFlags: random() < 0.5 ? 1 : 0,
              }
            : undefined;
        const body = random() < 0.2 ? 'b'.repeat(200) : 'login attempt';
        mine.push(encodeLogRecord(time, 9, 'INFO', body, info, SKIP, sc));
        stock.push(stockRecord(time, 9, 'INFO', body, info, sc));
      }
      const expected = Buffer.from(ProtobufLogsSerializer.serializeRequest(stock) as Uint8Array);
      const got = Buffer.from(encodeLogsRequest(envelope, mine));
      expect(got.toString('hex'), `round ${round}, AUTHLENS_FUZZ_SEED=${seed}`).toBe(
        expected.toString('hex'),
      );
    }
  });

  it('handles long nested messages (length prefixes wider than one byte)', () => {
    const envelope = encodeEnvelope(resource.attributes, scope.name, undefined);
    const info = {
      message: 'm',
      deep: { list: Array.from({ length: 50 }, (_, i) => `item-${i}-${'z'.repeat(20)}`) },
    };
    const got = Buffer.from(
      encodeLogsRequest(envelope, [encodeLogRecord(1000, 13, 'WARN', 'm', info, SKIP, undefined)]),
    );
    const expected = Buffer.from(
      ProtobufLogsSerializer.serializeRequest([stockRecord(1000, 13, 'WARN', 'm', info)]) as Uint8Array,
    );
    expect(got.length).toBeGreaterThan(1000);
    expect(got.equals(expected)).toBe(true);
  });
});
