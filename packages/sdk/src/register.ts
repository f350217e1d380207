/** `node --import @authlens/sdk/register server.js` — starts authlens before the app loads. */
import { start } from './start.ts';

await start();
