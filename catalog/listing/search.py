"""
Searching pieces with `q`.

On PostgreSQL: full-text search over the title, the maker's name, the
materials, techniques and traditions, the description and the design story,
weighted in three classes: A (the title), B (the maker's and the related
rows' names), C (the description and design story). The vector is stored on
the piece (`Piece.search_vector`, GIN-indexed) and refreshed whenever one of
those texts changes (catalog.signals). `q` is read as a web search
(`websearch_to_tsquery`: words are ANDed, "quoted phrases", `or`, `-word`),
always by PostgreSQL, so that stemming and stop words are the database's.

The listing does not ask PostgreSQL which pieces match: a common word ("gold")
matches half the catalog, and reading those rows (their ids, for the count and
the facet counts) costs 0.2 s at 100,000 pieces and grows with the catalog.
It asks the index's `SearchPostings` instead: for every word (lexeme), the
published pieces having it, one bitmap per weight class, as a search engine
keeps posting lists. The parsed query is evaluated on them with bitmap
operations (the same AND, OR and NOT). A phrase ("sterling silver" in quotes)
needs word positions, which the postings do not keep: it is evaluated as its
words ANDed, and the pieces found are checked by PostgreSQL (by id, or through
the GIN index when they are many: catalog.listing.result.PHRASE_CHECKED_BY_ID),
so its cost grows with the pieces having all its words. A hyphenated word
("hand-forged") is a phrase of the whole word and its parts to PostgreSQL, but
a piece has the whole word exactly where it has that phrase, so it is looked
up as one word.

"Best match" (the order of a search unless another is asked for) is by tiers,
each newest first (then by id, descending, as the newest order):
1. the pieces that `q` matches by their title alone,
2. then those it matches by their title and names (maker, materials,
   techniques, traditions),
3. then the others (matched through their description or design story).
A phrase counts as matched within a tier when its words are all there. The
SQL order (`rank_pieces`, from the vector's weights with `ts_filter`) is the
same but for that (SQL asks for the phrase itself within the tier), and is
what the tests compare the index with.

On SQLite, the development database, a simpler fallback in SQL: every word
(up to MAX_WORDS) must appear in one of those texts, and pieces whose title
holds the whole query come first.

Part of the listing room: below the filters and the index, above the facets; the signals and the
demo call `refresh_search_vectors`.
"""

import re
from array import array
from functools import lru_cache

import numpy
from django.contrib.postgres.aggregates import StringAgg
from django.contrib.postgres.search import SearchQuery, SearchVector, SearchVectorField
from django.db import connection, connections
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from pyroaring import BitMap, FrozenBitMap

from artisans.models import Artisan
from catalog.models import Piece, PieceMaterial

# Words beyond this many are ignored by the fallback: each adds a condition.
MAX_WORDS = 8
SEARCH_CONFIG = "english"


def uses_full_text():
    return connection.vendor == "postgresql"


def search_pieces(queryset, q):
    """The pieces matching `q` (no order applied)."""
    if uses_full_text():
        return queryset.filter(search_vector=_query(q))
    for word in q.split()[:MAX_WORDS]:
        queryset = queryset.filter(_word_matches(word))
    return queryset


def rank_pieces(queryset, q):
    """Annotate `rank`: how well each piece matches `q` (higher is better; the module's tiers on PostgreSQL)."""
    if uses_full_text():
        query = _query(q)
        in_title = _FilteredVector(F("search_vector"), weights="{a}")
        in_names = _FilteredVector(F("search_vector"), weights="{a,b}")
        return queryset.annotate(
            rank=Case(
                When(Matches(in_title, query), then=Value(2)),
                When(Matches(in_names, query), then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
    return queryset.annotate(
        rank=Case(When(title__icontains=q, then=Value(2)), default=Value(1), output_field=IntegerField())
    )


class _FilteredVector(Func):
    """The vector's lexemes of the given weights only (`ts_filter`)."""

    function = "ts_filter"
    output_field = SearchVectorField()

    def __init__(self, vector, *, weights):
        super().__init__(vector, Value(weights), output_field=self.output_field)


class Matches(Func):
    """`vector @@ query`, as a condition."""

    template = "%(expressions)s"
    arg_joiner = " @@ "
    conditional = True
    output_field = BooleanField()


def _word_matches(word):
    return (
        Q(title__icontains=word)
        | Q(description__icontains=word)
        | Q(design_story__icontains=word)
        | Q(artisan__name__icontains=word)
        | Exists(PieceMaterial.objects.filter(piece=OuterRef("pk"), material__name__icontains=word))
        | Exists(Piece.techniques.through.objects.filter(piece=OuterRef("pk"), technique__name__icontains=word))
        | Exists(Piece.traditions.through.objects.filter(piece=OuterRef("pk"), tradition__name__icontains=word))
    )


# The related rows whose names are part of a piece's text: (model pointing at the piece, the name's path).
NAMED_RELATIONS = [
    (PieceMaterial, "material__name"),
    (Piece.techniques.through, "technique__name"),
    (Piece.traditions.through, "tradition__name"),
]


def _names_per_piece(relation, path):
    """The names of `relation`'s rows as one text per piece (in name order): columns `piece` and `names`."""
    return relation.objects.order_by().values("piece").annotate(names=StringAgg(path, delimiter=" ", order_by=path))


def refresh_search_vectors(pieces=None):
    """
    Store the search vector of `pieces` (a queryset, or every piece) in one
    UPDATE; PostgreSQL only. Returns how many pieces were updated.
    """
    if not uses_full_text():
        return 0
    if pieces is None:
        return _refresh_every_vector()
    maker_name = Subquery(Artisan.objects.filter(pk=OuterRef("artisan_id")).values("name")[:1])
    names = [
        Coalesce(
            Subquery(_names_per_piece(relation, path).filter(piece=OuterRef("pk")).values("names")),
            Value(""),
            output_field=TextField(),
        )
        for relation, path in NAMED_RELATIONS
    ]
    return Piece.objects.filter(pk__in=pieces.values("pk")).update(search_vector=_vector(maker_name, names))


def _refresh_every_vector():
    """
    Every piece's vector in one UPDATE joined to the names grouped per piece:
    one pass over each table (hash joins), where a subquery per piece costs
    most of a minute at 100,000 pieces.
    """
    joins, params = [], []
    for number, (relation, path) in enumerate(NAMED_RELATIONS):
        sql, names_params = _names_per_piece(relation, path).query.sql_with_params()
        joins.append(f"LEFT JOIN ({sql}) names_{number} ON names_{number}.piece = piece.id")
        params += names_params
    quote = connection.ops.quote_name
    piece_table, maker_table = quote(Piece._meta.db_table), quote(Artisan._meta.db_table)
    texts = (
        "SELECT piece.id, maker.name AS maker_name, "
        + ", ".join(f"names_{number}.names AS names_{number}" for number in range(len(NAMED_RELATIONS)))
        + f" FROM {piece_table} piece JOIN {maker_table} maker ON maker.id = piece.artisan_id "
        + " ".join(joins)
    )
    vector = _vector(
        RawSQL("texts.maker_name", []),
        [RawSQL(f"texts.names_{number}", []) for number in range(len(NAMED_RELATIONS))],
    )
    query = Piece.objects.all().query
    vector_sql, vector_params = vector.resolve_expression(query).as_sql(
        query.get_compiler(connection=connection), connection
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {piece_table} SET search_vector = {vector_sql} FROM ({texts}) texts "
            f"WHERE texts.id = {piece_table}.id",
            [*vector_params, *params],
        )
        return cursor.rowcount


def _vector(maker_name, names):
    """The weighted vector of a piece: its title, then its maker's and related rows' names, then its texts."""
    vector = SearchVector("title", weight="A", config=SEARCH_CONFIG) + SearchVector(
        maker_name, weight="B", config=SEARCH_CONFIG
    )
    for text in names:
        vector += SearchVector(text, weight="B", config=SEARCH_CONFIG)
    return vector + SearchVector("description", "design_story", weight="C", config=SEARCH_CONFIG)


def _query(q):
    return SearchQuery(q, search_type="websearch", config=SEARCH_CONFIG)


# --- The index's postings ---------------------------------------------------------------

# The weight classes of a lexeme in a piece's vector, by the best weight it has there.
TITLE, NAMES, TEXTS = range(3)
_EMPTY = FrozenBitMap()


@lru_cache(maxsize=4096)
def parsed_query(q, using="default"):
    """
    `q` as PostgreSQL reads it (`websearch_to_tsquery`), as a tree of tuples:
    ("word", lexeme), ("not", node), ("and" | "or", left, right),
    ("phrase", left, right, distance); None when it holds no word (only stop
    words, or punctuation), which matches nothing, as in PostgreSQL. One query
    the first time a process sees `q`. Raises ValueError for a form the
    postings cannot answer (never produced by websearch_to_tsquery).
    """
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT websearch_to_tsquery(%s::regconfig, %s)::text", [SEARCH_CONFIG, q])
        (text,) = cursor.fetchone()
    return _TsqueryParser(text).parse()


class _TsqueryParser:
    """A tsquery's text (as PostgreSQL writes it) to a tree; `!` binds tightest, then `<->`, `&`, `|`."""

    TOKEN = re.compile(r"\s*(?:'((?:[^']|'')*)'(:[*A-Za-z]+)?|(<->|<\d+>|[!&|()]))")

    def __init__(self, text):
        self.tokens = []
        position, text = 0, text.strip()
        while position < len(text):
            match = self.TOKEN.match(text, position)
            if not match or match.group(2):
                raise ValueError(f"unsupported tsquery: {text!r}")
            lexeme, operator = match.group(1), match.group(3)
            self.tokens.append(("word", lexeme.replace("''", "'")) if lexeme is not None else (operator, None))
            position = match.end()
        self.position = 0

    def parse(self):
        if not self.tokens:
            return None
        node = self._or()
        if self.position != len(self.tokens):
            raise ValueError("unexpected token in tsquery")
        return node

    def _peek(self):
        return self.tokens[self.position][0] if self.position < len(self.tokens) else None

    def _take(self):
        self.position += 1
        return self.tokens[self.position - 1]

    def _or(self):
        return self._joined("|", "or", self._and)

    def _and(self):
        return self._joined("&", "and", self._phrase)

    def _joined(self, operator, kind, operand):
        node = operand()
        while self._peek() == operator:
            self._take()
            node = (kind, node, operand())
        return node

    def _phrase(self):
        node = self._not()
        while (kind := self._peek()) and kind.startswith("<"):
            self._take()
            distance = 1 if kind == "<->" else int(kind[1:-1])
            node = ("phrase", node, self._not(), distance)
        return _compound(node) if node[0] == "phrase" else node

    def _not(self):
        kind, value = self._take() if self._peek() else (None, None)
        if kind == "!":
            return ("not", self._not())
        if kind == "(":
            node = self._or()
            if self._peek() != ")":
                raise ValueError("unbalanced tsquery")
            self._take()
            return node
        if kind == "word":
            return ("word", value)
        raise ValueError("unexpected end of tsquery")


def _compound(phrase):
    """
    A hyphenated word's phrase ("hand-forg" <-> "hand" <-> "forg") as its whole
    word: PostgreSQL's parser always writes a hyphenated word's parts right
    after it, so a piece has the phrase exactly where it has the whole word.
    Any other phrase is returned as it is.
    """
    chain, node = [], phrase
    while node[0] == "phrase":
        chain.append(node)
        node = node[1]
    if node[0] != "word" or "-" not in node[1]:
        return phrase
    offset, parts = 0, node[1].count("-") + 1
    for link in reversed(chain):
        offset += link[3]
        if link[2][0] != "word" or offset > parts:
            return phrase
    return node


class SearchPostings:
    """
    For every lexeme of the published pieces' vectors, the pieces having it,
    by its best weight class there: (title, names, texts), disjoint bitmaps.
    Never changed once made: `updated` returns a new one.
    """

    def __init__(self, lexemes):
        self.lexemes = lexemes  # {lexeme: (BitMap, BitMap, BitMap)}

    @classmethod
    def build(cls, pieces):
        """
        The postings of the pieces of `pieces` (a queryset), in one grouped
        query, its rows streamed (a server-side cursor): at a million pieces
        they hold some 40 million ids.
        """
        sql, params = pieces.order_by().values("pk", "search_vector").query.sql_with_params()
        grouped = {}
        with connections[pieces.db].chunked_cursor() as cursor:
            cursor.execute(
                "SELECT word.lexeme, CASE WHEN 'A' = ANY(word.weights) THEN 0 WHEN 'B' = ANY(word.weights) "
                # The ids as 4-byte integers end to end: read without making a Python int of each.
                "THEN 1 ELSE 2 END, string_agg(int4send(piece.id::integer), ''::bytea) "
                f"FROM ({sql}) piece (id, vector), unnest(piece.vector) word GROUP BY 1, 2",
                params,
            )
            for lexeme, weight_class, ids in cursor:
                grouped.setdefault(lexeme, [_EMPTY, _EMPTY, _EMPTY])[weight_class] = _bitmap_of(ids)
        return cls({lexeme: tuple(classes) for lexeme, classes in grouped.items()})

    def updated(self, changed, fresh):
        """These postings with the pieces `changed` (a BitMap) taken out, then added back as `fresh` has them."""
        lexemes = dict(self.lexemes)
        for lexeme, classes in self.lexemes.items():
            if any(bitmap.intersect(changed) for bitmap in classes):
                lexemes[lexeme] = tuple(bitmap - changed if bitmap.intersect(changed) else bitmap for bitmap in classes)
        for lexeme, added in fresh.lexemes.items():
            current = lexemes.get(lexeme, (_EMPTY, _EMPTY, _EMPTY))
            lexemes[lexeme] = tuple(old | new if new else old for old, new in zip(current, added, strict=True))
        return SearchPostings({lexeme: classes for lexeme, classes in lexemes.items() if any(classes)})

    def pieces(self, lexeme, through=TEXTS):
        """The pieces having `lexeme` with a weight class up to `through`."""
        classes = self.lexemes.get(lexeme)
        if classes is None:
            return _EMPTY
        return classes[0] if through == TITLE else BitMap.union(*classes[: through + 1])

    def matches(self, tree, within, through=TEXTS):
        """
        (pieces, exact): the pieces of `within` that the parsed query `tree`
        matches, with lexemes weighted up to `through`; when not exact (a
        phrase), a superset to check in SQL.
        """
        if tree is None:
            return BitMap(), True
        kind = tree[0]
        if kind == "word":
            return within & self.pieces(tree[1], through), True
        if kind == "not":
            inner, exact = self.matches(tree[1], within, through)
            return (within - inner, True) if exact else (within, False)
        left, left_exact = self.matches(tree[1], within, through)
        right, right_exact = self.matches(tree[2], within, through)
        if kind == "or":
            return left | right, left_exact and right_exact
        return left & right, left_exact and right_exact and kind == "and"

    def best_match_tiers(self, tree, result):
        """`result` (the pieces matching `tree`) cut into the module's tiers of "Best match", best first."""
        in_title, _ = self.matches(tree, result, TITLE)
        in_names, _ = self.matches(tree, result - in_title, NAMES)
        return [in_title, in_names, result - in_title - in_names]

    def memory(self):
        """The bitmaps' size in bytes (serialized: close to what they hold in memory)."""
        return sum(len(bitmap.serialize()) for classes in self.lexemes.values() for bitmap in classes if bitmap)


def _bitmap_of(ids):
    """A BitMap of ids sent as big-endian 4-byte integers (PostgreSQL's int4send)."""
    bitmap = BitMap(array("I", numpy.frombuffer(ids, dtype=">u4").astype(numpy.uint32).tobytes()))
    bitmap.run_optimize()
    bitmap.shrink_to_fit()
    return bitmap
