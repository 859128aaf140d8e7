-- wrk script: POST with a Seren API key per request, and the result as one JSON line.
--   wrk -t1 -c16 -d8s -s bench/wrk-keys.lua URL -- <prefix> <first> <count>
-- count > 0: keys prefix..first to prefix..(first+count-1) in turn (cached users);
-- count = 0: a new key for every request from first on (each one a user never seen before).
-- Run with one thread (-t1): the key sequence lives in the thread's Lua state.
wrk.method = "POST"
wrk.headers["Content-Length"] = "0"

local prefix, first, count, n

function init(args)
  prefix = args[1] or "sk_bench_"
  first = tonumber(args[2] or "1")
  count = tonumber(args[3] or "1")
  n = 0
end

function request()
  local i = count > 0 and (first + n % count) or (first + n)
  n = n + 1
  wrk.headers["Authorization"] = "Bearer " .. prefix .. i
  return wrk.format()
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK {"requests":%d,"duration_us":%d,"connect_errors":%d,"read_errors":%d,"write_errors":%d,"timeouts":%d,"non_2xx":%d,"p50_us":%d,"p99_us":%d,"max_us":%d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.timeout, e.status,
    latency:percentile(50), latency:percentile(99), latency.max))
end
