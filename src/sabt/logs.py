"""The server's logs: one JSON object a line (`SABT_LOG_FORMAT=json`, the default for `sabt serve`), each
carrying the id of the request it was written for, so that an operator can follow one request from its
access record to the warning it caused. `text` keeps uvicorn's own lines, for a person at a terminal."""

import datetime as dt
import json
import logging
import re
from contextvars import ContextVar
from typing import Any

import uvicorn.config

# The request a line was logged for: set by the API's middleware, copied into worker threads with the rest of
# the request's context; "-" outside a request (start-up, the background jobs).
REQUEST_ID: ContextVar[str] = ContextVar("sabt_request_id", default="-")
# A caller's own id is kept when it is short and plain (a proxy's or a partner's correlation id); any other
# is replaced, so that a log line cannot be forged or made to carry personal data through the header.
CALLERS_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
ACCESS_FIELDS = ("client", "method", "path", "http_version", "status")  # uvicorn's access record, in order


class JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "request_id": REQUEST_ID.get(),
        }
        if record.name == "uvicorn.access" and isinstance(record.args, tuple) and len(record.args) == 5:
            line |= dict(zip(ACCESS_FIELDS, record.args, strict=True))
        else:
            line["message"] = record.getMessage()
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def server_log_config(log_format: str, level: str = "info") -> dict[str, Any]:
    """uvicorn's logging configuration, with Sabt's own loggers beside its, in the chosen format."""
    config: dict[str, Any] = {
        **uvicorn.config.LOGGING_CONFIG,
        "formatters": dict(uvicorn.config.LOGGING_CONFIG["formatters"]),
        "loggers": dict(uvicorn.config.LOGGING_CONFIG["loggers"]),
    }
    if log_format == "json":
        config["formatters"] = {name: {"()": JsonLines} for name in config["formatters"]}
    level_name = level.upper()
    config["loggers"]["sabt"] = {"handlers": ["default"], "level": level_name, "propagate": False}
    for name in ("uvicorn.error", "uvicorn.access"):
        config["loggers"][name] = {**config["loggers"][name], "level": level_name}
    return config
