-- Used by bench/web.py: one machine-readable line after a wrk run (wrk's own --latency has no p95).
-- With WRK_FRESH=1 every request adds a query parameter no request used before (`fresh=<thread>-<n>`), so
-- no kept page can answer it: the cost of building the page.
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

if os.getenv("WRK_FRESH") == "1" then
  local n = 0
  request = function()
    n = n + 1
    local sep = string.find(wrk.path, "?", 1, true) and "&" or "?"
    return wrk.format(nil, wrk.path .. sep .. "fresh=" .. tostring(tid) .. "-" .. n)
  end
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRK_RESULT requests=%d duration_us=%d errors=%d non2xx=%d p50_us=%d p95_us=%d p99_us=%d\n",
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
