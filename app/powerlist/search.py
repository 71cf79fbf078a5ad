"""Public search (§10 /search): units by name and pinyin, published power items by their text.

Design, and why
---------------
Items. Only what the public can see is searchable: the current published version of every
unit's duty list (no drafts, no superseded versions, no standard lists), of active units.
Scale is a province: ≈ 25 000 units × 22 items ≈ 550 000 items. Two observations shape the
index:

1. Most of those items are copies. A county publishes its standard lists to every village
   (`standard.publish_standard_to_units`), so 550 000 items carry a few hundred distinct texts.
   The index therefore stores each distinct text once, as a *document* (`search_doc`, keyed by
   a digest of its text), and one narrow row per published item (`search_entry`: item, list,
   unit, document). Matching runs over documents, so its cost follows the number of distinct
   texts, not the number of items; results then fan out to entries through an index.
2. Citizens type one or two Chinese characters (印, 低保, 救助). SQLite's FTS5 trigram tokenizer
   returns nothing for queries under three characters, and PostgreSQL's pg_trgm indexes cannot
   serve them either. Instead every document is split into its single characters and
   two-character pairs (bigrams) over runs of letters and digits, stored in an ordinary table
   (`search_token`, primary key (token, doc_id)): an inverted index that works the same on
   both databases, with no extension, no virtual table (which `alembic check` would report as
   drift) and no dialect-specific SQL. A query term of one character looks up that
   character; a longer term needs every one of its bigrams, and a `LIKE '%term%'` over the few
   candidate documents then confirms the characters are adjacent. So 1, 2 and ≥ 3 characters
   are all index lookups, and the answer is exactly "the text contains the term".

Abbreviations citizens use for what documents spell out (低保 → 最低生活保障) are expanded, so
typing 低保 finds 最低生活保障申请.

Ranking: exact item name first, then name prefix, then name contains, then matches in other
fields (category, responsible party, legal basis, steps, materials, disclosure); within a
rank, documents by name, so one item reads as a run of the units that have it (in division
code order). Counting and paging read per-document ranges of one index, so a query costs
about the same whether 400 or 100 000 items match. Units: exact name (or code), name (or code)
prefix, pinyin prefix, initials prefix, then name contains.

Keeping the index current needs nothing from the publishing services: ORM events note when a
transaction changes which version of a list is current (the publish path through the ORM,
and the bulk UPDATE of `publish_standard_to_units`) or deactivates a unit, and `sync_index`
runs before that transaction commits. It compares `power_list.current_version_id` and
`unit.is_active` with `search_list` (the version each list has in the index) and reindexes
only the lists that differ, so the index holds exactly what the public may see, consistent
with what was committed, in the same transaction. A search in a session with such changes
not yet committed syncs first. `rebuild_index` starts from scratch (after a restore, or for
a database published to before this index existed).
"""

import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import (
    Column,
    Index,
    Text,
    and_,
    case,
    delete,
    event,
    false,
    func,
    inspect,
    or_,
)
from sqlalchemy import cast as sql_cast
from sqlalchemy import select as sa_select
from sqlalchemy.orm import ORMExecuteState, UOWTransaction
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Field, Session, SQLModel, col, select

from app.core.batching import chunks
from app.core.pagination import Page, paginate
from app.powerlist.content import bulk_insert
from app.powerlist.models import KEY_MAX, PowerItem, PowerList, ProcessStep
from app.powerlist.specs import NAME_MAX, PERSON_MAX, ListKind
from app.unit.models import Unit

MAX_QUERY_LENGTH = 50
MAX_TERMS = 5
PER_PAGE = 20
# Lists per reindexing round; keeps IN lists far below SQLite's bound-parameter limit.
_CHUNK = 1000
_PENDING = "search_index_pending"

# What citizens say → what lists write. Each key is replaced inside a query term, and either
# spelling then matches.
ALIASES: dict[str, tuple[str, ...]] = {
    "低保": ("最低生活保障",),
    "五保": ("特困",),
    "危改": ("危房改造",),
}

# Shown under an empty search box: what people look for most.
COMMON_QUERIES = ("低保", "宅基地", "印章", "救助", "证明", "补贴", "工程项目", "建房")


# ---------------------------------------------------------------------------------------------
# Tables (derived data: `rebuild_index` recreates all of it from the lists)


class SearchDoc(SQLModel, table=True):
    """One distinct searchable text of a power item, shared by every item with that text."""

    __tablename__ = "search_doc"

    id: int | None = Field(default=None, primary_key=True)
    digest: str = Field(max_length=32, unique=True)
    name: str = Field(max_length=NAME_MAX)
    category: str = Field(default="", max_length=PERSON_MAX)
    # Field lines (see _FIELD_MARKS), the name first; matched with LIKE, shown as snippets.
    body: str = Field(sa_column=Column(Text, nullable=False))


class SearchToken(SQLModel, table=True):
    """Inverted index: a character or character pair (bigram) occurring in a document."""

    __tablename__ = "search_token"
    __table_args__ = (
        # Deleting a document (its tokens go by cascade) finds them through this.
        Index("ix_search_token_doc_id", "doc_id"),
        # The primary key is the whole row: on SQLite store it as the B-tree itself.
        {"sqlite_with_rowid": False},
    )

    token: str = Field(max_length=2, primary_key=True)
    doc_id: int = Field(foreign_key="search_doc.id", primary_key=True, ondelete="CASCADE")


class SearchEntry(SQLModel, table=True):
    """An item of an active unit's current published duty list, pointing at its document."""

    __tablename__ = "search_entry"
    # Counting and paging a document's items read this index only.
    __table_args__ = (
        Index("ix_search_entry_doc_id_unit_id_position", "doc_id", "unit_id", "position"),
    )

    item_id: int = Field(
        primary_key=True,
        foreign_key="power_item.id",
        ondelete="CASCADE",
        sa_column_kwargs={"autoincrement": False},
    )
    list_id: int = Field(foreign_key="power_list.id", ondelete="CASCADE", index=True)
    unit_id: int = Field(foreign_key="unit.id")
    doc_id: int = Field(foreign_key="search_doc.id")
    item_key: str = Field(max_length=KEY_MAX)
    position: int


class SearchList(SQLModel, table=True):
    """Which version of a unit's duty list the index holds (compared with current_version_id)."""

    __tablename__ = "search_list"

    list_id: int = Field(
        primary_key=True,
        foreign_key="power_list.id",
        ondelete="CASCADE",
        sa_column_kwargs={"autoincrement": False},
    )
    version_id: int = Field(foreign_key="list_version.id", ondelete="CASCADE")


# ---------------------------------------------------------------------------------------------
# Text: documents, tokens, query terms

# Control characters mark each line's field: nobody can type them, so no query matches them.
_FIELD_MARKS = {
    "name": "\x01",
    "category": "\x02",
    "responsible": "\x03",
    "basis": "\x04",
    "step": "\x05",
    "material": "\x06",
    "disclosure": "\x07",
}
_FIELD_OF_MARK = {mark: field for field, mark in _FIELD_MARKS.items()}

MATCH_FIELD_LABELS: dict[str, str] = {
    "name": "名称",
    "category": "类别",
    "responsible": "责任主体",
    "basis": "依据",
    "step": "办理流程",
    "material": "申请材料",
    "disclosure": "公开内容",
}

_WORD_RUN = re.compile(r"[^\W_]+")  # letters and digits in any script (CJK included)


def document_body(
    *,
    name: str,
    category: str,
    responsible: str,
    legal_bases: Iterable[dict[str, str]],
    steps: Iterable[tuple[str, str]],
    materials: Iterable[str],
    disclosure: str,
) -> str:
    """The searchable text of an item, one field value per line, each led by its mark."""
    lines: list[tuple[str, str]] = [("name", name), ("category", category)]
    lines.append(("responsible", responsible))
    lines += [("basis", f"{b.get('title', '')}{b.get('article', '')}".strip()) for b in legal_bases]
    lines += [("step", f"{n}：{d}" if d else n) for n, d in steps]
    lines += [("material", m) for m in materials]
    lines.append(("disclosure", disclosure))
    return "\n".join(
        _FIELD_MARKS[field] + " ".join(value.split()) for field, value in lines if value.strip()
    )


def _runs(text: str) -> list[str]:
    return _WORD_RUN.findall(text.lower())


def document_tokens(text: str) -> set[str]:
    """Every character and adjacent pair of characters within runs of letters and digits."""
    tokens: set[str] = set()
    for run in _runs(text):
        tokens.update(run)
        tokens.update(run[i : i + 2] for i in range(len(run) - 1))
    return tokens


def term_tokens(term: str) -> set[str]:
    """What a document must contain to possibly contain `term`: a lone character, or the
    term's bigrams (a term's runs of one character among longer runs are covered by those)."""
    runs = _runs(term)
    tokens: set[str] = set()
    for run in runs:
        if len(run) == 1:
            tokens.add(run)
        else:
            tokens.update(run[i : i + 2] for i in range(len(run) - 1))
    return tokens


_PINYIN_QUERY = re.compile(r"^[A-Za-z][A-Za-z' ]*$")


def normalise_query(raw: str) -> str:
    """Collapse whitespace and cap the length; "wu feng" becomes "wufeng" for the pinyin keys."""
    query = " ".join(raw.split())[:MAX_QUERY_LENGTH].strip()
    if _PINYIN_QUERY.match(query):
        return query.replace(" ", "").replace("'", "").lower()
    return query


def query_terms(query: str) -> list[str]:
    """Lower-cased, distinct whitespace-separated terms of a normalised query (at most 5)."""
    terms: list[str] = []
    for term in query.lower().split():
        if term not in terms:
            terms.append(term)
    return terms[:MAX_TERMS]


def term_variants(term: str) -> list[str]:
    """The term and its spellings with abbreviations expanded (低保申请 → 最低生活保障申请)."""
    variants = [term]
    for short, longs in ALIASES.items():
        if short in term:
            variants += [term.replace(short, long) for long in longs]
    return variants


# ---------------------------------------------------------------------------------------------
# Keeping the index current


def sync_index(session: Session) -> int:
    """Make the index hold exactly the current published duty list of every active unit:
    reindex the lists whose indexed version differs, drop those of deactivated units or
    without a published version. Returns how many lists changed."""
    session.flush()
    session.info.pop(_PENDING, None)
    current = col(PowerList.current_version_id)
    indexed = col(SearchList.version_id)
    active = col(Unit.is_active).is_(True)
    stale = session.execute(
        select(PowerList.id, PowerList.unit_id, PowerList.current_version_id, Unit.is_active)
        .join(Unit, col(Unit.id) == col(PowerList.unit_id))
        .outerjoin(SearchList, col(SearchList.list_id) == col(PowerList.id))
        .where(
            col(PowerList.kind) == ListKind.DUTY,
            or_(
                and_(active, current.is_not(None), or_(indexed.is_(None), indexed != current)),
                and_(indexed.is_not(None), or_(~active, current.is_(None))),
            ),
        )
        .order_by(col(PowerList.id))
    ).all()
    for chunk in chunks(stale, _CHUNK):
        _reindex_lists(
            session,
            [
                (list_id, unit_id, version_id if is_active else None)
                for list_id, unit_id, version_id, is_active in chunk
            ],
        )
    return len(stale)


def rebuild_index(session: Session) -> int:
    """Empty the index and index every current published unit duty list again."""
    for model in (SearchEntry, SearchList, SearchToken, SearchDoc):
        session.execute(delete(model), execution_options={"synchronize_session": False})
    return sync_index(session)


def _reindex_lists(session: Session, lists: Sequence[tuple[int, int | None, int | None]]) -> None:
    """(list id, unit id, current version id or None) → entries of exactly that version."""
    list_ids = [list_id for list_id, _, _ in lists]
    for model in (SearchEntry, SearchList):
        session.execute(
            delete(model).where(col(model.list_id).in_(list_ids)),
            execution_options={"synchronize_session": False},
        )
    targets = {
        version_id: (list_id, unit_id)
        for list_id, unit_id, version_id in lists
        if version_id is not None and unit_id is not None
    }
    if not targets:
        return
    session.connection().execute(
        SearchList.__table__.insert(),  # type: ignore[attr-defined]
        [{"list_id": lid, "version_id": vid} for vid, (lid, _) in targets.items()],
    )
    version_ids = list(targets)
    steps: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for item_id, name, description in session.execute(
        select(ProcessStep.item_id, ProcessStep.name, ProcessStep.description)
        .where(col(ProcessStep.version_id).in_(version_ids))
        .order_by(col(ProcessStep.item_id), col(ProcessStep.position))
    ):
        steps[item_id].append((name, description))
    items = session.execute(
        sa_select(
            col(PowerItem.id),
            col(PowerItem.version_id),
            col(PowerItem.key),
            col(PowerItem.position),
            col(PowerItem.name),
            col(PowerItem.category),
            col(PowerItem.responsible),
            col(PowerItem.disclosure_content),
            # As stored: decoded only for texts not seen yet in this round.
            sql_cast(col(PowerItem.legal_bases), Text),
            sql_cast(col(PowerItem.materials), Text),
        ).where(col(PowerItem.version_id).in_(version_ids))
    ).all()
    # Copies of one standard list repeat the same few texts thousands of times: build and hash
    # each distinct text once per round.
    digests: dict[tuple[Any, ...], str] = {}
    documents: dict[str, tuple[str, str, str]] = {}
    entries: list[dict[str, Any]] = []
    for item_id, version_id, key, position, *fields in items:
        item_steps = steps.get(item_id, [])
        fingerprint = (*fields, *item_steps)
        digest = digests.get(fingerprint)
        if digest is None:
            name, category, responsible, disclosure, bases, materials = fields
            body = document_body(
                name=name,
                category=category,
                responsible=responsible,
                legal_bases=json.loads(bases),
                steps=item_steps,
                materials=json.loads(materials),
                disclosure=disclosure,
            )
            digest = hashlib.blake2b(body.encode(), digest_size=16).hexdigest()
            digests[fingerprint] = digest
            documents.setdefault(digest, (name, category, body))
        list_id, unit_id = targets[version_id]
        entries.append(
            {
                "item_id": item_id,
                "list_id": list_id,
                "unit_id": unit_id,
                "doc_id": digest,  # replaced by the document's id below
                "item_key": key,
                "position": position,
            }
        )
    doc_ids = _ensure_documents(session, documents)
    for entry in entries:
        entry["doc_id"] = doc_ids[entry["doc_id"]]
    bulk_insert(session, SearchEntry, entries)


def _ensure_documents(
    session: Session, documents: dict[str, tuple[str, str, str]]
) -> dict[str, int]:
    """digest → document id, creating (with tokens) the documents not stored yet."""
    ids: dict[str, int] = {}
    digests = list(documents)
    for chunk in chunks(digests, _CHUNK):
        ids.update(_document_ids(session, chunk))
    missing = [d for d in digests if d not in ids]
    if not missing:
        return ids
    _insert_ignoring_duplicates(
        session,
        SearchDoc,
        [
            {"digest": d, "name": documents[d][0], "category": documents[d][1], "body": body}
            for d in missing
            for body in [documents[d][2]]
        ],
    )
    created: dict[str, int] = {}
    for chunk in chunks(missing, _CHUNK):
        created.update(_document_ids(session, chunk))
    # Ignoring duplicates: a concurrent transaction may have stored the same document.
    _insert_ignoring_duplicates(
        session,
        SearchToken,
        [
            {"token": token, "doc_id": doc_id}
            for digest, doc_id in created.items()
            for token in sorted(document_tokens(documents[digest][2]))
        ],
    )
    return ids | created


def _document_ids(session: Session, digests: Sequence[str]) -> dict[str, int]:
    rows = session.execute(
        select(SearchDoc.digest, SearchDoc.id).where(col(SearchDoc.digest).in_(digests))
    ).all()
    return {digest: doc_id for digest, doc_id in rows if doc_id is not None}


def _insert_ignoring_duplicates(
    session: Session, model: type[SQLModel], rows: list[dict[str, Any]]
) -> None:
    if not rows:
        return
    connection = session.connection()
    table = model.__table__  # type: ignore[attr-defined]
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        connection.execute(pg_insert(table).on_conflict_do_nothing(), rows)
    else:
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        connection.execute(sqlite_insert(table).on_conflict_do_nothing(), rows)


@event.listens_for(OrmSession, "before_flush")
def _note_current_version_changes(
    session: OrmSession, _context: UOWTransaction, _instances: object
) -> None:
    """The ORM publish path sets power_list.current_version_id, and deactivating a unit takes
    its items out of search; remember to sync."""
    for obj in session.dirty:
        if (
            isinstance(obj, PowerList)
            and inspect(obj).attrs.current_version_id.history.has_changes()
        ) or (isinstance(obj, Unit) and inspect(obj).attrs.is_active.history.has_changes()):
            session.info[_PENDING] = True
            return
    for obj in session.new:
        if isinstance(obj, PowerList) and obj.current_version_id is not None:
            session.info[_PENDING] = True
            return


@event.listens_for(OrmSession, "do_orm_execute")
def _note_bulk_list_changes(state: ORMExecuteState) -> None:
    """Bulk publishing (publish_standard_to_units) updates power_list with a statement."""
    if not (state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) in (PowerList.__tablename__, Unit.__tablename__):
        state.session.info[_PENDING] = True


@event.listens_for(OrmSession, "before_commit")
def _sync_before_commit(session: OrmSession) -> None:
    if session.info.get(_PENDING):
        # Every session in the app is a sqlmodel Session (app.db, tests, the CLI).
        sync_index(cast(Session, session))


@event.listens_for(OrmSession, "after_rollback")
def _forget_after_rollback(session: OrmSession) -> None:
    session.info.pop(_PENDING, None)


def _sync_if_pending(session: Session) -> None:
    # Publications in this very transaction are searchable before they are committed.
    if session.info.get(_PENDING):
        sync_index(session)


# ---------------------------------------------------------------------------------------------
# Queries


@dataclass(frozen=True)
class Highlight:
    """Text split around the first match, for <mark> without trusting any HTML."""

    before: str
    match: str
    after: str


@dataclass(frozen=True)
class Snippet:
    field: str  # key of MATCH_FIELD_LABELS
    text: Highlight

    @property
    def label(self) -> str:
        return MATCH_FIELD_LABELS[self.field]


@dataclass(frozen=True)
class UnitHit:
    unit: Unit
    parent: Unit | None


@dataclass(frozen=True)
class ItemHit:
    key: str
    name: str
    category: str
    unit: Unit
    parent: Unit | None  # the unit's township (or county), to tell same-named villages apart
    name_match: Highlight | None  # where the query is in the name, if it is
    snippet: Snippet | None  # otherwise the field line where it matched


@dataclass(frozen=True)
class SearchResults:
    query: str
    units: Page[UnitHit]
    items: Page[ItemHit]


def search(
    session: Session,
    *,
    query: str,
    unit_page: int = 1,
    item_page: int = 1,
    per_page: int = PER_PAGE,
) -> SearchResults:
    """Units and items for one query (normalised here), each section paginated on its own."""
    text = normalise_query(query)
    return SearchResults(
        query=text,
        units=search_units(session, query=text, page=unit_page, per_page=per_page),
        items=search_items(session, query=text, page=item_page, per_page=per_page),
    )


def search_units(
    session: Session, *, query: str, page: int = 1, per_page: int = PER_PAGE
) -> Page[UnitHit]:
    """Active units whose name contains the query or whose code, pinyin or pinyin initials
    start with it; exact name first, then name prefix, pinyin prefix, initials prefix."""
    text = query.strip()
    if not text:
        return Page(items=[], total=0, page=max(1, page), per_page=per_page)
    lowered = text.lower()
    name, code = col(Unit.name), col(Unit.code)
    pinyin, initials = col(Unit.pinyin), col(Unit.pinyin_initials)
    rank = case(
        (or_(name == text, code == text), 0),
        (or_(name.startswith(text, autoescape=True), code.startswith(text, autoescape=True)), 1),
        (pinyin.startswith(lowered, autoescape=True), 2),
        (initials.startswith(lowered, autoescape=True), 3),
        else_=4,
    )
    statement = (
        select(Unit)
        .where(
            col(Unit.is_active).is_(True),
            or_(
                name.contains(text, autoescape=True),
                code.startswith(text, autoescape=True),
                pinyin.startswith(lowered, autoescape=True),
                initials.startswith(lowered, autoescape=True),
            ),
        )
        .order_by(rank, col(Unit.depth), code)
    )
    found = paginate(session, statement, page=page, per_page=per_page)
    parents = _parents(session, found.items)
    return Page(
        items=[UnitHit(unit, parents.get(unit.parent_id or 0)) for unit in found.items],
        total=found.total,
        page=found.page,
        per_page=per_page,
    )


def _term_clause(term: str) -> ColumnElement[bool]:
    """Documents containing the term (or one of its expanded spellings)."""
    body = func.lower(col(SearchDoc.body))
    options: list[ColumnElement[bool]] = []
    for variant in term_variants(term):
        tokens = sorted(term_tokens(variant))
        if not tokens:
            continue
        token = col(SearchToken.token)
        candidates = select(SearchToken.doc_id)
        if len(tokens) == 1:
            candidates = candidates.where(token == tokens[0])
        else:
            candidates = (
                candidates.where(token.in_(tokens))
                .group_by(col(SearchToken.doc_id))
                .having(func.count() == len(tokens))
            )
        options.append(
            and_(col(SearchDoc.id).in_(candidates), body.contains(variant, autoescape=True))
        )
    return or_(*options) if options else false()


def _rank(query: str, terms: list[str]) -> Any:
    """0 exact name, 1 name prefix, 2 name contains every term, 3 matched elsewhere."""
    name = func.lower(col(SearchDoc.name))
    first = term_variants(terms[0])
    all_in_name = and_(
        *(or_(*(name.contains(v, autoescape=True) for v in term_variants(t))) for t in terms)
    )
    return case(
        (or_(*(name == v for v in term_variants(query.lower()))), 0),
        (and_(or_(*(name.startswith(v, autoescape=True) for v in first)), all_in_name), 1),
        (all_in_name, 2),
        else_=3,
    )


def search_items(
    session: Session, *, query: str, page: int = 1, per_page: int = PER_PAGE
) -> Page[ItemHit]:
    """Current published items of active units containing every term of the query.

    The work grows with the number of matching *documents* and the page size, not with the
    number of matching items: documents are ranked in SQL, counted per document on the
    (doc_id, unit_id, position) index, and only the slices the page needs are read.
    """
    page = max(1, page)
    empty: Page[ItemHit] = Page(items=[], total=0, page=page, per_page=per_page)
    terms = query_terms(query)
    if not terms:
        return empty
    _sync_if_pending(session)
    match = [_term_clause(term) for term in terms]
    documents = session.execute(
        select(SearchDoc.id, _rank(query, terms), SearchDoc.name).where(*match)
    ).all()
    if not documents:
        return empty
    counts: dict[int, int] = dict(
        session.execute(
            select(SearchEntry.doc_id, func.count())
            .where(col(SearchEntry.doc_id).in_(select(SearchDoc.id).where(*match)))
            .group_by(col(SearchEntry.doc_id))
        ).all()
    )
    # Within a rank, documents by name: the same item at every unit that has it, together.
    ordered = [
        (doc_id, counts[doc_id])
        for doc_id, _rank_value, _name in sorted(documents, key=lambda d: (d[1], d[2], d[0]))
        if counts.get(doc_id)
    ]
    total = sum(n for _, n in ordered)
    rows: list[tuple[str, int, int]] = []
    skip = (page - 1) * per_page
    for doc_id, n in ordered:
        if len(rows) == per_page:
            break
        if skip >= n:
            skip -= n
            continue
        rows += session.execute(
            select(SearchEntry.item_key, SearchEntry.unit_id, SearchEntry.doc_id)
            .where(col(SearchEntry.doc_id) == doc_id)
            # Unit ids follow the division import, in code order.
            .order_by(col(SearchEntry.unit_id), col(SearchEntry.position))
            .offset(skip)
            .limit(per_page - len(rows))
        ).all()
        skip = 0
    if not rows:
        return Page(items=[], total=total, page=page, per_page=per_page)
    units = {
        unit.id: unit
        for unit in session.exec(
            select(Unit).where(col(Unit.id).in_({unit_id for _, unit_id, _ in rows}))
        ).all()
    }
    texts = {
        doc_id: (name, category, body)
        for doc_id, name, category, body in session.execute(
            select(SearchDoc.id, SearchDoc.name, SearchDoc.category, SearchDoc.body).where(
                col(SearchDoc.id).in_({doc_id for _, _, doc_id in rows})
            )
        ).all()
    }
    parents = _parents(session, list(units.values()))
    variants = [v for term in terms for v in term_variants(term)]
    hits = []
    for key, unit_id, doc_id in rows:
        name, category, body = texts[doc_id]
        unit = units[unit_id]
        in_name = highlight(name, variants)
        hits.append(
            ItemHit(
                key=key,
                name=name,
                category=category,
                unit=unit,
                parent=parents.get(unit.parent_id or 0),
                name_match=in_name,
                snippet=None if in_name else snippet(body, variants),
            )
        )
    return Page(items=hits, total=total, page=page, per_page=per_page)


def _parents(session: Session, units: list[Unit]) -> dict[int, Unit]:
    """The parents of a page of units in one query."""
    ids = {unit.parent_id for unit in units if unit.parent_id is not None}
    if not ids:
        return {}
    rows = session.exec(select(Unit).where(col(Unit.id).in_(ids))).all()
    return {row.id: row for row in rows if row.id is not None}


# ---------------------------------------------------------------------------------------------
# Snippets

SNIPPET_BEFORE = 12
SNIPPET_AFTER = 24


def highlight(text: str, variants: Sequence[str]) -> Highlight | None:
    """`text` split around the earliest occurrence of any variant (case-insensitive)."""
    lowered = text.lower()
    found = [(lowered.find(v), -len(v)) for v in variants if v and v in lowered]
    if not found:
        return None
    start, negative_length = min(found)
    end = start - negative_length
    return Highlight(text[:start], text[start:end], text[end:])


def snippet(body: str, variants: Sequence[str]) -> Snippet | None:
    """The first field line (after the name) containing a variant, cut around the match."""
    for line in body.split("\n")[1:]:
        field = _FIELD_OF_MARK.get(line[:1])
        if field is None:
            continue
        found = highlight(line[1:], variants)
        if found is None:
            continue
        before = found.before
        if len(before) > SNIPPET_BEFORE:
            before = "…" + before[-SNIPPET_BEFORE:]
        after = found.after
        if len(after) > SNIPPET_AFTER:
            after = after[:SNIPPET_AFTER] + "…"
        return Snippet(field, Highlight(before, found.match, after))
    return None
