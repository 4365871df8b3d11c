"""The HTTP API: app factory, request limits, and the mapping of errors to problem+json."""
