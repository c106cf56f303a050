import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from './config.js';

describe('loadConfig: where the database is', () => {
  it('neither DATABASE_URL nor DATA_DIR -> SQLite at data/apiusers.db, relative to the working directory as before', () => {
    const config = loadConfig({});
    assert.deepEqual(config.database, { engine: 'sqlite', file: 'data/apiusers.db' });
    assert.equal(config.dataDir, 'data');
  });

  it('DATA_DIR only -> SQLite at <DATA_DIR>/apiusers.db, next to the secret key and the mailbox', () => {
    assert.deepEqual(loadConfig({ DATA_DIR: '/srv/apiusers' }).database, { engine: 'sqlite', file: '/srv/apiusers/apiusers.db' });
    assert.deepEqual(loadConfig({ DATA_DIR: '/srv/apiusers/' }).database, { engine: 'sqlite', file: '/srv/apiusers/apiusers.db' });
    assert.deepEqual(loadConfig({ DATA_DIR: 'var/apiusers' }).database, { engine: 'sqlite', file: 'var/apiusers/apiusers.db' });
  });

  it('DATA_DIR whose name looks like a URL -> still a folder, not parsed as DATABASE_URL', () => {
    assert.deepEqual(loadConfig({ DATA_DIR: 'sqlite:x' }).database, { engine: 'sqlite', file: 'sqlite:x/apiusers.db' });
  });

  it('DATABASE_URL and DATA_DIR both set -> DATABASE_URL wins; DATA_DIR keeps the secret key and mailbox', () => {
    const file = loadConfig({ DATA_DIR: '/srv/apiusers', DATABASE_URL: '/var/lib/apiusers/main.db' });
    assert.deepEqual(file.database, { engine: 'sqlite', file: '/var/lib/apiusers/main.db' });
    assert.equal(file.dataDir, '/srv/apiusers');
    const pg = loadConfig({ DATA_DIR: '/srv/apiusers', DATABASE_URL: 'postgres://apiusers@db.internal:5432/apiusers' });
    assert.deepEqual(pg.database, { engine: 'postgres', url: 'postgres://apiusers@db.internal:5432/apiusers' });
  });

  it('DATABASE_URL set to the empty string -> treated as unset, so DATA_DIR still decides', () => {
    assert.deepEqual(loadConfig({ DATA_DIR: '/srv/apiusers', DATABASE_URL: '' }).database, { engine: 'sqlite', file: '/srv/apiusers/apiusers.db' });
  });
});
