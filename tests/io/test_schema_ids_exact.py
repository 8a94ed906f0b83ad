"""A topic id is matched whole: no trailing newline, no control character (issue 22, defect 3)."""
from __future__ import annotations

import pytest

from pemilu_nlp.errors import SchemaError
from pemilu_nlp.io.labelling import label_config
from pemilu_nlp.io.schema import parse_schema


@pytest.mark.parametrize("bad", ["pemilu\n", "pemilu\r\n", "pemilu\x00", "pem\x1bilu", "pemilu\t", "\npemilu"])
def test_an_id_with_a_line_break_or_control_character_is_refused(bad):
    with pytest.raises(SchemaError, match="must be one word"):
        parse_schema({"topics": [{"id": bad}]})


def test_label_studio_config_never_carries_an_escaped_newline():
    with pytest.raises(SchemaError):
        label_config({"topics": [{"id": "pemilu\n"}]})
    assert "&#10;" not in label_config({"topics": [{"id": "pemilu"}, {"id": "hoaks-2024"}]})


def test_ids_of_letters_digits_underscores_and_hyphens_are_accepted():
    assert [t.id for t in parse_schema(["pemilu", "hoaks-2024", "kerja_sama"])] == ["pemilu", "hoaks-2024", "kerja_sama"]
