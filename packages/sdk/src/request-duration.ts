/**
 * `http.server.request.duration` without the metrics SDK on the request path. A synchronous
 * histogram records through attribute-set hashing (sorting and stringifying the attributes of
 * every measurement); here one measurement is three map lookups on (method, route, status)
 * and a bucket increment. The readers collect it as a `MetricProducer`: a cumulative explicit
 * bucket histogram, the same data the SDK histogram would report.
 */

import type { HrTime } from '@opentelemetry/api';
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

/** Records one request duration (seconds) for the method, route and status. */
export type RecordDuration = (seconds: number, method: string, route: string, status: number) => void;

class Cell {
  readonly counts: number[];
  sum = 0;
  count = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;
  constructor(buckets: number) {
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
  private readonly cells = new Map<string, Map<string, Map<number, Cell>>>();
  private readonly boundaries: number[];
  private readonly startTime: HrTime;
  private readonly options: RequestDurationOptions;

  constructor(options: RequestDurationOptions) {
    this.options = options;
    this.boundaries = [...options.boundaries];
    this.startTime = hrTimeOf(performance.timeOrigin + performance.now());
  }

  readonly record: RecordDuration = (seconds, method, route, status) => {
    let byRoute = this.cells.get(method);
    if (byRoute === undefined) {
      byRoute = new Map();
      this.cells.set(method, byRoute);
    }
    let byStatus = byRoute.get(route);
    if (byStatus === undefined) {
      byStatus = new Map();
      byRoute.set(route, byStatus);
    }
    let cell = byStatus.get(status);
    if (cell === undefined) {
      cell = new Cell(this.boundaries.length + 1);
      byStatus.set(status, cell);
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
  };

  /** The cumulative histogram as one metric of the SDK's data model. */
  snapshot(): HistogramMetricData {
    const endTime = hrTimeOf(performance.timeOrigin + performance.now());
    const dataPoints: HistogramMetricData['dataPoints'] = [];
    for (const [method, byRoute] of this.cells) {
      for (const [route, byStatus] of byRoute) {
        for (const [status, cell] of byStatus) {
          dataPoints.push({
            attributes: {
              'http.request.method': method,
              'http.route': route,
              'http.response.status_code': status,
            },
            startTime: this.startTime,
            endTime,
            value: {
              buckets: { boundaries: this.boundaries, counts: [...cell.counts] },
              sum: cell.sum,
              count: cell.count,
              min: cell.min,
              max: cell.max,
            },
          });
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
