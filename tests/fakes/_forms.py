"""Decode request bodies without python-multipart: JSON, form-urlencoded and multipart/form-data."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, unquote

_PARAM = re.compile(r';\s*([\w*-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))')


class BodyError(ValueError):
    """The body could not be decoded as its content type says."""


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request."""

    filename: str | None
    content_type: str
    data: bytes

    def __repr__(self) -> str:
        size = len(self.data)
        return f"UploadedFile(filename={self.filename!r}, content_type={self.content_type!r}, {size} bytes)"


@dataclass
class DecodedBody:
    fields: dict[str, Any]
    files: dict[str, UploadedFile]


def _header_params(value: str) -> tuple[str, dict[str, str]]:
    main, _, rest = value.partition(";")
    params: dict[str, str] = {}
    for match in _PARAM.finditer(";" + rest):
        key = match.group(1).lower()
        raw = match.group(2) if match.group(2) is not None else (match.group(3) or "").strip()
        if key.endswith("*") and "''" in raw:  # RFC 5987: utf-8''percent-encoded
            charset, _, encoded = raw.partition("''")
            params[key[:-1]] = unquote(encoded, encoding=charset or "utf-8")
        else:
            # httpx escapes quotes as %22 (HTML5 rule); other clients use backslashes.
            params.setdefault(key, re.sub(r"\\(.)", r"\1", raw).replace("%22", '"'))
    return main.strip().lower(), params


def parse_multipart(content_type: str, body: bytes) -> DecodedBody:
    _, params = _header_params(content_type)
    boundary = params.get("boundary")
    if not boundary:
        raise BodyError("multipart body without boundary")
    fields: dict[str, Any] = {}
    files: dict[str, UploadedFile] = {}
    delimiter = b"--" + boundary.encode("latin-1")
    for chunk in body.split(delimiter)[1:]:
        if chunk.startswith(b"--"):
            break
        head, sep, content = chunk.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        if not sep:
            raise BodyError("multipart part without header separator")
        content = content.removesuffix(b"\r\n")
        headers: dict[str, str] = {}
        for line in head.decode("utf-8", "replace").split("\r\n"):
            key, _, value = line.partition(":")
            headers[key.strip().lower()] = value.strip()
        _, disposition = _header_params(headers.get("content-disposition", ""))
        name = disposition.get("name")
        if name is None:
            raise BodyError("multipart part without a name")
        # RFC 7578: a part with a filename is a file; a text/plain part without one (aiohttp
        # labels its fields so) is an ordinary field, as Telegram reads it.
        part_type, _ = _header_params(headers.get("content-type", "text/plain"))
        if "filename" in disposition or part_type.lower() != "text/plain":
            files[name] = UploadedFile(
                filename=disposition.get("filename"),
                content_type=headers.get("content-type", "application/octet-stream"),
                data=content,
            )
        else:
            fields[name] = content.decode("utf-8")
    return DecodedBody(fields, files)


def decode_body(content_type: str | None, body: bytes) -> DecodedBody:
    """Decode by content type; an empty body is no params."""
    kind, _ = _header_params(content_type or "")
    if not body.strip():
        return DecodedBody({}, {})
    if kind == "multipart/form-data":
        return parse_multipart(content_type or "", body)
    if kind == "application/x-www-form-urlencoded":
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise BodyError("form body is not UTF-8") from exc
        return DecodedBody(dict(parse_qsl(text, keep_blank_values=True)), {})
    try:
        decoded = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BodyError("body is not valid JSON") from exc
    if not isinstance(decoded, dict):
        raise BodyError("JSON body is not an object")
    return DecodedBody(decoded, {})
