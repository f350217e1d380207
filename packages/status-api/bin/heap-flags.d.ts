/** Flag → value `authlens serve` uses unless the operator chose the flag. */
export declare const SERVE_HEAP_FLAGS: Readonly<Record<string, string>>;
/** The heap flags to add for `serve`: those of SERVE_HEAP_FLAGS the operator did not set. */
export declare function serveHeapFlags(execArgv: readonly string[], nodeOptions?: string): string[];
