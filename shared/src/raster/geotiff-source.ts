/**
 * Opening GeoTIFFs (local path or bytes) and reading pixel windows.
 *
 * The header, first IFD, georeferencing and GDAL tags are parsed and checked by shoutu's own defensive
 * reader (tiff-structure.ts, raster-info.ts); geotiff.js then decodes pixel windows with bounded block
 * decoders (block-decoders.ts). Every problem with the file surfaces as an InvalidInputError naming the
 * file and the offending tag.
 */
import { GeoTIFF } from 'geotiff';
import type { GeoTIFFImage } from 'geotiff';
import { InvalidInputError, NotFoundError, ShoutuError } from '../errors.js';
import { boundedDecoderPool } from './block-decoders.js';
import {
  type RasterInfo,
  type RasterLayout,
  readGdalTags,
  readGeoreferencing,
  readLayout,
  validateBlockTables,
} from './raster-info.js';
import { type ByteReader, bytesReader, fileReader, readFirstDirectory } from './tiff-structure.js';

export type { RasterInfo } from './raster-info.js';

export interface GeoTiffRaster {
  readonly info: RasterInfo;
  /**
   * Reads window [x0, x0+width) × [y0, y0+height) of all bands as planar Float32Array (band-sequential:
   * band b at (x,y) is out[b*w*h + y*w + x]). Window must be inside the raster (else InvalidInputError
   * field 'window'). Values are exact for 8/16-bit integers and float32; 32-bit integers beyond 2^24 and
   * float64 are rounded to float32. Pixel data that cannot be decoded -> InvalidInputError 'corrupt_raster'.
   */
  readWindow(x0: number, y0: number, width: number, height: number): Promise<Float32Array>;
  close(): Promise<void>;
}

export type GeoTiffSource = { path: string } | { bytes: Uint8Array };

/** Largest window (pixels × bands) one readWindow call may return: 2^28 values = 1 GiB of Float32. */
export const MAX_WINDOW_VALUES = 1 << 28;

type GeoTiffByteSource = Parameters<typeof GeoTIFF.fromSource>[0];

/** Adapts a ByteReader to geotiff.js's source interface (exact-length ArrayBuffers, clipped at EOF). */
function geotiffSource(reader: ByteReader): GeoTiffByteSource {
  const fetchSlice = async (slice: { offset: number; length: number }) => {
    const bytes = await reader.read(slice.offset, slice.length);
    return { offset: slice.offset, length: bytes.byteLength, data: bytes.buffer as ArrayBuffer };
  };
  const source = {
    fetch: (slices: { offset: number; length: number }[]) => Promise.all(slices.map(async (s) => (await fetchSlice(s)).data)),
    fetchSlice,
    get fileSize() {
      return reader.size;
    },
    close: () => Promise.resolve(), // the ByteReader is closed by GeoTiffRaster.close
  };
  return source as unknown as GeoTiffByteSource;
}

class Raster implements GeoTiffRaster {
  readonly info: RasterInfo;
  private readonly name: string;
  private readonly reader: ByteReader;
  private readonly layout: RasterLayout;
  private imagePromise: Promise<GeoTIFFImage> | null = null;
  private closed = false;

  constructor(name: string, reader: ByteReader, info: RasterInfo, layout: RasterLayout) {
    this.name = name;
    this.reader = reader;
    this.info = info;
    this.layout = layout;
  }

  private image(): Promise<GeoTIFFImage> {
    if (this.imagePromise === null) {
      this.imagePromise = GeoTIFF.fromSource(geotiffSource(this.reader)).then((tiff) => tiff.getImage(0));
      // a failed parse must not poison later calls with an unhandled rejection
      this.imagePromise.catch(() => undefined);
    }
    return this.imagePromise;
  }

  async readWindow(x0: number, y0: number, width: number, height: number): Promise<Float32Array> {
    if (this.closed) throw new Error(`${this.name}: raster is closed`);
    const { width: W, height: H, bands } = this.info;
    const ints = [x0, y0, width, height].every((v) => Number.isSafeInteger(v));
    if (!ints || x0 < 0 || y0 < 0 || width < 1 || height < 1 || x0 + width > W || y0 + height > H) {
      throw new InvalidInputError(
        'window_out_of_bounds',
        `${this.name}: window x=${x0} y=${y0} ${width}x${height} is not inside the ${W}x${H} raster`,
        { file: this.name, field: 'window' },
      );
    }
    if (width * height * bands > MAX_WINDOW_VALUES) {
      throw new InvalidInputError('window_too_large', `${this.name}: window ${width}x${height}x${bands} is too large to read at once`, {
        file: this.name,
        field: 'window',
      });
    }
    const n = width * height;
    const out = new Float32Array(n * bands);
    try {
      const image = await this.image();
      const arrays = await image.readRasters({
        window: [x0, y0, x0 + width, y0 + height],
        interleave: false,
        pool: boundedDecoderPool(this.layout, bands, this.info.bitsPerSample),
      });
      if (arrays.length !== bands) throw new Error(`decoder returned ${arrays.length} bands, expected ${bands}`);
      for (let b = 0; b < bands; b++) {
        const band = arrays[b]!;
        if (band.length !== n) throw new Error(`decoder returned ${band.length} values for band ${b + 1}, expected ${n}`);
        out.set(band, b * n);
      }
    } catch (error) {
      if (error instanceof ShoutuError) throw error;
      const message = error instanceof Error ? error.message : String(error);
      throw new InvalidInputError(
        'corrupt_raster',
        `${this.name}: cannot decode pixels of window x=${x0} y=${y0} ${width}x${height}: ${message}`,
        { file: this.name, field: this.layout.tiled ? 'TileOffsets' : 'StripOffsets', cause: error },
      );
    }
    return out;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.reader.close();
  }
}

/**
 * Opens a GeoTIFF from a local path or bytes. `name` is the file name/key used in error messages.
 * The bytes are not copied: do not modify them while the raster is open.
 *
 * Validates: TIFF magic and first IFD (code 'not_geotiff'), georeferencing — ModelPixelScale +
 * ModelTiepoint or ModelTransformation, and an EPSG code in the GeoKeys (code 'not_georeferenced') —,
 * north-up grid, supported sample types/compression and sane sizes (code 'unsupported_raster').
 * A local path that does not exist throws NotFoundError.
 */
export async function openGeoTiff(source: GeoTiffSource, name: string): Promise<GeoTiffRaster> {
  let reader: ByteReader;
  if ('bytes' in source) {
    if (!(source.bytes instanceof Uint8Array)) throw new TypeError('openGeoTiff: bytes must be a Uint8Array');
    reader = bytesReader(source.bytes);
  } else {
    reader = await fileReader(source.path, name);
  }
  try {
    const dir = await readFirstDirectory(reader, name);
    const { layout, width, height, bands, sampleFormat, bitsPerSample } = await readLayout(reader, dir, name);
    const { geoTransform, epsg } = await readGeoreferencing(reader, dir, name);
    await validateBlockTables(reader, dir, layout, name);
    const gdal = await readGdalTags(reader, dir, bands, name);
    const info: RasterInfo = {
      width,
      height,
      bands,
      sampleFormat,
      bitsPerSample,
      geoTransform,
      epsg,
      nodata: gdal.nodata,
      bandDescriptions: gdal.bandDescriptions,
      metadata: gdal.metadata,
    };
    return new Raster(name, reader, info, layout);
  } catch (error) {
    await reader.close().catch(() => undefined);
    if (error instanceof ShoutuError || error instanceof NotFoundError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new InvalidInputError('not_geotiff', `${name}: cannot read TIFF structure: ${message}`, { file: name, cause: error });
  }
}
