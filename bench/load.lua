-- wrk script of the HTTP load benchmark (bench/load.py runs it).
--
--   wrk -t2 -c100 -d30s -s bench/load.lua http://127.0.0.1:8000 -- \
--       MODE SEARCH_PATH PROPERTY_IDS_FILE RESERVATION_IDS_FILE [FIRST_DAY START_DAYS]
--
-- MODE: search | reserve | get | get-named | mix (70% search, 20% get, 10% reserve).
-- get-named reads a reservation under its property (on Citus: routed to one shard).
-- SEARCH_PATH: the search route (the baseline also serves design (a) on another one).
-- The files hold one id per line (a reservation's followed by its property's).
-- done() prints one line "LOAD_RESULT {json}".
-- FIRST_DAY (YYYY-MM-DD) and START_DAYS: searches start on one of the START_DAYS days
-- from FIRST_DAY on (a season), instead of anywhere in the generated years.

local TOKEN = "Bearer 6f1c2a4e-8d3b-4b7a-9e5f-2c1d0a9b8e7f"
local FIRST_DAY = os.time({year = 2021, month = 1, day = 1, hour = 12})
local SPAN_DAYS = 2556 -- 2021-01-01 to 2027-12-31, the generated stays' years
local BOOKING_DAYS = 1000 -- reservations start 1 to 1000 days ahead (the policy allows 1095)

local threads = {}
local counter = 1

function setup(thread)
  thread:set("thread_number", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

local function read_lines(path)
  local lines = {}
  local file = assert(io.open(path, "r"))
  for line in file:lines() do
    if #line > 0 then
      lines[#lines + 1] = line
    end
  end
  file:close()
  return lines
end

local mode, search_path, property_ids, reservation_ids, today
statuses = {}

function init(args)
  mode = args[1] or "search"
  search_path = args[2] or "/api/v1/properties/available"
  property_ids = read_lines(args[3])
  reservation_ids = read_lines(args[4])
  if args[5] then
    local y, m, d = args[5]:match("(%d+)-(%d+)-(%d+)")
    FIRST_DAY = os.time({year = tonumber(y), month = tonumber(m), day = tonumber(d), hour = 12})
    SPAN_DAYS = tonumber(args[6])
  end
  today = os.time()
  math.randomseed(os.time() * 1000 + thread_number)
end

local function day(base, offset)
  return os.date("!%Y-%m-%d", base + offset * 86400)
end

local function search()
  local path = search_path .. "?start_date=" .. day(FIRST_DAY, math.random(0, SPAN_DAYS - 1))
    .. "&nights=" .. math.random(1, 14)
  if math.random(10) > 1 then -- one in ten a first page, the others after a random cursor
    path = path .. "&after=" .. property_ids[math.random(#property_ids)]
  end
  return wrk.format("GET", path, {["Authorization"] = TOKEN})
end

local function reserve()
  local body = '{"property_id": "' .. property_ids[math.random(#property_ids)]
    .. '", "start_date": "' .. day(today, math.random(1, BOOKING_DAYS))
    .. '", "nights": ' .. math.random(1, 14) .. "}"
  local headers = {["Authorization"] = TOKEN, ["Content-Type"] = "application/json"}
  return wrk.format("POST", "/api/v1/reservations", headers, body)
end

local function get()
  local id = reservation_ids[math.random(#reservation_ids)]:match("^(%S+)")
  return wrk.format("GET", "/api/v1/reservations/" .. id, {["Authorization"] = TOKEN})
end

local function get_named()
  local id, property = reservation_ids[math.random(#reservation_ids)]:match("^(%S+) (%S+)$")
  local path = "/api/v1/properties/" .. property .. "/reservations/" .. id
  return wrk.format("GET", path, {["Authorization"] = TOKEN})
end

local function mix()
  local pick = math.random(10)
  if pick <= 7 then
    return search()
  elseif pick <= 9 then
    return get()
  end
  return reserve()
end

local makers = {search = search, reserve = reserve, get = get, ["get-named"] = get_named,
  mix = mix}

function request()
  return makers[mode]()
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local counts = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      counts[status] = (counts[status] or 0) + count
    end
  end
  local parts = {}
  for status, count in pairs(counts) do
    parts[#parts + 1] = string.format('"%d": %d', status, count)
  end
  local e = summary.errors
  print(string.format(
    'LOAD_RESULT {"requests": %d, "duration_us": %d, "bytes": %d, '
      .. '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, '
      .. '"latency_us": {"mean": %.1f, "max": %d, "p50": %d, "p90": %d, "p95": %d, "p99": %d}, '
      .. '"statuses": {%s}}',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency.max, latency:percentile(50), latency:percentile(90),
    latency:percentile(95), latency:percentile(99),
    table.concat(parts, ", ")))
end
