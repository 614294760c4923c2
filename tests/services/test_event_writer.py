"""SQLite's event writer: one thread, on a connection it keeps between batches
(`inspector.storage.db.in_writer_thread`), and gives up after an error."""

from __future__ import annotations

import sqlite3

import pytest
from asgiref.sync import sync_to_async
from django.db import OperationalError, connection

from inspector.storage.db import in_writer_thread
from inspector.storage.events import DatabaseEventStore
from tests.services.test_event_store import new_session, varied_events, writer_connection_open

pytestmark = pytest.mark.django_db(transaction=True)


def writer_waits_briefly_for_locks() -> None:
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout = 100")


async def test_a_batch_the_locked_database_refused_leaves_a_fresh_connection_for_the_next() -> None:
    session_id = await sync_to_async(new_session)()
    store = DatabaseEventStore()
    first, second = varied_events()[:2]
    await store.save_events(session_id, [first])
    assert await in_writer_thread(writer_connection_open)(), "kept between batches"

    await in_writer_thread(writer_waits_briefly_for_locks)()
    holder = sqlite3.connect(connection.settings_dict["NAME"])
    try:
        holder.execute("BEGIN IMMEDIATE")  # another writer, which keeps the lock
        with pytest.raises(OperationalError, match="locked"):
            await store.save_events(session_id, [second])
    finally:
        holder.rollback()
        holder.close()

    assert not await in_writer_thread(writer_connection_open)(), "closed after the error"
    await store.save_events(session_id, [second])
    loaded = await store.load_events(session_id, 0, 10)
    assert [event.seq for event in loaded] == [1, 2]
