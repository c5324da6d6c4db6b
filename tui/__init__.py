"""The partnership team's Textual interface; it calls partnercrm only."""
