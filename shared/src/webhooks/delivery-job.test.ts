import { describe, expect, it } from 'vitest';
import type { AlertFeature } from '../alerts/alert-feature.js';
import { deliveriesFor } from './delivery-job.js';
import type { WebhookEndpoint } from './endpoints.js';

const endpoint = { id: 'ep_0123456789abcdef', enabled: true, regions: ['321200'] } as unknown as WebhookEndpoint;
const version = (v: number, dispatch: string) => ({ type: 'Feature', id: '321202-202402-0001', properties: { regionCode: '321202', afterDate: '2024-02-15', version: v, dispatch } }) as unknown as AlertFeature;

describe('webhook deliveries of 图斑 versions', () => {
  it('sends a created event for a dispatched 图斑 and an updated event for a later announced version, each with its own id', () => {
    const [created] = deliveriesFor(version(1, 'dispatch'), [endpoint]);
    const [updated] = deliveriesFor(version(2, 'update'), [endpoint]);
    expect(created!.data.eventType).toBe('tuban.created');
    expect(updated!.data.eventType).toBe('tuban.updated');
    expect(JSON.parse(updated!.data.body)).toMatchObject({ type: 'tuban.updated', data: { properties: { version: 2 } } });
    expect(created!.data.messageId).not.toBe(updated!.data.messageId);
    // the same version always gets the same message id (de-duplication by webhook-id)
    expect(deliveriesFor(version(2, 'update'), [endpoint])[0]!.data.messageId).toBe(updated!.data.messageId);
  });

  it('sends nothing for a held (likely legal) or merely recorded version', () => {
    expect(deliveriesFor(version(1, 'hold'), [endpoint])).toEqual([]);
    expect(deliveriesFor(version(3, 'record'), [endpoint])).toEqual([]);
    expect(deliveriesFor(version(3, 'redispatch'), [endpoint])).toHaveLength(1);
  });
});
