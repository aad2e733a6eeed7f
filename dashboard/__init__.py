"""crossgen dashboard (Dash). Imports analysis; analysis never imports this package."""
