/** The `authlens` command line. Exit status: 0 done, 1 could not do its work, 2 bad usage. */
const usage = `usage: authlens <command> [options]

commands:
  serve               run the standalone monitoring API (port $PORT, default 8000)
  update-metrics      run the scheduled monitoring jobs once
  export-dashboards   list or export the Grafana dashboards
  compliance-report   print the GDPR/CCPA compliance report
`;

export async function main(argv: string[]): Promise<number> {
  const [command] = argv;
  if (command === undefined || command === '--help' || command === '-h') {
    process.stdout.write(usage);
    return command === undefined ? 2 : 0;
  }
  process.stderr.write(`authlens: unknown command '${command}' (try --help)\n`);
  return 2;
}
