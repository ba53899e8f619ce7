import { InvalidInputError } from '../errors.js';
import type { GeoTiffRaster } from '../raster/index.js';
import type { BandName } from '../schemas/manifest.js';
import { bandOrderConflicts, describedBands } from '../detection/band-names.js';
import { comparesAllBands, pairBands } from '../detection/pair-bands.js';

/** One file's own band names and the planes of it a pair compares, in the pair's band order. */
export interface FileBands {
  bands: BandName[];
  planes: number[];
}

/** The bands a pair of files is compared on. */
export interface ComparedBands {
  /** The bands compared, named, in the after file's order (one layout: the files' order). */
  bands: (BandName | null)[];
  /** Files of two band layouts (two sensors): each file's bands and the planes of it compared. */
  files?: { before: FileBands; after: FileBands };
}

/** A file of the pair: the raster and its name for messages. */
interface PairFile {
  raster: GeoTiffRaster;
  name: string;
}

/** A file's bands of imagery: all but its alpha band (a drone orthophoto's transparency, the last band). */
export function imageBandCount(info: GeoTiffRaster['info']): number {
  return info.bands - (info.alphaBand !== null ? 1 : 0);
}

/** "3" or "3 (and an alpha band, which is not listed)" for messages about band counts. */
function bandsPhrase(info: GeoTiffRaster['info']): string {
  const n = imageBandCount(info);
  return info.alphaBand === null ? `${n}` : `${n} (and an alpha band, which is not listed)`;
}

/**
 * Band order when the caller gives none, of the file's image bands (imageBandCount): from the band
 * descriptions when every one names a STAC common name or states a wavelength (bandNameOfDescription),
 * or when every one states a wavelength (a hyperspectral cube: bands between the common names unnamed,
 * bandsOfWavelengths), else the usual order for 3 bands (red, green, blue: drone RGB, also RGB with an
 * alpha band) or 4 bands (blue, green, red, nir), else unknown.
 */
export function inferBands(raster: GeoTiffRaster): (BandName | null)[] {
  const count = imageBandCount(raster.info);
  const fromDescriptions = describedBands(raster.info.bandDescriptions.slice(0, count));
  if (fromDescriptions !== null) return fromDescriptions;
  if (count === 3) return ['red', 'green', 'blue'];
  if (count === 4) return ['blue', 'green', 'red', 'nir'];
  return count > 0 ? new Array<null>(count).fill(null) : [];
}

/**
 * The bands `detectPair` compares. Files of one band count hold one layout: `bands` (given, or read off the
 * before file) names both, and an after file whose descriptions contradict an order not given is refused.
 * Files of two band counts, or an after file given its own order (`afterBands`), are two sensors: each
 * file's order is given or read off it, and the pair is compared on the kinds of band both hold
 * (pairBands), as ingest compares epochs of two sensors. A given order the file's descriptions contradict
 * is told to `warn`; the run goes on.
 */
export function comparedBandsOf(before: PairFile, after: PairFile, given: { bands?: BandName[]; afterBands?: BandName[] }, warn?: (message: string) => void): ComparedBands {
  // Counts of image bands: an alpha band is validity, neither listed nor compared.
  const bi = { ...before.raster.info, bands: imageBandCount(before.raster.info) };
  const ai = { ...after.raster.info, bands: imageBandCount(after.raster.info) };
  if (given.bands && given.bands.length !== bi.bands) {
    throw new InvalidInputError('band_count_mismatch', `--bands lists ${given.bands.length} bands but ${before.name} has ${bandsPhrase(before.raster.info)}`, { field: 'bands' });
  }
  if (given.afterBands && given.afterBands.length !== ai.bands) {
    throw new InvalidInputError('band_count_mismatch', `--after-bands lists ${given.afterBands.length} bands but ${after.name} has ${bandsPhrase(after.raster.info)}`, { field: 'after-bands' });
  }
  const warnOf = (file: PairFile, order: readonly (BandName | null)[]) => {
    for (const c of bandOrderConflicts(order, file.raster.info.bandDescriptions)) {
      warn?.(`${file.name}: band ${c.band} is given as ${c.given}, but the file describes it as "${c.description}" (${c.described}); check the band order`);
    }
  };
  if (!given.afterBands && bi.bands === ai.bands) {
    const bands = given.bands ?? inferBands(before.raster);
    if (given.bands) {
      warnOf(before, bands);
      warnOf(after, bands);
    } else {
      // An order read off the before file (or assumed from its band count) must fit the after file too:
      // two files whose bands lie in different orders would be compared band against wrong band.
      const from = describedBands(bi.bandDescriptions.slice(0, bi.bands)) !== null ? `${before.name}'s band descriptions` : `${before.name}'s band count (${bi.bands})`;
      refuseConflict(after, bands, `the band order taken from ${from}`, 'give the order with --bands, or check that both files hold their bands in one order');
    }
    return { bands };
  }

  const orderOf = (file: PairFile, order: BandName[] | undefined, flag: string): BandName[] => {
    if (order) {
      warnOf(file, order);
      return order;
    }
    const inferred = inferBands(file.raster);
    refuseConflict(file, inferred, `the band order assumed from its band count (${imageBandCount(file.raster.info)})`, `give its order with ${flag}`);
    const named = inferred.filter((b) => b !== null).length;
    if (named > 0 && named < inferred.length) {
      // a spectrometer's cube (bandsOfWavelengths): bands between the common ranges have no name to pair by
      const [other, otherBands] = file === before ? [after.name, ai.bands] : [before.name, bi.bands];
      throw new InvalidInputError(
        'band_count_mismatch',
        `${file.name}: its band descriptions give common names to ${named} of its ${inferred.length} bands (a hyperspectral cube); ` +
          `it is compared only with a file of the same bands (${other} has ${otherBands})`,
        { file: file.name, field: flag.slice(2) },
      );
    }
    if (inferred.some((b) => b === null)) {
      throw new InvalidInputError(
        'band_count_mismatch',
        `${after.name}: ${ai.bands} bands but ${before.name} has ${bi.bands}; files of two sensors are compared on the bands both hold, ` +
          `which needs each file's band order: give it (--bands for ${before.name}, --after-bands for ${after.name}), or band descriptions that name every band`,
        { file: file.name, field: flag.slice(2) },
      );
    }
    return inferred as BandName[];
  };
  const beforeBands = orderOf(before, given.bands, '--bands');
  const afterBands = orderOf(after, given.afterBands, '--after-bands');
  const shared = pairBands(beforeBands, afterBands);
  if (shared === null) {
    throw new InvalidInputError(
      'no_shared_bands',
      `${after.name} (${afterBands.join(',')}) and ${before.name} (${beforeBands.join(',')}) share no band that shows the land; they cannot be compared`,
      { file: after.name, field: 'bands' },
    );
  }
  const names = shared.after.map((i) => afterBands[i]!);
  if (comparesAllBands(shared) && shared.before.every((from, to) => from === to)) return { bands: names };
  return { bands: names, files: { before: { bands: beforeBands, planes: shared.before }, after: { bands: afterBands, planes: shared.after } } };
}

/** Refuses a file whose band descriptions contradict the order it would be read in. */
function refuseConflict(file: PairFile, order: readonly (BandName | null)[], what: string, fix: string): void {
  const c = bandOrderConflicts(order, file.raster.info.bandDescriptions)[0];
  if (c === undefined) return;
  throw new InvalidInputError('band_order_mismatch', `${file.name}: band ${c.band} is described as "${c.description}" (${c.described}), but ${what} has ${c.given} there; ${fix}`, {
    file: file.name,
    field: 'bands',
  });
}
