"""Regional and spoken question forms (knowledge/spoken.py) are read as their standard forms."""

from __future__ import annotations

import pytest

from knowledge.numbers import question_needs
from knowledge.spoken import standard_question


@pytest.mark.parametrize(
    ("spoken", "standard"),
    [
        ("村支书一个月拿好多钱", "村支书一个月拿多少钱"),
        ("党小组会好久开一回", "党小组会多久开一次"),
        ("活动室要盖好大", "活动室要盖多大"),
        ("有啥子路子", "有什么路子"),
        ("冬天上面发啥东西", "冬天上面发什么东西"),
        ("咋个搞的", "怎么 搞的"),  # kept apart: jieba would glue "怎么搞" into one word
        ("软弱涣散的支部咋整", "软弱涣散的支部怎么 整"),
        ("现在搞得咋样了", "现在搞得怎么样了"),
        ("村里有没得集体收入", "村里有没有集体收入"),
        ("还有好多个村莫得收入", "还有多少个村没有收入"),
        ("上头补不补钱", "上面补不补钱"),
        # Northern forms: 多钱, 嘎哈, the 整 of what was done.
        ("给村集体经济砸了多钱", "给村集体经济砸了多少钱"),
        ("拿好多钱", "拿多少钱"),
        ("三个杠杆是嘎哈的", "三个杠杆是干什么的"),
        ("村集体经济咋整的", "村集体经济怎么 搞的"),
        ("给基层减负整了啥", "给基层减负搞了什么"),
        ("整改了啥", "整改了什么"),
    ],
)
def test_regional_forms_become_standard(spoken: str, standard: str) -> None:
    assert standard_question(spoken) == standard


def test_many_is_not_how_many_in_a_yes_no_question_or_a_statement() -> None:
    # "是不是好多村…": 好多 is "many" there; "好多年前" opens a statement.
    assert standard_question("是不是好多村都没有集体经济") == "是不是好多村都没有集体经济"
    assert "好多年前" in standard_question("好多年前定的报酬现在涨了没")
    assert standard_question("好多好多人") == "好多好多人"


def test_standard_form_is_what_the_question_readers_see() -> None:
    needs = question_needs(standard_question("支委会好久开一回"))
    assert needs.frequency and not needs.number
    needs = question_needs(standard_question("正职一个月拿好多钱"))
    assert needs.number and needs.unit == "元" and needs.period == "month"


@pytest.mark.parametrize(
    ("spoken", "standard"),
    [
        ("具体是哪几件事情嘛", "具体是哪几件事情"),  # a closing particle jieba would glue to the word before
        ("有没得那种贷款哦", "有没有那种贷款"),
        ("是什么呢？", "是什么？"),
        ("冬天冷得很 上面送啥没有", "冬天冷 上面送什么没有"),
        ("培训是咋个培训法", "培训是怎么 培训"),  # the method asked by its verb alone
        ("这是什么", "这是什么"),  # the 么 of 什么 stays
        ("要么这样", "要么这样"),
        ("有什么办法", "有什么办法"),  # 办法 is a word, not "办" asked as a method
    ],
)
def test_closing_particles_degree_words_and_method_forms(spoken: str, standard: str) -> None:
    assert standard_question(spoken) == standard


@pytest.mark.parametrize(
    ("spoken", "standard"),
    [
        ("支部党员大会呃一般多久开", "支部党员大会 一般多久开"),  # voice-input fillers
        ("就是说这个钱你看够不够", " 这个钱 够不够"),
        ("额度是多少", "额度是多少"),  # 额 of 额度 is not a filler
        ("要够几个人才能设支委会", "要够几个人 才能设支委会"),  # a head count before 才, not 人才
        ("村里人才能不能留住", "村里人才能不能留住"),
        ("那个部长叫个啥名字", "那个部长叫什么名字"),
        ("那个村的村支书是哪个噻", "那个村的村支书是谁"),  # 哪个 after a role, at the end: who
        ("负责人是哪个？", "负责人是谁？"),
        ("五抓五促第一条是哪个？", "五抓五促第一条是哪个？"),  # which item, not who
        # A grade, written as the documents write it; 一般 "usually" stays.
        ("述职考核评了个一般的党工委", "述职考核为“一般”的党工委"),
        ("组织生活会一般几月开", "组织生活会一般几月开"),
        # A poor review in the documents' word; the modal 会 kept off the word before it.
        ("述职考得差会咋样", "述职考核差将会怎么样"),
        ("考核拉胯的党委会被咋处理", "考核差的党委将会被怎么 处理"),
        ("党委会怎么开", "党委会怎么 开"),  # a committee meeting, asked how to hold it
    ],
)
def test_voice_input_fillers_and_misread_word_boundaries(spoken: str, standard: str) -> None:
    assert standard_question(spoken) == standard


@pytest.mark.parametrize(
    ("spoken", "standard"),
    [
        # The name a programme or method goes by, in one standard form.
        ("那个三年行动计划叫个啥子名堂", "那个三年行动计划名称是什么"),
        ("那个平台叫啥", "那个平台名称是什么"),
        ("工作机制是怎么概括的？", "工作机制名称是什么？"),
        ("讲激励的那一条完整叫法是什么", "讲激励的那一条名称是什么"),
        ("叫啥模式", "是什么模式"),  # the kind of name stays a topic word
        ("那个部长叫个啥名字", "那个部长叫什么名字"),  # a person's name is left as asked
        # A standard asked in spoken words; the same do in "具体干了啥".
        ("活动室要搞成啥样才算达标", "活动室要搞成达到什么标准"),
        ("具体干了啥", "具体搞了什么"),
        ("尖刀班搞了多大规模", "尖刀班搞了多少"),
        # A counted concept's number as the documents write it; a count asked or checked stays.
        ("3会1课里支委会多久开", "三会一课里支委会多久开"),
        ("六盘水说的4个体系是指啥", "六盘水说的四个体系是指什么"),
        ("是不是5个党委", "是不是5个党委"),
        ("一年砸多少 后来又加了多少", "一年砸多少 又加了多少"),
        ("后来整改效果怎么样", "后来整改效果怎么样"),
        ("书记主任能一人干不", "书记主任能一人干不"),
    ],
)
def test_names_standards_and_what_was_done(spoken: str, standard: str) -> None:
    assert standard_question(spoken) == standard


def test_many_in_a_statement_before_the_question() -> None:
    # "我们村好多人外出打工。": the asker's situation, told before the question.
    assert standard_question("我们村好多人外出打工。六盘水要多久") == "我们村好多人外出打工。六盘水要多久"
    assert standard_question("开过一次会。要隔好久再开") == "开过一次会。要隔多久再开"
    assert standard_question("拿好多钱。") == "拿多少钱。"


@pytest.mark.parametrize(
    ("spoken", "standard"),
    [
        ("社区跟村的办公经费各给多少", "社区和村的办公经费分别给多少"),
        ("村里和组里各花了多少钱", "村里和组里分别花了多少钱"),
        ("跟踪问效怎么搞", "跟踪问效怎么 搞"),  # the verb 跟 stays
        ("各地标准一样吗", "各地标准一样吗"),  # 各地 names the places
        ("党员不好管，别的县咋弄的", "党员不好管，各地怎么 弄的"),
        ("组织生活会一般放啥时候开", "组织生活会一般在什么时候开"),
        ("鲁甸派了多少人到村当一书", "鲁甸派了多少人到村当第一书记"),
        ("三会一课说了半天到底是哪几个会", "三会一课到底是哪几个会"),
        ("上面对驻村干部有啥照顾", "上面 对驻村干部有什么照顾"),
        ("组织生活会一般放在一年里哪个时候开", "组织生活会一般在一年里哪个时候开"),
        ("一般放第几季度开", "一般在第几季度开"),
        ("考核好的怎么奖差的怎么罚", "考核好的怎么奖 差的怎么 罚"),
        ("都讲些啥标准", "都讲 哪些标准"),
        ("查出来有些啥问题", "查出来有 哪些问题"),
        ("支部要开的会都有哪几种", "支部要开的会议都有哪几种"),
        ("村集体经济有啥数据能拿来宣传", "村集体经济有多少"),
        ("给基层减负有啥亮点可以写", "给基层减负有什么亮点"),
        ("支委会多就开一次", "支委会多久开一次"),
        ("考核完了有奖有罚没", "考核有奖有罚吗"),
        ("还没", "还没"),  # "not yet" stays
        ("目标定在哪一年", "目标在哪一年"),
        ("双推进靠哪些招", "双推进靠哪些措施"),
    ],
)
def test_each_others_shorthand_and_fillers(spoken: str, standard: str) -> None:
    assert standard_question(spoken) == standard


def test_other_places_at_large_keep_their_sign() -> None:
    # How it is done elsewhere is asked at large; 各地 (a stopword) marks it for the background reader.
    assert "各地" in standard_question("别的地方咋给村干部培训的")
    assert "各地" in standard_question("外地咋给村干部培训的")
