"""Every text the bot says to users (Chinese). Code elsewhere refers to these names, never to literals."""

from __future__ import annotations

BOT_NAME = "党建助手"

WELCOME = (
    "欢迎关注党建助手！我为农村基层党组织提供：\n"
    "1. 政策问答：直接发送问题，如「支部党员大会多久开一次」「宣恩县村主职干部一年工资多少」；\n"
    "2. 活动打卡：发送「签到」记录三会一课、主题党日（首次使用请先「绑定 邀请码」）；\n"
    "3. 书记、组织委员可发送「通知 内容」向本支部发通知。\n"
    "回复「帮助」查看使用说明。"
)

HELP = (
    "【党建助手使用说明】\n"
    "· 政策问答：直接用文字发送您的问题，我会从政策文件中查找答案并注明出处。\n"
    "· 「签到」：记录三会一课、主题党日，可一句话说全，"
    "如「签到 昨天开了主题党日，应到12人实到10人，主题是学习党章」。\n"
    "· 「本月台账」「本季度情况」：查看本支部完成情况；书记、组织委员还可用「未完成」「确认」「邀请码」。\n"
    "· 「绑定 邀请码」：绑定党员身份。\n"
    "· 「通知 内容」「通知记录」：书记、组织委员向本支部发通知、查看送达情况。\n"
    "· 「更多」：回答较长时，查看下一页。\n"
    "· 「取消」：退出正在进行的操作。\n"
    "· 「帮助」：查看本说明。\n"
    "记录活动时可发送现场照片；语音等暂不能识别。"
)

HELP_WORDS: tuple[str, ...] = ("帮助", "help", "?", "？", "菜单", "使用说明")
CANCEL_WORDS: tuple[str, ...] = ("取消", "退出", "cancel")
MORE_WORDS: tuple[str, ...] = ("更多", "下一页", "more")
GREETING_WORDS: tuple[str, ...] = ("你好", "您好", "hi", "hello", "在吗")

GREETING = "您好！我是党建助手。直接发送政策问题即可，回复「帮助」查看使用说明。"
CANCELLED = "已取消当前操作。"
NOTHING_TO_CANCEL = "当前没有进行中的操作。回复「帮助」查看使用说明。"
NO_MORE_PAGES = "没有更多内容了。"

PENDING_QA = "正在查询，请稍候……"
APOLOGY = "抱歉，系统开小差了，请稍后再试。如多次出现，请联系管理员。"
EMPTY_TEXT = "请用文字发送您的问题。回复「帮助」查看使用说明。"

SCENE_WELCOME = "已收到您扫描的二维码。如需绑定支部，请发送「绑定 邀请码」。"
SCAN_RECEIVED = "已收到您扫描的二维码。如需绑定支部，请发送「绑定 邀请码」。"

MEDIA_NOT_SUPPORTED = {
    "image": "已收到图片。活动照片请在「签到」记录活动时发送，其他图片暂不能识别。",
    "voice": "已收到语音。目前暂不支持识别语音，请用文字发送您的问题。",
    "video": "已收到视频。目前暂不支持视频，请用文字发送您的问题。",
    "shortvideo": "已收到视频。目前暂不支持视频，请用文字发送您的问题。",
    "location": "已收到位置。目前暂不支持位置信息，请用文字发送您的问题。",
    "link": "已收到链接。目前暂不支持阅读链接内容，请用文字发送您的问题。",
}
UNKNOWN_MESSAGE = "抱歉，暂不支持这种消息。目前支持文字提问，回复「帮助」查看使用说明。"
MENU_UNKNOWN = "该菜单功能即将开放，敬请期待。回复「帮助」查看使用说明。"


def page_footer(page: int, total: int) -> str:
    """Footer of page ``page`` of ``total`` of a long answer."""
    if page < total:
        return f"\n\n（第{page}/{total}页，回复「更多」查看下一页）"
    return f"\n\n（第{page}/{total}页，完）"
