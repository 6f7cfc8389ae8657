"""feedback_submit: every rule of a submission (spec §6, §11), the positions that take feedback,
what is stored (never the raw address) and what is audited and logged."""

import logging

import pytest
from django.db import IntegrityError, transaction
from django.utils.crypto import salted_hmac

from yizhan.core.errors import ApplicationError, NotFoundError
from yizhan.core.models import AuditAction, AuditEntry
from yizhan.ledger import services
from yizhan.ledger.choices import FeedbackSource, FeedbackStatus
from yizhan.ledger.models import Feedback
from yizhan.ledger.tests.conftest import CLIENT
from yizhan.positions.choices import PositionState

pytestmark = pytest.mark.django_db


def _refused(submit, field: str, message, **values) -> ApplicationError:
    with pytest.raises(ApplicationError) as caught:
        submit(**values)
    assert caught.value.field == field
    assert caught.value.message == str(message)
    assert not Feedback.objects.exists()
    return caught.value


def test_a_valid_submission_is_stored_as_new(submit, station):
    feedback = submit(rating=4, text="  饮水机没有热水了  ", phone="13800000000", source=FeedbackSource.QR)
    stored = Feedback.objects.get(pk=feedback.pk)
    assert (stored.position_id, stored.rating, stored.text, stored.phone) == (
        station.pk,
        4,
        "饮水机没有热水了",
        "13800000000",
    )
    assert stored.source == FeedbackSource.QR
    assert stored.status == FeedbackStatus.NEW
    assert stored.created_at is not None


# --- rating ------------------------------------------------------------------------------


@pytest.mark.parametrize("rating", [1, 5, "3", " 2 ", "５"])
def test_ratings_one_to_five_are_taken_as_integers_or_digits(submit, rating):
    assert submit(rating=rating).rating in {1, 2, 3, 5}


@pytest.mark.parametrize("rating", [0, 6, -1, "6", "abc", "4.5", 4.5, 4.0, True, [5], "1" * 5000])
def test_a_rating_outside_one_to_five_or_not_an_integer_is_refused(submit, rating):
    _refused(submit, "rating", services.RATING_INVALID, rating=rating)


@pytest.mark.parametrize("rating", [None, "", "  "])
def test_no_rating_is_allowed_with_a_text(submit, rating):
    feedback = submit(rating=rating, text="门锁着")
    assert feedback.rating is None and feedback.text == "门锁着"


# --- text --------------------------------------------------------------------------------


def test_neither_rating_nor_text_is_refused(submit):
    _refused(submit, "text", services.CONTENT_MISSING, rating=None, text="")


def test_a_text_of_only_blanks_and_control_characters_counts_as_empty(submit):
    _refused(submit, "text", services.CONTENT_MISSING, rating=None, text=" \t\x07\u202e \n")


def test_a_text_of_500_characters_is_taken_and_501_refused(submit):
    assert len(submit(text="意" * 500).text) == 500
    Feedback.objects.all().delete()
    error = _refused(submit, "text", services.TEXT_TOO_LONG.format(max=500, length=501), text="意" * 501)
    assert "500" in error.message


def test_the_length_is_counted_after_trimming_and_removing_control_characters(submit):
    feedback = submit(text="  " + "意" * 500 + "\x00\x1b  ")
    assert feedback.text == "意" * 500


def test_control_and_reordering_characters_are_removed_line_breaks_kept(submit):
    feedback = submit(text="第一行\r\n第二\x1b[31m行\x00\u202e反\ufeff\t尾\u2028末")
    assert feedback.text == "第一行\n第二[31m行反 尾\n末"


def test_a_lone_surrogate_is_removed(submit):
    assert submit(text="好\ud800评").text == "好评"


def test_a_text_that_is_not_a_string_is_refused(submit):
    _refused(submit, "text", services.TEXT_INVALID, text=123)


# --- phone -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("13800000000", "13800000000"),
        ("138 0000 0000", "13800000000"),
        ("１３８００００００００", "13800000000"),
        ("0411-82345678", "0411-82345678"),
        ("0411－82345678", "0411-82345678"),
        ("", ""),
        (None, ""),
    ],
)
def test_a_mobile_or_landline_is_taken_normalised(submit, given, stored):
    assert submit(phone=given).phone == stored


# The format is orgs.models.PHONE_VALIDATOR's (it also takes 5–8 digit service numbers such as 12351).
@pytest.mark.parametrize(
    "phone", ["1234", "13800000000000000", "abc", "+8613800000000", "0411-8234", "138 0000 000x", 13800000000]
)
def test_a_phone_of_another_format_is_refused(submit, phone):
    _refused(submit, "phone", services.PHONE_INVALID, phone=phone)


# --- source and position -----------------------------------------------------------------


def test_an_unknown_source_is_refused(submit):
    _refused(submit, "source", services.SOURCE_UNKNOWN.format(value="email"), source="email")


@pytest.mark.parametrize("state", [PositionState.OPERATING, PositionState.SUSPENDED])
def test_operating_and_suspended_positions_take_feedback(make_position, submit, state):
    position = make_position(state=state, state_reason="维修" if state == PositionState.SUSPENDED else "")
    assert submit(position_id=position.pk).position_id == position.pk


@pytest.mark.parametrize("state", [PositionState.PLANNED, PositionState.BUILDING, PositionState.DELISTED])
def test_positions_not_open_to_the_public_are_not_found(make_position, submit, state):
    position = make_position(state=state, state_reason="撤销" if state == PositionState.DELISTED else "")
    with pytest.raises(NotFoundError) as caught:
        submit(position_id=position.pk)
    assert caught.value.message == str(services.POSITION_NOT_PUBLIC)
    assert not Feedback.objects.exists()


@pytest.mark.parametrize("position_id", [0, -1, 99_999_999, 2**70, "abc", None, True, 1.5])
def test_a_missing_or_malformed_position_id_is_not_found(submit, position_id):
    with pytest.raises(NotFoundError):
        submit(position_id=position_id)


def test_a_position_id_given_as_digits_is_taken(submit, station):
    assert submit(position_id=str(station.pk)).position_id == station.pk


# --- what is stored, audited and logged ---------------------------------------------------


def test_the_raw_address_is_never_stored(submit):
    feedback = submit(client=CLIENT, phone="13800000000")
    row = Feedback.objects.filter(pk=feedback.pk).values().get()
    assert all(CLIENT not in str(value) for value in row.values())
    assert row["client_key"] == salted_hmac(services.CLIENT_KEY_SALT, CLIENT, algorithm="sha256").hexdigest()
    assert len(row["client_key"]) == 64
    entry = AuditEntry.objects.get(object_type="ledger.feedback", object_id=str(feedback.pk))
    assert CLIENT not in str(entry.after) and entry.remote_addr == ""


def test_the_client_key_depends_on_the_secret_key(settings):
    first = services.client_key(CLIENT)
    settings.SECRET_KEY = "another-secret-key-of-sufficient-length-for-the-test-0123456789"
    assert services.client_key(CLIENT) != first


def test_ipv6_clients_are_keyed_by_their_64_network_and_mapped_ipv4_as_ipv4():
    assert services.client_key("2001:db8:1:2::1") == services.client_key("2001:db8:1:2:ffff::9")
    assert services.client_key("2001:db8:1:2::1") != services.client_key("2001:db8:1:3::1")
    assert services.client_key("::ffff:203.0.113.7") == services.client_key("203.0.113.7")
    assert services.client_key("203.0.113.7") != services.client_key("203.0.113.8")


def test_the_submission_is_audited_as_the_public_with_the_phone_masked(submit, station, make_user, zs_admin):
    feedback = submit(phone="13812345678", text="谢谢")
    entry = AuditEntry.objects.get(object_type="ledger.feedback", object_id=str(feedback.pk))
    assert entry.action == AuditAction.CREATE
    assert entry.actor_id is None and entry.actor_name == services.PUBLIC_ACTOR_NAME
    assert entry.unit_path == station.unit.path
    assert entry.after["phone"] == "138****5678"
    assert entry.after["text"] == "谢谢"
    assert "13812345678" not in str(entry.after)


def test_a_signed_in_request_context_does_not_make_staff_the_author(submit, zs_admin):
    from yizhan.core.audit import audit_context

    with audit_context(actor_id=zs_admin.user.pk, actor_name="zs", remote_addr="10.0.0.9"):
        feedback = submit()
    entry = AuditEntry.objects.get(object_type="ledger.feedback", object_id=str(feedback.pk))
    assert (entry.actor_id, entry.actor_name, entry.remote_addr) == (None, services.PUBLIC_ACTOR_NAME, "")


def test_nothing_personal_goes_to_the_logs(submit, caplog):
    caplog.set_level(logging.DEBUG)
    feedback = submit(text="私密内容", phone="13812345678")
    logged = caplog.text
    assert str(feedback.pk) in logged
    for personal in ("私密内容", "13812345678", CLIENT, feedback.client_key):
        assert personal not in logged


def test_the_database_refuses_a_rating_outside_one_to_five_and_an_empty_feedback(station):
    for values in ({"rating": 6, "text": "x"}, {"rating": None, "text": ""}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Feedback.objects.create(position=station, source=FeedbackSource.API, client_key="k", **values)
