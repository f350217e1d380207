/** Auth-domain telemetry: recorders, loggers and the instrument catalogue. */
export {};
