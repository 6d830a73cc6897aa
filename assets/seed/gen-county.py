#!/usr/bin/env python3
"""Generate county.json: seed reference data for dutydesk (Linhai county).

Standard library only and deterministic: a fixed random seed, fixed tables,
stable ordering.  Run from anywhere:

    python3 assets/seed/gen-county.py            # writes county.json next to this file
    python3 assets/seed/gen-county.py OUT.json   # writes elsewhere

Figures follow the bureau's 2025 work summary (shared/seed/000_*.txt):
19 towns/sub-districts, 58 municipal professional rescue teams, 19 town
comprehensive rescue teams, 283 shelters, 23 kinds / ~25,000 items of
emergency supplies enough for ~15,000 evacuees.  Names of teams, villages,
shelters and people are invented; phone numbers are fictional.

Names are written below with spaces between words ("临海 市 应急 物资 储备库");
the Chinese name drops the spaces, the pinyin is built word by word from the
syllable table CHARS ("Linhai Shi Yingji Wuzi Chubeiku").  A character missing
from the table stops the generator.
"""

import json
import os
import random
import sys

SEED = 20251231

# ---------------------------------------------------------------------------
# Pinyin: one reading per character (only characters used in names below).
# Polyphonic characters are used only in their listed reading.
CHARS = """
临lin 海hai 市shi 街jie 道dao 镇zhen 古gu 城cheng 大da 洋yang 江jiang 南nan
田tian 邵shao 家jia 渡du 汛xun 桥qiao 东dong 塍cheng 汇hui 溪xi 小xiao 芝zhi
河he 头tou 白bai 水shui 括kuo 苍cang 永yong 丰feng 上shang 盘pan 桃tao 渚zhu
杜du 涌yong 泉quan 尤you 沿yan 应ying 急ji 物wu 资zi 储chu 备bei 库ku 点dian
综zong 合he 救jiu 援yuan 队dui 专zhuan 职zhi 消xiao 防fang 一yi 二er 三san
四si 五wu 六liu 山shan 地di 搜sou 电dian 力li 抢qiang 修xiu 通tong 信xin
保bao 障zhang 排pai 涝lao 险xian 危wei 化hua 品pin 处chu 置zhi 森sen 林lin
火huo 医yi 疗liao 护hu 质zhi 灾zai 害hai 供gong 燃ran 气qi 建jian 筑zhu
工gong 程cheng 无wu 人ren 机ji 交jiao 运yun 输shu 蓝lan 天tian 红hong 十shi
字zi 曙shu 光guang 线xian 户hu 外wai 动dong 协xie 会hui 潜qian 下xia 渔yu
民min 助zhu 组zu 汛xun 台tai 治zhi 安an 全quan 生sheng 产chan 灭mie 帐zhang
篷peng 折zhe 叠die 床chuang 棉mian 被bei 衣yi 雨yu 靴xue 潮chao 垫dian 饮yin
用yong 方fang 便bian 食shi 包bao 手shou 筒tong 圈quan 编bian 织zhi 袋dai
泵beng 发fa 灯deng 油you 锯ju 绳sheng 充chong 橡xiang 皮pi 艇ting 喊han
话hua 器qi 对dui 讲jiang 彩cai 条tiao 布bu 村cun 避bi 文wen 礼li 堂tang
中zhong 心xin 学xue 校xiao 老lao 年nian 活huo 健jian 身shen 王wang 李li
陈chen 张zhang 金jin 黄huang 郑zheng 周zhou 叶ye 徐xu 吴wu 杨yang 蒋jiang
何he 朱zhu 胡hu 郭guo 卢lu 罗luo 潘pan 洪hong 屈qu 范fan 邱qiu 孙sun
谢xie 董dong 梁liang 许xu 项xiang 丁ding 彭peng 冯feng 赵zhao 钱qian 柯ke
鲍bao 前qian 后hou 西xi 北bei 新xin 高gao 石shi 竹zhu 松song 梅mei 柳liu
青qing 马ma 牛niu 龙long 凤feng 沙sha 花hua 茶cha 樟zhang 岭ling 湖hu
里li 坑keng 塘tang 岩yan 仙xian 兰lan 云yun 岙ao 湾wan 浦pu 坦tan 门men
宅zhai 庄zhuang 埠bu 垟yang 岸an 港gang 园yuan 坪ping 坞wu 墩dun 屿yu
路lu
"""
PY = {}
for tok in CHARS.split():
    ch, py = tok[0], tok[1:]
    if ch in PY and PY[ch] != py:
        raise SystemExit("CHARS: conflicting readings for %s" % ch)
    PY[ch] = py


def word_py(word):
    """Pinyin of one word, e.g. 王家岙 -> wangjia'ao (apostrophe before a/o/e)."""
    out = ""
    for i, ch in enumerate(word):
        if ch not in PY:
            raise SystemExit("no pinyin for character %r in %r: add it to CHARS" % (ch, word))
        syl = PY[ch]
        if i > 0 and syl[0] in "aoe":
            out += "'"
        out += syl
    return out


def named(spaced):
    """'临海 市 应急 物资 储备库' -> ('临海市应急物资储备库', 'Linhai Shi Yingji Wuzi Chubeiku')."""
    words = spaced.split()
    name = "".join(words)
    pinyin = " ".join(word_py(w).capitalize() for w in words)
    return name, pinyin


# ---------------------------------------------------------------------------
# Towns, in the order of GLOSSARY.md "Places".
# (code, short name, suffix, shelters, kinds of terrain)
TOWNS = [
    ("gucheng", "古城", "街道", 10, "river"),
    ("dayang", "大洋", "街道", 10, "river"),
    ("jiangnan", "江南", "街道", 14, "river"),
    ("datian", "大田", "街道", 22, "river"),
    ("shaojiadu", "邵家渡", "街道", 13, "river"),
    ("xunqiao", "汛桥", "镇", 12, "river"),
    ("dongcheng", "东塍", "镇", 15, "mountain"),
    ("huixi", "汇溪", "镇", 10, "mountain"),
    ("xiaozhi", "小芝", "镇", 16, "mountain"),
    ("hetou", "河头", "镇", 11, "mountain"),
    ("baishuiyang", "白水洋", "镇", 14, "mountain"),
    ("kuocang", "括苍", "镇", 10, "mountain"),
    ("yongfeng", "永丰", "镇", 12, "mountain"),
    ("shangpan", "上盘", "镇", 22, "coast"),
    ("taozhu", "桃渚", "镇", 24, "coast"),
    ("duqiao", "杜桥", "镇", 32, "coast river"),
    ("yongquan", "涌泉", "镇", 14, "mountain"),
    ("youxi", "尤溪", "镇", 10, "mountain"),
    ("yanjiang", "沿江", "镇", 12, "river"),
]
TOWN_CODES = [t[0] for t in TOWNS]
TOWN_NAME = {t[0]: t[1] + t[2] for t in TOWNS}
TOWN_SPACED = {t[0]: t[1] + " " + t[2] for t in TOWNS}
TERRAIN = {t[0]: t[4].split() for t in TOWNS}
N_SHELTERS = {t[0]: t[3] for t in TOWNS}

# ---------------------------------------------------------------------------
# Municipal professional rescue teams (市级专业抢险队): 58.
# (speciality, word(s) used in the team name, towns where each team is based)
MUNICIPAL = [
    ("水上救援", "水上 救援", ["jiangnan", "datian", "yanjiang", "duqiao", "xunqiao", "gucheng"]),
    ("山地搜救", "山地 搜救", ["kuocang", "baishuiyang", "youxi", "hetou"]),
    ("电力抢修", "电力 抢修", ["gucheng", "dayang", "duqiao", "taozhu", "baishuiyang"]),
    ("通信保障", "通信 保障", ["gucheng", "dayang", "duqiao", "shangpan"]),
    ("道路抢通", "道路 抢通", ["dongcheng", "kuocang", "yongquan", "huixi", "xiaozhi"]),
    ("排涝", "排涝 抢险", ["datian", "gucheng", "jiangnan", "shaojiadu", "dayang", "duqiao"]),
    ("危化品处置", "危化品 处置", ["duqiao", "duqiao", "jiangnan"]),
    ("森林防火", "森林 消防", ["kuocang", "baishuiyang", "hetou", "youxi", "yongfeng"]),
    ("医疗救护", "医疗 救护", ["gucheng", "dayang", "duqiao", "jiangnan"]),
    ("地质灾害排险", "地质 灾害 排险", ["kuocang", "youxi", "yongquan", "huixi"]),
    ("供水抢修", "供水 抢修", ["gucheng", "duqiao"]),
    ("燃气抢修", "燃气 抢修", ["dayang", "duqiao"]),
    ("建筑工程抢险", "建筑 工程 抢险", ["jiangnan", "shaojiadu", "yongfeng"]),
    ("无人机救援", "无人机 救援", ["dayang"]),
    ("交通运输保障", "交通 运输 保障", ["gucheng", "duqiao"]),
    ("海上搜救", "海上 搜救", ["taozhu", "shangpan"]),
]
ORDINAL = ["一", "二", "三", "四", "五", "六", "七", "八", "九"]

# Social rescue forces (社会救援力量): code, name, town, speciality
SOCIAL = [
    ("c01", "临海 市 蓝天 救援队", "gucheng", "水上救援、山地搜救"),
    ("c02", "临海 市 红十字 应急 救护队", "dayang", "医疗救护"),
    ("c03", "临海 市 曙光 应急 救援队", "duqiao", "水上救援"),
    ("c04", "临海 市 无线电 应急 通信队", "gucheng", "通信保障"),
    ("c05", "临海 市 户外 运动 协会 搜救队", "jiangnan", "山地搜救"),
    ("c06", "临海 市 潜水 救援队", "jiangnan", "水下搜救"),
    ("c07", "临海 市 渔民 海上 救助队", "taozhu", "海上救助"),
]

# Expert groups (专家组): code, name, town, speciality
EXPERT = [
    ("e01", "临海 市 防汛 防台 专家组", "gucheng", "防汛防台风险研判"),
    ("e02", "临海 市 地质 灾害 防治 专家组", "gucheng", "地质灾害风险研判"),
    ("e03", "临海 市 危化品 安全 专家组", "duqiao", "危化品事故处置"),
    ("e04", "临海 市 森林 防灭火 专家组", "gucheng", "森林火灾扑救"),
    ("e05", "临海 市 安全 生产 专家组", "gucheng", "安全生产事故调查"),
]

# ---------------------------------------------------------------------------
# Supply kinds (应急物资): 23.
# code, name (spaced), name_en, unit, unit_en, need_per_100, low, total stock
# need_per_100 > 0 only for kinds that serve evacuees.
SUPPLY = [
    ("tent", "救灾 帐篷", "relief tent", "顶", "pcs", 2, 4, 310),
    ("bed", "折叠床", "folding bed", "张", "pcs", 10, 20, 1520),
    ("quilt", "棉被", "quilt", "床", "pcs", 20, 40, 3040),
    ("coat", "棉大衣", "cotton-padded coat", "件", "pcs", 5, 10, 760),
    ("raincoat", "雨衣", "raincoat", "件", "pcs", 10, 20, 1560),
    ("boots", "雨靴", "rubber boots", "双", "pairs", 5, 10, 770),
    ("mat", "防潮垫", "moisture-proof mat", "张", "pcs", 10, 20, 1530),
    ("water", "饮用水", "drinking water", "箱", "cases", 15, 30, 2280),
    ("food", "方便 食品", "instant food", "箱", "cases", 15, 30, 2260),
    ("firstaid", "急救包", "first-aid kit", "个", "kits", 2, 4, 300),
    ("flashlight", "手电筒", "flashlight", "只", "pcs", 10, 20, 1540),
    ("lifejacket", "救生衣", "life jacket", "件", "pcs", 0, 20, 1600),
    ("lifebuoy", "救生圈", "lifebuoy", "个", "pcs", 0, 5, 320),
    ("sandbag", "编织袋", "woven sandbag", "条", "bags", 0, 100, 5000),
    ("pump", "水泵", "water pump", "台", "units", 0, 1, 90),
    ("generator", "发电机", "generator", "台", "units", 0, 1, 60),
    ("light", "应急灯", "emergency light", "盏", "pcs", 0, 5, 380),
    ("chainsaw", "油锯", "chainsaw", "台", "units", 0, 1, 48),
    ("rope", "救援绳", "rescue rope", "根", "pcs", 0, 5, 300),
    ("boat", "充气 橡皮艇", "inflatable boat", "艘", "boats", 0, 1, 36),
    ("megaphone", "喊话器", "megaphone", "个", "pcs", 0, 2, 160),
    ("radio", "对讲机", "walkie-talkie", "台", "units", 0, 2, 220),
    ("tarp", "彩条布", "tarpaulin", "块", "pcs", 0, 20, 1000),
]

# Which town depots hold a kind: "all", a terrain, or a probability.
HOLD = {
    "lifebuoy": ("terrain", {"river", "coast"}),
    "boat": ("terrain", {"river", "coast"}),
    "pump": ("terrain", {"river", "coast"}),
    "chainsaw": ("terrain", {"mountain"}),
    "rope": ("terrain", {"mountain", "coast"}),
    "coat": ("random", 0.75),
    "mat": ("random", 0.75),
    "generator": ("random", 0.6),
    "radio": ("random", 0.7),
}
COUNTY_SHARE = 0.4  # share of each kind kept in the county depot (about)

# ---------------------------------------------------------------------------
SURNAMES = "王陈林李张金黄郑周叶徐吴杨蒋何朱胡郭应卢罗潘洪屈范邱孙谢董梁许项丁彭冯赵钱柯鲍"
GIVEN1 = "伟强军明华平斌杰勇磊涛敏静丽芳红英辉峰波刚俊志宏文东新春荣超军海林"
GIVEN2 = ["建国", "海波", "晓东", "志刚", "建华", "国平", "永明", "海军", "卫东", "春燕",
          "丽华", "小军", "建军", "文斌", "伟东", "正华", "雪芳", "海燕", "国庆", "立新",
          "晓峰", "红英", "建平", "志强", "宏伟", "金华", "玲玲", "永康", "仙友", "华平"]

VILLAGE_PREFIX = ("王家 李家 陈家 张家 林家 金家 黄家 郑家 周家 叶家 徐家 吴家 杨家 蒋家 何家 "
                  "朱家 胡家 郭家 卢家 罗家 潘家 洪家 屈家 范家 邱家 孙家 谢家 董家 梁家 许家 "
                  "项家 丁家 彭家 冯家 赵家 钱家 柯家 鲍家 应家 "
                  "上 下 前 后 东 西 南 北 大 小 新 高 石 竹 松 梅 桃 柳 青 白 黄 金 马 牛 龙 凤 "
                  "沙 花 茶 樟 岭 溪 湖 里 外 中 坑 塘 岩 方 仙 兰 云").split()
VILLAGE_SUFFIX = list("岙岭坑湾塘桥山头洋浦溪坦门宅庄埠垟岸岩港田园坪坞墩屿")
COAST_SUFFIX = set("湾浦港岸屿埠")
ROADS = ["人民路", "中心街", "文化路", "学府路", "兴业路", "建设路", "新华路", "振兴路", "迎宾路", "育才路"]
# village names that would read as a real place elsewhere
NOT_VILLAGES = {"黄岩", "大洋", "大田", "石门", "龙门"}


def main():
    rng = random.Random(SEED)
    out_path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "county.json")

    used_phones = set()

    def phone():
        while True:
            p = rng.choice(["138", "139", "135", "137", "158", "159", "150", "151",
                            "188", "189", "187", "133", "153", "180"])
            p += "%08d" % rng.randrange(10 ** 8)
            if p not in used_phones:
                used_phones.add(p)
                return p

    def person():
        s = rng.choice(SURNAMES)
        if rng.random() < 0.55:
            return s + rng.choice(GIVEN2)
        return s + rng.choice(GIVEN1)

    # county and towns ------------------------------------------------------
    county = {"code": "linhai", "name": "临海市", "pinyin": "Linhai Shi"}
    towns = []
    for code, short, suffix, _, _ in TOWNS:
        name, py = named(short + " " + suffix)
        if word_py(short) != code:
            raise SystemExit("town code %s does not match pinyin %s" % (code, word_py(short)))
        towns.append({"code": code, "name": name, "pinyin": py,
                      "area": "city" if suffix == "街道" else "rural"})

    # teams -----------------------------------------------------------------
    teams = []

    def team(code, spaced, kind, town, members, speciality):
        name, py = named(spaced)
        teams.append({"code": code, "name": name, "pinyin": py, "kind": kind,
                      "town": town, "members": members, "leader": person(),
                      "phone": phone(), "speciality": speciality})

    n = 0
    for spec, label, where in MUNICIPAL:
        for i, town in enumerate(where):
            n += 1
            # 临海市无人机救援队 (Wurenji Jiuyuandui) / 临海市水上救援一队 (Shuishang Jiuyuan Yidui)
            spaced = "临海 市 " + label + ("队" if len(where) == 1 else " " + ORDINAL[i] + "队")
            team("m%02d" % n, spaced, "municipal", town, rng.randint(15, 60), spec)
    for code in TOWN_CODES:
        team("t-" + code, TOWN_SPACED[code] + " 综合 救援队", "town", code, rng.randint(20, 40), "")
    for code in TOWN_CODES:
        team("f-" + code, TOWN_SPACED[code] + " 专职 消防队", "fire", code, rng.randint(12, 30), "")
    for code, spaced, town, spec in SOCIAL:
        team(code, spaced, "social", town, rng.randint(20, 60), spec)
    for code, spaced, town, spec in EXPERT:
        team(code, spaced, "expert", town, rng.randint(8, 15), spec)

    # depots ----------------------------------------------------------------
    depots = []
    name, py = named("临海 市 应急 物资 储备库")
    depots.append({"code": "d-city", "name": name, "pinyin": py, "town": "gucheng"})
    for code in TOWN_CODES:
        name, py = named(TOWN_SPACED[code] + " 应急 物资 储备点")
        depots.append({"code": "d-" + code, "name": name, "pinyin": py, "town": code})

    # supply kinds ----------------------------------------------------------
    supply_kinds = []
    for code, spaced, en, unit, unit_en, need, low, _ in SUPPLY:
        name, py = named(spaced)
        supply_kinds.append({"code": code, "name": name, "pinyin": py, "name_en": en,
                             "unit": unit, "unit_en": unit_en, "need_per_100": need, "low": low})

    # stock: county depot keeps ~COUNTY_SHARE of each kind, towns share the rest
    # in proportion to their size (shelter count), rounded to tidy figures.
    stock = []
    for code, _, _, _, _, need, low, total in SUPPLY:
        rule = HOLD.get(code)
        holders = []
        for t in TOWN_CODES:
            if rule is None:
                holders.append(t)
            elif rule[0] == "terrain":
                if rule[1] & set(TERRAIN[t]):
                    holders.append(t)
            elif rng.random() < rule[1]:
                holders.append(t)
        step = 10 if total >= 1000 else 5 if total >= 250 else 1
        town_part = total * (1 - COUNTY_SHARE)
        weights = {t: N_SHELTERS[t] * rng.uniform(0.8, 1.2) for t in holders}
        wsum = sum(weights.values())
        qty = {}
        for t in holders:
            q = int(round(town_part * weights[t] / wsum / step)) * step
            qty[t] = max(q, low, step)
        city = total - sum(qty.values())
        if city < max(low, total * 0.2):
            raise SystemExit("stock split for %s leaves the county depot %d" % (code, city))
        stock.append({"depot": "d-city", "item": code, "qty": city})
        for t in TOWN_CODES:
            if t in qty:
                stock.append({"depot": "d-" + t, "item": code, "qty": qty[t]})
    depot_order = {d["code"]: i for i, d in enumerate(depots)}
    item_order = {s["code"]: i for i, s in enumerate(supply_kinds)}
    stock.sort(key=lambda s: (depot_order[s["depot"]], item_order[s["item"]]))

    # shelters --------------------------------------------------------------
    shelters = []
    used_villages = set(t[1] for t in TOWNS) | NOT_VILLAGES
    n = 0
    for code in TOWN_CODES:
        tname, tsp = TOWN_NAME[code], TOWN_SPACED[code]
        short = tsp.split()[0]
        coastal = "coast" in TERRAIN[code]
        count = N_SHELTERS[code]
        plan = ["school"]
        if count >= 14:
            plan.append("middle")
        if code in ("gucheng", "duqiao", "datian", "taozhu"):
            plan.append("gym")
        while len(plan) < count:
            r = rng.random()
            plan.append("hall" if r < 0.2 else "elder" if r < 0.28 else "village")
        for kind in plan:
            n += 1
            road = rng.choice(ROADS)
            if kind == "school":
                spaced = tsp + " 中心 学校"
                cap = rng.randrange(300, 801, 10)
                addr = "临海市%s%s%d号" % (tname, road, rng.randint(1, 300))
            elif kind == "middle":
                spaced = short + " 中学"
                cap = rng.randrange(400, 801, 10)
                addr = "临海市%s%s%d号" % (tname, road, rng.randint(1, 300))
            elif kind == "gym":
                spaced = tsp + " 全民 健身 中心"
                cap = rng.randrange(500, 801, 10)
                addr = "临海市%s%s%d号" % (tname, road, rng.randint(1, 300))
            else:
                while True:
                    pre = rng.choice(VILLAGE_PREFIX)
                    suf = rng.choice(VILLAGE_SUFFIX)
                    if suf in COAST_SUFFIX and not coastal and rng.random() < 0.7:
                        continue
                    v = pre + suf
                    if pre[-1] == suf or v in used_villages:
                        continue
                    used_villages.add(v)
                    break
                vsp = v + " 村"
                if kind == "hall":
                    spaced = vsp + " 文化 礼堂"
                    cap = rng.randrange(80, 251, 10)
                elif kind == "elder":
                    spaced = vsp + " 老年 活动 中心"
                    cap = rng.randrange(30, 81, 5)
                else:
                    r = rng.random()
                    if r < 0.1:
                        cap = rng.randrange(30, 50, 5)
                    elif r < 0.95:
                        cap = rng.randrange(50, 201, 10)
                    else:
                        cap = rng.randrange(210, 301, 10)
                    spaced = vsp + " 避灾 安置点"
                tail = rng.choice(["%d号" % rng.randint(1, 400), "村委会旁", "文化礼堂内",
                                   "%d号" % rng.randint(1, 400)])
                if kind == "hall" and tail == "文化礼堂内":
                    tail = "%d号" % rng.randint(1, 400)
                addr = "临海市%s%s村%s" % (tname, v, tail)
            name, py = named(spaced)
            shelters.append({"code": "s%03d" % n, "name": name, "pinyin": py, "town": code,
                             "capacity": cap, "address": addr, "manager": person(),
                             "phone": phone()})

    data = {"county": county, "towns": towns, "teams": teams, "depots": depots,
            "supply_kinds": supply_kinds, "stock": stock, "shelters": shelters}
    report = validate(data)
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print("wrote", out_path)
    for line in report:
        print(line)


def validate(d):
    """Check every rule; raise SystemExit on the first broken one."""
    def fail(msg):
        raise SystemExit("VALIDATION FAILED: " + msg)

    def check(cond, msg):
        if not cond:
            fail(msg)

    def ascii_py(s):
        return bool(s) and all(32 <= ord(c) < 127 for c in s)

    def unique(lst, what):
        codes = [x["code"] for x in lst]
        check(len(codes) == len(set(codes)), "duplicate code in " + what)
        names = [x["name"] for x in lst]
        check(len(names) == len(set(names)), "duplicate name in " + what)

    check(d["county"]["code"] == "linhai" and ascii_py(d["county"]["pinyin"]), "county")
    towns = d["towns"]
    check([t["code"] for t in towns] == TOWN_CODES, "town codes / order")
    check(len(towns) == 19, "19 towns")
    check(sum(t["area"] == "city" for t in towns) == 5, "5 city sub-districts")
    check(sum(t["area"] == "rural" for t in towns) == 14, "14 rural towns")
    town_set = set(TOWN_CODES)

    teams = d["teams"]
    unique(teams, "teams")
    kinds = {}
    for t in teams:
        kinds[t["kind"]] = kinds.get(t["kind"], 0) + 1
        check(t["town"] in town_set, "team %s town" % t["code"])
        check(isinstance(t["members"], int) and 8 <= t["members"] <= 60, "team %s members" % t["code"])
        check(len(t["phone"]) == 11 and t["phone"].isdigit() and t["phone"][:2] in ("13", "15", "18"),
              "team %s phone" % t["code"])
        check(ascii_py(t["pinyin"]), "team %s pinyin" % t["code"])
        check(2 <= len(t["leader"]) <= 3, "team %s leader" % t["code"])
    check(kinds.get("municipal") == 58, "58 municipal teams")
    check(kinds.get("town") == 19, "19 town teams")
    check(kinds.get("fire") == 19, "19 fire brigades")
    check(5 <= kinds.get("social", 0) <= 8, "5-8 social teams")
    check(4 <= kinds.get("expert", 0) <= 6, "4-6 expert groups")
    check(set(kinds) == {"municipal", "town", "fire", "social", "expert"}, "team kinds")
    check(sorted(t["code"] for t in teams if t["kind"] == "municipal") ==
          ["m%02d" % i for i in range(1, 59)], "municipal codes m01..m58")
    check({t["town"] for t in teams if t["kind"] == "municipal"} == town_set,
          "municipal teams spread over all towns")

    depots = d["depots"]
    unique(depots, "depots")
    check(len(depots) == 20, "20 depots")
    for x in depots:
        check(x["town"] in town_set and ascii_py(x["pinyin"]), "depot " + x["code"])
    depot_set = {x["code"] for x in depots}

    kinds_ = d["supply_kinds"]
    unique(kinds_, "supply_kinds")
    check(len(kinds_) == 23, "23 supply kinds")
    for k in kinds_:
        check(ascii_py(k["pinyin"]) and ascii_py(k["name_en"]) and ascii_py(k["unit_en"]),
              "supply %s ascii" % k["code"])
        check(k["code"].isascii() and k["code"].islower(), "supply code " + k["code"])
        check(isinstance(k["need_per_100"], int) and k["need_per_100"] >= 0, "need " + k["code"])
        check(isinstance(k["low"], int) and k["low"] > 0, "low " + k["code"])
    item_set = {k["code"] for k in kinds_}

    stock = d["stock"]
    pairs = set()
    per_kind = {k: 0 for k in item_set}
    for s in stock:
        check(s["depot"] in depot_set, "stock depot " + s["depot"])
        check(s["item"] in item_set, "stock item " + s["item"])
        check(isinstance(s["qty"], int) and s["qty"] > 0, "stock qty %s/%s" % (s["depot"], s["item"]))
        check((s["depot"], s["item"]) not in pairs, "duplicate stock row")
        pairs.add((s["depot"], s["item"]))
        per_kind[s["item"]] += s["qty"]
    check({i for dp, i in pairs if dp == "d-city"} == item_set, "county depot holds all kinds")
    for dp in depot_set - {"d-city"}:
        n = sum(1 for p in pairs if p[0] == dp)
        check(0 < n < 23, "town depot %s holds a subset (%d kinds)" % (dp, n))
    total = sum(per_kind.values())
    check(24500 <= total <= 25500, "total stock %d not in 24,500..25,500" % total)
    served = min(per_kind[k["code"]] * 100 // k["need_per_100"] for k in kinds_ if k["need_per_100"] > 0)
    check(14500 <= served <= 16000, "evacuees served %d not in 14,500..16,000" % served)
    limiting = [k["code"] for k in kinds_ if k["need_per_100"] > 0
                and per_kind[k["code"]] * 100 // k["need_per_100"] == served]

    sh = d["shelters"]
    unique(sh, "shelters")
    check(len(sh) == 283, "283 shelters")
    check([s["code"] for s in sh] == ["s%03d" % i for i in range(1, 284)], "shelter codes s001..s283")
    for s in sh:
        check(s["town"] in town_set, "shelter %s town" % s["code"])
        check(30 <= s["capacity"] <= 800, "shelter %s capacity" % s["code"])
        check(ascii_py(s["pinyin"]), "shelter %s pinyin" % s["code"])
        check(len(s["phone"]) == 11 and s["phone"][:2] in ("13", "15", "18"), "shelter phone")
        check(s["address"] and s["manager"], "shelter %s address/manager" % s["code"])
    mid = sum(50 <= s["capacity"] <= 200 for s in sh)
    check(mid > len(sh) * 0.6, "most shelters should hold 50-200")
    check({s["town"] for s in sh} == town_set, "shelters in every town")
    phones = [t["phone"] for t in teams] + [s["phone"] for s in sh]
    check(len(phones) == len(set(phones)), "duplicate phone numbers")

    return [
        "towns: %d" % len(towns),
        "teams: %d (%s)" % (len(teams), ", ".join("%s %d" % (k, kinds[k]) for k in
                                                    ["municipal", "town", "fire", "social", "expert"])),
        "depots: %d" % len(depots),
        "supply kinds: %d" % len(kinds_),
        "stock rows: %d" % len(stock),
        "total items in stock: %d" % total,
        "evacuees the stock can serve: %d (limited by %s)" % (served, ", ".join(limiting)),
        "shelters: %d, total capacity %d, %d with capacity 50-200" % (
            len(sh), sum(s["capacity"] for s in sh), mid),
    ]


if __name__ == "__main__":
    main()
