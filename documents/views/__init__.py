"""Views of printed documents: each kind in its own module."""
