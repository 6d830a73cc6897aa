#!/usr/bin/env python3
"""Make assets/sample/risk_points.csv: 555 MADE-UP risk points (风险点)
across the 19 towns of assets/seed/county.json, for trying dutydesk out
(make run loads them). No point, village, person or phone in it is real:
an office loads its own list with `dutydesk risk import`.

The same file every time: a fixed linear congruential generator, no
dependence on Python's random module.

    python3 assets/sample/gen-risk-points.py > assets/sample/risk_points.csv
"""
import csv
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = os.path.join(HERE, "..", "seed", "county.json")
TOTAL = 555

state = 20260601


def rnd(n):
    """0 .. n-1, from a 31-bit LCG (the same on every machine)."""
    global state
    state = (state * 1103515245 + 12345) % 2147483648
    return (state >> 8) % n


def pick(seq):
    return seq[rnd(len(seq))]


# Pinyin initials of each town's name, for the point codes (LH-DT-007).
ABBR = {
    "gucheng": "GC", "dayang": "DY", "jiangnan": "JN", "datian": "DT",
    "shaojiadu": "SJD", "xunqiao": "XQ", "dongcheng": "DC", "huixi": "HX",
    "xiaozhi": "XZ", "hetou": "HT", "baishuiyang": "BSY", "kuocang": "KC",
    "yongfeng": "YF", "shangpan": "SP", "taozhu": "TZ", "duqiao": "DQ",
    "yongquan": "YQ", "youxi": "YX", "yanjiang": "YJ",
}
# Hill towns hold most points, the city's streets few.
WEIGHT = {
    "gucheng": 4, "dayang": 6, "jiangnan": 8, "datian": 14, "shaojiadu": 26,
    "xunqiao": 12, "dongcheng": 16, "huixi": 30, "xiaozhi": 30, "hetou": 30,
    "baishuiyang": 36, "kuocang": 40, "yongfeng": 30, "shangpan": 10,
    "taozhu": 12, "duqiao": 10, "yongquan": 30, "youxi": 36, "yanjiang": 28,
}

VILLAGE_A = list("岭溪坑岙坦塘山湾桥岩洋头石竹枫樟梅杨下上前后东西南北里外")
VILLAGE_B = ["根", "口", "头", "脚", "坑", "岙", "坦", "湾", "下", "背", "岗",
             "源", "垟", "岭", "庄", "家"]
SURNAMES = list("王陈李张林黄郑周吴叶金徐朱何杨蒋应潘罗卢项屈")
GIVEN = ["建国", "海平", "小军", "国华", "志明", "春燕", "丽萍", "伟", "强",
         "荣法", "定友", "雪芬", "宝林", "德才", "永富", "仙友", "彩娥",
         "招弟", "根法", "明亮", "卫东", "晓峰", "玲玲", "云仙", "正清"]
GEO = ["后山滑坡", "屋后边坡崩塌", "北侧斜坡", "泥石流沟", "岩质崩塌",
       "老屋后滑坡", "公路边坡"]
TORRENT = ["溪山洪危险区", "坑沟山洪", "溪沿岸低洼地", "山洪沟"]
RESERVOIR = ["水库", "山塘", "水库下游", "山塘下游"]


def village():
    return pick(VILLAGE_A) + pick(VILLAGE_B) + "村"


def main():
    with open(SEED, encoding="utf-8") as f:
        towns = json.load(f)["towns"]
    codes = [t["code"] for t in towns]
    total = sum(WEIGHT[c] for c in codes)
    # Each town's share of the 555, the remainder to the largest.
    share = {c: TOTAL * WEIGHT[c] // total for c in codes}
    left = TOTAL - sum(share.values())
    for c in sorted(codes, key=lambda c: -WEIGHT[c])[:left]:
        share[c] += 1
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["code", "name", "kind", "town", "village", "people",
                  "monitor", "monitor_phone"])
    phones, names = set(), set()
    for t in towns:
        monitors = {}
        for i in range(1, share[t["code"]] + 1):
            # A name once in the county: a point is also found by it.
            while True:
                v = village()
                k = rnd(100)
                if k < 55:
                    kind, name = "地质灾害", v[:-1] + pick(GEO)
                    people = 3 + rnd(58)
                elif k < 85:
                    kind, name = "山洪", v[:-1] + pick(TORRENT)
                    people = 10 + rnd(190)
                else:
                    kind = pick(["水库", "山塘"])
                    name = v[:-1] + pick(RESERVOIR)
                    people = 20 + rnd(280)
                if name not in names:
                    break
            names.add(name)
            # A village's monitor (群测群防员) watches all its points.
            if v not in monitors:
                while True:
                    phone = "1%d%08d" % (pick([33, 35, 37, 39, 58, 59]),
                                         rnd(100000000))
                    if phone not in phones:
                        break
                phones.add(phone)
                monitors[v] = (pick(SURNAMES) + pick(GIVEN), phone)
            m, phone = monitors[v]
            code = "LH-%s-%03d" % (ABBR[t["code"]], i)
            out.writerow([code, name, kind, t["name"], v, people, m, phone])


if __name__ == "__main__":
    main()
