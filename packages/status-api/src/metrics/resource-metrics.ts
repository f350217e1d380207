/**
 * The subset of OTel's `ResourceMetrics` that authlens reads (structurally compatible). Both
 * `source.ts` and `history.ts` name it, so it lives apart from either.
 */
export interface ResourceMetricsLike {
  scopeMetrics: Array<{
    metrics: Array<{
      descriptor: { name: string; unit?: string };
      dataPoints: Array<{
        attributes: Record<string, unknown>;
        /** A number (sum, gauge) or a histogram; exponential histograms (no `buckets`) are skipped. */
        value: number | { count: number; sum?: number; buckets?: { boundaries: number[]; counts: number[] } };
      }>;
    }>;
  }>;
}
