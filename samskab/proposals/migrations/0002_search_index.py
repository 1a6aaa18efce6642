"""PostgreSQL: a GIN index over the proposals' Danish full text (proposals.selectors.search).

An index of an expression PostgreSQL alone has; SQLite searches with LIKE and gets none, so
the index is made here, by database, and is not part of the model's state.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

INDEX = "proposals_proposal_search_da"


def _index():
    # Must stay the expression of proposals.selectors.search_vector, or the index goes unused.
    return GinIndex(SearchVector("title", "summary", "text", config="danish"), name=INDEX)


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("proposals", "Proposal"), _index())


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("proposals", "Proposal"), _index())


class Migration(migrations.Migration):
    dependencies = [("proposals", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
