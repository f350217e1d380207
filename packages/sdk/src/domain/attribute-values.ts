/**
 * The allowed values of the catalogue's closed attributes, grouped by area, and the histogram
 * bucket boundaries the recorders ask for. A value outside its set becomes `other` when it is
 * recorded (`cardinality.ts`). Every group and every list in it is frozen.
 */

/** Authentication: `auth.method`, `auth.outcome`, `auth.failure_reason`, MFA, OAuth, tokens, resets. */
export const AuthAttributeValues = Object.freeze({
  methods: Object.freeze(['password', 'oauth', 'passkey', 'magic_link', 'sso'] as const),
  outcomes: Object.freeze(['success', 'failure'] as const),
  failureReasons: Object.freeze([
    'none',
    'invalid_credentials',
    'unknown_user',
    'account_locked',
    'mfa_required',
    'mfa_failed',
    'expired_credentials',
    'rate_limited',
    'disabled',
    'other',
  ] as const),
  mfaMethods: Object.freeze(['totp', 'sms', 'webauthn', 'email'] as const),
  mfaActions: Object.freeze(['enrolled', 'removed'] as const),
  oauthProviders: Object.freeze([
    'google',
    'github',
    'microsoft',
    'apple',
    'facebook',
    'okta',
    'local',
    'other',
  ] as const),
  tokenTypes: Object.freeze(['access', 'refresh', 'id', 'api_key'] as const),
  tokenActions: Object.freeze(['issued', 'refreshed', 'revoked'] as const),
  passwordResetStages: Object.freeze(['requested', 'completed', 'failed'] as const),
});

/** Security: `security.event.type`, `security.severity` (also the alerts' severity), lockout reasons. */
export const SecurityAttributeValues = Object.freeze({
  eventTypes: Object.freeze([
    'brute_force',
    'credential_stuffing',
    'account_lockout',
    'suspicious_ip',
    'impossible_travel',
    'token_reuse',
    'other',
  ] as const),
  severities: Object.freeze(['critical', 'high', 'medium', 'low', 'info'] as const),
  lockoutReasons: Object.freeze([
    'too_many_failures',
    'brute_force',
    'credential_stuffing',
    'suspicious_activity',
    'admin',
    'other',
  ] as const),
});

/** ISO 3166-1 alpha-2 country codes (plus `other` for unknown). */
const countryCodes: readonly string[] = Object.freeze(
  (
    'AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS ' +
    'BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE ' +
    'EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM ' +
    'HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC ' +
    'LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA ' +
    'NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW ' +
    'SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO ' +
    'TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW other'
  ).split(' '),
);

/** Business: registrations (source, method, country, device), user types, active-user periods. */
export const BusinessAttributeValues = Object.freeze({
  registrationSources: Object.freeze([
    'web_app',
    'mobile_app',
    'api',
    'admin',
    'invite',
    'partner',
    'other',
  ] as const),
  registrationMethods: Object.freeze([
    'email',
    'phone',
    'oauth',
    'sso',
    'passkey',
    'magic_link',
    'other',
  ] as const),
  countryCodes,
  deviceTypes: Object.freeze(['desktop', 'mobile', 'tablet', 'other'] as const),
  userTypes: Object.freeze([
    'anonymous',
    'free',
    'trial',
    'premium',
    'enterprise',
    'admin',
    'internal',
    'other',
  ] as const),
  activeUserPeriods: Object.freeze(['daily', 'weekly', 'monthly'] as const),
});

/** Compliance: regulations, data-subject requests, consents, data categories, audit records. */
export const ComplianceAttributeValues = Object.freeze({
  regulations: Object.freeze(['gdpr', 'ccpa'] as const),
  dsrTypes: Object.freeze(['access', 'erasure', 'portability', 'rectification'] as const),
  dsrStatuses: Object.freeze(['received', 'in_progress', 'completed', 'rejected'] as const),
  consentPurposes: Object.freeze([
    'essential',
    'analytics',
    'marketing',
    'personalization',
    'third_party_sharing',
    'other',
  ] as const),
  consentActions: Object.freeze(['granted', 'withdrawn'] as const),
  dataCategories: Object.freeze([
    'account',
    'profile',
    'authentication_logs',
    'audit_logs',
    'sessions',
    'tokens',
    'consents',
    'other',
  ] as const),
  auditCategories: Object.freeze([
    'authentication',
    'authorization',
    'account',
    'data_access',
    'data_change',
    'configuration',
    'compliance',
    'security',
    'other',
  ] as const),
  auditOutcomes: Object.freeze(['success', 'failure'] as const),
});

/** authlens itself: HTTP methods, telemetry signals, alert notifications, scheduled jobs. */
export const PlatformAttributeValues = Object.freeze({
  httpMethods: Object.freeze([
    'GET',
    'HEAD',
    'POST',
    'PUT',
    'DELETE',
    'CONNECT',
    'OPTIONS',
    'TRACE',
    'PATCH',
    '_OTHER',
  ] as const),
  telemetrySignals: Object.freeze(['traces', 'metrics', 'logs'] as const),
  alertChannels: Object.freeze(['email', 'slack', 'pagerduty', 'webhook'] as const),
  alertOutcomes: Object.freeze(['success', 'failure', 'retry'] as const),
  jobOutcomes: Object.freeze(['succeeded', 'failed', 'skipped', 'retry', 'lease_lost'] as const),
});

/** Histogram bucket boundaries the recorders ask for (advisory). */
export const HistogramBuckets = Object.freeze({
  /** Authentication latencies (seconds): 5 ms … 10 s. */
  latencySeconds: Object.freeze([0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const),
  /** Risk scores in 0..1. */
  riskScore: Object.freeze([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1] as const),
  /** Data-subject request completion (seconds): 1 h … 60 days. */
  dsrCompletionSeconds: Object.freeze([
    3600, 21600, 86400, 259200, 604800, 1209600, 2592000, 3888000, 5184000,
  ] as const),
});
