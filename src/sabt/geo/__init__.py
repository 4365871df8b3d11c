"""Geography: provinces, counties (with census populations) and registration offices."""
