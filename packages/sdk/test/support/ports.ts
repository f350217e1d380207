export { freePort } from '../../../../test/support/ports.ts';
