"""Live sessions: one per connection, with its tasks, its event log and its status.

Like the protocol core, this package knows nothing of Django or Channels; persistence and
notification are injected (see `ports.py`).
"""
