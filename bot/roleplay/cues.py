"""What a trainee's reply does, read structurally: sentences and clauses, the scope of a negation, a
question that asks for a cause, a feature tied to a benefit, a proposal with a time or a contact, a
competitor and a negative word in one clause. The cue words come from the rubric (data/roleplay/rubric.yml)
and the catalog (equipment, features, gifts, owners, the people who buy each model); every finding keeps
the words or sentence that triggered it, so the scorecard can say why.

Pure: no Rasa, no I/O (the caller reads the rubric, the catalog and the competitor lexicon)."""

import re
from dataclasses import dataclass, field
from typing import Dict, FrozenSet, Iterable, List, Optional, Pattern, Sequence, Tuple

from bot.nlu.text import normalize
from bot.roleplay.rubric import CHECKS, Rubric

SENTENCE_END = re.compile(r"(?<=[。!?;\n…])|(?<=[~～])")
CLAUSE_BREAK = re.compile(r"[,，、:：\"“”'‘’()（）《》\s]+")
PUNCT = re.compile(r"[。!?;,，、:：…~～\"“”'‘’()（）《》\s.]")
NUMERAL = r"[0-9零一二两三四五六七八九十百千万半几.]+"
# a spec number with its unit: 12厘米, 5.6升, 520公里, 五年, 十五万公里, 六个气囊, 2.0T, 36期, 两成, 20%
SPEC = re.compile(
    NUMERAL + r"(?:个|块|颗|道)?(?:厘米|公分|毫米|升|L|公里|km|年|周|个月|期|成|%|度|马力|匹|T|座|气囊|"
    r"扬声器|喇叭|寸|英寸|秒|分钟|倍)"
)
# a money amount (a cut is a verb followed by one): 五千, 3000, 两千块, 一万, 十二万, 八千
AMOUNT = re.compile(r"(?:[0-9]+(?:\.[0-9]+)?|一半|[一二两三四五六七八九十百千万几]+)(?:千|万|百|块|元|个点|%)?")
NEGATORS = ("不", "没", "无", "别", "未", "非", "甭", "谈不上", "不存在")
# a negation that follows what it denies: 便宜不了, 底价一说, 降不下来, 让不了
POST_NEGATION = re.compile(r"^(?:[了的]?不[了下动得]|不了|一说|这一说|这回事|这个说法|的说法|是没有|没有|都没有)")
# words that hold 不 without denying anything: 要不 (a proposal), 不用 (a benefit), 不过, 不少 …
NOT_NEGATIONS = re.compile(
    r"特别|别的|别人|别家|区别|分别|个别|级别|非常|未来|无论|要不|不用|不妨|不如|不错|不少|不过|不管|不仅|不光|不但|不论|不然|不久|不一定|不同"
)
NEGATION_WINDOW = 6  # characters before a cue that a negation reaches (不能再便宜, 没有底价)
# a negation right before a verdict on the customer's point: 不太正常, 不是很合理, 并不理解, 没有道理
VERDICT_NEGATION = re.compile(r"(?:不|没|没有|不是|并不|并非|不太|不算|不大|不怎么|未必|无|别)$")
QUESTION_END = re.compile(r"[?？]$")
DISCOUNT_RATE = re.compile(r"[打给]您?[个]?[九八七][五八]?折|[九八七][五八]折")
# a figure presented as the lowest: 最少十二万, 最低十一万八, 最多让到五千
# contradicting the customer's complaint: 其实不贵, 一点都不费油, 哪里慢; 已经很省了好吗
CONTRADICT = re.compile(
    r"(?:其实|真的?|根本|一点(?:都|也|儿)?|并|哪里|哪儿?)(?:不|没)(?:贵|费油|费电|高|慢|小|挤|难开|麻烦|复杂|"
    r"久|吵|颠|差)|已经[^,，。!?]{0,10}(?:好吗|好吧|好不好|懂吗)$"
)
# a competitor run down as 差 (国产车保值差, 他们售后差), not 差不多 / 差价 / 差别
BAD = re.compile(r"(?<![不没相])差(?!不多|价|别|异|距|额|点|一点|几)")
# a price said as the deal: 十五万拿走, 十二万三卖您; an amount of discount: 三千的优惠, 有两千现金优惠
DEAL = re.compile(
    r"(?:[0-9.]+|[一二两三四五六七八九十]+)万[0-9一二两三四五六七八九千]*(?:拿走|开走|提走|卖您|卖给您|成交|给您)"
)
OFF = re.compile(r"(?:[0-9]+|[一二两三四五六七八九十几]+[千万百])(?:块|元)?(?:钱)?的?(?:优惠|现金优惠|让利|折扣|红包)")
# a cut granted without an amount: 我再让一点, 给您便宜些, 那就优惠一点
SOFT_CUT = re.compile(r"(?:给您|给你|我|就|那)再?(?:让|便宜|优惠|降|少算|少收)(?:您|你)?一?(?:点|些|步)")
# sending the customer away: 那您去买卡罗拉吧
GO_AWAY = re.compile(r"那您?就?去买|您去买[^,，。]{0,8}(?:吧|呗)|(?<![听是])谁说")
# talking down to the customer in a sentence shape: 那是您没细看, 您这预算买不到, 您这想法不对, 这种报价您也信
ARGUE = re.compile(
    r"(?:那是|是)您(?:没|不)(?:细看|仔细看|看|懂|了解|搞|弄|算|注意|开过)|您(?:这|那)(?:点)?(?:预算|钱|条件|收入)[^,，。]{0,6}"
    r"(?:买不|不够|勉强|够呛)|预算[^,，。]{0,8}(?:有点|有些|太)?勉强|(?:这|那)(?:种|个)?想法(?:不对|不行|错|有问题)|"
    r"您(?:也|还|都)信|您那是|(?:有|没)(?:啥|什么)好(?:担心|怕|犹豫|纠结|顾虑)|您懂(?:啥|什么|不懂)|"
    r"这都不(?:知道|懂|清楚)|这还用(?:说|问|想)|您(?:是)?不是(?:没|不)(?:懂|看|听)|这(?:有|是)什么好(?:比|问|担心)|"
    r"(?:多|再)(?:有|顶)(?:啥|什么)用"
)
# the dealer's loss offered as money: 赔您三千, 首付我给您补一半, 保险我们也包了
CASH = re.compile(
    r"保险[^,，。]{0,4}包|(?:赔|补|返)(?:您|你)[^,，。]{0,4}(?:[0-9]|[一二两三四五六七八九十几半]|现金|钱)|"
    r"(?:利息|利率|息)[^,，。]{0,2}(?:全免|免了|我们出|算我)|零利息|零首付|免息"
)
# a sentence about the rival just named (它, 他们家, 那车 …) and the run-downs that need no subject
RIVAL_AGAIN = re.compile(
    r"^(?:它|他们|他家|那车|那款|那家|人家|那边|那种|这种车|那玩意|开两年|开几年|开个|用两年|买了)"
)
INDIRECT_RUN_DOWN = (
    "散架",
    "摆设",
    "坑",
    "毛病",
    "投诉",
    "趴窝",
    "自燃",
    "烧机油",
    "异响",
    "故障",
    "后悔",
    "上当",
    "吃亏",
    "不保值",
    "掉价",
    "没人管",
    "就坏",
    "容易坏",
    "修不完",
    "三天两头",
)
FLOOR_FIGURE = re.compile(r"最(?:少|低|多)[^,，。!?]{0,4}?(?:[0-9]+|[一二两三四五六七八九十]+[万千])")


# ---------------------------------------------------------------- facts the catalog backs
# Value (FAB) is catalog-backed facts only (shared/docs/trainee-labelling.md): a warranty longer than the
# dealer's, equipment a model (or the trim named) does not have, an airbag or seat count, engine, economy,
# range, delivery time, down payment, trade-in subsidy or outlet count the catalog does not give makes the
# sentence earn no value; the reason is kept for the scorecard. The scorer builds CatalogFacts.
CN_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
NUM = r"[0-9.]+|[零一二两三四五六七八九十百]+"
# a word a customer says for a catalog equipment name
EQUIPMENT_WORDS: Dict[str, Tuple[str, ...]] = {
    "全景天窗": ("全景天窗", "天窗"),
    "电动尾门": ("电动尾门", "电尾门", "感应尾门"),
    "座椅加热": ("座椅加热",),
    "倒车影像": ("倒车影像",),
    "360全景影像": ("360全景影像", "360影像", "全景影像", "360度全景"),
    "中控大屏": ("中控大屏",),
    "主动刹车": ("主动刹车", "自动刹车"),
    "L2辅助驾驶": ("L2", "辅助驾驶", "自适应巡航"),
    "后排独立空调": ("后排独立空调", "独立空调", "后排空调"),
}
NOT_CLAIM = re.compile(r"[没无不未别]|选装|加装|可以装|能装|另加|加钱")


def cn_number(text: str) -> Optional[float]:
    """12, 5.6, 五, 十五, 二十, 三百 as a number (None when it is not one)."""
    if re.fullmatch(r"[0-9]+(?:\.[0-9]+)?", text):
        return float(text)
    if not text or any(c not in CN_DIGITS and c not in "十百" for c in text):
        return None
    total, cur = 0, 0
    for c in text:
        if c in CN_DIGITS:
            cur = CN_DIGITS[c]
        elif c == "十":
            total += (cur or 1) * 10
            cur = 0
        elif c == "百":
            total += (cur or 1) * 100
            cur = 0
    return float(total + cur)


@dataclass(frozen=True)
class ModelFacts:
    name: str
    names: Tuple[str, ...]  # name and aliases
    seats: Optional[int] = None
    airbags: Optional[int] = None
    displacement: Optional[str] = None  # 1.5T
    economy: Optional[float] = None  # litres per 100 km
    range_km: Optional[int] = None  # the longest range of any trim
    delivery_weeks: Optional[int] = None
    trims: Tuple[str, ...] = ()
    equipment: Dict[str, Tuple[str, ...]] = field(default_factory=dict)  # catalog feature -> trims with it


@dataclass(frozen=True)
class CatalogFacts:
    models: Tuple[ModelFacts, ...] = ()
    warranty_years: FrozenSet[float] = frozenset()
    warranty_km: FrozenSet[float] = frozenset()  # in 万公里
    down_payment: Optional[float] = None  # 成
    rates: FrozenSet[float] = frozenset()  # percent
    subsidy: Optional[float] = None  # yuan
    outlets: Optional[int] = None

    def model(self, name: Optional[str]) -> Optional[ModelFacts]:
        return next((m for m in self.models if m.name == name), None)

    def models_in(self, text: str) -> List[Tuple[int, ModelFacts]]:
        """Where each model is named in ``text`` (longest name wins: 远山Pro before 远山)."""
        names = sorted(((n, m) for m in self.models for n in m.names), key=lambda x: -len(x[0]))
        taken = [False] * len(text)
        out = []
        for n, m in names:
            for hit in re.finditer(re.escape(n), text):
                if not any(taken[hit.start() : hit.end()]):
                    out.append((hit.start(), m))
                    for k in range(hit.start(), hit.end()):
                        taken[k] = True
        return sorted(out, key=lambda x: x[0])

    def wrong(self, sentence: str, model: Optional[str] = None) -> List[str]:
        """What in ``sentence`` contradicts the catalog, each said as the words and the catalog's fact;
        ``model`` is the one the conversation is about when the sentence names none."""
        if not self.models and not self.warranty_years:
            return []
        out: List[str] = []
        named = self.models_in(sentence)

        def about(pos: int) -> Optional[ModelFacts]:
            before = [m for p, m in named if p <= pos]
            return before[-1] if before else (named[0][1] if named else self.model(model))

        for clause in re.split(r"[，,；;。！？!?]", sentence):
            if not clause:
                continue
            offset = sentence.find(clause)
            if re.search(r"质保|保修", clause) and not re.search(r"延保|电池|电机|电芯|[没无不]", clause):
                for m in re.finditer(rf"({NUM})年", clause):
                    n = cn_number(m.group(1))
                    if n is not None and self.warranty_years and n not in self.warranty_years:
                        out.append(
                            f"{m.group()}（目录质保{'/'.join(f'{y:g}年' for y in sorted(self.warranty_years))}）"
                        )
                for m in re.finditer(rf"({NUM})万(?:公里|km)", clause):
                    n = cn_number(m.group(1))
                    if n is not None and self.warranty_km and n not in self.warranty_km:
                        out.append(
                            f"{m.group()}（目录质保{'/'.join(f'{k:g}万公里' for k in sorted(self.warranty_km))}）"
                        )
            if re.search(r"终身质保|永久质保|终身保修", clause) and not re.search(r"[没无不]", clause):
                out.append("终身质保（目录无此条款）")
            for eq, words in EQUIPMENT_WORDS.items():
                for w in words:
                    k = clause.find(w)
                    if k < 0:
                        continue
                    if NOT_CLAIM.search(clause[max(0, k - 6) : k]) or re.match(
                        r"^[^，]{0,2}(?:没有|都没|不带|不标配)", clause[k + len(w) :]
                    ):
                        break
                    mf = about(offset + k)
                    if mf is None or eq not in mf.equipment and not any(eq in x for x in mf.equipment):
                        break  # equipment the catalog does not list for the model is unknown, not wrong
                    trims = mf.equipment.get(eq)
                    if trims is None:
                        trims = next(v for x, v in mf.equipment.items() if eq in x)
                    trim = next((t for t in sorted(mf.trims, key=len, reverse=True) if t in clause), None)
                    if not trims:
                        out.append(f"{mf.name}{w}（目录：没有）")
                    elif trim is not None and trim not in trims and not any(t in clause for t in trims):
                        out.append(f"{trim}{w}（目录：{'、'.join(trims)}才有）")
                    break
            for m in re.finditer(rf"({NUM})(?:个|颗)?(?:安全)?气囊", clause):
                mf, n = about(offset + m.start()), cn_number(m.group(1))
                counts = {mf.airbags} if mf and mf.airbags else {x.airbags for x in self.models if x.airbags}
                if n is not None and counts and n not in counts and not (mf and mf.airbags is None):
                    out.append(f"{m.group()}（目录：{'/'.join(str(c) for c in sorted(counts))}个）")
            for m in re.finditer(r"([五七六八]|[5-8])座", clause):
                mf, n = about(offset + m.start()), cn_number(m.group(1))
                if mf and mf.seats and n != mf.seats and named and not re.search(r"比|换|不如|还是|或", clause):
                    out.append(f"{mf.name}{m.group()}（目录：{mf.seats}座）")
            for m in re.finditer(r"([12]\.[0-9])T", clause):
                mf = about(offset + m.start())
                if mf and mf.displacement and m.group() != mf.displacement and named:
                    out.append(f"{mf.name}{m.group()}（目录：{mf.displacement}）")
            for m in re.finditer(rf"油耗[^，]{{0,6}}?({NUM})(?:个)?(?:升|L|个油)", clause):
                mf, n = about(offset + m.start()), cn_number(m.group(1))
                if mf and mf.economy and n is not None and n < mf.economy - 0.05:
                    out.append(f"{m.group()}（目录：{mf.economy:g}升）")
            for m in re.finditer(rf"续航[^，]{{0,6}}?({NUM})(?:多)?(?:公里|km)", clause):
                mf, n = about(offset + m.start()), cn_number(m.group(1))
                if mf and mf.range_km and n is not None and n > mf.range_km:
                    out.append(f"{m.group()}（目录：{mf.range_km}公里）")
            for m in re.finditer(
                rf"({NUM})(?:个)?(?:周|星期|礼拜|天)(?:左右)?(?:就|便)?(?:能)?(?:交车|提车|提到车|拿到车)", clause
            ):
                mf, n = about(offset + m.start()), cn_number(m.group(1))
                if mf and mf.delivery_weeks and n is not None:
                    weeks = n / 7 if "天" in m.group() else n
                    if weeks < mf.delivery_weeks:
                        out.append(f"{m.group()}（目录：约{mf.delivery_weeks}周）")
            if self.down_payment:
                for m in re.finditer(rf"首付(?:只要|只需|才|仅)?({NUM})成|零首付", clause):
                    n = 0.0 if m.group().startswith("零") else cn_number(m.group(1) or "")
                    if n is not None and n < self.down_payment and not re.search(r"[没无不]", clause[: m.start()][-4:]):
                        out.append(f"{m.group()}（目录：首付{self.down_payment:g}成）")
            if self.subsidy:
                for m in re.finditer(rf"(?:置换)?补贴[^，]{{0,4}}?({NUM})(千|万)?(?:块|元)", clause):
                    n = cn_number(m.group(1))
                    if n is not None:
                        n *= {"千": 1000, "万": 10000}.get(m.group(2) or "", 1)
                        if n > self.subsidy:
                            out.append(f"{m.group()}（目录：{self.subsidy:g}元）")
            if self.outlets:
                for m in re.finditer(rf"({NUM})(?:家|个)(?:授权)?(?:服务站|售后网点|网点|4S店)", clause):
                    n = cn_number(m.group(1))
                    if n is not None and n > self.outlets:
                        out.append(f"{m.group()}（目录：{self.outlets}家）")
        return list(dict.fromkeys(out))


@dataclass(frozen=True)
class Finding:
    """A check, principle or penalty the reply makes, with the words that show it."""

    name: str
    evidence: Tuple[str, ...]


@dataclass(frozen=True)
class Analysis:
    checks: Dict[str, Finding]  # every check; a failed one has no evidence
    principles: Tuple[Finding, ...]  # strongest first
    penalties: Tuple[Finding, ...]
    word_salad: bool = False
    wrong_facts: Tuple[str, ...] = ()  # statements the catalog contradicts (they earned no value)
    opening_acknowledgement: Tuple[str, ...] = ()  # what the opening clause accepts (kept when argued)


@dataclass(frozen=True)
class CatalogCues:
    """What the catalog lets a reply name: equipment and features, gifts, named owners, popular trims,
    the people each model is popular with, and the competitors' names."""

    features: Tuple[str, ...] = ()
    gifts: Tuple[str, ...] = ()
    owners: Tuple[str, ...] = ()  # the surname-and-title part: 李女士, 王先生
    popular_trims: Tuple[str, ...] = ()
    popular_with: Tuple[str, ...] = ()  # short groups cut from popular_with: 年轻家庭, 三代同堂, 上班族
    competitors: Tuple[str, ...] = ()
    models: Tuple[str, ...] = ()
    facts: CatalogFacts = CatalogFacts()


def _alternation(words: Iterable[str]) -> Optional[Pattern[str]]:
    words = sorted({normalize(w) for w in words if w}, key=len, reverse=True)
    return re.compile("|".join(re.escape(w) for w in words)) if words else None


def sentences(text: str) -> List[str]:
    return [s.strip() for s in SENTENCE_END.split(text) if s.strip() and not PUNCT.fullmatch(s.strip())]


def clauses(sentence: str) -> List[str]:
    return [c for c in CLAUSE_BREAK.split(sentence) if c and not PUNCT.fullmatch(c)]


def negated(clause: str, start: int, end: int, verdict: bool = False) -> bool:
    """Whether a negation reaches the words at ``clause[start:end]``: one shortly before (in the same
    clause), or a denial right after (便宜不了, 底价一说). A ``verdict`` on what the customer said is
    negated only right before it (不太正常, 不是很合理): the point it judges may hold a negation of its own
    (怕半路没电很正常)."""
    before = NOT_NEGATIONS.sub("", clause[max(0, start - NEGATION_WINDOW) : start])
    if verdict:
        if VERDICT_NEGATION.search(before):
            return True
    elif any(n in before for n in NEGATORS):
        return True
    return bool(POST_NEGATION.match(clause[end:]))


class Matcher:
    """One cue list compiled once; finds its words, optionally only where no negation reaches them."""

    def __init__(self, words: Iterable[str]) -> None:
        self.pattern = _alternation(words)

    def find(self, text: str, *, unnegated: bool = False, verdict: bool = False) -> List[str]:
        if self.pattern is None:
            return []
        out = []
        for m in self.pattern.finditer(text):
            if unnegated and negated(text, m.start(), m.end(), verdict):
                continue
            out.append(m.group())
        return out

    def spans(self, text: str) -> List[Tuple[int, int]]:
        return [m.span() for m in self.pattern.finditer(text)] if self.pattern else []

    def __call__(self, text: str) -> bool:
        return bool(self.pattern and self.pattern.search(text))


@dataclass
class _Lists:
    """Every cue list of the rubric, compiled."""

    m: Dict[str, Matcher] = field(default_factory=dict)

    def add(self, key: str, words: Iterable[str]) -> None:
        self.m[key] = Matcher(words)

    def __getitem__(self, key: str) -> Matcher:
        return self.m[key]


class ReplyAnalyser:
    """Reads a reply for the rubric's checks, principles and penalties. Build once (cue lists compiled)."""

    def __init__(self, rubric: Rubric, catalog: CatalogCues = CatalogCues()) -> None:
        self.rubric = rubric
        self.catalog = catalog
        L = _Lists()
        for name, check in rubric.checks.items():
            for key, words in check.cues.items():
                L.add(f"{name}.{key}", words)
        L.add("value.features", rubric.checks["value"].cues["features"] + catalog.features)
        for tag, cues in rubric.principles.items():
            for key, words in cues.items():
                L.add(f"{tag}.{key}", words)
        L.add("reciprocity.gift", rubric.principles["reciprocity"]["gift"] + catalog.gifts)
        L.add("peer_identity.group", rubric.principles["peer_identity"]["group"] + catalog.popular_with)
        L.add("owners", catalog.owners)
        L.add("popular_trims", catalog.popular_trims)
        L.add("popular_with", [g for g in catalog.popular_with if g not in ("家庭",)])
        for name, penalty in rubric.penalties.items():
            for key, words in penalty.cues.items():
                L.add(f"{name}.{key}", words)
        L.add("disparage.rival", rubric.penalties["disparage"].cues["rival"] + catalog.competitors)
        L.add("competitors", catalog.competitors)
        self.L = L
        verbs = "|".join(re.escape(normalize(v)) for v in rubric.penalties["instant_discount"].cues["cut_verbs"])
        # a cut verb, up to three small words, then an amount: 便宜五千, 让您3000, 再降两千, 给您让到十二万
        self.cut = re.compile(rf"(?:{verbs})(?:[了您你个给到掉下去]{{0,3}})({AMOUNT.pattern})")
        self.all_cues = Matcher(
            [
                w
                for m in (
                    "acknowledge.accept",
                    "clarify.question_words",
                    "value.features",
                    "value.benefit",
                    "next_step.action",
                    "reciprocity.gift",
                    "social_proof.crowd",
                )
                for w in self._words(m)
            ]
        )

    def _words(self, key: str) -> Tuple[str, ...]:
        name, part = key.split(".")
        if name in self.rubric.checks:
            return self.rubric.checks[name].cues[part] + (self.catalog.features if key == "value.features" else ())
        if name in self.rubric.principles:
            return self.rubric.principles[name][part] + (self.catalog.gifts if key == "reciprocity.gift" else ())
        return self.rubric.penalties[name].cues[part]

    # ------------------------------------------------------------------ checks
    def acknowledge(self, sents: Sequence[str]) -> Tuple[str, ...]:
        found: List[str] = []
        for i, s in enumerate(sents[:3]):
            for c in clauses(s):
                found += self.L["acknowledge.accept"].find(c, unnegated=True, verdict=True)
                if i < 2:
                    found += self.L["acknowledge.weak"].find(c, unnegated=True, verdict=True)
                # 是不便宜 / 确实不便宜 / 不是小数目: the customer's point granted through a negation
                found += [m.group() for m in re.finditer(r"(?:是|确实|的确|真)不(?:便宜|低|少|小)", c)]
        return tuple(dict.fromkeys(found))

    def is_question(self, s: str) -> bool:
        L = self.L
        body = s.rstrip("。!.~～…")
        if QUESTION_END.search(body):
            return True
        if L["clarify.question_words"](body) and any(body.endswith(e) for e in self._words("clarify.ending")):
            return True
        return False

    def clarify(self, sents: Sequence[str]) -> Tuple[str, ...]:
        L = self.L
        found = []
        for s in sents:
            if not self.is_question(s):
                continue
            # one question sentence may hold a proposal clause and an asking clause: read the last clause
            # that asks something, but keep the whole sentence as evidence
            parts = clauses(s)
            last = parts[-1].rstrip("?？。!") if parts else ""
            if L["clarify.proposal"](last) or L["next_step.action"](last):
                continue  # the sentence proposes a step (…各开一圈，哪台顺手选哪台，好吗？)
            if not any(self._asks(c) for c in parts):
                continue
            if L["clarify.rhetorical"](s) or L["argue.phrases"](s):
                continue
            if L["clarify.generic"](s):
                continue
            found.append(s)
        return tuple(found)

    def _asks(self, clause: str) -> bool:
        L = self.L
        c = clause.rstrip("?？。!")
        if L["clarify.confirm_back"](c):
            return False
        if L["clarify.ask_to_ask"](c):
            return True
        if L["clarify.proposal"](c) or L["next_step.action"](c):
            return False
        if L["clarify.question_words"](c) or re.search(r"(.)[不没]\1", c):  # 含不含, 有没有
            return True
        # a yes/no question: 您家小区有固定车位吗 / 预算心里有个数吧 / 能装充电桩不
        return bool(re.search(r"[吗呢呀么嘛吧不没]$", c)) and len(c) >= 4

    def value(
        self, sents: Sequence[str], car_model: Optional[str] = None, wrong: Optional[List[str]] = None
    ) -> Tuple[str, ...]:
        """A feature tied to a benefit; a sentence whose facts the catalog contradicts earns nothing (its
        reasons are added to ``wrong``)."""
        L = self.L
        facts = self.catalog.facts
        raw = list(sents)
        sents = [self._untrimmed(s) for s in sents]
        model = car_model
        for i, s in enumerate(sents):
            here = facts.models_in(raw[i])
            bad = facts.wrong(raw[i], model)
            if here:
                model = here[-1][1].name
            if bad:
                if wrong is not None:
                    wrong += bad
                continue
            if self.is_question(s):  # the asking clause is no statement of a feature
                s = "，".join(clauses(s)[:-1])
            figures = [m.group() for m in SPEC.finditer(s)]
            feats = L["value.features"].find(s) + figures
            if figures or re.search(NUMERAL + r"[万千百块元家位台个]", s):
                feats += L["value.topics"].find(s)
            if not feats:
                continue
            for t in (s,) + tuple(sents[i + 1 : i + 2]):
                benefit = self._benefit(t)
                if benefit:
                    return tuple(dict.fromkeys(feats[:3])) + (benefit,)
        return ()

    def _untrimmed(self, s: str) -> str:
        """The sentence with trim names blanked (舒适版, 豪华版 name a trim, not a benefit)."""
        return re.sub(r"[\u4e00-\u9fff0-9]{0,4}(?:舒适|豪华|旗舰|标准|长续航|尊贵|精英|进取|领先)版", "某版", s)

    def _benefit(self, s: str) -> Optional[str]:
        L = self.L
        for c in clauses(s):
            hits = L["value.benefit"].find(c, unnegated=True)
            if hits:
                return hits[0]
            able = re.search(
                r"(?:"
                + "|".join(map(re.escape, self._words("value.customer")))
                + r")[^,，。]{0,6}?(?:"
                + "|".join(map(re.escape, self._words("value.able")))
                + r")",
                c,
            )
            if able:
                return able.group()
        return None

    def next_step(self, sents: Sequence[str]) -> Tuple[str, ...]:
        """A concrete step: an appointment, contact exchange, specialist or deposit, or a visit or test
        drive with a time or a proposal form; a clause that hands off vaguely (想好了再来) does not count."""
        L = self.L
        found: List[str] = []
        kept = ["，".join(c for c in clauses(s) if not L["next_step.vague"](c)) for s in sents]
        for i, (s, k) in enumerate(zip(sents, kept)):
            if not k:
                continue
            found += L["next_step.concrete"].find(k, unnegated=True)
            actions = L["next_step.action"].find(k, unnegated=True)
            around = "，".join(kept[max(0, i - 1) : i + 2])
            if actions and (L["next_step.time"](around) or L["next_step.proposal"](k) or re.search(r"[?？]$", s)):
                found += actions[:2]
        return tuple(dict.fromkeys(found))

    # ------------------------------------------------------------------ principles
    def principles(self, text: str, sents: Sequence[str], argued: bool) -> List[Finding]:
        L = self.L
        out: List[Finding] = []
        parts = [c for s in sents for c in clauses(s)]

        def each(key: str) -> List[str]:  # the cue words, clause by clause, where no negation reaches them
            return [w for c in parts for w in L[key].find(c, unnegated=True)]

        def add(tag: str, ev: Iterable[str]) -> None:
            ev = tuple(dict.fromkeys(e for e in ev if e))
            if ev:
                out.append(Finding(tag, ev))

        gifts = []
        for s in sents:
            for c in clauses(s):
                if re.search(r"他们|别家|对方|人家|隔壁", c):
                    continue
                gifts += L["reciprocity.gift"].find(c, unnegated=True)
        add("reciprocity", gifts)
        crowd = []
        for s in sents:
            if L["social_proof.crowd"](s) and (
                re.search(r"[0-9一二三四五六七八九十两几]+(?:台|位|辆|单|个客户)", s)
                or L["popular_trims"](s)
                or re.search(r"最多|最受欢迎|卖得最好|热销", s)
            ):
                crowd += L["social_proof.crowd"].find(s)
        add("social_proof", crowd)
        recall = each("commitment.recall") + each("commitment.small_step")
        recall += [s for s in sents if L["clarify.confirm_back"](s) and QUESTION_END.search(s)]
        add("commitment", recall)
        if not argued:
            add("liking", each("liking.compliment"))
        owners = L["owners"].find(text) + re.findall(
            r"[王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯董程曹袁邓许沈曾彭吕苏卢蒋蔡贾丁魏薛叶余潘杜"
            r"戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙段雷钱汤尹黎常武乔贺赖龚文]"
            r"(?:先生|女士|小姐|大哥|大姐|姐|哥|师傅|老师|阿姨|叔)",
            text,
        )
        if owners and (L["testimonial.says"](text)) and not L["friendship.referral"](text):
            add("testimonial", owners[:1] + L["testimonial.says"].find(text)[:1])
        add("friendship", L["friendship.referral"].find(text))
        ties = L["peer_identity.tie"].find(text)
        if ties and L["peer_identity.group"](text):
            add("peer_identity", ties + L["peer_identity.group"].find(text)[:1])
        # the people the catalog says buy this model, said as who buys or chooses it
        # (买远山最多的是年轻家庭, 很多三代同堂的家庭都这么选)
        for s in sents:
            groups = L["popular_with"].find(s)
            if groups and re.search(r"买|选|订|车主|开它|开这", s) and not re.search(r"[?？]$", s):
                add("peer_identity", groups[:1] + [s])
                break
        return out

    # ------------------------------------------------------------------ penalties
    def penalties(self, sents: Sequence[str]) -> List[Finding]:
        L = self.L
        found: Dict[str, List[str]] = {name: [] for name in self.rubric.penalties}
        for k, s in enumerate(sents):
            for c in clauses(s):
                found["argue"] += [
                    w
                    for w in L["argue.phrases"].find(c)
                    if not re.match(r"[不没别]", w) and not re.search(r"[不没]$", c[: c.find(w)])
                ]
                found["argue"] += [w for w in L["argue.phrases"].find(c) if re.match(r"[不没别]", w)]
                found["argue"] += [m.group() for m in ARGUE.finditer(c)]
                # 不对 / 不是的 contradict when they open the clause or follow 您/这/那 (not 温度不对, 对不对)
                found["argue"] += (
                    [
                        m.group()
                        for m in L["argue.contradict"].pattern.finditer(c)
                        if re.search(r"(?:^|您|你|这|那|说得|就|可|也|根本)$", c[: m.start()][-2:])
                        and not re.search(r"对不对|不对劲", c)
                    ]
                    if L["argue.contradict"].pattern
                    else []
                )
                found["floor_price"] += L["floor_price.phrases"].find(c, unnegated=True)
                found["floor_price"] += [
                    m.group()
                    for m in FLOOR_FIGURE.finditer(c)
                    if not negated(c, m.start(), m.end()) and not re.search(r"首付|公里|年|月供|续航", m.group())
                ]
                found["fake_urgency"] += L["fake_urgency.phrases"].find(c, unnegated=True)
                found["instant_discount"] += self._cuts(c)
                found["argue"] += [m.group() for p in (CONTRADICT, GO_AWAY) for m in p.finditer(c)]
            # a competitor and a negative word in one sentence, the negative after the competitor
            rivals = (
                [m.start() for m in L["disparage.rival"].pattern.finditer(s) if not negated(s, m.start(), m.end())]
                if L["disparage.rival"].pattern
                else []
            )
            if rivals:
                tail = s[min(rivals) :]
                found["disparage"] += L["disparage.negative"].find(tail, unnegated=True)
                found["disparage"] += [m.group() for m in BAD.finditer(tail) if not negated(tail, m.start(), m.end())]
                # only the rival's buyers have to worry: 那些杂牌的才担心售后, 合资车才会出这种事
                found["disparage"] += [
                    m.group() for m in re.finditer(r"的?才(?:担心|怕|会出|会有|需要担心|要担心|出这种|有这种)", tail)
                ]
                # the judgement before the rival in its clause: 毛病最多的就是那家, 最坑的是网上那些报价
                for c in clauses(s):
                    at = [start for start, end in L["disparage.rival"].spans(c) if not negated(c, start, end)]
                    if at and re.search(r"就是|是|属|数", c[: max(at)]):
                        found["disparage"] += L["disparage.negative"].find(c[: max(at)], unnegated=True)
                # the judgement in the next sentence, about the rival just named: 凯美瑞？开两年就散架。
                nxt = sents[k + 1] if k + 1 < len(sents) else ""
                if (
                    nxt
                    and (len(s) <= 8 or RIVAL_AGAIN.match(nxt))
                    and not L["competitors"](nxt)
                    and not re.search(r"我们|咱", nxt[:4])
                ):
                    found["disparage"] += [
                        w
                        for w in L["disparage.negative"].find(nxt, unnegated=True)
                        if w in INDIRECT_RUN_DOWN or RIVAL_AGAIN.match(nxt)
                    ]
        # argue cues are phrases of their own; "不对" must open a clause to contradict
        return [Finding(n, tuple(dict.fromkeys(v))) for n, v in found.items() if v]

    def _cuts(self, clause: str) -> List[str]:
        """Price cuts granted in ``clause``: a cut phrase or a cash-like give-away, or a cut verb with an
        amount said as the trainee's own offer (我给您便宜五千, 再让两千, 新车让八千), not negated and not
        someone else's (别家让了一万) or only asked for (帮您申请)."""
        L = self.L
        if L["instant_discount.not_ours"](clause):
            return []
        out = L["instant_discount.phrases"].find(clause, unnegated=True)
        out += L["instant_discount.cash_like"].find(clause, unnegated=True)
        out += [
            m.group()
            for p in (DISCOUNT_RATE, DEAL, OFF, SOFT_CUT, CASH)
            for m in p.finditer(clause)
            if not negated(clause, m.start(), m.end())
        ]
        for m in self.cut.finditer(clause):
            if negated(clause, m.start(), m.end()) or re.search(
                r"首付|月供|油费|电费|比|税", clause[max(0, m.start() - 8) : m.start()]
            ):
                continue
            amount, after = m.group(1), clause[m.end() :]
            # 少一点 / 便宜点 are asks, not amounts; 减半/减免 is the purchase-tax relief
            if not amount or amount in ("一", "几") or after[:1] in ("点", "些"):
                continue
            offered = re.search(r"我|咱|给您|给你|帮您|让您|再|直接|就|马上|当场|现在", clause[: m.start()])
            ends = not after or re.match(
                r"^(?:吧|啊|呀|了|块|元|钱|给您|给你|怎么样|行不行|好不好|您看|成交|拿走|定)", after
            )
            if offered or ends:
                out.append(m.group())
        return out

    # ------------------------------------------------------------------ the whole reply
    def is_word_salad(self, text: str, sents: Sequence[str]) -> bool:
        """Keywords strung together: several short clauses, most of whose characters are cue words."""
        parts = [c for s in sents for c in clauses(s)]
        if len(parts) < 3:
            return False
        chars = sum(len(c) for c in parts)
        if chars / len(parts) > 7:
            return False
        covered = 0
        for c in parts:
            mask = [False] * len(c)
            for a, b in self.all_cues.spans(c):
                for k in range(a, b):
                    mask[k] = True
            covered += sum(mask)
        return covered / chars >= 0.5

    @staticmethod
    def credit(a: Analysis, move: str, principle: str, evidence: str) -> Analysis:
        """``a`` with ``move`` (a check, or a concession as reciprocity) and ``principle`` credited."""
        checks = dict(a.checks)
        if move in checks and not checks[move].evidence:
            checks[move] = Finding(move, (evidence,))
        principles = list(a.principles)
        for tag in (principle, "reciprocity" if move == "concession" else None):
            if tag and all(p.name != tag for p in principles):
                principles.insert(0, Finding(tag, (evidence,)))
        return Analysis(checks, tuple(principles), a.penalties, False, a.wrong_facts)

    @staticmethod
    def add_penalties(a: Analysis, found: Dict[str, Tuple[str, ...]]) -> Analysis:
        """``a`` with the penalties of ``found`` (name -> evidence) it does not have yet; an argued reply
        acknowledges nothing and earns no liking."""
        have = {p.name for p in a.penalties}
        new = tuple(Finding(n, ev) for n, ev in found.items() if n not in have)
        if not new:
            return a
        checks = dict(a.checks)
        principles = a.principles
        if any(p.name == "argue" for p in new):
            checks["acknowledge"] = Finding("acknowledge", a.opening_acknowledgement)
            principles = tuple(p for p in principles if p.name != "liking")
        return Analysis(checks, principles, a.penalties + new, a.word_salad, a.wrong_facts)

    def analyse(self, reply: str, car_model: Optional[str] = None) -> Analysis:
        """``car_model``: the model the turn is about, for facts said without naming one."""
        text = normalize(reply or "")
        sents = sentences(text)
        penalties = self.penalties(sents)
        argued = any(p.name == "argue" for p in penalties)
        salad = self.is_word_salad(text, sents)
        wrong: List[str] = []
        ev = {
            "acknowledge": self.acknowledge(sents),
            "clarify": self.clarify(sents),
            "value": self.value(sents, car_model, wrong),
            "next_step": self.next_step(sents),
        }
        if salad:
            ev = {n: () for n in CHECKS}
        opening = () if salad or not sents else self.acknowledge(clauses(sents[0])[:1])
        if argued:  # 我理解，但…: an argued reply acknowledges only in its opening clause, before it argues
            ev["acknowledge"] = opening
        checks = {n: Finding(n, ev[n]) for n in CHECKS}
        principles = () if salad else tuple(self.principles(text, sents, argued))
        return Analysis(checks, principles, tuple(penalties), salad, tuple(dict.fromkeys(wrong)), opening)
