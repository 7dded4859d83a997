/*
 * generate_text.c — the complaint text (`content`) of generated orders
 * (SPEC §10), deterministic by seed from its own random stream
 * (GEN_STREAM_TEXT), so no other column changes.
 *
 * A complaint is assembled from pieces: an opening (来电反映 / 我要投诉 …), a
 * place (the community's name, a building, a spot), a time (昨晚 / 最近一周 …),
 * one of the category's problem sentences, sometimes a second detail, a
 * request, and for some callers a vented sentence (推诿, 不作为, 愤怒 …;
 * more often when the order was not resolved).  Planted events leave their
 * words: orders of the e-bike surge talk about 飞线充电 and 楼道充电, orders of
 * storm-driven categories during the storm about 积水 and 停电 (recorded in
 * `planted`.details.words by generate_planted.c).
 */
#include "postgres.h"

#include "generate.h"

typedef struct GenTextCat
{
	const char *code;
	const char *problems[4];
} GenTextCat;

/* problem sentences per category (NULL-terminated lists of up to 4) */
static const GenTextCat gen_text_cats[] = {
	{"water_supply", {"家里自来水水压太低，高层基本没水", "自来水发黄有异味，不敢饮用", "小区突然停水，没有任何通知", "楼下水管爆裂，水流了一地"}},
	{"power_supply", {"小区频繁跳闸，电压不稳", "楼道灯和电梯经常断电", "电表计数异常，电费突然翻倍", NULL}},
	{"gas_supply", {"楼道里有燃气泄漏的味道", "燃气表坏了，一直无法充值", "燃气公司上门安检收费不合理", NULL}},
	{"heating", {"暖气不热，室内温度只有十几度", "供暖管道漏水，地板都泡了", "已经交了取暖费，暖气还是冰凉", NULL}},
	{"drainage", {"下水道堵塞，污水往外冒", "雨水井盖缺失，存在安全隐患", "排水管道破损，污水渗到地下室", NULL}},
	{"garbage", {"垃圾桶满了好几天没人清运", "垃圾站臭气熏天，蚊蝇很多", "有人乱倒建筑垃圾", "垃圾分类设施损坏"}},
	{"food_safety", {"在餐馆吃饭后上吐下泻，怀疑食物中毒", "超市出售过期食品", "路边摊卫生条件很差", NULL}},
	{"medical_service", {"医院挂号难，排队好几个小时", "社区卫生服务中心态度差", "医保报销流程太复杂", NULL}},
	{"public_order", {"小区里经常有陌生人徘徊", "夜里有人聚众喝酒吵闹", "小区门禁坏了，外来人员随意进出", NULL}},
	{"fire_safety", {"消防通道被杂物堵塞", "楼道里的灭火器过期了", "商铺私拉电线，有火灾隐患", NULL}},
	{"ebike_charging", {"小区充电桩太少，排队充电", "充电桩坏了很久没人修", "电动车乱停放，堵住了消防通道", "充电桩收费太贵"}},
	{"property_management", {"物业服务差，收费却越来越高", "电梯经常故障，物业不及时维修", "物业不公开公共收益账目", "小区绿化没人打理"}},
	{"housing_repair", {"屋顶漏雨，墙皮大面积脱落", "外墙瓷砖松动，随时可能掉落", "老楼水管老化，经常漏水", NULL}},
	{"traffic_order", {"路口红绿灯故障，交通混乱", "早晚高峰拥堵严重，没有交警疏导", "大货车在居民区里超速行驶", NULL}},
	{"parking", {"小区停车位严重不足", "有人长期占用消防通道停车", "路边违章停车，车辆无法通行", NULL}},
	{"public_transit", {"公交车班次太少，等车要半小时", "公交站台的顶棚坏了", "地铁站出口电梯长期停用", NULL}},
	{"road_maintenance", {"路面坑洼不平，已经有人摔倒", "井盖松动，车辆经过响声很大", "人行道地砖破损", "路灯不亮，晚上出行不安全"}},
	{"illegal_construction", {"楼顶有人私搭乱建", "一楼住户违规扩建院子", "有人占用公共绿地建房", NULL}},
	{"street_vending", {"路边占道经营，堵塞交通", "夜市摊贩油烟很大", "流动摊贩堵在小区门口", NULL}},
	{"social_insurance", {"社保转移手续办不下来", "养老金发放延迟", "医保卡无法正常使用", NULL}},
	{"school_enrollment", {"孩子入学资格审核有问题", "学区划分不合理", "入学材料要求太多，来回跑了好几趟", NULL}},
	{"education_fees", {"学校乱收费，另收资料费", "培训机构退费难", "幼儿园收费不合理", NULL}},
	{"job_seeking", {"招聘信息虚假", "职业培训补贴申请不下来", "失业登记办理困难", NULL}},
	{"wage_arrears", {"公司拖欠工资三个月", "包工头拖欠农民工工资", "离职后公司不结算工资", NULL}},
	{"air_pollution", {"工厂排放刺鼻气体", "工地扬尘很大，没有洒水", "有人露天焚烧垃圾", NULL}},
	{"water_pollution", {"河道里有人排放污水", "河水发黑发臭", "小区景观水池水质很差", NULL}},
	{"noise", {"楼下烧烤店营业到凌晨，噪音扰民", "工地夜间施工噪音很大", "广场舞音响声音太大", "楼上装修每天一早就开始"}},
	{"consumer_rights", {"商家拒绝退款", "网购商品质量有问题，商家不处理", "健身房老板跑路，会员卡无法退费", NULL}},
	{"real_estate", {"开发商延期交房", "新房质量问题很多", "房产证迟迟办不下来", NULL}},
	{"elderly_care", {"养老院服务质量差", "高龄补贴没有按时发放", "社区养老服务站经常关门", NULL}},
	{"government_service", {"办事大厅窗口太少，排队太久", "网上办事系统经常出错", "办事材料要求反复变化", NULL}},
	{"greening", {"小区树木长得太高挡住采光", "绿化带被人毁坏种菜", "公园草坪长期没人修剪", NULL}},
	{"culture_events", {"社区文化活动太少", "图书馆开放时间太短", "文化中心场地被长期占用", NULL}},
	{"leisure", {"公园设施老化", "休闲广场晚上没有照明", "儿童游乐设施损坏", NULL}},
	{"fitness", {"健身器材损坏没人维修", "体育场馆不对外开放", "篮球场被改成停车场", NULL}},
	{"tourism", {"景区门票价格太高", "景区厕所太少", "导游强制购物", NULL}},
	{"pets", {"有人遛狗不牵绳", "小区里流浪猫狗太多", "狗粪没人清理", "邻居养狗整夜狂叫"}},
};

/* every sentence of the surge says 飞线充电 or 楼道充电, most say both */
static const char *const gen_text_surge[] = {
	"楼道里有人飞线充电，还有好几辆电动车在楼道充电",
	"有人从楼上飞线充电，楼道充电的电动车也越来越多",
	"邻居天天飞线充电，电线横穿人行道",
	"好几户在楼道充电，晚上都不拔",
	"楼道充电、飞线充电问题严重，担心起火",
	"一楼住户飞线充电，楼道充电也没人管，太危险了"
};
static const char *const gen_text_storm_drain[] = {
	"暴雨后小区积水严重，水深没过膝盖",
	"路口积水排不出去，车辆无法通行",
	"地下车库积水，好多车被泡了",
	"暴雨后积水倒灌进一楼住户家里"
};
static const char *const gen_text_storm_power[] = {
	"暴雨导致小区停电，已经十几个小时了",
	"雷雨过后整栋楼停电，冰箱里的东西都坏了",
	"积水泡了配电箱，小区大面积停电",
	"停电导致电梯停运，老人下不了楼"
};
static const char *const gen_text_open[] = {
	"您好，", "我要投诉，", "市民来电反映：", "我想反映一个问题，", "请问，", "", "", "你好，我是这里的居民，"
};
static const char *const gen_text_spot[] = {
	"", "小区门口", "号楼楼下", "号楼单元门口", "附近路口", "小区里", "楼道里", "地下车库"
};
static const char *const gen_text_time[] = {
	"最近", "昨晚", "今天早上", "这一周", "连续好几天", "每天晚上", "这两个月", "从上周开始"
};
static const char *const gen_text_request[] = {
	"希望尽快处理。", "请相关部门尽快解决！", "麻烦派人来看看。", "希望给个答复。", "请尽快安排维修。",
	"谢谢！", "希望能彻底解决。", ""
};
static const char *const gen_text_vent[] = {
	"已经打了好几次电话，一直没人管，太不负责任了！",
	"物业推诿扯皮，根本不作为。",
	"反映了一个多月还是拖延不办，非常愤怒！",
	"相关部门互相推诿，让人很失望。",
	"上次的处理结果很不满意，问题根本没有解决。"
};

#define PICK(rng, arr)	((arr)[(int) (RngUnif(rng) * lengthof(arr))])

/* the category's problem sentences, by code */
static const GenTextCat *
TextCategory(int cat)
{
	const char *code = gen_categories[cat].code;

	for (int i = 0; i < (int) lengthof(gen_text_cats); i++)
		if (strcmp(gen_text_cats[i].code, code) == 0)
			return &gen_text_cats[i];
	return NULL;
}

static const char *
PickProblem(GenRng *rng, const GenTextCat *tc)
{
	int			n = 0;

	while (n < 4 && tc->problems[n] != NULL)
		n++;
	return tc->problems[(int) (RngUnif(rng) * n)];
}

/* is the row one of the planted e-bike surge's? */
static bool
IsSurgeRow(const GenCity *city, const GenOrder *o)
{
	return o->slot >= city->start_surge && o->slot < city->start_surge + city->n_surge;
}

/*
 * The complaint text of an order, into o->content (NUL-terminated).
 */
void
gen_text_order(const GenCity *city, uint64 seed, GenOrder *o)
{
	GenRng		rng;
	StringInfoData s;
	const GenTextCat *tc = TextCategory(o->cat);
	const char *code = gen_categories[o->cat].code;
	const char *problem;
	const char *spot;
	bool		storm = !city->calm && o->day >= GEN_STORM_DAY && o->day <= GEN_STORM_END + 2;

	RngInit(&rng, seed, (uint64) o->row, GEN_STREAM_TEXT);
	initStringInfo(&s);

	if (IsSurgeRow(city, o))
		problem = PICK(&rng, gen_text_surge);
	else if (storm && strcmp(code, "drainage") == 0 && RngUnif(&rng) < 0.85)
		problem = PICK(&rng, gen_text_storm_drain);
	else if (storm && strcmp(code, "power_supply") == 0 && RngUnif(&rng) < 0.85)
		problem = PICK(&rng, gen_text_storm_power);
	else if (storm && gen_categories[o->cat].storm > 0 && RngUnif(&rng) < 0.5)
		problem = RngUnif(&rng) < 0.5 ? PICK(&rng, gen_text_storm_drain) : PICK(&rng, gen_text_storm_power);
	else if (tc != NULL)
		problem = PickProblem(&rng, tc);
	else
		problem = "遇到了一些问题";

	appendStringInfoString(&s, PICK(&rng, gen_text_open));
	/* place: the community's Chinese name, then a spot */
	{
		char		name[64];

		GenCommunityNameZh(o->comm, name, sizeof(name));
		appendStringInfoString(&s, name);
	}
	spot = PICK(&rng, gen_text_spot);
	if (strncmp(spot, "号楼", strlen("号楼")) == 0)
		appendStringInfo(&s, "%d%s", 1 + (int) (RngUnif(&rng) * 30), spot);
	else
		appendStringInfoString(&s, spot);
	appendStringInfoString(&s, "，");
	appendStringInfoString(&s, PICK(&rng, gen_text_time));
	appendStringInfoString(&s, problem);
	appendStringInfoString(&s, "。");
	if (tc != NULL && RngUnif(&rng) < 0.25)
	{
		appendStringInfoString(&s, "另外，");
		appendStringInfoString(&s, PickProblem(&rng, tc));
		appendStringInfoString(&s, "。");
	}
	if (RngUnif(&rng) < (o->resolved ? 0.08 : 0.30))
		appendStringInfoString(&s, PICK(&rng, gen_text_vent));
	appendStringInfoString(&s, PICK(&rng, gen_text_request));

	strlcpy(o->content, s.data, sizeof(o->content));
	pfree(s.data);
}
