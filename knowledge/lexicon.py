"""The domain lexicon: jieba tokenisation with domain words, stopwords and synonym expansion.

One :class:`Lexicon` serves both sides of the lexical ranker, so passages and questions are always cut
the same way. Its words are: the shipped terms (roles, funds, party-life terms), the place gazetteer,
and the quoted terms (“五抓五促”, “4+模式”) found in the indexed documents — the latter are stored with
the index so that a question is tokenised exactly as the passages were.
"""

from __future__ import annotations

import functools
import logging
import re
import threading
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import jieba

from knowledge.numbers import arabic_amount, is_ordinal_word
from knowledge.places import all_place_terms, places_in_text

LEXICON_DIR = Path(__file__).with_name("lexicon")
# Quoted key terms: “六联”, “4+模式”, “两委”. Short on purpose: a quoted sentence is not a term.
_QUOTED_TERM_RE = re.compile(r"[“\"「『]([^“”\"」』\s，。、；：,]{2,8})[”\"」』]")
_KEEP_TOKEN_RE = re.compile(r"[\w+%％]", re.UNICODE)
# Yes/no questions in the A-not-A form ("是不是每月都开", "能不能停职", "有没有奖励", "可不可以"): the
# form only asks for confirmation; left in, jieba cuts it into pieces ("能", "不能") that count as topic
# words no passage states, and the question is wrongly refused.
_A_NOT_A_RE = re.compile(r"([是能要会有用该需行可肯愿够算])[不没]\1")
# "上面发不发过冬的东西": any other verb asked as A-not-A is the verb once (an adjective so asked, "多不多",
# asks how much: it stays for jieba to keep whole).
_VERB_NOT_VERB_RE = re.compile(r"(?![多少好对大高长快远早晚])([\u4e00-\u9fff])[不没]\1")
# Question words glued to a neighbour by jieba ("盖多大" as one word) hide that neighbour's meaning;
# they carry no topic (numbers.question_needs reads them from the raw question).
# "由谁讲" / "谁负责" ask for a role the documents name; "X是谁" asks for a person's name, which they do
# not give, so that "谁" stays a topic word and the question is refused.
_ASK_WORD_RE = re.compile(
    r"多少钱|多长时间|(?:在|从)?时间上|多大|多少|多久|多长|几成|哪里|哪儿|什么地方|由谁来?|谁来|谁(?=负责|牵头|召集|主持|讲|组织|参加)"
    # "哪个县派的第一书记更多", "谁的待遇高": which side of a comparison; each named place is answered.
    r"|哪个(?:县|市|州|地方|地区)|谁的(?=[^，。？?；]{0,12}[多少高低])"
    # "照着谁的工资定的": whose pay is the yardstick — a role the documents name (副乡镇长).
    r"|谁的(?=工资|待遇|报酬|收入|标准|水平)"
    # "哪五件事", "哪几样", "几件": which items of a list; the list's name is the topic, not these words.
    r"|哪[一二三四五六七八九十几\d]*[件样项条种类个点]事?|几[件样]"
    # "三会一课是哪三会", "是哪四步": a count and its noun closing the question ask which items.
    r"|哪[一二三四五六七八九十几\d]+[\u4e00-\u9fff](?=[\s，,。？?！!]|$)"
    # "能多拿点不", "多挣多少": asks for the extra pay (numbers.question_needs reads it), names no topic.
    r"|[能可]?多[拿挣领]点?"
)
EXPANSION_WEIGHT = 0.5
SUBWORD_CACHE = 4096  # question words whose parts are remembered
_NO_SYNONYMS: frozenset[str] = frozenset()
# "怎么安排的", "怎么搞": verbs that ask how something is done in general, not about a particular act.
_LIGHT_VERBS = frozenset(
    {"安排", "搞", "弄", "做", "干", "开展", "落实", "执行", "运作", "操作", "实行", "实施", "进行",
     # "积分咋算的", "是咋个打法": ask for the method, which the passage describing it states.
     "算", "打法", "做法", "搞法", "弄法",
     # "四下基层是咋落地的", "挂联包帮咋个分工的": how it is carried out, which the passage describing it states.
     "落地", "分工"}
)
# "咋定的", "怎么规定的": with nothing after it, how something was decided is asked in general.
_DECIDE_VERBS = frozenset({"定", "规定", "确定", "定下"})
# Where a question splits into sentences: at sentence ends and where the ask is announced ("…。请问…").
# Clauses of one sentence belong together ("驻村干部冬天冷，上面有啥发的没": 冬天冷 is what is asked
# about), and so do words typed apart by spaces ("智慧党建中心 花了多少").
_QUESTION_CLAUSE_SPLIT_RE = re.compile(r"[。；;！!？?：:]+|[，,]\s*(?=请问|想问|我想问|想了解|我想知道)")
# A clause of the asker saying who they are ("我刚派到鲁甸驻村，", "俺是老支书，"); not "我们村…" (a situation)
# nor "我记得…" / "我听说…" (what is to be checked).
_ME = r"(?:我(?![们村县市乡镇记听想觉看知问估猜以])|俺(?![们记听想觉])|本人)"
_SELF_INTRO_RE = re.compile(rf"(\s*{_ME}[^，,]*)[，,]")
# A newcomer's opening clause ("刚来村里发现…", "新到村里抓党建，", "我刚到宣恩 …"): it says why they ask, typed
# before the question with a comma or a space.
_NEWCOMER_RE = re.compile(
    r"(\s*(?:我|俺)?(?:刚刚|刚|新|才)(?:来到|来|到|派到|调到|调来|上任|任职|当上|接手)[^，,\s]*)[，,\s]"
)
# Courtesy opening a message or a clause ("您好，", "麻烦问一下我是…", "打扰了，"): it asks nothing.
_COURTESY_RE = re.compile(
    r"\s*(?:您好|你好|领导好|老师好|打扰(?:了|一下|您了?)|麻烦(?:您|你)?(?:问一下|问问|问下)?|请问一下|请教一下)[，,\s]*"
)
# A clause of the asker telling about themselves, anywhere in the sentence: "我今年七十五", "我这个老党员想
# 先弄明白", "我老记混", "我岁数大了记性差" — not "我们村…" (a situation) nor what they heard or want to know.
_ABOUT_ME_RE = re.compile(rf"\s*(?:{_ME}|[一二三四五六七八九十\d]+多?岁|岁数|今年[七八九六五]十)")
# A clause saying what the answer is for ("写脱贫攻坚汇报要用", "写支部工作总结", "讲课参考一下"): why the
# asker asks, not what.
_PURPOSE_RE = re.compile(
    r"\s*(?:(?:想|要|准备|正在|在|帮领导|给领导|为了)?写[^，,]{0,12}(?:汇报|总结|材料|报告|讲话|稿子?|发言|讲稿|课件|简报|"
    r"经验稿|标题|宣传稿|稿件|信息)(?:想用|要用|用|时用)?|[^，,]{0,12}(?:要用|用得上|参考一下|参考参考)"
    r"|(?:想|要|准备)?(?:上|出|做|办)[^，,]{0,12}(?:板报|专栏|展板|宣传栏|墙报|公众号)"
    r"|[^，,]{0,6}(?:准备|做|搞)[^，,]{0,12}(?:汇报|发言|讲话|材料|课件))\s*$"
)
# Clauses of a sentence, typed as a chat message: cut by commas or by spaces between words.
_CLAUSE_SPLIT_RE = re.compile(r"[，,]|(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])")
# "别的地方咋给村干部培训的": the practice of places other than the asker's, none named
# (spoken.standard_question writes them 各地).
_ELSEWHERE = "各地"
# "要让村干部没后顾之忧，宣恩…原话咋说的": a clause stating an aim names what the policy is about.
_AIM_RE = re.compile(r"\s*(?:要让|为了让|为了|为使|要使)")
# Topic words (of two characters or more) a closing question names to ask about them rather than about
# the clauses before it.
_OWN_TOPIC_WORDS = 2
# "我没记错吧", "是这样吧": a check of what was heard asks, whoever it is about.
_CHECKS_RE = re.compile(r"记错|没错|对吧|对不|是吧|吧\s*$")
# A sentence opening with one of these is the question itself; what came before it is background, even
# when it also asks ("六盘水在这方面落实得如何？请问该市共提拔了多少名干部").
_ASK_OPENER_RE = re.compile(r"\s*(请问|想问|我想问|想了解|我想知道)")
# A clause that asks: a question word, an A-not-A form or a closing question particle.
_ASKS_RE = re.compile(
    r"多少|几|什么|啥|哪|怎|咋|如何|吗|么|呢|谁|是否|是不是|有没有|能不能|要不要|可不可以|多久|多长|多大|为何|"
    r"([\u4e00-\u9fff])不\1|不$|没$"
)
_SENTENCE_END_RE = re.compile(r"[。；;！!？?]+")
# 几 in a statement ("管过几年", "好几个村", "这几年"): it counts, it does not ask.
_NOT_ASKING_RE = re.compile(r"[过了好这那近前后里]几|[这那多要]么|(?:什么|啥)都[不没]")
# Verbs jieba glues to a preceding 要 ("多久要开一次", "要配几个"): the modal says nothing of the topic.
_MODAL_VERBS = frozenset("开交配发拿建设办报选派搞给买考")
_HOW_WORDS = frozenset({"怎么", "怎样", "如何", "咋", "怎么样", "怎"})
# Function characters jieba's HMM glues to a neighbouring character into a made-up word ("村有", "后刚").
_GLUE_CHARS = frozenset("有后刚才就都也还再又这那在的了着被把给跟和与让很太")
# "活动室建得咋样了 要多大面积": 怎么样 closing its clause asks how things stand, not how to do anything.
_STATE_ASK_RE = re.compile(r"(?:怎么样|怎样)[了啊呀呢]?(?=[\s，,]|$)")
# "时间缩短了多少", "总数减少了多少", "降到了多少": the size of a change is asked.
_CHANGE_ASK_RE = re.compile(r"(增加|减少|缩短|降低|下降|降到|上升|增长|节约|节省|压缩|精简)了?\s*(?:多少|几)")
# "…贷款的还款期限是怎么规定的", "预备期是什么": the word before these asks for one thing about the topic.
_ATTRIBUTE_ASK_RE = re.compile(
    r"(?:是|要)?(?:怎么|如何|怎样|咋)\s*(?:个)?\s*(?:规定|算|计算|确定)的?|有\s*(?:什么|啥|哪些|何)\s*(?:要求|规定|讲究)"
    r"|(?:是|指)\s*(?:什么|啥)|是\s*多少"
)
_COUNT_WORD_RE = re.compile(r"^[一二两三四五六七八九十\d]+[条项个点种类件样]$")
# Words saying when ("原来的待遇", "以前是多少"): they date a figure; they name no thing of the topic.
TIME_WORDS = frozenset({"原来", "原先", "以前", "之前", "过去", "以往", "当初", "当时", "现在", "目前", "如今", "现行"})
# Words that ask about the topic as a whole ("主要做法是什么", "有什么要求"): any passage on it may answer
# (and the time words: "以前是多少" asks the figure of that time, in whatever words).
_GENERIC_ATTRIBUTES = TIME_WORDS | frozenset(
    {"做法", "办法", "方法", "内容", "意思", "含义", "要求", "规定", "情况", "目的", "作用", "措施", "经验",
     "特点", "重点", "政策", "机制", "模式", "路子", "思路", "原则", "流程", "程序", "步骤", "形式", "方式",
     "主题", "名字", "名称", "成效", "效果", "结果", "好处", "任务", "职责", "条件", "标准", "制度", "举措",
     "工作", "具体", "核心", "关键", "意义", "概念", "定义", "途径", "手段", "安排", "规矩", "说法", "依据",
     # Figures ("人数有什么要求"): an amount of the kind states them, in whatever words.
     "人数", "数量", "数目", "个数", "次数", "金额", "数额", "额度", "比例", "总额", "总数", "总量", "合计", "规模",
     "水平", "幅度",
     # How often ("交办机制的节奏是怎么规定的"): numbers.question_needs asks for a frequency stated.
     "节奏", "频次", "频率", "周期",
     # "“一月随访”后面是什么": where in a list, not a thing named
     "后面", "前面", "后头", "前头", "下一句", "上一句", "下一条", "上一条", "之后", "之前", "接着"}
)
# "咋给基层减负", "怎么对不合格党员处置": a preposition after the how-word puts its object before the verb.
_PREPOSITIONS = frozenset({"给", "对", "把", "向", "跟", "为", "替", "帮", "让", "被", "从", "在", "同"})
# Words naming who a rule is for end in one of these ("驻村第一书记", "两委委员", "老党员", "村医").
_PERSON_ENDINGS = (
    "书记", "支书", "干部", "党员", "委员", "主任", "组长", "助理", "村医", "医生", "教师", "人员",
    "正职", "副职", "一肩挑", "村官", "村长", "队员",
)

jieba.setLogLevel(logging.WARNING)




def _about_the_asker(clause: str) -> bool:
    """A clause that asks nothing and only greets or tells about the asker."""
    rest = _COURTESY_RE.sub("", clause, count=1) if _COURTESY_RE.match(clause) else clause
    if not rest.strip() or _PURPOSE_RE.match(rest):
        return True
    # "我没记错吧": checking what was heard asks.
    asks = _ASKS_RE.search(_NOT_ASKING_RE.sub("", rest)) is not None or _CHECKS_RE.search(rest) is not None
    return _ABOUT_ME_RE.match(rest) is not None and not asks


def _peel_asker_clauses(part: str, mark: bool) -> tuple[list[str], list[bool]]:
    """``part`` cut where the asker greets or tells about themselves: those clauses are parts of their
    own (unmarked), the clauses between them stay together."""
    clauses = _CLAUSE_SPLIT_RE.split(part)
    about = [_about_the_asker(c) for c in clauses]
    if len(clauses) < 2 or not any(about):
        return [part], [mark]
    parts: list[str] = []
    run: list[str] = []
    asked_at = -1  # the last part that is not about the asker: the sentence's question mark is its
    for clause, about_me in zip(clauses, about, strict=True):
        if about_me:
            if run:
                parts.append("，".join(run))
                asked_at = len(parts) - 1
                run = []
            parts.append(clause)
        elif clause.strip():
            run.append(clause)
    if run:
        parts.append("，".join(run))
        asked_at = len(parts) - 1
    return parts, [mark and i == asked_at for i in range(len(parts))]


def _question_parts(text: str) -> tuple[list[str], list[bool]]:
    """The sentences of a question (split by _QUESTION_CLAUSE_SPLIT_RE) and, for each, whether the
    asker ended it with a question mark."""
    parts: list[str] = []
    marked: list[bool] = []
    start = 0
    for m in _QUESTION_CLAUSE_SPLIT_RE.finditer(text):
        if text[start : m.start()].strip():
            parts.append(text[start : m.start()])
            marked.append("?" in m.group() or "？" in m.group())
        start = m.end()
    if text[start:].strip():
        parts.append(text[start:])
        marked.append(False)
    # "我刚派到六盘水当第一书记，每年有没有工作经费": the asker telling who they are opens the sentence; that
    # clause is a part of its own (background when it asks nothing).
    split_parts: list[str] = []
    split_marked: list[bool] = []
    for part, mark in zip(parts, marked, strict=True):
        intro = _SELF_INTRO_RE.match(part) or _NEWCOMER_RE.match(part)
        if intro is not None and part[intro.end() :].strip():
            split_parts.append(intro.group(1))
            split_marked.append(False)
            part = part[intro.end() :]
        peeled, peeled_marks = _peel_asker_clauses(part, mark)
        split_parts += peeled
        split_marked += peeled_marks
    return split_parts, split_marked


def _read_lines(name: str) -> list[str]:
    text = (LEXICON_DIR / name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


@cache
def base_terms() -> tuple[str, ...]:
    """Shipped domain terms and place names."""
    return tuple(dict.fromkeys([*_read_lines("terms.txt"), *all_place_terms()]))


@cache
def stopwords() -> frozenset[str]:
    """Question words and particles that carry no topic."""
    return frozenset(w for line in _read_lines("stopwords.txt") for w in line.split())


@cache
def synonym_groups() -> tuple[frozenset[str], ...]:
    """Groups of interchangeable words (工资 = 报酬 = 待遇 …)."""
    return tuple(frozenset(line.split()) for line in _read_lines("synonyms.txt"))


@cache
def contrast_pairs() -> tuple[tuple[frozenset[str], frozenset[str]], ...]:
    """Pairs of word groups naming two sides (正职 | 副职), both ways round (contrasts.txt)."""
    pairs: list[tuple[frozenset[str], frozenset[str]]] = []
    for line in _read_lines("contrasts.txt"):
        left, right = (frozenset(side.split()) for side in line.split("|"))
        pairs += [(left, right), (right, left)]
    return tuple(pairs)


def contrasts(question: str) -> tuple[tuple[frozenset[str], frozenset[str]], ...]:
    """The pairs whose first side ``question`` names and whose other side it does not: what it asks
    about, against the words that would name the other side."""
    return tuple(
        (side, other)
        for side, other in contrast_pairs()
        if any(w in question for w in side) and not any(w in question for w in other)
    )


_QUOTE_MARKS = str.maketrans("", "", "“”‘’\"'「」『』")


def unquote(text: str) -> str:
    """``text`` without quotation marks, for matching words that a quote splits (“两委”委员 ~ 两委委员)."""
    return text.translate(_QUOTE_MARKS)


# "村(社区)干部", "党(工)委", "村(居)民小组长": a short aside inside a word names an alternative.
_ASIDE_RE = re.compile(r"[（(][^()（）]{1,3}[)）]")


_BRACKETS_RE = re.compile(r"[（()）]")


def aside_readings(text: str) -> list[str]:
    """The other ways to read ``text``'s short asides: without them ("村(居)民小组长" → 村民小组长) and with
    them ("13个乡(镇)" → 乡镇, "党(工)委" → 党工委). Empty when it has none."""
    if not _ASIDE_RE.search(text):
        return []
    return [_ASIDE_RE.sub("", text), _BRACKETS_RE.sub("", text)]


# Set phrases whose inner word is not that word: "高标准建成" (to a high standard) and "党建标准化" state no
# 标准 (a standard sum or rule). Matching reads them as these stand-ins, which no question asks.
_SET_PHRASES_RE = re.compile(r"高标准|标准化")
_SET_PHRASE_READING = {"高标准": "高水准", "标准化": "规范化"}


def plain(text: str) -> str:
    """``text`` unquoted and lower-cased, followed by its readings of short asides, so that a word spelled
    around one ("村(居)民小组长" ~ 村民小组长, "村(社区)干部" ~ 村干部, "乡(镇)" ~ 乡镇) is found by matching."""
    text = _SET_PHRASES_RE.sub(lambda m: _SET_PHRASE_READING[m.group()], unquote(text.lower()))
    return " ".join([text, *aside_readings(text)])


def quoted_terms(texts: Iterable[str]) -> set[str]:
    """Short quoted key terms in ``texts`` (“六联”, “五抓五促”), to be added as words."""
    return {m.group(1) for t in texts for m in _QUOTED_TERM_RE.finditer(t)}


def is_person_word(word: str) -> bool:
    """"第一书记", "村干部", "村医": a word naming the people a rule (or a sum) is for."""
    return word.endswith(_PERSON_ENDINGS)


def _joined_roles(tokens: list[str]) -> list[str]:
    """"报账员" is one role, though jieba cuts it 报账 / 员: a lone 员 belongs to the word before it."""
    out: list[str] = []
    for t in tokens:
        if t == "员" and out:
            out[-1] += t
        else:
            out.append(t)
    return out


def _without_modal(token: str) -> str:
    """A verb without the modal jieba glues to it: "要开" → "开", "能考" → "考" (要求 stays a word)."""
    return token[1:] if len(token) == 2 and token[0] in "要能" and token[1] in _MODAL_VERBS else token


def _without_particle(token: str) -> str:
    """A verb without its aspect particle: "组了" → "组", "开过" → "开" (the documents say 组建, 召开)."""
    return token[:-1] if len(token) >= 2 and token[-1] in "了过" else token


class Lexicon:
    """A jieba tokenizer with the domain words; thread-safe for concurrent tokenisation."""

    def __init__(self, extra_terms: Iterable[str] = ()) -> None:
        self._tokenizer = jieba.Tokenizer()
        self._lock = threading.Lock()
        self.extra_terms = tuple(sorted(set(extra_terms) - set(base_terms())))
        self._terms = frozenset((*base_terms(), *self.extra_terms))
        for word in (*base_terms(), *self.extra_terms):
            # A high frequency makes jieba keep the word whole rather than cut it.
            self._tokenizer.add_word(word, freq=200_000)
        synonyms: dict[str, set[str]] = {}
        for group in synonym_groups():
            for word in group:
                synonyms.setdefault(word, set()).update(group - {word})
        self._synonyms = {word: frozenset(others) for word, others in synonyms.items()}
        # Ranking asks for the same words' parts once per candidate passage: cut each word once.
        self._subwords = functools.lru_cache(maxsize=SUBWORD_CACHE)(self._cut_subwords)
        # jieba builds its prefix dictionary lazily; do it now, not inside the first query.
        self._tokenizer.initialize()

    def tokenize(self, text: str) -> list[str]:
        """All word tokens of ``text`` (lower-cased; punctuation and spaces dropped)."""
        with self._lock:  # jieba's Tokenizer mutates caches while cutting
            words = self._tokenizer.lcut(text, HMM=True)
        return [w.lower() for w in words if _KEEP_TOKEN_RE.search(w)]

    def index_tokens(self, text: str) -> list[str]:
        """Tokens of a passage for the lexical index: words and the shorter words inside compounds.

        Search-mode cutting ("村级办公经费" → 村级, 办公, 经费, 办公经费, 村级办公经费) lets a question
        that says "办公经费" match a passage that says "村级办公经费".
        """
        with self._lock:
            words = self._tokenizer.lcut_for_search(text, HMM=True)
            for reading in aside_readings(text):
                # Words spelled around an aside ("村(居)民小组长", "乡(镇)") are indexed as read both ways.
                seen = set(words)
                words += [w for w in self._tokenizer.lcut_for_search(reading, HMM=True) if w not in seen]
        out = []
        for w in words:
            if not _KEEP_TOKEN_RE.search(w):
                continue
            out.append(w.lower())
            # jieba's search mode adds only 2- and 3-character parts; longer domain words inside a
            # compound ("办公经费" in "村级办公经费") are added here.
            if len(w) >= 5:
                out.extend(
                    w[i : i + n]
                    for n in range(4, len(w))
                    for i in range(len(w) - n + 1)
                    if w[i : i + n] in self._terms
                )
        return out

    def _unglued(self, tokens: list[str]) -> Iterable[str]:
        """Two-character words jieba's HMM made up by gluing a function character to its neighbour ("我们村有
        党员" → 村有, "换届后刚上岗" → 后刚), cut back into their characters; dictionary words and stopwords
        ("就够", "这活") stay."""
        stop = stopwords()
        for t in tokens:
            if (
                len(t) == 2
                and t not in stop
                and (t[0] in _GLUE_CHARS or t[1] in _GLUE_CHARS)
                and t not in self._terms
                and not self._tokenizer.FREQ.get(t)
            ):
                yield from t
            else:
                yield t

    def content_tokens(self, text: str) -> list[str]:
        """Topic words of a question: tokens minus stopwords, order kept, duplicates removed.

        A light verb right after a how-word ("结对帮扶具体咋弄的") only asks how it is done; it is dropped.
        """
        stop = stopwords()
        text = _VERB_NOT_VERB_RE.sub(r"\1 ", _ASK_WORD_RE.sub(" ", _A_NOT_A_RE.sub(" ", text)))
        words = [t for t in self._unglued(_joined_roles(self.tokenize(text))) if t not in stop or t in _HOW_WORDS]
        words = [t for i, t in enumerate(words) if not (t in _LIGHT_VERBS and i and words[i - 1] in _HOW_WORDS)]
        tokens = (
            t if t in self._terms else arabic_amount(t) or _without_particle(_without_modal(t)) for t in words
        )
        # "第二条": the item asked for (numbers.question_needs reads it), not a topic the passage states.
        return list(dict.fromkeys(t for t in tokens if t not in stop and not is_ordinal_word(t)))

    def background_tokens(self, text: str) -> set[str]:
        """Topic words said only in sentences that ask nothing, when another sentence asks: in "我给村党支部
        当过多年组织委员，想核对一下规矩。请问支部党员大会一般多久召开一次" the first sentence is background.
        Empty when every sentence asks, or none does."""
        parts, marked = self._situation_apart(*_question_parts(text))
        # A sentence the asker ends with a question mark asks, whatever its words ("…是照副乡镇长定的？").
        asking = [
            m or _ASKS_RE.search(_NOT_ASKING_RE.sub("", p)) is not None for p, m in zip(parts, marked, strict=True)
        ]
        if any(marked):
            # The asker's own question mark says which sentence asks: "村里几位副职干部托我打听，故有此一问：
            # 宣恩县…待遇大约是多少？" (几位 in the first part counts people, it does not ask).
            asking = [a and (m or i == len(parts) - 1) for i, (a, m) in enumerate(zip(asking, marked, strict=True))]
        opened = [i for i, p in enumerate(parts) if _ASK_OPENER_RE.match(p) and asking[i]]
        if opened:
            asking = [a and i >= opened[-1] for i, a in enumerate(asking)]
        if len(parts) < 2 or all(asking) or not any(asking):
            return set()
        asked = {t for p, a in zip(parts, asking, strict=True) if a for t in self.content_tokens(p)}
        if not asked:
            # "刚当上支书，这活一个月到底能拿多少钱": a question naming no topic asks about what was told.
            return set()
        said = {t for p, a in zip(parts, asking, strict=True) if not a for t in self.content_tokens(p)}
        return said - asked

    def _situation_apart(self, parts: list[str], marked: list[bool]) -> tuple[list[str], list[bool]]:
        """Each sentence telling the asker's own situation and then asking about a place's practice ("村里
        党员表现参差不齐 想搞个打分排名 宣恩那个给党员打分的叫啥办法来着"), cut into the clauses before the
        first one that asks, which are background, and the question (that clause and the rest). The
        question must name the place (or 各地: "别的地方咋…") and topic words of its own; the clauses
        before it must name no place and state no aim. Otherwise they say what is asked about: "驻村干部
        冬天冷，上面有啥发的没" (the question names no topic), "宁德搞专题教育的时候，把总书记哪本书定成
        必读的" (the first clause names the place whose practice is asked), "要让村干部没后顾之忧，…原话
        咋说的" (the aim is the topic)."""
        out: list[str] = []
        out_marked: list[bool] = []
        for part, mark in zip(parts, marked, strict=True):
            clauses = [c for c in _CLAUSE_SPLIT_RE.split(part) if c.strip()]
            first = next((i for i, c in enumerate(clauses) if _ASKS_RE.search(_NOT_ASKING_RE.sub("", c))), 0)
            told, asked = clauses[:first], "，".join(clauses[first:])
            if (
                told
                and len([t for t in self.content_tokens(asked) if len(t) >= 2]) >= _OWN_TOPIC_WORDS
                and (places_in_text(asked) or _ELSEWHERE in asked)
                and not any(places_in_text(c) or _AIM_RE.match(c) for c in told)
            ):
                out += [*told, asked]
                out_marked += [False] * len(told) + [mark]
            else:
                out.append(part)
                out_marked.append(mark)
        return out, out_marked

    def asked_change(self, text: str) -> str | None:
        """The change a how-much question asks the size of: "群众办事时间缩短了多少" → "缩短". A passage that
        states no such change does not answer, whatever figures it gives."""
        m = _CHANGE_ASK_RE.search(text)
        return m.group(1) if m else None

    def asked_action(self, text: str) -> str | None:
        """The verb a how-to question asks about: "流动党员怎么转组织关系" → "转"; None when there is none.

        A passage that does not state that action does not answer the question, however many of its
        other words it shares.
        """
        stop = stopwords()
        # The verb is in the how-word's own sentence: "…落实得如何？请问该市…" asks no action of 该市.
        for sentence in _SENTENCE_END_RE.split(_STATE_ASK_RE.sub(" ", _A_NOT_A_RE.sub(" ", text))):
            tokens = self.tokenize(sentence)
            for i, token in enumerate(tokens):
                if token in _HOW_WORDS:
                    rest = tokens[i + 1 :]
                    if rest and rest[0] in _PREPOSITIONS:
                        # "咋给基层减负的": the verb comes after the preposition's object, last in the question.
                        rest = [t for t in rest[1:] if t not in stop][-1:]
                    action = next((t for t in rest if t not in stop), None)
                    if action in _DECIDE_VERBS and all(t in stop for t in rest[rest.index(action) + 1 :]):
                        # "六盘水那边咋定的": how it was decided, which the rule stated answers; "怎么定时间的"
                        # keeps its verb (what is decided follows it).
                        return None
                    # "怎么个节奏", "怎么个做法": a word asking about the topic as a whole is no act.
                    return None if action in _LIGHT_VERBS or action in _GENERIC_ATTRIBUTES else action
        return None

    def asked_attribute(self, text: str) -> str | None:
        """The one thing a question asks about its topic: "贷款的还款期限是怎么规定的" → "还款期限"; None when it
        asks about the topic as a whole ("主要做法是什么") or in no such form.

        A passage that never names it does not answer, however much of the topic it shares.
        """
        m = _ATTRIBUTE_ASK_RE.search(text)
        if m is None:
            return None
        # "执行的是什么建设标准": a general thing named after the question word (标准) is what is asked, not
        # the verb before it.
        named_after = self.content_tokens(re.split(r"[，,。；;？?！!]", text[m.end() :])[0])
        if any(t in _GENERIC_ATTRIBUTES for t in named_after):
            return None
        # In the ask's own clause: "队长由谁担任，有什么规定" asks about the 队长 clause, not a thing called 担任.
        clause = re.split(r"[，,。；;？?！!]", text[: m.start()])[-1]
        before = self.content_tokens(clause)
        word = before[-1] if before else None
        if word is None or len(word) < 2 or word in _GENERIC_ATTRIBUTES or word in _HOW_WORDS:
            return None
        if _COUNT_WORD_RE.match(word):
            return None  # "另外两条是什么": how many are asked, not a thing called 两条
        return word

    def subwords(self, token: str) -> tuple[str, ...]:
        """Shorter words inside a compound token ("贫困标准" → 贫困, 标准); empty for simple words."""
        if len(token) < 3:
            return ()
        return self._subwords(token)

    def _cut_subwords(self, token: str) -> tuple[str, ...]:
        with self._lock:
            parts = self._tokenizer.lcut_for_search(token, HMM=False)
        return tuple(p for p in dict.fromkeys(parts) if p != token and len(p) >= 2 and p not in stopwords())

    def expand(self, tokens: Iterable[str]) -> dict[str, dict[str, float]]:
        """For each question token, the terms that may stand for it, weighted: itself (1.0), its synonyms
        and its sub-words (EXPANSION_WEIGHT).

        Sub-words matter because a document may state a compound's parts apart ("按2855元标准" for a
        question about "贫困标准"). The ranker counts only the best-matching alternative of each token,
        so a word with many synonyms ("钱") does not outweigh the rest of the question.
        """
        expanded: dict[str, dict[str, float]] = {}
        for token in tokens:
            alternatives = {token: 1.0}
            for extra in (*sorted(self._synonyms.get(token, ())), *self.subwords(token)):
                alternatives.setdefault(extra, EXPANSION_WEIGHT)
            expanded[token] = alternatives
        return expanded

    def pieces(self, text: str) -> list[str]:
        """``text`` cut by the dictionary alone (no guessing of new words); the pieces join back to it."""
        with self._lock:
            pieces: list[str] = self._tokenizer.lcut(text, HMM=False)
        return pieces

    def word_count(self, word: str) -> int:
        """How often jieba's dictionary (with the domain words) counts ``word``; 0 when it is no word."""
        return int(self._tokenizer.FREQ.get(word) or 0)

    def known_words(self) -> frozenset[str]:
        """The domain words and every word of a synonym group (the words questions are read against)."""
        return self._terms | frozenset(self._synonyms)

    def synonyms_of(self, token: str) -> frozenset[str]:
        """The words interchangeable with ``token`` (empty when none)."""
        return self._synonyms.get(token, _NO_SYNONYMS)
