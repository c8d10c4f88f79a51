"""The web app (FastAPI): a page for analysts and a JSON API under ``/api/``."""

from statecraft.web.app import MAX_UPLOAD, create_app
from statecraft.web.guard import LOOPBACK_HOSTS

__all__ = ["LOOPBACK_HOSTS", "MAX_UPLOAD", "create_app"]
