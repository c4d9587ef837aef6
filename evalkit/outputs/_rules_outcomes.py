"""Clause writers for how the points become a result: the final score's shaping
(weighted parts, 折算), the one-vote veto, the informants' score and the awards.

Each writer reads its table of the rules file through a
:class:`~evalkit.outputs._rules_words.Reader` and returns numbered-clause texts;
:data:`evalkit.outputs._rules_clauses.WRITERS` names them beside the writers of the
point tables.
"""

from __future__ import annotations

from evalkit.outputs._rules_words import Reader, Say, figure


def _part_clause(p: Reader, say: Say) -> str:
    comma = "，" if say.zh else ", "
    items = say.items(say.component(c) for c in p["components"])
    text = say("{n}：由{c}得分组成", "{n}: the points of {c}", n=p["name"] or say("其中一项", "A part"), c=items)  # fmt: skip
    terms = []
    if p["base"]:
        terms.append(say("基础分{b}分", "starting from {b}", b=figure(p["base"])))
    if p["floor"] is not None:
        floor = say("扣完为止", "never below 0") if p["floor"] == 0 else say("最低{f}分", "never below {f}", f=figure(p["floor"]))  # fmt: skip
        terms.append(floor)
    if p["cap"] is not None:
        terms.append(say("最高{c}分", "at most {c}", c=figure(p["cap"])))
    if p["weight"] != 1:
        terms.append(
            say("按{w}倍计入总分", "counted {w} times in the total", w=figure(p["weight"]))
        )
    return say.end(comma.join([text, *terms]))


def final(t: Reader, say: Say) -> list[str]:
    decimals = t["decimals"]
    rounding = (
        say("得分取整数（四舍五入）", "rounded to whole points (half away from zero)")
        if decimals == 0
        else say("得分保留{d}位小数（四舍五入）", "rounded to {d} decimal place{s} (half away from zero)", d=decimals, s="" if decimals == 1 else "s")
    )  # fmt: skip
    parts = t.get("part") or []
    clauses = [_part_clause(p, say) for p in parts]
    if t["mode"] == "average":
        head = say("得分为以上各项得分之和除以报送信息条数（平均每条得分）", "The score is the sum of all points divided by the items submitted (an average per item)")  # fmt: skip
    else:
        head = say(
            "得分为以上各项加分与扣分之和", "The score is the sum of all points gained and lost"
        )
    scale = t.get("scale")
    if scale is not None and scale["method"] == "top":
        head += say("，按各排名组内未被一票否决单位的最高分计{p}分、其余按比例折算", ", converted so that the best unit not vetoed in each ranking pool has {p} and the others in proportion", p=figure(scale["points"]))  # fmt: skip
    elif scale is not None and scale["method"] == "full":
        head += say("，按满分{f}分折算为{p}分制", ", converted from full marks of {f} to {p}", f=figure(scale["full"]), p=figure(scale["points"]))  # fmt: skip
    clauses.append(say.end(head + ("，" if say.zh else ", ") + rounding))
    pool = {
        "group": say("各单位在所在组别内按得分从高到低排名，得分相同的并列。", "Units rank within their group by score; equal scores share a place."),
        "class": say("各单位在所在组别的同一类别内按得分从高到低排名，得分相同的并列。", "Units rank within their group and class by score; equal scores share a place."),
        "all": say("全部单位统一按得分从高到低排名，得分相同的并列。", "All units rank together by score; equal scores share a place."),
    }  # fmt: skip
    clauses.append(pool[t.get("rank_by", "group")])
    return clauses


def sanction(t: Reader, say: Say) -> list[str]:
    clauses = []
    for s in t:
        counted = [say.fault(k) for k in s["faults"]]
        counted += [say("{c}迟报", "late {c}", c=say.category(c)) for c in s["late"]]
        what = say.items(counted) if len(counted) < 2 else say("{k}合计", "{k} together", k=say.items(counted))  # fmt: skip
        over = (
            say("一年内", "In a year, ")
            if s["over"] == "year"
            else say("考核期内", "In the period, ")
        )
        action = {
            "veto": say("实行一票否决", "the unit is vetoed (ranked last, no award)"),
            "ineligible": say("取消评先评优资格", "the unit may not be commended"),
            "zero": say("当期得分计零", "its score is set to 0"),
        }[s["action"]]
        clauses.append(say.end(say("{o}{w}达到{n}次的，{a}", "{o}{w} {n} times or more: {a}", o=over, w=what, n=s["at_least"], a=action)))  # fmt: skip
    return clauses


def informants(t: Reader, say: Say) -> list[str]:
    if t["joint"] == "split":
        return [say("多名信息员合写的信息，得分由各作者平均分配。", "An item with several informants is shared evenly among them.")]  # fmt: skip
    return [say("多名信息员合写的信息，各作者均按全额计分。", "An item with several informants scores in full for each.")]  # fmt: skip


def _award_clause(a: Reader, say: Say, units: bool) -> str:
    tiers = []
    for tier in a["tiers"]:
        name, count, min_score = say.value(tier["award"]), tier["count"], tier["min_score"]
        if count is not None and min_score is not None:
            tiers.append(say("{a}{c}名（得分不低于{s}分）", "{a}: {c} (scoring at least {s})", a=name, c=count, s=figure(min_score)))  # fmt: skip
        elif count is not None:
            tiers.append(say("{a}{c}名", "{a}: {c}", a=name, c=count))
        else:
            tiers.append(say("得分不低于{s}分的评为{a}", "{a}: all scoring at least {s}", a=name, s=figure(min_score)))  # fmt: skip
    per_group = a["per_group"]  # one named group: per group or pooled is the same
    per_class = a.get("per_class", False)
    if a.get("class"):  # the class once, after its group when one is named
        klass = say.value(a["class"])
        scope = say.value(a["group"]) + say("{c}", " {c}", c=klass) if a["group"] else klass
    elif per_class:
        scope = say("各类别分别评选", "Each class") if units else say("信息员按单位类别分别评选", "Informants, per class of unit")  # fmt: skip
    elif a["group"]:
        scope = say.value(a["group"])
    elif per_group:
        scope = say("各组分别评选", "Each group") if units else say("信息员按组别分别评选", "Informants, per group")  # fmt: skip
    else:
        scope = say("各单位统一评选", "All units in one pool") if units else say("全体信息员统一评选", "All informants in one pool")  # fmt: skip
    text = scope + say("：", ": ") + say.items(tiers)
    terms = []
    if a["min_items"]:
        terms.append(
            say("全年报送信息不少于{n}条", "at least {n} items submitted", n=a["min_items"])
        )
    barred = [
        text
        for key, text in (
            ("exclude_vetoed", say("被一票否决", "vetoed")),
            ("require_quota", say("未完成报送任务", "short of the quota")),
        )
        if a[key]
    ]
    if barred:
        who = say("", "units") if units else say("所在单位", "informants of units")
        terms.append(
            say(
                "{w}{b}的不得参评",
                "{w} {b} are not eligible",
                w=who,
                b=say("或", " or ").join(barred),
            )
        )
    if terms:
        text += say("（{t}）", " ({t})", t=("，" if say.zh else "; ").join(terms))
    return say.end(text)


def awards(t: Reader, say: Say) -> list[str]:
    clauses = [_award_clause(a, say, units=True) for a in t["units"]]
    clauses += [_award_clause(a, say, units=False) for a in t["informants"]]
    return clauses
