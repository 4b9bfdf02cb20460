import { describe, expect, it } from 'vitest';
import { crc32c, maskCrc, maskedCrc32c, unmaskCrc } from './crc32c.ts';

const ascii = (s: string) => new TextEncoder().encode(s);

describe('crc32c', () => {
  it('matches the standard check value and the RFC 3720 (iSCSI) vectors', () => {
    expect(crc32c(ascii('123456789'))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i))).toBe(0x46dd794e);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i))).toBe(0x113fdb5c);
    expect(crc32c(new Uint8Array(0))).toBe(0);
  });

  it('masks the way TFRecord does and unmasks back', () => {
    for (const crc of [0, 1, 0xe3069283, 0xffffffff, 0x80000000, 0x12345678]) {
      const masked = maskCrc(crc);
      expect(masked).toBe((((crc >>> 15) | (crc << 17)) + 0xa282ead8) >>> 0);
      expect(masked).toBeGreaterThanOrEqual(0);
      expect(unmaskCrc(masked)).toBe(crc);
    }
  });

  it('reproduces the length CRC at the start of every TensorFlow event file', () => {
    // TF event files begin "18 00 00 00 00 00 00 00 a3 7f 4b 22": a 24-byte file_version record.
    const length = new Uint8Array(8);
    length[0] = 24;
    expect(maskedCrc32c(length)).toBe(0x224b7fa3);
  });
});
