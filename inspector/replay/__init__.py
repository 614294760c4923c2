"""Replaying a recorded session's requests against a live server, and comparing each
answer with the recorded one."""
