"""Numbers in questions and passages: what a question asks for, and which amounts a text states.

A cadre asking "一年多少钱" wants an amount with a yearly period ("38760元/年", "每年2万元"); one asking
"一个月能拿多少" wants a monthly one ("每月4200元"). These helpers let the ranker prefer passages that hold
an amount, of the unit and period asked for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Period = Literal["month", "quarter", "year"]

# A number with optional decimals/thousands and an optional range ("2000-4000", "1至3").
_NUM = r"\d+(?:[.,]\d+)*"
_RANGE = rf"{_NUM}(?:\s*[-~—–至到]\s*{_NUM})?"
# Units of quantity; years, months and days are dates, not amounts.
_UNITS = (
    r"万元|亿元|千元|元|万人次|人次|万人|万户|人|名|户|个|家|所|场次|场|期|批次|批|次|项|条|种|类|份|件|对|座|头|只|"
    r"平方米|亩|公里|%|％|倍|万|亿"
)
# "4200多名", "4000余万元", "1万多名": an approximate amount is still an amount.
AMOUNT_RE = re.compile(
    rf"(?P<num>{_RANGE})\s*(?P<scale>[万亿](?=[多余]))?(?:多|余)?\s*(?P<unit>{_UNITS})"
    r"(?P<per>\s*/\s*(?:年|月|人|个|村|户))?"
)
# A bare number token (used to keep numbers whole when cutting text).
NUMBER_TOKEN_RE = re.compile(rf"{_RANGE}(?:\s*(?:{_UNITS}))?(?:\s*/\s*[年月人个村户])?")

_WANTS_NUMBER_RE = re.compile(
    r"多少|多不多|几[名个人项条种次户所家期倍]?|多大|多高|多长|多重|(?:什么|啥)(?:比例|金额|数额|面积|规模|保额)"
    # A comparison of quantities ("哪个县派的第一书记更多", "谁的待遇高") wants each side's figure.
    r"|(?:谁|哪个|哪家|哪边)[^，。？?；]{0,12}(?:更|比较)?(?:多|少|高|低)(?![^，。？?；]*[什啥怎咋])"
    r"|更(?:多|少|高|低)(?=[呢吗啊些一点？?。！!\s]*$)"
)
# Words that want a figure only when nothing else is asked: "保额" wants one, "标准是参照啥定的" does not.
_NAMES_A_FIGURE_RE = re.compile(r"比例|百分之|金额|数额|标准是|保额|面积|规模")
# "副职待遇有什么变化", "干部比例有什么变化": the change of a figure is the new figure.
_FIGURE_CHANGE_RE = re.compile(
    r"(?:比例|占比|人数|待遇|收入|工资|报酬|补贴|经费|资金|数量)(?:有|发生了?)?(?:什么|啥|哪些|何)?变化"
)
# "2017年底还有多少贫困人口": a year named in a question; a passage not stating it does not answer.
_YEAR_RE = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")
# "为什么要…", "起到了什么作用", "解决了什么问题", "形成了什么氛围": a purpose or an effect is asked.
# What follows from a condition ("帮扶不力的书记会咋样", "考核会受什么影响", "有什么后果").
_WANTS_CONSEQUENCE = r"会(?:咋样|怎样|怎么样|如何)|受(?:到)?(?:什么|啥|哪些)影响|(?:什么|啥)后果"
_WANTS_CONSEQUENCE_RE = re.compile(_WANTS_CONSEQUENCE)
_WANTS_EFFECT_RE = re.compile(
    r"为什么|为何|为啥|原因|目的|为了什么|图啥|图什么"
    # ("帮扶效果不好的单位…会怎样" names an effect as a condition; it does not ask for one)
    r"|(?:什么|啥|哪些|何)(?:样的)?(?:作用|成效|效果|变化|好处|成果)"
    r"|(?:作用|成效|效果|变化|好处)(?:如何|怎么样|怎样|咋样|大不大|好不好|明显|多大)"
    r"|解决了?(?:什么|啥|哪些)"
    # ("有什么问题", "还有些啥问题", "存在哪些问题" ask which problems there are: a list, not an effect)
    r"|(?<!有)(?<!有些)(?<!存在)(?:什么|啥)(?:样的)?(?:问题|难题|情况|氛围|格局|局面)"
    r"|" + _WANTS_CONSEQUENCE
)
# "由哪个部门负责", "哪个单位制定的": a body is asked; a passage naming none does not answer.
_WANTS_BODY_RE = re.compile(
    r"(?:哪个|哪些|哪一个|什么|哪家)(?:部门|单位|机构|机关|公司|企业)|哪一?级(?:党委|政府|部门|组织)"
)
_BODY_RE = re.compile(r"部门|组织部|县委|市委|省委|党委|政府|财政|局|办公室|委员会|领导小组|工作队|公司|企业")


def states_body(text: str) -> bool:
    """``text`` names a body that can do or decide something (组织部门, 县委, 财政局, 办公室)."""
    return _BODY_RE.search(text) is not None


# "什么时候发放", "何时召开": when something happens is asked (a date or a time of year answers).
# A name a programme or method goes by: a quoted term ("“整乡提升、整县推进”三年行动计划", "《摆脱贫困》")
# or a coined one ("党员先锋指数管理模式").
_NAME_RE = re.compile(
    r"[“\"《][^”\"》]{2,30}[”\"》]|[\u4e00-\u9fff]{2,10}(?:模式|机制|体系|工程|计划|行动|品牌|战法|工作法)"
)


# "班长一般由什么人担任", "校长由谁来当": who holds a post is asked.
_WANTS_HOLDER_RE = re.compile(r"(?:什么人|谁|哪些人|哪个人|啥人)(?:来)?(?:担任|兼任|出任|当)")
_HOLDER_RE = re.compile(r"担任|兼任|出任|[由以][^，。；,;]{1,16}?任")


def states_holder(text: str) -> bool:
    """Does ``text`` say who holds a post ("由市四大班子成员任指挥长", "兼任村委会主任")?"""
    return _HOLDER_RE.search(text) is not None


def states_name(text: str) -> bool:
    """Does ``text`` give something a name (a quoted term, or a coined one ending in 模式, 机制 …)?"""
    return _NAME_RE.search(text) is not None


_WANTS_WHEN_RE = re.compile(r"什么时候|什么时间|何时|啥时候|哪个时候")
# "组织生活会几季度开": which quarter is a time of the year, neither a count nor a period.
_WHICH_QUARTER_RE = re.compile(r"(?<!每)(?:几|哪个|哪一|第几)季度")
_TIME_WORD_RE = re.compile(
    r"第[一二三四1-4]季度|[年月]底|[年月]初|[年月]末|年中|上半年|下半年|每[年月周]|每季度|月份|春节|节前|节后"
    r"|当天|之前|以前|以后|之后|期间"
)
# "哪年出台的", "定在哪天", "几月印发": a date is asked; a passage stating none does not answer.
_WANTS_DATE_RE = re.compile(r"哪一?年|(?<!每月)(?<!每个月)(?<!每周)哪一?天|哪个月|几月|几号|何年|哪年哪月")
_DATE_RE = re.compile(r"(?<!\d)(?:19|20)\d{2}\s*年|(?<!\d)(?:19|20)\d{2}[-/.]\d{1,2}|\d{1,2}\s*月\s*\d{0,2}")
# "换届是几年一次", "支委会几个月开一次": how many years or months between two times asks how often.
_EVERY_FEW = r"几(?:年|个月|周|天|个星期)(?:开|搞|办|换|举行|召开)?(?:一次|一届|一回)"
_WANTS_FREQUENCY_RE = re.compile(
    r"多久|几次|频次|频率|节奏|多长时间|隔多久|每隔|一年开几|多少次|时间上|次\s*/\s*[周月季年]"
    r"|" + _EVERY_FEW
)
_Q_CLASSIFIER_RE = re.compile(r"(?:几|多少)(个|期|项|条|种|类|份|件|批|场|所|家|户|座|对|头|只)")
# "还有多少贫困村没有集体收入": villages are counted (个), not yuan, though 收入 is named.
_Q_COUNTED_VILLAGES_RE = re.compile(
    r"(?:几|多少)个?(?:贫困|行政|重点|先进|示范|软弱涣散|空壳|薄弱|建档立卡)?(?:村|社区)"
    r"(?!干部|书记|支书|主任|医|集体|级|民)"
)
_HOW_OFTEN_RE = re.compile(r"多久|频次|频率|节奏|多长时间|隔多久|每隔|时间上|次\s*/\s*[周月季年]|" + _EVERY_FEW)
# How often, whatever the verb; "在时间上有什么要求" asks when a recurring activity is held.
_EXPLICIT_FREQUENCY_RE = re.compile(r"频次|频率|节奏|隔多久|每隔|时间上|次\s*/\s*[周月季年]")
# "每个月搞一次还是每季度搞一次": a choice between periods asks how often.
_PERIOD_CHOICE_RE = re.compile(r"每个?(?:周|月|季度|年)[^，。？?]*还是[^，。？?]*每个?(?:周|月|季度|年)")
_DURATION_RE = re.compile(r"多久|多长时间")
# "党课时长", "开多长时间的会": the length of one occurrence is named.
_LASTS_RE = re.compile(r"时长|持续多久|持续多长")
# "任期几年", "歇职几个月", "多少天" closing the question: how long, in a unit of time (not "近几年",
# "管过几年党建工作", "哪几年", "几月印发").
_DURATION_ASK_RE = re.compile(
    # ("用几年见成效", "几年内完成": how long it takes)
    r"(?<![近这前后哪头过了])(?:几|多少)(?:年|个月|天|周|个星期)(?=[吗呢啊呀吧？?。！!\s]|$|见|内|才|就|完成|建成|实现)"
)
# "一次要歇多久": the how-long word closing the question asks for a duration (how often has "隔").
_ENDS_WITH_DURATION_RE = re.compile(r"(?<!隔)(?:多久|多长时间)[吗呢啊呀嘛哦？?。！!\s]*$")
# How-often questions are about something that recurs: a meeting held, a lesson given, an activity done.
_RECURRING_RE = re.compile(r"开|召开|举行|举办|搞|上|讲|办|过|一次|一回|几次|多少次|频次|频率|每隔|隔")
_WANTS_LIST_RE = re.compile(
    r"哪些|哪几|包括|包含|有什么|是什么|些(?:什么|啥)|是干什么的|有啥|是啥|指啥|指的是|指的啥|指的什么|指什么|什么是|分别|内容|哪[一二两三四五六七八九十\d]+|哪[“\"]"
)
# "第一条", "第二个方面" — but not "第一书记", a title.
# "哪几样", "哪几个方面": which items (a list), not how many; nor "那几个体系都是啥" (those items) or
# "好几个村", "村里几个党员" (several).
_WHICH_ITEMS_RE = re.compile(r"[哪那这好里]几[样个项条种类件点方面]*")
_COUNT_OF_ITEMS_RE = re.compile(r"几[样个项条种类件点方面]+")
# The name asked, in spoken.standard_question's form ("那个三年行动计划叫啥名堂" → "…名称是什么"), or
# "用的是什么战法", "叫什么模式": the name of a method of the kind named.
_WANTS_NAME_RE = re.compile(r"名称是什么|什么(?:样的)?(模式|战法|品牌|工作法|打法)")


def name_kind(question: str) -> str | None:
    """The kind of name asked ("用的是什么战法" → 战法), or None."""
    m = _WANTS_NAME_RE.search(question)
    return m.group(1) if m else None

_WANTS_LOCATION_RE = re.compile(r"哪里|哪儿|哪些地方|什么地方|啥地方|在哪|何处|哪个地方")
# "有没有纳入财政预算", "是不是": a yes/no question (the A-not-A form) asks something other than a figure.
# "照着谁的工资定的" asks whose (a role), not a figure; "谁的待遇高" compares figures.
_OTHER_ASK_RE = re.compile(
    r"什么|啥|咋|如何|怎样|怎么|为什么|为何|哪|是否|能否|吗|([是能要会有])[不没]\1|谁(?!的[^，。？?；]{0,12}[多少高低])"
)
# "村干部工资怎么样": how a sum stands closing the question asks its level, a figure.
_LEVEL_ASK_RE = re.compile(r"(?:怎么样|怎样)[了啊呀呢]?(?=[\s，,？?。！!]|$)")
_ORDINAL_RE = re.compile(r"第([一二三四五六七八九十\d]+)(?:条|个|项|点|种|步|是|部分|方面|招)(?!书记)")
# "“五抓五促”的最后一条": the last item of a numbered concept is its count-th ("五…" → 5).
_LAST_ITEM_RE = re.compile(r"最后一?(?:条|个|项|点|种|步|方面|招)")
_COUNTED_CONCEPT_RE = re.compile(r"[“\"]([一二两三四五六七八九十])[^”\"]{1,8}[”\"]")
_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}

_Q_PERIOD = (
    (re.compile(r"一个?月|每个?月|月薪|月工资|每月|按月|一月"), "month"),
    (re.compile(r"一个?季度|每个?季度|季度"), "quarter"),
    (re.compile(r"一年|每年|年薪|全年|年工资|每一年|年度|一年能"), "year"),
)
SCORE = "分"  # points of a score ("多少分以上"); stated as "90分", never as "百分制"
_SCORE_STATED_RE = re.compile(r"\d+(?:\.\d+)?\s*分(?![之钟])")


def states_score(text: str) -> bool:
    """Does ``text`` state a number of points ("90分以上")?"""
    return _SCORE_STATED_RE.search(text) is not None


_Q_UNITS = (
    (re.compile(r"比例|百分之|百分比|几成|利率"), "%"),  # before 多大: "占多大比例" asks a share
    # ("多大规模", "多大力度" ask how big in other terms than area)
    (re.compile(r"平方米|面积|多大(?!规模|力度|作用|变化|影响|年纪|岁数)"), "平方米"),
    (re.compile(r"人次"), "人次"),
    (re.compile(r"(?:多少|几)分(?![之钟制])|分数线"), SCORE),  # "多少分以上能评为先锋党员": points
    (re.compile(r"几名|多少名|多少人|几个人|几人|多少干部|多少党员|人口(?:数)?[有是还共]*(?:多少|几)|人数"), "人"),
    # "多少扶持钱": the money word may follow a few characters after 多少.
    (
        re.compile(r"多少[^，。？?\s]{0,4}钱|多少元|几元|[拿挣领交缴补]多少|缴纳多少|花了?多少|多[拿挣领]|工资|报酬|待遇|补贴|补助|津贴|经费|资金|保额|保费"
                   r"|贷款|利息|贴息|收入|金额|标准|租金"),
        "元",
    ),
)


# Words naming a sum of money; a how-much question about one wants the amount stated next to it.
MONEY_WORDS = (
    "工资", "报酬", "待遇", "薪酬", "薪水", "补贴", "补助", "津贴",
    "经费", "资金", "保额", "保费", "贷款", "利息", "贴息", "奖励", "奖金", "拨款", "租金",
    "保险",  # "养老保险交多少": what is paid for the insurance
)


def is_ordinal_word(word: str) -> bool:
    """"第二条", "第三个": the item asked for, which :func:`question_needs` reads; not a topic word."""
    return _ORDINAL_RE.fullmatch(word) is not None


def is_money_word(word: str) -> bool:
    """"工作经费", "津贴", "基本报酬": a word that names (or ends in) a sum of money."""
    return any(word.endswith(m) for m in MONEY_WORDS)


@dataclass(frozen=True, slots=True)
class QuestionNeeds:
    """What kind of answer a question asks for."""

    number: bool = False  # 多少 / 几 / 比例 …: prefer passages stating an amount
    frequency: bool = False  # 多久 / 几次: prefer passages stating how often
    listing: bool = False  # 哪些 / 包括 / 是什么: the whole enumerating clause is the fact
    period: Period | None = None
    unit: str | None = None  # '元', '人', '%', '平方米'
    ordinal: int | None = None  # 第一条 → 1
    location: bool = False  # 哪里 / 什么地方: the clause naming where is the fact
    years: tuple[str, ...] = ()  # years the question names ("2017"): the answer must state them
    date: bool = False  # 哪年 / 哪天 / 几月: the answer must state a date
    when: bool = False  # 什么时候 / 何时: the answer must say when (a date, a season, a time of year)
    effect: bool = False  # 为什么 / 起到什么作用 / 解决什么问题: the clause giving the purpose or effect
    # A figure the asker heard and wants checked ("听说每月3000元，对吧" → "3000元"): it is asked for, not a
    # topic the passage must share.
    claims: tuple[str, ...] = ()
    body: bool = False  # 由哪个部门 / 哪个单位: the answer names a body (组织部门, 县委, 财政局)
    name: bool = False  # 叫什么名堂 / 怎么概括: the name a programme or method goes by ("整乡提升、整县推进")
    holder: bool = False  # 由谁担任 / 什么人当: who holds a post ("由市四大班子成员任指挥长")
    head_count: int | None = None  # the asker's own head count ("我们支部正式党员才5个"), for rules on one


# "…，是真的吗", "…对吧", "没错吧", "准不准": the asker states something and wants it checked.
_CHECK_RE = re.compile(
    # (spoken.standard_question has dropped the closing 吧 of "对吧" by the time this reads it)
    r"(?:是真的|真的|对|没错|是这样|属实|准确|(?<![标水])准|没记错|有这回事|有这事|靠谱|对不对|准不准|是不是|真的假的|是真是假)"
    r"[吗吧么嘛]?[？?。！!\s]*$"
)
_STANDARD_ASK_RE = re.compile(r"标准\s*(?:是|为)?\s*(?:什么|啥|多少)|标准\s*(?:是)?\s*(?:怎么|如何|咋)\s*(?:规定|定)")
# A heard duration ("歇职最长能歇半年"): amounts_in reads counts and sums only.
_CLAIMED_DURATION_RE = re.compile(
    r"半(?:个月|年)|(?<![每一])(?:[一二两三四五六七八九十\d]+)(?:个月|年|天|周)(?!以来|底|初|末)"
)


_DURATION_STATED_RE = re.compile(
    r"(?<!\d)(?:\d{1,2}|[一二两三四五六七八九十半]+)\s*(?:个月|年|天|周)(?!以来|底|初|末|前|后)"
)
DURATION = "时长"  # the unit of a heard duration ("期限3年，对吧")


_QUESTION_CLAUSE_RE = re.compile(r"[^，,；;。？?！!\s]+")


def effect_ask(question: str) -> str | None:
    """The clause of ``question`` asking for a purpose or an effect ("…活动以后，化解矛盾纠纷方面有什么成效"
    → "化解矛盾纠纷方面有什么成效"); None when it asks for neither."""
    return next(
        (c for c in reversed(_QUESTION_CLAUSE_RE.findall(question)) if _WANTS_EFFECT_RE.search(c)), None
    )


def asks_consequence(question: str) -> bool:
    """``question`` asks what follows from a condition ("帮扶不力的书记会咋样")."""
    return _WANTS_CONSEQUENCE_RE.search(question) is not None


_EFFECT_WORDS = frozenset({"作用", "成效", "效果", "变化", "好处", "成果", "原因", "目的", "影响"})


def asks_effect_word(word: str) -> bool:
    """``word`` is part of the asking for an effect ("作用", "成效", "为什么"), not a topic."""
    return word in _EFFECT_WORDS or _WANTS_EFFECT_RE.search(word) is not None


def states_duration(text: str) -> bool:
    """True when ``text`` states a length of time ("1至3个月", "半年"; not a year such as "2016年")."""
    return _DURATION_STATED_RE.search(text) is not None


# "津贴每月是不是500元", "党小组是291个吗", "有没有1500人": a yes/no question about a figure checks it.
_YES_NO_FIGURE_RE = re.compile(r"(?:是不是|是否|有没有)[^，,。？?；;]{0,4}\d|\d[^，,。？?；;]{0,6}[吗么][？?。！!\s]*$")


def claimed_figures(question: str) -> tuple[str, ...]:
    """The figures a checking question states ("听说宁德提拔了500名乡镇干部，没错吧" → ("500名",)); empty
    when the question checks nothing or states no figure."""
    if not _CHECK_RE.search(question):
        if (yes_no := _YES_NO_FIGURE_RE.search(question)) is None:
            return ()
        # The figure checked is the one asked about ("43个贫困村里还有20个吗" checks 20个), not the
        # figures setting the scene before it.
        heard = [a.text for a in amounts_in(question[yes_no.start() :])]
        return tuple(heard[-1:])
    found = tuple(a.text for a in amounts_in(question))
    return found or tuple(m.group(0) for m in _CLAIMED_DURATION_RE.finditer(_YEAR_RE.sub("", question)))


# "支委会是不是一个季度开一次就够了", "党课每月上一次对吗": how often the asker heard it is held — checked,
# not a topic word the answer must share (a wrong one would pull the passage about another meeting).
_HEARD_FREQUENCY_RE = re.compile(
    r"(?:是不是|是否|不是|只要|只需)\s*((?:一个|每个?|一)(?:季度|月|年|周|星期|季))[^，,。？?！!]{0,4}?一次"
    r"|((?:一个|每个?|一)(?:季度|月|年|周|星期|季))[^，,。？?！!]{0,4}?一次(?:就够|就行|就可以|可以|行|对|是不是|吗)"
)


def heard_frequency(question: str) -> str | None:
    """The period of a frequency the question checks ("一个季度" of "是不是一个季度开一次就够了"), or None."""
    m = _HEARD_FREQUENCY_RE.search(question)
    return (m.group(1) or m.group(2)) if m else None


def is_claimed(token: str, claims: tuple[str, ...]) -> bool:
    """Is question word ``token`` (part of) a heard figure: "3000" of "3000元", "半年"?"""
    figure = any(ch.isdigit() or ch in "零一二两三四五六七八九十百千万亿半" for ch in token)
    return figure and any(token in claim for claim in claims)


_CN_MULTIPLIERS = {"十": 10, "百": 100, "千": 1000}
_CN_NUMERAL_RE = re.compile(r"([零一二两三四五六七八九十百千]+)(万|亿)?")


def cn_numeral_value(text: str) -> int | None:
    """The value of a Chinese numeral ("十万" → 100000, "两千五百" → 2500, "三百" → 300); None if not one."""
    m = _CN_NUMERAL_RE.fullmatch(text)
    if not m:
        return None
    total = current = 0
    for ch in m.group(1):
        if ch in _CN_MULTIPLIERS:
            total += (current or 1) * _CN_MULTIPLIERS[ch]
            current = 0
        else:
            current = 0 if ch == "零" else _CN_DIGITS["二" if ch == "两" else ch]
    total += current
    if m.group(2):
        total *= 10_000 if m.group(2) == "万" else 100_000_000
    return total


_CN_ADVERBS = frozenset({"千万", "万万", "千千万万", "十万火急"})  # "千万不能": never, not an amount


def arabic_amount(token: str) -> str | None:
    """A question word written in Chinese numerals, in the documents' Arabic form: "十万" → "10万",
    "两千" → "2000", "三十名" → "30名". None when ``token`` is not a multi-character numeral amount.

    Only numerals with a multiplier (十百千万亿) are rewritten: "一名", "三会一课", "四下基层" keep theirs.
    """
    m = re.fullmatch(r"([零一二两三四五六七八九十百千万亿]{2,})(元|名|人|户|个|家|亩|平方米)?", token)
    if not m or not any(ch in "十百千万亿" for ch in m.group(1)) or token in _CN_ADVERBS:
        return None
    word, unit = m.group(1), m.group(2) or ""
    if word[-1] in "万亿" and (value := cn_numeral_value(word[:-1])) is not None:
        return f"{value}{word[-1]}{unit}"  # "十万" → "10万": the documents write "10万元"
    value = cn_numeral_value(word)
    return None if value is None else f"{value}{unit}"


def _cn_to_int(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    if text in _CN_DIGITS:
        return _CN_DIGITS[text]
    if len(text) == 2 and text[0] == "十" and text[1] in _CN_DIGITS:
        return 10 + _CN_DIGITS[text[1]]
    return None


def question_needs(question: str) -> QuestionNeeds:
    """Classify a question: does it want an amount, a frequency, a list, a period or an ordinal item?"""
    date = _WANTS_DATE_RE.search(question) is not None
    # "哪一年出台的" asks for a date: neither a period ("一年") nor an item ("哪一").
    question = _WANTS_DATE_RE.sub("", question)
    which_quarter = _WHICH_QUARTER_RE.search(question) is not None
    question = _WHICH_QUARTER_RE.sub("", question)
    period: Period | None = None
    for pattern, value in _Q_PERIOD:
        if pattern.search(question):
            period = value  # type: ignore[assignment]
            break
    unit = next((u for pattern, u in _Q_UNITS if pattern.search(question)), None)
    counted = _Q_CLASSIFIER_RE.search(question) or _Q_COUNTED_VILLAGES_RE.search(question)
    if counted and unit in (None, "元"):
        # "几个专题" wants "12个", not "220余期"; "几个村没有集体经济收入" counts villages, not yuan.
        unit = counted.group(1) if counted.lastindex else "个"
    frequency = bool(_WANTS_FREQUENCY_RE.search(question))
    if _PERIOD_CHOICE_RE.search(question):
        return QuestionNeeds(frequency=True)
    if frequency and period is None and not _HOW_OFTEN_RE.search(question):
        # "化解了多少次矛盾纠纷" counts occurrences; only "一年开几次" / "多久开一次" asks how often.
        frequency = False
    if (
        frequency
        and not _EXPLICIT_FREQUENCY_RE.search(question)
        and (not _RECURRING_RE.search(question) or _ENDS_WITH_DURATION_RE.search(question))
    ):
        # "歇职多久" asks how long (a duration: "1至3个月"), not how often.
        frequency = False
    ordinal_match = _ORDINAL_RE.search(question)
    ordinal = _cn_to_int(ordinal_match.group(1)) if ordinal_match else None
    if ordinal is None and _LAST_ITEM_RE.search(question):
        concept = _COUNTED_CONCEPT_RE.search(question)
        ordinal = cn_numeral_value(concept.group(1)) if concept else None
    # "“四件套”听说是棉大衣、棉鞋、棉被和电热毯，是不是": a heard list is checked against the document's.
    name = _WANTS_NAME_RE.search(question) is not None
    listing = not name and (
        bool(_WANTS_LIST_RE.search(question))
        or (_CHECK_RE.search(question) is not None and question.count("、") >= 2)
    )
    # "两委委员待遇" asks for an amount even without 多少: money words want a figure unless the question
    # asks something else (what, how, which).
    # "…是照副乡镇长工资定的？真的假的" checks a statement; it asks for a figure only if it states one.
    other_ask = (
        date
        or _OTHER_ASK_RE.search(_LEVEL_ASK_RE.sub("", question)) is not None
        or _CHECK_RE.search(question) is not None
    )
    money_only = unit == "元" and not listing and not other_ask
    claims = claimed_figures(question)
    # "津贴的发放标准是什么": the standard of a sum of money is a figure ("“五好”标准是什么" is a list).
    money_standard = _STANDARD_ASK_RE.search(question) is not None and any(m in question for m in MONEY_WORDS)
    if _DURATION_ASK_RE.search(question) and not date:
        unit = DURATION  # "任职期限规定为几年": a length of time, not "2014年以来"
    if _LASTS_RE.search(question):
        # "党课时长，要讲多长时间一次": how long one lasts, not how often it is held.
        unit, frequency = DURATION, False
    if claims:
        # "…每月3000元，对吧" asks for a sum in yuan, "…500名，没错吧" for a head count, "党费按收入的0.5%交"
        # for a share (收入 notwithstanding): the heard figure says what kind of figure is asked.
        heard = next(iter(amounts_in(claims[0])), None)
        # "歇职最长能歇半年，是真的吗" asks a length of time; "没有集体经济收入的还有20个吗" counts villages,
        # whatever money word the question names.
        unit = (
            DURATION
            if heard is None
            else next((u for u in ("元", "人", "%") if unit_matches(heard, u)), None)
        )
    if heard_period := heard_frequency(question):
        # "党小组会一个月开一次对吗" checks how often it is held: neither a length of time nor an amount.
        frequency, unit = True, None
        claims = tuple(c for c in claims if c not in heard_period and heard_period not in c)
    return QuestionNeeds(
        number=(
            # "靠几个杠杆撬动集体经济 具体是啥": the list asked for tells how many too.
            bool(_WANTS_NUMBER_RE.search((_COUNT_OF_ITEMS_RE if listing else _WHICH_ITEMS_RE).sub("", question)))
            or (not other_ask and _NAMES_A_FIGURE_RE.search(question) is not None)
            or _FIGURE_CHANGE_RE.search(question) is not None
            or money_only
            or _DURATION_RE.search(question) is not None
            or unit == DURATION
            or bool(claims)
            or money_standard
        )
        and not frequency,
        frequency=frequency,
        listing=listing,
        period=period,
        unit=unit,
        ordinal=ordinal,
        location=bool(_WANTS_LOCATION_RE.search(question)),
        years=tuple(dict.fromkeys(_YEAR_RE.findall(question))),
        date=date,
        when=not date and (which_quarter or _WANTS_WHEN_RE.search(question) is not None),
        effect=_WANTS_EFFECT_RE.search(question) is not None,
        claims=claims,
        body=_WANTS_BODY_RE.search(question) is not None,
        name=name,
        holder=_WANTS_HOLDER_RE.search(question) is not None,
        head_count=_head_count(question),
    )


@dataclass(frozen=True, slots=True)
class Amount:
    """An amount stated in a text: its span, unit and (when stated nearby) its period."""

    start: int
    end: int
    text: str
    unit: str
    period: Period | None


_PERIOD_BEFORE = (
    (re.compile(r"(每月|月均|每个月|按月|月工资|月薪)[^，。；,;]{0,12}$"), "month"),
    (re.compile(r"(每季度|每个季度)[^，。；,;]{0,12}$"), "quarter"),
    (re.compile(r"(每年|年均|每一年|全年|年薪|年工资)[^，。；,;]{0,12}$"), "year"),
)


# Amounts written in Chinese numerals: "百分之三十", "两万元", "三十名", "半数".
_CN_NUM = "零一二两三四五六七八九十百千万亿"
CN_AMOUNT_RE = re.compile(
    rf"百分之[{_CN_NUM}]+|[{_CN_NUM}]{{2,}}(?:多|余)?(?:万元|亿元|元|名|人|户|个|平方米)|[一二两三四五六七八九]成"
    # shares in words: "半数", "过半", "三分之二"
    rf"|半数|过半(?!数)|[一二三四五六七八九十]分之[{_CN_NUM}]+"
)


def amounts_in(text: str) -> list[Amount]:
    """Every amount (number with a unit of quantity) in ``text``, with the period stated next to it."""
    found: list[Amount] = []
    for m in CN_AMOUNT_RE.finditer(text):
        word = m.group(0)
        if word.startswith("百分之") or word.endswith("成") or "半" in word or "分之" in word:
            unit = "%"
        else:
            unit = next(u for u in ("万元", "亿元", "元", "平方米", "名", "人", "户", "个") if word.endswith(u))
        found.append(Amount(m.start(), m.end(), word, unit, None))
    for m in AMOUNT_RE.finditer(text):
        unit = m.group("unit")
        if m.group("scale") and unit in {"元", "人", "人次"}:
            unit = m.group("scale") + unit  # "6.3万余人次" counts 人次, "4000余万元" yuan
        per = (m.group("per") or "").replace(" ", "")
        period: Period | None = None
        if per.endswith("年"):
            period = "year"
        elif per.endswith("月"):
            period = "month"
        else:
            before = text[max(0, m.start() - 16) : m.start()]
            for pattern, value in _PERIOD_BEFORE:
                if pattern.search(before):
                    period = value  # type: ignore[assignment]
                    break
        found.append(Amount(m.start(), m.end(), m.group(0), unit, period))
    return found


_FREQUENCY_RE = re.compile(
    r"每(?:个)?(?:月|季度|年|半年|周)[^，。；]{0,6}(?:一|1|两|2|至少)|(?:一般|至少|不少于)[^，。；]{0,8}(?:一|1|两|2)次|"
    r"每(?:个)?(?:月|季度|年|半年)召开|每(?:个)?(?:月|季度|年)"
    # A schedule written as a list: "一月随访、一季督促、半年考核", "日提醒、周通报、月约谈".
    r"|(?:一[周月季年]|半年|[日周月季])[\u4e00-\u9fff]{2}、(?:一[周月季年]|半年|[日周月季年])"
)


# A clause saying where: "分散居住在高寒山区", "在村民组建立党小组", "到村(社区)任职".
_LOCATION_RE = re.compile(
    r"(?:在|到|于|向|分布|集中|居住)[^，。；,;]{0,10}?(?:山区|地区|区域|片区|村|社区|乡|镇|县|市|省|街道|一线|基层|边远)"
)


def states_location(text: str) -> bool:
    """True when ``text`` says where something is or happens."""
    return bool(_LOCATION_RE.search(text))


def states_time(text: str) -> bool:
    """True when ``text`` says when: a date, or a time of the year or month ("第四季度", "年底", "每月")."""
    return states_date(text) or _TIME_WORD_RE.search(text) is not None


def states_date(text: str) -> bool:
    """True when ``text`` states a date: a year ("2015年"), a month ("6月") or a written date."""
    return _DATE_RE.search(text) is not None


def states_frequency(text: str) -> bool:
    """True when ``text`` says how often something happens (每月一次, 每季度至少1次 …)."""
    return bool(_FREQUENCY_RE.search(text))


_VALUE_RE = re.compile(r"(\d+(?:\.\d+)?|[零一二两三四五六七八九十百千]+)\s*(万|亿)?")


def amount_value(amount: Amount) -> float | None:
    """The number an amount states, in its base unit ("3.876万元" → 38760, "五百名" → 500, "半数" → 50)."""
    if "半" in amount.text:
        return 50.0
    if "分之" in amount.text:
        denominator, numerator = (cn_numeral_value(part) for part in amount.text.split("分之"))
        return None if not denominator or numerator is None else 100.0 * numerator / denominator
    m = _VALUE_RE.search(amount.text)
    if m is None:
        return None
    number = float(m.group(1)) if m.group(1)[0].isdigit() else cn_numeral_value(m.group(1))
    if number is None:
        return None
    return number * {"万": 10_000, "亿": 100_000_000}.get(m.group(2) or "", 1)


def check_verdict(claims: tuple[str, ...], fact: str) -> bool | None:
    """Does ``fact`` state the heard figure (True), another figure of its kind (False), or neither
    (None: no figure to compare, as for "半年" against "1至3个月")? The fact's last amount of that unit
    is its figure ("由原来的每月2000元提高到4200元" states 4200元)."""
    heard = [a for claim in claims for a in amounts_in(claim)]
    if not heard:
        return None
    stated = [a for a in amounts_in(fact) if unit_matches(a, _base_unit(heard[0].unit))]
    if not stated:
        return None
    return amount_value(stated[-1]) in {amount_value(a) for a in heard}


def _base_unit(unit: str) -> str | None:
    """The unit a question would ask for: 元 for 万元, 人 for 名; None for a plain count."""
    return next((u for u in ("元", "人", "%") if unit_matches(Amount(0, 0, "", unit, None), u)), unit)


def unit_matches(amount: Amount, unit: str | None) -> bool:
    """Does ``amount`` have the unit a question asked for (元 covers 万元/亿元; 人 covers 名)?"""
    if unit is None:
        return True
    if unit == "元":
        return amount.unit in {"元", "万元", "亿元", "千元", "万"}
    if unit == "人":
        return amount.unit in {"人", "名", "万人", "人次", "万人次"}
    if unit == "人次":  # "培训了多少人次" is also answered by "实训9000余次"
        return amount.unit in {"人次", "万人次", "次", "人", "名"}
    if unit == "%":
        return amount.unit in {"%", "％"}
    if unit == "户":
        return amount.unit in {"户", "万户"}
    return amount.unit == unit


# "第五批", "第四届", "第二轮": an ordinal of a batch, term or round.
_BATCH_RE = re.compile(r"第[一二三四五六七八九十百\d]+(批|届|轮|期)")


def names_other_ordinal(question: str, text: str, said: frozenset[str] = frozenset()) -> bool:
    """Does ``text`` name another batch (term, round) than the one ``question`` names, and not that one?
    ("第五批驻村第一书记筹了多少" is not answered by what the 第四批 raised.) Batches in ``said`` are the
    asker's background ("我是第五批第一书记，想问问第四批…"), not what is asked."""
    for asked in _BATCH_RE.finditer(question):
        if asked.group() in said or asked.group() in text:
            continue
        if any(m.group(1) == asked.group(1) for m in _BATCH_RE.finditer(text)):
            return True
    return False


def states_amount_in(text: str, unit: str) -> bool:
    """Does ``text`` state an amount in ``unit`` (a head count, a sum, a share)?"""
    return any(unit_matches(a, unit) for a in amounts_in(text))


# "我们支部正式党员才5个", "只有五名党员": a head count the asker states about their own case.
_HEAD_COUNT_RE = re.compile(
    r"([一二两三四五六七八九十\d]+)\s*(?:个|名|位)?(?:正式)?(?:党员|人)"
    r"|党员[^，,。？?]{0,3}?([一二两三四五六七八九十\d]+)\s*(?:个|名|位|人)"
)
# A rule's condition on a head count: "7人以上", "不足7人", "50名以下", "超过100人".
_THRESHOLD_RE = re.compile(
    r"(\d+)\s*[人名](及?以上|以下)|(不足|少于|不到|不满|超过|多于|满)\s*(\d+)\s*[人名]"
)


def _head_count(question: str) -> int | None:
    """The head count a question states about the asker's own case ("正式党员才5个" → 5), or None."""
    asked = _HEAD_COUNT_RE.search(question)
    return _cn_to_int(asked.group(1) or asked.group(2)) if asked else None


def head_count_fits(count: int, text: str) -> bool | None:
    """Does the asker's head ``count`` meet the condition ``text`` sets on it (5 vs "正式党员7人以上的党支部…"
    → False, vs "不足7人的党支部…" → True)? None when ``text`` sets none."""
    rule = _THRESHOLD_RE.search(text)
    if rule is None:
        return None
    n = count
    if rule.group(1):
        m = int(rule.group(1))
        return n >= m if rule.group(2).endswith("以上") else n <= m
    m = int(rule.group(4))
    op = rule.group(3)
    if op in ("超过", "多于"):
        return n > m
    if op == "满":
        return n >= m
    return n < m
