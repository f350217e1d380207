/**
 * `getStructuredLogger(name)`: key-value structured logging on top of the SDK's JSON logger
 * (`getLogger`, which adds trace context and redaction). `logger.info('msg', { key: value })`.
 */
import type winston from 'winston';
import { getLogger } from '../logs/logger.ts';

export type LogValue = string | number | boolean | null | undefined | Error | readonly unknown[] | object;
export type LogFields = Readonly<Record<string, LogValue>>;

export interface StructuredLogger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line. */
  child(fields: LogFields): StructuredLogger;
}

/** Wraps a winston logger (one JSON object per line) in the structured-logger interface. */
export function createStructuredLogger(base: winston.Logger): StructuredLogger {
  return {
    debug: (message, fields) => void base.debug(message, fields ?? {}),
    info: (message, fields) => void base.info(message, fields ?? {}),
    warn: (message, fields) => void base.warn(message, fields ?? {}),
    error: (message, fields) => void base.error(message, fields ?? {}),
    child: (fields) => createStructuredLogger(base.child({ ...fields })),
  };
}

/** A structured logger named `name` (the `logger` field of every line). */
export function getStructuredLogger(name: string): StructuredLogger {
  return createStructuredLogger(getLogger(name));
}

/** Options of the specialised loggers: where lines go (default: `getStructuredLogger(<name>)`). */
export interface LoggerOptions {
  logger?: StructuredLogger;
}

/** Resolves the logger lazily so that importing the SDK creates no winston logger. */
export function lazyLogger(options: LoggerOptions, name: string): () => StructuredLogger {
  let logger = options.logger;
  return () => {
    logger ??= getStructuredLogger(name);
    return logger;
  };
}
