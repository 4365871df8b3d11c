-- wrk script for the verify, availability and notifications benchmarks. Arguments after `--`: "noop";
-- "verify" with the file of JSON bodies (one per line) and the partner's API key; "person" with a file of
-- national codes (one per line) and a staff member's bearer token, to look each person up as a clerk does;
-- or "notify" with a file of birth notifications (one per line, each new) and a facility's API key. Each
-- connection sends the next line in turn; answers that are not a 200 (with a match, for "verify"; a 201,
-- for "notify") are counted, and `done` prints one JSON line for the benchmark to read.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  mode, bodies, index, unexpected = args[1], {}, 0, 0
  if mode == "verify" or mode == "notify" then
    headers = {["Content-Type"] = "application/json", ["X-API-Key"] = args[3]}
  elseif mode == "person" then
    headers = {["Authorization"] = "Bearer " .. args[3]}
  end
  if mode ~= "noop" then
    for line in io.lines(args[2]) do bodies[#bodies + 1] = line end
    -- A notification is sent once: the round starts at the first line, and the file outlasts the round.
    index = mode == "notify" and 0 or math.random(#bodies)
  end
end

function request()
  if mode == "noop" then
    return wrk.format("GET", "/health")
  end
  index = index % #bodies + 1
  if mode == "person" then
    return wrk.format("GET", "/api/persons/" .. bodies[index] .. "?purpose=benchmark", headers)
  end
  if mode == "notify" then
    return wrk.format("POST", "/api/notifications/births", headers, bodies[index])
  end
  return wrk.format("POST", "/api/identity/verify", headers, bodies[index])
end

function response(status, _, body)
  local expected = mode == "notify" and 201 or 200
  if status ~= expected or (mode == "verify" and not body:find('"match"', 1, true)) then
    unexpected = unexpected + 1
  end
end

function done(summary, latency, _)
  local wrong = 0
  for _, thread in ipairs(threads) do wrong = wrong + thread:get("unexpected") end
  local errors = summary.errors
  io.write(string.format(
    '{"requests": %d, "seconds": %.3f, "p50_ms": %.2f, "p99_ms": %.2f, "unexpected": %d, "errors": %d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    wrong, errors.connect + errors.read + errors.write + errors.timeout))
end
