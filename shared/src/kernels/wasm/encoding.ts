/**
 * Byte-level encoding of WebAssembly binary modules: LEB128 integers, names and sections
 * (WebAssembly Core Specification 2.0, §5.1 "Conventions", §5.2 "Values", §5.5 "Modules"). Used by
 * the module builder (builder.ts) to emit kernels at run time.
 */

/** A growable byte buffer; `bytes()` returns the written bytes. */
export class ByteWriter {
  private buffer = new Uint8Array(256);
  private used = 0;

  get length(): number {
    return this.used;
  }

  byte(b: number): this {
    if (!Number.isInteger(b) || b < 0 || b > 0xff) throw new RangeError(`not a byte: ${b}`);
    this.reserve(1);
    this.buffer[this.used++] = b;
    return this;
  }

  bytes(bs: ArrayLike<number>): this {
    this.reserve(bs.length);
    for (let i = 0; i < bs.length; i++) this.byte(bs[i]);
    return this;
  }

  /** Unsigned LEB128 of a u32 (§5.2.2): 7 bits a byte, low first, high bit set on all but the last. */
  u32(value: number): this {
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new RangeError(`not a u32: ${value}`);
    let v = value;
    for (;;) {
      const low = v % 128;
      v = Math.floor(v / 128);
      if (v === 0) return this.byte(low);
      this.byte(low | 0x80);
    }
  }

  /** Signed LEB128 of an i32 (§5.2.2): stops once the remaining bits equal the sign bit of the last byte. */
  i32(value: number): this {
    if (!Number.isInteger(value) || value < -0x80000000 || value > 0x7fffffff) throw new RangeError(`not an i32: ${value}`);
    let v = value;
    for (;;) {
      const low = v & 0x7f;
      v >>= 7; // arithmetic shift keeps the sign
      const done = (v === 0 && (low & 0x40) === 0) || (v === -1 && (low & 0x40) !== 0);
      if (done) return this.byte(low);
      this.byte(low | 0x80);
    }
  }

  /** A name: UTF-8 bytes prefixed by their count (§5.2.4). */
  name(text: string): this {
    const utf8 = new TextEncoder().encode(text);
    return this.u32(utf8.length).bytes(utf8);
  }

  /** The written bytes (a copy). */
  toBytes(): Uint8Array {
    return this.buffer.slice(0, this.used);
  }

  private reserve(extra: number): void {
    if (this.used + extra <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < this.used + extra) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.buffer.subarray(0, this.used));
    this.buffer = grown;
  }
}

/** Unsigned LEB128 bytes of a u32. */
export function u32Bytes(value: number): Uint8Array {
  return new ByteWriter().u32(value).toBytes();
}

/** Signed LEB128 bytes of an i32. */
export function i32Bytes(value: number): Uint8Array {
  return new ByteWriter().i32(value).toBytes();
}

/** A section (§5.5.2): its id, then its contents' byte size, then the contents. */
export function section(out: ByteWriter, id: number, contents: Uint8Array): void {
  out.byte(id).u32(contents.length).bytes(contents);
}
