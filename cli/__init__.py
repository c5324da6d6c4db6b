"""The click command line: parse, call partnercrm, print (text for people, --json for scripts)."""
