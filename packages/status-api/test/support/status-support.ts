/** Helpers of the status page tests. */

/** The day cells' text alternatives of every component in a page, except today's (which gains samples while a test looks). */
export function pastDayCells(html: string): string[] {
  const today = new Date().toISOString().slice(0, 10);
  return (html.match(/title="\d{4}-\d{2}-\d{2}: [^"]*"/g) ?? []).filter((t) => !t.includes(today));
}
