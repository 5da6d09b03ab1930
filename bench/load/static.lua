-- wrk script for the nginx ceiling of the load test: GET of a static JSON file the size of a
-- memd search response (nginx's static handler refuses POST), with memd.lua's done() report.
function done(summary, latency, requests)
  local e = summary.errors
  local transport = e.connect + e.read + e.write + e.timeout
  io.write(string.format(
    '{"requests":%d,"seconds":%.2f,"rps":%.1f,"p50_ms":%.3f,"p95_ms":%.3f,"p99_ms":%.3f,"max_ms":%.3f,' ..
    '"errors":%d,"non_2xx":%d,"transport_errors":%d,"adds_acknowledged":0}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, e.status + transport, e.status, transport))
end
