/** `--out FILE`: checked before anything runs, so a run is never lost to an unwritable file at its end. */
import { accessSync, closeSync, constants, openSync, statSync, unlinkSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UsageError } from './args.ts';

function why(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'EROFS') return 'read-only media';
  if (code === 'EACCES' || code === 'EPERM') return 'no permission to write there';
  if (code === 'ENOENT') return 'no such folder';
  if (code === 'ENOTDIR') return 'a part of the path is a file, not a folder';
  return code ?? (e as Error).message;
}

/** The absolute path of a file that can be written, or a UsageError saying why it cannot. */
export function checkOutFile(file: string): string {
  const full = resolve(file);
  let exists = true;
  try {
    if (statSync(full).isDirectory())
      throw new UsageError(
        `--out ${file}: is a folder; give the name of a file to write (e.g. ${file.replace(/\/+$/, '')}/result.json)`,
      );
  } catch (e) {
    if (e instanceof UsageError) throw e;
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT')
      throw new UsageError(`--out ${file}: cannot be written (${why(e)})`);
    exists = false;
  }
  const target = exists ? full : dirname(full);
  try {
    if (!exists && !statSync(target).isDirectory()) throw Object.assign(new Error('not a folder'), { code: 'ENOTDIR' });
    accessSync(target, constants.W_OK);
  } catch (e) {
    throw new UsageError(`--out ${file}: cannot be written (${exists ? '' : `${target}: `}${why(e)})`);
  }
  // Permissions say little to root, and nothing about a file system that takes no new files
  // (/proc, some mounts): the file itself is opened for writing, unchanged, or created and removed.
  try {
    if (exists) closeSync(openSync(full, 'r+'));
    else {
      closeSync(openSync(full, 'wx'));
      unlinkSync(full);
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(
      `--out ${file}: cannot be written (${code === 'ENOENT' ? 'no file can be created there' : why(e)})`,
    );
  }
  return full;
}
