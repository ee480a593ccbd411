"""The WSGI entry point for gunicorn: ``gunicorn wsgi:app``. Settings come from CALFEED_* variables."""

from calfeed.web import create_app

app = create_app()
