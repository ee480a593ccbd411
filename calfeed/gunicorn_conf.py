"""gunicorn settings for calfeed: ``gunicorn -c python:calfeed.gunicorn_conf calfeed.wsgi:app`` (docs/deploy.md).

calfeed answers from memory, so a request costs a dictionary lookup: few workers go far. Each worker
holds its own copy of the rendered outputs and watches the content itself, which is why the app is
not preloaded (a watcher thread started before the fork would not run in the workers).

Environment: WEB_CONCURRENCY (workers, default: one per CPU), GUNICORN_THREADS (threads per worker,
default 4), GUNICORN_BIND (default 127.0.0.1:8000, behind a proxy), CALFEED_ACCESS_LOG ("-" for
stdout, a file, or "off"), GUNICORN_LOG_LEVEL (default info). Command-line options override all of it.

calfeed's own settings are checked once before any worker starts (`on_starting`): one that cannot be
used is one log line, and gunicorn exits.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from typing import Any

from gunicorn import glogging

from calfeed.settings import Settings, SettingsError

bind = [os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")]
workers = int(os.environ.get("WEB_CONCURRENCY", os.cpu_count() or 1))
worker_class = "gthread"  # threads keep connections alive (proxies reuse them) and wait for slow clients
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
keepalive = 15  # seconds; longer than nginx's upstream keepalive_timeout in deploy/nginx.conf
timeout = 60  # a first render of a large calendar can take seconds; later requests are answered from memory
graceful_timeout = 30
preload_app = False  # each worker loads and watches the content itself
control_socket_disable = True  # gunicorn 24+: no shared control socket in ~/.gunicorn
forwarded_allow_ips = "127.0.0.1,::1"  # trust X-Forwarded-* from a proxy on this machine only
proxy_allow_ips = "127.0.0.1,::1"
limit_request_line = 4094
limit_request_fields = 50

accesslog = None if os.environ.get("CALFEED_ACCESS_LOG", "-") == "off" else os.environ.get("CALFEED_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, process, message (and the traceback, if any)."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(record.created)),
            "level": record.levelname.lower(),
            "logger": record.name,
            "pid": record.process,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class JsonLogger(glogging.Logger):
    """gunicorn's logger with JSON lines for both logs; calfeed's own messages join the error log."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for handler in self.error_log.handlers:
            handler.setFormatter(JsonFormatter())
        calfeed = logging.getLogger("calfeed")  # content problems, reloads: same handlers, same level
        calfeed.handlers = list(self.error_log.handlers)
        calfeed.setLevel(self.error_log.level)
        calfeed.propagate = False

    def access(self, resp: Any, req: Any, environ: Any, request_time: Any) -> None:
        if not self.access_log_enabled:
            return
        status = resp.status.split(None, 1)[0] if isinstance(resp.status, str) else resp.status
        entry = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "remote": environ.get("REMOTE_ADDR", "-"),
            "method": environ.get("REQUEST_METHOD"),
            "path": environ.get("PATH_INFO"),
            "query": environ.get("QUERY_STRING") or None,
            "status": int(status),
            "bytes": getattr(resp, "sent", None),
            "duration_ms": round(request_time.total_seconds() * 1000, 3),
            "referer": environ.get("HTTP_REFERER"),
            "agent": environ.get("HTTP_USER_AGENT"),
            "conditional": "HTTP_IF_NONE_MATCH" in environ or "HTTP_IF_MODIFIED_SINCE" in environ,
        }
        self.access_log.info(json.dumps(entry, ensure_ascii=False))


logger_class = JsonLogger


def on_starting(server: Any) -> None:
    """Check calfeed's settings in the master, before any worker: a bad one is one line, then exit status 1."""
    try:
        Settings.from_mapping(os.environ).template_overrides()
    except SettingsError as error:
        server.log.error("calfeed cannot start: %s", error)
        sys.exit(1)
