from typing import Any
from tests.store_world import World
from tests.test_checkin_gateway import make_bot, checkin_db  # noqa

async def test_show(make_bot: Any) -> None:
    bot = await make_bot()
    for u, t in [
        (World.MEM_A, "签到 昨天开了主题党日，应到12人实到10人，主题是学习党的二十届四中全会精神，地点在村党群服务中心"),
        (World.MEM_A, "确认"),
        (World.MEM_A2, "签到"),
        (World.MEM_A2, "党小组会"),
        (World.MEM_A2, "1"),
        (World.MEM_A2, "修改"),
        (World.MEM_A2, "取消"),
        (World.ORG_A, "确认"),
        (World.SEC_A, "本月台账"),
        (World.SEC_A, "本季度情况"),
        (World.SEC_A, "未完成"),
        (World.STAFF, "达标率"),
        (World.STAFF, "达标率 红星村"),
        (World.SEC_A, "邀请码"),
        ("o_x", "签到"),
    ]:
        r = await bot.say(u, t)
        print(f"\n>>> {u}: {t}\n{r}")
