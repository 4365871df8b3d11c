"""Smart national cards: lifecycle, status checks, the revocation list, coverage and office queues."""
