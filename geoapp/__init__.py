"""Old residential community renovation planning platform (城镇老旧小区改造) — project and planning app."""
