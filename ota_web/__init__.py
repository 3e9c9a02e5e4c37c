"""The HTTP service: a Flask app wired by a dependency-injector container.

`ota_web.app.create_app` builds it. This package imports nothing itself, so
gunicorn's master can read `ota_web.settings` without loading the app.
"""
