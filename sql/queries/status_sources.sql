-- `wirewatch status`: each polled source's health and lag, the failing ones first (the streak of
-- failed polls, the last error), then by name.
SELECT name, last_status, consecutive_failures, last_error, last_poll, last_new_at, next_poll_at
FROM sources
ORDER BY consecutive_failures > 0 DESC, name;
