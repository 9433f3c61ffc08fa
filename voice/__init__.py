"""Residents' voice (四(一)2, 六(四)): suggestions and complaints, moderated, replied."""
