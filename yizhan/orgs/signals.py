"""What the orgs app tells the apps that depend on it. They import this module and connect in their
`AppConfig.ready()`; orgs never imports them (the app graph has no cycles, decision 27).

`federation_created(sender=Unit, unit=...)`: sent by `services.federation_setup`, the path of a real
federation (`yizhan federation-create`), after the federation is created, inside its transaction
and audit context, so a receiver's writes are audited as the set-up's and roll back with it. Not
sent by `federation_create` alone, which the demos and the tests' factories call for every unit
they place at the top. A receiver may return a line for the operator, which the command prints."""

from django.dispatch import Signal

federation_created = Signal()
