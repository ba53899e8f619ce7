import { describe, expect, it } from 'vitest';
import { burnOutline } from './burn-outline.js';
import { traceOutline } from '../kernels/trace-outline.js';
import { mulberry32 } from '../kernels/test-random.js';

describe('burnOutline', () => {
  it('gives back exactly the pixels whose outline was traced, holes included, wherever the window lies', () => {
    const random = mulberry32(11);
    const width = 40;
    const height = 30;
    // one blob with holes: a filled rectangle with random pixels cleared inside
    const labels = new Int32Array(width * height);
    for (let y = 4; y < 26; y++) for (let x = 5; x < 35; x++) labels[y * width + x] = 1;
    for (let k = 0; k < 20; k++) labels[(6 + Math.floor(random() * 18)) * width + 7 + Math.floor(random() * 26)] = 0;
    const outline = traceOutline(labels, width, height, 1, 5, 4, 34, 25).map((ring) => ring.map((v, i) => v + (i % 2 === 0 ? 100 : 200)));
    expect(outline.length).toBeGreaterThan(1);
    const out = new Uint8Array(width * height);
    burnOutline(outline, { col: 100, row: 200, width, height }, 3, out);
    for (let i = 0; i < out.length; i++) expect(out[i]).toBe(labels[i] === 1 ? 3 : 0);
    // a window over part of it: the same pixels, cut at the window
    const part = new Uint8Array(10 * 10);
    burnOutline(outline, { col: 130, row: 220, width: 10, height: 10 }, 1, part);
    for (let y = 0; y < 10; y++) for (let x = 0; x < 10; x++) expect(part[y * 10 + x]).toBe(labels[(20 + y) * width + 30 + x] === 1 ? 1 : 0);
  });
});
