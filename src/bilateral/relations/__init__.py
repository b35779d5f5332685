"""Relations as data: dated, cited, bilingual events and published trade figures."""
