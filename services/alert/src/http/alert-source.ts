import { collectAlerts, readCase, type AlertFeature, type BlobStore } from '@shoutu/shared';

/** Where the API reads 图斑 from. */
export interface AlertSource {
  all(): Promise<AlertFeature[]>;
}

/**
 * Every alert in storage (the record of truth) with its case's status, verdict and deadline, read per
 * request: right for a county's data set and the embedded demo; a Redis index takes over for
 * province-scale feeds.
 */
export function storedAlerts(store: BlobStore): AlertSource {
  return {
    async all() {
      const alerts = await collectAlerts(store);
      return Promise.all(
        alerts.map(async (alert) => {
          const record = await readCase(store, alert.id);
          if (!record) return alert;
          const lifecycle = { status: record.status, verdict: record.verdict, deadline: record.opening.deadline, dispatchedAt: record.opening.dispatchedAt };
          return { ...alert, properties: { ...alert.properties, ...lifecycle } } as AlertFeature;
        }),
      );
    },
  };
}
