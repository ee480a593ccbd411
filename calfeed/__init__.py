"""calfeed: one YAML source of events and news, published as a calendar, feeds and an agenda."""
