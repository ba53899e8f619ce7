import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../test-random.js';
import { ByteWriter, i32Bytes, section, u32Bytes } from './encoding.js';

describe('LEB128 (WebAssembly spec §5.2.2)', () => {
  it('encodes unsigned integers 7 bits a byte, low bits first', () => {
    expect([...u32Bytes(0)]).toEqual([0x00]);
    expect([...u32Bytes(127)]).toEqual([0x7f]);
    expect([...u32Bytes(128)]).toEqual([0x80, 0x01]);
    expect([...u32Bytes(624485)]).toEqual([0xe5, 0x8e, 0x26]);
    expect([...u32Bytes(0xffffffff)]).toEqual([0xff, 0xff, 0xff, 0xff, 0x0f]);
  });

  it('encodes signed integers until the rest is the sign of the last byte', () => {
    expect([...i32Bytes(0)]).toEqual([0x00]);
    expect([...i32Bytes(-1)]).toEqual([0x7f]);
    expect([...i32Bytes(63)]).toEqual([0x3f]);
    expect([...i32Bytes(64)]).toEqual([0xc0, 0x00]); // bit 6 set: needs a byte holding the sign
    expect([...i32Bytes(-64)]).toEqual([0x40]);
    expect([...i32Bytes(-65)]).toEqual([0xbf, 0x7f]);
    expect([...i32Bytes(-123456)]).toEqual([0xc0, 0xbb, 0x78]);
    expect([...i32Bytes(0x7f800000)]).toEqual([0x80, 0x80, 0x80, 0xfc, 0x07]);
    expect([...i32Bytes(2 ** 31 - 1)]).toEqual([0xff, 0xff, 0xff, 0xff, 0x07]);
    expect([...i32Bytes(-(2 ** 31))]).toEqual([0x80, 0x80, 0x80, 0x80, 0x78]);
  });

  it('decodes back to the value (round trip over random values)', () => {
    const decode = (bytes: Uint8Array, signed: boolean): number => {
      let value = 0;
      let shift = 0;
      let byte = 0;
      let i = 0;
      do {
        byte = bytes[i++];
        value += (byte & 0x7f) * 2 ** shift;
        shift += 7;
      } while (byte & 0x80);
      if (signed && byte & 0x40) value -= 2 ** shift;
      expect(i).toBe(bytes.length);
      return value;
    };
    const random = mulberry32(128);
    for (let k = 0; k < 2000; k++) {
      const u = Math.floor(random() * 2 ** 32);
      expect(decode(u32Bytes(u), false)).toBe(u);
      const s = u - 2 ** 31;
      expect(decode(i32Bytes(s), true)).toBe(s);
    }
  });

  it('refuses values outside the range or not integers', () => {
    expect(() => u32Bytes(-1)).toThrow(RangeError);
    expect(() => u32Bytes(2 ** 32)).toThrow(RangeError);
    expect(() => i32Bytes(2 ** 31)).toThrow(RangeError);
    expect(() => i32Bytes(0.5)).toThrow(RangeError);
    expect(() => new ByteWriter().byte(256)).toThrow(RangeError);
  });
});

describe('ByteWriter', () => {
  it('writes names as counted UTF-8, and grows as needed', () => {
    expect([...new ByteWriter().name('env').toBytes()]).toEqual([3, 0x65, 0x6e, 0x76]);
    expect([...new ByteWriter().name('守').toBytes()]).toEqual([3, 0xe5, 0xae, 0x88]);
    const w = new ByteWriter();
    for (let i = 0; i < 1000; i++) w.byte(i & 0xff);
    expect(w.length).toBe(1000);
    expect(w.toBytes()[999]).toBe(999 & 0xff);
  });

  it('prefixes a section with its id and byte size (§5.5.2)', () => {
    const w = new ByteWriter();
    section(w, 7, new Uint8Array(200));
    expect([...w.toBytes().subarray(0, 3)]).toEqual([7, 0xc8, 0x01]);
    expect(w.length).toBe(203);
  });
});
