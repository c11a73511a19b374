"""gunicorn settings for production: `gunicorn -c gunicorn.conf.py app:server` (what `make serve` runs).

Every value can be changed through the environment (docs/deploy.md); a command-line option
(`--bind`, `--workers`, …) wins over this file.
"""
import os

_cores = os.cpu_count() or 1


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


bind = os.environ.get("BIND") or f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8050')}"

# Sync workers, one request at a time each: the callbacks are CPU-bound (pandas, Plotly), so more
# processes, not threads, is what serves more users. The usual 2 × cores + 1, capped because each
# worker holds its own copy of the geometry and libraries (see "Sizing" in docs/deploy.md).
workers = _int("WORKERS", min(2 * _cores + 1, 8))
threads = _int("THREADS", 1)

# No preloading: Dash hands the callbacks registered with `dash.callback` to the app built in
# the same process, and the database pools must not cross a fork; each worker imports the app.
preload_app = False

# The slowest legitimate request (a cold national query, a profile PDF) takes a few seconds.
timeout = _int("TIMEOUT", 60)
graceful_timeout = _int("GRACEFUL_TIMEOUT", 30)
keepalive = 5  # threaded workers only (THREADS > 1): sync workers close the connection after each response

# Recycle workers now and then (memory held by pandas/Plotly after large requests), not all at once.
max_requests = _int("MAX_REQUESTS", 2000)
max_requests_jitter = max_requests // 10

# Sync workers must not face slow clients directly: the proxy (nginx) buffers requests and responses.
# Headers from the proxy (X-Forwarded-Proto) are trusted only from these addresses.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

accesslog = os.environ.get("ACCESS_LOG", "-")
errorlog = os.environ.get("ERROR_LOG", "-")
loglevel = os.environ.get("LOG_LEVEL", "info")
# Client, forwarded-for, time, request, status, bytes, duration (ms), user agent, worker pid.
access_log_format = '%(h)s %({x-forwarded-for}i)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s" %(p)s'

# The heartbeat file in memory, not on a possibly slow or full disk (containers).
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"

# gunicorn's control socket lives at one path per user (~/.gunicorn/gunicorn.ctl): two servers on one
# host (tests, a second instance) would take it from each other. Off unless a path is given.
if os.environ.get("GUNICORN_CONTROL_SOCKET"):
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]
else:
    control_socket_disable = True


def post_worker_init(worker) -> None:
    """Move what the worker built at start-up (the app, its libraries, the geometry: a few hundred
    thousand objects that live as long as the worker) out of the garbage collector's reach. Without
    it every full collection walks them all: a drill-down that happened to trigger one took 110 ms
    more (measured on the national demo: p95 of a cold France → region click 179 → 74 ms)."""
    import gc

    gc.collect()
    gc.freeze()
