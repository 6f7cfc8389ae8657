"""Keep every process's finder index fresh (issue 4 §1): a position's or its hours exceptions' save
or delete tells the index which position changed. Bulk writes send no signals; their writers call
`index.positions_changed()` themselves."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from yizhan.finder.index import positions_changed
from yizhan.positions.models import HoursException, Position


@receiver([post_save, post_delete], sender=Position, dispatch_uid="finder-position-changed")
def position_changed(sender, instance: Position, **kwargs) -> None:
    positions_changed([instance.pk])


@receiver([post_save, post_delete], sender=HoursException, dispatch_uid="finder-hours-changed")
def hours_exception_changed(sender, instance: HoursException, **kwargs) -> None:
    positions_changed([instance.position_id])
