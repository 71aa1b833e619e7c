/**
 * `data:` URIs: how UCWA carries non-JSON content (the first IM text, SDP) inside a link href
 * [PROTOCOL.md §2.3]. Both encodings occur: URL-encoding, where `+` stands for a space
 * (`data:text/plain;charset=utf-8,Hi+Tosh%0d%0a` = "Hi Tosh\r\n", ReceiveAnIM.md), and base64
 * (reference samples). Decoding never throws: bad input yields null.
 */

export interface DataUri {
  /** Lower-cased media type, `text/plain` when absent. */
  mediaType: string;
  charset: string;
  base64: boolean;
  text: string;
}

export function isDataUri(href: unknown): href is string {
  return typeof href === 'string' && /^\s*data:/i.test(href);
}

/** Parses and decodes a data: URI, or returns null when it is not one (or is unreadable). */
export function parseDataUri(href: string): DataUri | null {
  if (!isDataUri(href)) return null;
  const body = href.trim().slice(5);
  const comma = body.indexOf(',');
  if (comma < 0) return null;
  const params = body
    .slice(0, comma)
    .split(';')
    .map((p) => p.trim());
  const data = body.slice(comma + 1);
  const base64 = params.length > 1 && params[params.length - 1]!.toLowerCase() === 'base64';
  const mediaType = (params[0] || 'text/plain').toLowerCase();
  let charset = 'utf-8';
  for (const p of params.slice(1)) {
    const m = /^charset=("?)([^"]*)\1$/i.exec(p);
    if (m && m[2]) charset = m[2].toLowerCase();
  }
  let bytes: Uint8Array;
  try {
    bytes = base64 ? decodeBase64(data) : percentDecodeBytes(data.replace(/\+/g, ' '));
  } catch {
    return null;
  }
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(charset);
  } catch {
    decoder = new TextDecoder('utf-8');
  }
  return { mediaType, charset, base64, text: decoder.decode(bytes) };
}

/**
 * The readable text of a data: URI (HTML reduced to its text), or null when `href` is not a
 * decodable data: URI.
 */
export function decodeDataUriText(href: string): string | null {
  const parsed = parseDataUri(href);
  if (!parsed) return null;
  return parsed.mediaType === 'text/html' ? htmlToText(parsed.text) : parsed.text;
}

function decodeBase64(data: string): Uint8Array {
  // Tolerate URL-encoded padding and the URL-safe alphabet; ignore whitespace.
  const cleaned = safePercentDecode(data).replace(/\s+/g, '').replace(/-/g, '+').replace(/_/g, '/');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(cleaned)) throw new Error('not base64');
  return Uint8Array.from(Buffer.from(cleaned, 'base64'));
}

function safePercentDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Percent-decodes to bytes; a `%` not followed by two hex digits stays as it is. */
function percentDecodeBytes(s: string): Uint8Array {
  const out: number[] = [];
  const enc = new TextEncoder();
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '%' && /^[0-9a-fA-F]{2}$/.test(s.slice(i + 1, i + 3))) {
      out.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      const cp = s.codePointAt(i)!;
      const ch = String.fromCodePoint(cp);
      for (const b of enc.encode(ch)) out.push(b);
      if (ch.length === 2) i++;
    }
  }
  return Uint8Array.from(out);
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/** Reduces an HTML fragment to plain text (tags dropped, common entities decoded). */
export function htmlToText(html: string): string {
  return html
    .replace(/<(script|style)[^>]*>[\s\S]*?<\/\1\s*>/gi, '')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|li)\s*>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) => {
      if (e[0] === '#') {
        const cp = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
        return Number.isFinite(cp) && cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : m;
      }
      return ENTITIES[e.toLowerCase()] ?? m;
    })
    .trim();
}
