/**
 * Raw HTTP/1.1 over a TCP socket, for requests fetch will not make: chunked bodies of any
 * size, bodies sent slowly or never finished, headers that never end.
 */
import { connect, type Socket } from 'node:net';

export interface RawExchange {
  socket: Socket;
  /** Everything the server sent, once the connection closed. */
  closed: Promise<{ text: string; status: number | null }>;
  /** The status of the first answer, as soon as its status line arrived (null: closed without one). */
  status: Promise<number | null>;
}

/** Opens a connection to `url`'s host and port; resolves once connected. */
export function openRaw(url: string): Promise<RawExchange> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: u.hostname, port: Number(u.port) });
    const chunks: Buffer[] = [];
    let gotStatus!: (s: number | null) => void;
    const status = new Promise<number | null>((r) => (gotStatus = r));
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      const m = /^HTTP\/1\.1 (\d{3})/.exec(Buffer.concat(chunks).toString('latin1'));
      if (m) gotStatus(Number(m[1]));
    });
    socket.once('close', () => gotStatus(null));
    const closed = new Promise<{ text: string; status: number | null }>((done) => {
      socket.once('close', () => {
        const text = Buffer.concat(chunks).toString('latin1');
        const m = /^HTTP\/1\.1 (\d{3})/.exec(text);
        done({ text, status: m ? Number(m[1]) : null });
      });
    });
    socket.on('error', () => undefined); // a reset is an outcome, read from `closed`
    socket.once('connect', () => resolve({ socket, closed, status }));
    socket.once('error', reject);
  });
}

/** Request line and headers (CRLF-joined, ending with the blank line). */
export function head(method: string, path: string, headers: Record<string, string>): string {
  return `${method} ${path} HTTP/1.1\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}\r\n`;
}

/** One chunk of a chunked body. */
export function chunk(data: string | Buffer): Buffer {
  const b = typeof data === 'string' ? Buffer.from(data) : data;
  return Buffer.concat([Buffer.from(`${b.length.toString(16)}\r\n`), b, Buffer.from('\r\n')]);
}

export const LAST_CHUNK = '0\r\n\r\n';

/** Writes unless the socket is gone (the server may close it at any moment). */
export function writeSafe(socket: Socket, data: string | Buffer): void {
  if (!socket.destroyed && socket.writable) socket.write(data, () => undefined);
}
