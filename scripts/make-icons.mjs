// Writes the app icons (public/icons/icon-192.png, icon-512.png: the web app manifest's PNG icons)
// from the same drawing as public/icons/icon.svg: a blue box with a green square, on the app's
// background, with a margin that keeps it whole as a maskable icon. Run once: node scripts/make-icons.mjs
import { writeFileSync } from 'node:fs';
import { encode } from 'fast-png';

function hex(c) {
  return [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16));
}

function icon(size) {
  const s = size / 512;
  const data = new Uint8Array(size * size * 3);
  const bg = hex('#0f1216');
  const blue = hex('#4da3ff');
  const green = hex('#3fb97a');
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const u = x / s;
      const v = y / s;
      const inBox = (a, b) => u >= a && u < b && v >= a && v < b;
      const c = inBox(196, 316) ? green : inBox(92, 420) && !inBox(132, 380) ? blue : bg;
      data.set(c, (y * size + x) * 3);
    }
  }
  return encode({ width: size, height: size, data, channels: 3, depth: 8 });
}

for (const size of [192, 512]) writeFileSync(new URL(`../public/icons/icon-${size}.png`, import.meta.url), icon(size));
