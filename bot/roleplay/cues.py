"""What a trainee's reply does, read structurally: sentences and clauses, the scope of a negation, a
question that asks for a cause, a feature tied to a benefit, a proposal with a time or a contact, a
competitor and a negative word in one clause. The cue words come from the rubric (data/roleplay/rubric.yml)
and the catalog (equipment, features, gifts, owners, the people who buy each model); every finding keeps
the words or sentence that triggered it, so the scorecard can say why.

Pure: no Rasa, no I/O (the caller reads the rubric, the catalog and the competitor lexicon)."""

import re
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional, Pattern, Sequence, Tuple

from bot.roleplay.rubric import CHECKS, Rubric
from bot.nlu.text import normalize

SENTENCE_END = re.compile(r"(?<=[。!?;\n…])|(?<=[~～])")
CLAUSE_BREAK = re.compile(r"[,，、:：\"“”'‘’()（）《》\s]+")
PUNCT = re.compile(r"[。!?;,，、:：…~～\"“”'‘’()（）《》\s.]")
NUMERAL = r"[0-9零一二两三四五六七八九十百千万半几.]+"
# a spec number with its unit: 12厘米, 5.6升, 520公里, 五年, 十五万公里, 六个气囊, 2.0T, 36期, 两成, 20%
SPEC = re.compile(NUMERAL + r"(?:个|块|颗|道)?(?:厘米|公分|毫米|升|L|公里|km|年|周|个月|期|成|%|度|马力|匹|T|座|气囊|"
                  r"扬声器|喇叭|寸|英寸|秒|分钟|倍)")
# a money amount (a cut is a verb followed by one): 五千, 3000, 两千块, 一万, 十二万, 八千
AMOUNT = re.compile(r"(?:[0-9]+(?:\.[0-9]+)?|一半|[一二两三四五六七八九十百千万几]+)(?:千|万|百|块|元|个点|%)?")
NEGATORS = ("不", "没", "无", "别", "未", "非", "甭", "谈不上", "不存在")
# a negation that follows what it denies: 便宜不了, 底价一说, 降不下来, 让不了
POST_NEGATION = re.compile(r"^(?:[了的]?不[了下动得]|不了|一说|这一说|这回事|这个说法|的说法|是没有|没有|都没有)")
# words that hold 不 without denying anything: 要不 (a proposal), 不用 (a benefit), 不过, 不少 …
NOT_NEGATIONS = re.compile(r"特别|别的|别人|别家|区别|分别|个别|级别|非常|未来|无论|要不|不用|不妨|不如|不错|不少|不过|不管|不仅|不光|不但|不论|不然|不久|不一定|不同")
NEGATION_WINDOW = 6  # characters before a cue that a negation reaches (不能再便宜, 没有底价)
QUESTION_END = re.compile(r"[?？]$")
DISCOUNT_RATE = re.compile(r"[打给]您?[个]?[九八七][五八]?折|[九八七][五八]折")
# a figure presented as the lowest: 最少十二万, 最低十一万八, 最多让到五千
# contradicting the customer's complaint: 其实不贵, 一点都不费油, 哪里慢; 已经很省了好吗
CONTRADICT = re.compile(r"(?:其实|真的?|根本|一点(?:都|也|儿)?|并|哪里|哪儿?)(?:不|没)(?:贵|费油|费电|高|慢|小|挤|难开|麻烦|复杂|"
                        r"久|吵|颠|差)|已经[^,，。!?]{0,10}(?:好吗|好吧|好不好|懂吗)$")
# a competitor run down as 差 (国产车保值差, 他们售后差), not 差不多 / 差价 / 差别
BAD = re.compile(r"(?<![不没相])差(?!不多|价|别|异|距|额|点|一点|几)")
# a price said as the deal: 十五万拿走, 十二万三卖您; an amount of discount: 三千的优惠, 有两千现金优惠
DEAL = re.compile(r"(?:[0-9.]+|[一二两三四五六七八九十]+)万[0-9一二两三四五六七八九千]*(?:拿走|开走|提走|卖您|卖给您|成交|给您)")
OFF = re.compile(r"(?:[0-9]+|[一二两三四五六七八九十几]+[千万百])(?:块|元)?(?:钱)?的?(?:优惠|现金优惠|让利|折扣|红包)")
# a cut granted without an amount: 我再让一点, 给您便宜些, 那就优惠一点
SOFT_CUT = re.compile(r"(?:给您|给你|我|就|那)再?(?:让|便宜|优惠|降|少算|少收)(?:您|你)?一?(?:点|些|步)")
# sending the customer away: 那您去买卡罗拉吧
GO_AWAY = re.compile(r"那您?就?去买|您去买[^,，。]{0,8}(?:吧|呗)|(?<![听是])谁说")
# talking down to the customer in a sentence shape: 那是您没细看, 您这预算买不到, 您这想法不对, 这种报价您也信
ARGUE = re.compile(r"(?:那是|是)您(?:没|不)(?:细看|仔细看|看|懂|了解|搞|弄|算|注意|开过)|您(?:这|那)(?:点)?(?:预算|钱|条件|收入)[^,，。]{0,6}"
                   r"(?:买不|不够|勉强|够呛)|预算[^,，。]{0,8}(?:有点|有些|太)?勉强|(?:这|那)(?:种|个)?想法(?:不对|不行|错|有问题)|"
                   r"您(?:也|还|都)信|您那是|(?:有|没)(?:啥|什么)好(?:担心|怕|犹豫|纠结|顾虑)")
# the dealer's loss offered as money: 赔您三千, 首付我给您补一半, 保险我们也包了
CASH = re.compile(r"保险[^,，。]{0,4}包|(?:赔|补|返)(?:您|你)[^,，。]{0,4}(?:[0-9]|[一二两三四五六七八九十几半]|现金|钱)|"
                  r"(?:利息|利率|息)[^,，。]{0,2}(?:全免|免了|我们出|算我)|零利息|零首付|免息")
FLOOR_FIGURE = re.compile(r"最(?:少|低|多)[^,，。!?]{0,4}?(?:[0-9]+|[一二两三四五六七八九十]+[万千])")


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


def _alternation(words: Iterable[str]) -> Optional[Pattern[str]]:
    words = sorted({normalize(w) for w in words if w}, key=len, reverse=True)
    return re.compile("|".join(re.escape(w) for w in words)) if words else None


def sentences(text: str) -> List[str]:
    return [s.strip() for s in SENTENCE_END.split(text) if s.strip() and not PUNCT.fullmatch(s.strip())]


def clauses(sentence: str) -> List[str]:
    return [c for c in CLAUSE_BREAK.split(sentence) if c and not PUNCT.fullmatch(c)]


def negated(clause: str, start: int, end: int) -> bool:
    """Whether a negation reaches the words at ``clause[start:end]``: one shortly before (in the same
    clause), or a denial right after (便宜不了, 底价一说)."""
    before = NOT_NEGATIONS.sub("", clause[max(0, start - NEGATION_WINDOW):start])
    if any(n in before for n in NEGATORS):
        return True
    return bool(POST_NEGATION.match(clause[end:]))


class Matcher:
    """One cue list compiled once; finds its words, optionally only where no negation reaches them."""

    def __init__(self, words: Iterable[str]) -> None:
        self.pattern = _alternation(words)

    def find(self, text: str, *, unnegated: bool = False) -> List[str]:
        if self.pattern is None:
            return []
        out = []
        for m in self.pattern.finditer(text):
            if unnegated and negated(text, m.start(), m.end()):
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
        self.all_cues = Matcher([w for m in ("acknowledge.accept", "clarify.question_words", "value.features",
                                             "value.benefit", "next_step.action", "reciprocity.gift",
                                             "social_proof.crowd") for w in self._words(m)])

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
                found += self.L["acknowledge.accept"].find(c, unnegated=True)
                if i < 2:
                    found += self.L["acknowledge.weak"].find(c, unnegated=True)
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

    def value(self, sents: Sequence[str]) -> Tuple[str, ...]:
        L = self.L
        sents = [self._untrimmed(s) for s in sents]
        for i, s in enumerate(sents):
            if self.is_question(s):  # the asking clause is no statement of a feature
                s = "，".join(clauses(s)[:-1])
            figures = [m.group() for m in SPEC.finditer(s)]
            feats = L["value.features"].find(s) + figures
            if figures or re.search(NUMERAL + r"[万千百块元家位台个]", s):
                feats += L["value.topics"].find(s)
            if not feats:
                continue
            for t in (s,) + tuple(sents[i + 1:i + 2]):
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
            able = re.search(r"(?:" + "|".join(map(re.escape, self._words("value.customer"))) + r")[^,，。]{0,6}?(?:"
                             + "|".join(map(re.escape, self._words("value.able"))) + r")", c)
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
            around = "，".join(kept[max(0, i - 1):i + 2])
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
            if L["social_proof.crowd"](s) and (re.search(r"[0-9一二三四五六七八九十两几]+(?:台|位|辆|单|个客户)", s)
                                              or L["popular_trims"](s) or re.search(r"最多|最受欢迎|卖得最好|热销", s)):
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
            r"(?:先生|女士|小姐|大哥|大姐|姐|哥|师傅|老师|阿姨|叔)", text)
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
        for s in sents:
            for c in clauses(s):
                found["argue"] += [w for w in L["argue.phrases"].find(c)
                                   if not re.match(r"[不没别]", w) and not re.search(r"[不没]$", c[:c.find(w)])]
                found["argue"] += [w for w in L["argue.phrases"].find(c) if re.match(r"[不没别]", w)]
                found["argue"] += [m.group() for m in ARGUE.finditer(c)]
                # 不对 / 不是的 contradict when they open the clause or follow 您/这/那 (not 温度不对, 对不对)
                found["argue"] += [m.group() for m in L["argue.contradict"].pattern.finditer(c)
                                   if re.search(r"(?:^|您|你|这|那|说得|就|可|也|根本)$", c[:m.start()][-2:])
                                   and not re.search(r"对不对|不对劲", c)] if L["argue.contradict"].pattern else []
                found["floor_price"] += L["floor_price.phrases"].find(c, unnegated=True)
                found["floor_price"] += [m.group() for m in FLOOR_FIGURE.finditer(c)
                                         if not negated(c, m.start(), m.end()) and not re.search(r"首付|公里|年|月供|续航", m.group())]
                found["fake_urgency"] += L["fake_urgency.phrases"].find(c, unnegated=True)
                found["instant_discount"] += self._cuts(c)
                found["argue"] += [m.group() for p in (CONTRADICT, GO_AWAY) for m in p.finditer(c)]
            # a competitor and a negative word in one sentence, the negative after the competitor
            rivals = [m.start() for m in L["disparage.rival"].pattern.finditer(s)
                      if not negated(s, m.start(), m.end())] if L["disparage.rival"].pattern else []
            if rivals:
                tail = s[min(rivals):]
                found["disparage"] += L["disparage.negative"].find(tail, unnegated=True)
                found["disparage"] += [m.group() for m in BAD.finditer(tail) if not negated(tail, m.start(), m.end())]
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
        out += [m.group() for p in (DISCOUNT_RATE, DEAL, OFF, SOFT_CUT, CASH) for m in p.finditer(clause)
                if not negated(clause, m.start(), m.end())]
        for m in self.cut.finditer(clause):
            if negated(clause, m.start(), m.end()) or re.search(r"首付|月供|油费|电费|比|税", clause[max(0, m.start() - 8):m.start()]):
                continue
            amount, after = m.group(1), clause[m.end():]
            # 少一点 / 便宜点 are asks, not amounts; 减半/减免 is the purchase-tax relief
            if not amount or amount in ("一", "几") or after[:1] in ("点", "些"):
                continue
            offered = re.search(r"我|咱|给您|给你|帮您|让您|再|直接|就|马上|当场|现在", clause[:m.start()])
            ends = not after or re.match(r"^(?:吧|啊|呀|了|块|元|钱|给您|给你|怎么样|行不行|好不好|您看|成交|拿走|定)", after)
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
        return Analysis(checks, tuple(principles), a.penalties, False)

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
            checks["acknowledge"] = Finding("acknowledge", ())
            principles = tuple(p for p in principles if p.name != "liking")
        return Analysis(checks, principles, a.penalties + new, a.word_salad)

    def analyse(self, reply: str) -> Analysis:
        text = normalize(reply or "")
        sents = sentences(text)
        penalties = self.penalties(sents)
        argued = any(p.name == "argue" for p in penalties)
        salad = self.is_word_salad(text, sents)
        ev = {
            "acknowledge": self.acknowledge(sents),
            "clarify": self.clarify(sents),
            "value": self.value(sents),
            "next_step": self.next_step(sents),
        }
        if salad:
            ev = {n: () for n in CHECKS}
        if argued:  # talking down to the customer is no acknowledgement of their point
            ev["acknowledge"] = ()
        checks = {n: Finding(n, ev[n]) for n in CHECKS}
        principles = () if salad else tuple(self.principles(text, sents, argued))
        return Analysis(checks, principles, tuple(penalties), salad)
