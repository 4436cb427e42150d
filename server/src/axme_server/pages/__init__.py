"""The approval page outside /v1 (REQ-NOTIFY-011..014): server-rendered HTML (Jinja2,
autoescape on), form posts, no script, no cookies."""
