"""
How relevant the listing's search is, measured on the fixed demo catalog (`make bench-search`).

    python -m bench.search_relevance.run [--pieces 2000] [--seed 2026] [--verbose] [--out results.json]
                                          [--catalog-queries 40] [--keepdb]

The database is the one DATABASE_URL names (SQLite by default): like Django's test runner, the
run builds a database of its own beside it (`test_<name>` on PostgreSQL, a temporary file on
SQLite), migrates it, seeds the demo catalog (`seed_demo --pieces N --seed S`) and drops it at
the end. `--keepdb` keeps it, under a name that says the size, the seed and the version of the
seed's code (bench/database.py), and reuses it next time: seeding 2,000 pieces takes most of a
minute. The cache is memory (locmem), never Redis; media go to a temporary folder of their own.

For every query of the relevance set (bench/search_relevance/queries.py) the listing is asked with
Django's test client, `GET /pieces/?q=<query>`, following redirects (a query read as filters may
be sent on to the filters' URL), and the first page of the result is read from the page's
context (`page_obj`): its pieces and the result's count. Three figures, over the queries that
have relevant pieces:

- nothing returned: the share of those queries that return no piece;
- first-page precision: the share of the first page that is relevant, averaged over the queries
  that return something;
- recall within the first page: the relevant pieces on the first page over as many as the page
  could hold (the relevant count, at most the page size), averaged over all those queries.

`--out` writes every query's result (count, first page's ids and slugs, relevant count) as JSON;
`--catalog-queries N` adds N queries made from the catalog's own words (titles' words and pairs,
some misspelt), which have no judgement: tests/test_search_parity.py compares their results
between SQLite and PostgreSQL.

Part of the bench, outside the rooms: it drives the site as a shopper's browser would.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

DEFAULT_PIECES = 2000
# The demo's default seed (catalog.demo.build.DEFAULT_SEED), read without setting Django up.
DEFAULT_SEED = 2026
MEDIA = Path(tempfile.gettempdir()) / "atelier-search-relevance-media"


# --- The figures (plain Python: tested without a database) -----------------------------------


@dataclass(frozen=True)
class Outcome:
    """One query's result: how many pieces are relevant, how many came back, and the first page's relevant ones."""

    query: str
    relevant: int | None  # None: a query without judgement (made from the catalog's words)
    returned: int
    first_page: int
    relevant_on_first_page: int
    page_size: int
    tags: tuple[str, ...] = ()

    @property
    def precision(self):
        """The relevant share of the first page; None when nothing came back, or for a query without judgement."""
        if self.relevant is None or not self.first_page:
            return None
        return self.relevant_on_first_page / self.first_page

    @property
    def recall(self):
        """The relevant pieces on the first page over as many as it could hold; None without relevant pieces."""
        if not self.relevant:
            return None
        return self.relevant_on_first_page / min(self.relevant, self.page_size)


@dataclass(frozen=True)
class Figures:
    judged: int  # queries with relevant pieces
    nothing_returned: float  # share of them returning no piece
    precision: float | None  # mean first-page precision over those returning something (None: none did)
    recall: float | None  # mean recall within the first page over all of them (None: no such query)
    without_relevant: int  # queries without relevant pieces
    without_relevant_empty: int  # of which returned nothing


def figures(outcomes):
    """The three figures of relevance over `outcomes` with relevant pieces, and how the others fared."""
    judged = [outcome for outcome in outcomes if outcome.relevant]
    answered = [outcome for outcome in judged if outcome.returned]
    unmatched = [outcome for outcome in outcomes if outcome.relevant == 0]
    return Figures(
        judged=len(judged),
        nothing_returned=_share(len(judged) - len(answered), len(judged)),
        precision=_mean([outcome.precision for outcome in answered]),
        recall=_mean([outcome.recall for outcome in judged]),
        without_relevant=len(unmatched),
        without_relevant_empty=sum(1 for outcome in unmatched if not outcome.returned),
    )


def figures_by_tag(outcomes):
    """The figures of the queries of each tag (typo, synonym, …), one line each."""
    tags = sorted({tag for outcome in outcomes for tag in outcome.tags})
    lines = [f"{'kind of query':<14}  queries  nothing returned  precision  recall"]
    for tag in tags:
        result = figures([outcome for outcome in outcomes if tag in outcome.tags])
        shares = f"{result.nothing_returned:>16.0%}  {_figure(result.precision):>9}  {_figure(result.recall):>6}"
        lines.append(f"{tag:<14}  {result.judged:>7}  {shares}")
    return "\n".join(lines)


def _share(part, whole):
    return part / whole if whole else 0.0


def _mean(values):
    return sum(values) / len(values) if values else None


def table(outcomes):
    """One line per query: relevant, returned, precision and recall (— where they do not apply)."""
    width = max([len(outcome.query) for outcome in outcomes] + [5])
    lines = [f"{'query':<{width}}  relevant  returned  precision  recall"]
    for outcome in outcomes:
        relevant = "-" if outcome.relevant is None else outcome.relevant
        lines.append(
            f"{outcome.query:<{width}}  {relevant:>8}  {outcome.returned:>8}  "
            f"{_figure(outcome.precision):>9}  {_figure(outcome.recall):>6}"
        )
    return "\n".join(lines)


def _figure(value, digits=2):
    return "-" if value is None else f"{value:.{digits}f}"


def summary(result, label):
    return "\n".join(
        [
            f"{label}: {result.judged} queries with relevant pieces",
            f"  nothing returned              {result.nothing_returned:6.1%}",
            f"  first-page precision          {_figure(result.precision, 3):>6}",
            f"  recall within the first page  {_figure(result.recall, 3):>6}",
            f"  queries without relevant pieces: {result.without_relevant_empty} of {result.without_relevant} "
            "returned nothing",
        ]
    )


def catalog_queries(titles, count):
    """
    `count` queries made from the catalog's own words, the same for the same titles whatever the
    database: words of titles and their last two words, every third single word misspelt (its
    middle letter dropped) and every fourth pair put in the plural. Drawn from the titles sorted.
    """
    if count <= 0:
        return []
    titles = sorted({title.lower() for title in titles})
    words = sorted({word for title in titles for word in title.split() if len(word) > 3 and word.isalpha()})
    singles, pairs = [], []
    for number, word in enumerate(words[:: max(1, len(words) // count)][: count - count // 2]):
        singles.append(
            word[: len(word) // 2] + word[len(word) // 2 + 1 :] if number % 3 == 2 and len(word) > 5 else word
        )
    for number, title in enumerate(titles[:: max(1, len(titles) // count)][: count // 2]):
        pair = " ".join(title.split()[-2:])
        pairs.append(pair + "s" if number % 4 == 3 and not pair.endswith("s") else pair)
    return list(dict.fromkeys(singles + pairs))


# --- The run ----------------------------------------------------------------------------------


def parse_arguments(argv):
    parser = argparse.ArgumentParser(prog="python -m bench.search_relevance.run", description=__doc__.split("\n")[1])
    parser.add_argument("--pieces", type=int, default=DEFAULT_PIECES, help="The demo catalog's size (default 2000).")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="The demo catalog's seed (default 2026).")
    parser.add_argument("--verbose", action="store_true", help="Print a line per query.")
    parser.add_argument("--out", type=Path, help="Write each query's result to this JSON file.")
    parser.add_argument("--catalog-queries", type=int, default=0, help="Add N queries made from the catalog's words.")
    parser.add_argument("--keepdb", action="store_true", help="Keep the database, and reuse it when present.")
    return parser.parse_args(argv)


def set_up_django(args):
    """Settings from the environment, with the bench's own cache, media and log level; then the test environment."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
    os.environ["CACHE_URL"] = "locmemcache://search-relevance"
    os.environ.pop("DATABASE_REPLICA_URL", None)
    os.environ.setdefault("MEDIA_ROOT", str(MEDIA))
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.test.utils import setup_test_environment

    setup_test_environment(debug=False)


def test_database_name(connection, args):
    """The run's own database: Django's test name, or with --keepdb one that says what it holds."""
    from bench.database import code_version

    settings = connection.settings_dict
    kept = f"{args.pieces}_{args.seed}_{code_version()}"
    if connection.vendor == "sqlite":
        return str(
            Path(tempfile.gettempdir()) / f"atelier_search_relevance_{kept if args.keepdb else os.getpid()}.sqlite3"
        )
    return f"test_{settings['NAME']}" + (f"_{kept}" if args.keepdb else "")


def build_catalog(args, out):
    """A database of the run's own with the demo catalog of `args.pieces` pieces and seed `args.seed`."""
    from django.core.management import call_command
    from django.db import connection

    from catalog.demo.build import demo_counts

    connection.settings_dict["TEST"]["NAME"] = test_database_name(connection, args)
    connection.settings_dict["TEST"]["SERIALIZE"] = False
    started = time.monotonic()
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=args.keepdb)
    present = demo_counts()
    if present and present[1] != args.pieces:
        sys.exit(f"{name} holds a demo catalog of {present[1]:,} pieces, not {args.pieces:,}: run without --keepdb.")
    if not present:
        call_command("seed_demo", pieces=args.pieces, seed=args.seed, stdout=_Quiet(), stderr=_Quiet())
    print(
        f"{connection.vendor} database {name}: demo catalog of {args.pieces:,} pieces, seed {args.seed} "
        f"({'reused' if present else 'built'} in {time.monotonic() - started:.0f} s)",
        file=out,
    )
    return name


class _Quiet:
    """Where the seed's progress goes."""

    def write(self, text):
        return len(text)

    def flush(self):
        pass


def ask_listing(client, text):
    """The listing's answer to `text`: (count, first page's piece ids, page size), after any redirect."""
    from django.urls import reverse

    response = client.get(reverse("catalog:piece_list"), {"q": text}, follow=True)
    if response.status_code != 200 or not response.context or "page_obj" not in response.context:
        raise RuntimeError(f"The listing answered {text!r} with {response.status_code}, not a page of results.")
    page = response.context["page_obj"]
    return page.paginator.count, [piece.pk for piece in page.object_list], page.paginator.per_page


def measure(texts_and_queries, out):
    """Ask the listing for every query; (outcomes, rows for the JSON file)."""
    from django.test import Client

    from bench.search_relevance.queries import piece_texts, relevant
    from catalog.models import Piece

    client = Client()
    published = Piece.objects.published()
    texts = piece_texts(published)
    outcomes, rows = [], []
    for text, query in texts_and_queries:
        count, ids, page_size = ask_listing(client, text)
        relevant_ids = set(relevant(published, query, texts).values_list("pk", flat=True)) if query else None
        slugs = dict(Piece.objects.filter(pk__in=ids).values_list("pk", "slug"))
        outcome = Outcome(
            query=text,
            relevant=None if relevant_ids is None else len(relevant_ids),
            returned=count,
            first_page=len(ids),
            relevant_on_first_page=len(relevant_ids & set(ids)) if relevant_ids is not None else 0,
            page_size=page_size,
            tags=query.tags if query else (),
        )
        outcomes.append(outcome)
        rows.append({**asdict(outcome), "ids": ids, "slugs": [slugs[pk] for pk in ids]})
    return outcomes, rows


def main(argv=None, out=sys.stdout):
    args = parse_arguments(argv)
    set_up_django(args)
    from django.db import connection

    from bench.search_relevance.queries import QUERIES
    from catalog.models import Piece

    old_name = connection.settings_dict["NAME"]
    build_catalog(args, out)
    try:
        started = time.monotonic()
        judged = [(query.text, query) for query in QUERIES]
        titles = Piece.objects.published().values_list("title", flat=True)
        generated = [(text, None) for text in catalog_queries(titles, args.catalog_queries) if text not in dict(judged)]
        outcomes, rows = measure(judged + generated, out)
        if args.verbose:
            print(table(outcomes), file=out)
            print(figures_by_tag(outcomes), file=out)
        label = f"{connection.vendor}, {args.pieces:,} pieces, seed {args.seed}"
        result = figures(outcomes)
        print(summary(result, label), file=out)
        print(f"  ({len(outcomes)} queries in {time.monotonic() - started:.0f} s)", file=out)
        if args.out:
            document = {
                "database": connection.vendor,
                "pieces": args.pieces,
                "seed": args.seed,
                "figures": asdict(result),
                "queries": rows,
            }
            args.out.write_text(json.dumps(document, indent=1, ensure_ascii=False))
    finally:
        if not args.keepdb:
            connection.creation.destroy_test_db(old_name, verbosity=0)
    return result


if __name__ == "__main__":
    main()
