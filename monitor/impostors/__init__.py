"""Impostor replies: accounts posing as the brand under a customer's public complaint."""
