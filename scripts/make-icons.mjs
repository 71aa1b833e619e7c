#!/usr/bin/env node
/**
 * Draws the app and tray icons into assets/ as PNG, in pure Node (signed-distance shapes,
 * 4×4 supersampling, a minimal zlib PNG encoder). Deterministic: the same script always writes
 * the same bytes, so the committed PNGs can be checked against it (`--check`).
 *
 *   node scripts/make-icons.mjs           write assets/*.png
 *   node scripts/make-icons.mjs --check   exit 1 when a committed PNG differs from the script
 *
 * Files: icon.png (512×512, the app icon, also for electron-builder) and, for the tray, each
 * variant at 16 px and @2x (32 px): tray, tray-dnd, tray-badge, tray-dnd-badge, tray-ringing,
 * tray-offline (an account has not been connected for a while).
 */
import { deflateSync } from 'node:zlib';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const outDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'assets');

/* ------------------------------------------------------------------ PNG encoder */

const CRC_TABLE = new Uint32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

/** RGBA8 pixels (Uint8Array, row-major) → PNG bytes. */
export function encodePng(width, height, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // colour type RGBA
  ihdr[10] = 0; // deflate
  ihdr[11] = 0; // adaptive filtering
  ihdr[12] = 0; // no interlace
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 4 + 1)] = 0; // filter: none
    Buffer.from(rgba.buffer, rgba.byteOffset + y * width * 4, width * 4).copy(raw, y * (width * 4 + 1) + 1);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/* ------------------------------------------------------------------ shapes (unit square, y down) */

const sdCircle = (x, y, cx, cy, r) => Math.hypot(x - cx, y - cy) - r;

function sdRoundRect(x, y, cx, cy, hw, hh, r) {
  const qx = Math.abs(x - cx) - hw + r;
  const qy = Math.abs(y - cy) - hh + r;
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - r;
}

/** Distance to a segment thickened to radius r (a capsule). */
function sdCapsule(x, y, ax, ay, bx, by, r) {
  const pax = x - ax,
    pay = y - ay,
    bax = bx - ax,
    bay = by - ay;
  const h = Math.max(0, Math.min(1, (pax * bax + pay * bay) / (bax * bax + bay * bay)));
  return Math.hypot(pax - bax * h, pay - bay * h) - r;
}

/** An arc of radius R around (cx,cy) between angles a0..a1 (radians), thickness 2t, round caps. */
function sdArc(x, y, cx, cy, R, a0, a1, t) {
  let a = Math.atan2(y - cy, x - cx);
  if (a < 0) a += 2 * Math.PI;
  if (a >= a0 && a <= a1) return Math.abs(Math.hypot(x - cx, y - cy) - R) - t;
  const e0 = [cx + R * Math.cos(a0), cy + R * Math.sin(a0)];
  const e1 = [cx + R * Math.cos(a1), cy + R * Math.sin(a1)];
  return Math.min(Math.hypot(x - e0[0], y - e0[1]), Math.hypot(x - e1[0], y - e1[1])) - t;
}

/** A telephone handset: an arc handle with an ear cup and a mouth cup, inside a box of `s` around (ox,oy). */
function sdHandset(x, y, ox, oy, s) {
  const u = (x - ox) / s + 0.5;
  const v = (y - oy) / s + 0.5;
  const deg = Math.PI / 180;
  const cx = 0.8,
    cy = 0.2,
    R = 0.56;
  const a0 = 100 * deg,
    a1 = 170 * deg;
  const handle = sdArc(u, v, cx, cy, R, a0, a1, 0.09);
  // Each cup is a short, fat capsule at an end of the handle, pointing toward the arc centre.
  const cup = (a) => {
    const px = cx + R * Math.cos(a),
      py = cy + R * Math.sin(a);
    const dx = -Math.cos(a),
      dy = -Math.sin(a);
    return sdCapsule(u, v, px - dx * 0.02, py - dy * 0.02, px + dx * 0.12, py + dy * 0.12, 0.13);
  };
  return Math.min(handle, cup(a0), cup(a1)) * s;
}

/* ------------------------------------------------------------------ rasteriser */

/** `layers`: [{ sd(x,y) → signed distance in unit coords, rgba: [r,g,b,a] }], painted in order. */
function render(size, layers) {
  const px = new Uint8Array(size * size * 4);
  const SS = 4;
  const aa = 1 / size; // one pixel, in unit coordinates
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let r = 0,
        g = 0,
        b = 0,
        a = 0;
      for (let sy = 0; sy < SS; sy++) {
        for (let sx = 0; sx < SS; sx++) {
          const ux = (x + (sx + 0.5) / SS) / size;
          const uy = (y + (sy + 0.5) / SS) / size;
          let cr = 0,
            cg = 0,
            cb = 0,
            ca = 0; // premultiplied
          for (const layer of layers) {
            const d = layer.sd(ux, uy);
            const cov = Math.max(0, Math.min(1, 0.5 - d / aa));
            if (cov <= 0) continue;
            const la = (layer.rgba[3] / 255) * cov;
            cr = layer.rgba[0] * la + cr * (1 - la);
            cg = layer.rgba[1] * la + cg * (1 - la);
            cb = layer.rgba[2] * la + cb * (1 - la);
            ca = la + ca * (1 - la);
          }
          r += cr;
          g += cg;
          b += cb;
          a += ca;
        }
      }
      const n = SS * SS;
      const A = a / n;
      const i = (y * size + x) * 4;
      px[i] = A > 0 ? Math.round(r / n / A) : 0;
      px[i + 1] = A > 0 ? Math.round(g / n / A) : 0;
      px[i + 2] = A > 0 ? Math.round(b / n / A) : 0;
      px[i + 3] = Math.round(A * 255);
    }
  }
  return encodePng(size, size, px);
}

/* ------------------------------------------------------------------ the icons */

const BLUE = [37, 99, 235, 255];
const BLUE_DARK = [29, 78, 216, 255];
const RED = [220, 38, 38, 255];
const GREEN = [22, 163, 74, 255];
const WHITE = [255, 255, 255, 255];
const BADGE = [249, 115, 22, 255]; // orange: readable on both the blue and the red disc
const RING = [255, 255, 255, 255];
const GREY = [107, 114, 128, 255];

const appIcon = [
  { sd: (x, y) => sdRoundRect(x, y, 0.5, 0.5, 0.44, 0.44, 0.1), rgba: BLUE_DARK },
  { sd: (x, y) => sdRoundRect(x, y, 0.5, 0.48, 0.44, 0.42, 0.1), rgba: BLUE },
  { sd: (x, y) => sdHandset(x, y, 0.5, 0.49, 0.68), rgba: WHITE },
];

const disc = (rgba) => ({ sd: (x, y) => sdCircle(x, y, 0.5, 0.5, 0.47), rgba });
const handset = { sd: (x, y) => sdHandset(x, y, 0.5, 0.5, 0.72), rgba: WHITE };
const dndBar = { sd: (x, y) => sdRoundRect(x, y, 0.5, 0.5, 0.3, 0.085, 0.085), rgba: WHITE };
const badge = [
  { sd: (x, y) => sdCircle(x, y, 0.8, 0.2, 0.22), rgba: RING },
  { sd: (x, y) => sdCircle(x, y, 0.8, 0.2, 0.16), rgba: BADGE },
];

const trayIcons = {
  tray: [disc(BLUE), handset],
  'tray-dnd': [disc(RED), dndBar],
  'tray-badge': [disc(BLUE), handset, ...badge],
  'tray-dnd-badge': [disc(RED), dndBar, ...badge],
  'tray-ringing': [disc(GREEN), handset, ...badge],
  'tray-offline': [
    disc(GREY),
    handset,
    { sd: (x, y) => sdCapsule(x, y, 0.2, 0.2, 0.8, 0.8, 0.1), rgba: GREY },
    { sd: (x, y) => sdCapsule(x, y, 0.22, 0.22, 0.78, 0.78, 0.05), rgba: WHITE },
  ],
};

export function allIcons() {
  const files = { 'icon.png': render(512, appIcon) };
  for (const [name, layers] of Object.entries(trayIcons)) {
    files[`${name}.png`] = render(16, layers);
    files[`${name}@2x.png`] = render(32, layers);
  }
  return files;
}

const check = process.argv.includes('--check');
let stale = 0;
mkdirSync(outDir, { recursive: true });
for (const [name, bytes] of Object.entries(allIcons())) {
  const path = join(outDir, name);
  if (check) {
    let old = null;
    try {
      old = readFileSync(path);
    } catch {
      // missing
    }
    if (!old || !old.equals(bytes)) {
      console.error(`stale or missing: assets/${name} (run node scripts/make-icons.mjs)`);
      stale++;
    }
  } else {
    writeFileSync(path, bytes);
    console.log(`wrote assets/${name} (${bytes.length} bytes)`);
  }
}
if (stale) process.exit(1);
