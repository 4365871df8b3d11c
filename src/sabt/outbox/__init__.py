"""The transactional outbox: registrations leave a message in the same transaction; a relay delivers them."""
