"""What questions ask for, and which amounts texts state (knowledge/numbers.py)."""

from __future__ import annotations

import pytest

from knowledge.numbers import (
    DURATION,
    SCORE,
    amount_value,
    amounts_in,
    arabic_amount,
    asks_consequence,
    asks_effect_word,
    check_verdict,
    claimed_figures,
    effect_ask,
    head_count_fits,
    heard_frequency,
    is_money_word,
    is_ordinal_word,
    names_other_ordinal,
    question_needs,
    states_body,
    states_date,
    states_duration,
    states_frequency,
    states_holder,
    states_location,
    states_name,
    states_score,
    states_time,
    unit_matches,
)


@pytest.mark.parametrize(
    ("question", "number", "period", "unit"),
    [
        ("村支书一个月能拿多少钱", True, "month", "元"),
        ("宣恩县村主职干部的工资一年是多少？", True, "year", "元"),
        ("活动室面积要达到多少平方米？", True, None, "平方米"),
        ("绩效奖励按什么比例发放？", True, None, "%"),
        ("每个县至少要配备几名扶贫专职人员？", True, None, "人"),
        ("不称职的村干部会被怎么处理？", False, None, None),
        ("两委委员一个月拿多少？", True, "month", "元"),
        ("党支部书记兼村民小组长有多少补贴？", True, None, "元"),
        ("攻坚培训列了几个专题？", True, None, "个"),
    ],
)
def test_question_needs_number_period_unit(
    question: str, number: bool, period: str | None, unit: str | None
) -> None:
    needs = question_needs(question)
    assert needs.number is number
    assert needs.period == period
    assert needs.unit == unit


def test_question_needs_frequency_listing_ordinal() -> None:
    assert question_needs("支部党员大会多久开一次？").frequency
    assert not question_needs("支部党员大会多久开一次？").number
    assert question_needs("“五项制度”包括哪些？").listing
    assert question_needs("某市“三抓三促”第二条是什么？").ordinal == 2
    # "第一书记" is a title, not an ordinal.
    assert question_needs("第一书记每年有多少工作经费？").ordinal is None


def test_counts_and_durations_are_not_frequencies() -> None:
    # "多少次" without a period counts occurrences; "多久" about something that does not recur is a
    # duration. Both want a number, and a passage stating none (每月一次) does not answer them.
    counted = question_needs("宣恩县化解了多少次矛盾纠纷？")
    assert counted.number and not counted.frequency
    duration = question_needs("干部不称职会被歇职多久")
    assert duration.number and not duration.frequency
    assert question_needs("党课一年要讲几次？").frequency
    assert question_needs("支部大会隔多长时间开一回").frequency


def test_classifier_counts_are_amounts() -> None:
    assert [a.text for a in amounts_in("将民政网格员等10类人员由两委成员兼任，开列整改通知40份")] == ["10类", "40份"]


def test_amounts_keep_ranges_decimals_and_periods() -> None:
    text = "试点村补贴达12345元/年，每月发放800元，标准提高到1500-2500元，投入3.25万元，占比15%。"
    found = {a.text: a for a in amounts_in(text)}
    assert found["12345元/年"].period == "year"
    assert found["800元"].period == "month"
    assert "1500-2500元" in found
    assert "3.25万元" in found
    assert found["15%"].unit == "%"


def test_approximate_amounts_are_amounts() -> None:
    texts = {a.text for a in amounts_in("培训了300多名干部，投入资金5000余万元")}
    assert texts == {"300多名", "5000余万元"}


def test_chinese_numeral_amounts_are_amounts() -> None:
    texts = {a.text for a in amounts_in("收益的百分之三十用于分红，补助两万元，共三十名党员")}
    assert texts == {"百分之三十", "两万元", "三十名"}
    (share,) = amounts_in("拿出三成分红")
    assert share.unit == "%"


def test_years_are_not_amounts() -> None:
    assert amounts_in("2019年开展了试点") == []


def test_states_frequency_and_units() -> None:
    assert states_frequency("小组会一般每月召开一次")
    assert states_frequency("每季度至少组织1次")
    assert not states_frequency("会议研究了产业发展")
    (amount,) = amounts_in("发放5万元")
    assert unit_matches(amount, "元")
    assert not unit_matches(amount, "人")


@pytest.mark.parametrize(
    ("word", "arabic"),
    [
        ("十万", "10万"),  # the documents write "10万元"
        ("两千", "2000"),
        ("两千五百", "2500"),
        ("三十名", "30名"),
        ("二十万元", "20万元"),
        ("一百万", "100万"),
        ("一名", None),  # no multiplier: "一名", "三会", "四下" keep their words
        ("三会", None),
        ("十", None),
        ("千万", None),  # "千万不能…" means "never"
        ("工资", None),
    ],
)
def test_chinese_numerals_in_questions_read_as_the_documents_write_them(word: str, arabic: str | None) -> None:
    assert arabic_amount(word) == arabic


def test_where_questions_want_the_clause_naming_a_place() -> None:
    assert question_needs("凤庆县贫困人口主要分布在哪里？").location
    assert question_needs("贫困户大多住在什么地方").location
    assert not question_needs("贫困人口有多少").location
    assert states_location("全县贫困人口大多分散居住在高寒山区")
    assert states_location("选派干部到村(社区)任职")
    assert not states_location("全县2015年末贫困人口仍有4万人")


def test_which_items_is_a_list_not_a_count() -> None:
    needs = question_needs("“五定”责任机制定的是哪几样")
    assert needs.listing and not needs.number
    assert question_needs("有几个党工委被黄牌警告").number


def test_what_questions_in_colloquial_words_are_not_amount_questions() -> None:
    # "报酬底线是参照啥定的" asks what the floor is based on, not how much it is.
    assert not question_needs("村主职干部的报酬底线是参照啥定的").number
    assert question_needs("村主职干部的报酬底线是多少").number


def test_approximate_amounts_keep_their_scale_and_unit() -> None:
    assert [(a.text, a.unit) for a in amounts_in("培训6.3万余人次")] == [("6.3万余人次", "万人次")]
    assert question_needs("培训了多少人次").unit == "人次"
    (times,) = amounts_in("实战实训9000余次")
    assert unit_matches(times, "人次")
    assert not unit_matches(times, "人")


def test_money_words() -> None:
    assert is_money_word("工作经费") and is_money_word("津贴") and is_money_word("基本报酬")
    assert not is_money_word("第一书记") and not is_money_word("党员")


def test_money_asked_in_colloquial_order() -> None:
    assert question_needs("村集体经济上面一年给多少扶持钱").unit == "元"
    assert question_needs("创业贷款利息多少").unit == "元"
    needs = question_needs("书记兼小组长能多拿点不")
    assert needs.number and needs.unit == "元"


def test_figure_words_want_a_figure_only_when_nothing_else_is_asked() -> None:
    assert question_needs("意外险保额").number
    assert not question_needs("报酬底线标准是参照啥定的").number
    assert not question_needs("这些工作经费有没有纳入财政预算").number  # a yes/no question


def test_years_named_and_counts_before_money() -> None:
    assert question_needs("2017年底还有多少贫困人口").years == ("2017",)
    assert question_needs("还有几个村没有集体经济收入").unit == "个"  # villages counted, not yuan
    assert question_needs("村集体经济收入要达到多少").unit == "元"


def test_a_closing_how_long_asks_a_duration_and_a_choice_of_periods_how_often() -> None:
    # "一次要歇多久": 一次 is "each time"; the how-long word closing the question asks a duration.
    needs = question_needs("不称职的村干部一次要歇职多久？")
    assert needs.number and not needs.frequency
    assert question_needs("党员大会隔多久开一次").frequency
    assert question_needs("支委会开一次隔多久").frequency  # 隔多久 is how often wherever it stands
    # "每个月搞一次还是每季度搞一次": which of the periods, i.e. how often.
    needs = question_needs("主题党日是每个月搞一次还是每季度搞一次？")
    assert needs.frequency and needs.period is None


def test_a_date_asked_is_neither_a_period_nor_a_list() -> None:
    needs = question_needs("那个意见是哪一年印发的")
    assert needs.date and needs.period is None and not needs.listing
    assert question_needs("换届定在哪天").date and question_needs("是几月出台的").date
    # "每月哪天搞" asks which day of the month, not a date the documents would state.
    assert not question_needs("主题党日每月哪天搞").date
    assert states_date("2015年6月,省里印发意见") and states_date("发布时间:2016/9/2")
    assert not states_date("全县共有9个乡镇")


def test_the_last_item_of_a_numbered_concept_is_its_count() -> None:
    assert question_needs("“五抓五促”的最后一条抓的是什么？").ordinal == 5
    assert question_needs("最后一条是什么").ordinal is None  # no concept named: no count to go by
    assert question_needs("凤庆“四个融合”指的啥").listing


def test_a_schedule_written_as_a_list_states_a_frequency() -> None:
    assert states_frequency("严格执行“一月随访、一季督促、半年考核”的督查机制")
    assert states_frequency("建立日提醒、周通报、月约谈制度")
    assert not states_frequency("正职、副职、委员待遇都有提高")
    assert question_needs("督查机制是怎么个节奏").frequency


def test_villages_counted_and_dates_asked_are_not_money() -> None:
    # 收入 names money, but "多少贫困村没有集体收入" counts villages; "驻村第一书记" are people, not villages.
    assert question_needs("还有多少贫困村没有集体收入").unit == "个"
    assert question_needs("有多少驻村第一书记").unit is None
    # A date asked about a pay rule is not a money question.
    needs = question_needs("定村干部报酬底线的文件是哪年印发的")
    assert needs.date and not needs.number


def test_when_a_recurring_activity_is_held_is_asked_as_how_often() -> None:
    needs = question_needs("主题党日在时间上有什么要求")
    assert needs.frequency


def test_ordinal_words_are_recognised() -> None:
    assert is_ordinal_word("第二条") and is_ordinal_word("第3项")
    assert not is_ordinal_word("第一书记") and not is_ordinal_word("五抓五促")


def test_times_per_period_written_with_a_slash_asks_how_often() -> None:
    assert question_needs("支委会 几次/月").frequency
    assert question_needs("党课 次/季度").frequency


def test_a_checking_question_asks_for_the_figure_it_states() -> None:
    assert claimed_figures("听说鲁甸村正职干部现在每月3000元，对？") == ("3000元",)
    assert claimed_figures("我记得宁德提拔了五百名乡镇干部，没错") == ("五百名",)
    assert claimed_figures("听说歇职最长能歇半年，是真的吗？") == ("半年",)
    assert claimed_figures("2016年以来提拔了多少干部") == ()  # asks, checks nothing
    assert claimed_figures("支部党员大会是每季度开一次，对吗") == ()  # no figure to check
    needs = question_needs("听说鲁甸村正职干部现在每月3000元，对？")
    assert needs.number and needs.unit == "元" and needs.claims == ("3000元",)
    assert question_needs("我记得宁德提拔了500名乡镇干部，没错").unit == "人"


def test_the_verdict_compares_the_facts_own_figure() -> None:
    assert check_verdict(("38760元",), "村主职干部工资达3.876万元/年") is True
    # The figure a rise ends at is the fact's; the old one it started from is not.
    assert check_verdict(("2000元",), "正职待遇由原来的每月2000元提高到4200元") is False
    assert check_verdict(("500名",), "提拔重用脱贫一线乡镇干部230名") is False
    assert check_verdict(("半年",), "视轻重给予1至3个月的歇职处理") is None  # nothing to compare
    assert check_verdict(("500名",), "共开列整改通知文件40份") is None  # no figure of that kind


def test_a_comparison_of_quantities_asks_for_each_figure() -> None:
    assert question_needs("宣恩和鲁甸比，哪个县派的驻村第一书记更多？").number
    assert question_needs("鲁甸和宣恩比，村正职干部谁的待遇更高？").number
    assert not question_needs("有没有更多的支持政策").number
    assert not question_needs("哪个部门负责考核").number


def test_when_asked_needs_a_time_stated() -> None:
    assert question_needs("绩效奖励每年什么时候发放").when
    assert not question_needs("那个意见是哪年印发的").when  # a date: needs.date
    assert states_time("通常安排在第四季度") and states_time("2015年6月印发")
    assert not states_time("全面建立村干部绩效奖励制度")


def test_a_heard_figure_or_list_says_what_is_asked() -> None:
    # 收入 is a money word, but the heard 0.5% says a share is asked.
    assert question_needs("听说农村党员每月党费按收入的0.5%交，真的吗？").unit == "%"
    assert question_needs("越冬“四件套”听说是棉大衣、棉鞋、棉被和电热毯，是不是？").listing
    # A checked statement without a figure does not ask for one, though it names 工资.
    assert not question_needs("宣恩村主职干部工资底线是照副乡镇长工资水平定的？真的假的").number


def test_a_heard_duration_asks_for_a_length_of_time() -> None:
    assert question_needs("听说歇职最长能歇半年，是真的吗？").unit == "时长"
    assert states_duration("视轻重给予1至3个月的歇职处理") and states_duration("歇职半年")
    assert not states_duration("2016年以来提拔干部230名")



def test_a_purpose_or_an_effect_asked() -> None:
    assert question_needs("六盘水为什么每年要集中考核评估").effect
    assert question_needs("那个人才机制到底图啥").effect
    assert question_needs("聚焦五个组织解决了什么问题").effect
    assert not question_needs("第一书记工作经费有多少").effect


def test_an_effect_named_as_a_condition_is_not_asked() -> None:
    # "帮扶效果不好的单位…" names an effect; "有什么效果" and "效果怎么样" ask for one.
    assert not question_needs("驻村帮扶效果不好的单位有多少个").effect
    assert question_needs("结对帮扶有什么效果").effect
    assert question_needs("结对帮扶效果怎么样").effect
    assert question_needs("这项制度起到了什么作用").effect
    # Which problems there are is a list, not an effect; the problem a measure solved is one.
    assert not question_needs("凤庆扶贫现在主要有什么问题").effect
    assert question_needs("这笔钱要解决什么难题").effect
    # What follows from a condition is asked the same way.
    assert question_needs("帮扶不力的书记会咋样").effect and asks_consequence("帮扶不力的书记会咋样")
    assert asks_consequence("年度考核会受什么影响") and not asks_consequence("为什么要考核")


def test_the_clause_asking_for_the_effect() -> None:
    assert effect_ask("开展结对活动以后，化解纠纷方面有什么成效？") == "化解纠纷方面有什么成效"
    assert effect_ask("为什么要建立歇职制度？") == "为什么要建立歇职制度"
    assert effect_ask("第一书记工作经费有多少") is None
    assert asks_effect_word("成效") and not asks_effect_word("纠纷")


def test_shares_in_words_are_amounts() -> None:
    shares = amounts_in("到会人数超过半数，三分之二以上同意")
    assert [a.text for a in shares] == ["半数", "三分之二"] and all(a.unit == "%" for a in shares)
    assert [round(amount_value(a) or 0) for a in shares] == [50, 67]
    assert question_needs("贫困人口有多少").unit == "人"


def test_how_many_years_or_months_asks_a_length_of_time() -> None:
    for question in ("驻村第一书记的任职期限规定为几年？", "歇职几个月"):
        needs = question_needs(question)
        assert needs.number and needs.unit == "时长", question
    assert question_needs("近几年宁德派了多少干部").unit == "人"  # "近几年" is a time, not asked
    assert question_needs("我在乡里管过几年党建工作。请问党小组会一般多长时间开一次？").frequency
    assert question_needs("凤庆算贫困人口用的是多少元的标准").unit == "元"
    assert not question_needs("几月印发的").number  # a date


def test_a_body_asked_needs_a_body_named() -> None:
    assert question_needs("指挥中心由哪个部门负责运行").body
    assert question_needs("考核办法是哪个单位定的").body
    assert not question_needs("第一书记工作经费有多少").body
    assert states_body("组织部门每年牵头考核") and states_body("由县委颁发流动红旗")
    assert not states_body("县级统筹投入180万元建成指挥中心")


def test_a_sum_paid_is_asked_in_yuan() -> None:
    # "交多少", "缴多少", "补多少": a payment; the insurance it is paid for names the sum.
    for question in ("村干部养老保险个人交多少", "单位每年缴多少", "县里补多少", "那个平台花了多少"):
        assert question_needs(question).unit == "元", question
    assert is_money_word("养老保险")


def test_the_change_of_a_figure_asks_for_the_figure() -> None:
    for question in ("减员增效以后，副职待遇有什么变化？", "干部比例有什么变化", "贫困户收入有什么变化"):
        assert question_needs(question).number, question
    # A standard may be a rule ("参照…工资"), not a figure.
    assert not question_needs("印发意见之后，村主职干部报酬标准有什么变化").number


def test_a_yes_no_question_about_a_figure_checks_it() -> None:
    assert claimed_figures("津贴每月是不是500元？") == ("500元",)
    assert claimed_figures("村民组建立的党小组是291个吗？") == ("291个",)
    # The figure checked is the one asked about, not the scene before it.
    assert claimed_figures("43个贫困村中没有集体经济收入的还有20个吗") == ("20个",)
    assert claimed_figures("是不是每个村都有活动室") == ()
    needs = question_needs("43个贫困村中没有集体经济收入的还有20个吗")
    assert needs.number and needs.unit is None  # a count of villages, not yuan (收入 notwithstanding)


def test_a_company_asked_needs_one_named() -> None:
    assert question_needs("电商平台是哪家公司在运营").body
    assert states_body("由某某科技有限公司运营") and not states_body("充分发挥电商平台作用")


def test_another_batch_is_told_apart() -> None:
    assert names_other_ordinal("第五批第一书记筹了多少", "第四批第一书记共筹措6.55亿元")
    assert not names_other_ordinal("第四批第一书记筹了多少", "第四批第一书记共筹措6.55亿元")
    assert not names_other_ordinal("第五批第一书记筹了多少", "驻村第一书记共筹措资金")  # no batch named
    assert not names_other_ordinal("第一书记筹了多少", "第四批第一书记共筹措6.55亿元")


def test_whose_pay_is_the_yardstick_asks_no_figure() -> None:
    # "照着谁的工资定的" asks whose pay (a role); "谁的待遇高" still compares figures.
    assert not question_needs("村支书工资底线是照着谁的工资定的").number
    assert question_needs("宣恩和鲁甸谁的待遇更高").number


def test_a_name_asked() -> None:
    needs = question_needs("那个三年行动计划名称是什么")  # spoken.py's form of "叫啥名堂"
    assert needs.name and not needs.listing
    assert question_needs("组建指挥部用的是什么战法").name
    assert not question_needs("三个杠杆是什么").name
    assert states_name("实施“整乡提升、整县推进”三年行动计划") and states_name("创新设立党员先锋指数管理模式")
    assert not states_name("选派2346人组建279个尖刀班")


def test_who_holds_a_post() -> None:
    assert question_needs("尖刀班的班长一般由什么人担任").holder
    assert question_needs("校长由谁来当").holder
    assert not question_needs("党课由谁来讲").holder
    assert states_holder("由市四大班子成员任指挥长、副指挥长") and states_holder("兼任村民小组长")
    assert not states_holder("压实各级责任,明确任务")


def test_points_and_lengths_of_time_in_words() -> None:
    assert question_needs("多少分以上能评为先锋党员").unit == SCORE
    assert question_needs("考核是多少分制").unit != SCORE  # the scale, not a score
    assert states_score("得分90分以上") and not states_score("实行百分制考核")
    assert question_needs("规范化建设用几年见成效").unit == DURATION
    assert states_duration("三年巩固深化见成效")


def test_a_pair_asked_by_which_two_is_a_list() -> None:
    assert question_needs("“两个作用”是指哪两个作用").listing


def test_a_batch_told_as_background_is_not_the_one_asked() -> None:
    question = "我是第五批第一书记，想问问第四批筹了多少"
    assert names_other_ordinal("第五批第一书记筹了多少", "第四批驻村第一书记共筹措6.55亿元")
    assert not names_other_ordinal(question, "第四批驻村第一书记共筹措6.55亿元", frozenset({"第五批"}))


def test_which_quarter_and_every_few_years() -> None:
    needs = question_needs("组织生活会几季度开")
    assert needs.when and not needs.number and needs.period is None
    assert not question_needs("支部党员大会每季度开几次").when
    assert question_needs("村党组织换届是几年一次").frequency
    assert question_needs("支委会几个月开一次").frequency


def test_a_level_asked_and_rent_are_what_must_be_stated() -> None:
    assert question_needs("歇职处理要报哪一级党委审批").body
    assert question_needs("架空层出租一年租金多少").unit == "元"
    assert question_needs("多大规模").unit is None  # how big, not an area
    assert question_needs("活动室要盖多大").unit == "平方米"


def test_the_same_standard_asked_is_no_check_of_a_figure() -> None:
    # "…是一个标准吗" asks whether two are the same; 标准 ends in 准 but checks nothing heard.
    question = "宣恩县社区一年的工作经费能保障到多少？跟村里是一个标准吗？"
    assert claimed_figures(question) == ()
    assert question_needs(question).unit == "元"
    assert claimed_figures("每月3000元，准吗") == ("3000元",)


def test_a_frequency_heard_is_read_as_checked() -> None:
    assert heard_frequency("支委会是不是一个季度开一次就够了") == "一个季度"
    assert heard_frequency("党小组会一个月开一次对吗") == "一个月"
    assert heard_frequency("党课每季度讲一次行不行") == "每季度"
    # How often asked, not heard.
    assert heard_frequency("支委会多久开一次") is None
    assert heard_frequency("一年开几次组织生活会") is None


def test_a_frequency_heard_asks_how_often_not_a_length_of_time() -> None:
    needs = question_needs("党小组会一个月开一次对吗")
    assert needs.frequency and not needs.number and needs.unit is None and needs.claims == ()


def test_the_askers_head_count_against_a_rules_condition() -> None:
    def fits(question: str, text: str) -> bool | None:
        count = question_needs(question).head_count
        return None if count is None else head_count_fits(count, text)

    assert fits("我们支部正式党员才5个，还开支委会吗", "正式党员不足7人的党支部不设委员会") is True
    assert fits("我们支部正式党员才5个，还开支委会吗", "正式党员7人以上的党支部设立支部委员会") is False
    assert fits("支部有十二名党员，要设支委会吗", "正式党员7人以上的党支部设立支部委员会") is True
    assert fits("党员超过100人的支部", "党员50人以下的支部") is False
    # Either side without a count or a condition: nothing to judge.
    assert fits("支委会多久开一次", "正式党员7人以上的党支部设立支部委员会") is None
    assert fits("我们支部5个党员", "支部委员会会议一般每月召开一次") is None


def test_counts_of_households_head_of_cattle_and_people() -> None:
    assert question_needs("2016年脱贫了多少户").unit == "户"
    assert question_needs("罗先国养了多少头牛").unit == "头"
    assert question_needs("辞职的人数有什么变化").unit == "人"
    (households,) = amounts_in("27605户贫困户")
    assert unit_matches(households, "户")
    (villages,) = amounts_in("43个建档立卡贫困村")
    assert not unit_matches(villages, "户")


def test_how_long_one_lasts_is_a_length_of_time() -> None:
    needs = question_needs("党课一次讲多长时间，时长有要求吗")
    assert needs.unit == DURATION and not needs.frequency
    assert question_needs("党课多长时间讲一次").frequency


def test_which_ones_asked_with_xie_shenme() -> None:
    assert question_needs("具体融些什么").listing
    assert question_needs("都讲哪些标准").listing


def test_how_a_sum_stands_asks_its_level() -> None:
    assert question_needs("村干部工资怎么样").number
    assert not question_needs("村干部工资怎么发放").number


def test_the_count_of_items_listed_is_told_by_the_list() -> None:
    # "那几个体系" (those items) and "几个杠杆…具体是什么" ask for the items; the list tells how many.
    needs = question_needs("他们优化的那几个体系都是什么来着")
    assert needs.listing and not needs.number
    needs = question_needs("凤庆说靠几个杠杆撬动集体经济 具体是什么")
    assert needs.listing and not needs.number
    assert question_needs("凤庆有几个贫困村").number
