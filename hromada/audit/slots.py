"""What the audit log asks the floors above it (filled in their AppConfig.ready(); see hromada.core.registry)."""
from hromada.core.registry import Slot

# (ids of territory units) -> {id: (name, КАТОТТГ code)}; provided by hromada.territory
unit_names = Slot("audit.unit_names")
