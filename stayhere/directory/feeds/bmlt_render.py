"""BMLT's semantic API answers as bytes: JSON, JSONP (JSON in a call of the client's callback) or CSV."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import orjson
from django.http import HttpResponse

_CALLBACK = re.compile(r"^[A-Za-z_$][\w$]{0,63}(\.[A-Za-z_$][\w$]{0,63}){0,4}$")
_TYPES = {
    "json": "application/json; charset=utf-8",
    "jsonp": "application/javascript; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
}


def is_callback(name: str) -> bool:
    """A plain (dotted) function name: nothing else may go before the JSON of a JSONP answer."""
    return bool(_CALLBACK.match(name))


def as_csv(body: Any) -> str:
    """A list of flat objects as CSV: a header of every key (first-seen order), a row each.
    A search's {"meetings": ..., "formats": ...} writes its meetings; {"formats": ...} its formats."""
    if isinstance(body, dict):
        body = body.get("meetings", body.get("formats", []))
    columns: list[str] = []
    for item in body:
        columns.extend(key for key in item if key not in columns)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for item in body:
        writer.writerow([_cell(item.get(column, "")) for column in columns])
    return buffer.getvalue()


def _cell(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def response(body: Any, form: str, callback: str, status: int) -> HttpResponse:
    if form == "csv":
        content = as_csv(body).encode()
    elif form == "jsonp" and callback:
        # U+2028/2029 are line ends in older JavaScript, never in JSON: escaped, the script always parses.
        text = orjson.dumps(body).decode().replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
        content = f"/**/{callback}({text});".encode()
    else:
        form = "json"
        content = orjson.dumps(body)
    result = HttpResponse(content, status=status, content_type=_TYPES[form])
    result["X-Content-Type-Options"] = "nosniff"
    return result
