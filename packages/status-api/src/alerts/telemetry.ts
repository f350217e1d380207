/** The alert engine's own instruments: notification attempts by outcome, open alerts by severity, pending deliveries. */
import { metrics, type ObservableResult } from '@opentelemetry/api';
import type { AlertStore } from '../store/index.ts';
import { type ChannelType, SEVERITIES } from './types.ts';

export interface AlertTelemetry {
  notification(channelType: ChannelType, outcome: 'success' | 'retry' | 'failure'): void;
  /** Stops observing the store (before it closes). */
  close(): void;
}

export function alertTelemetry(store: AlertStore): AlertTelemetry {
  const meter = metrics.getMeter('@authlens/status-api');
  const notifications = meter.createCounter('authlens.alerts.notifications', {
    unit: '{notification}',
    description: 'Alert notification attempts by channel type and outcome',
  });
  const openGauge = meter.createObservableGauge('authlens.alerts.open', {
    unit: '{alert}',
    description: 'Open (not resolved) alerts by severity',
  });
  const observeOpen = async (result: ObservableResult) => {
    try {
      const counts = await store.countOpenBySeverity();
      for (const severity of SEVERITIES)
        result.observe(counts[severity] ?? 0, { 'alert.severity': severity });
    } catch {
      // The store may be closing; report nothing rather than fail the collection.
    }
  };
  openGauge.addCallback(observeOpen);
  const pendingGauge = meter.createObservableGauge('authlens.alerts.deliveries.pending', {
    unit: '{notification}',
    description: 'Notifications queued or being sent (outbox rows not yet sent or failed)',
  });
  const observePending = async (result: ObservableResult) => {
    try {
      result.observe(await store.pendingDeliveries());
    } catch {
      // As above: nothing rather than a failed collection.
    }
  };
  pendingGauge.addCallback(observePending);
  return {
    notification: (channelType, outcome) =>
      notifications.add(1, { 'alert.channel': channelType, 'alert.outcome': outcome }),
    close: () => {
      openGauge.removeCallback(observeOpen);
      pendingGauge.removeCallback(observePending);
    },
  };
}
