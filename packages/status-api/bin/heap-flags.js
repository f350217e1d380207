// V8 heap limits for `authlens serve` (plain JavaScript: it runs before the sources load).
//
// Left to its defaults, V8 grows the young generation to 128 MB under ingest load and lets the
// old generation fill with up to ~3x its live objects before a full collection: after 100,000
// alerts `serve` held 420-460 MB RSS for a live heap of about 45 MB. These two flags bound both
// (about 200 MB), for more garbage-collection work: 5-10 % more CPU per single-alert create, about
// 50 % per alert in large Alertmanager payloads (docs/benchmarks.md, "Alert ingest").

/** Flag → value `serve` uses unless the operator chose the flag (node flags or NODE_OPTIONS). */
export const SERVE_HEAP_FLAGS = {
  '--max-semi-space-size': '8',
  '--heap-growing-percent': '30',
};

/** The heap flags to add for `serve`: those of SERVE_HEAP_FLAGS the operator did not set. */
export function serveHeapFlags(execArgv, nodeOptions = '') {
  const given = [...execArgv, ...nodeOptions.split(/\s+/)].map((a) => a.split('=')[0].replaceAll('_', '-'));
  return Object.entries(SERVE_HEAP_FLAGS)
    .filter(([flag]) => !given.includes(flag))
    .map(([flag, value]) => `${flag}=${value}`);
}
