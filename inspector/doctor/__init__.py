"""`inspector doctor`: the server's report card.

The engine (`engine.examine`) runs every check through a live session, so the whole
exchange is in the session's event log and every verdict cites the seqs of the events that
prove it; `report` holds the result and its versioned JSON form. No Django here: the CLI
and the web page both drive this package.
"""
