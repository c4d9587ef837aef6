"""Clause writers: each rule family's table worded as an office words its 考核细则.

One writer per table of the rules file (:data:`WRITERS`, keyed by the table's
name): it reads the table through a :class:`~evalkit.outputs._rules_words.Reader`
(which records every key it reads) and returns numbered-clause texts in Chinese
or English. A family that adds a table adds its writer here.
"""

from __future__ import annotations

from evalkit.outputs._labels import enum_label
from evalkit.outputs._rules_outcomes import awards, final, informants, sanction
from evalkit.outputs._rules_words import Reader, Say, Writer, any_points, figure, leader, priced

# --------------------------------------------------------------------------- clause writers
# One writer per rule family (the top-level table of the rules file). Each takes
# the family's table (a recorder) and the wording helper and returns clauses.


def _adoption(t: Reader, say: Say) -> list[str]:
    points, outlets = dict(t["points"].items()), t["outlets"]
    named = {level: dict(table.items()) for level, table in outlets.items()}
    named = {level: table for level, table in named.items() if table}
    by_level_phrases = [
        phrase
        for lv, p in points.items()
        if any_points(p)
        for phrase in priced(
            say,
            p,
            "{level}采用{w}每条计{p}分",
            "{level} adoption{w}: {p} points",
            level=say.level(lv),
        )
    ]
    unpriced = [say.level(lv) for lv, p in points.items() if not any_points(p) and lv not in named]
    by_level = say("信息被采用的，按采用级别计分：", "Adopted items score by level: ") + say.items(
        by_level_phrases
    )
    if not by_level_phrases:
        by_level = ""
    if unpriced:
        none = say(
            "{levels}采用不计分", "{levels} adoptions score nothing", levels=say.items(unpriced)
        )
        by_level = say.join([by_level, none]) if by_level else none
    clauses = [say.end(by_level)] if by_level else []
    by_outlet = []
    for level, table in named.items():
        listed = [
            phrase
            for name, p in table.items()
            for phrase in priced(say, p, "《{o}》采用{w}每条计{p}分", "“{o}”{w} {p} points", o=name)
        ]
        rest = (
            say(
                "本级其他刊物按{level}采用计分",
                "other outlets as the level",
                level=say.level(level),
            )
            if any_points(points[level])
            else say("本级其他刊物不计分", "other outlets score nothing")
        )
        by_outlet.append(say("{level}", "{level}: ", level=say.level(level)) + say.items(listed)
                         + ("，" if say.zh else ", ") + rest)  # fmt: skip
    if by_outlet:
        clauses.append(say.end(say("按刊物计分：", "By outlet: ") + say.join(by_outlet)))
    factors = []
    for kind, f in t["type_factor"].items():
        if f != 1:
            factors.append(say("{kind}采用按单篇分值的{f}倍计分", "a {kind} adoption scores {f} times a single one",
                               kind=say.adoption_type(kind), f=figure(f)))  # fmt: skip
    if factors:
        clauses.append(say.end(say.join(factors)))
    by_category = [
        say(
            "{c}按上述分值的{f}倍计分",
            "{c} score {f} times the points above",
            c=say.category(c),
            f=figure(f),
        )
        for c, f in t["category_factor"].items()
        if f != 1
    ]
    if by_category:
        clauses.append(say.end(say.join(by_category)))
    if t["mode"] == "highest":
        clauses.append(say("同一条信息被多级或多个刊物采用的，只按最高一项计分，不重复计分。",
                           "An item adopted at several levels or in several outlets scores only its highest adoption."))  # fmt: skip
    else:
        clauses.append(say("同一条信息被多级或多个刊物采用的，累加计分。",
                           "An item adopted at several levels or in several outlets scores every adoption."))  # fmt: skip
    if t["joint"] == "split":
        clauses.append(say("多个单位合报的信息，分值由各报送单位平均分配。",
                           "A jointly submitted item's points are split evenly among its units."))  # fmt: skip
    else:
        clauses.append(say("多个单位合报的信息，各报送单位均按全额计分。",
                           "A jointly submitted item scores in full for each of its units."))  # fmt: skip
    return clauses


def _instruction(t: Reader, say: Say) -> list[str]:
    further = dict(t["further"].items())
    bonus = []
    for lv, p in t["points"].items():
        more = further.get(lv)
        if not p and not more:
            continue
        text = say("{who}批示的每条加{p}分", "{who}: +{p}", who=leader(say, lv), p=figure(p))
        if more and more != p:
            text += say("（同一条信息有多位{who}批示的，其余每条加{m}分）", " (each further such leader on the item +{m})",
                        who=leader(say, lv), m=figure(more))  # fmt: skip
        bonus.append(text)
    once = [leader(say, lv) for lv, more in further.items() if more == 0]
    by_outlet = [
        say("《{o}》采用信息获批示的加{p}分", "an instruction on an item in “{o}” +{p}", o=name, p=figure(p))
        for name, p in t["outlets"].items()
    ]  # fmt: skip
    factors = [
        say("{who}批示的，该条信息的采用得分按{f}倍计", "{who}: the item's adoption points count {f} times",
            who=leader(say, lv), f=figure(f))
        for lv, f in t["factor"].items()
        if f != 1
    ]  # fmt: skip
    by_category = [
        say(
            "{c}获批示的，加分按{f}倍计",
            "on {c} the bonus counts {f} times",
            c=say.category(c),
            f=figure(f),
        )
        for c, f in t["category_factor"].items()
        if f != 1
    ]
    kinds = list(t["kinds"])
    if not (bonus or by_outlet or factors):
        return []
    if once:
        factors.insert(0, say("同一条信息有多位{who}批示的，只计第一条，不重复加分", "several leaders of one level ({who}) on one item: only the first counts",
                              who=say.items(once)))  # fmt: skip
    head = (
        say("采用信息获领导肯定性批示的，另行加分：", "Bonus for a leader's affirmative instruction on an adopted item: ")
        if kinds == ["affirmative"]
        else say("采用信息获领导批示的，另行加分：", "Bonus for a leader's instruction on an adopted item: ")
    )  # fmt: skip
    clauses = [say.end(head + say.items(bonus + by_outlet))] if bonus or by_outlet else []
    if factors:
        clauses.append(say.end(say.join(factors)))
    if by_category:
        clauses.append(say.end(say.join(by_category)))
    return clauses


def _forwarding(t: Reader, say: Say) -> list[str]:
    points = [
        phrase
        for lv, p in t["points"].items()
        if any_points(p)
        for phrase in priced(
            say, p, "{to}的{w}每条计{p}分".replace("{w}", "{w}" if isinstance(p, Reader) else "信息"),
            "forwarded {to}{w}: {p} points an item",
            to=enum_label("forward_level", lv, say.lang) if say.zh
            else enum_label("forward_level", lv, "en").lower(),
        )
    ]  # fmt: skip
    factors = [
        say("经本办转报被{level}采用的，采用得分按{f}倍计", "adopted at {level} level after forwarding: the adoption's points count {f} times",
            level=say.level(lv) if say.zh else say.level(lv).lower(), f=figure(f))
        for lv, f in t["factor"].items()
        if f != 1
    ]  # fmt: skip
    clauses = []
    if points:
        clauses.append(
            say.end(say.items(points) + say("（不论上级是否采用）", " (adopted there or not)"))
        )
    if factors:
        clauses.append(say.end(say.join(factors)))
    return clauses


def _submission(t: Reader, say: Say) -> list[str]:
    points, cap = t["points"], t["cap"]
    if not any_points(points):
        return []
    if isinstance(points, Reader):
        text = say.join(
            priced(say, points, "每报送1条{w}计{p}分", "each item submitted{w} scores {p}")
        )
    else:
        text = say("每报送1条信息计{p}分", "Each item submitted scores {p}", p=figure(points))
    text += say("（合报信息按报送单位数分摊）", " (a joint item is shared among its units)")
    if cap is not None:
        text += say("，全年报送得分最高{c}分", ", at most {c} a year", c=figure(cap))
    return [say.end(text)]


def _quota(t: Reader, say: Say) -> list[str]:
    comma = "，" if say.zh else ", "
    clauses = []
    for q in t:
        who = [say.value(q[k]) for k in ("group", "class") if q[k]]
        who_text = ("".join(who) if say.zh else " ".join(who)) or say("各单位", "every unit")
        per = say.period(q["period"])
        category = q.get("category")
        what = say.category(category) if category else say("信息", "items")
        parts = []
        by_task = q["unit_quota"]  # (a rate threshold has no task)
        if q.get("measure", "items") == "rate":
            rate = figure(q["min_rate"] * 100)
            parts.append(say("每{per}稿件录用率应不低于{r}%", "an adoption rate of at least {r}% each {per}", per=per, r=rate))  # fmt: skip
        elif by_task:
            spread = say("按下达的年度任务数报送", "submit the yearly task set for the unit")
            if q["period"] != "year":
                spread = say("按下达的年度任务数折算到每{per}报送（向上取整）", "submit the yearly task set for the unit, spread over each {per} (rounded up)", per=per)  # fmt: skip
            parts.append(spread)
            if q["min_items"] is not None:
                parts.append(say("未下达任务数的每{per}报送{w}不少于{n}条", "without a task, at least {n} {w} a {per}", per=per, w=what, n=q["min_items"]))  # fmt: skip
        else:
            parts.append(say("每{per}报送{w}不少于{n}条", "submit at least {n} {w} a {per}", per=per, w=what, n=q["min_items"]))  # fmt: skip
        met, missed = (say("达到的", "met"), say("未达到的", "missed")) if q.get("measure") == "rate" else (say("完成的", "met"), say("未完成的", "missed"))  # fmt: skip
        if q["base_points"]:
            parts.append(say(met + "每{per}计基础分{b}分", "{b} base points for each {per} met", per=per, b=figure(q["base_points"])))  # fmt: skip
        if q.get("per_extra"):
            parts.append(
                say("每超1条加{p}分", "{p} points per item over", p=figure(q["per_extra"]))
            )
        if q["cap"] is not None:
            capped = say("基础分", "base points") if not q.get("per_extra") else say("此项加分", "these points")  # fmt: skip
            parts.append(
                say("全年{w}最高{c}分", "at most {c} {w} a year", w=capped, c=figure(q["cap"]))
            )
        if q["penalty"]:
            parts.append(say(missed + "每{per}扣{p}分", "{p} deducted for each {per} missed", per=per, p=figure(q["penalty"])))  # fmt: skip
        if q.get("per_missing"):
            parts.append(
                say("每少1条扣{p}分", "{p} deducted per item short", p=figure(q["per_missing"]))
            )
        clauses.append(say.end(who_text + say("：", ": ") + comma.join(parts)))
    return clauses


def _deadlines(t: Reader, say: Say) -> list[str]:
    rules = []
    for category, d in t.items():
        hours, due_at = d["hours"], d["due_at"]
        if hours is not None:
            rules.append(say("{c}应在事发后{h}小时内报送", "{c} within {h} hours of the event", c=say.category(category), h=figure(hours)))  # fmt: skip
        if due_at:
            rules.append(say("{c}应在约定的截止时间前报送", "{c} by their due date", c=say.category(category)))  # fmt: skip
    on_time = [
        say("{c}按时报送的每条加{p}分", "{c} on time: +{p} each", c=say.category(c), p=figure(d["on_time"]))
        for c, d in t.items()
        if d["on_time"]
    ]  # fmt: skip
    if not rules:
        return []
    clauses = [say.end(say.join(rules) + say("，超时的视为迟报", "; later counts as late"))]
    return clauses + ([say.end(say.join(on_time))] if on_time else [])


def _lateness(t: Reader, say: Say) -> list[str]:
    fraction, points = t["fraction"], t["points"]
    parts = []
    if fraction:
        parts.append(say("扣减该条信息所得分值的{p}%", "loses {p}% of the points it earns", p=figure(fraction * 100)))  # fmt: skip
    # 另扣 / "more" only after a share of the item's points was taken
    zh, en = ("{w}每条另扣{p}分", "and {p} points more{w}") if fraction else ("{w}每条扣{p}分", "{p} points{w}")  # fmt: skip
    lead = (
        say("迟报的信息", "A late item ") if fraction else say("迟报的信息", "A late item loses ")
    )
    if isinstance(points, Reader) and any_points(points):
        parts.append(say.items(priced(say, points, zh, en)))
        if not fraction and say.zh:  # 迟报的紧急信息每条扣2分、约稿信息每条扣3分
            lead = "迟报的"
    elif points and not isinstance(points, Reader):
        parts.append(say(zh, en, w="", p=figure(points)))
    if not parts:
        return []
    return [say.end(lead + ("，" if say.zh else " ").join(parts))]


def _faults(t: Reader, say: Say) -> list[str]:
    points = dict(t["points"].items())
    charged = [say("{k}每次扣{p}分", "{k}: {p} points each", k=say.fault(k), p=figure(p)) for k, p in points.items() if p]  # fmt: skip
    free = [say.fault(k) for k, p in points.items() if not p]
    clauses = []
    if charged:
        text = say("扣分：", "Deductions: ") + say.items(charged)
        if free:
            text += say("；{k}不在此扣分", "; {k}: none here", k=say.items(free))
        clauses.append(say.end(text))
    void = t.get("void") or []
    if void:
        clauses.append(say("{k}的信息本身不得分（已得分值予以扣除）。", "An item found {k} earns nothing itself (its points are taken back).",
                           k=(say.items if say.zh else " or ".join)([say.fault(k) for k in void])))  # fmt: skip
    veto = t["veto"]
    if veto:
        clauses.append(say("出现{k}情形之一的，实行一票否决：排在本组末位，不得评先评优。",
                           "Any {k} report vetoes the unit: it ranks last in its group and gets no award.",
                           k=(say.items if say.zh else " or ".join)([say.fault(k) for k in veto])))  # fmt: skip
    return clauses


#: One writer per rule family, keyed by the family's table in the rules file.
#: A new family adds its writer here (and its test checks every key is worded).
WRITERS: dict[str, Writer] = {
    "submission": Writer("信息报送", "Submissions", _submission),
    "adoption": Writer("信息采用", "Adoptions", _adoption),
    "instruction": Writer("领导批示", "Leader instructions", _instruction),
    "forwarding": Writer("信息转报", "Forwarding", _forwarding),
    "quota": Writer("报送任务", "Quotas", _quota),
    "deadlines": Writer("报送时效", "Timeliness", _deadlines),
    "lateness": Writer("报送时效", "Timeliness", _lateness, section="deadlines"),
    "faults": Writer("扣分与一票否决", "Deductions and vetoes", _faults),
    "sanction": Writer("扣分与一票否决", "Deductions and vetoes", sanction, section="faults"),
    "final": Writer("计分方式", "How the score is made", final),
    "informants": Writer("信息员计分", "Informants", informants),
    "awards": Writer("表彰奖励", "Awards", awards),
}
