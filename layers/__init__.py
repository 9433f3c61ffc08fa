"""Source spatial layers: districts, streets, communities, idle land, vacant housing, amenities, walk network."""
