"""Members: accounts, roles and their stock reports."""
