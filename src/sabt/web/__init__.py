"""Server-rendered Persian pages: Jinja2 templates, and the font and styles they share."""
