/**
 * Band names (STAC `eo:common_name`) read from GeoTIFF band descriptions, for files given without a band
 * order. A description is either a common name itself ('nir', 'Red') or states the band's centre
 * wavelength, as GDAL's ENVI driver ('band 19 (0.513000 Micrometers)'), Landsat and Sentinel-2 exports
 * ('TM/ETM+ band 4 (0.825000 um)', 'Sentinel-2 B02 (490 nm, native 10 m)') and most processing tools
 * write it. A sensor's band number alone ('B2', 'Band 4') is not read: it means another colour on each
 * sensor (Landsat 7's band 2 is green, Landsat 8's blue).
 */
import { BandName } from '../schemas/manifest.js';

/**
 * Wavelength bins, in nanometres, lower bound inclusive: the ranges of the STAC EO extension's common names
 * (https://github.com/stac-extensions/eo#common-band-names: coastal 0.40–0.45 µm, blue 0.45–0.50, green
 * 0.50–0.60, yellow 0.58–0.62, red 0.60–0.70, rededge 0.70–0.79, nir 0.75–1.00, nir08 0.75–0.90, nir09
 * 0.85–1.05, cirrus 1.35–1.40, swir16 1.55–1.75, swir22 2.10–2.30, lwir11 10.5–11.5, lwir12 11.5–12.5),
 * which overlap; each overlap goes to the narrower name (yellow within green and red, red edge up to 790 nm),
 * and the near-infrared bands of Landsat TM to OLI, Sentinel-2 (B08, B8A), GaoFen, SPOT and WorldView
 * (centres 0.83–0.865 µm) all to `nir`, the name the detector's indices read first; 0.90–1.05 µm is
 * `nir09` (Sentinel-2 B09, water vapour).
 */
const BINS: ReadonlyArray<readonly [from: number, to: number, name: BandName]> = [
  [400, 450, 'coastal'],
  [450, 500, 'blue'],
  [500, 580, 'green'],
  [580, 620, 'yellow'],
  [620, 700, 'red'],
  [700, 790, 'rededge'],
  [790, 900, 'nir'],
  [900, 1050, 'nir09'],
  [1350, 1400, 'cirrus'],
  [1550, 1750, 'swir16'],
  [2100, 2300, 'swir22'],
  [10500, 11500, 'lwir11'],
  [11500, 12500, 'lwir12'],
];

/** A stated range wider than this is no one band's (Landsat's SWIR 2 spans 270 nm): no common name. */
const MAX_RANGE_NM = 300;

/** A panchromatic band says so: its range (0.45–0.90 µm, or SPOT's 0.48–0.71) would read as a colour. */
const PANCHROMATIC = /\bpan(?:chromatic)?\b/i;

const NANOMETRES_PER: Record<string, number> = { nm: 1, nanometer: 1, nanometers: 1, nanometre: 1, nanometres: 1, um: 1000, µm: 1000, μm: 1000, micron: 1000, microns: 1000, micrometer: 1000, micrometers: 1000, micrometre: 1000, micrometres: 1000 };

const NUMBER = String.raw`(\d+(?:\.\d+)?)`;
const UNIT = String.raw`(nanomet(?:er|re)s?|nm|micromet(?:er|re)s?|microns?|um|µm|μm)`;
/** '490 nm', '0.4825 um', '0.45-0.52 µm', '1.55 – 1.75 Micrometers' (one unit after one or two numbers). */
const WAVELENGTH = new RegExp(String.raw`(?<![\w.])${NUMBER}(?:\s*(?:-|–|to)\s*${NUMBER})?\s*${UNIT}(?![\w])`, 'gi');

/** The centre wavelength a description states, in nanometres; null when it states none, or several. */
export function wavelengthOfDescription(description: string): number | null {
  const found: number[] = [];
  for (const m of description.matchAll(WAVELENGTH)) {
    const scale = NANOMETRES_PER[m[3]!.toLowerCase()]!;
    const low = Number(m[1]) * scale;
    const high = m[2] === undefined ? low : Number(m[2]) * scale;
    if (!(high >= low) || high - low > MAX_RANGE_NM) return null;
    found.push((low + high) / 2);
  }
  return found.length === 1 ? found[0]! : null;
}

/** The common name of a band centred at `nanometres`; null outside every bin. */
export function commonNameOfWavelength(nanometres: number): BandName | null {
  for (const [from, to, name] of BINS) if (nanometres >= from && nanometres < to) return name;
  return null;
}

/** What a description says of its band: a name it gives, or the wavelength it states and that one's name. */
function readDescription(description: string): { name: BandName; nanometres: number | null } | null {
  const named = BandName.safeParse(description.trim().toLowerCase());
  if (named.success) return { name: named.data, nanometres: null };
  if (PANCHROMATIC.test(description)) return { name: 'pan', nanometres: null };
  const nanometres = wavelengthOfDescription(description);
  const name = nanometres === null ? null : commonNameOfWavelength(nanometres);
  return name === null ? null : { name, nanometres };
}

/** A band's common name from its description: the name itself, else its stated wavelength's; else null. */
export function bandNameOfDescription(description: string): BandName | null {
  return readDescription(description)?.name ?? null;
}

/** The band order a file's descriptions give, when every band has one that names it; else null. */
export function bandsOfDescriptions(descriptions: readonly (string | null)[]): BandName[] | null {
  const names = descriptions.map((d) => (d === null ? null : bandNameOfDescription(d)));
  return names.length > 0 && names.every((n) => n !== null) ? (names as BandName[]) : null;
}

/**
 * The band names of a spectrometer's cube: when every description states a wavelength, each band's common
 * name, or null for a band between the common names' ranges (1.05–1.35 µm, 1.75–2.10 µm, …); else null.
 * Why: a hyperspectral file has hundreds of bands and no name for many of them, but its blue, red and nir
 * bands are still the ones the indices of the typing and the seasonal test read (bandsOfDescriptions,
 * which needs a name for every band, gives nothing for such a file).
 */
export function bandsOfWavelengths(descriptions: readonly (string | null)[]): (BandName | null)[] | null {
  const nanometres = descriptions.map((d) => (d === null || PANCHROMATIC.test(d) ? null : wavelengthOfDescription(d)));
  if (nanometres.length === 0 || nanometres.some((nm) => nm === null)) return null;
  return nanometres.map((nm) => commonNameOfWavelength(nm!));
}

/** The band names a file's descriptions give: every band named (bandsOfDescriptions), else a cube's (bandsOfWavelengths), else null. */
export function describedBands(descriptions: readonly (string | null)[]): (BandName | null)[] | null {
  return bandsOfDescriptions(descriptions) ?? bandsOfWavelengths(descriptions);
}

/** Names of one kind of band: a file whose description says `nir08` where the order says `nir` agrees. */
const FAMILY: Partial<Record<BandName, string>> = {
  nir08: 'nir',
  green05: 'green',
  rededge071: 'rededge',
  rededge075: 'rededge',
  rededge078: 'rededge',
  lwir11: 'lwir',
  lwir12: 'lwir',
};
const familyOf = (name: BandName): string => FAMILY[name] ?? name;

/**
 * The wavelengths each common name covers, in nanometres: the STAC EO extension's ranges (above; the
 * narrow names of its later versions around their centres), which overlap — a band at 783 nm may be
 * called rededge or nir — widened by TOLERANCE_NM for band centres stated loosely. A stated wavelength
 * agrees with a given name when it lies in that name's range.
 */
const RANGE_NM: Record<BandName, readonly [number, number]> = {
  pan: [500, 700],
  coastal: [400, 450],
  blue: [450, 500],
  green: [500, 600],
  green05: [500, 600],
  yellow: [580, 620],
  red: [600, 700],
  rededge: [700, 790],
  rededge071: [700, 730],
  rededge075: [730, 760],
  rededge078: [760, 800],
  nir: [750, 1000],
  nir08: [750, 900],
  nir09: [850, 1050],
  cirrus: [1350, 1400],
  swir16: [1550, 1750],
  swir22: [2100, 2300],
  lwir: [10500, 12500],
  lwir11: [10500, 11500],
  lwir12: [11500, 12500],
};
const TOLERANCE_NM = 20;

/** A band a given order names otherwise than the file's own description of it does. */
export interface BandOrderConflict {
  /** 1-based, as operators count bands */
  band: number;
  given: BandName;
  /** the name the description gives or its wavelength maps to */
  described: BandName;
  description: string;
}

/**
 * Where a given band order contradicts the file's band descriptions: a description that is a common name
 * of another kind of band, or that states a wavelength outside the given name's range. Bands whose
 * description names nothing and states no wavelength are not compared. A contradiction is most often a
 * stack in another order than the operator believes (RGB against BGR), which turns every index wrong.
 */
export function bandOrderConflicts(given: readonly (BandName | null)[], descriptions: readonly (string | null)[]): BandOrderConflict[] {
  const conflicts: BandOrderConflict[] = [];
  given.forEach((name, i) => {
    const description = descriptions[i];
    if (name === null || description === null || description === undefined) return;
    const read = readDescription(description);
    if (read === null) return;
    const [from, to] = RANGE_NM[name];
    const agrees = read.nanometres === null ? familyOf(read.name) === familyOf(name) : read.nanometres >= from - TOLERANCE_NM && read.nanometres <= to + TOLERANCE_NM;
    if (!agrees) conflicts.push({ band: i + 1, given: name, described: read.name, description });
  });
  return conflicts;
}

/**
 * The bands two lists have in common, by kind (`nir` and `nir08` are one), each band of either list used
 * once: `to`'s bands that `from` also holds, in `to`'s order (`to`), and where each lies in `from`
 * (`from`). Two bands of one kind in a list pair up in order (Sentinel-2's B08 `nir` and B8A `nir08` with
 * another's first and second near-infrared band).
 */
export function sharedBands(from: readonly BandName[], to: readonly BandName[]): { from: number[]; to: number[] } {
  const used = new Array<boolean>(from.length).fill(false);
  const shared = { from: [] as number[], to: [] as number[] };
  to.forEach((name, i) => {
    const j = from.findIndex((f, k) => !used[k] && familyOf(f) === familyOf(name));
    if (j < 0) return;
    used[j] = true;
    shared.from.push(j);
    shared.to.push(i);
  });
  return shared;
}

/**
 * Where each band of `to` lies in `from`, by kind (`nir` and `nir08` are one), each band of `from` used
 * once: the planes to read, in order, to see a `from` file in `to`'s band order. Null when the two lists
 * do not hold the same kinds of band.
 */
export function bandPermutation(from: readonly BandName[], to: readonly BandName[]): number[] | null {
  if (from.length !== to.length) return null;
  const shared = sharedBands(from, to);
  return shared.to.length === to.length ? shared.from : null;
}
