"""Who may do what: accounts, sessions and role permissions, enforced in `monitor`, not the UI."""
