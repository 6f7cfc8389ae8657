"""Phone masking of spec §11 (138****5678)."""

import pytest

from yizhan.core.masking import mask_phone


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13812345678", "138****5678"),
        ("13800000000", "138****0000"),
        ("0411-82345678", "0411-****5678"),
        ("010-1234567", "010-*****67"),
        ("400-810-1234", "***-***-1234"),
        ("12351", "***51"),
        ("", ""),
        (None, ""),
    ],
)
def test_the_middle_is_hidden(phone, masked):
    assert mask_phone(phone) == masked
