/**
 * The server span of a recorded request as one compact record, without the SDK tracer: the
 * request's span is the request's own (IDs from the pipeline's ID generator, the decision from
 * its sampler), so an unsampled request allocates no SDK span and a sampled one is a single
 * object with one attribute map, ended straight into the traces pipeline (redacted and encoded
 * there, like every other span). It implements the public `Span` interface, so app code, child
 * spans (pg, Redis, fetch) and `trace.getActiveSpan()` see an ordinary span; the semantics of
 * its methods follow the SDK's (`setStatus`, `recordException`, limits on attributes, events
 * and links through `@opentelemetry/core`'s public attribute helpers; nothing changes after
 * `end()`); `server-span.test.ts` checks it encodes byte for byte what an SDK span does.
 */
import {
  type Attributes,
  type AttributeValue,
  diag,
  type Exception,
  type HrTime,
  type Link,
  type Span,
  type SpanContext,
  SpanKind,
  type SpanStatus,
  SpanStatusCode,
  type TimeInput,
} from '@opentelemetry/api';
import {
  AddAttributeDecision,
  cleanAttributes,
  cleanSimpleAttributes,
  type InstrumentationScope,
  isTimeInput,
  maybeAddAttribute,
  millisToHrTime,
  timeInputToHrTime,
} from '@opentelemetry/core';
import type { TimedEvent } from '@opentelemetry/sdk-trace';

/** The instrumentation scope of server spans. */
export const SERVER_SCOPE: InstrumentationScope = { name: '@authlens/sdk/http-server' };

/** The traces pipeline's span limits (`pipelines/traces.ts`), applied the SDK's way. */
export const SERVER_SPAN_LIMITS = {
  attributeCountLimit: 64,
  attributeValueLengthLimit: 4096,
  eventCountLimit: 32,
  linkCountLimit: 128,
  attributePerEventCountLimit: 128,
  attributePerLinkCountLimit: 128,
} as const;

const NO_EVENTS: readonly TimedEvent[] = Object.freeze([]);
const NO_LINKS: readonly Link[] = Object.freeze([]);

/** Epoch milliseconds (fractional) as an `HrTime`. */
function hrTimeOfMs(ms: number): HrTime {
  const s = Math.floor(ms / 1000);
  return [s, Math.round((ms - s * 1000) * 1e6)];
}

export class ServerSpan implements Span {
  name: string;
  readonly kind = SpanKind.SERVER;
  readonly instrumentationScope = SERVER_SCOPE;
  readonly parentSpanContext: SpanContext | undefined;
  /** Attributes (the request's, set when it ends, and any the app sets). */
  readonly attributes: Attributes = {};
  droppedAttributesCount = 0;
  private attributeCount = 0;
  events: TimedEvent[] = NO_EVENTS as TimedEvent[];
  droppedEventsCount = 0;
  links: Link[] = NO_LINKS as Link[];
  droppedLinksCount = 0;
  status: SpanStatus = { code: SpanStatusCode.UNSET };
  /** Epoch milliseconds (fractional, from `performance`). */
  readonly startMs: number;
  endMs = 0;
  ended = false;
  private readonly context: SpanContext;
  private readonly onEnd: (span: ServerSpan) => void;

  constructor(
    name: string,
    context: SpanContext,
    parent: SpanContext | undefined,
    startMs: number,
    onEnd: (span: ServerSpan) => void,
  ) {
    this.name = name;
    this.context = context;
    this.parentSpanContext = parent;
    this.startMs = startMs;
    this.onEnd = onEnd;
  }

  get startTime(): HrTime {
    return hrTimeOfMs(this.startMs);
  }
  get endTime(): HrTime {
    return hrTimeOfMs(this.endMs);
  }

  spanContext(): SpanContext {
    return this.context;
  }
  isRecording(): boolean {
    return !this.ended;
  }

  /**
   * Sets an attribute the instrumentation computed itself (a string or a number by
   * construction, so only the length limit applies; never dropped for the count limit).
   */
  setOwnAttribute(key: string, value: string | number): void {
    if (!Object.hasOwn(this.attributes, key)) this.attributeCount++;
    const max = SERVER_SPAN_LIMITS.attributeValueLengthLimit;
    this.attributes[key] = typeof value === 'string' && value.length > max ? value.slice(0, max) : value;
  }

  setAttribute(key: string, value?: AttributeValue): this {
    if (this.ended) return this;
    const decision = maybeAddAttribute({
      key,
      value,
      attributes: this.attributes,
      limits: SERVER_SPAN_LIMITS,
      currentAttributesCount: this.attributeCount,
    });
    if (decision === AddAttributeDecision.DROP_LIMIT_REACHED) this.droppedAttributesCount++;
    else if (decision === AddAttributeDecision.ADD_NEW) this.attributeCount++;
    return this;
  }
  setAttributes(attributes: Attributes): this {
    for (const key of Object.keys(attributes)) this.setAttribute(key, attributes[key]);
    return this;
  }

  addEvent(name: string, attributesOrStartTime?: Attributes | TimeInput, startTime?: TimeInput): this {
    if (this.ended) return this;
    let attributes: Attributes | undefined;
    let time = startTime;
    if (isTimeInput(attributesOrStartTime)) {
      if (!isTimeInput(time)) time = attributesOrStartTime;
    } else attributes = attributesOrStartTime;
    if (this.events === NO_EVENTS) this.events = [];
    if (this.events.length >= SERVER_SPAN_LIMITS.eventCountLimit) {
      this.events.shift();
      this.droppedEventsCount++;
    }
    this.events.push({
      name,
      time:
        time === undefined
          ? millisToHrTime(performance.timeOrigin + performance.now())
          : timeInputToHrTime(time),
      ...cleanSimpleAttributes(attributes, {
        attributeCountLimit: SERVER_SPAN_LIMITS.attributePerEventCountLimit,
        attributeValueLengthLimit: SERVER_SPAN_LIMITS.attributeValueLengthLimit,
      }),
    });
    return this;
  }

  addLink(link: Link): this {
    if (this.ended) return this;
    if (this.links === NO_LINKS) this.links = [];
    if (this.links.length >= SERVER_SPAN_LIMITS.linkCountLimit) {
      this.links.shift();
      this.droppedLinksCount++;
    }
    this.links.push({
      context: link.context,
      ...cleanAttributes(link.attributes, {
        attributeCountLimit: SERVER_SPAN_LIMITS.attributePerLinkCountLimit,
        attributeValueLengthLimit: SERVER_SPAN_LIMITS.attributeValueLengthLimit,
      }),
    } as Link);
    return this;
  }
  addLinks(links: Link[]): this {
    for (const link of links) this.addLink(link);
    return this;
  }

  setStatus(status: SpanStatus): this {
    if (this.ended || status.code === SpanStatusCode.UNSET || this.status.code === SpanStatusCode.OK)
      return this;
    this.status =
      status.code === SpanStatusCode.ERROR && typeof status.message === 'string'
        ? { code: status.code, message: status.message }
        : { code: status.code };
    return this;
  }

  updateName(name: string): this {
    if (!this.ended) this.name = name;
    return this;
  }

  recordException(exception: Exception, time?: TimeInput): void {
    const attributes: Attributes = {};
    if (typeof exception === 'string') attributes['exception.message'] = exception;
    else if (exception) {
      if (exception.code) attributes['exception.type'] = exception.code.toString();
      else if (exception.name) attributes['exception.type'] = exception.name;
      if (exception.message) attributes['exception.message'] = exception.message;
      if (exception.stack) attributes['exception.stacktrace'] = exception.stack;
    }
    if (attributes['exception.type'] || attributes['exception.message'])
      this.addEvent('exception', attributes, time);
    else diag.warn(`Failed to record an exception ${exception}`);
  }

  end(endTime?: TimeInput): void {
    if (this.ended) {
      diag.error(
        `${this.name} ${this.context.traceId}-${this.context.spanId} - You can only call end() on a span once.`,
      );
      return;
    }
    this.endMs = endTime === undefined ? performance.timeOrigin + performance.now() : msOf(endTime);
    if (this.endMs < this.startMs) this.endMs = this.startMs;
    this.ended = true;
    this.onEnd(this);
  }
}

/** A `TimeInput` as epoch milliseconds (the SDK's reading of numbers: small ones are relative to `performance`). */
function msOf(time: TimeInput): number {
  const [s, ns] = timeInputToHrTime(time);
  return s * 1000 + ns / 1e6;
}
