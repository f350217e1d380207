/**
 * The benchmark's small Fastify login service. The same code runs bare, under
 * `@opentelemetry/auto-instrumentations-node/register` and under `@authlens/sdk/register`.
 * Prints `LISTENING <port>` on stderr once it listens (stdout carries its JSON log lines).
 * `BENCH_LOG=0` serves the same route without its log line (pure instrumentation cost).
 * SIGUSR2 exits normally (so a `--cpu-prof` profile is written).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { getLogger } from '@authlens/sdk';
import Fastify from 'fastify';

const log = getLogger('login');
const logLine = process.env.BENCH_LOG !== '0';
const hash = (s: string) => createHash('sha256').update(s).digest();
const users = new Map([['alice', hash('correct horse battery staple')]]);

const app = Fastify();

app.post(
  '/login',
  {
    schema: {
      body: {
        type: 'object',
        required: ['username', 'password'],
        properties: {
          username: { type: 'string', maxLength: 64 },
          password: { type: 'string', maxLength: 256 },
        },
      },
    },
  },
  async (request, reply) => {
    const { username, password } = request.body as { username: string; password: string };
    const stored = users.get(username);
    const ok = stored !== undefined && timingSafeEqual(stored, hash(password));
    if (logLine) log.info('login', { username, outcome: ok ? 'success' : 'failure' });
    if (!ok) {
      reply.code(401);
      return { error: 'invalid_credentials' };
    }
    return { token: 'opaque-session-token', expires_in: 3600 };
  },
);

process.on('SIGUSR2', () => process.exit(0));
const address = await app.listen({ port: 0, host: '127.0.0.1' });
process.stderr.write(`LISTENING ${new URL(address).port}\n`);
