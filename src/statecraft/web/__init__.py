"""The web app (FastAPI): a page for analysts and a JSON API under ``/api/``."""

from statecraft.web.app import MAX_UPLOAD, create_app

__all__ = ["MAX_UPLOAD", "create_app"]
