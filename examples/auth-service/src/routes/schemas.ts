/** Response and body schemas the route plugins share, and the public view of a user. */
import { problemSchema } from '../errors.ts';
import type { User } from '../store/users.ts';

export const emailSchema = { type: 'string', format: 'email', maxLength: 254 } as const;

export const tokenPairSchema = {
  type: 'object',
  properties: {
    accessToken: { type: 'string' },
    refreshToken: { type: 'string' },
    tokenType: { type: 'string' },
    expiresIn: { type: 'integer' },
  },
  required: ['accessToken', 'refreshToken', 'tokenType', 'expiresIn'],
} as const;

export const problems = {
  400: problemSchema,
  401: problemSchema,
  404: problemSchema,
  409: problemSchema,
  423: problemSchema,
  502: problemSchema,
} as const;

export const userSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    email: { type: 'string' },
    name: { type: ['string', 'null'] },
    mfaEnabled: { type: 'boolean' },
    oauthProvider: { type: ['string', 'null'] },
    createdAt: { type: 'string' },
  },
  required: ['id', 'email', 'mfaEnabled', 'createdAt'],
} as const;

export const publicUser = (u: User) => ({
  id: u.id,
  email: u.email,
  name: u.name,
  mfaEnabled: u.mfaEnabled,
  oauthProvider: u.oauthProvider,
  createdAt: u.createdAt,
});
