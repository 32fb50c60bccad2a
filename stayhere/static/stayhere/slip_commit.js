// The commitment to a name: hex(SHA-256(utf8(normalized name) || 0x00 || salt)), made in this browser.
// The name and the salt never leave it; docs/slips.md states the construction, signing.py has the same.

export const SALT_BYTES = 12;

export function normalizeName(name) {
  return String(name).normalize('NFC').trim().split(/\s+/).filter(Boolean).join(' ').toLowerCase();
}

export function toHex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function newSalt() {
  return toHex(crypto.getRandomValues(new Uint8Array(SALT_BYTES)));
}

// The salt as typed from the slip (groups of hex digits) as bytes, or null.
export function parseSalt(text) {
  const digits = String(text || '').replace(/[\s-]/g, '').toLowerCase();
  if (!/^[0-9a-f]{16,64}$/.test(digits) || digits.length % 2) return null;
  const bytes = new Uint8Array(digits.length / 2);
  for (let i = 0; i < bytes.length; i += 1) bytes[i] = parseInt(digits.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

// How the salt is printed: groups of four, easy to read out and type.
export function formatSalt(hex) {
  return String(hex).match(/.{1,4}/g).join(' ');
}

export async function commitment(name, saltBytes) {
  const text = new TextEncoder().encode(normalizeName(name));
  const data = new Uint8Array(text.length + 1 + saltBytes.length);
  data.set(text, 0);
  data[text.length] = 0;
  data.set(saltBytes, text.length + 1);
  return toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', data)));
}

// The QR code the server made, as a node (parsed as SVG, never as HTML).
export function svgNode(svgText) {
  const doc = new DOMParser().parseFromString(svgText, 'image/svg+xml');
  const svg = doc.documentElement;
  if (!svg || svg.nodeName !== 'svg') return document.createTextNode('');
  return document.importNode(svg, true);
}
