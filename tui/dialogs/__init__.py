"""One ModalScreen per file; each returns its result with dismiss()."""
