-- A mixed shopper workload for wrk: each request is a random line of the file named by
-- WRK_PATHS (listings with filters, searches, piece pages, comparisons). At the end, one
-- JSON line: requests, socket errors, the count of each status and the latency percentiles.

local paths = {}
local threads = {}
statuses = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  for line in io.lines(os.getenv("WRK_PATHS")) do
    if line ~= "" then paths[#paths + 1] = line end
  end
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 100000)
end

function request()
  return wrk.format("GET", paths[math.random(#paths)])
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      total[status] = (total[status] or 0) + count
    end
  end
  local parts = {}
  for status, count in pairs(total) do parts[#parts + 1] = string.format('"%d": %d', status, count) end
  local e = summary.errors
  io.write(string.format(
    'WRK-SUMMARY {"requests": %d, "duration_us": %d, "connect": %d, "read": %d, "write": %d, "timeout": %d, ' ..
    '"status_errors": %d, "p50_ms": %.1f, "p99_ms": %.1f, "max_ms": %.1f, "statuses": {%s}}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.timeout, e.status,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000, table.concat(parts, ", ")))
end
