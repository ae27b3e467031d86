"""SurveyRound.slot_layout: the layout its responses' derived columns were written in.

Migration 0003 added the packed option counters (default 0) without filling them, so a database
upgraded across it computed option shares of 0 until `rebuild_derived` was run by hand. Rounds
that exist now are marked as written in layout 0: their next computation rebuilds the columns
from the answer rows first (indexes.services.recompute_round). New rounds are current."""
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0008_response_edited_by"),
    ]

    operations = [
        migrations.AddField(
            model_name="surveyround",
            name="slot_layout",
            field=models.PositiveSmallIntegerField(default=0, editable=False),
        ),
        migrations.AlterField(
            model_name="surveyround",
            name="slot_layout",
            field=models.PositiveSmallIntegerField(default=1, editable=False),
        ),
    ]
