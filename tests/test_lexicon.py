"""The domain lexicon: domain words kept whole, synonyms, sub-words, quoted terms (knowledge/lexicon.py)."""

from __future__ import annotations

import pytest

from knowledge.lexicon import Lexicon, contrasts, plain, quoted_terms


def test_domain_words_and_places_are_kept_whole() -> None:
    lex = Lexicon()
    tokens = lex.tokenize("宣恩县村主职干部和第一书记参加三会一课")
    for word in ("宣恩县", "村主职干部", "第一书记", "三会一课"):
        assert word in tokens


def test_content_tokens_drop_question_words() -> None:
    lex = Lexicon()
    assert lex.content_tokens("村支书一个月能拿多少钱") == ["村支书"]
    assert "多少" not in lex.content_tokens("工作经费有多少？")


def test_synonyms_expand_pay_and_party_secretary() -> None:
    lex = Lexicon()
    expanded = lex.expand(["工资", "村支书"])
    assert {"报酬", "待遇", "薪酬"} <= set(expanded["工资"])
    assert expanded["工资"]["工资"] == 1.0
    assert expanded["工资"]["待遇"] < 1.0
    assert "村党组织书记" in expanded["村支书"]


def test_compounds_expand_to_their_parts() -> None:
    lex = Lexicon()
    assert {"贫困", "标准"} <= set(lex.subwords("贫困标准"))
    assert "办公经费" in lex.index_tokens("村级办公经费提高")


def test_quoted_terms_become_words() -> None:
    terms = quoted_terms(["推行“三联三促”机制，开展“双推进”工作，这是“一句很长的引用不是术语吗”"])
    assert {"三联三促", "双推进"} <= terms
    assert not any(len(t) > 8 for t in terms)
    lex = Lexicon(terms)
    assert "三联三促" in lex.tokenize("三联三促包括什么")


def test_yes_no_forms_are_not_topic_words() -> None:
    # "是不是" / "能不能" only ask for confirmation; cut into "能" + "不能" they were counted as topic
    # words no passage states, and answerable questions were refused.
    lex = Lexicon()
    assert lex.content_tokens("党小组会是不是每个月都要开？") == ["党小组会"]
    assert "不能" not in lex.content_tokens("干部不干事能不能让他停职")
    assert "以" not in lex.content_tokens("支委会可不可以不开")


def test_asked_action_is_the_verb_after_how() -> None:
    lex = Lexicon()
    assert lex.asked_action("流动党员怎么转组织关系？") == "转"
    assert lex.asked_action("不称职的村干部会被怎么处理？") == "处理"
    assert lex.asked_action("村支书一个月能拿多少钱") is None
    assert lex.asked_action("没钱办公怎么办") is None  # 怎么办 is one word: no particular action


def test_question_words_do_not_glue_to_their_neighbours() -> None:
    # jieba cut "盖多大" as one word, which no passage states; "多少钱" must not leave a bare "钱" behind.
    lex = Lexicon()
    assert lex.content_tokens("村里活动室盖多大合适") == ["村里", "活动室", "盖"]
    assert "钱" not in lex.content_tokens("村医每个月补助多少钱？")
    # "怎么算" asks for a method, not an act a passage must name (退休金 is refused by its missing head).
    assert lex.asked_action("退休金怎么算？") is None
    assert "算" not in lex.content_tokens("主题党日算不算党课")


def test_who_asks_for_a_role_but_a_name_stays_a_topic() -> None:
    # "由谁讲" / "谁负责" ask for a role the documents name; "县委书记是谁" asks for a person's name, which
    # no document gives: "谁" stays a topic word no passage states, so the question is refused.
    lex = Lexicon()
    assert lex.content_tokens("党课由谁来讲？") == ["党课", "讲"]
    assert "谁" not in lex.content_tokens("谁负责召集支部党员大会")
    assert "谁" in lex.content_tokens("宣恩县的县委书记是谁？")


def test_chinese_numeral_amounts_become_arabic_topic_words() -> None:
    lex = Lexicon()
    tokens = lex.content_tokens("宁德收益十万以上的村占几成")
    assert "10万" in tokens and "十万" not in tokens
    assert "几成" not in tokens  # a question word, like 多少
    assert "千万" in lex.content_tokens("千万不能迟到吗")


def test_which_items_and_fillers_are_not_topic_words() -> None:
    lex = Lexicon()
    tokens = lex.content_tokens("党员先锋指数里说的“五事”是哪五件事？")
    assert "五事" in tokens and "先锋指数" in tokens
    assert not {"里", "说", "五件", "事"} & set(tokens)
    assert lex.content_tokens("“五定”责任机制定的是哪几样") == ["五定", "责任", "机制", "定"]
    assert "东西" not in lex.content_tokens("驻村轮战干部冬天发的是什么东西")
    # A count and its noun closing the question ask which items: "哪三会" is no topic.
    assert lex.content_tokens("三会一课是哪三会") == ["三会一课"]


def test_aspect_particles_do_not_hide_the_verb() -> None:
    # "组了" is no word of any document; "组" is found inside 组建.
    lex = Lexicon()
    assert lex.content_tokens("宣恩县组了几个尖刀班啊") == ["宣恩县", "组", "尖刀班"]
    assert lex.content_tokens("支部党员大会开过几次") == ["支部党员大会"]


def test_light_verbs_and_complements_do_not_constrain_the_answer() -> None:
    lex = Lexicon()
    assert lex.asked_action("鲁甸督查问题交办机制是怎么安排的") is None  # how it is done, in general
    assert lex.asked_action("流动党员怎么转组织关系") == "转"
    assert lex.content_tokens("驻村的干部一共派下去多少人") == ["驻村", "干部", "派"]
    assert "几年" not in lex.content_tokens("鲁甸这几年撤掉了多少个党支部")


def test_how_word_before_a_preposition_or_a_light_verb() -> None:
    lex = Lexicon()
    assert lex.asked_action("鲁甸咋给基层减负的") == "减负"
    assert lex.asked_action("怎么对不合格党员进行处置") == "处置"
    assert "弄" not in lex.content_tokens("结对帮扶具体咋弄的")
    assert "开展" in lex.content_tokens("开展了哪些活动")  # a light verb not after a how-word stays


def test_accident_insurance_is_not_any_insurance() -> None:
    lex = Lexicon()
    assert "人身意外伤害保险" in lex.synonyms_of("意外险")
    assert "保险" not in lex.synonyms_of("人身意外伤害保险")


def test_words_spelled_around_a_short_aside_are_found() -> None:
    assert "村民小组长" in plain("党支部书记兼村(居)民小组长")
    assert "村干部" in plain("村（社区）干部") and "社区" in plain("村（社区）干部")
    assert plain("“两委”委员") == "两委委员"  # nothing to drop: the text itself
    assert "村民" in Lexicon().index_tokens("党支部书记兼村(居)民小组长达600元")
    # The aside is also read as part of the word: "13个乡(镇)" states 乡镇.
    assert "乡镇" in plain("全县13个乡(镇)") and "乡镇" in Lexicon().index_tokens("全县13个乡(镇)")


def test_asking_for_extra_pay_names_no_topic() -> None:
    assert Lexicon().content_tokens("鲁甸支书兼村民小组长能多拿点不") == ["鲁甸", "支书", "兼", "村民", "小组长"]


def test_method_verbs_after_a_how_word_name_no_action() -> None:
    lex = Lexicon()
    assert lex.asked_action("党员积分怎么 算的") is None
    assert lex.asked_action("流动党员怎么 转组织关系") == "转"


def test_spoken_fillers_ordinals_and_glued_modals_name_no_topic() -> None:
    lex = Lexicon()
    assert lex.content_tokens("就是那个四下基层具体要做到些什么") == ["四下基层", "做到"]
    assert lex.content_tokens("支部党员大会一般多久要开一次") == ["支部党员大会"]  # 要开 → 开, a light verb
    assert lex.content_tokens("主题党日在时间上有什么要求") == ["主题党日"]  # "时间上" asks how often
    # "第二条" is the item asked for (numbers.question_needs reads it), not a word the passage states.
    assert Lexicon(["五抓五促"]).content_tokens("宁德“五抓五促”的第二条是什么") == ["宁德", "五抓五促"]


def test_a_lone_role_suffix_joins_the_word_before() -> None:
    # jieba cuts 报账员 as 报账 / 员; the role is one word, and no document names it.
    assert "报账员" in Lexicon().content_tokens("村报账员一个月补贴多少钱")


def test_colloquial_money_and_place_words_have_their_document_forms() -> None:
    lex = Lexicon()
    for word, written in (("市里", "市级"), ("乡里", "乡镇"), ("专干", "专职人员"), ("出钱", "免费"),
                          ("掏", "投入"), ("买", "购买"), ("人大代表", "两代表一委员")):
        assert written in lex.synonyms_of(word), word


def test_a_word_inside_a_set_phrase_is_not_that_word() -> None:
    # "高标准建成" (to a high standard) states no 标准; "按2855元标准" does.
    assert "标准" not in plain("县级统筹投入180万元高标准建成指挥中心")
    assert "标准" not in plain("“两新”党建标准化")
    assert "标准" in plain("按2855元标准")


def test_background_clauses_are_told_from_the_clause_that_asks() -> None:
    lex = Lexicon()
    background = lex.background_tokens("我在村里当过多年组织委员，想核对一下规矩。支部党员大会一般多久开一次？")
    assert {"规矩", "多年"} <= background and "支部党员大会" not in background
    # 几 in a statement ("管过几年") does not make a clause ask.
    assert "党建" in lex.background_tokens("我在乡里管过几年党建，请问党小组会多久开一次")  # split at 请问
    # Clauses of one sentence, and fragments typed apart by spaces, are one ask.
    assert lex.background_tokens("智慧党建中心 花了多少") == set()
    assert lex.background_tokens("驻村干部冬天冷，上面有啥发的没") == set()
    assert lex.background_tokens("第一书记工作经费有多少") == set()
    # Every clause asks, or none does: nothing is background.
    assert lex.background_tokens("第一书记有经费吗，有多少？") == set()


def test_the_question_mark_and_an_opening_please_say_which_sentence_asks() -> None:
    lex = Lexicon()
    # 几位 counts people in a statement; the asker's own question mark ends the sentence that asks, and a
    # colon ends the one before it.
    background = lex.background_tokens(
        "村里几位副职干部常托我打听外地的待遇情况，故有此一问：宣恩县村副职干部一年待遇多少？"
    )
    assert {"打听", "外地"} <= background and "宣恩县" not in background
    # A sentence that asks, before the one opened by 请问, is lead-in.
    background = lex.background_tokens("有人说脱贫一线出干部，六盘水落实得如何？请问该市从一线提拔了多少名干部？")
    assert "落实" in background and "提拔" not in background
    # Without a question mark anywhere, a sentence asking with 几 is not told apart.
    assert lex.background_tokens("第一书记有经费吗。有多少") == set()


def test_comparison_and_demonstrative_words_name_no_topic() -> None:
    lex = Lexicon()
    assert lex.content_tokens("宣恩和鲁甸比，哪个县派的驻村第一书记更多") == ["宣恩", "鲁甸", "派", "驻村第一书记"]
    assert "谁" not in lex.content_tokens("鲁甸和宣恩比，村正职干部谁的待遇更高")
    assert "这笔" not in lex.content_tokens("请问这笔资金总额是多少")
    # 谁 asking for a person stays a topic word (the documents name no one for it).
    assert "谁" in lex.content_tokens("宣恩县委书记是谁")


def test_a_general_thing_named_after_the_question_word_is_what_is_asked() -> None:
    lex = Lexicon()
    # "执行的是什么建设标准": the standard is asked (any passage on the topic may state it), not 执行.
    assert lex.asked_attribute("六盘水推进活动阵地建设执行的是什么建设标准？") is None
    assert lex.asked_attribute("那笔贷款的期限是什么") == "期限"


def test_spoken_fillers_of_figure_questions_name_no_topic() -> None:
    lex = Lexicon()
    tokens = lex.content_tokens("支部党员大会表决时到会人数要达到多少才能开")
    assert "到会" in tokens and "才能" not in tokens
    assert "另" not in lex.content_tokens("支书兼组长另给钱不")
    assert "大致" not in lex.content_tokens("村副职的年待遇水平大致是多少")


def test_complaints_setting_the_scene_name_no_topic() -> None:
    tokens = Lexicon().content_tokens("天天填台账烦死了，牌子太多了，有减负的说法没")
    assert "台账" in tokens and "减负" in tokens
    assert not {"天天", "烦死", "太多", "说法"} & set(tokens)


def test_conditions_and_consequence_words_name_no_topic() -> None:
    lex = Lexicon()
    assert lex.content_tokens("挂钩帮扶不力的话 党组织书记年度考核会受什么影响") == [
        "挂钩", "帮扶", "不力", "党组织", "书记", "年度", "考核",
    ]


def test_contrasting_sides_are_read_from_the_question() -> None:
    sides = contrasts("村正职干部待遇多少")
    assert any("副职" in other for _side, other in sides)
    assert contrasts("正职和副职差多少") == ()  # both sides named: no contrast
    # What the cadre pays himself is not what the budget subsidises.
    assert any("财政" in other for _side, other in contrasts("养老保险个人每年要交多少"))


def test_the_asked_action_is_in_the_how_words_own_sentence() -> None:
    lex = Lexicon()
    assert lex.asked_action("六盘水在这方面落实得如何？请问该市一共提拔了多少名干部") is None
    assert lex.asked_action("请问该县考核差的党委如何处理") == "处理"
    assert lex.content_tokens("请问该市一共提拔了多少名干部") == ["提拔", "干部"]


def test_how_things_stand_asks_no_action() -> None:
    lex = Lexicon()
    # "建得咋样了" closes its clause: the next clause's 多大面积 is no verb of a how-to question.
    assert lex.asked_action("村里活动室建得怎么样了 要多大面积") is None
    assert lex.asked_action("活动室怎么样建") == "建"
    assert "跟" not in lex.content_tokens("有多少个机关跟村里结对")


@pytest.mark.parametrize(
    ("question", "attribute"),
    [
        ("凤庆创业致富贷款的利息是怎么算的", "利息"),
        ("预备党员的预备期是怎么 规定的", "预备期"),  # as spoken.standard_question spaces it
        ("对村干部的学历和年龄有什么要求", "年龄"),
        ("宁德的主要做法是什么", None),  # asks about the topic as a whole
        ("对正式党员人数有什么要求", None),  # a figure: an amount states it
        ("“一月随访”后面是什么", None),  # a place in a list
        ("攻坚队的队长由谁担任，有什么规定", None),  # the ask's own clause names nothing
        ("第一书记工作经费有多少", None),  # not this form of question
    ],
)
def test_the_thing_asked_about_a_topic(question: str, attribute: str | None) -> None:
    assert Lexicon().asked_attribute(question) == attribute


def test_who_the_asker_is_and_a_question_mark_set_the_background() -> None:
    lex = Lexicon()
    background = lex.background_tokens("我刚派到六盘水当第一书记，每年有没有工作经费 给多少")
    assert "第一书记" in background and "工作经费" not in background
    # "我记得…" states what is to be checked: it is the question, not the asker's background.
    assert lex.background_tokens("我记得正式党员7人以上的党支部才设支部委员会，没错吧？") == set()
    # A sentence ended with a question mark asks even without a question word.
    assert "副乡镇长" not in lex.background_tokens("宣恩村主职干部工资底线是照副乡镇长工资水平定的？真的假的")


def test_the_change_a_how_much_question_sizes() -> None:
    lex = Lexicon()
    assert lex.asked_change("群众办事时间缩短了多少") == "缩短"
    assert lex.asked_change("全县村干部总数减少了多少") == "减少"
    assert lex.asked_change("办公经费增加到多少") is None  # the new level, not the change


def test_the_end_of_the_year_in_either_word() -> None:
    # "年底述职" asks about the documents' 年终述职.
    assert "年终" in Lexicon().synonyms_of("年底")


def test_a_modal_glued_to_its_verb_is_dropped() -> None:
    # jieba glues "能考" into one word, which no document states; the verb is 考 (考录, 招录).
    lex = Lexicon()
    assert lex.content_tokens("村干部能考公务员不") == ["村干部", "考", "公务员"]


def test_a_newcomers_opening_clause_is_background() -> None:
    lex = Lexicon()
    # Typed before the question with a space or a comma, with or without 我.
    background = lex.background_tokens("刚来村里发现个别干部干活拖拉 宣恩歇职要歇多久")
    assert "拖拉" in background and "歇职" not in background
    assert "党建" in lex.background_tokens("新到村里抓党建，组织生活会什么时候开")
    # 刚 inside the question is no opener.
    assert lex.background_tokens("组织生活会刚开过 下次什么时候开") == set()
    # Courtesy names no topic.
    assert "谢谢" not in lex.content_tokens("组织生活会什么时候开？谢谢")


def test_a_count_asked_is_not_an_attribute() -> None:
    lex = Lexicon()
    assert lex.asked_attribute("攻坚战法除了“一名领导专职负责”，另外两条是什么") is None
    assert lex.asked_attribute("那笔贷款的期限是什么") == "期限"


def test_greetings_the_askers_story_and_purpose_are_background_anywhere() -> None:
    lex = Lexicon()
    background = lex.background_tokens("您好，我是村里的老党员了，今年七十五，想问问组织生活会一年开几回")
    assert "组织生活会" not in background and "75" in background
    # A clause about the asker after the question, and one saying what the answer is for.
    assert {"混"} <= lex.background_tokens("三会一课到底是哪几个会，我老记混")
    assert {"汇报"} <= lex.background_tokens("写脱贫攻坚汇报要用，宣恩县贫困群众一共有多少人")
    # "我没记错吧" checks a figure heard: it asks.
    assert "专家库" not in lex.background_tokens("专家库是1327人，我没记错吧")
    # "我们村…" is a situation, which may be what is asked about; it stays.
    assert "党员" not in lex.background_tokens("我们村党员少，正式党员不够几个人的党支部不设支委会，这个数是多少")
    # 这么 / 那么 do not ask.
    assert {"单位"} <= lex.background_tokens("支委会是不是每月开一次？我在原单位一直是这么弄的")


def test_how_it_was_decided_asks_no_particular_act() -> None:
    lex = Lexicon()
    assert lex.asked_action("六盘水那边咋定的") is None
    assert lex.asked_action("主题党日是怎么定时间的") == "定"


def test_the_question_mark_after_the_askers_story_marks_the_clause_that_asks() -> None:
    lex = Lexicon()
    background = lex.background_tokens("三会一课到底是哪几个会，我老记混？")
    assert "三会一课" not in background and "混" in background


def test_a_publication_the_answer_is_for_is_background() -> None:
    lex = Lexicon()
    assert {"经验", "稿"} <= lex.background_tokens("宣恩壮大村集体经济有啥路子，想写个经验稿")
    assert {"板报"} <= lex.background_tokens("有没有党员带头致富的典型人物？想上板报")
    assert "村集体经济" not in lex.background_tokens("宣恩壮大村集体经济有啥路子，想写个经验稿")


def test_a_generic_word_after_the_how_word_is_no_act() -> None:
    lex = Lexicon()
    assert lex.asked_action("交办机制具体是怎么 个节奏") is None
    assert lex.asked_action("流动党员怎么转组织关系") == "转"


def test_the_askers_situation_before_a_question_about_a_places_practice() -> None:
    lex = Lexicon()
    # Clauses typed apart by spaces tell the asker's own situation; the question names the place and words
    # of its own. 几 after 里 ("村里几个党员") counts, it does not ask.
    background = lex.background_tokens("村里几个党员平时表现参差不齐 想搞个打分排名 宣恩那个给党员打分的叫啥办法来着")
    assert {"参差不齐", "排名"} <= background and not {"打分", "党员", "办法"} & background
    # "别的地方" (spoken.py writes 各地) is a place too; "啥都不懂" asks nothing.
    background = lex.background_tokens("换届后刚上岗什么都不懂，各地怎么 给村干部培训的")
    assert "上岗" in background and not {"村干部", "培训"} & background


def test_clauses_before_a_question_that_say_what_it_is_about() -> None:
    lex = Lexicon()
    # The first clause names the place whose practice is asked.
    assert lex.background_tokens("宁德搞专题教育的时候，把总书记哪本书定成必读的") == set()
    # A clause stating an aim names what the policy is about.
    assert lex.background_tokens("要让村干部没后顾之忧，宣恩那个案例的提法原话怎么说的") == set()
    # A question naming no topic of its own asks about what was told before it.
    assert lex.background_tokens("刚当上支书，这活一个月到底能拿多少钱") == set()
    assert lex.background_tokens("支部开党员大会选举 为啥人不够就开不成") == set()


def test_words_made_up_by_gluing_a_function_character_are_cut_back() -> None:
    lex = Lexicon()
    tokens = lex.content_tokens("我们村有党员想贷款搞养殖")
    assert "村有" not in tokens and {"党员", "贷款", "养殖"} <= set(tokens)
    assert "后刚" not in lex.content_tokens("换届后刚上岗")
    # Stopwords and dictionary words stay whole ("就够了" is a frame of the ask, not 够).
    assert "够" not in lex.content_tokens("支委会是不是一个季度开一次就够了")
    assert "村里" in lex.content_tokens("村里有多少党员")


def test_a_verb_asked_as_a_not_a_is_the_verb_once() -> None:
    lex = Lexicon()
    tokens = lex.content_tokens("上面发不发过冬的东西")
    assert "发不发" not in tokens and "过冬" in tokens
    # "多不多" asks how many: it is a question word, not 多 glued to the word before it.
    assert not {"户多", "多"} & set(lex.content_tokens("党员户多不多"))
    assert lex.content_tokens("支部多久开一次会，有点搞不清") == lex.content_tokens("支部多久开一次会")


def test_staying_in_a_village_is_one_word() -> None:
    lex = Lexicon()
    assert "下村" in lex.content_tokens("第一书记下村有没有工作经费")
    assert {"驻村", "驻点"} <= set(lex.expand(["下村"])["下村"])
