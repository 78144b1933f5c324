-- wrk script of the API load benchmark (bench/api_bench.py). Each request is signed in as
-- the next borrower of the book (tokens and loans from BENCH_BOOK, one per line:
-- "token loan"), so load spreads over every borrower; SCENARIO picks the request:
--   ping      GET  /api/v1/bench/ping/                     (the ceiling)
--   list      GET  /api/v1/loans/
--   detail    GET  /api/v1/loans/<loan>/
--   repayment POST /api/v1/loans/<loan>/repayments/ {"amount": "1.00"} with a new Idempotency-Key
-- Every answer that is not 2xx is counted as a failure; done() prints one JSON line.

local book = {}
local scenario = os.getenv("SCENARIO") or "ping"
for line in io.lines(os.getenv("BENCH_BOOK")) do
  local token, loan = line:match("(%S+) (%S+)")
  book[#book + 1] = {token = token, loan = loan}
end

local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

function init(args)
  failures = 0
  statuses = {}
  sent = 0
  -- Threads start at different borrowers.
  position = (id - 1) * math.floor(#book / 2)
end

function request()
  position = position % #book + 1
  sent = sent + 1
  local entry = book[position]
  local headers = {
    ["Authorization"] = "Token " .. entry.token,
    ["X-Forwarded-Proto"] = "https",
    ["Accept"] = "application/json",
  }
  if scenario == "ping" then
    return wrk.format("GET", "/api/v1/bench/ping/", headers)
  elseif scenario == "list" then
    return wrk.format("GET", "/api/v1/loans/", headers)
  elseif scenario == "detail" then
    return wrk.format("GET", "/api/v1/loans/" .. entry.loan .. "/", headers)
  else
    headers["Content-Type"] = "application/json"
    headers["Idempotency-Key"] = string.format("bench-%d-%d-%d", id, sent, os.time())
    return wrk.format(
      "POST", "/api/v1/loans/" .. entry.loan .. "/repayments/", headers, '{"amount": "1.00"}'
    )
  end
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    failures = failures + 1
    local key = tostring(status)
    statuses[key] = (statuses[key] or 0) + 1
  end
end

function done(summary, latency, requests)
  local failed = 0
  local codes = {}
  for _, thread in ipairs(threads) do
    failed = failed + thread:get("failures")
    local s = thread:get("statuses")
    for code, n in pairs(s) do codes[code] = (codes[code] or 0) + n end
  end
  local parts = {}
  for code, n in pairs(codes) do parts[#parts + 1] = string.format('"%s": %d', code, n) end
  io.write(string.format(
    '{"requests": %d, "seconds": %.3f, "errors_socket": %d, "failures": %d, "failure_statuses": {%s}, "p50_ms": %.2f, "p90_ms": %.2f, "p99_ms": %.2f, "max_ms": %.2f}\n',
    summary.requests, summary.duration / 1e6,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    failed, table.concat(parts, ", "),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
end
