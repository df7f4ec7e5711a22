"""Each rule of the catalogue: a positive clause and a near miss that must not be flagged.

Runs on the in-memory FakeLibrary (no ../shared): superior articles that the near misses cite or
restate are built by hand with the wording of the real provisions.
"""

from __future__ import annotations

import datetime as dt

import pytest

from legalkb.review.rules import RuleError, load_rules, parse_rule
from legalkb.review.testing import FakeLibrary, categories, make_law, review_clauses

NOISE = make_law("中华人民共和国噪声污染防治法", {82: "违反本法规定，有下列行为之一，由地方人民政府指定的部门说服教育，责令改正；拒不改正的，给予警告，对个人可以处二百元以上一千元以下的罚款，对单位可以处二千元以上二万元以下的罚款：", 70: "对噪声敏感建筑物集中区域的社会生活噪声扰民行为，基层群众性自治组织、业主委员会、物业服务人应当及时劝阻、调解。"})
CITY = make_law("城市市容和环境卫生管理条例", {17: "单位和个人在城市建筑物、设施上张挂、张贴宣传品等，须经城市人民政府市容环境卫生行政主管部门或者其他有关部门批准。"}, level="行政法规")
PROC = make_law("中华人民共和国政府采购法实施条例", {48: "采购文件要求中标或者成交供应商提交履约保证金的，供应商应当以支票、汇票、本票或者金融机构、担保机构出具的保函等非现金形式提交。履约保证金的数额不得超过政府采购合同金额的10%。"}, level="行政法规")
SOLID = make_law("中华人民共和国固体废物污染环境防治法", {
    58: ["县级以上地方人民政府应当按照产生者付费原则，建立生活垃圾处理收费制度。",
         "县级以上地方人民政府制定生活垃圾处理收费标准，应当根据本地实际，结合生活垃圾分类情况，体现分类计价、计量收费等差别化管理，并充分征求公众意见。生活垃圾处理收费标准应当向社会公布。"],
    111: ["违反本法规定，有下列行为之一，由县级以上地方人民政府环境卫生主管部门责令改正，处以罚款，没收违法所得：",
          "（一）随意倾倒、抛撒、堆放或者焚烧生活垃圾的；", "（七）在运输过程中沿途丢弃、遗撒生活垃圾的。",
          "单位有前款第一项、第七项行为之一，处五万元以上五十万元以下的罚款；个人有前款第一项、第五项、第七项行为之一，处一百元以上五百元以下的罚款。"]})
SCHOOL = make_law("中华人民共和国民办教育促进法", {
    12: "举办实施学历教育、学前教育、自学考试助学及其他文化教育的民办学校，由县级以上人民政府教育行政部门按照国家规定的权限审批。",
    18: ["审批机关对批准正式设立的民办学校发给办学许可证。", "审批机关对不批准正式设立的，应当说明理由。"]})
ROAD = make_law("中华人民共和国道路交通安全法", {
    89: "行人、乘车人、非机动车驾驶人违反道路交通安全法律、法规关于道路通行规定的，处警告或者五元以上五十元以下罚款；非机动车驾驶人拒绝接受罚款处罚的，可以扣留其非机动车。"})
GOV = make_law("中华人民共和国政府采购法", {
    52: "供应商认为采购文件、采购过程和中标、成交结果使自己的权益受到损害的，可以在知道或者应知其权益受到损害之日起七个工作日内，以书面形式向采购人提出质疑。",
    77: ["供应商有下列情形之一的，处以采购金额千分之五以上千分之十以下的罚款，列入不良行为记录名单，在一至三年内禁止参加政府采购活动，有违法所得的，并处没收违法所得：",
         "（一）提供虚假材料谋取中标、成交的；", "（二）采取不正当手段诋毁、排挤其他供应商的。"]})
PENALTY = make_law("中华人民共和国行政处罚法", {64: [
    "听证应当依照以下程序组织：", "（一）当事人要求听证的，应当在行政机关告知后五日内提出；",
    "（二）行政机关应当在举行听证的七日前，通知当事人及有关人员听证的时间、地点。"]})
# A 设区的市's regulation: superior to a district's draft that cites the city's regulations.
LINYI = make_law("临沂市文明行为促进条例", {56: [
    "违反本条例规定，在城市、县城、镇规划区内，有下列情形之一的，按照下列规定处理：",
    "（三）携犬出户不束犬链或者不由成年人牵领的，由公安机关责令改正，可以处五十元以上二百元以下罚款；",
    "（四）携犬出户不及时清除犬粪的，由城市管理主管部门责令改正，可以处五十元以上二百元以下罚款。"]},
    level="地方性法规")
SCHOOL_REG = make_law("中华人民共和国民办教育促进法实施条例", {62: [
    "民办学校举办者及实际控制人、决策机构或者监督机构组成人员有下列情形之一的，由县级以上人民政府教育行政部门、人力资源社会保障行政部门或者其他有关部门依据职责分工责令限期改正，有违法所得的，退还所收费用后没收违法所得；情节严重的，1至5年内不得新成为民办学校举办者或实际控制人、决策机构或者监督机构组成人员；",
    "（一）利用办学非法集资，或者收取与入学关联的费用的；", "（二）未按时、足额履行出资义务，或者抽逃出资、挪用办学经费的；"]},
    level="行政法规")
JINING = make_law("济宁市城镇容貌和环境卫生管理条例", {41: [
    "任何单位和个人不得擅自在道路两侧、过街天桥、公园、广场等公共场所涂写、刻画广告或者张贴、散发印刷品广告。",
    "违反前款规定的，对具体行为实施者处以五十元以上二百元以下的罚款；对广告发布者没收非法财物和违法所得，处以二万元以上五万元以下的罚款。"]},
    level="地方性法规")
GAS = make_law("城镇燃气管理条例", {49: [
    "违反本条例规定，燃气用户及相关单位和个人有下列行为之一的，由燃气管理部门责令限期改正；逾期不改正的，对单位可以处10万元以下罚款，对个人可以处1000元以下罚款：",
    "（一）擅自操作公用燃气阀门的；", "（二）将燃气管道作为负重支架或者接地引线的；",
    "（三）安装、使用不符合气源要求的燃气燃烧器具的；", "（四）擅自安装、改装、拆除户内燃气设施和燃气计量装置的。"]},
    level="行政法规")
# The fine refers to the conduct of another article (本条例第二十一条第一款规定行为).
YANTAI = make_law("烟台市森林防火条例", {
    21: "森林防火期内，禁止在森林防火区吸烟、野炊、祭祀用火、燃放烟花爆竹、烧荒、烧地堰、焚烧农作物废弃物料、投放孔明灯等野外用火。",
    41: "违反本条例规定，森林防火期内，在森林防火区有本条例第二十一条第一款规定行为之一的，由市、县（市、区）人民政府林业主管部门责令停止违法行为，给予警告，对个人并处二百元以上三千元以下罚款，对单位并处一万元以上五万元以下罚款。"},
    level="地方性法规")
LIB = FakeLibrary([NOISE, CITY, PROC, SOLID, SCHOOL, ROAD, GOV, PENALTY, LINYI, SCHOOL_REG, JINING, GAS, YANTAI])
def review(*articles: str, issuer: str = "青川区人民政府", title: str = "青川区测试办法",
           tail: str = "本办法自2026年4月1日起施行，有效期至2031年3月31日。"):
    return review_clauses(LIB, *articles, title=title, doc_number="青政发〔2026〕1号", issuer=issuer, tail=tail)


cats = categories


CASES = [
    # (category, positive clause, near-miss clause)
    ("rights_restriction", "民办幼儿园违反规定收取费用的，暂停该园在园幼儿申请学前教育资助的资格。",
     "人民调解员违反规定收取费用的，取消其当年度个案补贴申领资格。"),
    ("rights_restriction", "租赁合同未办理登记备案的，公安机关不予受理居住证申请。",
     "申请居住证的，应当提交居住地住址、就业、就读等证明材料。"),
    ("penalty_creation", "养殖者签订环保承诺书，违反承诺的，按照承诺书约定每次缴纳违约金二千元。",
     "养殖者与饲料供应商在买卖合同中约定违约责任。"),
    ("power_expansion", "经营性停车场管理单位对拖欠停车费用的车辆，可以采取锁车措施。",
     "经营性停车场管理单位应当公示收费标准，并出具合法票据。"),
    ("power_expansion", "在浴场内垂钓的，由浴场管理单位或者所在村（居）民委员会没收其钓具和渔获物。",
     "在浴场内垂钓的，浴场管理单位应当予以劝阻，并报告区海洋发展局。"),
    ("rights_restriction", "被列入重点监管名单的企业，供电、供水单位暂停为其办理新装、增容业务。",
     "供电、供水单位应当公开办理新装、增容业务的条件、流程和时限。"),
    ("fair_competition", "预收资金应当全部存入区商务局确定的合作存管银行开立的专用存管账户，不得在其他银行开立预收资金账户。",
     "预收资金应当存入经营者自主选择的商业银行开立的专用存管账户。"),
    ("penalty_creation", "居民家庭多次未按要求分类投放生活垃圾的，由所在镇人民政府予以通报批评。",
     "对工作不力的成员单位，由区生活垃圾分类工作领导小组予以通报批评。"),
    ("licensing_creation", "需要燃放的，应当报镇人民政府审核同意后，在指定的时间、地点燃放；未经审核同意的，不得燃放。",
     "燃放烟花爆竹的，应当遵守安全燃放规定，不得在禁止燃放的区域燃放。"),
    ("power_expansion", "村民委员会、物业服务企业应当及时予以劝阻；劝阻无效的，可以当场收缴其尚未燃放的烟花爆竹。",
     "村民委员会、物业服务企业应当及时予以劝阻；劝阻无效的，应当向公安机关报告。"),
    ("power_expansion", "县河长制办公室对河道非法采砂行为可以直接立案查处，依法实施罚款等行政处罚。",
     "县河长制办公室负责河道采砂管理工作的统筹协调和督导考核。"),
    ("fair_competition", "参加竞买的单位应当在本县注册登记满三年，近三年在本县从事砂石经营年均销售额不低于五百万元。",
     "参加竞买的单位应当具有独立法人资格和相应的履约能力。"),
    ("rights_restriction", "按照本办法申请入学的，父母双方还应当在本区连续缴纳城镇职工基本养老保险满三年，且在本区拥有自有产权住房；不符合上述条件的，不予安排公办学校学位。",
     "适龄儿童的父母被人民法院限制高消费的，其子女不得以其财产支付费用就读高收费民办学校。"),
    ("power_expansion", "物业服务企业发现业主违法搭建的，可以责令其立即停止施工，扣留施工工具。",
     "物业服务企业发现业主违法搭建的，应当及时劝阻，并向区综合行政执法局报告。"),
    ("power_expansion", "居民用户欠缴水费累计满三个月的，由供水企业直接停止供水，无需报经批准。",
     "供水企业应当按照国家规定的水质标准供水，保证不间断供水。"),
    ("licensing_creation", "利用不可移动文物的，应当事先到县文化和旅游局办理利用登记；未经登记的，不得签订租赁合同。",
     "利用不可移动文物的，应当在签订租赁合同后三十日内报县文化和旅游局备案。"),
    ("certificate_demand", "因分户申请宅基地的，提交经公证机构公证的分家析产协议书。",
     "因分户申请宅基地的，提交户口簿和分户协议。"),
    ("rights_restriction", "前述人员的配偶、子女及其他近亲属在同一期间内申请食品经营许可的，县市场监督管理局不予受理。",
     "前述人员在被吊销许可证之日起五年内申请食品经营许可的，县市场监督管理局不予受理。"),
    ("rights_restriction", "逾期未交回原宅基地的，由村民委员会收回，不予补偿。",
     "进城落户的农村村民，可以依法自愿有偿退出宅基地。"),
    ("compulsory_measure", "对拒不停止违法建设的，镇人民政府可以通知供电、供水单位停止对该建房户供电、供水。",
     "供水单位因工程施工确需停止供水的，应当提前二十四小时通知用水户。"),
    ("fee_creation", "占用城市道路的，还应当按照占用面积每平方米二百元的标准预交占道保证金。",
     "占用城市道路的，应当按照批准的面积、期限和用途占用，并设置明显标志。"),
    ("power_expansion", "县城市建设投资集团有限公司负责城市道路日常巡查；发现擅自挖掘城市道路的，有权责令停止施工。",
     "县城市建设投资集团有限公司负责城市道路日常巡查，发现擅自挖掘城市道路的，应当及时报告县住房和城乡建设局。"),
    ("fair_competition", "在本县办理登记注册并在县内纳税满一年的施工总承包单位，工资保证金按照合同价款的0.5%存储；其他施工总承包单位按照合同价款的2%存储。",
     "施工总承包单位应当按照合同价款的一定比例存储工资保证金，具体比例按照省有关规定执行。"),
    ("licensing_creation", "设置招牌的，由其会同区城市管理局审查，经审查同意并出具设置意见的，方可制作安装。",
     "设置招牌的，可以自愿向区城市管理局报送招牌信息，区城市管理局应当提供设置指引。"),
    ("licensing_creation", "从事农产品收购的，应当领取备案凭证；未领取备案凭证的，不得在本区从事农产品收购活动。",
     "农产品收购者应当建立收购台账，如实记录农产品的名称、数量和来源。"),
    ("certificate_demand", "承租人申请开通燃气的，还应当提交经公证的房屋租赁合同和出租人出具的同意书。",
     "申请开通燃气的，应当提交身份证件和房屋租赁合同。"),
    ("certificate_demand", "农产品批发市场销售的蔬菜，每一批次均应当附具具有资质的第三方检测机构出具的农药残留检测合格报告。",
     "农产品批发市场应当对进场销售的农产品进行抽样检验，发现不合格的，应当要求停止销售。"),
    ("fair_competition", "招牌安全检测报告统一由南湖区恒信建设工程质量检测有限公司出具，其他机构出具的检测报告，区城市管理局不予采信。",
     "招牌安全检测报告由设置人自主委托具有相应资质的检测机构出具。"),
    ("power_expansion", "考核结果为不合格的，由区燃气行业协会通知其暂停在本区新增用户报装业务。",
     "区燃气行业协会应当加强行业自律，组织开展从业人员培训。"),
    ("retroactivity", "本措施施行前已按照原办法享受补贴的人员，服务期一并调整为五年。",
     "本措施施行前已按照原办法享受补贴的人员，可以选择适用本措施的标准。"),
    ("licensing_creation", "物业服务企业应当将企业信息报区住房和城乡建设局核验；经核验通过并纳入物业服务企业信息库后，方可签订物业服务合同。",
     "建设工程经竣工验收合格后，方可交付使用。"),
    ("power_expansion", "区校外培训监管服务中心在巡查中发现违规办学行为的，可以直接作出警告、罚款的决定。",
     "区校外培训监管服务中心在巡查中发现违规办学行为的，应当及时报告区教育和体育局，由区教育和体育局依法处理。"),
    ("fair_competition", "建设单位委托运输建筑垃圾的，应当委托西岭城投环卫运输有限公司承运。",
     "建设单位委托运输建筑垃圾的，应当委托具有相应条件的运输企业承运，并签订书面运输合同。"),
    ("fair_competition", "在本区以外已经注册的企业在本区新设分支机构的，本办法规定的奖励按照相应标准的百分之五十核定。",
     "在本区新设分支机构的企业，与其他企业同等享受本办法规定的奖励。"),
    ("certificate_demand", "申请举办的，举办者应当提交本人近三年个人信用报告和本人及配偶名下房产证明。",
     "申请举办的，举办者应当提交培训场所的产权证明或者租赁合同。"),
    ("penalty_creation", "携犬出户未系犬绳的，由区综合行政执法局责令改正，处二百元以上五百元以下罚款。",
     "违反前款规定的，由区综合行政执法局依照《中华人民共和国噪声污染防治法》第八十二条的规定，给予警告，对个人可以处二百元以上一千元以下的罚款。"),
    ("licensing_creation", "设置门头招牌的，应当经区城管局审核批准，取得《门头招牌设置许可证》后方可设置。",
     "单位和个人在城市建筑物、设施上张挂、张贴宣传品等，须经区综合行政执法局或者其他有关部门批准。"),
    ("compulsory_measure", "对拒不改正的，执法人员可以暂扣其音响器材。",
     "区有关部门开展检查，不得查封、扣押与违法行为无关的财物。"),
    ("fee_creation", "培训机构应当按照每名学员二千元的标准向区教育局缴纳安全保证金。",
     "履约保证金的数额不得超过政府采购合同金额的10%，供应商可以以保函等非现金形式提交。"),
    ("certificate_demand", "申请登记，应当提交居住地社区居民委员会出具的同意证明。",
     "已通过信息共享获取的材料，不得要求申请人重复提交居民委员会出具的证明。"),
    ("rights_restriction", "对失信人员，取消其本人及家庭成员当年度评优评先资格。",
     "对失信企业，有关部门可以在法定权限范围内，在评优评先中给予相应限制。"),
    ("retroactivity", "本办法施行前已兑现的奖励超出本办法标准的，由区财政局予以追回。",
     "本办法施行前已申报的项目，可以按照本办法规定申请扶持。"),
    ("fair_competition", "对在本区注册登记并纳税的供应商给予评审总分百分之五的加分。",
     "采购人不得以不合理的条件对供应商实行差别待遇或者歧视待遇。"),
    ("fair_competition", "按照企业缴纳增值税形成的区级地方财政贡献给予全额奖励。",
     "企业依法享受国家规定的研发费用加计扣除等税收优惠政策。"),
    ("fair_competition", "享受扶持的企业应当在本区注册设立独立法人公司，并承诺十年内不迁出本区。",
     "区投资促进局应当为各类投资者提供选址咨询服务。"),
    ("power_expansion", "村民委员会委员的推选结果，应当报区民政局审核同意后方可生效。",
     "采用公开招标以外方式的，应当依法报东临市财政局批准。"),
    # Disguised prior approvals (no word 许可) vs. a licence the cited law really provides.
    ("licensing_creation", "新建充电设施的，须经区发展和改革局组织论证同意并出具《建设确认函》后方可施工。",
     "举办民办学校的，依照《中华人民共和国民办教育促进法》第十二条、第十八条的规定，经审批取得办学许可证后方可招生。"),
    ("licensing_creation", "未经区住房和城乡建设局备案确认的商品房项目，开发企业不得对外销售。",
     "区住房和城乡建设局应当征求区自然资源局意见后方可作出处理决定。"),
    ("licensing_creation", "装修工程开工前须将施工方案报物业所在街道审查，审查通过后由街道办事处发放《装修施工证》。",
     "装修人应当在开工前告知物业服务人，并遵守管理规约。"),
    # Charges without the word 收费 vs. contractual prices and fees a cited law provides.
    ("fee_creation", "区市场监管局组织的计量抽检，其检测费用由被抽检商户承担。",
     "停车场经营者可以按照与车主签订的停车服务合同收取停车费，收费标准应当明示。"),
    ("fee_creation", "年度评估费按照经营者上年度营业额的千分之三计收。",
     "居民应当按照《中华人民共和国固体废物污染环境防治法》第五十八条规定的收费制度缴纳生活垃圾处理费。"),
    ("fee_creation", "复核所需费用每户二百元，由申请人缴至区财政指定的专用账户。",
     "区住房和城乡建设局委托第三方机构开展房屋安全鉴定的，鉴定费用由区财政承担。"),
    # Unrelated conditions on a statutory right; taking back protected rights without compensation.
    ("rights_restriction", "有家庭成员欠缴物业费或者未参加城乡居民医疗保险的，不予办理入学登记。",
     "进城落户的农户可以依法自愿有偿退出宅基地，补偿标准由双方协商确定。"),
    ("rights_restriction", "村民在城镇购房落户的，其承包地自落户之日起由村集体经济组织无偿收回。",
     "承包方自愿交回承包地的，可以获得合理补偿。"),
    # Entrusting enforcement to bodies without public-affairs functions.
    ("power_expansion", "区市场监督管理局可以委托商场物业服务企业对违规经营行为调查取证并作出罚款决定。",
     "居民委员会发现违规行为的，应当劝阻并向区综合行政执法局报告。"),
    ("power_expansion", "区城市管理局可以聘请志愿者在路口拦检违规车辆并开具罚单。",
     "区城市管理局可以委托专业机构开展噪声监测，监测结果作为执法参考。"),
    # A single designated operator / 限定交易.
    ("fair_competition", "辖区内学生校服统一由青川惠民服装有限公司生产供应，各学校不得向其他企业采购。",
     "校服采购应当依法公开招标，由学校自主选择供应商。"),
    # Transitional clauses that apply the new rules to the past.
    ("retroactivity", "本细则施行前已经发生的违规经营行为，依照本细则处理。",
     "本细则施行前已经发生的行为，适用行为发生时的规定；本细则不认为违法或者处罚较轻的，适用本细则。"),
    ("retroactivity", "本细则实施以前已经登记的摊位，应当按照本细则规定重新申请登记，逾期未申请的原登记失效。",
     "本细则实施以前已经登记的摊位，登记继续有效。"),
    # Found by blind set 5 (general forms, not its sentences).
    ("fair_competition", "采购人可以要求投标人在开标前已在本区设立常驻服务机构。",
     "采购人不得要求投标人在本区设立分支机构。"),
    ("rights_restriction", "未办理登记的租赁合同，不得作为申请居住证的证明材料。",
     "租赁合同可以作为申请居住证的居住证明材料。"),
    ("power_expansion", "区公共资源交易中心负责对交易活动中的违规行为进行调查处理。",
     "区公共资源交易中心发现违规行为的，应当报告区财政局并协助调查处理。"),
    # Found by blind sets 13 and 14 (general forms).
    ("fee_creation", "对未随车携带核准文件的运输车辆，区综合行政执法局依法扣押，暂扣期间车辆停放、保管费用由车辆所有人承担。",
     "对未随车携带核准文件的运输车辆，区综合行政执法局依法扣押，暂扣期间车辆停放、保管费用由区综合行政执法局承担。"),
    ("compulsory_measure", "对罚款决定逾期不履行的，区住房和城乡建设局可以书面通知燃气经营者暂停对其供气。",
     "燃气经营者因施工、检修等原因需要暂停供气的，应当提前四十八小时通知用户。"),
    # Standing for 业主委员会 is restricted by several local regulations: left alone.
    ("rights_restriction", "累计拖欠物业费满六个月的业主，在缴清欠费前不享有业主大会会议的表决权。",
     "业主委员会委员候选人应当按时交纳物业费，具有完全民事行为能力。"),
    ("fair_competition", "在线监控设备由区综合行政执法局统一招标确定的运维单位负责安装、联网和运行维护，"
     "相关费用由餐饮服务单位按照每台每年一千二百元的标准向运维单位支付。",
     "餐饮服务单位可以自主选择具备能力的单位安装在线监控设备，费用由其自行承担。"),
    ("rights_restriction", "出租人不得将住宅出租给未取得本市户籍且未持有本市居住证的人员居住。",
     "出租人不得将住宅出租给无法提供有效身份证件的人员居住。"),
    ("licensing_creation", "预制菜生产企业取得食品生产许可后，还应当向区市场监督管理局申领《南港区预制菜生产登记证》；"
     "未取得登记证的，其生产的预制菜产品不得进入本区商场超市、农贸市场销售。",
     "区市场监督管理局为取得食品生产许可的预制菜生产企业提供政策咨询服务。"),
    ("fair_competition", "机关食堂采购预制菜产品的，应当优先采购本区预制菜生产企业的产品，年度采购额占预制菜采购总额的比例不得低于百分之六十。",
     "鼓励机关食堂采购符合食品安全标准的预制菜产品，采购比例由各单位自行确定。"),
    # round 15 (blind set 15, 澧水区 of 郑州, 河南)
    ("compulsory_measure", "对经两次责令改正仍从住宅内私拉电线充电的住户，街道办事处可以通知供电企业对其住宅采取中止供电措施。",
     "供电企业因检修需要中止供电的，应当提前七日公告停电区域和时间。"),
    ("fair_competition", "丧事承办人所需骨灰盒、寿衣等殡葬用品，应当在区殡仪馆殡葬用品服务中心统一购买，不得自行从其他渠道购买。",
     "区殡仪馆应当公示殡葬用品的价格，丧事承办人可以自行选择购买殡葬用品的渠道。"),
    ("rights_restriction", "申请在夜市经营区域内使用摊位的，申请人应当具有本区户籍，或者持有本区居住证且在本区连续缴纳社会保险满二年。",
     "申请在夜市经营区域内使用摊位的，申请人应当具有完全民事行为能力，并提交本人身份证明。"),
    ("power_expansion", "业主大会作出选聘、解聘物业服务人决定的，业主委员会应当自决定作出之日起十日内报区住房和城乡建设局审核，"
     "经审核同意后方可签订或者解除物业服务合同。",
     "业主委员会应当自选举产生之日起三十日内，将选举结果报区住房和城乡建设局和街道办事处备案。"),
    ("power_expansion", "对本办法未列明的其他影响夜市经营秩序的行为，区综合行政执法局可以根据管理需要采取必要措施予以处置。",
     "本办法未规定的其他违法行为，依照有关法律、法规的规定处理。"),
    # round 16 (blind set 16, 渝溪区 of 重庆)
    ("licensing_creation", "新开办的餐饮服务经营者，区城市管理局出具《餐饮油烟排放核准意见书》的，区市场监督管理局方可为其办理登记手续。",
     "新开办的餐饮服务经营者可以向区城市管理局咨询油烟净化设施的配置要求。"),
    ("fair_competition", "餐饮服务经营者安装的油烟净化设施应当从区生态环境局发布的《渝溪区餐饮油烟净化设备推荐目录》中选购。",
     "餐饮服务经营者可以参考区生态环境局发布的《渝溪区餐饮油烟净化设备推荐目录》自主选购油烟净化设施。"),
    ("rights_restriction", "户籍已迁入城镇的原农村村民，应当自户籍迁出之日起一年内退出原有宅基地，逾期未退出的，由镇人民政府收回宅基地使用权。",
     "鼓励进城落户的农村村民依法自愿有偿退出宅基地。"),
    ("rights_restriction", "服务期内调往区外单位未经同意的，用人单位暂缓为其办理档案和社会保险关系转移手续。",
     "用人单位应当在解除或者终止劳动合同后十五日内为劳动者办理档案和社会保险关系转移手续。"),
    ("power_expansion", "考核结果为不合格的，由区商务委员会责令开办者更换市场管理负责人。",
     "考核结果为不合格的，由区商务委员会向开办者提出书面整改建议。"),
    ("power_expansion", "树木需要移植的，应当提前十个工作日书面告知区城市管理局；区城市管理局认为可能影响城市景观的，可以作出暂缓移植或者不予移植的决定。",
     "树木需要移植的，应当提前十个工作日书面告知区城市管理局，区城市管理局应当提供技术指导。"),
    ("fair_competition", "区属国有企业和经区人民政府认定的本土龙头企业引进人才的，奖励比例提高至百分之三十，不设年度上限。",
     "用人单位引进人才的，按照所引进人才上一年度税前年薪的百分之十给予引才奖励，单个单位每年最高不超过一百万元。"),
    # round 17 (blind set 17, 永定河区 of 北京)
    ("fair_competition", "本区道路停车泊位的日常管理和收费，统一由区属国有企业永定河区静态交通投资运营有限公司承担，其他停车企业不再承接本区道路停车管理业务。",
     "本区道路停车泊位的日常管理，由区交通委员会通过公开招标确定的企业承担。"),
    ("licensing_creation", "区城市管理委员会应当对备案材料进行审查，符合布局规划的，出具备案凭证；不符合布局规划的，不予出具，经营者不得在本区开展回收经营活动。",
     "区城市管理委员会应当对备案材料进行审查，发现材料不齐全的，一次性告知经营者补正。"),
    ("compulsory_measure", "单位拒不履行分类投放义务，经责令改正仍不改正的，区城市管理委员会可以通知生活垃圾收集运输单位暂停收运该单位的生活垃圾。",
     "生活垃圾收集运输单位因车辆检修需要调整收运时间的，应当提前告知服务对象。"),
    ("rights_restriction", "个人一年内两次以上因违反分类投放规定受到处罚的，由所在地街道办事处将其纳入个人不良行为记录，在其申请公共租赁住房、参加文明家庭评选时实行一票否决。",
     "个人因违反分类投放规定受到处罚的信息，由执法机关依法共享到本市公共信用信息平台。"),
    ("power_expansion", "区卫生健康委员会可以根据控烟工作需要，将本区公园、广场等人员密集的室外区域划定为禁止吸烟区域，向社会公告后执行。",
     "区卫生健康委员会应当在本区公园、广场等人员密集的室外区域开展控烟宣传。"),
    ("rights_restriction", "禁止吸烟场所的经营者、管理者应当在场所内安装烟雾报警装置和视频监控设备，并将监测数据接入区控烟监管平台。",
     "禁止吸烟场所的经营者、管理者应当在场所内设置明显的禁止吸烟标志和监督电话。"),
    ("retroactivity", "本办法施行前已获得区级小微企业扶持资金的企业，适用前款规定，迁出期限自其获得资金之日起计算。",
     "本办法施行后获得区级小微企业扶持资金的企业，适用前款规定。"),
    # round 18 (blind set 18, 滨江新区 of 上海)
    ("power_expansion", "区交通委根据本区道路承载能力，对各运营企业在本区的车辆投放实行配额管理，每半年核定一次。",
     "区交通委根据本区道路承载能力，定期向社会公布共享单车停放区域的饱和度信息。"),
    ("licensing_creation", "踏勘合格的，由区文化和旅游局核发《滨江新区乡村民宿经营资格证》；未取得经营资格证的，不得以民宿名义对外揽客经营。",
     "乡村民宿经营者应当依法办理营业执照，并在经营场所显著位置悬挂。"),
    ("fair_competition", "区文化和旅游局建设统一预订服务平台。乡村民宿应当接入该平台开展线上预订和房费结算，不得通过其他网络平台另行揽客。",
     "区文化和旅游局建设统一预订服务平台。乡村民宿可以自愿接入该平台开展线上预订。"),
    ("retroactivity", "逾期未补办的，其已享受的2024年度、2025年度区级民宿扶持资金由区财政局予以追回。",
     "以欺骗手段获得扶持资金的，由区财政局依法追回。"),
    ("retroactivity", "2025年度已经区商务委审核公示但尚未拨付的直播电商扶持资金，统一按照本措施规定的条件和标准重新审核，不符合本措施条件的不再拨付。",
     "本措施施行后申报的直播电商扶持资金，按照本措施规定的条件和标准审核。"),
    ("rights_restriction", "区消防安全委员会办公室建立小场所消防安全重点整治名单。列入名单的小场所，其经营者在整改销号前不得在本区申请设立新的经营主体。",
     "区消防安全委员会办公室建立小场所消防安全重点整治名单，对列入名单的小场所加强指导和复查。"),
    ("power_expansion", "区消防安全委员会办公室可以根据火灾形势，决定对特定区域的小场所采取集中整治、限期停业以及其认为必要的其他管理措施。",
     "区消防救援支队发现火灾隐患的，应当依照消防法的规定责令改正。"),
    # round 19 (blind set 19, 钱塘湾区 of 杭州, 浙江)
    ("licensing_creation", "审查合格的出具《施工扬尘防治备案确认书》；未取得备案确认书的，建设单位不得组织开工。",
     "施工单位应当在开工前将施工扬尘污染防治实施方案报区住建局备案。"),
    ("retroactivity", "因扬尘污染受到两次以上行政处罚的，列入重点管控名单。本办法施行前二年内受到的扬尘污染行政处罚，一并计入前述处罚次数。",
     "因扬尘污染受到两次以上行政处罚的，列入重点管控名单。处罚次数自本办法施行之日起计算。"),
    ("power_expansion", "遇有鱼类集中产卵等情形，区农业农村局可以根据渔业资源保护需要，在本区水域临时划定禁渔区、禁渔期。",
     "遇有鱼类集中产卵等情形，区农业农村局可以向区人民政府提出调整禁渔区、禁渔期的建议。"),
    ("rights_restriction", "申请办理区域服务备案证的驾驶员，应当具有本区户籍，或者持有本区核发的居住证满三年。",
     "申请公共租赁住房的，应当具有本区户籍，或者持有本区居住证满三年。"),
    ("compulsory_measure", "对涉嫌非法营运且拒不配合调查的驾驶员，执法人员可以暂扣其机动车驾驶证和车辆行驶证，待其接受调查处理后予以返还。",
     "对涉嫌非法营运的驾驶员，执法人员应当出示执法证件，告知其陈述和申辩的权利。"),
    # round 20 (blind set 20, 南岗区 of 佛山, 广东)
    ("rights_restriction", "在移出名单前，区有关部门暂缓办理其名下房屋的不动产转移登记和抵押登记。",
     "区有关部门应当依法办理不动产转移登记和抵押登记，不得无故拖延。"),
    ("power_expansion", "动物诊疗服务项目的收费标准由区农业农村局核定并公布，动物诊疗机构应当按照核定标准收费。",
     "动物诊疗机构应当公示服务项目和收费标准，明码标价。"),
    ("fee_creation", "举办龙舟活动的，应当在活动前向所在镇人民政府缴纳安全保障金五千元。",
     "举办龙舟活动的，主办单位应当为参赛人员投保人身意外伤害保险。"),
    ("rights_restriction", "活动当日，活动水域两岸五十米范围内的商铺、摊档当日一律暂停营业。",
     "活动当日，活动水域两岸五十米范围内的商铺、摊档应当配合做好人员疏导。"),
    # Round 21 (汶阳区, 山东): a supervision list with sanctions, a street office cancelling a
    # registration after 劝阻, a villagers' committee's consent in place of the licence, forced
    # association membership, local registration and tax as a threshold, approval without 后, a
    # gas cut-off for an unpaid fine.
    ("rights_restriction", "对一年内被查处两次以上的住户，纳入重点监管名单，在公共租赁住房保障资格审核、评先树优中予以限制。",
     "对存在重大火灾隐患的单位，列为重点监管对象，增加监督检查频次。"),
    ("power_expansion", "对饲养人违规养犬经劝阻仍不改正的，街道办事处可以作出注销其养犬登记的决定。",
     "街道办事处发现违规养犬的，应当予以劝阻；劝阻无效的，报告区公安分局依法处理。"),
    ("power_expansion", "对原址翻建且不扩大占地面积的村民住宅，经村民委员会审查同意后即可开工建设。",
     "申请建房的，应当提交宅基地使用证明和村民委员会同意建设的书面意见。"),
    ("fair_competition", "本区瓶装燃气经营企业应当加入区燃气行业协会，接受协会统一调度。",
     "鼓励瓶装燃气经营企业自愿加入行业协会，加强行业自律。"),
    ("fair_competition", "区属中小学应当从在本区注册成立满三年、上一年度在本区纳税额不低于五十万元的机构中择优选取。",
     "区属中小学应当从具备相应资质、信用良好的机构中择优选取。"),
    ("licensing_creation", "培训机构组织研学旅行的，应当提前十五个工作日将活动方案报区教育和体育局审核同意；未经同意的，不得组织实施。",
     "培训机构组织研学旅行的，应当提前十五个工作日将活动方案报区教育和体育局备案。"),
    ("compulsory_measure", "居民燃气用户拒不整改燃气安全隐患的，区燃气管理部门可以通知管道燃气经营企业对其暂停供气。",
     "管道燃气经营企业因施工检修确需暂停供气的，应当提前四十八小时通知用户。"),
    ("penalty_creation", "培训机构违规办学情节严重的，由区教育和体育局处一万元罚款。",
     "对被吊销办学许可证的培训机构，其举办者依照有关法律、法规承担相应责任。"),
    # Round 22 (瓯川县, 浙江; a county's drafts say 县, not 区): a licence for selling 食用农产品 (食品安全法
    # 第三十五条 exempts it), a paper applied for and approved before the activity without 方可, a
    # county bureau withholding property registration, a guardian fined for a minor, a market operator
    # or residents' committee seizing goods, the organ deciding in the owners' place, N years' bar from
    # opening or from having applications accepted, a fine set before a 构成犯罪 clause.
    ("licensing_creation", "在农贸市场内销售蔬菜、水果等食用农产品的经营户，须先行取得食品经营许可证。",
     "在市场内仅销售食用农产品的经营者，不需要取得食品经营许可。"),
    ("licensing_creation", "燃放人应当提前三日向所在地公安派出所申请办理《燃放登记证》，经审核同意后，按照登记的时间燃放。",
     "燃放人应当按照公告的时间、地点燃放烟花爆竹。"),
    ("rights_restriction", "业主欠缴物业服务费的，县住房和城乡建设局可以函告不动产登记机构，在其欠费结清前暂缓办理该房屋的不动产转移登记。",
     "对人民法院依法查封的房屋，不动产登记机构暂缓办理该房屋的不动产转移登记。"),
    ("penalty_creation", "未成年人在禁止燃放区燃放烟花爆竹的，对其监护人处二百元罚款。",
     "未成年人在禁止燃放区燃放烟花爆竹的，由公安机关责令其监护人加以管教。"),
    ("power_expansion", "经营者使用不合格计量器具的，市场开办者可以先行暂扣其计量器具和相关商品。",
     "经营者使用不合格计量器具的，市场开办者应当予以制止，并报告县市场监督管理局依法处理。"),
    ("power_expansion", "物业服务企业发现有人在禁止燃放区燃放烟花爆竹的，有权予以制止，并可以当场收缴其烟花爆竹。",
     "物业服务企业发现有人在禁止燃放区燃放烟花爆竹的，应当予以劝阻，并向公安派出所报告。"),
    ("power_expansion", "业主大会连续两次未能就维修资金使用事项作出决定的，由所在街道办事处组织评估后直接作出使用决定。",
     "业主大会未能作出决定的，街道办事处应当指导业主大会依法作出决定。"),
    ("rights_restriction", "民宿经营者一年内受到两次以上行政处罚的，其经营者三年内不得在本县申请开办民宿。",
     "民宿经营者应当在取得营业执照后三十日内向县文化和广电旅游体育局备案。"),
    ("rights_restriction", "施工单位一年内两次以上擅自挖掘城市道路的，县住房和城乡建设局一年内不予受理其新的挖掘申请。",
     "挖掘申请材料不齐全的，县住房和城乡建设局应当一次性告知需要补正的全部内容。"),
    # Round 23 (伊洛区, 河南): an organ's 意见书 gating the application, registration here as an entry
    # condition, a record that feeds 失信联合惩戒, the registry withholding a transfer, a business's
    # regulated deposit, papers held until the inquiry.
    ("licensing_creation", "申请办理建筑垃圾处置核准的，还须先行取得工程所在地街道办事处出具的《渣土清运无异议意见书》，未取得意见书的不予受理。",
     "申请办理建筑垃圾处置核准的，应当提交建筑垃圾处置方案和运输合同。"),
    ("fair_competition", "从事建筑垃圾运输的企业应当具备下列条件：（一）依法取得道路货物运输经营许可；（二）原则上在本区办理工商注册登记。",
     "从事建筑垃圾运输的企业应当具备下列条件：（一）依法取得道路货物运输经营许可；（二）运输车辆具备密闭装置。"),
    ("rights_restriction", "用户违规停放车辆累计三次以上的，纳入个人不文明行为记录，并推送至信用信息共享平台，作为实施失信联合惩戒的依据。",
     "用户违规停放车辆的，运营企业应当通过手机应用程序予以提醒。"),
    ("rights_restriction", "转让古树名木所在不动产的，应当事先取得区城市管理局出具的确认书；未取得确认书的，不动产登记机构暂缓办理转移登记。",
     "转让古树名木所在不动产的，原所有权人应当将古树名木养护责任告知受让人。"),
    ("fee_creation", "运营企业应当按照每辆车每年二百元的标准向区城市管理局缴纳停放管理费。",
     "运营企业收取押金、预付资金的，应当向用户明示退还方式和时限，及时退还。"),
    # Round 24 (浦汇区, 上海): a property company's approval as a step of the procedure, a transfer
    # withheld, a trade's vehicles banned from the roads, children's schooling answering for a parent,
    # an organ's assessment before opening, subsidies received before to be returned, an association's
    # pick as the one operator.
    ("power_expansion", "加装电梯实施方案在提交联合审查窗口之前，应当先行报经小区物业服务企业审核同意并加盖公章。",
     "加装电梯实施方案应当在小区内公示，公示期不少于十日。"),
    ("rights_restriction", "对阻挠加装电梯施工的业主，区房管局可以商请不动产登记机构，对其名下房屋暂缓办理转移登记。",
     "对阻挠加装电梯施工的业主，街道办事处应当组织调解；调解不成的，当事人可以依法提起诉讼。"),
    ("rights_restriction", "为保障重点区域通行秩序，快递服务车辆一律不得驶入本区主次干道及商业街区。",
     "快递服务车辆应当遵守道路交通安全法律法规，按照规定停放。"),
    ("rights_restriction", "赡养人拒不支付老年人入住费用的，由街道办事处通报区教育局，在其子女入学、转学等事项中予以审慎处理。",
     "赡养人拒不履行赡养义务的，老年人可以要求其支付赡养费，也可以依法提起诉讼。"),
    ("licensing_creation", "养老服务机构在首次收住老年人前，须先行通过区民政局组织的开业前服务能力综合评估；评估未通过的，不得收住老年人。",
     "养老服务机构应当在收住老年人后十个工作日内向区民政局备案。"),
    ("retroactivity", "本办法施行前已享受区级运营补贴，但等级评定未达到本办法规定等级的机构，应当退还自2025年1月1日起领取的运营补贴。",
     "本办法施行前已经享受运营补贴的机构，继续按照原标准执行至补贴期满。"),
    ("fair_competition", "综合服务站原则上由区快递行业协会推荐的统一运营主体建设运营。",
     "综合服务站由建设单位按照规划配套建设，鼓励多家快递企业共同使用。"),
    ("certificate_demand", "企业招用投递人员，应当要求其提供户籍所在地公安派出所出具的无违法犯罪记录证明。",
     "企业招用投递人员，应当与其依法订立劳动合同。"),
    # Round 25 (榕江县, 广东): a designated supplier 购置, a state company's 统一采购, a 镇 station
    # seizing goods, an organ's consent gating the application, entry thresholds, N years' suspension
    # of applications, subsidies 申领, 拒不服从 is no remedy clause, a fee beside 不另收费, association
    # dues, the offence of 非法扣押.
    ("fair_competition", "渔船救生消防设备原则上应当向县渔业安全互助协会确定的定点供应商购置。",
     "渔船救生消防设备应当符合国家标准，由船东自主选择购买。"),
    ("fair_competition", "全县限制使用农药一律由县供销合作社农资公司统一采购、统一配送。",
     "限制使用农药实行定点经营，经营者应当依法取得农药经营许可。"),
    ("power_expansion", "镇农产品质量安全监管站在日常巡查中发现疑似使用禁用农药的农产品的，可以视情当场予以扣押、封存。",
     "镇农产品质量安全监管站在日常巡查中发现疑似使用禁用农药的农产品的，应当及时报告县农业农村局依法处理。"),
    ("licensing_creation", "申请农药经营许可的，应当取得镇人民政府出具的同意经营意见后，县农业农村局方予受理。",
     "申请农药经营许可的，应当向县农业农村局提交营业执照和经营场所证明。"),
    ("rights_restriction", "本县新设立的上网服务场所营业面积不得低于三百平方米，计算机等终端设备不得少于一百台。",
     "上网服务场所应当按照国家规定设置消防设施，保持疏散通道畅通。"),
    ("rights_restriction", "一年内两次以上拒不服从回港避风指令的船东，两年内暂缓办理其渔船更新改造项目申报和船舶交易过户登记。",
     "对拒不服从回港避风指令的船东，由县农业农村局依法处理。"),
    ("rights_restriction", "对汛期拒不服从转移安排的人员，由镇人民政府记入失信行为记录，三年内取消其申领各类惠农补贴的资格。",
     "当事人对取消补贴资格的决定不服的，可以依法申请行政复议或者提起行政诉讼。"),
    ("fee_creation", "出租人应当按照每间每月十元的标准向所在镇出租屋服务管理中心缴纳出租屋管理服务费；承租人委托代办居住登记的，不另收费。",
     "出租屋服务管理中心为承租人代办居住登记，不收取任何费用。"),
    ("certificate_demand", "申领居住证，应当提交本人居民身份证、本人相片以及居住地住址、就业、就读等证明材料；已婚育龄妇女还应当提交婚育情况证明。",
     "申领居住证，应当提交本人居民身份证、本人相片以及居住地住址、就业、就读等证明材料。"),
    # Round 26 (嘉岭区, 重庆): an organ's 审核意见 before the business licence, neighbours' signatures, a
    # transfer of other property withheld, utilities told to stop supply, 报备同意 as a gate, 外地 firms
    # rated lower, a street office ordering a firm out, an association's assessment before a job, a
    # property company taking back a home, a supervisor's cut-off of a tenant's water.
    ("licensing_creation", "新开办餐饮服务单位在申领营业执照前，须先行取得区城市管理局出具的油烟排放审核意见。",
     "新开办餐饮服务单位应当按照规定安装油烟净化设施并保持正常使用。"),
    ("certificate_demand", "申请设置临时经营点的，还应当提交经营点周边五十米范围内住户过半数签字同意的证明材料。",
     "申请设置临时经营点的，应当提交经营者身份证明和经营点位置示意图。"),
    ("rights_restriction", "当事人拒不拆除违法建设的，对当事人名下其他不动产暂缓办理转移、抵押登记。",
     "当事人拒不拆除违法建设的，由区城市管理局依法强制拆除。"),
    ("compulsory_measure", "当事人逾期不拆除的，区城市管理局可以书面通知供水、供电、供气单位，由其在接到通知后五个工作日内停止供应。",
     "供水单位因工程施工确需停止供水的，应当提前二十四小时通知用户。"),
    ("licensing_creation", "物业服务企业承接新项目的，应当向区住房城乡建委报备，经报备同意后方可进场开展服务。",
     "物业服务企业承接新项目的，应当在签订物业服务合同之日起三十日内向区住房城乡建委备案。"),
    ("fair_competition", "外地物业服务企业，首个评价周期内的信用等级一律按B级确定，且原则上不参加当年度A级评定。",
     "物业服务企业信用等级按照统一的评价标准评定，对各类企业一视同仁。"),
    ("power_expansion", "物业服务企业信用等级为D级的，由街道办事处责令该物业服务企业限期退出物业管理区域。",
     "物业服务企业信用等级为D级的，街道办事处应当指导业主大会依法决定是否续聘。"),
    ("power_expansion", "游泳场所救生员应当持证上岗，并经区游泳协会组织的年度考核认定后方可上岗。",
     "游泳场所救生员应当取得国家职业资格证书后持证上岗。"),
    ("power_expansion", "物业服务企业发现公租房闲置、转借或者出租的，可以直接更换房屋门锁、收回房屋。",
     "物业服务企业发现公租房闲置、转借或者出租的，应当及时报告区住房保障中心依法处理。"),
    ("compulsory_measure", "承租人拖欠租金经催缴仍不缴纳的，区住房保障中心可以暂停其户内供水、供电。",
     "燃气经营者发现燃气设施存在安全隐患的，应当及时告知用户并协助整改。"),
    # Round 27 (永宁区, 北京): a utility cut at a site (施工 is the place, not the utility's works), a
    # service refused until a debt is paid, business hours shorter than the law's, distances kept
    # between competitors, 报…审核同意后方可.
    ("compulsory_measure", "对擅自夜间施工的工地，区住房和城乡建设委员会可以通知供电、供水单位对施工现场临时停止供电、供水。",
     "供水单位因管网施工确需停止供水的，应当提前二十四小时通知用户。"),
    ("rights_restriction", "对存在道路停车欠费记录的车辆，在欠费补缴前一律不予办理居住停车认证。",
     "道路停车欠费的，由停车管理单位依法催缴。"),
    ("rights_restriction", "剧本娱乐经营场所每日营业时间原则上不得晚于二十三时。",
     "剧本娱乐经营场所应当在显著位置公示营业时间。"),
    ("fair_competition", "新开办药品零售企业与已有药品零售企业之间的步行距离原则上不得少于三百五十米。",
     "药品零售企业应当按照规定配备执业药师。"),
    ("licensing_creation", "药品零售企业开展药品网络销售的，应当报区市场监督管理局审核同意后方可开展。",
     "药品零售企业开展药品网络销售的，应当依法向区市场监督管理局报告。"),
    # Round 28 (沂阳县, 山东): compensation refused for want of a paper, an organ's 确认函 before the
    # activity, a supplier's suspension under the contract (lawful), a definition that mentions fees.
    ("rights_restriction", "对未办理设施农用地备案或者未取得环评手续的养殖场户原则上不予补偿。",
     "对依法关闭或者搬迁的养殖场户，由县人民政府依法予以补偿。"),
    ("licensing_creation", "新建加油站的，须先行取得县商务局出具的规划布点确认函。",
     "新建加油站的，应当依法取得成品油零售经营批准证书。"),
    ("compulsory_measure", "用水户拒不整改的，县水利局可以通知供水单位停止对其供水。",
     "用水户逾期未缴纳水费，经书面催告后在合理期限内仍不缴纳的，供水单位可以按照供用水合同约定中止供水。"),
    ("fee_creation", "托管机构应当按照每名学生每学期二百元的标准向县教育和体育局缴纳管理费。",
     "本办法所称托管机构，是指为中小学生提供午间就餐、午休、课后看护等服务并收取费用的机构。"),
    # Rounds 29–30 (洛滨区, 河南; 东阳湖区, 广东): buyers held to the organ's list of local firms (定点医疗机构
    # is the 医保 regulation's term, no pick), job seekers without local 户籍 kept waiting for a 居住证,
    # a decision made final, airspace closed by the district, a service centre's or an association's
    # own penalty, a village committee approving benefits, 未经审核同意…不得.
    ("fair_competition", "区属国有企业委托开展招聘的，应当从区人力资源和社会保障局公布的本区注册人力资源服务机构名录中选择服务机构。",
     "本区行政区域内定点医疗机构、定点零售药店使用医疗保障基金的监督管理，适用本办法。"),
    ("rights_restriction", "非本市户籍人员通过本区人力资源市场求职的，应当持有本区居住证满六个月，方可办理求职登记。",
     "公示内容限于申请人姓名、家庭人口等必要信息，不得公开申请人的身份证号码、银行账户等个人隐私信息。"),
    ("power_expansion", "申报人有异议的，可以向区见义勇为评定委员会申请复核，区见义勇为评定委员会作出的复核决定为最终决定。",
     "申报人对复核决定不服的，可以依法申请行政复议或者提起行政诉讼。"),
    ("power_expansion", "区人民政府决定将下列区域上方的空域划定为本区无人驾驶航空器禁飞区。",
     "在市人民政府公布的管制空域范围内飞行的，应当依法申请。"),
    ("power_expansion", "区医疗保障服务中心在费用审核中发现违规行为的，可以直接对其处违规金额一倍以下的罚款。",
     "区医疗保障服务中心发现违规行为的，应当及时报告区医疗保障局依法处理。"),
    ("power_expansion", "区家政服务行业协会负责年度等级评定，对评定不合格的家政服务机构，可以责令其停业整顿三个月。",
     "区家政服务行业协会应当加强行业自律，开展等级评定。"),
    ("power_expansion", "救助金额不足一千元的，由区民政局委托村（居）民委员会直接审批并发放。",
     "村（居）民委员会协助做好救助申请的受理、调查工作。"),
    ("licensing_creation", "应当向区商务局申请家政服务经营资格审核；未经审核同意的，不得从事家政服务经营活动。",
     "家政服务机构应当自开展业务之日起十五日内向区商务局备案。"),
    # Rounds 31–32 (江湾区, 上海; 巴岳区, 重庆): a 文明办 sanctioning, volunteering made compulsory, women
    # losing membership on marriage, courts closed until the organ's step, the members' decision behind
    # the organ's approval, officers removed by the township, routes and zones drawn by the wrong organ,
    # past warnings counted and past business judged under the new document.
    ("power_expansion", "区精神文明建设委员会办公室可以对违反本办法规定的志愿服务组织予以警告、责令停止活动。",
     "区精神文明建设委员会办公室负责志愿服务工作的统筹协调。"),
    ("rights_restriction", "本区机关、事业单位工作人员每年参加志愿服务累计不得少于二十四小时。",
     "鼓励本区机关、事业单位工作人员利用业余时间参加志愿服务。"),
    ("rights_restriction", "本集体经济组织女性成员与本集体经济组织以外人员结婚的，自结婚登记之日起丧失成员身份，不再参与集体收益分配。",
     "妇女在农村集体经济组织中享有与男子平等的权利，不得以妇女未婚、结婚、离婚为由侵害其权益。"),
    ("rights_restriction", "种子质量纠纷应当先行申请田间现场鉴定；未经鉴定的，不得向人民法院提起诉讼。",
     "种子使用者可以申请田间现场鉴定，也可以依法向人民法院提起诉讼。"),
    ("power_expansion", "经济合作社年度收益分配方案经理事会拟订后，应当报镇人民政府审批，未经批准不得提交成员大会审议。",
     "经济合作社年度收益分配方案经成员大会审议通过后，报镇人民政府备案。"),
    ("power_expansion", "理事会成员严重失职的，镇人民政府可以直接决定暂停其职务或者予以罢免，并指定临时负责人。",
     "理事会成员严重失职的，镇人民政府可以建议成员大会依照章程罢免。"),
    ("power_expansion", "本区危险化学品运输车辆限制通行区域，由区建设和管理委员会划定。",
     "本区危险化学品运输车辆限制通行区域，由区公安分局划定并设置明显的标志。"),
    ("power_expansion", "镇人民政府、街道办事处可以自行划定地质灾害危险区并发布公告。",
     "区人民政府依法划定的地质灾害危险区，由镇人民政府、街道办事处设置明显警示标志。"),
    ("retroactivity", "本办法施行前已经被责令改正的次数，计入本办法第二十三条规定的次数。",
     "本办法施行前已经作出的处理决定，继续有效。"),
    ("retroactivity", "已经开业未经审核的，其在本办法施行前的经营行为按照未取得种子生产经营许可证生产经营种子处理。",
     "本办法施行前已经取得种子生产经营许可证的，在有效期内继续有效。"),
    # Rounds 33–34 (昌平湖区, 北京; 泰川县, 山东): a licence the draft extends, a 合格证 as the gate, 核查合格
    # …的，方可, a school's no-objection paper, a 违约金 on workers, contracted land taken back, firms held to
    # the organ's dealers or repairers, approvals re-submitted under the new document.
    ("licensing_creation", "其经营管理单位也应当向区卫生健康委员会申请办理卫生许可证，未取得卫生许可证的，不得对外开放。",
     "公共场所经营者应当依法取得卫生许可证。"),
    ("licensing_creation", "应当向县农业农村局申请办理《农业机械维修技术合格证》，取得合格证后方可开展维修经营活动。",
     "农业机械维修者应当按照国家有关技术规范进行维修。"),
    ("licensing_creation", "经核查合格并出具《演出场所备案确认书》的，演出场所经营单位方可开展营业性演出经营活动。",
     "演出场所经营单位应当依法办理备案手续。"),
    ("certificate_demand", "申请人办理营业执照时，应当提交所在学校出具的无异议意见书。",
     "学校可以就周边经营场所的设置向有关部门提出意见。"),
    ("rights_restriction", "被派遣劳动者在劳动合同期限内提前解除劳动合同的，应当按照剩余合同期限内每月工资百分之二十的标准，向劳务派遣单位支付违约金。",
     "劳动者违反服务期约定的，应当按照约定向用人单位支付违约金。"),
    ("rights_restriction", "承包农户撂荒耕地满一年的，由村民委员会或者农村集体经济组织收回承包地，另行发包。",
     "承包方自愿交回承包地的，应当提前半年以书面形式通知发包方。"),
    ("fair_competition", "享受购置补贴的机具，应当在县农业农村局确定并公布的本县定点经销商处购买。",
     "购机者自主选择补贴机具的经销商。"),
    ("fair_competition", "机动车送修的，应当在区交通局确定的定点维修企业中选择。",
     "机动车维修经营者应当公示维修项目和收费标准。"),
    ("retroactivity", "本办法施行前已经批准、尚未举办的营业性演出，演出举办单位应当按照本办法的规定重新提交申请材料；未重新提交的，原批准文件失效。",
     "本办法施行前已经批准的营业性演出，按照原批准文件执行。"),
    # Rounds 35–36 (剡溪县, 浙江; 海珠湾区, 广东): dividends withheld as leverage, officers barred while a
    # business is in the 经营异常名录, a contractor fining in its own name, the county's share of taxes
    # rewarded, a company the organ names for joining fairs, everyone else shut out, subsidies paid and
    # agreed before the document re-judged under it.
    ("rights_restriction", "拒不接入的农户，村经济合作社应当暂停发放其当年度集体收益分红，直至其完成接入。",
     "村经济合作社应当按照章程公平分配集体收益。"),
    ("rights_restriction", "其法定代表人、负责人在该市场主体移出经营异常名录前，不得在本区申请设立新的市场主体。",
     "市场主体被列入经营异常名录的，由区市场监督管理局依法公示。"),
    ("power_expansion", "县住房和城乡建设局可以书面委托运维单位，对违反本办法规定的行为以运维单位名义实施罚款。",
     "运维单位发现违法排放的，应当及时向县住房和城乡建设局报告。"),
    ("fair_competition", "入园企业年度实际入库税收县级留成部分超过五十万元的，按照超过部分的百分之五十给予园区发展贡献奖励。",
     "对入园企业按照实际投资额的百分之五给予设备购置补助。"),
    ("fair_competition", "跨境电商企业参加境外重点展会的，应当由区属国有企业海珠湾会展集团有限公司统一组团报名。",
     "跨境电商企业可以自行或者委托服务机构报名参加境外展会。"),
    ("fair_competition", "合作企业由区住房和城乡建设局在区属国有企业中直接确定，其他企业不得参与改造项目的前期服务。",
     "合作企业应当通过公开招标等竞争方式确定。"),
    ("retroactivity", "2023年1月1日至本办法施行之日已兑现租金补贴的入园企业，不符合本办法规定条件的，由县经济和信息化局按照本办法追回。",
     "本办法施行前已兑现的租金补贴，不再追回。"),
    ("retroactivity", "本措施施行前区人民政府与企业签订的投资协议中约定的补助标准高于本措施规定的，自本措施施行之日起统一按照本措施执行。",
     "本措施施行前已签订的投资协议，按照协议约定执行。"),
    # Rounds 37–38 (嵩阳县, 河南; 浦江新区, 上海): a family's papers held back as leverage, a unit of the organ
    # as the only tester, a township issuing weather warnings, a neighbours' paper for joining a platform,
    # rewards paid since a past date to be returned.
    ("rights_restriction", "拒不签订补偿协议的，有关部门应当暂停为其家庭成员办理宅基地审批、不动产登记等手续，直至其签订协议。",
     "被征收人对补偿决定不服的，可以依法申请行政复议或者提起行政诉讼。"),
    ("fair_competition", "防雷装置使用单位应当委托县气象局所属的嵩阳县防雷减灾技术服务中心实施检测。",
     "防雷装置使用单位应当委托具有相应资质的检测机构实施定期检测。"),
    ("power_expansion", "乡（镇）人民政府可以根据本辖区天气实况，自行向社会发布暴雨、冰雹、大风等气象灾害预警信号。",
     "乡（镇）人民政府应当及时传播县气象台发布的气象灾害预警信号。"),
    ("certificate_demand", "申请入网的餐饮服务提供者，还应当提交经营场所所在地居（村）民委员会出具的邻里无异议证明；未提交的，平台不得为其提供入网服务。",
     "申请入网的餐饮服务提供者，应当向平台提交营业执照和食品经营许可证件。"),
    ("retroactivity", "2023年1月1日以来已按照原办法获得奖励的企业，不符合本措施第六条规定条件的，应当退回已领取的奖励资金。",
     "2023年1月1日以来已按照原办法获得的奖励，不再追回。"),
    # Rounds 39–40 (燕山湖区, 北京; 綦江湾区, 重庆): a patroller fining, an insurer the organ names, more subsidy
    # for local equipment, one organ's consent before another's licence, a 残联 fining, subsidies only for
    # local firms, a surcharge, a licence applied for, past conduct counted.
    ("power_expansion", "河道巡查员发现在消落区内违法耕种、堆放物料的，可以当场作出罚款决定并收缴罚款。",
     "河道巡查员发现违法行为的，应当及时劝阻并报告区水利局。"),
    ("fair_competition", "渡口经营人应当统一向区交通运输委员会指定的保险机构投保渡运承运人责任险。",
     "渡口经营人应当依法投保承运人责任保险。"),
    ("fair_competition", "采购本区企业生产的设备，按照购置价格的百分之三十给予补贴；采购区外企业生产的设备，按照购置价格的百分之十给予补贴。",
     "采购符合标准的设备，按照购置价格的百分之二十给予补贴。"),
    ("power_expansion", "未经区规划和自然资源局签署同意意见的，区水利局不予核发取水许可证。",
     "区水利局核发取水许可证时，应当征求区规划和自然资源局的意见。"),
    ("power_expansion", "区残疾人联合会在监督中发现无障碍设施不符合标准的，可以责令责任单位限期改正；逾期不改正的，可以处以一千元以上五千元以下罚款。",
     "区残疾人联合会发现无障碍设施不符合标准的，可以向有关主管部门提出整改建议。"),
    ("fair_competition", "补助仅限于由在本区注册登记的节水服务企业承接的项目申请。",
     "补助对象为承接本区节水改造项目的节水服务企业。"),
    ("fee_creation", "超出用水计划的，由区水务局按照超用水量每立方米二十元的标准加收节水调节费。",
     "经营者不得在标价之外加收未予标明的费用。"),
    ("licensing_creation", "从事洗车经营的，应当事先向区水务局申请取得《洗车用水许可证》；未取得许可证的，不得从事洗车经营活动。",
     "从事洗车经营的，应当使用循环用水设施。"),
    ("retroactivity", "本办法施行前二年内经行政执法部门查处的不文明行为，一并纳入不文明行为记录。",
     "本办法施行后发生的不文明行为，纳入不文明行为记录。"),
    ("rights_restriction", "企业因违反本办法受到行政处罚的，三年内不得申报本办法规定的扶持资金。",
     "同一项目已享受区级其他同类财政补助的，不得重复申报本办法规定的扶持资金。"),
    # Rounds 41–42 (黄河口区, 山东; 婺江区, 浙江).
    ("power_expansion", "电力企业巡线人员在巡视中发现违法行为的，可以当场责令停止，并对行为人处二百元以上一千元以下罚款。",
     "电力企业巡线人员发现危害电力设施行为的，应当予以劝阻并报告区发展和改革局。"),
    ("power_expansion", "园区企业经约谈后仍未完成隐患整改的，园区管理机构可以决定暂扣或者吊销其安全生产许可证。",
     "园区管理机构发现企业存在重大事故隐患的，应当及时报告区应急管理局依法处理。"),
    ("rights_restriction", "农户在电力设施保护区内种植高秆树木，经书面通知后拒不清除的，由所在镇人民政府暂停发放其当年度耕地地力保护补贴。",
     "耕地地力保护补贴按照国家和省有关规定发放。"),
    ("rights_restriction", "借阅证仅向具有本区户籍或者持有本区居住证的居民办理。",
     "读者凭有效身份证件免费办理借阅证。"),
    ("rights_restriction", "非本区户籍人员申请法律援助的，还应当在本区连续居住满一年。",
     "申请法律援助的，应当如实说明经济困难状况。"),
    ("rights_restriction", "连续两年未履行养护义务的，村经济合作社可以收回其承包的桑园地另行发包。",
     "承包方自愿将承包的桑园地交回发包方的，可以获得合理补偿。"),
    ("fair_competition", "机关食堂采购农产品，应当优先选用“黄河口鲜”区域公用品牌的本区产品，采购比例不得低于采购总量的百分之六十。",
     "鼓励机关食堂采购绿色优质农产品。"),
    ("fair_competition", "企业使用婺江数据科技集团有限公司建设运营的云平台的，方可享受本条补助。",
     "企业使用符合国家标准的云平台的，可以申请本条补助。"),
    ("fair_competition", "园区企业开展安全评价，应当委托由区应急管理局推荐并在本区注册登记的安全评价机构。",
     "园区企业开展安全评价，应当委托具有相应资质的安全评价机构。"),
    ("fair_competition", "向区外企业出售鲜茧的，应当事先经所在镇人民政府同意。",
     "鲜茧收购企业应当公示收购价格和质量标准。"),
]


def test_round15_owners_decision_approval_is_not_a_licence_and_refund_refusal_is_not_a_fee() -> None:
    approval = review("业主大会作出选聘、解聘物业服务人决定的，业主委员会应当自决定作出之日起十日内报区住房和城乡建设局审核，"
                      "经审核同意后方可签订或者解除物业服务合同。")
    assert "power_expansion" in cats(approval) and "licensing_creation" not in cats(approval)
    kept = review("本办法施行前已取得摊位的经营者不符合条件的，由区商务局收回其摊位，已缴纳的2026年度摊位费不予退还。")
    assert "fee_creation" not in cats(kept)
    assert "fee_creation" in cats(review("摊主应当于每年一月向区商务局缴纳摊位管理费每月二百元。"))


def test_a_restatement_keeps_the_fine_of_its_own_conduct() -> None:
    from legalkb.review.check import _amounts_fit

    # No 个人 / 单位 anywhere, so only the paragraph choice decides (大气污染防治法第一百一十八条 fines
    # 油烟 5,000–50,000 and 露天烧烤 500–20,000).
    superior = ("违反本法规定，排放油烟超过排放标准的，由监督管理部门责令改正，处五千元以上五万元以下的罚款。\n"
                "违反本法规定，在禁止的时段和区域内露天烧烤食品的，由监督管理部门责令改正，并处五百元以上二万元以下的罚款。")
    conduct = "违反本细则规定，排放油烟超过排放标准的，由区城市管理局责令改正，"
    assert not _amounts_fit(conduct + "处二千元以上二万元以下的罚款", superior)   # fits only the other paragraph
    assert _amounts_fit(conduct + "处五千元以上五万元以下的罚款", superior)
    assert _amounts_fit("在禁止的时段和区域内露天烧烤食品的，处五百元以上二万元以下的罚款", superior)
    # Fining the opposite case restates nothing.
    assert not _amounts_fit("在非禁止的时段和区域内露天烧烤食品的，处五百元以上二万元以下的罚款", superior)


def test_a_document_the_draft_names_is_no_superior_law_that_excuses_it() -> None:
    # 《…推荐目录》 is not found among the laws — and it is not one: the restriction stands.
    assert "fair_competition" in cats(review("经营者安装的设备应当从区生态环境局发布的《渝溪区净化设备推荐目录》中选购。"))
    # A law the corpus lacks still excuses (the citation itself is reported, its content unknown).
    assert "fair_competition" not in cats(review("经营者安装的设备应当依照《渝溪市净化设备管理条例》从推荐目录中选购。"))


def test_a_duty_word_alone_does_not_match_a_superior_conduct() -> None:
    from legalkb.review.superior import CONDUCT_MATCH, content_bigrams

    # '未按要求张贴承诺书' and '二次供水设施未按要求采取安全保护措施' share only the duty words.
    cb = content_bigrams("未按要求张贴《文明诚信经营承诺书》")
    other = content_bigrams("二次供水设施未按要求采取安全保护措施的")
    assert len(cb & other) / len(cb) < CONDUCT_MATCH
    assert len(content_bigrams("未按要求张贴")) < 3       # too little to search a superior provision for


def test_round17_subsidies_through_listed_providers_and_the_municipalities() -> None:
    from legalkb.review.superior import negation_flipped, province_of

    # Public money spent through the providers the administration contracted binds the subsidy, not
    # the market.
    assert "fair_competition" not in cats(review("补贴只能用于在服务商名录内的服务商处购买助餐、助浴等居家养老服务，不得兑换现金。"))
    # A 北京 / 重庆 district's superior local law is the municipality's.
    assert province_of("依据《北京市机动车停车条例》制定本办法。") == "北京市"
    assert province_of("依据《重庆市城市园林绿化条例》。") == "重庆市"
    assert province_of("依据《山东省物业管理条例》。") == "山东省"
    assert negation_flipped("个人在非禁止吸烟场所吸烟", "个人在禁止吸烟场所吸烟的，处五十元罚款")
    assert not negation_flipped("个人在非禁止吸烟场所吸烟", "在非禁止吸烟场所吸烟的，处五十元罚款")
    assert not negation_flipped("个人在禁止吸烟场所吸烟", "个人在禁止吸烟场所吸烟的，处五十元罚款")
    # 非法 / 非经 are words, not a negation of the superior's conduct.
    assert not negation_flipped("非法占用城市道路", "违法占用城市道路的，处五百元罚款")
    assert not negation_flipped("非经批准擅自设置", "未经批准擅自设置的，处一千元罚款")


def test_an_unnamed_licence_is_excused_by_the_cited_article_that_provides_it() -> None:
    from legalkb.review.check import _named_items
    from legalkb.review.rules import load_rules

    b03 = next(r for r in load_rules() if r.id == "B03")
    # '取得许可证后方可经营' names no licence: the cited 全民健身条例第三十二条 (批准…发给许可证) may excuse it.
    assert _named_items(b03, "取得许可证后方可经营") == []
    assert [p.pattern for p in _named_items(b03, "取得办学许可证后方可招生")] == [r"办学[^。；]{0,4}许可"]


def test_a_long_conduct_may_match_a_whole_fining_paragraph() -> None:
    from legalkb.review.superior import content_bigrams, fines_for_conduct

    superior = ("任何单位和个人不得擅自在道路上和其他公共区域内设置固定或者可移动障碍物阻碍机动车停放和通行。\n"
                "违反前款规定，擅自设置固定或者可移动障碍物的，道路范围内由公安机关交通管理部门责令停止违法行为，迅速恢复交通；"
                "实行物业管理的居住小区公共区域内，由住房城乡建设部门依据物业管理的相关规定进行处罚；其他公共场所内，由城市管理"
                "综合执法部门责令停止违法行为，恢复原状，并处五百元以上一千元以下罚款。")
    cb = content_bigrams("在道路和实行物业管理的居住小区以外的其他公共场所擅自设置固定或者可移动障碍物")
    assert fines_for_conduct(superior, cb) == superior.split("\n")[1]
    assert fines_for_conduct(superior, content_bigrams("在公共场所乱扔果皮纸屑")) is None


@pytest.mark.parametrize("category,positive,near_miss", CASES)
def test_rule_positive_and_near_miss(category: str, positive: str, near_miss: str) -> None:
    assert category in cats(review(positive)), f"missed: {positive}"
    assert category not in cats(review(near_miss)), f"false flag: {near_miss}"


def test_penalty_range_against_cited_article() -> None:
    bad = review("违反规定的，由区综合行政执法局依照《中华人民共和国噪声污染防治法》第八十二条的规定，对个人可以处五十元以上二百元以下的罚款。")
    f = next(f for f in bad.findings if f.category == "penalty_range")
    assert f.article == 1 and f.quote.startswith("五十元以上二百元以下") and "penalty_creation" not in cats(bad)
    assert f.basis[0].text.startswith("违反本法规定")
    ok = review("违反规定的，依照《中华人民共和国噪声污染防治法》第八十二条的规定，对个人可以处三百元以上一千元以下的罚款。")
    assert "penalty_range" not in cats(ok), "a narrower range inside the superior range is a lawful 裁量基准"


def test_issuer_authority() -> None:
    assert "issuer_authority" in cats(review("内容。", issuer="青川区创建文明城市工作指挥部"), 0)
    assert "issuer_authority" in cats(review("内容。", issuer="青川区校外培训治理工作领导小组办公室"), 0)
    assert "issuer_authority" in cats(review("内容。", issuer="青川区安全生产工作联席会议办公室"), 0)
    assert "issuer_authority" not in cats(review("内容。", issuer="青川区人民政府办公室"), 0)
    assert "issuer_authority" not in cats(review("内容。", issuer="青川区卫生健康委员会"), 0)


def test_validity_period() -> None:
    assert "validity_period" in cats(review("内容。", tail="本办法自印发之日起施行。"), 0)
    assert "validity_period" in cats(review("内容。", tail="本办法自2026年4月1日起施行，有效期十年。"), 0)
    assert "validity_period" in cats(review("内容。", title="青川区测试办法（试行）",
                                            tail="本办法自2026年4月1日起施行，有效期三年。"), 0)
    assert "validity_period" not in cats(review("内容。", title="青川区测试办法（试行）",
                                                tail="本办法自2026年4月1日起施行，有效期两年。"), 0)
    # Exactly five years is within the limit.
    assert "validity_period" not in cats(review("内容。", tail="本办法自2026年3月15日起施行，有效期至2031年3月14日。"), 0)


def test_effective_before_issue_is_retroactive() -> None:
    rep = review("内容。", tail="本办法自2025年1月1日起施行，有效期至2029年12月31日。")
    assert any(f.category == "retroactivity" and f.article == 2 for f in rep.findings)


def test_citation_findings_and_quotes() -> None:
    rep = review("依照《中华人民共和国噪声污染防治法》第九十九条的规定处理。")
    f = next(f for f in rep.findings if f.category == "citation_nonexistent")
    assert f.quote == "《中华人民共和国噪声污染防治法》第九十九条"


def test_quote_is_exact_span() -> None:
    rep = review("携犬出户未系犬绳的，由区综合行政执法局责令改正，处二百元以上五百元以下罚款。")
    for f in rep.findings:
        assert rep.draft.text[f.start:f.end] == f.quote


def test_rule_catalogue_is_valid_data() -> None:
    rules = load_rules()
    assert len({r.id for r in rules}) == len(rules) >= 20
    assert all(r.basis or r.kind == "citation" for r in rules)
    with pytest.raises(RuleError, match="kind"):
        parse_rule({"id": "X", "category": "x", "kind": "nope", "severity": "high", "message": "m"})
    with pytest.raises(RuleError, match="正则"):
        parse_rule({"id": "X", "category": "x", "kind": "pattern", "severity": "high", "message": "m", "triggers": ["("]})


def test_as_of_defaults_to_effective_date() -> None:
    rep = review("内容。")
    assert rep.as_of == dt.date(2026, 4, 1)


def test_cited_article_must_provide_the_licence_or_fee() -> None:
    # The citation excuses nothing when the cited article does not provide that licence / fee.
    rep = review("依照《中华人民共和国道路交通安全法》第八十九条的规定，取得《停放许可证》后方可停放。")
    assert "licensing_creation" in cats(rep)
    rep = review("商户应当依照《中华人民共和国固体废物污染环境防治法》第五十八条的规定缴纳门前保洁费。")
    assert "fee_creation" in cats(rep)


def test_arrears_as_a_condition_is_not_a_fee() -> None:
    rep = review("有家庭成员欠缴物业费的，不予办理入学登记。")
    assert "fee_creation" not in cats(rep) and "rights_restriction" in cats(rep)


def test_uncited_fine_above_superior_range_is_penalty_range() -> None:
    rep = review("个人在运输过程中沿途丢弃、遗撒生活垃圾的，由区综合行政执法局责令改正，处一千元以上三千元以下的罚款。")
    f = next(f for f in rep.findings if f.category == "penalty_range")
    assert "penalty_creation" not in cats(rep)
    assert f.quote.startswith("一千元以上三千元以下") and f.basis[0].title.endswith("固体废物污染环境防治法")
    assert "100元–500元" in f.message, "the individual's range, not the unit's"
    # Inside the superior range: not re-labelled (a creation without citation is still reported).
    rep = review("个人在运输过程中沿途丢弃、遗撒生活垃圾的，由区综合行政执法局责令改正，处一百元以上三百元以下的罚款。")
    assert "penalty_range" not in cats(rep)
    # Conduct no superior provision fines: stays penalty_creation.
    rep = review("商户未按规定摆放绿植的，由区综合行政执法局处五百元以上一千元以下罚款。")
    assert "penalty_creation" in cats(rep) and "penalty_range" not in cats(rep)


def test_aggravated_fine_bounded_by_the_cited_range() -> None:
    rep = review("非机动车驾驶人违反道路通行规定的，由公安机关交通管理部门依照《中华人民共和国道路交通安全法》第八十九条的规定，处警告或者五元以上五十元以下罚款。",
                 "一年内三次以上违反通行规定的非机动车驾驶人，由公安机关交通管理部门从重处罚，处二百元罚款。")
    assert "penalty_range" in cats(rep, 2) and "penalty_creation" not in cats(rep, 2)
    assert not cats(rep, 1) & {"penalty_range", "penalty_creation"}


def test_shortened_remedy_deadline_is_rights_restriction() -> None:
    rep = review("供应商认为采购文件、采购过程和中标、成交结果使自己的权益受到损害的，应当在知道或者应知其权益受到损害之日起三个工作日内，以书面形式向采购人提出质疑；逾期提出的，采购人不予受理。")
    f = next(f for f in rep.findings if f.rule == "B15")
    assert f.category == "rights_restriction" and f.quote.startswith("三个工作日内")
    assert "七个工作日" in f.message and f.basis[0].title == "中华人民共和国政府采购法" and f.basis[0].article == "第五十二条"
    # The statutory limit restated, a longer one, and a limit on the administration: not flagged.
    for ok in ("供应商认为采购过程使自己的权益受到损害的，可以在知道或者应知其权益受到损害之日起七个工作日内，以书面形式向采购人提出质疑。",
               "供应商认为采购过程使自己的权益受到损害的，可以在知道或者应知其权益受到损害之日起十个工作日内，以书面形式向采购人提出质疑。",
               "采购人应当在收到供应商的书面质疑后三个工作日内作出答复，并以书面形式通知质疑供应商。"):
        assert "B15" not in {f.rule for f in review(ok).findings}, ok


def test_uncited_ban_longer_than_the_superior_one_is_penalty_range() -> None:
    rep = review("供应商提供虚假材料谋取中标、成交的，由区财政局处以采购金额千分之五以上千分之十以下的罚款，列入不良行为记录名单，在三年至五年内禁止其参加本区政府采购活动。")
    f = next(f for f in rep.findings if f.category == "penalty_range")
    assert f.quote.startswith("三年至五年内禁止") and "1年–3年" in f.message and "3年–5年" in f.message
    assert f.basis[0].title == "中华人民共和国政府采购法"
    rep = review("供应商提供虚假材料谋取中标、成交的，由区财政局处以采购金额千分之五以上千分之十以下的罚款，列入不良行为记录名单，在一年至三年内禁止其参加本区政府采购活动。")
    assert "penalty_range" not in cats(rep)


def test_disclosing_own_charges_and_hearing_procedure_set_nothing() -> None:
    rep = review("校外培训机构收取费用的项目和标准，应当向社会公示。")
    assert "fee_creation" not in cats(rep)
    rep = review("区教育和体育局拟作出吊销办学许可证、较大数额罚款等行政处罚决定的，应当告知当事人有要求听证的权利。")
    assert "penalty_creation" not in cats(rep)


def test_hearing_request_window_named_before_the_limit() -> None:
    rep = review("当事人要求听证的，应当在被告知后二日内提出，逾期视为放弃听证权利。")
    f = next(f for f in rep.findings if f.rule == "B15")
    assert f.quote == "二日内提出" and "五日" in f.message and f.basis[0].title == "中华人民共和国行政处罚法"
    assert "B15" not in {f.rule for f in review("当事人要求听证的，应当在行政机关告知后五日内提出。").findings}


def test_city_regulation_bounds_a_penalty_list_item_by_item() -> None:
    # The draft cites the city's regulation (第一条), so the city's fines are the superior range;
    # each item of the penalty list is compared with its own conduct.
    first = "为了规范养犬行为，根据《临沂市文明行为促进条例》，制定本办法。"
    rep = review(first, "违反本办法规定，有下列情形之一的，按照以下规定处理：（一）携犬出户不束犬链或者不由成年人牵领的，由区公安分局责令改正，"
                 "可以处二百元以上一千元以下罚款；（二）携犬出户不及时清除犬粪的，由区综合行政执法局责令改正，可以处五十元以上二百元以下罚款。")
    found = [f for f in rep.findings if f.article == 2]
    assert [f.category for f in found] == ["penalty_range"], found
    assert found[0].quote.startswith("二百元以上一千元以下") and found[0].basis[0].title == "临沂市文明行为促进条例"
    # Without the citation the city is unknown: its regulation is not used.
    rep = review("违反本办法规定，有下列情形之一的，按照以下规定处理：（一）携犬出户不束犬链或者不由成年人牵领的，由区公安分局责令改正，"
                 "可以处二百元以上一千元以下罚款；（二）携犬出户不及时清除犬粪的，由区综合行政执法局责令改正，可以处五十元以上二百元以下罚款。")
    assert "penalty_range" not in cats(rep)


def test_list_item_conduct_matches_with_the_lead_paragraphs_subject() -> None:
    # The item says what was done (抽逃出资、挪用办学经费), the lead says by whom (举办者及实际控制人):
    # together they are the conduct the draft's ban is compared against.
    rep = review("校外培训机构的举办者、实际控制人抽逃出资、挪用办学经费的，由区教育和体育局责令限期改正；有违法所得的，退还所收费用后没收违法所得；"
                 "情节严重的，三年至十年内不得新成为民办学校举办者或者实际控制人。")
    f = next(f for f in rep.findings if f.category == "penalty_range")
    assert "1年–5年" in f.message and "3年–10年" in f.message and "penalty_creation" not in cats(rep)


def test_cited_local_regulation_read_article_by_article_paragraph_fined_by_the_next() -> None:
    # 第四十一条: paragraph 1 prohibits, paragraph 2 (违反前款规定的) fines. The draft names the
    # regulation as its basis in 第一条; its fines repeated → nothing, changed → penalty_range.
    first = "为了规范户外广告设施和招牌设置，根据《济宁市城镇容貌和环境卫生管理条例》，制定本办法。"
    same = ("擅自在道路两侧、过街天桥、公园、广场等公共场所涂写、刻画广告或者张贴、散发印刷品广告的，对具体行为实施者处以五十元以上二百元以下的罚款；"
            "对广告发布者没收非法财物和违法所得，处以二万元以上五万元以下的罚款。")
    rep = review(first, same)
    assert not [f for f in rep.findings if f.article == 2], rep.findings
    rep = review(first, same.replace("五十元以上二百元以下", "五百元以上二千元以下"))
    f = next(f for f in rep.findings if f.article == 2)
    assert f.category == "penalty_range" and f.basis[0].title == "济宁市城镇容貌和环境卫生管理条例"
    assert f.basis[0].article == "第四十一条"


def test_conduct_by_back_reference_is_the_duties_before_it() -> None:
    duties = ("燃气用户及相关单位和个人不得擅自操作公用燃气阀门，不得将燃气管道作为负重支架或者接地引线，不得安装、使用不符合气源要求的燃气燃烧器具，"
              "不得擅自安装、改装、拆除户内燃气设施和燃气计量装置。")
    fine = "有前述行为之一的，由区住房和城乡建设局责令限期改正；逾期不改正的，对单位可以处10万元以下罚款，对个人可以处1000元以下罚款。"
    assert "penalty_creation" not in cats(review(duties + fine))
    assert "penalty_range" in cats(review(duties + fine.replace("10万元以下", "20万元以下")))


def test_superior_fine_whose_conduct_is_in_the_article_it_refers_to() -> None:
    first = "为了预防和扑救森林火灾，根据《烟台市森林防火条例》，制定本办法。"
    fine = ("森林防火期内，在森林防火区吸烟、野炊、祭祀用火、燃放烟花爆竹、烧荒的，由县自然资源局责令停止违法行为，给予警告，"
            "对个人并处五百元以上两千元以下罚款，对单位并处五千元以上三万元以下罚款。")
    rep = review(first, fine)
    f = next(f for f in rep.findings if f.article == 2)
    assert f.category == "penalty_range" and f.basis[0].article == "第四十一条"
    assert "penalty_creation" not in cats(rep, 2)


def test_superior_fine_of_another_kind_is_a_range_change_only_when_surely_about_the_conduct() -> None:
    # The provision fines in 倍 of the gain, the draft in 元. Found by a few shared words, that is no
    # evidence either way: the uncited fine stays penalty_creation.
    ratio = make_law("某某管理条例", {30: "经营者未按时报送经营情况的，由主管部门责令改正，处违法所得一倍以上三倍以下罚款。"},
                     level="行政法规")
    lib = FakeLibrary([ratio])
    kw = dict(title="青川区测试办法", doc_number="青政发〔2026〕1号", issuer="青川区人民政府",
              tail="本办法自2026年4月1日起施行，有效期至2031年3月31日。")
    rep = review_clauses(lib, "未按时报送的，由区市场监督管理局责令改正，处一千元以上五千元以下罚款。", **kw)
    assert "penalty_creation" in cats(rep) and "penalty_range" not in cats(rep)
    # The draft copies the provision's conduct: the same conduct, its fine changed from 倍 to 元.
    rep = review_clauses(lib, "经营者未按时报送经营情况的，由区市场监督管理局责令改正，处一千元以上五千元以下罚款。", **kw)
    assert "penalty_range" in cats(rep) and "penalty_creation" not in cats(rep)


def test_fetching_back_seized_goods_and_holding_an_identity_card_are_not_new_penalties() -> None:
    rep = review("运营企业领回被扣押车辆的，应当在三十日内到指定场所办理。")
    assert "compulsory_measure" not in cats(rep)
    rep = review("区卫生健康局可以先行扣押其医疗美容设备，并暂扣相关人员的身份证件。")
    assert "penalty_creation" not in cats(rep) and "compulsory_measure" in cats(rep)


def test_an_unlawful_charge_named_as_the_violation_is_not_a_fee() -> None:
    assert "fee_creation" not in cats(review("民办幼儿园存在违反规定收取费用行为的，县教育和体育局应当依法处理。"))


def test_cited_local_regulation_is_read_in_the_version_in_force() -> None:
    # The 2024 amendment raised the fine: a draft taking effect in 2026 that repeats the new range
    # repeats superior law; the old range would have made it penalty_range.
    conduct = "任何单位和个人不得在海水浴场内垂钓。"
    old = make_law("日照市海水浴场管理条例", {20: [conduct, "违反前款规定的，处五十元以上二百元以下罚款。"]},
                   level="地方性法规", effective=dt.date(2018, 1, 1), in_force_until=dt.date(2024, 1, 1))
    new = make_law("日照市海水浴场管理条例", {20: [conduct, "违反前款规定的，处一百元以上五百元以下罚款。"]},
                   level="地方性法规", effective=dt.date(2024, 1, 1))
    lib = FakeLibrary([old, new])

    def run(fine: str) -> list:
        rep = review_clauses(lib, "为了规范海水浴场管理，根据《日照市海水浴场管理条例》，制定本办法。",
                             f"在海水浴场内垂钓的，由区海洋发展局{fine}。", title="西湾区测试办法",
                             doc_number="西湾政发〔2026〕1号", issuer="西湾区人民政府",
                             tail="本办法自2026年4月1日起施行，有效期至2031年3月31日。")
        return [f for f in rep.findings if f.article == 2]

    assert run("处一百元以上五百元以下罚款") == []
    stale = run("处五十元以上二百元以下罚款")                 # the repealed version's range
    assert [f.category for f in stale] == ["penalty_range"] and "100元–500元" in stale[0].message


# -- round 13 (blind set 13) -----------------------------------------------------------------------
def review_hedong(lib: FakeLibrary, *articles: str, issuer: str = "禾东区人民政府"):
    """A 禾东区 (嘉兴市, 浙江) draft reviewed against `lib` (blind set 13's setting)."""
    return review_clauses(lib, *articles, title="禾东区测试办法", doc_number="禾东政发〔2026〕1号", issuer=issuer,
                          tail="本办法自2026年5月1日起施行，有效期至2031年4月30日。")


PROPERTY = make_law("嘉兴市住宅物业管理条例", {
    34: "违反本条例第十一条规定，物业服务人未按要求提供相关资料的，由建设主管部门责令限期改正，处一万元以上十万元以下罚款。",
    37: "违反本条例第二十六条规定，物业服务人未按要求公告相关信息的，由建设主管部门责令限期改正，处五千元以上五万元以下罚款。"},
    level="地方性法规")


def test_the_cited_regulation_s_best_matching_article_decides_not_one_with_the_same_number() -> None:
    """Article 34 shares most words (and, by accident, the number 第十一条 the draft refers to);
    article 37 fines this conduct."""
    lib = FakeLibrary([PROPERTY])
    rep = review_hedong(lib, "为了规范物业管理活动，根据《嘉兴市住宅物业管理条例》，制定本办法。",
                        "违反本办法第十一条规定，物业服务人未按要求公告相关信息的，由区住房和城乡建设局责令限期改正，"
                        "处一万元以上十万元以下罚款。", issuer="禾东区住房和城乡建设局")
    f = next(f for f in rep.findings if f.article == 2)
    assert f.category == "penalty_range" and "第三十七条" in f.message


def test_a_citation_whose_content_is_another_current_article_is_outdated() -> None:
    law = make_law("中华人民共和国行政处罚法", {
        27: "违法行为涉嫌犯罪的，行政机关应当及时将案件移送司法机关，依法追究刑事责任。",
        33: "违法行为轻微并及时改正，没有造成危害后果的，不予行政处罚。初次违法且危害后果轻微并及时改正的，可以不予行政处罚。"})
    lib = FakeLibrary([law])

    def run(no: str) -> set[str]:
        return cats(review_hedong(lib, f"违法行为轻微并及时改正，没有造成危害后果的，依照《中华人民共和国行政处罚法》第{no}条的规定"
                                       "不予行政处罚。"))

    assert "citation_outdated_article" in run("二十七")
    assert "citation_outdated_article" not in run("三十三")


# -- round 14 (blind set 14) -----------------------------------------------------------------------
def test_paying_for_custody_when_fetching_back_is_a_fee_and_a_referred_measure_is_not_new() -> None:
    rep = review("依照前条规定暂扣的车辆，由区城市管理和综合执法局指定的停车场统一保管。"
                 "当事人领回车辆时，应当按照每车每日十元的标准向保管单位结清保管费用。")
    assert "fee_creation" in cats(rep) and "compulsory_measure" not in cats(rep)
    assert "fee_creation" not in cats(review("当事人领回车辆时，应当出示身份证件并签字确认。"))


def test_a_department_s_internal_unit_may_not_issue() -> None:
    assert "issuer_authority" in cats(review("为了促进养老服务发展，制定本办法。", issuer="南港区民政局养老服务科"), 0)
    assert "issuer_authority" not in cats(review("为了促进养老服务发展，制定本办法。", issuer="南港区民政局"), 0)


def test_a_repeated_superior_measure_after_a_new_fine_is_judged_part_by_part() -> None:
    """'…处一百元以上二百元以下罚款；非机动车驾驶人拒绝接受罚款处罚的，可以扣留其非机动车': the second
    part repeats 道交法第八十九条 (no compulsory measure created); the first still sets a fine."""
    rep = review("驾驶电动自行车逆向行驶的，由区交警大队处一百元以上二百元以下罚款；"
                 "非机动车驾驶人拒绝接受罚款处罚的，可以扣留其非机动车。")
    assert "compulsory_measure" not in cats(rep) and cats(rep) & {"penalty_creation", "penalty_range"}
    # '逾期不改正的，处…罚款' continues the part before it: never judged alone.
    rep = review("经营者未按规定更换连接软管的，由区住房和城乡建设局责令限期改正；逾期仍不改正的，处五元以上五十元以下罚款。")
    assert "penalty_creation" in cats(rep)


FISCAL = make_law("财政违法行为处罚处分条例", {14: [
    "企业和个人有下列行为之一的，责令改正，调整有关会计账目，追回违反规定使用、骗取的有关资金，给予警告，没收违法所得，"
    "并处被骗取有关资金10%以上50%以下的罚款或者被违规使用有关资金10%以上30%以下的罚款；对直接负责的主管人员和其他直接责任人员处3000元以上5万元以下的罚款：",
    "（一）以虚报、冒领等手段骗取财政资金以及政府承贷或者担保的外国政府贷款、国际金融组织贷款；"]}, level="行政法规")


def test_a_subsidy_obtained_by_fraud_is_fined_within_the_fiscal_regulation_s_range() -> None:
    """骗取补贴 is 财政违法行为处罚处分条例第十四条's 骗取财政资金 in other words
    (corpus/penalty_conducts.yaml): 1–3 倍 exceeds its 10%–50%; 10%–50% repeats it."""
    lib = FakeLibrary([FISCAL])

    def run(fine: str) -> list:
        rep = review_hedong(lib, f"以提供虚假材料等手段骗取本办法规定的补贴的，由区财政局责令退还，并处骗取资金{fine}的罚款。")
        return [f for f in rep.findings if f.article == 1]

    over = run("一倍以上三倍以下")
    assert [f.category for f in over] == ["penalty_range"] and "第十四条" in over[0].message
    assert run("百分之十以上百分之五十以下") == []


# Round 21: a superior found through a title written with 〈〉, a fine referring to a list of
# articles, regions, a law that sets no fine, an implementing regulation's amount, a restated part
# beside a raised one.
SD_ROAD = make_law("山东省实施《中华人民共和国道路交通安全法》办法", {
    28: "驾驶已经登记的非机动车上道路行驶，应当按照规定悬挂号牌。",
    30: "自行车、人力三轮车不得加装动力装置。燃油助力车、电动自行车、残疾人机动轮椅车不得改装动力装置。",
    70: "有违反本办法第二十八条、第三十条规定行为之一的，处二十元罚款。"},
    level="地方性法规", region="山东省")
SH_BIKE = make_law("上海市非机动车安全管理条例", {
    44: "携带电动自行车或者其蓄电池进入电梯轿厢的，由城管执法部门责令改正，可处五十元以上二百元以下罚款。"},
    level="地方性法规", region="上海市")
LAND = make_law("中华人民共和国土地管理法", {
    78: "农村村民未经批准或者采取欺骗手段骗取批准，非法占用土地建住宅的，由县级以上人民政府农业农村主管部门责令退还"
        "非法占用的土地，限期拆除在非法占用的土地上新建的房屋。",
    82: "擅自将农民集体所有的土地通过出让、转让使用权或者出租等方式用于非农业建设，或者违反本法规定，将集体经营性"
        "建设用地通过出让、出租等方式交由单位或者个人使用的，由县级以上人民政府自然资源主管部门责令限期改正，没收违法"
        "所得，并处罚款。"})
LAND_REG = make_law("中华人民共和国土地管理法实施条例", {
    60: "依照《土地管理法》第八十二条的规定处以罚款的，罚款额为违法所得的百分之十以上百分之三十以下。"},
    level="行政法规")
FIRE = make_law("中华人民共和国消防法", {60: [
    "单位违反本法规定，有下列行为之一的，责令改正，处五千元以上五万元以下罚款：",
    "（一）损坏、挪用或者擅自拆除、停用消防设施、器材的；",
    "（二）占用、堵塞、封闭疏散通道、安全出口或者有其他妨碍安全疏散行为的；",
    "个人有前款第一项、第二项行为之一的，处警告或者五百元以下罚款。"]})
LIB21 = FakeLibrary([SD_ROAD, SH_BIKE, LAND, LAND_REG, FIRE])


def review_citing(lib: FakeLibrary, cites: str, *articles: str, issuer: str, **kw: str):
    """A draft whose 第一条 names `cites` as its basis (as drafts do), then `articles` from 第二条."""
    return review_clauses(lib, f"根据{cites}等法律法规，结合本地实际，制定本办法。", *articles, issuer=issuer, **kw)


def review21(*articles: str, issuer: str = "河湾区人民政府", cites: str = "《山东省实施〈中华人民共和国道路交通安全法〉办法》"):
    return review_citing(LIB21, cites, *articles, issuer=issuer)


def test_round21_a_fine_on_one_of_the_conducts_a_regional_regulation_fines() -> None:
    rep = review21("违反规定改装动力装置或者拆除限速装置后上道路行驶的，由公安机关交通管理部门责令恢复原状，处二百元罚款。")
    f = next(f for f in rep.findings if f.category == "penalty_range")
    assert f.article == 2 and "penalty_creation" not in cats(rep, 2)
    # The title the draft writes with 〈〉 is found; in messages a title inside a title takes 〈〉, and a
    # fixed amount reads 20元, not 20元–20元.
    assert "《山东省实施〈中华人民共和国道路交通安全法〉办法》第七十条" in f.message and "（20元）" in f.message
    # '携带电动自行车或者其蓄电池…': 或者 joins two objects; '携带电动自行车' alone is not matched.
    rep = review21("携带电动自行车或者其蓄电池进入电梯轿厢的，由区城市管理局责令改正，处二百元罚款。")
    assert "penalty_creation" in cats(rep, 2) and "penalty_range" not in cats(rep, 2)


def test_round21_another_provinces_regulation_is_no_superior_law() -> None:
    clause = "携带电动自行车或者其蓄电池进入电梯轿厢的，由城管执法部门责令改正，可处五十元以上二百元以下罚款。"
    # A 山东 draft copying 上海's rule still creates the fine.
    assert "penalty_creation" in cats(review21(clause), 2)
    # A 上海 draft restates its own municipality's regulation.
    shanghai = review21(clause, issuer="上海市河湾区人民政府", cites="《上海市非机动车安全管理条例》")
    assert "penalty_creation" not in cats(shanghai, 2)


def test_round21_a_law_that_sets_no_fine_and_a_fine_whose_amount_the_implementing_regulation_sets() -> None:
    # 土地管理法第七十八条 orders the land returned and the house pulled down — no fine: the draft's
    # fine is its own creation, reported with that article as the evidence.
    rep = review21("农村村民未经批准或者采取欺骗手段骗取批准，非法占用土地建住宅的，由区农业农村局责令退还非法占用的"
                   "土地，限期拆除在非法占用的土地上新建的房屋，并按照非法占用土地每平方米五十元以上二百元以下处以罚款。",
                   cites="《中华人民共和国土地管理法》")
    f = next(f for f in rep.findings if f.category == "penalty_creation")
    assert "未设罚款" in f.message and (f.basis[0].title, f.basis[0].article) == ("中华人民共和国土地管理法", "第七十八条")
    assert "penalty_range" not in cats(rep, 2)
    # 第八十二条 fines without an amount; 实施条例第六十条, which cites it, sets 10 %–30 % of the gain.
    conduct = ("擅自将集体经营性建设用地通过出让、出租等方式交由单位或者个人使用的，由区自然资源局责令限期改正，"
               "没收违法所得，并处违法所得")
    ok = review21(conduct + "百分之十以上百分之三十以下罚款。", cites="《中华人民共和国土地管理法》")
    assert not cats(ok, 2) & {"penalty_creation", "penalty_range"}
    bad = review21(conduct + "百分之十以上百分之五十以下罚款。", cites="《中华人民共和国土地管理法》")
    f = next(f for f in bad.findings if f.category == "penalty_range")
    assert f.basis[0].title == "中华人民共和国土地管理法实施条例" and f.basis[0].article == "第六十条"


def test_round21_every_fining_part_must_be_a_restatement() -> None:
    # The unit's fine repeats 消防法第六十条; the individual's is raised above its 五百元以下.
    rep = review21("单位占用、堵塞、封闭疏散通道、安全出口的，由消防救援机构责令改正，处五千元以上五万元以下罚款；"
                   "个人在疏散通道、安全出口停放电动自行车的，由消防救援机构处五百元以上一千元以下罚款。",
                   cites="《中华人民共和国消防法》")
    f = next(f for f in rep.findings if f.category == "penalty_range")
    # Compared with the individual's range: 由消防救援机构 names the organ, not the party fined.
    assert f.quote.startswith("五百元以上一千元以下") and "0元–500元" in f.message
    ok = review21("单位占用、堵塞、封闭疏散通道、安全出口的，由消防救援机构责令改正，处五千元以上五万元以下罚款；"
                  "个人占用、堵塞疏散通道的，由消防救援机构处警告或者五百元以下罚款。", cites="《中华人民共和国消防法》")
    assert not cats(ok, 2) & {"penalty_creation", "penalty_range"}


def test_round21_a_licence_named_elsewhere_in_the_cited_law_and_its_consequence() -> None:
    from legalkb.review.testing import make_law as law

    school = law("中华人民共和国民办教育促进法", {
        12: "举办实施学历教育、学前教育、自学考试助学及其他文化教育的民办学校，由县级以上人民政府教育行政部门按照国家规定的权限审批。",
        18: "审批机关对批准正式设立的民办学校发给办学许可证。"})
    lib = FakeLibrary([school])
    rep = review_clauses(lib, "举办文化教育类培训机构，应当依照《中华人民共和国民办教育促进法》第十二条的规定，经区教育和体育局"
                              "审批，取得办学许可证后方可开展培训活动。")
    assert "licensing_creation" not in cats(rep)
    # A service refused for want of the draft's own licence is part of that licence, not a second finding.
    rep = review_clauses(lib, "经营者应当向区商务局申请经营资格核准，取得《经营服务资格证》后方可从事相关经营活动；"
                              "未取得资格证的，相关部门不予办理门头牌匾设置等事项。")
    assert "licensing_creation" in cats(rep) and "rights_restriction" not in cats(rep)


# Round 22: a national regulation's range prevails over the province's; the conduct of an omission
# after a circumstance; a fine set before a 构成犯罪 clause.
GAS_NATIONAL = make_law("城镇燃气管理条例", {45: [
    "违反本条例规定，未取得燃气经营许可证从事燃气经营活动的，由燃气管理部门责令停止违法行为，处5万元以上50万元以下罚款；"
    "有违法所得的，没收违法所得；构成犯罪的，依法追究刑事责任。"]}, level="行政法规")
GAS_PROVINCE = make_law("浙江省燃气管理条例", {40: [
    "未取得燃气经营许可证从事燃气经营活动的，由燃气管理部门责令停止违法行为，处一万元以上十万元以下罚款。"]},
    level="地方性法规", region="浙江省")
HOUSE = make_law("浙江省房屋使用安全管理条例", {39: [
    "违反本条例第十五条第一款至第三款规定，房屋使用安全责任人未委托房屋安全鉴定机构进行房屋安全鉴定的，由县级以上人民政府"
    "住房城乡建设主管部门责令限期委托房屋安全鉴定；逾期不委托的，处一千元以上一万元以下罚款，情节严重的，处一万元以上十万元以下罚款。"]},
    level="地方性法规", region="浙江省")
FUND = make_law("物业管理条例", {60: [
    "违反本条例的规定，挪用专项维修资金的，由县级以上地方人民政府房地产行政主管部门追回挪用的专项维修资金，给予警告，没收违法"
    "所得，可以并处挪用数额2倍以下的罚款；构成犯罪的，依法追究直接负责的主管人员和其他直接责任人员的刑事责任。"]},
    level="行政法规")
LIB22 = FakeLibrary([GAS_NATIONAL, GAS_PROVINCE, HOUSE, FUND])


def review22(*articles: str, cites: str):
    return review_citing(LIB22, cites, *articles, issuer="瓯川县人民政府")


def test_round22_a_national_regulations_range_prevails_over_the_provinces() -> None:
    clause = ("未取得燃气经营许可证从事燃气经营活动的，由县燃气管理部门责令停止违法行为，处五万元以上五十万元以下罚款；"
              "有违法所得的，没收违法所得；构成犯罪的，依法追究刑事责任。")
    rep = review22(clause, cites="《城镇燃气管理条例》《浙江省燃气管理条例》")
    assert not cats(rep, 2) & {"penalty_creation", "penalty_range"}, "restates the national regulation"
    rep = review22(clause.replace("五十万元", "八十万元"), cites="《城镇燃气管理条例》《浙江省燃气管理条例》")
    assert "penalty_range" in cats(rep, 2)


def test_round22_the_omission_after_a_circumstance_is_the_fined_conduct() -> None:
    rep = review22("利用未依法取得建筑工程施工许可证的自建住宅从事民宿经营，未按照本办法第九条规定委托房屋安全鉴定的，由县住房和"
                   "城乡建设局责令限期委托；逾期不委托的，处二万元以上二十万元以下罚款。", cites="《浙江省房屋使用安全管理条例》")
    f = next(f for f in rep.findings if f.category == "penalty_range")
    assert f.basis[0].article == "第三十九条" and "penalty_creation" not in cats(rep, 2)


def test_round22_a_fine_before_a_criminal_referral_is_still_judged() -> None:
    # '构成犯罪' used to excuse the whole sentence; the fine (yuan where the cited regulation fines a
    # multiple of the money) is a range change.
    rep = review22("挪用维修资金的，由县住房和城乡建设局追回挪用的维修资金，给予警告，没收违法所得，并处五万元以上十万元以下罚款；"
                   "构成犯罪的，依法追究直接负责的主管人员和其他直接责任人员的刑事责任。", cites="《物业管理条例》")
    assert "penalty_range" in cats(rep, 2)
    # A referral alone sets no penalty.
    rep = review22("挪用维修资金，构成犯罪的，依法追究刑事责任。", cites="《物业管理条例》")
    assert not cats(rep, 2) & {"penalty_creation", "penalty_range"}



# Round 23: 试行 as the commencement word; a fine for one item of a list article; a national law the
# draft cites read article by article (a fine by reference to another article); a citation in
# another sentence does not excuse this one.
ROAD_REG = make_law("城市道路管理条例", {
    27: ["城市道路范围内禁止下列行为：", "（一）擅自在桥梁或者路灯设施上设置广告牌或者其他挂浮物；", "（二）擅自占用城市道路。"],
    42: "违反本条例第二十七条规定的，由市政工程行政主管部门责令限期改正，可以处以2万元以下的罚款。"}, level="行政法规")
WASTE = make_law("中华人民共和国固体废物污染环境防治法", {111: [
    "违反本法规定，有下列行为之一，由县级以上地方人民政府环境卫生主管部门责令改正，处以罚款，没收违法所得：",
    "（一）随意倾倒、抛撒、堆放或者焚烧生活垃圾的；",
    "（二）工程施工单位擅自倾倒、抛撒或者堆放工程施工过程中产生的建筑垃圾的；",
    "单位有前款第一项行为的，处五万元以上五十万元以下的罚款；单位有前款第二项行为的，处十万元以上一百万元以下的罚款；"
    "个人有前款第一项行为的，处一百元以上五百元以下的罚款。"]})
TREES = make_law("河南省义务植树条例", {17: "未完成义务植树任务的，由县级以上人民政府绿化委员会责令限期完成任务。"},
                 level="地方性法规", region="河南省")
LIB23 = FakeLibrary([ROAD_REG, WASTE, TREES])


def review23(*articles: str, cites: str, **kw: str):
    return review_citing(LIB23, cites, *articles, issuer="伊洛区人民政府", **kw)


def test_round23_a_trial_document_commences_with_试行() -> None:
    rep = review23("内容。", cites="《城市道路管理条例》", title="伊洛区共享单车停放管理办法（试行）",
                   tail="本办法自2026年4月1日起试行，有效期三年。")
    assert "validity_period" in cats(rep, 0)
    assert rep.draft.effective == dt.date(2026, 4, 1)


def test_round23_the_fine_for_the_item_the_conduct_is() -> None:
    rep = review23("工程施工单位擅自倾倒、抛撒或者堆放工程施工过程中产生的建筑垃圾的，由区城市管理局责令改正，处五万元以上"
                   "五十万元以下的罚款。", cites="《中华人民共和国固体废物污染环境防治法》")
    f = next(f for f in rep.findings if f.category == "penalty_range")
    assert "100,000元–1,000,000元" in f.message, "the unit's fine for item 二, not item 一's"


def test_round23_a_cited_national_regulation_fines_by_reference() -> None:
    rep = review23("擅自在桥梁或者路灯设施上设置广告牌或者其他挂浮物的，由区城市管理局责令限期改正，处二万元以上五万元以下罚款。",
                   cites="《城市道路管理条例》")
    f = next(f for f in rep.findings if f.category == "penalty_range")
    assert f.basis[0].article == "第四十二条" and "penalty_creation" not in cats(rep, 2)


def test_round23_a_referral_in_another_sentence_does_not_excuse_a_fee() -> None:
    rep = review23("义务植树的任务数量，按照《河南省义务植树条例》执行。单位未完成义务植树任务的，由区绿化委员会责令限期完成；"
                   "逾期仍未完成的，按照每人每年九十元的标准缴纳义务植树绿化费。", cites="《城市道路管理条例》")
    assert "fee_creation" in cats(rep, 2)
    # A sentence pointing back to it ('上述规定') is governed by it.
    rep = review23("单位未完成义务植树任务的，按照《河南省义务植树条例》第十七条的规定处理。对上述单位，按照每人每年九十元的"
                   "标准缴纳义务植树绿化费。", cites="《城市道路管理条例》")
    assert "fee_creation" in cats(rep, 2), "17 provides no fee: the citation does not excuse it"


def test_round23_papers_held_until_the_inquiry_are_a_measure_not_a_penalty() -> None:
    rep = review("执法检查中，对拒不配合调查的驾驶员，执法人员可以暂扣其机动车驾驶证和车辆行驶证，待其接受调查处理后予以返还。")
    assert "compulsory_measure" in cats(rep) and "penalty_creation" not in cats(rep)



def test_round24_tiers_of_a_fine_are_compared_tier_by_tier() -> None:
    express = make_law("快递暂行条例", {40: [
        "经营快递业务的企业或者其分支机构有下列行为之一的，由邮政管理部门责令改正，可以处1万元以下的罚款；情节严重的，处1万元以上"
        "5万元以下的罚款，并可以责令停业整顿：", "（一）开办快递末端网点未向所在地邮政管理部门备案；"]}, level="行政法规")
    lib = FakeLibrary([express])
    kw = dict(title="浦汇区测试办法", doc_number="浦汇府规〔2026〕1号", issuer="上海市浦汇区人民政府")
    raised = review_citing(lib, "《快递暂行条例》",
                            "快递末端网点未向所在地邮政管理部门备案的，由邮政管理部门责令改正，处一万元以上三万元以下罚款；"
                            "情节严重的，处三万元以上五万元以下罚款。", **kw)
    f = next(f for f in raised.findings if f.category == "penalty_range")
    assert f.article == 2 and "10,000元" in f.message    # the ordinary case against 1万元以下
    same = review_citing(lib, "《快递暂行条例》",
                          "快递末端网点未向所在地邮政管理部门备案的，由邮政管理部门责令改正，可以处一万元以下罚款；"
                          "情节严重的，处一万元以上五万元以下罚款。", **kw)
    assert not cats(same, 2) & {"penalty_range", "penalty_creation"}


def test_round25_a_fine_after_违反规定_takes_the_conduct_of_the_sentence_before() -> None:
    fire = make_law("广东省实施《中华人民共和国消防法》办法", {49: [
        "违反本办法规定，在公共门厅、疏散通道、安全出口、楼梯间停放电动自行车或者为电动自行车充电的，由消防救援机构责令改正；"
        "拒不改正的，对单位处一千元以上五千元以下罚款，对个人处二百元以上一千元以下罚款。"]},
        level="地方性法规", region="广东省")
    lib = FakeLibrary([fire])
    rep = review_citing(lib, "《广东省实施〈中华人民共和国消防法〉办法》",
                         "禁止在出租屋的公共门厅、疏散通道、安全出口、楼梯间停放电动自行车或者为电动自行车充电。违反规定的，由消防"
                         "救援机构责令立即改正；拒不改正的，对单位处一千元以上五千元以下罚款，对个人处五百元以上二千元以下罚款。",
                         issuer="榕江县人民政府")
    f = next(f for f in rep.findings if f.category == "penalty_range")
    assert f.quote.startswith("五百元以上二千元以下") and "penalty_creation" not in cats(rep, 2)


def test_round25_one_sentence_joining_several_items_restates_their_fine() -> None:
    permit = make_law("居住证暂行条例", {18: [
        "有下列行为之一的，由公安机关给予警告、责令改正，处200元以下罚款，有违法所得的，没收违法所得：",
        "(一)使用虚假证明材料骗领居住证；", "(二)出租、出借、转让居住证；", "(三)非法扣押他人居住证。"]},
        level="行政法规")
    lib = FakeLibrary([permit])
    clause = ("使用虚假证明材料骗领居住证，出租、出借、转让居住证，或者非法扣押他人居住证的，由公安机关给予警告、责令改正，"
              "处二百元以下罚款，有违法所得的，没收违法所得。")
    rep = review_clauses(lib, clause, title="榕江县测试办法", doc_number="榕府规〔2026〕1号", issuer="榕江县人民政府")
    assert not cats(rep) & {"penalty_creation", "penalty_range", "compulsory_measure"}
    raised = review_clauses(lib, clause.replace("处二百元以下罚款", "处五百元以上一千元以下罚款"),
                            title="榕江县测试办法", doc_number="榕府规〔2026〕1号", issuer="榕江县人民政府")
    assert "penalty_range" in cats(raised)


def test_round28_the_act_is_matched_without_its_long_subject() -> None:
    # '提供餐饮服务的托管机构未取得小餐饮登记证从事食品经营' — the regulation says '食品小作坊、小餐饮未取得
    # 登记证从事食品生产经营': matched from the act on, in the regulation the draft cites.
    reg = make_law("山东省食品小作坊小餐饮和食品摊点管理条例", {41: [
        "违反本条例规定，食品小作坊、小餐饮未取得登记证从事食品生产经营的，由县（市、区）人民政府食品药品监督管理部门责令限期"
        "改正；逾期不改正的，没收违法所得和违法生产经营的食品、食品添加剂，并处二千元以上二万元以下罚款。"]},
        level="地方性法规", region="山东省")
    lib = FakeLibrary([reg])
    rep = review_citing(lib, "《山东省食品小作坊小餐饮和食品摊点管理条例》",
                         "提供餐饮服务的托管机构未取得小餐饮登记证从事食品经营的，由县市场监督管理局责令限期改正；逾期不改正的，"
                         "没收违法所得和违法经营的食品，并处五千元以上五万元以下罚款。",
                         issuer="沂阳县人民政府")
    f = next(f for f in rep.findings if f.category == "penalty_range")
    assert f.basis[0].article == "第四十一条" and "penalty_creation" not in cats(rep, 2)


def test_round29_a_document_issued_by_a_service_centre() -> None:
    rep = review_clauses(LIB, "定点医药机构应当遵守服务协议。", "本办法自2026年5月1日起施行，有效期五年。",
                         title="洛滨区定点医药机构监督管理办法", doc_number="洛滨医保〔2026〕1号", issuer="洛滨区医疗保障服务中心")
    f = next(f for f in rep.findings if f.category == "issuer_authority")
    assert f.rule == "A06" and "事业单位" in f.message
    ok = review_clauses(LIB, "定点医药机构应当遵守服务协议。", "本办法自2026年5月1日起施行，有效期五年。",
                        title="洛滨区定点医药机构监督管理办法", doc_number="洛滨医保〔2026〕1号", issuer="洛滨区医疗保障局")
    assert "issuer_authority" not in cats(ok, None)


def test_round29_a_filing_restated_as_an_approval_is_a_licence() -> None:
    # 人力资源市场暂行条例第十八条: a licence for 职业中介 (first 款), only a 备案 for the other services
    # (second 款) — the draft copies the second and turns it into an approval.
    reg = make_law("人力资源市场暂行条例", {18: [
        "经营性人力资源服务机构从事职业中介活动的，应当依法向人力资源社会保障行政部门申请行政许可，取得人力资源服务许可证。",
        "经营性人力资源服务机构开展人力资源供求信息的收集和发布、就业和创业指导、人力资源管理咨询、人力资源测评、人力资源培训、"
        "承接人力资源服务外包等人力资源服务业务的，应当自开展业务之日起15日内向人力资源社会保障行政部门备案。"]},
        level="行政法规")
    lib = FakeLibrary([reg])
    approval = ("经营性人力资源服务机构开展人力资源供求信息的收集和发布、人力资源测评、人力资源管理咨询、人力资源服务外包等业务的，"
                "应当向区人力资源和社会保障局提出申请，经审核同意并取得《人力资源服务业务备案核准书》后，方可开展相关业务。")
    assert "licensing_creation" in cats(review_citing(lib, "《人力资源市场暂行条例》", approval, issuer="洛滨区人民政府"), 2)
    licence = ("经营性人力资源服务机构从事职业中介活动的，应当依法向区人力资源和社会保障局申请行政许可，"
               "取得人力资源服务许可证后，方可从事职业中介活动。")
    assert "licensing_creation" not in cats(review_citing(lib, "《人力资源市场暂行条例》", licence, issuer="洛滨区人民政府"), 2)


def test_round29_a_deadline_shorter_than_the_provinces_regulation() -> None:
    reg = make_law("河南省见义勇为人员奖励和保障条例", {11: [
        "举荐、申报确认见义勇为人员的，一般应当自行为发生之日起二年内，向评定委员会提出，并提供下列相应证明材料："]},
        level="地方性法规", region="河南省")
    lib = FakeLibrary([reg])
    short = "举荐、申报确认见义勇为人员的，应当自行为发生之日起一年内向区见义勇为评定委员会提出；逾期提出的，不予受理。"
    f = next(f for f in review_citing(lib, "《河南省见义勇为人员奖励和保障条例》", short, issuer="洛滨区人民政府").findings
             if f.category == "rights_restriction")
    assert f.article == 2 and f.basis[0].article == "第十一条"
    same = short.replace("一年内", "二年内")
    assert "rights_restriction" not in cats(review_citing(lib, "《河南省见义勇为人员奖励和保障条例》", same, issuer="洛滨区人民政府"), 2)
    # Local regulations are searched in the draft's own province only (another province's limit is no
    # measure for it).
    assert {"rerank": False, "region": ("河南省",)} in lib.search_options


def test_round31_a_repealed_code_ending_in_zongze_is_a_citation() -> None:
    # 民法总则 and 民法通则 end in neither 法 nor 规则: a bare 《…总则》 was not taken for a law.
    from legalkb.ingest.status import StatusRegistry

    lib = FakeLibrary([], registry=StatusRegistry.load())
    rep = review_clauses(lib, "经济合作社依照《中华人民共和国民法总则》的规定取得特别法人资格。",
                         "村民委员会依照《中华人民共和国民法通则》的规定从事民事活动。",
                         title="江湾区测试办法", doc_number="江府规〔2026〕1号", issuer="江湾区人民政府")
    assert {(f.article, f.quote) for f in rep.findings if f.category == "citation_repealed"} == {
        (1, "《中华人民共和国民法总则》"), (2, "《中华人民共和国民法通则》")}


def test_round33_one_fine_one_category() -> None:
    """A body that may not fine at all (a property company, a service centre) is given a power; an
    organ that may fine (a 街道办事处) creates a fine — unless the draft hands it the power."""
    lib = FakeLibrary([])

    def rules(clause: str) -> set[str]:
        rep = review_clauses(lib, clause, title="青川区测试办法", doc_number="青政发〔2026〕1号", issuer="青川区人民政府")
        return {f.rule for f in rep.findings if f.article == 1}

    assert rules("物业服务企业可以对拒不纠正的占用人处五十元以上二百元以下罚款。") == {"A03"}
    assert rules("街道办事处可以对违反规定的商户处二百元以上五百元以下罚款。") == {"B01"}
    assert rules("经区城市管理局书面委托，街道办事处可以对违反规定的商户处二百元以上五百元以下罚款。") == {"A04"}
    # A subsidy withheld from those who pass over the organ's pick is the competition restricted, once.
    picked = review_clauses(lib, "跨境电商企业参加境外展会的，应当由区属国有企业海珠湾会展集团有限公司统一组团报名；"
                                 "未通过该公司组团参展的，不予享受展位费补贴。",
                            title="青川区测试办法", doc_number="青政发〔2026〕1号", issuer="青川区人民政府")
    assert cats(picked) == {"fair_competition"}


def test_round33_each_fine_against_the_superior_segment_on_its_conduct() -> None:
    # 未成年人保护法第一百二十四条 fines the smoker 500元以下 and the manager who lets him 一万元以下: the
    # smoker's 1,000–2,000 is outside his range, though inside the manager's.
    from legalkb.review.superior import compare_by_actor

    superior = ("违反本法第五十九条第二款规定，在学校、幼儿园和其他未成年人集中活动的公共场所吸烟、饮酒的，由卫生健康、教育、"
                "市场监督管理等部门按照职责分工责令改正，给予警告，可以并处五百元以下罚款；场所管理者未及时制止的，由卫生健康、"
                "教育、市场监督管理等部门按照职责分工给予警告，并处一万元以下罚款。")
    draft = ("在学校、幼儿园和其他未成年人集中活动的公共场所吸烟、饮酒的，由区卫生健康委员会按照职责分工责令改正，"
             "处一千元以上二千元以下罚款。")
    bad, theirs = compare_by_actor(draft, superior)
    assert (bad[0].low, bad[0].high) == (1000, 2000) and [t.high for t in theirs] == [500]
    assert compare_by_actor(draft.replace("处一千元以上二千元以下罚款", "处五百元以下罚款"), superior) is None


def test_a_reference_to_one_paragraph_reads_that_paragraph() -> None:
    from legalkb.review.evidence import _references

    assert _references("第二十三条第二款、第三款") == [(23, 2), (23, 3)]
    assert _references("第五十八条、第五十九条第一款、第六十条") == [(58, 0), (59, 1), (60, 0)]
    assert _references("第二十一条第一款第三项") == [(21, 1)]
    # 第一百二十三条 fines 第五十九条第一款 (selling near schools), 第一百二十四条 its 第二款 (smoking there).
    law = make_law("中华人民共和国未成年人保护法", {
        59: ["学校、幼儿园周边不得设置烟、酒、彩票销售网点。", "任何人不得在学校、幼儿园和其他未成年人集中活动的公共场所吸烟、饮酒。"],
        123: "相关经营者违反本法第五十八条、第五十九条第一款、第六十条规定的，由市场监督管理部门责令限期改正，可以并处五万元以下罚款。"})
    from legalkb.review.evidence import Retriever

    arts = {a.label: a for a in Retriever(FakeLibrary([law]), dt.date(2026, 1, 1)).articles_in_force("中华人民共和国未成年人保护法")}
    assert arts["第一百二十三条"].referred == "学校、幼儿园周边不得设置烟、酒、彩票销售网点。"


def test_round35_a_section_of_an_office_and_a_renumbered_fine() -> None:
    # A 科 of the 人民防空办公室 issues the document (an internal section, like a 局's 科).
    rep = review_clauses(LIB, "人民防空工程平时使用应当遵守本办法。", title="剡溪县人民防空工程管理办法",
                         doc_number="剡人防〔2025〕3号", issuer="剡溪县人民防空办公室工程管理科")
    assert "issuer_authority" in cats(rep, None)
    # A fine next to a renumbered citation is measured against the article the number means today.
    old = make_law("军人抚恤优待条例", {48: "本条例旧条文。"}, effective=dt.date(2019, 3, 2), level="行政法规")
    new = make_law("军人抚恤优待条例", {48: "本条例另一条文。", 57: [
        "负有军人优待义务的单位不履行优待义务的，由县级人民政府退役军人工作主管部门责令限期履行义务；逾期仍未履行的，"
        "处2万元以上5万元以下罚款。"]}, effective=dt.date(2024, 10, 1), level="行政法规")
    lib = FakeLibrary([old, new])
    rep = review_clauses(lib, "负有优待义务的单位不履行优待义务的，依照《军人抚恤优待条例》第四十八条的规定，由县退役军人事务局"
                              "责令限期履行义务；逾期仍未履行的，处二千元以上一万元以下罚款。",
                         title="剡溪县优待办法", doc_number="剡退役〔2025〕1号", issuer="剡溪县退役军人事务局")
    f = next(f for f in rep.findings if f.category == "penalty_range")
    assert "第五十七条" in f.message and f.basis[0].article == "第五十七条"


def test_round37_a_document_issued_by_an_archive_or_an_association() -> None:
    for issuer in ("嵩阳县档案馆", "浦江新区商品交易市场行业协会"):
        rep = review_clauses(LIB, "档案利用应当遵守本办法。", title="测试办法", doc_number="测〔2025〕1号", issuer=issuer)
        assert any(f.rule == "A06" for f in rep.findings), issuer


def test_round37_a_repealed_basis_excuses_no_fee_and_a_restated_seizure_keeps_its_measure() -> None:
    from legalkb.ingest.status import RegistryEntry, StatusRegistry

    reg = StatusRegistry([RegistryEntry("中华人民共和国档案法实施办法", "档案法实施办法", dt.date(2024, 3, 1),
                                        "档案法实施条例", "档案法实施条例第五十二条")])
    lib = FakeLibrary([], registry=reg)
    rep = review_clauses(lib, "依照《中华人民共和国档案法实施办法》第二十一条的规定，县档案馆提供社会利用的档案，按照每卷次十元的标准"
                              "收取档案查阅服务费。", title="嵩阳县档案管理办法", doc_number="嵩政〔2025〕2号", issuer="嵩阳县人民政府")
    assert {"fee_creation", "citation_repealed"} <= cats(rep)
    # 校车安全管理条例第四十五条 restated with a lowered fine: the fine is wrong, the seizure is the law's.
    school = make_law("校车安全管理条例", {45: [
        "使用未取得校车标牌的车辆提供校车服务，或者使用未取得校车驾驶资格的人员驾驶校车的，由公安机关交通管理部门扣留该机动车，"
        "处1万元以上2万元以下的罚款，有违法所得的予以没收。"]}, level="行政法规")
    rep = review_clauses(FakeLibrary([school]), "使用未取得校车标牌的车辆提供校车服务，或者使用未取得校车驾驶资格的人员驾驶校车的，"
                         "由公安机关交通管理部门扣留该机动车，处五千元以上一万元以下的罚款，有违法所得的予以没收。",
                         title="嵩阳县校车管理办法", doc_number="嵩政〔2025〕3号", issuer="嵩阳县人民政府")
    assert "penalty_range" in cats(rep) and "compulsory_measure" not in cats(rep)
