"""gunicorn settings for Kamai's web processes: `gunicorn -c kamai/gunicorn_conf.py kamai.wsgi -w 4`.

With PROMETHEUS_MULTIPROC_DIR set, each worker writes its metrics to files there; when a worker exits, its
live gauges are dropped so /metrics does not keep reporting a dead process. Empty the directory before
gunicorn starts (a restart must not add up the previous run's counters twice).
"""

import os


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
