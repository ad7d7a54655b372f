"""HTTP(S) with JSON to the Sint-Goriks system: timeouts, retries and one-sentence failures."""

from __future__ import annotations

import http.client
import json
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l

from core.plugins.types import BridgeChangeRefused, BridgeUnavailable

#: Answers to a pushed change that mean "never": the change is kept as refused.
REFUSING = frozenset({400, 404, 409, 410, 422})
DEFAULTS = {"timeout": 10.0, "retries": 2, "retry_delay": 1.0}


def _number(settings: Mapping[str, Any], name: str, kind: type):
    raw = settings.get(name)
    if raw in (None, ""):
        return DEFAULTS[name]
    try:
        value = kind(raw)
    except (TypeError, ValueError):
        value = -1
    if value < 0 or (name == "timeout" and value == 0):
        raise BridgeUnavailable(
            str(
                _l(
                    "De instelling sintgorik_bridge.%(name)s is ongeldig: %(value)s.",
                    name=name,
                    value=raw,
                )
            )
        )
    return value


class Client:
    """Sends JSON to ``url`` with the bearer ``token``; retries timeouts, lost connections
    and 5xx answers ``retries`` times, waiting ``retry_delay`` seconds more each time."""

    def __init__(self, settings: Mapping[str, Any]):
        url = str(settings.get("url") or "").rstrip("/")
        if urlsplit(url).scheme not in ("http", "https"):
            raise BridgeUnavailable(
                str(
                    _l(
                        "Sint-Goriks is niet ingesteld: zet STAGEBANK_SINTGORIK_BRIDGE_URL op "
                        "een http- of https-adres."
                    )
                )
            )
        self.url = url
        self.token = str(settings.get("token") or "")
        self.timeout = _number(settings, "timeout", float)
        self.retries = _number(settings, "retries", int)
        self.retry_delay = _number(settings, "retry_delay", float)

    def get(self, path: str) -> Any:
        """The decoded JSON answer of a GET; :class:`BridgeUnavailable` otherwise."""
        status, body = self._send("GET", path)
        if status != 200:
            raise BridgeUnavailable(self._refusal(status))
        try:
            return json.loads(body)
        except ValueError:
            raise BridgeUnavailable(
                str(_l("Sint-Goriks antwoordde op %(path)s iets anders dan JSON.", path=path))
            ) from None

    def post(self, path: str, payload: Mapping[str, Any]) -> None:
        """POST JSON; a lasting refusal raises :class:`BridgeChangeRefused`."""
        status, body = self._send("POST", path, payload)
        if 200 <= status < 300:
            return
        if status in REFUSING:
            raise BridgeChangeRefused(
                str(
                    _l(
                        "Sint-Goriks weigerde de wijziging (HTTP %(code)d): %(detail)s",
                        code=status,
                        detail=_detail(body),
                    )
                )
            )
        raise BridgeUnavailable(self._refusal(status))

    def _refusal(self, status: int) -> str:
        if status in (401, 403):
            return str(
                _l(
                    "Sint-Goriks weigert de toegang (HTTP %(code)d): controleer "
                    "STAGEBANK_SINTGORIK_BRIDGE_TOKEN.",
                    code=status,
                )
            )
        return str(_l("Sint-Goriks antwoordde met HTTP %(code)d.", code=status))

    def _send(self, method: str, path: str, payload=None) -> tuple[int, bytes]:
        request = urllib.request.Request(
            self.url + path,
            data=None if payload is None else json.dumps(payload).encode(),
            method=method,
            headers={
                "Accept": "application/json",
                "Content-Type": "application/json",
                "Authorization": f"Bearer {self.token}",
                "User-Agent": "Stagebank sintgorik_bridge",
            },
        )
        attempts = self.retries + 1
        for attempt in range(1, attempts + 1):
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    return response.status, response.read()
            except urllib.error.HTTPError as error:
                if error.code < 500:
                    return error.code, error.read()
                problem = _l("Sint-Goriks antwoordde met HTTP %(code)d.", code=error.code)
            except TimeoutError:
                problem = self._slow()
            except urllib.error.URLError as error:
                problem = (
                    self._slow()
                    if isinstance(error.reason, TimeoutError)
                    else _l("Sint-Goriks is niet bereikbaar (%(reason)s).", reason=error.reason)
                )
            except (ConnectionError, http.client.HTTPException) as error:
                problem = _l("Sint-Goriks is niet bereikbaar (%(reason)s).", reason=error)
            if attempt < attempts:
                time.sleep(self.retry_delay * attempt)
        raise BridgeUnavailable(
            str(_l("%(problem)s Opgegeven na %(n)d poging(en).", problem=problem, n=attempts))
        )

    def _slow(self):
        return _l("Sint-Goriks antwoordde niet binnen %(seconds)s seconden.", seconds=self.timeout)


def _detail(body: bytes) -> str:
    try:
        decoded = json.loads(body)
    except ValueError:
        return body.decode(errors="replace")[:200]
    return str(decoded.get("message", "") if isinstance(decoded, dict) else decoded)[:200]
