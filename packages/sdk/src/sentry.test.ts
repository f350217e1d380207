import { describe, expect, it } from 'vitest';
import { unhandledRejectionMode } from './sentry.ts';

describe('unhandledRejectionMode', () => {
  it("follows Node's --unhandled-rejections (default: end the process)", () => {
    expect(unhandledRejectionMode([], '')).toBe('strict');
    expect(unhandledRejectionMode(['--unhandled-rejections=throw'], '')).toBe('strict');
    expect(unhandledRejectionMode(['--unhandled-rejections=warn'], '')).toBe('warn');
    expect(unhandledRejectionMode([], '--max-old-space-size=100 --unhandled-rejections=none')).toBe('none');
    expect(unhandledRejectionMode(['--unhandled-rejections=warn-with-error-code'], '')).toBe('warn');
  });
});
