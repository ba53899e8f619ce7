/**
 * Checks shared by every range source (HTTP, S3): the answer must be exactly the range asked, its body
 * exactly the announced length, and a stalled body must end in an error, not a hang.
 */
import { InvalidInputError, RemoteReadError } from '../errors.js';

/** `bytes first-last/total` → numbers; null when missing or malformed (total '*' counts as malformed). */
export function parseContentRange(header: string | null | undefined): { first: number; last: number; total: number } | null {
  const match = /^\s*bytes\s+(\d+)-(\d+)\/(\d+)\s*$/i.exec(header ?? '');
  if (!match) return null;
  const [first, last, total] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (![first, last, total].every(Number.isSafeInteger) || last < first || last >= total) return null;
  return { first, last, total };
}

/**
 * Checks a range answer's Content-Range against the request [start, end) and returns the byte count the
 * body must have and the object's size. Throws InvalidInputError('range_unsupported') naming `where`.
 */
export function expectRange(where: string, header: string | null | undefined, start: number, end: number): { length: number; size: number } {
  const range = parseContentRange(header);
  if (range === null) {
    throw new InvalidInputError('range_unsupported', `${where}: the range answer has no valid Content-Range (${JSON.stringify(header ?? null)})`, { file: where });
  }
  const wantLast = Math.min(end, range.total) - 1;
  if (range.first !== start || range.last !== wantLast) {
    throw new InvalidInputError('range_unsupported', `${where}: asked for bytes ${start}-${end - 1}, the server answered ${range.first}-${range.last}/${range.total}`, { file: where });
  }
  return { length: range.last - range.first + 1, size: range.total };
}

/** A time limit on silence: fires `onFire` when not re-armed within `ms`. */
export interface IdleTimer {
  arm(): void;
  disarm(): void;
  readonly fired: boolean;
}

export function idleTimer(ms: number, onFire: () => void): IdleTimer {
  let timer: NodeJS.Timeout | undefined;
  let fired = false;
  return {
    arm() {
      clearTimeout(timer);
      timer = setTimeout(() => {
        fired = true;
        onFire();
      }, ms);
    },
    disarm() {
      clearTimeout(timer);
    },
    get fired() {
      return fired;
    },
  };
}

/**
 * Reads exactly `length` bytes from a body; `idle` is re-armed on every piece. More than `length` is cut
 * off (`cancel`) and refused; fewer is a RemoteReadError.
 */
export async function readBodyExactly(
  body: AsyncIterable<Uint8Array>,
  length: number,
  where: string,
  idle: Pick<IdleTimer, 'arm' | 'disarm'>,
  cancel: () => void,
): Promise<Uint8Array> {
  const out = new Uint8Array(length);
  let received = 0;
  idle.arm();
  try {
    for await (const chunk of body) {
      idle.arm();
      if (received + chunk.byteLength > length) {
        cancel();
        throw new InvalidInputError('range_unsupported', `${where}: the server sent more than the ${length} bytes announced`, { file: where });
      }
      out.set(chunk, received);
      received += chunk.byteLength;
    }
  } finally {
    idle.disarm();
  }
  if (received !== length) throw new RemoteReadError(`${where}: the answer was cut short (${received} of ${length} bytes)`, { file: where });
  return out;
}
