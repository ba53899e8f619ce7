import type { BandName } from '../schemas/manifest.js';
import type { VegetationTest } from '../kernels/vegetation-mask.js';
import { TYPING } from './change-type.js';

/**
 * The vegetation test of the seasonal exclusion (docs/detection.md, step 7a), from the band names:
 * NDVI ≥ 0.3 when there are nir (or nir08) and red bands, else ExG ≥ 0.05 on red, green and blue (the
 * typing's floors, change-type.ts), else none (no exclusion). Band positions are the file's.
 */
export function vegetationTestOf(bands: readonly (BandName | null)[]): VegetationTest | null {
  const at = (...names: BandName[]) => {
    for (const name of names) if (bands.indexOf(name) >= 0) return bands.indexOf(name);
    return -1;
  };
  const nir = at('nir', 'nir08');
  const red = at('red');
  if (nir >= 0 && red >= 0) return { index: 'ndvi', nir, red, floor: TYPING.vegetatedNdvi };
  const green = at('green');
  const blue = at('blue');
  if (red >= 0 && green >= 0 && blue >= 0) return { index: 'exg', red, green, blue, floor: TYPING.vegetatedExg };
  return null;
}
