// Prints the OpenAPI document the server serves at /openapi.json, built on a throwaway database.
import { writeFileSync } from 'node:fs';
import { startTestApp } from '../test/support/test-app.js';

const t = await startTestApp();
try {
  const response = await t.app.inject({ url: '/openapi.json' });
  const out = process.argv[2];
  if (out) writeFileSync(out, response.body);
  else process.stdout.write(response.body);
} finally {
  await t.close();
}
