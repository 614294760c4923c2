"""The client's default timeouts, in seconds: one place for every layer that has one (the
client, the HTTP transports, the OAuth flow, saved servers, the CLI)."""

# How long establishing a connection may take (handshake or server/discover); also each
# HTTP exchange of the transports and of an OAuth flow.
DEFAULT_CONNECT_TIMEOUT = 30.0
# How long a request may go without a response (restarted by progress, if so configured).
DEFAULT_REQUEST_TIMEOUT = 60.0
# How long a request may take in all, whatever progress the server reports.
DEFAULT_MAX_TOTAL_TIMEOUT = 600.0
