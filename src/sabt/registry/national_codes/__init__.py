"""National codes: handed out once, never twice."""
