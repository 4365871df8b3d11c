"""The server's request log names addresses, never the people in them.

uvicorn logs each request's path and query string. Sabt's addresses carry national codes
(`/api/persons/0010001141`), serials and searched names (`?name=…`), and a log is read and kept by more
people than the registry's records are. So the log keeps the words of an address (`api`, `persons`,
`history`) and short numbers (event and card ids), and writes every other part, and any query, as `*`.
"""

import logging
import re

_WORD = re.compile(r"[a-z][a-z0-9_-]*|[0-9]{1,7}|\.well-known|[a-z0-9_-]+\.(json|js|css|png|svg)")
PATH_ARGUMENT = 2  # uvicorn's access record: client, method, path with query, HTTP version, status


def redacted_path(path: str) -> str:
    """`path` with every part that is not a word or a short number, and the query, written as `*`."""
    address, has_query, _query = path.partition("?")
    parts = [part if not part or _WORD.fullmatch(part) else "*" for part in address.split("/")]
    return "/".join(parts) + ("?*" if has_query else "")


class RedactPaths(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) > PATH_ARGUMENT:
            path = args[PATH_ARGUMENT]
            if isinstance(path, str):
                record.args = (*args[:PATH_ARGUMENT], redacted_path(path), *args[PATH_ARGUMENT + 1 :])
        return True


def redact_request_log() -> None:
    """Install the filter on uvicorn's access log, once per process."""
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(existing, RedactPaths) for existing in access.filters):
        access.addFilter(RedactPaths())
