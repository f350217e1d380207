/**
 * `http.server.request.duration` without the metrics SDK on the request path. A synchronous
 * histogram records through attribute-set hashing (sorting and stringifying the attributes of
 * every measurement); here one measurement is three map lookups on (method, route, status)
 * and a bucket increment. The readers collect it as a `MetricProducer`: a cumulative explicit
 * bucket histogram, the same data the SDK histogram would report.
 *
 * Exemplars: each bucket of each attribute set keeps the latest measurement of a sampled request
 * (trace and span ID, value, time). They ride on the data points as {@link ExemplarDataPoint}
 * (the SDK's data model has no exemplar field) and are written by the OpenMetrics serializer.
 */

import type { HrTime, SpanContext } from '@opentelemetry/api';
import { ValueType } from '@opentelemetry/api';
import type { InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  type CollectionResult,
  DataPointType,
  type HistogramMetricData,
  type MetricProducer,
} from '@opentelemetry/sdk-metrics';
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_URL_SCHEME,
} from '@opentelemetry/semantic-conventions';

/**
 * Records one request duration (seconds) for the method, route, status, URL scheme and
 * `error.type` (undefined for a successful request); `sampled` is the span context of a
 * sampled request (kept as the bucket's exemplar), undefined otherwise.
 */
export type RecordDuration = (
  seconds: number,
  method: string,
  route: string,
  status: number,
  scheme: 'http' | 'https',
  errorType: string | undefined,
  sampled?: SpanContext,
) => void;

/** The latest sampled measurement that fell in one bucket. */
export interface Exemplar {
  readonly traceId: string;
  readonly spanId: string;
  readonly value: number;
  /** Unix time in milliseconds. */
  readonly timeMs: number;
}

/** A histogram data point with its exemplars, one slot per bucket (undefined: none yet). */
export type ExemplarDataPoint = HistogramMetricData['dataPoints'][number] & {
  exemplars?: ReadonlyArray<Exemplar | undefined>;
};

class Cell {
  readonly scheme: string;
  readonly status: number;
  readonly errorType: string | undefined;
  readonly counts: number[];
  sum = 0;
  count = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;
  /** Per bucket: the latest sampled measurement; allocated with the first sampled request. */
  exemplars: Array<Exemplar | undefined> | undefined = undefined;
  constructor(buckets: number, scheme: string, status: number, errorType: string | undefined) {
    this.scheme = scheme;
    this.status = status;
    this.errorType = errorType;
    this.counts = new Array<number>(buckets).fill(0);
  }
}

function hrTimeOf(ms: number): HrTime {
  return [Math.floor(ms / 1000), Math.round((ms % 1000) * 1e6)];
}

export interface RequestDurationOptions {
  name: string;
  description: string;
  unit: string;
  boundaries: readonly number[];
  resource: Resource;
  scope: InstrumentationScope;
}

export class RequestDurationHistogram implements MetricProducer {
  /** scheme → method → route → status (or `status error.type` when they differ) → cell. */
  private readonly cells = new Map<string, Map<string, Map<string, Map<number | string, Cell>>>>();
  private readonly boundaries: number[];
  private readonly startTime: HrTime;
  private readonly options: RequestDurationOptions;

  constructor(options: RequestDurationOptions) {
    this.options = options;
    this.boundaries = [...options.boundaries];
    this.startTime = hrTimeOf(performance.timeOrigin + performance.now());
  }

  readonly record: RecordDuration = (seconds, method, route, status, scheme, errorType, sampled) => {
    let byMethod = this.cells.get(scheme);
    if (byMethod === undefined) {
      byMethod = new Map();
      this.cells.set(scheme, byMethod);
    }
    let byRoute = byMethod.get(method);
    if (byRoute === undefined) {
      byRoute = new Map();
      byMethod.set(method, byRoute);
    }
    let byStatus = byRoute.get(route);
    if (byStatus === undefined) {
      byStatus = new Map();
      byRoute.set(route, byStatus);
    }
    // The status alone is the key when error.type follows from it (none, or the 5xx code).
    const key = errorType === undefined || errorType === String(status) ? status : `${status} ${errorType}`;
    let cell = byStatus.get(key);
    if (cell === undefined) {
      cell = new Cell(this.boundaries.length + 1, scheme, status, errorType);
      byStatus.set(key, cell);
    }
    const b = this.boundaries;
    let i = 0;
    // Boundaries are inclusive upper bounds; the last bucket takes the rest.
    while (i < b.length && seconds > (b[i] as number)) i++;
    cell.counts[i] = (cell.counts[i] as number) + 1;
    cell.sum += seconds;
    cell.count++;
    if (seconds < cell.min) cell.min = seconds;
    if (seconds > cell.max) cell.max = seconds;
    // Unsampled requests (most of them at low sampling rates) stop here: no allocation.
    if (sampled !== undefined) {
      cell.exemplars ??= new Array<Exemplar | undefined>(b.length + 1).fill(undefined);
      cell.exemplars[i] = {
        traceId: sampled.traceId,
        spanId: sampled.spanId,
        value: seconds,
        timeMs: Date.now(),
      };
    }
  };

  /** The cumulative histogram as one metric of the SDK's data model. */
  snapshot(): HistogramMetricData {
    const endTime = hrTimeOf(performance.timeOrigin + performance.now());
    const dataPoints: HistogramMetricData['dataPoints'] = [];
    for (const byMethod of this.cells.values()) {
      for (const [method, byRoute] of byMethod) {
        for (const [route, byStatus] of byRoute) {
          for (const cell of byStatus.values()) {
            const attributes: Record<string, string | number> = {
              [ATTR_HTTP_REQUEST_METHOD]: method,
              [ATTR_HTTP_ROUTE]: route,
              [ATTR_HTTP_RESPONSE_STATUS_CODE]: cell.status,
              [ATTR_URL_SCHEME]: cell.scheme,
            };
            if (cell.errorType !== undefined) attributes[ATTR_ERROR_TYPE] = cell.errorType;
            const point: ExemplarDataPoint = {
              attributes,
              startTime: this.startTime,
              endTime,
              value: {
                buckets: { boundaries: this.boundaries, counts: [...cell.counts] },
                sum: cell.sum,
                count: cell.count,
                min: cell.min,
                max: cell.max,
              },
            };
            if (cell.exemplars !== undefined) point.exemplars = [...cell.exemplars];
            dataPoints.push(point);
          }
        }
      }
    }
    return {
      descriptor: {
        name: this.options.name,
        description: this.options.description,
        unit: this.options.unit,
        valueType: ValueType.DOUBLE,
      },
      aggregationTemporality: AggregationTemporality.CUMULATIVE,
      dataPointType: DataPointType.HISTOGRAM,
      dataPoints,
    };
  }

  async collect(): Promise<CollectionResult> {
    const metric = this.snapshot();
    return {
      resourceMetrics: {
        resource: this.options.resource,
        scopeMetrics:
          metric.dataPoints.length === 0 ? [] : [{ scope: this.options.scope, metrics: [metric] }],
      },
      errors: [],
    };
  }
}
