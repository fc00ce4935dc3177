/**
 * Where the library lives when the user does not say: the platform's per-user data folder,
 * so that an upgrade or a reinstall of OptLab keeps the user's experiments.
 */
import { homedir } from 'node:os';
import { posix, win32 } from 'node:path';

export interface PathContext {
  env?: Record<string, string | undefined>;
  platform?: NodeJS.Platform;
  home?: string;
}

/**
 * `OPTLAB_DB` when set; else Linux and other Unix `$XDG_DATA_HOME/optlab/library.db`
 * (`~/.local/share/…`), macOS `~/Library/Application Support/OptLab/library.db`, Windows
 * `%APPDATA%\OptLab\library.db`. The context is injectable so every platform can be tested anywhere.
 */
export function defaultDbPath(ctx: PathContext = {}): string {
  const env = ctx.env ?? process.env;
  const platform = ctx.platform ?? process.platform;
  const home = ctx.home ?? homedir();
  const override = env.OPTLAB_DB;
  if (override) return override;
  if (platform === 'win32') {
    const appData = env.APPDATA || win32.join(home, 'AppData', 'Roaming');
    return win32.join(appData, 'OptLab', 'library.db');
  }
  if (platform === 'darwin') return posix.join(home, 'Library', 'Application Support', 'OptLab', 'library.db');
  // The XDG spec says a relative XDG_DATA_HOME is invalid and must be ignored.
  const xdg = env.XDG_DATA_HOME;
  const data = xdg && posix.isAbsolute(xdg) ? xdg : posix.join(home, '.local', 'share');
  return posix.join(data, 'optlab', 'library.db');
}
