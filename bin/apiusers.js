#!/usr/bin/env node
// The installed entry point runs the compiled CLI; `npm run build` (and `npm start`) write dist/.
import { settleNextTick } from '../dist/src/lib/settle-next-tick.js';

// First, before anything else is loaded: see src/lib/settle-next-tick.ts.
await settleNextTick();
await import('../dist/src/cli/bin.js');
