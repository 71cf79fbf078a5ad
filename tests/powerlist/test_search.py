"""Search: 1-, 2- and longer Chinese queries, pinyin, ranking, only current published items."""

import pytest
from sqlmodel import Session, col, func, select

from app.powerlist import search, service, standard
from app.powerlist.search import SearchDoc, SearchEntry, SearchList
from app.powerlist.specs import ItemSpec, LegalBasisSpec, ListContent, ListKind
from app.unit.models import Unit, UnitKind
from app.unit.pinyin import pinyin_keys
from tests.factories import World, make_unit
from tests.powerlist.factories import make_draft, make_item, make_published, make_step


def duty(*items: ItemSpec) -> ListContent:
    return ListContent(kind=ListKind.DUTY, items=list(items))


def village_items() -> ListContent:
    return duty(
        make_item("1.1", "村级印章使用管理", category="集体管理"),
        make_item(
            "2.1",
            "最低生活保障申请",
            steps=1,
            legal_bases=[LegalBasisSpec(title="《社会救助暂行办法》", article="第十一条")],
        ).model_copy(
            update={
                "steps": [
                    make_step("提出申请"),
                    make_step("入户调查", description="核查家庭收入、财产状况"),
                ]
            }
        ),
        make_item("2.2", "困难群众临时救助申请"),
        make_item(
            "2.3",
            "残疾人两项补贴申请",
            materials=["第二代残疾人证", "低保证等困难证明"],
        ),
        make_item("2.4", "村民宅基地审批"),
    )


def publish(session: Session, world: World, unit: Unit, content: ListContent) -> None:
    make_published(session, unit=unit, editor=world.editor, lead=world.lead, content=content)


def item_names(session: Session, query: str, **kwargs: int) -> list[str]:
    return [hit.name for hit in search.search_items(session, query=query, **kwargs).items]


@pytest.fixture
def village(session: Session, world: World) -> Unit:
    publish(session, world, world.village, village_items())
    return world.village


def test_one_character_query_finds_items(session: Session, village: Unit) -> None:
    page = search.search_items(session, query="印")

    assert [hit.name for hit in page.items] == ["村级印章使用管理"]
    hit = page.items[0]
    assert hit.unit.id == village.id
    assert hit.parent is not None
    assert hit.parent.name == "甲镇"
    assert hit.category == "集体管理"
    assert hit.name_match == search.Highlight("村级", "印", "章使用管理")


def test_two_character_query_also_finds_the_spelled_out_name(
    session: Session, village: Unit
) -> None:
    # 低保 is what people say; lists write 最低生活保障. Matching the name ranks first.
    assert item_names(session, "低保") == ["最低生活保障申请", "残疾人两项补贴申请"]
    material = search.search_items(session, query="低保").items[1]
    assert material.name_match is None
    assert material.snippet is not None
    assert material.snippet.label == "申请材料"
    assert material.snippet.text == search.Highlight("", "低保", "证等困难证明")


def test_name_matches_rank_above_matches_in_other_fields(session: Session, village: Unit) -> None:
    # 救助 is in one name and in another item's legal basis (《社会救助暂行办法》).
    names = item_names(session, "救助")

    assert names == ["困难群众临时救助申请", "最低生活保障申请"]
    basis = search.search_items(session, query="救助").items[1]
    assert basis.snippet is not None
    assert basis.snippet.field == "basis"
    assert basis.snippet.text.match == "救助"


def test_longer_queries_need_the_characters_together(session: Session, village: Unit) -> None:
    assert item_names(session, "宅基地审批") == ["村民宅基地审批"]
    assert item_names(session, "入户调查") == ["最低生活保障申请"]
    assert item_names(session, "宅基审批") == []


def test_characters_pairs_found_apart_do_not_make_a_match(session: Session, world: World) -> None:
    # Both pairs of 印章印 are in the item (印章 in the name, 章印 in a step), not the string.
    item = make_item("1", "印章管理").model_copy(
        update={"steps": [make_step("登记"), make_step("核对", description="盖章印鉴核对")]}
    )
    publish(session, world, world.village, duty(item))

    assert item_names(session, "章印") == ["印章管理"]
    assert item_names(session, "印章印") == []


def test_step_text_is_searched_and_shown_as_the_snippet(session: Session, village: Unit) -> None:
    hit = search.search_items(session, query="家庭收入").items[0]

    assert hit.name == "最低生活保障申请"
    assert hit.snippet is not None
    assert hit.snippet.label == "办理流程"
    assert hit.snippet.text == search.Highlight("入户调查：核查", "家庭收入", "、财产状况")


def test_every_term_of_a_query_must_match(session: Session, village: Unit) -> None:
    assert item_names(session, "低保 入户调查") == ["最低生活保障申请"]
    assert item_names(session, "低保 宅基地") == []


def test_ranking_puts_exact_names_first_then_prefix_contains_and_other_fields(
    session: Session, world: World
) -> None:
    publish(
        session,
        world,
        world.village,
        duty(
            make_item("1", "出具证明"),
            make_item("2", "困难救助", materials=["收入证明"]),
            make_item("3", "证明"),
            make_item("4", "证明材料核实"),
        ),
    )

    assert item_names(session, "证明") == ["证明", "证明材料核实", "出具证明", "困难救助"]


def test_within_a_rank_results_follow_the_unit_tree(session: Session, world: World) -> None:
    content = duty(make_item("1", "出具证明"))
    publish(session, world, world.other_village, content)
    publish(session, world, world.village, content)

    hits = search.search_items(session, query="出具证明").items

    # In division order (甲村 was imported first), whatever the order of publication.
    assert [hit.unit.name for hit in hits] == ["甲村", "乙社区"]
    assert [hit.parent.name for hit in hits if hit.parent] == ["甲镇", "乙街道"]
    assert len({hit.key for hit in hits}) == 2


def test_superseded_versions_are_not_found(session: Session, world: World) -> None:
    publish(session, world, world.village, duty(make_item("1", "旧名称事项")))
    power_list = service.find_list(session, unit=world.village, kind=ListKind.DUTY)
    assert power_list is not None
    draft = service.create_draft(
        session, power_list=power_list, actor=world.editor, source=service.VersionSource.COPY
    )
    content = service.content_of(session, version=draft)
    content.items[0] = content.items[0].model_copy(update={"name": "新名称事项"})
    service.save_content(session, version=draft, content=content, actor=world.editor)
    service.submit(session, version=draft, actor=world.editor)
    service.approve(session, version=draft, actor=world.lead)

    assert item_names(session, "旧名称") == []
    found = search.search_items(session, query="名称事项").items
    assert [hit.name for hit in found] == ["新名称事项"]
    # The key survives the version, so the link keeps working.
    assert found[0].key == content.items[0].key


def test_drafts_and_submissions_are_not_found(session: Session, world: World) -> None:
    make_draft(
        session, unit=world.village, actor=world.editor, content=duty(make_item("1", "草稿事项"))
    )
    submitted = make_draft(
        session,
        unit=world.other_village,
        actor=world.other_editor,
        content=duty(make_item("1", "待审事项")),
    )
    service.submit(session, version=submitted, actor=world.other_editor)

    assert item_names(session, "草稿") == []
    assert item_names(session, "待审") == []


def test_standard_lists_are_not_found_until_published_to_units(
    session: Session, world: World
) -> None:
    standard_list = standard.create_standard_list(
        session, unit_kind=UnitKind.VILLAGE, kind=ListKind.DUTY, actor=world.admin
    )
    draft = service.create_draft(session, power_list=standard_list, actor=world.admin)
    content = duty(make_item("1", "标准样板事项"))
    service.save_content(session, version=draft, content=content, actor=world.admin)
    service.publish_directly(session, version=draft, actor=world.admin)
    assert item_names(session, "样板") == []

    standard.publish_standard_to_units(
        session,
        standard_list=standard_list,
        units=[world.village, world.other_village],
        actor=world.admin,
    )

    hits = search.search_items(session, query="样板").items
    assert sorted(hit.unit.name for hit in hits) == ["乙社区", "甲村"]
    assert len({hit.key for hit in hits}) == 2
    # One text, one document, however many units publish it.
    assert session.exec(select(func.count()).select_from(SearchDoc)).one() == 1


def test_inactive_units_are_left_out_until_reactivated(
    session: Session, world: World, village: Unit
) -> None:
    village.is_active = False
    session.add(village)
    session.flush()

    assert item_names(session, "印") == []
    assert search.search_items(session, query="印").total == 0
    assert session.exec(select(func.count()).select_from(SearchEntry)).one() == 0

    village.is_active = True
    session.add(village)
    session.flush()

    assert item_names(session, "印") == ["村级印章使用管理"]


def test_results_are_paginated(session: Session, world: World) -> None:
    publish(
        session,
        world,
        world.village,
        duty(*(make_item(str(n), f"分页事项{n:02d}") for n in range(1, 26))),
    )

    first = search.search_items(session, query="分页", page=1, per_page=20)
    second = search.search_items(session, query="分页", page=2, per_page=20)
    beyond = search.search_items(session, query="分页", page=3, per_page=20)

    assert (first.total, first.pages, len(first.items), len(second.items)) == (25, 2, 20, 5)
    assert [hit.name for hit in first.items + second.items] == [
        f"分页事项{n:02d}" for n in range(1, 26)
    ]
    assert beyond.items == []
    assert beyond.total == 25


@pytest.mark.parametrize("query", ["", "   ", "%", "_", "、"])
def test_queries_without_letters_find_nothing(session: Session, village: Unit, query: str) -> None:
    assert search.search_items(session, query=query).total == 0


def test_the_index_is_written_when_the_transaction_commits(session: Session, world: World) -> None:
    publish(session, world, world.village, duty(make_item("1", "提交即索引")))

    session.commit()

    entries = session.exec(select(SearchEntry)).all()
    assert [entry.unit_id for entry in entries] == [world.village.id]
    assert session.exec(select(func.count()).select_from(SearchList)).one() == 1


def test_rebuild_gives_the_same_index(session: Session, village: Unit) -> None:
    before = item_names(session, "申请")

    assert search.rebuild_index(session) == 1

    assert item_names(session, "申请") == before
    assert len(before) == 3
    # Documents no longer used by any item are gone after a rebuild.
    used = select(SearchEntry.doc_id)
    assert (
        session.exec(
            select(func.count()).select_from(SearchDoc).where(col(SearchDoc.id).not_in(used))
        ).one()
        == 0
    )


# ---------------------------------------------------------------------------------------------
# Units


def named_unit(session: Session, parent: Unit, name: str, **kwargs: object) -> Unit:
    unit = make_unit(session, name=name, parent=parent, **kwargs)  # type: ignore[arg-type]
    unit.pinyin, unit.pinyin_initials = pinyin_keys(name)
    session.flush()
    return unit


def unit_names(session: Session, query: str) -> list[str]:
    return [hit.unit.name for hit in search.search_units(session, query=query).items]


def test_units_by_pinyin_and_initials(session: Session, world: World) -> None:
    named_unit(session, world.township, "五丰社区", kind=UnitKind.COMMUNITY)

    for query in ("wufeng", "wf", "wfsq", "五丰", "丰"):
        assert unit_names(session, search.normalise_query(query)) == ["五丰社区"]
    assert unit_names(session, search.normalise_query("Wu Feng")) == ["五丰社区"]


def test_units_rank_exact_then_prefix_then_pinyin_then_initials(
    session: Session, world: World
) -> None:
    named_unit(session, world.township, "新丰村")
    named_unit(session, world.township, "丰收村")
    named_unit(session, world.township, "丰")
    named_unit(session, world.township, "冯家村")  # fengjiacun: pinyin prefix "feng"

    assert unit_names(session, "丰") == ["丰", "丰收村", "新丰村"]
    named_unit(session, world.township, "福尔村")  # initials fec: after every pinyin prefix
    assert unit_names(session, "fe") == ["丰收村", "丰", "冯家村", "福尔村"]


def test_inactive_units_are_not_found(session: Session, world: World) -> None:
    named_unit(session, world.township, "撤并村", is_active=False)

    assert unit_names(session, "撤并") == []


def test_search_returns_both_sections(session: Session, world: World, village: Unit) -> None:
    results = search.search(session, query=" 甲 ")

    assert results.query == "甲"
    assert [hit.unit.name for hit in results.units.items] == ["甲镇", "甲村"]
    assert results.items.total == 0
    assert search.search(session, query="低保").units.total == 0


def test_document_tokens_cover_characters_and_pairs() -> None:
    assert search.document_tokens("低保、A4") == {"低", "保", "低保", "a", "4", "a4"}
    assert search.term_tokens("宅基地") == {"宅基", "基地"}
    assert search.term_tokens("印") == {"印"}
    assert search.term_tokens("《民法》第1条") == {"民法", "第1", "1条"}
