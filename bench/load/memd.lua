-- wrk script for memd's HTTP load test (bench/load/run.sh). Environment:
--   MEMD_KEY      bearer credential
--   QUERIES       file with one query per line
--   MIX           "search" (default) or "mixed" (90% search, 10% add)
--   ZIPF          "1": queries drawn Zipf(1.0) by rank instead of uniformly
--   PROJECT       cube project (default "bench")
-- done() prints one JSON line: requests/s, latency p50/p95/p99/max (ms), errors, and the
-- adds acknowledged (201) for the durability check.
local key = os.getenv("MEMD_KEY") or ""
local mix = os.getenv("MIX") or "search"
local zipf = os.getenv("ZIPF") == "1"
local project = os.getenv("PROJECT") or "bench"
local queries = {}
for line in io.lines(os.getenv("QUERIES")) do queries[#queries + 1] = line end

local cdf = {}
if zipf then
  local total = 0
  for i = 1, #queries do total = total + 1 / i; cdf[i] = total end
  for i = 1, #queries do cdf[i] = cdf[i] / total end
end

local function pick()
  if not zipf then return queries[math.random(#queries)] end
  local u, lo, hi = math.random(), 1, #queries
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    if cdf[mid] < u then lo = mid + 1 else hi = mid end
  end
  return queries[lo]
end

local headers = {["Authorization"] = "Bearer " .. key, ["Content-Type"] = "application/json"}
local search_path = "/v1/cubes/" .. project .. "/search"
local add_path = "/v1/cubes/" .. project .. "/memories"
local threads = {}
local counter = 0
adds = 0   -- per-thread globals, read by done() through thread:get
errors = 0

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(os.time() + (id or 0) * 7919)
end

function request()
  if mix == "mixed" and math.random() < 0.1 then
    counter = counter + 1
    local body = string.format('{"text":"load test memory %d-%d %s","kind":"note"}', id or 0, counter, pick())
    return wrk.format("POST", add_path, headers, body)
  end
  return wrk.format("POST", search_path, headers, '{"query":"' .. pick() .. '","top_k":10}')
end

function response(status, hdrs, body)
  if status == 201 then adds = adds + 1
  elseif status ~= 200 then errors = errors + 1 end
end

function done(summary, latency, requests)
  local acked, bad = 0, 0
  for _, t in ipairs(threads) do
    acked = acked + (t:get("adds") or 0)
    bad = bad + (t:get("errors") or 0)
  end
  local e = summary.errors
  local transport = e.connect + e.read + e.write + e.timeout
  io.write(string.format(
    '{"requests":%d,"seconds":%.2f,"rps":%.1f,"p50_ms":%.3f,"p95_ms":%.3f,"p99_ms":%.3f,"max_ms":%.3f,' ..
    '"errors":%d,"non_2xx":%d,"transport_errors":%d,"adds_acknowledged":%d}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, bad + transport, e.status, transport, acked))
end
