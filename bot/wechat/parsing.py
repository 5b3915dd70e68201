"""Callback XML → a frozen :class:`Inbound`, hardened against hostile bodies.

xmltodict (expat) does not expand external entities; on top of that any DOCTYPE/ENTITY declaration is
refused before parsing (billion-laughs style bodies never reach the parser) and the body size is capped by
the webhook.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any
from xml.parsers.expat import ExpatError

import xmltodict


class ParseError(ValueError):
    """The body is not a WeChat callback XML document."""


class XMLRefusedError(ParseError):
    """The body declares a DOCTYPE or entities: refused without parsing."""


_DECLARATION = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)

# WeChat's tag names → Inbound field names (everything else stays in ``raw``).
_FIELDS: dict[str, str] = {
    "ToUserName": "to_user",
    "FromUserName": "from_user",
    "MsgType": "msg_type",
    "MsgId": "msg_id",
    "Content": "content",
    "Event": "event",
    "EventKey": "event_key",
    "Ticket": "ticket",
    "MediaId": "media_id",
    "PicUrl": "pic_url",
    "Format": "format",
    "Recognition": "recognition",
    "Location_X": "location_x",
    "Location_Y": "location_y",
    "Label": "label",
    "Title": "title",
    "Description": "description",
    "Url": "url",
}

SCENE_PREFIX = "qrscene_"


@dataclass(frozen=True, slots=True)
class Inbound:
    """One message or event pushed by WeChat. Text fields are ``""`` when absent.

    ``msg_type`` and ``event`` are lower-cased. ``scene`` is the parametric-QR scene value for a
    subscribe-by-scan (``EventKey = qrscene_<scene>``) or a SCAN by an existing follower (``EventKey =
    <scene>``); empty otherwise.
    """

    to_user: str
    from_user: str
    create_time: int
    msg_type: str
    msg_id: str = ""
    content: str = ""
    event: str = ""
    event_key: str = ""
    scene: str = ""
    ticket: str = ""
    media_id: str = ""
    pic_url: str = ""
    format: str = ""
    recognition: str = ""
    location_x: str = ""
    location_y: str = ""
    label: str = ""
    title: str = ""
    description: str = ""
    url: str = ""
    raw: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False, repr=False)

    @property
    def dedup_key(self) -> str:
        """Retry identity: FromUserName+MsgId for messages (MsgId alone collides), else +CreateTime."""
        if self.msg_id:
            return f"m:{self.from_user}:{self.msg_id}"
        return f"e:{self.from_user}:{self.create_time}:{self.event}"


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and set(value) <= {"#text"}:
        return str(value.get("#text", ""))
    raise ParseError("nested element where text was expected")


def parse_document(body: bytes | str) -> dict[str, str]:
    """Parse a flat ``<xml>…</xml>`` document into tag → text. Raises :class:`ParseError`."""
    raw = body.encode("utf-8") if isinstance(body, str) else body
    if _DECLARATION.search(raw):
        raise XMLRefusedError("DOCTYPE/ENTITY declarations are refused")
    try:
        doc = xmltodict.parse(raw, disable_entities=True)
    except (ExpatError, ValueError, TypeError, AttributeError, IndexError, KeyError) as exc:
        raise ParseError(f"malformed XML: {exc}") from exc
    if not isinstance(doc, dict) or "xml" not in doc:
        raise ParseError("root element is not <xml>")
    root = doc["xml"]
    if root is None:
        return {}
    if not isinstance(root, dict):
        raise ParseError("<xml> has no child elements")
    out: dict[str, str] = {}
    for key, value in root.items():
        if key.startswith("@") or key == "#text":
            continue
        if isinstance(value, list):
            raise ParseError(f"repeated element <{key}>")
        try:
            out[key] = _text(value)
        except ParseError:
            # Nested structures (e.g. SendPicsInfo, ScanCodeInfo) are not needed: keep them out of raw.
            continue
    return out


def inbound_from_fields(fields: Mapping[str, str]) -> Inbound:
    """Build an :class:`Inbound` from parsed tags; raises :class:`ParseError` when required ones miss."""
    for required in ("ToUserName", "FromUserName", "CreateTime", "MsgType"):
        if not fields.get(required):
            raise ParseError(f"missing <{required}>")
    try:
        create_time = int(fields["CreateTime"].strip())
    except ValueError as exc:
        raise ParseError("CreateTime is not an integer") from exc
    values: dict[str, str] = {name: fields.get(tag, "") for tag, name in _FIELDS.items()}
    values["msg_type"] = values["msg_type"].strip().lower()
    values["event"] = values["event"].strip().lower()
    scene = ""
    if values["event"] == "subscribe" and values["event_key"].startswith(SCENE_PREFIX):
        scene = values["event_key"][len(SCENE_PREFIX) :]
    elif values["event"] == "scan":
        scene = values["event_key"]
    return Inbound(
        create_time=create_time,
        scene=scene,
        raw=MappingProxyType(dict(fields)),
        **values,
    )


def parse_inbound(body: bytes | str) -> Inbound:
    """Parse a plaintext callback body into an :class:`Inbound`; raises :class:`ParseError`."""
    return inbound_from_fields(parse_document(body))
