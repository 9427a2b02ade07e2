/**
 * Read chosen members of a tar archive (plain or gzip-compressed, detected by the magic bytes), streaming:
 * members that are not wanted are skipped without being held in memory, so a multi-gigabyte `.nemo` costs only
 * the wanted files. Understands ustar names with prefixes, GNU long names (`L`) and pax `path` records (`x`).
 */
import { createReadStream, promises as fs } from 'node:fs';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { UserError } from './errors.js';

export interface TarMember {
  /** Path inside the archive, without a leading `./`. */
  name: string;
  data: Buffer;
}

export interface ReadTarOptions {
  /** Which members to keep (by normalised name). */
  want: (name: string) => boolean;
  /** Largest member kept (bytes); bigger wanted members are an error. Default 256 MiB. */
  maxMemberBytes?: number;
}

function field(h: Buffer, start: number, len: number): string {
  const raw = h.subarray(start, start + len);
  const end = raw.indexOf(0);
  return raw.subarray(0, end < 0 ? len : end).toString('utf8');
}

function octal(h: Buffer, start: number, len: number, source: string): number {
  // GNU base-256 for large sizes: high bit of the first byte set.
  if (h[start] & 0x80) {
    let v = 0;
    for (let i = start + 1; i < start + len; i++) v = v * 256 + h[i];
    return v;
  }
  const s = field(h, start, len).trim();
  if (s === '') return 0;
  if (!/^[0-7]+$/.test(s)) throw new UserError(`not a tar archive (bad header field ${JSON.stringify(s)})`, { source, code: 'E_TAR' });
  return parseInt(s, 8);
}

function paxPath(data: Buffer): string | undefined {
  // records: "<len> key=value\n"
  let i = 0;
  let found: string | undefined;
  while (i < data.length) {
    const sp = data.indexOf(0x20, i);
    if (sp < 0) break;
    const len = Number(data.subarray(i, sp).toString('ascii'));
    if (!Number.isFinite(len) || len <= 0) break;
    const rec = data.subarray(sp + 1, i + len - 1).toString('utf8');
    const eq = rec.indexOf('=');
    if (eq > 0 && rec.slice(0, eq) === 'path') found = rec.slice(eq + 1);
    i += len;
  }
  return found;
}

const normalise = (n: string) => n.replace(/^(\.\/)+/, '');

/** Members of `file` for which `want(name)` is true, in archive order. */
export async function readTarMembers(file: string, options: ReadTarOptions): Promise<TarMember[]> {
  const head = Buffer.alloc(2);
  let fh: fs.FileHandle;
  try {
    fh = await fs.open(file, 'r');
  } catch (e) {
    throw new UserError(`cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { source: file, code: 'E_FILE', cause: e });
  }
  try {
    await fh.read(head, 0, 2, 0);
  } finally {
    await fh.close();
  }
  let stream: Readable = createReadStream(file);
  if (head[0] === 0x1f && head[1] === 0x8b) stream = stream.pipe(createGunzip());
  return readTarStream(stream, file, options);
}

async function readTarStream(stream: Readable, source: string, options: ReadTarOptions): Promise<TarMember[]> {
  const maxBytes = options.maxMemberBytes ?? 256 * 1024 * 1024;
  const out: TarMember[] = [];
  let buf: Buffer = Buffer.alloc(0);
  // State: reading a header, or consuming `remaining` bytes of a member (+ padding).
  let remaining = 0;
  let padding = 0;
  let keep: { name: string; chunks: Buffer[] } | null = null;
  let meta: 'L' | 'x' | null = null;
  let metaChunks: Buffer[] = [];
  let nextName: string | undefined;
  let ended = false;
  let sawHeader = false;

  const finishMember = () => {
    if (meta) {
      const data = Buffer.concat(metaChunks);
      nextName = meta === 'L' ? field(data, 0, data.length) : (paxPath(data) ?? nextName);
      meta = null;
      metaChunks = [];
    } else if (keep) {
      out.push({ name: keep.name, data: Buffer.concat(keep.chunks) });
      keep = null;
    }
  };

  try {
    for await (const chunk of stream) {
      buf = buf.length ? Buffer.concat([buf, chunk as Buffer]) : (chunk as Buffer);
      for (;;) {
        if (ended) break;
        if (remaining > 0) {
          if (buf.length === 0) break;
          const take = Math.min(remaining, buf.length);
          const part = buf.subarray(0, take);
          if (meta) metaChunks.push(Buffer.from(part));
          else if (keep) keep.chunks.push(Buffer.from(part));
          buf = buf.subarray(take);
          remaining -= take;
          if (remaining === 0) finishMember();
          continue;
        }
        if (padding > 0) {
          const take = Math.min(padding, buf.length);
          buf = buf.subarray(take);
          padding -= take;
          if (padding > 0) break;
          continue;
        }
        if (buf.length < 512) break;
        const h = buf.subarray(0, 512);
        buf = buf.subarray(512);
        if (h.every((b) => b === 0)) {
          ended = true;
          break;
        }
        const magic = field(h, 257, 6);
        if (!sawHeader && !magic.startsWith('ustar') && octal(h, 148, 8, source) === 0) {
          throw new UserError('not a tar archive', { source, code: 'E_TAR' });
        }
        sawHeader = true;
        const size = octal(h, 124, 12, source);
        const type = String.fromCharCode(h[156] || 0x30);
        const prefix = magic.startsWith('ustar') ? field(h, 345, 155) : '';
        let name = field(h, 0, 100);
        if (prefix) name = `${prefix}/${name}`;
        if (nextName !== undefined && type !== 'L' && type !== 'x') {
          name = nextName;
          nextName = undefined;
        }
        padding = (512 - (size % 512)) % 512;
        remaining = size;
        if (type === 'L' || type === 'x') {
          meta = type;
        } else if ((type === '0' || type === '7') && options.want(normalise(name))) {
          if (size > maxBytes) throw new UserError(`member ${name} is ${size} bytes, more than the ${maxBytes} this reader keeps`, { source, code: 'E_TAR' });
          keep = { name: normalise(name), chunks: [] };
        }
        if (size === 0) finishMember();
      }
      if (ended) break;
    }
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(`cannot read the archive: ${(e as Error).message}`, { source, code: 'E_TAR', cause: e });
  } finally {
    stream.destroy();
  }
  if (!ended && (remaining > 0 || !sawHeader)) throw new UserError('truncated or empty tar archive', { source, code: 'E_TAR' });
  return out;
}
