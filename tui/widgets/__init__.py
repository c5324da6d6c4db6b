"""Reusable parts of the screens and forms."""
