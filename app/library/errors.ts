/**
 * SQLite's and the file system's errors as a user can act on them: which library file, what
 * went wrong in words, and what to do. SQLite alone says "unable to open database file" or
 * "database disk image is malformed" with no path.
 */
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** A library that cannot be opened, read or written, with the path and the way out in its message. */
export class LibraryError extends Error {
  constructor(
    readonly path: string,
    /** `folder`, `read-only`, `corrupt`, `full`, `io`, `busy`, `missing`, `old-schema` or `open`. */
    readonly kind: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'LibraryError';
  }
}

const code = (e: unknown): string => (e as { code?: unknown } | null)?.code?.toString() ?? '';

/** The nearest folder that exists on the way up to `path` (where a library would be created). */
function existingFolder(path: string): string {
  let dir = dirname(path);
  while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

function writable(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

export function readOnlyError(path: string, cause?: unknown): LibraryError {
  return new LibraryError(
    path,
    'read-only',
    `cannot write the library ${path}: it is on read-only media or its folder is not writable. ` +
      `optlab ls, show and export can still read it; to run or change experiments, copy it to a writable folder (or choose another --db)`,
    { cause },
  );
}

/** A record that no longer parses: the file is intact as SQLite sees it, its content is not. */
export function damagedRecordError(path: string, cause: Error): LibraryError {
  return new LibraryError(
    path,
    'corrupt',
    `the library ${path} is damaged: a stored record cannot be read (${cause.message.slice(0, 120)}). ` +
      `Restore it from a backup or re-import experiments you exported (optlab import FILE --db NEW); choose another --db to go on`,
    { cause },
  );
}

/**
 * The error to show for `e`, raised while opening or using the library at `path`; errors
 * that are not about the file come back unchanged.
 */
export function explainLibraryError(e: unknown, path: string): unknown {
  if (e instanceof LibraryError || path === ':memory:') return e;
  const c = code(e);
  const isFolder = (() => {
    try {
      return statSync(path).isDirectory();
    } catch {
      return false;
    }
  })();
  if (isFolder || c === 'EISDIR')
    return new LibraryError(
      path,
      'folder',
      `${path} is a folder; --db takes the path of the library file, e.g. ${join(path, 'library.db')}`,
      { cause: e },
    );
  if (c === 'EROFS' || c === 'EACCES' || c === 'EPERM' || c.startsWith('SQLITE_READONLY'))
    return readOnlyError(path, e);
  // mkdir -p on read-only media says ENOENT for the first folder it cannot make.
  if (c === 'ENOENT' && !writable(existingFolder(path))) return readOnlyError(path, e);
  if (c === 'ENOTDIR')
    return new LibraryError(
      path,
      'open',
      `cannot create the library ${path}: a part of that path is a file, not a folder`,
      {
        cause: e,
      },
    );
  if (c === 'SQLITE_CANTOPEN') {
    const folder = existingFolder(path);
    if (!writable(folder) || (existsSync(path) && !writable(path))) return readOnlyError(path, e);
    return new LibraryError(
      path,
      'open',
      `cannot open the library ${path} (unable to open database file); check that ${folder} is reachable and that the file is a library`,
      { cause: e },
    );
  }
  if (c === 'SQLITE_NOTADB')
    return new LibraryError(path, 'corrupt', `${path} is not an SQLite database; open another --db`, { cause: e });
  if (c.startsWith('SQLITE_CORRUPT'))
    return new LibraryError(
      path,
      'corrupt',
      `the library ${path} is damaged (database disk image is malformed). Restore it from a backup or re-import ` +
        `experiments you exported (optlab import FILE --db NEW); sqlite3 "${path}" ".recover" may save part of it. Choose another --db to go on`,
      { cause: e },
    );
  if (c.startsWith('SQLITE_FULL') || c === 'ENOSPC')
    return new LibraryError(
      path,
      'full',
      `the disk holding the library ${path} is full. Free some space, then go on with optlab resume ID: every result committed before is kept`,
      { cause: e },
    );
  if (c.startsWith('SQLITE_IOERR') || c === 'EIO')
    return new LibraryError(
      path,
      'io',
      `input/output error on the library ${path} (${c}): the disk or the media may be failing or gone. Copy the file somewhere safe before going on`,
      { cause: e },
    );
  if (c.startsWith('SQLITE_BUSY'))
    return new LibraryError(
      path,
      'busy',
      `the library ${path} stayed locked by another OptLab process; try again when it has finished writing`,
      { cause: e },
    );
  return e;
}
