-- wrk script: every request takes the next path of a list (one per line), so that
-- no per-URL cache can carry the figure. Each thread starts at its own offset.
-- Usage: wrk ... -s bench/rotate.lua <url> -- <paths file>
local paths = {}
local next_index = 1
local thread_count = 0

function setup(thread)
  thread_count = thread_count + 1
  thread:set("thread_number", thread_count)
end

function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then paths[#paths + 1] = line end
  end
  next_index = ((thread_number or 1) * 7919) % #paths + 1
end

function request()
  local path = paths[next_index]
  next_index = next_index % #paths + 1
  return wrk.format(nil, path)
end
