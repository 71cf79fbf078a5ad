"""Excel template, export and all-or-nothing import with errors by sheet, row and column."""

import io
from collections.abc import Callable

import pytest
from openpyxl import Workbook, load_workbook

from app.core.errors import ValidationFailed
from app.powerlist.excel import (
    CADRES,
    HELP_SHEET,
    ITEMS,
    NEGATIVES,
    RISKS,
    STEPS,
    export_workbook,
    parse_workbook,
    template_workbook,
)
from app.powerlist.specs import (
    CadreDutySpec,
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
from app.powerlist.standard_content import (
    OfficeKind,
    county_village_cadre_list,
    county_village_duty_list,
    county_village_negative_list,
    office_duty_list,
    township_duty_list,
)


def _small_duty() -> ListContent:
    return ListContent(
        kind=ListKind.DUTY,
        items=[
            ItemSpec(
                number="1",
                name="出具证明",
                category="便民服务",
                responsible="村民委员会",
                legal_bases=[LegalBasisSpec(title="《殡葬管理条例》", article="第十条")],
                steps=[
                    StepSpec(name="提出申请", actor="申请人"),
                    StepSpec(
                        name="审核",
                        actor="村文书",
                        time_limit=1,
                        kind=StepKind.DECISION,
                        reject_to=1,
                    ),
                ],
                time_limit=3,
                risks=[RiskSpec(description="出具虚假证明", level=RiskLevel.LOW, measure="登记")],
            ),
            ItemSpec(
                number="2",
                name="宅基地审批",
                category="便民服务",
                responsible="村民委员会",
                steps=[StepSpec(name="申请", actor="农户")],
            ),
        ],
    )


def _edit(data: bytes, change: Callable[[Workbook], None]) -> bytes:
    workbook = load_workbook(io.BytesIO(data))
    change(workbook)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _errors(data: bytes, kind: ListKind = ListKind.DUTY) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as caught:
        parse_workbook(data, kind)
    assert caught.value.message.startswith("导入失败")
    return caught.value.errors


def _exported() -> bytes:
    return export_workbook(_small_duty(), unit_name="五丰村", version_label="第 1 版")


# --- template ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "sheets"),
    [
        (ListKind.DUTY, [ITEMS, STEPS, RISKS]),
        (ListKind.CADRE, [CADRES]),
        (ListKind.NEGATIVE, [NEGATIVES]),
    ],
)
def test_template_has_headers_help_and_frozen_rows(kind: ListKind, sheets: list) -> None:
    workbook = load_workbook(io.BytesIO(template_workbook(kind)))
    assert workbook.sheetnames == [s.name for s in sheets] + [HELP_SHEET]
    for sheet in sheets:
        worksheet = workbook[sheet.name]
        headers = [cell.value for cell in worksheet[1]]
        assert headers == [c.header for c in sheet.columns]
        assert worksheet.freeze_panes == "A2"
        assert worksheet.max_row == 1
        assert worksheet.column_dimensions["A"].width == sheet.columns[0].width
    help_text = [c.value for row in workbook[HELP_SHEET].iter_rows() for c in row if c.value]
    for sheet in sheets:
        assert all(c.help in help_text for c in sheet.columns)


def test_template_has_drop_down_lists() -> None:
    workbook = load_workbook(io.BytesIO(template_workbook(ListKind.DUTY)))
    lists = {
        (name, str(dv.sqref)): dv.formula1
        for name in ("事项", "流程", "风险点")
        for dv in workbook[name].data_validations.dataValidation
    }
    assert lists == {
        ("事项", "G2:G1001"): '"工作日,自然日"',
        ("流程", "G2:G1001"): '"工作日,自然日"',
        ("流程", "H2:H1001"): '"办理,判断"',
        ("风险点", "C2:C1001"): '"高,中,低"',
    }


def test_an_empty_template_imports_as_an_empty_list() -> None:
    for kind in ListKind:
        assert parse_workbook(template_workbook(kind), kind) == ListContent(kind=kind)


# --- export and round trip -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        county_village_duty_list(),
        county_village_cadre_list(),
        county_village_negative_list(),
        township_duty_list(),
        *(office_duty_list(kind) for kind in OfficeKind),
    ],
    ids=lambda c: f"{c.kind}-{len(c.items) + len(c.cadre_duties) + len(c.negative_items)}",
)
def test_export_then_import_is_identical(content: ListContent) -> None:
    data = export_workbook(content, unit_name="宁海县", version_label="2026 版")
    assert parse_workbook(data, content.kind) == content


def test_round_trip_keeps_keys_odd_text_and_custom_labels() -> None:
    content = ListContent(
        kind=ListKind.DUTY,
        items=[
            ItemSpec(
                number="3",
                name='=HYPERLINK("http://x")',
                category="集体管理",
                responsible="村委会",
                key="a1b2c3",
                legal_bases=[
                    LegalBasisSpec(title="县村级印章管理规定", article="第三条"),
                    LegalBasisSpec(title="《中华人民共和国民法典》"),
                    LegalBasisSpec(title="中央八项规定"),
                ],
                steps=[
                    StepSpec(name="申请", actor="申请人", time_unit=TimeUnit.CALENDAR),
                    StepSpec(
                        name="审批",
                        actor="书记",
                        kind=StepKind.DECISION,
                        reject_label="不予用印",
                        description="第一行\n第二行",
                    ),
                ],
                materials=["身份证", "户口簿"],
                negative_refs=["1", "12"],
            )
        ],
    )
    data = export_workbook(content, unit_name="村", version_label="草稿")
    assert parse_workbook(data, ListKind.DUTY) == content
    worksheet = load_workbook(io.BytesIO(data))["事项"]
    assert worksheet["B2"].data_type == "s"  # never exported as a formula


def test_export_layout() -> None:
    workbook = load_workbook(io.BytesIO(_exported()))
    items = workbook["事项"]
    assert [c.value for c in items[2]][:7] == [
        "1",
        "出具证明",
        "便民服务",
        "村民委员会",
        "《殡葬管理条例》第十条",
        3,
        "工作日",
    ]
    steps = workbook["流程"]
    assert [c.value for c in steps[3]][:9] == [
        "1",
        2,
        "审核",
        "村文书",
        None,
        1,
        "工作日",
        "判断",
        1,
    ]
    assert [c.value for c in workbook["风险点"][2]] == ["1", "出具虚假证明", "低", "登记"]
    help_cells = [c.value for c in workbook[HELP_SHEET]["A"] if c.value]
    assert help_cells[:2] == ["五丰村 职责清单（权力事项）", "版本：第 1 版"]


# --- broken uploads ---------------------------------------------------------------------------


def test_not_an_xlsx_file() -> None:
    for data in (b"name,steps\n1,2\n", b"\xd0\xcf\x11\xe0" + b"\0" * 100, b""):
        with pytest.raises(ValidationFailed) as caught:
            parse_workbook(data, ListKind.DUTY)
        assert "xlsx" in caught.value.errors["file"]


def test_wrong_header_is_reported_and_nothing_imported() -> None:
    def rename(workbook: Workbook) -> None:
        workbook["事项"]["B1"] = "名称"

    errors = _errors(_edit(_exported(), rename))
    assert errors["事项!B1"] == "事项 工作表第 1 行第 B 列：不认识的表头「名称」"
    assert errors["事项!表头「事项名称」"] == "事项 工作表第 1 行：缺少「事项名称」列"


def test_missing_and_unknown_sheets() -> None:
    def change(workbook: Workbook) -> None:
        del workbook["风险点"]
        workbook.create_sheet("Sheet1")

    errors = _errors(_edit(_exported(), change))
    assert errors["风险点"] == "缺少「风险点」工作表"
    assert errors["Sheet1"].startswith("不认识的工作表「Sheet1」")
    # A duty workbook uploaded as a cadre list names the sheets it expected.
    errors = _errors(_exported(), ListKind.CADRE)
    assert errors["干部履职"] == "缺少「干部履职」工作表"


def test_every_cell_problem_is_reported_by_sheet_row_and_column() -> None:
    def break_cells(workbook: Workbook) -> None:
        items, steps, risks = workbook["事项"], workbook["流程"], workbook["风险点"]
        items["F2"] = "三天"  # 办理时限
        items["B3"] = None  # 事项名称
        items["G3"] = "小时"  # 时限类型
        steps["A2"] = "9.9"  # 事项编号 that does not exist
        steps["F3"] = -2  # 步骤时限
        risks["C2"] = "很高"  # 风险等级

    errors = _errors(_edit(_exported(), break_cells))
    assert errors == {
        "事项!F2": "事项 工作表第 2 行「办理时限」列：必须是正整数",
        "事项!B3": "事项 工作表第 3 行「事项名称」列：请填写事项名称",
        "事项!G3": "事项 工作表第 3 行「时限类型」列：只能填写「工作日」「自然日」",
        "流程!A2": "流程 工作表第 2 行「事项编号」列：事项编号「9.9」在「事项」工作表中不存在",
        # Step 1 moved away, so step 2 now returns to a step that does not exist.
        "流程!I3": (
            "流程 工作表第 3 行「不通过退回步骤」列：退回步骤必须是本事项中序号小于 2 的步骤"
        ),
        "流程!F3": "流程 工作表第 3 行「步骤时限」列：必须是正整数",
        "风险点!C2": "风险点 工作表第 2 行「风险等级」列：只能填写「高」「中」「低」",
    }


def test_step_references_are_checked() -> None:
    def change(workbook: Workbook) -> None:
        steps = workbook["流程"]
        steps["I3"] = 5  # 不通过退回步骤 after the step itself
        steps.append(["2", 2, "审核", "村委会", None, None, None, "办理", 1])
        steps.append(["2", 2, "再审", "村委会"])

    errors = _errors(_edit(_exported(), change))
    assert errors == {
        "流程!I3": (
            "流程 工作表第 3 行「不通过退回步骤」列：退回步骤必须是本事项中序号小于 2 的步骤"
        ),
        "流程!B6": "流程 工作表第 6 行「步骤序号」列：步骤序号 2 与第 5 行重复",
        "流程!I5": "流程 工作表第 5 行「不通过退回步骤」列：只有步骤类型为「判断」的步骤才能填写",
    }


def test_items_need_steps_and_unique_numbers() -> None:
    def change(workbook: Workbook) -> None:
        workbook["流程"].delete_rows(4)  # the only step of item 2
        workbook["事项"].append(["1", "重复事项", "便民服务", "村委会"])

    errors = _errors(_edit(_exported(), change))
    assert errors == {
        "事项!3": "事项 工作表第 3 行：该事项在「流程」工作表中没有办理步骤",
        "事项!A4": "事项 工作表第 4 行「编号」列：编号「1」与第 2 行重复",
    }


def test_steps_are_ordered_by_position_and_blank_rows_skipped() -> None:
    def change(workbook: Workbook) -> None:
        steps = workbook["流程"]
        steps.insert_rows(2)  # a blank row
        # Swap the two steps of item 1 on the sheet; 序号 still decides the order.
        first = [c.value for c in steps[3]]
        second = [c.value for c in steps[4]]
        for col, (top, bottom) in enumerate(zip(second, first, strict=True), start=1):
            steps.cell(row=3, column=col).value = top
            steps.cell(row=4, column=col).value = bottom
        workbook["事项"]["A2"] = 1  # 编号 typed as a number
        steps["A3"] = 1.0
        steps["A4"] = "1"

    assert parse_workbook(_edit(_exported(), change), ListKind.DUTY) == _small_duty()


def test_too_long_text_is_reported_on_its_cell() -> None:
    def change(workbook: Workbook) -> None:
        workbook["事项"]["J2"] = "期" * 201  # 公开时限

    errors = _errors(_edit(_exported(), change))
    assert errors == {"事项!J2": "事项 工作表第 2 行「公开时限」列：不能超过 200 个字"}


def test_negative_list_errors() -> None:
    content = ListContent(
        kind=ListKind.NEGATIVE,
        negative_items=[NegativeSpec(number="1", act="不得优亲厚友", item_refs=["1.1", "2.2"])],
    )
    data = export_workbook(content, unit_name="村", version_label="v1")
    assert load_workbook(io.BytesIO(data))["负面清单"]["E2"].value == "1.1、2.2"

    def change(workbook: Workbook) -> None:
        sheet = workbook["负面清单"]
        sheet.append(["2", "应当及时公开"])
        sheet.append(["1", "严禁吃拿卡要"])

    errors = _errors(_edit(data, change), ListKind.NEGATIVE)
    assert errors == {
        "负面清单!B3": (
            "负面清单 工作表第 3 行「禁止行为」列：禁止行为须以「不得」「严禁」或「禁止」开头"
        ),
        "负面清单!A4": "负面清单 工作表第 4 行「编号」列：编号「1」与第 2 行重复",
    }


def test_cadre_list_errors() -> None:
    content = ListContent(
        kind=ListKind.CADRE,
        cadre_duties=[CadreDutySpec(post="村党组织书记", person="王建国", duties=["主持工作"])],
    )
    data = export_workbook(content, unit_name="村", version_label="v1")

    def change(workbook: Workbook) -> None:
        sheet = workbook["干部履职"]
        sheet.append(["村报账员", None, None, None, 5746512345])

    errors = _errors(_edit(data, change), ListKind.CADRE)
    assert errors == {
        "干部履职!B3": "干部履职 工作表第 3 行「姓名」列：请填写姓名",
        "干部履职!C3": "干部履职 工作表第 3 行「履职事项」列：请至少填写一项履职事项",
    }
