import { collectAlerts, type AlertFeature, type BlobStore } from '@shoutu/shared';

/** Where the API reads 图斑 from. */
export interface AlertSource {
  all(): Promise<AlertFeature[]>;
}

/** Every alert in storage (the record of truth), read per request: right for a county's data set and
 *  the embedded demo; a Redis index takes over for province-scale feeds. */
export function storedAlerts(store: BlobStore): AlertSource {
  return { all: () => collectAlerts(store) };
}
