"""Typing and voice slips read as the known words they stand for (knowledge/slips.py)."""

from __future__ import annotations

from knowledge.lexicon import Lexicon
from knowledge.slips import SlipReader, reading, word_reading

KNOWN = ("工资", "经费", "村干部", "歇职", "宁德", "规定")


def _reader(seen: tuple[str, ...] = ()) -> tuple[SlipReader, Lexicon]:
    lexicon = Lexicon()
    return SlipReader(KNOWN, seen, lambda w: lexicon.word_count(w) >= 5), lexicon


def _read(question: str, seen: tuple[str, ...] = ()) -> str:
    reader, lexicon = _reader(seen)
    return reader.read(question, lexicon.pieces(question))


def test_readings_ignore_tones_and_follow_the_word() -> None:
    assert reading("姿") == reading("资") == "zi"
    assert word_reading("经费") == ("jing", "fei")


def test_a_homophone_typed_for_a_known_word_is_read_as_it() -> None:
    assert _read("村主职干部一个月工姿多少") == "村主职干部一个月工资多少"
    assert _read("第一书记每年工作径费有多少") == "第一书记每年工作经费有多少"
    assert _read("不称职村干布歇职一般歇几个月") == "不称职村干部歇职一般歇几个月"
    assert _read("村干部被协职处理了要歇多久") == "村干部被歇职处理了要歇多久"


def test_words_in_their_own_right_are_left_alone() -> None:
    for question in (
        "宁德组建了多少个扶贫工作队",  # no slip at all
        "支书兼了村民小组长能多拿多少",  # 兼了 is not 减了: 了 is typed as itself
        "村里的经费是不是规定好了",
        "今天股市涨了吗",
    ):
        assert _read(question) == question


def test_a_piece_the_documents_use_is_no_slip() -> None:
    assert _read("宁得从县直单位抽干部") == "宁德从县直单位抽干部"
    assert _read("宁得从县直单位抽干部", seen=("宁得",)) == "宁得从县直单位抽干部"


def test_two_words_it_could_stand_for_leave_it_alone() -> None:
    lexicon = Lexicon()
    # "工姿" is one sound away from 工资 and from 宫姿 alike: no telling which was meant.
    reader = SlipReader(("工资", "宫姿"), (), lambda w: lexicon.word_count(w) >= 5)
    question = "一个月工姿多少"
    assert reader.read(question, lexicon.pieces(question)) == question


def test_a_word_the_documents_use_often_is_a_slips_target_too() -> None:
    lexicon = Lexicon()
    reader = SlipReader(KNOWN, (), lambda w: lexicon.word_count(w) >= 5, frequent=("支部", "党建", "党员"))
    for slip, meant in (
        ("请问知部委员会一般多久开一次", "请问支部委员会一般多久开一次"),
        ("每年拨付的当建工作经费是多少", "每年拨付的党建工作经费是多少"),
        ("当员自己就是贫困户的有多少", "党员自己就是贫困户的有多少"),
    ):
        assert reader.read(slip, lexicon.pieces(slip)) == meant
    # Without the documents' words the slips stay as typed.
    assert _read("请问知部委员会一般多久开一次") == "请问知部委员会一般多久开一次"


def test_a_slip_cut_off_the_word_it_ends_is_read_with_it() -> None:
    # "尖到|班组": the dictionary gives 班 to the next word; the run's end and the word's start are read
    # together, and 到 (a common character) may be the slip when it completes a longer known word.
    reader, lexicon = _reader()
    reader = SlipReader((*KNOWN, "尖刀班"), (), lambda w: lexicon.word_count(w) >= 5)
    question = "宣恩尖到班组了多少个"
    assert reader.read(question, lexicon.pieces(question)) == "宣恩尖刀班组了多少个"
    # A common character alone is still typed as itself.
    assert _read("建到村里的经费") == "建到村里的经费"
