import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultDbPath } from './paths.ts';

test('defaultDbPath: Linux uses XDG_DATA_HOME, else ~/.local/share', () => {
  assert.equal(
    defaultDbPath({ platform: 'linux', env: { XDG_DATA_HOME: '/data/me' }, home: '/home/me' }),
    '/data/me/optlab/library.db',
  );
  assert.equal(
    defaultDbPath({ platform: 'linux', env: {}, home: '/home/me' }),
    '/home/me/.local/share/optlab/library.db',
  );
  assert.equal(
    defaultDbPath({ platform: 'linux', env: { XDG_DATA_HOME: '' }, home: '/home/me' }),
    '/home/me/.local/share/optlab/library.db',
  );
  assert.equal(
    defaultDbPath({ platform: 'freebsd', env: {}, home: '/usr/home/me' }),
    '/usr/home/me/.local/share/optlab/library.db',
  );
});

test('defaultDbPath: a relative XDG_DATA_HOME is ignored, as the XDG spec asks', () => {
  assert.equal(
    defaultDbPath({ platform: 'linux', env: { XDG_DATA_HOME: 'rel/data' }, home: '/home/me' }),
    '/home/me/.local/share/optlab/library.db',
  );
});

test('defaultDbPath: macOS Application Support', () => {
  assert.equal(
    defaultDbPath({ platform: 'darwin', env: { XDG_DATA_HOME: '/ignored' }, home: '/Users/me' }),
    '/Users/me/Library/Application Support/OptLab/library.db',
  );
});

test('defaultDbPath: Windows %APPDATA%, with a fallback when it is unset', () => {
  assert.equal(
    defaultDbPath({ platform: 'win32', env: { APPDATA: 'C:\\Users\\me\\AppData\\Roaming' }, home: 'C:\\Users\\me' }),
    'C:\\Users\\me\\AppData\\Roaming\\OptLab\\library.db',
  );
  assert.equal(
    defaultDbPath({ platform: 'win32', env: {}, home: 'C:\\Users\\me' }),
    'C:\\Users\\me\\AppData\\Roaming\\OptLab\\library.db',
  );
});

test('defaultDbPath: OPTLAB_DB overrides every platform', () => {
  for (const platform of ['linux', 'darwin', 'win32'] as const) {
    assert.equal(
      defaultDbPath({ platform, env: { OPTLAB_DB: '/tmp/x.db', APPDATA: 'C:\\A', XDG_DATA_HOME: '/d' }, home: '/h' }),
      '/tmp/x.db',
    );
  }
});

test('defaultDbPath: without a context it reads this process', () => {
  const saved = process.env.OPTLAB_DB;
  process.env.OPTLAB_DB = '/somewhere/lib.db';
  try {
    assert.equal(defaultDbPath(), '/somewhere/lib.db');
  } finally {
    if (saved === undefined) delete process.env.OPTLAB_DB;
    else process.env.OPTLAB_DB = saved;
  }
});
