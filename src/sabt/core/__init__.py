"""Pure rules shared by every feature. Nothing here does I/O or imports the rest of sabt."""
