import { describe, expect, it } from 'vitest';
import { tubanId } from './tuban-id.js';

const outline = [[10, 20, 13, 20, 13, 22, 10, 22, 10, 20]];

describe('tubanId', () => {
  it('is stable: a fixed value (sha256 computed with sha256sum) for a fixed patch', () => {
    const id = tubanId('321202', 'taizhou-2003-02', 'epsg32651-30x30-p15_15-t512', '13_m235', outline);
    expect(id).toMatch(/^321202-taizhou-2003-02-[0-9a-f]{12}$/);
    expect(id).toBe(tubanId('321202', 'taizhou-2003-02', 'epsg32651-30x30-p15_15-t512', '13_m235', outline.map((r) => [...r])));
    expect(id).toBe('321202-taizhou-2003-02-' + 'e3dffb15ef85');
  });
  it('changes with the geometry, the tile, the batch and the county', () => {
    const base = tubanId('321202', 'b1', 'g', '1_1', outline);
    const moved = [[11, 20, 14, 20, 14, 22, 11, 22, 11, 20]];
    expect(tubanId('321202', 'b1', 'g', '1_1', moved)).not.toBe(base);
    expect(tubanId('321202', 'b1', 'g', '1_2', outline)).not.toBe(base);
    expect(tubanId('321202', 'b2', 'g', '1_1', outline)).not.toBe(base);
    expect(tubanId('321203', 'b1', 'g', '1_1', outline)).not.toBe(base);
  });
});
