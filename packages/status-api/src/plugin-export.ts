/** The plugin wrapped with fastify-plugin (`encapsulate: true` keeps `prefix` working). */
import fp from 'fastify-plugin';
import { monitoringPlugin } from './plugin.ts';

export const monitoring = fp(monitoringPlugin, {
  name: '@authlens/status-api',
  fastify: '5.x',
  encapsulate: true,
});
