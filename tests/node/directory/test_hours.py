"""Opening hours: schema.org's text read as a week and written back compact (pure). The
property: any way of writing a week reads as that week, and writes back as its one normal
text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from node.directory.hours import (
    DAYS,
    Hours,
    Week,
    day_hours,
    opening_hours_fr,
    parse,
    time_of,
    write,
)
from node.errors import InvalidField

LUNCH = (("09:00", "12:30"), ("14:00", "18:00"))


@pytest.mark.parametrize(
    ("text", "normal"),
    [
        ("Mo-Fr 09:00-18:00; Sa 10:00-13:00", "Mo-Fr 09:00-18:00; Sa 10:00-13:00"),
        ("Mo-Fr 09:00-12:30,14:00-18:00", "Mo-Fr 09:00-12:30,14:00-18:00"),
        # each day alone, in any order, with the ranges in any order and the hours unpadded
        ("Tu 14:00-18:00,9:00-12:30;Mo 09:00-12:30, 14:00-18:00;  We 9:00-12:30 14:00-18:00",
         "Mo-We 09:00-12:30,14:00-18:00"),
        ("Mo,Tu,We 10:00-12:00", "Mo-We 10:00-12:00"),
        ("mo-fr 09:00 - 18:00", "Mo-Fr 09:00-18:00"),
        # a day named twice: its ranges add up (the morning, then the afternoon)
        ("Mo-Fr 09:00-12:30; Mo-Fr 14:00-18:00", "Mo-Fr 09:00-12:30,14:00-18:00"),
        # a span across the week's end
        ("Sa-Mo 10:00-13:00", "Mo 10:00-13:00; Sa-Su 10:00-13:00"),
        # days apart are not merged: only consecutive ones
        ("Mo,We,Fr 09:00-12:00", "Mo 09:00-12:00; We 09:00-12:00; Fr 09:00-12:00"),
        ("Mo-Su 08:00-20:00", "Mo-Su 08:00-20:00"),
        ("", ""),
        (" ; ", ""),
    ],
)  # fmt: skip
def test_the_text_reads_as_a_week_and_writes_back_normalised(text: str, normal: str) -> None:
    reading = parse(text)
    assert reading.unread == ()
    assert write(reading.week) == normal
    assert parse(normal).week == reading.week


def test_a_week_is_its_open_days_with_their_ranges_in_order() -> None:
    assert parse("Sa 10:00-13:00; Mo-Fr 14:00-18:00,09:00-12:30").week == {
        "Mo": LUNCH, "Tu": LUNCH, "We": LUNCH, "Th": LUNCH, "Fr": LUNCH,
        "Sa": (("10:00", "13:00"),),
    }  # fmt: skip


@pytest.mark.parametrize(
    ("text", "unread"),
    [
        ("Mo-Fr 09:00-18:00; PH 10:00-12:00", ("PH 10:00-12:00",)),  # public holidays
        ("Mo-Su", ("Mo-Su",)),  # days without hours
        ("Mo 09:00-10:00,11:00-12:00,14:00-15:00", ("Mo 09:00-10:00,11:00-12:00,14:00-15:00",)),
        ("Fr 18:00-02:00", ("Fr 18:00-02:00",)),  # past midnight
        ("Mo 24:00-25:00", ("Mo 24:00-25:00",)),
        ("Mo-Fr 09:00-12:00; Mo 11:00-13:00", ("Mo 11:00-13:00",)),  # overlaps what came before
        ("ouvert le lundi; Tu 09:00-12:00", ("ouvert le lundi",)),
    ],
)
def test_what_the_grid_cannot_hold_is_set_aside_not_lost(text: str, unread: tuple[str]) -> None:
    reading = parse(text)
    assert reading.unread == unread
    # The rest is read all the same, and a part set aside changes no day.
    rest = "; ".join(p.strip() for p in text.split(";") if p.strip() not in unread)
    assert reading.week == parse(rest).week


def test_a_closing_time_before_the_opening_names_the_day_the_range_and_the_field() -> None:
    with pytest.raises(InvalidField) as caught:
        day_hours("Tu", [("09:00", "12:00"), ("18:00", "14:00")])
    assert caught.value.field == "Tu-2-closes"
    assert caught.value.fr == (
        "Mardi, après-midi : la fermeture (14:00) doit venir après l'ouverture (18:00). "
        "Corrigez l'une des deux heures."
    )
    assert caught.value.en.startswith("Tuesday, afternoon: the closing time (14:00)")


def test_an_afternoon_overlapping_the_morning_is_refused() -> None:
    with pytest.raises(InvalidField) as caught:
        day_hours("Sa", [("09:00", "12:30"), ("12:00", "18:00")])
    assert caught.value.field == "Sa-2-opens"
    assert caught.value.fr == (
        "Samedi : l'après-midi (12:00–18:00) chevauche le matin (09:00–12:30). Faites commencer "
        "l'après-midi à 12:30 ou plus tard."
    )
    # Typed the other way round, the later range is the one to move.
    with pytest.raises(InvalidField) as caught:
        day_hours("Sa", [("12:00", "18:00"), ("09:00", "12:30")])
    assert caught.value.field == "Sa-1-opens"


def test_a_days_ranges_are_put_in_order_and_may_touch() -> None:
    assert day_hours("Mo", [("14:00", "18:00"), ("09:00", "14:00")]) == (
        ("09:00", "14:00"), ("14:00", "18:00")
    )  # fmt: skip
    assert day_hours("Mo", [None, ("14:00", "18:00")]) == (("14:00", "18:00"),)
    assert day_hours("Mo", [None, None]) == ()
    with pytest.raises(InvalidField) as caught:  # the afternoon alone keeps its name
        day_hours("Mo", [None, ("18:00", "14:00")])
    assert caught.value.field == "Mo-2-closes" and "après-midi" in caught.value.fr


@pytest.mark.parametrize(
    ("typed", "time"),
    [("9:30", "09:30"), ("09:30", "09:30"), ("9h30", "09:30"), ("9h", "09:00"), ("23:59", "23:59"),
     ("24:00", None), ("9:60", None), ("neuf heures", None), ("", None)],
)  # fmt: skip
def test_a_time_as_typed(typed: str, time: str | None) -> None:
    assert time_of(typed) == time


def test_opening_hours_read_in_french() -> None:
    assert opening_hours_fr("Mo-Fr 09:00-18:00; Sa 10:00-12:00") == (
        "lun.–ven. 09:00–18:00 ; sam. 10:00–12:00"
    )
    assert opening_hours_fr("Mo-Fr 09:00-12:30,14:00-18:00; Sa 10:00-13:00") == (
        "lun.–ven. 09:00–12:30, 14:00–18:00 ; sam. 10:00–13:00"
    )


# --- the round trip, for any week and any way of writing it ----------------------------------

CLOCKS = st.integers(0, 23 * 60 + 59).map(lambda m: f"{m // 60:02d}:{m % 60:02d}")


@st.composite
def day_ranges(draw: st.DrawFn) -> Hours:
    """Closed, one range, or two that do not overlap (a morning and an afternoon)."""
    count = draw(st.integers(0, 2))
    times = sorted(draw(st.sets(CLOCKS, min_size=2 * count, max_size=2 * count)))
    if count == 2 and draw(st.booleans()):  # the afternoon may start when the morning ends
        times[2] = times[1]
    return tuple((times[2 * n], times[2 * n + 1]) for n in range(count))


@st.composite
def weeks(draw: st.DrawFn) -> Week:
    """A few kinds of day shared by the week's days, as places have (runs of days alike)."""
    kinds = draw(st.lists(day_ranges(), min_size=1, max_size=3))
    chosen = {day: draw(st.sampled_from(kinds)) for day in DAYS}
    return {day: hours for day, hours in chosen.items() if hours}


@st.composite
def written(draw: st.DrawFn, week: Week) -> str:
    """The week written any way the node accepts: days alone, in lists or spans, in any order,
    a day's ranges in one part or several, unpadded hours, lower case, loose spaces."""
    parts: list[str] = []
    for day, ranges in week.items():
        shown = [(o[1:], c) if o[0] == "0" and draw(st.booleans()) else (o, c)
                 for o, c in ranges]  # fmt: skip
        shown = [f"{o}{draw(st.sampled_from(['-', ' - ']))}{c}" for o, c in shown]
        name = day.lower() if draw(st.booleans()) else day
        if draw(st.booleans()):
            parts += [f"{name} {one}" for one in shown]
        else:
            parts.append(f"{name} " + draw(st.sampled_from([",", ", ", " "])).join(
                draw(st.permutations(shown))))  # fmt: skip
    # Some days of the same ranges as a list or a span, as people write them.
    for ranges in dict.fromkeys(week.values()):
        same = [d for d in DAYS if week.get(d) == ranges]
        if len(same) > 1 and draw(st.booleans()):
            parts = [p for p in parts if p.split()[0].capitalize() not in same]
            text = ",".join(f"{o}-{c}" for o, c in ranges)
            consecutive = same == list(DAYS[DAYS.index(same[0]) : DAYS.index(same[-1]) + 1])
            days = f"{same[0]}-{same[-1]}" if consecutive else ",".join(same)
            parts.append(f"{days} {text}")
    return draw(st.sampled_from([";", "; ", " ; "])).join(draw(st.permutations(parts)))


@settings(max_examples=300, deadline=None)
@given(data=st.data(), week=weeks())
def test_any_writing_of_a_week_reads_as_it_and_writes_back_normalised(
    data: st.DataObject, week: Week
) -> None:
    text = data.draw(written(week))
    reading = parse(text)
    assert reading.unread == ()
    assert reading.week == week
    normal = write(week)
    assert write(reading.week) == normal
    assert parse(normal).week == week and write(parse(normal).week) == normal
    # Compact: one part per run of consecutive days with the same ranges.
    runs = sum(
        1 for n, day in enumerate(DAYS)
        if week.get(day) and (n == 0 or week.get(DAYS[n - 1]) != week[day])
    )  # fmt: skip
    assert len([p for p in normal.split("; ") if p]) == runs
