/**
 * A small multi-band uint8 GeoTIFF writer for synthetic test scenes (uncompressed, band-separate
 * planes, one strip per band, projected CRS by EPSG code). Test-only: the product writes single-band
 * masks with encodeUint8GeoTiff.
 */
export interface SyntheticRaster {
  width: number;
  height: number;
  /** band-sequential uint8 samples, bands × height × width */
  planes: Uint8Array;
  bands: number;
  /** upper-left corner and pixel size (metres) */
  originX?: number;
  originY?: number;
  pixelSize?: number;
  epsg?: number;
  nodata?: number;
}

export function encodeMultiBandGeoTiff(r: SyntheticRaster): Uint8Array {
  const { width, height, bands, planes } = r;
  const originX = r.originX ?? 500_000;
  const originY = r.originY ?? 3_600_000;
  const pixel = r.pixelSize ?? 10;
  const epsg = r.epsg ?? 32651;
  const planeBytes = width * height;
  type Entry = { tag: number; type: number; values: number[] | string };
  const SHORT = 3, LONG = 4, DOUBLE = 12, ASCII = 2;
  const entries: Entry[] = [
    { tag: 256, type: LONG, values: [width] },
    { tag: 257, type: LONG, values: [height] },
    { tag: 258, type: SHORT, values: new Array(bands).fill(8) },
    { tag: 259, type: SHORT, values: [1] },
    { tag: 262, type: SHORT, values: [1] },
    { tag: 273, type: LONG, values: new Array(bands).fill(0) }, // patched below
    { tag: 277, type: SHORT, values: [bands] },
    { tag: 278, type: LONG, values: [height] },
    { tag: 279, type: LONG, values: new Array(bands).fill(planeBytes) },
    { tag: 284, type: SHORT, values: [2] },
    { tag: 339, type: SHORT, values: new Array(bands).fill(1) },
    { tag: 33550, type: DOUBLE, values: [pixel, pixel, 0] },
    { tag: 33922, type: DOUBLE, values: [0, 0, 0, originX, originY, 0] },
    { tag: 34735, type: SHORT, values: [1, 1, 0, 3, 1024, 0, 1, 1, 1025, 0, 1, 1, 3072, 0, 1, epsg] },
  ];
  if (r.nodata !== undefined) entries.push({ tag: 42113, type: ASCII, values: `${r.nodata}\0` });
  const size = (e: Entry) => (e.type === ASCII ? (e.values as string).length : (e.values as number[]).length * (e.type === SHORT ? 2 : e.type === LONG ? 4 : 8));
  const ifdOffset = 8;
  const ifdSize = 2 + entries.length * 12 + 4;
  let extra = ifdOffset + ifdSize;
  const extraOffsets = entries.map((e) => {
    if (size(e) <= 4) return -1;
    const at = extra;
    extra += size(e) + (size(e) % 2);
    return at;
  });
  const dataOffset = extra;
  (entries.find((e) => e.tag === 273)!.values as number[]).forEach((_, b, a) => (a[b] = dataOffset + b * planeBytes));
  const out = new Uint8Array(dataOffset + bands * planeBytes);
  const view = new DataView(out.buffer);
  out.set([0x49, 0x49]);
  view.setUint16(2, 42, true);
  view.setUint32(4, ifdOffset, true);
  view.setUint16(ifdOffset, entries.length, true);
  const write = (e: Entry, at: number) => {
    if (e.type === ASCII) [...(e.values as string)].forEach((ch, k) => (out[at + k] = ch.charCodeAt(0)));
    else (e.values as number[]).forEach((v, k) => (e.type === SHORT ? view.setUint16(at + 2 * k, v, true) : e.type === LONG ? view.setUint32(at + 4 * k, v, true) : view.setFloat64(at + 8 * k, v, true)));
  };
  entries.forEach((e, k) => {
    const at = ifdOffset + 2 + k * 12;
    view.setUint16(at, e.tag, true);
    view.setUint16(at + 2, e.type, true);
    view.setUint32(at + 4, e.type === ASCII ? (e.values as string).length : (e.values as number[]).length, true);
    if (extraOffsets[k]! < 0) write(e, at + 8);
    else {
      view.setUint32(at + 8, extraOffsets[k]!, true);
      write(e, extraOffsets[k]!);
    }
  });
  view.setUint32(ifdOffset + 2 + entries.length * 12, 0, true);
  out.set(planes.subarray(0, bands * planeBytes), dataOffset);
  return out;
}
