"""The demo city 示范市: a believable fictional prefecture-level city for demos, training and benchmarks.

``miaopu demo`` builds the whole city in one transaction: the unit tree (city, ~45 municipal organs,
5 districts/counties with their organs, ~60 towns, ~600 villages and communities), the posts of every
unit, N cadres with valid ID numbers and a consistent experience history each, a few mentors with
mentees, and one demo account per role.

Why bulk writes and not the services: the benchmark needs 200,000 cadres, and per-row services
(validation, audit row, version bump for each row) would take hours. The generator therefore builds
rows that satisfy the services' rules by construction, writes them with ``bulk_create``, computes the
unit tree fields with the same rule as ``units.services._refresh_tree``, and leaves a single audit
event (``generate`` / ``demo``) with the counts.

Everything random comes from one ``random.Random(seed)`` and never depends on database ids, so the
same seed gives the same city (names, codes, birth dates, histories) on SQLite and PostgreSQL.
"""

from __future__ import annotations

import bisect
import datetime as dt
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import reset_queries, transaction

from miaopu.domain.dates import add_months
from miaopu.domain.idcard import make_id_number
from miaopu.domain.vocab import RURAL_LEVELS, UnitKind, UnitLevel

#: The one password of every demo account (printed by the command and the README; demo data only).
DEMO_PASSWORD = "Miaopu@2026"
DEFAULT_SEED = 2026
DEFAULT_CADRES = 5_000
MAX_CADRES = 200_000
#: Rows per bulk_create call (and per progress step).
BATCH = 5_000
CITY_NAME = "示范市"
#: The two less developed counties that receive two thirds of the municipal secondees in a two-way
#: secondment batch (seed 004: Sanshui and Gaoming); their towns are more often remote.
SECONDMENT_DESTINATIONS = ("南岭县", "北川县")
CODE_PREFIX = "MP"
#: Mentees per mentor and role in the demo's own mentorships: the default pairing capacity.
MENTOR_CAPACITY = 3

PARTY_GOV, INSTITUTION, SOE, MASS_ORG = (
    UnitKind.PARTY_GOV.value,
    UnitKind.INSTITUTION.value,
    UnitKind.SOE.value,
    UnitKind.MASS_ORG.value,
)
CIVIL_SERVICE_KINDS = (PARTY_GOV, MASS_ORG)

# Tiers: the career ladder a post sits on. Posts of SOEs and institution staff have a tier (for ages and
# careers) but no 职务层次 (leadership_level "").
STAFF, DEP_SEC, SEC, DEP_DIV, DIV = "staff", "deputy_section", "section", "deputy_division", "division"
LADDER = (STAFF, DEP_SEC, SEC, DEP_DIV, DIV)
LEAD, GENERAL, TECHNICAL, ENFORCEMENT = "leadership", "general", "technical", "enforcement"

# --------------------------------------------------------------------------------------------------
# The city: names and shapes
# --------------------------------------------------------------------------------------------------

#: (name, kind, head title, sections, size weight). Sections end in 科/室/支队/部/中心; see _section_titles.
ORGANS: tuple[tuple[str, str, str, tuple[str, ...], float], ...] = (
    ("示范市委办公室", PARTY_GOV, "主任", ("秘书科", "综合科", "督查室", "机要科"), 30),
    (
        "示范市委组织部",
        PARTY_GOV,
        "部长",
        ("干部一科", "干部二科", "干部监督科", "组织科", "公务员管理科", "人才工作科"),
        32,
    ),
    ("示范市委宣传部", PARTY_GOV, "部长", ("理论科", "新闻科", "宣传教育科", "文明创建科"), 24),
    ("示范市委统战部", PARTY_GOV, "部长", ("党派科", "民族宗教科", "经济联络科"), 18),
    ("示范市委政策研究室", PARTY_GOV, "主任", ("综合科", "经济研究科", "社会研究科"), 14),
    ("示范市委机构编制委员会办公室", PARTY_GOV, "主任", ("机构编制科", "事业单位登记管理科"), 12),
    ("示范市人民政府办公室", PARTY_GOV, "主任", ("秘书一科", "秘书二科", "综合科", "政务督查科"), 32),
    ("示范市发展和改革委员会", PARTY_GOV, "主任", ("综合科", "发展规划科", "投资科", "价格科", "重点项目科"), 34),
    ("示范市教育局", PARTY_GOV, "局长", ("基础教育科", "职业教育科", "教育督导室", "人事科"), 30),
    ("示范市科学技术局", PARTY_GOV, "局长", ("高新技术科", "农村科技科", "成果转化科"), 16),
    ("示范市工业和信息化局", PARTY_GOV, "局长", ("工业运行科", "信息化推进科", "中小企业科"), 22),
    ("示范市公安局", PARTY_GOV, "局长", ("治安管理支队", "交通警察支队", "刑事侦查支队", "法制科"), 70),
    ("示范市民政局", PARTY_GOV, "局长", ("社会救助科", "养老服务科", "基层政权科"), 20),
    ("示范市司法局", PARTY_GOV, "局长", ("法治督察科", "公共法律服务科", "人民参与和促进法治科"), 20),
    ("示范市财政局", PARTY_GOV, "局长", ("预算科", "国库科", "税政科", "会计科", "农业农村科"), 34),
    ("示范市人力资源和社会保障局", PARTY_GOV, "局长", ("就业促进科", "公务员管理科", "社会保险科", "劳动关系科"), 28),
    ("示范市自然资源局", PARTY_GOV, "局长", ("国土空间规划科", "耕地保护科", "不动产登记科", "执法监察支队"), 36),
    ("示范市生态环境局", PARTY_GOV, "局长", ("大气环境科", "水生态环境科", "环境监测科", "执法支队"), 28),
    ("示范市住房和城乡建设局", PARTY_GOV, "局长", ("建筑市场科", "城市建设科", "房地产市场科", "村镇建设科"), 30),
    ("示范市交通运输局", PARTY_GOV, "局长", ("综合规划科", "公路管理科", "运输管理科", "综合执法支队"), 28),
    ("示范市水利局", PARTY_GOV, "局长", ("水资源科", "河湖管理科", "农村水利科", "水旱灾害防御科"), 22),
    ("示范市农业农村局", PARTY_GOV, "局长", ("乡村振兴科", "种植业管理科", "农田建设科", "农村经营管理科"), 34),
    ("示范市商务局", PARTY_GOV, "局长", ("招商引资科", "对外贸易科", "市场运行科"), 20),
    ("示范市文化广电旅游体育局", PARTY_GOV, "局长", ("艺术科", "文物科", "旅游发展科", "体育科"), 22),
    ("示范市卫生健康委员会", PARTY_GOV, "主任", ("医政医管科", "疾病预防控制科", "基层卫生科", "人口家庭科"), 30),
    ("示范市退役军人事务局", PARTY_GOV, "局长", ("移交安置科", "权益维护科"), 14),
    ("示范市应急管理局", PARTY_GOV, "局长", ("应急指挥科", "安全生产基础科", "防灾减灾救灾科", "执法支队"), 24),
    ("示范市审计局", PARTY_GOV, "局长", ("财政审计科", "经济责任审计科", "固定资产投资审计科"), 20),
    ("示范市市场监督管理局", PARTY_GOV, "局长", ("登记注册科", "食品安全协调科", "质量发展科", "执法稽查支队"), 36),
    ("示范市统计局", PARTY_GOV, "局长", ("综合科", "国民经济核算科", "农村统计科"), 14),
    ("示范市医疗保障局", PARTY_GOV, "局长", ("待遇保障科", "医药服务管理科", "基金监管科"), 14),
    ("示范市信访局", PARTY_GOV, "局长", ("来访接待科", "督查督办科"), 12),
    ("示范市城市管理和综合执法局", PARTY_GOV, "局长", ("市容环境卫生科", "市政公用科", "综合执法支队"), 30),
    ("示范市数据资源管理局", PARTY_GOV, "局长", ("数据资源科", "电子政务科", "信息安全科"), 14),
    ("示范市委党校", INSTITUTION, "常务副校长", ("教务处", "科研处", "党建教研室", "经济学教研室"), 18),
    ("示范市规划设计研究院", INSTITUTION, "院长", ("城市规划室", "市政工程室", "村镇规划室"), 16),
    ("示范市公共资源交易中心", INSTITUTION, "主任", ("交易服务科", "信息技术科"), 12),
    ("示范市融媒体中心", INSTITUTION, "主任", ("新闻采访部", "编辑部", "新媒体部"), 18),
    ("示范市投资促进中心", INSTITUTION, "主任", ("项目策划科", "招商服务科"), 12),
    ("示范市城市投资集团有限公司", SOE, "董事长", ("综合部", "投资发展部", "财务部", "工程管理部"), 26),
    ("示范市交通投资集团有限公司", SOE, "董事长", ("综合部", "资产运营部", "财务部"), 18),
    ("共青团示范市委", MASS_ORG, "书记", ("组织部", "宣传部", "学校部"), 10),
    ("示范市妇女联合会", MASS_ORG, "主席", ("组织联络部", "权益部"), 10),
    ("示范市总工会", MASS_ORG, "主席", ("组织部", "经济工作部", "法律工作部"), 12),
)

_DEPUTY = {
    "局长": "副局长",
    "主任": "副主任",
    "部长": "副部长",
    "书记": "副书记",
    "主席": "副主席",
    "院长": "副院长",
    "常务副校长": "副校长",
    "董事长": "副总经理",
}

#: Districts (区) and counties (县): name, short, ID area code (fictional prefecture 3599), towns (街道, 镇, 乡).
DISTRICTS: tuple[tuple[str, str, str, tuple[int, int, int]], ...] = (
    ("东湖区", "东湖", "359902", (6, 6, 0)),
    ("西山区", "西山", "359903", (4, 8, 0)),
    ("南岭县", "南岭", "359921", (0, 8, 4)),
    ("北川县", "北川", "359922", (0, 7, 5)),
    ("清河县", "清河", "359923", (0, 9, 3)),
)
_PINYIN = {"东湖区": "donghu", "西山区": "xishan", "南岭县": "nanling", "北川县": "beichuan", "清河县": "qinghe"}

#: County organs: (suffix after the district name, head title, sections).
COUNTY_ORGANS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("委办公室", "主任", ("秘书股", "综合股")),
    ("委组织部", "部长", ("干部股", "组织股", "公务员股")),
    ("人民政府办公室", "主任", ("秘书股", "综合股")),
    ("发展和改革局", "局长", ("综合股", "项目股")),
    ("财政局", "局长", ("预算股", "国库股", "农财股")),
    ("自然资源局", "局长", ("规划股", "耕地保护股", "执法大队")),
    ("农业农村局", "局长", ("乡村振兴股", "农技推广站")),
    ("人力资源和社会保障局", "局长", ("就业股", "人事股")),
)

TOWN_NAMES = (
    "青石 白沙 桃源 龙潭 凤岭 石门 梅溪 洋中 溪口 长岭 黄田 双溪 柳塘 杨梅 竹岭 云峰 樟湖 芹山 赤岩 官桥 下洋 "
    "坑口 湖头 岭下 上坪 东岱 西林 南峰 北岭 马坑 金山 银坑 莲塘 盖竹 大济 塘前 仙岭 安仁 武步 松林 沙洲 潭头 "
    "鹤塘 玉屏 兴贤 汶水 际头 源头 茶洋 杉林 星村 大洋 新桥 平湖 合水 龙门 梧桐 石竹 紫阳 桂林 枫林 水口 高峰"
).split()
STREET_NAMES = "湖滨 江南 鼓楼 府前 新城 滨江 望江 东门 西门 文昌 建设 解放 朝阳 城北".split()
VILLAGE_NAMES = (
    "红旗 前进 东风 新村 上村 下村 后洋 前洋 溪头 岭头 坑头 林坑 石壁 竹洋 花园 桥头 洋边 塘边 大坪 小坪 高山 长坑 "
    "田中 后山 前山 中村 岭兜 溪尾 湖口 坂头 岩前 上洋 下坂 西坑 东坑 南山 北山 柏树 荷塘 杏林 梨园 茶园 竹林 "
    "松柏 凤凰 白云 清水 石桥 新丰 永安 长兴 和平 团结 光明 胜利 联合 五星 三门 四方"
).split()
COMMUNITY_NAMES = "滨湖 幸福 和平 金桥 锦绣 翠苑 阳光 春晖 南苑 北苑 文苑 学府 新华 民主 人民 康乐".split()
FRONT_LINES = ("乡村振兴", "项目建设", "招商引资", "抢险救灾", "信访维稳", "创城创卫")

# --------------------------------------------------------------------------------------------------
# People: names, places, schools
# --------------------------------------------------------------------------------------------------

_SURNAME_WEIGHTS = (
    "陈10 林8 黄6 张5 王4.5 李4.5 吴4 郑3.5 刘3 杨2.5 谢2 许2 蔡1.8 周1.6 何1.5 叶1.5 徐1.3 曾1.3 赵1.2 朱1.2 "
    "罗1.2 郭1.2 江1 苏1 胡1 肖0.9 邱0.9 余0.9 高0.9 庄0.8 孙0.8 魏0.7 钟0.7 洪0.7 方0.7 游0.6 翁0.6 潘0.6 卢0.6 "
    "马0.6 彭0.6 邓0.6 廖0.6 詹0.5 施0.5 宋0.5 傅0.5 唐0.5 戴0.4 范0.4 冯0.4 韩0.4 温0.4 姚0.4 雷0.4 蓝0.4 严0.3 "
    "丁0.3 阮0.3 卓0.3 饶0.3 薛0.3 欧阳0.15 上官0.05 司马0.03"
)
SURNAMES = tuple((m[1], float(m[2])) for m in re.finditer(r"(\D+?)([\d.]+)\s*", _SURNAME_WEIGHTS))
_GIVEN_MALE = "伟强磊军勇杰涛斌浩鹏宇辉建华明国志文俊峰超刚波东亮平鑫晨阳博航毅帆凯锋昊然泽睿哲翔彬坤海林森荣"
_GIVEN_FEMALE = "婷静丽敏艳娟芳燕霞玲琳雪慧颖洁萍莉倩欣怡晶瑶琪佳蕾妍彤悦菲蓉秀梅红兰璐娜"
_GIVEN_SHARED = "文晓一子嘉思雨新天心春秋云明梓诗星宁安"

#: Native places outside the city, with a real area code of that place.
NATIVE_PLACES = (
    ("福建福州", "350102", 6),
    ("福建泉州", "350502", 5),
    ("福建宁德", "350902", 5),
    ("福建南平", "350702", 4),
    ("福建三明", "350402", 3),
    ("福建龙岩", "350802", 3),
    ("福建莆田", "350302", 3),
    ("福建漳州", "350602", 3),
    ("江西赣州", "360702", 2),
    ("江西上饶", "361102", 1),
    ("浙江温州", "330302", 1),
    ("广东湛江", "440802", 1),
    ("广东梅州", "441402", 1),
    ("四川巴中", "511902", 1),
    ("湖南邵阳", "430502", 1),
    ("安徽安庆", "340802", 1),
    ("河南信阳", "411502", 1),
    ("湖北黄冈", "421102", 1),
    ("山东临沂", "371302", 1),
)
ETHNICITIES = (
    ("汉族", 95.0),
    ("畲族", 2.5),
    ("回族", 0.8),
    ("满族", 0.5),
    ("壮族", 0.4),
    ("土家族", 0.4),
    ("苗族", 0.4),
)
TOP_SCHOOLS = (
    "北京大学",
    "清华大学",
    "复旦大学",
    "中国人民大学",
    "厦门大学",
    "武汉大学",
    "浙江大学",
    "南京大学",
    "中山大学",
    "北京师范大学",
    "华中科技大学",
    "四川大学",
)
SCHOOLS = (
    "福州大学",
    "福建师范大学",
    "华侨大学",
    "集美大学",
    "福建农林大学",
    "闽江学院",
    "福建江夏学院",
    "福建医科大学",
    "闽南师范大学",
    "莆田学院",
    "三明学院",
    "龙岩学院",
    "宁德师范学院",
    "江西财经大学",
    "中南财经政法大学",
    "华东政法大学",
    "西南大学",
    "湖南大学",
    "南昌大学",
    "福建工程学院",
)
COLLEGES = ("福建信息职业技术学院", "福建农业职业技术学院", "福建警察学院", "闽西职业技术学院", "福州职业技术学院")
MILITARY_SCHOOLS = ("陆军步兵学院", "海军大连舰艇学院", "陆军工程大学", "空军工程大学")
#: (major, the specialty it suggests).
MAJORS = (
    ("法学", "法律"),
    ("汉语言文学", "文字综合"),
    ("行政管理", ""),
    ("会计学", "财务"),
    ("财政学", "财务"),
    ("经济学", "招商"),
    ("国际经济与贸易", "招商"),
    ("计算机科学与技术", "信息化"),
    ("软件工程", "信息化"),
    ("城乡规划", "规划"),
    ("土木工程", "项目管理"),
    ("农学", "农业技术"),
    ("园艺", "农业技术"),
    ("水利水电工程", "应急管理"),
    ("安全工程", "应急管理"),
    ("思想政治教育", ""),
    ("新闻学", "文字综合"),
    ("马克思主义理论", ""),
    ("社会学", "群众工作"),
    ("公共事业管理", ""),
    ("环境工程", ""),
    ("金融学", "财务"),
    ("英语", "外语"),
    ("统计学", "统计"),
)
SPECIALTIES = (
    "法律",
    "财务",
    "规划",
    "信息化",
    "农业技术",
    "招商",
    "应急管理",
    "文字综合",
    "项目管理",
    "群众工作",
    "外语",
    "统计",
)
EXTERNAL_JOBS = (
    ("福州某科技有限公司", "职员"),
    ("厦门某贸易有限公司", "业务员"),
    ("示范市第一中学", "教师"),
    ("某商业银行示范分行", "客户经理"),
    ("泉州某建设工程有限公司", "技术员"),
    ("某会计师事务所", "审计助理"),
)
ARMY_TITLES = ("排长", "副连长", "连长", "副营长", "营长", "参谋", "干事")

# --------------------------------------------------------------------------------------------------
# Specs built in memory before anything is written
# --------------------------------------------------------------------------------------------------


@dataclass(eq=False)
class PostSpec:
    title: str
    category: str
    level: str  # leadership_level written to the database ("" for SOE posts and institution staff)
    tier: str  # the career ladder position, drives ages and histories
    headcount: int = 1
    capped: bool = True  # False: an open staff post that takes any number of holders
    township_head: bool = False
    holders: int = 0
    pk: int | None = None


@dataclass(eq=False)
class UnitSpec:
    idx: int
    name: str
    level: str
    kind: str
    role: str  # root, organ, district, county_organ, town, village
    parent: UnitSpec | None
    district: UnitSpec | None = None  # the district/county the unit belongs to (itself for a district)
    short_name: str = ""
    is_remote: bool = False
    tags: str = ""
    sort_order: int = 0
    weight: float = 0.0
    area_code: str = ""
    posts: list[PostSpec] = field(default_factory=list)
    titles: dict[str, list[str]] = field(default_factory=dict)  # tier -> post titles, for histories
    children: list[UnitSpec] = field(default_factory=list)
    pk: int | None = None

    def add_post(self, post: PostSpec) -> PostSpec:
        self.posts.append(post)
        self.titles.setdefault(post.tier, []).append(post.title)
        return post


@dataclass
class Seg:
    start: dt.date
    end: dt.date | None
    unit: UnitSpec | None = None
    unit_name: str = ""
    title: str = ""
    kind: str = "posting"
    note: str = ""
    tier: str = STAFF


@dataclass
class Person:
    """What the mentor and account steps need to know about a generated cadre."""

    pk: int
    unit: UnitSpec
    tier: str
    level: str
    birth: dt.date
    work_start: dt.date
    source: str
    name: str
    post_title: str


@dataclass
class DemoResult:
    counts: dict[str, int]
    accounts: list[tuple[str, str, str, str]]  # username, role label, scope, password
    seed: int
    seconds: float = 0.0


ProgressFn = Callable[[int, int], None]


def _years(rng: random.Random, low: float, high: float, mode: float | None = None) -> float:
    return rng.triangular(low, high, mode) if mode is not None else rng.uniform(low, high)


def _days(years: float) -> dt.timedelta:
    return dt.timedelta(days=round(years * 365.2425))


def _section_titles(section: str, kind: str) -> tuple[str, str, str, str]:
    """(chief, deputy, staff, category) for a section of an organ."""
    if section.endswith("支队") or section.endswith("大队"):
        word = section[-2:]
        return f"{section}{word}长", f"{section}副{word}长", f"{section}队员", ENFORCEMENT
    if section.endswith("站"):
        return f"{section}站长", f"{section}副站长", f"{section}农技员", TECHNICAL
    technical = any(w in section for w in ("规划", "监测", "信息", "技术", "工程", "数据", "农田", "种植", "教研"))
    category = TECHNICAL if technical else GENERAL
    if section.endswith("部"):
        staff = "职员" if kind == SOE else "干事"
        return f"{section}部长", f"{section}副部长", f"{section}{staff}", category
    if section.endswith("处"):
        return f"{section}处长", f"{section}副处长", f"{section}科员", category
    if section.endswith("股"):
        return f"{section}股长", f"{section}副股长", f"{section}科员", category
    if section.endswith("室") or section.endswith("中心"):
        return f"{section}主任", f"{section}副主任", f"{section}科员", category
    return f"{section}科长", f"{section}副科长", f"{section}科员", category


class CityBuilder:
    """Builds the specs of the city (units, posts, cadres, histories) from one random generator."""

    def __init__(self, seed: int, today: dt.date) -> None:
        self.rng = random.Random(seed)
        self.today = today
        self.units: list[UnitSpec] = []
        self.root: UnitSpec | None = None
        self.organs: list[UnitSpec] = []
        self.districts: list[UnitSpec] = []
        self.county_organs: dict[int, list[UnitSpec]] = {}
        self.towns: dict[int, list[UnitSpec]] = {}
        self.villages: dict[int, list[UnitSpec]] = {}  # town idx -> villages
        self.used_ids: set[str] = set()
        self.non_party_leads: set[int] = set()  # units whose leadership team already has its 党外干部
        self._surnames = [s for s, _ in SURNAMES]
        self._surname_cum = _cumulative([w for _, w in SURNAMES])
        self._native_cum = _cumulative([w for *_, w in NATIVE_PLACES])
        self._eth_cum = _cumulative([w for _, w in ETHNICITIES])

    # ---------------------------------------------------------------- units and posts
    def _unit(self, name: str, level: str, kind: str, role: str, parent: UnitSpec | None, **extra) -> UnitSpec:
        unit = UnitSpec(idx=len(self.units), name=name, level=level, kind=kind, role=role, parent=parent, **extra)
        if parent is not None:
            unit.sort_order = len(parent.children) + 1
            parent.children.append(unit)
        self.units.append(unit)
        return unit

    def build_units(self) -> None:
        rng = self.rng
        self.root = root = self._unit(CITY_NAME, UnitLevel.CITY.value, PARTY_GOV, "root", None)
        for name, kind, head, sections, weight in ORGANS:
            organ = self._unit(
                name,
                UnitLevel.CITY.value,
                kind,
                "organ",
                root,
                short_name=name.replace("示范", ""),
                weight=weight * rng.uniform(0.8, 1.2),
            )
            if "投资促进" in name or "商务" in name:
                organ.tags = "招商引资"
            self._organ_posts(organ, head, sections)
            self.organs.append(organ)
        town_pool = list(TOWN_NAMES)
        rng.shuffle(town_pool)
        street_pool = list(STREET_NAMES)
        rng.shuffle(street_pool)
        for d_name, d_short, area, (n_street, n_town, n_xiang) in DISTRICTS:
            county = d_name.endswith("县")
            tags = "山区县" if d_name in SECONDMENT_DESTINATIONS else ""
            district = self._unit(
                d_name,
                UnitLevel.COUNTY.value,
                PARTY_GOV,
                "district",
                root,
                area_code=area,
                tags=tags,
                short_name=d_short,
            )
            district.district = district
            self.districts.append(district)
            head = "县" if county else "区"
            district.add_post(PostSpec(f"{head}委书记", LEAD, DIV, DIV))
            district.add_post(PostSpec(f"{head}长", LEAD, DIV, DIV))
            district.add_post(PostSpec(f"常务副{head}长", LEAD, DEP_DIV, DEP_DIV))
            district.add_post(PostSpec(f"副{head}长", LEAD, DEP_DIV, DEP_DIV, headcount=3))
            organs = self.county_organs[district.idx] = []
            for suffix, organ_head, sections in COUNTY_ORGANS:
                organ = self._unit(
                    f"{d_name}{suffix}",
                    UnitLevel.COUNTY.value,
                    PARTY_GOV,
                    "county_organ",
                    district,
                    district=district,
                    short_name=f"{head}{suffix}",
                    weight=rng.uniform(10, 18),
                    area_code=area,
                )
                self._county_organ_posts(organ, organ_head, sections)
                organs.append(organ)
            towns = self.towns[district.idx] = []
            kinds = ["街道"] * n_street + ["镇"] * n_town + ["乡"] * n_xiang
            remote_p = 0.4 if d_name in SECONDMENT_DESTINATIONS else (0.2 if county else 0.0)
            for town_type in kinds:
                base = street_pool.pop() if town_type == "街道" else town_pool.pop()
                town = self._unit(
                    f"{base}{town_type}",
                    UnitLevel.TOWN.value,
                    PARTY_GOV,
                    "town",
                    district,
                    district=district,
                    area_code=area,
                    weight={"街道": 24, "镇": 28, "乡": 15}[town_type] * rng.uniform(0.8, 1.2),
                )
                town.is_remote = town_type != "街道" and rng.random() < remote_p
                town.tags = self._town_tags(town_type)
                self._town_posts(town, town_type)
                towns.append(town)
                self._villages(town, town_type, base, area)

    def _town_tags(self, town_type: str) -> str:
        rng = self.rng
        if rng.random() > 0.45:
            return ""
        pool = ["创城创卫", "项目建设", "招商引资", "信访维稳"] if town_type == "街道" else list(FRONT_LINES)
        weights = [3 if t == "乡村振兴" else 1 for t in pool]
        picked: list[str] = []
        for _ in range(rng.choice((1, 1, 2))):
            tag = rng.choices(pool, weights)[0]
            if tag not in picked:
                picked.append(tag)
        return "、".join(picked)

    def _villages(self, town: UnitSpec, town_type: str, base: str, area: str) -> None:
        rng = self.rng
        count = rng.randint(9, 11)
        if town_type == "街道":
            names = [f"{n}社区" for n in rng.sample(COMMUNITY_NAMES, count)]
        else:
            names = [f"{n}村" for n in rng.sample(VILLAGE_NAMES, count)]
            if town_type == "镇":
                names[0] = f"{base}社区"  # the town seat is a community
        villages = self.villages[town.idx] = []
        for short in names:
            village = self._unit(
                f"{town.name}{short}",
                UnitLevel.VILLAGE.value,
                PARTY_GOV,
                "village",
                town,
                district=town.district,
                short_name=short,
                area_code=area,
                weight=rng.uniform(0.03, 0.2),
                is_remote=town.is_remote,
            )
            if short.endswith("村") and rng.random() < 0.03:
                village.tags = "实践基地"
            title = "社区党委书记助理" if short.endswith("社区") else "村党支部书记助理"
            village.add_post(PostSpec(title, GENERAL, STAFF, STAFF, capped=False))
            villages.append(village)

    def _organ_posts(self, organ: UnitSpec, head: str, sections: tuple[str, ...]) -> None:
        kind = organ.kind
        soe = kind == SOE
        organ.add_post(PostSpec(head, LEAD, DIV, DIV))
        if soe:
            organ.add_post(PostSpec("总经理", LEAD, DIV, DIV))
        organ.add_post(PostSpec(_DEPUTY[head], LEAD, DEP_DIV, DEP_DIV, headcount=2 if soe else 3))
        for section in ("办公室", *sections) if "办公室" not in organ.name else sections:
            chief, deputy, staff, category = _section_titles(section, kind)
            organ.add_post(PostSpec(chief, category, "" if soe else SEC, SEC))
            organ.add_post(PostSpec(deputy, category, "" if soe else DEP_SEC, DEP_SEC))
            staff_level = STAFF if kind in CIVIL_SERVICE_KINDS else ""
            organ.add_post(PostSpec(staff, category, staff_level, STAFF, capped=False))

    def _county_organ_posts(self, organ: UnitSpec, head: str, sections: tuple[str, ...]) -> None:
        organ.add_post(PostSpec(head, LEAD, SEC, SEC))
        organ.add_post(PostSpec(_DEPUTY[head], LEAD, DEP_SEC, DEP_SEC, headcount=2))
        for section in sections:
            chief, _deputy, staff, category = _section_titles(section, PARTY_GOV)
            organ.add_post(PostSpec(chief, category, STAFF, STAFF))
            organ.add_post(PostSpec(staff, category, STAFF, STAFF, capped=False))

    def _town_posts(self, town: UnitSpec, town_type: str) -> None:
        street = town_type == "街道"
        party = "党工委" if street else "党委"
        gov_head = "街道办事处主任" if street else f"{town_type}长"
        gov_deputy = "街道办事处副主任" if street else f"副{town_type}长"
        town.add_post(PostSpec(f"{party}书记", LEAD, SEC, SEC, township_head=True))
        town.add_post(PostSpec(gov_head, LEAD, SEC, SEC, township_head=True))
        town.add_post(PostSpec(f"{party}副书记", LEAD, DEP_SEC, DEP_SEC, headcount=2))
        town.add_post(PostSpec("纪工委书记" if street else "纪委书记", LEAD, DEP_SEC, DEP_SEC))
        town.add_post(PostSpec("组织委员", LEAD, DEP_SEC, DEP_SEC))
        town.add_post(PostSpec("宣传委员", LEAD, DEP_SEC, DEP_SEC))
        town.add_post(PostSpec("武装部部长", LEAD, DEP_SEC, DEP_SEC))
        town.add_post(PostSpec(gov_deputy, LEAD, DEP_SEC, DEP_SEC, headcount=3))
        town.add_post(PostSpec("党政综合办公室主任", GENERAL, STAFF, STAFF))
        town.add_post(PostSpec("经济发展办公室主任", GENERAL, STAFF, STAFF))
        town.add_post(PostSpec("综合行政执法队队长", ENFORCEMENT, STAFF, STAFF))
        offices = [
            ("党政综合办公室科员", GENERAL),
            ("党建工作办公室科员", GENERAL),
            ("经济发展办公室科员", GENERAL),
            ("社会事务办公室科员", GENERAL),
            ("应急管理办公室科员", GENERAL),
            ("综合行政执法队队员", ENFORCEMENT),
        ]
        offices.append(("社区治理办公室科员", GENERAL) if street else ("农业农村服务中心农技员", TECHNICAL))
        for title, category in offices:
            town.add_post(PostSpec(title, category, STAFF, STAFF, capped=False))

    def _size_team(self, unit: UnitSpec, people: int) -> None:
        """Size an organ's leadership team (班子) by how many cadres it has, as the 三定 establishment does.

        About one team member per ten cadres: a small office keeps its head and two or three deputies, a big
        bureau has up to five deputies plus 党组成员 / 部务委员 (a 公安局: 政委, 政治部主任 and 党委委员; at most
        15). The team are the political mentors of the organ's new recruits (Bazhong: 班子成员 mentor them, 3
        each), and a municipal organ has no cadres above it to fall back on, so a team sized by headcount keeps
        every recruit covered. Likewise a municipal organ's sections get one leader (科长 or 副科长) per three
        科员 or so, up to four deputies in a big 支队: the recruits' business mentors (以强带弱: a higher 职务层次).
        """
        if unit.role not in ("organ", "county_organ"):
            return
        municipal = unit.role == "organ"
        if municipal:  # a big bureau's sections have more than one deputy chief (their 以强带弱 business mentors)
            sections = [p for p in unit.posts if p.category != LEAD and p.tier == DEP_SEC]
            staff = 0.62 * people / len(sections)  # expected 科员 per section
            for post in sections:
                post.headcount = min(max(int(-(-staff // 3)) - 1, 1), 4)
        top, second = (DIV, DEP_DIV) if municipal else (SEC, DEP_SEC)
        heads = sum(1 for p in unit.posts if p.category == LEAD and p.tier == top)
        deputy = next(p for p in unit.posts if p.category == LEAD and p.tier == second)
        size = min(-(-people // 10) + 1, 15 if municipal else 6)
        extra = size - heads - deputy.headcount
        most = (4 if unit.kind == SOE else 5) if municipal else 3  # deputies allowed (副职职数)
        more = max(min(extra, most - deputy.headcount), 0)
        deputy.headcount += more
        extra -= more
        if extra <= 0:
            return
        if not municipal:
            members = [("党组成员", extra)]
        elif "公安" in unit.name:  # a public security bureau has a 政委 (a head), a 政治部 and a 党委
            unit.add_post(PostSpec("政治委员", LEAD, top, top))
            members = [("政治部主任", min(1, extra - 1)), ("党委委员", extra - 2)]
        elif unit.kind in (INSTITUTION, SOE):
            members = [("党委委员", extra)]
        elif unit.name.startswith(f"{CITY_NAME}委"):  # party organs have no 党组: 部务委员 / 室务委员
            members = [("部务委员" if unit.name.endswith("部") else "室务委员", extra)]
        else:
            members = [("党组成员", extra)]
        for title, n in members:
            if n > 0:
                unit.add_post(PostSpec(title, LEAD, second, second, headcount=n))

    # ---------------------------------------------------------------- cadre slots
    def plan_slots(self, total: int) -> list[tuple[UnitSpec, PostSpec]]:
        """Decide, for each of ``total`` cadres, the unit and post; leadership posts never exceed headcount."""
        rng = self.rng
        district_each = min(6, total // 800)
        weighted = [u for u in self.units if u.role not in ("root", "district")]
        remaining = total - district_each * len(self.districts)
        weight_sum = sum(u.weight for u in weighted)
        shares = [remaining * u.weight / weight_sum for u in weighted]
        counts = [int(s) for s in shares]
        order = sorted(range(len(weighted)), key=lambda i: (counts[i] - shares[i], i))
        for i in order[: remaining - sum(counts)]:
            counts[i] += 1
        slots: list[tuple[UnitSpec, PostSpec]] = []
        for district in self.districts:
            capped = [p for p in district.posts for _ in range(p.headcount)]
            slots.extend((district, p) for p in capped[:district_each])
        for unit, k in zip(weighted, counts, strict=True):
            if k == 0:
                continue
            self._size_team(unit, k)
            capped = [p for p in unit.posts if p.capped for _ in range(p.headcount)]
            open_posts = [p for p in unit.posts if not p.capped]
            # About 38% of a unit's cadres hold capped posts. The leadership team is filled first (a 班子 is rarely
            # left vacant); of the other cadres again about 38% hold the other capped posts (section chiefs and
            # deputies), the rest open staff posts.
            team = [p for p in capped if p.category == LEAD]
            rest = [p for p in capped if p.category != LEAD]
            n_team = min(len(team), round(k * 0.38) if open_posts else k)
            n_rest = min(len(rest), round((k - n_team) * 0.38) if open_posts else k - n_team)
            n_capped = n_team + n_rest
            for post in rng.sample(team, n_team) + rng.sample(rest, n_rest):
                slots.append((unit, post))
            for _ in range(k - n_capped):
                post = rng.choice(open_posts)
                post.holders += 1
                slots.append((unit, post))
        for unit in self.units:
            for post in unit.posts:
                if not post.capped:
                    post.headcount = max(1, min(post.holders, 32000))
        rng.shuffle(slots)
        return slots

    # ---------------------------------------------------------------- one cadre
    def _name(self, male: bool) -> str:
        rng = self.rng
        surname = self._surnames[_pick(self._surname_cum, rng.random())]
        own = _GIVEN_MALE if male else _GIVEN_FEMALE
        if rng.random() < 0.2:
            given = rng.choice(own)
        else:
            first = rng.choice(_GIVEN_SHARED) if rng.random() < 0.45 else rng.choice(own)
            given = first + rng.choice(own)
        return surname + given

    def _id_number(self, area: str, birth: dt.date, male: bool) -> str:
        rng = self.rng
        for _ in range(2000):
            number = make_id_number(area, birth, rng.randrange(500) * 2 + (1 if male else 0))
            if number not in self.used_ids:
                self.used_ids.add(number)
                return number
        raise RuntimeError("no free ID number")  # pragma: no cover - 500 sequences per day and gender

    def cadre(self, unit: UnitSpec, post: PostSpec, code: str) -> tuple[dict, list[Seg], Person]:
        """One cadre's fields and history, consistent with the unit, the post and each other."""
        rng = self.rng
        today = self.today
        tier = post.tier
        civil = unit.kind in CIVIL_SERVICE_KINDS
        village = unit.role == "village"

        # Age (a young-cadre bulge for staff), gender, source, education.
        if tier == STAFF:
            band = rng.random()
            age = (
                _years(rng, 22, 30, 25)
                if band < 0.38
                else _years(rng, 29, 36)
                if band < 0.62
                else _years(rng, 35, 46)
                if band < 0.82
                else _years(rng, 45, 59.5)
            )
        else:
            low, high, mode = {DEP_SEC: (27, 52, 36), SEC: (30, 57, 44), DEP_DIV: (37, 58.5, 49), DIV: (41, 59.5, 52)}[
                tier
            ]
            age = _years(rng, low, high, mode)
        p_female = {STAFF: 0.44, DEP_SEC: 0.3, SEC: 0.22, DEP_DIV: 0.18, DIV: 0.12}[tier]
        male = rng.random() >= p_female
        if village:
            source = "selected_graduate"
        elif civil:
            # 军转干部 (12–20 years in the army) are placed by the city in its municipal organs, and in a town they
            # head the 武装部; a county or town has no 军转 staff, whose decades of service would leave nobody
            # there ten years their senior for 以老带新.
            military = 0.055 if unit.role == "organ" else 0.6 if post.title == "武装部部长" else 0.0
            source = rng.choices(
                ("civil_exam", "selected_graduate", "recruited_talent", "military", "institution_hire", "other"),
                (0.83 - military, 0.065, 0.045, military, 0.03, 0.03),
            )[0]
        elif unit.kind == INSTITUTION:
            source = rng.choices(
                ("institution_hire", "recruited_talent", "military", "other"), (0.82, 0.08, 0.03, 0.07)
            )[0]
        else:
            source = rng.choices(("other", "recruited_talent", "military"), (0.85, 0.1, 0.05))[0]
        if source == "military":
            male = rng.random() < 0.95
        if not male and age > 54.5:
            age = _years(rng, 44, 54.5)

        if source == "selected_graduate":
            education = rng.choices(("bachelor", "master", "doctorate"), (0.56, 0.41, 0.03))[0]
        elif source == "recruited_talent":
            education = rng.choices(("master", "doctorate"), (0.8, 0.2))[0]
        elif source == "military":
            education = rng.choices(("bachelor", "college"), (0.6, 0.4))[0]
        elif age >= 45:
            education = rng.choices(("college", "bachelor", "master"), (0.2, 0.7, 0.1))[0]
        else:
            education = rng.choices(("college", "bachelor", "master", "doctorate"), (0.05, 0.78, 0.16, 0.01))[0]
        grad_age = {"college": 21.0, "bachelor": 22.0, "master": 25.0, "doctorate": 28.0}[education]

        # Working life: work start, years outside the system, when the in-system career began.
        if source == "military":
            start_age = _years(rng, 18.2, 19.5) if education == "college" else _years(rng, 21.6, 22.8)
            outside = _years(rng, 12, 20)
        else:
            start_age = grad_age + _years(rng, 0.1, 0.9)
            outside = _years(rng, 1, 4) if source in ("civil_exam", "other") and rng.random() < 0.12 else 0.0
        village_years = 2.0 if source == "selected_graduate" and not village else 0.0
        need_months = {STAFF: 2, DEP_SEC: 40, SEC: 78, DEP_DIV: 110, DIV: 150}[tier]
        if village:
            age = start_age + _years(rng, 0.05, 1.9)
        else:
            min_age = start_age + outside + village_years + need_months / 12 + 0.05
            if age < min_age:
                age = min_age + _years(rng, 0, 1.5)
        age = min(age, 59.7 if male else 54.9)
        if age < start_age + outside + village_years + need_months / 12:  # too old to have started so late
            outside = 0.0
            start_age = max(18.5, min(start_age, age - village_years - need_months / 12 - 0.05))
        birth = today - _days(age) - dt.timedelta(days=rng.randrange(0, 3))
        work_start = birth + _days(start_age)
        system_start = work_start + _days(outside)

        segs = self._career(unit, post, source, work_start, system_start, village)
        civil_entry = None
        if civil:
            civil_entry = next(s.start for s in segs if s.unit is not None)
        level = post.level
        if level and level != STAFF:  # promotions are entry boundaries: the first entry at the current tier
            level_since = next(s.start for s in segs if s.unit is not None and s.tier == post.tier)
        elif level == STAFF:
            level_since = civil_entry or system_start
        else:
            level_since = None
        rank, rank_since = self._rank(civil, civil_entry, tier, education, level_since)

        # Party membership.
        if tier != STAFF:
            p_party = 0.95
        else:
            p_party = 0.62 if age < 30 else 0.78 if age < 40 else 0.84
        party_join = None
        party = rng.random() < p_party
        lead = post.category == LEAD
        if lead and not party and unit.idx in self.non_party_leads:
            party = True  # a leadership team has at most one 党外干部 (a democratic-party or non-party deputy)
        if party:
            if age < 32 and rng.random() < 0.05:
                status = "probationary"
                party_join = today - dt.timedelta(days=rng.randint(20, 330))
            else:
                status = "cpc"
                join_age = min(_years(rng, 19.2, 32, 21.5), age - 0.3)
                party_join = birth + _days(max(join_age, 18.3))
        elif lead:
            self.non_party_leads.add(unit.idx)
            status = rng.choices(("democratic", "independent"), (0.7, 0.3))[0]
        else:
            status = rng.choices(("masses", "democratic", "independent"), (0.85, 0.1, 0.05))[0]

        # Origin, ID number, schooling.
        if rng.random() < 0.78:
            home = unit.district or rng.choice(self.districts)
            native = "福建" + home.short_name
            area = home.area_code
            hukou = "local" if rng.random() < 0.97 else "nonlocal"
        else:
            native, area, _w = NATIVE_PLACES[_pick(self._native_cum, rng.random())]
            hukou = "nonlocal" if rng.random() < 0.45 else "local"
        id_number = self._id_number(area, birth, male)
        major, hint = rng.choice(MAJORS)
        if source == "military":
            school = rng.choice(MILITARY_SCHOOLS)
        elif education == "college":
            school = rng.choice(COLLEGES)
        elif source in ("selected_graduate", "recruited_talent") or education == "doctorate":
            school = rng.choice(TOP_SCHOOLS) if rng.random() < 0.7 else rng.choice(SCHOOLS)
        else:
            school = rng.choice(SCHOOLS) if rng.random() < 0.9 else rng.choice(TOP_SCHOOLS)
        degree = {"college": "none", "bachelor": "bachelor", "master": "master", "doctorate": "doctor"}[education]
        inservice = {}
        if age > 30 and education in ("college", "bachelor") and rng.random() < 0.18:
            if education == "college":
                inservice = {
                    "inservice_education": "bachelor",
                    "inservice_degree": "none",
                    "inservice_school": "福建省委党校",
                    "inservice_major": "行政管理",
                }
            else:
                inservice = {
                    "inservice_education": "master",
                    "inservice_degree": "master",
                    "inservice_school": rng.choice(("福州大学", "福建师范大学", "厦门大学")),
                    "inservice_major": "公共管理（MPA）",
                }
        specialties = ""
        if rng.random() < 0.35:
            tags = [hint] if hint and rng.random() < 0.7 else []
            for _ in range(rng.choice((1, 1, 2))):
                tag = rng.choice(SPECIALTIES)
                if tag not in tags:
                    tags.append(tag)
            specialties = "、".join(tags[:2])

        name = self._name(male)
        fields = {
            "code": code,
            "name": name,
            "gender": "male" if male else "female",
            "ethnicity": ETHNICITIES[_pick(self._eth_cum, rng.random())][0],
            "birth_date": birth,
            "native_place": native,
            "hukou": hukou,
            "id_number": id_number,
            "political_status": status,
            "party_join_date": party_join,
            "fulltime_education": education,
            "fulltime_degree": degree,
            "fulltime_school": school,
            "fulltime_major": "军事指挥" if source == "military" else major,
            "work_start_date": work_start,
            "civil_service_entry_date": civil_entry,
            "source": source,
            "post_title": post.title,
            "post_category": post.category,
            "leadership_level": level,
            "leadership_level_since": level_since,
            "rank": rank,
            "rank_since": rank_since,
            "specialties": specialties,
            **inservice,
        }
        person = Person(0, unit, tier, level, birth, work_start, source, name, post.title)
        return fields, segs, person

    def _rank(
        self, civil: bool, entry: dt.date | None, tier: str, education: str, level_since: dt.date | None
    ) -> tuple[str, dt.date | None]:
        """职级 from years of civil service, at least the floor that goes with the leadership level."""
        if not civil or entry is None:
            return "", None
        steps = (
            (0, "clerk_2" if education == "college" else "clerk_1"),
            (2, "clerk_1"),
            (7, "principal_4"),
            (11, "principal_3"),
            (15, "principal_2"),
            (21, "principal_1"),
        )
        pace = self.rng.uniform(1.0, 1.5)  # not everyone is promoted as soon as the years allow
        rank, since = steps[0][1], entry
        for years, name in steps:
            reached = add_months(entry, round(12 * years * (pace if years > 2 else 1)))
            if reached <= self.today and name != rank:
                rank, since = name, reached
        floor = {DEP_SEC: "principal_4", SEC: "principal_2", DEP_DIV: "researcher_4", DIV: "researcher_2"}.get(tier)
        order = [
            "clerk_2",
            "clerk_1",
            "principal_4",
            "principal_3",
            "principal_2",
            "principal_1",
            "researcher_4",
            "researcher_3",
            "researcher_2",
            "researcher_1",
        ]
        if floor and order.index(floor) > order.index(rank):
            rank, since = floor, level_since or since
        return rank, since

    # ---------------------------------------------------------------- one history
    def _career(
        self, home: UnitSpec, post: PostSpec, source: str, work_start: dt.date, system_start: dt.date, village_now: bool
    ) -> list[Seg]:
        """Consecutive entries from work start to today, the last one open at the current unit and post."""
        rng = self.rng
        today = self.today
        segs: list[Seg] = []
        if village_now:
            return [Seg(work_start, None, home, title=post.title, note="选调生基层锻炼", tier=STAFF)]
        if system_start > work_start:
            if source == "military":
                segs.append(
                    Seg(
                        work_start,
                        system_start,
                        unit_name="中国人民解放军某部",
                        title=rng.choice(ARMY_TITLES),
                        note="军队转业",
                    )
                )
            else:
                employer, title = rng.choice(EXTERNAL_JOBS)
                segs.append(Seg(work_start, system_start, unit_name=employer, title=title))
        t0 = system_start
        if source == "selected_graduate":
            village = self._village_near(home)
            end = add_months(t0, 24)
            segs.append(Seg(t0, end, village, title=village.titles[STAFF][0], note="选调生基层锻炼"))
            t0 = end

        # Promotions up the ladder to the current tier, latest first.
        top = LADDER.index(post.tier)
        span = (today - t0).days
        promotions: list[dt.date] = []
        if top > 0:
            tenure = rng.uniform(120, min(2900, span * 0.45))
            cursor = today - dt.timedelta(days=tenure)
            promotions.append(cursor)
            floor = t0 + dt.timedelta(days=730)
            for _ in range(top - 1):
                cursor -= dt.timedelta(days=rng.uniform(900, 2200))
                promotions.append(cursor)
            promotions.reverse()
            if promotions[0] < floor:  # squeeze the ladder into the time available
                first, last = floor, promotions[-1]
                if last <= first:
                    first = t0 + dt.timedelta(days=(last - t0).days // 3)
                step = (last - first) / max(top - 1, 1)
                promotions = [first + step * i for i in range(top - 1)] + [last]
        cuts = set(promotions)
        years = span / 365.2425
        for _ in range(int(years / rng.uniform(3.5, 7.5))):
            cut = t0 + dt.timedelta(days=rng.uniform(180, max(span - 180, 181)))
            if all(abs((cut - c).days) > 200 for c in cuts) and cut > t0:
                cuts.add(cut)
        bounds = [t0, *sorted(c for c in cuts if t0 < c < today), today]
        tiers = [LADDER[sum(1 for p in promotions if p <= b)] for b in bounds[:-1]]

        # Units, latest first: the current post, then earlier posts in the same or related units.
        main: list[Seg] = []
        for i in range(len(bounds) - 2, -1, -1):
            start, end, tier = bounds[i], bounds[i + 1], tiers[i]
            if i == len(bounds) - 2:
                main.append(Seg(start, None, home, title=post.title, tier=tier))
                continue
            unit = self._previous_unit(home, tier)
            main.append(Seg(start, end, unit, title=rng.choice(unit.titles[tier]), tier=tier))
        main.reverse()

        # One secondment (挂职) for some: a 1–2 year window inside a long enough entry, never the open end.
        if home.kind in CIVIL_SERVICE_KINDS and rng.random() < 0.16:
            room = [j for j, s in enumerate(main) if ((s.end or today) - s.start).days > 900]
            if room:
                j = rng.choice(room)
                seg = main[j]
                length = rng.choice((365, 730))
                last_start = (seg.end or today) - dt.timedelta(days=length + 100)
                begin = seg.start + dt.timedelta(days=rng.uniform(90, max((last_start - seg.start).days, 91)))
                host, title, note = self._secondment(home, seg.tier)
                after = Seg(begin + dt.timedelta(days=length), seg.end, seg.unit, title=seg.title, tier=seg.tier)
                seg.end = begin
                main[j + 1 : j + 1] = [
                    Seg(begin, after.start, host, title=title, kind="secondment", note=note, tier=seg.tier),
                    after,
                ]
        merged: list[Seg] = []
        for seg in [*segs, *main]:
            prev = merged[-1] if merged else None
            if (
                prev
                and prev.unit is seg.unit
                and prev.title == seg.title
                and prev.kind == seg.kind == "posting"
                and not prev.note
                and not seg.note
            ):
                prev.end = seg.end
            else:
                merged.append(seg)
        return merged

    def _village_near(self, home: UnitSpec) -> UnitSpec:
        rng = self.rng
        district = home.district or rng.choice(self.districts)
        if home.role == "town":
            town = home
        else:
            town = rng.choice(self.towns[district.idx])
        return rng.choice(self.villages[town.idx])

    def _previous_unit(self, home: UnitSpec, tier: str) -> UnitSpec:
        """An earlier unit of the same cadre, plausible for the home unit and able to hold ``tier``."""
        rng = self.rng
        district = home.district
        r = rng.random()
        options: list[UnitSpec]
        if home.role == "organ":
            if home.kind not in CIVIL_SERVICE_KINDS:
                options = [home] if r < 0.75 else [o for o in self.organs if o.kind == home.kind]
            elif r < 0.55:
                options = [home]
            elif r < 0.7:
                options = [o for o in self.organs if o.kind in CIVIL_SERVICE_KINDS]
            elif r < 0.85:
                options = self.towns[rng.choice(self.districts).idx]
            else:
                options = self.county_organs[rng.choice(self.districts).idx]
        elif home.role == "district":
            options = [o for o in self.organs if o.kind == PARTY_GOV] if r < 0.5 else [home]
        else:  # county organ or town
            assert district is not None
            if r < 0.5:
                options = [home]
            elif r < 0.8:
                options = self.towns[district.idx]
            else:
                options = self.county_organs[district.idx]
        valid = [u for u in options if tier in u.titles]
        if not valid:
            valid = [home] if tier in home.titles else [o for o in self.organs if o.kind == PARTY_GOV]
        return rng.choice(valid)

    def _secondment(self, home: UnitSpec, tier: str) -> tuple[UnitSpec, str, str]:
        """Host unit and title of a 挂职: organs send cadres down to towns and villages, towns send them up."""
        rng = self.rng
        if home.role == "town":
            host = rng.choice([o for o in self.organs if o.kind == PARTY_GOV] + self.county_organs[home.district.idx])
            title = rng.choice(host.titles.get(tier) or host.titles[STAFF])
            return host, f"挂职{title}", "双向挂职"
        if tier in (DEP_SEC, SEC) and rng.random() < 0.3:
            district = self._destination()
            town = rng.choice(self.towns[district.idx])
            village = rng.choice(self.villages[town.idx])
            return village, "驻村第一书记", "驻村"
        district = self._destination() if home.role == "organ" else home.district
        town = rng.choice(self.towns[district.idx])
        town_tier = tier if tier in town.titles else (SEC if tier in (DEP_DIV, DIV) else STAFF)
        title = rng.choice(town.titles[town_tier])
        return town, f"挂职{title}", "双向挂职" if home.role == "organ" else "挂职锻炼"

    def _destination(self) -> UnitSpec:
        """Two thirds of municipal secondees go to the two secondment destinations."""
        rng = self.rng
        preferred = [d for d in self.districts if d.name in SECONDMENT_DESTINATIONS]
        others = [d for d in self.districts if d.name not in SECONDMENT_DESTINATIONS]
        return rng.choice(preferred if rng.random() < 2 / 3 else others)


def _cumulative(weights: list[float]) -> list[float]:
    total, out = 0.0, []
    for w in weights:
        total += w
        out.append(total)
    return [c / total for c in out]


def _pick(cumulative: list[float], r: float) -> int:
    return min(bisect.bisect_right(cumulative, r), len(cumulative) - 1)


# --------------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------------


def database_is_empty() -> bool:
    from miaopu.apps.cadres.models import Cadre
    from miaopu.apps.units.models import Unit

    return not Cadre.objects.exists() and not Unit.objects.exists()


def wipe() -> dict[str, int]:
    """Delete every unit, post, cadre, history entry and mentor (``--force``); accounts lose their links.

    Audit events are append-only and stay. Other data that still refers to cadres or units (a programme
    batch, a growth file) makes Django raise ``ProtectedError``; the command reports it.
    """
    from miaopu.apps.cadres.models import Cadre, Experience
    from miaopu.apps.core.models import User
    from miaopu.apps.growth import demo as growth_demo
    from miaopu.apps.mentoring.models import Mentor, Mentorship
    from miaopu.apps.training import demo as training_demo
    from miaopu.apps.units.models import Post, Unit

    training_demo.wipe()
    from miaopu.apps.programmes import demo as programmes_demo

    programmes_demo.wipe()
    from django.apps import apps

    if apps.is_installed("miaopu.apps.fieldwork"):  # bases, ledger, care and the demo's practice batches
        from miaopu.apps.fieldwork import demo as fieldwork_demo

        fieldwork_demo.wipe()
    growth_demo.wipe()

    counts = {"units": Unit.objects.count(), "cadres": Cadre.objects.count()}
    Mentorship.objects.all().delete()
    Mentor.objects.all().delete()
    User.objects.exclude(cadre=None).update(cadre=None)
    User.objects.exclude(scope_unit=None).update(scope_unit=None)
    Experience.objects.all().delete()
    Cadre.objects.all().delete()
    Post.objects.all().delete()
    Unit.objects.update(parent=None, district=None)
    Unit.objects.all().delete()
    return counts


def _account_plan() -> list[tuple[str, str, str]]:
    first = DISTRICTS[0][0]
    return [
        ("sysadmin", "sysadmin", "系统管理员"),
        ("secadmin", "secadmin", "安全管理员"),
        ("auditor", "auditor", "审计管理员"),
        ("orgdept", "orgdept", "市委组织部干部科"),
        (f"orgdept_{_PINYIN[first]}", "orgdept", f"{first}委组织部"),
        ("officer", "unit_officer", "镇人事专员"),
        ("mentor", "mentor", "导师"),
        ("cadre", "cadre", "干部本人"),
    ]


def _write_units(builder: CityBuilder) -> None:
    """Insert the tree level by level; path/depth/district follow ``units.services._refresh_tree`` exactly."""
    from miaopu.apps.units.models import PATH_SEGMENT, Unit

    paths: dict[int, tuple[str, int]] = {}
    generations: list[list[UnitSpec]] = [[builder.root]]  # type: ignore[list-item]
    while generations[-1]:
        generations.append([c for u in generations[-1] for c in u.children])
    for generation in generations[:-1]:
        objs = [
            Unit(
                name=u.name,
                short_name=u.short_name,
                parent_id=u.parent.pk if u.parent else None,
                level=u.level,
                kind=u.kind,
                is_remote=u.is_remote,
                tags=u.tags,
                sort_order=u.sort_order,
            )
            for u in generation
        ]
        Unit.objects.bulk_create(objs, batch_size=BATCH)
        for spec, obj in zip(generation, objs, strict=True):
            spec.pk = obj.pk
            parent = spec.parent
            parent_path, parent_depth = paths[parent.idx] if parent else ("", -1)
            obj.path = parent_path + f"{obj.pk:0{PATH_SEGMENT}d}/"
            obj.depth = parent_depth + 1
            paths[spec.idx] = (obj.path, obj.depth)
            if parent is not None and parent.district is not None:
                obj.district_id = parent.district.pk
            else:
                obj.district_id = obj.pk if spec.level == UnitLevel.COUNTY else None
        Unit.objects.bulk_update(objs, ["path", "depth", "district"], batch_size=1000)


def _write_posts(builder: CityBuilder) -> int:
    from miaopu.apps.units.models import Post

    specs = [(u, p) for u in builder.units for p in u.posts]
    objs = [
        Post(
            unit_id=u.pk,
            title=p.title,
            category=p.category,
            leadership_level=p.level,
            is_township_head=p.township_head,
            headcount=p.headcount,
        )
        for u, p in specs
    ]
    Post.objects.bulk_create(objs, batch_size=BATCH)
    for (_u, p), obj in zip(specs, objs, strict=True):
        p.pk = obj.pk
    return len(objs)


def _next_code_number() -> int:
    from miaopu.apps.cadres.models import Cadre

    last = (
        Cadre.objects.filter(code__regex=rf"^{CODE_PREFIX}[0-9]{{8}}$")
        .order_by("-code")
        .values_list("code", flat=True)
        .first()
    )
    return int(last[len(CODE_PREFIX) :]) + 1 if last else 1


def _write_cadres(
    builder: CityBuilder, slots: list[tuple[UnitSpec, PostSpec]], progress: ProgressFn | None
) -> tuple[list[Person], int]:
    from miaopu.apps.cadres.models import Cadre, Experience

    builder.used_ids.update(Cadre.objects.exclude(id_number=None).values_list("id_number", flat=True))
    first = _next_code_number()
    people: list[Person] = []
    experiences = 0
    total = len(slots)
    for offset in range(0, total, BATCH):
        chunk = slots[offset : offset + BATCH]
        rows, histories = [], []
        for i, (unit, post) in enumerate(chunk, start=offset):
            fields, segs, person = builder.cadre(unit, post, f"{CODE_PREFIX}{first + i:08d}")
            # Derived column (cadres.derived): bulk_create skips Experience.save(), so it is set here.
            rural = min((s.start for s in segs if s.unit is not None and s.unit.level in RURAL_LEVELS), default=None)
            rows.append(Cadre(unit_id=unit.pk, post_id=post.pk, first_rural_start=rural, **fields))
            histories.append(segs)
            people.append(person)
        Cadre.objects.bulk_create(rows, batch_size=BATCH)
        entries = []
        for obj, segs, person in zip(rows, histories, people[offset:], strict=True):
            person.pk = obj.pk
            for s in segs:
                entries.append(
                    Experience(
                        cadre_id=obj.pk,
                        start=s.start,
                        end=s.end,
                        unit_id=s.unit.pk if s.unit else None,
                        unit_name=s.unit_name,
                        post_title=s.title,
                        kind=s.kind,
                        note=s.note,
                    )
                )
        Experience.objects.bulk_create(entries, batch_size=BATCH)
        experiences += len(entries)
        reset_queries()  # with DEBUG on, Django would keep every INSERT's text in memory
        if progress:
            progress(min(offset + BATCH, total), total)
    return people, experiences


def _write_mentors(builder: CityBuilder, people: list[Person]) -> tuple[int, int, int | None, int | None]:
    """Pair young recruits with mentors (seeds 001/003): a leader of their unit (or, in a small city, of a unit
    nearby) as business/political mentor, and the village party secretary as mass-work mentor for 选调生 still
    in their village. About three dozen pairs, at most 3 per mentor (the pairing capacity); the first mentor
    becomes the demo mentor account.

    Returns (mentors, mentorships, the demo mentor's id, the demo cadre's id).
    """
    from miaopu.apps.mentoring.models import Mentor, Mentorship

    rng = builder.rng
    today = builder.today
    young = [p for p in people if p.tier == STAFF and p.unit.role != "village" and (today - p.birth).days < 35 * 365]
    young.sort(key=lambda p: (p.work_start, p.pk), reverse=True)  # newest recruits first
    by_unit: dict[int, list[Person]] = {}
    for p in young:
        by_unit.setdefault(p.unit.idx, []).append(p)
    leaders = [p for p in people if p.tier in (SEC, DEP_DIV, DIV) and p.unit.role in ("organ", "town", "county_organ")]
    leaders.sort(key=lambda p: (-len(by_unit.get(p.unit.idx, ())), -LADDER.index(p.tier), p.pk))
    mentors: list[Mentor] = []
    pairs: list[tuple[Mentor, Person, str]] = []
    taken: set[int] = set()
    used_units: set[int] = set()
    for leader in leaders:
        if len(mentors) == 8 or len(pairs) >= 40:
            break
        if leader.unit.idx in used_units:
            continue
        used_units.add(leader.unit.idx)
        # At most 3 mentees per mentor and role: the default pairing capacity (mentoring.PairingPolicy).
        mentees = [p for p in by_unit.get(leader.unit.idx, []) if p.pk not in taken][:MENTOR_CAPACITY]
        if len(mentees) < MENTOR_CAPACITY:  # a small unit: add recruits from the same district (or municipal organs)
            near = [
                p
                for p in young
                if p.pk not in taken
                and p not in mentees
                and p.unit.role != "village"
                and (p.unit.district is leader.unit.district)
            ]
            mentees += near[: MENTOR_CAPACITY - len(mentees)]
        if not mentees:
            continue
        mentor = Mentor(cadre_id=leader.pk, name=leader.name, unit_name=leader.unit.name, title=leader.post_title)
        mentors.append(mentor)
        role = "political" if leader.unit.role == "town" else "business"
        for p in mentees:
            pairs.append((mentor, p, role))
            taken.add(p.pk)
    # 群众工作导师: the village party secretary of each 选调生 still at a village (seed 003).
    for p in [p for p in people if p.unit.role == "village"][:12]:
        secretary = builder._name(rng.random() < 0.8)
        title = "村党支部书记" if p.unit.name.endswith("村") else "社区党委书记"
        mentor = Mentor(name=secretary, unit_name=p.unit.name, title=title)
        mentors.append(mentor)
        pairs.append((mentor, p, "mass_work"))
    Mentor.objects.bulk_create(mentors)
    ships = [
        Mentorship(mentee_id=p.pk, mentor=m, role=role, start=max(p.work_start, today - dt.timedelta(days=700)))
        for m, p, role in pairs
    ]
    Mentorship.objects.bulk_create(ships)
    demo_mentor = next((m for m in mentors if sum(1 for mm, _p, _r in pairs if mm is m) >= 3), None)
    demo_cadre = next((p.pk for m, p, _r in pairs if m is demo_mentor), None)
    return len(mentors), len(ships), demo_mentor.pk if demo_mentor else None, demo_cadre


def _write_accounts(
    builder: CityBuilder, people: list[Person], mentor_pk: int | None, cadre_pk: int | None
) -> list[tuple[str, str, str, str]]:
    from miaopu.apps.core.choices import Role
    from miaopu.apps.core.models import User
    from miaopu.apps.mentoring.models import Mentor, Mentorship

    district = builder.districts[0]
    counts: dict[int, int] = {}
    for p in people:
        if p.unit.role == "town" and p.unit.district is district:
            counts[p.unit.idx] = counts.get(p.unit.idx, 0) + 1
    towns = builder.towns[district.idx]
    town = max(towns, key=lambda t: (counts.get(t.idx, 0), -t.idx))
    if cadre_pk is None and people:
        cadre_pk = min(people, key=lambda p: (p.birth < builder.today - dt.timedelta(days=35 * 365), p.pk)).pk
    scopes = {"orgdept": builder.root, f"orgdept_{_PINYIN[district.name]}": district, "officer": town}
    labels = dict(Role.choices)
    password = make_password(DEMO_PASSWORD)
    rows = []
    for username, role, display in _account_plan():
        scope = scopes.get(username)
        user = User.objects.filter(username=username).first() or User(username=username)
        user.role = role
        user.first_name = f"演示·{display}" if username not in ("officer",) else f"演示·{town.name}人事专员"
        user.last_name = ""
        user.scope_unit_id = scope.pk if scope else None
        user.cadre_id = cadre_pk if role == Role.CADRE else None
        user.is_active = True
        user.password = password
        user.save()
        if role == Role.MENTOR and mentor_pk is not None:
            Mentor.objects.filter(pk=mentor_pk).update(user=user)
        if role == Role.MENTOR:
            where = f"帮带对象 {Mentorship.objects.filter(mentor_id=mentor_pk, is_active=True).count()} 名"
        elif role == Role.CADRE:
            where = next((f"本人：{p.name}（{p.unit.name}）" for p in people if p.pk == cadre_pk), "—")
        else:
            where = scope.name if scope else "—"
        rows.append((username, str(labels[role]), where, DEMO_PASSWORD))
    return rows


def existing_accounts() -> list[tuple[str, str, str, str]]:
    """The demo accounts still present (for ``make run`` on an existing database); changed passwords are not shown."""
    from miaopu.apps.core.choices import Role
    from miaopu.apps.core.models import User

    labels = dict(Role.choices)
    usernames = [username for username, _role, _display in _account_plan()]
    users = {u.username: u for u in User.objects.filter(username__in=usernames).select_related("scope_unit", "cadre")}
    rows = []
    for username in usernames:
        user = users.get(username)
        if user is None or not user.is_active:
            continue
        if user.cadre_id:
            where = f"本人：{user.cadre.name}"
        else:
            where = user.scope_unit.name if user.scope_unit_id else "—"
        password = DEMO_PASSWORD if user.check_password(DEMO_PASSWORD) else "（已修改）"
        rows.append((username, str(labels.get(user.role, user.role)), where, password))
    return rows


def generate(
    *,
    cadres: int = DEFAULT_CADRES,
    seed: int = DEFAULT_SEED,
    today: dt.date | None = None,
    replace: bool = False,
    progress: ProgressFn | None = None,
    history: bool = False,
) -> DemoResult:
    """Build the demo city in one transaction and record one audit event; see the module docstring."""
    import time

    from miaopu.apps.core.audit import Actor, record
    from miaopu.apps.core.choices import AuditAction, AuditCategory

    if not 1 <= cadres <= MAX_CADRES:
        raise ValueError(f"干部人数应在 1 到 {MAX_CADRES} 之间，收到 {cadres}")
    began = time.monotonic()
    today = today or dt.date.today()
    builder = CityBuilder(seed, today)
    builder.build_units()
    slots = builder.plan_slots(cadres)
    with transaction.atomic():
        replaced = wipe() if replace else None
        _write_units(builder)
        posts = _write_posts(builder)
        people, experiences = _write_cadres(builder, slots, progress)
        mentors, mentorships, mentor_pk, cadre_pk = _write_mentors(builder, people)
        accounts = _write_accounts(builder, people, mentor_pk, cadre_pk)
        files: dict[str, int] = {}
        if history:  # a few years of assessments, growth-file entries and pool entries
            from miaopu.apps.growth import demo as growth_demo

            files = growth_demo.populate(seed=seed, today=today, audit=False)
            from miaopu.apps.programmes import demo as programmes_demo  # running 墩苗 intakes

            files.update(programmes_demo.populate(seed=seed, today=today))
            from django.apps import apps

            if apps.is_installed("miaopu.apps.fieldwork"):  # practice bases, ledger, care contacts
                from miaopu.apps.fieldwork import demo as fieldwork_demo

                files.update(fieldwork_demo.populate(seed=seed, today=today))
            from miaopu.apps.training import demo as training_demo

            files |= {f"training_{k}": v for k, v in training_demo.populate(seed=seed, today=today).items()}
        counts = {
            "units": len(builder.units),
            "municipal_organs": len(builder.organs),
            "districts": len(builder.districts),
            "towns": sum(len(v) for v in builder.towns.values()),
            "villages": sum(len(v) for v in builder.villages.values()),
            "posts": posts,
            "cadres": len(people),
            "experiences": experiences,
            "mentors": mentors,
            "mentorships": mentorships,
            "accounts": len(accounts),
            **{f"growth_{k}": v for k, v in files.items()},
        }
        detail = {"seed": seed, "counts": counts, "city": CITY_NAME}
        if replaced is not None:
            detail["replaced"] = replaced
        record(
            Actor.cli(),
            category=AuditCategory.CHANGE,
            action=AuditAction.GENERATE,
            obj="demo",
            object_repr=f"演示数据：{CITY_NAME}（{len(people)} 名干部）",
            detail=detail,
        )
    analyze_tables()
    return DemoResult(counts=counts, accounts=accounts, seed=seed, seconds=time.monotonic() - began)


def analyze_tables() -> None:
    """Refresh the planner statistics after a bulk load.

    Without them SQLite plans the roster (``ORDER BY unit.path, id LIMIT 50``) as "scan every active cadre,
    then sort" (1.2 s at 200,000 cadres) instead of walking the unit index (4 ms). On PostgreSQL a VACUUM
    also sets the visibility map, which halves the roster's COUNT(*) (index-only scans stop reading the
    heap); VACUUM cannot run inside a transaction, so within one (tests) only ANALYZE runs.
    """
    from django.db import connection

    from miaopu.apps.cadres.models import Cadre, Experience
    from miaopu.apps.mentoring.models import Mentor, Mentorship
    from miaopu.apps.units.models import Post, Unit

    tables = [m._meta.db_table for m in (Unit, Post, Cadre, Experience, Mentor, Mentorship)]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("ANALYZE")
        elif connection.vendor == "postgresql":
            verb = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
            cursor.execute(f"{verb} " + ", ".join(connection.ops.quote_name(t) for t in tables))
