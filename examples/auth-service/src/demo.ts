/** `pnpm demo` — placeholder until the example auth service lands (issue 10). */
process.stdout.write('authlens demo: the example auth service is not built yet; nothing to run.\n');
