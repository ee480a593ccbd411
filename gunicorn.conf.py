"""gunicorn settings in a checkout (gunicorn reads ./gunicorn.conf.py by itself): calfeed's packaged ones.

Installed, the same settings are ``-c python:calfeed.gunicorn_conf``; see calfeed/gunicorn_conf.py.
"""

from calfeed.gunicorn_conf import *  # noqa: F403
