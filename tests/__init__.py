"""brochure test suite."""
