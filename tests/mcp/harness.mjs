// Shared plumbing of memd's MCP tests: the skip rule, temporary directories, and a real
// `memd serve` on an ephemeral port.
//
// Run by ctest (tests/CMakeLists.txt) with MEMD_BINARY set to the built binary. Exit code 77
// means "skipped": only when node_modules is missing (scripts/test.sh runs
// `npm ci --prefix tests/mcp` first, so CI never skips).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const here = dirname(fileURLToPath(import.meta.url));

// Exits 77 (skip) if the npm packages are not installed; exits 1 if MEMD_BINARY is unset.
export function requireSetup() {
  if (!existsSync(join(here, 'node_modules', '@modelcontextprotocol', 'sdk', 'package.json'))) {
    console.log('SKIP: tests/mcp/node_modules is missing; run `npm ci --prefix tests/mcp`');
    process.exit(77);
  }
  const binary = process.env.MEMD_BINARY;
  if (!binary || !existsSync(binary)) {
    console.error(`MEMD_BINARY must name the built memd binary (got '${binary ?? ''}')`);
    process.exit(1);
  }
  return binary;
}

// A fresh directory, removed when the process exits.
export function tempDir(prefix = 'memd-mcp-test-') {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

// The environment of a memd child: ours without MEMD_* variables, plus extra.
export function childEnv(extra = {}) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('MEMD_')) env[k] = v;
  return { ...env, ...extra };
}

// Starts `memd --data <dataDir> serve --port 0 <args>` and resolves once it listens.
// Returns { port, url, stop() }; stop() sends SIGTERM and resolves with the exit code.
export function startServer(binary, dataDir, args = [], env = {}) {
  const child = spawn(binary, ['--data', dataDir, 'serve', '--port', '0', ...args], {
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? 128)));
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`memd serve did not start:\n${stderr}`)); }, 20000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = /memd listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      const port = Number(m[1]);
      resolve({
        port,
        url: `http://127.0.0.1:${port}`,
        stderr: () => stderr,
        stop: async () => { child.kill('SIGTERM'); return exited; },
      });
    });
    child.on('exit', () => { clearTimeout(timer); reject(new Error(`memd serve exited before listening:\n${stderr}`)); });
  });
}
