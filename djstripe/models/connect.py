"""Connect: accounts and transfers."""

__all__: list[str] = []
