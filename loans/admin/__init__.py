"""Back office for products, credit lines and loans, one module per concern. Products are
edited here by staff; loans and schedules are read-only (they change only through
services). Importing the package registers every model admin."""

from loans.admin import applications, credit, loans, products, risk

__all__ = ["applications", "credit", "loans", "products", "risk"]
