"""Reads of the back office: the dashboard, the loan's whole story, the collections queue."""
