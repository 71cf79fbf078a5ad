"""Demo content: a county's standard village lists and smaller township and office lists.

Item names, process steps and thresholds follow published practice (宁海“小微权力清单36条”,
“五议决策法”, “四议两公开”, the 社会救助暂行办法 procedures); see
shared/reference/domain-research.md §1. Names of people are invented demo data.
"""

from enum import StrEnum

from app.powerlist.specs import (
    CATEGORY_COLLECTIVE,
    CATEGORY_SERVICE,
    CadreDutySpec,
    DisclosureSpec,
    ItemSpec,
    LegalBasisSpec,
    ListContent,
    ListKind,
    NegativeSpec,
    RiskLevel,
    RiskSpec,
    StepKind,
    StepSpec,
    TimeUnit,
)

HIGH, MEDIUM, LOW = RiskLevel.HIGH, RiskLevel.MEDIUM, RiskLevel.LOW
CAL = TimeUnit.CALENDAR

# Laws and rules cited by the items (titles as printed, articles where the rule is specific).
VILLAGE_LAW = "《中华人民共和国村民委员会组织法》"
PARTY_RULES = "《中国共产党农村基层组织工作条例》"
LAND_LAW = "《中华人民共和国土地管理法》"
RELIEF_RULES = "《社会救助暂行办法》"
CIVIL_CODE = "《中华人民共和国民法典》"
FINANCE_RULES = "《农村集体经济组织财务制度》"
DISCIPLINE = "《中国共产党纪律处分条例》"
PUBLIC_CHANNEL = "村务公开栏、“监督一点通”平台"
QUARTERLY = "每季度首月 20 日前"

ACCOUNTABILITY_VILLAGE = (
    "违反规定程序或造成集体损失的，由乡镇党委、政府责令纠正，视情节对相关村干部进行批评教育、"
    "诫勉谈话或组织处理；涉嫌违纪违法的，移送纪检监察机关依规依纪依法处理。"
)
ACCOUNTABILITY_SERVICE = (
    "推诿拖延、吃拿卡要或优亲厚友的，由乡镇纪委督促整改并追究相关人员责任；"
    "弄虚作假骗取资金的，依法追回并移送有关机关处理。"
)


def _law(title: str, article: str = "") -> LegalBasisSpec:
    return LegalBasisSpec(title=title, article=article)


def _step(
    name: str,
    actor: str,
    limit: int | None = None,
    *,
    unit: TimeUnit = TimeUnit.WORKING,
    description: str = "",
    disclosure: str = "",
    decision: bool = False,
    reject_to: int | None = None,
    reject_label: str = "不通过",
) -> StepSpec:
    return StepSpec(
        name=name,
        actor=actor,
        time_limit=limit,
        time_unit=unit,
        description=description,
        disclosure=disclosure,
        kind=StepKind.DECISION if decision else StepKind.TASK,
        reject_to=reject_to,
        reject_label=reject_label,
    )


def _risk(description: str, level: RiskLevel, measure: str) -> RiskSpec:
    return RiskSpec(description=description, level=level, measure=measure)


def _disclose(
    content: str, deadline: str = QUARTERLY, channel: str = PUBLIC_CHANNEL
) -> DisclosureSpec:
    return DisclosureSpec(content=content, deadline=deadline, channel=channel)


def _five_step_decision(first: str = "党员群众建议") -> list[StepSpec]:
    """宁海“五议决策法” preceded by the proposal and followed by publication and execution."""
    return [
        _step(first, "党员、村民、村民小组", description="党员、群众以书面或口头形式提出建议"),
        _step("村党组织提议", "村党组织", 5, description="村党组织研究形成初步方案"),
        _step(
            "村务联席会议商议",
            "村党组织、村民委员会、村务监督委员会",
            5,
            description="村“两委”和村务监督委员会联席会议商议，完善方案",
            disclosure="方案在村务公开栏公示 15 日以上",
        ),
        _step(
            "党员大会审议",
            "村党组织",
            3,
            description="到会党员须达党员总数三分之二以上，应到会党员过半数同意",
            decision=True,
            reject_to=2,
        ),
        _step(
            "村民（代表）会议决议",
            "村民委员会",
            5,
            description="到会人员过半数同意方可形成决议",
            decision=True,
            reject_to=2,
        ),
        _step("决议公开", "村民委员会", 3, unit=CAL, disclosure="决议结果公示 3 日"),
        _step(
            "组织实施",
            "村民委员会",
            description="村务监督委员会全程监督，实施结果公开，接受群众评议",
            disclosure="实施结果在村务公开栏公告",
        ),
    ]


def _village_items() -> list[ItemSpec]:
    return [
        # --- 集体管理（公共权力） ------------------------------------------------------
        ItemSpec(
            number="1.1",
            name="村级重大事项决策",
            category=CATEGORY_COLLECTIVE,
            responsible="村党组织、村民委员会",
            legal_bases=[
                _law(VILLAGE_LAW, "第二十四条"),
                _law(PARTY_RULES, "第十九条"),
            ],
            steps=_five_step_decision(),
            materials=["决策事项建议书", "决策方案", "各环节会议记录和签到表"],
            disclosure=_disclose(
                "决策事项、方案、表决结果和实施情况",
                "方案公示不少于 15 日，决议公示 3 日，实施结果随时公布",
            ),
            risks=[
                _risk(
                    "未经民主程序由个别人拍板决定重大事项",
                    HIGH,
                    "严格执行五议决策法，村务监督委员会全程监督，会议记录存档备查",
                ),
                _risk(
                    "会议到会人数不足或表决弄虚作假", HIGH, "签到表、表决票存档，乡镇联村干部列席"
                ),
            ],
            accountability=ACCOUNTABILITY_VILLAGE,
            negative_refs=["1", "2"],
        ),
        ItemSpec(
            number="1.2",
            name="村级工程项目招投标管理",
            category=CATEGORY_COLLECTIVE,
            responsible="村民委员会",
            legal_bases=[
                _law(VILLAGE_LAW, "第二十四条"),
                _law("《中华人民共和国招标投标法》", "第五条"),
            ],
            steps=[
                _step(
                    "项目立项",
                    "村党组织、村民委员会",
                    10,
                    description="按五议决策法确定项目和建设方案",
                ),
                _step(
                    "编制招标文件",
                    "村民委员会",
                    5,
                    description="委托有资质的机构编制预算和招标文件",
                ),
                _step(
                    "乡镇审核",
                    "乡镇农村工作办公室",
                    5,
                    decision=True,
                    reject_to=2,
                    reject_label="不符合要求",
                ),
                _step(
                    "发布招标公告",
                    "乡镇公共资源交易中心",
                    5,
                    unit=CAL,
                    disclosure="招标公告在交易平台和村务公开栏发布不少于 5 日",
                ),
                _step(
                    "开标评标", "乡镇公共资源交易中心", 1, description="村务监督委员会成员现场监督"
                ),
                _step(
                    "中标公示", "乡镇公共资源交易中心", 3, unit=CAL, disclosure="中标结果公示 3 日"
                ),
                _step(
                    "签订合同并备案",
                    "村民委员会",
                    10,
                    description="合同报乡镇“三资”管理服务中心备案",
                ),
                _step(
                    "竣工验收和结算",
                    "村民委员会、乡镇农村工作办公室",
                    30,
                    unit=CAL,
                    disclosure="验收和结算结果公开",
                ),
            ],
            time_limit=60,
            time_unit=CAL,
            materials=["项目决策会议记录", "项目预算书", "招标文件"],
            disclosure=_disclose("项目名称、预算、中标单位、合同金额、验收结算情况", "随时公布"),
            risks=[
                _risk(
                    "化整为零规避招标、围标串标",
                    HIGH,
                    "限额以上项目一律进乡镇公共资源交易中心，乡镇纪委抽查",
                ),
                _risk("随意变更设计、增加工程量", HIGH, "变更须重新履行决策程序并公示，结算审计"),
                _risk("验收走过场", MEDIUM, "村务监督委员会和村民代表参与验收并签字"),
            ],
            accountability=ACCOUNTABILITY_VILLAGE,
            negative_refs=["3", "4"],
        ),
        ItemSpec(
            number="1.3",
            name="村级集体资产资源处置",
            category=CATEGORY_COLLECTIVE,
            responsible="村股份经济合作社（村民委员会）",
            legal_bases=[
                _law(CIVIL_CODE, "第二百六十一条"),
                _law(VILLAGE_LAW, "第二十四条"),
            ],
            steps=[
                _step(
                    "提出处置方案",
                    "村党组织、村民委员会",
                    10,
                    description="按五议决策法确定处置方式和底价",
                ),
                _step(
                    "社员（代表）会议决议",
                    "村股份经济合作社",
                    5,
                    decision=True,
                    reject_to=1,
                ),
                _step(
                    "发布处置公告", "村民委员会", 7, unit=CAL, disclosure="处置公告公示不少于 7 日"
                ),
                _step(
                    "公开交易",
                    "乡镇公共资源交易中心或村集体",
                    description=(
                        "标的 1 万元以上进乡镇公共资源交易中心公开交易；"
                        "1 万元以下由村集体自行公开交易"
                    ),
                ),
                _step("结果公示", "村民委员会", 3, unit=CAL, disclosure="成交结果公示 3 日"),
                _step(
                    "签订合同并备案", "村民委员会", 10, description="报乡镇“三资”管理服务中心备案"
                ),
            ],
            materials=["资产资源清单", "评估报告（需要时）", "会议决议"],
            disclosure=_disclose("处置标的、方式、底价、成交价和承租（受让）方", "随时公布"),
            risks=[
                _risk(
                    "低价出租出让集体资产、暗箱操作", HIGH, "1 万元以上一律进场交易，底价集体研究"
                ),
                _risk("合同期限过长或擅自变更合同", HIGH, "合同备案审查，变更须重新决策"),
            ],
            accountability=ACCOUNTABILITY_VILLAGE,
            negative_refs=["5"],
        ),
        ItemSpec(
            number="1.4",
            name="村级物资和服务采购",
            category=CATEGORY_COLLECTIVE,
            responsible="村民委员会",
            legal_bases=[_law(FINANCE_RULES), _law(VILLAGE_LAW, "第二十四条")],
            steps=[
                _step("提出采购需求", "村民委员会", 3),
                _step(
                    "村务联席会议确定采购方式",
                    "村党组织、村民委员会、村务监督委员会",
                    5,
                    description="达到限额的按规定进乡镇公共资源交易中心",
                ),
                _step("询价或比选", "村民委员会", 5, description="不少于 3 家供应商报价"),
                _step(
                    "确定供应商并公示", "村民委员会", 3, unit=CAL, disclosure="采购结果公示 3 日"
                ),
                _step("验收入库", "村报账员、村务监督委员会", 3),
            ],
            materials=["采购申请", "报价单", "验收单"],
            disclosure=_disclose("采购内容、数量、金额和供应商"),
            risks=[
                _risk("指定供应商、虚高价格", HIGH, "三家以上比价，村务监督委员会参与"),
                _risk("虚假验收、以次充好", MEDIUM, "两人以上验收签字，票物相符"),
            ],
            accountability=ACCOUNTABILITY_VILLAGE,
            negative_refs=["4"],
        ),
        ItemSpec(
            number="1.5",
            name="村级财务收支管理（报账）",
            category=CATEGORY_COLLECTIVE,
            responsible="村报账员",
            legal_bases=[_law(FINANCE_RULES), _law(VILLAGE_LAW, "第三十二条")],
            steps=[
                _step("经办人取得票据并签字", "经办人", 5),
                _step(
                    "村务监督委员会审核",
                    "村务监督委员会",
                    3,
                    decision=True,
                    reject_to=1,
                    reject_label="审核不通过",
                ),
                _step("村负责人审批", "村党组织书记（村委会主任）", 2),
                _step("村报账员报账", "村报账员", 5, description="按月到乡镇农村财务服务中心报账"),
                _step(
                    "乡镇农村财务服务中心审核记账",
                    "乡镇农村财务服务中心（三资中心）",
                    5,
                    decision=True,
                    reject_to=1,
                ),
                _step("财务公开", "村民委员会", disclosure="收支明细在村务公开栏公开"),
            ],
            time_limit=20,
            materials=["合法票据", "审批单", "合同或会议决议（大额支出）"],
            disclosure=_disclose(
                "收支明细、债权债务", "每月 10 日前（财务往来较少的每季度首月 20 日前）"
            ),
            risks=[
                _risk("白条入账、虚开发票套取资金", HIGH, "乡镇财务服务中心逐笔审核，杜绝白条"),
                _risk("坐收坐支、公款私存", HIGH, "村级资金统一存入乡镇代管账户"),
            ],
            accountability=ACCOUNTABILITY_VILLAGE,
            negative_refs=["6", "7"],
        ),
        ItemSpec(
            number="1.6",
            name="村集体经济合同管理",
            category=CATEGORY_COLLECTIVE,
            responsible="村股份经济合作社（村民委员会）",
            legal_bases=[_law(CIVIL_CODE, "第四百六十五条"), _law(FINANCE_RULES)],
            steps=[
                _step(
                    "拟订合同文本",
                    "村民委员会",
                    5,
                    description="使用规范文本，明确标的、期限、价款",
                ),
                _step("乡镇合同审查", "乡镇“三资”管理服务中心", 5, decision=True, reject_to=1),
                _step("签订合同", "村股份经济合作社法定代表人", 3),
                _step("合同备案和公开", "村报账员", 5, disclosure="合同主要内容公开"),
                _step("履约跟踪和租金收缴", "村报账员", description="到期前 3 个月提示续签或收回"),
            ],
            materials=["合同文本", "决策会议记录"],
            disclosure=_disclose("合同名称、对方、金额、期限和履约情况"),
            risks=[
                _risk(
                    "合同约定明显不利于集体、期限过长",
                    HIGH,
                    "乡镇审查把关，超过 5 年的须村民代表会议决议",
                ),
                _risk("租金长期拖欠不催收", MEDIUM, "建立合同台账，按季度检查履约"),
            ],
            accountability=ACCOUNTABILITY_VILLAGE,
            negative_refs=["5"],
        ),
        ItemSpec(
            number="1.7",
            name="村级印章使用管理",
            category=CATEGORY_COLLECTIVE,
            responsible="村文书（印章保管人）",
            legal_bases=[_law(VILLAGE_LAW, "第二十三条")],
            steps=[
                _step("申请用印", "申请人", description="填写用印登记，写明事由和份数"),
                _step(
                    "村负责人审批",
                    "村党组织书记（村委会主任）",
                    1,
                    decision=True,
                    reject_label="不予用印",
                ),
                _step("保管人用印并登记", "村文书", 1, description="不得在空白文书上盖章"),
                _step("用印情况公开", "村民委员会", disclosure="重要用印事项公开"),
            ],
            time_limit=2,
            materials=["用印文件", "申请人身份证件"],
            disclosure=_disclose("重要用印事项登记情况"),
            risks=[
                _risk(
                    "违规出具证明、在空白文书上盖章",
                    MEDIUM,
                    "印章专人保管、一事一登记，乡镇不定期检查",
                )
            ],
            accountability=ACCOUNTABILITY_SERVICE,
            negative_refs=["8"],
        ),
        ItemSpec(
            number="1.8",
            name="党务村务财务公开",
            category=CATEGORY_COLLECTIVE,
            responsible="村党组织、村民委员会",
            legal_bases=[
                _law(VILLAGE_LAW, "第三十条"),
                _law("《关于健全和完善村务公开和民主管理制度的意见》"),
            ],
            steps=[
                _step("整理公开内容", "村文书、村报账员", 5),
                _step("村务监督委员会审核", "村务监督委员会", 3, decision=True, reject_to=1),
                _step("村党组织书记审定", "村党组织书记", 2),
                _step(
                    "张贴公布",
                    "村民委员会",
                    disclosure="村务公开栏、电子屏和“监督一点通”平台同步公开",
                ),
                _step("收集群众意见并答复", "村民委员会", 10),
            ],
            disclosure=_disclose("党务、村务、财务事项", QUARTERLY + "；重大事项随时公布"),
            risks=[
                _risk("公开不及时、不全面、避重就轻", MEDIUM, "按目录公开，乡镇每季度检查并通报")
            ],
            accountability=ACCOUNTABILITY_VILLAGE,
            negative_refs=["9"],
        ),
        ItemSpec(
            number="1.9",
            name="党员发展",
            category=CATEGORY_COLLECTIVE,
            responsible="村党组织",
            legal_bases=[
                _law("《中国共产党章程》", "第五条"),
                _law("《中国共产党发展党员工作细则》"),
            ],
            steps=[
                _step("递交入党申请书", "申请人", description="村党组织一个月内派人谈话"),
                _step(
                    "确定入党积极分子", "村党组织", description="党员推荐、群团推优，支部委员会研究"
                ),
                _step(
                    "确定发展对象", "村党组织", description="培养教育一年以上，听取党员和群众意见"
                ),
                _step("政治审查和集中培训", "乡镇党委"),
                _step(
                    "支部大会讨论接收预备党员",
                    "村党组织",
                    decision=True,
                    reject_to=3,
                    reject_label="未通过",
                ),
                _step("乡镇党委审批", "乡镇党委", 90, unit=CAL, decision=True),
                _step("公示和入党宣誓", "村党组织", 5, disclosure="发展对象公示 5 个工作日"),
            ],
            materials=["入党申请书", "政治审查材料", "培养考察记录"],
            disclosure=_disclose(
                "入党积极分子、发展对象名单", "确定后 5 个工作日内", "村党务公开栏"
            ),
            risks=[
                _risk("优亲厚友、违规发展党员", MEDIUM, "严格执行发展党员程序，发展对象公示"),
            ],
            accountability="违反程序发展党员的，按照《中国共产党纪律处分条例》追究相关人员责任；所发展的党员不予承认。",
            negative_refs=["2"],
        ),
        ItemSpec(
            number="1.10",
            name="村干部误工补贴发放",
            category=CATEGORY_COLLECTIVE,
            responsible="村民委员会",
            legal_bases=[_law(VILLAGE_LAW, "第二十四条"), _law(FINANCE_RULES)],
            steps=[
                _step("拟订误工补贴人员和标准", "村党组织、村民委员会", 5),
                _step("村民代表会议决议", "村民委员会", 5, decision=True, reject_to=1),
                _step("公示", "村民委员会", 5, unit=CAL, disclosure="人员和标准公示 5 日"),
                _step("乡镇审核", "乡镇农村工作办公室", 5),
                _step("按月发放", "村报账员", description="通过银行转账发放，不得以现金支付"),
            ],
            materials=["误工登记表", "村民代表会议决议"],
            disclosure=_disclose("享受误工补贴的人员、天数和金额"),
            risks=[
                _risk("虚报误工天数、超标准发放", HIGH, "误工登记由村务监督委员会审核，按季度公开")
            ],
            accountability=ACCOUNTABILITY_VILLAGE,
            negative_refs=["7"],
        ),
        ItemSpec(
            number="1.11",
            name="土地征收补偿款分配",
            category=CATEGORY_COLLECTIVE,
            responsible="村股份经济合作社（村民委员会）",
            legal_bases=[
                _law(LAND_LAW, "第四十八条"),
                _law(VILLAGE_LAW, "第二十四条"),
            ],
            steps=[
                _step("核实被征地面积和人员", "村民委员会、村民小组", 15),
                _step("拟订分配方案", "村党组织、村民委员会", 10),
                _step("方案公示", "村民委员会", 7, unit=CAL, disclosure="分配方案公示不少于 7 日"),
                _step("村民（代表）会议决议", "村民委员会", 5, decision=True, reject_to=2),
                _step("乡镇审核", "乡镇人民政府", 10),
                _step("发放到户", "村报账员", 10, description="直接转入农户账户"),
            ],
            materials=["征地协议", "被征地农户名单和面积", "分配方案"],
            disclosure=_disclose("补偿标准、分配方案和发放名单", "随时公布"),
            risks=[
                _risk("截留、挪用、克扣补偿款", HIGH, "补偿款专户管理、直接发放到户"),
                _risk("虚增面积或人员冒领", HIGH, "逐户核实并公示，接受群众监督"),
            ],
            accountability=ACCOUNTABILITY_VILLAGE,
            negative_refs=["6", "10"],
        ),
        ItemSpec(
            number="1.12",
            name="村集体土地发包",
            category=CATEGORY_COLLECTIVE,
            responsible="村股份经济合作社（村民委员会）",
            legal_bases=[
                _law("《中华人民共和国农村土地承包法》", "第十九条"),
                _law(VILLAGE_LAW, "第二十四条"),
            ],
            steps=[
                _step("拟订发包方案", "村民委员会", 10),
                _step(
                    "村民会议决议",
                    "村民委员会",
                    5,
                    description="须经村民会议三分之二以上成员或者三分之二以上村民代表同意",
                    decision=True,
                    reject_to=1,
                ),
                _step("乡镇审核", "乡镇人民政府", 10),
                _step("公开发包", "村民委员会", 7, unit=CAL, disclosure="发包方案和结果公开"),
                _step("签订承包合同并备案", "村民委员会", 10),
            ],
            materials=["发包方案", "村民会议决议", "承包合同"],
            disclosure=_disclose("发包地块、面积、承包方和承包费"),
            risks=[_risk("暗箱发包、低价发包给关系人", HIGH, "公开发包，承包费底价集体决定")],
            accountability=ACCOUNTABILITY_VILLAGE,
            negative_refs=["5"],
        ),
        # --- 便民服务 ----------------------------------------------------------------
        ItemSpec(
            number="2.1",
            name="村民宅基地审批",
            category=CATEGORY_SERVICE,
            responsible="村民委员会（初审）、乡镇人民政府（审批）",
            legal_bases=[
                _law(LAND_LAW, "第六十二条"),
                _law("《农业农村部 自然资源部关于规范农村宅基地审批管理的通知》"),
            ],
            steps=[
                _step("农户提出申请", "申请农户", description="向村民小组提交书面申请"),
                _step("村民小组讨论", "村民小组", 5, description="讨论通过并在本小组公示"),
                _step(
                    "村级审查",
                    "村民委员会",
                    5,
                    decision=True,
                    reject_to=1,
                    reject_label="不符合条件",
                ),
                _step(
                    "村级公示", "村民委员会", 7, unit=CAL, disclosure="申请人、面积和位置公示 7 日"
                ),
                _step("乡镇审核", "乡镇农业农村、自然资源等部门", 10, decision=True),
                _step("乡镇批准并发证", "乡镇人民政府", 5, disclosure="审批结果公开"),
                _step(
                    "开工查验和竣工验收",
                    "乡镇人民政府、村民委员会",
                    description="“定点放样、开工查验、竣工验收”三到场",
                ),
            ],
            time_limit=20,
            materials=[
                "农村宅基地和建房（规划许可）申请表",
                "户口簿",
                "身份证",
                "村民小组会议记录",
            ],
            disclosure=_disclose("申请人、宅基地面积、位置和审批结果"),
            risks=[
                _risk("为不符合条件的农户出具审查意见", MEDIUM, "资格条件清单化，公示接受监督"),
                _risk("收受好处、“一户多宅”", HIGH, "乡镇联审，村务监督委员会监督"),
            ],
            accountability=ACCOUNTABILITY_SERVICE,
            negative_refs=["10", "11"],
        ),
        ItemSpec(
            number="2.2",
            name="最低生活保障申请",
            category=CATEGORY_SERVICE,
            responsible="村民委员会（协助）、乡镇人民政府（审核确认）",
            legal_bases=[
                _law(RELIEF_RULES, "第十一条"),
                _law("《最低生活保障审核确认办法》"),
            ],
            steps=[
                _step(
                    "提出申请",
                    "申请人",
                    description="向乡镇人民政府或村民委员会提出，村民委员会可代为提交",
                ),
                _step(
                    "入户调查",
                    "乡镇社会救助经办人员、村民委员会",
                    10,
                    description="核查家庭收入、财产状况",
                ),
                _step("民主评议", "村民委员会", 5, description="村民代表会议评议，可视情况进行"),
                _step(
                    "乡镇审核确认",
                    "乡镇人民政府",
                    10,
                    decision=True,
                    reject_label="不符合条件",
                ),
                _step(
                    "公示", "村民委员会", 7, unit=CAL, disclosure="拟保障对象在村务公开栏公示 7 日"
                ),
                _step("发放保障金", "县民政局", description="按月社会化发放到户"),
            ],
            time_limit=30,
            materials=[
                "申请书",
                "户口簿、身份证",
                "家庭收入和财产状况声明",
                "授权核对经济状况的书面声明",
            ],
            disclosure=_disclose("最低生活保障对象名单和保障金额"),
            risks=[
                _risk(
                    "优亲厚友、人情保、关系保", HIGH, "村干部及近亲属申请单独备案，入户调查两人以上"
                ),
                _risk("应保未保、推诿不办", MEDIUM, "申请登记台账，逾期未办可向乡镇纪委反映"),
            ],
            accountability=ACCOUNTABILITY_SERVICE,
            negative_refs=["12"],
        ),
        ItemSpec(
            number="2.3",
            name="困难群众临时救助申请",
            category=CATEGORY_SERVICE,
            responsible="村民委员会（协助）、乡镇人民政府",
            legal_bases=[_law(RELIEF_RULES, "第四十八条")],
            steps=[
                _step("提出申请", "申请人", description="因火灾、交通事故、重大疾病等突发困难申请"),
                _step("村民委员会核实", "村民委员会", 3),
                _step("乡镇审核审批", "乡镇人民政府", 5, decision=True, reject_label="不予救助"),
                _step("发放救助金", "乡镇人民政府", 3),
                _step("结果公示", "村民委员会", disclosure="救助对象和金额公示"),
            ],
            time_limit=10,
            materials=["申请书", "身份证", "困难情况证明材料（如医疗费用票据、事故证明）"],
            disclosure=_disclose("临时救助对象和金额"),
            risks=[_risk("虚构困难、重复救助", MEDIUM, "核实后公示，乡镇建立救助台账")],
            accountability=ACCOUNTABILITY_SERVICE,
            negative_refs=["12"],
        ),
        ItemSpec(
            number="2.4",
            name="出具证明",
            category=CATEGORY_SERVICE,
            responsible="村民委员会",
            legal_bases=[_law("《关于改进和规范基层群众性自治组织出具证明工作的指导意见》")],
            steps=[
                _step("提出申请", "申请人", description="说明证明事项和用途"),
                _step(
                    "核实情况",
                    "村文书",
                    1,
                    decision=True,
                    reject_label="不属于出具范围",
                    description="不在村（社区）出具证明事项清单内的，告知申请人",
                ),
                _step("村负责人审批", "村党组织书记（村委会主任）", 1),
                _step("出具证明并登记", "村文书", 1),
            ],
            time_limit=3,
            materials=["申请人身份证", "与证明事项相关的材料"],
            disclosure=_disclose("出具证明事项清单", "长期公开"),
            risks=[_risk("出具虚假证明、收取费用", LOW, "按清单出具、一事一登记，严禁收费")],
            accountability=ACCOUNTABILITY_SERVICE,
            negative_refs=["8"],
        ),
        ItemSpec(
            number="2.5",
            name="农村殡葬管理",
            category=CATEGORY_SERVICE,
            responsible="村民委员会",
            legal_bases=[_law("《殡葬管理条例》", "第十条")],
            steps=[
                _step("丧户报告", "逝者家属", 1, unit=CAL),
                _step(
                    "村干部上门指导",
                    "村民委员会",
                    1,
                    unit=CAL,
                    description="宣传殡葬政策，劝导文明节俭治丧",
                ),
                _step("出具死亡证明和火化手续", "村民委员会、乡镇卫生院", 1, unit=CAL),
                _step(
                    "火化和骨灰安放", "逝者家属、殡仪馆", description="骨灰安放到公墓，不得乱埋乱葬"
                ),
                _step("办理惠民殡葬补助", "村民委员会", 10, disclosure="补助对象和金额公开"),
            ],
            materials=["死亡证明", "逝者身份证、户口簿"],
            disclosure=_disclose("惠民殡葬补助发放情况"),
            risks=[_risk("默许违规土葬、乱埋乱葬", LOW, "乡镇巡查，村干部包片负责")],
            accountability=ACCOUNTABILITY_SERVICE,
        ),
        ItemSpec(
            number="2.6",
            name="残疾人两项补贴申请",
            category=CATEGORY_SERVICE,
            responsible="村民委员会（协助）、乡镇人民政府",
            legal_bases=[
                _law("《国务院关于全面建立困难残疾人生活补贴和重度残疾人护理补贴制度的意见》")
            ],
            steps=[
                _step("提出申请", "申请人或监护人"),
                _step("村级初审", "村民委员会", 5),
                _step("乡镇审核", "乡镇人民政府", 10, decision=True, reject_label="不符合条件"),
                _step("县残联、民政局审定", "县残疾人联合会、县民政局", 10),
                _step("按月发放并公示", "县民政局", disclosure="补贴对象名单公示"),
            ],
            time_limit=30,
            materials=["第二代残疾人证", "身份证、户口簿", "低保证等困难证明（申请生活补贴时）"],
            disclosure=_disclose("困难残疾人生活补贴和重度残疾人护理补贴对象名单"),
            risks=[
                _risk(
                    "不符合条件人员享受补贴、死亡未及时停发",
                    MEDIUM,
                    "定期比对死亡和户籍信息，动态管理",
                )
            ],
            accountability=ACCOUNTABILITY_SERVICE,
            negative_refs=["12"],
        ),
        ItemSpec(
            number="2.7",
            name="农村危房改造申请",
            category=CATEGORY_SERVICE,
            responsible="村民委员会（评议）、乡镇人民政府",
            legal_bases=[_law("《关于做好农村低收入群体等重点对象住房安全保障工作的实施意见》")],
            steps=[
                _step("农户申请", "申请农户"),
                _step("村民代表评议", "村民委员会", 5, decision=True, reject_label="不符合条件"),
                _step("村级公示", "村民委员会", 7, unit=CAL, disclosure="申请户名单公示 7 日"),
                _step("房屋安全鉴定", "乡镇人民政府", 15),
                _step("乡镇审核和县级审批", "乡镇人民政府、县住房和城乡建设局", 20, decision=True),
                _step("组织改造和竣工验收", "农户、乡镇人民政府"),
                _step("补助资金发放", "县财政局", disclosure="补助对象和金额公示"),
            ],
            materials=["申请表", "身份证、户口簿", "低保、特困等身份证明"],
            disclosure=_disclose("危房改造对象名单、补助标准和金额"),
            risks=[
                _risk("优亲厚友确定改造对象", HIGH, "评议、公示和鉴定三道关"),
                _risk("截留挪用补助资金", HIGH, "补助资金“一卡通”直接发放到户"),
            ],
            accountability=ACCOUNTABILITY_SERVICE,
            negative_refs=["6", "12"],
        ),
        ItemSpec(
            number="2.8",
            name="医疗救助申请",
            category=CATEGORY_SERVICE,
            responsible="村民委员会（协助）、乡镇人民政府",
            legal_bases=[_law(RELIEF_RULES, "第二十八条")],
            steps=[
                _step("提出申请", "申请人", description="低保、特困人员等在定点医院可“一站式”结算"),
                _step("村级核实", "村民委员会", 3),
                _step("乡镇审核", "乡镇人民政府", 5, decision=True, reject_label="不符合条件"),
                _step("县医疗保障局审批并发放", "县医疗保障局", 10),
            ],
            time_limit=20,
            materials=["申请书", "医疗费用票据和病历", "身份证、户口簿"],
            disclosure=_disclose("医疗救助对象和金额"),
            risks=[_risk("虚报医疗费用", MEDIUM, "与医保结算信息比对")],
            accountability=ACCOUNTABILITY_SERVICE,
        ),
        ItemSpec(
            number="2.9",
            name="计划生育家庭奖励扶助审核",
            category=CATEGORY_SERVICE,
            responsible="村民委员会（初审）",
            legal_bases=[_law("《中华人民共和国人口与计划生育法》")],
            steps=[
                _step("本人申报", "申请人"),
                _step("村级初审并公示", "村民委员会", 7, unit=CAL, disclosure="初审名单公示 7 日"),
                _step("乡镇审核", "乡镇人民政府", 10, decision=True, reject_label="不符合条件"),
                _step("县卫生健康局确认并发放", "县卫生健康局"),
            ],
            materials=["申请表", "户口簿、身份证", "婚育情况证明"],
            disclosure=_disclose("奖励扶助对象名单"),
            risks=[_risk("审核把关不严导致冒领", LOW, "逐级审核并公示")],
            accountability=ACCOUNTABILITY_SERVICE,
        ),
        ItemSpec(
            number="2.10",
            name="耕地地力保护补贴发放",
            category=CATEGORY_SERVICE,
            responsible="村民委员会（核实）、乡镇人民政府",
            legal_bases=[_law("《财政部 农业部关于全面推开农业“三项补贴”改革工作的通知》")],
            steps=[
                _step("农户申报面积", "承包农户"),
                _step("村级核实", "村民委员会", 10, description="核对承包合同和实际种植情况"),
                _step("村级公示", "村民委员会", 7, unit=CAL, disclosure="补贴面积和金额公示 7 日"),
                _step("乡镇审核汇总", "乡镇农业农村办公室", 10),
                _step("“一卡通”发放", "县财政局"),
            ],
            materials=["土地承包经营权证或承包合同"],
            disclosure=_disclose(
                "补贴对象、面积和金额", "每季度首月 20 日前（财务往来多的每月公布）"
            ),
            risks=[_risk("虚报面积、截留补贴", MEDIUM, "面积公示，资金直达农户")],
            accountability=ACCOUNTABILITY_SERVICE,
            negative_refs=["6"],
        ),
        ItemSpec(
            number="2.11",
            name="特困人员供养申请",
            category=CATEGORY_SERVICE,
            responsible="村民委员会（协助）、乡镇人民政府",
            legal_bases=[_law(RELIEF_RULES, "第十四条"), _law("《特困人员认定办法》")],
            steps=[
                _step("提出申请", "本人或村民委员会代为申请"),
                _step("乡镇调查核实", "乡镇人民政府", 15),
                _step("村级公示", "村民委员会", 7, unit=CAL, disclosure="调查结果公示 7 日"),
                _step("乡镇审核", "乡镇人民政府", 5, decision=True, reject_label="不符合条件"),
                _step("县民政局确认", "县民政局", 20),
                _step(
                    "分散或集中供养",
                    "乡镇人民政府、敬老院",
                    description="本人可选择在家分散供养或入住敬老院",
                ),
            ],
            materials=["申请书", "身份证、户口簿", "无劳动能力或残疾证明"],
            disclosure=_disclose("特困供养人员名单"),
            risks=[_risk("不符合条件的人员纳入供养", MEDIUM, "入户调查两人以上，结果公示")],
            accountability=ACCOUNTABILITY_SERVICE,
            negative_refs=["12"],
        ),
        ItemSpec(
            number="2.12",
            name="土地经营权流转备案",
            category=CATEGORY_SERVICE,
            responsible="村股份经济合作社（发包方）",
            legal_bases=[
                _law("《中华人民共和国农村土地承包法》", "第三十六条"),
                _law("《农村土地经营权流转管理办法》"),
            ],
            steps=[
                _step("流转双方协商", "承包农户、受让方"),
                _step("签订流转合同", "承包农户、受让方", description="使用规范合同文本"),
                _step("向发包方备案", "村股份经济合作社", 5),
                _step("报乡镇农村土地流转服务中心登记", "村报账员", 10),
            ],
            materials=["土地经营权流转合同", "承包合同或权证", "双方身份证明"],
            disclosure=_disclose("流转地块、面积和期限", "每季度首月 20 日前"),
            risks=[
                _risk(
                    "强迫或阻碍农户流转、截留流转收益",
                    MEDIUM,
                    "尊重农户意愿，流转收益直接支付给农户",
                )
            ],
            accountability=ACCOUNTABILITY_SERVICE,
            negative_refs=["10"],
        ),
    ]


def county_village_duty_list() -> ListContent:
    """The county's standard duty list for villages (集体管理 + 便民服务)."""
    return ListContent(kind=ListKind.DUTY, items=_village_items())


def county_village_cadre_list() -> ListContent:
    """The standard cadre duty list; the names are invented demo data."""
    return ListContent(
        kind=ListKind.CADRE,
        cadre_duties=[
            CadreDutySpec(
                post="村党组织书记",
                person="王建国",
                duties=[
                    "主持村党组织全面工作，落实全面从严治党主体责任",
                    "牵头村级重大事项决策，执行五议决策法",
                    "审批村级财务支出（限额内）",
                    "组织党员发展和党员教育管理",
                ],
                requirements="每月在村工作时间不少于三分之二；重大事项须集体研究，不得个人决定",
            ),
            CadreDutySpec(
                post="村民委员会主任",
                person="李春华",
                duties=[
                    "主持村民委员会日常工作，执行村民（代表）会议决议",
                    "组织实施村级工程项目和集体资产资源管理",
                    "负责便民服务事项的受理和办理",
                ],
                requirements="按规定程序办事，及时公开村务",
            ),
            CadreDutySpec(
                post="村务监督委员会主任",
                person="陈志明",
                duties=[
                    "监督村级重大事项决策和实施全过程",
                    "审核村级财务收支票据",
                    "监督党务村务财务公开",
                    "收集和反映村民对村务管理的意见",
                ],
                requirements="列席村“两委”有关会议；发现问题及时向乡镇纪委报告",
            ),
            CadreDutySpec(
                post="村报账员",
                person="张丽娟",
                duties=[
                    "按月到乡镇农村财务服务中心报账",
                    "管理村级合同台账，催收承包款和租金",
                    "发放村干部误工补贴",
                ],
                requirements="不得坐收坐支、公款私存；票据当月报账",
            ),
            CadreDutySpec(
                post="村文书",
                person="周海燕",
                duties=[
                    "保管村级印章，办理用印登记",
                    "出具证明事项并登记",
                    "整理党务村务公开资料和会议记录",
                ],
                requirements="印章专人保管、一事一登记",
            ),
            CadreDutySpec(
                post="村妇联主席",
                person="吴秀英",
                duties=[
                    "维护妇女儿童合法权益，调解婚姻家庭纠纷",
                    "协助开展计划生育家庭奖励扶助审核",
                    "组织妇女参与乡村振兴和文明创建",
                ],
            ),
            CadreDutySpec(
                post="村团支部书记（网格员）",
                person="徐浩然",
                duties=[
                    "负责网格内信息采集和矛盾纠纷排查",
                    "协助开展低保、临时救助等入户调查",
                    "组织青年志愿服务",
                ],
            ),
        ],
    )


def county_village_negative_list() -> ListContent:
    """The standard negative list (不得…) for village cadres, linked to the duty items."""
    discipline = "《中国共产党纪律处分条例》"
    consequence_serious = (
        "视情节给予批评教育、诫勉谈话、组织处理或党纪政务处分；涉嫌犯罪的移送司法机关"
    )
    consequence_money = "责令退赔，视情节给予党纪政务处分；涉嫌犯罪的移送司法机关"
    entries = [
        (
            "1",
            "不得未经民主决策程序擅自决定村级重大事项",
            f"{PARTY_RULES}第十九条",
            consequence_serious,
            ["1.1"],
        ),
        (
            "2",
            "不得在民主决策、党员发展中弄虚作假、拉票贿选",
            discipline,
            consequence_serious,
            ["1.1", "1.9"],
        ),
        (
            "3",
            "不得将应当公开招标的工程项目化整为零或直接发包",
            "《中华人民共和国招标投标法》",
            consequence_serious,
            ["1.2"],
        ),
        (
            "4",
            "不得插手、干预工程项目和物资采购，不得指定施工单位或供应商",
            discipline,
            consequence_serious,
            ["1.2", "1.4"],
        ),
        (
            "5",
            "不得低价出租、出让或擅自处置集体资产资源",
            f"{CIVIL_CODE}第二百六十一条",
            consequence_money,
            ["1.3", "1.6", "1.12"],
        ),
        (
            "6",
            "不得截留、挪用、侵占集体资金和各类惠农补贴资金",
            discipline,
            consequence_money,
            ["1.5", "1.11", "2.7", "2.10"],
        ),
        (
            "7",
            "不得虚开发票、白条入账、虚报误工补贴套取集体资金",
            FINANCE_RULES,
            consequence_money,
            ["1.5", "1.10"],
        ),
        (
            "8",
            "严禁违规使用村级印章或出具虚假证明",
            f"{VILLAGE_LAW}第二十三条",
            consequence_serious,
            ["1.7", "2.4"],
        ),
        (
            "9",
            "不得拒不公开、拖延公开或选择性公开党务村务财务",
            f"{VILLAGE_LAW}第三十条",
            "责令限期公开，对责任人批评教育或诫勉谈话",
            ["1.8"],
        ),
        (
            "10",
            "不得在土地征收、宅基地审批和土地流转中优亲厚友、收受好处",
            f"{LAND_LAW}第六十二条",
            consequence_serious,
            ["1.11", "2.1", "2.12"],
        ),
        (
            "11",
            "不得为本人或亲属违规多占宅基地、违章建房",
            f"{LAND_LAW}第六十二条",
            "依法拆除违法建筑，视情节给予党纪政务处分",
            ["2.1"],
        ),
        (
            "12",
            "严禁在低保、救助、补贴对象评定中优亲厚友、吃拿卡要",
            RELIEF_RULES,
            consequence_serious,
            ["2.2", "2.3", "2.6", "2.7", "2.11"],
        ),
        (
            "13",
            "禁止接受服务对象宴请、礼金和消费卡",
            "中央八项规定及其实施细则精神",
            "视情节给予批评教育或党纪政务处分",
            [],
        ),
    ]
    return ListContent(
        kind=ListKind.NEGATIVE,
        negative_items=[
            NegativeSpec(number=n, act=act, basis=basis, consequence=cons, item_refs=refs)
            for n, act, basis, cons, refs in entries
        ],
    )


def township_duty_list() -> ListContent:
    """A township's (乡镇) duty list: approvals and supervision of village matters."""
    township = "乡镇人民政府"
    items = [
        ItemSpec(
            number="1",
            name="最低生活保障审核确认",
            category="社会救助",
            responsible="乡镇社会事务办公室",
            legal_bases=[_law(RELIEF_RULES, "第十一条"), _law("《最低生活保障审核确认办法》")],
            steps=[
                _step("受理申请", "乡镇社会救助经办窗口", 1),
                _step("经济状况核对和入户调查", "乡镇社会事务办公室、村民委员会", 15),
                _step("审核确认", township, 5, decision=True, reject_label="不予确认"),
                _step("公示", "村民委员会", 7, unit=CAL, disclosure="拟保障对象公示 7 日"),
                _step("发放并定期复核", "县民政局、乡镇社会事务办公室"),
            ],
            time_limit=30,
            materials=["申请书", "户口簿、身份证", "家庭经济状况核对授权书"],
            disclosure=_disclose("低保对象名单、保障人数和金额"),
            risks=[_risk("人情保、关系保", HIGH, "村干部近亲属备案，抽查复核")],
            accountability=ACCOUNTABILITY_SERVICE,
        ),
        ItemSpec(
            number="2",
            name="临时救助审批",
            category="社会救助",
            responsible="乡镇社会事务办公室",
            legal_bases=[_law(RELIEF_RULES, "第四十八条")],
            steps=[
                _step("受理申请", "乡镇社会救助经办窗口", 1),
                _step("调查核实", "乡镇社会事务办公室", 5),
                _step("审批", township, 3, decision=True, reject_label="不予救助"),
                _step("发放并公示", "乡镇社会事务办公室", 3, disclosure="救助对象和金额公示"),
            ],
            time_limit=10,
            materials=["申请书", "困难情况证明材料"],
            disclosure=_disclose("临时救助对象和金额"),
            risks=[_risk("重复救助、超标准救助", MEDIUM, "救助台账和系统比对")],
            accountability=ACCOUNTABILITY_SERVICE,
        ),
        ItemSpec(
            number="3",
            name="农村宅基地审批",
            category="自然资源",
            responsible="乡镇农业农村办公室",
            legal_bases=[_law(LAND_LAW, "第六十二条")],
            steps=[
                _step("受理村级报送材料", "乡镇便民服务中心", 1),
                _step("部门联审和实地踏勘", "乡镇农业农村、自然资源、规划建设等部门", 10),
                _step("审批", township, 5, decision=True, reject_to=2, reject_label="补正后重审"),
                _step("发放批准书并公开", "乡镇农业农村办公室", 3, disclosure="审批结果公开"),
                _step("竣工验收", "乡镇农业农村办公室", description="“三到场”"),
            ],
            time_limit=20,
            materials=["农村宅基地和建房（规划许可）申请表", "村级审查意见和公示材料"],
            disclosure=_disclose("宅基地审批情况"),
            risks=[_risk("违规审批、“一户多宅”", HIGH, "联审联签，审批结果公开")],
            accountability=ACCOUNTABILITY_SERVICE,
        ),
        ItemSpec(
            number="4",
            name="农村村民建房规划许可",
            category="自然资源",
            responsible="乡镇规划建设办公室",
            legal_bases=[_law("《中华人民共和国城乡规划法》", "第四十一条")],
            steps=[
                _step("受理申请", "乡镇便民服务中心", 1),
                _step("规划审查", "乡镇规划建设办公室", 10),
                _step("核发乡村建设规划许可证", township, 5, decision=True, reject_to=2),
                _step("批后监管", "乡镇规划建设办公室"),
            ],
            time_limit=20,
            materials=["申请表", "建房设计图", "宅基地批准文件"],
            disclosure=_disclose("许可结果"),
            risks=[_risk("超面积、超高度建房未查处", MEDIUM, "批后巡查，违法建设及时处置")],
            accountability=ACCOUNTABILITY_SERVICE,
        ),
        ItemSpec(
            number="5",
            name="村级小型工程项目招投标监管",
            category="三资监管",
            responsible="乡镇公共资源交易中心",
            legal_bases=[_law("《中华人民共和国招标投标法》", "第七条")],
            steps=[
                _step("项目进场登记", "乡镇公共资源交易中心", 2),
                _step("招标文件审核", "乡镇公共资源交易中心", 5, decision=True, reject_to=1),
                _step(
                    "发布公告",
                    "乡镇公共资源交易中心",
                    5,
                    unit=CAL,
                    disclosure="招标公告不少于 5 日",
                ),
                _step("开标评标监督", "乡镇纪委、乡镇公共资源交易中心", 1),
                _step("中标公示和合同备案", "乡镇公共资源交易中心", 3, unit=CAL),
            ],
            materials=["村级决策记录", "预算书", "招标文件"],
            disclosure=_disclose("招标公告、中标结果", "随时公布", "乡镇公共资源交易平台"),
            risks=[_risk("围标串标、评标不公", HIGH, "随机抽取评委，全程录像")],
            accountability=ACCOUNTABILITY_VILLAGE,
        ),
        ItemSpec(
            number="6",
            name="村级财务委托代理记账",
            category="三资监管",
            responsible="乡镇农村财务服务中心（三资中心）",
            legal_bases=[_law(FINANCE_RULES)],
            steps=[
                _step("村报账员报账", "村报账员", 5),
                _step(
                    "票据审核",
                    "乡镇农村财务服务中心",
                    5,
                    decision=True,
                    reject_to=1,
                    reject_label="退回补正",
                ),
                _step("记账和资金支付", "乡镇农村财务服务中心", 3),
                _step(
                    "编制报表并反馈公开",
                    "乡镇农村财务服务中心",
                    5,
                    disclosure="财务报表反馈村级公开",
                ),
            ],
            time_limit=15,
            materials=["原始票据", "审批单"],
            disclosure=_disclose("村级财务收支情况", "每月 10 日前"),
            risks=[_risk("审核不严放过违规支出", HIGH, "逐笔审核，大额支出查看决策记录")],
            accountability=ACCOUNTABILITY_VILLAGE,
        ),
        ItemSpec(
            number="7",
            name="特困人员认定",
            category="社会救助",
            responsible="乡镇社会事务办公室",
            legal_bases=[_law(RELIEF_RULES, "第十四条"), _law("《特困人员认定办法》")],
            steps=[
                _step("受理申请", "乡镇便民服务中心", 1),
                _step("调查核实", "乡镇社会事务办公室", 20),
                _step("审核并报县民政局", township, 5, decision=True, reject_label="不予认定"),
                _step("结果公示", "村民委员会", 7, unit=CAL, disclosure="认定结果公示"),
            ],
            time_limit=30,
            materials=["申请书", "身份证、户口簿"],
            disclosure=_disclose("特困人员名单"),
            risks=[_risk("认定条件把关不严", MEDIUM, "集体审核，定期复核")],
            accountability=ACCOUNTABILITY_SERVICE,
        ),
        ItemSpec(
            number="8",
            name="乡镇物资和服务采购",
            category="内部管理",
            responsible="乡镇党政办公室",
            legal_bases=[_law("《中华人民共和国政府采购法》", "第二条")],
            steps=[
                _step("提出采购需求", "需求科室", 3),
                _step("确定采购方式", "乡镇党政联席会议", 5, decision=True, reject_to=1),
                _step("组织采购", "乡镇党政办公室", 15),
                _step("验收", "需求科室、财务人员", 3),
                _step("结果公开", "乡镇党政办公室", disclosure="采购结果公开"),
            ],
            materials=["采购申请", "报价或中标资料", "验收单"],
            disclosure=_disclose("采购项目、金额和供应商", "随时公布", "乡镇政务公开栏"),
            risks=[_risk("规避政府采购、指定供应商", HIGH, "限额以上进场采购，纪委监督")],
            accountability="违反政府采购规定的，依照《中华人民共和国政府采购法》和有关规定追究责任。",
        ),
    ]
    return ListContent(kind=ListKind.DUTY, items=items)


class OfficeKind(StrEnum):
    CIVIL_AFFAIRS = "civil_affairs"  # 县民政局
    NURSING_HOME = "nursing_home"  # 敬老院
    AGRICULTURE = "agriculture"  # 县农业农村局


OFFICE_KIND_LABELS: dict[OfficeKind, str] = {
    OfficeKind.CIVIL_AFFAIRS: "民政局",
    OfficeKind.NURSING_HOME: "敬老院",
    OfficeKind.AGRICULTURE: "农业农村局",
}


def office_duty_list(kind: OfficeKind) -> ListContent:
    """A duty list for a county office or institution (股室、机构)."""
    builders = {
        OfficeKind.CIVIL_AFFAIRS: _civil_affairs_items,
        OfficeKind.NURSING_HOME: _nursing_home_items,
        OfficeKind.AGRICULTURE: _agriculture_items,
    }
    return ListContent(kind=ListKind.DUTY, items=builders[kind]())


def _purchase_item(number: str, responsible: str) -> ItemSpec:
    return ItemSpec(
        number=number,
        name="物资和服务采购",
        category="内部管理",
        responsible=responsible,
        legal_bases=[_law("《中华人民共和国政府采购法》", "第二条")],
        steps=[
            _step("提出采购需求", "需求岗位", 3),
            _step("负责人审批", "单位负责人", 2, decision=True, reject_to=1),
            _step("询价或进场采购", responsible, 15, description="限额以上按政府采购规定进场"),
            _step("验收", "两名以上工作人员", 3),
            _step("报账和公开", "财务人员", 5, disclosure="采购结果公开"),
        ],
        materials=["采购申请", "报价单", "验收单"],
        disclosure=_disclose("采购项目、金额和供应商", "随时公布", "单位公开栏"),
        risks=[
            _risk("指定供应商、虚高价格", HIGH, "三家以上比价，结果公开"),
            _risk("验收走过场", MEDIUM, "两人以上验收签字"),
        ],
        accountability="违反采购规定造成损失的，依规依纪追究相关人员责任。",
    )


def _civil_affairs_items() -> list[ItemSpec]:
    bureau = "县民政局社会救助科"
    return [
        ItemSpec(
            number="1",
            name="最低生活保障审批",
            category="社会救助",
            responsible=bureau,
            legal_bases=[_law(RELIEF_RULES, "第十一条")],
            steps=[
                _step("接收乡镇审核材料", bureau, 1),
                _step("抽查入户", bureau, 10, description="按比例入户抽查"),
                _step("审批", "县民政局", 5, decision=True, reject_label="不予批准"),
                _step("发放保障金", "县民政局", description="按月社会化发放"),
            ],
            time_limit=20,
            materials=["乡镇审核意见", "家庭经济状况核对报告"],
            disclosure=_disclose("低保对象名单和保障金额", QUARTERLY, "县政府门户网站、村务公开栏"),
            risks=[_risk("审批把关不严", MEDIUM, "按比例抽查，动态复核")],
            accountability=ACCOUNTABILITY_SERVICE,
        ),
        ItemSpec(
            number="2",
            name="特困人员供养审批",
            category="社会救助",
            responsible=bureau,
            legal_bases=[_law(RELIEF_RULES, "第十四条")],
            steps=[
                _step("接收乡镇审核材料", bureau, 1),
                _step("审核", bureau, 10),
                _step("审批", "县民政局", 5, decision=True, reject_label="不予批准"),
                _step("落实供养", "县民政局、乡镇人民政府"),
            ],
            time_limit=20,
            materials=["乡镇审核意见"],
            disclosure=_disclose("特困供养人员名单"),
            risks=[_risk("不符合条件人员纳入供养", MEDIUM, "抽查复核")],
            accountability=ACCOUNTABILITY_SERVICE,
        ),
        ItemSpec(
            number="3",
            name="临时救助资金审批（大额）",
            category="社会救助",
            responsible=bureau,
            legal_bases=[_law(RELIEF_RULES, "第四十八条")],
            steps=[
                _step("接收乡镇报送", bureau, 1),
                _step("审核", bureau, 5, decision=True, reject_label="不予救助"),
                _step("局务会研究", "县民政局", 5),
                _step("拨付资金并公示", "县民政局", 3, disclosure="救助对象和金额公示"),
            ],
            time_limit=15,
            materials=["乡镇审核意见", "困难情况证明"],
            disclosure=_disclose("大额临时救助对象和金额"),
            risks=[_risk("超标准救助、人情救助", MEDIUM, "集体研究，结果公示")],
            accountability=ACCOUNTABILITY_SERVICE,
        ),
        ItemSpec(
            number="4",
            name="社会救助资金拨付",
            category="资金管理",
            responsible="县民政局财务科",
            legal_bases=[_law(RELIEF_RULES, "第六十六条")],
            steps=[
                _step("编制发放名册", bureau, 5),
                _step("复核名册", "县民政局财务科", 3, decision=True, reject_to=1),
                _step("拨付到户", "县民政局财务科、代发银行", 5),
            ],
            materials=["发放名册"],
            disclosure=_disclose("资金发放总额", QUARTERLY, "县政府门户网站"),
            risks=[_risk("截留挪用救助资金", HIGH, "社会化发放，定期对账")],
            accountability=ACCOUNTABILITY_SERVICE,
        ),
        _purchase_item("5", "县民政局办公室"),
    ]


def _nursing_home_items() -> list[ItemSpec]:
    home = "敬老院"
    return [
        ItemSpec(
            number="1",
            name="特困供养人员入住审核",
            category="服务管理",
            responsible=home,
            legal_bases=[_law("《特困人员认定办法》"), _law("《养老机构管理办法》")],
            steps=[
                _step("提出入住申请", "特困供养人员或村民委员会"),
                _step("健康评估", "敬老院、乡镇卫生院", 5),
                _step("院务会审核", "敬老院", 3, decision=True, reject_label="暂不符合入住条件"),
                _step("签订入住协议", "敬老院、乡镇人民政府", 3),
                _step("名单公开", "敬老院", disclosure="入住人员名单在院务公开栏公开"),
            ],
            time_limit=15,
            materials=["特困人员证明", "身份证", "健康体检表"],
            disclosure=_disclose("入住人员名单", QUARTERLY, "院务公开栏"),
            risks=[_risk("违规收住非特困人员或收取费用", MEDIUM, "入住名单报乡镇备案并公开")],
            accountability=ACCOUNTABILITY_SERVICE,
        ),
        ItemSpec(
            number="2",
            name="供养经费使用管理",
            category="资金管理",
            responsible="敬老院院长、报账员",
            legal_bases=[_law(RELIEF_RULES, "第十七条")],
            steps=[
                _step("编制月度支出计划", "敬老院报账员", 3),
                _step("院务会审核", "敬老院", 2, decision=True, reject_to=1),
                _step("乡镇审批", "乡镇人民政府", 5),
                _step("报账和公开", "敬老院报账员", 5, disclosure="收支情况每月公开"),
            ],
            materials=["支出计划", "票据"],
            disclosure=_disclose("供养经费收支情况", "每月 10 日前", "院务公开栏"),
            risks=[
                _risk("克扣供养人员伙食费、零用钱", HIGH, "伙食账目每月公开，供养人员代表参与管理")
            ],
            accountability=ACCOUNTABILITY_SERVICE,
        ),
        ItemSpec(
            number="3",
            name="伙食和物资采购",
            category="资金管理",
            responsible="敬老院",
            legal_bases=[_law("《养老机构管理办法》")],
            steps=[
                _step("提出采购清单", "敬老院炊事员", 1),
                _step("院长审批", "敬老院院长", 1, decision=True, reject_to=1),
                _step("定点采购", "敬老院", 2),
                _step("两人验收", "敬老院工作人员、供养人员代表", 1),
            ],
            materials=["采购清单", "验收单"],
            disclosure=_disclose("采购明细", "每月 10 日前", "院务公开栏"),
            risks=[_risk("虚报采购数量和价格", MEDIUM, "两人验收，供养人员代表监督")],
            accountability=ACCOUNTABILITY_SERVICE,
        ),
        ItemSpec(
            number="4",
            name="供养人员零用金发放",
            category="服务管理",
            responsible="敬老院",
            legal_bases=[_law(RELIEF_RULES, "第十五条")],
            steps=[
                _step("编制发放表", "敬老院报账员", 2),
                _step("本人签领", "供养人员", 3, description="不能签领的由两名工作人员见证代领"),
                _step("公开", "敬老院", disclosure="发放情况公开"),
            ],
            materials=["发放表"],
            disclosure=_disclose("零用金发放情况", "每月 10 日前", "院务公开栏"),
            risks=[_risk("冒领、截留零用金", HIGH, "本人签领，乡镇抽查")],
            accountability=ACCOUNTABILITY_SERVICE,
        ),
        ItemSpec(
            number="5",
            name="供养人员死亡后遗留财产处理",
            category="服务管理",
            responsible="敬老院、乡镇人民政府",
            legal_bases=[_law(CIVIL_CODE, "第一千一百六十条")],
            steps=[
                _step("清点登记遗留财产", "敬老院工作人员（两人以上）、村民委员会", 3),
                _step("乡镇审核处理方案", "乡镇人民政府", 10, decision=True, reject_to=1),
                _step("处理并公开结果", "敬老院", disclosure="处理结果公开"),
            ],
            materials=["财产清单", "死亡证明"],
            disclosure=_disclose("遗留财产处理情况", "处理后 10 日内", "院务公开栏"),
            risks=[_risk("私分、侵占遗留财产", HIGH, "两人以上清点并签字，乡镇审核")],
            accountability=ACCOUNTABILITY_SERVICE,
        ),
    ]


def _agriculture_items() -> list[ItemSpec]:
    bureau = "县农业农村局"
    return [
        ItemSpec(
            number="1",
            name="耕地地力保护补贴审核",
            category="惠农补贴",
            responsible=f"{bureau}计划财务科",
            legal_bases=[_law("《财政部 农业部关于全面推开农业“三项补贴”改革工作的通知》")],
            steps=[
                _step("汇总乡镇上报面积", f"{bureau}计划财务科", 10),
                _step("审核", bureau, 10, decision=True, reject_to=1, reject_label="退回核实"),
                _step("会同财政局发放", f"{bureau}、县财政局", 15),
            ],
            materials=["乡镇汇总表", "村级公示材料"],
            disclosure=_disclose("补贴标准和发放总额", "发放后 10 个工作日内", "县政府门户网站"),
            risks=[_risk("审核不严导致虚报冒领", MEDIUM, "与确权面积比对")],
            accountability=ACCOUNTABILITY_SERVICE,
        ),
        ItemSpec(
            number="2",
            name="农机购置补贴审核",
            category="惠农补贴",
            responsible=f"{bureau}农机管理科",
            legal_bases=[_law("《农业机械化促进法》", "第二十七条")],
            steps=[
                _step("受理申请", f"{bureau}农机管理科", 1),
                _step("核验机具", f"{bureau}农机管理科", 10),
                _step("审核", bureau, 5, decision=True, reject_label="不予补贴"),
                _step("公示并兑付", f"{bureau}、县财政局", 15, disclosure="补贴对象和金额公示"),
            ],
            time_limit=30,
            materials=["申请表", "购机发票", "身份证"],
            disclosure=_disclose("补贴对象、机具和金额", "随时公布", "县政府门户网站"),
            risks=[_risk("套取、骗取补贴资金", HIGH, "人机合影、机具二维码核验")],
            accountability=ACCOUNTABILITY_SERVICE,
        ),
        ItemSpec(
            number="3",
            name="农村集体“三资”监督检查",
            category="三资监管",
            responsible=f"{bureau}农村经营管理科",
            legal_bases=[_law(FINANCE_RULES)],
            steps=[
                _step("制定年度检查计划", f"{bureau}农村经营管理科", 10),
                _step("实地检查", "检查组", 20),
                _step("反馈问题并督促整改", f"{bureau}农村经营管理科", 30, unit=CAL),
                _step("通报检查结果", bureau, disclosure="检查结果通报"),
            ],
            disclosure=_disclose("检查结果和整改情况", "年度", "县政府门户网站"),
            risks=[_risk("检查走过场、发现问题不移送", MEDIUM, "问题线索移送纪检监察机关")],
            accountability="对发现问题不报告、不移送的，依规依纪追究责任。",
        ),
        ItemSpec(
            number="4",
            name="农村宅基地管理业务指导",
            category="宅基地",
            responsible=f"{bureau}农村经营管理科",
            legal_bases=[_law(LAND_LAW, "第六十二条")],
            steps=[
                _step("汇总乡镇审批情况", f"{bureau}农村经营管理科", 10),
                _step("抽查审批档案", f"{bureau}农村经营管理科", 20),
                _step("通报和指导整改", bureau, 10),
            ],
            disclosure=_disclose("宅基地审批情况", QUARTERLY, "县政府门户网站"),
            risks=[_risk("对违规审批问题未及时发现", MEDIUM, "按季度抽查")],
            accountability=ACCOUNTABILITY_SERVICE,
        ),
        ItemSpec(
            number="5",
            name="农村土地承包经营纠纷调解仲裁",
            category="土地承包",
            responsible="县农村土地承包仲裁委员会",
            legal_bases=[_law("《中华人民共和国农村土地承包经营纠纷调解仲裁法》", "第四条")],
            steps=[
                _step("受理仲裁申请", "县农村土地承包仲裁委员会", 5),
                _step("先行调解", "仲裁庭", 15, description="调解达成协议的，制作调解书结案"),
                _step("开庭审理", "仲裁庭", 20),
                _step("作出裁决", "仲裁庭", 15),
            ],
            time_limit=60,
            time_unit=CAL,
            materials=["仲裁申请书", "承包合同或权证", "证据材料"],
            disclosure=_disclose("办理流程和时限", "长期公开", "县政府门户网站"),
            risks=[_risk("偏袒一方当事人", MEDIUM, "仲裁员回避制度")],
            accountability="仲裁员徇私舞弊、枉法裁决的，依法追究责任。",
        ),
        _purchase_item("6", f"{bureau}办公室"),
    ]
