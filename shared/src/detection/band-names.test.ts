import { describe, expect, it } from 'vitest';
import { bandNameOfDescription, bandOrderConflicts, bandPermutation, bandsOfDescriptions, bandsOfWavelengths, commonNameOfWavelength, sharedBands, wavelengthOfDescription } from './band-names.js';

describe('wavelengthOfDescription', () => {
  it.each([
    ['Sentinel-2 B02 (490 nm, native 10 m)', 490],
    ['TM/ETM+ band 4 (0.825000 um)', 825],
    ['band 19 (0.513000 Micrometers)', 513],
    ['B8A 865nm', 865],
    ['red 0.63-0.69 µm', 660],
    ['SWIR 1.55 – 1.75 micrometres', 1650],
    ['SWIR 2 (2.08-2.35 um)', 2215],
    ['NIR (0.77 to 0.89 μm)', 830],
    ['2.2 MICRONS', 2200],
  ])('%s → %d nm', (description, nanometres) => {
    expect(wavelengthOfDescription(description)).toBeCloseTo(nanometres, 6);
  });

  it.each([
    ['no wavelength', 'Band 4'],
    ['a sensor band number', 'B2'],
    ['a ground distance, not a wavelength', 'native 10 m'],
    ['two wavelengths', 'blend of 490 nm and 560 nm'],
    ['a range wider than any one band', '0.45-0.90 um'],
    ['a reversed range', '0.69-0.63 um'],
    ['a number glued to a word', 'x490nm'],
  ])('%s: null', (_, description) => {
    expect(wavelengthOfDescription(description)).toBeNull();
  });
});

describe('commonNameOfWavelength', () => {
  it('names the bands of the usual sensors as the STAC EO ranges do', () => {
    // Sentinel-2 B01–B12 (nm), as the OSCD files state them
    const s2 = [443, 490, 560, 665, 705, 740, 783, 842, 865, 945, 1375, 1610, 2190].map(commonNameOfWavelength);
    expect(s2).toEqual(['coastal', 'blue', 'green', 'red', 'rededge', 'rededge', 'rededge', 'nir', 'nir', 'nir09', 'cirrus', 'swir16', 'swir22']);
    // Landsat 7 ETM+ bands 1–5 and 7, as the Taizhou files state them
    const etm = [482.5, 565, 660, 825, 1650, 2220].map(commonNameOfWavelength);
    expect(etm).toEqual(['blue', 'green', 'red', 'nir', 'swir16', 'swir22']);
    // GaoFen-2 PMS multispectral (0.45–0.52, 0.52–0.59, 0.63–0.69, 0.77–0.89 µm): range centres
    expect([485, 555, 660, 830].map(commonNameOfWavelength)).toEqual(['blue', 'green', 'red', 'nir']);
    expect([10900, 12000].map(commonNameOfWavelength)).toEqual(['lwir11', 'lwir12']);
  });

  it('bins are half-open and leave gaps unnamed', () => {
    expect(commonNameOfWavelength(449.999)).toBe('coastal');
    expect(commonNameOfWavelength(450)).toBe('blue');
    expect(commonNameOfWavelength(790)).toBe('nir');
    expect(commonNameOfWavelength(1200)).toBeNull(); // between nir09 and cirrus
    expect(commonNameOfWavelength(350)).toBeNull();
    expect(commonNameOfWavelength(Number.NaN)).toBeNull();
  });
});

describe('bandNameOfDescription', () => {
  it('reads a common name before a wavelength', () => {
    expect(bandNameOfDescription(' NIR ')).toBe('nir');
    expect(bandNameOfDescription('Red')).toBe('red');
    expect(bandNameOfDescription('Sentinel-2 B11 (1610 nm, native 20 m)')).toBe('swir16');
    expect(bandNameOfDescription('Band 1')).toBeNull();
    // a panchromatic band's range would read as a colour
    expect(bandNameOfDescription('SPOT 5 panchromatic (0.48-0.71 um)')).toBe('pan');
    expect(bandNameOfDescription('Pan 0.45-0.90 µm')).toBe('pan');
  });
});

describe('bandOrderConflicts', () => {
  const landsat = ['TM/ETM+ band 1 (0.482500 um)', 'TM/ETM+ band 2 (0.565000 um)', 'TM/ETM+ band 3 (0.660000 um)', 'TM/ETM+ band 4 (0.825000 um)'];

  it('finds the bands an order names otherwise than the file describes them', () => {
    expect(bandOrderConflicts(['red', 'green', 'blue', 'nir'], landsat)).toEqual([
      { band: 1, given: 'red', described: 'blue', description: landsat[0] },
      { band: 3, given: 'blue', described: 'red', description: landsat[2] },
    ]);
    expect(bandOrderConflicts(['nir', 'red'], ['red', 'nir'])).toEqual([
      { band: 1, given: 'nir', described: 'red', description: 'red' },
      { band: 2, given: 'red', described: 'nir', description: 'nir' },
    ]);
    expect(bandOrderConflicts(['swir16', 'pan'], ['SWIR 2 (2.08-2.35 um)', 'red'])).toEqual([
      { band: 1, given: 'swir16', described: 'swir22', description: 'SWIR 2 (2.08-2.35 um)' },
      { band: 2, given: 'pan', described: 'red', description: 'red' },
    ]);
  });

  it('accepts the same kind of band under a narrower name, and skips bands it cannot read', () => {
    expect(bandOrderConflicts(['blue', 'green', 'red', 'nir08'], landsat)).toEqual([]);
    expect(bandOrderConflicts(['blue', 'green', null, 'nir'], ['Band 1', null, 'anything', 'NIR'])).toEqual([]);
    expect(bandOrderConflicts(['rededge078', 'lwir11'], ['783 nm', 'thermal (10.9 um)'])).toEqual([]);
    // where the STAC ranges overlap, either name agrees: Sentinel-2 B07 at 783 nm, WorldView-2's NIR2 at 950
    expect(bandOrderConflicts(['nir', 'rededge', 'nir', 'nir09'], ['B07 (783 nm)', 'B07 (783 nm)', 'NIR2 (0.86-1.04 um)', 'NIR2 (0.86-1.04 um)'])).toEqual([]);
    expect(bandOrderConflicts(['nir'], ['nir08'])).toEqual([]);
    expect(bandOrderConflicts(['pan'], ['Panchromatic (0.45-0.90 um)'])).toEqual([]);
    expect(bandOrderConflicts(['red'], [])).toEqual([]);
  });
});

describe('bandsOfDescriptions', () => {
  it('gives the order when every band is named, else null', () => {
    expect(bandsOfDescriptions(['Blue', 'TM/ETM+ band 4 (0.825000 um)'])).toEqual(['blue', 'nir']);
    expect(bandsOfDescriptions(['Blue', null])).toBeNull();
    expect(bandsOfDescriptions(['Blue', 'Band 2'])).toBeNull();
    expect(bandsOfDescriptions([])).toBeNull();
  });
});

describe('bandsOfWavelengths', () => {
  it('names a cube whose every band states a wavelength, leaving the bands between the common ranges unnamed', () => {
    const cube = [0.47, 0.55, 0.66, 0.85, 0.95, 1.2, 1.38, 1.65, 1.9, 2.2, 2.45].map((um, k) => `band ${k + 1} (${um.toFixed(6)} Micrometers)`);
    expect(bandsOfWavelengths(cube)).toEqual(['blue', 'green', 'red', 'nir', 'nir09', null, 'cirrus', 'swir16', null, 'swir22', null]);
    expect(bandsOfDescriptions(cube)).toBeNull();
  });

  it('is null when a band states no wavelength, or is panchromatic', () => {
    expect(bandsOfWavelengths(['band 1 (0.47 um)', 'Blue'])).toBeNull();
    expect(bandsOfWavelengths(['band 1 (0.47 um)', null])).toBeNull();
    expect(bandsOfWavelengths(['band 1 (0.47 um)', 'Pan (0.45-0.90 um)'])).toBeNull();
    expect(bandsOfWavelengths([])).toBeNull();
  });
});

describe('bandPermutation', () => {
  it('finds each band of one list in the other, by kind, each used once', () => {
    expect(bandPermutation(['blue', 'green', 'red', 'nir'], ['red', 'green', 'blue', 'nir08'])).toEqual([2, 1, 0, 3]);
    expect(bandPermutation(['rededge', 'red', 'rededge'], ['rededge', 'rededge', 'red'])).toEqual([0, 2, 1]);
    expect(bandPermutation(['blue', 'green'], ['blue', 'green'])).toEqual([0, 1]);
  });

  it('is the identity where the kinds match position by position', () => {
    expect(bandPermutation(['blue', 'green', 'red', 'nir'], ['blue', 'green', 'red', 'nir08'])).toEqual([0, 1, 2, 3]);
    expect(bandPermutation(['rededge071', 'lwir11'], ['rededge', 'lwir'])).toEqual([0, 1]);
  });

  it('is null for lists of other kinds or lengths', () => {
    expect(bandPermutation(['blue', 'green', 'red'], ['blue', 'green', 'red', 'nir'])).toBeNull();
    expect(bandPermutation(['swir16'], ['swir22'])).toBeNull();
    expect(bandPermutation(['blue', 'green', 'red'], ['blue', 'green', 'nir'])).toBeNull();
    expect(bandPermutation(['blue', 'blue'], ['blue', 'green'])).toBeNull();
    expect(bandPermutation(['blue'], ['blue', 'blue'])).toBeNull();
  });
});

describe('sharedBands', () => {
  it("gives the second list's bands the first also holds, in the second's order, and where each lies in the first", () => {
    // Landsat 7 against a drone's RGB: red, green, blue found at 2, 1, 0.
    expect(sharedBands(['blue', 'green', 'red', 'nir', 'swir16', 'swir22'], ['red', 'green', 'blue'])).toEqual({ from: [2, 1, 0], to: [0, 1, 2] });
    // A 4-band product against Landsat 8 (coastal first): nir08 and nir are one kind.
    expect(sharedBands(['blue', 'green', 'red', 'nir'], ['coastal', 'blue', 'green', 'red', 'nir08', 'swir16', 'swir22'])).toEqual({ from: [0, 1, 2, 3], to: [1, 2, 3, 4] });
  });

  it('pairs two bands of one kind in order, each used once', () => {
    // Sentinel-2's B08 (nir) and B8A (nir08) against a sensor with one near-infrared band.
    expect(sharedBands(['red', 'nir'], ['red', 'nir', 'nir08'])).toEqual({ from: [0, 1], to: [0, 1] });
    expect(sharedBands(['nir08', 'red', 'nir'], ['nir', 'nir'])).toEqual({ from: [0, 2], to: [0, 1] });
  });

  it('is empty when no kind is in both', () => {
    expect(sharedBands(['pan'], ['blue', 'green', 'red'])).toEqual({ from: [], to: [] });
    expect(sharedBands([], ['blue'])).toEqual({ from: [], to: [] });
  });
});
