"""The WSGI app for production servers: ``gunicorn -c python:calfeed.gunicorn_conf calfeed.wsgi:app``.

Settings come from ``CALFEED_*`` variables (`calfeed.settings`). Content with problems does not stop
the app: it starts and answers 503 with the problems until an edit fixes them. A setting calfeed cannot
use does: the worker says why in one line and exits with status 4, which gunicorn takes as "the app
cannot load" and stops, instead of restarting workers that would fail the same way.
"""

from __future__ import annotations

import logging
import sys

from . import heap
from .settings import SettingsError
from .web import create_app

APP_LOAD_ERROR = 4  # gunicorn's exit status for an app that cannot load: the master halts, no respawning

heap.tune()  # a long-running worker: freed memory goes back to the system (calfeed/heap.py)
try:
    app = create_app()
except SettingsError as error:
    logging.getLogger("calfeed").critical("calfeed cannot start: %s", error)
    sys.exit(APP_LOAD_ERROR)
# The content is loaded: from here on, rendering may take the cache budget of resident memory, and no more.
app.extensions["calfeed.outputs"].bound_resident(heap.resident)
