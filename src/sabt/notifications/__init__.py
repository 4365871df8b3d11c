"""Health facilities notify the registry of the births and deaths that happen with them, in seconds."""
