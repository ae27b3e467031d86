"""Events of the survey domain that the apps above it act on, so that `surveys` never imports
them: the index app recomputes a round whose data changed (indexes.apps connects it)."""
from django.dispatch import Signal

# Sent inside the transaction that changed a round's counted data, with `round_id`; receivers
# that send work to the worker defer it until the change commits.
round_data_changed = Signal()
