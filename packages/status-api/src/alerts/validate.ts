/** Validation of what callers hand the manager: the create input and the actor of a change. */
import { invalidField } from './errors.ts';
import { type CreateAlertInput, SEVERITIES } from './types.ts';

const NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_.:-]*$/;
const LABEL_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
/** The limits of `/create/`'s schema, held by every way in (the API, Alertmanager, code). */
const MAX_LABELS = 64;
const MAX_LABEL_VALUE = 4000;

/** The create input with defaults applied; throws `invalid_field` naming the first bad field. */
export function validateInput(input: CreateAlertInput): Required<CreateAlertInput> {
  if (typeof input.name !== 'string' || !NAME_PATTERN.test(input.name) || input.name.length > 200) {
    throw invalidField(
      'name',
      'must be 1-200 characters: letters, digits, _ . : - (starting with a letter or _)',
    );
  }
  if (!(SEVERITIES as readonly string[]).includes(input.severity)) {
    throw invalidField('severity', `must be one of ${SEVERITIES.join(', ')}`);
  }
  if (typeof input.message !== 'string' || input.message.trim() === '' || input.message.length > 4000) {
    throw invalidField('message', 'must be 1-4000 characters');
  }
  const source = input.source ?? 'manual';
  if (typeof source !== 'string' || source.trim() === '' || source.length > 200) {
    throw invalidField('source', 'must be 1-200 characters');
  }
  const labels = input.labels ?? {};
  const annotations = input.annotations ?? {};
  for (const [field, map] of [
    ['labels', labels],
    ['annotations', annotations],
  ] as const) {
    if (typeof map !== 'object' || map === null || Array.isArray(map))
      throw invalidField(field, 'must be an object');
    const entries = Object.entries(map);
    if (entries.length > MAX_LABELS) throw invalidField(field, `must have at most ${MAX_LABELS} entries`);
    for (const [k, v] of entries) {
      if (!LABEL_NAME.test(k) || k.length > 200) throw invalidField(`${field}.${k}`, 'is not a valid name');
      if (typeof v !== 'string') throw invalidField(`${field}.${k}`, 'must be a string');
      if (v.length > MAX_LABEL_VALUE)
        throw invalidField(`${field}.${k}`, `must be at most ${MAX_LABEL_VALUE} characters`);
    }
  }
  return { name: input.name, severity: input.severity, message: input.message, source, labels, annotations };
}

/** Who made a change (`by`): 1-200 characters, default `api`. */
export function validActor(by: string | undefined): string {
  if (by === undefined) return 'api';
  if (typeof by !== 'string' || by.trim() === '' || by.length > 200)
    throw invalidField('by', 'must be 1-200 characters');
  return by;
}
