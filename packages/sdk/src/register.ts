/**
 * `node --import @authlens/sdk/register server.js` — starts authlens before the app loads
 * (ESM and CommonJS apps). Configuration comes from the environment.
 */
import { start } from './start.ts';

await start();
