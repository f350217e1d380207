/**
 * The `statusPage` block of a routing rule or maintenance window: the public text of the incident
 * it opens. Validated with the routing file (errors name the field); the alert's own labels and
 * message never reach the page.
 */
import { configError } from '../alerts/errors.ts';
import { IMPACTS, type Impact, type PublicIncidentTemplate } from './types.ts';

const KEYS = ['title', 'impact', 'components', 'message', 'resolvedMessage'] as const;

function text(v: unknown, field: string, max: number): string {
  if (typeof v !== 'string' || v.trim() === '' || v.length > max)
    throw configError(field, `must be a non-empty string of at most ${max} characters`);
  return v;
}

export function validatePublicTemplate(
  v: unknown,
  field: string,
  { impactRequired = true } = {},
): PublicIncidentTemplate {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw configError(field, 'must be an object');
  const o = v as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!(KEYS as readonly string[]).includes(key))
      throw configError(`${field}.${key}`, `unknown key (allowed: ${KEYS.join(', ')})`);
  }
  if (o.impact === undefined && !impactRequired) o.impact = 'none';
  if (typeof o.impact !== 'string' || !(IMPACTS as readonly string[]).includes(o.impact))
    throw configError(`${field}.impact`, `must be one of ${IMPACTS.join(', ')}`);
  const components = o.components ?? [];
  if (!Array.isArray(components) || components.some((c) => typeof c !== 'string'))
    throw configError(`${field}.components`, 'must be a list of health check names');
  const out: PublicIncidentTemplate = {
    title: text(o.title, `${field}.title`, 200),
    impact: o.impact as Impact,
    components: components as string[],
    message: text(o.message, `${field}.message`, 4000),
  };
  if (o.resolvedMessage !== undefined)
    out.resolvedMessage = text(o.resolvedMessage, `${field}.resolvedMessage`, 4000);
  return out;
}
