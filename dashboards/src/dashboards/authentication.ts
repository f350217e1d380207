import { counter, gauge, histogram } from '../metrics.ts';
import {
  barGauge,
  type DashboardMeta,
  finish,
  gauge as gaugePanel,
  newDashboard,
  row,
  stat,
  timeseries,
} from '../panels.ts';
import { eq, quantile, ratio, sel, sumIncrease, sumRate } from '../promql.ts';

export const meta: DashboardMeta = {
  name: 'authentication',
  title: 'authlens / Authentication',
  description:
    'How are users signing in: success rates by method, why logins fail, MFA use and outcome, OAuth providers, tokens and sessions.',
  tags: ['auth'],
};

const logins = counter('auth.login.attempts');
const method = logins.label('auth.method');
const outcome = logins.label('auth.outcome');
const reason = logins.label('auth.failure_reason');
const loginDuration = histogram('auth.login.duration');
const mfaChallenges = counter('auth.mfa.challenges');
const mfaVerify = counter('auth.mfa.verifications');
const mfaMethod = mfaVerify.label('auth.mfa.method');
const mfaEnroll = counter('auth.mfa.enrollments');
const mfaAdoption = gauge('auth.mfa.adoption');
const oauth = counter('auth.oauth.requests');
const provider = oauth.label('auth.oauth.provider');
const oauthDuration = histogram('auth.oauth.duration');
const tokens = counter('auth.tokens');
const sessions = gauge('auth.sessions.active');
const resets = counter('auth.password_resets');

const successRatio = (by: string[]) =>
  ratio(sumRate(logins.name, by, { match: [eq(outcome, 'success')] }), sumRate(logins.name, by));

const successThresholds = [
  [null, 'red'],
  [0.8, 'orange'],
  [0.95, 'green'],
] as const;

export function build() {
  return finish(
    newDashboard(meta)
      .withRow(row('Logins'))
      .withPanel(
        stat({
          title: 'Login success rate',
          description: 'Successful logins as a share of all login attempts over the rate window.',
          unit: 'percentunit',
          decimals: 1,
          thresholds: successThresholds,
          targets: [{ expr: successRatio([]) }],
        }),
      )
      .withPanel(
        stat({
          title: 'Logins in range',
          description: 'Login attempts in the selected time range.',
          unit: 'short',
          targets: [{ expr: sumIncrease(logins.name) }],
        }),
      )
      .withPanel(
        stat({
          title: 'Login p95 latency',
          description: '95th percentile time to complete a login, all methods.',
          unit: 's',
          thresholds: [
            [null, 'green'],
            [1, 'orange'],
            [2, 'red'],
          ],
          targets: [{ expr: quantile(0.95, loginDuration) }],
        }),
      )
      .withPanel(
        stat({
          title: 'Active sessions',
          description: 'Sessions currently open.',
          unit: 'short',
          targets: [{ expr: `sum (${sel(sessions.name)})` }],
        }),
      )
      .withPanel(
        timeseries({
          title: 'Login success rate by method',
          description: 'Which sign-in methods (password, OAuth, passkey, magic link, SSO) succeed.',
          unit: 'percentunit',
          min: 0,
          max: 1,
          thresholds: successThresholds,
          targets: [{ expr: successRatio([method]), legend: `{{${method}}}` }],
        }),
      )
      .withPanel(
        timeseries({
          title: 'Login attempts by method and outcome',
          description: 'Login attempts per second.',
          unit: 'ops',
          stack: true,
          targets: [
            { expr: sumRate(logins.name, [method, outcome]), legend: `{{${method}}} {{${outcome}}}` },
          ],
        }),
      )
      .withPanel(
        barGauge({
          title: 'Why logins fail',
          description: 'Failed login attempts in the time range by failure reason.',
          unit: 'short',
          targets: [
            {
              expr: sumIncrease(logins.name, [reason], { match: [eq(outcome, 'failure')] }),
              legend: `{{${reason}}}`,
              instant: true,
            },
          ],
        }),
      )
      .withPanel(
        timeseries({
          title: 'Login latency by method',
          description: 'p95 login duration by method; exemplars link to the slow login’s trace.',
          unit: 's',
          min: 0,
          targets: [
            {
              expr: quantile(0.95, loginDuration, [loginDuration.label('auth.method')]),
              legend: `p95 {{${loginDuration.label('auth.method')}}}`,
              exemplar: true,
            },
          ],
        }),
      )
      .withRow(row('Multi-factor authentication'))
      .withPanel(
        gaugePanel({
          title: 'MFA adoption',
          description: 'Share of users with at least one MFA method enrolled.',
          unit: 'percentunit',
          min: 0,
          max: 1,
          thresholds: [
            [null, 'red'],
            [0.3, 'orange'],
            [0.6, 'green'],
          ],
          targets: [{ expr: `max (${sel(mfaAdoption.name)})`, instant: true }],
        }),
      )
      .withPanel(
        timeseries({
          title: 'MFA challenges by method',
          description: 'MFA challenges sent per second (TOTP, SMS, WebAuthn, e-mail).',
          unit: 'ops',
          w: 9,
          stack: true,
          targets: [
            {
              expr: sumRate(mfaChallenges.name, [mfaChallenges.label('auth.mfa.method')]),
              legend: `{{${mfaChallenges.label('auth.mfa.method')}}}`,
            },
          ],
        }),
      )
      .withPanel(
        timeseries({
          title: 'MFA verification success rate',
          description: 'Successful MFA verifications as a share of all verifications, by method.',
          unit: 'percentunit',
          w: 9,
          min: 0,
          max: 1,
          thresholds: successThresholds,
          targets: [
            {
              expr: ratio(
                sumRate(mfaVerify.name, [mfaMethod], {
                  match: [eq(mfaVerify.label('auth.outcome'), 'success')],
                }),
                sumRate(mfaVerify.name, [mfaMethod]),
              ),
              legend: `{{${mfaMethod}}}`,
            },
          ],
        }),
      )
      .withPanel(
        timeseries({
          title: 'MFA enrollments',
          description: 'Methods enrolled and removed per second.',
          unit: 'ops',
          targets: [
            {
              expr: sumRate(mfaEnroll.name, [
                mfaEnroll.label('auth.mfa.method'),
                mfaEnroll.label('auth.mfa.action'),
              ]),
              legend: `{{${mfaEnroll.label('auth.mfa.method')}}} {{${mfaEnroll.label('auth.mfa.action')}}}`,
            },
          ],
        }),
      )
      .withPanel(
        timeseries({
          title: 'Password resets by stage',
          description: 'Password resets requested, completed and failed.',
          unit: 'ops',
          targets: [
            {
              expr: sumRate(resets.name, [resets.label('auth.password_reset.stage')]),
              legend: `{{${resets.label('auth.password_reset.stage')}}}`,
            },
          ],
        }),
      )
      .withRow(row('OAuth providers and tokens'))
      .withPanel(
        timeseries({
          title: 'OAuth requests by provider',
          description: 'Calls to each OAuth provider per second.',
          unit: 'ops',
          stack: true,
          w: 8,
          targets: [{ expr: sumRate(oauth.name, [provider]), legend: `{{${provider}}}` }],
        }),
      )
      .withPanel(
        timeseries({
          title: 'OAuth error ratio by provider',
          description: 'Failed OAuth calls as a share of all calls to that provider.',
          unit: 'percentunit',
          w: 8,
          min: 0,
          thresholds: [
            [null, 'green'],
            [0.05, 'orange'],
            [0.2, 'red'],
          ],
          targets: [
            {
              expr: ratio(
                sumRate(oauth.name, [provider], { match: [eq(oauth.label('auth.outcome'), 'failure')] }),
                sumRate(oauth.name, [provider]),
              ),
              legend: `{{${provider}}}`,
            },
          ],
        }),
      )
      .withPanel(
        timeseries({
          title: 'OAuth latency by provider',
          description: 'p95 OAuth provider call duration; exemplars link to traces.',
          unit: 's',
          w: 8,
          min: 0,
          targets: [
            {
              expr: quantile(0.95, oauthDuration, [oauthDuration.label('auth.oauth.provider')]),
              legend: `p95 {{${oauthDuration.label('auth.oauth.provider')}}}`,
              exemplar: true,
            },
          ],
        }),
      )
      .withPanel(
        timeseries({
          title: 'Tokens issued, refreshed and revoked',
          description: 'Token operations per second by token type.',
          unit: 'ops',
          w: 24,
          targets: [
            {
              expr: sumRate(tokens.name, [
                tokens.label('auth.token.type'),
                tokens.label('auth.token.action'),
              ]),
              legend: `{{${tokens.label('auth.token.type')}}} {{${tokens.label('auth.token.action')}}}`,
            },
          ],
        }),
      ),
  );
}
