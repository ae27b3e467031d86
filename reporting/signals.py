"""Events of the report domain, so that its services never import its tasks (reporting.apps
connects the worker's side)."""
from django.dispatch import Signal

# Sent inside the transaction that queued a report version, with `version_id`; the receiver
# sends the build to the worker once it commits.
report_requested = Signal()
