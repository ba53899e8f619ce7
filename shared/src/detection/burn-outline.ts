import { fillPolygon } from '../kernels/rasterize-polygon.js';
import type { LatticeWindow } from '../grid/lattice.js';

/**
 * ORs `value` into `out` (window.width × window.height, row-major) on the pixels inside a traced outline
 * (rings on lattice pixel corners, flat [c0,r0,c1,r1,…], exterior and holes). The rings run along pixel
 * edges, so pixel-centre sampling (fillPolygon, even-odd) gives back exactly the traced pixels; pixels
 * outside the window are left out.
 */
export function burnOutline(outline: readonly (readonly number[])[], window: LatticeWindow, value: number, out: Uint8Array): void {
  let vertices = 0;
  for (const ring of outline) vertices += ring.length / 2;
  const coords = new Float64Array(vertices * 2);
  const starts = new Uint32Array(outline.length + 1);
  let v = 0;
  outline.forEach((ring, k) => {
    starts[k] = v;
    for (let i = 0; i < ring.length; i += 2, v++) {
      coords[2 * v] = ring[i]! - window.col;
      coords[2 * v + 1] = ring[i + 1]! - window.row;
    }
  });
  starts[outline.length] = v;
  fillPolygon(coords, starts, outline.length, window.width, window.height, value, out, new Float64Array(vertices));
}
