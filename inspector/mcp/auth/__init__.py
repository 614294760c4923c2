"""OAuth 2.1 for MCP servers over HTTP: discovery, registration, PKCE, tokens, refresh.

Import the submodules directly: this package imports nothing itself, so that a module
that needs one piece (the provider, the config) does not pull in the flow. Parsing a
`WWW-Authenticate` challenge is HTTP's, not OAuth's: `inspector.mcp.challenge`.

Public API
----------
`config.OAuthSettings`  How one connection's client is configured: `grant_type`
    (`authorization_code` | `client_credentials`), pre-registered `client_id`,
    `client_secret`, `auth_method`, `client_issuer` (the only AS they are sent to; empty:
    the first one met, recorded in the store); `client_metadata_url` (a URL client_id:
    https with a path); `redirect_uri` (required for authorization_code, no default);
    `scope` (a step-up adds to it); `client_name`; `max_attempts`.
    `to_dict`/`from_dict`/`masked`. `ConnectionSpec.oauth` holds one.

`flow.AuthFlow(server_url, *, protocol_version, settings, store, challenge=None,
               previous=None, http=None, emit=None, timeout=DEFAULT_CONNECT_TIMEOUT,
               http_factory=http.http_client)`
    The flow as a state machine over its steps (`flow_discovery`, `flow_steps`, over
    a `flow_steps.FlowContext`). `await step()` runs the next one and returns a
    `pending.AuthStep` (`name: StepName`, `ok`, `summary`, `exchanges: list[HttpRecord]`
    masked, `learned` dict, `error`; `to_dict()`, `to_event()` = an AUTH `TraceEvent`).
    `state: FlowState` is READY (call `step()` again), AWAITING_REDIRECT (send the browser
    to `authorization_url`; `oauth_state` and `pending` (a serialisable
    `pending.PendingAuthorization`: state, code_verifier, client, ...) are what the web
    layer binds to the person's session), DONE (`tokens` saved in the store) or FAILED
    (`error: AuthError`, whose `step` names the failed step). `await complete(params)`
    takes the redirect's query parameters (checks `iss`, `state`, `error`, redeems the
    code). `await run(browser)` is quick mode; `AuthFlow.resume(server_url, pending, ...)`
    rebuilds a flow waiting for its redirect (`AuthError` if `server_url` is not
    `pending.server_resource`). Any exception inside a step fails that step. With
    `emit`, every step is also emitted. The flow holds no connection while it waits for
    the redirect.

`store.TokenStore` (protocol) / `store.MemoryTokenStore`
    `get_tokens(resource)`, `save_tokens(tokens)`, `forget_tokens(resource)`,
    `get_client(issuer, resource)`, `save_client(resource, client)`. Keys: the canonical
    server URI (`discovery.canonical_resource(url)`) and the issuer.

`tokens.Tokens` (access_token, token_type, resource, issuer, token_endpoint, client:
    `ClientRegistration`, refresh_token, expires_at, scope, requested_scope,
    resource_indicator (the `resource` sent, as the PRM published it); `expires_soon()`,
    `scopes`, `to_dict`/`from_dict`) and `tokens.ClientRegistration`
    (client_id, client_secret, auth_method, source, issuer).

`provider.OAuthProvider(server_url, store, *, protocol_version, settings=None, emit=None,
                        http_factory=http.http_client)`
    The transports' hook (`transports.http.HttpAuth`): adds `Authorization: Bearer`,
    refreshes before expiry and once on a 401 (tokens are forgotten only when the AS says
    the grant is dead), runs client_credentials on its own (one flow for concurrent 401s).
    Refusals it cannot fix surface as `errors.AuthorizationRequired` (an
    `HttpStatusError` with `challenge`, `needed_scope`).

`http.HttpClientFactory` / `http.http_client(**options)`: every HTTP client the
    OAuth code makes comes from this factory; the default is the process-wide guarded
    client of `inspector.mcp.network`, which in hosted mode refuses non-public addresses.

`claims.jwt_claims(token)` -> the payload of a JWT, for display only (no verification).
`records.mask_form/mask_json/mask_query/mask_field/mask_text/mask_body` mask OAuth secrets.
`discovery.prm_candidates(...)`, `discovery.as_metadata_candidates(issuer, version)`.

Sessions: `LiveSession(..., token_store=...)` sends stored tokens; a refusal leaves the
session FAILED (or the request failing) with `session.authorization` set to the
`AuthorizationRequired` (`needs_authorization`; on connect, `session.error` says what
the server asked for, see `sessions.authorization.describe_refusal`; an AUTH event
records the challenge); `await session.begin_authorization()` returns the `AuthFlow`
answering it (a 403 makes it a step-up with the union of scopes; after `max_attempts`
flows in a row with no request getting through it raises `AuthError`); after the flow is
DONE, `await session.authorized()` reconnects if needed. The Auth tab runs its flows
through `session.interactive_auth` (quick, guided, the browser's return).
"""
