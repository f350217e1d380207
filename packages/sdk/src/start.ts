export interface StartOptions {
  /** Overrides `OTEL_SERVICE_NAME`. */
  serviceName?: string;
}

export interface AuthlensHandle {
  /** True when telemetry is running; false when disabled or when configuration failed. */
  readonly enabled: boolean;
  /** Flushes and stops every provider; safe to call more than once. */
  shutdown(): Promise<void>;
}

/** Starts authlens telemetry. Never throws: a configuration error yields a no-op handle. */
export async function start(_options: StartOptions = {}): Promise<AuthlensHandle> {
  return { enabled: false, shutdown: async () => {} };
}
