import { main } from './main.js';

// The process entry: run the command, exit with its code (serve never returns).
process.exitCode = await main(process.argv);
