"""The run's default limits, in a module of their own so the CLI can show them without
importing the engine (and schemathesis) on every command."""

# Polite defaults against a live URL (the embedded mock gets no limits).
LIVE_MAX_REQUESTS = 200
LIVE_RATE_LIMIT = 4.0
DEFAULT_MAX_EXAMPLES = 100
MAX_WORKERS = 64
DEFAULT_TIMEOUT = 10.0  # seconds per response
# Timeouts in a row (no answer at all) before the run gives up on the server.
TIMEOUTS_TO_STOP = 3
# Re-sends Hypothesis may make to shrink one failure: generous in-process, where a request
# costs about a millisecond; a few dozen against a live server, where each is a real call.
SHRINK_REQUESTS = 1000
LIVE_SHRINK_REQUESTS = 40
VALID_PER_INVALID = 3  # drawn: three valid bodies for each invalid one, so most requests can succeed
