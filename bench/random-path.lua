-- wrk script: each request GETs a line of $PATHS_FILE with the bearer $TOKEN — a random
-- line, or with SEQUENTIAL=1 the lines in order (threads interleaved), to warm caches.
local paths = {}
for line in io.lines(os.getenv("PATHS_FILE")) do
  paths[#paths + 1] = line
end
local token = os.getenv("TOKEN")
if token and token ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. token
end
local sequential = os.getenv("SEQUENTIAL") == "1"
local threads, counter = 0, 0
function setup(thread)
  thread:set("offset", threads)
  threads = threads + 1
end
math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
request = function()
  if sequential then
    counter = counter + 1
    return wrk.format("GET", paths[((counter * 2 + (offset or 0)) % #paths) + 1])
  end
  return wrk.format("GET", paths[math.random(#paths)])
end
