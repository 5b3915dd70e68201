"""Regional and spoken question forms rewritten to the standard forms the question readers know.

Cadres in the south-west (Yunnan, Guizhou, Sichuan, western Hubei — where most of our documents come
from) ask "开一回要隔好久", "拿好多钱", "有啥子路子", "有没得": the same questions as "隔多久", "多少钱",
"什么路子", "有没有". Rather than teach every reader (numbers, gate, lexicon) each regional word, a
question is put in its standard form once, before it is read. Only question forms are rewritten; the
words that carry the topic are left as typed.
"""

from __future__ import annotations

import re
from collections.abc import Callable

# A yes/no frame ("是不是好多村都…", "好多人都说…吗"): there 好多 means "many", not "how many".
_YES_NO_FRAME_RE = re.compile(r"是不是|是否|吗|难道|听说")
# 好多 / 好久 / 好大 / 好长 ask "how many / how long / how big" in south-western Mandarin ("拿好多钱",
# "隔好久开一回"). Not when an intensifier follows ("好多好多") or it opens a statement ("好多年前").
_HOW_MUCH_RE = re.compile(r"(?<!好多)好(多|久|大|长)(?!好|年前)")
_HOW_MUCH = {"多": "多少", "久": "多久", "大": "多大", "长": "多长"}
# Where a statement ends and more follows ("…外出打工。六盘水…"); the split keeps the full stop.
_STATEMENT_END_RE = re.compile(r"(?<=[。！!])(?=.*\S)")
_REWRITES: tuple[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]], ...] = (
    # North-eastern "嘎哈" / "干哈" (what for, what): "贷款嘎哈了", "三个杠杆是嘎哈的".
    (re.compile(r"嘎哈|干哈"), "干什么"),
    # 有啥子路子 / 发啥东西 → 有什么路子 / 发什么东西 (jieba glues "发啥" into one word).
    (re.compile(r"啥子|么子|啥"), "什么"),
    (re.compile(r"咋样子?"), "怎么样"),
    (re.compile(r"叫个"), "叫"),  # 叫个什么名堂 → 叫什么名堂
    # "那个行动计划叫啥名堂", "是怎么概括的", "完整叫法是什么": the name a programme or a method goes by, in
    # one standard form (numbers.question_needs reads it as a name asked). A person's name ("市委书记叫什么
    # 名字") is left as asked: the documents name no office-holders, and 名字 stays a topic word they lack.
    (
        re.compile(
            r"(?<![记长人员任者官导部谁])叫什么(?:名字|名称|名堂|名)|(?<![记长人员任者官导部谁])叫什么(?=[\s，,。？?！!]|$)"
            r"|(?:的|是)?怎么 ?(?:概括|称呼|叫)的?|(?:完整|具体|正式)?(?:的)?叫法(?:是什么|叫什么)?"
        ),
        "名称是什么",
    ),
    # "叫什么模式": the kind of name is a topic word (模式), the ask is what it is.
    (re.compile(r"(?<![记长人员任者官导部谁])叫什么"), "是什么"),
    (re.compile(r"咋个|咋子|咋"), "怎么"),  # 咋个搞 → 怎么搞
    # jieba glues a how-word to its verb ("怎么弄", "怎么整" one word), hiding the verb: keep them apart.
    (re.compile(r"(怎么|怎样|如何)(?![样么])"), r"\1 "),
    # Northern "咋整的", "整了啥": 整 is the all-purpose "do" of what was done. "软弱涣散的支部咋整"
    # (what to do about it) keeps its 整, which reads 整顿.
    # "具体干了啥": the same do (a 干 alone is the verb asked in "书记主任能一人干不").
    (re.compile(r"(?<=怎么 )整(?=的|了)|(?<![完调规平修齐工统重])整(?=了?什么|出)|(?<![能肯苦实])干(?=了什么)"), "搞"),
    # "砸了多钱": northern 多钱 is 多少钱 (not the 多钱 of 好多钱, read below).
    (re.compile(r"(?<![好多])多钱"), "多少钱"),
    (re.compile(r"莫得|没得|冇得"), "没有"),  # 有没得 / 莫得收入 → 有没有 / 没有收入
    (re.compile(r"([一几两\d])回"), r"\1次"),  # 开一回 / 一年几回 → 开一次 / 几次
    (re.compile(r"上头"), "上面"),  # 上头补不补 → 上面补不补 (上面 names no topic)
    # "上面对驻村干部有啥照顾": jieba would cut 上|面对 (to face).
    (re.compile(r"上面(?=对)"), "上面 "),
    # "上面有发东西吗": jieba glues 有发 into one word, hiding the verb.
    (re.compile(r"有发(?=[东什钱啥补])"), "有 发"),
    # "要够几个人才能设": a head count before 才 ("only then"), which jieba would read as 人才 (talent).
    (re.compile(r"(几|多少|[\d一二两三四五六七八九十]+)(个|名)?人才(?=能|可以|可|算|够|行|设|开)"), r"\1\2人 才"),
    # Voice-input fillers ("支部党员大会呃一般多久开", "就是说", "你看"): they say nothing.
    (re.compile(r"[呃嗯]+|就是说|你看"), " "),
    # "咋个培训法" / "怎么个搞法": the method of doing it is asked by the verb alone.
    (re.compile(r"(怎么|怎样|如何) ?个?([\u4e00-\u9fff]{1,2}?)法(?![规律定子])"), r"\1 \2"),
    # "冷得很", "难得很": a degree complement ("very"); jieba would glue 得 to the word it follows.
    (re.compile(r"得很"), ""),
    # Sentence-final particles ("是哪五件事情嘛", "有没有哦"), which jieba glues to the word before; not the
    # 么 of 什么/怎么/那么/这么/多么/要么.
    (re.compile(r"(?<![什怎那这多要])[嘛啊呢哦么吧呀哈噻撒嘞咯哟喔]+(?=[\s，,。？?！!]|$)"), ""),
    # "考核评了个一般的党工委": a grade, as the documents write it (考核为“一般”等次), not 一般 "usually".
    (re.compile(r"(?:考核|述职|评议)(?:评了个|评为|评了|为|是|得了?个?)一般(?=的|等次)"), "考核为“一般”"),
    # "村支书是哪个(噻)": in the south-west 哪个 after a role, at the end, asks who (the particle is gone by
    # now); "第一条是哪个" asks which.
    (re.compile(r"(?<=[书记任长人导员]是)哪个(?=[\s，,。？?！!]*$)"), "谁"),
    # "述职考得差", "考核拉胯": a poor review, in the documents' word (考核).
    (re.compile(r"考得(?=差|不好|不行|好|一般)"), "考核"),
    (re.compile(r"拉胯"), "差"),
    # "考核排在后头", "排在最后": a poor place in the review, as the lexicon knows it (排名靠后).
    (re.compile(r"排(?:在|到|了)?(?:后头|后面|后边|最后|末尾)"), "排名靠后"),
    # "党建跟扶贫揉到一块": merged, in the documents' word (融合).
    (re.compile(r"[融揉捏拧合搅]到一块儿?|[融揉]为一体|[融揉]在一起"), "融合"),
    # "农产品往外卖": selling, not 外卖 (take-away food) as jieba would read it.
    (re.compile(r"往外卖|卖出去|卖到外面"), "销售"),
    # "后来又加了多少": the sum added is asked; 后来 only tells it came later (the documents say 再新增).
    (re.compile(r"后来(?=又?(?:加|增|追加|涨))"), ""),
    # "3会1课", "4个体系是指啥": the documents write a counted concept's numbers in characters.
    (re.compile(r"3会1课"), "三会一课"),
    (
        re.compile(r"(?<![\d.])([2-9])(?=[个大项条][\u4e00-\u9fff]{2}(?:是|指|有哪|包括|分别|都是|具体))"),
        lambda m: "两三四五六七八九"[int(m.group(1)) - 2],
    ),
    # "社区跟村的…": 跟 joining two things is 和; jieba would glue it to the next word ("跟村"), making a
    # topic word no passage states. Not the verb (跟踪, 跟进, 跟班, 跟着, 跟上).
    (re.compile(r"(?<=[\u4e00-\u9fff])跟(?=[\u4e00-\u9fff])(?![踪进班随着上前风紧帖单投])"), "和"),
    # "社区跟村的办公经费各给多少", "各花了多少钱": each of the things named, as the documents' 分别 (a
    # stopword) — jieba would glue 各 to the verb ("各给") and make it a topic word no passage states.
    # Not 各地 / 各村 / 各级, which name the places.
    (re.compile(r"各(?=[是给花拿发补为有占配建投要])"), "分别"),
    # "别的县咋弄的", "别人都咋搞的": how it is done elsewhere is asked at large (no place, no person);
    # 各地 (a stopword) keeps the sign that other places' practice is asked (Lexicon.background_tokens).
    (re.compile(r"别的(?:县|市|地方|村|乡镇|地区)|别处|外地|其[他它]地方"), "各地"),
    (re.compile(r"别人家?"), ""),
    # "一般都是放在啥时候开", "放在一年里哪个时候开", "放第几季度": when it is held.
    (
        re.compile(
            r"放(?:在|到)?(?=(?:一年里|一年中|一年当中|每年)?(?:什么时候|哪个?时候|哪个?月|几月|哪个?季度|"
            r"第?几个?季度))"
        ),
        "在",
    ),
    # "三会一课说了半天到底是哪几个会": "after all that talk", a filler ("讲" would match 讲授).
    (re.compile(r"(?:说|讲|听)了?半天(?=[\u4e00-\u9fff]*(?:到底|究竟|还是|也))"), ""),
    # "到村当一书": cadres' shorthand for 第一书记.
    (re.compile(r"(?<![第统唯])一书(?![记法本籍])"), "第一书记"),
    # "尖刀班搞了多大规模": how big is how many (规模 is a word no passage states).
    (re.compile(r"(?:多大|多少)的?规模"), "多少"),
    # "要搞成啥样才算达标": the standard asked, in the documents' word (标准).
    (re.compile(r"(?:什么样|怎么样|啥样)(?:子)?才?(?:算|能算|叫|够)(?:达标|合格)"), "达到什么标准"),
    # "有机会考进…": jieba cuts 有机|会考; the chance asked is a "can".
    (re.compile(r"有没有机会|有机会"), "能"),
    # "兼好几个职务": 好几 is "several", not "how many".
    (re.compile(r"好几(?=[个项种样名位次年])"), "多"),
    # "考得差会咋样", "党委会被咋处理": the modal 会 asks what follows; jieba would glue it to the word
    # before (差会, 党委会 "committee meeting"), so it is written as the word 将会 (a space would cut the
    # asking clause off its condition).
    (re.compile(r"(?<=[\u4e00-\u9fff])(?<!将)会(?=怎么样|被|受)"), "将会"),
    # "支委会多就开一次": 久 typed as 就 (就 is too common a character for the slip reader).
    (re.compile(r"多就(?=[开搞讲召上办过]|一次)"), "多久"),
    # "有奖有罚没", "有啥说法没": a closing 没 asks yes or no; jieba would glue it to the word before ("罚没").
    (re.compile(r"(?<=[\u4e00-\u9fff])(?<![还都也并从])没(?=[\s，,。？?！!]*$)"), "吗"),
    # "考核完了有奖惩吗": "once it is done", which names nothing (完 would be a topic word).
    (re.compile(r"(?<=[\u4e00-\u9fff])完了(?=[\u4e00-\u9fff])"), ""),
    # "目标定在哪一年": when it was set for, not how it was decided (定 would be a topic word).
    (re.compile(r"定在(?=哪|什么|几)"), "在"),
    # "主要靠哪些招", "有啥高招": the measures taken, in the documents' word.
    (re.compile(r"(哪些|什么|啥)(?:高|好|妙)?招(?:数|儿)?"), r"\1措施"),
    # "好的怎么奖差的怎么罚": jieba would glue the verb to the next clause's subject ("奖差").
    (re.compile(r"(?<=[么咋])\s?(奖|罚|惩)(?=[差好坏])"), r"\1 "),
    # "都讲些啥标准", "具体融些什么": which ones (jieba would glue 些 to the verb, "讲些").
    (re.compile(r"(?<=[\u4e00-\u9fff])(?<![一这那好])些(?:什么|啥)"), " 哪些"),
    # "支部要开的会都有哪几种": 会 alone is cut as a verb; the meetings are 会议.
    (re.compile(r"开的会(?=[都有是])"), "开的会议"),
    # "有啥数据", "经费上有啥数", "有没有啥数字": figures are asked, how many or how much.
    (re.compile(r"有(?:没有)?(?:什么|啥)(?:数据|数字|数)(?![额量目])"), "有多少"),
    # What the answer is for, said after the ask ("…能拿来宣传", "…有啥亮点可以写", "…能上墙的",
    # "…可以引用一下"): why it is asked, not what.
    (
        re.compile(
            r"(?:能|可以|好)(?:拿来|拿去|用来)?(?:宣传|写|上墙|上板报|引用|用)(?:一下)?的?(?=[\s，,。？?！!]|$)"
        ),
        "",
    ),
)


def standard_question(text: str) -> str:
    """``text`` with regional question forms replaced by their standard equivalents."""
    for pattern, repl in _REWRITES:
        text = pattern.sub(repl, text)
    if _YES_NO_FRAME_RE.search(text):
        return text
    # "我们村好多人外出打工。六盘水在哪些地方…": in a statement made before the question, 好多 is "many".
    *told, asked = _STATEMENT_END_RE.split(text)
    return "".join(told) + _HOW_MUCH_RE.sub(lambda m: _HOW_MUCH[m.group(1)], asked)
