#!/usr/bin/python3
"""Reference segmentations for minqing.zh_segment (test/pgtap/text.sql).

Builds a corpus of hand-written hotline sentences and generated sentences
(dictionary words, random ideographs, traditional characters, Latin letters,
digits, ASCII and full-width punctuation, full-width forms, emoji, other
scripts, every kind of whitespace) and segments each with Debian's
python3-jieba 0.42.1: jieba.lcut(s, HMM=False).

Output, test/reference/text_segment_corpus.tsv (COPY text format):
  sentence <TAB> token lengths (code points) with the default dictionary
           <TAB> token lengths with minqing's shipped user words plus the
                 test words below (empty when identical)
Tokens always concatenate to the sentence, so the lengths determine them.

User words are added as minqing does: jieba.add_word in code-point order of
the word, with the dictionary total reset after each (minqing leaves the
total unchanged).  Run from the repository root:
  /usr/bin/python3 test/reference/text_segment.py
"""
import random
import re
import jieba

jieba.setLogLevel(60)
rng = random.Random(20261202)

HAND = """12345热线您好，我要投诉小区楼道里有人飞线充电，太危险了！
电动自行车在楼道充电，物业不管不问，已经打了3次电话。
暴雨后小区门口积水严重，水深约30cm，车辆无法通行。
昨晚10点到今天早上6点一直停电，冰箱里的东西都坏了。
楼下烧烤店油烟扰民，每天营业到凌晨2:00，严重影响休息。
工地夜间施工噪音很大，23:30还在打桩，投诉多次无人处理。
我对处理结果非常满意，感谢工作人员及时回复！
物业推诿扯皮，报修一个月了还没人来修，太不作为了。
小区电梯经常故障，上周困人两次，请尽快派人检修。
路灯不亮已经两周，晚上出行很不安全，希望尽快维修。
幼儿园收费不合理，一学期收了8000元，还另收资料费。
公司拖欠工资3个月，共计￥15,000元，老板联系不上。
我家自来水发黄有异味，PH值检测不合格，请相关部门处理。
地铁2号线早高峰太挤，建议增加班次。
有人在绿化带里乱停车，占用消防通道，消防车进不来。
餐馆卫生差，吃完后上吐下泻，怀疑食物中毒。
噪音扰民问题反映了N次，街道办说已转交城管。
请问新生入学需要准备哪些材料？户口本、房产证都要吗？
医保报销比例是多少？门诊能报吗？
小区垃圾清运不及时，垃圾桶满了好几天，臭气熏天。
The street light on Heping Road has been broken since 2024-05-01.
WiFi信号差，5G基站建设进度如何？
电话：010-12345678，邮箱abc_def@example.com，网址https://www.example.gov.cn/
温度高达38.5℃，空调外机滴水到楼下阳台。
价格上涨了12.5%，比去年同期高出1/3。
C++和C#哪个好？AT&T的信号怎么样？
我在iPhone12上用APP提交了工单，编号A20240315-0001。
这个问题已经反映了 3 次 ，   还是没有解决 。
電動車在樓道裡飛線充電，物業不管，太危險了！
臺北市政府處理積水問題的效率很高。
ＡＢＣ１２３，全角字母和数字：ｈｅｌｌｏ　ｗｏｒｌｄ。
😀😀 服务态度很好👍，点赞！🔥🔥
👨‍👩‍👧 一家三口被困电梯里了😱
第一行\r\n第二行\n第三行\r第四行\t制表符
中华人民共和国成立于1949年10月1日。
南京市长江大桥欢迎您
结婚的和尚未结婚的都要登记
他说的确实在理，研究生命的起源
乒乓球拍卖完了，门把手弄坏了
工信处女干事每月经过下属科室都要亲口交代24口交换机等技术性器件的安装工作
我来到北京清华大学
小明硕士毕业于中国科学院计算所，后在日本京都大学深造
永和服装饰品有限公司
α、β、γ射线；Москва；こんにちは；안녕하세요
mixedCASE单词和under_score以及dot.name还有a-b-c和100%
#话题# @某某 &amp; 50% off!!! ...
——……～·「」『』〔〕【】《》〈〉
e\u0301t\u00e9 caf\u00e9 na\u00efve
ＡＴ＆Ｔ　Ｃ＋＋
1234567890abcdefghijklmnopqrstuvwxyz
一二三四五六七八九十百千万亿
请于2025年1月1日前到12345政务服务便民热线办理。
市民反映：XX路与YY街交叉口红绿灯故障，早晚高峰拥堵。
小区里有人遛狗不牵绳，还不清理狗粪，多次沟通无果。
希望相关部门尽快处理，谢谢！！！
""".replace("\\r", "\r").replace("\\n", "\n").replace("\\t", "\t")
HAND = [s.encode().decode("unicode_escape").encode("latin-1").decode("utf-8")
        if "\\u" in s else s for s in HAND.split("\n") if s]

# dictionary words for the generator
words = []
with open("/usr/lib/python3/dist-packages/jieba/dict.txt", encoding="utf-8") as f:
    for line in f:
        words.append(line.split(" ")[0])
common = [w for w in words if re.fullmatch("[\u4e00-\u9fd5]{1,4}", w)]

TRAD = list("電動車樓飛線積停處理訴愛國門開關體學習辦網絡號碼們這裡麼為從東氣長發會過來時還說")
PUNCT_ASCII = list("!\"'(),/:;<=>?@[\\]^`{|}~*$") + ["+", "#", "&", ".", "_", "%", "-"]
PUNCT_FULL = list("，。！？、；：“”‘’（）【】《》…—～·「」％＋－＃＆．＿")
SPACES = [" ", " ", " ", "\t", "\n", "\r\n", "\r", "\u3000", "\xa0", "\u2003", "\x0b", "\x0c",
          "\x1c", "\u2028", "\u200b", "\u200d", "\x85"]
EMOJI = ["😀", "🔥", "👍", "👍🏻", "😱", "❤️", "🙏", "👨‍👩‍👧", "🇨🇳", "✅", "⚠️", "☎"]
OTHER = list("αβγδΩЖжяあいうアイウ한국어ÀéüßØ٣٤") + ["\u0301", "\u0300"]
FULLWIDTH = [chr(c) for c in range(0xFF10, 0xFF1A)] + [chr(c) for c in range(0xFF21, 0xFF3B)] + \
    [chr(c) for c in range(0xFF41, 0xFF5B)]
LATIN = ["WiFi", "APP", "iPhone", "5G", "PM2.5", "3D", "A4", "USB", "ok", "OK", "x", "Y",
         "c++", "C#", "AT&T", "B超", "T恤", "K线", "卡拉OK", "12345", "110", "3.14", "2024-05-01",
         "50%", "a_b", "x.y", "v1.2.3", "1e-5", "+86", "#1", "Q&A", "e-mail", "COVID-19"]


def piece():
    r = rng.random()
    if r < 0.45:
        return rng.choice(common)
    if r < 0.50:
        return chr(rng.randint(0x4E00, 0x9FD5))
    if r < 0.52:
        return chr(rng.choice([rng.randint(0x9FD6, 0x9FFF), rng.randint(0x3400, 0x4DBF),
                               rng.randint(0x20000, 0x2A6DF), rng.randint(0xF900, 0xFAFF)]))
    if r < 0.56:
        return "".join(rng.choice(TRAD) for _ in range(rng.randint(1, 4)))
    if r < 0.63:
        return rng.choice(LATIN)
    if r < 0.67:
        return "".join(rng.choice("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
                       for _ in range(rng.randint(1, 6)))
    if r < 0.70:
        return str(rng.randint(0, 10 ** rng.randint(1, 8)))
    if r < 0.79:
        return rng.choice(PUNCT_FULL)
    if r < 0.84:
        return rng.choice(PUNCT_ASCII)
    if r < 0.90:
        return rng.choice(SPACES)
    if r < 0.93:
        return rng.choice(EMOJI)
    if r < 0.96:
        return rng.choice(OTHER)
    return "".join(rng.choice(FULLWIDTH) for _ in range(rng.randint(1, 4)))


def sentence():
    return "".join(piece() for _ in range(rng.randint(1, 24)))


corpus = list(HAND)
seen = set(corpus)
while len(corpus) < 2400:
    s = sentence()
    if s not in seen and "\x00" not in s:
        seen.add(s)
        corpus.append(s)


def lens(s):
    toks = jieba.lcut(s, HMM=False)
    assert "".join(toks) == s, s
    return ",".join(str(len(t)) for t in toks)


base = [lens(s) for s in corpus]

# user words: shipped list (install/83-text.sql) plus the test words that
# test/pgtap/text.sql inserts (keep both lists in sync)
sql = open("install/83-text.sql", encoding="utf-8").read()
block = sql.split("-- zh_userdict words BEGIN")[1].split("-- zh_userdict words END")[0]
shipped = {w: None for w in re.findall(r"'([^']+)'", block.split("ARRAY[")[1])}
TEST_WORDS = {"明清市": None, "翠湖苑": 5, "中华人民共和国": 0, "和平路街道": None,
              "Wi": 1000, "楼道里": None, "太危险": 3000}
user = dict(shipped)
user.update(TEST_WORDS)
total = jieba.dt.total if jieba.dt.initialized else None
jieba.initialize()
total = jieba.dt.total
for w in sorted(user):
    jieba.add_word(w, user[w])
    jieba.dt.total = total
withuser = [lens(s) for s in corpus]


def esc(s):
    return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


with open("test/reference/text_segment_corpus.tsv", "w", encoding="utf-8", newline="\n") as out:
    for s, a, b in zip(corpus, base, withuser):
        out.write("%s\t%s\t%s\n" % (esc(s), a, "" if a == b else b))
print(len(corpus), "sentences,", sum(a != b for a, b in zip(base, withuser)), "differ with user words")
