// Runs the official MCP conformance runner (@modelcontextprotocol/conformance 0.1.13, the
// last release that runs on Node 20) in server mode against `memd serve`'s /mcp, with
// conformance-baseline.yml listing the scenarios that need the runner's "everything"
// fixtures. Exit code: the runner's (0 when every applicable scenario passes and the baseline
// is exact), 77 when node_modules is missing.
//
// The runner sends no credentials, so the server runs with --insecure-no-auth (bound to
// 127.0.0.1, where the DNS-rebinding scenario applies). Authentication of /mcp is tested by
// sdk_client_test.mjs.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { here, requireSetup, startServer, tempDir } from './harness.mjs';

const binary = requireSetup();
const work = tempDir('memd-mcp-conformance-');
const server = await startServer(binary, join(work, 'data'), ['--insecure-no-auth', '--no-rate-limits']);
let code = 1;
try {
  const runner = join(here, 'node_modules', '@modelcontextprotocol', 'conformance', 'dist', 'index.js');
  const child = spawn(process.execPath,
    [runner, 'server', '--url', `http://localhost:${server.port}/mcp`,
      '--expected-failures', join(here, 'conformance-baseline.yml'), '--output-dir', join(work, 'results')],
    { cwd: work, stdio: ['ignore', 'inherit', 'inherit'] });
  code = await new Promise((resolve) => child.on('exit', (c) => resolve(c ?? 1)));
} finally {
  const stopped = await server.stop();
  if (stopped !== 0) {
    console.error(`memd serve exited with ${stopped}:\n${server.stderr()}`);
    code = code || 1;
  }
}
console.log(code === 0 ? 'conformance: every applicable scenario passed' : `conformance: runner exited ${code}`);
process.exit(code);
