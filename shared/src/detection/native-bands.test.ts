import { describe, expect, it } from 'vitest';
import { accumulateReplicationContrast, REPLICATION_COUNTS_PER_BAND } from '../kernels/replication-contrast.js';
import { replicatedScene } from '../kernels/test-replicated-scene.js';
import { nativeBands } from './native-bands.js';

describe('nativeBands', () => {
  const contrast = (width: number, height: number) => {
    const c = new Float64Array(4 * REPLICATION_COUNTS_PER_BAND);
    accumulateReplicationContrast(replicatedScene(width, height, 3), width, height, 4, null, c);
    return c;
  };

  it('drops bands replicated 2× (both ways, or along rows only with a drifting phase), keeps native and flat ones', () => {
    expect(nativeBands([0, 1, 2, 3], contrast(256, 256))).toEqual([0, 3]);
    expect(nativeBands([0, 2], contrast(256, 256))).toEqual([0]);
  });

  it('keeps every candidate when all look replicated, and decides nothing from too few runs', () => {
    expect(nativeBands([1, 2], contrast(256, 256))).toEqual([1, 2]);
    expect(nativeBands([0, 1, 2, 3], contrast(40, 40))).toEqual([0, 1, 2, 3]);
  });
});
