"""Transports move frames between the client and a server and report all they see."""
