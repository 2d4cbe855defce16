"""Counting an organisation's file of people: values, reasons, duplicates, chunks."""

import datetime as dt
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from powerplan import Intake, InvalidInputError, count_people
from powerplan.decisions import _people_values as values

D = dt.date
TODAY = "2026-11-02"


def read_one(text, dayfirst=True):
    read = values.read_dates(pd.Series([text], dtype=object), dayfirst=dayfirst)
    date = read.dates[0]
    return int(read.status[0]), None if np.isnat(date) else date.astype(object)


@pytest.mark.parametrize("text, dayfirst, status, date", [
    ("2024-03-31", True, 1, D(2024, 3, 31)),
    ("2024-03-31 00:00:00", True, 1, D(2024, 3, 31)),          # a spreadsheet's datetime
    ("2024-3-5", True, 1, D(2024, 3, 5)),
    ("2024/03/31", True, 1, D(2024, 3, 31)),
    ("31/03/2024", True, 1, D(2024, 3, 31)),
    ("3/4/2024", True, 1, D(2024, 4, 3)),                      # UK: 3 April
    ("3/4/2024", False, 1, D(2024, 3, 4)),                     # US: March 4
    ("04/30/2024", False, 1, D(2024, 4, 30)),
    ("31-03-2024", True, 1, D(2024, 3, 31)),
    ("31.03.2024", True, 1, D(2024, 3, 31)),
    ("31 March 2024", True, 1, D(2024, 3, 31)),
    ("31-Mar-2024", True, 1, D(2024, 3, 31)),
    ("1st Sept 2024", True, 1, D(2024, 9, 1)),
    ("March 31, 2024", True, 1, D(2024, 3, 31)),
    ("29/02/2024", True, 1, D(2024, 2, 29)),
    ("", True, 0, None),
    ("yesterday", True, 2, None),                              # not a date
    ("31 Smarch 2024", True, 2, None),
    ("1/1/95", True, 3, None),                                 # a two-digit year
    ("01-Jan-95", True, 3, None),
    ("29/02/2023", True, 4, None),                             # impossible
    ("31/04/2024", True, 4, None),
    ("2024-13-01", True, 4, None),
    ("04/30/2024", True, 4, None),                             # month 30, read day first
    ("0224-01-01", True, 4, None),                             # a year outside 1900-2199
    ("01/01/1850", True, 4, None),
])
def test_dates_are_read_as_people_write_them(text, dayfirst, status, date):
    assert read_one(text, dayfirst) == (status, date)


def test_impossible_dates_valid_in_the_other_order_are_counted():
    read = values.read_dates(pd.Series(["04/30/2024", "13/13/2024", "30/04/2024"]),
                             dayfirst=True)
    assert read.other_order == 1
    read = values.read_dates(pd.Series(["30/04/2024", "04/30/2024"]), dayfirst=False)
    assert read.other_order == 1


def test_cells_that_are_not_text():
    column = pd.Series([dt.datetime(2024, 3, 31, 12, 5), D(2024, 2, 29), 12.0, 7, None,
                        np.datetime64("2024-01-05"), float("nan")], dtype=object)
    assert values.as_text(column).tolist() == ["2024-03-31", "2024-02-29", "12", "7", "",
                                               "2024-01-05", ""]
    stamps = pd.Series(pd.to_datetime(["2024-03-31", None]))
    assert values.as_text(stamps).tolist() == ["2024-03-31", ""]


# Check letters of real-format PNC numbers: (two-digit year and 7-digit serial) mod 23.
@pytest.mark.parametrize("text, status", [
    ("2011/0275516Q", 1), ("2001/0171310W", 1), ("1981/0154257C", 1), ("20030011985X", 1),
    ("11/275516Q", 1),            # short year, unpadded serial: the same number
    (" 2011/0275516q ", 1),       # spaces and case do not matter
    ("2011/0275516R", 3),         # wrong check letter
    ("2011-0275516Q", 2), ("2011/02755167Q", 2), ("Q2011/0275516", 2), ("unknown", 2),
    ("", 0),
])
def test_pnc_numbers(text, status):
    assert values.pnc_status(pd.Series([text])).tolist() == [status]


def test_check_letters_follow_the_modulus():
    serials = np.arange(0, 10_000_000, 99_991)
    texts = [f"2019/{n:07d}{values.PNC_LETTERS[(19 * 10_000_000 + n) % 23]}" for n in serials]
    assert (values.pnc_status(pd.Series(texts)) == 1).all()


@pytest.mark.parametrize("text, status", [
    ("M", 1), ("female", 1), (" Non-Binary ", 1), ("X", 1), ("Unknown", 0), ("", 0),
    ("not stated", 0), ("2", 2), ("Mr", 2),
])
def test_genders(text, status):
    assert values.gender_status(pd.Series([text])).tolist() == [status]


@pytest.mark.parametrize("text, status", [
    ("Custody", 1), ("in  the community", 1), ("PRISON", 1), ("probation", 1), ("", 0),
    ("both", 2), ("C", 2),
])
def test_custody_or_community(text, status):
    assert values.setting_status(pd.Series([text])).tolist() == [status]


# The whole file ---------------------------------------------------------------

def person(**fields):
    base = {"forename": "Ann", "surname": "Bee", "date_of_birth": "01/02/1990",
            "gender": "F", "pnc_number": "", "prison_number": "",
            "intervention_start": "01/01/2024", "intervention_end": "30/06/2024",
            "custody_or_community": "custody", "index_date": "15/06/2024"}
    return base | fields


def reasons(counts, field):
    return {reason: n for reason, n, _ in counts.field(field).reasons}


def test_cross_field_reasons_come_in_order():
    rows = [
        person(),
        person(forename="B", date_of_birth="01/02/2030"),                    # in the future
        person(forename="C", date_of_birth="02/01/2024"),                    # after the start
        person(forename="D", date_of_birth="01/01/2016"),                    # age 8
        person(forename="E", date_of_birth="01/01/1920"),                    # age 104
        person(forename="F", date_of_birth="01/01/2016", index_date=""),     # age at the start
        person(forename="G", intervention_end="01/12/2023"),                 # end before start
        person(forename="H", intervention_start="01/01/2027", intervention_end="01/06/2027"),
        person(forename="I", index_date="01/01/2027"),                       # index in future
        person(forename="J", index_date="31/12/1999", date_of_birth="01/01/1980"),  # old
    ]
    counts = count_people(rows, today=TODAY)
    assert reasons(counts, "date_of_birth") == {
        "in the future": 1, "after the intervention start": 1,
        "age under 10 at the index date": 2, "age over 100 at the index date": 1}
    assert counts.field("date_of_birth").reasons[0][2] == (2,)   # row numbers, from 1
    assert reasons(counts, "intervention_end") == {"before the intervention start": 1}
    assert reasons(counts, "intervention_start") == {"in the future": 1}
    assert reasons(counts, "index_date") == {"in the future": 1,
                                             "before 2000-01-01 (implausibly old)": 1}
    date_of_birth = counts.field("date_of_birth")
    assert (date_of_birth.present, date_of_birth.blank, date_of_birth.invalid,
            date_of_birth.valid) == (10, 0, 5, 5)
    # index dates: one blank, one future, one old left out of the intake
    assert counts.n_planned == 7
    assert dict(counts.index_dates_left_out) == {
        "index date blank": 1, "index date: in the future": 1,
        "index date: before 2000-01-01 (implausibly old)": 1}


def test_settings_of_the_plausibility_checks():
    rows = [person(date_of_birth="01/01/2012", index_date="15/06/2024")]  # age 12
    assert reasons(count_people(rows, today=TODAY, youngest=14), "date_of_birth") == {
        "age under 14 at the index date": 1}
    rows = [person(index_date="15/06/2009")]
    assert count_people(rows, today=TODAY, earliest_index_date="2010-01-01").n_planned == 0
    assert count_people(rows, today=TODAY).n_planned == 1


def test_likely_duplicates_are_counted_once_in_the_intake():
    rows = [person(), person(forename="ann ", surname="BEE", date_of_birth="1990-02-01"),
            person(surname="B-ee", date_of_birth="1 February 1990", index_date="01/01/2024"),
            person(date_of_birth="02/02/1990"),           # another date of birth
            person(forename="", date_of_birth=""),         # no key: never a duplicate
            person(forename="", date_of_birth="")]
    counts = count_people(rows, today=TODAY)
    assert counts.duplicates == 2 and counts.rows == 6 and counts.people == 4
    assert counts.n_planned == 4
    # the first listing is kept: its index date, 2024-06-15, not the third row's
    assert counts.intake == Intake.from_counts({"2024-06-15": 4})


def test_how_people_can_be_looked_up():
    rows = [person(pnc_number="2011/0275516Q"), person(pnc_number="2011/0275516Q",
                                                       prison_number="A1234BC", forename="B"),
            person(prison_number="A1234BC", forename="C"), person(forename="D"),
            person(forename="E", pnc_number="2011/0275516R"),    # an invalid PNC: name only
            person(forename="", surname="")]
    counts = count_people(rows, today=TODAY)
    assert dict(counts.identified_by) == {"pnc_number": 2, "prison_number": 1,
                                          "name_and_date_of_birth": 2, "nothing": 1}


def test_blank_rows_are_skipped_and_rows_keep_their_numbers():
    frame = pd.DataFrame([person(), {k: "" for k in person()}, person(index_date="x")],
                         index=pd.Index([2, 3, 4], name="row"))
    counts = count_people(frame, today=TODAY)
    assert (counts.rows, counts.blank_rows) == (2, 1)
    assert counts.field("index_date").reasons == (("not a date", 1, (4,)),)


def test_missing_columns_are_fields_not_in_the_file():
    counts = count_people([{"index_date": "2024-01-01"}], today=TODAY)
    assert counts.missing_required == ("forename", "surname", "date_of_birth", "gender",
                                       "intervention_start", "intervention_end",
                                       "custody_or_community")
    assert not counts.field("forename").in_file and counts.field("forename").blank == 1
    assert counts.field("index_date").column == "index_date"
    named = count_people([{"index_date": "2024-01-01"}], today=TODAY,
                         column_names={"index_date": "Release Date"})
    assert named.field("index_date").column == "Release Date"


def test_the_minimum_request():
    rows = [person(forename=f"P{chr(65 + i % 26)}{chr(65 + i // 26)}") for i in range(60)]
    assert count_people(rows, today=TODAY).meets_minimum
    assert not count_people(rows[:59], today=TODAY).meets_minimum
    twice = rows[:59] + rows[:1]
    assert not count_people(twice, today=TODAY).meets_minimum   # 59 people, 60 rows


@st.composite
def files(draw):
    n = draw(st.integers(1, 60))
    texts = st.sampled_from(["", "01/02/1990", "31/02/1990", "2024-05-06", "1/1/95", "x",
                             "15/03/2024", "01/01/2030", "1999-12-31"])
    return pd.DataFrame({
        "forename": draw(st.lists(st.sampled_from(["", "Ann", "Bob"]), min_size=n, max_size=n)),
        "surname": ["Bee"] * n,
        "date_of_birth": draw(st.lists(texts, min_size=n, max_size=n)),
        "pnc_number": draw(st.lists(st.sampled_from(["", "2011/0275516Q", "zz"]), min_size=n,
                                    max_size=n)),
        "index_date": draw(st.lists(texts, min_size=n, max_size=n))}), draw(st.integers(1, n))


@settings(max_examples=40, deadline=None)
@given(files())
def test_chunks_do_not_change_the_counts(file):
    frame, size = file
    whole = count_people(frame, today=TODAY)
    chunks = (frame.iloc[i:i + size] for i in range(0, len(frame), size))
    # the hash key is fresh for each count, so compare what the counts say
    assert count_people(chunks, today=TODAY).to_dict() == whole.to_dict()
    assert count_people(chunks_of(frame, size), today=TODAY).intake == whole.intake


def chunks_of(frame, size):
    return [frame.iloc[i:i + size] for i in range(0, len(frame), size)]


def test_counts_print_themselves_without_values():
    counts = count_people([person(forename="Zebedee", pnc_number="2011/0275516R",
                                  date_of_birth="07/08/1977")] * 2, today=TODAY)
    text = str(counts) + repr(counts) + str(counts.to_dict()) + counts.to_frame().to_string()
    for secret in ("Zebedee", "2011/0275516R", "07/08/1977", "1977-08-07", "1977"):
        assert secret not in text
    assert "PNC number: its check letter does not match its number" in str(counts)
    assert counts.to_frame().columns.tolist() == ["field", "column", "in_file", "present",
                                                  "blank", "invalid", "valid"]


@pytest.mark.parametrize("people, message", [
    ([{"name": "Ann"}], "people has columns that are not fields: name; the fields are "
                        "forename, surname,"),
    ([], "people has no rows"),
    ([{"forename": ""}], "people has only blank rows"),
    ("people.csv", "people must be a DataFrame, a list of records"),
    ([pd.DataFrame({"forename": ["a"]}), pd.DataFrame({"surname": ["b"]})],
     "people must have the same columns in every chunk"),
    ([{"forename": "a"}, pd.DataFrame({"forename": ["b"]})],
     "people must not mix records and DataFrames"),
])
def test_bad_people(people, message):
    with pytest.raises(InvalidInputError, match="^" + re.escape(message)):
        count_people(people, today=TODAY)


@pytest.mark.parametrize("options, message", [
    ({"today": "02/11/2026"}, "today must be a date YYYY-MM-DD; got '02/11/2026'"),
    ({"today": TODAY, "dayfirst": "yes"}, "dayfirst must be True or False; got 'yes'"),
    ({"today": TODAY, "youngest": 50, "oldest": 40}, "oldest must be above youngest (50)"),
])
def test_bad_settings(options, message):
    with pytest.raises(InvalidInputError, match="^" + re.escape(message)):
        count_people([person()], **options)
