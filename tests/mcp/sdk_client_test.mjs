// memd as an MCP server, driven by the official TypeScript SDK client (@modelcontextprotocol/sdk
// 1.32.2): `memd mcp` over stdio (StdioClientTransport) and `memd serve`'s /mcp over
// Streamable HTTP (StreamableHTTPClientTransport with an API key).
//
// Each transport: initialize, list tools, call every tool with arguments that its input
// schema accepts, and check every result against the tool's output schema (the SDK checks
// structuredContent with its draft-07 validator; this file checks it again with a JSON Schema
// 2020-12 validator, MCP's default dialect), that the text block holds the same JSON, errors
// a model must be able to act on, resources and prompts. HTTP also: sessions, 401/403/405/
// 400/202 replies, DNS-rebinding refusals, protected-resource metadata, and isolation: a key
// of user A reaches nothing of user B through any tool, resource or prompt.
//
// Usage: MEMD_BINARY=build/src/memd node tests/mcp/sdk_client_test.mjs   (exit 77: skipped)
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { childEnv, requireSetup, startServer, tempDir } from './harness.mjs';

const binary = requireSetup();
const { Client } = await import('@modelcontextprotocol/sdk/client/index.js');
const { StdioClientTransport, getDefaultEnvironment } = await import('@modelcontextprotocol/sdk/client/stdio.js');
const { StreamableHTTPClientTransport } = await import('@modelcontextprotocol/sdk/client/streamableHttp.js');
const { EmptyResultSchema, LATEST_PROTOCOL_VERSION, McpError } = await import('@modelcontextprotocol/sdk/types.js');
const { default: Ajv2020 } = await import('ajv/dist/2020.js');
const { default: addFormats } = await import('ajv-formats');

const work = tempDir();
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);

const EXPECTED_TOOLS = ['add_memory', 'get_memory', 'update_memory', 'delete_memory', 'restore_memory', 'list_memories',
  'memory_history', 'search_memories', 'get_context', 'set_preference', 'list_preferences', 'delete_preference',
  'list_projects'];

// ---- clients -------------------------------------------------------------------------------

function newClient() {
  return new Client({ name: 'memd-test-client', version: '0.1.0' }, { capabilities: {} });
}

// `memd --data <data> --user <user> mcp` started in cwd, connected.
async function stdioClient({ data, user, cwd, env = {}, args = [] }) {
  const transport = new StdioClientTransport({
    command: binary,
    args: ['--data', data, '--user', user, 'mcp', ...args],
    cwd,
    env: { ...getDefaultEnvironment(), ...env },
    stderr: 'pipe',
  });
  const client = newClient();
  await client.connect(transport);
  return { client, transport };
}

// A client of url + "/mcp" (query optional) with a bearer token, connected.
async function httpClient(url, token, query = '') {
  const transport = new StreamableHTTPClientTransport(new URL(`${url}/mcp${query}`), {
    requestInit: { headers: { Authorization: `Bearer ${token}` } },
  });
  const client = newClient();
  await client.connect(transport);
  return { client, transport };
}

// Puts docs/BUILD.md, which exerciseEveryTool ingests, in root.
function writeDocs(root) {
  mkdirSync(join(root, 'docs'), { recursive: true });
  writeFileSync(join(root, 'docs', 'BUILD.md'),
    '# Building\n\nConfigure with the CMake preset `release`, then build with Ninja Multi-Config.\n');
}

// ---- checks every transport shares ----------------------------------------------------------

const validators = new Map();  // tool name -> { input, output } compiled with JSON Schema 2020-12

async function listAndCompileTools(client) {
  const { tools } = await client.listTools();
  const names = tools.map((t) => t.name);
  for (const expected of EXPECTED_TOOLS) assert.ok(names.includes(expected), `tools/list lacks ${expected}`);
  assert.equal(new Set(names).size, names.length, 'tool names are unique');
  for (const tool of tools) {
    assert.match(tool.name, /^[A-Za-z0-9_.-]{1,128}$/);
    assert.ok(tool.title && tool.description.length > 40, `${tool.name}: title and a real description`);
    assert.equal(tool.inputSchema.type, 'object');
    assert.equal(tool.outputSchema.type, 'object');
    for (const hint of ['readOnlyHint', 'destructiveHint', 'idempotentHint', 'openWorldHint']) {
      assert.equal(typeof tool.annotations[hint], 'boolean', `${tool.name}.annotations.${hint}`);
    }
    validators.set(tool.name, { input: ajv.compile(tool.inputSchema), output: ajv.compile(tool.outputSchema) });
  }
  return tools;
}

// Calls a tool that must succeed; checks arguments against the input schema, the result
// against the output schema, and the text block against structuredContent.
async function call(client, name, args, called) {
  const v = validators.get(name);
  assert.ok(v, `unknown tool ${name}`);
  assert.ok(v.input(args), `${name}: the test's arguments break the input schema: ${ajv.errorsText(v.input.errors)}`);
  const result = await client.callTool({ name, arguments: args });
  assert.equal(result.isError, false, `${name} failed: ${JSON.stringify(result.content)}`);
  assert.ok(v.output(result.structuredContent),
    `${name}: structuredContent breaks the output schema: ${ajv.errorsText(v.output.errors)}\n${JSON.stringify(result.structuredContent)}`);
  assert.equal(result.content[0].type, 'text');
  assert.deepEqual(JSON.parse(result.content[0].text), result.structuredContent);
  called?.add(name);
  return result.structuredContent;
}

// Calls a tool that must fail as a tool error; returns its text.
async function callError(client, name, args) {
  const result = await client.callTool({ name, arguments: args });
  assert.equal(result.isError, true, `${name}(${JSON.stringify(args)}) should fail: ${JSON.stringify(result)}`);
  assert.equal(result.structuredContent, undefined);
  return result.content[0].text;
}

// Calls every tool of memd once or more with valid arguments, in the current project.
async function exerciseEveryTool(client) {
  const tools = await listAndCompileTools(client);
  const called = new Set();
  const first = await call(client, 'add_memory', {
    text: 'Integration tests need the memd binary: build it with ninja before running ctest.',
    kind: 'fact', tags: ['tests', 'build'], metadata: { area: 'tests' },
    source: { uri: 'docs/TESTING.md', line_start: 1, line_end: 3 },
  }, called);
  assert.equal(first.deduplicated, false);
  const second = await call(client, 'add_memory', {
    text: 'Release builds use -O2.', expires_at: '2099-01-01T00:00:00Z', idempotency_key: 'release-1', source: 'CMakeLists.txt',
  }, called);
  const again = await call(client, 'add_memory', {
    text: 'Release builds use -O2.', expires_at: '2099-01-01T00:00:00Z', idempotency_key: 'release-1', source: 'CMakeLists.txt',
  }, called);
  assert.equal(again.id, second.id);

  const found = await call(client, 'search_memories', {
    query: 'integration tests binary', top_k: 5, mode: 'hybrid', explain: true,
    filter: { field: 'kind', op: 'eq', value: 'fact' },
  }, called);
  assert.equal(found.results[0].id, first.id);
  assert.ok(found.results[0].explain, 'explain asked for');
  await call(client, 'search_memories', { query: '-O2', mode: 'lexical', projects: [first.project] }, called);

  const got = await call(client, 'get_memory', { id: first.id }, called);
  assert.equal(got.metadata.area, 'tests');
  const updated = await call(client, 'update_memory', { id: first.id, tags: ['tests'], expected_version: got.version }, called);
  assert.equal(updated.version, got.version + 1);
  await call(client, 'update_memory', { id: second.id, source: null, expires_at: null }, called);
  const history = await call(client, 'memory_history', { id: first.id }, called);
  assert.deepEqual(history.history.map((h) => h.operation), ['create', 'update']);

  const page1 = await call(client, 'list_memories', { limit: 1 }, called);
  assert.equal(page1.memories.length, 1);
  assert.equal(typeof page1.next_cursor, 'string');
  const page2 = await call(client, 'list_memories', { limit: 1000, cursor: page1.next_cursor, include_deleted: true }, called);
  assert.equal(page2.next_cursor, null);

  const deleted = await call(client, 'delete_memory', { id: second.id }, called);
  assert.equal(deleted.deleted, true);
  const restored = await call(client, 'restore_memory', { id: second.id }, called);
  assert.equal(restored.deleted, false);

  await call(client, 'set_preference', { category: 'style', key: 'docstrings', value: 'Google style', description: 'all new code' }, called);
  await call(client, 'set_preference', { category: 'review', key: 'limits', value: { max_lines: 400, strict: true } }, called);
  const prefs = await call(client, 'list_preferences', {}, called);
  assert.equal(prefs.preferences.length, 2);
  const context = await call(client, 'get_context', { query: 'how do I run the tests', token_budget: 500 }, called);
  assert.ok(context.text.includes('Google style'), context.text);
  assert.ok(context.memory_ids.includes(first.id), JSON.stringify(context));
  assert.ok(context.tokens <= 500);
  await call(client, 'delete_preference', { category: 'review', key: 'limits' }, called);

  const projects = await call(client, 'list_projects', {}, called);
  assert.ok(projects.projects.some((p) => p.project === projects.current_project));

  let jobId;
  if (tools.some((t) => t.name === 'ingest')) {
    // The caller put docs/BUILD.md in the first allowed root (see the stdio suite).
    const job = await call(client, 'ingest', { paths: ['docs'], tags: ['docs'], wait_seconds: 60 }, called);
    assert.equal(job.status, 'done', JSON.stringify(job));
    assert.equal(job.progress.files.ingested, 1, JSON.stringify(job.progress));
    jobId = job.id;
    const again = await call(client, 'get_ingest_job', { id: job.id }, called);
    assert.equal(again.id, job.id);
    const hits = await call(client, 'search_memories', { query: 'cmake preset ninja multi config', mode: 'lexical' });
    assert.ok(hits.results.some((h) => h.source?.uri.endsWith('BUILD.md')), JSON.stringify(hits.results));
    const rerun = await call(client, 'ingest', { paths: ['docs'], tags: ['docs'], wait_seconds: 60 });
    assert.equal(rerun.progress.files.unchanged, 1, `ingesting again writes nothing: ${JSON.stringify(rerun.progress)}`);
    assert.match(await callError(client, 'ingest', { paths: ['/etc'] }), /permission_denied/);
  }

  for (const tool of tools) assert.ok(called.has(tool.name), `the test did not call ${tool.name}`);
  return { first, second, jobId, project: projects.current_project, user: projects.user };
}

// Error replies a model can act on, and protocol errors.
async function checkErrors(client) {
  assert.match(await callError(client, 'add_memory', {}), /missing required argument 'text'/);
  assert.match(await callError(client, 'add_memory', { text: 'x', colour: 'red' }), /unknown argument 'colour'.*takes:/);
  assert.match(await callError(client, 'search_memories', { query: 'x', top_k: 0 }), /top_k.*Fix the arguments/);
  assert.match(await callError(client, 'search_memories', { query: 'x', mode: 'fuzzy' }), /mode/);
  assert.match(await callError(client, 'search_memories', { query: 'x', filter: { field: 'colour', op: 'eq', value: 1 } }), /filter/);
  assert.match(await callError(client, 'get_memory', { id: '01ARZ3NDEKTSV4RRFFQ69G5FAV' }), /not_found/);
  assert.match(await callError(client, 'add_memory', { text: 'x', project: 'no/slash' }), /project/);
  assert.match(await callError(client, 'get_context', { query: 'x', token_budget: 1 }), /token_budget/);
  await assert.rejects(client.callTool({ name: 'no_such_tool', arguments: {} }),
    (e) => e instanceof McpError && e.code === -32602 && /no_such_tool/.test(e.message));
  await assert.rejects(client.request({ method: 'foo/bar', params: {} }, EmptyResultSchema),
    (e) => e instanceof McpError && e.code === -32601);
  await assert.rejects(client.readResource({ uri: 'memory://nobody-here/memories/01ARZ3NDEKTSV4RRFFQ69G5FAV' }),
    (e) => e instanceof McpError && e.code === -32002);
  await assert.rejects(client.readResource({ uri: 'file:///etc/passwd' }), (e) => e instanceof McpError && e.code === -32602);
  await assert.rejects(client.getPrompt({ name: 'nope' }), (e) => e instanceof McpError && e.code === -32602);
}

async function checkResourcesAndPrompts(client, { first, project }) {
  const { resources } = await client.listResources();
  const uri = `memory://${project}/memories/${first.id}`;
  assert.ok(resources.some((r) => r.uri === uri), `resources/list lacks ${uri}`);
  assert.ok(resources.some((r) => r.uri === `memory://${project}/preferences`));
  for (const r of resources) assert.ok(r.name && r.mimeType === 'application/json');
  const read = await client.readResource({ uri });
  assert.equal(JSON.parse(read.contents[0].text).id, first.id);
  const prefs = await client.readResource({ uri: `memory://${project}/preferences` });
  assert.ok(Array.isArray(JSON.parse(prefs.contents[0].text).preferences));
  const { resourceTemplates } = await client.listResourceTemplates();
  assert.deepEqual(resourceTemplates.map((t) => t.uriTemplate).sort(),
    ['memory://{project}/memories/{id}', 'memory://{project}/preferences']);

  const { prompts } = await client.listPrompts();
  assert.deepEqual(prompts.map((p) => p.name).sort(), ['recall', 'remember']);
  const recall = await client.getPrompt({ name: 'recall', arguments: { task: 'run the integration tests' } });
  assert.match(recall.messages[0].content.text, /build it with ninja/);
  const remember = await client.getPrompt({ name: 'remember', arguments: { focus: 'testing' } });
  assert.match(remember.messages[0].content.text, /add_memory/);
}

// ---- stdio ----------------------------------------------------------------------------------

describe('memd mcp over stdio', () => {
  const data = join(work, 'stdio-data');
  const repo = join(work, 'My Repo');
  let session;

  before(async () => {
    mkdirSync(join(repo, '.git'), { recursive: true });
    mkdirSync(join(repo, 'src', 'deep'), { recursive: true });
    writeDocs(repo);
    session = await stdioClient({ data, user: 'alice', cwd: join(repo, 'src', 'deep') });
  });
  after(async () => { await session?.client.close(); });

  test('initializes with the latest revision and names memd', async () => {
    assert.equal(session.client.getServerVersion().name, 'memd');
    const caps = session.client.getServerCapabilities();
    for (const c of ['tools', 'resources', 'prompts', 'logging']) assert.ok(caps[c], c);
    assert.match(session.client.getInstructions(), /current project is 'My-Repo'/);
    assert.deepEqual(await session.client.ping(), {});
    await session.client.setLoggingLevel('warning');
  });

  let state;
  test('every tool works and returns what its output schema promises', async () => {
    const { tools } = await session.client.listTools();
    assert.ok(tools.some((t) => t.name === 'ingest') && tools.some((t) => t.name === 'get_ingest_job'));
    state = await exerciseEveryTool(session.client);
    assert.equal(state.project, 'My-Repo', 'the default project is the git repository containing the cwd');
    assert.equal(state.user, 'alice');
  });

  test('bad arguments are tool errors that say what to fix; protocol errors have their codes', async () => {
    await checkErrors(session.client);
  });

  test('resources and prompts', async () => {
    await checkResourcesAndPrompts(session.client, state);
  });

  test('another user reaches none of alice\'s memories or ingest jobs', async () => {
    const bob = await stdioClient({ data, user: 'bob', cwd: join(repo, 'src', 'deep') });
    try {
      assert.match(await callError(bob.client, 'get_memory', { id: state.first.id }), /not_found/);
      assert.match(await callError(bob.client, 'get_ingest_job', { id: state.jobId }), /not_found/);
      const found = await bob.client.callTool({ name: 'search_memories', arguments: { query: 'cmake preset ninja' } });
      assert.deepEqual(found.structuredContent.results, []);
    } finally {
      await bob.client.close();
    }
  });

  test('MEMD_PROJECT or --workspace choose the project and --read-only refuses writes', async () => {
    for (const [options, expected] of [
      [{ env: { MEMD_PROJECT: 'chosen' } }, 'chosen'],
      [{ args: ['--workspace', join(repo, 'src')] }, 'My-Repo'],
    ]) {
      const other = await stdioClient({ data, user: 'alice', cwd: work, ...options });
      try {
        const projects = await other.client.callTool({ name: 'list_projects', arguments: {} });
        assert.equal(projects.structuredContent.current_project, expected);
      } finally {
        await other.client.close();
      }
    }
    const transport = new StdioClientTransport({
      command: binary, args: ['--data', data, '--user', 'alice', 'mcp', '--read-only'], cwd: repo,
      env: getDefaultEnvironment(), stderr: 'pipe',
    });
    const readOnly = newClient();
    await readOnly.connect(transport);
    try {
      await assert.rejects(readOnly.callTool({ name: 'add_memory', arguments: { text: 'x' } }),
        (e) => e instanceof McpError && e.code === -32001 && /'write' scope/.test(e.message));
      const found = await readOnly.callTool({ name: 'search_memories', arguments: { query: 'ninja' } });
      assert.ok(found.structuredContent.results.length > 0);
    } finally {
      await readOnly.close();
    }
  });

  test('stdout carries only JSON-RPC lines and memd exits 0 when stdin closes', async () => {
    const child = spawn(binary, ['--data', data, '--user', 'alice', 'mcp'], { cwd: repo, env: childEnv(), stdio: 'pipe' });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
    child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '0' } } })}\n`);
    child.stdin.write('{"jsonrpc":"2.0","method":"notifications/initialized"}\n');
    child.stdin.write('this is not json\n');
    child.stdin.write('{"jsonrpc":"2.0","id":"x","method":"ping"}\r\n');
    child.stdin.end();
    assert.equal(await exited, 0, err);
    const lines = out.split('\n');
    assert.equal(lines.pop(), '', 'stdout ends with a newline');
    const messages = lines.map((l) => JSON.parse(l));
    assert.equal(messages.length, 3);
    assert.equal(messages[0].result.protocolVersion, '2025-06-18');
    assert.equal(messages[1].error.code, -32700);
    assert.equal(messages[2].id, 'x');
    assert.match(err, /mcp: serving user 'alice', project 'My-Repo'/);
  });
});

// ---- Streamable HTTP -------------------------------------------------------------------------

describe('memd serve /mcp over Streamable HTTP', () => {
  const adminKey = `memd_${'a1'.repeat(20)}`;
  let server;
  let alice;
  let state;
  const keys = {};

  async function createKey(body) {
    const r = await fetch(`${server.url}/v1/keys`, {
      method: 'POST', headers: { Authorization: `Bearer ${adminKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await r.text();
    assert.equal(r.status, 201, text);
    return JSON.parse(text).secret;
  }

  // A raw POST to /mcp.
  function post(body, headers = {}) {
    return fetch(`${server.url}/mcp`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  }
  const initialize = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'raw', version: '0' } } };

  before(async () => {
    const root = join(work, 'http-root');
    writeDocs(root);
    server = await startServer(binary, join(work, 'http-data'), ['--no-rate-limits', '--ingest-root', root],
      { MEMD_ADMIN_KEY: adminKey });
    keys.alice = await createKey({ user: 'alice', scopes: ['read', 'write'], name: 'alice agent' });
    keys.bob = await createKey({ user: 'bob', scopes: ['read', 'write'] });
    keys.aliceReader = await createKey({ user: 'alice', scopes: ['read'] });
    keys.aliceAlphaOnly = await createKey({ user: 'alice', scopes: ['read', 'write'], projects: ['alpha'] });
  });
  after(async () => {
    await alice?.client.close();
    const code = await server?.stop();
    assert.equal(code, 0, `memd serve exit code\n${server?.stderr()}`);
  });

  test('a client with an API key initializes a session and uses every tool', async () => {
    alice = await httpClient(server.url, keys.alice, '?project=webapp');
    assert.ok(alice.transport.sessionId, 'an Mcp-Session-Id was issued');
    assert.equal(alice.client.getServerVersion().name, 'memd');
    state = await exerciseEveryTool(alice.client);
    assert.ok(state.jobId, 'a server with --ingest-root offers the ingest tools');
    assert.equal(state.project, 'webapp', '?project= sets the default project');
    assert.equal(state.user, 'alice');
    await checkErrors(alice.client);
    await checkResourcesAndPrompts(alice.client, state);
  });

  test('ending the session makes its id unknown (404)', async () => {
    const c = await httpClient(server.url, keys.alice);
    const id = c.transport.sessionId;
    await c.transport.terminateSession();
    await c.client.close();
    const r = await post({ jsonrpc: '2.0', id: 2, method: 'ping' }, { Authorization: `Bearer ${keys.alice}`, 'Mcp-Session-Id': id });
    assert.equal(r.status, 404);
    // Another user's credential cannot use alice's session either.
    const r2 = await post({ jsonrpc: '2.0', id: 3, method: 'ping' }, { Authorization: `Bearer ${keys.bob}`, 'Mcp-Session-Id': alice.transport.sessionId });
    assert.equal(r2.status, 404);
  });

  test('without a credential: 401 with the protected-resource metadata URL', async () => {
    const r = await post(initialize);
    assert.equal(r.status, 401);
    const challenge = r.headers.get('www-authenticate');
    assert.match(challenge, new RegExp(`^Bearer resource_metadata="${server.url}/\\.well-known/oauth-protected-resource/mcp"`));
    const bad = await post(initialize, { Authorization: 'Bearer memd_not_a_real_key_000000000000000000000000' });
    assert.equal(bad.status, 401);
    assert.match(bad.headers.get('www-authenticate'), /error="invalid_token"/);
    for (const path of ['/.well-known/oauth-protected-resource', '/.well-known/oauth-protected-resource/mcp']) {
      const meta = await fetch(`${server.url}${path}`);
      assert.equal(meta.status, 200);
      const body = await meta.json();
      assert.equal(body.resource, `${server.url}/mcp`);
      assert.deepEqual(body.scopes_supported, ['read', 'write', 'admin']);
    }
  });

  test('a read-only key gets 403 insufficient_scope for a write tool', async () => {
    const reader = await httpClient(server.url, keys.aliceReader, '?project=webapp');
    try {
      const found = await reader.client.callTool({ name: 'search_memories', arguments: { query: 'ninja' } });
      assert.ok(found.structuredContent.results.length > 0);
    } finally {
      await reader.client.close();
    }
    const headers = { Authorization: `Bearer ${keys.aliceReader}`, 'MCP-Protocol-Version': '2025-11-25' };
    const r = await post({ jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 'add_memory', arguments: { text: 'x' } } }, headers);
    assert.equal(r.status, 403);
    assert.match(r.headers.get('www-authenticate'), /error="insufficient_scope", scope="write", resource_metadata="/);
    assert.equal((await r.json()).error.code, -32001);
  });

  test('transport rules: 202, 405, 400, 415, stateless requests and batches', async () => {
    const auth = { Authorization: `Bearer ${keys.alice}` };
    const note = await post({ jsonrpc: '2.0', method: 'notifications/initialized' }, auth);
    assert.equal(note.status, 202);
    assert.equal(await note.text(), '');
    const get = await fetch(`${server.url}/mcp`, { headers: { ...auth, Accept: 'text/event-stream' } });
    assert.equal(get.status, 405);
    const version = await post({ jsonrpc: '2.0', id: 1, method: 'ping' }, { ...auth, 'MCP-Protocol-Version': '1999-01-01' });
    assert.equal(version.status, 400);
    const notJson = await post('{"jsonrpc":', auth);
    assert.equal(notJson.status, 400);
    assert.equal((await notJson.json()).error.code, -32700);
    const text = await fetch(`${server.url}/mcp`, { method: 'POST', headers: { ...auth, 'Content-Type': 'text/plain' }, body: '{}' });
    assert.equal(text.status, 415);
    // Without a session: served statelessly in the revision of the header.
    const list = await post({ jsonrpc: '2.0', id: 'l', method: 'tools/list' }, { ...auth, 'MCP-Protocol-Version': '2025-06-18' });
    assert.equal(list.status, 200);
    assert.ok((await list.json()).result.tools.length >= EXPECTED_TOOLS.length);
    // Batches exist only up to 2025-03-26.
    const batch = [{ jsonrpc: '2.0', id: 1, method: 'ping' }, { jsonrpc: '2.0', id: 2, method: 'ping' }];
    const old = await post(batch, { ...auth, 'MCP-Protocol-Version': '2025-03-26' });
    assert.equal(old.status, 200);
    assert.deepEqual((await old.json()).map((m) => m.id), [1, 2]);
    const refused = await post(batch, { ...auth, 'MCP-Protocol-Version': '2025-11-25' });
    assert.equal(refused.status, 400);
  });

  test('DNS rebinding: foreign Host or Origin headers are refused', async () => {
    const auth = { Authorization: `Bearer ${keys.alice}` };
    // fetch() cannot set Host; a raw request can.
    const http = await import('node:http');
    const status = (headers) => new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: server.port, path: '/mcp', method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json', ...auth, ...headers } }, (res) => {
        res.resume();
        resolve(res.statusCode);
      });
      req.on('error', reject);
      req.end(JSON.stringify(initialize));
    });
    assert.equal(await status({ Host: 'evil.example.com' }), 403);
    assert.equal(await status({ Host: `127.0.0.1:${server.port}`, Origin: 'http://evil.example.com' }), 403);
    assert.equal(await status({ Host: `localhost:${server.port}`, Origin: `http://localhost:${server.port}` }), 200);
  });

  test('isolation: a key of user bob reaches nothing of alice through any tool, resource or prompt', async () => {
    const bob = await httpClient(server.url, keys.bob, '?project=webapp');
    try {
      const { first, second } = state;
      for (const [name, args] of [
        ['get_memory', { id: first.id }], ['update_memory', { id: first.id, text: 'hijacked' }],
        ['delete_memory', { id: first.id }], ['restore_memory', { id: second.id }], ['memory_history', { id: first.id }],
      ]) {
        assert.match(await callError(bob.client, name, args), /not_found/, name);
      }
      const found = await bob.client.callTool({ name: 'search_memories', arguments: { query: 'integration tests ninja binary' } });
      assert.deepEqual(found.structuredContent.results, []);
      const listed = await bob.client.callTool({ name: 'list_memories', arguments: { include_deleted: true } });
      assert.deepEqual(listed.structuredContent.memories, []);
      const context = await bob.client.callTool({ name: 'get_context', arguments: { query: 'integration tests' } });
      assert.deepEqual(context.structuredContent.memory_ids, []);
      assert.doesNotMatch(context.structuredContent.text, /Google style/);
      const prefs = await bob.client.callTool({ name: 'list_preferences', arguments: {} });
      assert.deepEqual(prefs.structuredContent.preferences, []);
      assert.match(await callError(bob.client, 'delete_preference', { category: 'style', key: 'docstrings' }), /not_found/);
      assert.match(await callError(bob.client, 'get_ingest_job', { id: state.jobId }), /not_found/);
      const projects = await bob.client.callTool({ name: 'list_projects', arguments: {} });
      assert.equal(projects.structuredContent.user, 'bob');
      assert.deepEqual(projects.structuredContent.projects, []);
      const { resources } = await bob.client.listResources();
      assert.deepEqual(resources, []);
      await assert.rejects(bob.client.readResource({ uri: `memory://webapp/memories/${first.id}` }),
        (e) => e instanceof McpError && e.code === -32002);
      await assert.rejects(bob.client.readResource({ uri: 'memory://webapp/preferences' }),
        (e) => e instanceof McpError && e.code === -32002);
      const recall = await bob.client.getPrompt({ name: 'recall', arguments: { task: 'integration tests ninja' } });
      assert.doesNotMatch(recall.messages[0].content.text, /build it with ninja/);
      // bob's writes land in bob's cube, not alice's.
      await bob.client.callTool({ name: 'add_memory', arguments: { text: 'bob was here' } });
      const aliceView = await alice.client.callTool({ name: 'search_memories', arguments: { query: 'bob was here', mode: 'lexical' } });
      assert.deepEqual(aliceView.structuredContent.results, []);
      // alice's memory is intact.
      const intact = await alice.client.callTool({ name: 'get_memory', arguments: { id: first.id } });
      assert.notEqual(intact.structuredContent.text, 'hijacked');
      assert.equal(intact.structuredContent.deleted, false);
    } finally {
      await bob.client.close();
    }
  });

  test('a key limited to a project cannot reach another project of its user', async () => {
    const limited = await httpClient(server.url, keys.aliceAlphaOnly);
    try {
      const projects = await limited.client.callTool({ name: 'list_projects', arguments: {} });
      assert.equal(projects.structuredContent.current_project, 'alpha');
      assert.match(await callError(limited.client, 'search_memories', { query: 'ninja', project: 'webapp' }), /permission_denied/);
      assert.match(await callError(limited.client, 'get_memory', { id: state.first.id, project: 'webapp' }), /permission_denied/);
      await assert.rejects(limited.client.readResource({ uri: `memory://webapp/memories/${state.first.id}` }),
        (e) => e instanceof McpError && e.code === -32602);
      const { resources } = await limited.client.listResources();
      assert.ok(resources.every((r) => r.uri.startsWith('memory://alpha/')), JSON.stringify(resources));
    } finally {
      await limited.client.close();
    }
    const r = await post(initialize, { Authorization: `Bearer ${keys.aliceAlphaOnly}` });
    assert.equal(r.status, 200);
    const forbidden = await fetch(`${server.url}/mcp?project=webapp`, {
      method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${keys.aliceAlphaOnly}` },
      body: JSON.stringify(initialize),
    });
    assert.equal(forbidden.status, 403);
  });
});

console.log(`mcp client tests: memd ${basename(binary)} via SDK ${LATEST_PROTOCOL_VERSION}`);
