"""Running test code in several threads at once, each on its own database connection."""

import threading

from django.db import connection


def run_concurrently(target, count):
    """Run ``target`` in ``count`` threads released together; return what they raised."""
    barrier = threading.Barrier(count)
    errors = []

    def worker():
        try:
            barrier.wait()
            target()
        except Exception as exc:  # collected, then asserted by the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors
