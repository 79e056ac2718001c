"""Where posts come from: X, Facebook, recorded files, demo data."""
