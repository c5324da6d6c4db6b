"""One screen per file: dashboard, partners, partner, my work, events, event."""
