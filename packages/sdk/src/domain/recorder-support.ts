/** Small helpers shared by the recorders: options, number and date checks. */
import { getLogger } from '../logs/logger.ts';
import type { GuardOptions, GuardWarn } from './cardinality.ts';
import type { MeterOptions } from './meter.ts';

/** Options every recorder factory accepts. */
export interface RecorderOptions extends MeterOptions, GuardOptions {}

let recorderLogger: ReturnType<typeof getLogger> | undefined;
const defaultWarn: GuardWarn = (message, fields) => {
  recorderLogger ??= getLogger('authlens.recorders');
  recorderLogger.warn(message, fields);
};

/** The clock in milliseconds: a test clock's, else `Date.now` (no Date allocated per call). */
export function clockMs(now: (() => Date) | undefined): () => number {
  return now ? () => now().getTime() : Date.now;
}

/**
 * Returns a checker for a numeric argument: finite and within [min, max], else the record is
 * skipped and a warning naming the field is logged once (a recorder never throws at the caller).
 */
export function numberCheck(
  field: string,
  min: number,
  max: number,
  warn: GuardWarn = defaultWarn,
): (value: number) => boolean {
  let warned = false;
  return (value) => {
    if (typeof value === 'number' && value >= min && value <= max) return true;
    if (!warned) {
      warned = true;
      warn(`Ignored a measurement: ${field} must be a number in [${min}, ${max}]`, {
        field,
        value: String(value).slice(0, 40),
      });
    }
    return false;
  };
}

/**
 * Returns a checker for a Date argument: a valid Date, else the record is skipped and a warning
 * naming the field is logged once. Returns the time in milliseconds, or `undefined` when invalid.
 */
export function dateCheck(
  field: string,
  warn: GuardWarn = defaultWarn,
): (value: unknown) => number | undefined {
  let warned = false;
  return (value) => {
    const ms = value instanceof Date ? value.getTime() : Number.NaN;
    if (!Number.isNaN(ms)) return ms;
    if (!warned) {
      warned = true;
      warn(`Ignored a measurement: ${field} must be a valid Date`, {
        field,
        value: String(value).slice(0, 40),
      });
    }
    return undefined;
  };
}
