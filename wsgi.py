"""The WSGI entry point in a checkout: ``gunicorn wsgi:app``. Installed, use ``calfeed.wsgi:app`` (the same app)."""

from calfeed.wsgi import app

__all__ = ["app"]
