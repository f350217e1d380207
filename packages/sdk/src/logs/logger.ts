/**
 * `getLogger(name)`: a winston logger writing one JSON object per line.
 * (Seed version; the SDK work fills in trace context, redaction and OTLP export.)
 */
import winston from 'winston';

export function getLogger(name: string): winston.Logger {
  return winston.createLogger({
    level: process.env.LOG_LEVEL ?? 'info',
    defaultMeta: { logger: name },
    format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
    transports: [new winston.transports.Console()],
  });
}
