/**
 * The icon: build/icon.png is exactly what scripts/make-icon.mjs draws (no hand-made binary in the
 * repository), a valid 512 x 512 RGBA PNG (every chunk's CRC checked), big enough for every
 * platform electron-builder derives icons for (macOS needs 512, Windows and Linux 256), with a
 * transparent outside and the shield and check mark where they should be.
 */
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { ICON_FILE, SIZE, crc32, decodePng, drawIcon, encodePng } from '../../scripts/make-icon.mjs';
import { REPO } from './builder';

describe('build/icon.png', () => {
  const png = readFileSync(ICON_FILE);
  const { width, height, rgba } = decodePng(png);
  const at = (x: number, y: number) => [...rgba.subarray((y * width + x) * 4, (y * width + x) * 4 + 4)];

  it('is what the script draws (make-icon --check)', () => {
    const r = spawnSync(process.execPath, ['scripts/make-icon.mjs', '--check'], {
      cwd: REPO,
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    expect(rgba.equals(drawIcon())).toBe(true);
  });
  it('is a 512 x 512 RGBA PNG', () => {
    expect([width, height, SIZE]).toEqual([512, 512, 512]);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(png.readUInt8(25)).toBe(6); // colour type RGBA
    expect(crc32(Buffer.from('IEND'))).toBe(0xae426082);
  });
  it('has a transparent outside, a blue square, a white shield and a blue check', () => {
    expect(at(2, 2)[3]).toBe(0);
    expect(at(40, 256)).toEqual([0x1a, 0x44, 0x80, 255]);
    expect(at(256, 140)).toEqual([255, 255, 255, 255]);
    expect(at(238, 316)).toEqual([0x1a, 0x44, 0x80, 255]);
  });
  it('round-trips through the encoder', () => {
    expect(decodePng(encodePng(rgba)).rgba.equals(rgba)).toBe(true);
  });
});
