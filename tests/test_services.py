"""The throw-away servers `make test` starts when no PostgreSQL or Redis answers: pointed at
a closed port, the tests get real servers of their own, stopped afterwards."""

from __future__ import annotations

import redis
import sqlalchemy as sa

from tests.services import free_port, reachable, start_postgres, start_redis


def test_a_closed_postgres_port_gets_a_throwaway_server() -> None:
    closed = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/test"
    assert not reachable(closed)
    server = start_postgres()
    try:
        assert server.url != closed and reachable(server.url)
        engine = sa.create_engine(server.url)
        with engine.begin() as connection:
            connection.exec_driver_sql("CREATE SCHEMA throwaway_check")
            assert connection.exec_driver_sql("SELECT current_database()").scalar() == "test"
        engine.dispose()
    finally:
        server.stop()
    assert not reachable(server.url) and not server.folder.exists()


def test_a_closed_redis_port_gets_a_throwaway_server() -> None:
    assert not reachable(f"redis://127.0.0.1:{free_port()}")
    server = start_redis()
    try:
        client = redis.Redis.from_url(server.url)
        assert client.ping()
        client.set("issy", "ok")
        assert client.get("issy") == b"ok"
        client.close()
    finally:
        server.stop()
    assert not reachable(server.url) and not server.folder.exists()
