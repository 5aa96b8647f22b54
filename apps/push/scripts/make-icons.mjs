// Draws the PWA's icons as real PNGs with node:zlib only (no image library): a white diamond — the
// Holdfast mark — on the accent blue. Chromium needs an icon ≥ 144 px with purpose "any" to call the
// app installable; the maskable one keeps the mark inside the 80 % safe circle that launchers crop to.
// Run from apps/push: `node scripts/make-icons.mjs` (writes public/icons/*.png).
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const accent = [0x0b, 0x5c, 0xad];
const white = [0xff, 0xff, 0xff];

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let c = 0xffffffff;
  for (const byte of bytes) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** RGB, 8 bits per channel; `markRadius` is the diamond's half-diagonal as a share of the size. */
function drawIcon(size, { markRadius, cornerRadius }) {
  const rows = [];
  const centre = (size - 1) / 2;
  for (let y = 0; y < size; y += 1) {
    const row = Buffer.alloc(1 + size * 3); // filter byte 0 (None), then pixels
    for (let x = 0; x < size; x += 1) {
      // 4×4 supersampling: smooth edges without an image library.
      let markCover = 0;
      let tileCover = 0;
      for (let sy = 0; sy < 4; sy += 1) {
        for (let sx = 0; sx < 4; sx += 1) {
          const px = x + (sx + 0.5) / 4 - 0.5;
          const py = y + (sy + 0.5) / 4 - 0.5;
          if (Math.abs(px - centre) + Math.abs(py - centre) <= markRadius * size) markCover += 1;
          if (isInsideRoundedSquare(px, py, size, cornerRadius * size)) tileCover += 1;
        }
      }
      const mark = markCover / 16;
      const tile = tileCover / 16;
      for (let channel = 0; channel < 3; channel += 1) {
        // Outside the rounded tile: white (the icon has no alpha, launchers draw it on light backgrounds).
        const background = accent[channel] * tile + 255 * (1 - tile);
        row[1 + x * 3 + channel] = Math.round(white[channel] * mark + background * (1 - mark));
      }
    }
    rows.push(row);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // colour type: truecolour (RGB)
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', header), chunk('IDAT', deflateSync(Buffer.concat(rows), { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

function isInsideRoundedSquare(x, y, size, radius) {
  if (radius <= 0) return true;
  const dx = Math.max(radius - x, 0, x - (size - 1 - radius));
  const dy = Math.max(radius - y, 0, y - (size - 1 - radius));
  return dx * dx + dy * dy <= radius * radius;
}

const outputs = [
  { file: 'public/icons/icon-192.png', size: 192, markRadius: 0.3, cornerRadius: 0.18 },
  { file: 'public/icons/icon-512.png', size: 512, markRadius: 0.3, cornerRadius: 0.18 },
  // Maskable: full-bleed background (the launcher crops), the mark well inside the safe circle.
  { file: 'public/icons/icon-maskable-512.png', size: 512, markRadius: 0.24, cornerRadius: 0 },
];
for (const { file, size, ...shape } of outputs) {
  writeFileSync(new URL(`../${file}`, import.meta.url), drawIcon(size, shape));
  console.log(`wrote ${file} (${size}×${size})`);
}
