"""Who may use the app: the trusted-host check, the same-origin check on every request that
changes something, the access token for a server other machines can reach, and the
security headers on every response. Pure ASGI, so it sees every request before the app
(and every response after it, errors included) without buffering anything.

- **Host.** A request whose ``Host`` is not a loopback name (127.0.0.1, localhost, ::1,
  any port) or one added with ``--allowed-host`` is refused with 400: a page that rebinds
  its own name to 127.0.0.1 cannot reach the app under that name. So is a request with
  more than one ``Host``, ``Origin`` or ``Sec-Fetch-Site`` header (this check and the
  framework, or a proxy, could each believe another; browsers send one of each).
- **Origin.** A request that may change something (any method but GET, HEAD and OPTIONS)
  must come from the app's own pages: its ``Origin``, when sent, must be the app's own,
  and its ``Sec-Fetch-Site``, when sent, must be ``same-origin`` (or ``none``: the user's
  own action). Browsers send at least one of them on every such request, so a form or a
  fetch from another site (another port of 127.0.0.1 included) gets 403 before the app
  reads it. A request with neither comes from a program, not a page, and cannot be
  forged by a site.
- **Token.** With a token (required by ``serve`` when it binds beyond loopback) every
  request must carry it: ``Authorization: Bearer TOKEN``, ``X-Statecraft-Token: TOKEN``,
  or the ``statecraft_token`` cookie (HttpOnly, SameSite=Strict). ``GET /?token=CODE``
  sets the cookie and redirects to ``/``; CODE is the token itself or the one-time
  sign-in code printed at start, which works once.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Iterable
from http.cookies import SimpleCookie
from urllib.parse import parse_qs

from starlette.types import ASGIApp, Message, Receive, Scope, Send

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
"""The names the app answers to without ``--allowed-host``."""

TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{16,256}")
"""An access token: 16 to 256 URL-safe characters (it travels in a cookie and a URL)."""

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
COOKIE = "statecraft_token"

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
       "connect-src 'self'; form-action 'self'; base-uri 'none'; object-src 'none'; "
       "frame-ancestors 'none'")
"""The page's Content-Security-Policy: its own script and style files only, no inline
script or style, no plug-ins, never framed."""

SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
)


def check_secrets(token: str | None, sign_in_code: str | None) -> None:
    """Refuse a token or sign-in code that is too short or could not travel in a cookie."""
    for name, value in (("token", token), ("sign-in code", sign_in_code)):
        if value is not None and not TOKEN_PATTERN.fullmatch(value):
            raise ValueError(f"the {name} must be 16 to 256 letters, digits, '-' or '_'")


def host_name(host: str) -> str:
    """The name in a ``Host`` header, without its port, lower case (``[::1]:80`` -> ``::1``)."""
    host = host.strip().lower()
    if host.startswith("["):
        end = host.find("]")
        return host[1:end] if end > 0 else host
    name, sep, port = host.rpartition(":")
    return name if sep and port.isdigit() and ":" not in name else host


def _headers(scope: Scope) -> dict[str, str]:
    """The request's headers by lower-case name (the last of repeated ones)."""
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}


async def _reply(send: Send, status: int, detail: str,
                 extra: Iterable[tuple[bytes, bytes]] = ()) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
        *extra]})
    await send({"type": "http.response.body", "body": body})


class Guard:
    """The checks above around an ASGI app, and the security headers on its responses."""

    def __init__(self, app: ASGIApp, *, allowed_hosts: Iterable[str] = (),
                 token: str | None = None, sign_in_code: str | None = None) -> None:
        check_secrets(token, sign_in_code)
        self.app = app
        self.allowed_hosts = LOOPBACK_HOSTS | {host_name(h) for h in allowed_hosts}
        self.token = token
        self._sign_in_code = sign_in_code  # used once, then forgotten

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                have = {k.lower() for k, _ in message.get("headers", [])}
                message = dict(message, headers=[
                    *message.get("headers", []),
                    *((k, v) for k, v in SECURITY_HEADERS if k not in have)])
            await send(message)

        headers = _headers(scope)
        host = headers.get("host", "")
        twice = next((name for name in (b"host", b"origin", b"sec-fetch-site")
                      if sum(k.lower() == name for k, _ in scope["headers"]) > 1), None)
        if twice is not None:
            # which one counts could differ between this check (the last) and the
            # framework or a proxy (the first): a request that names two names none
            what = {b"host": "Host", b"origin": "Origin",
                    b"sec-fetch-site": "Sec-Fetch-Site"}[twice]
            await _reply(send_with_headers, 400, f"a request may carry one {what} header; "
                         "this one has more")
            return
        if host_name(host) not in self.allowed_hosts:
            await _reply(send_with_headers, 400, f"this server does not answer to the host "
                         f"name {host_name(host)!r}; start it with --allowed-host NAME to "
                         f"add a name")
            return
        if scope["method"] not in SAFE_METHODS:
            refused = self._cross_site(scope, headers, host)
            if refused:
                await _reply(send_with_headers, 403, refused)
                return
        if self.token is not None:
            query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
            if scope["method"] == "GET" and scope["path"] == "/" and "token" in query:
                await self._sign_in(query["token"][0], scope, send_with_headers)
                return
            if not self._has_token(headers):
                await _reply(send_with_headers, 401, "this server needs its access token: "
                             "open the sign-in link it printed at start, or send the token "
                             "as 'Authorization: Bearer TOKEN'")
                return
        await self.app(scope, receive, send_with_headers)

    @staticmethod
    def _cross_site(scope: Scope, headers: dict[str, str], host: str) -> str | None:
        """Why a state-changing request is refused as not from the app's own pages, or None."""
        origin = headers.get("origin")
        if origin is not None:
            scheme, sep, netloc = origin.partition("://")
            if not sep or scheme.lower() not in ("http", "https") or (
                    netloc.lower() != host.strip().lower()):
                return (f"refused: this request came from another site ({origin!r}); only "
                        f"the app's own pages may change anything")
        site = headers.get("sec-fetch-site")
        if site is not None and site.lower() not in ("same-origin", "none"):
            return (f"refused: this request came from another site (Sec-Fetch-Site: "
                    f"{site}); only the app's own pages may change anything")
        return None

    def _has_token(self, headers: dict[str, str]) -> bool:
        assert self.token is not None
        given: list[str] = []
        auth = headers.get("authorization", "")
        if auth[:7].lower() == "bearer ":
            given.append(auth[7:].strip())
        if "x-statecraft-token" in headers:
            given.append(headers["x-statecraft-token"].strip())
        if "cookie" in headers:
            jar: SimpleCookie = SimpleCookie()
            try:
                jar.load(headers["cookie"])
            except Exception:  # a malformed cookie header carries no token
                jar = SimpleCookie()
            if COOKIE in jar:
                given.append(jar[COOKIE].value)
        return any(secrets.compare_digest(g.encode(), self.token.encode()) for g in given)

    async def _sign_in(self, code: str, scope: Scope, send: Send) -> None:
        """``/?token=CODE``: set the token cookie and go to the page, or say why not."""
        assert self.token is not None
        once = self._sign_in_code
        if once is not None and secrets.compare_digest(code.encode(), once.encode()):
            self._sign_in_code = None
        elif not secrets.compare_digest(code.encode(), self.token.encode()):
            await _reply(send, 401, "this sign-in link is not valid (the one printed at "
                         "start works once; /?token=TOKEN with the access token always "
                         "works)")
            return
        secure = "; Secure" if scope.get("scheme") == "https" else ""
        cookie = f"{COOKIE}={self.token}; HttpOnly; SameSite=Strict; Path=/{secure}"
        await send({"type": "http.response.start", "status": 303, "headers": [
            (b"location", b"/"), (b"set-cookie", cookie.encode()),
            (b"cache-control", b"no-store"), (b"content-length", b"0")]})
        await send({"type": "http.response.body", "body": b""})
