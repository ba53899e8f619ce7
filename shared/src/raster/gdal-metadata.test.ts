import { describe, expect, it } from 'vitest';
import { alphaBandOf, parseGdalMetadata } from './raster-info.js';

describe('parseGdalMetadata', () => {
  it('reads dataset items and band descriptions as GDAL writes them, skipping other domains and roles', () => {
    const xml = [
      '<GDALMetadata>',
      '  <Item name="DATE">2003-02-06</Item>',
      '  <Item name="SENSOR" >Landsat &amp; co &lt;7&gt; &#x4E2D;&#22269;</Item >',
      "  <Item name='QUOTED' domain=''>single</Item>",
      '  <Item name="OTHER" domain="IMAGE_STRUCTURE">x</Item>',
      '  <Item name="DESCRIPTION" sample="0" role="description">blue</Item>',
      '  <Item name="DESCRIPTION" sample="2" role="description">red</Item>',
      '  <Item name="DESCRIPTION" sample="7" role="description">out of range</Item>',
      '  <Item name="SCALE" sample="1" role="scale">0.0001</Item>',
      '  <Item name="ROLE_ONLY" role="offset">5</Item>',
      '  <Item name="EMPTY"/>',
      '  <Item name="DATE">second DATE ignored</Item>',
      '  <Items name="NOT_AN_ITEM">x</Items>',
      '  <Item name="__proto__">polluted</Item>',
      '  <Item>no name</Item>',
      '</GDALMetadata>',
    ].join('\n');
    const { metadata, bandDescriptions } = parseGdalMetadata(xml, 3);
    expect(metadata).toEqual({ DATE: '2003-02-06', SENSOR: 'Landsat & co <7> 中国', QUOTED: 'single', EMPTY: '' });
    expect(Object.getPrototypeOf(metadata)).toBe(Object.prototype);
    expect(bandDescriptions).toEqual(['blue', null, 'red']);
  });

  it('keeps self-closing items after an item that is never closed, and skips a close tag with other text in it', () => {
    const xml = '<Item name="A">a</Item x><Item name="B">b</Item><Item name="C">never closed<Item name="D"/><Item name="E" />';
    expect(parseGdalMetadata(xml, 1).metadata).toEqual({ A: 'a</Item x><Item name="B">b', D: '', E: '' });
  });

  it('takes time linear in the length of hostile text (unclosed items, long names)', () => {
    const hostile = ['<Item>'.repeat(200_000), `<Item ${'a'.repeat(1_000_000)}>x</Item>`, `<Item name="${'"'.repeat(10)}${'b'.repeat(500_000)}`, '<Item name="x">'.repeat(100_000) + '</Item'.repeat(100_000)];
    for (const xml of hostile) {
      const t0 = performance.now();
      parseGdalMetadata(xml, 1);
      // the regular expressions this replaced took 11–33 s on such text of 0.1–1 MB; a linear scan takes milliseconds
      expect(performance.now() - t0).toBeLessThan(2000);
    }
  });

  it('reads each band\'s colour interpretation, which decides an alpha band over the TIFF tags as GDAL does', () => {
    const xml = [
      '<Item name="COLORINTERP" sample="0" role="colorinterp">Red</Item>',
      '<Item name="COLORINTERP" sample="3" role="colorinterp">Alpha</Item>',
      '<Item name="COLORINTERP" sample="9" role="colorinterp">Alpha</Item>',
    ].join('');
    const { colorInterpretations } = parseGdalMetadata(xml, 4);
    expect(colorInterpretations).toEqual(['Red', null, null, 'Alpha']);
    // GDAL tags any 4-band byte copy RGB + alpha and states the real interpretation in its metadata
    expect(alphaBandOf(4, true, [null, null, null, 'Undefined'])).toBeNull();
    expect(alphaBandOf(4, true, ['Gray', 'Undefined', 'Undefined', 'Undefined'])).toBeNull();
    expect(alphaBandOf(4, false, [null, null, null, 'Alpha'])).toBe(3);
    // without a stated interpretation the ExtraSamples tag decides
    expect(alphaBandOf(4, true, [null, null, null, null])).toBe(3);
    expect(alphaBandOf(4, false, [])).toBeNull();
    // a single band is never alpha
    expect(alphaBandOf(1, true, ['Alpha'])).toBeNull();
  });
});
