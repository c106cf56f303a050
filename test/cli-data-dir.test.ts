import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createDeps } from '../src/cli/create-deps.js';
import { loadConfig } from '../src/config/config.js';
import { runCli } from './support/cli.js';

/**
 * Where the CLI writes its files when only DATA_DIR is set: the operator's report was that the
 * secret key went to DATA_DIR while the database still went to ./data. Each run uses its own
 * working directory, so a file written relative to it would show.
 */
describe('apiusers with DATA_DIR and no DATABASE_URL', () => {
  let root: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'apiusers-data-dir-'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('init -> the database and the secret key are written inside DATA_DIR, nothing under the working directory', async () => {
    const cwd = join(root, 'work');
    mkdirSync(cwd);
    const dataDir = join(root, 'srv', 'apiusers');
    const result = await runCli([
      'init', '--name', 'Acme Corp', '--owner-email', 'o@acme.example', '--owner-first-name', 'Olivia', '--owner-last-name', 'Owner', '--json',
    ], { DATA_DIR: dataDir }, '', { cwd });
    assert.equal(result.code, 0, result.stderr);
    const { organization } = JSON.parse(result.stdout);

    assert.deepEqual(readdirSync(dataDir).filter((f) => !f.startsWith('apiusers.db-')).sort(), ['apiusers.db', 'secret-key']);
    assert.equal(existsSync(join(cwd, 'data')), false, 'nothing written under the working directory\'s data/');
    assert.deepEqual(readdirSync(cwd), []);

    // The file in DATA_DIR is the database init wrote to: it holds the new organization.
    const deps = await createDeps(loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent' }), { migrate: false });
    try {
      const rows = await deps.db.selectFrom('organizations').select(['id', 'name']).execute();
      assert.deepEqual(rows, [{ id: organization.id, name: 'Acme Corp' }]);
    } finally {
      await deps.database.destroy();
    }
  });

  it('neither DATA_DIR nor DATABASE_URL -> migrate writes data/apiusers.db under the working directory, as before', async () => {
    const cwd = join(root, 'defaults');
    mkdirSync(cwd);
    const result = await runCli(['migrate', '--json'], {}, '', { cwd });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(JSON.parse(result.stdout).engine, 'sqlite');
    assert.ok(existsSync(join(cwd, 'data', 'apiusers.db')), 'data/apiusers.db under the working directory');
  });
});
