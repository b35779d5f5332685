"""Country profiles: pages composed from the rules, the events and the statistics."""
