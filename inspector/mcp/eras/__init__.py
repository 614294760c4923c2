"""The protocol's eras: how a connection is established and how each request is carried.

The legacy era opens with the `initialize` handshake; the modern, stateless era has none
and decorates every request instead. Lifecycles reach the client only through
`base.ClientPort`.
"""
