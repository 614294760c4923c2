"""The headless CLI: `inspector --cli TARGET --method METHOD ...`, one request, then exit.

It uses the protocol core, and of the session layer only its plain descriptions of a
connection (`sessions.spec`, `sessions.config_files`), never a live session nor Django,
so that it starts fast; its flags follow the official inspector's CLI so that its users
need not relearn them.

    args.py         argv into an `Invocation` (stdlib only: usage errors come back fast)
    run.py          the connection and the request, with every event traced
    output.py       exit codes, the error envelope, JSON and human-readable results
    commandline.py  the way back: a connection and a request as a command line
    main.py         the entry point `inspector.cli` dispatches to
"""
