"""The protocol's log levels (`LoggingLevel`, the syslog severities of RFC 5424), least
severe first: a level asks for messages of its rank and above.

A module of its own, with no imports, so the headless CLI checks `--log-level` without
loading anything else.
"""

LOG_LEVELS = ("debug", "info", "notice", "warning", "error", "critical", "alert", "emergency")
